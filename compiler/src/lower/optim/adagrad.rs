//! `Adagrad`: PyTorch's `_single_tensor_adagrad` (torch/optim/adagrad.py), the
//! dense path without `differentiable`, line for line:
//!
//! ```text
//! step_t += 1                                   # a 0-d f32 tensor
//! step = step_t.item()                          # a Python float
//! if weight_decay != 0: grad = grad.add(param, alpha=weight_decay)
//! clr = lr / (1 + (step - 1) * lr_decay)
//! state_sum.addcmul_(grad, grad, value=1)
//! std = state_sum.sqrt().add_(eps)
//! param.addcdiv_(grad, std, value=-clr)
//! ```
//!
//! PyTorch's constructor makes the state of every parameter at once: `step`, a
//! f32 zero, and `sum`, `full_like(p, initial_accumulator_value)`. Here it is
//! made at a parameter's first update, as for the other optimizers; a parameter
//! that never gets a gradient is never read, so the values are the same.

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::{DType, Op};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the sum of squares and the step.
    pub(super) fn adagrad_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(p), self.shape_of(p));
        let step_t = self.next_step(state, span);

        let mut grad = g;
        if h.weight_decay != 0.0 {
            grad = self.add_alpha(grad, p, h.weight_decay, span);
        }
        let lr = self.lr_value(h.lr_node, h.lr, span);
        // With no decay `1 + (step - 1) * 0` is exactly 1 for every count, and
        // `lr / 1` is `lr`, so the rate is used as it is.
        let clr = if h.lr_decay == 0.0 {
            lr
        } else {
            let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
            let step = self.node(Op::Cast, DType::F64, vec![], &[step_t], span);
            let (one, decay) = (f(self, 1.0), f(self, h.lr_decay));
            let done = self.ew(Binary::Sub, step, one, span);
            let decayed = self.ew(Binary::Mul, done, decay, span);
            let divisor = self.ew(Binary::Add, one, decayed, span);
            self.ew(Binary::Div, lr, divisor, span)
        };

        let sum = match state.sum {
            Some(s) => s,
            None => self.node(Op::Full(graphc_runtime::op::Scalar::of(h.initial_accumulator_value, dt)), dt, sh, &[], span),
        };
        let sum = self.addcmul(sum, grad, grad, 1.0, span);
        state.sum = Some(sum);
        let root = self.ew1(Unary::Sqrt, sum, span);
        let eps = self.scalar(h.eps, dt, span);
        let std = self.ew(Binary::Add, root, eps, span);
        let value = self.neg_lr_in(clr, dt, span);
        self.addcdiv(p, grad, std, value, span)
    }
}
