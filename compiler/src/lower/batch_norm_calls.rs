//! Lowering of `batch_norm(input, running_mean, running_var, weight=none,
//! bias=none, training=false, momentum=0.1, eps=1e-5)`
//! (`torch.nn.functional.batch_norm`, which `nn.BatchNorm1d`/`2d` call) with
//! PyTorch 2.15's CPU arithmetic, read from its bits:
//!
//! - In training, each channel's mean and sum of squared deviations are the
//!   statistics ops of `kernels/batch_norm.rs`;
//!   `invstd = 1 / sqrt(var_sum / n + eps)`, the division in the dtype and
//!   the rest in f64; the running statistics become `momentum * stat +
//!   (1 - momentum) * running` (the variance's unbiased, `var_sum / (n - 1)`,
//!   and with one fused multiply-add in f32 where the mean's has two
//!   roundings, as PyTorch's compiled code has them), updated in place
//!   without gradients.
//! - In evaluation, the running statistics stand for them: `invstd = 1 /
//!   sqrt(running_var + eps)` in the dtype.
//! - Then `alpha = invstd * weight`, `beta = bias - mean * alpha` and
//!   `out = input * alpha + beta`, both fused multiply-adds, per channel.
//!
//! The gradients are autodiff's through these ops (the statistics' rules are
//! in `autodiff/rules/reduce.rs`): PyTorch's formula, whose backward kernel
//! rounds in another order (docs/NUMERICS.md, "Batch norm").

use graphc_runtime::op::{Binary, ReduceKind, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// PyTorch's `grad_fn` of the result.
const GRAD_FN: &str = "NativeBatchNormBackward0";

impl Lowerer<'_> {
    /// `batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)`.
    pub(crate) fn batch_norm(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, "`batch_norm`'s input") else { return Value::Poison };
        let xsh = self.shape_of(x);
        let dt = self.dtype_of(x);
        if xsh.len() < 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("`batch_norm` needs an input of shape [N, C, *], not {}", shapes::show(&xsh)),
                    xs,
                    format!("of shape {}", shapes::show(&xsh)),
                )
                .with_help("give a batch of rows (`[N, C]`) or of channels (`[N, C, L]`, `[N, C, H, W]`)"),
            );
        }
        let channels = xsh[1];
        let per_channel = |this: &mut Self, i: usize, what: &str| -> Result<Option<NodeId>, ()> {
            let Some((v, s)) = arg(i) else { return Ok(None) };
            let t = this.expect_float_tensor(v, s, &format!("`batch_norm`'s {what}")).ok_or(())?;
            let sh = this.shape_of(t);
            if sh != [channels] {
                this.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!("{what} should contain {channels} elements not {}", sh.iter().product::<usize>()),
                        s,
                        format!("of shape {}", shapes::show(&sh)),
                    )
                    .with_help(format!("give one value per channel (dimension 1 of the input, {channels})")),
                );
                return Err(());
            }
            if this.dtype_of(t) != dt {
                let td = this.dtype_of(t);
                this.error(
                    Diagnostic::new(Code::E0201, format!("`batch_norm`'s {what} is {td} but its input is {dt}"), s, format!("{td}"))
                        .with_help(format!("convert one of them, such as `{what}.to({dt})`")),
                );
                return Err(());
            }
            Ok(Some(t))
        };
        let Ok(running_mean) = per_channel(self, 1, "running_mean") else { return Value::Poison };
        let Ok(running_var) = per_channel(self, 2, "running_var") else { return Value::Poison };
        let Ok(weight) = per_channel(self, 3, "weight") else { return Value::Poison };
        let Ok(bias) = per_channel(self, 4, "bias") else { return Value::Poison };
        let training = match arg(5) {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`training` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help("write `training=true`"),
                )
            }
        };
        let number = |this: &mut Self, i: usize, what: &str, default: f64| match arg(i) {
            None => Some(default),
            Some((v, s)) => this.number(&v, s, what),
        };
        let Some(momentum) = number(self, 6, "`momentum`", 0.1) else { return Value::Poison };
        let Some(eps) = number(self, 7, "`eps`", 1e-5) else { return Value::Poison };
        let count: usize = xsh[0] * xsh[2..].iter().product::<usize>();
        let (mean, invstd) = if training {
            if count <= 1 {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!(
                            "Expected more than 1 value per channel when training, got input size torch.Size([{}])",
                            xsh.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
                        ),
                        xs,
                        "one value per channel",
                    )
                    .with_help("normalize a batch of more than one element, or pass `training=false`"),
                );
            }
            let dims: Vec<usize> = (0..xsh.len()).filter(|&d| d != 1).collect();
            let stat = |this: &mut Self, kind: ReduceKind| {
                this.op_node(Op::Reduce { kind, dims: dims.clone(), keepdim: false }, dt, vec![channels], &[x], span, GRAD_FN)
            };
            let mean = stat(self, ReduceKind::BatchMean);
            let var_sum = stat(self, ReduceKind::BatchVarSum);
            let var = self.with_scalar(Binary::Div, var_sum, count as f64, span);
            let var64 = self.cast_to(var, DType::F64, span);
            let shifted = self.with_scalar(Binary::Add, var64, eps, span);
            let std = self.op_node(Op::Unary(Unary::Sqrt), DType::F64, vec![channels], &[shifted], span, GRAD_FN);
            let one = self.scalar(1.0, DType::F64, span);
            let inv64 = self.op_node(Op::Binary(Binary::Div), DType::F64, vec![channels], &[one, std], span, GRAD_FN);
            let invstd = self.cast_to(inv64, dt, span);
            if let (Some(rm), Some(rv)) = (running_mean, running_var) {
                self.update_running(rm, mean, momentum, false, span);
                let unbiased = self.with_scalar(Binary::Div, var_sum, (count - 1) as f64, span);
                self.update_running(rv, unbiased, momentum, dt == DType::F32, span);
            } else if let Some(r) = running_mean.or(running_var) {
                // PyTorch updates whichever is given.
                if Some(r) == running_mean {
                    self.update_running(r, mean, momentum, false, span);
                } else {
                    let unbiased = self.with_scalar(Binary::Div, var_sum, (count - 1) as f64, span);
                    self.update_running(r, unbiased, momentum, dt == DType::F32, span);
                }
            }
            (mean, invstd)
        } else {
            let (Some(rm), Some(rv)) = (running_mean, running_var) else {
                let which = if running_mean.is_none() { "running_mean" } else { "running_var" };
                return self.error(
                    Diagnostic::new(Code::E0107, format!("{which} must be defined in evaluation mode"), span, format!("no {which}"))
                        .with_help("pass the running statistics, or `training=true` to normalize by the batch's own"),
                );
            };
            let (rm, rv) = (self.current(rm), self.current(rv));
            let shifted = self.with_scalar(Binary::Add, rv, eps, span);
            let std = self.op_node(Op::Unary(Unary::Sqrt), dt, vec![channels], &[shifted], span, GRAD_FN);
            let one = self.scalar(1.0, dt, span);
            (rm, self.op_node(Op::Binary(Binary::Div), dt, vec![channels], &[one, std], span, GRAD_FN))
        };
        let alpha = match weight {
            Some(w) => self.op_node(Op::Binary(Binary::Mul), dt, vec![channels], &[invstd, w], span, GRAD_FN),
            None => invstd,
        };
        let neg_mean = self.op_node(Op::Unary(Unary::Neg), dt, vec![channels], &[mean], span, GRAD_FN);
        let shift = match bias {
            Some(b) => b,
            None => self.scalar(0.0, dt, span),
        };
        let beta = self.op_node(Op::Fma, dt, vec![channels], &[neg_mean, alpha, shift], span, GRAD_FN);
        // alpha and beta along dimension 1 of the input.
        let mut kept = vec![1; xsh.len()];
        kept[1] = channels;
        let alpha = self.op_node(Op::Reshape, dt, kept.clone(), &[alpha], span, GRAD_FN);
        let beta = self.op_node(Op::Reshape, dt, kept, &[beta], span, GRAD_FN);
        Value::Tensor(self.op_node(Op::Fma, dt, xsh, &[x, alpha, beta], span, GRAD_FN))
    }

    /// `t op value`, with the value a 0-d constant of `t`'s dtype.
    fn with_scalar(&mut self, op: Binary, t: NodeId, value: f64, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        let c = self.scalar(value, dt, span);
        self.op_node(Op::Binary(op), dt, sh, &[t, c], span, GRAD_FN)
    }

    /// The running statistic `running` becomes `momentum * stat + (1 -
    /// momentum) * running` in its dtype (`fused`: the first product and the
    /// sum rounded once), in place and without gradients.
    fn update_running(&mut self, running: NodeId, stat: NodeId, momentum: f64, fused: bool, span: Span) {
        let old = self.current(running);
        let (dt, sh) = (self.dtype_of(old), self.shape_of(old));
        let stat = self.node(Op::Unary(Unary::Detach), dt, sh.clone(), &[stat], span);
        let m = self.scalar(momentum, dt, span);
        let one = self.scalar(1.0, dt, span);
        let keep = self.node(Op::Binary(Binary::Sub), dt, vec![], &[one, m], span);
        let kept = self.node(Op::Binary(Binary::Mul), dt, sh.clone(), &[keep, old], span);
        let new = if fused {
            self.node(Op::Fma, dt, sh, &[m, stat, kept], span)
        } else {
            let scaled = self.node(Op::Binary(Binary::Mul), dt, sh.clone(), &[m, stat], span);
            self.node(Op::Binary(Binary::Add), dt, sh, &[scaled, kept], span)
        };
        let outer = std::mem::replace(&mut self.no_grad, true);
        self.update_in_place(old, new, "", span);
        self.no_grad = outer;
    }
}
