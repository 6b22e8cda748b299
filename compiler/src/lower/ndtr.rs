//! `special.ndtr(input)`, the standard normal CDF: ATen composes it from
//! tensor ops (`(1 + erf(x * M_SQRT1_2)) * 0.5`, `special_ndtr` in
//! `UnaryOps.cpp`), so graphc lowers it to the same ops in the same order and
//! derives its gradient through them; the result's `grad_fn` is the last
//! multiplication's, `MulBackward1` (a C++ scalar). An integer input promotes
//! to `f32` at the first multiplication, as in PyTorch.

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `special.ndtr(input)`.
    pub(super) fn ndtr_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, s) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, s, "`special.ndtr`'s input") else { return Value::Poison };
        let number = |x: f64| (Value::Number(Num::Float(x)), span);
        let scaled = self.binary(BinOp::Mul, (Value::Tensor(t), s), number(std::f64::consts::FRAC_1_SQRT_2), span);
        let erf = self.call_builtin_values("erf", vec![(scaled, span)], span);
        let shifted = self.binary(BinOp::Add, number(1.0), (erf, span), span);
        let out = self.binary(BinOp::Mul, (shifted, span), number(0.5), span);
        self.named_grad_fn(out, "MulBackward1")
    }
}
