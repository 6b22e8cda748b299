//! `xs.append(v)` and `xs[i] = v`: Python's list append and item assignment
//! on a list bound to a name.
//!
//! A list is a compile-time value holding the items themselves, so appending
//! rebinds the name to the longer list, and assigning an item rebinds it to
//! the list with that item replaced. (Another name bound to the same list
//! keeps the old items, where Python's would share the change.) In unrolled code this builds lists for
//! `cat`/`stack`; in a compiled loop body, appending to a list that lives
//! outside the loop makes the state grow in every iteration (E0602, which then
//! suggests a preallocated tensor).

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Arg, Expr, ExprKind, IndexItem, Span};

use super::{Lowerer, Scope, Value};

impl Lowerer<'_> {
    /// `receiver.append(value)`; the call's value is `None`, as in Python.
    pub(crate) fn list_append(&mut self, receiver: &Expr, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        let help = "append to a list bound to a name: `xs = []`, then `xs.append(t)`";
        let ExprKind::Name(name) = &receiver.kind else {
            return self.error(Diagnostic::new(Code::E0107, "`append` needs a list bound to a name", receiver.span, "not a name").with_help(help));
        };
        let [Arg { name: None, value }] = args else {
            return self.error(Diagnostic::new(Code::E0107, "`append` takes one value", span, "wrong arguments").with_help(help));
        };
        let item = self.expr(value, scope);
        if let Some(Value::Appending(_)) = scope.names.get(name) {
            return self.stacked_append(name, (item, value.span), scope, span);
        }
        let list = match scope.names.get(name) {
            Some(Value::List(items)) => items.clone(),
            Some(Value::Poison) => return Value::Poison,
            Some(other) => {
                let what = other.describe();
                return self
                    .error(Diagnostic::new(Code::E0107, format!("`append` needs a list, not {what}"), receiver.span, "not a list").with_help(help));
            }
            // An unknown name was reported by the name checks.
            None => return Value::Poison,
        };
        let mut list = list;
        list.push((item, value.span));
        // At the top level, the globals that fns read hold the same list.
        if self.call_stack.is_empty() && self.globals.contains_key(name) {
            self.globals.insert(name.clone(), Value::List(list.clone()));
        }
        scope.names.insert(name.clone(), Value::List(list));
        Value::None
    }

    /// `name[i] = v` on a list bound to `name`: `i` an integer, negative from
    /// the end, within the list (Python's IndexError otherwise).
    pub(crate) fn list_store(
        &mut self,
        base: &Expr,
        mut list: Vec<(Value, Span)>,
        items: &[IndexItem],
        (v, vs): (Value, Span),
        scope: &mut Scope,
    ) -> Value {
        let help = "assign an item of a list bound to a name by an integer: `view[0] = -1`";
        let ExprKind::Name(name) = &base.kind else {
            return self.error(
                Diagnostic::new(Code::E0624, "cannot assign into a list that is not bound to a name", base.span, "not a name").with_help(help),
            );
        };
        let [IndexItem::Expr(at)] = items else {
            let s = match items.first() {
                Some(IndexItem::Expr(e)) => e.span,
                Some(IndexItem::Slice { span, .. } | IndexItem::Ellipsis(span)) => *span,
                None => base.span,
            };
            return self.error(Diagnostic::new(Code::E0624, "a list item is assigned by one integer index", s, "not one integer").with_help(help));
        };
        let n = list.len() as i128;
        let i = match self.expr(at, scope) {
            Value::Number(super::Num::Int(i)) => i,
            Value::Poison => return Value::Poison,
            other => {
                let what = if matches!(other, Value::Number(super::Num::Float(_))) { "a float" } else { other.describe() };
                return self.error(
                    Diagnostic::new(Code::E0624, format!("list indices must be integers, not {what}"), at.span, "not an integer").with_help(help),
                );
            }
        };
        let k = if i < 0 { i + n } else { i };
        if !(0..n).contains(&k) {
            return self.error(
                Diagnostic::new(Code::E0624, format!("list assignment index {i} is out of range for a list of {n} items"), at.span, "out of range")
                    .with_help(format!("index from {} to {}", -n, n - 1)),
            );
        }
        if matches!(v, Value::Poison) {
            return Value::Poison;
        }
        list[k as usize] = (v, vs);
        if self.call_stack.is_empty() && self.globals.contains_key(name) {
            self.globals.insert(name.clone(), Value::List(list.clone()));
        }
        scope.names.insert(name.clone(), Value::List(list));
        Value::None
    }
}
