//! The derivative of `layer_norm` (`derivatives.yaml`'s `native_layer_norm`:
//! `native_layer_norm_backward(grad, input, normalized_shape, mean, rstd,
//! weight, bias, grad_input_mask)`): one node per gradient asked for, each
//! running PyTorch's backward kernel for its part. The kernel's mean and rstd
//! are recomputed from the saved input, with the forward's bits.

use graphc_runtime::op::{LayerNorm, LayerNormPart};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradients of the forward `ln` for its operands `(x, weight?, bias?)`.
/// The gradients themselves are not differentiated (`LayerNorm::differentiable`):
/// lowering refuses `create_graph=true` through a layer norm (E0411).
pub fn rule(c: &mut RuleCtx, gr: &mut Graph, ln: LayerNorm, ops: &[NodeId], g: NodeId, need: impl Fn(usize) -> bool) -> Vec<Option<NodeId>> {
    let LayerNormPart::Forward { weight, bias } = ln.part else {
        return vec![];
    };
    let dt = gr.node(ops[0]).dtype;
    let part = |p: LayerNormPart| Op::LayerNorm(LayerNorm { part: p, ..ln });
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
