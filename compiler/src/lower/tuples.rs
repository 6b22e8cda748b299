//! Tuples and shapes: `x.shape`, `x.size()`, `x.size(d)`, `x.dim()`, `x.ndim`,
//! `x.numel()` as compile-time values, `*t` in call arguments, `a, b = t`, and
//! how `print` shows a tuple (`(1, 2.5)`) and a shape (`torch.Size([2, 3])`).
//!
//! Shapes are known at compile time, so every query is a host value: an int,
//! or a `Value::Size` that behaves as the tuple of ints it is.

use super::{Lowerer, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::PrintArg;
use crate::syntax::ast::{Ident, Span};

/// The methods that query a tensor's shape.
pub(crate) fn is_shape_method(name: &str) -> bool {
    matches!(name, "size" | "dim" | "numel")
}

/// `torch.Size([2, 3])`, as PyTorch prints a shape.
pub(crate) fn torch_size(dims: &[usize]) -> String {
    format!("torch.Size([{}])", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

fn int(n: usize) -> Value {
    Value::Number { value: n as f64, is_int: true }
}

impl<'a> Lowerer<'a> {
    /// The tensor a shape query reads, or E0107.
    fn queried(&mut self, recv: &Value, span: Span, what: &str) -> Option<NodeId> {
        self.expect_tensor(recv.clone(), span, &format!("the receiver of `{what}`"))
    }

    /// `x.shape`, `x.ndim` and `x.dtype`, or `None` for another field.
    pub(crate) fn shape_field(&mut self, recv: &Value, span: Span, field: &Ident) -> Option<Value> {
        if field.name != "shape" && field.name != "ndim" && field.name != "dtype" {
            return None;
        }
        let Some(t) = self.queried(recv, span, &field.name) else { return Some(Value::Poison) };
        if field.name == "dtype" {
            return Some(Value::DType(self.dtype_of(t)));
        }
        let shape = self.shape_of(t);
        Some(if field.name == "shape" { Value::Size(shape) } else { int(shape.len()) })
    }

    /// `x.size()`, `x.size(d)` (negative `d` counts from the end), `x.dim()`, `x.numel()`.
    pub(crate) fn shape_method(
        &mut self,
        recv: Value,
        recv_span: Span,
        method: &Ident,
        args: Vec<(Option<Ident>, Value, Span)>,
        span: Span,
    ) -> Value {
        let Some(t) = self.queried(&recv, recv_span, &method.name) else { return Value::Poison };
        let shape = self.shape_of(t);
        let max_args = usize::from(method.name == "size");
        if args.len() > max_args || args.iter().any(|(k, _, _)| k.as_ref().is_some_and(|k| k.name != "dim")) {
            return self.error(
                Diagnostic::new(
                    Code::E0103,
                    format!("`{}` takes {} argument{}", method.name, max_args, if max_args == 1 { "" } else { "s" }),
                    span,
                    "wrong arguments",
                )
                .with_help(if max_args == 1 { "write `x.size()` or `x.size(d)`" } else { "write it without arguments" }),
            );
        }
        match (method.name.as_str(), args.into_iter().next()) {
            ("size", None) => Value::Size(shape),
            ("size", Some((_, Value::Number { value, is_int: true }, ds))) => match shapes::normalize_dim(value as i64, shape.len()) {
                Ok(d) => int(shape[d]),
                Err(msg) => self.error(
                    Diagnostic::new(Code::E0202, msg, ds, "no such dimension").with_help(format!("the tensor has shape {}", shapes::show(&shape))),
                ),
            },
            ("size", Some((_, Value::Poison, _))) => Value::Poison,
            ("size", Some((_, other, ds))) => self.error(
                Diagnostic::new(Code::E0107, format!("the dimension must be an integer, not {}", other.describe()), ds, "not a dimension")
                    .with_help("write `x.size(0)` or `x.size(-1)`"),
            ),
            ("dim", _) => int(shape.len()),
            _ => int(shape.iter().product()),
        }
    }

    /// The items `*v` spreads: a tuple's, a list's or a shape's (E0115 otherwise).
    pub(crate) fn splat(&mut self, v: Value, span: Span) -> Vec<(Value, Span)> {
        match v {
            Value::Tuple(items) | Value::List(items) => items,
            Value::Size(dims) => dims.into_iter().map(|d| (int(d), span)).collect(),
            Value::Poison => vec![(Value::Poison, span)],
            other => {
                self.error(
                    Diagnostic::new(Code::E0115, format!("`*` spreads a tuple or a list, not {}", other.describe()), span, "not a tuple or list")
                        .with_help("spread a shape (`*x.shape`), a tuple or a list"),
                );
                vec![(Value::Poison, span)]
            }
        }
    }

    /// `a, b = v`: exactly `n` items (E0116 otherwise; then every name is invalid).
    pub(crate) fn unpack(&mut self, v: Value, n: usize, span: Span) -> Vec<Value> {
        let items: Vec<Value> = match v {
            Value::Tuple(items) | Value::List(items) => items.into_iter().map(|(v, _)| v).collect(),
            Value::Size(dims) => dims.into_iter().map(int).collect(),
            Value::Poison => return vec![Value::Poison; n],
            other => {
                self.error(
                    Diagnostic::new(Code::E0116, format!("cannot unpack {} into {n} names", other.describe()), span, "not a tuple")
                        .with_help("unpack a tuple, a list or a shape: a fn's `return a, b`, `x.shape`"),
                );
                return vec![Value::Poison; n];
            }
        };
        if items.len() != n {
            self.error(
                Diagnostic::new(Code::E0116, format!("cannot unpack {} values into {n} names", items.len()), span, format!("{} values", items.len()))
                    .with_help(format!("write {} names on the left, one per value", items.len())),
            );
            return vec![Value::Poison; n];
        }
        items
    }

    /// A tuple prints as Python's `repr` of its items: `(1, 2.5)`, `(3,)`. A
    /// tensor inside one cannot be printed inline yet (E0107).
    pub(super) fn print_tuple(&mut self, items: Vec<(Value, Span)>) -> PrintArg {
        let one = items.len() == 1;
        let mut parts = Vec::new();
        for (v, s) in items {
            match self.print_arg(v) {
                PrintArg::Text(t) => parts.push(PrintArg::Text(t)),
                PrintArg::None => parts.push(PrintArg::Text("None".to_string())),
                // A run-time number prints inline, as in a list.
                a @ (PrintArg::Scalar { .. } | PrintArg::Concat(_)) => parts.push(a),
                PrintArg::Tensor { .. } => {
                    self.error(
                        Diagnostic::new(Code::E0107, "a tuple that holds a tensor cannot be printed yet", s, "a tensor")
                            .with_help("print the tuple's items: `a, b = t` then `print(a, b)`"),
                    );
                    return PrintArg::None;
                }
            }
        }
        super::output_calls::joined("(", parts, if one { ",)" } else { ")" })
    }
}
