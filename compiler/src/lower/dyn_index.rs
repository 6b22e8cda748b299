//! Subscripts with run-time integers: `x[i]`, `x[i, j]`, `x[:, i]`,
//! `x[i:i+k]`, `x[i*bs:(i+1)*bs]`, and stores through them (`losses[i] = v`).
//!
//! The loop counter and other run-time ints are 0-d i64 nodes, so the elements
//! such a subscript picks are known only when the program runs; their number is
//! known at compile time (a slice's length must be a constant, `affine.rs`
//! proves it). Such a subscript is lowered to the flat positions it picks: for
//! each dimension a vector of indices (a literal for compile-time items, the
//! run-time start plus `arange(len) * step` for run-time ones), scaled by the
//! dimension's stride and summed on a grid of the selected shape. A read is a
//! `gather` of the flattened tensor at those positions (its gradient is the
//! `scatter_add` into zeros that PyTorch's `select_backward` and
//! `slice_backward` compute), a store a `scatter` of the value into it
//! (PyTorch's `CopySlices`). Compile time and the plan's size do not depend on
//! the values: one loop body serves every iteration.
//!
//! Bounds follow PyTorch where the length stays static: a run-time integer
//! index may be negative and counts from the end; out of range, it stops the
//! run with PyTorch's IndexError message at the subscript. Each run-time index
//! vector is checked by a `gather` from `arange(n)` laid along its dimension, so
//! the message names the dimension. A run-time slice must lie inside its
//! dimension (Python would clamp it and give a shorter tensor, whose shape
//! graphc could not know), and its start counts from 0.

use graphc_runtime::op::{Binary, Cmp, IndexOp, Scalar};
use graphc_runtime::{DType, Op};

use super::advanced::Slot;
use super::index::Item;
use super::{HostKind, Lowerer, Scope, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Expr, IndexItem, Span};

/// One subscript item after evaluation: known at compile time, or picking
/// `len` indices from a run-time start.
#[derive(Clone)]
pub(super) enum Sub {
    Static(Item),
    /// A run-time integer (`keep` false: the dimension goes away, negative
    /// indices wrap) or a run-time slice of static length (`keep` true).
    Dyn {
        start: NodeId,
        len: usize,
        step: i64,
        keep: bool,
        span: Span,
        /// The constant `n` of a stop written `min(stop, n)`, read as `stop`
        /// where `n` is at least the dimension's size (see `slice_sub`).
        cap: Option<(i64, Span)>,
    },
    /// An i64 tensor of indices among other items (`advanced.rs`).
    Tensor {
        ids: NodeId,
        span: Span,
    },
    /// A bool mask among other items, in a store (`mask_index.rs`).
    Mask {
        mask: NodeId,
        span: Span,
    },
}

/// The flat positions a subscript picks, and the shape of what it selects.
pub(super) struct Grid {
    /// An i64 vector of the flat positions, in row-major order of the selection.
    pub flat: NodeId,
    /// The shape of `x[...]` (with a mask, of the selection before the mask
    /// applies: its dimensions in the place of the count of true elements).
    pub shape: Vec<usize>,
    /// PyTorch's `grad_fn` of the read: that of the last item that acts, or
    /// `IndexBackward0` with an index tensor.
    pub grad_fn: &'static str,
    /// Whether the basic items make a view before any index tensor applies
    /// (an integer, a slice that is not whole, `none`): a store through them
    /// is PyTorch's `CopySlices`.
    pub view: bool,
    /// How many index tensors the subscript holds (a mask counts one per dimension).
    pub advanced: usize,
    /// The bool mask of a store, if the subscript holds one.
    pub mask: Option<MaskSel>,
}

/// Where a store's bool mask stands in the selection (`mask_index.rs`).
pub(super) struct MaskSel {
    /// The mask, of the shape of the dimensions it indexes.
    pub mask: NodeId,
    pub span: Span,
    /// Where the block of the index tensors starts in [`Grid::shape`]: the
    /// mask's dimensions, which PyTorch's selection replaces by the count of
    /// true elements.
    pub at: usize,
    /// The rank of that block in PyTorch's selection: the count's axis last,
    /// after the leading axes (of size 1) of the index tensors beside the mask.
    pub rank: usize,
}

impl Lowerer<'_> {
    /// Evaluates subscript items once each; run-time integers become [`Sub::Dyn`].
    /// The items of a subscript; `sequence` when the receiver is a list, tuple
    /// or shape, whose slices may step backwards as Python's do.
    pub(super) fn subscript_items(&mut self, items: &[IndexItem], scope: &mut Scope, sequence: bool) -> Option<Vec<Sub>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let sub = match item {
                IndexItem::Ellipsis(_) => Sub::Static(Item::Ellipsis),
                IndexItem::Expr(e) => {
                    let v = self.expr(e, scope);
                    self.expr_sub(v, e.span)?
                }
                IndexItem::Slice { start, stop, step, span } => {
                    self.slice_sub(start.as_deref(), stop.as_deref(), step.as_deref(), *span, scope, sequence)?
                }
            };
            out.push(sub);
        }
        Some(out)
    }

    /// One evaluated expression item: `none`, an integer, or a run-time integer.
    pub(super) fn expr_sub(&mut self, v: Value, span: Span) -> Option<Sub> {
        match v {
            Value::None => Some(Sub::Static(Item::NewAxis)),
            Value::Host { node, kind: HostKind::Int } => Some(Sub::Dyn { start: node, len: 1, step: 1, keep: false, span, cap: None }),
            Value::Tensor(ids) if self.dtype_of(ids) == DType::I64 => Some(Sub::Tensor { ids, span }),
            Value::Tensor(mask) if self.dtype_of(mask) == DType::Bool => Some(Sub::Mask { mask, span }),
            // A list of integers indexes as the i64 tensor PyTorch makes of it.
            Value::List(items) if !items.is_empty() && items.iter().all(|(v, _)| matches!(v, Value::Number(n) if n.i64().is_some())) => {
                let values: Vec<Scalar> =
                    items.iter().map(|(v, _)| if let Value::Number(n) = v { Scalar::Int(n.i64().unwrap_or(0)) } else { Scalar::Int(0) }).collect();
                let n = values.len();
                Some(Sub::Tensor { ids: self.node(Op::Literal(values), DType::I64, vec![n], &[], span), span })
            }
            v => self.index_int(v, span, "an index").map(|i| Sub::Static(Item::Select(i, span))),
        }
    }

    /// A slice bound that is a one-element i64 tensor, as the run-time int
    /// PyTorch's `__index__` reads from it; any other value unchanged.
    fn tensor_as_index(&mut self, (v, s): (Value, Span)) -> (Value, Span) {
        match v {
            Value::Tensor(t) if self.dtype_of(t) == DType::I64 && self.shape_of(t).iter().product::<usize>() == 1 => (self.item(t, s, None, s), s),
            v => (v, s),
        }
    }

    /// `start:stop:step`: static when both bounds are known at compile time.
    fn slice_sub(
        &mut self,
        start: Option<&Expr>,
        stop: Option<&Expr>,
        step: Option<&Expr>,
        span: Span,
        scope: &mut Scope,
        sequence: bool,
    ) -> Option<Sub> {
        let mut eval = |p: Option<&Expr>| p.map(|e| (self.expr(e, scope), e.span)).filter(|(v, _)| !matches!(v, Value::None));
        let (a, b, c) = (eval(start), eval(stop), eval(step));
        // A one-element integer tensor bound is its number, as Python's
        // `__index__` makes it (`data[i:i+8] for i in ix`): a run-time int.
        let (a, b) = (a.map(|p| self.tensor_as_index(p)), b.map(|p| self.tensor_as_index(p)));
        let step = match c {
            None => 1,
            Some((v, s)) => self.index_int(v, s, "a slice step")?,
        };
        let is_host = |p: &Option<(Value, Span)>| matches!(p, Some((Value::Host { .. }, _)));
        // A list's slice may step backwards (`steps[::-1]`), with bounds known
        // when compiling; a tensor's may not, as in PyTorch.
        let backwards_ok = sequence && step < 0 && !is_host(&a) && !is_host(&b);
        if step <= 0 && !backwards_ok {
            let why = if step == 0 { "a slice step cannot be zero" } else { "a slice step must be positive: PyTorch has no negative steps" };
            self.error(Diagnostic::new(Code::E0223, why, span, "step not positive").with_help(
                "write a positive step; `flip(x, dims)` reverses a tensor's dimensions (lists, tuples and shapes take negative steps, as in Python)",
            ));
            return None;
        }
        if !is_host(&a) && !is_host(&b) {
            let mut bound = |p: Option<(Value, Span)>, what: &str| match p {
                None => Some(None),
                Some((v, s)) => self.index_int(v, s, what).map(Some),
            };
            let (a, b) = (bound(a, "a slice start")?, bound(b, "a slice stop")?);
            return Some(Sub::Static(Item::Slice { start: a, stop: b, step }));
        }
        // `x[i:min(i + bs, n)]` (d2l's last batch): where `n` is at least the
        // dimension's size, Python's slice clamps its stop there anyway, so the
        // stop is `i + bs` and the last iterations are the clamped ones (`loops.rs`).
        let mut cap = None;
        let b = match b {
            Some((Value::Host { node, kind: HostKind::Int }, s)) => match self.min_with_constant(node) {
                Some((stop, c)) => {
                    cap = Some((c, s));
                    Some((Value::Host { node: stop, kind: HostKind::Int }, s))
                }
                None => Some((Value::Host { node, kind: HostKind::Int }, s)),
            },
            b => b,
        };
        let start_value = a.as_ref().map_or(Value::Number(super::Num::Int(0)), |(v, _)| v.clone());
        let forms = (self.affine_of(&start_value), b.as_ref().and_then(|(v, _)| self.affine_of(v)));
        let length = match forms {
            (Some(p), Some(q)) => q.constant_difference(&p),
            _ => None,
        };
        let Some(length) = length else {
            let (what, at) = match (&a, &b) {
                (_, None) => ("it runs to the end from a run-time start".to_string(), span),
                (_, Some((v, s))) if self.affine_of(v).is_none() => (format!("this bound is {}", v.describe()), *s),
                (Some((v, s)), _) if self.affine_of(v).is_none() => (format!("this bound is {}", v.describe()), *s),
                _ => ("its stop minus its start depends on run-time values".to_string(), span),
            };
            self.error(
                Diagnostic::new(Code::E0607, "the length of this slice is not known at compile time", at, what).with_help(
                    "a tensor's shape is fixed when the program compiles: write the stop as the start plus a number (`x[i:i+k]`, `x[i*bs:(i+1)*bs]`), or `narrow(x, dim, start, length)`",
                ),
            );
            return None;
        };
        let len = if length > 0 { ((length + step - 1) / step) as usize } else { 0 };
        let start = match start_value {
            Value::Host { node, .. } => node,
            Value::Number(n) => self.scalar_num(n, DType::I64, span),
            _ => return None,
        };
        Some(Sub::Dyn { start, len, step, keep: true, span, cap })
    }

    /// The other operand and the constant of a host `min(a, c)` or `min(c, a)`
    /// with an integer constant `c` (Python's `min`, as `host_math.rs` lowers it:
    /// `select(a < b, a, b)`).
    fn min_with_constant(&self, n: NodeId) -> Option<(NodeId, i64)> {
        let g = &self.prog.graph;
        let Op::Select = g.node(n).op else { return None };
        let ops = g.operands(n);
        let (cond, a, b) = (ops[0], ops[1], ops[2]);
        if g.node(cond).op != Op::Compare(Cmp::Lt) || g.operands(cond) != [a, b] {
            return None;
        }
        let constant = |m: NodeId| {
            let f = self.affine_node(m, 0);
            f.terms.is_empty().then_some(f.constant)
        };
        match (constant(a), constant(b)) {
            (Some(c), None) => Some((b, c)),
            (None, Some(c)) => Some((a, c)),
            _ => None,
        }
    }

    /// `x[...]` where an item is a run-time integer or an index tensor.
    pub(super) fn index_dynamic(&mut self, t: NodeId, subs: Vec<Sub>, span: Span) -> Value {
        let (dt, shape) = (self.dtype_of(t), self.shape_of(t));
        let Some(grid) = self.grid(&shape, subs, (false, false), span) else { return Value::Poison };
        let count: usize = grid.shape.iter().product();
        let numel: usize = shape.iter().product();
        // The index kernels move numbers: a bool tensor goes through i64 and back.
        let (t, wt) = if dt == DType::Bool { (self.cast_to(t, DType::I64, span), DType::I64) } else { (t, dt) };
        let flat_x = self.node(Op::Reshape, wt, vec![numel], &[t], span);
        let picked = self.node(Op::Index(IndexOp::Gather { dim: 0 }), wt, vec![count], &[flat_x, grid.flat], span);
        let read = self.op_node(Op::Reshape, wt, grid.shape, &[picked], span, grid.grad_fn);
        Value::Tensor(if dt == DType::Bool { self.cast_to(read, DType::Bool, span) } else { read })
    }

    /// `x[...] = v` where an item is a run-time integer or an index tensor: the
    /// in-place update. With `accumulate` the value is added at the positions
    /// (`index_put_(..., accumulate=true)`), repeated ones adding up.
    pub(super) fn store_dynamic(&mut self, t: NodeId, subs: Vec<Sub>, (v, vs): (Value, Span), accumulate: bool, span: Span) -> Value {
        let (dt, shape) = (self.dtype_of(t), self.shape_of(t));
        let number = matches!(v, Value::Number { .. } | Value::Bool(_) | Value::Host { .. });
        let Some(grid) = self.grid(&shape, subs, (true, number), span) else { return Value::Poison };
        if grid.mask.is_some() {
            return self.store_through_mask(t, grid, (v, vs), None, span);
        }
        let code = if grid.advanced > 0 { Code::E0700 } else { Code::E0624 };
        let count: usize = grid.shape.iter().product();
        let numel: usize = shape.iter().product();
        // The index kernels move numbers: a bool tensor is written through i64.
        let wt = if dt == DType::Bool { DType::I64 } else { dt };
        let value = match v {
            Value::Number(n) => self.scalar_num(n, wt, vs),
            Value::Bool(b) => self.scalar(if b { 1.0 } else { 0.0 }, wt, vs),
            Value::Host { node, .. } => self.cast_to(node, wt, vs),
            // PyTorch's `index_put_` takes values of the tensor's dtype only.
            Value::Tensor(v) if grid.advanced > 0 && self.dtype_of(v) != dt => return self.dtype_mismatch(dt, self.dtype_of(v), vs),
            Value::Tensor(v) => self.cast_to(v, wt, vs),
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(code, format!("cannot store {} into a tensor", other.describe()), vs, "not a number or tensor")
                        .with_help("store a number or a tensor that broadcasts to the selected elements"),
                )
            }
        };
        let vsh = self.shape_of(value);
        if shapes::broadcast(&vsh, &grid.shape).ok().as_deref() != Some(&grid.shape[..]) {
            return self.error(
                Diagnostic::new(
                    code,
                    format!("a value of shape {} does not broadcast to the selected shape {}", shapes::show(&vsh), shapes::show(&grid.shape)),
                    vs,
                    "shapes do not fit",
                )
                .with_help("store a value of the selected elements' shape, or one that broadcasts to it"),
            );
        }
        let spread = if vsh == grid.shape { value } else { self.node(Op::Expand, wt, grid.shape.clone(), &[value], vs) };
        let src = self.node(Op::Reshape, wt, vec![count], &[spread], vs);
        let x = if dt == DType::Bool { self.cast_to(t, DType::I64, span) } else { t };
        let flat_x = self.node(Op::Reshape, wt, vec![numel], &[x], span);
        let op = Op::Index(IndexOp::ScatterInto { dim: 0, add: accumulate });
        let written = self.node(op, wt, vec![numel], &[flat_x, grid.flat, src], span);
        let new = self.node(Op::Reshape, wt, shape, &[written], span);
        let new = if dt == DType::Bool { self.cast_to(new, DType::Bool, span) } else { new };
        // PyTorch's `grad_fn`: a store through a view of `x` is `CopySlices`; one
        // index tensor and a number take `index_fill_`, the rest `index_put_`.
        let grad_fn = match (grid.view, grid.advanced, number) {
            (true, _, _) | (false, 0, _) => "CopySlices",
            (false, 1, true) if !accumulate => "IndexFillBackward0",
            _ => "IndexPutBackward0",
        };
        match self.update_in_place(t, new, grad_fn, span) {
            Some(n) => Value::Tensor(n),
            None => Value::Poison,
        }
    }

    /// PyTorch's refusal of a store through index tensors of a value of another
    /// dtype than the tensor's (E0700).
    pub(super) fn dtype_mismatch(&mut self, dest: DType, src: DType, vs: Span) -> Value {
        let (d, s) = (super::inplace::torch_type_name(dest), super::inplace::torch_type_name(src));
        self.error(
            Diagnostic::new(
                Code::E0700,
                format!("Index put requires the source and destination dtypes match, got {d} for the destination and {s} for the source."),
                vs,
                format!("a {src} value for a {dest} tensor"),
            )
            .with_help(format!("convert the value first (`.to({dest})`), or store a number, which takes the tensor's dtype")),
        )
    }

    /// How many dimensions of the indexed tensor item `s` takes: one for an
    /// index, a slice or an index tensor, a mask's rank, none for `none` and `...`.
    fn dims_taken(&self, s: &Sub) -> usize {
        match s {
            Sub::Dyn { .. } | Sub::Tensor { .. } | Sub::Static(Item::Select(..) | Item::Slice { .. }) => 1,
            Sub::Mask { mask, .. } => self.shape_of(*mask).len(),
            Sub::Static(_) => 0,
        }
    }

    /// The items of a read with each mask whose values are known when compiling
    /// replaced by its index tensors (`known_values.rs`); other masks stay, for
    /// E0225. The mask must have the sizes of the dimensions it covers, counted
    /// from the front, or from the back when a `...` comes before it.
    fn known_masks_as_indices(&mut self, shape: &[usize], subs: Vec<Sub>) -> Option<Vec<Sub>> {
        let dims: Vec<usize> = subs.iter().map(|s| self.dims_taken(s)).collect();
        let ellipsis = subs.iter().position(|s| matches!(s, Sub::Static(Item::Ellipsis)));
        let mut out = Vec::with_capacity(subs.len());
        for (k, s) in subs.into_iter().enumerate() {
            let Sub::Mask { mask, span: at } = s else {
                out.push(s);
                continue;
            };
            let msh = self.shape_of(mask);
            let first = match ellipsis {
                Some(e) if e < k => shape.len().checked_sub(dims[k..].iter().sum()),
                _ => Some(dims[..k].iter().sum()),
            };
            let covered = first.and_then(|d| shape.get(d..d + msh.len()));
            match (covered, self.known_mask_indices(mask, at)) {
                (Some(covered), Some(ids)) if covered == msh.as_slice() => out.extend(ids.into_iter().map(|ids| Sub::Tensor { ids, span: at })),
                (Some(covered), Some(_)) => {
                    self.error(
                        Diagnostic::new(
                            Code::E0700,
                            format!(
                                "The shape of the mask {} does not match the shape {} of the dimensions it indexes",
                                shapes::show(&msh),
                                shapes::show(covered)
                            ),
                            at,
                            "the sizes differ",
                        )
                        .with_help("give the mask the sizes of the dimensions it indexes"),
                    );
                    return None;
                }
                _ => out.push(Sub::Mask { mask, span: at }),
            }
        }
        Some(out)
    }

    /// Resolves the items against `shape` into the flat positions they pick:
    /// PyTorch's basic indexing left to right, `...` filling the middle, and
    /// its advanced indexing for i64 tensors among the items (`advanced.rs`).
    /// `store` picks the codes of a store's errors (E0701, E0700) over a read's
    /// (E0281), and `fill` says that a store writes a number. A bool mask is
    /// taken in a store only: it stands for one index tensor per dimension it
    /// covers, each the positions along its dimension (`mask_index.rs`).
    pub(super) fn grid(&mut self, shape: &[usize], subs: Vec<Sub>, (store, fill): (bool, bool), span: Span) -> Option<Grid> {
        // A read through a mask whose values are known when compiling is a read
        // through its index tensors (`known_values.rs`); other mask reads are E0225.
        let subs = if store { subs } else { self.known_masks_as_indices(shape, subs)? };
        let consumed: usize = subs.iter().map(|s| self.dims_taken(s)).sum();
        if let Some(at) = subs.iter().find_map(|s| if let Sub::Mask { span, .. } = s { Some(*span) } else { None }) {
            if !store {
                self.mask_read_error(at);
                return None;
            }
        }
        if subs.iter().filter(|s| matches!(s, Sub::Static(Item::Ellipsis))).count() > 1 {
            self.error(Diagnostic::new(Code::E0223, "a subscript may hold one `...`", span, "several `...`").with_help("keep one `...`"));
            return None;
        }
        if consumed > shape.len() {
            self.error(
                Diagnostic::new(
                    Code::E0224,
                    format!("too many indices for a tensor of dimension {}: {consumed}", shape.len()),
                    span,
                    "too many indices",
                )
                .with_help(format!("the tensor has shape {}", shapes::show(shape))),
            );
            return None;
        }
        // PyTorch's message for a computed index out of bounds names the index
        // tensor's place among the index tensors (its index kernel checks them),
        // except for a number stored through one index tensor alone, which is
        // `index_fill_`'s: that names the dimension of the (viewed) tensor.
        let lone_fill = store && fill && subs.iter().filter(|s| matches!(s, Sub::Tensor { .. } | Sub::Mask { .. })).count() == 1;
        let lone_fill = lone_fill && !subs.iter().any(|s| matches!(s, Sub::Mask { .. }));
        let mut ordinal = 0;
        // The mask (one at most) and the slots of its positions.
        let mut mask: Option<(NodeId, Span)> = None;
        let mut mask_slots: Vec<usize> = Vec::new();
        // Per item that acts, in order: what it picks from which dimension.
        let (mut slots, mut grad_fn, mut view) = (Vec::new(), "AliasBackward0", false);
        let mut d = 0;
        for sub in subs {
            match sub {
                Sub::Static(Item::Ellipsis) => {
                    for _ in 0..shape.len() - consumed {
                        slots.push(Slot::Pick { dim: d, pick: self.literal_pick((0..shape[d]).collect(), span), kept: true });
                        d += 1;
                    }
                }
                Sub::Static(Item::NewAxis) => {
                    slots.push(Slot::NewAxis);
                    grad_fn = "UnsqueezeBackward0";
                    view = true;
                }
                Sub::Static(Item::Select(i, is)) => {
                    let n = shape[d] as i64;
                    if i < -n || i >= n {
                        self.error(
                            Diagnostic::new(Code::E0224, format!("index {i} is out of bounds for dimension {d} with size {n}"), is, "out of bounds")
                                .with_help(format!("indices of this dimension run from {} to {}", -n, n - 1)),
                        );
                        return None;
                    }
                    slots.push(Slot::Pick { dim: d, pick: self.literal_pick(vec![(if i < 0 { i + n } else { i }) as usize], span), kept: false });
                    d += 1;
                    grad_fn = "SelectBackward0";
                    view = true;
                }
                Sub::Static(Item::Slice { start, stop, step }) => {
                    let n = shape[d] as i64;
                    let clamp = |b: i64| (if b < 0 { b + n } else { b }).clamp(0, n);
                    let (a, b) = (start.map_or(0, clamp), stop.map_or(n, clamp));
                    let idx: Vec<usize> = (a..b.max(a)).step_by(step as usize).map(|i| i as usize).collect();
                    if idx.len() != shape[d] {
                        grad_fn = "SliceBackward0";
                        view = true;
                    }
                    slots.push(Slot::Pick { dim: d, pick: self.literal_pick(idx, span), kept: true });
                    d += 1;
                }
                Sub::Dyn { start, len, step, keep, span: at, cap } => {
                    if let Some((c, cs)) = cap.filter(|&(c, _)| c < shape[d] as i64) {
                        self.error(
                            Diagnostic::new(Code::E0607, "the length of this slice is not known at compile time", cs, format!("`min` stops it at {c}, inside the dimension's {}", shape[d]))
                                .with_help("a tensor's shape is fixed when the program compiles: a slice of the loop counter may end at the end of its dimension (`x[i:min(i + bs, len(x))]`), where Python clamps it, but not before it"),
                        );
                        return None;
                    }
                    self.check_counter_bounds(start, (len, step, keep), (d, shape[d]), at);
                    slots.push(Slot::Pick { dim: d, pick: self.dynamic_pick(start, (len, step, keep), (d, shape[d]), at), kept: keep });
                    d += 1;
                    grad_fn = if keep { "SliceBackward0" } else { "SelectBackward0" };
                    view = true;
                }
                Sub::Tensor { ids, span: at } => {
                    let in_view = slots.iter().filter(|s| !matches!(s, Slot::Pick { kept: false, .. })).count();
                    let shown = if lone_fill { in_view } else { ordinal };
                    let ids = self.checked_ids(ids, (d, shape[d]), shown, store, at)?;
                    slots.push(Slot::Tensor { dim: d, ids, span: at });
                    d += 1;
                    ordinal += 1;
                }
                Sub::Mask { mask: m, span: at } => {
                    if let Some((_, first)) = mask {
                        self.error(
                            Diagnostic::new(Code::E0708, "a store takes one boolean mask in its subscript", at, "a second mask")
                                .with_secondary(first, "the first mask")
                                .with_help("PyTorch pairs the true elements of two masks by their count, which only the run knows: combine them into one mask with `logical_and` over the dimensions they index"),
                        );
                        return None;
                    }
                    // The shape of the tensor the mask indexes, after the items before it.
                    let mut before = Vec::new();
                    for slot in &slots {
                        match slot {
                            Slot::Pick { pick, kept: true, .. } => before.push(self.shape_of(*pick)[0]),
                            Slot::Pick { kept: false, .. } => {}
                            Slot::NewAxis => before.push(1),
                            Slot::Tensor { dim, .. } => before.push(shape[*dim]),
                        }
                    }
                    let dims = self.mask_positions(m, (shape, d), &before, at)?;
                    for (j, ids) in dims.into_iter().enumerate() {
                        mask_slots.push(slots.len());
                        slots.push(Slot::Tensor { dim: d + j, ids, span: at });
                    }
                    d += self.shape_of(m).len();
                    ordinal += self.shape_of(m).len();
                    mask = Some((m, at));
                }
            }
        }
        while d < shape.len() {
            slots.push(Slot::Pick { dim: d, pick: self.literal_pick((0..shape[d]).collect(), span), kept: true });
            d += 1;
        }
        let advanced = slots.iter().filter(|s| matches!(s, Slot::Tensor { .. })).count();
        if advanced > 0 {
            grad_fn = "IndexBackward0";
        }
        // The index tensors beside a mask pick one element each (their block
        // then has the mask's dimensions), and leave it as 0-d picks.
        let mut rank = 1;
        if mask.is_some() {
            rank = self.beside_mask(&mut slots, &mask_slots, span)?;
        }
        let (flat, shape, at) = self.flat_positions(shape, &slots, store, span)?;
        let mask = mask.map(|(mask, span)| MaskSel { mask, span, at, rank });
        Some(Grid { flat, shape, grad_fn, view, advanced, mask })
    }

    /// A subscript computed from the counter of the `range` loop whose body is being
    /// lowered (outside any run-time `if`) runs in every iteration with values known
    /// now: one out of bounds is refused when compiling (E0610), with the iteration,
    /// rather than when the run gets there. Other run-time indices are checked by
    /// the run (`dynamic_pick`).
    fn check_counter_bounds(&mut self, start: NodeId, (len, step, keep): (usize, i64, bool), (d, n): (usize, usize), at: Span) {
        let Some(counter) = self.counter.clone() else { return };
        let Some((v0, dv)) = self.affine_node(start, 0).along(&counter) else { return };
        if len == 0 || counter.trip == 0 {
            return;
        }
        let size = n as i128;
        // A run-time integer index may count from the end; a run-time slice starts at 0
        // and must lie inside its dimension (see the module's doc). `extra` is how far
        // past its start the selection reaches.
        let (min, extra) = if keep { (0, (len as i128 - 1) * step as i128) } else { (-size, 0) };
        let bad = |v: i128| v < min || v + extra >= size;
        // The start moves by `dv` per iteration, so the first iteration out of bounds
        // is the first, or the one where it crosses the bound it moves towards.
        let t = if bad(v0) {
            0
        } else if dv > 0 {
            (size - 1 - extra - v0) / dv + 1
        } else if dv < 0 {
            (v0 - min) / -dv + 1
        } else {
            return;
        };
        if t >= counter.trip as i128 {
            return;
        }
        let s = v0 + t * dv;
        // The index the run would name: the start below the bound, or the first
        // position of the selection past the end.
        let value = if s < min || s >= size { s } else { s + (size - s + step as i128 - 1) / step as i128 * step as i128 };
        let (name, first, last) = (&counter.name, counter.first, counter.at(counter.trip as i128 - 1));
        let allowed = if keep { format!("0..{n}") } else { format!("-{n}..{n}") };
        let what = if keep { "a slice" } else { "an index" };
        let error = Diagnostic::new(
            Code::E0610,
            format!("index {value} is out of bounds for dimension {d} with size {n}"),
            at,
            format!("{value} when `{name}` is {}", counter.at(t)),
        );
        // A slice that starts inside its dimension and runs past the end from
        // iteration `t` on is what Python clamps to a shorter tensor (the last
        // mini-batch of `x[i*bs:(i+1)*bs]`): the loop splits those iterations
        // off and lowers them with the counter known (`loops.rs`), so the error
        // is held back until the loop knows whether it can.
        // (A descending counter whose first iterations run past the end is not
        // such a tail: those iterations come first, and the error stands.)
        if keep && s >= 0 && dv >= 0 {
            let count = counter.trip as i128 - t;
            let error = Diagnostic::new(
                Code::E0610,
                match count {
                    1 => format!("this slice runs past the end of dimension {d} (size {n}) in the last iteration of this loop"),
                    _ => format!("this slice runs past the end of dimension {d} (size {n}) in the last {count} iterations of this loop"),
                },
                at,
                format!("it reaches index {value} when `{name}` is {}", counter.at(t)),
            )
            .with_help(format!(
                "`{name}` runs from {first} to {last}; Python gives the iterations from `{name}` = {} on shorter slices, each a shape of its own, and graphc compiles at most {} such iterations at the end of a loop separately: change the loop's range or the slice",
                counter.at(t),
                super::loops::MAX_CLAMPED_TAIL
            ));
            let t = t as u64;
            if self.clamped_tail.as_ref().is_none_or(|(first, _)| t < *first) {
                self.clamped_tail = Some((t, error));
            }
            return;
        }
        self.error(error.with_help(format!(
            "`{name}` runs from {first} to {last} in this loop, and {what} along this dimension must lie in {allowed} in every iteration: change the loop's range or the index"
        )));
    }

    /// A compile-time index vector.
    fn literal_pick(&mut self, idx: Vec<usize>, span: Span) -> NodeId {
        let n = idx.len();
        let values = idx.into_iter().map(|i| graphc_runtime::op::Scalar::Int(i as i64)).collect();
        self.node(Op::Literal(values), DType::I64, vec![n], &[], span)
    }

    /// The run-time index vector `start + arange(len) * step` of dimension `d`
    /// (of size `n`), a lone index wrapped when negative, checked against the
    /// dimension by a `gather` from `arange(n)`, which reports an index out of
    /// bounds with PyTorch's message.
    fn dynamic_pick(&mut self, start: NodeId, (len, step, keep): (usize, i64, bool), (d, n): (usize, usize), span: Span) -> NodeId {
        let start = self.cast_to(start, DType::I64, span);
        let start = if keep {
            start
        } else {
            let zero = self.scalar(0.0, DType::I64, span);
            let size = self.scalar(n as f64, DType::I64, span);
            let wrapped = self.node(Op::Binary(Binary::Add), DType::I64, vec![], &[start, size], span);
            let negative = self.node(Op::Compare(Cmp::Lt), DType::Bool, vec![], &[start, zero], span);
            self.node(Op::Select, DType::I64, vec![], &[negative, wrapped, start], span)
        };
        let offsets = Op::Arange { start: Scalar::Int(0), step: Scalar::Int(step) };
        let offsets = self.node(offsets, DType::I64, vec![len], &[], span);
        let vector = self.node(Op::Binary(Binary::Add), DType::I64, vec![len], &[start, offsets], span);
        let lead = vec![1; d];
        let table = self.node(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, DType::I64, vec![n], &[], span);
        let table = self.node(Op::Reshape, DType::I64, [lead.clone(), vec![n]].concat(), &[table], span);
        let index = self.node(Op::Reshape, DType::I64, [lead.clone(), vec![len]].concat(), &[vector], span);
        let checked = self.node(Op::Index(IndexOp::Gather { dim: d }), DType::I64, [lead, vec![len]].concat(), &[table, index], span);
        self.node(Op::Reshape, DType::I64, vec![len], &[checked], span)
    }
}
