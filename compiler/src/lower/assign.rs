//! Stores into part of a tensor: `x[i] = v`, `x[a:b, j] = v`, `x[mask] = v`,
//! and `p.grad = none` (or a tensor).
//!
//! A subscript store is an in-place update whose new value selects, element by
//! element, between the stored value and the old one. With integers and slices
//! the selected positions are known at compile time: a constant bool mask marks
//! them, and a constant index gathers the value (broadcast to the selected
//! shape) into the tensor's layout, so the gradient is `select`'s and
//! `gather`'s (PyTorch's `CopySlices`). A bool mask of the tensor's shape with
//! one number or a 0-d tensor selects where it holds (`masked_fill`,
//! `index_put`); any other store through a mask, whose number of true elements
//! is known only at run time, is `mask_index.rs`'s.

use graphc_runtime::op::IndexOp;
use graphc_runtime::{DType, Op};

use super::dyn_index::Sub;
use super::index::Item;
use super::{Lowerer, Scope, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Expr, ExprKind, Ident, IndexItem, Span};

/// The elements a basic subscript selects in a tensor of some shape.
#[derive(Debug, PartialEq)]
pub(super) struct Selection {
    /// For each element in row-major order: its position in the selection
    /// (row-major over `shape`), or `None` when it is not selected.
    pub source: Vec<Option<usize>>,
    /// The shape of `x[...]` (what the stored value broadcasts to).
    pub shape: Vec<usize>,
}

/// Resolves integers, slices, `none` and `...` against `shape` as PyTorch's basic
/// indexing does. Errors are messages for E0624.
pub(super) fn select(shape: &[usize], items: &[Item]) -> Result<Selection, String> {
    let consuming = items.iter().filter(|i| matches!(i, Item::Select(..) | Item::Slice { .. })).count();
    if items.iter().filter(|i| matches!(i, Item::Ellipsis)).count() > 1 {
        return Err("a subscript has at most one `...`".to_string());
    }
    if consuming > shape.len() {
        return Err(format!("too many indices for a tensor of dimension {}", shape.len()));
    }
    // Per dimension of the tensor: the indices selected, and whether the dimension stays.
    let mut picks: Vec<(Vec<usize>, bool)> = Vec::new();
    let mut sel_shape = Vec::new();
    for item in items {
        let d = picks.len();
        match item {
            Item::Select(i, _) => {
                let n = shape[d] as i64;
                if *i < -n || *i >= n {
                    return Err(format!("index {i} is out of bounds for dimension {d} with size {n}"));
                }
                picks.push((vec![(if *i < 0 { i + n } else { *i }) as usize], false));
            }
            Item::Slice { start, stop, step } => {
                let n = shape[d] as i64;
                let clamp = |b: i64| (if b < 0 { b + n } else { b }).clamp(0, n);
                let (a, b) = (start.map_or(0, clamp), stop.map_or(n, clamp));
                let idx: Vec<usize> = (a..b.max(a)).step_by(*step as usize).map(|i| i as usize).collect();
                sel_shape.push(idx.len());
                picks.push((idx, true));
            }
            Item::NewAxis => sel_shape.push(1),
            Item::Ellipsis => {
                for _ in 0..shape.len() - consuming {
                    let d = picks.len();
                    sel_shape.push(shape[d]);
                    picks.push(((0..shape[d]).collect(), true));
                }
            }
        }
    }
    while picks.len() < shape.len() {
        let d = picks.len();
        sel_shape.push(shape[d]);
        picks.push(((0..shape[d]).collect(), true));
    }
    let strides = super::views::contiguous(shape);
    let total: usize = shape.iter().product();
    let mut source = vec![None; total];
    let count: usize = picks.iter().map(|(p, _)| p.len()).product();
    let mut digits = vec![0usize; picks.len()];
    for k in 0..count {
        let flat: usize = digits.iter().zip(&picks).zip(&strides).map(|((&j, (p, _)), s)| p[j] * s).sum();
        source[flat] = Some(k);
        for d in (0..digits.len()).rev() {
            digits[d] += 1;
            if digits[d] < picks[d].0.len() {
                break;
            }
            digits[d] = 0;
        }
    }
    Ok(Selection { source, shape: sel_shape })
}

impl Lowerer<'_> {
    /// `target = value` where the target is a subscript or a field.
    pub(crate) fn store(&mut self, target: &Expr, value: &Expr, scope: &mut Scope, span: Span) {
        match &target.kind {
            ExprKind::Index { .. } if self.mask_copy(target, value, scope, span) => {}
            ExprKind::Index { receiver, items } => {
                let v = self.expr(value, scope);
                self.store_index(receiver, items, (v, value.span), scope, span);
            }
            // `self.fc = Linear(4, 2)`: an object's attribute (`objects.rs`).
            ExprKind::Field { receiver, field } if self.peek_object(receiver, scope).is_some() => {
                self.store_attr(receiver, field, value, scope);
            }
            ExprKind::Field { receiver, field } if field.name == "grad" => {
                let recv = self.expr(receiver, scope);
                let v = self.expr(value, scope);
                self.set_grad(recv, receiver.span, (v, value.span), span);
            }
            // `p.data = v`: the tensor's elements replaced, through its detached view.
            ExprKind::Field { field, .. } if field.name == "data" => {
                let (view, v) = (self.expr(target, scope), self.expr(value, scope));
                let (Value::Tensor(t), Value::Tensor(src)) = (view, v.clone()) else {
                    if !matches!(v, Value::Poison) {
                        self.error(
                            Diagnostic::new(Code::E0624, format!("`.data` takes a tensor, not {}", v.describe()), value.span, "not a tensor")
                                .with_help("assign a tensor of the same dtype and shape, or fill in place with `p.data.fill_(v)`"),
                        );
                    }
                    return;
                };
                // PyTorch's `.data =` may change the dtype and shape; graphc's tensors
                // keep theirs, so only a value of the same dtype and shape is taken.
                let (want, got) = ((self.dtype_of(t), self.shape_of(t)), (self.dtype_of(src), self.shape_of(src)));
                if want != got {
                    self.error(
                        Diagnostic::new(
                            Code::E0624,
                            format!(
                                "`.data` of a {} tensor of shape {} takes one of the same dtype and shape, not {} of shape {}",
                                want.0,
                                shapes::show(&want.1),
                                got.0,
                                shapes::show(&got.1)
                            ),
                            value.span,
                            "another dtype or shape",
                        )
                        .with_help("a graphc tensor keeps its dtype and shape: bind the name to the new tensor instead"),
                    );
                    return;
                }
                let copy = Ident { name: "copy_".to_string(), span: field.span };
                self.inplace_with(t, target.span, &copy, vec![(None, Value::Tensor(src), value.span)], span);
            }
            // `p.requires_grad = false`: `p.requires_grad_(false)`, as freezing a
            // pretrained layer writes it.
            ExprKind::Field { receiver, field } if field.name == "requires_grad" => {
                let (recv, v) = (self.expr(receiver, scope), self.expr(value, scope));
                match (recv, v) {
                    (Value::Tensor(t), Value::Bool(flag)) => {
                        self.set_requires_grad(t, flag, span);
                    }
                    (Value::Poison, _) | (_, Value::Poison) => {}
                    (Value::Tensor(_), other) => {
                        self.error(
                            Diagnostic::new(
                                Code::E0624,
                                format!("`.requires_grad` takes `true` or `false`, not {}", other.describe()),
                                value.span,
                                "not a bool",
                            )
                            .with_help("graphc decides which tensors require grad when compiling: assign a bool known then"),
                        );
                    }
                    (other, _) => {
                        self.error(
                            Diagnostic::new(
                                Code::E0624,
                                format!("`.requires_grad` of {} cannot be set", other.describe()),
                                receiver.span,
                                "not a tensor",
                            )
                            .with_help("set the flag of a tensor (`p.requires_grad = false`), or freeze a module with `model.requires_grad_(false)`"),
                        );
                    }
                }
            }
            ExprKind::Field { field, .. } => {
                self.error(
                    Diagnostic::new(Code::E0624, format!("cannot assign to `.{}`", field.name), field.span, "not assignable")
                        .with_help("the assignable fields are `.grad` (`p.grad = none`), `.data` and `.requires_grad`"),
                );
            }
            _ => {}
        }
    }

    /// `p.grad = none` (PyTorch's `set_to_none`) or `p.grad = g`.
    fn set_grad(&mut self, recv: Value, rs: Span, (v, vs): (Value, Span), span: Span) {
        let n = match recv {
            Value::Tensor(n) if self.is_grad_leaf(n) => n,
            Value::Tensor(n) => {
                self.not_a_leaf(n, rs);
                return;
            }
            Value::Poison => return,
            other => {
                self.error(
                    Diagnostic::new(Code::E0401, format!("{} has no `.grad`", other.describe()), rs, "not a tensor")
                        .with_help("set `.grad` of a tensor created with `requires_grad=true`"),
                );
                return;
            }
        };
        let grad = match v {
            Value::None => None,
            Value::Tensor(g) if self.shape_of(g) == self.shape_of(n) && self.dtype_of(g) == self.dtype_of(n) => Some(g),
            Value::Poison => return,
            other => {
                let what = format!("{} {}", self.dtype_of(n), shapes::show(&self.shape_of(n)));
                let got = match other {
                    Value::Tensor(g) => format!("a {} {} tensor", self.dtype_of(g), shapes::show(&self.shape_of(g))),
                    o => o.describe().to_string(),
                };
                self.error(
                    Diagnostic::new(Code::E0624, format!("a gradient must be `none` or a {what} tensor, not {got}"), vs, "does not fit")
                        .with_secondary(span, "assigned here")
                        .with_help("write `p.grad = none`, or assign a tensor of the leaf's dtype and shape"),
                );
                return;
            }
        };
        self.grad_state.insert(n, grad);
    }

    /// `base[items] = value`: the in-place update of the selected elements of `base`.
    /// Returns the updated tensor.
    pub(crate) fn store_index(&mut self, base: &Expr, items: &[IndexItem], (v, vs): (Value, Span), scope: &mut Scope, span: Span) -> Value {
        let recv = self.expr(base, scope);
        let t = match recv {
            Value::Tensor(t) => t,
            Value::Poison => return Value::Poison,
            Value::List(list) => return self.list_store(base, list, items, (v, vs), scope),
            Value::Dict { keys, items: values, ordered } => return self.dict_store(base, (keys, values, ordered), items, (v, vs), scope),
            Value::ParamGroup { defaults: true, .. } => {
                return self.error(
                    Diagnostic::new(Code::E0684, "graphc cannot change an optimizer's defaults", base.span, "read only")
                        .with_help("give the options when making the optimizer; a rate changes through `param_group[\"lr\"]`"),
                );
            }
            Value::ParamGroup { optimizer: k, .. } => {
                let [IndexItem::Expr(key)] = items else {
                    return self.error(
                        Diagnostic::new(Code::E0684, "a param group is assigned by one key", base.span, "not one key")
                            .with_help("write `param_group[\"lr\"] = lr`"),
                    );
                };
                let kv = self.expr(key, scope);
                return self.param_group_store(k, (kv, key.span), (v, vs));
            }
            Value::OptimizerState { .. } => {
                return self.error(
                    Diagnostic::new(Code::E0684, "graphc cannot assign an optimizer's state", base.span, "read only")
                        .with_help("the optimizer's `step()` alone updates its state; read an entry with `opt.state[p][\"exp_avg\"]`"),
                );
            }
            other => {
                return self.error(
                    Diagnostic::new(Code::E0624, format!("cannot assign into {}", other.describe()), base.span, "not a tensor")
                        .with_help("assign into a tensor's elements (`x[i] = v`); build lists with `[...]`"),
                )
            }
        };
        if matches!(v, Value::Poison) {
            return Value::Poison;
        }
        // One tensor as the whole subscript: a bool mask, or an i64 tensor of indices (`index_put_`).
        let mut evaluated = Vec::new();
        if let [IndexItem::Expr(e)] = items {
            match self.expr(e, scope) {
                // A mask of `x`'s shape (or one that broadcasts to it) and one value is
                // `masked_fill_`; any other mask store is `mask_index.rs`'s.
                Value::Tensor(m) if self.dtype_of(m) == DType::Bool => {
                    let one_value = match &v {
                        Value::Number(_) | Value::Bool(_) | Value::Host { .. } => true,
                        Value::Tensor(f) => self.shape_of(*f).is_empty(),
                        _ => false,
                    };
                    let sh = self.shape_of(t);
                    if one_value && shapes::broadcast(&self.shape_of(m), &sh).ok().as_deref() == Some(&sh[..]) {
                        return self.store_mask(t, m, (v, vs), span);
                    }
                    return self.store_dynamic(t, vec![Sub::Mask { mask: m, span: e.span }], (v, vs), false, span);
                }
                Value::Tensor(ids) if self.dtype_of(ids) == DType::I64 => return self.store_ids(t, (ids, e.span), (v, vs), span),
                Value::Tensor(f) => {
                    let what = format!("a {} tensor", self.dtype_of(f));
                    return self.error(
                        Diagnostic::new(Code::E0624, format!("cannot assign through {what}"), e.span, "not an index")
                            .with_help("assign through integers, slices, an i64 tensor of indices (`x[ids] = v`) or a bool mask (`x[mask] = v`)"),
                    );
                }
                Value::None => evaluated.push(Item::NewAxis),
                other => match self.expr_sub(other, e.span) {
                    Some(Sub::Static(i)) => evaluated.push(i),
                    Some(dynamic) => return self.store_dynamic(t, vec![dynamic], (v, vs), false, span),
                    None => return Value::Poison,
                },
            }
        } else {
            let Some(subs) = self.subscript_items(items, scope, false) else { return Value::Poison };
            if subs.iter().any(|s| matches!(s, Sub::Dyn { .. } | Sub::Tensor { .. } | Sub::Mask { .. })) {
                return self.store_dynamic(t, subs, (v, vs), false, span);
            }
            evaluated.extend(subs.into_iter().filter_map(|s| if let Sub::Static(i) = s { Some(i) } else { None }));
        }
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        let sel = match select(&sh, &evaluated) {
            Ok(s) => s,
            Err(msg) => {
                return self
                    .error(Diagnostic::new(Code::E0624, msg, span, "cannot select these elements").with_help("index within the tensor's shape"))
            }
        };
        let Some(placed) = self.placed_value((v, vs), &sel, dt, &sh, span) else { return Value::Poison };
        let mask_vals = sel.source.iter().map(|s| graphc_runtime::op::Scalar::float(if s.is_some() { 1.0 } else { 0.0 })).collect();
        let mask = self.node(Op::Literal(mask_vals), DType::Bool, sh.clone(), &[], span);
        let new = self.node(Op::Select, dt, sh, &[mask, placed, t], span);
        match self.update_in_place(t, new, "CopySlices", span) {
            Some(n) => Value::Tensor(n),
            None => Value::Poison,
        }
    }

    /// The stored value laid out for a select against the whole tensor: a 0-d node
    /// for one number, or the value broadcast to the selection's shape and gathered
    /// into the tensor's layout.
    pub(super) fn placed_value(&mut self, (v, vs): (Value, Span), sel: &Selection, dt: DType, sh: &[usize], span: Span) -> Option<NodeId> {
        let v = match v {
            Value::Number(n) => return Some(self.scalar_num(n, dt, vs)),
            Value::Bool(b) => return Some(self.scalar(if b { 1.0 } else { 0.0 }, dt, vs)),
            Value::Host { node, .. } => return Some(self.cast_to(node, dt, vs)),
            Value::Tensor(v) => self.cast_to(v, dt, vs),
            other => {
                self.error(
                    Diagnostic::new(Code::E0624, format!("cannot store {} into a tensor", other.describe()), vs, "not a number or tensor")
                        .with_help("store a number or a tensor that broadcasts to the selected elements"),
                );
                return None;
            }
        };
        let vsh = self.shape_of(v);
        if vsh.is_empty() {
            return Some(v);
        }
        if shapes::broadcast(&vsh, &sel.shape).ok().as_deref() != Some(&sel.shape[..]) {
            self.error(
                Diagnostic::new(
                    Code::E0624,
                    format!("a value of shape {} does not broadcast to the selected shape {}", shapes::show(&vsh), shapes::show(&sel.shape)),
                    vs,
                    "shapes do not fit",
                )
                .with_help("store a value of the selected elements' shape, or one that broadcasts to it"),
            );
            return None;
        }
        let count: usize = sel.shape.iter().product();
        let spread = if vsh == sel.shape { v } else { self.node(Op::Expand, dt, sel.shape.clone(), &[v], vs) };
        let flat = self.node(Op::Reshape, dt, vec![count], &[spread], vs);
        if count == 0 {
            // An empty selection (`x[1:] = v` of a one-element `x`) places nothing, and a
            // gather from the empty value would index out of bounds. A float value still
            // reaches the graph through its empty sum (0), so its gradient is zeros, as
            // PyTorch's; an integer or bool value never requires grad.
            if matches!(dt, DType::F32 | DType::F64) {
                let sum = Op::Reduce { kind: graphc_runtime::op::ReduceKind::Sum, dims: vec![0], keepdim: false };
                return Some(self.node(sum, dt, vec![], &[flat], vs));
            }
            return Some(self.scalar(0.0, dt, vs));
        }
        let total: usize = sh.iter().product();
        let index = sel.source.iter().map(|s| graphc_runtime::op::Scalar::Int(s.unwrap_or(0) as i64)).collect();
        let index = self.node(Op::Literal(index), DType::I64, vec![total], &[], span);
        let gathered = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![total], &[flat, index], span);
        Some(self.node(Op::Reshape, dt, sh.to_vec(), &[gathered], span))
    }

    /// `x[mask] = v` with a bool mask of `x`'s shape (or one that broadcasts to
    /// it) and one value: a number, or a 0-d tensor (the caller checked both).
    fn store_mask(&mut self, t: NodeId, m: NodeId, (v, vs): (Value, Span), span: Span) -> Value {
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        // A number is PyTorch's `masked_fill_`, a tensor its `index_put_`.
        let (fill, grad_fn) = match v {
            Value::Number(n) => (self.scalar_num(n, dt, vs), "MaskedFillBackward0"),
            Value::Bool(b) => (self.scalar(if b { 1.0 } else { 0.0 }, dt, vs), "MaskedFillBackward0"),
            Value::Host { node, .. } => (self.cast_to(node, dt, vs), "MaskedFillBackward0"),
            Value::Tensor(f) => (self.cast_to(f, dt, vs), "IndexPutBackward0"),
            _ => return Value::Poison,
        };
        let new = self.node(Op::Select, dt, sh, &[m, fill, t], span);
        match self.update_in_place(t, new, grad_fn, span) {
            Some(n) => Value::Tensor(n),
            None => Value::Poison,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(start: Option<i64>, stop: Option<i64>, step: i64) -> Item {
        Item::Slice { start, stop, step }
    }

    #[test]
    fn an_integer_selects_a_row() {
        let s = select(&[2, 3], &[Item::Select(-1, Span::default())]).unwrap();
        assert_eq!(s.shape, vec![3]);
        assert_eq!(s.source, vec![None, None, None, Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn slices_clamp_and_step_as_python() {
        let s = select(&[5], &[slice(Some(-4), Some(99), 2)]).unwrap();
        assert_eq!(s.shape, vec![2]);
        assert_eq!(s.source, vec![None, Some(0), None, Some(1), None]);
        let empty = select(&[3], &[slice(Some(2), Some(1), 1)]).unwrap();
        assert_eq!(empty.shape, vec![0]);
        assert!(empty.source.iter().all(Option::is_none));
    }

    #[test]
    fn an_ellipsis_fills_the_middle() {
        let s = select(&[2, 2, 2], &[Item::Ellipsis, Item::Select(1, Span::default())]).unwrap();
        assert_eq!(s.shape, vec![2, 2]);
        assert_eq!(s.source, vec![None, Some(0), None, Some(1), None, Some(2), None, Some(3)]);
    }

    #[test]
    fn out_of_bounds_and_too_many_indices_are_errors() {
        assert!(select(&[3], &[Item::Select(3, Span::default())]).is_err());
        assert!(select(&[3], &[Item::Select(0, Span::default()), Item::Select(0, Span::default())]).is_err());
    }
}
