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
use crate::ir::program::PrintArg;
use crate::syntax::ast::{Block, Expr, ExprKind, FPiece, Ident, IfStmt, IndexItem, Stmt, StmtKind};

use super::output_calls::concat;
use super::{Lowerer, Scope, Value};

/// The prefix of the hidden name a run-time conditional expression binds; the
/// join's errors name "the value of `a if c else b`" instead of it.
pub(crate) const HIDDEN: &str = "<value of if-else";

impl Lowerer<'_> {
    /// `then if cond else otherwise`.
    pub(crate) fn if_else(&mut self, then: &Expr, cond: &Expr, otherwise: &Expr, scope: &mut Scope) -> Value {
        let c = self.expr(cond, scope);
        if let Some(node) = self.runtime_condition(&c) {
            if let Some(v) = self.runtime_text_choice(then, otherwise, node, scope) {
                return v;
            }
            return self.runtime_if_else(then, cond, otherwise, node, scope);
        }
        // Python's truth of a compile-time value; `condition` reports the rest (E0113).
        match self.condition(c, cond.span, "a conditional expression") {
            Some(true) => self.expr(then, scope),
            Some(false) => self.expr(otherwise, scope),
            None => Value::Poison,
        }
    }

    /// Two texts picked by a run-time condition (`"best" if val < best else ""`,
    /// `f"{lr:.1e}" if warm else "decay"`): a run-time text whose printing
    /// picks one side (`PrintArg::Choice`). Only sides that evaluate without
    /// effects are taken (string literals, f-strings and names whose fields
    /// read values), so that computing both changes nothing Python would not;
    /// `None` (nothing lowered) when a side is not such an expression.
    /// Values that are not texts (numbers, tensors) take the run-time `if`.
    fn runtime_text_choice(&mut self, then: &Expr, otherwise: &Expr, cond: NodeId, scope: &mut Scope) -> Option<Value> {
        if !text_side(then) || !text_side(otherwise) {
            return None;
        }
        let a = self.expr(then, scope);
        let b = self.expr(otherwise, scope);
        let text = |v: &Value| match v {
            Value::Str(s) => Some(PrintArg::Text(s.clone())),
            Value::Text(items) => Some(concat(items.clone())),
            _ => None,
        };
        match (&a, &b) {
            (Value::Poison, _) | (_, Value::Poison) => Some(Value::Poison),
            _ => match (text(&a), text(&b)) {
                (Some(x), Some(y)) => Some(Value::Text(vec![PrintArg::Choice { cond, then: Box::new(x), otherwise: Box::new(y) }])),
                _ => None,
            },
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

/// Whether `e` may be a side of a run-time text choice: an expression that
/// reads values and has no effects (no call but `.item()`), so evaluating it
/// when the other side is picked changes nothing.
fn text_side(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Str(_) | ExprKind::Name(_) => true,
        ExprKind::FString(pieces) => pieces.iter().all(|p| match p {
            FPiece::Text(_) => true,
            FPiece::Field { expr, .. } => reads_only(expr),
        }),
        ExprKind::IfElse { then, cond, otherwise } => text_side(then) && reads_only(cond) && text_side(otherwise),
        _ => false,
    }
}

/// Whether evaluating `e` only reads values: names, literals, fields,
/// subscripts by such expressions, arithmetic, comparisons and `.item()`.
fn reads_only(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Number { .. } | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None | ExprKind::Name(_) => true,
        ExprKind::Field { receiver, .. } => reads_only(receiver),
        ExprKind::Index { receiver, items } => reads_only(receiver) && items.iter().all(|i| matches!(i, IndexItem::Expr(x) if reads_only(x))),
        ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => reads_only(operand),
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Logic { lhs, rhs, .. } => reads_only(lhs) && reads_only(rhs),
        ExprKind::Chain { first, links } => reads_only(first) && links.iter().all(|(_, x)| reads_only(x)),
        ExprKind::Method { receiver, method, args } => method.name == "item" && args.is_empty() && reads_only(receiver),
        ExprKind::IfElse { then, cond, otherwise } => reads_only(then) && reads_only(cond) && reads_only(otherwise),
        _ => false,
    }
}
