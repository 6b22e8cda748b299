//! `ldexp(input, other)`: `input * 2 ** other`, composed as ATen composes it,
//! `at::mul(self, at::pow(2.0, other))`, so an integer exponent gives a float
//! power of two (`f32` by default) and the product's dtype is the promotion of
//! both. PyTorch 2.15 names the node `LdexpBackward0`; its gradient for
//! `input` is the product's, `grad * 2 ** other`.

use graphc_runtime::DType;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `ldexp(input, other)`.
    pub(super) fn ldexp_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let [(x, xs), (e, es)] = self.two(bound);
        let Some(x) = self.expect_tensor(x, xs, "`ldexp`'s input") else { return Value::Poison };
        let Some(e) = self.expect_tensor(e, es, "`ldexp`'s `other`") else { return Value::Poison };
        let power = self.binary(BinOp::Pow, (Value::Number(Num::Float(2.0)), span), (Value::Tensor(e), es), span);
        let Some(power) = power.as_tensor() else { return Value::Poison };
        // The product's dtype is the promotion of both: the wider float.
        let (xd, pd) = (self.dtype_of(x), self.dtype_of(power));
        let dt = if xd == DType::F64 || pd == DType::F64 { DType::F64 } else { pd };
        let (x, power) = (self.cast_to(x, dt, xs), self.cast_to(power, dt, span));
        let out = self.binary(BinOp::Mul, (Value::Tensor(x), xs), (Value::Tensor(power), span), span);
        // PyTorch records the product as `ldexp`'s own node, whose gradient
        // for `input` is the product's, `grad * 2 ** other`.
        self.named_grad_fn(out, "LdexpBackward0")
    }
}
