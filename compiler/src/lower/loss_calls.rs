//! Lowering of the `torch.nn.functional` losses (docs/act-language.md, section 5):
//! `mse_loss`, `binary_cross_entropy` and `binary_cross_entropy_with_logits` are
//! `Op::Loss` nodes (PyTorch gives them kernels and backwards of their own);
//! `l1_loss` and `cross_entropy` with probability targets are the composites
//! PyTorch's `Loss.cpp` writes, so their results carry the `grad_fn` PyTorch
//! prints (`MeanBackward0`, `DivBackward1`, ...) and their gradients come from
//! the ops' own rules.

use graphc_runtime::op::{Binary, F64Bits, LossKind, LossReduction, Unary};
use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

impl<'a> Lowerer<'a> {
    /// A call of a loss builtin.
    pub(crate) fn loss_call(&mut self, b: Builtin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let [(a, sa), (t, st)] = self.two(bound);
        // Class-index targets (i64) take `nll_loss`'s path.
        let class_target = matches!(&t, Value::Tensor(n) if self.dtype_of(*n) == graphc_runtime::DType::I64);
        if b == Builtin::NllLoss || (b == Builtin::CrossEntropy && class_target) {
            return self.class_loss(b, name, bound, span);
        }
        let (Some(x), Some(y)) =
            (self.expect_float_tensor(a, sa, &format!("`{name}`'s input")), self.expect_float_tensor(t, st, &format!("`{name}`'s target")))
        else {
            return Value::Poison;
        };
        let Some(reduction) = self.loss_reduction(name, bound) else { return Value::Poison };
        // Class probabilities take a weight and label smoothing, and no class to ignore.
        let mut prob_options = (None, 0.0);
        if b == Builtin::CrossEntropy {
            if let Some((v, s)) = bound.keyword("ignore_index") {
                if !matches!(v, Value::Number(super::Num::Int(i)) if i < 0) {
                    return self.error(
                        Diagnostic::new(Code::E0286, "ignore_index is not supported for floating point target", s, "a class to ignore")
                            .with_help("give the target as i64 class indices to ignore a class, or leave `ignore_index` out"),
                    );
                }
            }
            let classes = self.shape_of(x).get(if self.shape_of(x).len() == 1 { 0 } else { 1 }).copied().unwrap_or(0);
            let Some(options) = self.class_loss_options(name, bound, self.dtype_of(x), classes) else { return Value::Poison };
            if let Some(o) = options {
                prob_options = (o.weight, o.label_smoothing);
            }
        }
        if !self.loss_dtypes_agree(name, (x, sa), (y, st)) {
            return Value::Poison;
        }
        let dx = self.dtype_of(x);
        let (shx, shy) = (self.shape_of(x), self.shape_of(y));
        if shx != shy {
            return self.error(
                Diagnostic::new(
                    Code::E0244,
                    format!("`{name}`'s target has shape {} but its input has shape {}", shapes::show(&shy), shapes::show(&shx)),
                    st,
                    format!("shape {}", shapes::show(&shy)),
                )
                .with_secondary(sa, format!("shape {}", shapes::show(&shx)))
                .with_help(if b == Builtin::CrossEntropy {
                    "give the target the input's shape, or class indices as an i64 tensor"
                } else {
                    "give the target the input's shape"
                }),
            );
        }
        let kind = match b {
            Builtin::MseLoss => LossKind::Mse,
            Builtin::BinaryCrossEntropy => LossKind::Bce,
            Builtin::BinaryCrossEntropyWithLogits => LossKind::BceWithLogits,
            Builtin::L1Loss => return self.l1_loss((x, sa), (y, st), reduction, span),
            Builtin::SmoothL1Loss | Builtin::HuberLoss => {
                let key = if b == Builtin::HuberLoss { "delta" } else { "beta" };
                let Some(p) = self.loss_param(name, key, bound) else { return Value::Poison };
                // PyTorch's smooth_l1_loss with beta = 0 is l1_loss.
                if b == Builtin::SmoothL1Loss && p == 0.0 {
                    return self.l1_loss((x, sa), (y, st), reduction, span);
                }
                if b == Builtin::HuberLoss {
                    LossKind::Huber(F64Bits::new(p))
                } else {
                    LossKind::SmoothL1(F64Bits::new(p))
                }
            }
            _ => return self.cross_entropy_prob(x, y, reduction, prob_options, span),
        };
        if let Some(v) = self.bce_with_options(kind, x, y, reduction, bound, span) {
            return v;
        }
        let out = if reduction == LossReduction::None { shx } else { vec![] };
        Value::Tensor(self.op_node(Op::Loss { kind, reduction }, dx, out, &[x, y], span, kind.grad_fn()))
    }

    /// `beta=1.0` of smooth_l1_loss or `delta=1.0` of huber_loss: a number, not
    /// negative (smooth L1) or positive (Huber), as PyTorch checks at run time.
    fn loss_param(&mut self, name: &str, key: &str, bound: &mut Bound<Value>) -> Option<f64> {
        let (v, s) = match bound.keyword(key) {
            None => return Some(1.0),
            Some((Value::Number(n), s)) => (n.f64(), s),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{key}` must be a number, not {}", other.describe()), s, "not a number")
                        .with_help(format!("write `{key}=1.0`")),
                );
                return None;
            }
        };
        let ok = if key == "delta" { v > 0.0 } else { v >= 0.0 };
        if !ok {
            let bound_text = if key == "delta" { "positive" } else { "zero or positive" };
            self.error(
                Diagnostic::new(Code::E0246, format!("`{name}` needs `{key}` {bound_text}, not {v}"), s, "out of range")
                    .with_help(format!("write `{key}=1.0`, PyTorch's default")),
            );
            return None;
        }
        Some(v)
    }

    /// Whether a loss's target has its input's dtype, as PyTorch's losses
    /// require; E0201 at the target otherwise.
    pub(super) fn loss_dtypes_agree(&mut self, name: &str, (x, sa): (NodeId, Span), (y, st): (NodeId, Span)) -> bool {
        let (dx, dy) = (self.dtype_of(x), self.dtype_of(y));
        if dx != dy {
            self.error(
                Diagnostic::new(Code::E0201, format!("`{name}`'s target is {dy} but its input is {dx}"), st, format!("this is {dy}"))
                    .with_secondary(sa, format!("this is {dx}"))
                    .with_help("give the target the input's dtype"),
            );
        }
        dx == dy
    }

    /// `reduction="mean"` (the default), `"sum"` or `"none"`; or, where the
    /// deprecated `size_average` or `reduce` is given (not none), what
    /// PyTorch's `_Reduction.legacy_get_string` makes of them, which overrides
    /// `reduction`: the mean where both hold (each defaults to true), the sum
    /// where only `reduce` does, and no reduction without `reduce`.
    pub(super) fn loss_reduction(&mut self, name: &str, bound: &mut Bound<Value>) -> Option<LossReduction> {
        let mut legacy = |which: &str| -> Option<Option<bool>> {
            match bound.keyword(which) {
                None | Some((Value::None, _)) => Some(None),
                Some((Value::Bool(b), _)) => Some(Some(b)),
                Some((Value::Number(n), _)) => Some(Some(n.f64() != 0.0)),
                Some((other, s)) => {
                    self.error(
                        Diagnostic::new(Code::E0107, format!("`{which}` must be a bool, not {}", other.describe()), s, "not a bool")
                            .with_help("write `reduction=\"sum\"` (or \"mean\", \"none\"): `size_average` and `reduce` are deprecated"),
                    );
                    None
                }
            }
        };
        let (size_average, reduce) = (legacy("size_average")?, legacy("reduce")?);
        if size_average.is_some() || reduce.is_some() {
            bound.keyword("reduction");
            return Some(match (size_average.unwrap_or(true), reduce.unwrap_or(true)) {
                (true, true) => LossReduction::Mean,
                (false, true) => LossReduction::Sum,
                (_, false) => LossReduction::None,
            });
        }
        match bound.keyword("reduction") {
            None => Some(LossReduction::Mean),
            Some((Value::Str(s), rs)) => LossReduction::from_name(&s).or_else(|| {
                self.error(Diagnostic::new(Code::E0245, format!("`{name}` has no reduction \"{s}\""), rs, "unknown reduction").with_help(
                    if name == "kl_div" {
                        "write `reduction=\"batchmean\"` (the KL divergence per sample), `\"mean\"`, `\"sum\"` or `\"none\"`"
                    } else {
                        "write `reduction=\"mean\"`, `\"sum\"` or `\"none\"`"
                    },
                ));
                None
            }),
            Some((other, rs)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`reduction` must be a string, not {}", other.describe()), rs, "not a string")
                        .with_help("write `reduction=\"sum\"`"),
                );
                None
            }
        }
    }

    /// PyTorch's `apply_loss_reduction`: `mean()`, `sum()` or nothing.
    pub(super) fn apply_reduction(&mut self, v: NodeId, reduction: LossReduction, span: Span) -> NodeId {
        let dt = self.dtype_of(v);
        match reduction {
            LossReduction::None => v,
            LossReduction::Mean => self.op_node(Op::Mean { dim: None }, dt, vec![], &[v], span, "MeanBackward0"),
            LossReduction::Sum => self.op_node(Op::Sum { dim: None }, dt, vec![], &[v], span, "SumBackward0"),
        }
    }

    /// `l1_loss`: `(input - target).abs()`, reduced.
    fn l1_loss(&mut self, (x, sa): (NodeId, Span), (y, st): (NodeId, Span), reduction: LossReduction, span: Span) -> Value {
        let Value::Tensor(d) = self.binary(BinOp::Sub, (Value::Tensor(x), sa), (Value::Tensor(y), st), span) else { return Value::Poison };
        let (dt, sh) = (self.dtype_of(d), self.shape_of(d));
        let a = self.op_node(Op::Unary(Unary::Abs), dt, sh, &[d], span, "AbsBackward0");
        Value::Tensor(self.apply_reduction(a, reduction, span))
    }

    /// `cross_entropy` with class probabilities as the target (`cross_entropy_loss_prob_target`):
    /// `-(log_softmax(input, class_dim) * target)` (times the class weights)
    /// summed (over everything, or over the class dimension for `"none"`), the
    /// mean divided by the number of samples; label smoothing `e` first makes
    /// the target `target * (1 - e) + e / C`.
    fn cross_entropy_prob(
        &mut self,
        x: NodeId,
        y: NodeId,
        reduction: LossReduction,
        (weight, smoothing): (Option<NodeId>, f64),
        span: Span,
    ) -> Value {
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        if sh.is_empty() {
            return self.error(
                Diagnostic::new(
                    Code::E0244,
                    "`cross_entropy` needs a 1-D or 2-D input (classes, or samples x classes), not a 0-d tensor",
                    span,
                    "0-d input",
                )
                .with_help("pass the logits of each class"),
            );
        }
        let class_dim = if sh.len() == 1 { 0 } else { 1 };
        let ls = self.op_node(Op::Softmax { dim: class_dim, log: true }, dt, sh.clone(), &[x], span, "LogSoftmaxBackward0");
        let y = if smoothing > 0.0 {
            let keep = self.scalar(1.0 - smoothing, dt, span);
            let kept = self.op_node(Op::Binary(Binary::Mul), dt, sh.clone(), &[y, keep], span, "MulBackward0");
            let share = self.scalar(smoothing / sh[class_dim] as f64, dt, span);
            self.op_node(Op::Binary(Binary::Add), dt, sh.clone(), &[kept, share], span, "AddBackward0")
        } else {
            y
        };
        let mut p = self.op_node(Op::Binary(Binary::Mul), dt, sh.clone(), &[ls, y], span, "MulBackward0");
        if let Some(w) = weight {
            let mut along = vec![1; sh.len()];
            along[class_dim] = sh[class_dim];
            let w = self.node(Op::Reshape, dt, along, &[w], span);
            p = self.op_node(Op::Binary(Binary::Mul), dt, sh.clone(), &[p, w], span, "MulBackward0");
        }
        let neg = |me: &mut Self, v: NodeId| {
            let s = me.shape_of(v);
            me.op_node(Op::Unary(Unary::Neg), dt, s, &[v], span, "NegBackward0")
        };
        let out = match reduction {
            LossReduction::None => {
                let s = self.op_node(Op::Sum { dim: Some(class_dim) }, dt, shapes::reduce(&sh, Some(class_dim)), &[p], span, "SumBackward1");
                neg(self, s)
            }
            LossReduction::Sum | LossReduction::Mean => {
                let s = self.op_node(Op::Sum { dim: None }, dt, vec![], &[p], span, "SumBackward0");
                let n = neg(self, s);
                if reduction == LossReduction::Sum {
                    n
                } else {
                    // `input.numel() / n_classes`, an integer (PyTorch's SymInt), as a scalar divisor.
                    let samples = sh.iter().product::<usize>() / sh[class_dim].max(1);
                    let c = self.node(Op::Full(graphc_runtime::op::Scalar::of(samples as f64, dt)), dt, vec![], &[], span);
                    self.op_node(Op::Binary(Binary::Div), dt, vec![], &[n, c], span, "DivBackward1")
                }
            }
        };
        Value::Tensor(out)
    }
}
