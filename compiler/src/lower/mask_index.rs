//! A boolean mask beside other subscript items in a store: `x[mask, j] = v`,
//! `x[mask, 1:] = 0`, `x[:, mask] = v`, `x[i, mask] += v`, `x[mask, ids] = v`.
//!
//! PyTorch reads a k-D mask as k index tensors, the columns of
//! `mask.nonzero()`, so its selection has one axis for the true elements,
//! whose count only the run knows. A store keeps `x`'s shape, and stays static
//! when nothing else needs that count: a value with size 1 on that axis (or
//! without it), and index tensors beside the mask with one element each. Such
//! a store writes the same values along the mask's dimensions, so it is lowered
//! over the selection with the mask's dimensions in place of the count: each
//! mask dimension becomes an index tensor of all its positions (`arange` laid
//! along it, broadcasting to the mask's shape), the other items stay as they
//! are (`advanced.rs` places the block of index tensors as PyTorch does), and
//! the elements are written where the mask holds and kept where it does not:
//! `x` gathered at the positions, `where(mask, v, old)`, scattered back. The
//! gradients are `index_put`'s: `x`'s is zero where the mask wrote, `v`'s the
//! output's gradient where the mask holds, summed over what `v` broadcast.
//!
//! A read through a mask (`x[mask]`, `x[mask, 0]`) has the count in its shape,
//! which graphc must know when compiling: it is refused (E0225), and so is a
//! value or an index tensor that would need the count (E0708).

use graphc_runtime::op::IndexOp;
use graphc_runtime::{DType, Op};

use super::advanced::Slot;
use super::dyn_index::{Grid, Sub};
use super::{Lowerer, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// E0225: a read through a boolean mask, whose shape depends on the data.
    pub(super) fn mask_read_error(&mut self, at: Span) {
        self.error(
            Diagnostic::new(
                Code::E0225,
                "reading through a boolean mask gives a tensor whose shape depends on how many elements are true, which graphc must know when compiling",
                at,
                "a boolean mask",
            )
            .with_help(
                "keep the shape with `where(mask, x, 0.0)` or `masked_fill(x, logical_not(mask), 0.0)` (a sum over the true elements is `(x * mask).sum()`), or store through the mask (`x[mask] = v`, `x[mask, j] += v`)",
            ),
        );
    }

    /// The index tensors a mask over dimensions `d..d + k` of `shape` stands
    /// for, in a store: for each of its dimensions every position, laid along
    /// that dimension of the mask's shape. The mask must have the shape of the
    /// dimensions it covers (PyTorch's IndexError otherwise, E0700). `before` is
    /// the shape the items before the mask leave, which PyTorch's message names.
    pub(super) fn mask_positions(&mut self, mask: NodeId, (shape, d): (&[usize], usize), before: &[usize], at: Span) -> Option<Vec<NodeId>> {
        let msh = self.shape_of(mask);
        if msh.is_empty() {
            self.error(
                Diagnostic::new(Code::E0700, "a 0-d boolean index adds a dimension whose size depends on its value", at, "a 0-d mask")
                    .with_help("index with a mask of the shape of the dimensions it selects in, or write `if` around the store"),
            );
            return None;
        }
        let indexed: Vec<usize> = before.iter().chain(&shape[d..]).copied().collect();
        for (j, &m) in msh.iter().enumerate() {
            if m != shape[d + j] {
                self.error(
                    Diagnostic::new(
                        Code::E0700,
                        format!(
                            "The shape of the mask {} at index {j} does not match the shape of the indexed tensor {} at index {}",
                            shapes::show(&msh),
                            shapes::show(&indexed),
                            before.len() + j
                        ),
                        at,
                        format!("size {m} where the tensor has {}", shape[d + j]),
                    )
                    .with_help("give the mask the sizes of the dimensions it indexes"),
                );
                return None;
            }
        }
        let k = msh.len();
        let mut out = Vec::with_capacity(k);
        for (j, &m) in msh.iter().enumerate() {
            let all = (0..m as i64).map(graphc_runtime::op::Scalar::Int).collect();
            let all = self.node(Op::Literal(all), DType::I64, vec![m], &[], at);
            let mut along = vec![1; k];
            along[j] = m;
            out.push(self.node(Op::Reshape, DType::I64, along, &[all], at));
        }
        Some(out)
    }

    /// Checks that every index tensor beside the mask picks one element, and
    /// makes each a 0-d pick so that the block of index tensors is the mask's
    /// shape. Returns the rank of the block in PyTorch's selection: the index
    /// tensors' broadcast rank, at least 1 (the count of true elements last).
    pub(super) fn beside_mask(&mut self, slots: &mut [Slot], mask_slots: &[usize], span: Span) -> Option<usize> {
        let mut rank = 1;
        for (k, slot) in slots.iter_mut().enumerate() {
            let Slot::Tensor { ids, span: at, .. } = slot else { continue };
            if mask_slots.contains(&k) {
                continue;
            }
            let s = self.shape_of(*ids);
            if s.iter().product::<usize>() != 1 {
                self.error(
                    Diagnostic::new(
                        Code::E0708,
                        format!("an index tensor of shape {} beside a boolean mask must match the number of true elements, which only the run knows", shapes::show(&s)),
                        *at,
                        format!("shape {}", shapes::show(&s)),
                    )
                    .with_secondary(span, "this subscript holds a mask")
                    .with_help("beside a mask, index with an integer, a slice or a one-element index tensor; or write the selection as a mask over all the dimensions it covers"),
                );
                return None;
            }
            rank = rank.max(s.len());
            *ids = self.node(Op::Reshape, DType::I64, vec![], &[*ids], *at);
        }
        Some(rank)
    }

    /// `x[...] op= v` whose subscript (evaluated once, by the read that handed
    /// it over) holds a mask.
    pub(super) fn update_through_mask(&mut self, t: NodeId, subs: Vec<Sub>, (v, vs): (Value, Span), op: BinOp, span: Span) {
        let shape = self.shape_of(t);
        if let Some(grid) = self.grid(&shape, subs, (true, false), span) {
            self.store_through_mask(t, grid, (v, vs), Some(op), span);
        }
    }

    /// The store through `grid`, which holds a mask: `x` at the selected
    /// positions becomes `v` (or `x op v`) where the mask holds.
    pub(super) fn store_through_mask(&mut self, t: NodeId, grid: Grid, (v, vs): (Value, Span), op: Option<BinOp>, span: Span) -> Value {
        let mask = grid.mask.as_ref().expect("a grid with a mask");
        let (m, ms, at, rank) = (mask.mask, mask.span, mask.at, mask.rank);
        let (dt, shape) = (self.dtype_of(t), self.shape_of(t));
        let k = self.shape_of(m).len();
        let sel = grid.shape.clone();
        let after = sel.len() - at - k;
        // The index kernels move numbers: a bool tensor is written through i64.
        let wt = if dt == DType::Bool { DType::I64 } else { dt };
        let number = matches!(v, Value::Number { .. } | Value::Bool(_) | Value::Host { .. });
        // PyTorch's selection: the mask's dimensions are one axis of the count.
        let mut torch_sel: Vec<Option<usize>> = sel[..at].iter().map(|&n| Some(n)).collect();
        torch_sel.extend(std::iter::repeat_n(Some(1), rank - 1));
        torch_sel.push(None);
        torch_sel.extend(sel[at + k..].iter().map(|&n| Some(n)));
        let value = match v {
            Value::Tensor(n) => {
                let Some(laid) = self.lay_on_mask(n, &torch_sel, (at, k, rank), vs, ms) else { return Value::Poison };
                Value::Tensor(laid)
            }
            Value::Poison => return Value::Poison,
            other if number => other,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0700, format!("cannot store {} into a tensor", other.describe()), vs, "not a number or tensor")
                        .with_help("store a number or a tensor that broadcasts to the selected elements"),
                )
            }
        };
        let count: usize = sel.iter().product();
        let numel: usize = shape.iter().product();
        let x = if dt == DType::Bool { self.cast_to(t, DType::I64, span) } else { t };
        let flat_x = self.node(Op::Reshape, wt, vec![numel], &[x], span);
        let picked = self.node(Op::Index(IndexOp::Gather { dim: 0 }), wt, vec![count], &[flat_x, grid.flat], span);
        let old = self.node(Op::Reshape, wt, sel.clone(), &[picked], span);
        let new_values = match op {
            Some(op) => {
                let old = if dt == DType::Bool { self.cast_to(old, DType::Bool, span) } else { old };
                match self.binary(op, (Value::Tensor(old), span), (value, vs), span) {
                    Value::Tensor(r) if self.dtype_of(r) != dt => return self.dtype_mismatch(dt, self.dtype_of(r), vs),
                    Value::Tensor(r) => self.cast_to(r, wt, span),
                    _ => return Value::Poison,
                }
            }
            None => match value {
                Value::Tensor(n) if self.dtype_of(n) != dt => return self.dtype_mismatch(dt, self.dtype_of(n), vs),
                Value::Tensor(n) => self.cast_to(n, wt, vs),
                Value::Number(n) => self.scalar_num(n, wt, vs),
                Value::Bool(b) => self.scalar(if b { 1.0 } else { 0.0 }, wt, vs),
                Value::Host { node, .. } => self.cast_to(node, wt, vs),
                _ => return Value::Poison,
            },
        };
        let laid: Vec<usize> = [vec![1; at], self.shape_of(m), vec![1; after]].concat();
        let mask_laid = self.node(Op::Reshape, DType::Bool, laid, &[m], ms);
        let chosen = self.node(Op::Select, wt, sel, &[mask_laid, new_values, old], span);
        let src = self.node(Op::Reshape, wt, vec![count], &[chosen], span);
        let scatter = Op::Index(IndexOp::ScatterInto { dim: 0, add: false });
        let written = self.node(scatter, wt, vec![numel], &[flat_x, grid.flat, src], span);
        let new = self.node(Op::Reshape, wt, shape, &[written], span);
        let new = if dt == DType::Bool { self.cast_to(new, DType::Bool, span) } else { new };
        // PyTorch's `grad_fn`: `CopySlices` through a view of `x`, `masked_fill_`
        // for a number through the mask alone, `index_put_` otherwise.
        let grad_fn = if grid.view {
            "CopySlices"
        } else if op.is_none() && number && grid.advanced == k {
            "MaskedFillBackward0"
        } else {
            "IndexPutBackward0"
        };
        match self.update_in_place(t, new, grad_fn, span) {
            Some(n) => Value::Tensor(n),
            None => Value::Poison,
        }
    }

    /// The tensor value `v` of a masked store laid on the selection with the
    /// mask's dimensions (`at..at + k`) in place of the count's axis: `v`
    /// broadcasts to PyTorch's selection `torch_sel` (`None` the count) with
    /// size 1 on the count's axis, or E0708 (it would need the count) or E0700.
    fn lay_on_mask(&mut self, v: NodeId, torch_sel: &[Option<usize>], (at, k, rank): (usize, usize, usize), vs: Span, ms: Span) -> Option<NodeId> {
        let vsh = self.shape_of(v);
        if vsh.is_empty() {
            return Some(v);
        }
        let shown: Vec<String> = torch_sel.iter().map(|d| d.map_or("N".to_string(), |n| n.to_string())).collect();
        let shown = format!("[{}]", shown.join(", "));
        let count_axis = at + rank - 1;
        let r = torch_sel.len();
        let mut padded = vec![1; r.saturating_sub(vsh.len())];
        padded.extend_from_slice(&vsh);
        let fits = vsh.len() <= r && padded.iter().zip(torch_sel).enumerate().all(|(i, (&p, s))| i == count_axis || p == 1 || Some(p) == *s);
        if !fits {
            self.error(
                Diagnostic::new(
                    Code::E0700,
                    format!(
                        "a value of shape {} does not broadcast to the selected shape {shown} (N: the number of true elements)",
                        shapes::show(&vsh)
                    ),
                    vs,
                    "shapes do not fit",
                )
                .with_secondary(ms, "the mask")
                .with_help("store a value of the selected elements' shape, or one that broadcasts to it"),
            );
            return None;
        }
        if padded[count_axis] != 1 {
            self.error(
                Diagnostic::new(
                    Code::E0708,
                    format!(
                        "a value of shape {} needs the number of true elements of the mask, which only the run knows: it must broadcast to the selected shape {shown}",
                        shapes::show(&vsh)
                    ),
                    vs,
                    format!("size {} where the selection has one element per true element of the mask", padded[count_axis]),
                )
                .with_secondary(ms, "the mask")
                .with_help(
                    "store a value with size 1 there or without that dimension (the same values for every true element), or a tensor of `x`'s shape with `x = where(mask, v, x)`",
                ),
            );
            return None;
        }
        let mut laid = padded[..at].to_vec();
        laid.extend(std::iter::repeat_n(1, k));
        laid.extend_from_slice(&padded[at + rank..]);
        let dt = self.dtype_of(v);
        Some(self.node(Op::Reshape, dt, laid, &[v], vs))
    }
}
