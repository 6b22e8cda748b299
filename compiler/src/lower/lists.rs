//! `xs.append(v)`: Python's list append on a list bound to a name.
//!
//! A list is a compile-time value holding the items themselves, so appending
//! rebinds the name to the longer list. In unrolled code this builds lists for
//! `cat`/`stack`; in a compiled loop body, appending to a list that lives
//! outside the loop makes the state grow in every iteration (E0602, which then
//! suggests a preallocated tensor).

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Arg, Expr, ExprKind, Span};

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
}
