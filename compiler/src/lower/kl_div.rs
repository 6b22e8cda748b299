//! `kl_div(input, target, reduction="mean", log_target=false)`
//! (`torch.nn.functional.kl_div`), as ATen's `kl_div` composes it and
//! `functional.py` reduces it:
//!
//! - `log_target=false`: `xlogy(target, target) - target * input`, where
//!   `xlogy(x, y)` is PyTorch's kernel (`NaN` where `y` is NaN, `0` where `x`
//!   is 0, else `x * log(y)` with the C library's `log`);
//! - `log_target=true`: `exp(target) * (target - input)`;
//! - then `apply_loss_reduction`: `"mean"` and `"sum"` as the other losses, and
//!   `"batchmean"` the sum divided by the input's first dimension.
//!
//! The gradients are the composite's: `-target * grad` for the input, and
//! for a target that requires grad (a student's probabilities, or a learned
//! distribution) the sum of `-input * grad` and `xlogy`'s two gradients
//! (`lower/xlogy.rs`, derivatives.yaml's formulas), as the chain rule through
//! the composite gives them.

use graphc_runtime::op::{LossReduction, Unary};
use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `kl_div(input, target, reduction="mean", log_target=false)`.
    pub(crate) fn kl_div(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let [(a, sa), (t, st)] = self.two(bound);
        let (Some(x), Some(y)) = (self.expect_float_tensor(a, sa, "`kl_div`'s input"), self.expect_float_tensor(t, st, "`kl_div`'s target")) else {
            return Value::Poison;
        };
        if !self.loss_dtypes_agree("kl_div", (x, sa), (y, st)) {
            return Value::Poison;
        }
        let dy = self.dtype_of(y);
        if let Err(why) = shapes::broadcast(&self.shape_of(x), &self.shape_of(y)) {
            return self
                .error(Diagnostic::new(Code::E0202, why, st, "does not broadcast with the input").with_help("give the target the input's shape"));
        }
        // `"batchmean"` is `"sum"` for ATen, divided afterwards.
        let batchmean = matches!(bound.keywords.get("reduction"), Some((Value::Str(s), _)) if s == "batchmean");
        let reduction = if batchmean {
            bound.keyword("reduction");
            LossReduction::Sum
        } else {
            match self.loss_reduction("kl_div", bound) {
                Some(r) => r,
                None => return Value::Poison,
            }
        };
        let log_target = match bound.keyword("log_target") {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`log_target` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help("write `log_target=true` when the target holds log-probabilities"),
                )
            }
        };
        let pointwise = if log_target {
            // exp(target) * (target - input)
            let e = self.op_node(Op::Unary(Unary::Exp), dy, self.shape_of(y), &[y], st, "ExpBackward0");
            let d = self.binary(BinOp::Sub, (Value::Tensor(y), st), (Value::Tensor(x), sa), span);
            self.binary(BinOp::Mul, (Value::Tensor(e), st), (d, span), span)
        } else {
            // GCC evaluates the operands of ATen's `xlogy(target, target) - target *
            // input` right to left, so the product is made first, and a target's
            // gradient adds xlogy's two terms before the product's (measured:
            // PyTorch 2.15's `F.kl_div` and the same line written in Python differ
            // in the last bit there).
            let ti = self.binary(BinOp::Mul, (Value::Tensor(y), st), (Value::Tensor(x), sa), span);
            let xl = self.call_builtin_values("xlogy", vec![(Value::Tensor(y), st), (Value::Tensor(y), st)], st);
            self.binary(BinOp::Sub, (xl, st), (ti, span), span)
        };
        let Value::Tensor(p) = pointwise else { return Value::Poison };
        let reduced = self.apply_reduction(p, reduction, span);
        let batch = self.shape_of(x).first().copied();
        match (batchmean, batch) {
            (true, Some(n)) => self.binary(BinOp::Div, (Value::Tensor(reduced), span), (Value::Number(Num::Int(n as i128)), span), span),
            _ => Value::Tensor(reduced),
        }
    }
}
