//! The derivatives of the convolution family (`derivatives.yaml`'s
//! `convolution`: `convolution_backward(grad, input, weight, ...)`, and
//! `convolution_backward`'s own `_convolution_double_backward`). Each is
//! another member of the family with the same geometry, since all three are
//! bilinear in their two tensor operands: with `y = conv(x, w)`,
//! `x.grad = conv_transpose(g, w)`, `w.grad = weight_grad(g, x)`; with
//! `y = conv_transpose(x, w)`, `x.grad = conv(g, w)`, `w.grad = weight_grad(x, g)`;
//! and with `y = weight_grad(u, x)`, `u.grad = conv(x, g)`, `x.grad = conv_transpose(u, g)`.
//! A bias's gradient is `g` summed over every dimension but the channels.

use graphc_runtime::op::{Conv, ConvPart};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradients of `conv`'s operands given its result's gradient `g`.
pub fn rule(c: &mut RuleCtx, gr: &mut Graph, conv: Conv, ops: &[NodeId], g: NodeId, need: impl Fn(usize) -> bool) -> Vec<Option<NodeId>> {
    let dt = gr.node(ops[0]).dtype;
    let shape = |gr: &Graph, n: NodeId| gr.node(n).shape.clone();
    let part = |p: ConvPart| Op::Conv(Conv { part: p, ..conv });
    let forward = part(ConvPart::Forward { bias: false });
    let transposed = part(ConvPart::Transposed { bias: false });
    let weight_grad = part(ConvPart::WeightGrad);
    match conv.part {
        ConvPart::Forward { bias } | ConvPart::Transposed { bias } => {
            let is_forward = matches!(conv.part, ConvPart::Forward { .. });
            let mut grads = Vec::with_capacity(ops.len());
            grads.push(need(0).then(|| {
                let w = c.fwd(ops[1]);
                let op = if is_forward { transposed.clone() } else { forward.clone() };
                c.add_node(gr, op, dt, shape(gr, ops[0]), &[g, w])
            }));
            grads.push(need(1).then(|| {
                let x = c.fwd(ops[0]);
                // The weight gradient takes the convolution's output-side tensor first.
                let args = if is_forward { [g, x] } else { [x, g] };
                c.add_node(gr, weight_grad.clone(), dt, shape(gr, ops[1]), &args)
            }));
            if bias {
                grads.push(need(2).then(|| {
                    let channels = shape(gr, ops[2])[0];
                    let per_channel = c.sum_to(gr, g, &[1, channels, 1, 1]);
                    c.reshape(gr, per_channel, &[channels])
                }));
            }
            grads
        }
        ConvPart::WeightGrad => {
            let gu = need(0).then(|| {
                let x = c.fwd(ops[1]);
                c.add_node(gr, forward.clone(), dt, shape(gr, ops[0]), &[x, g])
            });
            let gx = need(1).then(|| {
                let u = c.fwd(ops[0]);
                c.add_node(gr, transposed.clone(), dt, shape(gr, ops[1]), &[u, g])
            });
            vec![gu, gx]
        }
    }
}
