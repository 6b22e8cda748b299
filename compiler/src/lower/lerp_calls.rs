//! `lerp(input, end, weight)` (`torch.lerp`, `Tensor.lerp`, and `lerp_` in
//! place, as an exponential moving average updates its copy of a model:
//! `ema.lerp_(p, 1 - decay)`).
//!
//! The value is PyTorch's CPU kernel's, the one the optimizers use
//! (`optim/kernels.rs`): `fma(coeff, end - input, base)` with `coeff, base =
//! weight, input` where `|weight| < 0.5` and `weight - 1, end` elsewhere,
//! rounded once (PyTorch's vector loop calls `vec::fmadd`; GCC contracts its
//! scalar loop to the same single rounding). A number weight decides the
//! branch when compiling, a tensor weight per element (`Select` nodes).
//!
//! The gradient is derivatives.yaml's: `grad * (1 - weight)` for `input` and
//! `grad * weight` for `end`, with a number weight as a Python float, `1 -
//! weight` formed in f64 (`LerpBackward0`), with a tensor weight in its dtype
//! (`LerpBackward1`). Differentiating the fused multiply-add would round those
//! products differently, so the result carries the gradient of a second
//! expression, `input * (1 - weight) + end * weight`, whose operations round
//! as derivatives.yaml's (`Binary::KeepGraph`): its values are never used. A
//! tensor weight that requires grad is refused (E0204): its gradient `grad *
//! (end - input)` and the second derivatives through the weight would need
//! an op of their own.

use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `lerp(input, end, weight)`.
    pub(super) fn lerp_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees lerp's three arguments");
        let ((sv, ss), (ev, es), (wv, ws)) = (arg(0), arg(1), arg(2));
        let Some(start) = self.expect_float_tensor(sv, ss, "`lerp`'s input") else { return Value::Poison };
        let Some(end) = self.expect_float_tensor(ev, es, "`lerp`'s end") else { return Value::Poison };
        let dt = self.dtype_of(start);
        if self.dtype_of(end) != dt {
            let other = self.dtype_of(end);
            return self.error(
                Diagnostic::new(
                    Code::E0201,
                    format!("expected dtype {dt} for `end` but got dtype {other}"),
                    es,
                    format!("{other}, the input is {dt}"),
                )
                .with_help("give `end` the input's dtype (`.to(...)`): `lerp` does not promote"),
            );
        }
        let weight = match wv {
            Value::Number(n) => Weight::Number(n.f64()),
            Value::Tensor(w) if self.dtype_of(w) == dt => Weight::Tensor(w),
            Value::Tensor(w) => {
                let other = self.dtype_of(w);
                return self.error(
                    Diagnostic::new(
                        Code::E0201,
                        format!("expected dtype {dt} for `weight` but got dtype {other}"),
                        ws,
                        format!("{other}, the input is {dt}"),
                    )
                    .with_help("give `weight` the input's dtype, or pass a number"),
                );
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`lerp`'s weight must be a number or a tensor, not {}", other.describe()),
                        ws,
                        "not a weight",
                    )
                    .with_help("pass the fraction of the way from `input` to `end`, as in `lerp(a, b, 0.1)`"),
                )
            }
        };
        if let Weight::Tensor(w) = weight {
            if self.requires_grad(w) {
                return self.error(
                    Diagnostic::new(Code::E0204, "`lerp` with a weight that requires grad is not supported", ws, "requires grad")
                        .with_help("write the interpolation out, `input + weight * (end - input)`, whose gradient flows to the weight"),
                );
            }
        }
        // Every operand at the broadcast shape, as the kernel's iterator sees them.
        let mut shape = self.shape_of(start);
        let others = match weight {
            Weight::Tensor(w) => vec![(end, es), (w, ws)],
            Weight::Number(_) => vec![(end, es)],
        };
        for &(t, ts) in &others {
            match shapes::broadcast(&shape, &self.shape_of(t)) {
                Ok(s) => shape = s,
                Err(message) => {
                    return self.error(
                        Diagnostic::new(Code::E0202, format!("`lerp`: {message}"), ts, "does not broadcast")
                            .with_help("`input`, `end` and a tensor `weight` must broadcast to one shape"),
                    )
                }
            }
        }
        let full = |me: &mut Self, t: NodeId| if me.shape_of(t) == shape { t } else { me.node(Op::Expand, dt, shape.clone(), &[t], span) };
        let (s, e) = (full(self, start), full(self, end));
        let value = match weight {
            Weight::Number(w) => self.lerp(s, e, w, span),
            Weight::Tensor(w) => {
                let w = full(self, w);
                let magnitude = self.ew1(Unary::Abs, w, span);
                let half = self.scalar(0.5, dt, span);
                let small = self.node(Op::Compare(Cmp::Lt), DType::Bool, shape.clone(), &[magnitude, half], span);
                let one = self.scalar(1.0, dt, span);
                let w_minus_one = self.ew(Binary::Sub, w, one, span);
                let coeff = self.node(Op::Select, dt, shape.clone(), &[small, w, w_minus_one], span);
                let base = self.node(Op::Select, dt, shape.clone(), &[small, s, e], span);
                let diff = self.ew(Binary::Sub, e, s, span);
                self.fma(coeff, diff, base, span)
            }
        };
        if !self.requires_grad(start) && !self.requires_grad(end) {
            return Value::Tensor(value);
        }
        // The expression whose gradient is derivatives.yaml's.
        let (keep, take, grad_fn) = match weight {
            Weight::Number(w) => (Value::Number(Num::Float(1.0 - w)), Value::Number(Num::Float(w)), "LerpBackward0"),
            Weight::Tensor(w) => {
                let one = Value::Number(Num::Int(1));
                let keep = self.binary(BinOp::Sub, (one, span), (Value::Tensor(w), ws), span);
                (keep, Value::Tensor(w), "LerpBackward1")
            }
        };
        let from_start = self.binary(BinOp::Mul, (Value::Tensor(start), ss), (keep, span), span);
        let from_end = self.binary(BinOp::Mul, (Value::Tensor(end), es), (take, span), span);
        let Value::Tensor(carrier) = self.binary(BinOp::Add, (from_start, span), (from_end, span), span) else { return Value::Poison };
        let result = self.node(Op::Binary(Binary::KeepGraph), dt, shape, &[carrier, value], span);
        self.prog.graph.meta_mut(result).requires_grad = true;
        self.grad_fn.insert(result, grad_fn.to_string());
        Value::Tensor(result)
    }
}

/// `lerp`'s weight: a Python number, or a tensor that does not require grad.
#[derive(Clone, Copy)]
enum Weight {
    Number(f64),
    Tensor(NodeId),
}
