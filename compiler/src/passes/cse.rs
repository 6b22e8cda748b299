//! Common-subexpression elimination: two nodes with the same op, operands,
//! dtype and shape compute the same value, so the later one is replaced by the
//! earlier. Random ops are never merged (each draw advances the generator).
//! One pass in topological order with a hash map: linear in the graph's size.
//! After this pass no two pure nodes are identical.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use graphc_runtime::{DType, Op};

use super::Change;
use crate::ir::graph::NodeId;
use crate::ir::program::Program;

pub fn run(prog: &mut Program) -> Vec<Change> {
    // Nodes are bucketed by a hash of (op, operands, dtype, shape) and compared in
    // place, so that no key is copied out of the graph for every node.
    let mut seen: HashMap<u64, Vec<NodeId>> = HashMap::new();
    let mut changes = Vec::new();
    let mut replaced: HashMap<NodeId, NodeId> = HashMap::new();
    for n in prog.graph.topo_order() {
        let g = &prog.graph;
        let node = g.node(n);
        if node.op.is_random() || matches!(node.op, Op::Param(_) | Op::Input(_)) {
            continue;
        }
        let key = key_hash(&node.op, g.operand_slice(n), node.dtype, &node.shape);
        let bucket = seen.entry(key).or_default();
        let same = |m: &NodeId| {
            let other = g.node(*m);
            other.op == node.op && other.dtype == node.dtype && other.shape == node.shape && g.operand_slice(*m) == g.operand_slice(n)
        };
        match bucket.iter().find(|m| same(m)).copied() {
            Some(first) => {
                changes.push(Change { span: g.meta(n).span, what: format!("{} computed twice -> reuse the first", node.op.name()) });
                prog.graph.replace_uses(n, first);
                prog.graph.remove(n);
                // A first is never replaced itself, so one level of mapping is enough.
                replaced.insert(n, first);
            }
            None => bucket.push(n),
        }
    }
    if !replaced.is_empty() {
        prog.redirect_effects(&mut |n| replaced.get(&n).copied().unwrap_or(n));
    }
    changes
}

fn key_hash(op: &Op, operands: &[NodeId], dtype: DType, shape: &[usize]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (op, operands, dtype, shape).hash(&mut h);
    h.finish()
}
