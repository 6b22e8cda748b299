//! The options of the class-index losses: `weight=` (one weight per class) and
//! `ignore_index=` for `nll_loss` and `cross_entropy`, and `label_smoothing=`
//! for `cross_entropy` (docs/act-language.md, section 5).
//!
//! With any option given, the loss is PyTorch's `nll_loss` with weights and an
//! ignored class (`-100` unless given): each sample's loss is `-input[i, t_i] *
//! w[t_i]` (0 for an ignored sample), the mean divides the sum by the total
//! weight of the samples not ignored (their count without weights), and label
//! smoothing mixes in `cross_entropy`'s smooth term as
//! `(1 - e) * nll + smooth * (e / C)` (`cross_entropy_loss_label_smoothing`).
//! Without options the first release's graph stays as it was.

use graphc_runtime::op::{Binary, Cmp, IndexOp, LossReduction, ReduceKind, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The options a call gave.
pub(super) struct ClassLossOptions {
    pub weight: Option<NodeId>,
    pub ignore_index: i64,
    pub label_smoothing: f64,
}

impl Lowerer<'_> {
    /// The options of a class-index loss over `classes` classes of dtype `dt`
    /// (`None` with an error reported; `Some(None)` when none was given).
    pub(super) fn class_loss_options(&mut self, name: &str, bound: &mut Bound<Value>, dt: DType, classes: usize) -> Option<Option<ClassLossOptions>> {
        let weight = bound.positional.get(2).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let ignore = bound.keyword("ignore_index");
        let smoothing = bound.keyword("label_smoothing");
        if weight.is_none() && ignore.is_none() && smoothing.is_none() {
            return Some(None);
        }
        let bad = |me: &mut Self, msg: String, s: Span, label: &str, help: &str| {
            me.error(Diagnostic::new(Code::E0286, msg, s, label).with_help(help));
            None
        };
        let weight = match weight {
            None => None,
            Some((v, s)) => {
                let t = self.expect_tensor(v, s, &format!("`{name}`'s weight"))?;
                let (wdt, wsh) = (self.dtype_of(t), self.shape_of(t));
                if wdt != dt || wsh != [classes] {
                    let msg = format!("`{name}`'s weight is a {wdt} tensor of shape {}, not {dt} of shape [{classes}]", shapes::show(&wsh));
                    return bad(self, msg, s, "one weight per class", "give one weight per class, of the input's dtype");
                }
                Some(t)
            }
        };
        let ignore_index = match ignore {
            None => -100,
            Some((Value::Number(super::Num::Int(i)), _)) if i.abs() < 1_000_000_000_000_000 => i as i64,
            Some((other, s)) => {
                return bad(
                    self,
                    format!("`ignore_index` must be an integer, not {}", other.describe()),
                    s,
                    "not an integer",
                    "write the class to ignore, as `ignore_index=0`",
                )
            }
        };
        let label_smoothing = match smoothing {
            None => 0.0,
            Some((Value::Number(n), s)) if !(0.0..=1.0).contains(&n.f64()) => {
                return bad(
                    self,
                    format!("`label_smoothing` must lie in [0, 1], not {}", n.f64()),
                    s,
                    "out of range",
                    "write a number from 0.0 to 1.0, as `label_smoothing=0.1`",
                );
            }
            Some((Value::Number(n), _)) => n.f64(),
            Some((other, s)) => {
                return bad(
                    self,
                    format!("`label_smoothing` must be a number, not {}", other.describe()),
                    s,
                    "not a number",
                    "write `label_smoothing=0.1`",
                )
            }
        };
        Some(Some(ClassLossOptions { weight, ignore_index, label_smoothing }))
    }

    /// The loss of log-probabilities (or `nll_loss`'s input) `x` [N, C] for
    /// classes `y` [N] with the options. `smooth` is, for `cross_entropy`, the
    /// log-probabilities whose classes (dimension 1) label smoothing sums:
    /// `x` itself, or the `[N, C, d1, ...]` tensor whose positions `x`'s rows are.
    pub(super) fn class_loss_with(
        &mut self,
        x: NodeId,
        y: NodeId,
        reduction: LossReduction,
        o: &ClassLossOptions,
        smooth: Option<NodeId>,
        span: Span,
    ) -> NodeId {
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        let (n, classes) = (sh[0], sh[1]);
        let k = self.scalar(o.ignore_index as f64, DType::I64, span);
        let ignored = self.node(Op::Compare(Cmp::Eq), DType::Bool, vec![n], &[y, k], span);
        // An ignored sample reads class 0, whose value the weight 0 then drops.
        let zero_i = self.scalar(0.0, DType::I64, span);
        let safe_y = self.node(Op::Select, DType::I64, vec![n], &[ignored, zero_i, y], span);
        let (zero, one) = (self.scalar(0.0, dt, span), self.scalar(1.0, dt, span));
        let w = match o.weight {
            Some(w) => self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![n], &[w, safe_y], span),
            None => one,
        };
        let w = self.node(Op::Select, dt, vec![n], &[ignored, zero, w], span);
        let column = self.node(Op::Reshape, DType::I64, vec![n, 1], &[safe_y], span);
        let picked = self.node(Op::Index(IndexOp::Gather { dim: 1 }), dt, vec![n, 1], &[x, column], span);
        let flat = self.node(Op::Reshape, dt, vec![n], &[picked], span);
        let neg = self.node(Op::Unary(Unary::Neg), dt, vec![n], &[flat], span);
        let product = self.node(Op::Binary(Binary::Mul), dt, vec![n], &[neg, w], span);
        // PyTorch writes an ignored sample's loss as +0, where `-x * 0` may be -0.
        let losses = self.node(Op::Select, dt, vec![n], &[ignored, zero, product], span);
        let nll = self.weighted_reduction(losses, w, reduction, Some(ignored), span);
        self.grad_fn.insert(nll, "NllLossBackward0".to_string());
        let Some(source) = smooth.filter(|_| o.label_smoothing != 0.0) else { return nll };
        // The smooth term: -(input * weight).sum(1) (or -input.sum(1)), 0 where ignored.
        let ssh = self.shape_of(source);
        let weighted = match o.weight {
            Some(wc) => {
                let mut along = vec![1; ssh.len()];
                along[1] = classes;
                let row = self.node(Op::Reshape, dt, along, &[wc], span);
                self.op_node(Op::Binary(Binary::Mul), dt, ssh.clone(), &[source, row], span, "MulBackward0")
            }
            None => source,
        };
        let mut summed = ssh.clone();
        summed.remove(1);
        let s = self.op_node(Op::Sum { dim: Some(1) }, dt, summed.clone(), &[weighted], span, "SumBackward1");
        let s = self.op_node(Op::Unary(Unary::Neg), dt, summed.clone(), &[s], span, "NegBackward0");
        let s = if summed == [n] { s } else { self.op_node(Op::Reshape, dt, vec![n], &[s], span, "ViewBackward0") };
        let s = self.op_node(Op::Select, dt, vec![n], &[ignored, zero, s], span, "MaskedFillBackward0");
        let ret = self.weighted_reduction(s, w, reduction, None, span);
        let out_shape = self.shape_of(nll);
        let keep = self.scalar(1.0 - o.label_smoothing, dt, span);
        let a = self.op_node(Op::Binary(Binary::Mul), dt, out_shape.clone(), &[keep, nll], span, "MulBackward0");
        let share = self.scalar(o.label_smoothing / classes as f64, dt, span);
        let b = self.op_node(Op::Binary(Binary::Mul), dt, out_shape.clone(), &[ret, share], span, "MulBackward0");
        self.op_node(Op::Binary(Binary::Add), dt, out_shape, &[a, b], span, "AddBackward0")
    }

    /// The sum of `v`, divided for the mean by the sum of the samples' weights
    /// `w` (their count where there are no class weights). `nll_loss`'s kernel
    /// adds both up in its cascade, passing over the samples `nll` (the ignored
    /// ones) marks (`ReduceKind::NllSumSkipping`); the smooth term of label
    /// smoothing (no `nll`) is summed with `sum`.
    fn weighted_reduction(&mut self, v: NodeId, w: NodeId, reduction: LossReduction, nll: Option<NodeId>, span: Span) -> NodeId {
        let dt = self.dtype_of(v);
        let sum = |me: &mut Self, x: NodeId| match nll {
            Some(skip) => me.node(Op::Reduce { kind: ReduceKind::NllSumSkipping, dims: vec![0], keepdim: false }, dt, vec![], &[x, skip], span),
            None => me.op_node(Op::Sum { dim: None }, dt, vec![], &[x], span, "SumBackward0"),
        };
        match reduction {
            LossReduction::None => v,
            LossReduction::Sum => sum(self, v),
            LossReduction::Mean => {
                let total = sum(self, v);
                let weight = sum(self, w);
                self.op_node(Op::Binary(Binary::Div), dt, vec![], &[total, weight], span, "DivBackward0")
            }
        }
    }
}
