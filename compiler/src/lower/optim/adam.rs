//! `Adam` and `AdamW`: PyTorch's `_single_tensor_adam` (torch/optim/adam.py; AdamW
//! is Adam with `decoupled_weight_decay=True`), the path without `capturable` or
//! `differentiable`, line for line:
//!
//! ```text
//! step_t += 1                                   # a 0-d f32 tensor
//! if weight_decay != 0:
//!     if decoupled: param.mul_(1 - lr * weight_decay)
//!     else: grad = grad.add(param, alpha=weight_decay)
//! exp_avg.lerp_(grad, 1 - beta1)
//! exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
//! step = step_t.item()                          # a Python float
//! bias_correction1 = 1 - beta1 ** step
//! bias_correction2 = 1 - beta2 ** step
//! step_size = lr / bias_correction1
//! bias_correction2_sqrt = bias_correction2 ** 0.5
//! if amsgrad:
//!     torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
//!     denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
//! else: denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
//! param.addcdiv_(exp_avg, denom, value=-step_size)
//! ```
//!
//! The step count lives in a node, as PyTorch's `step` tensor does, so that a
//! compiled loop can carry it: the bias corrections are Python floats computed at
//! run time, 0-d f64 nodes made here with the same operations (libm `pow`).

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::{DType, Op};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the moments and the step.
    pub(super) fn adam_update(&mut self, h: &Hyper, decoupled: bool, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let dt = self.dtype_of(p);
        let (step_t, exp_avg, exp_avg_sq) = self.adam_family_state(state, p, span);
        let (param, grad) = self.adam_family_weight_decay(h, decoupled, p, g, span);
        let (beta1, beta2) = h.betas;
        let exp_avg = match h.cycled_momentum {
            // `1 - beta1` as a Python float; `OneCycleLR` keeps it below 0.5
            // (`one_cycle.rs`), so the kernel takes its `start + weight * (end - start)` branch.
            Some(b1) => {
                let one = self.scalar(1.0, DType::F64, span);
                let w = self.ew(Binary::Sub, one, b1, span);
                let w = self.host_in_dtype(w, dt, span);
                let diff = self.ew(Binary::Sub, grad, exp_avg, span);
                self.fma(w, diff, exp_avg, span)
            }
            None => self.lerp(exp_avg, grad, 1.0 - beta1, span),
        };
        let decayed = self.mul_number(exp_avg_sq, beta2, span);
        let exp_avg_sq = self.addcmul(decayed, grad, grad, 1.0 - beta2, span);
        state.exp_avg = Some(exp_avg);
        state.exp_avg_sq = Some(exp_avg_sq);

        let (step_size, bc2_sqrt) = self.bias_corrections(h, step_t, span);
        let second = if h.amsgrad {
            let max = self.or_zeros(state.max_exp_avg_sq, p, span);
            let max = self.ew(Binary::Maximum, max, exp_avg_sq, span);
            state.max_exp_avg_sq = Some(max);
            max
        } else {
            exp_avg_sq
        };
        let root = self.ew1(Unary::Sqrt, second, span);
        let bc2_sqrt = self.host_in_dtype(bc2_sqrt, dt, span);
        let scaled = self.ew(Binary::Div, root, bc2_sqrt, span);
        let eps = self.scalar(h.eps, dt, span);
        let denom = self.ew(Binary::Add, scaled, eps, span);
        let neg_step = self.ew1(Unary::Neg, step_size, span);
        let value = self.host_in_dtype(neg_step, dt, span);
        self.addcdiv(param, exp_avg, denom, value, span)
    }

    /// The first lines of every update of the Adam family (Adam, AdamW, NAdam,
    /// RAdam): PyTorch's `_init_group` state (a f32 step of 0, and zeros of the
    /// parameter's dtype for `exp_avg` and `exp_avg_sq`) or the state so far,
    /// and `step_t += 1`, stored. Returns the new step and the two moments.
    pub(super) fn adam_family_state(&mut self, state: &mut ParamState, p: NodeId, span: Span) -> (NodeId, NodeId, NodeId) {
        let step_t = self.step_count(state.step, span);
        let exp_avg = self.or_zeros(state.exp_avg, p, span);
        let exp_avg_sq = self.or_zeros(state.exp_avg_sq, p, span);
        let one = self.scalar(1.0, DType::F32, span);
        let step_t = self.ew(Binary::Add, step_t, one, span);
        state.step = Some(step_t);
        (step_t, exp_avg, exp_avg_sq)
    }

    /// The Adam family's weight decay: `param.mul_(1 - lr * weight_decay)` when
    /// `decoupled` (the factor a Python float), else `grad = grad.add(param,
    /// alpha=weight_decay)`. Returns the parameter and the gradient to go on with.
    pub(super) fn adam_family_weight_decay(&mut self, h: &Hyper, decoupled: bool, p: NodeId, g: NodeId, span: Span) -> (NodeId, NodeId) {
        if h.weight_decay == 0.0 {
            return (p, g);
        }
        if !decoupled {
            return (p, self.add_alpha(g, p, h.weight_decay, span));
        }
        let param = match h.lr_node {
            // `1 - lr * weight_decay` in Python floats, then the tensor's dtype.
            Some(lr) => {
                let (one, wd) = (self.scalar(1.0, DType::F64, span), self.scalar(h.weight_decay, DType::F64, span));
                let prod = self.ew(Binary::Mul, lr, wd, span);
                let factor = self.ew(Binary::Sub, one, prod, span);
                let factor = self.host_in_dtype(factor, self.dtype_of(p), span);
                self.ew(Binary::Mul, p, factor, span)
            }
            None => self.mul_number(p, 1.0 - h.lr * h.weight_decay, span),
        };
        (param, g)
    }

    /// `step_size = lr / (1 - beta1 ** step)` and `(1 - beta2 ** step) ** 0.5`, as
    /// 0-d f64 nodes, from the f32 step tensor `step_t` (its `.item()`).
    fn bias_corrections(&mut self, h: &Hyper, step_t: NodeId, span: Span) -> (NodeId, NodeId) {
        let step = self.host_in_dtype(step_t, DType::F64, span);
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let b1 = match h.cycled_momentum {
            Some(b1) => b1,
            None => f(self, h.betas.0),
        };
        let (b2, one) = (f(self, h.betas.1), f(self, 1.0));
        let lr = self.lr_value(h.lr_node, h.lr, span);
        let half = f(self, 0.5);
        let p1 = self.ew(Binary::Pow, b1, step, span);
        let bc1 = self.ew(Binary::Sub, one, p1, span);
        let p2 = self.ew(Binary::Pow, b2, step, span);
        let bc2 = self.ew(Binary::Sub, one, p2, span);
        let step_size = self.ew(Binary::Div, lr, bc1, span);
        let bc2_sqrt = self.ew(Binary::Pow, bc2, half, span);
        (step_size, bc2_sqrt)
    }

    /// A 0-d host number in the tensor dtype `dt` (a Python float meeting a tensor).
    pub(super) fn host_in_dtype(&mut self, x: NodeId, dt: DType, span: Span) -> NodeId {
        if self.dtype_of(x) == dt {
            return x;
        }
        let sh = self.shape_of(x);
        self.node(Op::Cast, dt, sh, &[x], span)
    }
}
