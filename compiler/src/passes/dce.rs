//! Dead-code elimination: a node that no effect needs, directly or through
//! other nodes, is removed. Random draws are effects themselves, so they stay.
//! After this pass every node contributes to something the program prints,
//! plots or draws.

use super::Change;
use crate::ir::program::Program;

pub fn run(prog: &mut Program) -> Vec<Change> {
    let mut live = vec![false; prog.graph.index_bound()];
    let mut stack = prog.roots();
    while let Some(n) = stack.pop() {
        if !std::mem::replace(&mut live[n.index()], true) {
            stack.extend_from_slice(prog.graph.operand_slice(n));
        }
    }
    let mut changes = Vec::new();
    for n in prog.graph.ids() {
        if !live[n.index()] {
            let node = prog.graph.node(n);
            let what = match &prog.graph.meta(n).note {
                Some(note) => format!("{} ({note}) is never used -> removed", node.op.name()),
                None => format!("{} is never used -> removed", node.op.name()),
            };
            changes.push(Change { span: prog.graph.meta(n).span, what });
            prog.graph.remove(n);
        }
    }
    changes
}
