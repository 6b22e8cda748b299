//! The derivative rules of the one-operand elementwise builtins added for
//! issue 9 (`square` to `mish`), one function per arm of [`super::unary::rule`],
//! which stays one exhaustive match over the table: PyTorch's formulas from
//! `tools/autograd/derivatives.yaml`, with the same operations in the same order.

use graphc_runtime::op::{Activation, Binary, F64Bits, Unary};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// square is pow(self, 2) in PyTorch: pow_backward.
pub(super) fn square(c: &mut RuleCtx, gr: &mut Graph, x: NodeId, g: NodeId) -> NodeId {
    super::unary::pow_scalar(c, gr, 2.0, x, g)
}

/// reciprocal: -grad * (result * result)
pub(super) fn reciprocal(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, g: NodeId) -> NodeId {
    let y = c.fwd(n);
    let ng = c.neg(gr, g);
    let yy = c.mul(gr, y, y);
    c.mul(gr, ng, yy)
}

/// rsqrt: -0.5 * grad * result.pow(3)
pub(super) fn rsqrt(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let y = c.fwd(n);
    let h = c.scalar(gr, -0.5, dt);
    let hg = c.mul(gr, h, g);
    let y3 = c.unary(gr, Op::PowScalar(F64Bits::new(3.0)), y);
    c.mul(gr, hg, y3)
}

/// exp2: grad * result * M_LN2
pub(super) fn exp2(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let y = c.fwd(n);
    let gy = c.mul(gr, g, y);
    let ln2 = c.scalar(gr, std::f64::consts::LN_2, dt);
    let r = c.mul(gr, gy, ln2);
    // A product with a C++ number (`mul.Scalar`), which PyTorch names MulBackward1.
    c.grad_fns.push((r, "MulBackward1".to_string()));
    r
}

/// log2: grad / (self * M_LN2); log10: grad / (self * M_LN10)
pub(super) fn log2_log10(c: &mut RuleCtx, gr: &mut Graph, u: Unary, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let k = if u == Unary::Log2 { std::f64::consts::LN_2 } else { std::f64::consts::LN_10 };
    let k = c.scalar(gr, k, dt);
    let d = c.mul(gr, x, k);
    c.div(gr, g, d)
}

/// tan: grad * (1 + result.pow(2))
pub(super) fn tan(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let y = c.fwd(n);
    let y2 = c.unary(gr, Op::PowScalar(F64Bits::new(2.0)), y);
    let one = c.scalar(gr, 1.0, dt);
    let d = c.binary(gr, Op::Binary(Binary::Add), one, y2);
    c.mul(gr, g, d)
}

/// asin: grad * (-self * self + 1).rsqrt(); acos: grad * -((-self * self + 1).rsqrt())
pub(super) fn asin_acos(c: &mut RuleCtx, gr: &mut Graph, u: Unary, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let nx = c.neg(gr, x);
    let nxx = c.mul(gr, nx, x);
    let one = c.scalar(gr, 1.0, dt);
    let d = c.binary(gr, Op::Binary(Binary::Add), nxx, one);
    let r = c.unary(gr, Op::Unary(Unary::Rsqrt), d);
    let r = if u == Unary::Acos { c.neg(gr, r) } else { r };
    c.mul(gr, g, r)
}

/// atan: grad / (self * self + 1)
pub(super) fn atan(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let xx = c.mul(gr, x, x);
    let one = c.scalar(gr, 1.0, dt);
    let d = c.binary(gr, Op::Binary(Binary::Add), xx, one);
    c.div(gr, g, d)
}

/// asinh: grad * (self.pow(2) + 1).rsqrt()
pub(super) fn asinh(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let x2 = c.unary(gr, Op::PowScalar(F64Bits::new(2.0)), x);
    let one = c.scalar(gr, 1.0, dt);
    let d = c.binary(gr, Op::Binary(Binary::Add), x2, one);
    let r = c.unary(gr, Op::Unary(Unary::Rsqrt), d);
    c.mul(gr, g, r)
}

/// acosh (real): grad * (self * self - 1).rsqrt()
pub(super) fn acosh(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let xx = c.mul(gr, x, x);
    let one = c.scalar(gr, 1.0, dt);
    let d = c.sub(gr, xx, one);
    let r = c.unary(gr, Op::Unary(Unary::Rsqrt), d);
    c.mul(gr, g, r)
}

/// atanh: grad * 1 / (1 - self.pow(2)); the `* 1` is exact, so it is left out.
pub(super) fn atanh(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let x2 = c.unary(gr, Op::PowScalar(F64Bits::new(2.0)), x);
    let one = c.scalar(gr, 1.0, dt);
    let d = c.sub(gr, one, x2);
    c.div(gr, g, d)
}

/// silu, with grad mode on (infinitely_differentiable_silu_backward):
/// grad * sigmoid * (1 + self * (1 - sigmoid)), sigmoid = self.sigmoid()
pub(super) fn silu(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let s = c.unary(gr, Op::Unary(Unary::Sigmoid), x);
    let gs = c.mul(gr, g, s);
    let one = c.scalar(gr, 1.0, dt);
    let oms = c.sub(gr, one, s);
    let xo = c.mul(gr, x, oms);
    let d = c.binary(gr, Op::Binary(Binary::Add), one, xo);
    c.mul(gr, gs, d)
}

/// mish, with grad mode on (infinitely_differentiable_mish_backward):
/// grad * (tanh_softplus + self * sigmoid * (1 - tanh_softplus * tanh_softplus)),
/// sigmoid = self.sigmoid(), tanh_softplus = at::softplus(self).tanh(), the
/// softplus op with its defaults (beta 1, threshold 20).
pub(super) fn mish(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let s = c.unary(gr, Op::Unary(Unary::Sigmoid), x);
    let softplus = Activation::Softplus { beta: F64Bits::new(1.0), threshold: F64Bits::new(20.0) };
    let sp = c.unary(gr, Op::Activation(softplus), x);
    let t = c.unary(gr, Op::Unary(Unary::Tanh), sp);
    let xs = c.mul(gr, x, s);
    let one = c.scalar(gr, 1.0, dt);
    let tt = c.mul(gr, t, t);
    let omt = c.sub(gr, one, tt);
    let xso = c.mul(gr, xs, omt);
    let d = c.binary(gr, Op::Binary(Binary::Add), t, xso);
    c.mul(gr, g, d)
}

/// erf: 2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad;
/// erfc: -2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad. The constant is a C++
/// double, rounded to the dtype as the wrapped number of the product.
pub(super) fn erf_erfc(c: &mut RuleCtx, gr: &mut Graph, u: Unary, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let x = c.fwd(x);
    let x2 = c.unary(gr, Op::PowScalar(F64Bits::new(2.0)), x);
    let nx2 = c.neg(gr, x2);
    let e = c.unary(gr, Op::Unary(Unary::Exp), nx2);
    let two = if u == Unary::Erfc { -2.0 } else { 2.0 };
    let k = c.scalar(gr, two / std::f64::consts::PI.sqrt(), dt);
    let ke = c.mul(gr, k, e);
    c.mul(gr, ke, g)
}
