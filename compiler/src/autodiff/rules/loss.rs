//! Derivative rules of the losses with a backward of their own, PyTorch's
//! formulas (`derivatives.yaml`, `Loss.cpp`, `FunctionsManual.cpp`) with the same
//! operations in the same order:
//!
//! * `mse_loss_backward`: `norm * (self - target) * grad`, `norm` = 2/n for the
//!   mean and 2 otherwise (the target's gradient swaps self and target);
//! * `binary_cross_entropy_backward`: `grad * (self - target) / max((1 - self) * self, 1e-12)`,
//!   divided by n for the mean; the target's: `-logit(self) * grad`, divided by n;
//! * `binary_cross_entropy_with_logits_backward`: `(sigmoid(self) - target) * grad`,
//!   divided by n for the mean; the target's: `-self * grad`, divided by n;
//! * `smooth_l1_loss_backward` and `huber_loss_backward`, with `x = self - target`
//!   and `norm` = 1/n for the mean and 1 otherwise: `-norm * grad` (huber: times
//!   delta) where `x <= -beta`, `norm * grad` (times delta) where `x >= beta`, and
//!   `norm * x * grad / beta` (huber: `norm * x * grad`) between; the target's
//!   gradient swaps self and target, as `derivatives.yaml` does;
//! * `soft_margin_loss_backward`: with `z = exp(-target * self)`,
//!   `target * z * -norm / (z + 1) * grad`, each product rounded in that order,
//!   `norm` = 1/n for the mean and 1 otherwise; the target's gradient is
//!   refused when lowering, as PyTorch has none.

use graphc_runtime::op::{Binary, Cmp, LossKind, LossReduction, Unary};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// PyTorch's `EPSILON` in `binary_cross_entropy_backward`.
const BCE_EPSILON: f64 = 1e-12;

/// The gradients of `Loss { kind, reduction }` for input `x` and target `t`.
pub fn rule(
    c: &mut RuleCtx,
    gr: &mut Graph,
    kind: LossKind,
    reduction: LossReduction,
    ops: &[NodeId],
    g: NodeId,
    need: impl Fn(usize) -> bool,
) -> Vec<Option<NodeId>> {
    let (x, t) = (c.fwd(ops[0]), c.fwd(ops[1]));
    let dt = gr.node(x).dtype;
    let n: usize = gr.node(x).shape.iter().product();
    let mean = reduction == LossReduction::Mean;
    // `.div_(numel)` for the mean reduction.
    let per_element = |c: &mut RuleCtx, gr: &mut Graph, v: NodeId| {
        if mean {
            let count = c.scalar(gr, n as f64, dt);
            c.div(gr, v, count)
        } else {
            v
        }
    };
    match kind {
        LossKind::Mse => {
            let norm = if mean { 2.0 / n as f64 } else { 2.0 };
            let side = |c: &mut RuleCtx, gr: &mut Graph, a: NodeId, b: NodeId| {
                let k = c.scalar(gr, norm, dt);
                let d = c.sub(gr, a, b);
                let kd = c.mul(gr, k, d);
                c.mul(gr, kd, g)
            };
            vec![need(0).then(|| side(c, gr, x, t)), need(1).then(|| side(c, gr, t, x))]
        }
        LossKind::Bce => {
            let gx = need(0).then(|| {
                let (one, eps) = (c.scalar(gr, 1.0, dt), c.scalar(gr, BCE_EPSILON, dt));
                let d = c.sub(gr, x, t);
                let num = c.mul(gr, g, d);
                let omx = c.sub(gr, one, x);
                let p = c.mul(gr, omx, x);
                let den = c.binary(gr, Op::Binary(Binary::Maximum), p, eps);
                let q = c.div(gr, num, den);
                per_element(c, gr, q)
            });
            let gt = need(1).then(|| {
                // logit(self) = log(self / (1 - self)), negated, times grad.
                let one = c.scalar(gr, 1.0, dt);
                let omx = c.sub(gr, one, x);
                let ratio = c.div(gr, x, omx);
                let logit = c.unary(gr, Op::Unary(Unary::Log), ratio);
                let neg = c.neg(gr, logit);
                let q = c.mul(gr, neg, g);
                per_element(c, gr, q)
            });
            vec![gx, gt]
        }
        LossKind::BceWithLogits => {
            let gx = need(0).then(|| {
                let s = c.unary(gr, Op::Unary(Unary::Sigmoid), x);
                let d = c.sub(gr, s, t);
                let q = c.mul(gr, d, g);
                per_element(c, gr, q)
            });
            let gt = need(1).then(|| {
                let neg = c.neg(gr, x);
                let q = c.mul(gr, neg, g);
                per_element(c, gr, q)
            });
            vec![gx, gt]
        }
        LossKind::SoftMargin => {
            let gx = need(0).then(|| {
                let norm = if mean { 1.0 / n as f64 } else { 1.0 };
                let nt = c.neg(gr, t);
                let e = c.mul(gr, nt, x);
                let z = c.unary(gr, Op::Unary(Unary::Exp), e);
                let tz = c.mul(gr, t, z);
                let k = c.scalar(gr, -norm, dt);
                let scaled = c.mul(gr, tz, k);
                let one = c.scalar(gr, 1.0, dt);
                let z1 = c.binary(gr, Op::Binary(Binary::Add), z, one);
                let q = c.div(gr, scaled, z1);
                c.mul(gr, q, g)
            });
            vec![gx, None]
        }
        LossKind::SmoothL1(p) | LossKind::Huber(p) => {
            let norm = if mean { 1.0 / n as f64 } else { 1.0 };
            let piece = Piecewise { norm, p: p.get(), huber: matches!(kind, LossKind::Huber(_)) };
            let side = |c: &mut RuleCtx, gr: &mut Graph, a: NodeId, b: NodeId| piece.gradient(c, gr, a, b, g);
            vec![need(0).then(|| side(c, gr, x, t)), need(1).then(|| side(c, gr, t, x))]
        }
    }
}

/// The smooth L1 / Huber gradient: `norm` (1/n or 1), `beta` or `delta`, which one.
#[derive(Clone, Copy)]
struct Piecewise {
    norm: f64,
    p: f64,
    huber: bool,
}

impl Piecewise {
    /// The three pieces of the gradient for `x = a - b`.
    fn gradient(self, c: &mut RuleCtx, gr: &mut Graph, a: NodeId, b: NodeId, g: NodeId) -> NodeId {
        let Piecewise { norm, p, huber } = self;
        let dt = gr.node(a).dtype;
        let x = c.sub(gr, a, b);
        let (pos_norm, neg_norm) = (c.scalar(gr, norm, dt), c.scalar(gr, -norm, dt));
        let (lo, hi) = (c.scalar(gr, -p, dt), c.scalar(gr, p, dt));
        let mut above = c.mul(gr, pos_norm, g);
        let mut below = c.mul(gr, neg_norm, g);
        let nx = c.mul(gr, pos_norm, x);
        let mut between = c.mul(gr, nx, g);
        if huber {
            above = c.mul(gr, above, hi);
            below = c.mul(gr, below, hi);
        } else {
            between = c.div(gr, between, hi);
        }
        let upper = c.select(gr, Cmp::Ge, x, hi, above, between);
        c.select(gr, Cmp::Le, x, lo, below, upper)
    }
}
