//! List comprehensions and generator expressions (`[p.grad for p in params]`,
//! `sum(p.pow(2).sum() for p in params)`), and Python's `sum` of a list.
//!
//! A comprehension is unrolled while compiling, as a `for` over a list is: its
//! iterables are lists, tuples, shapes or tensors' rows known now, and the
//! element is lowered once per item, in Python's order. Its variables are bound
//! only inside it (Python 3 gives a comprehension its own scope), so a name of
//! the same name outside keeps its value, and a fn called inside does not see them.

use super::{Lowerer, Num, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, CompClause, Comprehension, Ident, Span};

/// How many elements one comprehension may evaluate: each is lowered into the
/// graph, so this bounds what a short line can make the compiler do.
const MAX_ELEMENTS: usize = 1 << 16;

impl Lowerer<'_> {
    /// `[elem for ... in ... if ...]`: the list of the elements.
    pub(crate) fn comprehension(&mut self, c: &Comprehension, span: Span, scope: &mut Scope) -> Value {
        let names: Vec<&str> = c.clauses.iter().flat_map(|cl| cl.targets.iter().map(|t| t.name.as_str())).collect();
        let before: Vec<(String, Option<Value>)> = names.iter().map(|n| (n.to_string(), scope.names.get(*n).cloned())).collect();
        let mut out = Vec::new();
        let ok = self.clause(c, 0, scope, &mut out, span);
        for (name, v) in before {
            match v {
                Some(v) => scope.names.insert(name, v),
                None => scope.names.remove(&name),
            };
        }
        if ok && c.key.is_some() {
            // The pairs, in order, make the dict as `dict(pairs)` would.
            self.dict_call(&[(None, Value::List(out), span)], span)
        } else if ok {
            Value::List(out)
        } else {
            Value::Poison
        }
    }

    /// Clause `k` and those after it; `false` once an error is reported.
    fn clause(&mut self, c: &Comprehension, k: usize, scope: &mut Scope, out: &mut Vec<(Value, Span)>, span: Span) -> bool {
        let Some(clause) = c.clauses.get(k) else {
            if out.len() == MAX_ELEMENTS {
                self.error(
                    Diagnostic::new(Code::E0600, format!("this comprehension makes more than {MAX_ELEMENTS} elements"), span, "too many to unroll")
                        .with_help("a comprehension is unrolled when compiling: compute the values as one tensor (`arange`, broadcasting) instead"),
                );
                return false;
            }
            // A dict comprehension's key is evaluated before its value, as in Python 3.8+.
            let key = c.key.as_ref().map(|k| (self.expr(k, scope), k.span));
            let v = self.expr(&c.elem, scope);
            if matches!(v, Value::Poison) || matches!(key, Some((Value::Poison, _))) {
                return false;
            }
            out.push(match key {
                Some(k) => (Value::Tuple(vec![k, (v, c.elem.span)]), c.elem.span),
                None => (v, c.elem.span),
            });
            return true;
        };
        let Some(items) = self.clause_items(clause, scope) else { return false };
        for (item, item_span) in items {
            if !self.bind_targets(&clause.targets, item, item_span, scope) {
                return false;
            }
            let mut keep = true;
            for cond in &clause.conds {
                let v = self.expr(cond, scope);
                match v {
                    Value::Bool(b) => keep = b,
                    Value::Poison => return false,
                    other => {
                        self.error(
                            Diagnostic::new(Code::E0113, format!("the condition of a comprehension must be a bool, not {}", other.describe()), cond.span, "not a bool")
                                .with_help("the comprehension is unrolled when compiling, so its condition is a host bool known then; select tensor elements with `where` or a mask instead"),
                        );
                        return false;
                    }
                }
                if !keep {
                    break;
                }
            }
            if keep && !self.clause(c, k + 1, scope, out, span) {
                return false;
            }
        }
        true
    }

    /// The items a clause iterates over.
    fn clause_items(&mut self, clause: &CompClause, scope: &mut Scope) -> Option<Vec<(Value, Span)>> {
        let v = self.expr(&clause.iter, scope);
        if matches!(v, Value::Poison) {
            return None;
        }
        if let Some(items) = self.sequence_items(&v, clause.iter.span) {
            return Some(items);
        }
        // A pass over a loader, unrolled (`sum(loss(model(xb), yb) for xb, yb in valid_dl)`).
        if let Value::Loader(l) = &v {
            if self.loader_batches(l) <= super::loops::MAX_UNROLL {
                return Some(self.unrolled_pass(l.clone(), clause.iter.span));
            }
        }
        let what = match &v {
            Value::Loader(_) => format!("a data loader of more than {} batches", super::loops::MAX_UNROLL),
            Value::Tensor(t) if self.shape_of(*t).is_empty() => "a 0-d tensor".to_string(),
            Value::Tensor(_) => format!("a tensor of more than {} rows", super::loops::MAX_UNROLL),
            other => other.describe().to_string(),
        };
        self.error(Diagnostic::new(Code::E0600, format!("a comprehension cannot iterate over {what}"), clause.iter.span, "not a list").with_help(
            format!(
                "a comprehension is unrolled when compiling: iterate over a list, a tuple, a shape, `range(n)` or a tensor of at most {} rows",
                super::loops::MAX_UNROLL
            ),
        ));
        None
    }

    /// Binds one item to the clause's names (`for a, b in ...` unpacks it).
    fn bind_targets(&mut self, targets: &[Ident], item: Value, span: Span, scope: &mut Scope) -> bool {
        if let [t] = targets {
            scope.names.insert(t.name.clone(), item);
            return true;
        }
        let values = self.unpack(item, targets.len(), span);
        if values.iter().any(|v| matches!(v, Value::Poison)) {
            return false;
        }
        for (t, v) in targets.iter().zip(values) {
            scope.names.insert(t.name.clone(), v);
        }
        true
    }

    /// Python's `sum(xs, start=0)` of a list or tuple: `start + xs[0] + xs[1] + ...`,
    /// left to right, each `+` the one the items would meet (a tensor's is PyTorch's
    /// `add`, so `sum(p.pow(2).sum() for p in params)` is a tensor with `grad_fn`).
    pub(super) fn python_sum(&mut self, items: &[(Value, Span)], start: Option<(Value, Span)>, span: Span) -> Value {
        let mut acc = start.unwrap_or((Value::Number(Num::Int(0)), span));
        for (v, vs) in items {
            let next = self.binary(BinOp::Add, acc, (v.clone(), *vs), span);
            if matches!(next, Value::Poison) {
                return next;
            }
            acc = (next, span);
        }
        acc.0
    }
}
