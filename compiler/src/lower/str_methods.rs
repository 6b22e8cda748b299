//! A Python string's methods that training scripts call: `str.format`, as
//! PyTorch's examples print their progress (`'Train Epoch: {} [{}/{}]\tLoss:
//! {:.6f}'.format(...)`), `sep.join(items)`, and the compile-time ones
//! (`upper`, `lower`, `strip`, `startswith`, `endswith`, `replace`, `split`).
//!
//! `format` reads its template when compiling (Python's format-string syntax:
//! `{}` fields numbered automatically, `{0}` by position, `{name}` by keyword,
//! `!r`/`!s`, `:spec`, `{{` and `}}`) and formats each field as an f-string's
//! field is (`fstrings.rs`), so a run-time value makes a run-time text. A
//! malformed template, or a field naming an argument that was not given, is
//! E0642 in Python's words, at the string.

use super::fstrings::text_value;
use super::output_calls::concat;
use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::program::PrintArg;
use crate::syntax::ast::{Ident, Span};

/// One piece of a `str.format` template.
enum Piece {
    Text(String),
    Field { name: String, conversion: Option<char>, spec: String },
}

/// Python's parse of a format template, or its ValueError's message.
fn parse_template(t: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '}' => return Err("Single '}' encountered in format string".to_string()),
            '{' => {
                let mut field = String::new();
                let mut depth = 1;
                loop {
                    match chars.next() {
                        None => return Err("expected '}' before end of string".to_string()),
                        Some('{') => {
                            depth += 1;
                            field.push('{');
                        }
                        Some('}') if depth == 1 => break,
                        Some('}') => {
                            depth -= 1;
                            field.push('}');
                        }
                        Some(c) => field.push(c),
                    }
                }
                if field.contains('{') {
                    return Err("graphc does not take a field inside a format spec".to_string());
                }
                let (head, spec) = match field.find(':') {
                    Some(at) => (&field[..at], field[at + 1..].to_string()),
                    None => (field.as_str(), String::new()),
                };
                let (name, conversion) = match head.find('!') {
                    Some(at) => {
                        let conv = &head[at + 1..];
                        let c = match conv {
                            "r" => 'r',
                            "s" => 's',
                            "" => return Err("end of string while looking for conversion specifier".to_string()),
                            other => return Err(format!("Unknown conversion specifier {other}")),
                        };
                        (head[..at].to_string(), Some(c))
                    }
                    None => (head.to_string(), None),
                };
                if name.contains(['.', '[']) {
                    return Err("graphc's `format` takes fields `{}`, `{0}` and `{name}`, without attributes or indices".to_string());
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Field { name, conversion, spec });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

impl Lowerer<'_> {
    /// `s.method(args)` for a string `s` known when compiling; `None` when `method`
    /// is not a string method graphc has (the caller reports it).
    pub(crate) fn str_method(&mut self, s: &str, ss: Span, method: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Option<Value> {
        let positional: Vec<&Value> = args.iter().filter(|(n, _, _)| n.is_none()).map(|(_, v, _)| v).collect();
        let text = |v: &Value| if let Value::Str(t) = v { Some(t.clone()) } else { None };
        let simple = |v: Value| Some(v);
        match (method.name.as_str(), positional.as_slice()) {
            ("format", _) => Some(self.str_format(s, ss, args)),
            ("join", [items]) => Some(self.str_join(s, (*items).clone(), span)),
            ("upper", []) => simple(Value::Str(s.to_uppercase())),
            ("lower", []) => simple(Value::Str(s.to_lowercase())),
            ("strip", []) => simple(Value::Str(s.trim().to_string())),
            ("lstrip", []) => simple(Value::Str(s.trim_start().to_string())),
            ("rstrip", []) => simple(Value::Str(s.trim_end().to_string())),
            ("startswith", [p]) => text(p).map(|p| Value::Bool(s.starts_with(&p))),
            ("endswith", [p]) => text(p).map(|p| Value::Bool(s.ends_with(&p))),
            ("replace", [a, b]) => Some(Value::Str(s.replace(&text(a)?, &text(b)?))),
            ("split", []) => simple(Value::List(s.split_whitespace().map(|p| (Value::Str(p.to_string()), span)).collect())),
            ("split", [sep]) => {
                text(sep).filter(|t| !t.is_empty()).map(|t| Value::List(s.split(t.as_str()).map(|p| (Value::Str(p.to_string()), span)).collect()))
            }
            _ => None,
        }
    }

    /// `template.format(*args, **kwargs)`.
    fn str_format(&mut self, template: &str, ts: Span, args: Vec<(Option<Ident>, Value, Span)>) -> Value {
        let fail = |l: &mut Self, message: String| {
            l.error(
                Diagnostic::new(Code::E0642, message, ts, "in this format string")
                    .with_help("fields are `{}`, `{0}` or `{name}`, with `!r`/`!s` and `:spec`; write `{{` and `}}` for braces"),
            )
        };
        let pieces = match parse_template(template) {
            Ok(p) => p,
            Err(m) => return fail(self, m),
        };
        let positional: Vec<(Value, Span)> = args.iter().filter(|(n, _, _)| n.is_none()).map(|(_, v, s)| (v.clone(), *s)).collect();
        let mut automatic: Option<bool> = None;
        let mut next = 0;
        let mut out = Vec::new();
        let mut poisoned = false;
        for piece in pieces {
            let (name, conversion, spec) = match piece {
                Piece::Text(t) => {
                    out.push(PrintArg::Text(t));
                    continue;
                }
                Piece::Field { name, conversion, spec } => (name, conversion, spec),
            };
            let (v, vs) = if name.is_empty() || name.bytes().all(|b| b.is_ascii_digit()) {
                let auto = name.is_empty();
                if automatic.is_some_and(|a| a != auto) {
                    return fail(
                        self,
                        if auto {
                            "cannot switch from manual field specification to automatic field numbering"
                        } else {
                            "cannot switch from automatic field numbering to manual field specification"
                        }
                        .to_string(),
                    );
                }
                automatic = Some(auto);
                let i = if auto {
                    next += 1;
                    next - 1
                } else {
                    name.parse::<usize>().unwrap_or(usize::MAX)
                };
                match positional.get(i) {
                    Some(p) => p.clone(),
                    None => return fail(self, format!("Replacement index {i} out of range for positional args tuple")),
                }
            } else {
                match args.iter().find(|(n, _, _)| n.as_ref().is_some_and(|n| n.name == name)) {
                    Some((_, v, s)) => (v.clone(), *s),
                    None => return fail(self, format!("KeyError: '{name}'")),
                }
            };
            match self.format_field(v, vs, conversion, &spec, ts) {
                Some(a) => out.push(a),
                None => poisoned = true,
            }
        }
        if poisoned {
            return Value::Poison;
        }
        text_value(concat(out))
    }

    /// `sep.join(items)`: strings (or run-time texts) with `sep` between them.
    fn str_join(&mut self, sep: &str, items: Value, span: Span) -> Value {
        let Some(items) = self.sequence_items(&items, span) else {
            return self.error(
                Diagnostic::new(Code::E0107, format!("can only join an iterable, not {}", items.describe()), span, "not a list")
                    .with_help("join a list of strings: `\", \".join(names)`"),
            );
        };
        let mut out = Vec::new();
        for (k, (item, is)) in items.into_iter().enumerate() {
            if k > 0 {
                out.push(PrintArg::Text(sep.to_string()));
            }
            match item {
                Value::Str(t) => out.push(PrintArg::Text(t)),
                Value::Text(pieces) => out.extend(pieces),
                Value::Poison => return Value::Poison,
                other => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("sequence item {k}: expected str instance, {} found", super::membership::python_type(&other)),
                            is,
                            "not a string",
                        )
                        .with_help("format each item first: `\", \".join(f\"{x:.3f}\" for x in xs)`"),
                    )
                }
            }
        }
        text_value(concat(out))
    }
}
