//! The derivatives of the index ops (derivatives.yaml): `gather`'s is
//! `gather_backward`, a `scatter_add` of the gradient into zeros of the input's
//! shape, and a `scatter_add`'s own gradient gathers it back. Indices and
//! `argmax` positions are not differentiable.

use graphc_runtime::op::IndexOp;
use graphc_runtime::Op;

use super::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// One optional gradient per operand of an index op.
pub fn rule(c: &mut RuleCtx, gr: &mut Graph, op: IndexOp, ops: &[NodeId], g: NodeId, need_input: bool) -> Vec<Option<NodeId>> {
    let dt = gr.node(g).dtype;
    let back = match op {
        IndexOp::Arg { .. } => return vec![None],
        IndexOp::Gather { dim } => (IndexOp::ScatterAdd { dim }, gr.node(ops[0]).shape.clone()),
        IndexOp::ScatterAdd { dim } => (IndexOp::Gather { dim }, gr.node(ops[1]).shape.clone()),
    };
    let grad = need_input.then(|| {
        let index = c.fwd(ops[1]);
        c.add_node(gr, Op::Index(back.0), dt, back.1, &[g, index])
    });
    vec![grad, None]
}
