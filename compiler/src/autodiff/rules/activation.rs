//! The derivative rules of the [`Activation`] family, PyTorch's from
//! `tools/autograd/derivatives.yaml` with the same operations in the same
//! order: `clamp_backward`, `hardtanh_backward`, `leaky_relu_backward`,
//! `elu_backward`, `softplus_backward`, `hardsigmoid_backward` and
//! `hardswish_backward`. The parameters are C++ scalars,
//! rounded to the dtype as the kernels round them.
//!
//! PyTorch's `hardtanh_backward`, `leaky_relu_backward`, `elu_backward` and
//! `softplus_backward` take `self` as a differentiable input, so with
//! `create_graph` their result requires grad when `self` does, even where its
//! values depend on `self` only through a comparison; [`labelled`] marks it so.

use graphc_runtime::op::activation::{SELU_ALPHA, SELU_SCALE};
use graphc_runtime::op::{Activation, Binary, Cmp, F64Bits, Unary};
use graphc_runtime::{DType, Op};

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradient of `f(x)` given the incoming gradient `g`.
pub(super) fn rule(c: &mut RuleCtx, gr: &mut Graph, f: Activation, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(g).dtype;
    let x = c.fwd(x);
    let zero = c.scalar(gr, 0.0, dt);
    match f {
        // clamp: the gradient passes strictly inside the bounds given, as
        // PyTorch 2.15 computes it (measured: x.clamp(min=0.5) has gradient 0
        // at x = 0.5, as clamp_min has), and is 0 at NaN; as two nested
        // selections.
        Activation::Clamp { min, max } => {
            let inner = match max {
                Some(hi) => {
                    let hi = c.scalar(gr, hi.get(), dt);
                    c.select(gr, Cmp::Lt, x, hi, g, zero)
                }
                None => g,
            };
            match min {
                Some(lo) => {
                    let lo = c.scalar(gr, lo.get(), dt);
                    c.select(gr, Cmp::Gt, x, lo, inner, zero)
                }
                None => inner,
            }
        }
        // hardtanh_backward: (self <= min_val || self >= max_val) ? 0 : grad,
        // so a NaN element passes its gradient.
        Activation::Hardtanh { min, max } => {
            let (lo, hi) = (c.scalar(gr, min.get(), dt), c.scalar(gr, max.get(), dt));
            let inner = c.select(gr, Cmp::Ge, x, hi, zero, g);
            let r = c.select(gr, Cmp::Le, x, lo, zero, inner);
            labelled(c, gr, r, x, "HardtanhBackwardBackward0")
        }
        // leaky_relu_backward: self > 0 ? grad : grad * negative_slope
        Activation::LeakyRelu { slope } => {
            let s = c.scalar(gr, slope.get(), dt);
            let gs = c.mul(gr, g, s);
            let r = c.select(gr, Cmp::Gt, x, zero, g, gs);
            labelled(c, gr, r, x, "LeakyReluBackwardBackward0")
        }
        // elu_backward (scale = input_scale = 1, not is_result):
        // self <= 0 ? grad * alpha * exp(self) : grad
        Activation::Elu { alpha } => {
            let a = c.scalar(gr, alpha.get(), dt);
            let ga = c.mul(gr, g, a);
            let e = exp_where_nonpositive(c, gr, x, zero);
            let neg = c.mul(gr, ga, e);
            let r = c.select(gr, Cmp::Le, x, zero, neg, g);
            labelled(c, gr, r, x, "EluBackwardBackward0")
        }
        // softplus_backward: z = exp(self * beta);
        // self * beta > threshold ? grad : grad * z / (z + 1)
        Activation::Softplus { beta, threshold } => {
            let (b, t) = (c.scalar(gr, beta.get(), dt), c.scalar(gr, threshold.get(), dt));
            let one = c.scalar(gr, 1.0, dt);
            let xb = c.mul(gr, x, b);
            // exp of min(self * beta, threshold): the same z wherever it is used
            // (NaN stays NaN), and the range analysis sees that it cannot
            // overflow in the branch the selection drops.
            let capped = c.binary(gr, Op::Binary(Binary::Minimum), xb, t);
            let z = c.unary(gr, Op::Unary(graphc_runtime::op::Unary::ExpBlocks), capped);
            let gz = c.mul(gr, g, z);
            let z1 = c.binary(gr, Op::Binary(Binary::Add), z, one);
            let q = c.div(gr, gz, z1);
            let r = c.select(gr, Cmp::Gt, xb, t, g, q);
            labelled(c, gr, r, x, "SoftplusBackwardBackward0")
        }
        // elu_backward(grad, alpha, scale, input_scale = 1, is_result = false):
        // self <= 0 ? grad * input_scale * (alpha * scale) * exp(self * input_scale)
        // : grad * scale, where the multiplications by input_scale = 1 are exact.
        Activation::Selu => {
            let (alpha, scale) = (F64Bits::get(SELU_ALPHA), F64Bits::get(SELU_SCALE));
            // alpha * scale in the dtype, as the kernel forms `negcoef`.
            let neg = if dt == DType::F32 { f64::from(alpha as f32 * scale as f32) } else { alpha * scale };
            let (negcoef, poscoef) = (c.scalar(gr, neg, dt), c.scalar(gr, scale, dt));
            let gn = c.mul(gr, g, negcoef);
            let e = exp_where_nonpositive(c, gr, x, zero);
            let negative = c.mul(gr, gn, e);
            let positive = c.mul(gr, g, poscoef);
            let r = c.select(gr, Cmp::Le, x, zero, negative, positive);
            labelled(c, gr, r, x, "EluBackwardBackward0")
        }
        // celu's entry: elu_backward(grad, alpha, 1, 1.0 / alpha.toFloat(), false, self):
        // self <= 0 ? grad * input_scale * alpha * exp(self * input_scale) : grad,
        // with input_scale the f64 reciprocal of alpha rounded to f32 (unlike the
        // forward's, of alpha itself), then rounded to the dtype.
        Activation::Celu { alpha } => {
            let reciprocal = 1.0 / f64::from(alpha.get() as f32);
            let (inv, a) = (c.scalar(gr, reciprocal, dt), c.scalar(gr, alpha.get(), dt));
            let gi = c.mul(gr, g, inv);
            let gia = c.mul(gr, gi, a);
            let xi = c.mul(gr, x, inv);
            // With a positive alpha `x * input_scale` has x's sign, so the
            // exponent may be taken at most 0 as elu's is; a negative alpha's
            // exponent is positive where the branch is taken, and may overflow.
            let e = if reciprocal > 0.0 { exp_where_nonpositive(c, gr, xi, zero) } else { c.unary(gr, Op::Unary(Unary::ExpBlocks), xi) };
            let negative = c.mul(gr, gia, e);
            let r = c.select(gr, Cmp::Le, x, zero, negative, g);
            labelled(c, gr, r, x, "EluBackwardBackward0")
        }
        // hardsigmoid_backward: (self > -3 && self < 3) ? grad * one_sixth : 0,
        // with one_sixth = scalar_t(1.0f / 6.0f): the float's sixth, also in f64.
        Activation::Hardsigmoid => {
            let (lo, hi) = (c.scalar(gr, -3.0, dt), c.scalar(gr, 3.0, dt));
            let sixth = c.scalar(gr, f64::from(1.0f32 / 6.0f32), dt);
            let scaled = c.mul(gr, g, sixth);
            let inner = c.select(gr, Cmp::Lt, x, hi, scaled, zero);
            let r = c.select(gr, Cmp::Gt, x, lo, inner, zero);
            labelled(c, gr, r, x, "HardsigmoidBackwardBackward0")
        }
        // hardswish_backward as its vectorized kernel computes it (every
        // element of a tensor but a last few, fewer than a vector holds):
        // self <= -3 ? 0 : self >= 3 ? grad : grad * (self / 3 + 0.5), so a
        // NaN gives NaN (PyTorch's scalar tail gives it `grad`).
        Activation::Hardswish => {
            let (lo, hi, half) = (c.scalar(gr, -3.0, dt), c.scalar(gr, 3.0, dt), c.scalar(gr, 0.5, dt));
            let third = c.div(gr, x, hi);
            let slope = c.binary(gr, Op::Binary(Binary::Add), third, half);
            let middle = c.mul(gr, g, slope);
            let inner = c.select(gr, Cmp::Ge, x, hi, g, middle);
            let r = c.select(gr, Cmp::Le, x, lo, zero, inner);
            labelled(c, gr, r, x, "HardswishBackwardBackward0")
        }
        // softshrink_backward and hardshrink_backward: (self >= -lambd &&
        // self <= lambd) ? 0 : grad, so a NaN element passes its gradient.
        Activation::Softshrink { lambd } | Activation::Hardshrink { lambd } => {
            let (lo, hi) = (c.scalar(gr, -lambd.get(), dt), c.scalar(gr, lambd.get(), dt));
            let inner = c.select(gr, Cmp::Le, x, hi, zero, g);
            let r = c.select(gr, Cmp::Ge, x, lo, inner, g);
            let name = if matches!(f, Activation::Softshrink { .. }) { "SoftshrinkBackwardBackward0" } else { "HardshrinkBackwardBackward0" };
            labelled(c, gr, r, x, name)
        }
        // threshold_backward(grad, self, threshold): self <= threshold ? 0 : grad.
        Activation::Threshold { threshold, .. } => {
            let t = c.scalar(gr, threshold.get(), dt);
            let r = c.select(gr, Cmp::Le, x, t, zero, g);
            labelled(c, gr, r, x, "ThresholdBackwardBackward0")
        }
        // polygamma(n, self): grad * polygamma(n + 1, self)
        Activation::Polygamma { n } => {
            let d = c.unary(gr, Op::Activation(Activation::Polygamma { n: F64Bits::new(n.get() + 1.0) }), x);
            c.mul(gr, g, d)
        }
        // round.decimals: zeros_like(grad); Python's round of a float has none.
        Activation::RoundDecimals { .. } | Activation::PyRound { .. } => {
            let shape = gr.node(g).shape.clone();
            c.full(gr, 0.0, dt, shape)
        }
    }
}

/// Names `r` as PyTorch's backward kernel node and, with `create_graph`, makes
/// it require grad when `x` (its `self`) does, as that kernel's result would.
fn labelled(c: &mut RuleCtx, gr: &mut Graph, r: NodeId, x: NodeId, grad_fn: &str) -> NodeId {
    if c.create_graph && gr.meta(x).requires_grad {
        gr.meta_mut(r).requires_grad = true;
    }
    c.grad_fns.push((r, grad_fn.to_string()));
    r
}

/// `exp(x)` where `x <= 0`, and `exp(0)` elsewhere, as the vector loop of
/// PyTorch's `elu_backward_kernel` computes the exponential (SLEEF's in whole
/// blocks: `Unary::ExpBlocks`): the backward selects it only where `x <= 0`,
/// so the bits there are the kernel's, and the range analysis sees that it
/// cannot overflow (no W0101 for a branch that is dropped). `where` passes the
/// gradient whole to `x` at `x = 0`, so a further derivative stays PyTorch's.
fn exp_where_nonpositive(c: &mut RuleCtx, gr: &mut Graph, x: NodeId, zero: NodeId) -> NodeId {
    let capped = c.select(gr, Cmp::Le, x, zero, x, zero);
    c.unary(gr, Op::Unary(Unary::ExpBlocks), capped)
}
