//! Math on host numbers: `sqrt(d)`, `exp(c)`, `abs(n)` of a Python number give a
//! host number, computed as Python's `math` module computes it, so that
//! `scores / sqrt(d)` divides by the same bits as PyTorch's program does.
//!
//! Only the names that Python's `math` module (or the builtin `abs`) provides
//! apply to numbers: `torch.sigmoid(2.0)` is a TypeError in Python, and so is
//! `sigmoid(2.0)` here (it stays the tensor builtin's "must be a tensor" error).

use graphc_runtime::op::Unary;

use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

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

impl<'a> Lowerer<'a> {
    /// `name(x)` for a host number `x`, with Python's result type: `abs` of an
    /// int and `floor`/`ceil`/`trunc` give ints, the rest floats.
    pub(crate) fn host_math(&mut self, name: &str, x: f64, is_int: bool, arg_span: Span, span: Span) -> Value {
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
            let shown = if is_int && x.abs() < 9.0e15 { format!("{}", x as i64) } else { graphc_runtime::format::python_float_repr(x) };
            return self.error(
                Diagnostic::new(Code::E0110, format!("`{name}({shown})` is a {what}"), span, "no finite result")
                    .with_secondary(arg_span, format!("this number is {shown}"))
                    .with_help(format!("Python's `math.{name}` raises an error for this number; apply `{name}` to a tensor to get inf or nan")),
            );
        }
        Value::Number { value, is_int: int_result }
    }
}
