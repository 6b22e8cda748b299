//! Gradients and loop boundaries.
//!
//! Gradients do not flow through a loop yet: a body's input that requires grad
//! but is not a leaf (a value computed before the loop, or carried from the
//! previous iteration), and a loop's output that requires grad but is not a
//! leaf, stand for a graph that the program around (or the previous iteration)
//! built. A `backward` that reaches one would have to differentiate through
//! that graph, as PyTorch does, so graphc refuses it (E0604) instead of
//! silently stopping there. `grad(y, x)` is not affected: it differentiates
//! only up to `x`, and such a value has no operands to reach `x` through.

use std::collections::HashSet;

use graphc_runtime::Op;

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

use super::Lowerer;

impl Lowerer<'_> {
    /// Reports E0604 if a backward from `root` reaches a value that crosses a loop
    /// boundary with gradient tracking; returns whether the backward may proceed.
    pub(crate) fn check_backward_stays_in_loop(&mut self, root: NodeId, span: Span) -> bool {
        let g = &self.prog.graph;
        let leaves: HashSet<NodeId> = self.prog.leaves.iter().copied().collect();
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if !g.meta(n).requires_grad || leaves.contains(&n) || !seen.insert(n) {
                continue;
            }
            let operands = g.operands(n);
            let crosses = match g.node(n).op {
                Op::RegionOutput { .. } => Some("computed by a loop"),
                // Input 0 of a loop body is the index; the others come from outside the body.
                Op::Input(_) if self.in_loop_body => Some("computed before this loop or by its previous iteration"),
                _ => None,
            };
            if let Some(what) = crosses {
                let (at, name) = (g.meta(n).span, g.meta(n).note.clone().unwrap_or_else(|| "a value".to_string()));
                self.error(
                    Diagnostic::new(Code::E0604, format!("this backward would differentiate through a loop: `{name}` was {what}"), span, "crosses a loop boundary")
                        .with_secondary(at, "the loop")
                        .with_help("gradients do not flow through loops yet: compute the loss from leaves (tensors created with `requires_grad=true`) inside the loop body, or `detach()` the value carried from one iteration to the next"),
                );
                return false;
            }
            stack.extend(operands);
        }
        true
    }
}
