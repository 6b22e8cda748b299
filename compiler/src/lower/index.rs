//! Lowering of subscripts `x[...]`: PyTorch's basic indexing.
//!
//! The items apply left to right, as PyTorch's `applySlicing` does: an integer
//! selects one index and removes its dimension (`SelectBackward0`), a slice
//! keeps its dimension (`SliceBackward0`), `none` inserts a dimension of size 1
//! (`UnsqueezeBackward0`) and `...` stands for as many full slices as the other
//! items leave dimensions. As in PyTorch, a full slice among several items is
//! skipped, a subscript that changes nothing is an alias (`AliasBackward0`),
//! and a lone full slice `x[:]` is still a slice. Bounds follow Python: slice
//! bounds are clamped, negative ones count from the end, and the step must be
//! positive (PyTorch rejects negative steps).
//!
//! A select is a one-element slice followed by a reshape that drops the
//! dimension; the slice's gradient writes into zeros (`slice_backward`), which
//! is PyTorch's `select_backward`. A subscript that is one i64 tensor is
//! advanced indexing of the first dimension, a `gather` with the index as its
//! second operand (`gather_calls.rs`); i64 tensors among other items, or
//! several, are lowered with run-time integers to the flat positions they pick
//! (`dyn_index.rs`, `advanced.rs`). A boolean mask is read nowhere, since the
//! shape it gives depends on the data (E0225); stores take it (`mask_index.rs`).

use graphc_runtime::Op;

use super::dyn_index::Sub;
use super::{Lowerer, Scope, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Expr, IndexItem, Span};

/// An item after evaluation.
#[derive(Clone)]
pub(super) enum Item {
    Select(i64, Span),
    Slice { start: Option<i64>, stop: Option<i64>, step: i64 },
    NewAxis,
    Ellipsis,
}

impl<'a> Lowerer<'a> {
    pub(super) fn index(&mut self, receiver: &Expr, items: &[IndexItem], scope: &mut Scope, span: Span) -> Value {
        // Whether `x[...] op= v` reads this subscript: one with a mask is then
        // handed over to the update (`mask_index.rs`) instead of read.
        let update = std::mem::take(&mut self.mask_update_read);
        let recv = self.expr(receiver, scope);
        // `param_group["lr"]`.
        if let (Value::ParamGroup { optimizer, defaults }, [IndexItem::Expr(key)]) = (&recv, items) {
            let kv = self.expr(key, scope);
            return match defaults {
                false => self.param_group_read(*optimizer, (kv, key.span), span),
                true => self.optimizer_defaults_read(*optimizer, (kv, key.span), span),
            };
        }
        // `self.layers[i]`: a module of a `ModuleList` or `Sequential`.
        if let (Some(mods), [IndexItem::Expr(key)]) = (super::nn_modules::container_items(&recv), items) {
            let kv = self.expr(key, scope);
            return self.container_index(mods, (kv, key.span));
        }
        // `d[key]`: the value a dict holds for a key.
        if let (Value::Dict { keys, items: values, .. }, [IndexItem::Expr(key)]) = (&recv, items) {
            let kv = self.expr(key, scope);
            return self.dict_read(keys, values, (kv, key.span));
        }
        // `opt.state[p]` and `opt.state[p]["exp_avg"]`.
        if let (Value::OptimizerState { optimizer, param }, [IndexItem::Expr(key)]) = (&recv, items) {
            let kv = self.expr(key, scope);
            return self.optimizer_state_read(*optimizer, *param, (kv, key.span), span);
        }
        // `obj[key]` for an object whose class defines `__getitem__` (a `Dataset`'s sample).
        if let (Value::Object { class, .. }, [IndexItem::Expr(key)]) = (&recv, items) {
            if let Some((owner, f)) = self.find_method(&class.clone(), "__getitem__") {
                let kv = self.expr(key, scope);
                return self.call_method(owner, f, recv, receiver.span, vec![(None, kv, key.span)], span).0;
            }
        }
        // `dataset[i]`, `dataset[a:b]`, `dataset[ids]`: the tuple of each
        // tensor's subscript, as `TensorDataset.__getitem__` gives it; the
        // subscript is evaluated once.
        if let Value::Dataset(tensors) = &recv {
            return self.dataset_index(tensors.clone(), items, scope, span);
        }
        // A receiver that failed was reported: its subscript may be of a kind only
        // the intended value takes (a string, for `opt.state[p]["step"]`).
        if matches!(recv, Value::Poison) {
            return Value::Poison;
        }
        if items.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0223, "an empty subscript selects nothing", span, "no index")
                    .with_help("write an index, a slice such as `x[:]`, or `x[...]`"),
            );
        }
        // One i64 tensor as the whole subscript is PyTorch's advanced indexing
        // of the first dimension (`emb[ids]`); the value is evaluated once.
        if let ([IndexItem::Expr(e)], Value::Tensor(t)) = (items, &recv) {
            let v = self.expr(e, scope);
            if let Value::Tensor(ids) = v {
                if self.dtype_of(ids) == graphc_runtime::DType::I64 {
                    return self.integer_tensor_index(*t, ids, e.span, span);
                }
            }
            return match self.expr_sub(v, e.span) {
                Some(mask @ Sub::Mask { .. }) if update => {
                    self.mask_update = Some((*t, vec![mask]));
                    Value::Poison
                }
                Some(Sub::Static(item)) => self.index_tensor(*t, vec![item], 1, span),
                Some(dynamic) => self.index_dynamic(*t, vec![dynamic], span),
                None => Value::Poison,
            };
        }
        let sequence = matches!(recv, Value::List(_) | Value::Tuple(_) | Value::Named { .. } | Value::Size(_));
        let Some(subs) = self.subscript_items(items, scope, sequence) else { return Value::Poison };
        if let (true, Value::Tensor(t)) = (update, &recv) {
            if subs.iter().any(|s| matches!(s, Sub::Mask { .. })) {
                self.mask_update = Some((*t, subs));
                return Value::Poison;
            }
        }
        // A run-time integer or an index tensor picks elements of a tensor only:
        // lists, tuples and shapes are compile-time values.
        let picked = subs.iter().find_map(|s| match s {
            Sub::Dyn { span, .. } => Some((*span, false)),
            Sub::Tensor { span, .. } | Sub::Mask { span, .. } => Some((*span, true)),
            Sub::Static(_) => None,
        });
        if let Some((at, tensor)) = picked {
            return match recv {
                Value::Tensor(t) => self.index_dynamic(t, subs, span),
                Value::Poison => Value::Poison,
                other if tensor => self.error(
                    Diagnostic::new(Code::E0223, format!("{} cannot be subscripted with a tensor", other.describe()), at, "a tensor index")
                        .with_help("index tensors pick elements of a tensor: `stack` the list's items into a tensor and index that"),
                ),
                other => self.error(
                    Diagnostic::new(Code::E0608, format!("{} cannot be subscripted with a run-time integer", other.describe()), at, "known only at run time")
                        .with_help("lists, tuples and shapes are compile-time values: loop over the list itself, index with the counter of a `range` loop of at most 512 iterations (which is unrolled), or `stack` the items into a tensor and index that"),
                ),
            };
        }
        let evaluated: Vec<Item> = subs.into_iter().filter_map(|s| if let Sub::Static(i) = s { Some(i) } else { None }).collect();
        match recv {
            Value::Tensor(t) => self.index_tensor(t, evaluated, items.len(), span),
            Value::List(list) => self.index_list(list, evaluated, span, Value::List),
            // A named tuple's slice is a plain tuple, as in Python.
            Value::Tuple(items) | Value::Named { items, .. } => self.index_list(items, evaluated, span, Value::Tuple),
            // A `torch.Size` subscripts as a tuple of ints: `x.shape[0]` is an int, `x.shape[1:]` a Size.
            Value::Size(dims) => {
                let items = dims.iter().map(|&d| (Value::Number(super::Num::Int(d as i128)), receiver.span)).collect();
                self.index_list(items, evaluated, span, |items| {
                    Value::Size(items.iter().map(|(v, _)| if let Value::Number(super::Num::Int(d)) = v { *d as usize } else { 0 }).collect())
                })
            }
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(Code::E0223, format!("{} cannot be subscripted", other.describe()), receiver.span, "not a tensor or list")
                    .with_help("subscripts apply to tensors (`x[0, 1:]`), lists (`x.split(2)[0]`), tuples and shapes (`x.shape[0]`)"),
            ),
        }
    }

    /// An integer of a subscript (E0223 otherwise).
    pub(super) fn index_int(&mut self, v: Value, span: Span, what: &str) -> Option<i64> {
        match v {
            Value::Number(super::Num::Int(i)) if i.abs() < 1_000_000_000_000_000 => Some(i as i64),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0223, format!("{what} must be an integer, not {}", other.describe()), span, "not an integer").with_help(
                        "index with integers, slices `a:b:c`, `none`, `...`, i64 tensors (`x[ids]`, `x[rows, cols]`) and, in a store, a boolean mask (`x[mask, j] = v`)",
                    ),
                );
                None
            }
        }
    }

    /// `list[i]` and `list[a:b:c]`, Python's indexing of a list, tuple or shape:
    /// one integer gives the element, one slice (bounds clamped, a positive step)
    /// a sequence of the same kind, which `rebuild` makes.
    fn index_list(&mut self, list: Vec<(Value, Span)>, items: Vec<Item>, span: Span, rebuild: fn(Vec<(Value, Span)>) -> Value) -> Value {
        if let [Item::Slice { start, stop, step }] = items.as_slice() {
            return rebuild(python_slice(list.len(), *start, *stop, *step).into_iter().map(|k| list[k].clone()).collect());
        }
        let [Item::Select(i, is)] = items.as_slice() else {
            return self.error(
                Diagnostic::new(Code::E0223, "a list, tuple or shape takes one integer or one slice as its subscript", span, "not one integer")
                    .with_help("write `pieces[0]` or `x.shape[1:]`"),
            );
        };
        let n = list.len() as i64;
        if *i < -n || *i >= n {
            return self.error(
                Diagnostic::new(Code::E0224, format!("list index {i} is out of range for a list of {n}"), *is, "out of range").with_help(format!(
                    "indices run from {} to {}",
                    -n,
                    n - 1
                )),
            );
        }
        let k = if *i < 0 { i + n } else { *i } as usize;
        list[k].0.clone()
    }

    /// `t[i]`: row `i` of a tensor, as `for row in t` binds it.
    pub(super) fn select_row(&mut self, t: NodeId, i: i64, span: Span) -> Value {
        self.index_tensor(t, vec![Item::Select(i, span)], 1, span)
    }

    pub(super) fn index_tensor(&mut self, t: NodeId, items: Vec<Item>, written: usize, span: Span) -> Value {
        let shape = self.shape_of(t);
        let ellipses = items.iter().filter(|i| matches!(i, Item::Ellipsis)).count();
        if ellipses > 1 {
            return self.error(Diagnostic::new(Code::E0223, "a subscript may hold one `...`", span, "several `...`").with_help("keep one `...`"));
        }
        let consumed = items.iter().filter(|i| matches!(i, Item::Select(..) | Item::Slice { .. })).count();
        if consumed > shape.len() {
            return self.error(
                Diagnostic::new(
                    Code::E0224,
                    format!("too many indices for a tensor of dimension {}: {consumed}", shape.len()),
                    span,
                    "too many indices",
                )
                .with_help(format!("the tensor has shape {}", shapes::show(&shape))),
            );
        }
        let lone_slice = written == 1 && matches!(items[0], Item::Slice { .. });
        // `dim` counts the current tensor's dimensions, `src` the input's (for messages).
        let (mut cur, mut dim, mut src, mut changed) = (t, 0usize, 0usize, false);
        for item in items {
            let cur_shape = self.shape_of(cur);
            match item {
                Item::Ellipsis => {
                    dim += shape.len() - consumed;
                    src += shape.len() - consumed;
                }
                Item::NewAxis => {
                    let mut sh = cur_shape;
                    sh.insert(dim, 1);
                    cur = self.view_node(cur, sh, span, "UnsqueezeBackward0");
                    dim += 1;
                    changed = true;
                }
                Item::Select(i, is) => {
                    let n = cur_shape[dim] as i64;
                    if i < -n || i >= n {
                        return self.error(
                            Diagnostic::new(
                                Code::E0224,
                                format!("index {i} is out of bounds for dimension {src} with size {n}"),
                                is,
                                "out of bounds",
                            )
                            .with_help(format!("indices of this dimension run from {} to {}", -n, n - 1)),
                        );
                    }
                    let k = if i < 0 { i + n } else { i } as usize;
                    let mut one = cur_shape.clone();
                    one[dim] = 1;
                    let dt = self.dtype_of(cur);
                    let row = self.node(Op::Slice { dim, start: k, step: 1 }, dt, one, &[cur], span);
                    let mut sh = cur_shape;
                    sh.remove(dim);
                    cur = self.view_node(row, sh, span, "SelectBackward0");
                    changed = true;
                    src += 1;
                }
                Item::Slice { start, stop, step } => {
                    let n = cur_shape[dim] as i64;
                    let clamp = |b: Option<i64>, default: i64| match b {
                        None => default,
                        Some(b) if b < 0 => (b + n).max(0),
                        Some(b) => b.min(n),
                    };
                    let (a, b) = (clamp(start, 0), clamp(stop, n));
                    let count = if b > a { (b - a + step - 1) / step } else { 0 };
                    // PyTorch skips a slice written from 0 (or no start) to the end
                    // or past it with step 1; `-n:` is not skipped though it is full.
                    let full = matches!(start, None | Some(0)) && b == n && step == 1;
                    if lone_slice || !full {
                        let mut sh = cur_shape;
                        sh[dim] = count as usize;
                        let dt = self.dtype_of(cur);
                        let first = if count == 0 { 0 } else { a as usize };
                        let op = Op::Slice { dim, start: first, step: step as usize };
                        cur = self.op_node(op, dt, sh, &[cur], span, "SliceBackward0");
                        changed = true;
                    }
                    dim += 1;
                    src += 1;
                }
            }
        }
        if !changed {
            let sh = self.shape_of(cur);
            cur = self.view_node(cur, sh, span, "AliasBackward0");
        }
        Value::Tensor(cur)
    }

    /// A `reshape` node that PyTorch makes as a view, with its `grad_fn`.
    fn view_node(&mut self, t: NodeId, shape: Vec<usize>, span: Span, grad_fn: &str) -> NodeId {
        let dt = self.dtype_of(t);
        self.op_node(Op::Reshape, dt, shape, &[t], span, grad_fn)
    }
}

/// The positions Python's `seq[start:stop:step]` picks from a sequence of `n`
/// items (CPython's `PySlice_AdjustIndices`): bounds count from the end when
/// negative and are clamped, to `-1..n - 1` when stepping backwards.
fn python_slice(n: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<usize> {
    let n = n as i64;
    let (lower, upper) = if step < 0 { (-1, n - 1) } else { (0, n) };
    let adjust = |b: Option<i64>, default: i64| match b {
        None => default,
        Some(b) if b < 0 => (b + n).max(lower),
        Some(b) => b.min(upper),
    };
    let (mut k, stop) = if step < 0 { (adjust(start, upper), adjust(stop, lower)) } else { (adjust(start, lower), adjust(stop, upper)) };
    let mut picked = Vec::new();
    while (step > 0 && k < stop) || (step < 0 && k > stop) {
        picked.push(k as usize);
        k += step;
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::python_slice;

    /// Python's answers for a list of 5: `list(range(5))[a:b:c]`.
    #[test]
    fn slices_follow_python() {
        assert_eq!(python_slice(5, None, None, -1), vec![4, 3, 2, 1, 0]);
        assert_eq!(python_slice(5, Some(3), None, -1), vec![3, 2, 1, 0]);
        assert_eq!(python_slice(5, None, Some(1), -2), vec![4, 2]);
        assert_eq!(python_slice(5, Some(-2), Some(-5), -1), vec![3, 2, 1]);
        assert_eq!(python_slice(5, Some(9), Some(-9), -3), vec![4, 1]);
        assert_eq!(python_slice(5, Some(1), Some(4), 1), vec![1, 2, 3]);
        assert_eq!(python_slice(5, Some(-9), Some(9), 2), vec![0, 2, 4]);
        assert_eq!(python_slice(5, Some(4), Some(1), 1), Vec::<usize>::new());
        assert_eq!(python_slice(0, None, None, -1), Vec::<usize>::new());
    }
}
