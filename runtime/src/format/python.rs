//! Python's format-spec mini-language (`format(x, spec)`, `f"{x:spec}"`) for
//! `int`, `float`, `bool` and `str`, as CPython 3 implements it
//! (`Python/formatter_unicode.c`): `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
//!
//! The compiler parses and checks a spec against the kind of value it formats
//! ([`FormatSpec::parse`], [`FormatSpec::check`]), so that a wrong spec is a
//! compile error; the runtime formats with the same spec. Float digits come from
//! Rust's `{:.N}` and `{:.Ne}`, which round the exact binary value with ties to
//! even, as CPython's `PyOS_double_to_string` does; only the spelling differs
//! (Python writes `e+05`, `inf`, `nan`). The locale-dependent type `n` and the
//! character type `c` are not supported.

use super::python_float_repr;

/// Where the padding goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// `<`
    Left,
    /// `>`
    Right,
    /// `^`
    Center,
    /// `=`: between the sign (and prefix) and the digits.
    AfterSign,
}

/// What a positive number starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// `-` (the default): nothing.
    Minus,
    /// `+`
    Plus,
    /// ` `
    Space,
}

/// The kind of Python value a spec formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Int,
    Float,
    Bool,
    Str,
}

impl ValueKind {
    /// The Python type `t.item()` gives for a tensor of `dtype`.
    pub fn of_dtype(dtype: crate::tensor::DType) -> ValueKind {
        match dtype {
            crate::tensor::DType::F32 | crate::tensor::DType::F64 => ValueKind::Float,
            crate::tensor::DType::I64 => ValueKind::Int,
            crate::tensor::DType::Bool => ValueKind::Bool,
        }
    }

    /// Python's name of the type, as its error messages spell it.
    pub fn python_name(self) -> &'static str {
        match self {
            ValueKind::Int => "int",
            ValueKind::Float => "float",
            ValueKind::Bool => "bool",
            ValueKind::Str => "str",
        }
    }
}

/// A parsed format spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub fill: char,
    pub align: Option<Align>,
    pub sign: Sign,
    /// Whether a sign character was written (a `-` is one too, and strings refuse it).
    pub sign_written: bool,
    /// `z`: a negative zero (after rounding) prints without its sign.
    pub no_neg_zero: bool,
    /// `#`: the alternate form (`0x` prefixes, a kept decimal point, kept zeros for `g`).
    pub alternate: bool,
    pub width: usize,
    /// `,` or `_`.
    pub grouping: Option<char>,
    pub precision: Option<usize>,
    /// The presentation type letter (`d`, `f`, `e`, ...), or none.
    pub ty: Option<char>,
    /// The spec as written, for messages.
    pub text: String,
}

/// The syntax error, which [`FormatSpec::for_kind`] words with the value's type.
const INVALID: &str = "Invalid format specifier";

/// The largest width or precision accepted; CPython's limit is the size of memory.
const MAX_FIELD: usize = 10_000;

impl FormatSpec {
    /// Parses a spec for a value of `kind` and checks that it applies; the error
    /// is Python's message for it.
    pub fn for_kind(spec: &str, kind: ValueKind) -> Result<FormatSpec, String> {
        let parsed = match FormatSpec::parse(spec) {
            Err(e) if e == INVALID => return Err(format!("Invalid format specifier '{spec}' for object of type '{}'", kind.python_name())),
            other => other?,
        };
        // CPython checks the grouping against the type (the kind's default
        // type when none is written) while parsing, before anything else.
        let ty = parsed.ty.unwrap_or(match kind {
            ValueKind::Str => 's',
            ValueKind::Int | ValueKind::Bool => 'd',
            ValueKind::Float => '\0',
        });
        match (parsed.grouping, ty) {
            (Some(','), 'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0') => {}
            (Some('_'), 'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' | 'b' | 'o' | 'x' | 'X') => {}
            (Some(g), c) => return Err(format!("Cannot specify '{g}' with '{c}'.")),
            (None, _) => {}
        }
        parsed.check(kind)?;
        Ok(parsed)
    }

    /// Parses a spec's syntax; the error is Python's message for it.
    fn parse(spec: &str) -> Result<FormatSpec, String> {
        let chars: Vec<char> = spec.chars().collect();
        let mut i = 0;
        let align_of = |c: char| match c {
            '<' => Some(Align::Left),
            '>' => Some(Align::Right),
            '^' => Some(Align::Center),
            '=' => Some(Align::AfterSign),
            _ => None,
        };
        let mut fill = ' ';
        let mut align = None;
        if chars.len() >= 2 && align_of(chars[1]).is_some() {
            fill = chars[0];
            align = align_of(chars[1]);
            i = 2;
        } else if let Some(a) = chars.first().and_then(|&c| align_of(c)) {
            align = Some(a);
            i = 1;
        }
        let mut sign = Sign::Minus;
        let sign_written = matches!(chars.get(i), Some('+' | '-' | ' '));
        match chars.get(i) {
            Some('+') => (sign, i) = (Sign::Plus, i + 1),
            Some('-') => i += 1,
            Some(' ') => (sign, i) = (Sign::Space, i + 1),
            _ => {}
        }
        let no_neg_zero = chars.get(i) == Some(&'z');
        if no_neg_zero {
            i += 1;
        }
        let alternate = chars.get(i) == Some(&'#');
        if alternate {
            i += 1;
        }
        // A `0` before the width means zero padding after the sign, unless an
        // alignment was given.
        if chars.get(i) == Some(&'0') {
            if align.is_none() {
                fill = '0';
                align = Some(Align::AfterSign);
            }
            i += 1;
        }
        let (width, next) = digits(&chars, i)?;
        i = next;
        let mut grouping = None;
        if let Some(&c @ (',' | '_')) = chars.get(i) {
            grouping = Some(c);
            i += 1;
            if let Some(&(',' | '_')) = chars.get(i) {
                return Err("Cannot specify both ',' and '_'.".to_string());
            }
        }
        let mut precision = None;
        if chars.get(i) == Some(&'.') {
            let (p, next) = digits(&chars, i + 1)?;
            if next == i + 1 {
                return Err("Format specifier missing precision".to_string());
            }
            precision = Some(p);
            i = next;
        }
        let ty = match &chars[i..] {
            [] => None,
            [c] => Some(*c),
            _ => return Err(INVALID.to_string()),
        };
        Ok(FormatSpec { fill, align, sign, sign_written, no_neg_zero, alternate, width, grouping, precision, ty, text: spec.to_string() })
    }

    /// Whether this spec can format a value of `kind`; the error is Python's message.
    pub fn check(&self, kind: ValueKind) -> Result<(), String> {
        if self.text.is_empty() {
            return Ok(());
        }
        let unknown = |c: char| Err(format!("Unknown format code '{c}' for object of type '{}'", kind.python_name()));
        match kind {
            ValueKind::Str => {
                if let Some(c) = self.ty.filter(|&c| c != 's') {
                    return unknown(c);
                }
                if self.sign == Sign::Space {
                    return Err("Space not allowed in string format specifier".to_string());
                }
                if self.sign_written {
                    return Err("Sign not allowed in string format specifier".to_string());
                }
                if self.alternate {
                    return Err("Alternate form (#) not allowed in string format specifier".to_string());
                }
                if self.no_neg_zero {
                    return Err("Negative zero coercion (z) not allowed in string format specifier".to_string());
                }
                if self.align == Some(Align::AfterSign) {
                    return Err("'=' alignment not allowed in string format specifier".to_string());
                }
                Ok(())
            }
            ValueKind::Int | ValueKind::Bool => match self.ty {
                None | Some('d' | 'b' | 'o' | 'x' | 'X') => {
                    if self.precision.is_some() {
                        return Err("Precision not allowed in integer format specifier".to_string());
                    }
                    if self.no_neg_zero {
                        return Err("Negative zero coercion (z) not allowed in integer format specifier".to_string());
                    }
                    Ok(())
                }
                Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => self.check(ValueKind::Float),
                Some(c) => unknown(c),
            },
            ValueKind::Float => match self.ty {
                None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => Ok(()),
                Some(c) => unknown(c),
            },
        }
    }

    /// `format(v, spec)` for a Python int (the spec checked for ints).
    pub fn format_int(&self, v: i64) -> String {
        if let Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') = self.ty {
            return self.format_float(v as f64);
        }
        let magnitude = (v as i128).unsigned_abs();
        let (digits, prefix, group) = match self.ty {
            Some('b') => (format!("{magnitude:b}"), "0b", 4),
            Some('o') => (format!("{magnitude:o}"), "0o", 4),
            Some('x') => (format!("{magnitude:x}"), "0x", 4),
            Some('X') => (format!("{magnitude:X}"), "0X", 4),
            _ => (magnitude.to_string(), "", 3),
        };
        let prefix = if self.alternate { prefix } else { "" };
        self.finish_number(v < 0, prefix, &digits, "", group)
    }

    /// `format(b, spec)` for a Python bool: `True`/`False` with an empty spec,
    /// and the int 1/0 with any other (bool inherits `int.__format__`).
    pub fn format_bool(&self, b: bool) -> String {
        if self.text.is_empty() {
            return if b { "True" } else { "False" }.to_string();
        }
        self.format_int(b as i64)
    }

    /// `format(s, spec)` for a Python str.
    pub fn format_str(&self, s: &str) -> String {
        let s: String = match self.precision {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        };
        self.pad(&s, "", Align::Left)
    }

    /// `format(v, spec)` for a Python float (or an int under a float type).
    pub fn format_float(&self, v: f64) -> String {
        let negative = v.is_sign_negative() && !v.is_nan();
        let a = v.abs();
        let (body, suffix) = match self.ty {
            Some(c @ ('f' | 'F')) => (fixed(a, self.precision.unwrap_or(6), self.alternate, c == 'F'), ""),
            Some(c @ ('e' | 'E')) => (scientific(a, self.precision.unwrap_or(6), self.alternate, c == 'E'), ""),
            Some(c @ ('g' | 'G')) => (general(a, self.precision.unwrap_or(6), self.alternate, c == 'G', false), ""),
            Some('%') => (fixed(a * 100.0, self.precision.unwrap_or(6), self.alternate, false), "%"),
            // No type: `repr` without a precision, else `g` that keeps one digit
            // after the point and switches to exponents one digit earlier.
            _ => match self.precision {
                None => (python_float_repr(a), ""),
                Some(p) => (general(a, p, self.alternate, false, true), ""),
            },
        };
        let all_zero = body.bytes().all(|b| matches!(b, b'0' | b'.'));
        let negative = negative && !(self.no_neg_zero && all_zero && a.is_finite());
        // Only finite numbers are grouped; `inf` and `nan` are never zero-padded as digits.
        let (int_part, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
            Some(i) if a.is_finite() => body.split_at(i),
            None if a.is_finite() => (body.as_str(), ""),
            _ => ("", body.as_str()),
        };
        let rest = format!("{rest}{suffix}");
        if a.is_finite() {
            self.finish_number(negative, "", int_part, &rest, 3)
        } else {
            // CPython pads `inf`/`nan` with the fill but never groups them.
            let sign = self.sign_text(negative);
            self.pad(&rest, &sign, Align::Right)
        }
    }

    fn sign_text(&self, negative: bool) -> String {
        match (negative, self.sign) {
            (true, _) => "-".to_string(),
            (false, Sign::Plus) => "+".to_string(),
            (false, Sign::Space) => " ".to_string(),
            (false, Sign::Minus) => String::new(),
        }
    }

    /// Sign, prefix, grouped integer digits, the rest, padded to the width. With
    /// `=` alignment and a `0` fill, the padding is digits too, and grouped.
    fn finish_number(&self, negative: bool, prefix: &str, int_digits: &str, rest: &str, group: usize) -> String {
        let sign = format!("{}{prefix}", self.sign_text(negative));
        let grouped = match self.grouping {
            Some(sep) => {
                let min = if self.fill == '0' && self.align == Some(Align::AfterSign) {
                    self.width.saturating_sub(sign.chars().count() + rest.chars().count())
                } else {
                    0
                };
                group_digits(int_digits, sep, group, min)
            }
            None => int_digits.to_string(),
        };
        self.pad(&format!("{grouped}{rest}"), &sign, Align::Right)
    }

    /// Pads `sign` + `body` to the width with the fill, as the alignment says.
    fn pad(&self, body: &str, sign: &str, default: Align) -> String {
        let len = sign.chars().count() + body.chars().count();
        let n = self.width.saturating_sub(len);
        let fill = |k: usize| self.fill.to_string().repeat(k);
        match self.align.unwrap_or(default) {
            Align::Left => format!("{sign}{body}{}", fill(n)),
            Align::Right => format!("{}{sign}{body}", fill(n)),
            Align::Center => format!("{}{sign}{body}{}", fill(n / 2), fill(n - n / 2)),
            Align::AfterSign => format!("{sign}{}{body}", fill(n)),
        }
    }
}

/// A decimal number (no sign) of the width or precision field from `i`.
fn digits(chars: &[char], mut i: usize) -> Result<(usize, usize), String> {
    let mut n: usize = 0;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        n = n * 10 + d as usize;
        if n > MAX_FIELD {
            return Err("Too many decimal digits in format string".to_string());
        }
        i += 1;
    }
    Ok((n, i))
}

/// Inserts `sep` every `group` digits from the right, padding with zeros (which
/// are grouped too) until the result is at least `min` characters long. A
/// separator is never the first character: CPython adds a zero before it.
fn group_digits(d: &str, sep: char, group: usize, min: usize) -> String {
    let mut n = d.len();
    while n + (n - 1) / group < min {
        n += 1;
    }
    let padded = format!("{}{d}", "0".repeat(n - d.len()));
    let mut out = String::new();
    for (k, c) in padded.chars().enumerate() {
        if k > 0 && (n - k).is_multiple_of(group) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `inf`/`nan` as Python spells them (upper case for `F`, `E`, `G`).
fn non_finite(a: f64, upper: bool) -> Option<String> {
    let s = if a.is_nan() {
        "nan"
    } else if a.is_infinite() {
        "inf"
    } else {
        return None;
    };
    Some(if upper { s.to_uppercase() } else { s.to_string() })
}

/// `f` of a non-negative number.
fn fixed(a: f64, precision: usize, alternate: bool, upper: bool) -> String {
    if let Some(s) = non_finite(a, upper) {
        return s;
    }
    let s = format!("{a:.precision$}");
    if alternate && precision == 0 {
        format!("{s}.")
    } else {
        s
    }
}

/// `e` of a non-negative number: Python writes the exponent with a sign and two digits at least.
fn scientific(a: f64, precision: usize, alternate: bool, upper: bool) -> String {
    if let Some(s) = non_finite(a, upper) {
        return s;
    }
    let s = format!("{a:.precision$e}");
    let (mantissa, exp) = s.split_once('e').expect("Rust's `{:e}` writes an exponent");
    let exp: i32 = exp.parse().expect("Rust's exponent is an integer");
    let dot = if alternate && precision == 0 { "." } else { "" };
    let e = if upper { 'E' } else { 'e' };
    format!("{mantissa}{dot}{e}{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `g` of a non-negative number; `no_type` is the spec without a type letter
/// (at least one digit after the point, exponents from `exp >= precision - 1`).
fn general(a: f64, precision: usize, alternate: bool, upper: bool, no_type: bool) -> String {
    if let Some(s) = non_finite(a, upper) {
        return s;
    }
    let p = precision.max(1);
    // The exponent after rounding to `p` significant digits decides the notation.
    let rounded = format!("{a:.prec$e}", prec = p - 1);
    let exp: i64 = rounded.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let limit = if no_type { p as i64 - 1 } else { p as i64 };
    let mut s = if (-4..limit).contains(&exp) {
        fixed(a, (p as i64 - 1 - exp).max(0) as usize, alternate, upper)
    } else {
        scientific(a, p - 1, alternate, upper)
    };
    if !alternate {
        s = strip_zeros(&s);
    }
    if no_type && !s.contains(['.', 'e', 'E']) {
        s.push_str(".0");
    }
    s
}

/// Removes trailing zeros after the point (and a point left alone), before any exponent.
fn strip_zeros(s: &str) -> String {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    format!("{mantissa}{exp}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_padded_grouped_number_never_starts_with_a_separator() {
        let spec = FormatSpec::for_kind("08,", ValueKind::Int).unwrap();
        assert_eq!(spec.format_int(1234), "0,001,234");
    }

    #[test]
    fn precision_is_an_error_for_integers() {
        let error = FormatSpec::for_kind(".4d", ValueKind::Int).unwrap_err();
        assert_eq!(error, "Precision not allowed in integer format specifier");
    }
}
