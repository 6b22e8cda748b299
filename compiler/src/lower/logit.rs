//! `logit(input, eps=none)` (`torch.logit`, `torch.special.logit`,
//! `x.logit()`): `log(x / (1 - x))`, the inverse of `sigmoid`
//! (docs/act-language.md, section 5).
//!
//! The value is ATen's `LogitMKLKernel`, the path PyTorch's MKL builds take
//! for a contiguous tensor: with `eps`, the input clamped to `[eps, 1 - eps]`
//! first (both bounds in the dtype, `1 - eps` subtracted there; NaN stays
//! NaN); then `x == 1 ? inf : x / (1 - x)`, whose logarithm MKL's `vsLn`
//! takes, as it takes `torch.log`'s, so graphc's `log` computes it. Integer
//! inputs compute in f32.
//!
//! The gradient is `logit_backward_kernel`'s scalar lambda, as the backward
//! of a call (`LogitBackward0`): NaN outside `[0, 1]` without `eps` (0
//! outside `[eps, 1 - eps]` with it), `grad * inf` at 0 and 1, `grad / (x *
//! (1 - x))` elsewhere, of the unclamped input. Its vector lambda agrees
//! there but for the bits of a NaN.

use graphc_runtime::op::{Activation, Binary, Cmp, F64Bits, Logical, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `logit(input, eps=none)`.
    pub(super) fn logit_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(xv, xs, "`logit`'s input") else { return Value::Poison };
        let eps = match bound.positional.get(1).cloned().flatten() {
            None | Some((Value::None, _)) => None,
            Some((v, s)) => match self.number(&v, s, "`logit`'s eps") {
                Some(e) => Some(e),
                None => return Value::Poison,
            },
        };
        let dt = self.dtype_of(x);
        if dt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, "`logit` does not take bool tensors", xs, "this is bool")
                    .with_help("convert the input first, as in `logit(x.float())`"),
            );
        }
        let dt = if dt.is_float() { dt } else { DType::F32 };
        let x = self.cast_to(x, dt, xs);
        // ATen's `eps < 0` test, in the dtype: a negative eps (the default's -1) clamps nothing.
        let bounds = eps.filter(|e| e.is_nan() || *e >= 0.0).map(|e| {
            let lo = if dt == DType::F32 { e as f32 as f64 } else { e };
            let hi = if dt == DType::F32 { (1.0f32 - e as f32) as f64 } else { 1.0 - e };
            (lo, hi)
        });
        let shape = self.shape_of(x);
        let clamped = match bounds {
            Some((lo, hi)) => {
                let clamp = Activation::Clamp { min: Some(F64Bits::new(lo)), max: Some(F64Bits::new(hi)) };
                self.node(Op::Activation(clamp), dt, shape.clone(), &[x], span)
            }
            None => x,
        };
        let one = self.scalar(1.0, dt, span);
        let rest = self.node(Op::Binary(Binary::Sub), dt, shape.clone(), &[one, clamped], span);
        let ratio = self.node(Op::Binary(Binary::Div), dt, shape.clone(), &[clamped, rest], span);
        let inf = self.scalar(f64::INFINITY, dt, span);
        let at_one = self.node(Op::Compare(Cmp::Eq), DType::Bool, shape.clone(), &[clamped, one], span);
        let ratio = self.node(Op::Select, dt, shape.clone(), &[at_one, inf, ratio], span);
        let out = self.node(Op::Unary(Unary::Log), dt, shape, &[ratio], span);
        let out = self.with_backward("LogitBackward0", &[x], out, span, |l, grad, p| vec![Some(l.logit_backward(grad, p[0], bounds, span))]);
        Value::Tensor(out)
    }

    /// `logit_backward_kernel`'s scalar lambda: `grad / (x * (1 - x))`, with
    /// `grad * inf` at 0 and 1, and outside `[0, 1]` NaN, or outside `[lo,
    /// hi]` zero when `eps` gave bounds.
    fn logit_backward(&mut self, grad: NodeId, x: NodeId, bounds: Option<(f64, f64)>, span: Span) -> NodeId {
        let (dt, shape) = (self.dtype_of(x), self.shape_of(grad));
        let xsh = self.shape_of(x);
        let cmp = |l: &mut Self, c: Cmp, v: f64| {
            let s = l.scalar(v, dt, span);
            l.node(Op::Compare(c), DType::Bool, xsh.clone(), &[x, s], span)
        };
        let or = |l: &mut Self, a: NodeId, b: NodeId| l.node(Op::Logical(Logical::Or), DType::Bool, xsh.clone(), &[a, b], span);
        let one = self.scalar(1.0, dt, span);
        let rest = self.node(Op::Binary(Binary::Sub), dt, xsh.clone(), &[one, x], span);
        let denom = self.node(Op::Binary(Binary::Mul), dt, xsh.clone(), &[x, rest], span);
        let quotient = self.node(Op::Binary(Binary::Div), dt, shape.clone(), &[grad, denom], span);
        let inf = self.scalar(f64::INFINITY, dt, span);
        let infinite = self.node(Op::Binary(Binary::Mul), dt, shape.clone(), &[grad, inf], span);
        let (at_zero, at_one) = (cmp(self, Cmp::Eq, 0.0), cmp(self, Cmp::Eq, 1.0));
        let at_ends = or(self, at_zero, at_one);
        let inside = self.node(Op::Select, dt, shape.clone(), &[at_ends, infinite, quotient], span);
        let (lo, hi, outside_value) = match bounds {
            Some((lo, hi)) => (lo, hi, 0.0),
            None => (0.0, 1.0, f64::NAN),
        };
        let (below, above) = (cmp(self, Cmp::Lt, lo), cmp(self, Cmp::Gt, hi));
        let outside = or(self, below, above);
        let fill = self.scalar(outside_value, dt, span);
        self.node(Op::Select, dt, shape, &[outside, fill, inside], span)
    }
}
