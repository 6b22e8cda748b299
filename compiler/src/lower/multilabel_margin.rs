//! `multilabel_margin_loss(input, target, reduction="mean")`, the multi-label
//! hinge loss, as ATen's CPU kernels (`LossMultiLabelMargin.cpp`) compute it,
//! written with graph ops that keep their order. Each row's targets are the
//! class indices of `target` before its first -1. For each target `j` in that
//! order and each class `d` that is no target, the term `z = (1 - x[j]) +
//! x[d]` counts where positive; a row's terms are added in that order in
//! double (ATen's accumulation type) and rounded to the input's dtype. Per
//! row the loss is that sum over the number of classes; summed (or averaged)
//! the rounded row sums are added in double, then divided by the number of
//! classes (and of rows). The backward is the kernel's
//! (`MultilabelMarginLossBackward0`): `g` (`1 / (N * C)` for the mean, else
//! `1 / C`, rounded from double) subtracted at the target's entry and added
//! at the class's for each counted term, in the same order, then times the
//! incoming gradient.

use graphc_runtime::op::{Binary, Cmp, IndexOp, Logical, LossReduction, ReduceKind, Scalar};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The terms both directions share, over `[n, c]` inputs.
struct Terms {
    /// `(1 - x[j]) + x[d]` for target position `j` and class `d`, `[n, c, c]`.
    z: NodeId,
    /// Where a term counts: `j` before the first -1, `d` no target, `z > 0`.
    counted: NodeId,
    /// The targets with the positions past the first -1 read as class 0, `[n, c]`.
    targets: NodeId,
}

impl Lowerer<'_> {
    /// `multilabel_margin_loss(...)`.
    pub(super) fn multilabel_margin_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let name = "multilabel_margin_loss";
        let Some(reduction) = self.loss_reduction(name, bound) else { return Value::Poison };
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let (yv, ys) = bound.positional[1].clone().expect("bind guarantees target");
        let Some(x) = self.expect_float_tensor(xv, xs, "`multilabel_margin_loss`'s input") else { return Value::Poison };
        let Some(y) = self.expect_tensor(yv, ys, "`multilabel_margin_loss`'s target") else { return Value::Poison };
        let (dt, xsh, ysh) = (self.dtype_of(x), self.shape_of(x), self.shape_of(y));
        let (n, c) = match xsh.as_slice() {
            [] => (1, 1),
            [c] if *c > 0 => (1, *c),
            [n, c] if *c > 0 => (*n, *c),
            _ => {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!("Expected non-empty vector or matrix with optional 0-dim batch size, but got: {}", shapes::show(&xsh)),
                        xs,
                        format!("of shape {}", shapes::show(&xsh)),
                    )
                    .with_help("give a [classes] or [batch, classes] input"),
                )
            }
        };
        let fits = if xsh.len() <= 1 { ysh.len() <= 1 && ysh.iter().product::<usize>() == c } else { ysh == xsh };
        if !fits {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("inconsistent target size: {} for input of size: {}", shapes::show(&ysh), shapes::show(&xsh)),
                    ys,
                    format!("of shape {}", shapes::show(&ysh)),
                )
                .with_help("give the target the input's shape: the class indices of each row, ended by -1 where fewer"),
            );
        }
        if self.dtype_of(y) != DType::I64 {
            let found = super::inplace::torch_type_name(self.dtype_of(y));
            return self.error(
                Diagnostic::new(Code::E0204, format!("expected scalar type Long but found {found}"), ys, "not an i64 tensor")
                    .with_help("pass class indices as an integer tensor"),
            );
        }
        if !self.targets_in_range(y, ys, c) {
            return Value::Poison;
        }
        let x2 = self.node(Op::Reshape, dt, vec![n, c], &[x], span);
        let y2 = self.node(Op::Reshape, DType::I64, vec![n, c], &[y], span);
        let terms = self.multilabel_terms(x2, y2, n, c, span);
        // Each row's terms in order, added in double from +0 and rounded.
        let zero = self.scalar(0.0, dt, span);
        let kept = self.node(Op::Select, dt, vec![n, c, c], &[terms.counted, terms.z, zero], span);
        let wide = self.node(Op::Cast, DType::F64, vec![n, c, c], &[kept], span);
        let wide = self.node(Op::Reshape, DType::F64, vec![n, c * c], &[wide], span);
        let row = self.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![1], keepdim: false }, DType::F64, vec![n], &[wide], span);
        let row = self.node(Op::Cast, dt, vec![n], &[row], span);
        // A target of rank 0 or 1 gives a 0-d loss even without reduction,
        // computed as the sum's is (ATen's special case).
        let out = match reduction {
            LossReduction::None if ysh.len() > 1 => {
                let classes = self.scalar(c as f64, dt, span);
                self.node(Op::Binary(Binary::Div), dt, vec![n], &[row, classes], span)
            }
            LossReduction::None | LossReduction::Sum | LossReduction::Mean => {
                let wide = self.node(Op::Cast, DType::F64, vec![n], &[row], span);
                let mut total = self.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![0], keepdim: false }, DType::F64, vec![], &[wide], span);
                let classes = self.scalar(c as f64, DType::F64, span);
                total = self.node(Op::Binary(Binary::Div), DType::F64, vec![], &[total, classes], span);
                if reduction == LossReduction::Mean {
                    let rows = self.scalar(n as f64, DType::F64, span);
                    total = self.node(Op::Binary(Binary::Div), DType::F64, vec![], &[total, rows], span);
                }
                self.node(Op::Cast, dt, vec![], &[total], span)
            }
        };
        let out = self.with_backward("MultilabelMarginLossBackward0", &[x, y], out, span, |me, grad, ins| {
            let x2 = me.node(Op::Reshape, dt, vec![n, c], &[ins[0]], span);
            let y2 = me.node(Op::Reshape, DType::I64, vec![n, c], &[ins[1]], span);
            let terms = me.multilabel_terms(x2, y2, n, c, span);
            let g = 1.0 / if reduction == LossReduction::Mean { (n * c) as f64 } else { c as f64 };
            let zero = me.scalar(0.0, dt, span);
            // `grad_input[target] -= g` and `grad_input[d] += g` for each counted
            // term: the targets' columns and the others' are apart, so two
            // scatters in the terms' order add as the kernel's loop does.
            let minus = me.scalar(-g, dt, span);
            let plus = me.scalar(g, dt, span);
            let take = me.node(Op::Select, dt, vec![n, c, c], &[terms.counted, minus, zero], span);
            let give = me.node(Op::Select, dt, vec![n, c, c], &[terms.counted, plus, zero], span);
            let take = me.node(Op::Reshape, dt, vec![n, c * c], &[take], span);
            let give = me.node(Op::Reshape, dt, vec![n, c * c], &[give], span);
            let target_cols = me.node(Op::Reshape, DType::I64, vec![n, c, 1], &[terms.targets], span);
            let target_cols = me.node(Op::Expand, DType::I64, vec![n, c, c], &[target_cols], span);
            let target_cols = me.node(Op::Reshape, DType::I64, vec![n, c * c], &[target_cols], span);
            let classes = me.node(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, DType::I64, vec![c], &[], span);
            let class_cols = me.node(Op::Expand, DType::I64, vec![n, c, c], &[classes], span);
            let class_cols = me.node(Op::Reshape, DType::I64, vec![n, c * c], &[class_cols], span);
            let zeros = me.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![n, c], &[], span);
            let scatter = Op::Index(IndexOp::ScatterInto { dim: 1, add: true });
            let grad_x = me.node(scatter.clone(), dt, vec![n, c], &[zeros, target_cols, take], span);
            let grad_x = me.node(scatter, dt, vec![n, c], &[grad_x, class_cols, give], span);
            // Times the incoming gradient: one number, or one per row.
            let scale = if me.shape_of(grad).is_empty() { grad } else { me.node(Op::Reshape, dt, vec![n, 1], &[grad], span) };
            let grad_x = me.node(Op::Binary(Binary::Mul), dt, vec![n, c], &[grad_x, scale], span);
            let grad_x = me.node(Op::Reshape, dt, xsh.clone(), &[grad_x], span);
            vec![Some(grad_x), None]
        });
        Value::Tensor(out)
    }

    /// False (with E0281) when `target` is known now and holds a class outside
    /// `-1..c` (ATen: "argument #2 'target' is out of range"). A computed
    /// target's entries below -1 end its row as -1 does.
    fn targets_in_range(&mut self, y: NodeId, ys: Span, c: usize) -> bool {
        let Some((value, _)) = super::known_values::known_value(&self.prog, &std::collections::HashMap::new(), y) else { return true };
        let Some(values) = value.as_i64() else { return true };
        if let Some(bad) = values.iter().find(|&&v| v < -1 || v >= c as i64) {
            self.error(
                Diagnostic::new(Code::E0281, "argument #2 'target' is out of range", ys, format!("holds {bad}"))
                    .with_help(format!("give class indices from 0 to {}, and -1 after a row's last", c - 1)),
            );
            return false;
        }
        true
    }

    /// The terms of input `x` and targets `y` (`[n, c]` each).
    fn multilabel_terms(&mut self, x: NodeId, y: NodeId, n: usize, c: usize, span: Span) -> Terms {
        let dt = self.dtype_of(x);
        // A target position counts until the row's first negative entry.
        let zero_i = self.scalar(0.0, DType::I64, span);
        let negative = self.node(Op::Compare(Cmp::Lt), DType::Bool, vec![n, c], &[y, zero_i], span);
        let negative = self.node(Op::Cast, DType::I64, vec![n, c], &[negative], span);
        let seen = self.node(Op::Cumsum { dim: 1, reverse: false }, DType::I64, vec![n, c], &[negative], span);
        let valid = self.node(Op::Compare(Cmp::Eq), DType::Bool, vec![n, c], &[seen, zero_i], span);
        let targets = self.node(Op::Select, DType::I64, vec![n, c], &[valid, y, zero_i], span);
        // `is_target[d]`: some counted position names `d`.
        let ones = self.node(Op::Cast, DType::I64, vec![n, c], &[valid], span);
        let none = self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![n, c], &[], span);
        let named = self.node(Op::Index(IndexOp::ScatterInto { dim: 1, add: true }), DType::I64, vec![n, c], &[none, targets, ones], span);
        let is_target = self.node(Op::Compare(Cmp::Gt), DType::Bool, vec![n, c], &[named, zero_i], span);
        // `z = 1 - input_target + input[d]`, rounded after each operation.
        let xt = self.node(Op::Index(IndexOp::Gather { dim: 1 }), dt, vec![n, c], &[x, targets], span);
        let one = self.scalar(1.0, dt, span);
        let left = self.node(Op::Binary(Binary::Sub), dt, vec![n, c], &[one, xt], span);
        let left = self.node(Op::Reshape, dt, vec![n, c, 1], &[left], span);
        let right = self.node(Op::Reshape, dt, vec![n, 1, c], &[x], span);
        let z = self.node(Op::Binary(Binary::Add), dt, vec![n, c, c], &[left, right], span);
        let zero = self.scalar(0.0, dt, span);
        let positive = self.node(Op::Compare(Cmp::Gt), DType::Bool, vec![n, c, c], &[z, zero], span);
        let valid = self.node(Op::Reshape, DType::Bool, vec![n, c, 1], &[valid], span);
        let other = self.node(Op::Logical(Logical::Not), DType::Bool, vec![n, c], &[is_target], span);
        let other = self.node(Op::Reshape, DType::Bool, vec![n, 1, c], &[other], span);
        let both = self.node(Op::Logical(Logical::And), DType::Bool, vec![n, c, c], &[valid, other], span);
        let counted = self.node(Op::Logical(Logical::And), DType::Bool, vec![n, c, c], &[both, positive], span);
        Terms { z, counted, targets }
    }
}
