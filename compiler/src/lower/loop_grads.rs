//! Gradients and region boundaries.
//!
//! A backward goes through a loop compiled as a region (`autodiff::loops`) and
//! through an `if` decided at run time (`autodiff::branches`) unless something
//! inside stops it: a loop or `if` inside that draws random numbers, which the
//! backward's second run of the body would repeat (what the body draws itself
//! is kept for its backward). A backward made *inside* a loop body cannot reach values of
//! earlier iterations: a body's input that requires grad but is not a leaf (a
//! value computed before the loop, or carried from the previous iteration)
//! stands for a graph that the program around (or the previous iteration)
//! built, which one compiled body cannot walk back, so graphc refuses it (E0604)
//! instead of silently stopping there. (A backward inside a side of a run-time
//! `if` reaching a value computed before the `if`, in the same iteration,
//! computes that value again in the side first: `rematerialize.rs`.)

use std::collections::HashSet;

use graphc_runtime::Op;

use crate::autodiff;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

use super::Lowerer;

impl Lowerer<'_> {
    /// Reports E0604 if `grad(root, x)` would cross a loop or a run-time `if`
    /// that something inside stops (`autodiff::crossing_obstacle`) on its way to
    /// `x`: a gradient there would silently stop. Returns whether the
    /// derivation may proceed.
    pub(crate) fn check_grad_crosses_ifs(&mut self, root: NodeId, x: NodeId, span: Span) -> bool {
        let mut outputs: Vec<NodeId> = autodiff::backward_nodes(&self.prog, root).into_iter().collect();
        outputs.sort();
        for n in outputs {
            if !matches!(self.prog.graph.node(n).op, Op::RegionOutput { .. }) {
                continue;
            }
            // The gradient stops at `x`: a region that made `x`, or that `x` does not flow through, is not crossed.
            if n == x || !autodiff::reaches(&self.prog, n, x) {
                continue;
            }
            if let Some((at, obstacle)) = autodiff::crossing_obstacle(&self.prog, n) {
                self.region_obstacle_error(n, span, at, obstacle);
                return false;
            }
        }
        true
    }

    /// E0604 at a backward (`span`) that region output `n` stops at `at`, because of `obstacle`.
    fn region_obstacle_error(&mut self, n: NodeId, span: Span, at: Span, obstacle: autodiff::Obstacle) {
        let why = obstacle.why();
        let d = if autodiff::branch_of(&self.prog, n).is_some() {
            Diagnostic::new(
                Code::E0604,
                format!("this backward cannot differentiate through this `if` decided at run time: {why}"),
                span,
                "crosses the `if`'s boundary",
            )
            .with_help("draw the numbers before the `if` and read them inside, compute the loss and call `backward` inside each side, or `detach()` what the `if` computes")
        } else {
            // A loop whose body (or an `if` inside it) draws: the numbers can be drawn once, before it.
            let help = match obstacle {
                autodiff::Obstacle::LoopDraws | autodiff::Obstacle::BranchDraws => {
                    "draw the inner loop's numbers before this loop (`noise = randn(n, m, ...)`) and read `noise[i, j]` inside, or `detach()` what the loop computes"
                }
                autodiff::Obstacle::Unbounded => {
                    "write the loop as `for i in range(n)` with a bound and end it with `break` (its backward keeps `n` iterations), or `detach()` what the loop computes"
                }
            };
            Diagnostic::new(Code::E0604, format!("this backward cannot differentiate through this loop: {why}"), span, "crosses the loop's boundary")
                .with_help(help)
        };
        self.error(d.with_secondary(at, "here"));
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
            // A loop's or a run-time `if`'s output: the gradient goes through the
            // region to the values it read, unless something inside stops it.
            if matches!(g.node(n).op, Op::RegionOutput { .. }) {
                if let Some((at, obstacle)) = autodiff::crossing_obstacle(&self.prog, n) {
                    self.region_obstacle_error(n, span, at, obstacle);
                    return false;
                }
                stack.extend(autodiff::region_gradient_inputs(&self.prog, n));
                continue;
            }
            // Input 0 of a loop body is the index; the others come from outside the body.
            if matches!(g.node(n).op, Op::Input(_)) && self.in_loop_body {
                let what = "computed before this loop or by its previous iteration";
                let at = g.meta(n).span;
                let name = g.meta(n).note.clone().map_or_else(|| "a value".to_string(), |n| format!("`{n}`"));
                self.error(
                    Diagnostic::new(Code::E0604, format!("this backward would differentiate through a loop: {name} was {what}"), span, "crosses a loop boundary")
                        .with_secondary(at, "the loop")
                        .with_help("a backward inside a loop body reaches only this iteration's values: compute the loss from leaves (tensors created with `requires_grad=true`) inside the loop body, or `detach()` the value carried from one iteration to the next (PyTorch would go through the earlier iterations, and fail there if their graph was freed)"),
                );
                return false;
            }
            stack.extend(operands);
        }
        true
    }
}
