//! `SGD`: PyTorch's `_single_tensor_sgd` (torch/optim/sgd.py), line for line:
//!
//! ```text
//! if weight_decay != 0: grad = grad.add(param, alpha=weight_decay)
//! if momentum != 0:
//!     if buf is None: buf = grad.detach().clone()
//!     else: buf.mul_(momentum).add_(grad, alpha=1 - dampening)
//!     grad = grad.add(buf, alpha=momentum) if nesterov else buf
//! param.add_(grad, alpha=-lr)
//! ```

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the momentum buffer.
    pub(super) fn sgd_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let mut grad = g;
        if h.weight_decay != 0.0 {
            grad = self.add_alpha(grad, p, h.weight_decay, span);
        }
        if h.momentum != 0.0 {
            let buf = match state.momentum_buffer {
                // The first buffer is a copy of the gradient; values are immutable
                // nodes here, so the copy is the gradient's node itself.
                None => grad,
                Some(buf) => {
                    let scaled = self.mul_momentum(buf, h, span);
                    self.add_alpha(scaled, grad, 1.0 - h.dampening, span)
                }
            };
            state.momentum_buffer = Some(buf);
            grad = if h.nesterov {
                // `grad.add(buf, alpha=momentum)`: `fmadd(buf, momentum, grad)`.
                let m = self.momentum_in(h, self.dtype_of(grad), span);
                self.fma(buf, m, grad, span)
            } else {
                buf
            };
        }
        match h.lr_node {
            // An assigned learning rate: `alpha=-lr` in the parameter's dtype, as
            // the number would be.
            Some(lr) => {
                let alpha = self.neg_lr_in(lr, self.dtype_of(p), span);
                self.fma(grad, alpha, p, span)
            }
            None => self.add_alpha(p, grad, -h.lr, span),
        }
    }
}
