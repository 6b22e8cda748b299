//! The derivative rules of the two-operand elementwise ops: PyTorch's formulas
//! from `tools/autograd/derivatives.yaml`, one arm per row of the op table.
//! Each computes only the gradients of operands that require grad (`need`).

use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradients of `op`'s operands `ops` given the gradient `g` of its output
/// `n`, before they are summed back to the operands' shapes.
pub(super) fn rule(
    c: &mut RuleCtx,
    gr: &mut Graph,
    op: Binary,
    n: NodeId,
    ops: &[NodeId],
    g: NodeId,
    need: impl Fn(usize) -> bool,
) -> Vec<Option<NodeId>> {
    let dt = gr.node(n).dtype;
    match op {
        // Neither operand of these is differentiable in the op table, so autodiff
        // never asks; PyTorch's gradients are zero almost everywhere.
        Binary::FloorDivide | Binary::PyRemainder => vec![None, None],
        // PyTorch has no derivative for `heaviside`; lowering refuses a backward
        // through it (E0410), and the op table marks neither operand differentiable.
        Binary::Heaviside => vec![None, None],
        // hypot: self: grad * self / result; other: grad * other / result.
        Binary::Hypot => {
            let r = c.fwd(n);
            (0..2)
                .map(|k| {
                    need(k).then(|| {
                        let x = c.fwd(ops[k]);
                        let gx = c.mul(gr, g, x);
                        c.binary(gr, Op::Binary(Binary::Div), gx, r)
                    })
                })
                .collect()
        }
        // logaddexp2: self: grad / (1 + pow(2, other - self)); other: the mirror.
        Binary::Logaddexp2 => {
            let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
            let mut grads = Vec::new();
            for (k, (this, that)) in [(a, b), (b, a)].into_iter().enumerate() {
                grads.push(need(k).then(|| {
                    let d = c.sub(gr, that, this);
                    let two = c.scalar(gr, 2.0, dt);
                    let e = c.binary(gr, Op::Binary(Binary::Pow), two, d);
                    let one = c.scalar(gr, 1.0, dt);
                    let s = c.binary(gr, Op::Binary(Binary::Add), one, e);
                    c.binary(gr, Op::Binary(Binary::Div), g, s)
                }));
            }
            grads
        }
        // remainder.Tensor: self: grad; other: -grad * self.div(other, rounding_mode="floor").
        // fmod.Tensor: the same with rounding_mode="trunc", `trunc(self / other)`.
        Binary::Remainder | Binary::Fmod => vec![
            need(0).then_some(g),
            need(1).then(|| {
                let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
                let q = if op == Binary::Remainder {
                    c.binary(gr, Op::Binary(Binary::FloorDivide), a, b)
                } else {
                    let d = c.binary(gr, Op::Binary(Binary::Div), a, b);
                    c.unary(gr, Op::Unary(Unary::Trunc), d)
                };
                let ng = c.neg(gr, g);
                c.mul(gr, ng, q)
            }),
        ],
        // The history kept receives the gradient unchanged; the new values none.
        Binary::KeepGraph => vec![need(0).then_some(g), None],
        // tanh_backward(grad_output, output), for gradients of gradients:
        // grad_output: tanh_backward(grad, output); output: grad * (-2 * output * grad_output).
        Binary::TanhBackward => {
            let (gv, y) = (c.fwd(ops[0]), c.fwd(ops[1]));
            vec![
                need(0).then(|| c.binary(gr, Op::Binary(Binary::TanhBackward), g, y)),
                need(1).then(|| {
                    let m2 = c.scalar(gr, -2.0, dt);
                    let m2y = c.mul(gr, m2, y);
                    let t = c.mul(gr, m2y, gv);
                    c.mul(gr, g, t)
                }),
            ]
        }
        // derivatives.yaml's log_sigmoid_backward(grad_output, self, buffer):
        // grad_output: log_sigmoid_backward(grad, self, buffer);
        // self: log_sigmoid_double_backward(grad * grad_output, self) = that * (z - 1) * z, z = sigmoid(self).
        Binary::LogSigmoidBackward => {
            let (go, x) = (c.fwd(ops[0]), c.fwd(ops[1]));
            vec![
                need(0).then(|| c.binary(gr, Op::Binary(Binary::LogSigmoidBackward), g, x)),
                need(1).then(|| {
                    let gg = c.mul(gr, g, go);
                    let z = c.unary(gr, Op::Unary(Unary::Sigmoid), x);
                    let one = c.scalar(gr, 1.0, dt);
                    let zm1 = c.sub(gr, z, one);
                    let t = c.mul(gr, gg, zm1);
                    c.mul(gr, t, z)
                }),
            ]
        }
        // atan2_backward: recip = (self * self + other * other).reciprocal();
        // self: grad * other * recip; other: grad * -self * recip
        Binary::Atan2 => {
            let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
            let aa = c.mul(gr, a, a);
            let bb = c.mul(gr, b, b);
            let s = c.binary(gr, Op::Binary(Binary::Add), aa, bb);
            let recip = c.unary(gr, Op::Unary(Unary::Reciprocal), s);
            vec![
                need(0).then(|| {
                    let gb = c.mul(gr, g, b);
                    c.mul(gr, gb, recip)
                }),
                need(1).then(|| {
                    let na = c.neg(gr, a);
                    let gna = c.mul(gr, g, na);
                    c.mul(gr, gna, recip)
                }),
            ]
        }
        // copysign.Tensor: self: copysign_tensor_self_backward(grad, self, result),
        // `grad * (result / self)` with the ratio zero where `self == 0`;
        // other: zeros_like(other).
        Binary::Copysign => {
            let (a, r) = (c.fwd(ops[0]), c.fwd(n));
            vec![
                need(0).then(|| {
                    let ratio = c.div(gr, r, a);
                    let zero = c.scalar(gr, 0.0, dt);
                    let ratio = c.select(gr, Cmp::Eq, a, zero, zero, ratio);
                    c.mul(gr, g, ratio)
                }),
                need(1).then(|| {
                    let sh = gr.node(g).shape.clone();
                    c.full(gr, 0.0, dt, sh)
                }),
            ]
        }
        // derivatives.yaml: self: grad / (1 + exp(other - self));
        // other: grad / (1 + exp(self - other)).
        Binary::Logaddexp => {
            let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
            let mut grads = Vec::new();
            for (k, (this, that)) in [(a, b), (b, a)].into_iter().enumerate() {
                grads.push(need(k).then(|| {
                    let d = c.sub(gr, that, this);
                    let e = c.unary(gr, Op::Unary(Unary::Exp), d);
                    let one = c.scalar(gr, 1.0, dt);
                    let s = c.binary(gr, Op::Binary(Binary::Add), one, e);
                    c.binary(gr, Op::Binary(Binary::Div), g, s)
                }));
            }
            grads
        }
        Binary::Add => vec![need(0).then_some(g), need(1).then_some(g)],
        Binary::Sub => vec![need(0).then_some(g), need(1).then(|| c.neg(gr, g))],
        // mul: self: grad * other; other: grad * self
        Binary::Mul => vec![
            need(0).then(|| {
                let b = c.fwd(ops[1]);
                c.mul(gr, g, b)
            }),
            need(1).then(|| {
                let a = c.fwd(ops[0]);
                c.mul(gr, g, a)
            }),
        ],
        // div: self: grad / other; other: -grad * ((self / other) / other)
        Binary::Div => vec![
            need(0).then(|| {
                let b = c.fwd(ops[1]);
                c.div(gr, g, b)
            }),
            need(1).then(|| {
                let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
                let q = c.div(gr, a, b);
                let q = c.div(gr, q, b);
                let ng = c.neg(gr, g);
                c.mul(gr, ng, q)
            }),
        ],
        // pow_backward_self: where(e == 0, 0, grad * (e * self.pow(e - 1)))
        // pow_backward_exponent: grad * where(self == 0 & e >= 0, 0, result * self.log())
        // The internal rows raise with the same function as the forward.
        Binary::Pow | Binary::PowLibm | Binary::PowSleef => vec![
            need(0).then(|| {
                let (a, e) = (c.fwd(ops[0]), c.fwd(ops[1]));
                let one = c.scalar(gr, 1.0, dt);
                let em1 = c.sub(gr, e, one);
                let p = c.binary(gr, Op::Binary(op), a, em1);
                let ep = c.mul(gr, e, p);
                let full = c.mul(gr, g, ep);
                let zero = c.scalar(gr, 0.0, dt);
                c.select(gr, Cmp::Eq, e, zero, zero, full)
            }),
            need(1).then(|| {
                let (a, e, y) = (c.fwd(ops[0]), c.fwd(ops[1]), c.fwd(n));
                let la = c.unary(gr, Op::Unary(Unary::Log), a);
                let rl = c.mul(gr, y, la);
                let zero = c.scalar(gr, 0.0, dt);
                let inner = c.select(gr, Cmp::Ge, e, zero, zero, rl);
                let w = c.select(gr, Cmp::Eq, a, zero, inner, rl);
                c.mul(gr, g, w)
            }),
        ],
        // maximum: where(self == other, grad / 2, grad).masked_fill_(self < other, 0) (other: self > other)
        // minimum: the same with the comparisons swapped.
        Binary::Maximum | Binary::Minimum => {
            let max = op == Binary::Maximum;
            let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
            let two = c.scalar(gr, 2.0, dt);
            let zero = c.scalar(gr, 0.0, dt);
            let half = c.div(gr, g, two);
            let split = c.select(gr, Cmp::Eq, a, b, half, g);
            let (lose_a, lose_b) = if max { (Cmp::Lt, Cmp::Gt) } else { (Cmp::Gt, Cmp::Lt) };
            vec![need(0).then(|| c.select(gr, lose_a, a, b, zero, split)), need(1).then(|| c.select(gr, lose_b, a, b, zero, split))]
        }
    }
}
