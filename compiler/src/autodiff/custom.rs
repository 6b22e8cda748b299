//! A user op's backward block at autodiff time: its template, copied into the
//! backward being derived, with the gradient and saved values wired in.

use std::collections::HashMap;

use super::builder::RuleCtx;
use crate::ir::graph::NodeId;
use crate::ir::program::Program;

/// Applies a user op's backward block: copies its template into the current
/// backward, with the gradient parameter bound to `g` and each saved parameter
/// to the forward node it stands for. Returns one gradient per op argument.
pub fn apply(c: &mut RuleCtx, prog: &mut Program, call: usize, g: NodeId, templates: &HashMap<u32, Vec<NodeId>>) -> Vec<Option<NodeId>> {
    let cc = prog.custom_calls[call].clone();
    c.at(cc.span);
    let mut map: HashMap<NodeId, NodeId> = HashMap::new();
    map.insert(cc.grad_param, g);
    for s in &cc.saved {
        map.insert(s.param, c.fwd(s.forward));
    }
    if let Some(nodes) = templates.get(&(call as u32)) {
        for &t in nodes {
            if map.contains_key(&t) {
                continue;
            }
            let node = prog.graph.node(t).clone();
            let args: Vec<NodeId> = prog.graph.operands(t).iter().map(|a| map[a]).collect();
            let span = prog.graph.meta(t).span;
            let note = prog.graph.meta(t).note.clone();
            c.at(span);
            let copy = c.add_node(&mut prog.graph, node.op, node.dtype, node.shape, &args);
            prog.graph.meta_mut(copy).note = note;
            map.insert(t, copy);
        }
    }
    cc.returns.iter().map(|r| r.map(|t| map[&t])).collect()
}
