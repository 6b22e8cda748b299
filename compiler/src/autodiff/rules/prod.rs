//! The derivative rule of `prod`: PyTorch's `prod_backward`
//! (`FunctionsManual.cpp`), which decides at run time, for the whole tensor,
//! between `grad * (result / input)` (no element is zero) and
//! `prod_safe_zeros_backward`, `grad` times the product of the other elements
//! (some element is zero). Both are built and a selection on the run-time count
//! of zeros picks one, so each value is PyTorch's bit for bit.
//!
//! With `create_graph`, the second derivative flows through the form selected:
//! the quotient's where the input has no zero (the unselected products of the
//! others get a zero gradient), and where it has one the product of the others'
//! own derivative, `Op::ProdOthersVjp` (PyTorch differentiates its cumulative
//! products there, which gives the same values up to rounding). Each further
//! derivative at zeros is `ProdOthersVjp` with one more direction, up to the
//! seventh (`Op::PROD_OTHERS_MAX_ORDER`).

use graphc_runtime::op::Cmp;
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradient of `prod` at node `n` of input `x`, given the incoming gradient
/// `gk` reshaped with the reduced dimensions kept as 1. `all` is `prod(x)`
/// (`ProdBackward0`), otherwise `dims` holds the one dimension of `prod(x, dim)`.
pub(super) fn prod(c: &mut RuleCtx, gr: &mut Graph, all: bool, dims: &[usize], n: NodeId, x: NodeId, gk: NodeId) -> NodeId {
    let shape = gr.node(x).shape.clone();
    // input.dim() == 0: the gradient itself.
    if shape.is_empty() {
        return gk;
    }
    let dt = gr.node(x).dtype;
    let (xf, r) = (c.fwd(x), c.fwd(n));
    let kept: Vec<usize> = shape.iter().enumerate().map(|(d, &s)| if dims.contains(&d) { 1 } else { s }).collect();
    let rk = c.reshape(gr, r, &kept);
    let (zero, one) = (c.scalar(gr, 0.0, dt), c.scalar(gr, 1.0, dt));
    // grad * (result / input), dividing by 1 instead of a zero element: where the
    // input has no zero this is PyTorch's quotient form exactly, and where it has
    // one the form is not selected and its own derivative stays finite.
    let safe_x = c.select(gr, Cmp::Eq, xf, zero, one, xf);
    let q = c.div(gr, rk, safe_x);
    let quotient = c.mul(gr, gk, q);
    // prod_safe_zeros_backward: grad * (exclusive_normal * exclusive_reverse).
    let dim = if all { None } else { dims.first().copied() };
    let others = c.add_node(gr, Op::ProdOthers { dim }, dt, shape.clone(), &[xf]);
    let with_zeros = c.mul(gr, gk, others);
    // The number of zero elements, a 0-d value known at run time.
    let is_zero = c.select(gr, Cmp::Eq, xf, zero, one, zero);
    let zeros = c.add_node(gr, Op::Sum { dim: None }, dt, vec![], &[is_zero]);
    let r = c.select(gr, Cmp::Gt, zeros, zero, with_zeros, quotient);
    // prod() without grad mode: two zeros or more give zeros_like(input), +0
    // where the product of the others would give -0 next to a negative element.
    let r = if all && !c.create_graph {
        let zeros_like = c.full(gr, 0.0, dt, shape);
        c.select(gr, Cmp::Gt, zeros, one, zeros_like, r)
    } else {
        r
    };
    // PyTorch's node is the quotient form's product (MulBackward0) when no element is zero.
    c.grad_fns.push((r, "MulBackward0".to_string()));
    r
}
