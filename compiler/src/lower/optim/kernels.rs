//! The elementwise kernels PyTorch's optimizers call (`add_(alpha=)`, `lerp_`,
//! `addcmul_`, `addcdiv_`, `mul_`, `maximum`, `sqrt`), written with graph nodes
//! that round as PyTorch's CPU kernels do.
//!
//! A Python-float argument (`alpha`, `weight`, `value`) becomes the tensor's dtype
//! first, as the kernels' `scalar.to<scalar_t>()` does. Three of the kernels are
//! fused multiply-adds on CPU: `add(alpha=)` is `vec::fmadd(other, alpha, self)`,
//! `lerp` is `vec::fmadd(coeff, end - start, base)`, and `addcmul` is
//! `self + (value * t1) * t2` contracted to one FMA by GCC; `addcdiv` is
//! `self + (value * t1) / t2` with no FMA. This was confirmed bit for bit against
//! PyTorch 2.15 on vector bodies and scalar tails alike.
//!
//! An FMA is the runtime's `fma` node: composing it of a product and a sum rounds
//! twice, and even an f32 one computed in f64 differs when the f64 sum falls
//! halfway between two f32 values.

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::{DType, Op};

use super::super::Lowerer;
use super::{Hyper, ParamState};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// An elementwise binary node, broadcasting the two shapes (one may be 0-d).
    pub(in crate::lower) fn ew(&mut self, b: Binary, x: NodeId, y: NodeId, span: Span) -> NodeId {
        let dt = self.dtype_of(x);
        let (sx, sy) = (self.shape_of(x), self.shape_of(y));
        let shape = if sx.len() >= sy.len() { sx } else { sy };
        self.node(Op::Binary(b), dt, shape, &[x, y], span)
    }

    pub(in crate::lower) fn ew1(&mut self, u: Unary, x: NodeId, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        self.node(Op::Unary(u), dt, sh, &[x], span)
    }

    /// `a * b + c` rounded once (a runtime `fma` node), broadcast to the larger shape.
    pub(in crate::lower) fn fma(&mut self, a: NodeId, b: NodeId, c: NodeId, span: Span) -> NodeId {
        let dt = self.dtype_of(c);
        let shape = [a, b, c].into_iter().map(|n| self.shape_of(n)).max_by_key(|s| s.len()).unwrap_or_default();
        self.node(Op::Fma, dt, shape, &[a, b, c], span)
    }

    /// `x.add(y, alpha=alpha)`: `fmadd(y, alpha, x)`.
    pub(super) fn add_alpha(&mut self, x: NodeId, y: NodeId, alpha: f64, span: Span) -> NodeId {
        let a = self.scalar(alpha, self.dtype_of(x), span);
        self.fma(y, a, x, span)
    }

    /// `x * c` with a Python float `c`.
    pub(super) fn mul_number(&mut self, x: NodeId, c: f64, span: Span) -> NodeId {
        let c = self.scalar(c, self.dtype_of(x), span);
        self.ew(Binary::Mul, x, c, span)
    }

    /// The optimizer's momentum in the dtype `dt`: the
    /// constant, or the node `OneCycleLR` sets, rounded as a Python float
    /// meeting a tensor of `dt` is.
    pub(super) fn momentum_in(&mut self, h: &Hyper, dt: DType, span: Span) -> NodeId {
        match h.cycled_momentum {
            Some(m) if dt == DType::F64 => m,
            Some(m) => self.node(Op::Cast, dt, vec![], &[m], span),
            None => self.scalar(h.momentum, dt, span),
        }
    }

    /// An optimizer's `step` state: a f32 0 before the first update, else the
    /// count so far. Carried into a loop it is an input whose value the range
    /// analysis cannot follow through the carry, so it is told what counts are:
    /// not negative, and at most 2^24, where an f32 stops counting (`+ 1` rounds
    /// back). So `beta ** step` and `0.96 ** (step * decay)` stay finite, and
    /// RAdam's `2 * step * beta2 ** step` is no `inf * 0`.
    pub(super) fn step_count(&mut self, step: Option<NodeId>, span: Span) -> NodeId {
        match step {
            Some(s) => {
                self.known_range(s, (0.0, 16_777_216.0));
                s
            }
            None => self.scalar(0.0, DType::F32, span),
        }
    }

    /// `step_t += 1` on an optimizer's [`Lowerer::step_count`], stored in `state`; returns the new count.
    pub(super) fn next_step(&mut self, state: &mut ParamState, span: Span) -> NodeId {
        let step_t = self.step_count(state.step, span);
        let one = self.scalar(1.0, DType::F32, span);
        let step_t = self.ew(Binary::Add, step_t, one, span);
        state.step = Some(step_t);
        step_t
    }

    /// A state tensor of parameter `p` so far, or `torch.zeros_like(p)`, as
    /// `_init_group` makes it, before the first update.
    pub(super) fn or_zeros(&mut self, s: Option<NodeId>, p: NodeId, span: Span) -> NodeId {
        match s {
            Some(s) => s,
            None => {
                let (dt, sh) = (self.dtype_of(p), self.shape_of(p));
                self.node(Op::Full(graphc_runtime::op::Scalar::of(0.0, dt)), dt, sh, &[], span)
            }
        }
    }

    /// Tells the range analysis the values a loop-carried input `n` keeps to.
    pub(super) fn known_range(&mut self, n: NodeId, range: (f64, f64)) {
        if matches!(self.prog.graph.node(n).op, Op::Input(_)) {
            self.prog.input_ranges.insert(n, range);
        }
    }

    /// `x.mul_(momentum)`.
    pub(super) fn mul_momentum(&mut self, x: NodeId, h: &Hyper, span: Span) -> NodeId {
        let m = self.momentum_in(h, self.dtype_of(x), span);
        self.ew(Binary::Mul, x, m, span)
    }

    /// `start.lerp(end, weight)` with a Python-float weight: `lerp_kernel_scalar_weight`.
    pub(in crate::lower) fn lerp(&mut self, start: NodeId, end: NodeId, weight: f64, span: Span) -> NodeId {
        let dt = self.dtype_of(start);
        let diff = self.ew(Binary::Sub, end, start, span);
        // The weight in the tensor's dtype decides the branch and gives the coefficient.
        let w = if dt == DType::F64 { weight } else { weight as f32 as f64 };
        let small = w.abs() < 0.5;
        let coeff = match (small, dt) {
            (true, _) => w,
            (false, DType::F64) => w - 1.0,
            (false, _) => (w as f32 - 1.0) as f64,
        };
        let coeff = self.scalar(coeff, dt, span);
        let base = if small { start } else { end };
        self.fma(coeff, diff, base, span)
    }

    /// `x.addcmul(t1, t2, value=v)`: `x + (v * t1) * t2`, one FMA.
    pub(super) fn addcmul(&mut self, x: NodeId, t1: NodeId, t2: NodeId, v: f64, span: Span) -> NodeId {
        let vt = self.mul_number(t1, v, span);
        self.fma(vt, t2, x, span)
    }

    /// `x.addcdiv(t1, t2, value=v)` with `v` a tensor's-dtype number node: `x + (v * t1) / t2`.
    pub(super) fn addcdiv(&mut self, x: NodeId, t1: NodeId, t2: NodeId, v: NodeId, span: Span) -> NodeId {
        let vt = self.ew(Binary::Mul, v, t1, span);
        let q = self.ew(Binary::Div, vt, t2, span);
        self.ew(Binary::Add, x, q, span)
    }
}
