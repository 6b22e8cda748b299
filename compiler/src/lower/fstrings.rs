//! f-strings: each field is formatted as Python's `format(value, spec)` would.
//!
//! An f-string whose fields are all known at compile time is a compile-time
//! string, formatted here. One with a run-time value (a `.item()`, a loop
//! counter, a tensor) is a [`Value::Text`]: its pieces in a row, the run-time
//! ones formatted when the program prints them. Every spec is checked against
//! the kind of value it formats before anything runs (E0641, at the spec).

use graphc_runtime::format::python::{FormatSpec, ValueKind};

use super::output_calls::concat;
use super::{HostKind, Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::program::PrintArg;
use crate::syntax::ast::{FPiece, Span};

/// Python's `repr` of a str: single quotes unless the text holds one and no double quote.
fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Pieces as a string when all are known, a run-time text otherwise (an
/// f-string's value, and `str.format`'s and `join`'s in `str_methods.rs`).
pub(super) fn text_value(a: PrintArg) -> Value {
    match a {
        PrintArg::Text(s) => Value::Str(s),
        PrintArg::Concat(items) => Value::Text(items),
        other => Value::Text(vec![other]),
    }
}

impl<'a> Lowerer<'a> {
    /// `f"..."`: a compile-time string, or a run-time text when a field is a run-time value.
    pub(crate) fn fstring(&mut self, pieces: &[FPiece], scope: &mut Scope) -> Value {
        let mut out = Vec::new();
        let mut poisoned = false;
        for piece in pieces {
            match piece {
                FPiece::Text(t) => out.push(PrintArg::Text(t.clone())),
                FPiece::Field { expr, conversion, spec, spec_span } => {
                    let v = self.expr(expr, scope);
                    match self.format_field(v, expr.span, *conversion, spec, *spec_span) {
                        Some(a) => out.push(a),
                        None => poisoned = true,
                    }
                }
            }
        }
        if poisoned {
            return Value::Poison;
        }
        text_value(concat(out))
    }

    /// One field: `format(v, spec)`, after `!s` or `!r` when there is one.
    pub(super) fn format_field(&mut self, v: Value, vs: Span, conversion: Option<char>, spec: &str, ss: Span) -> Option<PrintArg> {
        if matches!(v, Value::Poison) || self.unprintable(&v, vs) {
            return None;
        }
        if let Some(c) = conversion {
            // `!s` and `!r` make a str first; only a str's repr differs from its str here.
            let text = match (c, v) {
                ('r', Value::Str(s)) => PrintArg::Text(str_repr(&s)),
                (_, v) => self.print_arg(v),
            };
            return match text {
                PrintArg::Text(t) => self.check_spec(spec, ValueKind::Str, ss).map(|f| PrintArg::Text(f.format_str(&t))),
                other if spec.is_empty() => Some(other),
                _ => self.refuse_spec(spec, "a run-time string", ss),
            };
        }
        let number_kind = |is_int: bool| if is_int { ValueKind::Int } else { ValueKind::Float };
        match v {
            Value::Number(n) => {
                let f = self.check_spec(spec, number_kind(n.is_int()), ss)?;
                Some(PrintArg::Text(match n {
                    // An int beyond int64 is an E0665 already; it saturates here.
                    super::Num::Int(i) => f.format_int(i.clamp(i64::MIN as i128, i64::MAX as i128) as i64),
                    super::Num::Float(v) => f.format_float(v),
                }))
            }
            Value::Bool(b) => self.check_spec(spec, ValueKind::Bool, ss).map(|f| PrintArg::Text(f.format_bool(b))),
            Value::Str(s) => self.check_spec(spec, ValueKind::Str, ss).map(|f| PrintArg::Text(f.format_str(&s))),
            Value::Host { node, kind } => {
                let k = match kind {
                    HostKind::Int => ValueKind::Int,
                    HostKind::Float => ValueKind::Float,
                    HostKind::Bool => ValueKind::Bool,
                };
                self.check_spec(spec, k, ss)?;
                Some(PrintArg::Scalar { node, spec: spec.to_string() })
            }
            // A 0-d tensor formats as the Python number it holds (`Tensor.__format__`
            // calls `item().__format__(spec)`), even with an empty spec.
            Value::Tensor(t) if self.shape_of(t).is_empty() => {
                self.check_spec(spec, ValueKind::of_dtype(self.dtype_of(t)), ss)?;
                Some(PrintArg::Scalar { node: t, spec: spec.to_string() })
            }
            other if spec.is_empty() => Some(match self.print_arg(other) {
                PrintArg::None => PrintArg::Text("None".to_string()),
                a => a,
            }),
            other => {
                let _ = vs;
                let what = other.describe();
                self.refuse_spec(spec, what, ss)
            }
        }
    }

    /// The parsed spec, or E0641 with Python's message at the spec.
    fn check_spec(&mut self, spec: &str, kind: ValueKind, ss: Span) -> Option<FormatSpec> {
        match FormatSpec::for_kind(spec, kind) {
            Ok(f) => Some(f),
            Err(why) => {
                let help = match kind {
                    ValueKind::Int | ValueKind::Bool => "an int takes `d`, `b`, `o`, `x`, `X` or a float type, with fill, align, sign, `#`, `0`, width and `,` or `_`, but no precision",
                    ValueKind::Float => "a float takes `f`, `e`, `g`, `%` (or none), with fill, align, sign, `#`, `0`, width, `,` or `_` and `.precision`",
                    ValueKind::Str => "a str takes fill, align, width and `.precision`, and the type `s`",
                };
                self.error(
                    Diagnostic::new(
                        Code::E0641,
                        format!("the format spec `{spec}` does not apply to {}: {why}", kind.python_name()),
                        ss,
                        "this spec",
                    )
                    .with_help(help),
                );
                None
            }
        }
    }

    /// E0641 for a spec given to a value that takes none (a tensor, a list, `None`).
    fn refuse_spec(&mut self, spec: &str, what: &str, ss: Span) -> Option<PrintArg> {
        self.error(
            Diagnostic::new(Code::E0641, format!("the format spec `{spec}` cannot format {what}"), ss, "this spec")
                .with_help("only numbers, bools, strings and 0-d tensors take a format spec; remove it to print the value as `str()` shows it"),
        );
        None
    }
}
