//! Derivative rules of the reductions over dimensions, `cumsum` and the softmax
//! family: PyTorch's formulas (`derivatives.yaml` and `FunctionsManual.cpp`:
//! `sum_backward`, `mean_backward`, `scale_grad_by_count` for amax/amin,
//! `var_backward`, `std_backward`, `var_mean_backward`, `logsumexp_backward`,
//! `norm_backward`, `cumsum_backward`, `_softmax_backward_data`), written with
//! the same operations in the same order.
//!
//! The softmax gradients are composites of graph ops, so that they can be
//! differentiated again; their row sums use the cascade order of `sum`, which
//! matches PyTorch's vectorized row reduction for rows of up to four elements.

use graphc_runtime::op::{reduced_shape, Cmp, ReduceKind, Unary};
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradient of `Reduce { kind, dims, .. }` at node `n` with operand `x` (keepdim or
/// not, the gradient is first reshaped to the input's rank).
pub fn reduce(c: &mut RuleCtx, gr: &mut Graph, kind: ReduceKind, dims: &[usize], n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    let in_shape = gr.node(x).shape.clone();
    let dt = gr.node(x).dtype;
    let count: usize = dims.iter().map(|&d| in_shape[d]).product();
    let kept = reduced_shape(&in_shape, dims, true);
    // unsqueeze_multiple: the gradient (and the result) with the reduced dims kept as 1.
    let gk = c.reshape(gr, g, &kept);
    match kind {
        ReduceKind::Sum => c.expand(gr, gk, &in_shape),
        ReduceKind::Mean | ReduceKind::VarMeanMean => {
            let ge = c.expand(gr, gk, &in_shape);
            let nn = c.scalar(gr, count as f64, dt);
            c.div(gr, ge, nn)
        }
        ReduceKind::Amax | ReduceKind::Amin => {
            // (grad / mask.sum(dims, keepdim=True)) * mask, mask = (result == self).
            let (xf, r) = (c.fwd(x), c.fwd(n));
            let rk = c.reshape(gr, r, &kept);
            let (one, zero) = (c.scalar(gr, 1.0, dt), c.scalar(gr, 0.0, dt));
            let mask = c.select(gr, Cmp::Eq, rk, xf, one, zero);
            let counts = c.add_node(gr, Op::Reduce { kind: ReduceKind::Sum, dims: dims.to_vec(), keepdim: true }, dt, kept.clone(), &[mask]);
            let scaled = c.div(gr, gk, counts);
            c.mul(gr, scaled, mask)
        }
        ReduceKind::Var(corr) | ReduceKind::VarMeanVar(corr) => var_backward(c, gr, gk, x, dims, count, corr.get()),
        ReduceKind::Std(corr) => {
            // var_backward((grad / (result * 2)).masked_fill_(result == 0, 0), ...)
            let r = c.fwd(n);
            let rk = c.reshape(gr, r, &kept);
            let (two, zero) = (c.scalar(gr, 2.0, dt), c.scalar(gr, 0.0, dt));
            let r2 = c.mul(gr, rk, two);
            let q = c.div(gr, gk, r2);
            let masked = c.select(gr, Cmp::Eq, rk, zero, zero, q);
            var_backward(c, gr, masked, x, dims, count, corr.get())
        }
        ReduceKind::Prod | ReduceKind::ProdAll => super::prod::prod(c, gr, kind == ReduceKind::ProdAll, dims, n, x, gk),
        ReduceKind::LogSumExp => {
            // grad * (self - result).exp()
            let (xf, r) = (c.fwd(x), c.fwd(n));
            let rk = c.reshape(gr, r, &kept);
            let d = c.sub(gr, xf, rk);
            let e = c.unary(gr, Op::Unary(Unary::Exp), d);
            c.mul(gr, gk, e)
        }
        ReduceKind::Norm(p) if p.get() == 1.0 => {
            // self.sgn() * grad
            let xf = c.fwd(x);
            let s = c.unary(gr, Op::Unary(Unary::Sign), xf);
            c.mul(gr, s, gk)
        }
        ReduceKind::Norm(_) => {
            // p = 2: grad * (self / norm).masked_fill_(norm == 0, 0); lowering admits p in {1, 2}.
            let (xf, r) = (c.fwd(x), c.fwd(n));
            let rk = c.reshape(gr, r, &kept);
            let zero = c.scalar(gr, 0.0, dt);
            let q = c.div(gr, xf, rk);
            let masked = c.select(gr, Cmp::Eq, rk, zero, zero, q);
            c.mul(gr, gk, masked)
        }
    }
}

/// `var_backward`: `(2 / (n - correction)) * grad * (self - self.mean(dims, keepdim=True))`,
/// the factor computed in f64 as PyTorch's `SymFloat`.
fn var_backward(c: &mut RuleCtx, gr: &mut Graph, gk: NodeId, x: NodeId, dims: &[usize], count: usize, correction: f64) -> NodeId {
    let dt = gr.node(x).dtype;
    let in_shape = gr.node(x).shape.clone();
    let xf = c.fwd(x);
    let kept = reduced_shape(&in_shape, dims, true);
    let mean = c.add_node(gr, Op::Reduce { kind: ReduceKind::Mean, dims: dims.to_vec(), keepdim: true }, dt, kept, &[xf]);
    let factor = c.scalar(gr, 2.0 / (count as f64 - correction), dt);
    let fg = c.mul(gr, factor, gk);
    let centered = c.sub(gr, xf, mean);
    c.mul(gr, fg, centered)
}

/// `cumsum_backward`: the reversed cumulative sum of the gradient.
pub fn cumsum(c: &mut RuleCtx, gr: &mut Graph, dim: usize, reverse: bool, g: NodeId) -> NodeId {
    if gr.node(g).shape[dim] == 1 {
        return g;
    }
    c.unary(gr, Op::Cumsum { dim, reverse: !reverse }, g)
}

/// `_softmax_backward_data`: `(grad - sum(grad * out, dim)) * out` for softmax,
/// `grad - exp(out) * sum(grad, dim)` for log_softmax.
pub fn softmax(c: &mut RuleCtx, gr: &mut Graph, dim: usize, log: bool, n: NodeId, g: NodeId) -> NodeId {
    let out = c.fwd(n);
    let dt = gr.node(n).dtype;
    let kept = reduced_shape(&gr.node(n).shape, &[dim], true);
    let row_sum = Op::Reduce { kind: ReduceKind::Sum, dims: vec![dim], keepdim: true };
    if log {
        let s = c.add_node(gr, row_sum, dt, kept, &[g]);
        let e = c.unary(gr, Op::Unary(Unary::Exp), out);
        let es = c.mul(gr, e, s);
        c.sub(gr, g, es)
    } else {
        let go = c.mul(gr, g, out);
        let dot = c.add_node(gr, row_sum, dt, kept, &[go]);
        let d = c.sub(gr, g, dot);
        c.mul(gr, d, out)
    }
}
