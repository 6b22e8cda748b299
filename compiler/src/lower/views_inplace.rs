//! In-place updates of views write through, as in PyTorch.
//!
//! In PyTorch `h = x[0]; h += 1` also changes `x`, and `x += 1` changes `h`,
//! since both share one storage. graphc computes every value on its own, so
//! lowering spells the sharing out with the element map of each view
//! (`view_map.rs`):
//! - an update of a view is the update of its base at the view's positions: a
//!   select between the new elements (gathered into the base's layout) and the
//!   old base, PyTorch's `CopySlices`;
//! - after any update of a base, every view of it that a name holds is read
//!   again from the new base (a gather at constant positions, PyTorch's
//!   `AsStridedBackward0`), and so is the view just written.
//!
//! PyTorch's refusals stay refusals, at compile time: writing an expanded view
//! (E0702), a view of a leaf that requires grad outside `no_grad` (E0620), a
//! view made in `no_grad` written outside it (E0705) and one output of `split`
//! or `chunk` (E0706). Two cases graphc cannot express are refused too: a view
//! made before a loop and updated (or whose base is updated) in its body
//! (E0703), and an update through `detach()` of a computed tensor that requires
//! grad, which changes its values but not its graph (E0704).

use graphc_runtime::{DType, Op};

use super::assign::Selection;
use super::view_map::{ViewPath, Walk};
use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::Mutation;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The base and element map of `n` if it is a view.
    pub(crate) fn view_path(&self, n: NodeId) -> Option<ViewPath> {
        Walk { graph: &self.prog.graph, grad_fn: &self.grad_fn, leaves: &self.grad_state, versions: &self.versions }.path(n)
    }

    /// Remembers `n`, a tensor just bound to a name, if it is a view, so that an
    /// update of its base reads it again.
    pub(crate) fn note_view(&mut self, n: NodeId) {
        let walk = Walk { graph: &self.prog.graph, grad_fn: &self.grad_fn, leaves: &self.grad_state, versions: &self.versions };
        if !self.live_views.contains(&n) && walk.is_view(n) {
            self.live_views.push(n);
        }
    }

    /// Makes `new` (of the view's dtype and shape) the value of view `view`:
    /// updates its base at the view's positions and reads the view again.
    /// Returns the view's new node.
    pub(crate) fn write_through(&mut self, view: NodeId, new: NodeId, path: ViewPath, span: Span) -> Option<NodeId> {
        let writing = self.writing_view.replace(view);
        let result = self.write_view(view, new, path, span);
        self.writing_view = writing;
        result
    }

    fn write_view(&mut self, view: NodeId, new: NodeId, path: ViewPath, span: Span) -> Option<NodeId> {
        let root = self.current(path.root);
        let (dt, root_shape) = (self.dtype_of(root), self.shape_of(root));
        let root_len: usize = root_shape.iter().product();
        let made = self.prog.graph.meta(view).span;
        if path.unmapped {
            self.unmapped_view_error(made, span);
            return None;
        }
        if path.overlaps(root_len) {
            self.error(
                Diagnostic::new(
                    Code::E0702,
                    "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.",
                    span,
                    "writes an expanded view",
                )
                .with_secondary(made, "this view repeats elements of its base (an `expand`)")
                .with_help("update a copy (`e = x.expand(3, 4).clone()`), or update the base before expanding it"),
            );
            return None;
        }
        if self.loop_views.contains(&path.root) || self.loop_views.contains(&root) {
            self.loop_view_error(span);
            return None;
        }
        let leaf = self.is_grad_leaf(root);
        let root_grad = self.requires_grad(root);
        if leaf && !self.no_grad && !path.detached {
            let base = self.prog.graph.meta(self.origin(root)).span;
            self.error(
                Diagnostic::new(
                    Code::E0620,
                    "a view of a leaf Variable that requires grad is being used in an in-place operation.",
                    span,
                    "updates a view of a leaf that requires grad",
                )
                .with_secondary(base, "the leaf is created here")
                .with_help("update parameters inside `no_grad { ... }` (PyTorch's `with torch.no_grad():`), or update a copy (`h = w[0].clone()`)"),
            );
            return None;
        }
        if path.detached && root_grad && !leaf {
            self.error(
                Diagnostic::new(
                    Code::E0704,
                    "an in-place update through `detach()` of a computed tensor that requires grad: PyTorch changes its values but not its graph, which graphc cannot express",
                    span,
                    "updates a detached view",
                )
                .with_secondary(made, "this view shares the values of a tensor that requires grad")
                .with_help("detach the tensor for good (`x = x.detach()`) before updating it, or compute the new value out of place"),
            );
            return None;
        }
        if root_grad && !leaf && !path.detached && !self.no_grad && !self.requires_grad(view) {
            self.error(
                Diagnostic::new(
                    Code::E0705,
                    "A view was created in no_grad mode and is being modified inplace with grad mode enabled.",
                    span,
                    "updated with grad mode enabled",
                )
                .with_secondary(made, "this view was made inside `no_grad`")
                .with_help("make the view and update it both inside `no_grad { ... }` or both outside it"),
            );
            return None;
        }
        if let Some(f) = path.multi_output.as_ref().filter(|_| self.requires_grad(view) && !self.no_grad) {
            let f = f.trim_end_matches("Backward0").to_string();
            self.error(
                Diagnostic::new(
                    Code::E0706,
                    format!(
                        "An output of {f} is a view and is being modified inplace. This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace."
                    ),
                    span,
                    "updates one of several views",
                )
                .with_secondary(made, "this view is one output of a `split` or `chunk`")
                .with_help("replace the in-place update by an out-of-place one (`c = c + 1`), or update the base through a subscript"),
            );
            return None;
        }
        // The new elements laid out as the base, and a mask of where they go.
        let sel = Selection { source: path.sources(root_len), shape: self.shape_of(view) };
        // Through `detach()` the base's graph does not see the update: the leaf
        // stays the same leaf, as under `no_grad`.
        let outer_no_grad = self.no_grad;
        self.no_grad |= path.detached;
        let placed = self.placed_value((Value::Tensor(new), span), &sel, dt, &root_shape, span);
        let updated = placed.and_then(|placed| {
            let mask_vals = sel.source.iter().map(|s| graphc_runtime::op::Scalar::float(if s.is_some() { 1.0 } else { 0.0 })).collect();
            let mask = self.node(Op::Literal(mask_vals), DType::Bool, root_shape.clone(), &[], span);
            let whole = self.node(Op::Select, dt, root_shape.clone(), &[mask, placed, root], span);
            self.update_in_place(root, whole, "CopySlices", span)
        });
        self.no_grad = outer_no_grad;
        let updated = updated?;
        // `update_in_place` read the other named views again; the view written is
        // read here, with the op that computed its new value as the one that may
        // read its old value (PyTorch keeps a copy for it).
        if self.current(view) == view {
            self.reread_view(view, &path, updated, new, span);
        }
        Some(self.current(view))
    }

    /// After the update of base `old` to `new`, reads every named view of it again.
    pub(crate) fn refresh_views(&mut self, old: NodeId, new: NodeId, span: Span) {
        for v in self.live_views.clone() {
            let cur = self.current(v);
            if cur == new || Some(cur) == self.writing_view {
                continue;
            }
            // Only the views of `old` need their element maps, built here once each.
            let walk = Walk { graph: &self.prog.graph, grad_fn: &self.grad_fn, leaves: &self.grad_state, versions: &self.versions };
            match walk.root(cur) {
                Some(r) if r.unmapped && self.view_reads(cur, old) => {
                    let made = self.prog.graph.meta(cur).span;
                    self.unmapped_view_error(made, span);
                }
                Some(r) if r.root == old => {
                    let path = self.view_path(cur).expect("a view with a root has a path");
                    self.reread_view(cur, &path, new, cur, span)
                }
                _ => {}
            }
        }
    }

    /// Reads view `view` again from the new base `base` and makes it the view's
    /// value; `by` is the op that computed the view's new value from its old one.
    fn reread_view(&mut self, view: NodeId, path: &ViewPath, base: NodeId, by: NodeId, span: Span) {
        let (dt, shape) = (self.dtype_of(view), self.shape_of(view));
        let base_len: usize = self.shape_of(base).iter().product();
        let count = path.map.len();
        // A view that did not require grad (made under `no_grad`, or of a tensor that
        // did not) still does not; one that did keeps doing so, even when its base
        // was updated under `no_grad`, as PyTorch's regenerated view does.
        let keeps_grad = self.requires_grad(view);
        let outer_no_grad = std::mem::replace(&mut self.no_grad, !keeps_grad);
        let flat = self.op_node(Op::Reshape, dt, vec![base_len], &[base], span, "AsStridedBackward0");
        let index = path.map.iter().map(|&k| graphc_runtime::op::Scalar::Int(k as i64)).collect();
        let index = self.node(Op::Literal(index), DType::I64, vec![count], &[], span);
        let gather = Op::Index(graphc_runtime::op::IndexOp::Gather { dim: 0 });
        let picked = self.op_node(gather, dt, vec![count], &[flat, index], span, "AsStridedBackward0");
        let mut fresh = self.op_node(Op::Reshape, dt, shape.clone(), &[picked], span, "AsStridedBackward0");
        if path.detached {
            fresh = self.node(Op::Unary(graphc_runtime::op::Unary::Detach), dt, shape, &[fresh], span);
        }
        self.no_grad = outer_no_grad;
        let note = self.prog.graph.meta(view).note.clone();
        self.prog.graph.meta_mut(fresh).note = note;
        let backwards_before = self.prog.backwards.len();
        self.prog.mutations.push(Mutation { old: view, new: fresh, by, span, backwards_before });
        self.set_version(view, fresh);
        if let Some(k) = self.live_views.iter().position(|&v| v == view) {
            self.live_views[k] = fresh;
        }
    }

    /// Whether the unmapped view `view` was taken from `base` (its walk ends at a
    /// run-time subscript of `base`: a gather of `base` flattened).
    fn view_reads(&self, view: NodeId, base: NodeId) -> bool {
        let g = &self.prog.graph;
        let mut n = view;
        for _ in 0..64 {
            let ops = g.operands(n);
            let Some(&first) = ops.first() else { return false };
            if first == base {
                return true;
            }
            n = first;
        }
        false
    }

    /// E0707: an update of a view taken with a run-time index, or of its base.
    fn unmapped_view_error(&mut self, made: Span, span: Span) {
        self.error(
            Diagnostic::new(
                Code::E0707,
                "an in-place update of a view taken with a run-time index, or of its base: graphc cannot follow which elements they share",
                span,
                "updates shared elements",
            )
            .with_secondary(made, "this view's elements are chosen when the program runs")
            .with_help("update the base through the subscript (`x[i] += 1`), or take a copy (`h = x[i].clone()`)"),
        );
    }

    /// E0703: an update, inside a loop body, of a view made before the loop or of
    /// the base of one.
    pub(crate) fn loop_view_error(&mut self, span: Span) {
        self.error(
            Diagnostic::new(
                Code::E0703,
                "an in-place update inside a loop of a view made before the loop, or of the tensor such a view shares its elements with",
                span,
                "updated inside the loop",
            )
            .with_help("take the view inside the loop (`h = x[0]` in the body), or update a copy (`h = x[0].clone()` before the loop)"),
        );
    }

    /// Marks, entering a loop body, the body inputs that are views made before the
    /// loop and the inputs that are their bases (`outer` to body input).
    pub(crate) fn mark_loop_views(&mut self, walk: &Walk<'_>, to_body: &std::collections::HashMap<NodeId, NodeId>) {
        let mut outer: Vec<(&NodeId, &NodeId)> = to_body.iter().collect();
        outer.sort();
        for (o, b) in outer {
            // A view of a tensor no name holds shares its elements with nothing the
            // body can see, so updating it there is exact.
            if let Some(&base) = walk.root(*o).and_then(|r| to_body.get(&r.root)) {
                self.loop_views.insert(*b);
                self.loop_views.insert(base);
            }
        }
    }
}
