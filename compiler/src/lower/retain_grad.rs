//! `t.retain_grad()`: a computed tensor that keeps its gradient, as PyTorch's
//! tutorials use it to show the gradient of an intermediate value
//! (`y.retain_grad()`, then `y.grad` after `z.backward()`).
//!
//! A `backward` that reaches such a tensor takes it as one more target: its
//! `.grad` is the gradient of the root with respect to it, the first one
//! stored and later ones added in, as PyTorch's retains-grad hook does. On a
//! leaf the call does nothing (a leaf keeps its gradient anyway); on a tensor
//! that does not require grad it is PyTorch's error (E0402). The tensors a
//! loop body or a run-time `if` keeps the gradients of are its own
//! (`regions.rs`): a backward inside such a region that would reach a tensor
//! computed outside it is E0604 already.

use graphc_runtime::Op;

use super::{Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Arg, Expr, Span};

impl Lowerer<'_> {
    /// `t.retain_grad()`: returns `None`.
    pub(crate) fn retain_grad_method(&mut self, receiver: &Expr, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        let recv = self.expr(receiver, scope);
        if let Some(a) = args.first() {
            return self.error(
                Diagnostic::new(Code::E0103, "`retain_grad` takes no arguments", a.value.span, "unexpected argument")
                    .with_help("write `y.retain_grad()`"),
            );
        }
        let Some(t) = self.expect_tensor(recv, receiver.span, "the receiver of `retain_grad`") else { return Value::Poison };
        if !self.requires_grad(t) {
            return self.error(
                Diagnostic::new(Code::E0402, "can't retain_grad on Tensor that has requires_grad=False", span, "does not require grad")
                    .with_help("compute the tensor from a leaf created with `requires_grad=true`"),
            );
        }
        if !self.is_grad_leaf(t) {
            self.retained.entry(t).or_insert(None);
        }
        Value::None
    }

    /// Adds to a backward from `y` (whose leaves are `targets`) each kept
    /// tensor it reaches, and gives that tensor's `.grad` its new value.
    pub(super) fn retained_targets(&mut self, y: NodeId, targets: &mut Vec<(NodeId, NodeId)>, span: Span) {
        let mut kept: Vec<NodeId> = self.retained.keys().copied().filter(|&r| crate::autodiff::reaches(&self.prog, y, r)).collect();
        kept.sort();
        for r in kept {
            let (dt, sh) = (self.dtype_of(r), self.shape_of(r));
            let placeholder = self.node(Op::Param(targets.len() as u32), dt, sh, &[], span);
            let name = self.prog.graph.meta(r).note.clone().unwrap_or_else(|| "a kept tensor".to_string());
            self.prog.graph.meta_mut(placeholder).note = Some(format!("gradient for {name}"));
            let old = self.retained[&r];
            let new = self.accumulated(old, placeholder, &name, span);
            self.retained.insert(r, Some(new));
            targets.push((r, placeholder));
        }
    }
}
