//! The `torch.nn.functional` losses that PyTorch writes as compositions of
//! other ops, written here with the same ops in the same order, so that their
//! values, gradients and `grad_fn`s are PyTorch's (ATen's `Loss.cpp`, and
//! `functional.py` for `gaussian_nll_loss`):
//!
//! - `margin_ranking_loss`: `(-target * (input1 - input2) + margin).clamp_min_(0)`;
//! - `hinge_embedding_loss`: `where(target != 1, (margin - input).clamp_min_(0), 0)
//!   + where(target != -1, input, 0)`;
//! - `cosine_embedding_loss`: the cosine of the rows from sums of products with
//!   ATen's `EPSILON` (the f32 `1e-12`), `1 - cos` where the target is 1 and
//!   `(cos - margin).clamp_min_(0)` where it is -1;
//! - `poisson_nll_loss`: `exp(input) - target * input` (or `input - target *
//!   log(input + eps)`), plus Stirling's term where the target exceeds 1 with `full`;
//! - `gaussian_nll_loss`: `0.5 * (log(var) + (input - target) ** 2 / var)` with the
//!   variance clamped at `eps` inside `no_grad`, which keeps its gradient;
//! - `triplet_margin_loss`: `clamp_min(margin + d(a, p) - d(a, n), 0)` with
//!   `pairwise_distance`, the smaller of `d(a, n)` and `d(p, n)` with `swap`;
//!   `triplet_margin_with_distance_loss` the same with the program's
//!   `distance_function` (a fn, a lambda or a module; `pairwise_distance`
//!   when none), as `functional.py` writes it;
//! - `pairwise_distance`: `norm(x1 - x2 + eps, p, -1, keepdim)`;
//! - `multilabel_soft_margin_loss`: `-(target * logsigmoid(input) +
//!   (1 - target) * logsigmoid(-input))`, weighted, summed over the classes
//!   and divided by their number.
//!
//! Each is then reduced as `apply_loss_reduction` does: `mean()`, `sum()` or
//! nothing. `soft_margin_loss` has a backward of its own in PyTorch, so it is an
//! `Op::Loss` (`LossKind::SoftMargin`).

use graphc_runtime::op::{Activation, Binary, F64Bits, LossKind, LossReduction};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::{ActivationBuiltin, Bound, Builtin, CompositeLoss};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

/// ATen's `EPSILON` in `cosine_embedding_loss`: a `constexpr float`, so the
/// f32 nearest to 1e-12, widened.
const COSINE_EPSILON: f64 = 1e-12_f32 as f64;

/// A tensor with the span of the argument it came from.
type Arg = (NodeId, Span);

impl Lowerer<'_> {
    /// A call of one of the composite losses.
    pub(crate) fn composite_loss(&mut self, l: CompositeLoss, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let Some(reduction) = self.loss_reduction(name, bound) else { return Value::Poison };
        let count = match l {
            CompositeLoss::HingeEmbedding | CompositeLoss::SoftMargin | CompositeLoss::PoissonNll => 2,
            // The weight is optional.
            CompositeLoss::MultilabelSoftMargin => {
                2 + usize::from(matches!(bound.positional.get(2), Some(Some((v, _))) if !matches!(v, Value::None)))
            }
            _ => 3,
        };
        let params = l.params();
        let mut ts = Vec::new();
        for (i, param) in params.iter().enumerate().take(count) {
            let (v, s) = bound.positional[i].clone().expect("bind guarantees the tensors");
            // `gaussian_nll_loss` takes a number for the variance too.
            if l == CompositeLoss::GaussianNll && i == 2 && matches!(v, Value::Number(_)) {
                continue;
            }
            // An integer target takes the input's dtype, as type promotion
            // gives it in every formula here (`target == 1`, `-target * x`).
            let v = match (&v, ts.first()) {
                (Value::Tensor(t), Some(&(x, _))) if *param == "target" && self.dtype_of(*t) == DType::I64 => {
                    let dt = self.dtype_of(x);
                    Value::Tensor(self.cast_to(*t, dt, s))
                }
                _ => v,
            };
            let Some(t) = self.expect_float_tensor(v, s, &format!("`{name}`'s {param}")) else { return Value::Poison };
            ts.push((t, s));
        }
        for w in ts.windows(2) {
            if !self.loss_dtypes_agree(name, w[0], w[1]) {
                return Value::Poison;
            }
        }
        let number = |me: &mut Self, bound: &Bound<Value>, i: usize, default: f64| -> Option<f64> {
            match bound.positional.get(i).cloned().flatten() {
                None => Some(default),
                Some((v, s)) => me.number(&v, s, &format!("`{}`", params[i])),
            }
        };
        let flag = |me: &mut Self, bound: &Bound<Value>, i: usize, default: bool| -> Option<bool> {
            match bound.positional.get(i).cloned().flatten() {
                None => Some(default),
                Some((Value::Bool(b), _)) => Some(b),
                Some((other, s)) => {
                    me.error(
                        Diagnostic::new(Code::E0107, format!("`{}` must be a bool, not {}", params[i], other.describe()), s, "not a bool")
                            .with_help(format!("write `{}=true` or `{}=false`", params[i], params[i])),
                    );
                    None
                }
            }
        };
        let out = match l {
            CompositeLoss::MarginRanking => {
                let Some(margin) = number(self, bound, 3, 0.0) else { return Value::Poison };
                self.margin_ranking(name, [ts[0], ts[1], ts[2]], margin, span)
            }
            CompositeLoss::HingeEmbedding => {
                let Some(margin) = number(self, bound, 2, 1.0) else { return Value::Poison };
                self.hinge_embedding(ts[0], ts[1], margin, span)
            }
            CompositeLoss::SoftMargin => return self.soft_margin(name, ts[0], ts[1], reduction, span),
            CompositeLoss::PoissonNll => {
                let (Some(log_input), Some(full)) = (flag(self, bound, 2, true), flag(self, bound, 3, false)) else { return Value::Poison };
                let eps = match bound.keyword("eps") {
                    None => 1e-8,
                    Some((v, s)) => match self.number(&v, s, "`eps`") {
                        Some(e) => e,
                        None => return Value::Poison,
                    },
                };
                self.poisson_nll(name, ts[0], ts[1], log_input, full, eps, span)
            }
            CompositeLoss::GaussianNll => {
                let (Some(full), Some(eps)) = (flag(self, bound, 3, false), number(self, bound, 4, 1e-6)) else { return Value::Poison };
                let var = match ts.get(2) {
                    Some(&v) => Variance::Tensor(v),
                    None => {
                        let (v, s) = bound.positional[2].clone().expect("bind guarantees var");
                        Variance::Number(self.number(&v, s, "`var`").unwrap_or(0.0), s)
                    }
                };
                self.gaussian_nll(ts[0], ts[1], var, full, eps, span)
            }
            CompositeLoss::CosineEmbedding => {
                let Some(margin) = number(self, bound, 3, 0.0) else { return Value::Poison };
                self.cosine_embedding([ts[0], ts[1], ts[2]], margin, span)
            }
            CompositeLoss::TripletMargin => {
                let (Some(margin), Some(p), Some(eps), Some(swap)) =
                    (number(self, bound, 3, 1.0), number(self, bound, 4, 2.0), number(self, bound, 5, 1e-6), flag(self, bound, 6, false))
                else {
                    return Value::Poison;
                };
                let pspan = bound.positional.get(4).cloned().flatten().map_or(span, |(_, s)| s);
                self.triplet_margin([ts[0], ts[1], ts[2]], margin, (p, pspan), eps, swap, span)
            }
            CompositeLoss::MultilabelSoftMargin => self.multilabel_soft_margin(&ts, span),
        };
        let Some(out) = out else { return Value::Poison };
        Value::Tensor(self.apply_reduction(out, reduction, span))
    }

    /// `multilabel_soft_margin_loss`: `-(target * logsigmoid(input) + (1 -
    /// target) * logsigmoid(-input))`, times the weight, summed over the last
    /// (class) dimension and divided by its size, as `functional.py` writes it.
    fn multilabel_soft_margin(&mut self, ts: &[Arg], span: Span) -> Option<NodeId> {
        let ((x, sx), (t, st)) = (ts[0], ts[1]);
        let Some(&c) = self.shape_of(x).last() else {
            self.error(
                Diagnostic::new(Code::E0202, "`multilabel_soft_margin_loss` needs an input with a class dimension, not a 0-d tensor", sx, "0-d")
                    .with_help("pass scores of shape (C,) or (N, C)"),
            );
            return None;
        };
        let class_dim = self.shape_of(x).len() - 1;
        let logsigmoid = |me: &mut Self, v: Value| {
            me.call_builtin(Builtin::Unary(graphc_runtime::op::Unary::LogSigmoid), "logsigmoid", vec![(None, v, span)], span)
        };
        let pos = logsigmoid(self, Value::Tensor(x));
        let pos = self.binary(BinOp::Mul, (Value::Tensor(t), st), (pos, sx), span);
        let other = self.binary(BinOp::Sub, (Value::Number(Num::Int(1)), span), (Value::Tensor(t), st), span);
        let neg_x = self.neg(Value::Tensor(x), sx, span);
        let neg = logsigmoid(self, neg_x);
        let neg = self.binary(BinOp::Mul, (other, st), (neg, sx), span);
        let both = self.binary(BinOp::Add, (pos, span), (neg, span), span);
        let mut loss = self.neg(both, span, span);
        if let Some(&(w, sw)) = ts.get(2) {
            loss = self.binary(BinOp::Mul, (loss, span), (Value::Tensor(w), sw), span);
        }
        let args = vec![
            (None, loss, span),
            (Some(crate::syntax::ast::Ident { name: "dim".to_string(), span }), Value::Number(Num::Int(class_dim as i128)), span),
        ];
        let summed = self.call_builtin(Builtin::Sum, "sum", args, span);
        tensor(self.binary(BinOp::Div, (summed, span), (Value::Number(Num::Int(c as i128)), span), span))
    }

    /// `pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=false)`.
    pub(crate) fn pairwise_distance_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let ((a, sa), (b, sb)) = (arg(0).expect("bind guarantees x1"), arg(1).expect("bind guarantees x2"));
        let (Some(x1), Some(x2)) =
            (self.expect_float_tensor(a, sa, "`pairwise_distance`'s x1"), self.expect_float_tensor(b, sb, "`pairwise_distance`'s x2"))
        else {
            return Value::Poison;
        };
        let p = match arg(2) {
            None => (Value::Number(Num::Float(2.0)), span),
            Some(p) => p,
        };
        let eps = match arg(3) {
            None => 1e-6,
            Some((v, s)) => match self.number(&v, s, "`eps`") {
                Some(e) => e,
                None => return Value::Poison,
            },
        };
        let keepdim = arg(4).unwrap_or((Value::Bool(false), span));
        match self.distance((x1, sa), (x2, sb), p, eps, keepdim, span) {
            Some(d) => Value::Tensor(d),
            None => Value::Poison,
        }
    }

    /// ATen's `pairwise_distance`: `norm(x1 - x2 + eps, p, innermost_dim, keepdim)`,
    /// the innermost dimension of the broadcast operands.
    fn distance(&mut self, (x1, s1): Arg, (x2, s2): Arg, p: (Value, Span), eps: f64, keepdim: (Value, Span), span: Span) -> Option<NodeId> {
        let rank = self.shape_of(x1).len().max(self.shape_of(x2).len());
        if rank == 0 {
            self.error(
                Diagnostic::new(Code::E0202, "`pairwise_distance` needs tensors of at least one dimension", span, "0-d operands")
                    .with_help("pass vectors, or rows of vectors"),
            );
            return None;
        }
        let d = self.binary(BinOp::Sub, (Value::Tensor(x1), s1), (Value::Tensor(x2), s2), span);
        let shifted = self.binary(BinOp::Add, (d, span), (Value::Number(Num::Float(eps)), span), span);
        let dim = Value::Number(Num::Int(rank as i128 - 1));
        let args = vec![(None, shifted, span), (None, p.0, p.1), (None, dim, span), (None, keepdim.0, keepdim.1)];
        match self.call_builtin(Builtin::Norm, "norm", args, span) {
            Value::Tensor(n) => {
                // `at::norm`'s node, where the `norm` builtin is `linalg_vector_norm`'s.
                if self.requires_grad(n) {
                    self.grad_fn.insert(n, "NormBackward1".to_string());
                }
                Some(n)
            }
            _ => None,
        }
    }

    /// `clamp_min(v, 0)`, as ATen's `clamp_min_(0)` (`ClampMinBackward0`).
    fn clamp_at_zero(&mut self, v: Value, span: Span) -> Value {
        let args = vec![(None, v, span), (None, Value::Number(Num::Int(0)), span)];
        self.call_builtin(Builtin::Activation(ActivationBuiltin::ClampMin), "clamp_min", args, span)
    }

    /// `where(cond, v, zeros)`: `v` where `cond` holds, zero elsewhere.
    fn where_else_zero(&mut self, cond: Value, v: Value, span: Span) -> Value {
        let args = vec![(None, cond, span), (None, v, span), (None, Value::Number(Num::Float(0.0)), span)];
        self.call_builtin(Builtin::Where, "where", args, span)
    }

    /// That all operands have one shape, as PyTorch's composite losses need of
    /// their elementwise operands; E0244 at the first that differs.
    fn same_shapes(&mut self, name: &str, ts: &[Arg]) -> bool {
        let first = self.shape_of(ts[0].0);
        for &(t, s) in &ts[1..] {
            let sh = self.shape_of(t);
            if sh != first {
                self.error(
                    Diagnostic::new(
                        Code::E0244,
                        format!(
                            "`{name}` needs operands of one shape, but this one has shape {} and the first {}",
                            shapes::show(&sh),
                            shapes::show(&first)
                        ),
                        s,
                        format!("shape {}", shapes::show(&sh)),
                    )
                    .with_secondary(ts[0].1, format!("shape {}", shapes::show(&first)))
                    .with_help("give every operand the first one's shape"),
                );
                return false;
            }
        }
        true
    }

    fn margin_ranking(&mut self, name: &str, [(a, sa), (b, sb), (t, st)]: [Arg; 3], margin: f64, span: Span) -> Option<NodeId> {
        // functional.py checks the ranks; ATen (since PyTorch 1.10) the sizes.
        if !self.same_shapes(name, &[(a, sa), (b, sb), (t, st)]) {
            return None;
        }
        let neg_t = self.neg(Value::Tensor(t), st, span);
        let d = self.binary(BinOp::Sub, (Value::Tensor(a), sa), (Value::Tensor(b), sb), span);
        let p = self.binary(BinOp::Mul, (neg_t, st), (d, span), span);
        let shifted = self.binary(BinOp::Add, (p, span), (Value::Number(Num::Float(margin)), span), span);
        tensor(self.clamp_at_zero(shifted, span))
    }

    fn hinge_embedding(&mut self, (x, sx): Arg, (t, st): Arg, margin: f64, span: Span) -> Option<NodeId> {
        let below = self.binary(BinOp::Sub, (Value::Number(Num::Float(margin)), span), (Value::Tensor(x), sx), span);
        let margin_clamp = self.clamp_at_zero(below, span);
        let not_pos = self.binary(BinOp::Ne, (Value::Tensor(t), st), (Value::Number(Num::Int(1)), span), span);
        let output_margin = self.where_else_zero(not_pos, margin_clamp, span);
        let not_neg = self.binary(BinOp::Ne, (Value::Tensor(t), st), (Value::Number(Num::Int(-1)), span), span);
        let output_self = self.where_else_zero(not_neg, Value::Tensor(x), span);
        tensor(self.binary(BinOp::Add, (output_margin, span), (output_self, span), span))
    }

    /// `soft_margin_loss`: an `Op::Loss`, whose backward is PyTorch's own.
    fn soft_margin(&mut self, name: &str, (x, sx): Arg, (t, st): Arg, reduction: LossReduction, span: Span) -> Value {
        if !self.same_shapes(name, &[(x, sx), (t, st)]) {
            return Value::Poison;
        }
        if self.requires_grad(t) {
            return self.error(
                Diagnostic::new(
                    Code::E0204,
                    "the derivative of `soft_margin_loss` for its target is not implemented (as in PyTorch)",
                    st,
                    "requires grad",
                )
                .with_help("pass the target detached (`target.detach()`)"),
            );
        }
        let kind = LossKind::SoftMargin;
        let out = if reduction == LossReduction::None { self.shape_of(x) } else { vec![] };
        Value::Tensor(self.op_node(Op::Loss { kind, reduction }, self.dtype_of(x), out, &[x, t], span, kind.grad_fn()))
    }

    #[allow(clippy::too_many_arguments)]
    fn poisson_nll(&mut self, name: &str, (x, sx): Arg, (t, st): Arg, log_input: bool, full: bool, eps: f64, span: Span) -> Option<NodeId> {
        if !self.same_shapes(name, &[(x, sx), (t, st)]) {
            return None;
        }
        let (xv, tv) = ((Value::Tensor(x), sx), (Value::Tensor(t), st));
        let loss = if log_input {
            let e = self.call_builtin(Builtin::Unary(graphc_runtime::op::Unary::Exp), "exp", vec![(None, xv.0.clone(), sx)], span);
            let tx = self.binary(BinOp::Mul, tv.clone(), xv, span);
            self.binary(BinOp::Sub, (e, span), (tx, span), span)
        } else {
            let shifted = self.binary(BinOp::Add, xv.clone(), (Value::Number(Num::Float(eps)), span), span);
            let l = self.call_builtin(Builtin::Unary(graphc_runtime::op::Unary::Log), "log", vec![(None, shifted, span)], span);
            let tl = self.binary(BinOp::Mul, tv.clone(), (l, span), span);
            self.binary(BinOp::Sub, xv, (tl, span), span)
        };
        if !full {
            return tensor(loss);
        }
        // target * log(target) - target + 0.5 * log(2 * pi * target), zero where target <= 1.
        let log = |me: &mut Self, v: Value| me.call_builtin(Builtin::Unary(graphc_runtime::op::Unary::Log), "log", vec![(None, v, span)], span);
        let lt = log(self, tv.0.clone());
        let tlt = self.binary(BinOp::Mul, tv.clone(), (lt, span), span);
        let a = self.binary(BinOp::Sub, (tlt, span), tv.clone(), span);
        let two_pi_t = self.binary(BinOp::Mul, (Value::Number(Num::Float(2.0 * std::f64::consts::PI)), span), tv.clone(), span);
        let l2 = log(self, two_pi_t);
        let half = self.binary(BinOp::Mul, (Value::Number(Num::Float(0.5)), span), (l2, span), span);
        let stirling = self.binary(BinOp::Add, (a, span), (half, span), span);
        let small = self.binary(BinOp::Le, tv, (Value::Number(Num::Int(1)), span), span);
        let args = vec![(None, stirling, span), (None, small, span), (None, Value::Number(Num::Int(0)), span)];
        let masked = self.call_builtin(Builtin::MaskedFill, "masked_fill", args, span);
        tensor(self.binary(BinOp::Add, (loss, span), (masked, span), span))
    }

    fn gaussian_nll(&mut self, (x, sx): Arg, (t, st): Arg, var: Variance, full: bool, eps: f64, span: Span) -> Option<NodeId> {
        let dt = self.dtype_of(x);
        let xs = self.shape_of(x);
        let (var, sv) = match var {
            Variance::Number(v, s) => {
                if v < 0.0 {
                    self.error(
                        Diagnostic::new(Code::E0246, "var has negative entry/entries", s, "negative").with_help("pass a variance of 0 or more"),
                    );
                    return None;
                }
                // `var * torch.ones_like(input)`.
                let ones = self.node(Op::Full(graphc_runtime::op::Scalar::of(1.0, dt)), dt, xs.clone(), &[], s);
                let Value::Tensor(v) = self.binary(BinOp::Mul, (Value::Number(Num::Float(v)), s), (Value::Tensor(ones), s), s) else { return None };
                (v, s)
            }
            Variance::Tensor(v) => v,
        };
        let vs = self.shape_of(var);
        let var = if vs == xs {
            var
        } else if !xs.is_empty() && xs[..xs.len() - 1] == vs[..] {
            // One dimension short: the homoscedastic case, `unsqueeze(var, -1)`.
            let mut s = vs.clone();
            s.push(1);
            self.op_node(Op::Reshape, dt, s, &[var], sv, "UnsqueezeBackward0")
        } else if xs.len() == vs.len() && xs.iter().zip(&vs).filter(|(a, b)| a != b).map(|(_, b)| *b).sum::<usize>() == 1 {
            var
        } else {
            self.error(
                Diagnostic::new(
                    Code::E0244,
                    format!("var is of incorrect size: {} for an input of shape {}", shapes::show(&vs), shapes::show(&xs)),
                    sv,
                    "incorrect size",
                )
                .with_secondary(sx, format!("shape {}", shapes::show(&xs)))
                .with_help("give var the input's shape, the input's shape without its last dimension, or a size of 1 in one dimension"),
            );
            return None;
        };
        if !self.same_shapes("gaussian_nll_loss", &[(x, sx), (t, st)]) {
            return None;
        }
        // `var = var.clone()`, then `var.clamp_(min=eps)` inside `no_grad`: the
        // clamped values with the clone's history.
        let kept = self.shape_of(var);
        let clone = self.op_node(Op::Reshape, dt, kept.clone(), &[var], sv, "CloneBackward0");
        let clamp = Op::Activation(Activation::Clamp { min: Some(F64Bits::new(eps)), max: None });
        let clamped = self.node(clamp, dt, kept.clone(), &[clone], sv);
        self.prog.graph.meta_mut(clamped).requires_grad = false;
        let var = if self.requires_grad(clone) {
            let r = self.node(Op::Binary(Binary::KeepGraph), dt, kept, &[clone, clamped], sv);
            self.prog.graph.meta_mut(r).requires_grad = true;
            self.grad_fn.insert(r, "CloneBackward0".to_string());
            r
        } else {
            clamped
        };
        let lv = self.call_builtin(Builtin::Unary(graphc_runtime::op::Unary::Log), "log", vec![(None, Value::Tensor(var), sv)], span);
        let d = self.binary(BinOp::Sub, (Value::Tensor(x), sx), (Value::Tensor(t), st), span);
        let sq = self.binary(BinOp::Pow, (d, span), (Value::Number(Num::Int(2)), span), span);
        let q = self.binary(BinOp::Div, (sq, span), (Value::Tensor(var), sv), span);
        let sum = self.binary(BinOp::Add, (lv, span), (q, span), span);
        let loss = self.binary(BinOp::Mul, (Value::Number(Num::Float(0.5)), span), (sum, span), span);
        if !full {
            return tensor(loss);
        }
        // `0.5 * math.log(2 * math.pi)`, a Python float.
        let c = 0.5 * (2.0 * std::f64::consts::PI).ln();
        tensor(self.binary(BinOp::Add, (loss, span), (Value::Number(Num::Float(c)), span), span))
    }

    fn cosine_embedding(&mut self, [(a, sa), (b, sb), (t, st)]: [Arg; 3], margin: f64, span: Span) -> Option<NodeId> {
        let (ra, rt) = (self.shape_of(a).len(), self.shape_of(t).len());
        let want = match rt {
            1 => 2,
            0 => 1,
            _ => {
                self.error(
                    Diagnostic::new(Code::E0244, "0D or 1D target tensor expected, multi-target not supported", st, format!("{rt}-D target"))
                        .with_help("pass one target (1 or -1) per pair of rows"),
                );
                return None;
            }
        };
        if ra != want {
            let (sha, shb) = (shapes::show(&self.shape_of(a)), shapes::show(&self.shape_of(b)));
            self.error(
                Diagnostic::new(
                    Code::E0244,
                    format!("{rt}D target tensor expects {want}D input tensors, but found inputs with sizes {sha} and {shb}."),
                    sa,
                    format!("{ra}-D input"),
                )
                .with_secondary(st, format!("{rt}-D target"))
                .with_help(if rt == 1 { "pass rows of vectors (2-D inputs)" } else { "pass vectors (1-D inputs)" }),
            );
            return None;
        }
        let dim = rt;
        let (av, bv) = ((Value::Tensor(a), sa), (Value::Tensor(b), sb));
        let sum_dim = |me: &mut Self, v: Value| -> Value {
            let args = vec![(None, v, span), (None, Value::Number(Num::Int(dim as i128)), span)];
            me.call_builtin(Builtin::Sum, "sum", args, span)
        };
        let ab = self.binary(BinOp::Mul, av.clone(), bv.clone(), span);
        let prod_sum = sum_dim(self, ab);
        let aa = self.binary(BinOp::Mul, av.clone(), av, span);
        let sa2 = sum_dim(self, aa);
        let mag1 = self.binary(BinOp::Add, (sa2, span), (Value::Number(Num::Float(COSINE_EPSILON)), span), span);
        let bb = self.binary(BinOp::Mul, bv.clone(), bv, span);
        let sb2 = sum_dim(self, bb);
        let mag2 = self.binary(BinOp::Add, (sb2, span), (Value::Number(Num::Float(COSINE_EPSILON)), span), span);
        let m = self.binary(BinOp::Mul, (mag1, span), (mag2, span), span);
        let denom = self.call_builtin(Builtin::Unary(graphc_runtime::op::Unary::Sqrt), "sqrt", vec![(None, m, span)], span);
        let cos = self.binary(BinOp::Div, (prod_sum, span), (denom, span), span);
        let pos = self.binary(BinOp::Sub, (Value::Number(Num::Int(1)), span), (cos.clone(), span), span);
        let shifted = self.binary(BinOp::Sub, (cos, span), (Value::Number(Num::Float(margin)), span), span);
        let neg = self.clamp_at_zero(shifted, span);
        let is_pos = self.binary(BinOp::EqEq, (Value::Tensor(t), st), (Value::Number(Num::Int(1)), span), span);
        let output_pos = self.where_else_zero(is_pos, pos, span);
        let is_neg = self.binary(BinOp::EqEq, (Value::Tensor(t), st), (Value::Number(Num::Int(-1)), span), span);
        let output_neg = self.where_else_zero(is_neg, neg, span);
        tensor(self.binary(BinOp::Add, (output_pos, span), (output_neg, span), span))
    }

    fn triplet_margin(&mut self, ts: [Arg; 3], margin: f64, p: (f64, Span), eps: f64, swap: bool, span: Span) -> Option<NodeId> {
        if !self.triplet_ranks_agree(&ts, span) {
            return None;
        }
        let [a, pos, neg] = ts;
        let pv = (Value::Number(Num::Float(p.0)), p.1);
        let keep = (Value::Bool(false), span);
        let dist_pos = self.distance(a, pos, pv.clone(), eps, keep.clone(), span)?;
        let mut dist_neg = self.distance(a, neg, pv.clone(), eps, keep.clone(), span)?;
        if swap {
            let dist_swap = self.distance(pos, neg, pv, eps, keep, span)?;
            let args = vec![(None, Value::Tensor(dist_neg), span), (None, Value::Tensor(dist_swap), span)];
            dist_neg = tensor(self.call_builtin(Builtin::Minimum, "minimum", args, span))?;
        }
        let m = self.binary(BinOp::Add, (Value::Tensor(dist_pos), span), (Value::Number(Num::Float(margin)), span), span);
        let d = self.binary(BinOp::Sub, (m, span), (Value::Tensor(dist_neg), span), span);
        tensor(self.clamp_at_zero(d, span))
    }
}

impl Lowerer<'_> {
    /// Whether the anchor, positive and negative have one rank (E0244 otherwise).
    fn triplet_ranks_agree(&mut self, ts: &[Arg], span: Span) -> bool {
        let ranks: Vec<usize> = ts.iter().map(|&(t, _)| self.shape_of(t).len()).collect();
        if ranks[0] == ranks[1] && ranks[1] == ranks[2] {
            return true;
        }
        self.error(
            Diagnostic::new(
                Code::E0244,
                format!(
                    "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor {}D, positive {}D, and negative {}D inputs",
                    ranks[0], ranks[1], ranks[2]
                ),
                span,
                "ranks differ",
            )
            .with_help("give the three tensors one rank"),
        );
        false
    }

    /// `triplet_margin_with_distance_loss(anchor, positive, negative, *,
    /// distance_function=none, margin=1.0, swap=false, reduction="mean")`.
    pub(crate) fn triplet_margin_with_distance(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let name = "triplet_margin_with_distance_loss";
        let reduction = match bound.keyword("reduction") {
            None => LossReduction::Mean,
            Some((Value::Str(r), rs)) => match LossReduction::from_name(&r) {
                Some(r) => r,
                None => {
                    return self.error(
                        Diagnostic::new(Code::E0245, format!("{r} is not a valid value for reduction"), rs, "unknown reduction")
                            .with_help("write `reduction=\"mean\"`, `\"sum\"` or `\"none\"`"),
                    )
                }
            },
            Some((other, rs)) => {
                return self.error(
                    Diagnostic::new(Code::E0245, format!("`reduction` must be a string, not {}", other.describe()), rs, "not a string")
                        .with_help("write `reduction=\"mean\"`, `\"sum\"` or `\"none\"`"),
                )
            }
        };
        let margin = match bound.keyword("margin") {
            None => 1.0,
            Some((v, s)) => match self.number(&v, s, "`margin`") {
                Some(m) if m > 0.0 => m,
                Some(m) => {
                    let shown = graphc_runtime::format::python_float_repr(m);
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("margin must be greater than 0, got {shown}"), s, "not positive")
                            .with_help("give a positive margin, as in `margin=1.0`"),
                    );
                }
                None => return Value::Poison,
            },
        };
        let swap = match bound.keyword("swap") {
            None | Some((Value::Bool(false), _)) => false,
            Some((Value::Bool(true), _)) => true,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`swap` must be a bool, not {}", other.describe()), s, "not a bool")
                        .with_help("write `swap=true` or leave it out"),
                )
            }
        };
        let distance = bound.keyword("distance_function").filter(|(v, _)| !matches!(v, Value::None));
        let mut ts = Vec::new();
        for (i, what) in ["anchor", "positive", "negative"].iter().enumerate() {
            let (v, s) = bound.positional[i].clone().expect("bind guarantees the tensors");
            let Some(t) = self.expect_tensor(v, s, &format!("`{name}`'s {what}")) else { return Value::Poison };
            ts.push((t, s));
        }
        if !self.triplet_ranks_agree(&ts, span) {
            return Value::Poison;
        }
        let call = |me: &mut Self, x: Arg, y: Arg| -> Option<NodeId> {
            let args = vec![(None, Value::Tensor(x.0), x.1), (None, Value::Tensor(y.0), y.1)];
            let (v, at) = match &distance {
                None => (me.call_builtin(Builtin::PairwiseDistance, "pairwise_distance", args, span), span),
                Some((f @ Value::Object { .. }, fs)) => (me.call_object_value(f.clone(), args, span), *fs),
                Some((f, fs)) => {
                    let callee = crate::syntax::ast::Ident { name: "distance_function".to_string(), span: *fs };
                    (me.call_value(f, &callee, args, span), *fs)
                }
            };
            match v {
                Value::Tensor(t) => Some(t),
                Value::Poison => None,
                other => {
                    me.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("the distance function must return a tensor, not {}", other.describe()),
                            at,
                            "not a tensor",
                        )
                        .with_help("return the distances of the rows, as `pairwise_distance` does"),
                    );
                    None
                }
            }
        };
        let [a, p, n] = [ts[0], ts[1], ts[2]];
        let Some(dist_pos) = call(self, a, p) else { return Value::Poison };
        let Some(mut dist_neg) = call(self, a, n) else { return Value::Poison };
        if swap {
            let Some(dist_swap) = call(self, p, n) else { return Value::Poison };
            let args = vec![(None, Value::Tensor(dist_neg), span), (None, Value::Tensor(dist_swap), span)];
            let Some(m) = tensor(self.call_builtin(Builtin::Minimum, "minimum", args, span)) else { return Value::Poison };
            dist_neg = m;
        }
        // `margin + dist_pos - dist_neg`: the float on the left is the wrapped number's add.
        let m = self.binary(BinOp::Add, (Value::Number(Num::Float(margin)), span), (Value::Tensor(dist_pos), span), span);
        let d = self.binary(BinOp::Sub, (m, span), (Value::Tensor(dist_neg), span), span);
        let Some(loss) = tensor(self.clamp_at_zero(d, span)) else { return Value::Poison };
        Value::Tensor(self.apply_reduction(loss, reduction, span))
    }
}

/// `gaussian_nll_loss`'s variance: a tensor, or a Python float.
enum Variance {
    Tensor(Arg),
    Number(f64, Span),
}

/// The node of a tensor value; `None` for poison, whose error is reported.
fn tensor(v: Value) -> Option<NodeId> {
    match v {
        Value::Tensor(n) => Some(n),
        _ => None,
    }
}
