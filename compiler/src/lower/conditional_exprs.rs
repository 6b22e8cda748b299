//! Python's conditional expression, `a if c else b`.
//!
//! A condition known when compiling (a host bool, a number, `None`, a string)
//! lowers only the side it picks, as Python evaluates only that side: the other
//! side may name an optimizer that does not exist, or index past a list's end.
//! A condition known only at run time (a run-time bool, a one-element bool
//! tensor) is the statement `if c { tmp = a } else { tmp = b }` on a hidden
//! name, lowered by `branches.rs`, so that each side runs only when it is
//! picked, its draws and in-place updates included, and the backward reaches
//! only the side that ran, as PyTorch's autograd does. Both sides must then
//! agree on dtype, shape and kind (E0605), which the join checks.

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Block, Expr, Ident, IfStmt, Stmt, StmtKind};

use super::{Lowerer, Scope, Value};

/// The prefix of the hidden name a run-time conditional expression binds; the
/// join's errors name "the value of `a if c else b`" instead of it.
pub(crate) const HIDDEN: &str = "<value of if-else";

impl Lowerer<'_> {
    /// `then if cond else otherwise`.
    pub(crate) fn if_else(&mut self, then: &Expr, cond: &Expr, otherwise: &Expr, scope: &mut Scope) -> Value {
        let c = self.expr(cond, scope);
        if let Some(node) = self.runtime_condition(&c) {
            return self.runtime_if_else(then, cond, otherwise, node, scope);
        }
        // Python's truth of a compile-time value; `condition` reports the rest (E0113).
        let picked = match &c {
            Value::Number(n) => Some(n.f64() != 0.0),
            Value::None => Some(false),
            Value::Str(s) => Some(!s.is_empty()),
            Value::List(items) | Value::Tuple(items) => Some(!items.is_empty()),
            _ => self.condition(c, cond.span, "a conditional expression"),
        };
        match picked {
            Some(true) => self.expr(then, scope),
            Some(false) => self.expr(otherwise, scope),
            None => Value::Poison,
        }
    }

    /// The run-time side of [`Lowerer::if_else`]: a run-time `if` statement
    /// whose two sides bind one hidden name.
    fn runtime_if_else(&mut self, then: &Expr, cond: &Expr, otherwise: &Expr, node: NodeId, scope: &mut Scope) -> Value {
        if !self.op_frames.is_empty() {
            return self.error(
                Diagnostic::new(
                    Code::E0603,
                    "a conditional expression on a run-time value inside an op's block is not supported",
                    cond.span,
                    "run-time condition in an op",
                )
                .with_help("for tensors write `where(c, a, b)`; otherwise decide the condition at compile time (`needs_grad(x)`, `b is none`)"),
            );
        }
        // Nested conditionals (`a if c else b if d else e`) each bind their own name.
        let name = format!("{HIDDEN} {}>", self.if_else_depth);
        let side = |value: &Expr| Block {
            stmts: vec![Stmt {
                kind: StmtKind::Assign { target: Ident { name: name.clone(), span: value.span }, value: value.clone() },
                span: value.span,
            }],
            span: value.span,
        };
        let stmt = IfStmt { branches: vec![(cond.clone(), side(then))], otherwise: Some(side(otherwise)) };
        self.if_else_depth += 1;
        let kind = self.body_kind;
        // A conditional expression has no `return` inside it, so the `if` gives no result.
        let _ = self.runtime_if(&stmt, 0, node, scope, kind);
        self.if_else_depth -= 1;
        self.globals.remove(&name);
        self.one_sided.remove(&name);
        match scope.names.remove(&name) {
            Some(v) => self.current_value(v),
            // The join reported why the sides do not agree.
            None => Value::Poison,
        }
    }
}
