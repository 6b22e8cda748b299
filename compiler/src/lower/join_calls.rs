//! Lowering of the builtins that join tensors or cut one into pieces: `cat`,
//! `stack`, `split` and `chunk`. Pieces are `slice` nodes and come back as a
//! list, which `cat`, `stack` and subscripts take.

use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// The items of a joining call's sequence of tensors (`cat((a, b))`, as a
    /// list or a tuple, PyTorch taking any sequence); E0107 for anything else,
    /// or an empty one. `None` after an error.
    pub(super) fn tensor_sequence(&mut self, tensors: (Value, Span), name: &str) -> Option<Vec<(Value, Span)>> {
        let (v, ls) = tensors;
        match v {
            Value::List(items) | Value::Tuple(items) if !items.is_empty() => Some(items),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}` takes a non-empty list or tuple of tensors, not {}", other.describe()),
                        ls,
                        "not a list of tensors",
                    )
                    .with_help(if matches!(name, "cat" | "stack") {
                        format!("write `{name}([a, b], dim=0)`")
                    } else {
                        format!("write `{name}([a, b])`")
                    }),
                );
                None
            }
        }
    }

    /// `cat(tensors, dim=0)` (`stack` when `stack` is true: each tensor gets a
    /// new dimension `dim` first, so they must have one shape).
    pub(super) fn join_call(&mut self, tensors: (Value, Span), dim: Option<(Value, Span)>, span: Span, stack: bool) -> Value {
        let name = if stack { "stack" } else { "cat" };
        let Some(items) = self.tensor_sequence(tensors, name) else { return Value::Poison };
        let mut parts: Vec<(NodeId, Span)> = Vec::with_capacity(items.len());
        for (v, s) in items {
            let Some(t) = self.expect_tensor(v, s, &format!("each tensor given to `{name}`")) else { return Value::Poison };
            parts.push((t, s));
        }
        let (first, fs) = parts[0];
        let (dt, shape) = (self.dtype_of(first), self.shape_of(first));
        for &(t, s) in &parts[1..] {
            let (d, sh) = (self.dtype_of(t), self.shape_of(t));
            if d != dt {
                return self.error(
                    Diagnostic::new(Code::E0201, format!("`{name}` mixes {dt} and {d}"), s, format!("this is {d}"))
                        .with_secondary(fs, format!("this is {dt}"))
                        .with_help("give every tensor the same dtype"),
                );
            }
            if stack && sh != shape {
                return self.size_error(
                    format!("stack needs tensors of one shape, got {} and {}", shapes::show(&shape), shapes::show(&sh)),
                    s,
                    "another shape",
                );
            }
        }
        let rank = if stack { shape.len() + 1 } else { shape.len() };
        if rank == 0 {
            return self.size_error("cat cannot join 0-d tensors: they have no dimension".to_string(), fs, "0-d tensor");
        }
        let Some(d) = self.dim_arg(dim, 0, rank, span) else { return Value::Poison };
        let mut operands = Vec::with_capacity(parts.len());
        for &(t, s) in &parts {
            let t = if stack {
                let mut sh = self.shape_of(t);
                sh.insert(d, 1);
                self.node(Op::Reshape, dt, sh, &[t], s)
            } else {
                t
            };
            operands.push(t);
        }
        let mut out = self.shape_of(operands[0]);
        out[d] = 0;
        for (&t, &(_, s)) in operands.iter().zip(&parts) {
            let sh = self.shape_of(t);
            let agree = sh.len() == out.len() && (0..sh.len()).all(|k| k == d || sh[k] == out[k]);
            if !agree {
                return self.size_error(
                    format!(
                        "cat needs equal sizes except in dimension {d}, got {} and {}",
                        shapes::show(&self.shape_of(operands[0])),
                        shapes::show(&sh)
                    ),
                    s,
                    "sizes differ",
                );
            }
            out[d] += sh[d];
        }
        if !self.fits(&out, span) {
            return Value::Poison;
        }
        let grad_fn = if stack { "StackBackward0" } else { "CatBackward0" };
        Value::Tensor(self.op_node(Op::Cat { dim: d, n: operands.len() }, dt, out, &operands, span, grad_fn))
    }

    /// `split(input, split_size_or_sections, dim=0)`: pieces of one size (the last
    /// may be smaller) or of the listed sizes, which must add up to the dimension.
    pub(super) fn split_call(&mut self, t: NodeId, sizes: (Value, Span), dim: Option<(Value, Span)>, span: Span) -> Value {
        let shape = self.shape_of(t);
        if shape.is_empty() {
            return self.size_error("split needs a tensor with at least one dimension".to_string(), span, "0-d tensor");
        }
        let Some(d) = self.dim_arg(dim, 0, shape.len(), span) else { return Value::Poison };
        let (v, ss) = sizes;
        match v {
            Value::List(items) => {
                let Some(sections) = self.int_args(vec![(Value::List(items), ss)], ss, "split's sections") else { return Value::Poison };
                let total: i64 = sections.iter().map(|(s, _)| *s).sum();
                if sections.iter().any(|(s, _)| *s < 0) || total != shape[d] as i64 {
                    let shown: Vec<String> = sections.iter().map(|(s, _)| s.to_string()).collect();
                    return self.size_error(
                        format!("split sections [{}] must be non-negative and add up to dimension {d}'s size {}", shown.join(", "), shape[d]),
                        ss,
                        "sections do not fit",
                    );
                }
                let lens: Vec<usize> = sections.iter().map(|(s, _)| *s as usize).collect();
                self.pieces(t, d, &lens, span, "SplitWithSizesBackward0")
            }
            Value::Number(super::Num::Int(i)) if i > 0 && i < 1_000_000_000_000_000 => {
                let size = i as usize;
                let n = shape[d];
                let count = n.div_ceil(size).max(1);
                let lens: Vec<usize> = (0..count).map(|i| size.min(n.saturating_sub(i * size))).collect();
                self.pieces(t, d, &lens, span, "SplitBackward0")
            }
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("split takes a positive integer size or a list of sizes, not {}", other.describe()),
                    ss,
                    "not a size",
                )
                .with_help("write `split(x, 2)` or `split(x, [1, 3])`"),
            ),
        }
    }

    /// `chunk(input, chunks, dim=0)`: PyTorch's split into pieces of
    /// `ceil(size / chunks)`, so there may be fewer than `chunks` pieces.
    pub(super) fn chunk_call(&mut self, t: NodeId, chunks: (Value, Span), dim: Option<(Value, Span)>, span: Span) -> Value {
        let shape = self.shape_of(t);
        let (v, cs) = chunks;
        let chunks = match v {
            Value::Number(super::Num::Int(i)) if i > 0 && i < 1_000_000_000_000_000 => i as usize,
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("chunk takes a positive integer count, not {}", other.describe()), cs, "not a count")
                        .with_help("write `chunk(x, 2)`"),
                )
            }
        };
        if shape.is_empty() {
            return self.size_error("chunk needs a tensor with at least one dimension".to_string(), span, "0-d tensor");
        }
        let Some(d) = self.dim_arg(dim, 0, shape.len(), span) else { return Value::Poison };
        let size = shape[d].div_ceil(chunks).max(1);
        let n = shape[d];
        let count = n.div_ceil(size).max(1);
        let lens: Vec<usize> = (0..count).map(|i| size.min(n.saturating_sub(i * size))).collect();
        self.pieces(t, d, &lens, span, "SplitBackward0")
    }

    /// `unbind(input, dim=0)`: each slice along `dim` with that dimension
    /// removed, as views whose `grad_fn` is `UnbindBackward0`.
    pub(super) fn unbind_call(&mut self, t: NodeId, dim: Option<(Value, Span)>, span: Span) -> Value {
        let shape = self.shape_of(t);
        if shape.is_empty() {
            return self.size_error("unbind needs a tensor with at least one dimension".to_string(), span, "0-d tensor");
        }
        let Some(d) = self.dim_arg(dim, 0, shape.len(), span) else { return Value::Poison };
        let Value::Tuple(slices) = self.pieces(t, d, &vec![1; shape[d]], span, "UnbindBackward0") else { return Value::Poison };
        let dt = self.dtype_of(t);
        let mut out_shape = shape.clone();
        out_shape.remove(d);
        let items = slices
            .into_iter()
            .map(|(v, s)| match v {
                Value::Tensor(p) => (Value::Tensor(self.op_node(Op::Reshape, dt, out_shape.clone(), &[p], span, "UnbindBackward0")), s),
                other => (other, s),
            })
            .collect();
        Value::Tuple(items)
    }

    /// Consecutive slices of lengths `lens` along `dim`, as a tuple (PyTorch's
    /// `split`, `chunk` and `unbind` return tuples, and print as such).
    fn pieces(&mut self, t: NodeId, dim: usize, lens: &[usize], span: Span, grad_fn: &str) -> Value {
        let (dt, shape) = (self.dtype_of(t), self.shape_of(t));
        let mut start = 0;
        let mut out = Vec::with_capacity(lens.len());
        for &len in lens {
            let mut sh = shape.clone();
            sh[dim] = len;
            let piece = self.op_node(Op::Slice { dim, start: start.min(shape[dim].saturating_sub(1)), step: 1 }, dt, sh, &[t], span, grad_fn);
            out.push((Value::Tensor(piece), span));
            start += len;
        }
        Value::Tuple(out)
    }
}
