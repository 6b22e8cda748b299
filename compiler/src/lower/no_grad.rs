//! `no_grad { ... }`, `x.requires_grad_()` and `x.clone()`: what decides whether
//! a tensor requires grad, and which tensors are leaves.
//!
//! Inside `no_grad` nothing created requires grad (the flag `node` reads), and
//! in-place updates of leaves are allowed (`inplace.rs`). Like Python's `with`,
//! the block opens no scope. `requires_grad_()` makes a new version of the
//! tensor that is a leaf requiring grad: a detach-like node, so that autodiff
//! stops there, whatever computed the value before.

use graphc_runtime::op::Unary;
use graphc_runtime::Op;

use super::{BodyKind, BodyResult, Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Arg, Block, Expr, Span};

impl Lowerer<'_> {
    /// `no_grad { ... }`: the statements run with gradient recording off; names
    /// they bind stay bound, and a `return` inside returns from the enclosing body.
    pub(crate) fn no_grad_block(&mut self, body: &Block, scope: &mut Scope, kind: BodyKind) -> Option<BodyResult> {
        let outer = std::mem::replace(&mut self.no_grad, true);
        let result = self.block(body, scope, kind);
        self.no_grad = outer;
        Some(result)
    }

    /// `x.requires_grad_(requires_grad=true)`: returns `x`, from now on a leaf that
    /// requires grad. PyTorch's rules: only a float tensor can require grad (E0203),
    /// and only a leaf's flag can be turned off (E0625).
    pub(crate) fn requires_grad_method(&mut self, receiver: &Expr, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        let recv = self.expr(receiver, scope);
        let args = self.args(args, scope);
        let mut flag = true;
        for (i, (name, v, s)) in args.into_iter().enumerate() {
            let named_ok = name.as_ref().is_none_or(|n| n.name == "requires_grad");
            match v {
                Value::Bool(b) if i == 0 && named_ok => flag = b,
                Value::Poison => return Value::Poison,
                other => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0103,
                            format!("`requires_grad_` takes one boolean, not {}", other.describe()),
                            s,
                            "unexpected argument",
                        )
                        .with_help("write `x.requires_grad_()` or `x.requires_grad_(false)`"),
                    )
                }
            }
        }
        let Some(t) = self.expect_tensor(recv, receiver.span, "the receiver of `requires_grad_`") else { return Value::Poison };
        self.set_requires_grad(t, flag, span)
    }

    /// A new tensor holding `t`'s values, cut from its history (a `detach`
    /// node); with `requires_grad`, a leaf that requires grad, whose `.grad`
    /// is `None` until a backward fills it. `Parameter(...)`, `requires_grad_`,
    /// a module's `double()` and `deepcopy` make their leaves so.
    pub(crate) fn new_leaf(&mut self, t: NodeId, requires_grad: bool, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        let n = self.node(Op::Unary(Unary::Detach), dt, sh, &[t], span);
        if requires_grad {
            self.prog.graph.meta_mut(n).requires_grad = true;
            self.prog.leaves.push(n);
            self.grad_state.insert(n, None);
        }
        n
    }

    /// `t.requires_grad_(flag)`: `t` as a leaf that requires grad or not (the
    /// same tensor when the flag does not change); E0625 for a computed tensor.
    pub(crate) fn set_requires_grad(&mut self, t: NodeId, flag: bool, span: Span) -> Value {
        let dt = self.dtype_of(t);
        if flag && !self.check_requires_grad(dt, span) {
            return Value::Poison;
        }
        let leaf = self.is_grad_leaf(t) || !self.requires_grad(t);
        if flag == self.requires_grad(t) {
            return Value::Tensor(t);
        }
        if !leaf {
            return self.error(
                Diagnostic::new(
                    Code::E0625,
                    "you can only change requires_grad flags of leaf variables.",
                    span,
                    "this tensor is computed from others",
                )
                .with_help("use `x.detach()` for a tensor that does not require grad"),
            );
        }
        let n = self.new_leaf(t, flag, span);
        self.prog.graph.meta_mut(n).note = self.prog.graph.meta(t).note.clone();
        self.set_version(t, n);
        // Turning the flag off leaves a tensor that is no longer a requires-grad leaf.
        if !flag {
            self.grad_state.remove(&n);
        }
        Value::Tensor(n)
    }

    /// `x.clone()`: a copy, with PyTorch's `CloneBackward0`.
    pub(crate) fn clone_method(&mut self, receiver: &Expr, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        if let Some(a) = args.first() {
            return self.error(
                Diagnostic::new(Code::E0103, "`clone` takes no arguments", a.value.span, "unexpected argument").with_help("write `x.clone()`"),
            );
        }
        let recv = self.expr(receiver, scope);
        let Some(t) = self.expect_tensor(recv, receiver.span, "the receiver of `clone`") else { return Value::Poison };
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        Value::Tensor(self.op_node(Op::Reshape, dt, sh, &[t], span, "CloneBackward0"))
    }

    /// `x.contiguous()`: a copy, as PyTorch makes of the non-contiguous tensors
    /// it is written after (`x.transpose(1, 2).contiguous().view(...)`), with
    /// their `CloneBackward0`. graphc's tensors are all laid out contiguously,
    /// so `view` never needs it; for a tensor that is already contiguous
    /// PyTorch returns the tensor itself, whose `grad_fn` the copy does not keep.
    pub(crate) fn contiguous_method(&mut self, receiver: &Expr, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        if let Some(a) = args.first() {
            return self.error(
                Diagnostic::new(Code::E0103, "`contiguous` takes no arguments here", a.value.span, "unexpected argument")
                    .with_help("write `x.contiguous()`: graphc has one memory format"),
            );
        }
        let recv = self.expr(receiver, scope);
        let Some(t) = self.expect_tensor(recv, receiver.span, "the receiver of `contiguous`") else { return Value::Poison };
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        Value::Tensor(self.op_node(Op::Reshape, dt, sh, &[t], span, "CloneBackward0"))
    }
}
