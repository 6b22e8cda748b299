//! `tensordot(a, b, dims=2)` (docs/act-language.md, section 5): the sum of
//! products over dimensions of `a` paired with dimensions of `b`, as
//! `torch.tensordot` computes it. `dims` is an integer `n` (the last `n` of
//! `a` with the first `n` of `b`) or two lists (or two integers) of the
//! dimensions to pair.
//!
//! It is ATen's `tensordot`, call for call, so the values, the `grad_fn`s and
//! the gradients are PyTorch's: a paired dimension of size 1 on one side is
//! summed away on the other first (`sum(dim, keepdim=true)`), then each
//! operand is permuted (`a`'s free dimensions in order, then its paired ones
//! in the listed order; `b`'s paired ones, then its free ones) and reshaped
//! to a matrix, multiplied with `mm`, and the product reshaped to the free
//! dimensions of `a` followed by those of `b`.

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `tensordot(a, b, dims=2)`.
    pub(super) fn tensordot_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees two operands");
        let ((av, as_), (bv, bs)) = (arg(0), arg(1));
        let Some(a) = self.expect_tensor(av, as_, "`tensordot`'s a") else { return Value::Poison };
        let Some(b) = self.expect_tensor(bv, bs, "`tensordot`'s b") else { return Value::Poison };
        let (ash, bsh) = (self.shape_of(a), self.shape_of(b));
        let (dims_v, ds) = bound.positional.get(2).cloned().flatten().unwrap_or((Value::Number(Num::Int(2)), span));
        let (dims_a, dims_b) = match dims_v {
            Value::Number(Num::Int(n)) => {
                if n < 0 || n > ash.len().min(bsh.len()) as i128 {
                    let msg = if n < 0 {
                        format!("tensordot expects dims >= 0, but got dims={n}")
                    } else {
                        format!("tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
                    };
                    return self.error(
                        Diagnostic::new(Code::E0202, msg, ds, "this many dimensions")
                            .with_help(format!("pair at most {} dimensions", ash.len().min(bsh.len()))),
                    );
                }
                let n = n as usize;
                ((ash.len() - n..ash.len()).collect::<Vec<_>>(), (0..n).collect::<Vec<_>>())
            }
            Value::List(items) | Value::Tuple(items) if items.len() == 2 => {
                let mut it = items.into_iter();
                let (first, second) = (it.next().expect("two items"), it.next().expect("two items"));
                let Some(da) = self.tensordot_dims(first, &ash) else { return Value::Poison };
                let Some(db) = self.tensordot_dims(second, &bsh) else { return Value::Poison };
                (da, db)
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`tensordot`'s dims must be an integer or two lists of dimensions, not {}", other.describe()),
                        ds,
                        "not dims",
                    )
                    .with_help("write `dims=1`, or `dims=([1], [0])` to pair dimension 1 of a with dimension 0 of b"),
                )
            }
        };
        if dims_a.len() != dims_b.len() {
            return self.error(
                Diagnostic::new(Code::E0202, "`tensordot`: both dimension lists should have same length", ds, "lists of different lengths")
                    .with_help("pair each listed dimension of a with one of b"),
            );
        }
        let mut ta = a;
        let mut tb = b;
        let mut csize = 1;
        for (&da, &db) in dims_a.iter().zip(&dims_b) {
            let (s1, s2) = (ash[da], bsh[db]);
            if s2 == 1 {
                let Some(t) = self.keep_sum(ta, da, span) else { return Value::Poison };
                ta = t;
            } else if s1 == 1 {
                let Some(t) = self.keep_sum(tb, db, span) else { return Value::Poison };
                tb = t;
            } else if s1 != s2 {
                let msg = format!("contracted dimensions need to match, but first has size {s1} in dim {da} and second has size {s2} in dim {db}");
                return self.error(
                    Diagnostic::new(Code::E0202, msg, ds, "sizes differ")
                        .with_secondary(as_, format!("shape {}", shapes::show(&ash)))
                        .with_help("pair dimensions of the same size (or of size 1)"),
                );
            } else {
                csize *= s1;
            }
        }
        let free_a: Vec<usize> = (0..ash.len()).filter(|d| !dims_a.contains(d)).collect();
        let free_b: Vec<usize> = (0..bsh.len()).filter(|d| !dims_b.contains(d)).collect();
        let (sha, shb) = (self.shape_of(ta), self.shape_of(tb));
        let size1: usize = free_a.iter().map(|d| sha[*d]).product();
        let size2: usize = free_b.iter().map(|d| shb[*d]).product();
        let mut rsizes: Vec<usize> = free_a.iter().map(|d| sha[*d]).collect();
        rsizes.extend(free_b.iter().map(|d| shb[*d]));
        let p1: Vec<usize> = free_a.iter().chain(&dims_a).copied().collect();
        let p2: Vec<usize> = dims_b.iter().chain(&free_b).copied().collect();
        let Some(ma) = self.permuted_matrix(ta, &p1, [size1, csize], span) else { return Value::Poison };
        let Some(mb) = self.permuted_matrix(tb, &p2, [csize, size2], span) else { return Value::Poison };
        let Value::Tensor(product) = self.call_builtin_values("mm", vec![(Value::Tensor(ma), as_), (Value::Tensor(mb), bs)], span) else {
            return Value::Poison;
        };
        self.call_builtin_values("reshape", vec![(Value::Tensor(product), span), (list_of(&rsizes, span), span)], span)
    }

    /// One side's dimensions: an integer or a list of them, each once, in the listed order.
    fn tensordot_dims(&mut self, (v, s): (Value, Span), shape: &[usize]) -> Option<Vec<usize>> {
        let items = match v {
            Value::List(items) | Value::Tuple(items) => items,
            Value::Poison => return None,
            other => vec![(other, s)],
        };
        let mut dims = Vec::with_capacity(items.len());
        for (item, is) in items {
            let d = self.one_dim(item, is, shape)?;
            if dims.contains(&d) {
                self.error(
                    Diagnostic::new(Code::E0240, format!("dimension {d} appears more than once in `tensordot`'s dims"), is, "repeated dimension")
                        .with_help("list each dimension once (negative dims count from the end)"),
                );
                return None;
            }
            dims.push(d);
        }
        Some(dims)
    }

    /// `t.sum(dim, keepdim=true)`.
    fn keep_sum(&mut self, t: NodeId, dim: usize, span: Span) -> Option<NodeId> {
        let args = vec![(Value::Tensor(t), span), (Value::Number(Num::Int(dim as i128)), span), (Value::Bool(true), span)];
        match self.call_builtin_values("sum", args, span) {
            Value::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// `t.permute(p).reshape(rows, cols)`.
    fn permuted_matrix(&mut self, t: NodeId, p: &[usize], [rows, cols]: [usize; 2], span: Span) -> Option<NodeId> {
        let Value::Tensor(permuted) = self.call_builtin_values("permute", vec![(Value::Tensor(t), span), (list_of(p, span), span)], span) else {
            return None;
        };
        let sizes = list_of(&[rows, cols], span);
        match self.call_builtin_values("reshape", vec![(Value::Tensor(permuted), span), (sizes, span)], span) {
            Value::Tensor(m) => Some(m),
            _ => None,
        }
    }
}

/// The list `[n0, n1, ...]` of integers.
fn list_of(items: &[usize], span: Span) -> Value {
    Value::List(items.iter().map(|i| (Value::Number(Num::Int(*i as i128)), span)).collect())
}
