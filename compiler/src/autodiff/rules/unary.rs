//! The derivative rules of the one-operand elementwise ops: PyTorch's formulas
//! from `tools/autograd/derivatives.yaml`, one arm per row of the op table.

use graphc_runtime::op::{Binary, F64Bits, Unary};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
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
        Unary::Exp => {
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
        Unary::Log1p => {
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
        // square is pow(self, 2) in PyTorch: pow_backward.
        Unary::Square => pow_scalar(c, gr, 2.0, x, g),
        // reciprocal: -grad * (result * result)
        Unary::Reciprocal => {
            let y = c.fwd(n);
            let ng = c.neg(gr, g);
            let yy = c.mul(gr, y, y);
            c.mul(gr, ng, yy)
        }
        // rsqrt: -0.5 * grad * result.pow(3)
        Unary::Rsqrt => {
            let y = c.fwd(n);
            let h = c.scalar(gr, -0.5, dt);
            let hg = c.mul(gr, h, g);
            let y3 = c.unary(gr, Op::PowScalar(F64Bits::new(3.0)), y);
            c.mul(gr, hg, y3)
        }
        // exp2: grad * result * M_LN2
        Unary::Exp2 => {
            let y = c.fwd(n);
            let gy = c.mul(gr, g, y);
            let ln2 = c.scalar(gr, std::f64::consts::LN_2, dt);
            let r = c.mul(gr, gy, ln2);
            // A product with a C++ number (`mul.Scalar`), which PyTorch names MulBackward1.
            c.grad_fns.push((r, "MulBackward1".to_string()));
            r
        }
        // log2: grad / (self * M_LN2); log10: grad / (self * M_LN10)
        Unary::Log2 | Unary::Log10 => {
            let x = c.fwd(x);
            let k = if u == Unary::Log2 { std::f64::consts::LN_2 } else { std::f64::consts::LN_10 };
            let k = c.scalar(gr, k, dt);
            let d = c.mul(gr, x, k);
            c.div(gr, g, d)
        }
        // tan: grad * (1 + result.pow(2))
        Unary::Tan => {
            let y = c.fwd(n);
            let y2 = c.unary(gr, Op::PowScalar(F64Bits::new(2.0)), y);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.binary(gr, Op::Binary(Binary::Add), one, y2);
            c.mul(gr, g, d)
        }
        // asin: grad * (-self * self + 1).rsqrt(); acos: grad * -((-self * self + 1).rsqrt())
        Unary::Asin | Unary::Acos => {
            let x = c.fwd(x);
            let nx = c.neg(gr, x);
            let nxx = c.mul(gr, nx, x);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.binary(gr, Op::Binary(Binary::Add), nxx, one);
            let r = c.unary(gr, Op::Unary(Unary::Rsqrt), d);
            let r = if u == Unary::Acos { c.neg(gr, r) } else { r };
            c.mul(gr, g, r)
        }
        // atan: grad / (self * self + 1)
        Unary::Atan => {
            let x = c.fwd(x);
            let xx = c.mul(gr, x, x);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.binary(gr, Op::Binary(Binary::Add), xx, one);
            c.div(gr, g, d)
        }
        // asinh: grad * (self.pow(2) + 1).rsqrt()
        Unary::Asinh => {
            let x = c.fwd(x);
            let x2 = c.unary(gr, Op::PowScalar(F64Bits::new(2.0)), x);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.binary(gr, Op::Binary(Binary::Add), x2, one);
            let r = c.unary(gr, Op::Unary(Unary::Rsqrt), d);
            c.mul(gr, g, r)
        }
        // acosh (real): grad * (self * self - 1).rsqrt()
        Unary::Acosh => {
            let x = c.fwd(x);
            let xx = c.mul(gr, x, x);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.sub(gr, xx, one);
            let r = c.unary(gr, Op::Unary(Unary::Rsqrt), d);
            c.mul(gr, g, r)
        }
        // atanh: grad * 1 / (1 - self.pow(2)); the `* 1` is exact, so it is left out.
        Unary::Atanh => {
            let x = c.fwd(x);
            let x2 = c.unary(gr, Op::PowScalar(F64Bits::new(2.0)), x);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.sub(gr, one, x2);
            c.div(gr, g, d)
        }
        // silu, with grad mode on (infinitely_differentiable_silu_backward):
        // grad * sigmoid * (1 + self * (1 - sigmoid)), sigmoid = self.sigmoid()
        Unary::Silu => {
            let x = c.fwd(x);
            let s = c.unary(gr, Op::Unary(Unary::Sigmoid), x);
            let gs = c.mul(gr, g, s);
            let one = c.scalar(gr, 1.0, dt);
            let oms = c.sub(gr, one, s);
            let xo = c.mul(gr, x, oms);
            let d = c.binary(gr, Op::Binary(Binary::Add), one, xo);
            c.mul(gr, gs, d)
        }
        // mish, with grad mode on (infinitely_differentiable_mish_backward):
        // grad * (tanh_softplus + self * sigmoid * (1 - tanh_softplus * tanh_softplus)),
        // sigmoid = self.sigmoid(), tanh_softplus = tanh(softplus(self)); softplus is
        // log1p(exp(self)) here, as in the forward (PyTorch's returns self above 20,
        // where both give tanh_softplus = 1).
        Unary::Mish => {
            let x = c.fwd(x);
            let s = c.unary(gr, Op::Unary(Unary::Sigmoid), x);
            let e = c.unary(gr, Op::Unary(Unary::Exp), x);
            let sp = c.unary(gr, Op::Unary(Unary::Log1p), e);
            let t = c.unary(gr, Op::Unary(Unary::Tanh), sp);
            let xs = c.mul(gr, x, s);
            let one = c.scalar(gr, 1.0, dt);
            let tt = c.mul(gr, t, t);
            let omt = c.sub(gr, one, tt);
            let xso = c.mul(gr, xs, omt);
            let d = c.binary(gr, Op::Binary(Binary::Add), t, xso);
            c.mul(gr, g, d)
        }
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
