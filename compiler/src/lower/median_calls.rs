//! `median`, `nanmedian`, `quantile` and `nanquantile`, computed as ATen
//! defines them (`aten/src/ATen/native/Sorting.cpp`), on a stable sort that
//! puts NaN last:
//!
//! - `median(input)` is the element of rank `(n - 1) / 2`, NaN if any is
//!   (`nanmedian`: of rank `(n - nans - 1) / 2` among the others). ATen's
//!   `std::nth_element` finds the same value. Its gradient is
//!   `evenly_distribute_backward`: `grad / count` at every element equal to
//!   the result (every NaN for a NaN result), zero elsewhere
//!   (`MedianBackward0`, `NanmedianBackward0`).
//! - `median(input, dim, keepdim=false)` gives `torch.return_types.median`
//!   (values, indices). ATen's `nth_element` compares `(value, index)`
//!   pairs, so among equal values the median is the one of that rank in
//!   index order, which is the stable sort's; a row with NaN gives its first
//!   NaN and that NaN's index, as ATen's `find_if`. The values' gradient goes
//!   to the index (`MedianBackward1`, `NanmedianBackward1`).
//! - `quantile(input, q, dim=none, keepdim=false, interpolation="linear")`
//!   is `quantile_impl`: the sorted input, ranks `q * (n - 1)` in the input's
//!   dtype (a NaN in a line makes its rank the last, so the result NaN;
//!   `nanquantile` counts the other elements instead), rounded as
//!   `interpolation` says, the values at `floor` and `ceil` gathered and
//!   `lerp`ed by the rank's fraction (0.5 for `"midpoint"`), and the
//!   quantiles moved to the first dimension (`SqueezeBackward4`).

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;
use graphc_runtime::op::{IndexOp, TypeRule};
use graphc_runtime::{DType, Op};

fn int(i: i64) -> Value {
    Value::Number(Num::Int(i as i128))
}

fn float(x: f64) -> Value {
    Value::Number(Num::Float(x))
}

impl Lowerer<'_> {
    /// The input of a median or quantile: a number tensor (bool is E0204).
    fn ordered_input(&mut self, bound: &Bound<Value>, name: &str, float_only: bool) -> Option<NodeId> {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let x = self.expect_tensor(v, vs, &format!("`{name}`'s input"))?;
        let rule = if float_only { TypeRule::FloatOnly } else { TypeRule::SameNumber };
        self.rule_dtype(rule, self.dtype_of(x), &format!("`{name}`"), vs)?;
        if self.shape_of(x).contains(&0) {
            self.size_error(format!("`{name}` of a tensor with no elements"), vs, "no elements");
            return None;
        }
        Some(x)
    }

    /// Stable ascending sort along `dim` (NaN last): the values and the indices.
    fn stable_sort(&mut self, x: NodeId, dim: usize, span: Span) -> (NodeId, NodeId) {
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let indices = self.node(Op::Index(IndexOp::Sort { dim, descending: false, stable: true }), DType::I64, shape.clone(), &[x], span);
        let values = self.op_node(Op::Index(IndexOp::Gather { dim }), dt, shape, &[x, indices], span, "SortBackward0");
        (values, indices)
    }

    /// `median(input)`, `median(input, dim, keepdim=false)` and the `nanmedian` forms.
    pub(super) fn median_call(&mut self, nan: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let x = or_poison!(self.ordered_input(bound, name, false));
        let dim = bound.positional.get(1).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let keepdim = match bound.positional.get(2).cloned().flatten() {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`keepdim` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help("write `keepdim=true`"),
                )
            }
        };
        let is_float = self.dtype_of(x).is_float();
        let Some((dv, ds)) = dim else {
            // The median of every element, a 0-d tensor.
            let flat = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(x), int(-1)], span));
            let (sorted, _) = self.stable_sort(flat, 0, span);
            let pos = or_poison!(self.median_rank(flat, 0, nan && is_float, span));
            let picked = or_poison!(self.tensor_call("gather", vec![Value::Tensor(sorted), int(0), Value::Tensor(pos)], span));
            let mut value = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(picked), Value::List(vec![])], span));
            if !nan && is_float {
                // Any NaN makes the median NaN (the sort put it last, out of reach).
                let isnan = or_poison!(self.tensor_call("isnan", vec![Value::Tensor(x)], span));
                let any = or_poison!(self.tensor_call("any", vec![Value::Tensor(isnan)], span));
                value = or_poison!(self.tensor_call("masked_fill", vec![Value::Tensor(value), Value::Tensor(any), float(f64::NAN)], span));
            }
            let dt = self.dtype_of(value);
            let out = self.node(Op::Reshape, dt, vec![], &[value], span);
            let grad_fn = if nan { "NanmedianBackward0" } else { "MedianBackward0" };
            let out = self
                .with_backward(grad_fn, &[x, value], out, span, |me, grad, saved| vec![me.evenly_distribute(grad, saved[0], saved[1], span), None]);
            return Value::Tensor(out);
        };
        let shape = self.shape_of(x);
        // A 0-d input is a line of one, as ATen views it.
        let (x1, d) = if shape.is_empty() {
            let viewed = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(x), int(1)], span));
            match self.dim_arg(Some((dv, ds)), 0, 1, ds) {
                Some(_) => (viewed, 0),
                None => return Value::Poison,
            }
        } else {
            match self.one_dim(dv, ds, &shape) {
                Some(d) => (x, d),
                None => return Value::Poison,
            }
        };
        let (sorted, order) = self.stable_sort(x1, d, span);
        let pos = or_poison!(self.median_rank(x1, d, nan && is_float, span));
        let pos = if !nan && is_float {
            // A line with NaN gives its first NaN, which the stable sort put at `n - nans`.
            let n = self.shape_of(x1)[d] as i64;
            let nans = or_poison!(self.nan_count(x1, d, span));
            let first_nan = or_poison!(self.tensor_call("rsub", vec![Value::Tensor(nans), int(n)], span));
            let has_nan = or_poison!(self.tensor_call("gt", vec![Value::Tensor(nans), int(0)], span));
            or_poison!(self.tensor_call("where", vec![Value::Tensor(has_nan), Value::Tensor(first_nan), Value::Tensor(pos)], span))
        } else {
            pos
        };
        let mut values = or_poison!(self.tensor_call("gather", vec![Value::Tensor(sorted), int(d as i64), Value::Tensor(pos)], span));
        let mut indices = or_poison!(self.tensor_call("gather", vec![Value::Tensor(order), int(d as i64), Value::Tensor(pos)], span));
        if !keepdim || shape.is_empty() {
            values = or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(values), int(d as i64)], span));
            indices = or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(indices), int(d as i64)], span));
        }
        self.grad_fn.insert(values, if nan { "NanmedianBackward1" } else { "MedianBackward1" }.to_string());
        let kind = if nan { "nanmedian" } else { "median" };
        Value::Named { kind, fields: &["values", "indices"], items: vec![(Value::Tensor(values), span), (Value::Tensor(indices), span)] }
    }

    /// The number of NaNs along `d`, kept as a dimension of 1 (i64).
    fn nan_count(&mut self, x: NodeId, d: usize, span: Span) -> Option<NodeId> {
        let isnan = self.tensor_call("isnan", vec![Value::Tensor(x)], span)?;
        self.tensor_call_kw("sum", vec![Value::Tensor(isnan), int(d as i64)], vec![("keepdim", Value::Bool(true))], span)
    }

    /// The median's rank along `d` (a dimension of 1 kept, i64): `(n - 1) / 2`,
    /// or `(n - nans - 1) / 2` ignoring NaN, C's division (0 when all are NaN).
    fn median_rank(&mut self, x: NodeId, d: usize, ignore_nan: bool, span: Span) -> Option<NodeId> {
        let mut shape = self.shape_of(x);
        let n = shape[d] as i64;
        shape[d] = 1;
        let sizes: Vec<Value> = shape.iter().map(|&s| int(s as i64)).collect();
        if !ignore_nan {
            return self.tensor_call_kw("full", vec![Value::List(sizes.into_iter().map(|v| (v, span)).collect()), int((n - 1) / 2)], vec![], span);
        }
        let nans = self.nan_count(x, d, span)?;
        let below = self.tensor_call("rsub", vec![Value::Tensor(nans), int(n - 1)], span)?;
        let half = match self.binary(crate::syntax::ast::BinOp::FloorDiv, (Value::Tensor(below), span), (int(2), span), span) {
            Value::Tensor(t) => t,
            _ => return None,
        };
        self.tensor_call_kw("clamp", vec![Value::Tensor(half)], vec![("min", int(0))], span)
    }

    /// `evenly_distribute_backward(grad, input, value)`: `grad / count` at the
    /// elements equal to `value` (the NaNs, when it is NaN), zero elsewhere.
    fn evenly_distribute(&mut self, grad: NodeId, x: NodeId, value: NodeId, span: Span) -> Option<NodeId> {
        let equal = self.tensor_call("eq", vec![Value::Tensor(x), Value::Tensor(value)], span)?;
        let mask = if self.dtype_of(x).is_float() {
            let x_nan = self.tensor_call("isnan", vec![Value::Tensor(x)], span)?;
            let v_nan = self.tensor_call("isnan", vec![Value::Tensor(value)], span)?;
            self.tensor_call("where", vec![Value::Tensor(v_nan), Value::Tensor(x_nan), Value::Tensor(equal)], span)?
        } else {
            equal
        };
        let count = self.tensor_call("sum", vec![Value::Tensor(mask)], span)?;
        let share = self.tensor_call("div", vec![Value::Tensor(grad), Value::Tensor(count)], span)?;
        let zero = self.tensor_call("zeros_like", vec![Value::Tensor(x)], span)?;
        self.tensor_call("where", vec![Value::Tensor(mask), Value::Tensor(share), Value::Tensor(zero)], span)
    }

    /// `quantile(input, q, dim=none, keepdim=false, interpolation="linear")`
    /// and `nanquantile`.
    pub(super) fn quantile_call(&mut self, nan: bool, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let interpolation = match bound.keyword("interpolation") {
            None => "linear".to_string(),
            Some((Value::Str(s), _)) if ["linear", "lower", "higher", "midpoint", "nearest"].contains(&s.as_str()) => s,
            Some((other, s)) => {
                let shown = if let Value::Str(t) = &other { format!("\"{t}\"") } else { other.describe().to_string() };
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}`'s interpolation must be \"linear\", \"lower\", \"higher\", \"midpoint\" or \"nearest\", not {shown}"),
                        s,
                        "not a mode",
                    )
                    .with_help("write `interpolation=\"linear\"`"),
                );
            }
        };
        let x = or_poison!(self.ordered_input(bound, name, true));
        let dt = self.dtype_of(x);
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (qv, qs) = arg(1).expect("bind guarantees q");
        // `q`: a number becomes `scalar_tensor(q)` in the input's dtype.
        let q = match qv {
            Value::Number(n) => {
                let q = n.f64();
                if !(0.0..=1.0).contains(&q) {
                    return self.error(
                        Diagnostic::new(Code::E0270, format!("quantile() q must be in the range [0, 1] but got {q}"), qs, "out of range")
                            .with_help("give q between 0 and 1"),
                    );
                }
                or_poison!(self.tensor_call_kw("tensor", vec![float(q)], vec![("dtype", Value::DType(dt))], span))
            }
            other => {
                let Some(q) = self.expect_tensor(other, qs, &format!("`{name}`'s q")) else { return Value::Poison };
                if self.shape_of(q).len() > 1 {
                    return self.size_error(
                        format!("quantile() q must be a scalar or 1D tensor, got shape {}", shapes::show(&self.shape_of(q))),
                        qs,
                        "more than 1-d",
                    );
                }
                if self.dtype_of(q) != dt {
                    self.meet(x, span, q, qs, &format!("`{name}`"));
                    return Value::Poison;
                }
                q
            }
        };
        let q_scalar = self.shape_of(q).is_empty();
        let shape = self.shape_of(x);
        let keepdim = matches!(arg(3), Some((Value::Bool(true), _)));
        // `quantile_output_shape`, then the quantiles' dimension in front.
        let (sorted_in, mut out_shape) = match arg(2) {
            None => {
                let flat = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(x), int(-1)], span));
                (flat, if keepdim { vec![1; shape.len()] } else { vec![] })
            }
            Some((dv, ds)) => {
                let Some(d) = (if shape.is_empty() { self.dim_arg(Some((dv, ds)), 0, 1, ds) } else { self.one_dim(dv, ds, &shape) }) else {
                    return Value::Poison;
                };
                let mut out = shape.clone();
                if !shape.is_empty() {
                    if keepdim {
                        out[d] = 1;
                    } else {
                        out.remove(d);
                    }
                }
                let moved = if shape.is_empty() || d == shape.len() - 1 {
                    x
                } else {
                    let u = or_poison!(self.tensor_call("unsqueeze", vec![Value::Tensor(x), int(-1)], span));
                    or_poison!(self.tensor_call("transpose", vec![Value::Tensor(u), int(d as i64), int(-1)], span))
                };
                (moved, out)
            }
        };
        out_shape.insert(0, if q_scalar { 1 } else { self.shape_of(q)[0] });
        let rank = self.shape_of(sorted_in).len();
        let (sorted, _) = if rank == 0 {
            let one = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(sorted_in), int(1)], span));
            self.stable_sort(one, 0, span)
        } else {
            self.stable_sort(sorted_in, rank - 1, span)
        };
        let n = *self.shape_of(sorted).last().expect("sorted along its last dimension");
        let mut in_shape: Vec<usize> = out_shape[1..].to_vec();
        in_shape.push(n);
        let sorted = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(sorted), Value::Size(in_shape)], span));
        let last = n as i64 - 1;
        let isnan = or_poison!(self.tensor_call("isnan", vec![Value::Tensor(sorted)], span));
        let ranks = if nan {
            let valid = or_poison!(self.tensor_call("logical_not", vec![Value::Tensor(isnan)], span));
            let count = or_poison!(self.tensor_call_kw("sum", vec![Value::Tensor(valid), int(-1), Value::Bool(true)], vec![], span));
            let below = or_poison!(self.tensor_call("sub", vec![Value::Tensor(count), int(1)], span));
            let ranks = or_poison!(self.tensor_call("mul", vec![Value::Tensor(q), Value::Tensor(below)], span));
            let negative = or_poison!(self.tensor_call("lt", vec![Value::Tensor(ranks), int(0)], span));
            or_poison!(self.tensor_call("masked_fill", vec![Value::Tensor(ranks), Value::Tensor(negative), int(0)], span))
        } else {
            let scaled = or_poison!(self.tensor_call("mul", vec![Value::Tensor(q), int(last)], span));
            let any = or_poison!(self.tensor_call_kw("any", vec![Value::Tensor(isnan), int(-1), Value::Bool(true)], vec![], span));
            // `broadcast_tensors`, then `masked_fill`: the rank of a line with NaN is the last.
            let zeros = or_poison!(self.tensor_call_kw("zeros_like", vec![Value::Tensor(any)], vec![("dtype", Value::DType(dt))], span));
            let spread = or_poison!(self.tensor_call("add", vec![Value::Tensor(scaled), Value::Tensor(zeros)], span));
            or_poison!(self.tensor_call("masked_fill", vec![Value::Tensor(spread), Value::Tensor(any), int(last)], span))
        };
        let ranks = match interpolation.as_str() {
            "lower" => or_poison!(self.tensor_call("floor", vec![Value::Tensor(ranks)], span)),
            "higher" => or_poison!(self.tensor_call("ceil", vec![Value::Tensor(ranks)], span)),
            "nearest" => or_poison!(self.tensor_call("round", vec![Value::Tensor(ranks)], span)),
            _ => ranks,
        };
        let below = self.cast_to(ranks, DType::I64, span);
        let mut values = or_poison!(self.tensor_call("gather", vec![Value::Tensor(sorted), int(-1), Value::Tensor(below)], span));
        if interpolation == "linear" || interpolation == "midpoint" {
            let weights = if interpolation == "midpoint" {
                or_poison!(self.tensor_call_kw("full_like", vec![Value::Tensor(ranks), float(0.5)], vec![], span))
            } else {
                or_poison!(self.tensor_call("sub", vec![Value::Tensor(ranks), Value::Tensor(below)], span))
            };
            let up = or_poison!(self.tensor_call("ceil", vec![Value::Tensor(ranks)], span));
            let above = self.cast_to(up, DType::I64, span);
            let upper = or_poison!(self.tensor_call("gather", vec![Value::Tensor(sorted), int(-1), Value::Tensor(above)], span));
            values = or_poison!(self.tensor_call("lerp", vec![Value::Tensor(values), Value::Tensor(upper), Value::Tensor(weights)], span));
        }
        let out = if q_scalar {
            or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(values), int(-1)], span))
        } else {
            let u = or_poison!(self.tensor_call("unsqueeze", vec![Value::Tensor(values), int(0)], span));
            let t = or_poison!(self.tensor_call("transpose", vec![Value::Tensor(u), int(0), int(-1)], span));
            or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(t), int(-1)], span))
        };
        // PyTorch's in-place `squeeze_` names the result.
        self.grad_fn.insert(out, "SqueezeBackward4".to_string());
        Value::Tensor(out)
    }
}

impl Lowerer<'_> {
    /// `kthvalue(input, k, dim=-1, keepdim=false)`: `torch.return_types.kthvalue`,
    /// each line's `k`-th smallest element and its position, found by ATen's
    /// quickselect (`IndexOp::Kth`, whose ties are PyTorch's), the values a
    /// `gather` there (`KthvalueBackward0`, the gradient to that position).
    pub(super) fn kthvalue_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let x = or_poison!(self.ordered_input(bound, "kthvalue", false));
        let (kv, ks) = bound.positional[1].clone().expect("bind guarantees k");
        let shape = self.shape_of(x);
        let (x1, d) = if shape.is_empty() {
            (or_poison!(self.tensor_call("reshape", vec![Value::Tensor(x), int(1)], span)), 0)
        } else {
            let d = match bound.positional.get(2).cloned().flatten() {
                None | Some((Value::None, _)) => shape.len() - 1,
                Some((dv, ds)) => or_poison!(self.one_dim(dv, ds, &shape)),
            };
            (x, d)
        };
        let n = self.shape_of(x1)[d];
        let k = match kv {
            Value::Number(Num::Int(k)) if k >= 1 && k <= n as i128 => k as usize,
            Value::Number(Num::Int(_)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0288,
                        format!("kthvalue(): selected number k out of range for dimension {d} of size {n}"),
                        ks,
                        "out of range",
                    )
                    .with_help(format!("give k from 1 to {n}")),
                )
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`kthvalue`'s k must be an integer, not {}", other.describe()), ks, "not an integer")
                        .with_help("write `kthvalue(x, 2)`"),
                )
            }
        };
        let keepdim = matches!(bound.positional.get(3).cloned().flatten(), Some((Value::Bool(true), _)));
        let mut kept = self.shape_of(x1);
        kept[d] = 1;
        let dt = self.dtype_of(x1);
        let mut indices = self.node(Op::Index(IndexOp::Kth { dim: d, k }), DType::I64, kept.clone(), &[x1], span);
        let mut values = self.op_node(Op::Index(IndexOp::Gather { dim: d }), dt, kept, &[x1, indices], span, "KthvalueBackward0");
        if !keepdim || shape.is_empty() {
            values = or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(values), int(d as i64)], span));
            indices = or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(indices), int(d as i64)], span));
            self.grad_fn.insert(values, "KthvalueBackward0".to_string());
        }
        Value::Named { kind: "kthvalue", fields: &["values", "indices"], items: vec![(Value::Tensor(values), span), (Value::Tensor(indices), span)] }
    }
}
