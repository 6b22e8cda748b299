//! The derivative rules of `gelu`: PyTorch's `gelu_backward` CPU kernel for
//! both `approximate` modes, written as graph ops with the same operations in
//! the same order, so that gradients round as PyTorch's do and a second
//! derivative comes from the ops' own rules. PyTorch's kernel computes in the
//! dtype with its constants rounded to it, as `scalar` rounds them here.

use graphc_runtime::op::{Binary, Unary, GELU_TANH_BETA};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// `approximate="none"`: `cdf = 0.5 * (1 + erf(x * kAlpha))`,
/// `pdf = kBeta * exp(x * x * -0.5)`, `dy * (cdf + x * pdf)`, with
/// `kAlpha = M_SQRT1_2` and `kBeta = M_2_SQRTPI * M_SQRT1_2 * 0.5`.
pub(super) fn gelu_none(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let alpha = c.scalar(gr, std::f64::consts::FRAC_1_SQRT_2, dt);
    let beta = c.scalar(gr, std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2 * 0.5, dt);
    let (half, one, neg_half) = (c.scalar(gr, 0.5, dt), c.scalar(gr, 1.0, dt), c.scalar(gr, -0.5, dt));
    let xa = c.mul(gr, x, alpha);
    let erf = c.unary(gr, Op::Unary(Unary::Erf), xa);
    let one_erf = c.binary(gr, Op::Binary(Binary::Add), one, erf);
    let cdf = c.mul(gr, half, one_erf);
    let xx = c.mul(gr, x, x);
    let xxh = c.mul(gr, xx, neg_half);
    let e = c.unary(gr, Op::Unary(Unary::Exp), xxh);
    let pdf = c.mul(gr, beta, e);
    let xpdf = c.mul(gr, x, pdf);
    let d = c.binary(gr, Op::Binary(Binary::Add), cdf, xpdf);
    let r = c.mul(gr, g, d);
    c.grad_fns.push((r, "GeluBackwardBackward0".to_string()));
    r
}

/// `approximate="tanh"`: with `inner = kBeta * (x + kKappa * x_sq * x)` and
/// `t = tanh(inner)`, `dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (kBeta *
/// (1 + 3 * kKappa * x_sq)))`, each product in PyTorch's order.
pub(super) fn gelu_tanh(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let beta = c.scalar(gr, GELU_TANH_BETA, dt);
    let kappa = c.scalar(gr, 0.044715, dt);
    let (half, one, three) = (c.scalar(gr, 0.5, dt), c.scalar(gr, 1.0, dt), c.scalar(gr, 3.0, dt));
    let x_sq = c.mul(gr, x, x);
    let x_cube = c.mul(gr, x_sq, x);
    let kx3 = c.mul(gr, kappa, x_cube);
    let sum = c.binary(gr, Op::Binary(Binary::Add), x, kx3);
    let inner = c.mul(gr, beta, sum);
    let t = c.unary(gr, Op::Unary(Unary::Tanh), inner);
    let left = c.mul(gr, half, x);
    let right = c.binary(gr, Op::Binary(Binary::Add), one, t);
    let left_d = c.mul(gr, half, right);
    let tt = c.mul(gr, t, t);
    let tanh_d = c.sub(gr, one, tt);
    // `opmath_t(3) * kKappa` is a product in the dtype, not a constant rounded once.
    let k3 = c.mul(gr, three, kappa);
    let k3x = c.mul(gr, k3, x_sq);
    let one_k3x = c.binary(gr, Op::Binary(Binary::Add), one, k3x);
    let inner_d = c.mul(gr, beta, one_k3x);
    let lt = c.mul(gr, left, tanh_d);
    let right_d = c.mul(gr, lt, inner_d);
    let d = c.binary(gr, Op::Binary(Binary::Add), left_d, right_d);
    let r = c.mul(gr, g, d);
    c.grad_fns.push((r, "GeluBackwardBackward0".to_string()));
    r
}
