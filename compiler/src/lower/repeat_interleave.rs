//! `repeat_interleave(input, repeats, dim=none, *, output_size=none)`
//! (docs/act-language.md, section 5): each element of `input` along `dim`
//! (of the flattened input without one) repeated `repeats` times, one after
//! another, as `torch.repeat_interleave` gives them.
//!
//! The two forms are PyTorch's own compositions, so the values, the `grad_fn`
//! chain and the gradients' summation order are PyTorch's: an integer count is
//! `input.unsqueeze(dim + 1).expand(..., repeats, ...).clone().flatten(dim,
//! dim + 1)` (`ViewBackward0`, its gradient a sum over the expanded dimension);
//! a tensor of counts is `input.index_select(dim, positions)` with the
//! positions `repeat_interleave(repeats)` lists (`IndexSelectBackward0`). A
//! tensor of counts fixes the result's size by its values, so graphc needs it
//! known when compiling (E0289). `repeat_interleave(counts)` alone is those
//! positions: `repeat_interleave(tensor([2, 1]))` is `tensor([0, 0, 1])`.

use graphc_runtime::op::{Op, Scalar};
use graphc_runtime::DType;

use super::known_values::known_value;
use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// Results above this many elements are refused (E0289) rather than built as
/// one constant index list; a count of a billion is a typo, not a model.
const MAX_POSITIONS: usize = 1 << 26;

impl Lowerer<'_> {
    /// `repeat_interleave(input, repeats=none, dim=none, *, output_size=none)`.
    pub(super) fn repeat_interleave_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(xv, xs, "`repeat_interleave`'s input") else { return Value::Poison };
        let output_size = match bound.keywords.get("output_size").cloned() {
            None | Some((Value::None, _)) => None,
            Some((Value::Number(Num::Int(n)), s)) => Some((n, s)),
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`output_size` must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help("give the result's size along `dim`, or leave it out"),
                )
            }
        };
        let Some((repeats, rs)) = bound.positional.get(1).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None)) else {
            // `repeat_interleave(counts)`: the positions, each as often as its count.
            let Some(counts) = self.known_counts(x, xs, true) else { return Value::Poison };
            let positions: Vec<Scalar> = counts.iter().enumerate().flat_map(|(i, c)| std::iter::repeat_n(Scalar::Int(i as i64), *c)).collect();
            if !self.output_size_fits(output_size, positions.len()) {
                return Value::Poison;
            }
            let n = positions.len();
            return Value::Tensor(self.node(Op::Literal(positions), DType::I64, vec![n], &[], span));
        };
        // Without `dim`, the flattened input along its only dimension (PyTorch's `input.flatten()`).
        let (x, dim) = match bound.positional.get(2).cloned().flatten() {
            None | Some((Value::None, _)) => {
                let Value::Tensor(flat) = self.call_builtin_values("flatten", vec![(Value::Tensor(x), xs)], span) else { return Value::Poison };
                (flat, 0)
            }
            Some((dv, ds)) => {
                let shape = self.shape_of(x);
                let Some(d) = self.one_dim(dv, ds, &shape) else { return Value::Poison };
                (x, d)
            }
        };
        let size = self.shape_of(x)[dim];
        match repeats {
            Value::Number(Num::Int(r)) => {
                if r < 0 || (r as u128).saturating_mul(size as u128) > MAX_POSITIONS as u128 {
                    let why = if r < 0 { "repeats can not be negative" } else { "so many repeats would not fit in memory" };
                    return self.error(
                        Diagnostic::new(Code::E0289, format!("`repeat_interleave`: {why} (repeats = {r})"), rs, "this count")
                            .with_help("repeat each element zero or more times"),
                    );
                }
                if !self.output_size_fits(output_size, r as usize * size) {
                    return Value::Poison;
                }
                self.interleave_by_count(x, dim, r as usize, span)
            }
            Value::Tensor(t) => {
                let Some(mut counts) = self.known_counts(t, rs, false) else { return Value::Poison };
                if counts.len() == 1 && self.shape_of(t).len() <= 1 {
                    counts = vec![counts[0]; size];
                } else if counts.len() != size {
                    let msg = format!(
                        "`repeat_interleave`: repeats must have the same size as input along dim, but got repeats.size(0) = {} and input.size({dim}) = {size}",
                        counts.len()
                    );
                    return self.error(
                        Diagnostic::new(Code::E0289, msg, rs, "one count per element")
                            .with_help("give one count per element along `dim`, or one for all"),
                    );
                }
                let positions: Vec<Scalar> = counts.iter().enumerate().flat_map(|(i, c)| std::iter::repeat_n(Scalar::Int(i as i64), *c)).collect();
                if !self.output_size_fits(output_size, positions.len()) {
                    return Value::Poison;
                }
                let n = positions.len();
                let index = self.node(Op::Literal(positions), DType::I64, vec![n], &[], span);
                let args = vec![(Value::Tensor(x), xs), (Value::Number(Num::Int(dim as i128)), span), (Value::Tensor(index), rs)];
                self.call_builtin_values("index_select", args, span)
            }
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`repeat_interleave`'s repeats must be an integer or an i64 tensor, not {}", other.describe()),
                    rs,
                    "not a count",
                )
                .with_help("write how often to repeat each element, as in `repeat_interleave(x, 2)`"),
            ),
        }
    }

    /// `x.unsqueeze(dim + 1).expand(..., r, ...).clone().flatten(dim, dim + 1)`.
    fn interleave_by_count(&mut self, x: NodeId, dim: usize, r: usize, span: Span) -> Value {
        let int = |i: usize| (Value::Number(Num::Int(i as i128)), span);
        let Value::Tensor(lifted) = self.call_builtin_values("unsqueeze", vec![(Value::Tensor(x), span), int(dim + 1)], span) else {
            return Value::Poison;
        };
        let mut sizes = self.shape_of(lifted);
        sizes[dim + 1] = r;
        let mut args = vec![(Value::Tensor(lifted), span)];
        args.extend(sizes.iter().map(|s| int(*s)));
        let Value::Tensor(spread) = self.call_builtin_values("expand", args, span) else { return Value::Poison };
        let (dt, sh) = (self.dtype_of(spread), self.shape_of(spread));
        let copy = self.op_node(Op::Reshape, dt, sh, &[spread], span, "CloneBackward0");
        self.call_builtin_values("flatten", vec![(Value::Tensor(copy), span), int(dim), int(dim + 1)], span)
    }

    /// The counts of the i64 tensor `t`, which must be known when compiling
    /// and not negative; `only_1d` for the positions form, which takes a vector.
    fn known_counts(&mut self, t: NodeId, ts: Span, only_1d: bool) -> Option<Vec<usize>> {
        let (dt, shape) = (self.dtype_of(t), self.shape_of(t));
        if dt != DType::I64 {
            self.error(
                Diagnostic::new(Code::E0204, format!("`repeat_interleave`'s repeats must be an i64 tensor, not {dt}"), ts, format!("this is {dt}"))
                    .with_help("convert the counts with `.long()`, or give an integer"),
            );
            return None;
        }
        if shape.len() > 1 || (only_1d && shape.len() != 1) {
            let want = if only_1d { "a 1-D" } else { "a 0-d or 1-D" };
            self.error(
                Diagnostic::new(
                    Code::E0289,
                    format!("`repeat_interleave`'s repeats must be {want} tensor, not one of shape {}", shapes::show(&shape)),
                    ts,
                    "these counts",
                )
                .with_help("give one count per element along `dim`"),
            );
            return None;
        }
        let Some((value, inputs)) = known_value(&self.prog, &self.known_inputs, t) else {
            self.error(
                Diagnostic::new(
                    Code::E0289,
                    "`repeat_interleave`'s repeats are known only at run time, and the result's size is their sum",
                    ts,
                    "computed counts",
                )
                .with_help(
                    "write the counts as a constant (`tensor([1, 2])`), or repeat every element alike with an integer (`repeat_interleave(x, 2)`)",
                ),
            );
            return None;
        };
        self.used_known.extend(inputs.into_iter().map(|i| (i, ts)));
        let counts = value.as_i64().expect("an i64 value holds i64 values").to_vec();
        if let Some(bad) = counts.iter().find(|c| **c < 0) {
            self.error(
                Diagnostic::new(Code::E0289, format!("`repeat_interleave`: repeats can not be negative (found {bad})"), ts, "a negative count")
                    .with_help("repeat each element zero or more times"),
            );
            return None;
        }
        if counts.iter().map(|c| *c as u128).sum::<u128>() > MAX_POSITIONS as u128 {
            self.error(
                Diagnostic::new(Code::E0289, "`repeat_interleave`: so many repeats would not fit in memory", ts, "these counts")
                    .with_help("repeat each element fewer times"),
            );
            return None;
        }
        Some(counts.into_iter().map(|c| c as usize).collect())
    }

    /// Whether `output_size`, when given, is the size the repeats give
    /// (PyTorch: "allocated size does not match required size").
    fn output_size_fits(&mut self, output_size: Option<(i128, Span)>, size: usize) -> bool {
        match output_size {
            Some((n, s)) if n != size as i128 => {
                self.error(
                    Diagnostic::new(
                        Code::E0289,
                        format!("`repeat_interleave`: output_size = {n}, but the repeats give {size} elements"),
                        s,
                        "another size",
                    )
                    .with_help(format!("write `output_size={size}`, or leave it out")),
                );
                false
            }
            _ => true,
        }
    }
}
