//! `trapezoid(y, x=none, *, dx=none, dim=-1)` (also `trapz`) and
//! `cumulative_trapezoid(y, x=none, *, dx=none, dim=-1)`: the trapezoid rule
//! as ATen's `Integration.cpp` composes it from other ops, so the values and
//! the gradients (through those ops' backward) are PyTorch's:
//!
//! - with a spacing `dx` (a number, 1 by default): `(y.sum(dim) -
//!   (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * dx`, and cumulatively
//!   `(dx / 2 * (left + right)).cumsum(dim)`;
//! - with sample points `x`: `dx = x_right - x_left` (a 1-d `x` viewed along
//!   `dim`, a shorter one padded with ones in front), then `((left + right) *
//!   dx).sum(dim) / 2` or `((left + right) * dx).cumsum(dim) / 2`,
//!
//! where `left` and `right` are `y` without its last and first sample along
//! `dim`. No samples (`trapezoid` of an empty dimension) give zeros.

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `trapezoid`, `trapz` and `cumulative_trapezoid` (`cumulative`).
    pub(super) fn trapezoid_call(&mut self, name: &str, cumulative: bool, bound: &mut Bound<Value>, span: Span) -> Value {
        let (yv, ys) = bound.positional[0].clone().expect("bind guarantees y");
        let Some(y) = self.expect_tensor(yv, ys, &format!("`{name}`'s `y`")) else { return Value::Poison };
        let x = bound.positional.get(1).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let dx = bound.keyword("dx").filter(|(v, _)| !matches!(v, Value::None));
        let dim = match bound.keyword("dim") {
            None => -1,
            Some((v, s)) => match self.int_args(vec![(v, s)], s, "`dim`") {
                Some(d) => d[0].0,
                None => return Value::Poison,
            },
        };
        let dim_span = span;
        let shape = self.shape_of(y);
        let Some(dim) = self.checked_dim(dim, dim_span, &shape) else { return Value::Poison };
        for (t, what) in [(Some(y), "y"), (x.as_ref().and_then(|(v, _)| v.as_tensor()), "x")] {
            if let Some(t) = t {
                if self.dtype_of(t) == graphc_runtime::DType::Bool {
                    let s = if what == "y" { ys } else { x.as_ref().map_or(span, |(_, s)| *s) };
                    return self.error(
                        Diagnostic::new(Code::E0204, format!("{name}: received a bool input for `{what}`, but bool is not supported"), s, "bool")
                            .with_help("convert it first, as in `y.float()`"),
                    );
                }
            }
        }
        if x.is_some() && dx.is_some() {
            return self.error(
                Diagnostic::new(Code::E0107, format!("{name}: cannot pass both `x` and `dx`"), span, "both given")
                    .with_help("pass the sample points `x` or the constant spacing `dx`"),
            );
        }
        let n = shape[dim];
        if n == 0 && !cumulative {
            let mut sizes = shape.clone();
            sizes.remove(dim);
            let size = Value::Size(sizes);
            let dt = Value::DType(self.dtype_of(y));
            let args = vec![(None, size, span), (Some(crate::syntax::ast::Ident { name: "dtype".to_string(), span }), dt, span)];
            return self.call_builtin_named(&crate::syntax::ast::Ident { name: "zeros".to_string(), span }, args, span);
        }
        let int = |v: usize| Value::Number(Num::Int(v as i128));
        let dimv = int(dim);
        let narrow = |me: &mut Self, t: NodeId, start: usize, len: usize| {
            me.call_builtin_values("narrow", vec![(Value::Tensor(t), span), (dimv.clone(), span), (int(start), span), (int(len), span)], span)
        };
        let m = n.saturating_sub(1);
        let out = match x {
            None => {
                let spacing = match dx {
                    None => 1.0,
                    Some((v, s)) => match self.number(&v, s, &format!("`{name}`'s `dx`")) {
                        Some(d) => d,
                        None => return Value::Poison,
                    },
                };
                let spacing = Value::Number(Num::Float(spacing));
                if cumulative {
                    // `(dx / 2. * (left + right)).cumsum(dim)`
                    let (left, right) = (narrow(self, y, 0, m), narrow(self, y, n.min(1), m));
                    let both = self.binary(BinOp::Add, (left, span), (right, span), span);
                    let half = match spacing {
                        Value::Number(n) => Value::Number(Num::Float(n.f64() / 2.0)),
                        other => other,
                    };
                    let scaled = self.binary(BinOp::Mul, (half, span), (both, span), span);
                    let scaled = self.named_grad_fn(scaled, "MulBackward1");
                    self.call_builtin_values("cumsum", vec![(scaled, span), (dimv.clone(), span)], span)
                } else {
                    // `(y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * dx`
                    let total = self.call_builtin_values("sum", vec![(Value::Tensor(y), span), (dimv.clone(), span)], span);
                    let first = self.call_builtin_values("select", vec![(Value::Tensor(y), span), (dimv.clone(), span), (int(0), span)], span);
                    let last = self.call_builtin_values(
                        "select",
                        vec![(Value::Tensor(y), span), (dimv.clone(), span), (Value::Number(Num::Int(-1)), span)],
                        span,
                    );
                    let ends = self.binary(BinOp::Add, (first, span), (last, span), span);
                    let ends = self.binary(BinOp::Mul, (ends, span), (Value::Number(Num::Float(0.5)), span), span);
                    let ends = self.named_grad_fn(ends, "MulBackward1");
                    let inner = self.binary(BinOp::Sub, (total, span), (ends, span), span);
                    let out = self.binary(BinOp::Mul, (inner, span), (spacing, span), span);
                    self.named_grad_fn(out, "MulBackward1")
                }
            }
            Some((xv, xs)) => {
                let Some(xt) = self.expect_tensor(xv, xs, &format!("`{name}`'s `x`")) else { return Value::Poison };
                let xshape = self.shape_of(xt);
                let viewed = if xshape.len() == 1 {
                    if xshape[0] != n {
                        return self.error(
                            Diagnostic::new(
                                Code::E0202,
                                format!("{name}: There must be one `x` value for each sample point"),
                                xs,
                                format!("{} values", xshape[0]),
                            )
                            .with_secondary(ys, format!("{n} samples along dimension {dim}"))
                            .with_help("pass as many sample points as `y` has along `dim`"),
                        );
                    }
                    let mut sizes = vec![1; shape.len()];
                    sizes[dim] = n;
                    self.call_builtin_values("reshape", vec![(Value::Tensor(xt), xs), (Value::Size(sizes), xs)], span)
                } else if xshape.len() < shape.len() {
                    let mut sizes = vec![1; shape.len() - xshape.len()];
                    sizes.extend(&xshape);
                    self.call_builtin_values("reshape", vec![(Value::Tensor(xt), xs), (Value::Size(sizes), xs)], span)
                } else {
                    Value::Tensor(xt)
                };
                let Some(viewed) = viewed.as_tensor() else { return Value::Poison };
                let xn = self.shape_of(viewed).get(dim).copied().unwrap_or(0);
                let (xl, xr) = (narrow(self, viewed, 0, xn.saturating_sub(1)), narrow(self, viewed, 1, xn.saturating_sub(1)));
                let dxv = self.binary(BinOp::Sub, (xr, xs), (xl, xs), span);
                let (left, right) = (narrow(self, y, 0, m), narrow(self, y, n.min(1), m));
                let both = self.binary(BinOp::Add, (left, span), (right, span), span);
                if let (Some(a), Some(b)) = (both.as_tensor(), dxv.as_tensor()) {
                    if let Err(message) = shapes::broadcast(&self.shape_of(a), &self.shape_of(b)) {
                        return self.error(
                            Diagnostic::new(Code::E0202, format!("{name}: {message}"), xs, "the spacing of `x`")
                                .with_secondary(ys, "the samples `y`")
                                .with_help("`x` must broadcast against `y` after the differences are taken"),
                        );
                    }
                }
                let product = self.binary(BinOp::Mul, (both, span), (dxv, span), span);
                let reduced = self.call_builtin_values(if cumulative { "cumsum" } else { "sum" }, vec![(product, span), (dimv.clone(), span)], span);
                let out = self.binary(BinOp::Div, (reduced, span), (Value::Number(Num::Float(2.0)), span), span);
                self.named_grad_fn(out, "DivBackward1")
            }
        };
        out
    }
}
