//! `RMSprop`: PyTorch's `_single_tensor_rmsprop` (torch/optim/rmsprop.py), the
//! path without `capturable` or `differentiable`, line for line:
//!
//! ```text
//! step += 1                                     # a 0-d f32 tensor, not read
//! if weight_decay != 0: grad = grad.add(param, alpha=weight_decay)
//! square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
//! if centered:
//!     grad_avg.lerp_(grad, 1 - alpha)
//!     avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
//! else: avg = square_avg.sqrt()
//! avg = avg.add_(eps)
//! if momentum > 0:
//!     buf.mul_(momentum).addcdiv_(grad, avg)
//!     param.add_(buf, alpha=-lr)
//! else: param.addcdiv_(grad, avg, value=-lr)
//! ```
//!
//! The state is PyTorch's `_init_group`'s: `step` (a 0-d f32 tensor counting
//! the steps, which the update never reads but a compiled loop carries as
//! PyTorch's state holds it), and zeros of the parameter's dtype for
//! `square_avg`, `momentum_buffer` (with momentum) and `grad_avg` (centered).

use graphc_runtime::op::{Binary, Unary};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the averages, the buffer and the step.
    pub(super) fn rmsprop_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let dt = self.dtype_of(p);
        self.next_step(state, span);

        let mut grad = g;
        if h.weight_decay != 0.0 {
            grad = self.add_alpha(grad, p, h.weight_decay, span);
        }
        let square_avg = self.or_zeros(state.square_avg, p, span);
        let decayed = self.mul_number(square_avg, h.alpha, span);
        let square_avg = self.addcmul(decayed, grad, grad, 1.0 - h.alpha, span);
        state.square_avg = Some(square_avg);
        let avg = if h.centered {
            let grad_avg = self.or_zeros(state.grad_avg, p, span);
            let grad_avg = self.lerp(grad_avg, grad, 1.0 - h.alpha, span);
            state.grad_avg = Some(grad_avg);
            let variance = self.addcmul(square_avg, grad_avg, grad_avg, -1.0, span);
            self.ew1(Unary::Sqrt, variance, span)
        } else {
            self.ew1(Unary::Sqrt, square_avg, span)
        };
        let eps = self.scalar(h.eps, dt, span);
        let avg = self.ew(Binary::Add, avg, eps, span);

        if h.momentum > 0.0 {
            let buf = self.or_zeros(state.momentum_buffer, p, span);
            let scaled = self.mul_momentum(buf, h, span);
            let one = self.scalar(1.0, dt, span);
            let buf = self.addcdiv(scaled, grad, avg, one, span);
            state.momentum_buffer = Some(buf);
            match h.lr_node {
                // `alpha=-lr` in the parameter's dtype, as SGD's last line.
                Some(lr) => {
                    let alpha = self.neg_lr_in(lr, dt, span);
                    self.fma(buf, alpha, p, span)
                }
                None => self.add_alpha(p, buf, -h.lr, span),
            }
        } else {
            let value = match h.lr_node {
                Some(lr) => self.neg_lr_in(lr, dt, span),
                None => self.scalar(-h.lr, dt, span),
            };
            self.addcdiv(p, grad, avg, value, span)
        }
    }
}
