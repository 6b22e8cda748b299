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
    "DiagonalBackward0",
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
    "UnfoldBackward0",
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
    /// The step from `n` towards its base, if `n` is a view; with the
    /// positions it reads only when `maps` asks for them (building them costs
    /// a pass over the view's elements, which most questions do not need).
    fn step(&self, n: NodeId, maps: bool) -> Option<Step> {
        let g = self.graph;
        let node = g.node(n);
        let operand = *g.operands(n).first()?;
        if self.versions.get(&operand) == Some(&n) {
            return None;
        }
        let grad_fn = self.grad_fn.get(&n).map(String::as_str);
        let is_view = match (&node.op, grad_fn) {
            // A leaf made by a detach (a `Parameter`, an updated leaf) is a tensor of
            // its own, also once a later update moved its leaf state on.
            (Op::Unary(Unary::Detach), _) => !self.leaves.contains_key(&n) && !self.leaves.contains_key(&super::state::latest(self.versions, n)),
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
        if let Op::Unary(Unary::Detach) = node.op {
            return Some(Step::View(operand, None, true));
        }
        if !maps {
            return Some(Step::View(operand, None, false));
        }
        let (out, from) = (&node.shape[..], &g.node(operand).shape[..]);
        let map = match &node.op {
            Op::Reshape => None,
            Op::Slice { dim, start, step } => Some(each(out, from, |idx, src| {
                src.copy_from_slice(idx);
                src[*dim] = start + idx[*dim] * step;
            })),
            Op::Transpose => Some(each(out, from, |idx, src| {
                for (s, &i) in src.iter_mut().zip(idx.iter().rev()) {
                    *s = i;
                }
            })),
            Op::Permute(dims) => Some(each(out, from, |idx, src| {
                for (d, &p) in dims.iter().enumerate() {
                    src[p] = idx[d];
                }
            })),
            Op::Expand => {
                let lead = out.len() - from.len();
                Some(each(out, from, |idx, src| {
                    for (d, s) in src.iter_mut().enumerate() {
                        *s = if from[d] == 1 { 0 } else { idx[d + lead] };
                    }
                }))
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
        self.step(n, false).is_some()
    }

    /// The base and element map of view `n`, or `None` when `n` is no view.
    pub fn path(&self, n: NodeId) -> Option<ViewPath> {
        self.walk(n, true)
    }

    /// The base of view `n` (and whether the walk stopped at a view with
    /// run-time positions), without the element map: for the questions that
    /// only ask what a view shares, such as which views an update of a base
    /// touches, asked of every named view at every update.
    pub fn root(&self, n: NodeId) -> Option<ViewRoot> {
        self.walk(n, false).map(|p| ViewRoot { root: p.root, unmapped: p.unmapped })
    }

    /// [`Walk::path`], with the element map built only when `maps` asks for it
    /// (an empty map otherwise, which [`Walk::root`] drops).
    fn walk(&self, n: NodeId, maps: bool) -> Option<ViewPath> {
        let count: usize = self.graph.node(n).shape.iter().product();
        let mut map: Option<Vec<usize>> = None;
        let (mut cur, mut detached, mut multi_output, mut unmapped) = (n, false, None, false);
        while let Some(step) = self.step(cur, maps) {
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
        let map = || map.unwrap_or_else(|| if maps { (0..count).collect() } else { Vec::new() });
        (cur != n || unmapped).then(|| ViewPath { root: cur, map: map(), detached, multi_output, unmapped })
    }
}

/// Where a walk from a view ends ([`Walk::root`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ViewRoot {
    /// The first node on the way that is no view (as [`ViewPath::root`]).
    pub root: NodeId,
    /// Whether the walk stopped at a view with run-time positions (as [`ViewPath::unmapped`]).
    pub unmapped: bool,
}

/// For each element of a view of shape `out` (row-major), its flat position in
/// the operand of shape `from`, where `source` writes the operand's multi-index
/// of the view's multi-index. The indices are counted up in place, so the
/// elements cost no allocation each (an `x[:1500]` of the digits is 96,000).
fn each(out: &[usize], from: &[usize], source: impl Fn(&[usize], &mut [usize])) -> Vec<usize> {
    let count: usize = out.iter().product();
    let mut idx = vec![0; out.len()];
    let mut src = vec![0; from.len()];
    let mut map = Vec::with_capacity(count);
    for _ in 0..count {
        source(&idx, &mut src);
        map.push(ravel(&src, from));
        // The next multi-index in row-major order.
        for d in (0..out.len()).rev() {
            idx[d] += 1;
            if idx[d] < out[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    map
}

/// The flat row-major position of multi-index `idx` in `shape`.
fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_counts_the_multi_indices_in_row_major_order() {
        // The identity visits every position once, in order.
        let copy = |idx: &[usize], src: &mut [usize]| src.copy_from_slice(idx);
        assert_eq!(each(&[2, 3, 4], &[2, 3, 4], copy), (0..24).collect::<Vec<_>>());
        // A transpose of a 2x3 reads the operand column by column.
        let reverse = |idx: &[usize], src: &mut [usize]| {
            src[0] = idx[1];
            src[1] = idx[0];
        };
        assert_eq!(each(&[3, 2], &[2, 3], reverse), vec![0, 3, 1, 4, 2, 5]);
        // A 0-d view has one element; an empty one none.
        assert_eq!(each(&[], &[], copy), vec![0]);
        assert_eq!(each(&[2, 0], &[2, 0], copy), Vec::<usize>::new());
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
