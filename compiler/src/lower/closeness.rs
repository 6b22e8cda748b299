//! `isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=false)` and
//! `allclose(...)` (`torch.isclose`, `torch.allclose`), written as ATen's
//! `isclose` (TensorCompare.cpp) computes them, so that the borderline cases
//! agree: `close = input == other`, or both NaN with `equal_nan`; with both
//! tolerances zero that is all; else `close | (isfinite(actual) & actual <=
//! allowed)` with `actual = |input - other|` and `allowed = atol + |rtol *
//! other|`, the tolerances entering the arithmetic as Python floats do (in the
//! tensor's dtype). Integer operands are compared in the default dtype (f32),
//! as ATen converts them. `allclose` is `isclose(...).all().item()`, a Python
//! bool known when the program runs.

use graphc_runtime::DType;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `isclose(...)` (`all` false) or `allclose(...)` (`all` true).
    pub(super) fn isclose_call(&mut self, all: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let mut ts = Vec::new();
        for (i, what) in [(0, "input"), (1, "other")] {
            let (v, vs) = bound.positional[i].clone().expect("bind guarantees both tensors");
            let Some(t) = self.expect_tensor(v, vs, &format!("`{name}`'s {what}")) else { return Value::Poison };
            ts.push((t, vs));
        }
        let ((a, sa), (b, sb)) = (ts[0], ts[1]);
        let (da, db) = (self.dtype_of(a), self.dtype_of(b));
        if da != db {
            return self.error(
                Diagnostic::new(
                    Code::E0201,
                    format!("`{name}` expects both inputs to have one dtype, but `other` is {db} and `input` {da}"),
                    sb,
                    db.to_string(),
                )
                .with_secondary(sa, da.to_string())
                .with_help("convert one of them first, as PyTorch requires: `other.to(input.dtype)`"),
            );
        }
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let Some(rtol) = self.number_or(arg(2), 1e-05, "`rtol`") else { return Value::Poison };
        let Some(atol) = self.number_or(arg(3), 1e-08, "`atol`") else { return Value::Poison };
        let equal_nan = match arg(4) {
            None => false,
            Some((Value::Bool(e), _)) => e,
            Some((other, es)) => return self.not_bool("equal_nan", &other, es),
        };
        for (value, which, i) in [(rtol, "rtol", 2), (atol, "atol", 3)] {
            if value < 0.0 {
                let at = arg(i).map(|(_, s)| s).unwrap_or(span);
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`{which}` must be greater than or equal to zero, but got {value}"), at, "negative")
                        .with_help("a tolerance is a distance: write a number `>= 0`"),
                );
            }
        }
        let t = |t: crate::ir::graph::NodeId, s: Span| (Value::Tensor(t), s);
        let number = |x: f64| (Value::Number(Num::Float(x)), span);
        let mut close = self.binary(BinOp::EqEq, t(a, sa), t(b, sb), span);
        if equal_nan && da.is_float() {
            let both = [self.call_builtin_values("isnan", vec![t(a, sa)], span), self.call_builtin_values("isnan", vec![t(b, sb)], span)];
            let both_nan = self.call_builtin_values("logical_and", both.map(|v| (v, span)).to_vec(), span);
            close = self.call_builtin_values("logical_or", vec![(close, span), (both_nan, span)], span);
        }
        if rtol != 0.0 || atol != 0.0 {
            let (a, b) = if da.is_float() { (a, b) } else { (self.cast_to(a, DType::F32, sa), self.cast_to(b, DType::F32, sb)) };
            let scaled = self.binary(BinOp::Mul, number(rtol), t(b, sb), span);
            let magnitude = self.call_builtin_values("abs", vec![(scaled, span)], span);
            let allowed = self.binary(BinOp::Add, number(atol), (magnitude, span), span);
            let difference = self.binary(BinOp::Sub, t(a, sa), t(b, sb), span);
            let actual = self.call_builtin_values("abs", vec![(difference, span)], span);
            let finite = self.call_builtin_values("isfinite", vec![(actual.clone(), span)], span);
            let within = self.binary(BinOp::Le, (actual, span), (allowed, span), span);
            let finite_close = self.call_builtin_values("logical_and", vec![(finite, span), (within, span)], span);
            close = self.call_builtin_values("logical_or", vec![(close, span), (finite_close, span)], span);
        }
        if !all {
            return close;
        }
        match self.call_builtin_values("all", vec![(close, span)], span) {
            Value::Tensor(t) => self.item(t, span, None, span),
            _ => Value::Poison,
        }
    }
}
