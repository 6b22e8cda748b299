//! Python dicts: `{"lr": 0.1, "momentum": 0.9}`, `out[split] = losses.mean()`,
//! `config["lr"]`, `for k, v in d.items()`, `"lr" in d`, `len(d)`, `print(d)`.
//!
//! A dict is a compile-time value, as a list is: its keys are known when
//! compiling (strings, numbers, bools, `None` and tuples of them, compared as
//! Python's `==` compares them, so `1`, `1.0` and `True` are one key), kept in
//! insertion order; its values may be anything, run-time values included,
//! and they are places a loop or a run-time `if` carries (`regions.rs`). A
//! loop body or a side of a run-time `if` that adds a key changes the dict's
//! kind, which they refuse, as they refuse a list that grows.
//!
//! A subscript store (`d[k] = v`) and the methods that change a dict (`pop`,
//! `update`, `setdefault`) rebind the name that holds it, as `list_store`
//! does for lists; a dict changed through another name, or inside a fn it was
//! passed to, is not changed where it came from.

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Expr, ExprKind, Ident, IndexItem, Span};

use super::membership::python_type;
use super::{Lowerer, Num, Scope, Value};

/// A dict's keys and the value each holds.
type Entries = (Vec<Value>, Vec<(Value, Span)>, bool);

/// Whether two keys are one key of a Python dict: equal strings, equal
/// numbers of any type (`1 == 1.0 == True`), `None`, or tuples of such.
fn same_key(a: &Value, b: &Value) -> bool {
    let number = |v: &Value| match v {
        Value::Number(Num::Int(i)) => Some(*i as f64),
        Value::Number(Num::Float(f)) => Some(*f),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Number(Num::Int(x)), Value::Number(Num::Int(y))) => x == y,
        (Value::None, Value::None) => true,
        (Value::Tuple(x), Value::Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|((p, _), (q, _))| same_key(p, q)),
        _ => matches!((number(a), number(b)), (Some(x), Some(y)) if x == y),
    }
}

/// Python's `repr` of a key, for messages and for the signature that a loop
/// checks (`regions::walk`).
fn key_repr(k: &Value) -> String {
    match k {
        Value::Str(s) => super::tuples::python_str_repr(s),
        Value::Number(Num::Int(i)) => i.to_string(),
        Value::Number(Num::Float(f)) => graphc_runtime::format::python_float_repr(*f),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Value::None => "None".to_string(),
        Value::Tuple(items) if items.len() == 1 => format!("({},)", key_repr(&items[0].0)),
        Value::Tuple(items) => format!("({})", items.iter().map(|(v, _)| key_repr(v)).collect::<Vec<_>>().join(", ")),
        other => other.describe().to_string(),
    }
}

/// The keys of a dict as Python would list them: `['lr', 'momentum']`.
pub(super) fn keys_text(keys: &[Value]) -> String {
    format!("[{}]", keys.iter().map(key_repr).collect::<Vec<_>>().join(", "))
}

impl Lowerer<'_> {
    /// `{k1: v1, ...}`: each key, then its value, in order, as Python evaluates
    /// them; a repeated key keeps its first place and takes the last value.
    pub(crate) fn dict_literal(&mut self, entries: &[(Expr, Expr)], scope: &mut Scope) -> Value {
        let (mut keys, mut items) = (Vec::new(), Vec::new());
        let mut failed = false;
        for (k, v) in entries {
            let key = self.expr(k, scope);
            let value = self.expr(v, scope);
            let Some(key) = self.dict_key(key, k.span) else {
                failed = true;
                continue;
            };
            insert(&mut keys, &mut items, key, (value, v.span));
        }
        if failed {
            return Value::Poison;
        }
        Value::Dict { keys, items, ordered: false }
    }

    /// A value as a dict key, or `None` after reporting why it cannot be one.
    fn dict_key(&mut self, k: Value, span: Span) -> Option<Value> {
        let (message, help) = match &k {
            Value::Str(_) | Value::Number(_) | Value::Bool(_) | Value::None => return Some(k),
            Value::Tuple(items) => {
                let mut ok = Vec::new();
                for (item, s) in items.clone() {
                    ok.push((self.dict_key(item, s)?, s));
                }
                return Some(Value::Tuple(ok));
            }
            Value::Poison => return None,
            Value::List(_) | Value::Dict { .. } => (
                format!("unhashable type: '{}'", python_type(&k)),
                "a list or dict cannot be a key, as in Python; use a tuple or a string".to_string(),
            ),
            Value::Host { .. } => (
                "a dict key must be known when compiling, not only when the program runs".to_string(),
                "graphc's dicts have their keys when compiling: key by strings or by numbers the program writes, not by `.item()` or a loop counter of a loop compiled once".to_string(),
            ),
            other => (
                format!("graphc's dict keys are strings, numbers, bools, `none` and tuples of them, not {}", other.describe()),
                "key by a name (`\"w1\"`) or a number; Python keys a tensor by its identity, which graphc does not follow".to_string(),
            ),
        };
        self.error(Diagnostic::new(Code::E0107, message, span, "not a key graphc can hold").with_help(help));
        None
    }

    /// `d[key]`: the value `d` holds for `key`; a missing key is Python's KeyError.
    pub(crate) fn dict_read(&mut self, keys: &[Value], items: &[(Value, Span)], (key, ks): (Value, Span)) -> Value {
        let Some(key) = self.dict_key(key, ks) else { return Value::Poison };
        match keys.iter().position(|k| same_key(k, &key)) {
            Some(i) => items[i].0.clone(),
            None => self.missing_key(keys, &key, ks),
        }
    }

    fn missing_key(&mut self, keys: &[Value], key: &Value, ks: Span) -> Value {
        self.error(
            Diagnostic::new(Code::E0224, format!("KeyError: {}", key_repr(key)), ks, "not a key of this dict")
                .with_help(format!("the dict's keys are {}; `d.get(k, default)` reads a key that may be missing", keys_text(keys))),
        )
    }

    /// `d[key] = v`: a new key goes last, an existing one keeps its place.
    pub(crate) fn dict_store(
        &mut self,
        base: &Expr,
        (mut keys, mut items, ordered): Entries,
        at: &[IndexItem],
        (v, vs): (Value, Span),
        scope: &mut Scope,
    ) -> Value {
        let [IndexItem::Expr(k)] = at else {
            let s = at.first().map_or(base.span, |i| match i {
                IndexItem::Expr(e) => e.span,
                IndexItem::Slice { span, .. } | IndexItem::Ellipsis(span) => *span,
            });
            return self
                .error(Diagnostic::new(Code::E0624, "a dict's value is assigned by one key", s, "not one key").with_help("write `d[\"lr\"] = 0.1`"));
        };
        let kv = self.expr(k, scope);
        let Some(key) = self.dict_key(kv, k.span) else { return Value::Poison };
        if matches!(v, Value::Poison) {
            return Value::Poison;
        }
        insert(&mut keys, &mut items, key, (v, vs));
        self.rebind_dict(base, (keys, items, ordered), scope);
        Value::None
    }

    /// Binds the name `base` holds a dict under to its changed entries.
    fn rebind_dict(&mut self, base: &Expr, (keys, items, ordered): Entries, scope: &mut Scope) -> bool {
        let ExprKind::Name(name) = &base.kind else {
            self.error(
                Diagnostic::new(Code::E0624, "cannot change a dict that is not bound to a name", base.span, "not a name")
                    .with_help("bind the dict to a name first (`d = cfg[\"inner\"]`), change it, and store it back"),
            );
            return false;
        };
        let d = Value::Dict { keys, items, ordered };
        if self.call_stack.is_empty() && self.globals.contains_key(name) {
            self.globals.insert(name.clone(), d.clone());
        }
        scope.names.insert(name.clone(), d);
        true
    }

    /// `d.keys()`, `d.values()`, `d.items()`, `d.get(k, default)`, `d.copy()`,
    /// `d.pop(k[, default])`, `d.setdefault(k, default)` and `d.update(other)`
    /// (or `d.update(lr=0.1)`). The three views are lists here, which iterate,
    /// index and unpack as Python's views do (Python prints them as
    /// `dict_keys([...])`).
    pub(crate) fn dict_method(
        &mut self,
        receiver: &Expr,
        (keys, items, ordered): Entries,
        method: &Ident,
        args: Vec<(Option<Ident>, Value, Span)>,
        scope: &mut Scope,
        span: Span,
    ) -> Value {
        let name = method.name.as_str();
        let positional: Vec<(Value, Span)> = args.iter().filter(|(n, _, _)| n.is_none()).map(|(_, v, s)| (v.clone(), *s)).collect();
        let keywords: Vec<(String, Value, Span)> = args.iter().filter_map(|(n, v, s)| n.as_ref().map(|n| (n.name.clone(), v.clone(), *s))).collect();
        let arity = match name {
            "keys" | "values" | "items" | "copy" => 0..=0,
            "get" | "pop" | "setdefault" => 1..=2,
            "update" => 0..=1,
            _ => {
                return self.error(
                    Diagnostic::new(Code::E0102, format!("a dict has no method `{name}` in .act"), method.span, "unknown method")
                        .with_help("a dict's methods here are `keys`, `values`, `items`, `get`, `copy`, `pop`, `setdefault` and `update`"),
                )
            }
        };
        if !arity.contains(&positional.len()) || (name != "update" && !keywords.is_empty()) {
            let (lo, hi) = (arity.start(), arity.end());
            let takes = if lo == hi { format!("{lo}") } else { format!("{lo} or {hi}") };
            return self.error(
                Diagnostic::new(Code::E0107, format!("`dict.{name}` takes {takes} positional arguments"), span, "wrong arguments")
                    .with_help("as in Python: `d.get(\"lr\", 0.1)`, `d.pop(\"lr\")`, `d.update(other)` or `d.update(lr=0.1)`"),
            );
        }
        let lookup = |key: &Value| keys.iter().position(|k| same_key(k, key));
        match name {
            "keys" => Value::List(keys.iter().map(|k| (k.clone(), span)).collect()),
            "values" => Value::List(items.clone()),
            "items" => {
                Value::List(keys.iter().zip(&items).map(|(k, (v, vs))| (Value::Tuple(vec![(k.clone(), span), (v.clone(), *vs)]), span)).collect())
            }
            "copy" => Value::Dict { keys, items, ordered },
            "get" => {
                let Some(key) = self.dict_key(positional[0].0.clone(), positional[0].1) else { return Value::Poison };
                match lookup(&key) {
                    Some(i) => items[i].0.clone(),
                    None => positional.get(1).map_or(Value::None, |(d, _)| d.clone()),
                }
            }
            "pop" | "setdefault" => {
                let Some(key) = self.dict_key(positional[0].0.clone(), positional[0].1) else { return Value::Poison };
                let default = positional.get(1).cloned();
                let (mut keys, mut items) = (keys.clone(), items.clone());
                let got = match (lookup(&key), name) {
                    (Some(i), "pop") => {
                        keys.remove(i);
                        items.remove(i).0
                    }
                    (Some(i), _) => return items[i].0.clone(),
                    (None, "pop") => match default {
                        Some((d, _)) => return d,
                        None => return self.missing_key(&keys, &key, positional[0].1),
                    },
                    (None, _) => {
                        let (d, ds) = default.unwrap_or((Value::None, span));
                        insert(&mut keys, &mut items, key, (d.clone(), ds));
                        d
                    }
                };
                if !self.rebind_dict(receiver, (keys, items, ordered), scope) {
                    return Value::Poison;
                }
                got
            }
            _ => {
                let (mut keys, mut items) = (keys.clone(), items.clone());
                if let Some((other, os)) = positional.first() {
                    let Value::Dict { keys: more, items: values, .. } = other else {
                        return self.error(
                            Diagnostic::new(Code::E0107, format!("`dict.update` takes a dict, not {}", other.describe()), *os, "not a dict")
                                .with_help("write `d.update(other)` or `d.update(lr=0.1)`"),
                        );
                    };
                    for (k, v) in more.iter().zip(values) {
                        insert(&mut keys, &mut items, k.clone(), v.clone());
                    }
                }
                for (k, v, s) in keywords {
                    insert(&mut keys, &mut items, Value::Str(k), (v, s));
                }
                self.rebind_dict(receiver, (keys, items, ordered), scope);
                Value::None
            }
        }
    }
}

impl Lowerer<'_> {
    /// `dict()`, `dict(lr=0.1, momentum=0.9)`, `dict(other, lr=0.1)` (a copy
    /// with more keys) and `dict(pairs)` of a list of `(key, value)` pairs
    /// (`dict(zip(names, values))`).
    pub(crate) fn dict_call(&mut self, args: &[(Option<Ident>, Value, Span)], span: Span) -> Value {
        let (mut keys, mut items) = (Vec::new(), Vec::new());
        let positional: Vec<&(Option<Ident>, Value, Span)> = args.iter().filter(|(n, _, _)| n.is_none()).collect();
        if positional.len() > 1 {
            return self.error(
                Diagnostic::new(Code::E0107, format!("dict expected at most 1 argument, got {}", positional.len()), span, "too many arguments")
                    .with_help("write `dict(other)`, `dict(pairs)` or `dict(lr=0.1)`"),
            );
        }
        match positional.first() {
            None => {}
            Some((_, Value::Dict { keys: k, items: v, .. }, _)) => {
                keys = k.clone();
                items = v.clone();
            }
            Some((_, Value::List(pairs) | Value::Tuple(pairs), _)) => {
                for (pair, ps) in pairs {
                    let (Value::Tuple(kv) | Value::List(kv)) = pair else {
                        return self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("a dict is made from `(key, value)` pairs, not {}", pair.describe()),
                                *ps,
                                "not a pair",
                            )
                            .with_help("write `dict([(\"lr\", 0.1)])` or `dict(zip(names, values))`"),
                        );
                    };
                    let [(k, ks), v] = kv.as_slice() else {
                        return self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("dictionary update sequence element has length {}; 2 is required", kv.len()),
                                *ps,
                                "not a pair",
                            )
                            .with_help("each item is one `(key, value)` pair"),
                        );
                    };
                    let Some(k) = self.dict_key(k.clone(), *ks) else { return Value::Poison };
                    insert(&mut keys, &mut items, k, v.clone());
                }
            }
            Some((_, Value::Poison, _)) => return Value::Poison,
            Some((_, other, os)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`dict` takes a dict or a list of pairs, not {}", other.describe()), *os, "not a dict")
                        .with_help("write `dict(other)`, `dict(pairs)` or `dict(lr=0.1)`"),
                )
            }
        }
        for (k, v, s) in args.iter().filter(|(n, _, _)| n.is_some()) {
            let name = k.as_ref().map(|n| n.name.clone()).unwrap_or_default();
            insert(&mut keys, &mut items, Value::Str(name), (v.clone(), *s));
        }
        Value::Dict { keys, items, ordered: false }
    }
}

impl Lowerer<'_> {
    /// `f(**options)`: a dict's entries as keyword arguments, in its order.
    pub(crate) fn splat_keywords(&mut self, v: Value, span: Span) -> Vec<(Option<Ident>, Value, Span)> {
        let (keys, items) = match v {
            Value::Dict { keys, items, .. } => (keys, items),
            Value::Poison => return vec![(None, Value::Poison, span)],
            other => {
                self.error(
                    Diagnostic::new(Code::E0115, format!("argument after ** must be a mapping, not {}", python_type(&other)), span, "not a dict")
                        .with_help("spread a dict of keyword arguments: `f(**dict(lr=0.1))`"),
                );
                return vec![(None, Value::Poison, span)];
            }
        };
        let mut out = Vec::new();
        for (k, (v, vs)) in keys.into_iter().zip(items) {
            let Value::Str(name) = k else {
                self.error(
                    Diagnostic::new(Code::E0115, "keywords must be strings", span, "a key that is not a string")
                        .with_help("the keys of a dict spread with `**` are parameter names"),
                );
                return vec![(None, Value::Poison, span)];
            };
            out.push((Some(Ident { name, span }), v, vs));
        }
        out
    }
}

/// Sets `key`'s value: in its place if the dict holds it, last otherwise.
fn insert(keys: &mut Vec<Value>, items: &mut Vec<(Value, Span)>, key: Value, value: (Value, Span)) {
    match keys.iter().position(|k| same_key(k, &key)) {
        Some(i) => items[i] = value,
        None => {
            keys.push(key);
            items.push(value);
        }
    }
}
