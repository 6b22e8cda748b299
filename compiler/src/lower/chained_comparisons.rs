//! Python's chained comparisons: `a < b <= c` means `a < b and b <= c`, with
//! `b` evaluated once.
//!
//! Each link is an ordinary comparison of its two neighbours. A link that is
//! false when compiling ends the chain there, as Python's `and` does, so the
//! operands after it are not lowered. A link decided at run time (a run-time
//! number compared) joins the others with a run-time `and`. A tensor link that
//! Python's `and` tests with `bool()` must have one element, or it is E0005,
//! where PyTorch raises "Boolean value of Tensor with more than one value is
//! ambiguous": `0 < x < 1` on a tensor of several elements is still caught
//! when compiling. Python's `and` returns an operand, not a bool (the first
//! false link, or the last one), so a chain of one-element tensor links is a
//! tensor (their `logical_and`, which for one element is the same), and a chain
//! whose value would be a bool or a tensor depending on the run is E0644.

use graphc_runtime::op::Logical;
use graphc_runtime::{DType, Op};

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Expr, Span};

use super::{Lowerer, Scope, Value};

/// What the links so far come to, in Python's terms.
enum Held {
    /// Every link was true when compiling.
    True,
    /// A run-time bool: the `and` of the links decided at run time.
    Host(Value),
    /// One-element bool tensors only: Python's `and` returns the first false
    /// one, or the last, so the value so far is that tensor.
    Tensor(NodeId),
}

impl Lowerer<'_> {
    /// `first op1 e1 op2 e2 ...`.
    pub(crate) fn chain(&mut self, first: &Expr, links: &[(BinOp, Expr)], span: Span, scope: &mut Scope) -> Value {
        let mut left = (self.expr(first, scope), first.span);
        let mut held = Held::True;
        for (k, (op, e)) in links.iter().enumerate() {
            let right = (self.expr(e, scope), e.span);
            let link_span = left.1.to(e.span);
            let cmp = self.binary(*op, left, right.clone(), link_span);
            let last = k + 1 == links.len();
            held = match (held, cmp) {
                (_, Value::Poison) => return Value::Poison,
                // Python stops at the first false link and returns it, or the
                // false tensor before it: a type only the run would know.
                (Held::True | Held::Host(_), Value::Bool(false)) => return Value::Bool(false),
                (h, Value::Bool(true)) if !matches!(h, Held::Tensor(_)) => h,
                (Held::True, Value::Tensor(t)) if last => return Value::Tensor(t),
                (Held::True, Value::Tensor(t)) => {
                    if !self.one_element_link(t, link_span) {
                        return Value::Poison;
                    }
                    Held::Tensor(t)
                }
                (Held::Tensor(h), Value::Tensor(t)) if self.shape_of(h) == self.shape_of(t) => {
                    if !last && !self.one_element_link(t, link_span) {
                        return Value::Poison;
                    }
                    // `h and t` is `t` when `h` holds and `h` (false) otherwise: for
                    // bools of one element, `logical_and` of the two.
                    let shape = self.shape_of(t);
                    Held::Tensor(self.node(Op::Logical(Logical::And), DType::Bool, shape, &[h, t], link_span))
                }
                (Held::True, host @ Value::Host { .. }) => Held::Host(host),
                (Held::Host(h), host @ Value::Host { .. }) => Held::Host(self.host_logic(true, (h, span), (host, link_span), span)),
                (_, Value::Tensor(_) | Value::Host { .. } | Value::Bool(_)) => return self.mixed_chain(link_span),
                (_, other) => {
                    return self.error(Diagnostic::new(
                        Code::E0113,
                        format!("a link of a chained comparison must be a bool, not {}", other.describe()),
                        link_span,
                        "not a bool",
                    ))
                }
            };
            left = right;
        }
        match held {
            Held::True => Value::Bool(true),
            Held::Host(v) => v,
            Held::Tensor(t) => Value::Tensor(t),
        }
    }

    /// Whether a tensor link that Python's `and` tests with `bool()` has one
    /// element; E0005 otherwise, where PyTorch raises.
    fn one_element_link(&mut self, t: NodeId, link_span: Span) -> bool {
        let n: usize = self.shape_of(t).iter().product();
        if n != 1 {
            self.error(
                Diagnostic::new(
                    Code::E0005,
                    "Boolean value of Tensor with more than one value is ambiguous",
                    link_span,
                    format!("a tensor of {n} elements, which the chain's `and` tests"),
                )
                .with_help(
                    "Python reads `a < b < c` as `a < b and b < c`; compare elementwise with `(a < b) & (b < c)` or `logical_and(a < b, b < c)`",
                ),
            );
        }
        n == 1
    }

    /// A chain whose value would be a bool or a tensor (or tensors of two
    /// shapes), depending on the run: Python's `and` returns an operand.
    fn mixed_chain(&mut self, link_span: Span) -> Value {
        self.error(
            Diagnostic::new(Code::E0644, "this chained comparison's value has a type known only at run time", link_span, "decided with the links before it")
                .with_help("Python's `and` returns the first false link or the last one, here a bool or a tensor; convert the tensor links with `bool(...)` or `.item()`"),
        )
    }
}
