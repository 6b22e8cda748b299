//! `Rprop`: PyTorch's `_single_tensor_rprop` (torch/optim/rprop.py), the path
//! without `capturable` or `differentiable`, line for line:
//!
//! ```text
//! step += 1                                     # a 0-d f32 tensor, not read
//! sign = grad.mul(prev).sign()
//! sign[sign.gt(0)] = etaplus
//! sign[sign.lt(0)] = etaminus
//! sign[sign.eq(0)] = 1
//! step_size.mul_(sign).clamp_(step_size_min, step_size_max)
//! grad = grad.clone()
//! grad[sign.eq(etaminus)] = 0
//! param.addcmul_(grad.sign(), step_size, value=-1)
//! prev.copy_(grad)
//! ```
//!
//! The masked stores are `where`s of the same comparisons, in the same order.
//! The state is `_init_group`'s: `step` (f32 0), `prev` (zeros) and `step_size`,
//! `full_like(grad, lr)` with the group's rate at the first step: a rate changed
//! later (by a scheduler) is never read, in PyTorch as here.

use graphc_runtime::op::{Binary, Cmp, Scalar, Unary};
use graphc_runtime::Op;

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the step sizes, the previous gradient and the step.
    pub(super) fn rprop_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(p), self.shape_of(p));
        self.next_step(state, span);
        let prev = match state.prev {
            Some(v) => v,
            None => self.node(Op::Full(Scalar::of(0.0, dt)), dt, sh.clone(), &[], span),
        };
        let step_size = match state.step_size {
            Some(v) => v,
            None => match h.lr_node {
                None => self.node(Op::Full(Scalar::of(h.lr, dt)), dt, sh.clone(), &[], span),
                // An assigned rate is a run-time number: `0 + lr`, exactly `lr`, in every element.
                Some(lr) => {
                    let lr = self.host_in_dtype(lr, dt, span);
                    let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, sh.clone(), &[], span);
                    self.ew(Binary::Add, zeros, lr, span)
                }
            },
        };

        let c = |l: &mut Self, v: f64| l.scalar(v, dt, span);
        let (zero, unit, etaminus, etaplus) = (c(self, 0.0), c(self, 1.0), c(self, h.etas.0), c(self, h.etas.1));
        // `sign[sign CMP 0] = value`: where the comparison holds, the value.
        let set = |l: &mut Self, cmp: Cmp, x: NodeId, at: NodeId, v: NodeId| l.node(Op::Where(cmp), dt, sh.clone(), &[x, at, v, x], span);
        let product = self.ew(Binary::Mul, g, prev, span);
        let sign = self.ew1(Unary::Signum, product, span);
        let sign = set(self, Cmp::Gt, sign, zero, etaplus);
        let sign = set(self, Cmp::Lt, sign, zero, etaminus);
        let sign = set(self, Cmp::Eq, sign, zero, unit);

        // `clamp_(min, max)`: `min(max(x, min), max)`, the bounds in the tensor's dtype.
        let scaled = self.ew(Binary::Mul, step_size, sign, span);
        let (low, high) = (c(self, h.step_sizes.0), c(self, h.step_sizes.1));
        let raised = self.ew(Binary::Maximum, scaled, low, span);
        let step_size = self.ew(Binary::Minimum, raised, high, span);

        let grad = self.node(Op::Where(Cmp::Eq), dt, sh.clone(), &[sign, etaminus, zero, g], span);
        state.step_size = Some(step_size);
        state.prev = Some(grad);
        let direction = self.ew1(Unary::Signum, grad, span);
        self.addcmul(p, direction, step_size, -1.0, span)
    }
}
