//! `cov(input, *, correction=1, fweights=none, aweights=none)` and
//! `corrcoef(input)`, composed from other ops as ATen's `Correlation.cpp`
//! composes them, so the values and the gradients (through those ops'
//! backward) are PyTorch's. The rows of a 2-d input are the variables and its
//! columns the observations (a 0-d or 1-d input is one variable):
//!
//! - `w` is `fweights`, times `aweights` when both are given; `w_sum` its sum,
//!   or the number of observations;
//! - `avg = (input * w).sum(1) / w_sum`;
//! - the normalization `w_sum - correction`, or with `aweights` and a
//!   correction `w_sum - correction * (w * aweights).sum() / w_sum`, zero where
//!   it is not positive (PyTorch also warns then);
//! - `mm(input - avg, ((input - avg) * w).t()) / norm`, squeezed.
//!
//! `corrcoef` divides the covariance by the square roots of its diagonal
//! along rows and then columns and clips the result to [-1, 1]; a 0-d
//! covariance is divided by itself. PyTorch also checks that the weights are
//! not negative and that `w_sum` is not zero, which depend on the data; graphc
//! does not.

use graphc_runtime::DType;

use super::inplace::torch_type_name;
use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `cov(input, *, correction=1, fweights=none, aweights=none)`.
    pub(super) fn cov_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let (v, s) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, s, "`cov`'s input") else { return Value::Poison };
        let correction = match bound.keyword("correction") {
            None => 1,
            Some((v, cs)) => match self.int_args(vec![(v, cs)], cs, "`correction`") {
                Some(c) => c[0].0,
                None => return Value::Poison,
            },
        };
        let mut weights = [None, None];
        for (i, name) in ["fweights", "aweights"].into_iter().enumerate() {
            if let Some((v, ws)) = bound.keyword(name).filter(|(v, _)| !matches!(v, Value::None)) {
                let Some(w) = self.expect_tensor(v, ws, &format!("`cov`'s `{name}`")) else { return Value::Poison };
                weights[i] = Some((w, ws));
            }
        }
        match self.covariance(t, s, correction, weights[0], weights[1], span) {
            Some(c) => c,
            None => Value::Poison,
        }
    }

    /// `corrcoef(input)`.
    pub(super) fn corrcoef_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, s) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, s, "`corrcoef`'s input") else { return Value::Poison };
        let Some(c) = self.covariance(t, s, 1, None, None, span) else { return Value::Poison };
        let Some(ct) = c.as_tensor() else { return Value::Poison };
        if self.shape_of(ct).is_empty() {
            return self.binary(BinOp::Div, (c.clone(), span), (c, span), span);
        }
        let d = self.call_builtin_values("diagonal", vec![(c.clone(), span)], span);
        let stddev = self.call_builtin_values("sqrt", vec![(d, span)], span);
        let size = |a: i128, b: i128| Value::Tuple(vec![(Value::Number(Num::Int(a)), span), (Value::Number(Num::Int(b)), span)]);
        let column = self.call_builtin_values("view", vec![(stddev.clone(), span), (size(-1, 1), span)], span);
        let row = self.call_builtin_values("view", vec![(stddev, span), (size(1, -1), span)], span);
        let c = self.binary(BinOp::Div, (c, span), (column, span), span);
        let c = self.binary(BinOp::Div, (c, span), (row, span), span);
        let bounds = [Value::Number(Num::Int(-1)), Value::Number(Num::Int(1))];
        self.call_builtin_values("clip", vec![(c, span), (bounds[0].clone(), span), (bounds[1].clone(), span)], span)
    }

    /// The covariance of the rows of `t` (see the module documentation).
    fn covariance(
        &mut self,
        t: NodeId,
        ts: Span,
        correction: i64,
        fweights: Option<(NodeId, Span)>,
        aweights: Option<(NodeId, Span)>,
        span: Span,
    ) -> Option<Value> {
        let rank = self.shape_of(t).len();
        if rank > 2 {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("cov(): expected input to have two or fewer dimensions but got an input with {rank} dimensions"),
                    ts,
                    format!("{rank}-d"),
                )
                .with_help("pass a matrix whose rows are the variables and columns the observations"),
            );
            return None;
        }
        if self.dtype_of(t) == DType::Bool {
            self.error(
                Diagnostic::new(Code::E0204, "cov(): bool dtype is not supported for input", ts, "bool")
                    .with_help("convert it first, as in `x.float()`"),
            );
            return None;
        }
        let input = if rank < 2 {
            let size = Value::Tuple(vec![(Value::Number(Num::Int(1)), span), (Value::Number(Num::Int(-1)), span)]);
            self.call_builtin_values("view", vec![(Value::Tensor(t), ts), (size, span)], span).as_tensor()?
        } else {
            t
        };
        let observations = self.shape_of(input)[1];
        for (w, name) in [(fweights, "fweights"), (aweights, "aweights")] {
            let Some((w, ws)) = w else { continue };
            let (wshape, wdt) = (self.shape_of(w), self.dtype_of(w));
            let problem = if wshape.len() > 1 {
                Some(format!("cov(): expected {name} to have one or fewer dimensions but got {name} with {} dimensions", wshape.len()))
            } else if name == "fweights" && wdt != DType::I64 {
                Some(format!("cov(): expected fweights to have integral dtype but got fweights with {} dtype", torch_type_name(wdt)))
            } else if name == "aweights" && !wdt.is_float() {
                Some(format!("cov(): expected aweights to have floating point dtype but got aweights with {} dtype", torch_type_name(wdt)))
            } else if wshape.iter().product::<usize>() != observations {
                Some(format!(
                    "cov(): expected {name} to have the same numel as there are observations in the input but got {} != {observations}",
                    wshape.iter().product::<usize>()
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                self.error(
                    Diagnostic::new(Code::E0202, message, ws, format!("`{name}`"))
                        .with_help(format!("pass one {name} value per observation (column)")),
                );
                return None;
            }
        }
        let w: Option<Value> = match (fweights, aweights) {
            (None, None) => None,
            (Some((f, _)), None) => Some(Value::Tensor(f)),
            (None, Some((a, _))) => Some(Value::Tensor(a)),
            (Some((f, _)), Some((a, _))) => Some(self.binary(BinOp::Mul, (Value::Tensor(f), span), (Value::Tensor(a), span), span)),
        };
        let int = |v: i64| Value::Number(Num::Int(v as i128));
        let weighted = |me: &mut Self, x: Value| match &w {
            Some(w) => me.binary(BinOp::Mul, (x, span), (w.clone(), span), span),
            None => x,
        };
        let w_sum = match &w {
            Some(w) => self.call_builtin_values("sum", vec![(w.clone(), span)], span),
            None => int(observations as i64),
        };
        let summed = weighted(self, Value::Tensor(input));
        let summed = self.call_builtin_values("sum", vec![(summed, span), (int(1), span)], span);
        let avg = self.binary(BinOp::Div, (summed, span), (w_sum.clone(), span), span);
        let norm = match (&w, aweights) {
            (Some(w), Some((a, _))) if correction != 0 => {
                let wa = self.binary(BinOp::Mul, (w.clone(), span), (Value::Tensor(a), span), span);
                let wa = self.call_builtin_values("sum", vec![(wa, span)], span);
                let scaled = self.binary(BinOp::Mul, (int(correction), span), (wa, span), span);
                let scaled = self.binary(BinOp::Div, (scaled, span), (w_sum.clone(), span), span);
                self.binary(BinOp::Sub, (w_sum, span), (scaled, span), span)
            }
            _ => self.binary(BinOp::Sub, (w_sum, span), (int(correction), span), span),
        };
        // `norm_factor.zero_()` where it is not positive.
        let norm = match norm {
            Value::Number(n) if n.f64() <= 0.0 => int(0),
            Value::Tensor(n) => {
                let zero = int(0);
                let positive = self.binary(BinOp::Gt, (Value::Tensor(n), span), (zero.clone(), span), span);
                self.call_builtin_values("where", vec![(positive, span), (Value::Tensor(n), span), (zero, span)], span)
            }
            other => other,
        };
        let avg_column = self.call_builtin_values("unsqueeze", vec![(avg, span), (int(1), span)], span);
        let centered = self.binary(BinOp::Sub, (Value::Tensor(input), ts), (avg_column, span), span);
        let right = weighted(self, centered.clone());
        let right = self.call_builtin_values("t", vec![(right, span)], span);
        let c = self.call_builtin_values("mm", vec![(centered, span), (right, span)], span);
        let c = self.call_builtin_values("true_divide", vec![(c, span), (norm, span)], span);
        Some(self.call_builtin_values("squeeze", vec![(c, span)], span))
    }
}
