//! Derivative rules of the shape ops and of batched matrix products: PyTorch's
//! formulas from `derivatives.yaml` (`permute`: the inverse permutation;
//! `matmul`: `grad @ other.mT` and `self.mT @ grad`, reduced to each operand's
//! shape as the expand that PyTorch's matmul decomposition makes is reduced;
//! `slice`: the gradient written into zeros; `cat`: the gradient sliced).

use graphc_runtime::kernels::matmul::matmul_shape;
use graphc_runtime::Op;

use super::super::builder::RuleCtx;
use crate::check::shapes;
use crate::ir::graph::{Graph, NodeId};

/// `permute(dims)`'s gradient: the gradient permuted back.
pub fn permute(c: &mut RuleCtx, gr: &mut Graph, dims: &[usize], g: NodeId) -> NodeId {
    let mut inverse = vec![0; dims.len()];
    for (i, &d) in dims.iter().enumerate() {
        inverse[d] = i;
    }
    c.permute(gr, g, &inverse)
}

/// The gradients of `a @ b` when an operand has a batch (rank 3 or more).
///
/// A right operand without a batch is folded as PyTorch folds it: the left
/// operand's batch and rows become the rows of one matrix product, so the right
/// operand's gradient is one product over all of them (`a_fold.t() @ g_fold`),
/// as PyTorch's `mm` backward computes it. Otherwise each operand is a batch of
/// matrices broadcast to the result's batch, and its gradient is summed back
/// over the dimensions it was broadcast along (`ExpandBackward0`).
pub fn batched_matmul(c: &mut RuleCtx, gr: &mut Graph, a: NodeId, b: NodeId, g: NodeId, need_a: bool, need_b: bool) -> Vec<Option<NodeId>> {
    let (sa, sb) = (gr.node(a).shape.clone(), gr.node(b).shape.clone());
    // Lowering checked these shapes, so the rule always holds.
    let s = matmul_shape(&sa, &sb).expect("lowering checked the matmul shapes");
    let (m, k, n) = (s.m, s.k, s.n);
    // The operands as matrices: a 1-D left operand is a row, a 1-D right one a column.
    let a2: Vec<usize> = if sa.len() == 1 { vec![1, k] } else { sa.clone() };
    let b2: Vec<usize> = if sb.len() == 1 { vec![k, 1] } else { sb.clone() };
    let fold = sb.len() <= 2 && sa.len() >= 3;
    let rows = s.batch.iter().product::<usize>() * m;
    let ga = need_a.then(|| {
        let bf = c.fwd(b);
        let bm = c.reshape(gr, bf, &b2);
        let bt = c.permute(gr, bm, &swap_last(b2.len()));
        if fold {
            let gf = c.reshape(gr, g, &[rows, n]);
            let p = c.matmul(gr, gf, bt);
            return c.reshape(gr, p, &sa);
        }
        let mut g2 = s.batch.clone();
        g2.extend([m, n]);
        let gm = c.reshape(gr, g, &g2);
        let p = c.matmul(gr, gm, bt);
        let summed = c.sum_to(gr, p, &a2);
        c.reshape(gr, summed, &sa)
    });
    let gb = need_b.then(|| {
        let af = c.fwd(a);
        if fold {
            let am = c.reshape(gr, af, &[rows, k]);
            let at = c.permute(gr, am, &swap_last(2));
            let gf = c.reshape(gr, g, &[rows, n]);
            let p = c.matmul(gr, at, gf);
            return c.reshape(gr, p, &sb);
        }
        let am = c.reshape(gr, af, &a2);
        let at = c.permute(gr, am, &swap_last(a2.len()));
        let mut g2 = s.batch.clone();
        g2.extend([m, n]);
        let gm = c.reshape(gr, g, &g2);
        let p = c.matmul(gr, at, gm);
        let summed = c.sum_to(gr, p, &b2);
        c.reshape(gr, summed, &sb)
    });
    vec![ga, gb]
}

/// `cat(tensors, dim)`'s gradient: each operand's part of the gradient, sliced
/// out along `dim` at the operand's offset (PyTorch's `cat_tensors_backward`,
/// which narrows the gradient).
pub fn cat(c: &mut RuleCtx, gr: &mut Graph, dim: usize, ops: &[NodeId], g: NodeId, need: impl Fn(usize) -> bool) -> Vec<Option<NodeId>> {
    let dt = gr.node(g).dtype;
    let mut offset = 0;
    let mut grads = Vec::with_capacity(ops.len());
    for (i, &x) in ops.iter().enumerate() {
        let shape = gr.node(x).shape.clone();
        let len = shape[dim];
        grads.push(need(i).then(|| c.add_node(gr, Op::Slice { dim, start: offset, step: 1 }, dt, shape, &[g])));
        offset += len;
    }
    grads
}

/// The permutation of `rank` dimensions that swaps the last two (`mT`).
pub fn swap_last(rank: usize) -> Vec<usize> {
    let mut dims: Vec<usize> = (0..rank).collect();
    dims.swap(rank - 2, rank - 1);
    dims
}

impl RuleCtx {
    /// `x.permute(dims)` as a derived node.
    pub fn permute(&mut self, g: &mut Graph, x: NodeId, dims: &[usize]) -> NodeId {
        let n = g.node(x);
        let (dt, sh) = (n.dtype, shapes::permuted(&n.shape, dims));
        self.add_node(g, Op::Permute(dims.to_vec()), dt, sh, &[x])
    }
}
