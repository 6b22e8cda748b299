//! `multi_margin_loss(input, target, p=1, margin=1, weight=none,
//! reduction="mean")`, the multi-class hinge loss, as ATen's CPU kernels
//! (`LossMultiMargin.cpp`) compute it, written with graph ops that keep their
//! order: per sample, the terms `z = margin - x[y] + x[d]` over the classes
//! `d != y` with `z > 0` (`z` or `z * z`, times `weight[y]`), added in class
//! order and divided by the number of classes; then the samples' losses,
//! added in order in double (ATen's CPU accumulation type) and divided by
//! their number for the mean. The backward is the kernel's too, the
//! backward of a call (`MultiMarginLossBackward0`): `h = g` (or `2 * g * z`)
//! times `weight[y]` for each such class, the target's entry minus their sum,
//! with `g = 1 / (N * C)` for the mean and `1 / C` otherwise, times the
//! incoming gradient.

use graphc_runtime::op::{Binary, Cmp, IndexOp, Logical, LossReduction, ReduceKind, Scalar};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `multi_margin_loss(...)`.
    pub(super) fn multi_margin_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let name = "multi_margin_loss";
        let Some(reduction) = self.loss_reduction(name, bound) else { return Value::Poison };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let (yv, ys) = bound.positional[1].clone().expect("bind guarantees target");
        let Some(x) = self.expect_float_tensor(xv, xs, "`multi_margin_loss`'s input") else { return Value::Poison };
        let Some(y) = self.expect_tensor(yv, ys, "`multi_margin_loss`'s target") else { return Value::Poison };
        let p = match arg(2) {
            None => 1.0,
            Some((v, s)) => match self.number(&v, s, "`p`") {
                Some(p) if p == 1.0 || p == 2.0 => p,
                Some(_) => {
                    return self
                        .error(Diagnostic::new(Code::E0107, "only p == 1 and p == 2 supported", s, "not 1 or 2").with_help("write `p=1` or `p=2`"))
                }
                None => return Value::Poison,
            },
        };
        let margin = match arg(3) {
            None => 1.0,
            Some((v, s)) => match self.number(&v, s, "`margin`") {
                Some(m) => m,
                None => return Value::Poison,
            },
        };
        let (dt, xsh, ysh) = (self.dtype_of(x), self.shape_of(x), self.shape_of(y));
        let shape_error = |me: &mut Self, message: String, at: Span, shown: &[usize], help: &str| {
            me.error(Diagnostic::new(Code::E0202, message, at, format!("of shape {}", shapes::show(shown))).with_help(help.to_string()))
        };
        let (n, c) = match xsh.as_slice() {
            [c] if *c > 0 => (1, *c),
            [n, c] if *c > 0 => (*n, *c),
            _ => {
                let message = format!("Expected non-empty vector or matrix with optional 0-dim batch size, but got: {}", shapes::show(&xsh));
                return shape_error(self, message, xs, &xsh, "give a [classes] or [batch, classes] input");
            }
        };
        let target_fits = if xsh.len() == 1 { ysh.iter().product::<usize>() == 1 && ysh.len() <= 1 } else { ysh == [n] };
        if !target_fits {
            let message = format!(
                "multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples (batch size). Expected target size [{n}], but got {}. Input has shape {}.",
                shapes::show(&ysh),
                shapes::show(&xsh)
            );
            return shape_error(self, message, ys, &ysh, "give one class index per sample");
        }
        if self.dtype_of(y) != DType::I64 {
            return self.error(
                Diagnostic::new(
                    Code::E0204,
                    format!("expected scalar type Long but found {}", super::inplace::torch_type_name(self.dtype_of(y))),
                    ys,
                    "not an i64 tensor",
                )
                .with_help("pass class indices as an integer tensor"),
            );
        }
        let weight = match arg(4) {
            None => None,
            Some((v, s)) => {
                let Some(w) = self.expect_float_tensor(v, s, "`multi_margin_loss`'s weight") else { return Value::Poison };
                let wsh = self.shape_of(w);
                if wsh.iter().product::<usize>() != c || wsh.len() > 1 {
                    let message = format!("inconsistent weight size, expected {c} but got {}", shapes::show(&wsh));
                    return shape_error(self, message, s, &wsh, "give one weight per class");
                }
                if !self.loss_dtypes_agree(name, (x, xs), (w, s)) {
                    return Value::Poison;
                }
                Some(self.node(Op::Reshape, dt, vec![c], &[w], s))
            }
        };
        let x2 = self.node(Op::Reshape, dt, vec![n, c], &[x], span);
        let y2 = self.node(Op::Reshape, DType::I64, vec![n, 1], &[y], span);
        let parts = self.margin_terms(x2, y2, weight, margin, n, c, span);
        // Each sample's terms in class order (the non-positive and the target's are +0).
        let h = parts.h_forward(self, p, span);
        let kept = self.node(Op::Select, dt, vec![n, c], &[parts.mask, h, parts.zero], span);
        let row = self.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![1], keepdim: false }, dt, vec![n], &[kept], span);
        let classes = self.scalar(c as f64, dt, span);
        let per_sample = self.node(Op::Binary(Binary::Div), dt, vec![n], &[row, classes], span);
        let out = match reduction {
            LossReduction::None => {
                // ATen's output is 0-d for a 0-d target, else one loss per sample.
                let shape = if ysh.is_empty() { vec![] } else { vec![n] };
                self.node(Op::Reshape, dt, shape, &[per_sample], span)
            }
            LossReduction::Sum | LossReduction::Mean => {
                let wide = self.node(Op::Cast, DType::F64, vec![n], &[per_sample], span);
                let mut total = self.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![0], keepdim: false }, DType::F64, vec![], &[wide], span);
                if reduction == LossReduction::Mean {
                    let count = self.scalar(n as f64, DType::F64, span);
                    total = self.node(Op::Binary(Binary::Div), DType::F64, vec![], &[total, count], span);
                }
                self.node(Op::Cast, dt, vec![], &[total], span)
            }
        };
        let mut inputs = vec![x, y];
        inputs.extend(weight);
        let out = self.with_backward("MultiMarginLossBackward0", &inputs, out, span, |me, grad, ins| {
            let (x, y) = (ins[0], ins[1]);
            let weight = ins.get(2).copied();
            let x2 = me.node(Op::Reshape, dt, vec![n, c], &[x], span);
            let y2 = me.node(Op::Reshape, DType::I64, vec![n, 1], &[y], span);
            let parts = me.margin_terms(x2, y2, weight, margin, n, c, span);
            let g = 1.0 / if reduction == LossReduction::Mean { (n * c) as f64 } else { c as f64 };
            let g = me.scalar(g, dt, span);
            // `(p == 1) ? g : 2 * g * z`, then `*= weight[y]`.
            let h = if p == 1.0 {
                me.node(Op::Expand, dt, vec![n, c], &[g], span)
            } else {
                let two = me.scalar(2.0, dt, span);
                let g2 = me.node(Op::Binary(Binary::Mul), dt, vec![], &[two, g], span);
                me.node(Op::Binary(Binary::Mul), dt, vec![n, c], &[g2, parts.z], span)
            };
            let h = match parts.w_target {
                Some(w) => me.node(Op::Binary(Binary::Mul), dt, vec![n, c], &[h, w], span),
                None => h,
            };
            let kept = me.node(Op::Select, dt, vec![n, c], &[parts.mask, h, parts.zero], span);
            // `grad_input_target -= h` in class order: zero minus their in-order sum.
            let sum = me.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![1], keepdim: true }, dt, vec![n, 1], &[kept], span);
            // From +0, as the kernel's `grad_input_target = 0` (a negation would make -0).
            let zero = me.scalar(0.0, dt, span);
            let target_entry = me.node(Op::Binary(Binary::Sub), dt, vec![n, 1], &[zero, sum], span);
            let grad_x = me.node(Op::Select, dt, vec![n, c], &[parts.is_target, target_entry, kept], span);
            // Times the incoming gradient: one number, or one per sample.
            let gshape = me.shape_of(grad);
            let scale = if gshape.is_empty() { grad } else { me.node(Op::Reshape, dt, vec![n, 1], &[grad], span) };
            let grad_x = me.node(Op::Binary(Binary::Mul), dt, vec![n, c], &[grad_x, scale], span);
            let grad_x = me.node(Op::Reshape, dt, xsh.clone(), &[grad_x], span);
            let mut grads = vec![Some(grad_x), None];
            grads.extend(weight.map(|_| None));
            grads
        });
        Value::Tensor(out)
    }

    /// The pieces both directions share, for input `x` [N, C] and targets `y`
    /// [N, 1]: `z = (margin - x[y]) + x`, where a term counts (`z > 0`, not the
    /// target's class), which entries are the targets', and `weight[y]`.
    #[allow(clippy::too_many_arguments)]
    fn margin_terms(&mut self, x: NodeId, y: NodeId, weight: Option<NodeId>, margin: f64, n: usize, c: usize, span: Span) -> MarginTerms {
        let dt = self.dtype_of(x);
        let xt = self.node(Op::Index(IndexOp::Gather { dim: 1 }), dt, vec![n, 1], &[x, y], span);
        let m = self.scalar(margin, dt, span);
        let mx = self.node(Op::Binary(Binary::Sub), dt, vec![n, 1], &[m, xt], span);
        let z = self.node(Op::Binary(Binary::Add), dt, vec![n, c], &[mx, x], span);
        let zero = self.scalar(0.0, dt, span);
        let positive = self.node(Op::Compare(Cmp::Gt), DType::Bool, vec![n, c], &[z, zero], span);
        let classes = self.node(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, DType::I64, vec![c], &[], span);
        let is_target = self.node(Op::Compare(Cmp::Eq), DType::Bool, vec![n, c], &[classes, y], span);
        let other = self.node(Op::Logical(Logical::Not), DType::Bool, vec![n, c], &[is_target], span);
        let mask = self.node(Op::Logical(Logical::And), DType::Bool, vec![n, c], &[positive, other], span);
        let w_target = weight.map(|w| {
            let flat = self.node(Op::Reshape, DType::I64, vec![n], &[y], span);
            let picked = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![n], &[w, flat], span);
            self.node(Op::Reshape, dt, vec![n, 1], &[picked], span)
        });
        MarginTerms { z, zero, mask, is_target, w_target }
    }
}

/// What [`Lowerer::margin_terms`] gives.
struct MarginTerms {
    z: NodeId,
    zero: NodeId,
    mask: NodeId,
    is_target: NodeId,
    w_target: Option<NodeId>,
}

impl MarginTerms {
    /// The forward's terms: `z` or `z * z`, times `weight[y]`.
    fn h_forward(&self, me: &mut Lowerer<'_>, p: f64, span: Span) -> NodeId {
        let dt = me.dtype_of(self.z);
        let sh = me.shape_of(self.z);
        let h = if p == 1.0 { self.z } else { me.node(Op::Binary(Binary::Mul), dt, sh.clone(), &[self.z, self.z], span) };
        match self.w_target {
            Some(w) => me.node(Op::Binary(Binary::Mul), dt, sh, &[h, w], span),
            None => h,
        }
    }
}
