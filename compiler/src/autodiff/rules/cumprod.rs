//! The derivative rule of `cumprod`: PyTorch's `cumprod_backward`
//! (`FunctionsManual.cpp`), which decides at run time, for the whole tensor,
//! between `reversed_cumsum(output * grad) / input` (no element is zero) and a
//! form for inputs with zeros. Both are built and a selection on the run-time
//! count of zeros picks one, so each value is PyTorch's bit for bit.
//!
//! The form with zeros depends on grad mode, as PyTorch's does. Without
//! `create_graph` it is the O(n) mask form (before a slice's first zero, the
//! reversed sum stopped there; at the first zero, the products up to the second
//! zero times the output before it; after it, zero). Its derivative is not
//! cumprod's second derivative, so with `create_graph` the form is PyTorch's
//! O(n^2) one instead: each element's gradient is the sum of `grad` times the
//! products that omit it, built from `prod` and `cumprod` of slices, whose own
//! rules then give the higher derivatives.

use graphc_runtime::op::{Cmp, ReduceKind};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradient of `cumprod(x, dim)` at node `n` given the incoming gradient `g`.
pub(super) fn cumprod(c: &mut RuleCtx, gr: &mut Graph, dim: usize, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let shape = gr.node(x).shape.clone();
    // input.numel() <= 1 or a slice of one element: the gradient itself.
    if shape.iter().product::<usize>() <= 1 || shape[dim] == 1 {
        return g;
    }
    let dt = gr.node(x).dtype;
    let (xf, out) = (c.fwd(x), c.fwd(n));
    let (zero, one) = (c.scalar(gr, 0.0, dt), c.scalar(gr, 1.0, dt));
    let w = c.mul(gr, out, g);
    // reversed_cumsum(w, dim).div(input), dividing by 1 instead of a zero
    // element: where the input has no zero this is PyTorch's form exactly, and
    // where it has one the form is not selected and stays finite.
    let safe_x = c.select(gr, Cmp::Eq, xf, zero, one, xf);
    let reversed = c.unary(gr, Op::Cumsum { dim, reverse: true }, w);
    let quotient = c.div(gr, reversed, safe_x);
    let with_zeros = if c.create_graph { omitted_products(c, gr, dim, xf, g) } else { masked(c, gr, dim, xf, out, w, g, safe_x) };
    // The number of zero elements, a 0-d value known at run time.
    let is_zero = c.select(gr, Cmp::Eq, xf, zero, one, zero);
    let zeros = c.add_node(gr, Op::Sum { dim: None }, dt, vec![], &[is_zero]);
    let r = c.select(gr, Cmp::Gt, zeros, zero, with_zeros, quotient);
    // PyTorch's node is the quotient's division when no element is zero.
    c.grad_fns.push((r, "DivBackward0".to_string()));
    r
}

/// The O(n) form for inputs with zeros, PyTorch's mask gymnastics with the
/// masks as one code per element, `t = 2 * cumsum(x == 0) - (x == 0)`: 0
/// before a slice's first zero, 1 at it, 2 between it and the second zero, and
/// 3 or more from the second zero on. The codes are held in the input's float
/// dtype, where 0, 1 and 2 are exact and no larger count rounds down to them.
#[allow(clippy::too_many_arguments)]
fn masked(c: &mut RuleCtx, gr: &mut Graph, dim: usize, xf: NodeId, out: NodeId, w: NodeId, g: NodeId, safe_x: NodeId) -> NodeId {
    let shape = gr.node(xf).shape.clone();
    let dt = gr.node(xf).dtype;
    let (zero, one, two) = (c.scalar(gr, 0.0, dt), c.scalar(gr, 1.0, dt), c.scalar(gr, 2.0, dt));
    let is_zero = c.select(gr, Cmp::Eq, xf, zero, one, zero);
    let count = c.unary(gr, Op::Cumsum { dim, reverse: false }, is_zero);
    let twice = c.mul(gr, count, two);
    let t = c.sub(gr, twice, is_zero);
    // k < z1: reversed_cumsum(w.masked_fill(~mask, 0.), dim).div_(input).
    let w_before = c.select(gr, Cmp::Eq, count, zero, w, zero);
    let reversed = c.unary(gr, Op::Cumsum { dim, reverse: true }, w_before);
    let before = c.div(gr, reversed, safe_x);
    // k = z1: input.masked_fill(~(z1, z2), 1).cumprod(dim)
    //   .mul_(grad.masked_fill(cumsum != 1, 0)).sum(dim, keepdim)
    //   .mul_(output[z1 - 1], or 1 at z1 = 0).
    let between = c.select(gr, Cmp::Eq, t, two, xf, one);
    let products = c.unary(gr, Op::Cumprod { dim }, between);
    let g_from_first = c.select(gr, Cmp::Eq, count, one, g, zero);
    let terms = c.mul(gr, products, g_from_first);
    let mut kept = shape.clone();
    kept[dim] = 1;
    let sum = c.add_node(gr, Op::Sum { dim: Some(dim) }, dt, without(&shape, dim), &[terms]);
    let sum = c.reshape(gr, sum, &kept);
    let previous = shifted_output(c, gr, dim, out);
    let at_first = c.mul(gr, sum, previous);
    // k > z1: zero.
    let before_or_zero = c.select(gr, Cmp::Eq, t, zero, before, zero);
    c.select(gr, Cmp::Eq, t, one, at_first, before_or_zero)
}

/// `output` moved one place along `dim`, with 1 first: at each position, the
/// output before it (PyTorch gathers it at `first_zerondex - 1`, or takes 1).
fn shifted_output(c: &mut RuleCtx, gr: &mut Graph, dim: usize, out: NodeId) -> NodeId {
    let shape = gr.node(out).shape.clone();
    let dt = gr.node(out).dtype;
    let mut head = shape.clone();
    head[dim] = 1;
    let ones = c.full(gr, 1.0, dt, head);
    let mut rest = shape.clone();
    rest[dim] -= 1;
    let front = c.add_node(gr, Op::Slice { dim, start: 0, step: 1 }, dt, rest, &[out]);
    c.add_node(gr, Op::Cat { dim, n: 2 }, dt, shape, &[ones, front])
}

/// PyTorch's O(n^2) form (grad mode on): element `k`'s gradient is
/// `sum(grad[k:] * omitted_products, dim)`, where `omitted_products` are the
/// products of `x[:j + 1]` without `x[k]` for `j >= k`:
/// `prod(x[:k]) * cumprod(x[k + 1:])`, with `prod(x[:k])` itself first.
fn omitted_products(c: &mut RuleCtx, gr: &mut Graph, dim: usize, xf: NodeId, g: NodeId) -> NodeId {
    let shape = gr.node(xf).shape.clone();
    let dt = gr.node(xf).dtype;
    let len = shape[dim];
    let with_len = |l: usize| {
        let mut s = shape.clone();
        s[dim] = l;
        s
    };
    let ones = c.full(gr, 1.0, dt, with_len(1));
    let mut slices = Vec::with_capacity(len);
    for k in 0..len {
        let omitted = if k == 0 {
            let tail = c.add_node(gr, Op::Slice { dim, start: 1, step: 1 }, dt, with_len(len - 1), &[xf]);
            let from = c.unary(gr, Op::Cumprod { dim }, tail);
            c.add_node(gr, Op::Cat { dim, n: 2 }, dt, shape.clone(), &[ones, from])
        } else {
            let head = c.add_node(gr, Op::Slice { dim, start: 0, step: 1 }, dt, with_len(k), &[xf]);
            let until = c.add_node(gr, Op::Reduce { kind: ReduceKind::Prod, dims: vec![dim], keepdim: true }, dt, with_len(1), &[head]);
            if k == len - 1 {
                until
            } else {
                let tail = c.add_node(gr, Op::Slice { dim, start: k + 1, step: 1 }, dt, with_len(len - k - 1), &[xf]);
                let from = c.unary(gr, Op::Cumprod { dim }, tail);
                let until_wide = c.expand(gr, until, &with_len(len - k - 1));
                let products = c.mul(gr, until_wide, from);
                c.add_node(gr, Op::Cat { dim, n: 2 }, dt, with_len(len - k), &[until, products])
            }
        };
        let g_from = c.add_node(gr, Op::Slice { dim, start: k, step: 1 }, dt, with_len(len - k), &[g]);
        let terms = c.mul(gr, g_from, omitted);
        let sum = c.add_node(gr, Op::Sum { dim: Some(dim) }, dt, without(&shape, dim), &[terms]);
        slices.push(c.reshape(gr, sum, &with_len(1)));
    }
    c.add_node(gr, Op::Cat { dim, n: len }, dt, shape, &slices)
}

/// `shape` without dimension `dim`.
fn without(shape: &[usize], dim: usize) -> Vec<usize> {
    shape.iter().enumerate().filter(|&(d, _)| d != dim).map(|(_, &s)| s).collect()
}
