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
use crate::ir::program::Effect;
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
            // A branch's sides are regions too (`branches.rs`), named by an `Effect::Branch`.
            let branch =
                |r: u32| self.prog.effects.iter().any(|e| matches!(e, Effect::Branch { then, otherwise, .. } if *then == r || *otherwise == r));
            let crosses = match g.node(n).op {
                Op::RegionOutput { region, .. } if branch(region) => Some(("an `if` decided at run time", "computed by it")),
                Op::RegionOutput { .. } => Some(("a loop", "computed by a loop")),
                // Input 0 of a loop body is the index; the others come from outside the body.
                Op::Input(_) if self.in_loop_body => Some(("a loop", "computed before this loop or by its previous iteration")),
                _ => None,
            };
            if let Some((region, what)) = crosses {
                let at = g.meta(n).span;
                // A value returned inside an `if` is bound to a hidden name (`early_returns.rs`).
                let name = match g.meta(n).note.clone() {
                    Some(n) if n.starts_with("<return value") => "the value a fn returned".to_string(),
                    Some(n) => format!("`{n}`"),
                    None => "a value".to_string(),
                };
                let help = if region == "a loop" {
                    "gradients do not flow through loops yet: compute the loss from leaves (tensors created with `requires_grad=true`) inside the loop body, or `detach()` the value carried from one iteration to the next"
                } else {
                    "gradients do not flow through an `if` decided at run time yet: decide the condition when compiling, or compute the loss and call `backward` inside each side"
                };
                self.error(
                    Diagnostic::new(
                        Code::E0604,
                        format!("this backward would differentiate through {region}: {name} was {what}"),
                        span,
                        if region == "a loop" { "crosses a loop boundary" } else { "crosses the `if`'s boundary" },
                    )
                    .with_secondary(at, if region == "a loop" { "the loop" } else { "the `if`" })
                    .with_help(help),
                );
                return false;
            }
            stack.extend(operands);
        }
        true
    }
}
