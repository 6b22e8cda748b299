//! The derivatives of `layer_norm` and `group_norm` (`derivatives.yaml`'s
//! `native_layer_norm` and `native_group_norm`: `native_layer_norm_backward` /
//! `native_group_norm_backward(grad, input, mean, rstd, weight, ...,
//! grad_input_mask)`): one node per gradient asked for, each running
//! PyTorch's backward kernel for its part. The two families have the same
//! parts with the same operands. The kernel's mean and rstd are recomputed
//! from the saved input, with the forward's bits.

use graphc_runtime::op::LayerNormPart;
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradients of the forward part `fwd` of a family for its operands `(x,
/// weight?, bias?)`; `part` makes the family's op of another part. The
/// gradients themselves are not differentiated (`LayerNorm::differentiable`):
/// lowering refuses `create_graph=true` through a normalization (E0411).
pub fn rule(
    c: &mut RuleCtx,
    gr: &mut Graph,
    fwd: LayerNormPart,
    part: impl Fn(LayerNormPart) -> Op,
    ops: &[NodeId],
    g: NodeId,
    need: impl Fn(usize) -> bool,
) -> Vec<Option<NodeId>> {
    let LayerNormPart::Forward { weight, bias } = fwd else {
        return vec![];
    };
    let dt = gr.node(ops[0]).dtype;
    let mut grads = Vec::with_capacity(ops.len());
    grads.push(need(0).then(|| {
        let x = c.fwd(ops[0]);
        let mut args = vec![g, x];
        if weight {
            args.push(c.fwd(ops[1]));
        }
        let shape = gr.node(ops[0]).shape.clone();
        c.add_node(gr, part(LayerNormPart::InputGrad { weight }), dt, shape, &args)
    }));
    if weight {
        grads.push(need(1).then(|| {
            let x = c.fwd(ops[0]);
            let shape = gr.node(ops[1]).shape.clone();
            c.add_node(gr, part(LayerNormPart::WeightGrad), dt, shape, &[g, x])
        }));
    }
    if bias {
        let b = 1 + weight as usize;
        grads.push(need(b).then(|| {
            let shape = gr.node(ops[b]).shape.clone();
            c.add_node(gr, part(LayerNormPart::BiasGrad), dt, shape, &[g])
        }));
    }
    grads
}
