//! Lowering of the losses with class-index targets (docs/act-language.md,
//! section 5): `nll_loss(input, target)` and `cross_entropy(input, target)` with
//! an i64 target, which PyTorch computes as `nll_loss(log_softmax(input, 1))`.
//!
//! `nll_loss` is `-input[i, target[i]]`, reduced: a `gather` of each sample's
//! class, negated, then summed or averaged over the samples. Its gradient comes
//! from those ops' rules (`-grad / N` scattered to the classes), PyTorch's
//! `nll_loss_backward` for unweighted losses; the result carries PyTorch's
//! `NllLossBackward0`. The sum and the mean add the losses up in the order of
//! PyTorch's kernel (`ReduceKind::NllSum`), which is not `sum`'s.

use graphc_runtime::op::{IndexOp, LossReduction, ReduceKind, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// `nll_loss`, or `cross_entropy` with an i64 target.
    pub(crate) fn class_loss(&mut self, b: Builtin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let [(a, sa), (t, st)] = self.two(bound);
        let Some(x) = self.expect_float_tensor(a, sa, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(y) = self.expect_tensor(t, st, &format!("`{name}`'s target")) else { return Value::Poison };
        let Some(reduction) = self.loss_reduction(name, bound) else { return Value::Poison };
        let (dt, sh, ysh) = (self.dtype_of(x), self.shape_of(x), self.shape_of(y));
        // [N, C] with [N], or [N, C, d1, ..., dk] with [N, d1, ..., dk] (`nll_loss_nd`).
        let spatial = if sh.len() >= 3 { sh[2..].to_vec() } else { Vec::new() };
        let unbatched = sh.len() == 1 && ysh.is_empty();
        let fits = self.dtype_of(y) == DType::I64
            && (unbatched || (sh.len() >= 2 && ysh.len() + 1 == sh.len() && ysh[0] == sh[0] && ysh[1..] == spatial[..]));
        if !fits {
            let what = format!("`{name}` with class indices needs a samples x classes input and an i64 target of one class per sample");
            return self.error(
                Diagnostic::new(Code::E0282, what, st, format!("{} target of shape {}", self.dtype_of(y), shapes::show(&ysh)))
                    .with_secondary(sa, format!("input of shape {}", shapes::show(&sh)))
                    .with_help("give an input [N, C] and an i64 target [N] with values in 0..C, or [N, C, d1, ...] and [N, d1, ...]"),
            );
        }
        let class_dim = usize::from(!unbatched);
        let Some(options) = self.class_loss_options(name, bound, dt, sh[class_dim]) else { return Value::Poison };
        let x = if b == Builtin::CrossEntropy {
            self.op_node(Op::Softmax { dim: class_dim, log: true }, dt, sh.clone(), &[x], span, "LogSoftmaxBackward0")
        } else {
            x
        };
        // One sample [C] with a 0-d class: the batch of one it is, the loss 0-d.
        if unbatched {
            let row = self.op_node(Op::Reshape, dt, vec![1, sh[0]], &[x], span, "UnsqueezeBackward0");
            let one = self.node(Op::Reshape, DType::I64, vec![1], &[y], span);
            let loss = match options {
                Some(o) => {
                    let smooth = (b == Builtin::CrossEntropy).then_some(row);
                    self.class_loss_with(row, one, reduction, &o, smooth, span)
                }
                None => self.plain_nll(row, one, reduction, span),
            };
            if reduction != LossReduction::None {
                return Value::Tensor(loss);
            }
            let label = self.grad_fn.get(&loss).cloned().unwrap_or_else(|| "NllLossBackward0".to_string());
            return Value::Tensor(self.op_node(Op::Reshape, dt, vec![], &[loss], span, &label));
        }
        if !spatial.is_empty() {
            return self.class_loss_nd(x, y, &sh, reduction, options, b == Builtin::CrossEntropy, span);
        }
        if let Some(o) = options {
            let smooth = (b == Builtin::CrossEntropy).then_some(x);
            return Value::Tensor(self.class_loss_with(x, y, reduction, &o, smooth, span));
        }
        Value::Tensor(self.plain_nll(x, y, reduction, span))
    }

    /// `nll_loss` of rows `x` [N, C] and classes `y` [N] without options.
    fn plain_nll(
        &mut self,
        x: crate::ir::graph::NodeId,
        y: crate::ir::graph::NodeId,
        reduction: LossReduction,
        span: Span,
    ) -> crate::ir::graph::NodeId {
        let (dt, n) = (self.dtype_of(x), self.shape_of(x)[0]);
        let column = self.node(Op::Reshape, DType::I64, vec![n, 1], &[y], span);
        let picked = self.op_node(Op::Index(IndexOp::Gather { dim: 1 }), dt, vec![n, 1], &[x, column], span, "GatherBackward0");
        let flat = self.op_node(Op::Reshape, dt, vec![n], &[picked], span, "ViewBackward0");
        let neg = self.op_node(Op::Unary(Unary::Neg), dt, vec![n], &[flat], span, "NllLossBackward0");
        // PyTorch's kernel adds the samples' losses up in a cascade of its own.
        let kind = match reduction {
            LossReduction::None => None,
            LossReduction::Mean => Some(ReduceKind::NllMean),
            LossReduction::Sum => Some(ReduceKind::NllSum),
        };
        let out = match kind {
            Some(kind) => self.node(Op::Reduce { kind, dims: vec![0], keepdim: false }, dt, vec![], &[neg], span),
            None => neg,
        };
        // Every form of the loss is one `NllLossBackward0` node in PyTorch.
        self.grad_fn.insert(out, "NllLossBackward0".to_string());
        out
    }

    /// `nll_loss_nd` of log-probabilities `x` [N, C, d1, ..., dk] and targets
    /// `y` [N, d1, ..., dk]: ATen's `nll_loss2d` kernel takes each position's
    /// term in the order `(n, d1, ..., dk)` and adds them up in the same
    /// cascade as `nll_loss`, so this is `nll_loss` of the classes moved last
    /// and the positions flattened to samples; `"none"` gives one loss per
    /// position. Its `grad_fn` is `NllLoss2DBackward0` (`ViewBackward0` for
    /// `"none"` unless the input is 4-D, where the kernel's result is the loss).
    /// `cross_entropy`'s label smoothing sums the classes of `x` itself, as
    /// `cross_entropy_loss_label_smoothing` does, and ends in `AddBackward0`.
    #[allow(clippy::too_many_arguments)]
    fn class_loss_nd(
        &mut self,
        x: crate::ir::graph::NodeId,
        y: crate::ir::graph::NodeId,
        sh: &[usize],
        reduction: LossReduction,
        options: Option<super::class_loss_options::ClassLossOptions>,
        cross_entropy: bool,
        span: Span,
    ) -> Value {
        let dt = self.dtype_of(x);
        let (c, positions) = (sh[1], sh.iter().product::<usize>() / sh[1].max(1));
        let mut order: Vec<usize> = vec![0];
        order.extend(2..sh.len());
        order.push(1);
        let mut moved_shape: Vec<usize> = order.iter().map(|&d| sh[d]).collect();
        let moved = self.op_node(Op::Permute(order), dt, moved_shape.clone(), &[x], span, "PermuteBackward0");
        let rows = self.op_node(Op::Reshape, dt, vec![positions, c], &[moved], span, "ViewBackward0");
        let targets = self.node(Op::Reshape, DType::I64, vec![positions], &[y], span);
        let o = options.unwrap_or(super::class_loss_options::ClassLossOptions { weight: None, ignore_index: -100, label_smoothing: 0.0 });
        let smoothing = cross_entropy && o.label_smoothing != 0.0;
        let loss = self.class_loss_with(rows, targets, reduction, &o, cross_entropy.then_some(x), span);
        if reduction != LossReduction::None {
            if !smoothing {
                self.grad_fn.insert(loss, "NllLoss2DBackward0".to_string());
            }
            return Value::Tensor(loss);
        }
        moved_shape.pop();
        // PyTorch adds the two terms at the positions' shape; graphc at the
        // rows', then reshapes: the same values, under PyTorch's name.
        let label = if smoothing {
            "AddBackward0"
        } else if sh.len() == 4 {
            "NllLoss2DBackward0"
        } else {
            "ViewBackward0"
        };
        Value::Tensor(self.op_node(Op::Reshape, dt, moved_shape, &[loss], span, label))
    }
}
