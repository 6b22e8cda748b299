//! Which tensors PyTorch would hold as views, and with what strides.
//!
//! graphc computes every value contiguously, but PyTorch's choices depend on
//! strides: `view` of a transposed tensor is an error, and `reshape` or
//! `flatten` of one copies (`UnsafeViewBackward0`) where a contiguous tensor
//! gives a view (`ViewBackward0`). Lowering asks [`Lowerer::strides_of`] for the
//! strides PyTorch's tensor would have: views (`permute`, `transpose`, `mT`,
//! `expand`, slices, and `view`/`reshape`/`squeeze`/`unsqueeze` that viewed)
//! derive theirs from their operand's; every other result is contiguous.
//! Elementwise results of a permuted operand are taken as contiguous, where
//! PyTorch keeps the operand's layout: a `reshape` of one then shows
//! `ViewBackward0` where PyTorch shows `UnsafeViewBackward0` (docs/act-language.md, section 8).

use graphc_runtime::Op;

use super::Lowerer;
use crate::ir::graph::NodeId;

/// The `grad_fn` names of the `Reshape` nodes that PyTorch makes as views.
const VIEW_GRAD_FNS: &[&str] =
    &["ViewBackward0", "ReshapeAliasBackward0", "UnsqueezeBackward0", "SqueezeBackward0", "SqueezeBackward1", "SelectBackward0", "AliasBackward0"];

/// Row-major strides of a shape.
pub(super) fn contiguous(shape: &[usize]) -> Vec<usize> {
    graphc_runtime::kernels::shape::contiguous_strides(shape)
}

/// PyTorch's `computeStride` (`aten/src/ATen/TensorUtils.cpp`): the strides of
/// a view of `new` over a tensor of shape `old` and strides `stride`, or `None`
/// when no view exists and `reshape` must copy.
pub(super) fn compute_stride(old: &[usize], stride: &[usize], new: &[usize]) -> Option<Vec<usize>> {
    if old.is_empty() {
        return Some(vec![1; new.len()]);
    }
    let numel: usize = old.iter().product();
    if numel == 0 {
        return Some(if old == new { stride.to_vec() } else { contiguous(new) });
    }
    let mut out = vec![0; new.len()];
    let mut view_d = new.len() as isize - 1;
    let mut chunk_base = *stride.last().expect("a non-empty shape has strides");
    let (mut tensor_numel, mut view_numel) = (1usize, 1usize);
    for d in (0..old.len()).rev() {
        tensor_numel *= old[d];
        if d == 0 || (old[d - 1] != 1 && stride[d - 1] != tensor_numel * chunk_base) {
            while view_d >= 0 && (view_numel < tensor_numel || new[view_d as usize] == 1) {
                out[view_d as usize] = view_numel * chunk_base;
                view_numel *= new[view_d as usize];
                view_d -= 1;
            }
            if view_numel != tensor_numel {
                return None;
            }
            if d > 0 {
                chunk_base = stride[d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    (view_d == -1).then_some(out)
}

impl<'a> Lowerer<'a> {
    /// The strides PyTorch's tensor for node `n` would have.
    pub(super) fn strides_of(&self, n: NodeId) -> Vec<usize> {
        let g = &self.prog.graph;
        let node = g.node(n);
        let ops = g.operands(n);
        let operand = |i: usize| (g.node(ops[i]).shape.clone(), self.strides_of(ops[i]));
        match &node.op {
            // The 2-D `transpose(x)` is PyTorch's `x.t()`, a view with the strides swapped.
            Op::Transpose => {
                let (_, s) = operand(0);
                s.into_iter().rev().collect()
            }
            Op::Permute(dims) => {
                let (_, s) = operand(0);
                dims.iter().map(|&d| s[d]).collect()
            }
            Op::Expand => {
                let (shape, s) = operand(0);
                let lead = node.shape.len() - shape.len();
                (0..node.shape.len()).map(|d| if d < lead || (shape[d - lead] == 1 && node.shape[d] != 1) { 0 } else { s[d - lead] }).collect()
            }
            Op::Slice { dim, step, .. } => {
                let (_, mut s) = operand(0);
                s[*dim] *= step;
                s
            }
            Op::Reshape if self.grad_fn.get(&n).is_some_and(|f| VIEW_GRAD_FNS.contains(&f.as_str())) => {
                let (shape, s) = operand(0);
                compute_stride(&shape, &s, &node.shape).unwrap_or_else(|| contiguous(&node.shape))
            }
            _ => contiguous(&node.shape),
        }
    }

    /// The `grad_fn` of `reshape` (and `flatten`) of node `n` to `shape`:
    /// a view of a contiguous tensor (`ViewBackward0`), a view of another layout
    /// (`_reshape_alias`, `ReshapeAliasBackward0`), or a copy (`_unsafe_view`).
    pub(super) fn reshape_grad_fn(&self, n: NodeId, shape: &[usize]) -> &'static str {
        if !self.viewable(n, shape) {
            return "UnsafeViewBackward0";
        }
        let (sh, st) = (self.shape_of(n), self.strides_of(n));
        // PyTorch's is_contiguous ignores the strides of dimensions of size 1.
        let contiguous_layout = contiguous(&sh);
        let is_contiguous = (0..sh.len()).all(|d| sh[d] == 1 || st[d] == contiguous_layout[d]);
        if is_contiguous {
            "ViewBackward0"
        } else {
            "ReshapeAliasBackward0"
        }
    }

    /// Whether `x.view(shape)` exists for node `n` (PyTorch's rule).
    pub(super) fn viewable(&self, n: NodeId, shape: &[usize]) -> bool {
        compute_stride(&self.shape_of(n), &self.strides_of(n), shape).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compute_stride_follows_pytorch() {
        // Contiguous: every reshape is a view.
        assert_eq!(compute_stride(&[2, 3, 4], &[12, 4, 1], &[6, 4]), Some(vec![4, 1]));
        assert_eq!(compute_stride(&[2, 3, 4], &[12, 4, 1], &[24]), Some(vec![1]));
        // A transpose ([2, 4, 3] with strides of [2, 3, 4]) can merge the batch only.
        assert_eq!(compute_stride(&[2, 4, 3], &[12, 1, 4], &[24]), None);
        assert_eq!(compute_stride(&[2, 4, 3], &[12, 1, 4], &[2, 4, 3, 1]), Some(vec![12, 1, 4, 4]));
        // Expanded dimensions (stride 0) cannot merge with others.
        // (`randn(3, 1).expand(3, 4)`, as PyTorch reports its strides and views.)
        assert_eq!(compute_stride(&[3, 4], &[1, 0], &[12]), None);
        assert_eq!(compute_stride(&[3, 4], &[1, 0], &[3, 2, 2]), Some(vec![1, 0, 0]));
    }
}
