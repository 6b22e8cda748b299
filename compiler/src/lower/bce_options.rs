//! The options of the binary cross-entropy losses: `weight=` (a tensor that
//! broadcasts to the input, multiplying each element's loss) for
//! `binary_cross_entropy` and `binary_cross_entropy_with_logits`, and
//! `pos_weight=` (the weight of the positive term) for the latter
//! (docs/act-language.md, section 5).
//!
//! As PyTorch computes them: the unreduced loss (the `Op::Loss` kernel, or with
//! `pos_weight` PyTorch's composite
//! `(1 - t) * x - log_sigmoid(x) * ((pw - 1) * t + 1)`), then
//! `loss.mul_(weight)`, then the reduction. The gradients come from those ops'
//! rules: PyTorch's formulas, grouped otherwise, so they can differ from
//! PyTorch's in the last bits.

use graphc_runtime::op::{Binary, LossKind, LossReduction, Unary};
use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The loss `kind` (`Bce` or `BceWithLogits`) of `x` and `y` with the
    /// call's `weight` and `pos_weight`, or `None` (nothing reported) when the
    /// call gave neither.
    pub(super) fn bce_with_options(
        &mut self,
        kind: LossKind,
        x: NodeId,
        y: NodeId,
        reduction: LossReduction,
        bound: &mut Bound<Value>,
        span: Span,
    ) -> Option<Value> {
        let weight = bound.positional.get(2).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let pos_weight = bound.keyword("pos_weight").filter(|(v, _)| !matches!(v, Value::None));
        if weight.is_none() && pos_weight.is_none() {
            return None;
        }
        let Some(weight) = self.loss_weight(x, weight, "weight") else { return Some(Value::Poison) };
        let Some(pos_weight) = self.loss_weight(x, pos_weight, "pos_weight") else { return Some(Value::Poison) };
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        let mut loss = match pos_weight {
            Some(pw) => self.logits_loss_pos_weight(x, y, pw, span),
            None => self.node(Op::Loss { kind, reduction: LossReduction::None }, dt, sh.clone(), &[x, y], span),
        };
        if let Some(w) = weight {
            loss = self.node(Op::Binary(Binary::Mul), dt, sh, &[loss, w], span);
        }
        let out = self.apply_reduction(loss, reduction, span);
        self.grad_fn.insert(out, kind.grad_fn().to_string());
        Some(Value::Tensor(out))
    }

    /// An optional weight tensor of the input's dtype that broadcasts to its
    /// shape (E0286 otherwise); `None` with an error reported.
    fn loss_weight(&mut self, x: NodeId, given: Option<(Value, Span)>, key: &str) -> Option<Option<NodeId>> {
        let Some((v, s)) = given else { return Some(None) };
        let w = self.expect_tensor(v, s, &format!("`{key}`"))?;
        let (xsh, wsh, dt, wdt) = (self.shape_of(x), self.shape_of(w), self.dtype_of(x), self.dtype_of(w));
        let fits = wdt == dt && shapes::broadcast(&xsh, &wsh).is_ok_and(|b| b == xsh);
        if !fits {
            let msg = format!(
                "`{key}` is a {wdt} tensor of shape {}, which does not broadcast to the {dt} input of shape {}",
                shapes::show(&wsh),
                shapes::show(&xsh)
            );
            self.error(
                Diagnostic::new(Code::E0286, msg, s, "does not fit")
                    .with_help(format!("give `{key}` the input's dtype and a shape that broadcasts to it")),
            );
            return None;
        }
        Some(Some(w))
    }

    /// PyTorch's `binary_cross_entropy_with_logits` with `pos_weight`, unreduced:
    /// `log_sigmoid = min(x, 0) - log1p(exp(-|x|))` (its CPU kernel),
    /// `log_weight = (pw - 1) * t + 1`, `(1 - t) * x - log_sigmoid * log_weight`.
    fn logits_loss_pos_weight(&mut self, x: NodeId, y: NodeId, pw: NodeId, span: Span) -> NodeId {
        let (dt, sh, pwsh) = (self.dtype_of(x), self.shape_of(x), self.shape_of(pw));
        let (zero, one) = (self.scalar(0.0, dt, span), self.scalar(1.0, dt, span));
        let m = self.node(Op::Binary(Binary::Minimum), dt, sh.clone(), &[x, zero], span);
        let a = self.node(Op::Unary(Unary::Abs), dt, sh.clone(), &[x], span);
        let na = self.node(Op::Unary(Unary::Neg), dt, sh.clone(), &[a], span);
        let e = self.node(Op::Unary(Unary::Exp), dt, sh.clone(), &[na], span);
        let l = self.node(Op::Unary(Unary::Log1p), dt, sh.clone(), &[e], span);
        let log_sigmoid = self.node(Op::Binary(Binary::Sub), dt, sh.clone(), &[m, l], span);
        let pw1 = self.node(Op::Binary(Binary::Sub), dt, pwsh, &[pw, one], span);
        let pwt = self.node(Op::Binary(Binary::Mul), dt, sh.clone(), &[pw1, y], span);
        let log_weight = self.node(Op::Binary(Binary::Add), dt, sh.clone(), &[pwt, one], span);
        let weighted = self.node(Op::Binary(Binary::Mul), dt, sh.clone(), &[log_sigmoid, log_weight], span);
        let not_t = self.node(Op::Binary(Binary::Sub), dt, sh.clone(), &[one, y], span);
        let nx = self.node(Op::Binary(Binary::Mul), dt, sh.clone(), &[not_t, x], span);
        self.node(Op::Binary(Binary::Sub), dt, sh, &[nx, weighted], span)
    }
}
