//! Builtins that rearrange elements without arithmetic, so their values and
//! gradients are exact: `rot90(input, k=1, dims=[0, 1])` (ATen's `rot90`:
//! `flip` and `transpose` for `k` mod 4, shown as `Rot90Backward0`),
//! `block_diag(*tensors)` (0-d, 1-d and 2-d blocks on the diagonal of a zero
//! matrix, each padded with zeros to the full width and joined by rows;
//! `BlockDiagBackward0`), and `take_along_dim(input, indices, dim=none)`
//! (ATen's: `gather` along `dim` after broadcasting the other dimensions,
//! or of the flattened input; `GatherBackward0`), and `diag_embed(input,
//! offset=0, dim1=-2, dim2=-1)` (the last dimension spread on the `offset`
//! diagonal of new zero matrices: a `scatter` into zeros, rows padded for a
//! negative offset and below for a positive one, the two new dimensions moved to `dim1` and `dim2`;
//! `DiagEmbedBackward0`).

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

fn int(i: i64) -> Value {
    Value::Number(Num::Int(i as i128))
}

impl Lowerer<'_> {
    /// `rot90(input, k=1, dims=[0, 1])`.
    pub(super) fn rot90_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, "`rot90`'s input") else { return Value::Poison };
        let k = match bound.positional.get(1).cloned().flatten() {
            None => 1,
            Some((Value::Number(Num::Int(k)), _)) => k.rem_euclid(4) as i64,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`rot90`'s k must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help("write `rot90(x, 1, [0, 1])`"),
                )
            }
        };
        let shape = self.shape_of(x);
        let dims_arg = bound.positional.get(2).cloned().flatten().unwrap_or((Value::List(vec![(int(0), span), (int(1), span)]), span));
        let ds = dims_arg.1;
        let Some(dims) = self.int_args(vec![dims_arg], span, "rot90's dims") else { return Value::Poison };
        if dims.len() != 2 || shape.len() < 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0220,
                    format!(
                        "expected total rotation dims == 2 and a tensor of at least 2 dimensions, but got dims = {} for shape {}",
                        dims.len(),
                        shapes::show(&shape)
                    ),
                    ds,
                    "not two dimensions",
                )
                .with_help("name the two dimensions of the plane to rotate in, as `dims=[0, 1]`"),
            );
        }
        let (Some(d0), Some(d1)) = (self.checked_dim(dims[0].0, dims[0].1, &shape), self.checked_dim(dims[1].0, dims[1].1, &shape)) else {
            return Value::Poison;
        };
        if d0 == d1 {
            return self.error(
                Diagnostic::new(
                    Code::E0220,
                    format!("expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"),
                    ds,
                    "the same dimension",
                )
                .with_help("name two different dimensions"),
            );
        }
        let flip = |me: &mut Self, t: NodeId, ds: &[usize]| {
            let dims = Value::List(ds.iter().map(|&d| (int(d as i64), span)).collect());
            me.tensor_call("flip", vec![Value::Tensor(t), dims], span)
        };
        let transpose = |me: &mut Self, t: NodeId| me.tensor_call("transpose", vec![Value::Tensor(t), int(d0 as i64), int(d1 as i64)], span);
        let out = match k {
            1 => flip(self, x, &[d1]).and_then(|t| transpose(self, t)),
            2 => flip(self, x, &[d0, d1]),
            3 => flip(self, x, &[d0]).and_then(|t| transpose(self, t)),
            // `k` a multiple of 4: ATen's copy of the input, a node of its own.
            _ => {
                let dt = self.dtype_of(x);
                Some(self.node(graphc_runtime::Op::Reshape, dt, shape.clone(), &[x], span))
            }
        };
        let Some(out) = out else { return Value::Poison };
        self.grad_fn.insert(out, "Rot90Backward0".to_string());
        Value::Tensor(out)
    }

    /// `block_diag(*tensors)`.
    pub(super) fn block_diag_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let items: Vec<(Value, Span)> = bound.positional.iter().flatten().cloned().collect();
        let mut blocks: Vec<(NodeId, Span)> = Vec::with_capacity(items.len());
        for (v, s) in items {
            let Some(t) = self.expect_tensor(v, s, "each tensor given to `block_diag`") else { return Value::Poison };
            let sh = self.shape_of(t);
            let t = match sh.len() {
                0 => self.tensor_call("reshape", vec![Value::Tensor(t), int(1), int(1)], span),
                1 => self.tensor_call("reshape", vec![Value::Tensor(t), int(1), int(-1)], span),
                2 => Some(t),
                r => {
                    return self.size_error(
                        format!("torch.block_diag: Input tensors must have 2 or fewer dimensions. Input has {r} dimensions"),
                        s,
                        "more than 2-d",
                    )
                }
            };
            let Some(t) = t else { return Value::Poison };
            blocks.push((t, s));
        }
        if blocks.is_empty() {
            return self.tensor_call_kw("zeros", vec![int(1), int(0)], vec![], span).map_or(Value::Poison, Value::Tensor);
        }
        let dt = self.dtype_of(blocks[0].0);
        for &(t, s) in &blocks[1..] {
            if self.dtype_of(t) != dt {
                self.meet(blocks[0].0, blocks[0].1, t, s, "`block_diag`");
                return Value::Poison;
            }
        }
        let width: usize = blocks.iter().map(|&(t, _)| self.shape_of(t)[1]).sum();
        let mut left = 0;
        let mut rows = Vec::with_capacity(blocks.len());
        for &(t, s) in &blocks {
            let w = self.shape_of(t)[1];
            let pad = Value::List(vec![(int(left as i64), s), (int((width - left - w) as i64), s)]);
            let Some(row) = self.tensor_call("pad", vec![Value::Tensor(t), pad], span) else { return Value::Poison };
            rows.push((Value::Tensor(row), s));
            left += w;
        }
        let out = self.call_builtin_values("cat", vec![(Value::List(rows), span), (int(0), span)], span);
        if let Value::Tensor(t) = out {
            self.grad_fn.insert(t, "BlockDiagBackward0".to_string());
        }
        out
    }

    /// `take_along_dim(input, indices, dim=none)`.
    pub(super) fn take_along_dim_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let [(v, vs), (iv, is)] = self.two(bound);
        let Some(x) = self.expect_tensor(v, vs, "`take_along_dim`'s input") else { return Value::Poison };
        let Some(idx) = self.expect_tensor(iv, is, "`take_along_dim`'s indices") else { return Value::Poison };
        if self.dtype_of(idx) != graphc_runtime::DType::I64 {
            return self.error(
                Diagnostic::new(
                    Code::E0204,
                    format!("torch.take_along_dim(): dtype of indices should be Long but got {}", self.dtype_of(idx)),
                    is,
                    "not i64",
                )
                .with_help("convert the indices with `.long()`"),
            );
        }
        let dim = bound.positional.get(2).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let Some((dv, ds)) = dim else {
            let (Some(flat), Some(fi)) = (
                self.tensor_call("reshape", vec![Value::Tensor(x), int(-1)], span),
                self.tensor_call("reshape", vec![Value::Tensor(idx), int(-1)], span),
            ) else {
                return Value::Poison;
            };
            return self.call_builtin_values("gather", vec![(Value::Tensor(flat), vs), (int(0), span), (Value::Tensor(fi), is)], span);
        };
        let (xs, ish) = (self.shape_of(x), self.shape_of(idx));
        if xs.len() != ish.len() {
            return self.size_error(
                format!("torch.take_along_dim(): input and indices should have the same number of dimensions, but got {} dimensions for input, and {} dimensions for indices", xs.len(), ish.len()),
                is,
                "another rank",
            );
        }
        let Some(d) = self.one_dim(dv, ds, &xs) else { return Value::Poison };
        // `_take_along_dim_helper`: the other dimensions broadcast, `dim` kept for each.
        let mut want_x = xs.clone();
        want_x[d] = ish[d];
        let Ok(mut common) = shapes::broadcast(&want_x, &ish) else {
            return self.size_error(
                format!("shapes {} and {} do not broadcast outside dimension {d}", shapes::show(&xs), shapes::show(&ish)),
                is,
                "does not broadcast",
            );
        };
        let idx_shape = common.clone();
        common[d] = xs[d];
        let sizes = |sh: &[usize]| sh.iter().map(|&n| int(n as i64)).collect::<Vec<_>>();
        let mut xargs = vec![Value::Tensor(x)];
        xargs.extend(sizes(&common));
        let mut iargs = vec![Value::Tensor(idx)];
        iargs.extend(sizes(&idx_shape));
        let (Some(xb), Some(ib)) = (self.tensor_call("expand", xargs, span), self.tensor_call("expand", iargs, span)) else { return Value::Poison };
        self.call_builtin_values("gather", vec![(Value::Tensor(xb), vs), (int(d as i64), span), (Value::Tensor(ib), is)], span)
    }

    /// `diag_embed(input, offset=0, dim1=-2, dim2=-1)`.
    pub(super) fn diag_embed_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, "`diag_embed`'s input") else { return Value::Poison };
        let num = |me: &mut Self, i: usize, default: i64, what: &str| match bound.positional.get(i).cloned().flatten() {
            None => Some(default),
            Some((Value::Number(Num::Int(n)), _)) if n.abs() < 1 << 40 => Some(n as i64),
            Some((other, s)) => {
                me.error(
                    Diagnostic::new(Code::E0107, format!("`diag_embed`'s {what} must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help("write `diag_embed(x, offset=0, dim1=-2, dim2=-1)`"),
                );
                None
            }
        };
        let (Some(offset), Some(d1), Some(d2)) = (num(self, 1, 0, "offset"), num(self, 2, -2, "dim1"), num(self, 3, -1, "dim2")) else {
            return Value::Poison;
        };
        let mut shape = self.shape_of(x);
        let x = if shape.is_empty() {
            shape = vec![1];
            match self.tensor_call("reshape", vec![Value::Tensor(x), int(1)], span) {
                Some(t) => t,
                None => return Value::Poison,
            }
        } else {
            x
        };
        let rank = shape.len() + 1;
        let (Ok(a), Ok(b)) = (shapes::dim_index(d1, rank), shapes::dim_index(d2, rank)) else {
            return self.error(
                Diagnostic::new(
                    Code::E0220,
                    format!("diag_embed's dim1 {d1} or dim2 {d2} is out of range for a result of {rank} dimensions"),
                    span,
                    "no such dimension",
                )
                .with_help("dimensions count from 0, or from -1 at the end"),
            );
        };
        if a == b {
            return self.error(
                Diagnostic::new(Code::E0220, format!("diagonal dimensions cannot be identical {d1}, {d2}"), span, "the same dimension")
                    .with_help("give two different dimensions"),
            );
        }
        let n = shape[shape.len() - 1];
        let m = n + offset.unsigned_abs() as usize;
        // Column `r + offset` of row `r` (of the first `n` rows, before the padding).
        let cols: Vec<i64> = (0..n).map(|r| r as i64 + offset.max(0)).collect();
        let dt = self.dtype_of(x);
        let mut zeros_shape: Vec<Value> = shape[..shape.len() - 1].iter().map(|&s| int(s as i64)).collect();
        zeros_shape.extend([int(n as i64), int(m as i64)]);
        let mut index_shape: Vec<Value> = shape[..shape.len() - 1].iter().map(|&s| int(s as i64)).collect();
        index_shape.extend([int(n as i64), int(1)]);
        let list = Value::List(cols.iter().map(|&c| (Value::List(vec![(int(c), span)]), span)).collect());
        let steps = (|| {
            let zeros = self.tensor_call_kw("zeros", zeros_shape, vec![("dtype", Value::DType(dt))], span)?;
            let idx = self.tensor_call("tensor", vec![list], span)?;
            let mut expand_args = vec![Value::Tensor(idx)];
            expand_args.extend(index_shape);
            let idx = self.tensor_call("expand", expand_args, span)?;
            let src = self.tensor_call("unsqueeze", vec![Value::Tensor(x), int(-1)], span)?;
            let mut out = self.tensor_call("scatter", vec![Value::Tensor(zeros), int(-1), Value::Tensor(idx), Value::Tensor(src)], span)?;
            if m > n {
                // The rows without a diagonal element: on top for a negative offset, below for a positive one.
                let top = (-offset).max(0);
                let bottom = offset.max(0);
                let pad = Value::List(vec![(int(0), span), (int(0), span), (int(top), span), (int(bottom), span)]);
                out = self.tensor_call("pad", vec![Value::Tensor(out), pad], span)?;
            }
            if (a, b) != (rank - 2, rank - 1) {
                let src = Value::List(vec![(int(rank as i64 - 2), span), (int(rank as i64 - 1), span)]);
                let dst = Value::List(vec![(int(a as i64), span), (int(b as i64), span)]);
                out = self.tensor_call("movedim", vec![Value::Tensor(out), src, dst], span)?;
            }
            Some(out)
        })();
        let Some(out) = steps else { return Value::Poison };
        self.grad_fn.insert(out, "DiagEmbedBackward0".to_string());
        Value::Tensor(out)
    }
}
