//! Derivative rules of the reductions over dimensions, `cumsum` and the softmax
//! family: PyTorch's formulas (`derivatives.yaml` and `FunctionsManual.cpp`:
//! `sum_backward`, `mean_backward`, `scale_grad_by_count` for amax/amin,
//! `var_backward`, `std_backward`, `var_mean_backward`, `logsumexp_backward`,
//! `norm_backward`, `cumsum_backward`, `_softmax_backward_data`), written with
//! the same operations in the same order.
//!
//! The softmax gradients are one op, `Op::SoftmaxBackward`, PyTorch's
//! `_softmax_backward_data` kernel; its own derivatives (a double backward)
//! are composites of graph ops, as PyTorch's are.

use graphc_runtime::op::{reduced_shape, Binary, Cmp, ReduceKind, Unary};
use graphc_runtime::{DType, Op};

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
        ReduceKind::Sum | ReduceKind::SeqSum | ReduceKind::NllSum | ReduceKind::NllSumSkipping => c.expand(gr, gk, &in_shape),
        ReduceKind::Mean | ReduceKind::VarMeanMean | ReduceKind::BatchMean | ReduceKind::NllMean => {
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
        // The sum of (x - mean(x))^2: 2 (x - mean(x)) grad, where the mean's own
        // derivative drops out (the deviations sum to zero). Written with the
        // mean node, its second derivative is the family's too.
        ReduceKind::BatchVarSum => {
            let xf = c.fwd(x);
            let sh = gr.node(n).shape.clone();
            let mean = c.add_node(gr, Op::Reduce { kind: ReduceKind::BatchMean, dims: dims.to_vec(), keepdim: false }, dt, sh, &[xf]);
            let mk = c.reshape(gr, mean, &kept);
            let d = c.sub(gr, xf, mk);
            let two = c.scalar(gr, 2.0, dt);
            let d2 = c.mul(gr, d, two);
            c.mul(gr, d2, gk)
        }
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

/// `logcumsumexp_backward(grad, self, result, dim)`: the gradient's positive
/// and negative parts as logarithms (the dtype's lowest value where a part is
/// absent), each run through the reverse `logcumsumexp` after subtracting the
/// result, plus `self`, exponentiated; their difference. A 0-d gradient
/// passes on unchanged, as PyTorch returns it.
pub fn logcumsumexp(c: &mut RuleCtx, gr: &mut Graph, dim: usize, reverse: bool, n: NodeId, x: NodeId, g: NodeId) -> NodeId {
    if gr.node(g).shape.is_empty() {
        return g;
    }
    let dt = gr.node(g).dtype;
    let lowest = match dt {
        DType::F32 => f64::from(f32::MIN),
        _ => f64::MIN,
    };
    let (result, x) = (c.fwd(n), c.fwd(x));
    let grad_min = c.scalar(gr, lowest, dt);
    let zero = c.scalar(gr, 0.0, dt);
    let magnitude = c.unary(gr, Op::Unary(Unary::Abs), g);
    let log_abs_grad = c.unary(gr, Op::Unary(Unary::Log), magnitude);
    let mut parts = Vec::with_capacity(2);
    for cmp in [Cmp::Gt, Cmp::Lt] {
        let log_part = c.select(gr, cmp, g, zero, log_abs_grad, grad_min);
        let shifted = c.sub(gr, log_part, result);
        let scanned = c.unary(gr, Op::Logcumsumexp { dim, reverse: !reverse }, shifted);
        let plus_self = c.binary(gr, Op::Binary(Binary::Add), scanned, x);
        let part = c.unary(gr, Op::Unary(Unary::Exp), plus_self);
        // `scanned + self` is at most the part's largest log plus `ln(count)`
        // (each `result` is at least the `self` it covers), so the exponential
        // is finite: the analysis, which sees `result` unbounded, would report
        // it as an overflow and the difference as `inf - inf`.
        c.known_ranges.push((part, (0.0, f64::INFINITY)));
        parts.push(part);
    }
    c.sub(gr, parts[0], parts[1])
}

/// `_softmax_backward_data(grad, result, dim)` (`_log_softmax_backward_data`
/// for log_softmax): one [`Op::SoftmaxBackward`] node, PyTorch's kernel bit for
/// bit, differentiated again by [`softmax_backward`].
pub fn softmax(c: &mut RuleCtx, gr: &mut Graph, dim: usize, log: bool, n: NodeId, g: NodeId) -> NodeId {
    let out = c.fwd(n);
    let (dt, shape) = (gr.node(n).dtype, gr.node(n).shape.clone());
    c.add_node(gr, Op::SoftmaxBackward { dim, log }, dt, shape, &[g, out])
}

/// The derivatives of `_softmax_backward_data(grad_output, output, dim)` and
/// `_log_softmax_backward_data` (`ops`: grad_output, output) at incoming gradient
/// `g`, as derivatives.yaml gives them (`softmax_double_backward` of
/// FunctionsManual.cpp for the output of softmax's), in the same order of
/// operations; `need` says which operands require grad.
pub fn softmax_backward(c: &mut RuleCtx, gr: &mut Graph, dim: usize, log: bool, ops: &[NodeId], g: NodeId, need: [bool; 2]) -> Vec<Option<NodeId>> {
    let (dt, shape) = (gr.node(ops[1]).dtype, gr.node(ops[1]).shape.clone());
    let kept = reduced_shape(&shape, &[dim], true);
    let row_sum = |c: &mut RuleCtx, gr: &mut Graph, x: NodeId| {
        c.add_node(gr, Op::Reduce { kind: ReduceKind::Sum, dims: vec![dim], keepdim: true }, dt, kept.clone(), &[x])
    };
    let out = c.fwd(ops[1]);
    let grad_output = need[0].then(|| {
        if log {
            // grad - (grad * output.exp()).sum(dim, true)
            let e = c.unary(gr, Op::Unary(Unary::Exp), out);
            let ge = c.mul(gr, g, e);
            let s = row_sum(c, gr, ge);
            c.sub(gr, g, s)
        } else {
            // _softmax_backward_data(grad, output, dim)
            c.add_node(gr, Op::SoftmaxBackward { dim, log }, dt, shape.clone(), &[g, out])
        }
    });
    let output = need[1].then(|| {
        let go = c.fwd(ops[0]);
        if log {
            // -grad_output.sum(dim, true) * output.exp() * grad
            let s = row_sum(c, gr, go);
            let ns = c.neg(gr, s);
            let e = c.unary(gr, Op::Unary(Unary::Exp), out);
            let t = c.mul(gr, ns, e);
            c.mul(gr, t, g)
        } else {
            // grad_output * grad - (output * grad_output).sum(dim, true) * grad
            //   - grad_output * (output * grad).sum(dim, true)
            let t1 = c.mul(gr, go, g);
            let og = c.mul(gr, out, go);
            let s1 = row_sum(c, gr, og);
            let t2 = c.mul(gr, s1, g);
            let d = c.sub(gr, t1, t2);
            let og2 = c.mul(gr, out, g);
            let s2 = row_sum(c, gr, og2);
            let t3 = c.mul(gr, go, s2);
            c.sub(gr, d, t3)
        }
    });
    vec![grad_output, output]
}
