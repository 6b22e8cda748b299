//! `Adamax`: PyTorch's `_single_tensor_adamax` (torch/optim/adamax.py), the path
//! without `capturable` or `differentiable`, line for line:
//!
//! ```text
//! step_t += 1                                   # a 0-d f32 tensor
//! if weight_decay != 0: grad = grad.add(param, alpha=weight_decay)
//! exp_avg.lerp_(grad, 1 - beta1)
//! torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
//! bias_correction = 1 - beta1 ** step_t.item()  # Python floats
//! clr = lr / bias_correction
//! param.addcdiv_(exp_avg, exp_inf, value=-clr)
//! ```
//!
//! The state is `_init_group`'s: `step` (f32 0) and zeros of the parameter's
//! dtype for `exp_avg` and `exp_inf`.

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::DType;

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the moment, the infinity norm and the step.
    pub(super) fn adamax_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let dt = self.dtype_of(p);
        let step_t = self.next_step(state, span);
        let exp_avg = self.or_zeros(state.exp_avg, p, span);
        let exp_inf = self.or_zeros(state.exp_inf, p, span);

        let grad = if h.weight_decay != 0.0 { self.add_alpha(g, p, h.weight_decay, span) } else { g };
        let (beta1, beta2) = h.betas;
        let exp_avg = self.lerp(exp_avg, grad, 1.0 - beta1, span);
        let decayed = self.mul_number(exp_inf, beta2, span);
        let size = self.ew1(Unary::Abs, grad, span);
        let eps = self.scalar(h.eps, dt, span);
        let size = self.ew(Binary::Add, size, eps, span);
        let exp_inf = self.ew(Binary::Maximum, decayed, size, span);
        state.exp_avg = Some(exp_avg);
        state.exp_inf = Some(exp_inf);

        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let step = self.host_in_dtype(step_t, DType::F64, span);
        let (b1, one) = (f(self, beta1), f(self, 1.0));
        let power = self.ew(Binary::Pow, b1, step, span);
        let bias_correction = self.ew(Binary::Sub, one, power, span);
        let lr = self.lr_value(h.lr_node, h.lr, span);
        let clr = self.ew(Binary::Div, lr, bias_correction, span);
        let value = self.neg_lr_in(clr, dt, span);
        self.addcdiv(p, exp_avg, exp_inf, value, span)
    }
}
