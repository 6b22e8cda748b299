//! Math on host numbers: `sqrt(d)`, `exp(c)`, `abs(n)` of a Python number give a
//! host number, computed as Python's `math` module computes it, so that
//! `scores / sqrt(d)` divides by the same bits as PyTorch's program does.
//!
//! Only the names that Python's `math` module (or the builtin `abs`) provides
//! apply to numbers: `torch.sigmoid(2.0)` is a TypeError in Python, and so is
//! `sigmoid(2.0)` here (it stays the tensor builtin's "must be a tensor" error).

use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::{DType, Op};

use super::{HostKind, Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Ident, Span};

/// The builtins that are also functions of Python's `math` module (or `abs`),
/// and so accept a host number.
const MATH_NAMES: &[&str] = &[
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh", "log1p", "expm1", "asin", "acos", "atan", "asinh", "acosh", "atanh", "erf",
    "erfc", "log2", "log10", "exp2", "floor", "ceil", "trunc", "abs",
];

/// Functions whose infinite result at a finite argument is a pole (Python's
/// "math domain error") rather than an overflow ("math range error").
const POLES: &[&str] = &["log", "log2", "log10", "log1p", "atanh"];

/// Whether `name(number)` is host math rather than a tensor builtin.
pub(crate) fn applies(name: &str) -> bool {
    MATH_NAMES.contains(&name) && Unary::from_builtin_name(name).is_some()
}

/// The longest list `range(...)` gives outside a `for` header; each item is
/// a compile-time value, so a longer sequence belongs in a tensor (`arange`).
const MAX_RANGE_LIST: u64 = 1 << 16;

impl<'a> Lowerer<'a> {
    /// `name(x)` for a host number `x`, with Python's result type: `abs` of an
    /// int and `floor`/`ceil`/`trunc` give ints, the rest floats.
    pub(crate) fn host_math(&mut self, name: &str, n: Num, arg_span: Span, span: Span) -> Value {
        // `abs` and the roundings of an int give the int itself (or its
        // negation), exactly, as Python's do.
        if let Num::Int(i) = n {
            match name {
                "abs" => return self.int_result(i.checked_abs(), span, &[]),
                "floor" | "ceil" | "trunc" => return Value::Number(n),
                _ => {}
            }
        }
        let (x, is_int) = (n.f64(), n.is_int());
        // `applies` has checked that the op table has the row; the formula in f64
        // calls the platform libm, as CPython's `math` does.
        let Some(u) = Unary::from_builtin_name(name) else { return Value::Poison };
        let value = u.apply(x);
        let int_result = match name {
            "abs" => is_int,
            "floor" | "ceil" | "trunc" => true,
            _ => false,
        };
        if x.is_finite() && !value.is_finite() {
            let what = if value.is_nan() || POLES.contains(&name) { "math domain error" } else { "math range error" };
            let shown = match n {
                Num::Int(i) => i.to_string(),
                Num::Float(_) => graphc_runtime::format::python_float_repr(x),
            };
            return self.error(
                Diagnostic::new(Code::E0110, format!("`{name}({shown})` is a {what}"), span, "no finite result")
                    .with_secondary(arg_span, format!("this number is {shown}"))
                    .with_help(format!("Python's `math.{name}` raises an error for this number; apply `{name}` to a tensor to get inf or nan")),
            );
        }
        // A float's floor, ceil or trunc is an int (Python's, exact), which an
        // infinity or NaN has not.
        if int_result {
            if !value.is_finite() {
                let shown = graphc_runtime::format::python_float_repr(x);
                return self.error(
                    Diagnostic::new(Code::E0110, format!("`{name}({shown})` has no integer value"), span, "not an integer")
                        .with_secondary(arg_span, format!("this number is {shown}"))
                        .with_help(format!("Python's `math.{name}` raises an error here; apply `{name}` to a tensor to keep inf or nan")),
                );
            }
            return self.int_result(Some(value as i128), span, &[]);
        }
        Value::Number(Num::Float(value))
    }
}

/// `x // y` and `x % y` of two compile-time floats (`y` nonzero), with the
/// runtime's own formulas, which are CPython's.
pub(crate) fn fold_division(op: BinOp, x: f64, y: f64) -> Value {
    let row = if op == BinOp::FloorDiv { Binary::FloorDivide } else { Binary::PyRemainder };
    Value::Number(Num::Float(row.apply(x, y)))
}

/// `a // b` and `a % b` of two ints (`b` nonzero), as Python computes them: the
/// quotient rounds toward negative infinity and the remainder takes `b`'s sign.
/// `None` when the quotient overflows (`-2^127 // -1`).
pub(crate) fn int_division(op: BinOp, a: i128, b: i128) -> Option<i128> {
    let q = a.checked_div(b)?;
    let q = if (a % b != 0) && ((a < 0) != (b < 0)) { q - 1 } else { q };
    Some(if op == BinOp::FloorDiv { q } else { a - b * q })
}

/// Python's `round(x, n)` of a float for `n >= 0`: the exact binary value rounded
/// to `n` decimals, ties to even (CPython rounds through its correctly rounded
/// decimal conversion, as Rust's `{:.n}` does), read back as the nearest float.
fn round_digits(x: f64, n: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.n$}").parse().unwrap_or(x)
}

/// Python's `max`/`min` of compile-time numbers: the first of the extreme values,
/// keeping its type (`max(1, 1.0)` is `1`); a NaN is kept when it comes first.
fn fold_extreme(items: &[Num], max: bool) -> Num {
    let mut best = items[0];
    for &it in &items[1..] {
        let better =
            if max { num_order(it, best) == Some(std::cmp::Ordering::Greater) } else { num_order(it, best) == Some(std::cmp::Ordering::Less) };
        if better {
            best = it;
        }
    }
    best
}

/// How two compile-time numbers compare, as Python compares them: two ints
/// exactly; an int with a float by value (`None` with a NaN).
pub(crate) fn num_order(a: Num, b: Num) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Int(x), Num::Float(y)) => int_float_order(x, y),
        (Num::Float(x), Num::Int(y)) => int_float_order(y, x).map(std::cmp::Ordering::reverse),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
    }
}

/// An int against a float, exactly (Python does not round the int first):
/// the float's integer part is compared as an int, then its fraction decides.
fn int_float_order(x: i128, y: f64) -> Option<std::cmp::Ordering> {
    if y.is_nan() {
        return None;
    }
    if y >= 1.7e38 {
        return Some(std::cmp::Ordering::Less);
    }
    if y <= -1.7e38 {
        return Some(std::cmp::Ordering::Greater);
    }
    let t = y.trunc();
    match x.cmp(&(t as i128)) {
        std::cmp::Ordering::Equal if y > t => Some(std::cmp::Ordering::Less),
        std::cmp::Ordering::Equal if y < t => Some(std::cmp::Ordering::Greater),
        other => Some(other),
    }
}

impl<'a> Lowerer<'a> {
    /// E0643: `//` or `%` (or `/` of run-time values) by a zero known at compile time.
    pub(crate) fn zero_divisor(&mut self, op: BinOp, span: Span) -> Value {
        self.error(
            Diagnostic::new(Code::E0643, format!("`{}` by zero", op.symbol()), span, "this is zero")
                .with_help("Python raises ZeroDivisionError here; divide by a nonzero number"),
        )
    }

    /// `float("nan")`, `float("-inf")`, `float("1e-3")`, `int("42")`: Python's
    /// parsing of a string (surrounding whitespace and `_` between digits
    /// allowed); anything else is Python's ValueError, E0645.
    fn parse_number(&mut self, float: bool, text: &str, span: Span) -> Value {
        let t = text.trim();
        // An underscore must sit between two digits, as in Python's literals.
        let bytes = t.as_bytes();
        let underscores_ok = bytes
            .iter()
            .enumerate()
            .all(|(i, &c)| c != b'_' || (i > 0 && i + 1 < bytes.len() && bytes[i - 1].is_ascii_digit() && bytes[i + 1].is_ascii_digit()));
        let plain: String = t.chars().filter(|&c| c != '_').collect();
        let parsed = if !underscores_ok {
            None
        } else if float {
            let (sign, rest) = match plain.strip_prefix('-') {
                Some(r) => (-1.0, r),
                None => (1.0, plain.strip_prefix('+').unwrap_or(&plain)),
            };
            match rest.to_ascii_lowercase().as_str() {
                "nan" => Some(Num::Float(f64::NAN)),
                "inf" | "infinity" => Some(Num::Float(sign * f64::INFINITY)),
                // Rust's parser takes the forms Python's does for finite numbers
                // (`1`, `1.`, `.5`, `1e3`), but also words Python refuses.
                r if r.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-')) => plain.parse::<f64>().ok().map(Num::Float),
                _ => None,
            }
        } else {
            let digits = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
            (!digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())).then(|| plain.parse::<i128>().ok().map(Num::Int)).flatten()
        };
        match parsed {
            Some(n) => Value::Number(n),
            None => {
                let (what, help) = if float {
                    ("could not convert string to float", "write a number such as \"0.5\", \"1e-3\", \"inf\", \"-inf\" or \"nan\"")
                } else {
                    ("invalid literal for int() with base 10", "write an integer such as \"42\" (`int(float(s))` for a decimal)")
                };
                self.error(Diagnostic::new(Code::E0645, format!("{what}: '{text}'"), span, "Python raises ValueError").with_help(help))
            }
        }
    }

    /// The builtins of Python values: `float`, `int`, `bool`, `len`, `round`,
    /// `min`, `max`, `abs` and the `math` functions, where an argument is a host
    /// number or a run-time value. `None` leaves the call to the tensor builtins.
    pub(crate) fn host_call(&mut self, name: &str, args: &[(Option<Ident>, Value, Span)], span: Span) -> Option<Value> {
        if args.iter().any(|(_, v, _)| matches!(v, Value::Poison)) {
            return None;
        }
        let positional = args.iter().all(|(k, _, _)| k.is_none());
        match (name, args) {
            ("float" | "int", [(None, Value::Str(text), vs)]) => Some(self.parse_number(name == "float", text, *vs)),
            ("float" | "int" | "bool", [(None, v, vs)]) => {
                let to = match name {
                    "float" => HostKind::Float,
                    "int" => HostKind::Int,
                    _ => HostKind::Bool,
                };
                match v {
                    Value::Tensor(t) => Some(self.item(*t, *vs, Some(to), span)),
                    Value::Number(_) | Value::Bool(_) | Value::Host { .. } => Some(self.convert(v.clone(), to, span)),
                    _ => None,
                }
            }
            ("len", [(None, v, vs)]) => Some(self.len(v, *vs)),
            ("isinstance", [(None, v, _), (None, classes, cs)]) => Some(self.isinstance(v, classes, *cs)),
            // Python's `filter(fn, items)` (`filter(lambda p: p.requires_grad, model.parameters())`),
            // as a list: each item for which `fn` (or, for `None`, the item) is true
            // when compiling.
            ("filter", [(None, f, fs), (None, Value::List(items) | Value::Tuple(items), _)]) => Some(self.python_filter(f, *fs, items, span)),
            // Python's `str(x)`: what `print(x)` shows (`tensor(1.5000)` for a
            // 0-d tensor, where an f-string field would format its number).
            ("str", [(None, v, vs)]) => {
                Some(self.format_field(v.clone(), *vs, Some('s'), "", *vs).map_or(Value::Poison, super::fstrings::text_value))
            }
            // Python's `any`/`all` of a list of Python values (`not any(nd in n for
            // nd in no_decay)`, as Hugging Face scripts split their parameters).
            ("any" | "all", [(None, Value::List(items) | Value::Tuple(items), _)])
                if items.iter().all(|(v, _)| python_truth(v).is_some() || matches!(v, Value::Host { kind: HostKind::Bool, .. })) =>
            {
                Some(self.python_any_all(name == "any", items, span))
            }
            // `type(x)`: the class, as the function of its name (`float` is
            // both in Python), known at compile time: it prints `<class 'float'>`.
            ("type", [(None, v, vs)]) => Some(match python_class(v) {
                Some(class) => Value::Func(class.to_string(), 0),
                None => self.error(
                    Diagnostic::new(Code::E0107, format!("`type` of {} is not supported", v.describe()), *vs, "no class in .act")
                        .with_help("`type` gives the class of a number, bool, string, list, tuple or tensor"),
                ),
            }),
            // `reversed(xs)`: the items from the last, as a list (Python's
            // iterator, which `for`, `list` and `enumerate` read the same way).
            ("reversed", [(None, Value::List(items) | Value::Tuple(items) | Value::Named { items, .. }, _)]) => {
                Some(Value::List(items.iter().rev().cloned().collect()))
            }
            ("reversed", [(None, Value::Size(dims), vs)]) => {
                Some(Value::List(dims.iter().rev().map(|&d| (Value::Number(Num::Int(d as i128)), *vs)).collect()))
            }
            // Python's `sum` of a list (a tensor's is `torch.sum`, below).
            ("sum", [(None, Value::List(items) | Value::Tuple(items), _)]) => Some(self.python_sum(items, None, span)),
            ("sum", [(None, Value::List(items) | Value::Tuple(items), _), (k, start, ss)]) if k.as_ref().is_none_or(|k| k.name == "start") => {
                Some(self.python_sum(items, Some((start.clone(), *ss)), span))
            }
            ("range", _) => Some(self.range_list(args, span)),
            ("dict", _) => Some(self.dict_call(args, span)),
            // `collections.OrderedDict(pairs)`: a dict made as `dict` makes one,
            // which prints as the class does.
            ("OrderedDict", _) => Some(match self.dict_call(args, span) {
                Value::Dict { keys, items, .. } => Value::Dict { keys, items, ordered: true },
                other => other,
            }),
            ("enumerate" | "zip", _) => Some(self.enumerate_zip(name == "zip", args, span)),
            // `list(range(n))`, `list(x.shape)`: a list of the same items.
            ("list", [(None, Value::List(items) | Value::Tuple(items) | Value::Named { items, .. }, _)]) => Some(Value::List(items.clone())),
            ("list", [(None, Value::Dict { keys, .. }, vs)]) => Some(Value::List(keys.iter().map(|k| (k.clone(), *vs)).collect())),
            ("list", [(None, Value::Size(dims), vs)]) => Some(Value::List(dims.iter().map(|&d| (Value::Number(Num::Int(d as i128)), *vs)).collect())),
            // `tuple(xs)`: the items a `for` over `xs` takes, as a tuple; `tuple()` is empty.
            ("tuple", []) => Some(Value::Tuple(Vec::new())),
            ("tuple", [(None, v, vs)]) => Some(match self.sequence_items(v, *vs) {
                Some(items) => Value::Tuple(items),
                None => self.error(
                    Diagnostic::new(Code::E0107, format!("'{}' object is not iterable", super::membership::python_type(v)), *vs, "not a sequence")
                        .with_help("`tuple` takes a list, a tuple, a shape, a dict or a tensor"),
                ),
            }),
            ("abs", [(None, Value::Host { node, kind }, _)]) => {
                let kind = if *kind == HostKind::Bool { HostKind::Int } else { *kind };
                let dt = super::host_values::host_dtype(kind);
                let x = self.cast_to(*node, dt, span);
                Some(Value::Host { node: self.node(Op::Unary(Unary::Abs), dt, vec![], &[x], span), kind })
            }
            ("round", [(None, x, xs), rest @ ..]) if rest.len() <= 1 && !matches!(x, Value::Tensor(_)) => {
                let digits = match rest {
                    [] => None,
                    [(k, n, ns)] if k.as_ref().is_none_or(|k| k.name == "ndigits") => Some((n.clone(), *ns)),
                    _ => return None,
                };
                Some(self.round(x.clone(), *xs, digits, span))
            }
            ("min" | "max", _) if positional && !args.is_empty() => self.extreme(name == "max", args, span),
            (_, [(None, Value::Host { node, kind }, _)]) if applies(name) => {
                let u = Unary::from_builtin_name(name)?;
                let x = self.cast_to(*node, DType::F64, span);
                let _ = kind;
                let y = self.node(Op::Unary(u), DType::F64, vec![], &[x], span);
                Some(match name {
                    "floor" | "ceil" | "trunc" => Value::Host { node: self.cast_to(y, DType::I64, span), kind: HostKind::Int },
                    _ => Value::Host { node: y, kind: HostKind::Float },
                })
            }
            _ => None,
        }
    }

    /// `range(...)` outside a `for` header: the list of its integers, as
    /// `list(range(...))` gives it, so that `x[range(n), target]` indexes as in
    /// PyTorch (which turns the range into an index tensor).
    fn range_list(&mut self, args: &[(Option<Ident>, Value, Span)], span: Span) -> Value {
        let help = "write `range(n)`, `range(a, b)` or `range(a, b, step)` with integers known at compile time; for a run-time sequence use `arange`";
        let mut bounds = Vec::new();
        for (k, v, vs) in args {
            match (k, v) {
                (None, Value::Number(n)) if n.i64().is_some() => bounds.push(n.i64().expect("checked by the guard")),
                (_, Value::Poison) => return Value::Poison,
                (Some(k), _) => {
                    return self.error(
                        Diagnostic::new(Code::E0600, format!("`range` takes no argument `{}`", k.name), k.span, "unknown keyword").with_help(help),
                    )
                }
                (None, other) => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0600,
                            format!("a bound of `range` must be an integer known at compile time, not {}", other.describe()),
                            *vs,
                            "not a compile-time integer",
                        )
                        .with_help(help),
                    )
                }
            }
        }
        let (start, stop, step) = match bounds[..] {
            [stop] => (0, stop, 1),
            [start, stop] => (start, stop, 1),
            [start, stop, step] => (start, stop, step),
            _ => return self.error(Diagnostic::new(Code::E0600, "`range` takes one to three integers", span, "wrong arguments").with_help(help)),
        };
        if step == 0 {
            return self.error(Diagnostic::new(Code::E0600, "the step of `range` must not be zero", args[2].2, "zero step").with_help(help));
        }
        let n = super::loops::trip_count(start, stop, step);
        if n > MAX_RANGE_LIST {
            return self.error(
                Diagnostic::new(Code::E0600, format!("`range` here would make a list of {n} integers"), span, "too long to hold at compile time")
                    .with_help(format!("a `range` outside a `for` header is a compile-time list of at most {MAX_RANGE_LIST} integers: use `arange(...)`, an i64 tensor, instead")),
            );
        }
        Value::List((0..n as i64).map(|k| (Value::Number(Num::Int(start as i128 + k as i128 * step as i128)), span)).collect())
    }

    /// `enumerate(xs, start=0)` and `zip(xs, ys, ...)` of lists, tuples, shapes
    /// and tensors (their rows, at most 512), as the lists of tuples Python's
    /// iterators yield, for `for i, x in enumerate(xs)` to unroll.
    fn enumerate_zip(&mut self, zip: bool, args: &[(Option<Ident>, Value, Span)], span: Span) -> Value {
        let name = if zip { "zip" } else { "enumerate" };
        let mut start = 0i128;
        let mut seqs = Vec::new();
        for (k, v, vs) in args {
            match (k, v) {
                (_, Value::Poison) => return Value::Poison,
                (Some(k), Value::Number(Num::Int(s))) if !zip && k.name == "start" => start = *s,
                (Some(k), _) => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0104,
                            format!("`{name}` has no keyword argument `{}` here", k.name),
                            k.span,
                            "unknown keyword argument",
                        )
                        .with_help(if zip {
                            "`zip` takes the sequences only"
                        } else {
                            "`enumerate` takes the sequence and `start=` an integer"
                        }),
                    )
                }
                (None, v) => match self.sequence_items(v, *vs) {
                    Some(items) => seqs.push(items),
                    None => {
                        return self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("`{name}` takes lists, tuples, shapes and tensors, not {}", v.describe()),
                                *vs,
                                "not a sequence",
                            )
                            .with_help("pass a list such as `[w1, b1]`, a tuple, a shape, or a tensor of at most 512 rows"),
                        )
                    }
                },
            }
        }
        if seqs.is_empty() || (!zip && seqs.len() != 1) {
            let help = if zip { "write `zip(xs, ys)`" } else { "write `enumerate(xs)` or `enumerate(xs, start=1)`" };
            return self.error(
                Diagnostic::new(
                    Code::E0103,
                    format!("`{name}` takes {}", if zip { "one or more sequences" } else { "one sequence" }),
                    span,
                    "wrong arguments",
                )
                .with_help(help),
            );
        }
        let n = seqs.iter().map(Vec::len).min().unwrap_or(0);
        let rows = (0..n).map(|i| {
            let mut items: Vec<(Value, Span)> = seqs.iter().map(|s| s[i].clone()).collect();
            if !zip {
                items.insert(0, (Value::Number(Num::Int(start + i as i128)), span));
            }
            (Value::Tuple(items), span)
        });
        Value::List(rows.collect())
    }

    /// The items a `for` over `v` takes: a list's, a tuple's, a shape's ints, or a
    /// tensor's rows (at most `loops::MAX_UNROLL`, as many as a `for` unrolls).
    pub(super) fn sequence_items(&mut self, v: &Value, span: Span) -> Option<Vec<(Value, Span)>> {
        match v {
            Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } => Some(items.clone()),
            // A dict iterates over its keys.
            Value::Dict { keys, .. } => Some(keys.iter().map(|k| (k.clone(), span)).collect()),
            // A `ModuleList` or `Sequential` over its modules.
            Value::Object { .. } => super::nn_modules::container_items(v),
            Value::Size(dims) => Some(dims.iter().map(|&d| (Value::Number(Num::Int(d as i128)), span)).collect()),
            Value::Tensor(t) if self.shape_of(*t).first().is_some_and(|&n| n <= super::loops::MAX_UNROLL) => {
                let n = self.shape_of(*t)[0];
                Some((0..n).map(|i| (self.select_row(*t, i as i64, span), span)).collect())
            }
            _ => None,
        }
    }

    /// `any(items)` or `all(items)` of compile-time values and run-time bools:
    /// a bool when the compile-time items decide it, else the run-time `or`
    /// (`and`) of the run-time ones.
    fn python_any_all(&mut self, any: bool, items: &[(Value, Span)], span: Span) -> Value {
        let mut pending: Option<Value> = None;
        for (v, vs) in items {
            match python_truth(v) {
                // `any` stops at the first true item, `all` at the first false one.
                Some(t) if t == any => return Value::Bool(any),
                Some(_) => {}
                None => {
                    pending = Some(match pending {
                        None => v.clone(),
                        Some(p) => self.host_logic(!any, (p, span), (v.clone(), *vs), span),
                    });
                }
            }
        }
        pending.unwrap_or(Value::Bool(!any))
    }

    /// `len(x)`: the length of a list, tuple, shape or string, or a tensor's first
    /// dimension, all known at compile time.
    pub(super) fn len(&mut self, v: &Value, vs: Span) -> Value {
        let n = match v {
            Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } => items.len(),
            Value::Dict { keys, .. } => keys.len(),
            Value::Object { .. } if super::nn_modules::container_items(v).is_some() => super::nn_modules::container_items(v).map_or(0, |m| m.len()),
            // An object whose class defines `__len__` (a `Dataset`): what it returns.
            Value::Object { class, .. } if self.find_method(&class.clone(), "__len__").is_some() => {
                let (owner, f) = self.find_method(&class.clone(), "__len__").expect("checked by the guard");
                return match self.call_method(owner, f, v.clone(), vs, Vec::new(), vs).0 {
                    n @ (Value::Number(Num::Int(_)) | Value::Host { kind: HostKind::Int, .. } | Value::Poison) => n,
                    other => self.error(
                        Diagnostic::new(Code::E0645, format!("`__len__` returned {}, not an int", other.describe()), vs, "its length")
                            .with_help("return the number of samples, as in `return len(self.y)`"),
                    ),
                };
            }
            Value::Size(dims) => dims.len(),
            Value::Str(s) => s.chars().count(),
            Value::Dataset(tensors) => self.shape_of(tensors[0])[0],
            Value::Loader(l) => self.loader_batches(l),
            Value::Tensor(t) => match self.shape_of(*t).first() {
                Some(&d) => d,
                None => {
                    return self.error(
                        Diagnostic::new(Code::E0645, "`len` of a 0-d tensor", vs, "a 0-d tensor")
                            .with_help("a 0-d tensor has no first dimension (PyTorch raises TypeError); use `x.numel()`"),
                    )
                }
            },
            other => {
                return self.error(
                    Diagnostic::new(Code::E0645, format!("`len` of {}", other.describe()), vs, "has no length")
                        .with_help("`len` takes a list, a tuple, a dict, a shape, a string, a tensor, a dataset or a data loader"),
                )
            }
        };
        Value::Number(Num::Int(n as i128))
    }

    fn python_filter(&mut self, f: &Value, fs: Span, items: &[(Value, Span)], span: Span) -> Value {
        let mut kept = Vec::new();
        for (item, is) in items {
            let verdict = match f {
                Value::None => item.clone(),
                f => self.call_value(f, &Ident { name: "filter".to_string(), span: fs }, vec![(None, item.clone(), *is)], span),
            };
            match python_truth(&verdict) {
                Some(true) => kept.push((item.clone(), *is)),
                Some(false) => {}
                None if matches!(verdict, Value::Poison) => return Value::Poison,
                None => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`filter`'s function gave {}, not a value known when compiling", verdict.describe()),
                            fs,
                            "not known when compiling",
                        )
                        .with_help("filter on what graphc knows when compiling, such as `p.requires_grad` or a name"),
                    )
                }
            }
        }
        Value::List(kept)
    }

    /// `isinstance(v, classes)`: whether `v` is of the class, or of one of a
    /// tuple of classes, known at compile time as every value's class is.
    fn isinstance(&mut self, v: &Value, classes: &Value, cs: Span) -> Value {
        let names: Option<Vec<String>> = match classes {
            Value::Tuple(items) => items.iter().map(|(c, _)| class_named(c)).collect(),
            c => class_named(c).map(|n| vec![n]),
        };
        let Some(names) = names else {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`isinstance`'s second argument must be a class or a tuple of classes, not {}", classes.describe()),
                    cs,
                    "not a class",
                )
                .with_help("name a class, as in `isinstance(m, nn.Linear)` or `isinstance(x, (int, float))`"),
            );
        };
        // The classes `v` is an instance of: its own, its bases', and Python's and PyTorch's roots.
        let mut of: Vec<String> = vec!["object".to_string()];
        match v {
            Value::Object { class, .. } => {
                if self.class_def(class).is_some() {
                    of.extend(self.class_chain(class));
                    of.push(
                        match self.root_of(class) {
                            Some(super::objects::Base::Dataset) => "Dataset",
                            Some(super::objects::Base::Object) => "object",
                            _ => "Module",
                        }
                        .to_string(),
                    );
                } else {
                    of.extend([class.to_string(), "Module".to_string()]);
                }
            }
            // A bool is an int in Python.
            Value::Bool(_) | Value::Host { kind: HostKind::Bool, .. } => of.extend(["bool".to_string(), "int".to_string()]),
            Value::Tensor(t) => {
                of.push("Tensor".to_string());
                if self.param_origins.contains(&self.origin(*t)) {
                    of.push("Parameter".to_string());
                }
            }
            other => of.extend(python_class(other).map(str::to_string)),
        }
        Value::Bool(names.iter().any(|n| of.contains(n)))
    }

    /// `round(x)` (an int, halves to even) and `round(x, n)` (a number of `x`'s type).
    fn round(&mut self, x: Value, xs: Span, digits: Option<(Value, Span)>, span: Span) -> Value {
        let n = match digits {
            None | Some((Value::None, _)) => None,
            Some((Value::Number(Num::Int(d)), _)) if d >= 0 => Some(usize::try_from(d).unwrap_or(usize::MAX)),
            Some((Value::Number(Num::Int(d)), _)) if d >= -18 && matches!(x, Value::Number(Num::Int(_))) => {
                // An int rounded to a negative number of digits: to a multiple of 10^-n, halves to even.
                let Value::Number(Num::Int(v)) = x else { return Value::Poison };
                let p = 10i128.pow((-d) as u32);
                let (mut q, r) = (v.div_euclid(p), v.rem_euclid(p));
                if 2 * r > p || (2 * r == p && q % 2 != 0) {
                    q += 1;
                }
                return self.int_result(q.checked_mul(p), span, &[]);
            }
            Some((other, ns)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0645,
                        format!("`round` takes a number of digits known at compile time and >= 0 here, not {}", other.describe()),
                        ns,
                        "unsupported digits",
                    )
                    .with_help("write a non-negative integer literal, such as `round(x, 2)`"),
                )
            }
        };
        match (x, n) {
            (Value::Number(Num::Int(i)), _) => Value::Number(Num::Int(i)),
            (Value::Number(Num::Float(value)), None) => {
                if !value.is_finite() {
                    return self.error(
                        Diagnostic::new(Code::E0645, "`round` of an infinite or NaN number", xs, "not finite")
                            .with_help("Python raises an error here: `round` to an int needs a finite number"),
                    );
                }
                self.int_result(Some(value.round_ties_even() as i128), span, &[])
            }
            (Value::Number(Num::Float(value)), Some(n)) => Value::Number(Num::Float(round_digits(value, n))),
            (Value::Bool(b), _) => Value::Number(Num::Int(b as i128)),
            (Value::Host { node, kind: HostKind::Int | HostKind::Bool }, _) => {
                Value::Host { node: self.cast_to(node, DType::I64, span), kind: HostKind::Int }
            }
            (Value::Host { node, kind: HostKind::Float }, None) => {
                let r = self.node(Op::Unary(Unary::Round), DType::F64, vec![], &[node], span);
                Value::Host { node: self.cast_to(r, DType::I64, span), kind: HostKind::Int }
            }
            (Value::Host { node, kind: HostKind::Float }, Some(n)) => {
                // Python's decimal rounding, when the program runs (`round(loss.item(), 4)`).
                let digits = graphc_runtime::op::F64Bits::new(n.min(400) as f64);
                let op = Op::Activation(graphc_runtime::op::Activation::PyRound { digits });
                Value::Host { node: self.node(op, DType::F64, vec![], &[node], span), kind: HostKind::Float }
            }
            (other, _) => self.error(
                Diagnostic::new(Code::E0107, format!("`round` takes a number, not {}", other.describe()), xs, "not a number")
                    .with_help("round a number, or a tensor with `x.round()`"),
            ),
        }
    }

    /// `max(a, b, ...)`, `min(a, b, ...)` or of one list, when every item is a host
    /// number or a run-time value (`None` otherwise: the tensor builtins). As in
    /// Python, the first extreme item wins, so a run-time result must have one type.
    fn extreme(&mut self, max: bool, args: &[(Option<Ident>, Value, Span)], span: Span) -> Option<Value> {
        let items: Vec<(Value, Span)> = match args {
            [(None, Value::List(items) | Value::Tuple(items), _)] => items.clone(),
            [_] => return None,
            _ => args.iter().map(|(_, v, s)| (v.clone(), *s)).collect(),
        };
        if items.is_empty() || !items.iter().all(|(v, _)| matches!(v, Value::Number(_) | Value::Bool(_) | Value::Host { .. })) {
            return None;
        }
        if items.iter().all(|(v, _)| !matches!(v, Value::Host { .. })) {
            let nums: Vec<Num> = items
                .iter()
                .map(|(v, _)| match v {
                    Value::Number(n) => *n,
                    Value::Bool(b) => Num::Int(*b as i128),
                    _ => Num::Float(f64::NAN),
                })
                .collect();
            return Some(Value::Number(fold_extreme(&nums, max)));
        }
        let float = |v: &Value| matches!(v, Value::Number(Num::Float(_)) | Value::Host { kind: HostKind::Float, .. });
        let floats = items.iter().filter(|(v, _)| float(v)).count();
        if floats != 0 && floats != items.len() {
            let (_, s) = items.iter().find(|(v, _)| !float(v)).expect("some item is not a float");
            let word = if max { "max" } else { "min" };
            return Some(self.error(
                Diagnostic::new(Code::E0644, format!("`{word}` of ints and floats known only at run time"), *s, "not a float").with_help(format!(
                    "Python's `{word}` returns one of its arguments, so its type would be known only at run time; convert with `float(...)`"
                )),
            ));
        }
        let (kind, dt) = if floats > 0 { (HostKind::Float, DType::F64) } else { (HostKind::Int, DType::I64) };
        let nodes: Vec<NodeId> = items
            .iter()
            .map(|(v, s)| match v {
                Value::Host { node, .. } => self.cast_to(*node, dt, *s),
                Value::Number(n) => self.scalar_num(*n, dt, *s),
                Value::Bool(b) => self.scalar(if *b { 1.0 } else { 0.0 }, dt, *s),
                _ => unreachable!("checked above"),
            })
            .collect();
        let mut best = nodes[0];
        for &n in &nodes[1..] {
            // Python replaces the best so far only by a strictly better item.
            let cmp = if max { Cmp::Gt } else { Cmp::Lt };
            let better = self.node(Op::Compare(cmp), DType::Bool, vec![], &[n, best], span);
            best = self.node(Op::Select, dt, vec![], &[better, n, best], span);
        }
        Some(Value::Host { node: best, kind })
    }
}

/// Python's truth of a value known when compiling: `None` for one whose truth
/// only the run knows (a run-time value, a tensor).
pub(super) fn python_truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.f64() != 0.0),
        Value::Str(s) => Some(!s.is_empty()),
        Value::None => Some(false),
        Value::List(items) | Value::Tuple(items) => Some(!items.is_empty()),
        _ => None,
    }
}

/// The Python class of a value, for `type(x)`: the name of the builtin that
/// converts to it, or `Tensor` (printed `<class 'torch.Tensor'>`).
/// The class a value names, if it names one: a class (`nn.Linear`, `int`) or
/// Python's `float` and `bool`, which graphc also reads as dtypes.
pub(super) fn class_named(v: &Value) -> Option<String> {
    match v {
        Value::Func(n, _) => Some(n.clone()),
        Value::DType(DType::F32) => Some("float".to_string()),
        Value::DType(DType::Bool) => Some("bool".to_string()),
        _ => None,
    }
}

fn python_class(v: &Value) -> Option<&str> {
    Some(match v {
        Value::Number(Num::Int(_)) | Value::Host { kind: HostKind::Int, .. } => "int",
        Value::Number(Num::Float(_)) | Value::Host { kind: HostKind::Float, .. } => "float",
        Value::Bool(_) | Value::Host { kind: HostKind::Bool, .. } => "bool",
        Value::Str(_) | Value::Text(_) => "str",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Dict { .. } => "dict",
        Value::Tensor(_) => "Tensor",
        Value::Object { class, .. } => class,
        _ => return None,
    })
}
