//! The derivatives of the index ops (derivatives.yaml): `gather`'s is
//! `gather_backward`, a `scatter_add` of the gradient into zeros of the input's
//! shape, and a `scatter_add`'s own gradient gathers it back. Indices and
//! `argmax` positions are not differentiable. `scatter`, `scatter_add` and
//! `index_add` into a tensor pass the gradient to the input (zeroed where
//! `scatter` overwrote it) and gather it for the source.

use graphc_runtime::op::IndexOp;
use graphc_runtime::Op;

use super::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// One optional gradient per operand of an index op.
pub fn rule(c: &mut RuleCtx, gr: &mut Graph, op: IndexOp, ops: &[NodeId], g: NodeId, need_input: bool) -> Vec<Option<NodeId>> {
    let dt = gr.node(g).dtype;
    let back = match op {
        IndexOp::Arg { .. } => return vec![None],
        IndexOp::ScatterInto { .. } => unreachable!("rules::builtin sends a scatter into a tensor to `scatter_into`"),
        IndexOp::Gather { dim } => (IndexOp::ScatterAdd { dim }, gr.node(ops[0]).shape.clone()),
        IndexOp::ScatterAdd { dim } => (IndexOp::Gather { dim }, gr.node(ops[1]).shape.clone()),
    };
    let grad = need_input.then(|| {
        let index = c.fwd(ops[1]);
        c.add_node(gr, Op::Index(back.0), dt, back.1, &[g, index])
    });
    vec![grad, None]
}

/// `scatter(self, dim, index, src)` and `scatter_add`: `self: grad.scatter(dim,
/// index, 0)` (`scatter_add`: `grad`) and `src: grad.gather(dim, index)`.
/// Each is built only when its operand needs it.
pub fn scatter_into(c: &mut RuleCtx, gr: &mut Graph, (dim, add): (usize, bool), ops: &[NodeId], g: NodeId, need: [bool; 2]) -> Vec<Option<NodeId>> {
    let [need_input, need_src] = need;
    let dt = gr.node(g).dtype;
    let index = c.fwd(ops[1]);
    let ishape = gr.node(ops[1]).shape.clone();
    let input = need_input.then(|| {
        if add {
            g
        } else {
            let zeros = c.full(gr, 0.0, dt, ishape.clone());
            let shape = gr.node(g).shape.clone();
            c.add_node(gr, Op::Index(IndexOp::ScatterInto { dim, add: false }), dt, shape, &[g, index, zeros])
        }
    });
    let src = need_src.then(|| c.add_node(gr, Op::Index(IndexOp::Gather { dim }), dt, ishape, &[g, index]));
    vec![input, None, src]
}
