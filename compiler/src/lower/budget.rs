//! The resource checks of lowering, run on every node as it is added
//! ([`Lowerer::node`]), so that each way of making a tensor (creation calls,
//! broadcasts, matmuls of declared inputs, inlined calls) is covered by one check:
//! a tensor's element count (E0501, computed without overflow), its bytes against
//! the memory budget (E0502) and the graph's node count (E0503).

use std::collections::HashSet;

use super::builtin_calls::MAX_ELEMENTS;
use super::Lowerer;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::driver::budget::{show_bytes, Budget};
use crate::ir::graph::NodeId;

/// The budget and what lowering has found against it so far.
pub(crate) struct State {
    limits: Budget,
    /// Nodes already reported as too large, or computed from one: a chain of ops on
    /// one oversized tensor is reported once, at its first node.
    pub(super) oversized: HashSet<NodeId>,
    /// Set once the node limit is reported: no call is inlined after that, so that
    /// lowering stops growing the graph.
    full: bool,
}

impl State {
    pub(crate) fn new(limits: Budget) -> State {
        State { limits, oversized: HashSet::new(), full: false }
    }
}

/// The elements of a tensor of `shape`; `None` when the count does not fit in 128 bits.
pub(crate) fn element_count(shape: &[usize]) -> Option<u128> {
    shape.iter().try_fold(1u128, |n, &d| n.checked_mul(d as u128))
}

impl Lowerer<'_> {
    /// Checks node `id`, just added with operands `args`, against the budget.
    pub(super) fn check_budget(&mut self, id: NodeId, args: &[NodeId]) {
        if self.prog.graph.node_count() > self.budget.limits.max_nodes && !self.budget.full {
            self.budget.full = true;
            self.graph_too_large(id);
        }
        if args.iter().any(|a| self.budget.oversized.contains(a)) {
            self.budget.oversized.insert(id);
            return;
        }
        let node = self.prog.graph.node(id);
        let (dtype, shape) = (node.dtype, node.shape.clone());
        let span = self.prog.graph.meta(id).span;
        let elements = element_count(&shape);
        let bytes = elements.and_then(|n| n.checked_mul(dtype.size() as u128));
        let diag = match (elements, bytes) {
            (Some(n), Some(b)) if n <= MAX_ELEMENTS && b <= self.budget.limits.max_bytes as u128 => return,
            (Some(n), Some(b)) if n <= MAX_ELEMENTS => Diagnostic::new(
                Code::E0502,
                format!(
                    "this tensor of shape {} ({dtype}) needs {}, more than {}",
                    shapes::show(&shape),
                    show_bytes(b),
                    self.budget.limits.describe()
                ),
                span,
                format!("{} of {dtype}", shapes::show(&shape)),
            )
            .with_help(
                "use smaller shapes, or raise the budget with `--max-memory SIZE` (for example `--max-memory 16G`) if the machine has the memory",
            ),
            (count, _) => Diagnostic::new(
                Code::E0501,
                format!(
                    "this tensor of shape {} has {} elements, more than graphc allows ({MAX_ELEMENTS})",
                    shapes::show(&shape),
                    count.map_or_else(|| "more than 2^128".to_string(), |n| n.to_string())
                ),
                span,
                format!("{} elements", count.map_or_else(|| "too many".to_string(), |n| n.to_string())),
            )
            .with_help("use smaller shapes: check which operands broadcast against each other here"),
        };
        self.budget.oversized.insert(id);
        self.error(diag);
    }

    /// False once the graph reached its node limit: calls are no longer inlined.
    pub(super) fn graph_has_room(&self) -> bool {
        !self.budget.full
    }

    /// E0503 at the node that crossed the limit, naming the chain of inlined calls.
    fn graph_too_large(&mut self, id: NodeId) {
        let span = self.prog.graph.meta(id).span;
        let limit = self.budget.limits.max_nodes;
        let chain = if self.call_stack.is_empty() { "at the top level".to_string() } else { format!("inside {}", self.call_stack.join(" -> ")) };
        self.error(
            Diagnostic::new(
                Code::E0503,
                format!(
                    "the program's graph grows past {limit} nodes ({chain}): every call is inlined, so calls that call others several times multiply"
                ),
                span,
                "the graph reached its node limit here",
            )
            .with_help("make a fn call another fewer times (compute a value once and reuse it), or nest such fns less deeply"),
        );
    }
}
