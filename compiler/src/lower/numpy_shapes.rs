//! NumPy's shape helpers as PyTorch spells them, each written as ATen writes it
//! (`TensorShape.cpp`) so that results and `grad_fn`s are PyTorch's:
//! `movedim`/`moveaxis` (a permute), `swapaxes`/`swapdims` (a transpose),
//! `tile` (a `repeat` after ones are put in front), `unflatten` (a view),
//! `atleast_1d/2d/3d` (views that add dimensions), and `hstack`, `vstack`,
//! `row_stack`, `dstack` and `column_stack` (a `cat` of such views).

use graphc_runtime::Op;

use super::index::Item;
use super::{Lowerer, Num, Value};
use crate::check::shape_builtins::ShapeBuiltin;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// How many dimensions `atleast_Nd` makes sure of.
fn least_rank(b: ShapeBuiltin) -> usize {
    match b {
        ShapeBuiltin::Atleast1d => 1,
        ShapeBuiltin::Atleast2d => 2,
        _ => 3,
    }
}

impl Lowerer<'_> {
    /// `movedim(input, source, destination)`: ATen's `movedim`, which places
    /// each `source[i]` at `destination[i]` and the other dimensions, in order,
    /// in the places left. A 0-d input is an alias, as in ATen.
    pub(super) fn movedim_call(&mut self, t: NodeId, source: (Value, Span), dest: (Value, Span), span: Span) -> Value {
        let rank = self.shape_of(t).len();
        let Some(src) = self.moved_dims(source, rank, "source") else { return Value::Poison };
        let Some(dst) = self.moved_dims(dest, rank, "destination") else { return Value::Poison };
        if src.len() != dst.len() {
            return self.error(
                Diagnostic::new(
                    Code::E0220,
                    format!("`movedim` moves {} dimensions to {} places", src.len(), dst.len()),
                    span,
                    "source and destination differ in length",
                )
                .with_help("give `source` and `destination` the same number of dimensions"),
            );
        }
        if rank == 0 {
            let shape = self.shape_of(t);
            let dt = self.dtype_of(t);
            return Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[t], span, "AliasBackward0"));
        }
        let mut perm: Vec<Option<usize>> = vec![None; rank];
        for (&s, &d) in src.iter().zip(&dst) {
            perm[d] = Some(s);
        }
        let mut rest = (0..rank).filter(|d| !src.contains(d));
        let perm: Vec<usize> = perm.into_iter().map(|p| p.unwrap_or_else(|| rest.next().expect("as many free places as free dimensions"))).collect();
        let shape = shapes::permuted(&self.shape_of(t), &perm);
        let dt = self.dtype_of(t);
        Value::Tensor(self.op_node(Op::Permute(perm), dt, shape, &[t], span, "PermuteBackward0"))
    }

    /// One dimension or a list of them, each normalized and each once.
    fn moved_dims(&mut self, arg: (Value, Span), rank: usize, what: &str) -> Option<Vec<usize>> {
        let (v, s) = arg;
        let items = match v {
            Value::List(items) | Value::Tuple(items) => items,
            Value::Size(dims) => dims.iter().map(|&d| (Value::Number(Num::Int(d as i128)), s)).collect(),
            other => vec![(other, s)],
        };
        let mut dims = Vec::with_capacity(items.len());
        for item in items {
            let at = item.1;
            // PyTorch wraps a dimension of a 0-d tensor as of a 1-d one.
            let d = self.dim_arg(Some(item), 0, rank.max(1), at)?;
            if dims.contains(&d) {
                self.error(
                    Diagnostic::new(Code::E0220, format!("`movedim` repeats dimension {d} in `{what}`"), at, "given twice")
                        .with_help("name each dimension once"),
                );
                return None;
            }
            dims.push(d);
        }
        Some(dims)
    }

    /// `swapaxes(input, axis0, axis1)` and `swapdims(input, dim0, dim1)`: `transpose`.
    pub(super) fn swap_call(&mut self, t: NodeId, d0: (Value, Span), d1: (Value, Span), span: Span) -> Value {
        let Some(dims) = self.int_args(vec![d0, d1], span, "the dimensions to swap") else { return Value::Poison };
        match shapes::swap_dims(dims[0].0, dims[1].0, self.shape_of(t).len()) {
            Ok(perm) => {
                let shape = shapes::permuted(&self.shape_of(t), &perm);
                let dt = self.dtype_of(t);
                Value::Tensor(self.op_node(Op::Permute(perm), dt, shape, &[t], span, "TransposeBackward0"))
            }
            Err(msg) => self.error(
                Diagnostic::new(Code::E0220, msg, dims[0].1.to(dims[1].1), "no such dimension")
                    .with_help("dimensions count from 0, or from -1 at the end"),
            ),
        }
    }

    /// `select(input, dim, index)`: the view `input[:, ..., index]` with the
    /// index at `dim` (`SelectBackward0`), as the subscript takes it.
    pub(super) fn select_call(&mut self, t: NodeId, dim: (Value, Span), index: (Value, Span), span: Span) -> Value {
        let Some(args) = self.int_args(vec![dim, index], span, "select's dimension and index") else { return Value::Poison };
        let ((d, ds), (i, is)) = (args[0], args[1]);
        let shape = self.shape_of(t);
        if shape.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0224, "select() cannot be applied to a 0-dim tensor.", span, "0-d")
                    .with_help("`select` takes one element along a dimension of a tensor of at least one"),
            );
        }
        let Some(d) = self.checked_dim(d, ds, &shape) else { return Value::Poison };
        let mut items = vec![Item::Slice { start: None, stop: None, step: 1 }; d];
        items.push(Item::Select(i, is));
        let written = items.len();
        self.index_tensor(t, items, written, span)
    }

    /// `tile(input, dims)`: ATen's `tile`, `repeat` with ones in front of
    /// `dims` when it is shorter than the input's rank.
    pub(super) fn tile_call(&mut self, t: NodeId, dims: Vec<(Value, Span)>, span: Span) -> Value {
        let Some(reps) = self.int_args(dims, span, "tile's counts") else { return Value::Poison };
        let rank = self.shape_of(t).len();
        let at = reps.first().map_or(span, |(_, s)| *s);
        let mut padded: Vec<(Value, Span)> = Vec::with_capacity(rank.max(reps.len()));
        padded.extend((reps.len()..rank).map(|_| (Value::Number(Num::Int(1)), at)));
        padded.extend(reps.into_iter().map(|(r, s)| (Value::Number(Num::Int(r as i128)), s)));
        if padded.is_empty() {
            // `tile(x, ())` of a 0-d tensor is `repeat(x, [])`, a copy.
            padded.push((Value::List(Vec::new()), at));
        }
        self.repeat_call(t, padded, span)
    }

    /// `unflatten(input, dim, sizes)`: dimension `dim` viewed as `sizes` (one
    /// may be `-1`), which must multiply to its size.
    pub(super) fn unflatten_call(&mut self, t: NodeId, dim: (Value, Span), sizes: (Value, Span), span: Span) -> Value {
        let shape = self.shape_of(t);
        let Some(d) = self.dim_arg(Some(dim), 0, shape.len(), span) else { return Value::Poison };
        let ss = sizes.1;
        let Some(sizes) = self.int_args(vec![sizes], span, "unflatten's sizes") else { return Value::Poison };
        if sizes.is_empty() {
            return self.size_error("unflatten needs at least one size".to_string(), ss, "no sizes");
        }
        let inferred = sizes.iter().filter(|(s, _)| *s == -1).count();
        let known: u128 = sizes.iter().filter(|(s, _)| *s != -1).map(|(s, _)| (*s).max(0) as u128).product();
        let fits = sizes.iter().all(|(s, _)| *s >= -1)
            && inferred <= 1
            && if inferred == 1 { known != 0 && (shape[d] as u128).is_multiple_of(known) } else { known == shape[d] as u128 };
        if !fits {
            let shown: Vec<String> = sizes.iter().map(|(s, _)| s.to_string()).collect();
            return self.size_error(
                format!("unflatten's sizes [{}] do not multiply to the size of dimension {d} ({})", shown.join(", "), shape[d]),
                ss,
                "sizes do not fit",
            );
        }
        let mut out: Vec<usize> = shape[..d].to_vec();
        out.extend(sizes.iter().map(|&(s, _)| if s == -1 { (shape[d] as u128 / known) as usize } else { s as usize }));
        out.extend_from_slice(&shape[d + 1..]);
        let dt = self.dtype_of(t);
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[t], span, "ViewBackward0"))
    }

    /// `atleast_1d`, `atleast_2d`, `atleast_3d`: one tensor for one argument,
    /// a tuple for several or for one list, as PyTorch returns them.
    pub(super) fn atleast_call(&mut self, b: ShapeBuiltin, args: Vec<(Value, Span)>) -> Value {
        let name = format!("atleast_{}d", least_rank(b));
        let (items, one) = match args.as_slice() {
            [(Value::List(items) | Value::Tuple(items), _)] => (items.clone(), false),
            _ => (args, true),
        };
        let mut out = Vec::with_capacity(items.len());
        for (v, s) in items {
            let Some(t) = self.expect_tensor(v, s, &format!("each tensor given to `{name}`")) else { return Value::Poison };
            out.push((Value::Tensor(self.at_least(t, least_rank(b), s)), s));
        }
        match out.len() {
            1 if one => out.pop().expect("one item").0,
            _ => Value::Tuple(out),
        }
    }

    /// ATen's `atleast_Nd` of one tensor: itself if it has `n` dimensions or
    /// more, else a view (`reshape` of a 0-d tensor, `unsqueeze`s otherwise).
    fn at_least(&mut self, t: NodeId, n: usize, span: Span) -> NodeId {
        let shape = self.shape_of(t);
        let dt = self.dtype_of(t);
        let (out, grad_fn) = match (shape.len(), n) {
            (r, n) if r >= n => return t,
            (0, n) => (vec![1; n], "ViewBackward0"),
            (1, 2) => (vec![1, shape[0]], "UnsqueezeBackward0"),
            (1, 3) => {
                // `x.unsqueeze(0).unsqueeze(-1)`: two views, the last one shown.
                let row = self.op_node(Op::Reshape, dt, vec![1, shape[0]], &[t], span, "UnsqueezeBackward0");
                return self.op_node(Op::Reshape, dt, vec![1, shape[0], 1], &[row], span, "UnsqueezeBackward0");
            }
            _ => (vec![shape[0], shape[1], 1], "UnsqueezeBackward0"),
        };
        self.op_node(Op::Reshape, dt, out, &[t], span, grad_fn)
    }

    /// `hstack`, `vstack` (`row_stack`), `dstack` and `column_stack`: ATen's
    /// `cat` of the inputs made at least 1-, 2- or 3-d (columns, for
    /// `column_stack`'s 0-d and 1-d ones).
    pub(super) fn stack_variant_call(&mut self, b: ShapeBuiltin, tensors: (Value, Span), span: Span) -> Value {
        let name = match b {
            ShapeBuiltin::Hstack => "hstack",
            ShapeBuiltin::Vstack => "vstack",
            ShapeBuiltin::Dstack => "dstack",
            _ => "column_stack",
        };
        let ls = tensors.1;
        let Some(items) = self.tensor_sequence(tensors, name) else { return Value::Poison };
        let mut parts = Vec::with_capacity(items.len());
        for (v, s) in items {
            let Some(t) = self.expect_tensor(v, s, &format!("each tensor given to `{name}`")) else { return Value::Poison };
            let shape = self.shape_of(t);
            let t = match b {
                ShapeBuiltin::Hstack => self.at_least(t, 1, s),
                ShapeBuiltin::Vstack => self.at_least(t, 2, s),
                ShapeBuiltin::Dstack => self.at_least(t, 3, s),
                _ if shape.len() <= 1 => {
                    let n = shape.iter().product();
                    let dt = self.dtype_of(t);
                    self.op_node(Op::Reshape, dt, vec![n, 1], &[t], s, "ViewBackward0")
                }
                _ => t,
            };
            parts.push((Value::Tensor(t), s));
        }
        let dim = match b {
            ShapeBuiltin::Vstack => 0,
            ShapeBuiltin::Dstack => 2,
            // `hstack` joins 1-d tensors end to end, others side by side.
            _ => match &parts[0].0 {
                Value::Tensor(t) if self.shape_of(*t).len() == 1 => 0,
                _ => 1,
            },
        };
        self.join_call((Value::List(parts), ls), Some((Value::Number(Num::Int(dim)), span)), span, false)
    }
}
