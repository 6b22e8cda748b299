//! Python's printf-style string formatting, `template % args`, as training
//! scripts print with it (`print("number of parameters: %.2fM" % (n / 1e6,))`,
//! `"%5d %.4f" % (step, loss.item())`, `"%(name)s" % d`).
//!
//! The template is read when compiling. Each conversion (`%[(key)][flags]
//! [width][.precision]type`) becomes the `format(value, spec)` field that
//! computes the same text (`fstrings.rs`): `%-8s` is `<8`, `%08.3f` is `08.3f`,
//! `%x` is `x`, and `%d` of a float formats its `int()`. So a run-time value
//! makes a run-time text, as in an f-string. A malformed template, or too few
//! or too many arguments, is E0642 in Python's words, at the string.

use super::fstrings::text_value;
use super::output_calls::concat;
use super::{HostKind, Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::program::PrintArg;
use crate::syntax::ast::Span;

/// One piece of a `%` template.
enum Piece {
    Text(String),
    Conversion { key: Option<String>, flags: String, width: Option<usize>, precision: Option<usize>, ty: char },
}

/// Python's parse of a printf-style template, or its error's message.
fn parse_template(t: &str) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = t.chars().collect();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            text.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut key = None;
        if chars.get(i) == Some(&'(') {
            let close = chars[i..].iter().position(|&c| c == ')').ok_or("incomplete format key")?;
            key = Some(chars[i + 1..i + close].iter().collect::<String>());
            i += close + 1;
        }
        let mut flags = String::new();
        while let Some(&c) = chars.get(i).filter(|c| "#0- +".contains(**c)) {
            flags.push(c);
            i += 1;
        }
        let number = |i: &mut usize| -> Result<Option<usize>, String> {
            if chars.get(*i) == Some(&'*') {
                return Err("graphc does not take `*` for a width or precision: write the number in the template".to_string());
            }
            let start = *i;
            while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                *i += 1;
            }
            let digits: String = chars[start..*i].iter().collect();
            Ok(if digits.is_empty() { None } else { Some(digits.parse().map_err(|_| "width too big".to_string())?) })
        };
        let width = number(&mut i)?;
        let precision = if chars.get(i) == Some(&'.') {
            i += 1;
            Some(number(&mut i)?.unwrap_or(0))
        } else {
            None
        };
        // C's length modifiers, which Python accepts and ignores.
        while chars.get(i).is_some_and(|c| "hlL".contains(*c)) {
            i += 1;
        }
        let Some(&ty) = chars.get(i) else { return Err("incomplete format".to_string()) };
        i += 1;
        if ty == '%' && key.is_none() {
            text.push('%');
            continue;
        }
        if !"diouxXeEfFgGcrsa%".contains(ty) {
            return Err(format!(
                "unsupported format character '{ty}' ({:#x}) at index {}",
                ty as u32,
                chars[..i - 1].iter().collect::<String>().len()
            ));
        }
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut text)));
        }
        out.push(Piece::Conversion { key, flags, width, precision, ty });
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

/// The `format` spec (and `!s`/`!r` conversion) of a printf-style conversion,
/// or why graphc does not take it.
fn field_spec(flags: &str, width: Option<usize>, precision: Option<usize>, ty: char) -> Result<(Option<char>, String), String> {
    let left = flags.contains('-');
    let width = width.map(|w| w.to_string()).unwrap_or_default();
    let align = if left && !width.is_empty() { "<" } else { "" };
    let sign = if flags.contains('+') {
        "+"
    } else if flags.contains(' ') {
        " "
    } else {
        ""
    };
    let alternate = if flags.contains('#') { "#" } else { "" };
    // `0` pads numbers with zeros after the sign, unless `-` aligns them left.
    let zero = if flags.contains('0') && !left && !width.is_empty() { "0" } else { "" };
    Ok(match ty {
        's' | 'r' | 'a' => {
            // printf aligns text right, where `format` aligns it left.
            let align = if width.is_empty() {
                ""
            } else if left {
                "<"
            } else {
                ">"
            };
            let precision = precision.map(|p| format!(".{p}")).unwrap_or_default();
            (Some(if ty == 's' { 's' } else { 'r' }), format!("{align}{width}{precision}"))
        }
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
            if precision.is_some() {
                return Err(format!("graphc does not take a precision with %{ty} (a minimum count of digits): pad with a width and the `0` flag"));
            }
            let ty = if matches!(ty, 'i' | 'u') { 'd' } else { ty };
            (None, format!("{align}{sign}{alternate}{zero}{width}{ty}"))
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => (None, format!("{align}{sign}{alternate}{zero}{width}.{}{ty}", precision.unwrap_or(6))),
        _ => return Err(format!("graphc does not take %{ty}: format the character with %s")),
    })
}

impl Lowerer<'_> {
    /// `template % args`: a compile-time string, or a run-time text when an
    /// argument is a run-time value.
    pub(crate) fn percent_format(&mut self, template: &str, ts: Span, (args, args_span): (Value, Span), span: Span) -> Value {
        let fail = |l: &mut Self, message: String| {
            l.error(
                Diagnostic::new(Code::E0642, message, ts, "in this format string")
                    .with_help("conversions are `%s`, `%r`, `%d`, `%x`, `%f`, `%e`, `%g` with flags, width and `.precision`, or `%(key)s` with a dict; write `%%` for a percent sign"),
            )
        };
        let pieces = match parse_template(template) {
            Ok(p) => p,
            Err(m) => return fail(self, m),
        };
        let keyed = pieces.iter().any(|p| matches!(p, Piece::Conversion { key: Some(_), .. }));
        // Python takes a tuple's items as the arguments, and any other value as the only one.
        let positional: Vec<(Value, Span)> = match &args {
            Value::Tuple(items) if !keyed => items.clone(),
            Value::Poison => return Value::Poison,
            other => vec![(other.clone(), args_span)],
        };
        if keyed && !matches!(args, Value::Dict { .. }) {
            return fail(self, "format requires a mapping".to_string());
        }
        let mut next = 0;
        let mut out = Vec::new();
        let mut poisoned = false;
        for piece in pieces {
            let (key, flags, width, precision, ty) = match piece {
                Piece::Text(t) => {
                    out.push(PrintArg::Text(t));
                    continue;
                }
                Piece::Conversion { key, flags, width, precision, ty } => (key, flags, width, precision, ty),
            };
            let (v, vs) = match &key {
                Some(k) => match self.dict_lookup(&args, k) {
                    Some(v) => (v, args_span),
                    None => return fail(self, format!("KeyError: '{k}'")),
                },
                None => match positional.get(next) {
                    Some(p) => {
                        next += 1;
                        p.clone()
                    }
                    None => return fail(self, "not enough arguments for format string".to_string()),
                },
            };
            if ty == '%' {
                // `%(key)%` consumes its argument and prints a percent sign, as in Python.
                out.push(PrintArg::Text("%".to_string()));
                continue;
            }
            let (conversion, spec) = match field_spec(&flags, width, precision, ty) {
                Ok(f) => f,
                Err(m) => return fail(self, m),
            };
            // `%d` and its kin format the int a float truncates to, as Python's `int()`.
            let v = if matches!(ty, 'd' | 'i' | 'u') { self.as_int_for_format(v, vs, span) } else { v };
            match self.format_field(v, vs, conversion, &spec, ts) {
                Some(a) => out.push(a),
                None => poisoned = true,
            }
        }
        if !keyed && next < positional.len() {
            return fail(self, "not all arguments converted during string formatting".to_string());
        }
        if poisoned {
            return Value::Poison;
        }
        text_value(concat(out))
    }

    /// The value of `key` in a dict argument (keys are strings here).
    fn dict_lookup(&self, args: &Value, key: &str) -> Option<Value> {
        let Value::Dict { keys, items, .. } = args else { return None };
        keys.iter().position(|k| matches!(k, Value::Str(s) if s == key)).map(|i| items[i].0.clone())
    }

    /// A float (a number, a run-time float, a one-element float tensor) as the
    /// int it truncates to; any other value unchanged.
    fn as_int_for_format(&mut self, v: Value, vs: Span, span: Span) -> Value {
        match v {
            Value::Number(Num::Float(f)) if f.is_finite() => Value::Number(Num::Int(f.trunc() as i128)),
            Value::Host { kind: HostKind::Float, .. } => self.convert(v, HostKind::Int, span),
            Value::Tensor(t) if self.shape_of(t).iter().product::<usize>() == 1 => {
                let number = self.item(t, vs, None, span);
                self.as_int_for_format(number, vs, span)
            }
            v => v,
        }
    }
}
