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
    matches!(name, "size" | "dim" | "numel" | "nelement")
}

/// `torch.Size([2, 3])`, as PyTorch prints a shape.
pub(crate) fn torch_size(dims: &[usize]) -> String {
    format!("torch.Size([{}])", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

fn int(n: usize) -> Value {
    Value::Number(super::Num::Int(n as i128))
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

    /// `x.size()`, `x.size(d)` (negative `d` counts from the end), `x.dim()`,
    /// `x.numel()` and its older name `x.nelement()`.
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
            ("size", Some((_, Value::Number(super::Num::Int(i)), ds))) => {
                match shapes::normalize_dim(i.clamp(i64::MIN as i128, i64::MAX as i128) as i64, shape.len()) {
                    Ok(d) => int(shape[d]),
                    Err(msg) => self.error(
                        Diagnostic::new(Code::E0202, msg, ds, "no such dimension")
                            .with_help(format!("the tensor has shape {}", shapes::show(&shape))),
                    ),
                }
            }
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
            Value::Tuple(items) | Value::List(items) | Value::Named { items, .. } => items,
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
            Value::Tuple(items) | Value::List(items) | Value::Named { items, .. } => items.into_iter().map(|(v, _)| v).collect(),
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

    /// A tuple prints as Python's `repr` of its items: `(1, 2.5)`, `(3,)`, and a
    /// tensor as its repr inline (`(tensor([1., 2.]), 3)`), with the lines of a
    /// multi-line one left as the tensor prints them, since Python's tuple repr
    /// only joins its items' reprs.
    pub(super) fn print_tuple(&mut self, items: Vec<(Value, Span)>) -> PrintArg {
        let close = if items.len() == 1 { ",)" } else { ")" };
        let parts = items.into_iter().map(|(v, _)| self.item_repr(v)).collect();
        super::output_calls::joined("(", parts, close)
    }

    /// A named tuple as PyTorch prints it: its type, then each field on a line.
    pub(super) fn print_named(&mut self, kind: &str, fields: &[&str], items: Vec<(Value, Span)>) -> PrintArg {
        let mut pieces = vec![PrintArg::Text(format!("torch.return_types.{kind}(\n"))];
        let n = items.len();
        for (k, ((v, _), field)) in items.into_iter().zip(fields).enumerate() {
            pieces.push(PrintArg::Text(format!("{field}=")));
            pieces.push(self.item_repr(v));
            pieces.push(PrintArg::Text(if k + 1 < n { ",\n" } else { ")" }.to_string()));
        }
        super::output_calls::concat(pieces)
    }

    /// How a value prints as an item of a tuple or list: Python's `repr` of it,
    /// which differs from `str` only for strings (quoted) and `None` grads.
    pub(super) fn item_repr(&mut self, v: Value) -> PrintArg {
        match v {
            Value::Str(s) => PrintArg::Text(python_str_repr(&s)),
            // An f-string's run-time pieces are numbers, which never hold a quote
            // or a backslash: only its texts choose the quote and need escapes.
            Value::Text(pieces) => {
                let texts: String = pieces.iter().filter_map(|p| if let PrintArg::Text(t) = p { Some(t.as_str()) } else { None }).collect();
                let quote = repr_quote(&texts);
                let mut out = vec![PrintArg::Text(quote.to_string())];
                out.extend(pieces.into_iter().map(|p| match p {
                    PrintArg::Text(t) => PrintArg::Text(escaped(&t, quote)),
                    other => other,
                }));
                out.push(PrintArg::Text(quote.to_string()));
                super::output_calls::concat(out)
            }
            v => match self.print_arg(v) {
                PrintArg::None => PrintArg::Text("None".to_string()),
                a @ (PrintArg::Text(_) | PrintArg::Tensor { .. } | PrintArg::Scalar { .. } | PrintArg::Concat(_) | PrintArg::Choice { .. }) => a,
            },
        }
    }
}

/// Python's `repr` of a string: single quotes unless the text holds a single
/// quote and no double quote, with backslashes, the chosen quote and control
/// characters escaped.
pub(crate) fn python_str_repr(s: &str) -> String {
    let quote = repr_quote(s);
    format!("{quote}{}{quote}", escaped(s, quote))
}

/// The quote Python's `repr` puts around `s`.
fn repr_quote(s: &str) -> char {
    if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    }
}

/// `s` as it reads between `quote`s in Python's `repr`.
fn escaped(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
