//! Conditions that depend on a `range` loop's counter alone (`epoch % 100 == 0`,
//! `(i + 1) % 10 == 0 and i > 0`), evaluated at compile time for every value
//! the counter takes.
//!
//! A loop whose body appends to a list under such a condition
//! (`if epoch % 100 == 0: losses.append(loss.item())`) is compiled once, and the
//! list is kept as a tensor of its items (`stacked_lists.rs`). How many items
//! the list holds after the loop is then known by counting the iterations in
//! which the condition holds, which is what lets every later use of the list
//! have a shape known at compile time. The condition is evaluated with the
//! runtime's own kernels, so the count is the one the run takes.

use graphc_runtime::{kernels, DType, Op, Tensor};

use super::Lowerer;
use crate::ir::graph::NodeId;
use crate::ir::program::Program;
use crate::syntax::ast::Span;

/// The most nodes a condition may have: conditions on a counter are a few
/// arithmetic operations and comparisons.
const MAX_NODES: usize = 64;

/// The most iterations a condition is evaluated for. Each evaluation runs a few
/// kernels on 0-d tensors (well under a microsecond), so a million keeps the
/// count within a fraction of a second of compile time.
pub(super) const MAX_ITERATIONS: u64 = 1 << 20;

/// One node of a condition: its op, its result's dtype and shape, and its
/// operands as indices of earlier nodes. Node 0 is the counter.
#[derive(Clone, Debug)]
struct Step {
    op: Op,
    dtype: DType,
    shape: Vec<usize>,
    operands: Vec<usize>,
}

/// A bool computed from the loop counter and constants only.
#[derive(Clone, Debug)]
pub(super) struct CounterCondition {
    steps: Vec<Step>,
}

impl CounterCondition {
    /// The nodes `cond` is computed from, when they are constants, the counter
    /// `counter`, and pure elementwise or shape ops of those, all of one element.
    pub(super) fn extract(prog: &Program, cond: NodeId, counter: NodeId) -> Option<CounterCondition> {
        let mut steps = vec![Step { op: Op::Input(0), dtype: DType::I64, shape: Vec::new(), operands: Vec::new() }];
        let mut index: std::collections::HashMap<NodeId, usize> = std::collections::HashMap::from([(counter, 0)]);
        // Operands are visited before the nodes that read them (an explicit
        // stack: a condition is small, but recursion depth should not depend on input).
        let mut stack = vec![(cond, false)];
        while let Some((n, expanded)) = stack.pop() {
            if index.contains_key(&n) {
                continue;
            }
            let node = prog.graph.node(n);
            let pure = !node.op.is_random() && !matches!(node.op, Op::Input(_) | Op::RegionOutput { .. } | Op::Param(_) | Op::Data(_));
            if !pure || node.shape.iter().product::<usize>() != 1 {
                return None;
            }
            let operands = prog.graph.operands(n);
            if !expanded {
                stack.push((n, true));
                stack.extend(operands.iter().map(|&o| (o, false)));
                continue;
            }
            if steps.len() == MAX_NODES {
                return None;
            }
            let operands = operands.iter().map(|o| index.get(o).copied()).collect::<Option<Vec<usize>>>()?;
            index.insert(n, steps.len());
            steps.push(Step { op: node.op.clone(), dtype: node.dtype, shape: node.shape.clone(), operands });
        }
        let last = steps.last()?;
        (last.dtype == DType::Bool && index.get(&cond) == Some(&(steps.len() - 1))).then_some(CounterCondition { steps })
    }

    /// Whether the condition holds when the counter is `counter`.
    pub(super) fn holds(&self, counter: i64) -> bool {
        let mut values: Vec<Tensor> = Vec::with_capacity(self.steps.len());
        values.push(Tensor::from_i64(Vec::new(), vec![counter]));
        for s in &self.steps[1..] {
            let args: Vec<&Tensor> = s.operands.iter().map(|&i| &values[i]).collect();
            let v = kernels::eval(&s.op, &args, s.dtype, &s.shape);
            values.push(v);
        }
        values.last().and_then(|t| t.f64_at(0)).is_some_and(|v| v != 0.0)
    }

    /// The first of the `trip` iterations from `first` by `step` in which the
    /// condition differs from the first iteration (`Some(None)`: in none);
    /// `None` past [`MAX_ITERATIONS`] or when a counter value leaves i64.
    pub(super) fn first_change(&self, first: i128, step: i128, trip: u64) -> Option<Option<u64>> {
        if trip > MAX_ITERATIONS {
            return None;
        }
        let at = |t: u64| i64::try_from(first + t as i128 * step).ok().map(|i| self.holds(i));
        let initial = at(0)?;
        for t in 1..trip {
            if at(t)? != initial {
                return Some(Some(t));
            }
        }
        Some(None)
    }

    /// How many of the `trip` iterations from `first` by `step` it holds in;
    /// `None` past [`MAX_ITERATIONS`] or when a counter value leaves i64.
    pub(super) fn count(&self, first: i128, step: i128, trip: u64) -> Option<u64> {
        if trip > MAX_ITERATIONS {
            return None;
        }
        let mut n = 0;
        for t in 0..trip as i128 {
            let i = i64::try_from(first + t * step).ok()?;
            n += u64::from(self.holds(i));
        }
        Some(n)
    }
}

impl Lowerer<'_> {
    /// A run-time condition of a `range` loop's body that depends on the counter
    /// alone: recorded with the first iteration in which it changes, so that
    /// the loop can split there if the `if` cannot be a run-time branch; and
    /// decided now (its value in every iteration of the region) once the loop
    /// has split at it.
    pub(super) fn counter_truth(&mut self, cond: NodeId, span: Span) -> Option<bool> {
        let counter = self.counter.as_ref()?;
        let c = CounterCondition::extract(&self.prog, cond, counter.node)?;
        let (first, step, trip) = (counter.first, counter.step, counter.trip);
        // Evaluated in every iteration only once the loop splits at it: a
        // run-time `if` that can be one costs no compile time per iteration.
        let decided = self.decided_by_counter.contains(&span) && c.first_change(first as i128, step as i128, trip) == Some(None);
        let truth = decided.then(|| c.holds(first));
        self.counter_splits.push((span, c, first, step, trip));
        truth
    }
}
