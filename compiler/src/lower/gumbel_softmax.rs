//! `gumbel_softmax(logits, tau=1, hard=false, eps=1e-10, dim=-1)`
//! (`F.gumbel_softmax`), as `torch/nn/functional.py` writes it, op for op:
//! Gumbel noise `-empty_like(logits).exponential_().log()`, then
//! `softmax((logits + gumbels) / tau, dim)`; with `hard`, the one-hot of each
//! row's largest (`max(dim, keepdim=true)`'s indices scattered into zeros) minus
//! the detached soft sample plus the soft sample, the straight-through
//! estimator. `eps` is PyTorch's deprecated, unused parameter.

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

impl Lowerer<'_> {
    pub(super) fn gumbel_softmax_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let Some((v, vs)) = arg(0) else { return Value::Poison };
        let Some(logits) = self.expect_float_tensor(v, vs, "`gumbel_softmax`'s logits") else { return Value::Poison };
        let tau = match arg(1) {
            None => Value::Number(Num::Int(1)),
            Some((t @ Value::Number(_), _)) => t,
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, ts)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`gumbel_softmax`'s `tau` must be a number, not {}", other.describe()), ts, "not a number")
                        .with_help("pass a temperature such as `tau=0.5`"),
                )
            }
        };
        let hard = match arg(2) {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, hs)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`gumbel_softmax`'s `hard` must be a bool known at compile time, not {}", other.describe()),
                        hs,
                        "not a bool",
                    )
                    .with_help("write `hard=true` or `hard=false`"),
                )
            }
        };
        let dim = arg(4).map_or(Value::Number(Num::Int(-1)), |(d, _)| d);
        let name = |n: &str| Ident { name: n.to_string(), span };
        let call = |me: &mut Self, n: &str, args: Vec<(Option<Ident>, Value, Span)>| me.call_builtin_named(&name(n), args, span);
        let Value::Tensor(noise) = call(self, "empty_like", vec![(None, Value::Tensor(logits), vs)]) else { return Value::Poison };
        self.inplace_with(noise, span, &name("exponential_"), vec![], span);
        let noise = self.current(noise);
        let Value::Tensor(log) = call(self, "log", vec![(None, Value::Tensor(noise), span)]) else { return Value::Poison };
        let gumbels = Value::Tensor(self.ew1(graphc_runtime::op::Unary::Neg, log, span));
        let gumbels = match self.binary(BinOp::Add, (Value::Tensor(logits), vs), (gumbels, span), span) {
            Value::Tensor(g) => self.binary(BinOp::Div, (Value::Tensor(g), span), (tau, span), span),
            other => return other,
        };
        let y_soft = call(self, "softmax", vec![(None, gumbels, span), (Some(name("dim")), dim.clone(), span)]);
        if !hard {
            return y_soft;
        }
        let index = match call(
            self,
            "max",
            vec![(None, y_soft.clone(), span), (None, dim.clone(), span), (Some(name("keepdim")), Value::Bool(true), span)],
        ) {
            Value::Tuple(mut parts) | Value::Named { items: mut parts, .. } if parts.len() == 2 => parts.remove(1).0,
            _ => return Value::Poison,
        };
        let Value::Tensor(zeros) = call(self, "zeros_like", vec![(None, Value::Tensor(logits), vs)]) else { return Value::Poison };
        let one = Value::Number(Num::Float(1.0));
        self.inplace_with(zeros, span, &name("scatter_"), vec![(None, dim, span), (None, index, span), (None, one, span)], span);
        let y_hard = Value::Tensor(self.current(zeros));
        let detached = call(self, "detach", vec![(None, y_soft.clone(), span)]);
        let d = self.binary(BinOp::Sub, (y_hard, span), (detached, span), span);
        self.binary(BinOp::Add, (d, span), (y_soft, span), span)
    }
}
