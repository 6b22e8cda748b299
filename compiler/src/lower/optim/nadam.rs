//! `NAdam`: PyTorch's `_single_tensor_nadam` (torch/optim/nadam.py), the path
//! without `capturable` or `differentiable`, line for line:
//!
//! ```text
//! step_t += 1; step = step_t.item()                 # a 0-d f32 tensor, then a Python float
//! bias_correction2 = 1 - beta2 ** step
//! if weight_decay != 0:
//!     if decoupled_weight_decay: param.mul_(1 - lr * weight_decay)
//!     else: grad = grad.add(param, alpha=weight_decay)
//! mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
//! mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
//! mu_product *= mu                                  # a 0-d f32 tensor
//! exp_avg.lerp_(grad, 1 - beta1)
//! exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
//! denom = exp_avg_sq.div(bias_correction2).sqrt()
//! mu_product_next = mu_product.item() * mu_next
//! denom.add_(eps)
//! param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
//! param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
//! ```
//!
//! The state is `_init_group`'s: `step` (f32 0), `mu_product` (f32 1) and zeros
//! of the parameter's dtype for `exp_avg` and `exp_avg_sq`.

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::{DType, Op};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the moments, `mu_product` and the step.
    pub(super) fn nadam_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let dt = self.dtype_of(p);
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let (step_t, exp_avg, exp_avg_sq) = self.adam_family_state(state, p, span);
        let mu_product = match state.mu_product {
            Some(m) => {
                // A product of factors in (0, 1), carried by a loop.
                self.known_range(m, (0.0, 1.0));
                m
            }
            None => self.scalar(1.0, DType::F32, span),
        };
        let step = self.host_in_dtype(step_t, DType::F64, span);
        let (beta1, beta2) = h.betas;

        let (one, b1, b2) = (f(self, 1.0), f(self, beta1), f(self, beta2));
        let p2 = op(self, Binary::Pow, b2, step);
        let bias_correction2 = op(self, Binary::Sub, one, p2);
        let (param, grad) = self.adam_family_weight_decay(h, h.decoupled_weight_decay, p, g, span);
        // `beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))` at `t = step` and `step + 1`.
        let mu_at = |l: &mut Self, t: NodeId| {
            let (decay, base, half) = (f(l, h.momentum_decay), f(l, 0.96), f(l, 0.5));
            let e = op(l, Binary::Mul, t, decay);
            let pw = op(l, Binary::Pow, base, e);
            let hp = op(l, Binary::Mul, half, pw);
            let r = op(l, Binary::Sub, one, hp);
            op(l, Binary::Mul, b1, r)
        };
        let mu = mu_at(self, step);
        let next_step = op(self, Binary::Add, step, one);
        let mu_next = mu_at(self, next_step);
        // `mu_product *= mu`: an f32 tensor times a Python float, in f32.
        let mu_f32 = self.host_in_dtype(mu, DType::F32, span);
        let mu_product = self.ew(Binary::Mul, mu_product, mu_f32, span);
        state.mu_product = Some(mu_product);

        let exp_avg = self.lerp(exp_avg, grad, 1.0 - beta1, span);
        let decayed = self.mul_number(exp_avg_sq, beta2, span);
        let exp_avg_sq = self.addcmul(decayed, grad, grad, 1.0 - beta2, span);
        state.exp_avg = Some(exp_avg);
        state.exp_avg_sq = Some(exp_avg_sq);
        let bc2 = self.host_in_dtype(bias_correction2, dt, span);
        let scaled = self.ew(Binary::Div, exp_avg_sq, bc2, span);
        let denom = self.ew1(Unary::Sqrt, scaled, span);
        let product = self.host_in_dtype(mu_product, DType::F64, span);
        let product_next = op(self, Binary::Mul, product, mu_next);
        let eps = self.scalar(h.eps, dt, span);
        let denom = self.ew(Binary::Add, denom, eps, span);

        let lr = self.lr_value(h.lr_node, h.lr, span);
        let neg_lr = self.ew1(Unary::Neg, lr, span);
        // `-lr * (1.0 - mu) / (1.0 - mu_product)`.
        let a = op(self, Binary::Sub, one, mu);
        let a = op(self, Binary::Mul, neg_lr, a);
        let d = op(self, Binary::Sub, one, product);
        let v1 = op(self, Binary::Div, a, d);
        let v1 = self.host_in_dtype(v1, dt, span);
        let param = self.addcdiv(param, grad, denom, v1, span);
        // `(-lr * mu_next) / (1.0 - mu_product_next)`.
        let b = op(self, Binary::Mul, neg_lr, mu_next);
        let d = op(self, Binary::Sub, one, product_next);
        let v2 = op(self, Binary::Div, b, d);
        let v2 = self.host_in_dtype(v2, dt, span);
        self.addcdiv(param, exp_avg, denom, v2, span)
    }
}
