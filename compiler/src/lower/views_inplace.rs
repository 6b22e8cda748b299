//! In-place updates of views. In PyTorch `h = x[0]; h += 1` also changes `x`,
//! since `h` shares `x`'s storage; graphc has no aliasing, so an update of a
//! view changes only the view. Rather than silently print something else than
//! PyTorch, an update of a view whose base a name still holds is E0624; the
//! update through a subscript of the base (`x[0] += 1`) is what does it.

use graphc_runtime::op::Unary;
use graphc_runtime::Op;

use super::{Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The `grad_fn`s of PyTorch's view ops: their results share the operand's storage.
const VIEW_GRAD_FNS: &[&str] = &[
    "AliasBackward0",
    "ExpandBackward0",
    "PermuteBackward0",
    "ReshapeAliasBackward0",
    "SelectBackward0",
    "SliceBackward0",
    "SplitBackward0",
    "SplitWithSizesBackward0",
    "SqueezeBackward0",
    "SqueezeBackward1",
    "SqueezeBackward4",
    "TBackward0",
    "TransposeBackward0",
    "UnsqueezeBackward0",
    "ViewBackward0",
];

impl Lowerer<'_> {
    /// The tensor `n` is a view of, if it is one.
    fn view_base(&self, n: NodeId) -> Option<NodeId> {
        let op = &self.prog.graph.node(n).op;
        let is_view = match (op, self.grad_fn.get(&n)) {
            (Op::Unary(Unary::Detach), _) => !self.is_grad_leaf(n),
            (_, Some(g)) => VIEW_GRAD_FNS.contains(&g.as_str()),
            // A step of a view op that lowers to several nodes (a select is a slice
            // and a reshape) has no `grad_fn` of its own.
            (op, None) => matches!(op, Op::Slice { .. } | Op::Reshape | Op::Transpose | Op::Permute(_) | Op::Expand),
        };
        if !is_view {
            return None;
        }
        self.prog.graph.operands(n).first().copied()
    }

    /// E0624 when `t` is a view (possibly of a view) of a tensor that a name or a
    /// list item still holds. Returns whether the update may go ahead.
    pub(crate) fn check_not_a_view(&mut self, t: NodeId, scope: &Scope, span: Span) -> bool {
        let mut n = self.current(t);
        while let Some(base) = self.view_base(n) {
            let base = self.current(base);
            let held = scope.names.values().chain(self.globals.values()).any(|v| self.holds(v, base));
            if held {
                let made = self.prog.graph.meta(self.current(t)).span;
                self.error(
                    Diagnostic::new(Code::E0624, "an in-place update of a view: graphc does not update the tensor it views", span, "updates a view")
                        .with_secondary(made, "this is a view of another tensor, which PyTorch would update too")
                        .with_help("update the tensor itself through a subscript (`x[0] += 1`), or update a copy (`h = x[0].clone()`)"),
                );
                return false;
            }
            n = base;
        }
        true
    }

    /// Whether value `v` (or an item of it) holds tensor object `n`.
    fn holds(&self, v: &Value, n: NodeId) -> bool {
        match v {
            Value::Tensor(m) => self.current(*m) == n,
            Value::List(items) | Value::Tuple(items) => items.iter().any(|(i, _)| self.holds(i, n)),
            _ => false,
        }
    }
}
