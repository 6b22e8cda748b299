//! `RAdam`: PyTorch's `_single_tensor_radam` (torch/optim/radam.py), the path
//! without `capturable` or `differentiable`, line for line:
//!
//! ```text
//! step_t += 1; step = step_t.item()
//! if weight_decay != 0:
//!     if decoupled_weight_decay: param.mul_(1 - lr * weight_decay)
//!     else: grad = grad.add(param, alpha=weight_decay)
//! exp_avg.lerp_(grad, 1 - beta1)
//! exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
//! bias_correction1 = 1 - beta1 ** step; bias_correction2 = 1 - beta2 ** step
//! bias_corrected_exp_avg = exp_avg / bias_correction1
//! rho_inf = 2 / (1 - beta2) - 1
//! rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
//! if rho_t > 5.0:
//!     rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
//!     adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)   # Tensor.__rtruediv__: reciprocal() * number
//!     param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
//! else: param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
//! ```
//!
//! `rho_t > 5.0` is a Python test of the step, decided at run time: both
//! updates are computed and a `where` picks one, so a loop compiled once takes
//! the first steps' branch and the later ones'. The square root in `rect` of
//! the untaken branch may be of a negative number (NaN, never picked).

use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::{DType, Op};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The new value of parameter `p` with gradient `g`; updates the moments and the step.
    pub(super) fn radam_update(&mut self, h: &Hyper, state: &mut ParamState, p: NodeId, g: NodeId, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(p), self.shape_of(p));
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let (step_t, exp_avg, exp_avg_sq) = self.adam_family_state(state, p, span);
        let step = self.host_in_dtype(step_t, DType::F64, span);
        let lr = self.lr_value(h.lr_node, h.lr, span);
        let (beta1, beta2) = h.betas;
        let one = f(self, 1.0);
        let (param, grad) = self.adam_family_weight_decay(h, h.decoupled_weight_decay, p, g, span);
        let exp_avg = self.lerp(exp_avg, grad, 1.0 - beta1, span);
        let decayed = self.mul_number(exp_avg_sq, beta2, span);
        let exp_avg_sq = self.addcmul(decayed, grad, grad, 1.0 - beta2, span);
        state.exp_avg = Some(exp_avg);
        state.exp_avg_sq = Some(exp_avg_sq);

        let (b1, b2) = (f(self, beta1), f(self, beta2));
        let p1 = op(self, Binary::Pow, b1, step);
        let bias_correction1 = op(self, Binary::Sub, one, p1);
        let p2 = op(self, Binary::Pow, b2, step);
        let bias_correction2 = op(self, Binary::Sub, one, p2);
        let bc1 = self.host_in_dtype(bias_correction1, dt, span);
        let corrected = self.ew(Binary::Div, exp_avg, bc1, span);
        // `rho_inf` is a constant of the Python floats `2 / (1 - beta2) - 1`.
        let rho_inf = 2.0 / (1.0 - beta2) - 1.0;
        let (two, rho_inf_n) = (f(self, 2.0), f(self, rho_inf));
        let t = op(self, Binary::Mul, two, step);
        let t = op(self, Binary::Mul, t, p2);
        let t = op(self, Binary::Div, t, bias_correction2);
        let rho_t = op(self, Binary::Sub, rho_inf_n, t);

        // `bias_corrected_exp_avg * lr`, shared by both branches' first product.
        let lr_t = self.host_in_dtype(lr, dt, span);
        let scaled = self.ew(Binary::Mul, corrected, lr_t, span);
        let plain = self.add_alpha(param, scaled, -1.0, span);

        let (four, half) = (f(self, 4.0), f(self, 0.5));
        let a = op(self, Binary::Sub, rho_t, four);
        let b = op(self, Binary::Sub, rho_t, two);
        let num = op(self, Binary::Mul, a, b);
        let num = op(self, Binary::Mul, num, rho_inf_n);
        let den = f(self, (rho_inf - 4.0) * (rho_inf - 2.0));
        let den = op(self, Binary::Mul, den, rho_t);
        let q = op(self, Binary::Div, num, den);
        // Where `rect` is used (`5 < rho_t <= rho_inf`) the ratio lies in (0, 1]
        // (1 at `rho_inf`, growing with `rho_t` above 5); told so, the range
        // analysis does not report the untaken branch's division by a `rho_t`
        // near 0 as an overflow.
        self.prog.input_ranges.insert(q, (0.0, 1.0));
        let rect = op(self, Binary::Pow, q, half);
        let root = self.ew1(Unary::Sqrt, exp_avg_sq, span);
        let eps = self.scalar(h.eps, dt, span);
        let root = self.ew(Binary::Add, root, eps, span);
        let bc2_root = op(self, Binary::Pow, bias_correction2, half);
        let bc2_root = self.host_in_dtype(bc2_root, dt, span);
        let inverse = self.ew1(Unary::Reciprocal, root, span);
        let adaptive = self.ew(Binary::Mul, inverse, bc2_root, span);
        let rect_t = self.host_in_dtype(rect, dt, span);
        let update = self.ew(Binary::Mul, scaled, adaptive, span);
        let update = self.ew(Binary::Mul, update, rect_t, span);
        let rectified = self.add_alpha(param, update, -1.0, span);

        let five = f(self, 5.0);
        let take = self.node(Op::Compare(Cmp::Gt), DType::Bool, vec![], &[rho_t, five], span);
        self.node(Op::Select, dt, sh, &[take, rectified, plain], span)
    }
}
