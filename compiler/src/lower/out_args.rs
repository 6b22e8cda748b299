//! The `out=` keyword of PyTorch's functions (`torch.matmul(a, b, out=y)`,
//! `torch.mul(a, b, out=z)`): the result is written into the given tensor in
//! place, and the call returns that tensor. It is the function without `out`,
//! followed by an in-place update of the `out` tensor with PyTorch's rules: the
//! result's dtype must cast to it (E0622) and its shape must be the result's
//! (E0623; PyTorch would resize a tensor of another shape, and warns that this
//! is deprecated). As in PyTorch, nothing that requires grad may take part.

use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Ident, Span};

impl Lowerer<'_> {
    /// `callee(args..., out=t)`: `None` when the call has no `out` keyword.
    pub(super) fn call_with_out(&mut self, callee: &Ident, args: &mut Vec<(Option<Ident>, Value, Span)>, span: Span) -> Option<Value> {
        let at = args.iter().position(|(k, _, _)| k.as_ref().is_some_and(|k| k.name == "out"))?;
        let (_, target, ts) = args.remove(at);
        let result = self.call_builtin_named(callee, std::mem::take(args), span);
        let (Value::Tensor(t), Value::Tensor(r)) = (&target, &result) else {
            return Some(match (target, result) {
                (Value::Poison, _) | (_, Value::Poison) => Value::Poison,
                (Value::Tensor(_), other) => self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{}` gives {}, which `out=` cannot hold", callee.name, other.describe()),
                        span,
                        "not a tensor",
                    )
                    .with_help("`out=` takes the result of a function that computes one tensor; assign the result instead"),
                ),
                (other, _) => self.error(
                    Diagnostic::new(Code::E0107, format!("`out` must be a tensor, not {}", other.describe()), ts, "not a tensor")
                        .with_help("pass the tensor to write the result into, or assign the result instead"),
                ),
            });
        };
        let (t, r) = (*t, *r);
        if !self.no_grad && (self.requires_grad(r) || self.requires_grad(t)) {
            return Some(
                self.error(
                    Diagnostic::new(
                        Code::E0625,
                        "functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.",
                        ts,
                        "an `out=` call on tensors that require grad",
                    )
                    .with_help("assign the result instead (`y = matmul(a, b)`), or compute it inside `no_grad { ... }`"),
                ),
            );
        }
        Some(match self.update_in_place(t, r, "CopyBackwards", span) {
            Some(n) => Value::Tensor(n),
            None => Value::Poison,
        })
    }
}
