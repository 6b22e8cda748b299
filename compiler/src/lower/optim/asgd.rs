//! `ASGD`: PyTorch's `_single_tensor_asgd` (torch/optim/asgd.py), the path
//! without `capturable` or `differentiable`, line for line:
//!
//! ```text
//! step_t += 1                                   # a 0-d f32 tensor
//! if weight_decay != 0: grad = grad.add(param, alpha=weight_decay)
//! eta_value = eta.item()                        # eta: a 0-d f32 tensor
//! param.mul_(1 - lambd * eta_value)
//! param.add_(grad, alpha=-eta_value)
//! if mu.item() != 1: ax.add_(param.sub(ax).mul_(mu))   # mu: a 0-d f32 tensor
//! else: ax.copy_(param)
//! step = step_t.item()
//! eta.copy_(torch.as_tensor(lr / ((1 + lambd * lr * step) ** alpha)))
//! mu.copy_(torch.as_tensor(1 / max(1, step - t0)))
//! ```
//!
//! The test of `mu` is a `where`, so that a compiled loop starts averaging at
//! the step PyTorch does. The state is `_init_group`'s: `step` (f32 0), `eta`
//! (the group's rate, in f32), `mu` (f32 1) and `ax` (zeros).

use graphc_runtime::op::{Binary, Cmp, Scalar};
use graphc_runtime::{DType, Op};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the average, `eta`, `mu` and the step.
    pub(super) fn asgd_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(p), self.shape_of(p));
        let step_t = self.next_step(state, span);
        let lr = self.lr_value(h.lr_node, h.lr, span);
        let eta = match state.eta {
            // A fixed rate divided by a power (`alpha >= 0`) of a number at least 1,
            // rounded to f32: within [0, lr rounded to f32].
            Some(e) => {
                if h.lr_node.is_none() {
                    self.known_range(e, (0.0, h.lr as f32 as f64));
                }
                e
            }
            None => self.host_in_dtype(lr, DType::F32, span),
        };
        let mu = match state.mu {
            Some(m) => {
                self.known_range(m, (0.0, 1.0));
                m
            }
            None => self.scalar(1.0, DType::F32, span),
        };
        let ax = match state.ax {
            Some(a) => a,
            None => self.node(Op::Full(Scalar::of(0.0, dt)), dt, sh.clone(), &[], span),
        };

        let grad = if h.weight_decay != 0.0 { self.add_alpha(g, p, h.weight_decay, span) } else { g };
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let eta_value = self.host_in_dtype(eta, DType::F64, span);
        let (one, lambd) = (f(self, 1.0), f(self, h.lambd));
        let decay = op(self, Binary::Mul, lambd, eta_value);
        let factor = op(self, Binary::Sub, one, decay);
        let factor = self.host_in_dtype(factor, dt, span);
        let param = self.ew(Binary::Mul, p, factor, span);
        let alpha = self.neg_lr_in(eta_value, dt, span);
        let param = self.fma(grad, alpha, param, span);

        // `mu` meets a tensor of the parameter's dtype as a 0-d tensor: it takes that dtype.
        let mu_dt = self.host_in_dtype(mu, dt, span);
        let diff = self.ew(Binary::Sub, param, ax, span);
        let scaled = self.ew(Binary::Mul, diff, mu_dt, span);
        let averaged = self.ew(Binary::Add, ax, scaled, span);
        let unit = self.scalar(1.0, dt, span);
        let ax = self.node(Op::Where(Cmp::Ne), dt, sh, &[mu_dt, unit, averaged, param], span);
        state.ax = Some(ax);

        // `lr / ((1 + lambd * lr * step) ** alpha)` and `1 / max(1, step - t0)` in Python floats, stored in f32.
        let step = self.host_in_dtype(step_t, DType::F64, span);
        let product = op(self, Binary::Mul, lambd, lr);
        let product = op(self, Binary::Mul, product, step);
        let base = op(self, Binary::Add, one, product);
        let alpha = f(self, h.alpha);
        let power = op(self, Binary::Pow, base, alpha);
        let new_eta = op(self, Binary::Div, lr, power);
        state.eta = Some(self.host_in_dtype(new_eta, DType::F32, span));
        let t0 = f(self, h.t0);
        let since = op(self, Binary::Sub, step, t0);
        let bound = op(self, Binary::Maximum, one, since);
        let new_mu = op(self, Binary::Div, one, bound);
        state.mu = Some(self.host_in_dtype(new_mu, DType::F32, span));
        param
    }
}
