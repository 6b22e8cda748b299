//! The derivative rules of the modified Bessel functions `i0`, `i0e`, `i1`
//! and `i1e`: derivatives.yaml's formulas, `i1_backward`'s and
//! `i1e_backward`'s (`FunctionsManual.cpp`) with their guard at zero, where
//! the quotient would be NaN and the limit is 1/2.

use graphc_runtime::op::{Cmp, Unary};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// i0: grad * at::special_i1(self)
pub(super) fn i0(c: &mut RuleCtx, gr: &mut Graph, x: NodeId, g: NodeId) -> NodeId {
    let x = c.fwd(x);
    let d = c.unary(gr, Op::Unary(Unary::I1), x);
    c.mul(gr, g, d)
}

/// special_i0e: grad * (at::special_i1e(self) - self.sgn() * result)
pub(super) fn i0e(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let (x, y) = (c.fwd(x), c.fwd(n));
    let i1e = c.unary(gr, Op::Unary(Unary::I1e), x);
    let sgn = c.unary(gr, Op::Unary(Unary::Sign), x);
    let sy = c.mul(gr, sgn, y);
    let d = c.sub(gr, i1e, sy);
    c.mul(gr, g, d)
}

/// `i1_backward` and `i1e_backward`: with `safe` the input where `|x| > eps`
/// (the dtype's machine epsilon) and `eps` elsewhere,
/// `grad * where(|x| > eps, gradx, 0.5)`, `gradx` being
/// `safe.i0() - result * safe.reciprocal()` for `i1` and
/// `special_i0e(safe) - result * (safe.sgn() + safe.reciprocal())` for `i1e`.
pub(super) fn i1(c: &mut RuleCtx, gr: &mut Graph, scaled: bool, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let dt = gr.node(n).dtype;
    let (x, y) = (c.fwd(x), c.fwd(n));
    let eps = c.scalar(gr, if dt == graphc_runtime::DType::F32 { f64::from(f32::EPSILON) } else { f64::EPSILON }, dt);
    let abs = c.unary(gr, Op::Unary(Unary::Abs), x);
    let safe = c.select(gr, Cmp::Gt, abs, eps, x, eps);
    let recip = c.unary(gr, Op::Unary(Unary::Reciprocal), safe);
    let gradx = if scaled {
        let i0e = c.unary(gr, Op::Unary(Unary::I0e), safe);
        let sgn = c.unary(gr, Op::Unary(Unary::Sign), safe);
        let s = c.binary(gr, Op::Binary(graphc_runtime::op::Binary::Add), sgn, recip);
        let ys = c.mul(gr, y, s);
        c.sub(gr, i0e, ys)
    } else {
        let i0 = c.unary(gr, Op::Unary(Unary::I0), safe);
        let yr = c.mul(gr, y, recip);
        c.sub(gr, i0, yr)
    };
    let half = c.scalar(gr, 0.5, dt);
    let d = c.select(gr, Cmp::Gt, abs, eps, gradx, half);
    c.mul(gr, g, d)
}
