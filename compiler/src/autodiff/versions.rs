//! The compile-time form of PyTorch's version-counter check: a backward that
//! reads a value an in-place update replaced before the backward ran fails in
//! PyTorch with "one of the variables needed for gradient computation has been
//! modified by an inplace operation". graphc knows both at compile time: the
//! updates are `Program::mutations`, and each derivation records the forward
//! values its rules read (the saved tensors) and the nodes whose rules read
//! them. As in PyTorch, an update of a value that no rule saves (`y = x + 1;
//! y += 1`) is not an error.

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::Program;

/// E0621 for each in-place update made before backward `k` that replaced a value
/// the backward reads (`reads`), pointing at the update and at the op that saved it.
pub fn check(prog: &Program, k: usize, holders: &[NodeId], reads: &[NodeId], diags: &mut Vec<Diagnostic>) {
    for m in &prog.mutations {
        if m.backwards_before > k || !reads.contains(&m.old) {
            continue;
        }
        // One report per update, however many backwards read the old value.
        if diags.iter().any(|d| d.code == Code::E0621 && d.primary.span == m.span) {
            continue;
        }
        // The op whose rule reads the value: the value's own op (exp saves its
        // result) or an op that takes it as an operand (mul saves its operands).
        let saver = holders
            .iter()
            .copied()
            .filter(|&h| prog.graph.contains(h))
            .find(|&h| h != m.new && (h == m.old || prog.graph.operands(h).contains(&m.old)))
            .unwrap_or(m.old);
        let call = &prog.backwards[k];
        diags.push(
            Diagnostic::new(
                Code::E0621,
                "one of the variables needed for gradient computation has been modified by an inplace operation",
                m.span,
                "modified in place here",
            )
            .with_secondary(prog.graph.meta(saver).span, "this op saved the old value for its backward")
            .with_secondary(call.span, "this backward needs the old value")
            .with_help("update a copy instead (`y = y + 1` rather than `y += 1`), or run the backward before the update"),
        );
    }
}
