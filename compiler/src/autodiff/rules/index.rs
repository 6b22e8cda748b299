//! The derivatives of the index ops (derivatives.yaml): `gather`'s is
//! `gather_backward`, a `scatter_add` of the gradient into zeros of the input's
//! shape, and a `scatter_add`'s own gradient gathers it back. Indices and
//! `argmax` positions are not differentiable. `scatter`, `scatter_add` and
//! `index_add` into a tensor pass the gradient to the input (zeroed where
//! `scatter` overwrote it) and gather it for the source.

use graphc_runtime::op::{Cmp, IndexOp, Logical, ScatterReduce};
use graphc_runtime::{DType, Op};

use super::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// One optional gradient per operand of an index op.
pub fn rule(c: &mut RuleCtx, gr: &mut Graph, op: IndexOp, ops: &[NodeId], g: NodeId, need_input: bool) -> Vec<Option<NodeId>> {
    let dt = gr.node(g).dtype;
    let back = match op {
        IndexOp::Arg { .. }
        | IndexOp::Sort { .. }
        | IndexOp::TopK { .. }
        | IndexOp::Kth { .. }
        | IndexOp::CumExtreme { .. }
        | IndexOp::MaxPool(_)
        | IndexOp::AdaptiveMaxPool => return vec![None],
        // Positions carry no gradient, to the boundaries, the values or the sorter.
        IndexOp::Search { .. } => return vec![None; op.arity()],
        IndexOp::ScatterInto { .. } | IndexOp::ScatterReduce { .. } | IndexOp::ScatterFma { .. } => {
            unreachable!("rules::builtin sends a scatter into a tensor to `scatter_into`, `scatter_fma` or `scatter_reduce`")
        }
        IndexOp::Gather { dim } => (IndexOp::ScatterAdd { dim }, gr.node(ops[0]).shape.clone()),
        IndexOp::ScatterAdd { dim } => (IndexOp::Gather { dim }, gr.node(ops[1]).shape.clone()),
    };
    let grad = need_input.then(|| {
        let index = c.fwd(ops[1]);
        c.add_node(gr, Op::Index(back.0), dt, back.1, &[g, index])
    });
    vec![grad, None]
}

/// `scatter(self, dim, index, src)` and `scatter_add`: `self: grad.scatter(dim,
/// index, 0)` (`scatter_add`: `grad`) and `src: grad.gather(dim, index)`.
/// Each is built only when its operand needs it.
pub fn scatter_into(c: &mut RuleCtx, gr: &mut Graph, (dim, add): (usize, bool), ops: &[NodeId], g: NodeId, need: [bool; 2]) -> Vec<Option<NodeId>> {
    let [need_input, need_src] = need;
    let dt = gr.node(g).dtype;
    let index = c.fwd(ops[1]);
    let ishape = gr.node(ops[1]).shape.clone();
    let input = need_input.then(|| {
        if add {
            g
        } else {
            let zeros = c.full(gr, 0.0, dt, ishape.clone());
            let shape = gr.node(g).shape.clone();
            c.add_node(gr, Op::Index(IndexOp::ScatterInto { dim, add: false }), dt, shape, &[g, index, zeros])
        }
    });
    let src = need_src.then(|| c.add_node(gr, Op::Index(IndexOp::Gather { dim }), dt, ishape, &[g, index]));
    vec![input, None, src]
}

/// `input` with `fma(scale, src, acc)` accumulated at the index (the
/// `axpy` of a backward kernel): `input: grad`, `src: grad.gather(dim, index)
/// * scale` and `scale: grad.gather(dim, index) * src`, the derivatives of
/// `scale * src` added in. Each is built only when its operand needs it.
pub fn scatter_fma(c: &mut RuleCtx, gr: &mut Graph, dim: usize, ops: &[NodeId], g: NodeId, need: [bool; 3]) -> Vec<Option<NodeId>> {
    let [need_input, need_src, need_scale] = need;
    let dt = gr.node(g).dtype;
    let index = c.fwd(ops[1]);
    let ishape = gr.node(ops[1]).shape.clone();
    let picked = (need_src || need_scale).then(|| c.add_node(gr, Op::Index(IndexOp::Gather { dim }), dt, ishape.clone(), &[g, index]));
    let times = |c: &mut RuleCtx, gr: &mut Graph, other: NodeId| {
        let other = c.fwd(other);
        let picked = picked.expect("built when a source or scale needs it");
        c.add_node(gr, Op::Binary(graphc_runtime::op::Binary::Mul), dt, ishape.clone(), &[picked, other])
    };
    let src = need_src.then(|| times(c, gr, ops[3]));
    let scale = need_scale.then(|| times(c, gr, ops[2]));
    vec![need_input.then_some(g), None, src, scale]
}

/// `scatter_reduce(self, dim, index, src, reduce, include_self)`: PyTorch's
/// `scatter_reduce_backward` (FunctionsManual.cpp), built from graph ops in its
/// order so that the gradients round as PyTorch's do and can be differentiated
/// again:
/// - `sum`: `grad` and `grad.gather(dim, index)`;
/// - `mean`: both divided by the count of values combined at the position;
/// - `prod`: `grad * result / self` with zeros of `self` masked to one (the
///   product recomputed over the masked input), and for `src` the quotient form,
///   or, for a source element that is the only zero at its position, the product
///   of the others recomputed with it masked to one;
/// - `amax`/`amin`: the gradient shared evenly between every `self` and `src`
///   element equal to the result (counting `self` even without `include_self`,
///   as PyTorch does).
///
/// Without `include_self`, `self`'s gradient is then zeroed where the index
/// writes. PyTorch refuses a double backward through `prod`'s source when two
/// zeros meet at one position (`DelayedError`); graphc differentiates that
/// graph like any other.
pub fn scatter_reduce(
    c: &mut RuleCtx,
    gr: &mut Graph,
    (dim, reduce, include_self): (usize, ScatterReduce, bool),
    n: NodeId,
    ops: &[NodeId],
    g: NodeId,
    need: [bool; 2],
) -> Vec<Option<NodeId>> {
    let [need_self, need_src] = need;
    let dt = gr.node(g).dtype;
    let shape = gr.node(g).shape.clone();
    let ishape = gr.node(ops[1]).shape.clone();
    let index = c.fwd(ops[1]);
    let gather = |c: &mut RuleCtx, gr: &mut Graph, x: NodeId| c.add_node(gr, Op::Index(IndexOp::Gather { dim }), dt, ishape.clone(), &[x, index]);
    let scatter_add = |c: &mut RuleCtx, gr: &mut Graph, into: NodeId, v: NodeId| {
        c.add_node(gr, Op::Index(IndexOp::ScatterInto { dim, add: true }), dt, shape.clone(), &[into, index, v])
    };
    let eq =
        |c: &mut RuleCtx, gr: &mut Graph, a: NodeId, b: NodeId, sh: &[usize]| c.add_node(gr, Op::Compare(Cmp::Eq), DType::Bool, sh.to_vec(), &[a, b]);
    let (grad_self, grad_src) = match reduce {
        ScatterReduce::Sum => (need_self.then_some(g), need_src.then(|| gather(c, gr, g))),
        ScatterReduce::Mean => {
            let start = c.full(gr, if include_self { 1.0 } else { 0.0 }, dt, shape.clone());
            let ones = c.full(gr, 1.0, dt, ishape.clone());
            let count = scatter_add(c, gr, start, ones);
            let (zero, one) = (c.scalar(gr, 0.0, dt), c.scalar(gr, 1.0, dt));
            let count = c.select(gr, Cmp::Eq, count, zero, one, count);
            let grad_self = need_self.then(|| c.div(gr, g, count));
            let grad_src = need_src.then(|| {
                let n_src = gather(c, gr, count);
                let gg = gather(c, gr, g);
                c.div(gr, gg, n_src)
            });
            (grad_self, grad_src)
        }
        ScatterReduce::Prod => {
            let (x, src) = (c.fwd(ops[0]), c.fwd(ops[2]));
            let (zero, one) = (c.scalar(gr, 0.0, dt), c.scalar(gr, 1.0, dt));
            let grad_self = need_self.then(|| {
                let masked_self = c.select(gr, Cmp::Eq, x, zero, one, x);
                let op = Op::Index(IndexOp::ScatterReduce { dim, reduce, include_self });
                let masked_self_result = c.add_node(gr, op, dt, shape.clone(), &[masked_self, index, src]);
                let p = c.mul(gr, g, masked_self_result);
                c.div(gr, p, masked_self)
            });
            let grad_src = need_src.then(|| {
                let result = c.fwd(n);
                let src_zero = eq(c, gr, src, zero, &ishape);
                let zeros = c.full(gr, 0.0, dt, shape.clone());
                let src_zero_f = c.add_node(gr, Op::Cast, dt, ishape.clone(), &[src_zero]);
                let num_zeros = scatter_add(c, gr, zeros, src_zero_f);
                let num_zeros = gather(c, gr, num_zeros);
                let single = eq(c, gr, num_zeros, one, &ishape);
                let src_single_zero = c.add_node(gr, Op::Logical(Logical::And), DType::Bool, ishape.clone(), &[src_zero, single]);
                let masked_src = c.add_node(gr, Op::Select, dt, ishape.clone(), &[src_single_zero, one, src]);
                let op = Op::Index(IndexOp::ScatterReduce { dim, reduce, include_self });
                let masked_src_result = c.add_node(gr, op, dt, shape.clone(), &[x, index, masked_src]);
                let p = c.mul(gr, g, masked_src_result);
                let when_single = gather(c, gr, p);
                let q = c.mul(gr, g, result);
                let q = gather(c, gr, q);
                let src_or_one = c.select(gr, Cmp::Eq, src, zero, one, src);
                let otherwise = c.div(gr, q, src_or_one);
                c.add_node(gr, Op::Select, dt, ishape.clone(), &[src_single_zero, when_single, otherwise])
            });
            (grad_self, grad_src)
        }
        ScatterReduce::Amax | ScatterReduce::Amin => {
            let (x, src, result) = (c.fwd(ops[0]), c.fwd(ops[2]), c.fwd(n));
            let value = gather(c, gr, result);
            let self_is = eq(c, gr, x, result, &shape);
            let src_is = eq(c, gr, src, value, &ishape);
            let self_is_f = c.add_node(gr, Op::Cast, dt, shape.clone(), &[self_is]);
            let src_is_f = c.add_node(gr, Op::Cast, dt, ishape.clone(), &[src_is]);
            let count = scatter_add(c, gr, self_is_f, src_is_f);
            let distributed = c.div(gr, g, count);
            let grad_self = need_self.then(|| c.mul(gr, self_is_f, distributed));
            let grad_src = need_src.then(|| {
                let d = gather(c, gr, distributed);
                c.mul(gr, src_is_f, d)
            });
            (grad_self, grad_src)
        }
    };
    let grad_self = grad_self.map(|gs| {
        if include_self {
            gs
        } else {
            let zeros = c.full(gr, 0.0, dt, ishape.clone());
            c.add_node(gr, Op::Index(IndexOp::ScatterInto { dim, add: false }), dt, shape.clone(), &[gs, index, zeros])
        }
    });
    vec![grad_self, None, grad_src]
}
