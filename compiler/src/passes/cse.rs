//! Common-subexpression elimination: two nodes with the same op, operands,
//! dtype and shape compute the same value, so the later one is replaced by the
//! earlier. Random ops are never merged (each draw advances the generator).
//! One pass in topological order with a hash map: linear in the graph's size.
//! After this pass no two pure nodes are identical.

use std::collections::HashMap;

use graphc_runtime::{DType, Op};

use super::Change;
use crate::ir::graph::NodeId;
use crate::ir::program::Program;

pub fn run(prog: &mut Program) -> Vec<Change> {
    let mut seen: HashMap<(Op, Vec<NodeId>, DType, Vec<usize>), NodeId> = HashMap::new();
    let mut changes = Vec::new();
    for n in prog.graph.topo_order() {
        let node = prog.graph.node(n);
        if node.op.is_random() || matches!(node.op, Op::Param(_)) {
            continue;
        }
        let key = (node.op.clone(), prog.graph.operands(n), node.dtype, node.shape.clone());
        match seen.get(&key) {
            Some(&first) => {
                changes.push(Change { span: prog.graph.meta(n).span, what: format!("{} computed twice -> reuse the first", key.0.name()) });
                prog.replace_all_uses(n, first);
                prog.graph.remove(n);
            }
            None => {
                seen.insert(key, n);
            }
        }
    }
    changes
}
