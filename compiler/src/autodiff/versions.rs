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
/// the backward reads, pointing at the update and at the op whose rule read it
/// (`reads_by`: each such op with the forward values its rule read). The update's
/// own op may read the old value: PyTorch keeps a copy of it for that op.
pub fn check(prog: &Program, k: usize, reads_by: &[(NodeId, Vec<NodeId>)], diags: &mut Vec<Diagnostic>) {
    for m in &prog.mutations {
        if m.backwards_before > k {
            continue;
        }
        let Some(&(saver, _)) = reads_by.iter().find(|(h, reads)| *h != m.by && *h != m.new && reads.contains(&m.old)) else { continue };
        // One report per update, however many backwards read the old value.
        if diags.iter().any(|d| d.code == Code::E0621 && d.primary.span == m.span) {
            continue;
        }
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

/// For a call derived during lowering, which records only what all its rules
/// read together: each holder with the values it could have read (itself and its operands).
pub fn approximate_reads(prog: &Program, holders: &[NodeId], reads: &[NodeId]) -> Vec<(NodeId, Vec<NodeId>)> {
    holders
        .iter()
        .filter(|h| prog.graph.contains(**h))
        .map(|&h| {
            let mut near = prog.graph.operands(h);
            near.push(h);
            (h, near.into_iter().filter(|n| reads.contains(n)).collect())
        })
        .collect()
}
