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
//!
//! A backward goes through an `if` decided at run time (`autodiff::branches`)
//! unless a side stops it: a loop inside it that the gradient would cross, or
//! random draws, which the backward's second run of the side would repeat.

use std::collections::HashSet;

use graphc_runtime::Op;

use crate::autodiff;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

use super::Lowerer;

impl Lowerer<'_> {
    /// Reports E0604 if `grad(root, x)` would cross a run-time `if` that a side
    /// stops (`autodiff::branch_obstacle`) on its way to `x`: a gradient there
    /// would silently stop. Returns whether the derivation may proceed.
    pub(crate) fn check_grad_crosses_ifs(&mut self, root: NodeId, x: NodeId, span: Span) -> bool {
        let mut outputs: Vec<NodeId> = autodiff::backward_nodes(&self.prog, root).into_iter().collect();
        outputs.sort();
        for n in outputs {
            let (Some(e), Op::RegionOutput { output, .. }) = (autodiff::branch_of(&self.prog, n), self.prog.graph.node(n).op.clone()) else {
                continue;
            };
            // The gradient stops at `x`: an `if` that made `x`, or that `x` does not flow through, is not crossed.
            if n == x || !autodiff::reaches(&self.prog, n, x) {
                continue;
            }
            if let Some((at, why)) = autodiff::branch_obstacle(&self.prog, e, output as usize) {
                self.branch_obstacle_error(span, at, why);
                return false;
            }
        }
        true
    }

    fn branch_obstacle_error(&mut self, span: Span, at: Span, why: &str) {
        self.error(
            Diagnostic::new(
                Code::E0604,
                format!("this backward cannot differentiate through this `if` decided at run time: {why}"),
                span,
                "crosses the `if`'s boundary",
            )
            .with_secondary(at, "here")
            .with_help("compute the loss and call `backward` inside each side, or `detach()` what the `if` computes"),
        );
    }

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
            if let (Some(e), Op::RegionOutput { output, .. }) = (autodiff::branch_of(&self.prog, n), g.node(n).op.clone()) {
                let output = output as usize;
                if let Some((at, why)) = autodiff::branch_obstacle(&self.prog, e, output) {
                    self.branch_obstacle_error(span, at, why);
                    return false;
                }
                stack.extend(autodiff::branch_gradient_inputs(&self.prog, e, output));
                continue;
            }
            let what = match g.node(n).op {
                Op::RegionOutput { .. } => Some("computed by a loop"),
                // Input 0 of a loop body is the index; the others come from outside the body.
                Op::Input(_) if self.in_loop_body => Some("computed before this loop or by its previous iteration"),
                _ => None,
            };
            if let Some(what) = what {
                let at = g.meta(n).span;
                let name = g.meta(n).note.clone().map_or_else(|| "a value".to_string(), |n| format!("`{n}`"));
                self.error(
                    Diagnostic::new(Code::E0604, format!("this backward would differentiate through a loop: {name} was {what}"), span, "crosses a loop boundary")
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
