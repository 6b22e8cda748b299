//! `a in b` and `a not in b`, Python's membership tests, on the containers a
//! PyTorch program tests: a list or tuple (`epoch in milestones`, `name in
//! ("relu", "gelu")`), a shape (`1 in x.shape`), a string (`"adam" in name`), a
//! tensor (PyTorch's `Tensor.__contains__`: `(b == a).any()`), and an
//! optimizer's param group or defaults (`"momentum" in group`).
//!
//! A list's items are compared in order, as Python's `==` compares them (an
//! item of another type is unequal, a tensor is first compared by identity).
//! The answer is known when compiling unless an item's comparison is known
//! only at run time (a loop index against a list of numbers), and then it is a
//! run-time bool: the `or` of the comparisons that could be true.

use graphc_runtime::op::ReduceKind;
use graphc_runtime::{DType, Op};

use super::{HostKind, Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

/// Python's name of a value's type, as its `TypeError`s print it.
pub(super) fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Number(Num::Int(_)) | Value::Host { kind: HostKind::Int, .. } => "int",
        Value::Number(Num::Float(_)) | Value::Host { kind: HostKind::Float, .. } => "float",
        Value::Bool(_) | Value::Host { kind: HostKind::Bool, .. } => "bool",
        Value::None => "NoneType",
        Value::Str(_) => "str",
        Value::List(_) => "list",
        Value::Tuple(_) | Value::Named { .. } => "tuple",
        Value::Tensor(_) => "Tensor",
        Value::DType(_) => "torch.dtype",
        Value::Size(_) => "torch.Size",
        Value::ParamGroup { .. } | Value::OptimizerState { .. } | Value::Dict { .. } => "dict",
        _ => "object",
    }
}

impl Lowerer<'_> {
    /// `x in c` (`negated`: `x not in c`): a bool, or a run-time bool.
    pub(crate) fn membership(&mut self, (x, xs): (Value, Span), (c, cs): (Value, Span), negated: bool, span: Span) -> Value {
        let found = self.contains((x, xs), (c, cs), span);
        match found {
            Value::Bool(b) => Value::Bool(b != negated),
            Value::Host { .. } if negated => self.host_not(found, span),
            other => other,
        }
    }

    fn contains(&mut self, (x, xs): (Value, Span), (c, cs): (Value, Span), span: Span) -> Value {
        let items: Vec<(Value, Span)> = match c {
            Value::Poison => return Value::Poison,
            _ if matches!(x, Value::Poison) => return Value::Poison,
            Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } => items,
            // A dict holds its keys: `"lr" in config`.
            Value::Dict { keys, .. } => keys.into_iter().map(|k| (k, cs)).collect(),
            Value::Size(dims) => dims.iter().map(|&d| (Value::Number(Num::Int(d as i128)), cs)).collect(),
            Value::Str(s) => {
                return match x {
                    Value::Str(sub) => Value::Bool(s.contains(sub.as_str())),
                    other => self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("'in <string>' requires string as left operand, not {}", python_type(&other)),
                            xs,
                            "not a string",
                        )
                        .with_help("a string contains only strings: write `str(x) in s`, or test a list (`x in [1, 2]`)"),
                    ),
                };
            }
            Value::Tensor(t) => return self.tensor_contains((x, xs), t, span),
            Value::ParamGroup { optimizer, defaults } => {
                let Value::Str(key) = x else { return Value::Bool(false) };
                let (hyper, extra) = self.group_options(optimizer);
                // A scheduler's keys are in the group, not in the optimizer's defaults.
                let extra = if defaults { Vec::new() } else { extra };
                let kind = self.optim.optimizers[optimizer].kind;
                let rows = super::optim::repr::group_rows(kind, &hyper, &extra);
                return Value::Bool((!defaults && key == "params") || rows.iter().any(|(k, _)| *k == key));
            }
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("argument of type '{}' is not iterable", python_type(&other)), cs, "not a container")
                        .with_help("`in` tests a list, a tuple, a shape, a string, a tensor or a param group"),
                )
            }
        };
        // Python stops at the first equal item; a run-time comparison adds to an `or`.
        let mut found = Value::Bool(false);
        for (item, is) in items {
            match self.item_equals((&x, xs), (&item, is), span) {
                Value::Bool(true) => return Value::Bool(true),
                Value::Bool(false) => {}
                Value::Poison => return Value::Poison,
                eq => found = if matches!(found, Value::Bool(false)) { eq } else { self.host_logic(false, (found, span), (eq, is), span) },
            }
        }
        found
    }

    /// Python's `x == item` as `in` uses it: identity first (a tensor is in a
    /// list that holds it), then `==`, whose truth must be a bool: values of
    /// different types are unequal, and a tensor comparison must have one element.
    fn item_equals(&mut self, (x, xs): (&Value, Span), (item, is): (&Value, Span), span: Span) -> Value {
        let number = |v: &Value| matches!(v, Value::Number(_) | Value::Bool(_) | Value::Host { .. } | Value::Tensor(_));
        match (x, item) {
            (Value::Tensor(a), Value::Tensor(b)) if a == b => Value::Bool(true),
            (Value::None, other) | (other, Value::None) => Value::Bool(matches!(other, Value::None)),
            (Value::Str(a), Value::Str(b)) => Value::Bool(a == b),
            (Value::DType(a), Value::DType(b)) => Value::Bool(a == b),
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                if a.len() != b.len() {
                    return Value::Bool(false);
                }
                // Sequences are equal when every pair is; a run-time pair joins an `and`.
                let mut all = Value::Bool(true);
                for ((p, ps), (q, qs)) in a.iter().zip(b) {
                    match self.item_equals((p, *ps), (q, *qs), span) {
                        Value::Bool(false) => return Value::Bool(false),
                        Value::Bool(true) => {}
                        Value::Poison => return Value::Poison,
                        eq => all = if matches!(all, Value::Bool(true)) { eq } else { self.host_logic(true, (all, span), (eq, *qs), span) },
                    }
                }
                all
            }
            (a, b) if number(a) && number(b) => match self.compare(BinOp::EqEq, (a.clone(), xs), (b.clone(), is), span) {
                Value::Tensor(t) => self.tensor_truth(t, span),
                other => other,
            },
            // A string, a dtype or a container against a value of another type.
            _ => Value::Bool(false),
        }
    }

    /// Python's `bool(t)` of a comparison's result: one element, read at run time.
    fn tensor_truth(&mut self, t: NodeId, span: Span) -> Value {
        let n: usize = self.shape_of(t).iter().product();
        if n != 1 {
            return self.error(
                Diagnostic::new(Code::E0640, "Boolean value of Tensor with more than one value is ambiguous", span, format!("{n} elements"))
                    .with_help("`in` compares a tensor with each item with `==`, which must give one element; compare with `.equal()` or test `(t == item).all()`"),
            );
        }
        self.item(t, span, None, span)
    }

    /// PyTorch's `Tensor.__contains__`: `(c == x).any()`, as a run-time bool; `x`
    /// must be a number or a tensor.
    fn tensor_contains(&mut self, (x, xs): (Value, Span), t: NodeId, span: Span) -> Value {
        if !matches!(x, Value::Number(_) | Value::Bool(_) | Value::Host { .. } | Value::Tensor(_)) {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("Tensor.__contains__ only supports Tensor or scalar, but you passed in a {}", python_type(&x)),
                    xs,
                    "not a number or tensor",
                )
                .with_help("test a number (`3 in t`) or a tensor (`x in t`)"),
            );
        }
        let eq = match self.compare(BinOp::EqEq, (Value::Tensor(t), span), (x, xs), span) {
            Value::Tensor(eq) => eq,
            other => return other,
        };
        let shape = self.shape_of(eq);
        if shape.iter().product::<usize>() == 0 {
            return Value::Bool(false);
        }
        // `any` over every element, as `all_any.rs` writes it: the largest of zeros and ones.
        let any = if shape.is_empty() {
            eq
        } else {
            let ones = self.cast_to(eq, DType::F32, span);
            let dims: Vec<usize> = (0..shape.len()).collect();
            let r = self.node(Op::Reduce { kind: ReduceKind::Amax, dims, keepdim: false }, DType::F32, vec![], &[ones], span);
            self.cast_to(r, DType::Bool, span)
        };
        self.item(any, span, None, span)
    }
}
