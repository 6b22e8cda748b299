//! The derivative rules of the one-operand elementwise ops: PyTorch's formulas
//! from `tools/autograd/derivatives.yaml`, one arm per row of the op table.

use graphc_runtime::op::{Activation, Binary, Cmp, F64Bits, Unary};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use super::gelu;
use super::unary_more as more;
use crate::ir::graph::{Graph, NodeId};

/// The gradient of `u`'s operand `x` given the gradient `g` of its output `n`
/// (`None`: no gradient flows, as through `detach`).
pub(super) fn rule(c: &mut RuleCtx, gr: &mut Graph, u: Unary, n: NodeId, x: NodeId, g: NodeId) -> Option<NodeId> {
    let dt = gr.node(n).dtype;
    Some(match u {
        // detach stops gradients; autodiff never walks through it.
        Unary::Detach => return None,
        Unary::Neg => c.neg(gr, g),
        // exp: grad * result
        Unary::Exp | Unary::ExpBlocks => {
            let y = c.fwd(n);
            c.mul(gr, g, y)
        }
        // log: grad.div(self)
        Unary::Log => {
            let x = c.fwd(x);
            c.div(gr, g, x)
        }
        // sqrt: grad / (2 * result)
        Unary::Sqrt => {
            let y = c.fwd(n);
            let two = c.scalar(gr, 2.0, dt);
            let d = c.mul(gr, two, y);
            c.div(gr, g, d)
        }
        // sinc_backward: self_pi = self * pi, self_squared_pi = self * self * pi,
        // where(self_squared_pi == 0, 0, grad * (self_pi * self_pi.cos() - self_pi.sin()) / self_squared_pi).
        Unary::Sinc => {
            let x = c.fwd(x);
            let pi = c.scalar(gr, std::f64::consts::PI, dt);
            let xp = c.mul(gr, x, pi);
            let xx = c.mul(gr, x, x);
            let xxp = c.mul(gr, xx, pi);
            let cos = c.unary(gr, Op::Unary(Unary::Cos), xp);
            let sin = c.unary(gr, Op::Unary(Unary::Sin), xp);
            let xc = c.mul(gr, xp, cos);
            let d = c.sub(gr, xc, sin);
            let gd = c.mul(gr, g, d);
            let out = c.div(gr, gd, xxp);
            let zero = c.scalar(gr, 0.0, dt);
            c.select(gr, Cmp::Eq, xxp, zero, zero, out)
        }
        // erfinv: 0.5 * sqrt(M_PI) * exp(self.erfinv().pow(2)) * grad, the
        // recomputed erfinv the result itself.
        Unary::Erfinv => {
            let y = c.fwd(n);
            let sq = c.mul(gr, y, y);
            let e = c.unary(gr, Op::Unary(Unary::Exp), sq);
            let k = c.scalar(gr, 0.5 * std::f64::consts::PI.sqrt(), dt);
            let ke = c.mul(gr, k, e);
            c.mul(gr, ke, g)
        }
        // special_ndtri: grad * std::sqrt(2 * M_PI) * (result.square() / 2).exp()
        Unary::Ndtri => {
            let y = c.fwd(n);
            let sq = c.mul(gr, y, y);
            let half = c.scalar(gr, 0.5, dt);
            let h = c.mul(gr, sq, half);
            let e = c.unary(gr, Op::Unary(Unary::Exp), h);
            let k = c.scalar(gr, (2.0 * std::f64::consts::PI).sqrt(), dt);
            let gk = c.mul(gr, g, k);
            c.mul(gr, gk, e)
        }
        // special_erfcx: (2.0 * self * result - 2.0 / sqrt(M_PI)) * grad
        Unary::Erfcx => {
            let (x, y) = (c.fwd(x), c.fwd(n));
            let two = c.scalar(gr, 2.0, dt);
            let tx = c.mul(gr, two, x);
            let txy = c.mul(gr, tx, y);
            let k = c.scalar(gr, std::f64::consts::FRAC_2_SQRT_PI, dt);
            let d = c.sub(gr, txy, k);
            c.mul(gr, d, g)
        }
        // special_log_ndtr: grad / std::sqrt(2 * M_PI) * (result + self.pow(2) / 2).neg().exp()
        Unary::LogNdtr => {
            let (x, y) = (c.fwd(x), c.fwd(n));
            let k = c.scalar(gr, (2.0 * std::f64::consts::PI).sqrt(), dt);
            let gk = c.div(gr, g, k);
            let xx = c.mul(gr, x, x);
            let two = c.scalar(gr, 2.0, dt);
            let h = c.div(gr, xx, two);
            let s = c.binary(gr, Op::Binary(Binary::Add), y, h);
            let ns = c.neg(gr, s);
            let e = c.unary(gr, Op::Unary(Unary::Exp), ns);
            c.mul(gr, gk, e)
        }
        Unary::I0 => super::bessel::i0(c, gr, x, g),
        Unary::I0e => super::bessel::i0e(c, gr, n, x, g),
        Unary::I1 => super::bessel::i1(c, gr, false, n, x, g),
        Unary::I1e => super::bessel::i1(c, gr, true, n, x, g),
        // lgamma: grad * digamma(self)
        Unary::Lgamma => {
            let x = c.fwd(x);
            let d = c.unary(gr, Op::Unary(Unary::Digamma), x);
            c.mul(gr, g, d)
        }
        // digamma: grad * polygamma(1, self)
        Unary::Digamma => {
            let x = c.fwd(x);
            let d = c.unary(gr, Op::Unary(Unary::Trigamma), x);
            c.mul(gr, g, d)
        }
        // polygamma(n, self): grad * polygamma(n + 1, self), here with n = 1.
        Unary::Trigamma => {
            let x = c.fwd(x);
            let d = c.unary(gr, Op::Activation(Activation::Polygamma { n: F64Bits::new(2.0) }), x);
            c.mul(gr, g, d)
        }
        // sin: grad * self.cos()
        Unary::Sin => {
            let x = c.fwd(x);
            let cos = c.unary(gr, Op::Unary(Unary::Cos), x);
            c.mul(gr, g, cos)
        }
        // cos: grad * -self.sin()
        Unary::Cos => {
            let x = c.fwd(x);
            let sin = c.unary(gr, Op::Unary(Unary::Sin), x);
            let ns = c.neg(gr, sin);
            c.mul(gr, g, ns)
        }
        // tanh_backward(grad, result): grad * (1 - result * result), one PyTorch kernel.
        Unary::Tanh => {
            let y = c.fwd(n);
            c.binary(gr, Op::Binary(Binary::TanhBackward), g, y)
        }
        // sigmoid_backward(grad, result): grad * (1 - result) * result
        Unary::Sigmoid => {
            let y = c.fwd(n);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.sub(gr, one, y);
            let gd = c.mul(gr, g, d);
            c.mul(gr, gd, y)
        }
        // threshold_backward(grad, result, 0): result <= 0 ? 0 : grad
        Unary::Relu => {
            let y = c.fwd(n);
            c.threshold_backward(gr, g, y)
        }
        // abs: grad * self.sgn()
        Unary::Abs => {
            let x = c.fwd(x);
            let s = c.unary(gr, Op::Unary(Unary::Sign), x);
            c.mul(gr, g, s)
        }
        // log1p_backward(grad, self): grad / (self + 1)
        Unary::Log1p | Unary::Log1pLibm => {
            let x = c.fwd(x);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.binary(gr, Op::Binary(Binary::Add), x, one);
            c.div(gr, g, d)
        }
        // expm1: grad * (result + 1)
        Unary::Expm1 => {
            let y = c.fwd(n);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.binary(gr, Op::Binary(Binary::Add), y, one);
            c.mul(gr, g, d)
        }
        // sinh: grad * self.cosh()
        Unary::Sinh => {
            let x = c.fwd(x);
            let cosh = c.unary(gr, Op::Unary(Unary::Cosh), x);
            c.mul(gr, g, cosh)
        }
        // cosh: grad * self.sinh()
        Unary::Cosh => {
            let x = c.fwd(x);
            let sinh = c.unary(gr, Op::Unary(Unary::Sinh), x);
            c.mul(gr, g, sinh)
        }
        // The builtins of issue 9 (their formulas are in unary_more.rs).
        Unary::Square => more::square(c, gr, x, g),
        Unary::Reciprocal => more::reciprocal(c, gr, n, g),
        Unary::Rsqrt => more::rsqrt(c, gr, n, g),
        Unary::Exp2 => more::exp2(c, gr, n, g),
        Unary::Log2 | Unary::Log10 => more::log2_log10(c, gr, u, n, x, g),
        Unary::Tan => more::tan(c, gr, n, g),
        Unary::Asin | Unary::Acos => more::asin_acos(c, gr, u, n, x, g),
        Unary::Atan => more::atan(c, gr, n, x, g),
        Unary::Asinh => more::asinh(c, gr, n, x, g),
        Unary::Acosh => more::acosh(c, gr, n, x, g),
        Unary::Atanh => more::atanh(c, gr, n, x, g),
        Unary::Silu => more::silu(c, gr, n, x, g),
        // log_sigmoid_backward(grad, self, buffer), the buffer recomputed from self.
        Unary::LogSigmoid => {
            let x = c.fwd(x);
            c.binary(gr, Op::Binary(Binary::LogSigmoidBackward), g, x)
        }
        Unary::Mish => more::mish(c, gr, n, x, g),
        Unary::Erf | Unary::Erfc => more::erf_erfc(c, gr, u, n, x, g),
        Unary::Gelu => gelu::gelu_none(c, gr, n, x, g),
        Unary::GeluTanh => gelu::gelu_tanh(c, gr, n, x, g),
        // sign, floor, ceil, round, trunc: zeros_like(grad)
        Unary::Sign | Unary::Signum | Unary::Floor | Unary::Ceil | Unary::Round | Unary::Trunc => {
            let shape = gr.node(x).shape.clone();
            c.full(gr, 0.0, dt, shape)
        }
    })
}

/// `x ** e` for a constant `e`: pow_backward(grad, self, e) is
/// `e == 0 ? zeros : grad * (e * self.pow(e - 1))`.
pub(super) fn pow_scalar(c: &mut RuleCtx, gr: &mut Graph, e: f64, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(g).dtype;
    if e == 0.0 {
        let shape = gr.node(x).shape.clone();
        return c.full(gr, 0.0, dt, shape);
    }
    let x = c.fwd(x);
    let p = c.unary(gr, Op::PowScalar(F64Bits::new(e - 1.0)), x);
    let es = c.scalar(gr, e, dt);
    let ep = c.mul(gr, es, p);
    c.mul(gr, g, ep)
}
