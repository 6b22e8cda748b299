//! Which elements of its base a view reads.
//!
//! In PyTorch a view (`x[0]`, `x.t()`, `x.view(-1)`, `x.detach()`, ...) shares
//! its base's storage, so an in-place update of either changes both. graphc
//! has no aliasing: it writes an update of a view as an update of the base at
//! the view's positions, and reads the view again from the new base
//! (`views_inplace.rs`). Both need, for every element of the view, the element
//! of the base it is; shapes are static, so that map is a compile-time list,
//! found here by walking the graph from the view through its view ops.

use std::collections::HashMap;

use graphc_runtime::op::{IndexOp, Unary};
use graphc_runtime::Op;

use crate::ir::graph::{Graph, NodeId};

/// The `grad_fn`s of PyTorch's view ops: their results share the operand's storage.
/// `AsStridedBackward0` marks the nodes that read a view again after an update.
const VIEW_GRAD_FNS: &[&str] = &[
    "AliasBackward0",
    "AsStridedBackward0",
    "ExpandBackward0",
    "PermuteBackward0",
    "ReshapeAliasBackward0",
    "SelectBackward0",
    "SliceBackward0",
    "SplitBackward0",
    "SplitWithSizesBackward0",
    "SqueezeBackward0",
    "SqueezeBackward1",
    "SqueezeBackward4",
    "TBackward0",
    "TransposeBackward0",
    "UnsqueezeBackward0",
    "ViewBackward0",
];

/// The views that are one of several outputs of one call (`split`, `chunk`):
/// PyTorch forbids updating them in place when they require grad.
const MULTI_OUTPUT_GRAD_FNS: &[&str] = &["SplitBackward0", "SplitWithSizesBackward0"];

/// A view traced back to the tensor whose storage it shares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ViewPath {
    /// The base: the first node on the way that is no view.
    pub root: NodeId,
    /// For each element of the view (row-major), its element in the base.
    pub map: Vec<usize>,
    /// Whether a `detach()` is on the way: the view shares the data but not the graph.
    pub detached: bool,
    /// The `grad_fn` of a multi-output view on the way (`SplitBackward0`), if any.
    pub multi_output: Option<String>,
    /// Whether the walk stopped at a view whose elements are known only at run
    /// time (a subscript with a run-time index): `root` is then that view's
    /// operand-to-be, and `map` is not the base's.
    pub unmapped: bool,
}

impl ViewPath {
    /// Whether two elements of the view are one element of the base (an `expand`):
    /// PyTorch refuses to write such a view.
    pub fn overlaps(&self, base_len: usize) -> bool {
        let mut seen = vec![false; base_len];
        self.map.iter().any(|&k| std::mem::replace(&mut seen[k], true))
    }

    /// For each element of the base, the element of the view it is, if any.
    pub fn sources(&self, base_len: usize) -> Vec<Option<usize>> {
        let mut source = vec![None; base_len];
        for (k, &b) in self.map.iter().enumerate() {
            source[b] = Some(k);
        }
        source
    }
}

/// One step of a walk from a view towards its base.
enum Step {
    /// The operand the node views, each element's position in it (`None`: the
    /// same positions), and whether the step is a `detach`.
    View(NodeId, Option<Vec<usize>>, bool),
    /// A view whose positions are known only at run time.
    Unmapped,
}

/// What a walk over the graph needs of the lowering state.
pub(crate) struct Walk<'a> {
    pub graph: &'a Graph,
    pub grad_fn: &'a HashMap<NodeId, String>,
    /// The requires-grad leaves: a `detach` node that is a leaf is the object itself.
    pub leaves: &'a HashMap<NodeId, Option<NodeId>>,
    /// In-place updates (old node to new): a node that is the next version of its
    /// operand (`requires_grad_(false)`'s `detach`) is that object, not a view of it.
    pub versions: &'a HashMap<NodeId, NodeId>,
}

impl Walk<'_> {
    /// The step from `n` towards its base, if `n` is a view.
    fn step(&self, n: NodeId) -> Option<Step> {
        let g = self.graph;
        let node = g.node(n);
        let operand = *g.operands(n).first()?;
        if self.versions.get(&operand) == Some(&n) {
            return None;
        }
        let grad_fn = self.grad_fn.get(&n).map(String::as_str);
        let is_view = match (&node.op, grad_fn) {
            (Op::Unary(Unary::Detach), _) => !self.leaves.contains_key(&n),
            // A subscript with a run-time index (`dyn_index.rs`) gathers the flat base
            // at positions computed when it runs: a view whose map is not known here.
            (Op::Index(IndexOp::Gather { dim: 0 }), None) => match g.node(*g.operands(n).get(1)?).op {
                Op::Literal(_) => true,
                // `max()` of an i64 tensor gathers at its `argmax`: a new tensor.
                Op::Index(IndexOp::Arg { .. }) => false,
                _ => return Some(Step::Unmapped),
            },
            (_, Some(f)) => VIEW_GRAD_FNS.contains(&f),
            // A step of a view op that lowers to several nodes (a select is a slice
            // and a reshape) has no `grad_fn` of its own.
            (op, None) => matches!(op, Op::Slice { .. } | Op::Reshape | Op::Transpose | Op::Permute(_) | Op::Expand),
        };
        if !is_view {
            return None;
        }
        let (out, from) = (&node.shape, &g.node(operand).shape);
        let count: usize = out.iter().product();
        let each = |f: &dyn Fn(&mut Vec<usize>) -> Vec<usize>| -> Vec<usize> {
            (0..count)
                .map(|k| {
                    let mut idx = unravel(k, out);
                    ravel(&f(&mut idx), from)
                })
                .collect()
        };
        let map = match &node.op {
            Op::Unary(Unary::Detach) => return Some(Step::View(operand, None, true)),
            Op::Reshape => None,
            Op::Slice { dim, start, step } => Some(each(&|idx| {
                idx[*dim] = start + idx[*dim] * step;
                idx.clone()
            })),
            Op::Transpose => Some(each(&|idx| idx.iter().rev().copied().collect())),
            Op::Permute(dims) => Some(each(&|idx| {
                let mut o = vec![0; idx.len()];
                for (d, &p) in dims.iter().enumerate() {
                    o[p] = idx[d];
                }
                o
            })),
            Op::Expand => {
                let lead = out.len() - from.len();
                Some(each(&|idx| (0..from.len()).map(|d| if from[d] == 1 { 0 } else { idx[d + lead] }).collect()))
            }
            // A view read again after an update: a gather of the flat base at constant positions.
            Op::Index(IndexOp::Gather { dim: 0 }) if matches!(grad_fn, Some("AsStridedBackward0") | None) => {
                let index = *g.operands(n).get(1)?;
                let Op::Literal(values) = &g.node(index).op else { return None };
                Some(values.iter().map(|v| v.get() as usize).collect())
            }
            _ => return None,
        };
        Some(Step::View(operand, map, false))
    }

    /// Whether `n` is a view (one step, without composing the maps to its base).
    pub fn is_view(&self, n: NodeId) -> bool {
        self.step(n).is_some()
    }

    /// The base and element map of view `n`, or `None` when `n` is no view.
    pub fn path(&self, n: NodeId) -> Option<ViewPath> {
        let count: usize = self.graph.node(n).shape.iter().product();
        let mut map: Option<Vec<usize>> = None;
        let (mut cur, mut detached, mut multi_output, mut unmapped) = (n, false, None, false);
        while let Some(step) = self.step(cur) {
            let Step::View(operand, local, detach) = step else {
                unmapped = true;
                break;
            };
            if let Some(f) = self.grad_fn.get(&cur).filter(|f| MULTI_OUTPUT_GRAD_FNS.contains(&f.as_str())) {
                multi_output.get_or_insert_with(|| f.clone());
            }
            detached |= detach;
            if let Some(local) = local {
                map = Some(match map {
                    None => local,
                    Some(m) => m.into_iter().map(|k| local[k]).collect(),
                });
            }
            cur = operand;
        }
        (cur != n || unmapped).then(|| ViewPath { root: cur, map: map.unwrap_or_else(|| (0..count).collect()), detached, multi_output, unmapped })
    }
}

/// The row-major multi-index of flat position `k` in `shape`.
fn unravel(mut k: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        if shape[d] > 0 {
            idx[d] = k % shape[d];
            k /= shape[d];
        }
    }
    idx
}

/// The flat row-major position of multi-index `idx` in `shape`.
fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ravel_inverts_unravel() {
        let shape = [2, 3, 4];
        for k in 0..24 {
            assert_eq!(ravel(&unravel(k, &shape), &shape), k);
        }
        assert_eq!(unravel(7, &shape), vec![0, 1, 3]);
    }

    #[test]
    fn an_expanded_view_overlaps() {
        let p = ViewPath { root: NodeId(0), map: vec![0, 1, 0, 1], detached: false, multi_output: None, unmapped: false };
        assert!(p.overlaps(2));
        let q = ViewPath { root: NodeId(0), map: vec![3, 1], detached: false, multi_output: None, unmapped: false };
        assert!(!q.overlaps(4));
        assert_eq!(q.sources(4), vec![None, Some(1), None, Some(0)]);
    }
}
