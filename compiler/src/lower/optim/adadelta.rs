//! `Adadelta`: PyTorch's `_single_tensor_adadelta` (torch/optim/adadelta.py),
//! the path without `capturable` or `differentiable`, line for line:
//!
//! ```text
//! step += 1                                     # a 0-d f32 tensor, not read
//! if weight_decay != 0: grad = grad.add(param, alpha=weight_decay)
//! square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
//! std = square_avg.add(eps).sqrt_()
//! delta = acc_delta.add(eps).sqrt_()
//! delta.div_(std).mul_(grad)
//! acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
//! param.add_(delta, alpha=-lr)
//! ```
//!
//! The state is `_init_group`'s: `step` (f32 0, carried as PyTorch's state holds
//! it) and zeros of the parameter's dtype for `square_avg` and `acc_delta`.

use graphc_runtime::op::{Binary, Unary};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the two averages and the step.
    pub(super) fn adadelta_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let dt = self.dtype_of(p);
        self.next_step(state, span);
        let square_avg = self.or_zeros(state.square_avg, p, span);
        let acc_delta = self.or_zeros(state.acc_delta, p, span);

        let grad = if h.weight_decay != 0.0 { self.add_alpha(g, p, h.weight_decay, span) } else { g };
        let decayed = self.mul_number(square_avg, h.rho, span);
        let square_avg = self.addcmul(decayed, grad, grad, 1.0 - h.rho, span);
        let eps = self.scalar(h.eps, dt, span);
        let shifted = self.ew(Binary::Add, square_avg, eps, span);
        let std = self.ew1(Unary::Sqrt, shifted, span);
        let shifted = self.ew(Binary::Add, acc_delta, eps, span);
        let delta = self.ew1(Unary::Sqrt, shifted, span);
        let delta = self.ew(Binary::Div, delta, std, span);
        let delta = self.ew(Binary::Mul, delta, grad, span);
        let decayed = self.mul_number(acc_delta, h.rho, span);
        let acc_delta = self.addcmul(decayed, delta, delta, 1.0 - h.rho, span);
        state.square_avg = Some(square_avg);
        state.acc_delta = Some(acc_delta);

        // `add_(alpha=-lr)`: `fmadd(delta, -lr, param)`, `-lr` in the tensor's dtype.
        let lr = self.lr_value(h.lr_node, h.lr, span);
        let alpha = self.neg_lr_in(lr, dt, span);
        self.fma(delta, alpha, p, span)
    }
}
