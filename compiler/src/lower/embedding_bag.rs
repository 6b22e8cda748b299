//! `embedding_bag(input, weight, offsets=none, ..., mode="mean", ...,
//! per_sample_weights=none, include_last_offset=false, padding_idx=none)`
//! (`F.embedding_bag`, `nn.EmbeddingBag`): the rows of `weight` that `input`
//! names, summed, averaged or maxed over each bag, written with graph ops in
//! the order of ATen's CPU kernels (`EmbeddingBag.cpp`):
//!
//! - Each position's bag is `searchsorted(offsets, position, right=true) - 1`
//!   (ATen's `offset2bag`); a 2-D input is one bag per row.
//! - `sum` and `mean` add each bag's rows in position order into zeros (FBGEMM's
//!   kernel, or `axpy` where a `padding_idx` leaves its rows out). With
//!   `per_sample_weights` FBGEMM adds `weight * row` with one rounding (a
//!   `scatter_fma_into`), while the scalar loop of f64 and of a `padding_idx`
//!   rounds the product first, as measured. `mean` then divides by the bag's
//!   size less its padding, at least 1.
//! - `max` keeps, for each column, the first strictly larger value of the bag
//!   (a NaN only as the bag's first value), as `embedding_bag_cpu_max_out`;
//!   the result is a `gather` of the weight at the winning rows, whose
//!   gradient is ATen's `index_add_` of the gradient there.
//! - The backward of `sum` and `mean` is `_embedding_bag_dense_backward_cpu`'s
//!   (`EmbeddingBagBackward0`): the positions visited in the order of ATen's
//!   `indices.sort()`, each adding `scale * grad[bag]` to its row with MKL's
//!   fused `saxpy`, `scale` being the sample's weight or `1 / bag_size`
//!   rounded from double. The gradient of `per_sample_weights` is the dot
//!   product of the row and the bag's gradient in the order of MKL's `sdot`
//!   (`ddot` in f64) on this machine's AVX-512 (measured on every length from
//!   1 to 299: 16 lanes (8 in f64) accumulated with fused multiply-adds in up
//!   to four accumulators, then folded), which `dot_lanes` builds.

use std::collections::HashMap;

use graphc_runtime::op::{Binary, Cmp, FloatTest, IndexOp, Logical, Scalar, ScatterReduce};
use graphc_runtime::{DType, Op};

use super::known_values::known_value;
use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// How a bag's rows combine (`mode`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sum,
    Mean,
    Max,
}

/// What the backward of `sum` and `mean` needs of the forward.
struct Bags {
    dt: DType,
    /// The number of positions, bags, rows of the weight and columns.
    k: usize,
    b: usize,
    v: usize,
    d: usize,
    padding: Option<i64>,
}

impl Lowerer<'_> {
    /// `embedding_bag(...)`.
    pub(super) fn embedding_bag_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (iv, is) = bound.positional[0].clone().expect("bind guarantees input");
        let (wv, ws) = bound.positional[1].clone().expect("bind guarantees weight");
        let Some(ids) = self.expect_tensor(iv, is, "`embedding_bag`'s input") else { return Value::Poison };
        let Some(w) = self.expect_float_tensor(wv, ws, "`embedding_bag`'s weight") else { return Value::Poison };
        // The options that change what PyTorch computes beyond the bags' sums.
        for (i, what) in [(3, "max_norm"), (5, "scale_grad_by_freq"), (7, "sparse")] {
            if let Some((_, s)) = arg(i).filter(|(v, _)| !matches!(v, Value::Bool(false))) {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`embedding_bag`'s `{what}` is not supported"), s, "not supported")
                        .with_help("leave it at its default: the bags of the weight's rows, whose gradient is dense"),
                );
            }
        }
        let mode = match arg(6) {
            None => Mode::Mean,
            Some((Value::Str(m), ms)) => match m.as_str() {
                "sum" => Mode::Sum,
                "mean" => Mode::Mean,
                "max" => Mode::Max,
                _ => {
                    return self.error(
                        Diagnostic::new(Code::E0107, "mode has to be one of sum, mean or max", ms, "unknown mode")
                            .with_help("write `mode=\"sum\"`, `\"mean\"` or `\"max\"`"),
                    )
                }
            },
            Some((other, ms)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`mode` must be a string, not {}", other.describe()), ms, "not a string")
                        .with_help("write `mode=\"sum\"`, `\"mean\"` or `\"max\"`"),
                )
            }
        };
        let include_last = match arg(9) {
            None | Some((Value::Bool(false), _)) => false,
            Some((Value::Bool(true), _)) => true,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`include_last_offset` must be a bool, not {}", other.describe()), s, "not a bool")
                        .with_help("write `include_last_offset=true` when `offsets` ends with the input's length"),
                )
            }
        };
        let (dt, wsh, ish) = (self.dtype_of(w), self.shape_of(w), self.shape_of(ids));
        if wsh.len() != 2 {
            return self.error(
                Diagnostic::new(Code::E0202, format!("'weight' must be 2-D, but got a tensor of shape {}", shapes::show(&wsh)), ws, "not 2-D")
                    .with_help("pass the weight as nn.EmbeddingBag stores it: (num_embeddings, embedding_dim)"),
            );
        }
        let (v, d) = (wsh[0], wsh[1]);
        if self.dtype_of(ids) != DType::I64 {
            let found = self.dtype_of(ids);
            return self.error(
                Diagnostic::new(Code::E0281, format!("`embedding_bag`'s input must be an i64 tensor, not {found}"), is, "not i64")
                    .with_help("convert the indices first (`ids.long()`)"),
            );
        }
        let psw = match arg(8) {
            None => None,
            Some((pv, ps)) => {
                if mode != Mode::Sum {
                    let name = if mode == Mode::Mean { "mean" } else { "max" };
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='{name}'). Please open a feature request on GitHub."),
                            ps,
                            "weights given",
                        )
                        .with_help("pass `mode=\"sum\"` with per-sample weights, or leave them out"),
                    );
                }
                let Some(p) = self.expect_float_tensor(pv, ps, "`embedding_bag`'s per_sample_weights") else { return Value::Poison };
                if self.shape_of(p) != ish {
                    let message = format!(
                        "embedding_bag: If per_sample_weights ({}) is not None, then it must have the same shape as the input ({})",
                        shapes::show(&self.shape_of(p)),
                        shapes::show(&ish)
                    );
                    return self
                        .error(Diagnostic::new(Code::E0202, message, ps, "another shape").with_help("give one weight per index of the input"));
                }
                if self.dtype_of(p) != dt {
                    let found = self.dtype_of(p);
                    return self.error(
                        Diagnostic::new(Code::E0204, format!("per_sample_weights is {found} but the weight is {dt}"), ps, "another dtype")
                            .with_help("convert one of them so that both have one dtype"),
                    );
                }
                Some(p)
            }
        };
        // A 2-D input is a batch of bags of one length; a 1-D one is cut by `offsets`.
        let offsets = match (ish.len(), arg(2)) {
            (2, None) => {
                let (rows, n) = (ish[0], ish[1]);
                let starts: Vec<Scalar> = (0..rows).map(|r| Scalar::Int((r * n) as i64)).collect();
                (self.node(Op::Literal(starts), DType::I64, vec![rows], &[], span), span)
            }
            (2, Some((ov, os))) => {
                let type_str = if matches!(ov, Value::Tensor(_)) { "<class 'torch.Tensor'>".to_string() } else { ov.describe().to_string() };
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!(
                            "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type {type_str}"
                        ),
                        os,
                        "offsets of a 2-D input",
                    )
                    .with_help("leave `offsets` out for a 2-D input, or flatten the input and give where each bag starts"),
                );
            }
            (1, None) => {
                return self.error(
                    Diagnostic::new(Code::E0107, "offsets has to be a 1D Tensor but got None", span, "no offsets")
                        .with_help("give where each bag starts in the input, as in `offsets=tensor([0, 3])`"),
                )
            }
            (1, Some((ov, os))) => {
                let Some(o) = self.expect_tensor(ov, os, "`embedding_bag`'s offsets") else { return Value::Poison };
                let osh = self.shape_of(o);
                if osh.len() != 1 {
                    return self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!("offsets has to be a 1D Tensor, but got Tensor of dimension {}", osh.len()),
                            os,
                            "not 1-D",
                        )
                        .with_help("give one start position per bag"),
                    );
                }
                if self.dtype_of(o) != DType::I64 {
                    let found = self.dtype_of(o);
                    return self.error(
                        Diagnostic::new(Code::E0281, format!("`embedding_bag`'s offsets must be an i64 tensor, not {found}"), os, "not i64")
                            .with_help("convert them first (`offsets.long()`)"),
                    );
                }
                (o, os)
            }
            (rank, _) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!("input has to be 1D or 2D Tensor, but got Tensor of dimension {rank}"),
                        is,
                        "not 1-D or 2-D",
                    )
                    .with_help("give a flat input with `offsets`, or one bag per row"),
                )
            }
        };
        let k = ish.iter().product::<usize>();
        let n_offsets = self.shape_of(offsets.0)[0];
        let b = n_offsets.saturating_sub(usize::from(include_last));
        if k == 0 || b == 0 || v == 0 {
            return self.error(
                Diagnostic::new(Code::E0107, "`embedding_bag` needs at least one index, one bag and one embedding", span, "empty")
                    .with_help("give a non-empty input, offsets and weight"),
            );
        }
        if !self.offsets_fit(offsets, k, include_last) {
            return Value::Poison;
        }
        let padding = match arg(10) {
            None => None,
            Some((Value::Number(Num::Int(p)), ps)) => {
                let n = v as i128;
                if p >= n || p < -n {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("padding_idx must be within the number of embeddings, -{n} through {}, but got {p}", n - 1),
                            ps,
                            "out of range",
                        )
                        .with_help(format!("pass a row of the weight, from {} to {}", -n, n - 1)),
                    );
                }
                Some(if p < 0 { p + n } else { p } as i64)
            }
            Some((other, ps)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`padding_idx` must be an integer, not {}", other.describe()), ps, "not an integer")
                        .with_help("pass the row that the bags leave out, as in `padding_idx=0`"),
                )
            }
        };
        if !self.constant_index_fits(ids, is, 0, v) {
            return Value::Poison;
        }
        let flat = self.node(Op::Reshape, DType::I64, vec![k], &[ids], span);
        let psw = psw.map(|p| self.node(Op::Reshape, dt, vec![k], &[p], span));
        let bags = Bags { dt, k, b, v, d, padding };
        let o2b = self.offset_to_bag(offsets.0, &bags, span);
        let rows = self.weight_rows(w, flat, &bags, span);
        let valid = padding.map(|p| {
            let pad = self.scalar(p as f64, DType::I64, span);
            self.node(Op::Compare(Cmp::Ne), DType::Bool, vec![k], &[flat, pad], span)
        });
        if mode == Mode::Max {
            return Value::Tensor(self.bag_max(w, flat, rows, o2b, valid, &bags, span));
        }
        let sums = self.bag_sums(rows, o2b, psw, valid, &bags, span);
        let count = (mode == Mode::Mean).then(|| self.bag_sizes(o2b, valid, &bags, span));
        let out = match count {
            Some(c) => {
                let one = self.scalar(1.0, dt, span);
                let at_least_one = self.node(Op::Binary(Binary::Maximum), dt, vec![b], &[c, one], span);
                let column = self.node(Op::Reshape, dt, vec![b, 1], &[at_least_one], span);
                self.node(Op::Binary(Binary::Div), dt, vec![b, d], &[sums, column], span)
            }
            None => sums,
        };
        let mut inputs = vec![w, flat, o2b];
        inputs.extend(psw);
        inputs.extend(count);
        let out = self.with_backward("EmbeddingBagBackward0", &inputs, out, span, |me, grad, ins| {
            let (w, flat, o2b) = (ins[0], ins[1], ins[2]);
            let psw = psw.map(|_| ins[3]);
            let count = count.map(|_| ins[ins.len() - 1]);
            let weight_grad = me.bag_weight_grad(grad, flat, o2b, psw, count, &bags, span);
            let mut grads = vec![Some(weight_grad), None, None];
            if psw.is_some() {
                grads.push(Some(me.sample_weight_grad(grad, w, flat, o2b, &bags, span)));
            }
            if count.is_some() {
                grads.push(None);
            }
            grads
        });
        Value::Tensor(out)
    }

    /// False (with an error) when `offsets` is known now and breaks ATen's
    /// checks: the first is 0, the last at most the input's length. graphc
    /// also refuses offsets that go down, and with `include_last_offset` a
    /// last offset short of the input's length, where PyTorch's kernels
    /// disagree on the bags (its forward leaves the indices past it out, and
    /// its backward reads past the gradient).
    fn offsets_fit(&mut self, (o, os): (NodeId, Span), k: usize, include_last: bool) -> bool {
        let Some((value, _)) = known_value(&self.prog, &HashMap::new(), o) else { return true };
        let Some(starts) = value.as_i64() else { return true };
        let fail = |me: &mut Self, message: String, help: &str| {
            me.error(Diagnostic::new(Code::E0107, message, os, "offsets").with_help(help.to_string()));
            false
        };
        match starts {
            [first, ..] if *first != 0 => fail(
                self,
                format!("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got {first}"),
                "start the first bag at position 0",
            ),
            [.., last] if *last > k as i64 => fail(
                self,
                format!("offsets[-1] can not be greater than input's length {k} but got offsets[-1] of {last}"),
                "end the last bag within the input",
            ),
            _ if starts.windows(2).any(|p| p[1] < p[0]) => fail(self, "offsets must not decrease".to_string(), "give each bag's start, in order"),
            [.., last] if include_last && *last != k as i64 => fail(
                self,
                format!("with include_last_offset=true the last offset ends the last bag, and must be the input's length {k}, not {last}"),
                "end `offsets` with the input's length: PyTorch's forward and backward disagree on the indices past it",
            ),
            _ => true,
        }
    }

    /// The bag of each position, `[k]` i64: the number of bag starts at or
    /// before it, less one (ATen's `make_offset2bag`). Offsets known now give
    /// a constant, which needs no search when running (nor in ONNX).
    fn offset_to_bag(&mut self, offsets: NodeId, bags: &Bags, span: Span) -> NodeId {
        let k = bags.k;
        if bags.b == 1 {
            return self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![k], &[], span);
        }
        if let Some(starts) = known_value(&self.prog, &HashMap::new(), offsets).and_then(|(t, _)| t.as_i64().map(|v| v[..bags.b].to_vec())) {
            let bag = |p: usize| starts.partition_point(|&s| s <= p as i64) as i64 - 1;
            let values = (0..k).map(|p| Scalar::Int(bag(p))).collect();
            return self.node(Op::Literal(values), DType::I64, vec![k], &[], span);
        }
        let starts = if self.shape_of(offsets)[0] == bags.b {
            offsets
        } else {
            self.node(Op::Slice { dim: 0, start: 0, step: 1 }, DType::I64, vec![bags.b], &[offsets], span)
        };
        let positions = self.node(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, DType::I64, vec![k], &[], span);
        let after = self.node(Op::Index(IndexOp::Search { right: true, sorter: false }), DType::I64, vec![k], &[starts, positions], span);
        let one = self.scalar(1.0, DType::I64, span);
        self.node(Op::Binary(Binary::Sub), DType::I64, vec![k], &[after, one], span)
    }

    /// `weight[ids]`, `[k, d]`.
    fn weight_rows(&mut self, w: NodeId, flat: NodeId, bags: &Bags, span: Span) -> NodeId {
        let (k, d) = (bags.k, bags.d);
        let column = self.node(Op::Reshape, DType::I64, vec![k, 1], &[flat], span);
        let spread = self.node(Op::Expand, DType::I64, vec![k, d], &[column], span);
        self.node(Op::Index(IndexOp::Gather { dim: 0 }), bags.dt, vec![k, d], &[w, spread], span)
    }

    /// A `[k]` i64 index spread over the `d` columns, `[k, d]`.
    fn spread(&mut self, index: NodeId, k: usize, d: usize, span: Span) -> NodeId {
        let column = self.node(Op::Reshape, DType::I64, vec![k, 1], &[index], span);
        self.node(Op::Expand, DType::I64, vec![k, d], &[column], span)
    }

    /// A `[k]` float spread over the `d` columns.
    fn spread_float(&mut self, x: NodeId, k: usize, d: usize, span: Span) -> NodeId {
        let dt = self.dtype_of(x);
        let column = self.node(Op::Reshape, dt, vec![k, 1], &[x], span);
        self.node(Op::Expand, dt, vec![k, d], &[column], span)
    }

    /// Each bag's rows added in position order into zeros, `[b, d]`.
    fn bag_sums(&mut self, rows: NodeId, o2b: NodeId, psw: Option<NodeId>, valid: Option<NodeId>, bags: &Bags, span: Span) -> NodeId {
        let (dt, k, b, d) = (bags.dt, bags.k, bags.b, bags.d);
        let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![b, d], &[], span);
        let at = self.spread(o2b, k, d, span);
        match (psw, valid) {
            // FBGEMM's kernel, which serves f32 without padding: `fma(weight, row, sum)`.
            (Some(p), None) if dt == DType::F32 => {
                let scale = self.spread_float(p, k, d, span);
                self.node(Op::Index(IndexOp::ScatterFma { dim: 0 }), dt, vec![b, d], &[zeros, at, rows, scale], span)
            }
            _ => {
                let mut src = match psw {
                    // The scalar loop `output += src * scale` of the other paths.
                    Some(p) => {
                        let column = self.node(Op::Reshape, dt, vec![k, 1], &[p], span);
                        self.node(Op::Binary(Binary::Mul), dt, vec![k, d], &[rows, column], span)
                    }
                    None => rows,
                };
                if let Some(valid) = valid {
                    // A left-out row adds +0, which changes no sum (none is -0).
                    let column = self.node(Op::Reshape, DType::Bool, vec![k, 1], &[valid], span);
                    let zero = self.scalar(0.0, dt, span);
                    src = self.node(Op::Select, dt, vec![k, d], &[column, src, zero], span);
                }
                self.node(Op::Index(IndexOp::ScatterInto { dim: 0, add: true }), dt, vec![b, d], &[zeros, at, src], span)
            }
        }
    }

    /// The number of rows in each bag that are not `padding_idx`, `[b]` in the weight's dtype.
    fn bag_sizes(&mut self, o2b: NodeId, valid: Option<NodeId>, bags: &Bags, span: Span) -> NodeId {
        let (dt, k, b) = (bags.dt, bags.k, bags.b);
        let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![b], &[], span);
        let ones = match valid {
            Some(valid) => self.node(Op::Cast, dt, vec![k], &[valid], span),
            None => self.node(Op::Full(Scalar::of(1.0, dt)), dt, vec![k], &[], span),
        };
        self.node(Op::Index(IndexOp::ScatterInto { dim: 0, add: true }), dt, vec![b], &[zeros, o2b, ones], span)
    }

    /// `mode="max"`: for each bag and column the row of the first strictly
    /// larger value (a NaN only first), its value gathered from the weight; an
    /// empty bag (or one of padding only) is zeros.
    #[allow(clippy::too_many_arguments)]
    fn bag_max(&mut self, w: NodeId, flat: NodeId, rows: NodeId, o2b: NodeId, valid: Option<NodeId>, bags: &Bags, span: Span) -> NodeId {
        let (dt, k, b, d) = (bags.dt, bags.k, bags.b, bags.d);
        let positions = self.node(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, DType::I64, vec![k], &[], span);
        let never = self.scalar(k as f64, DType::I64, span);
        // Each bag's first position with a row that counts (`k` for none).
        let counted = match valid {
            Some(valid) => self.node(Op::Select, DType::I64, vec![k], &[valid, positions, never], span),
            None => positions,
        };
        let nowhere = self.node(Op::Full(Scalar::Int(k as i64)), DType::I64, vec![b], &[], span);
        let amin = Op::Index(IndexOp::ScatterReduce { dim: 0, reduce: ScatterReduce::Amin, include_self: false });
        let first = self.node(amin.clone(), DType::I64, vec![b], &[nowhere, o2b, counted], span);
        let first_here = self.node(Op::Index(IndexOp::Gather { dim: 0 }), DType::I64, vec![k], &[first, o2b], span);
        let is_first = self.node(Op::Compare(Cmp::Eq), DType::Bool, vec![k], &[positions, first_here], span);
        // A NaN after the first value never wins (`weight_item > current_item`
        // is false), nor does a padding row: both count as -inf.
        let nan = self.node(Op::FloatTest(FloatTest::IsNan), DType::Bool, vec![k, d], &[rows], span);
        let not_first = self.node(Op::Logical(Logical::Not), DType::Bool, vec![k], &[is_first], span);
        let not_first = self.node(Op::Reshape, DType::Bool, vec![k, 1], &[not_first], span);
        let mut out_of_race = self.node(Op::Logical(Logical::And), DType::Bool, vec![k, d], &[nan, not_first], span);
        let valid_column = valid.map(|valid| self.node(Op::Reshape, DType::Bool, vec![k, 1], &[valid], span));
        if let Some(vc) = valid_column {
            let padded = self.node(Op::Logical(Logical::Not), DType::Bool, vec![k, 1], &[vc], span);
            out_of_race = self.node(Op::Logical(Logical::Or), DType::Bool, vec![k, d], &[out_of_race, padded], span);
        }
        let low = self.scalar(f64::NEG_INFINITY, dt, span);
        let racing = self.node(Op::Select, dt, vec![k, d], &[out_of_race, low, rows], span);
        let at = self.spread(o2b, k, d, span);
        let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![b, d], &[], span);
        let amax = Op::Index(IndexOp::ScatterReduce { dim: 0, reduce: ScatterReduce::Amax, include_self: false });
        let best = self.node(amax, dt, vec![b, d], &[zeros, at, racing], span);
        // The first position (that counts) holding each bag's best value.
        let best_here = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![k, d], &[best, at], span);
        let equal = self.node(Op::Compare(Cmp::Eq), DType::Bool, vec![k, d], &[racing, best_here], span);
        let racing_nan = self.node(Op::FloatTest(FloatTest::IsNan), DType::Bool, vec![k, d], &[racing], span);
        let best_nan = self.node(Op::FloatTest(FloatTest::IsNan), DType::Bool, vec![k, d], &[best_here], span);
        let both_nan = self.node(Op::Logical(Logical::And), DType::Bool, vec![k, d], &[racing_nan, best_nan], span);
        let mut wins = self.node(Op::Logical(Logical::Or), DType::Bool, vec![k, d], &[equal, both_nan], span);
        if let Some(vc) = valid_column {
            wins = self.node(Op::Logical(Logical::And), DType::Bool, vec![k, d], &[wins, vc], span);
        }
        let position_column = self.spread(positions, k, d, span);
        let candidates = self.node(Op::Select, DType::I64, vec![k, d], &[wins, position_column, never], span);
        let nowhere = self.node(Op::Full(Scalar::Int(k as i64)), DType::I64, vec![b, d], &[], span);
        let winner = self.node(amin, DType::I64, vec![b, d], &[nowhere, at, candidates], span);
        // An empty bag reads position 0, whose value the mask below replaces.
        let last = self.scalar((k - 1) as f64, DType::I64, span);
        let winner = self.node(Op::Binary(Binary::Minimum), DType::I64, vec![b, d], &[winner, last], span);
        let ids_spread = self.spread(flat, k, d, span);
        let word = self.node(Op::Index(IndexOp::Gather { dim: 0 }), DType::I64, vec![b, d], &[ids_spread, winner], span);
        let picked = self.op_node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![b, d], &[w, word], span, "EmbeddingBagBackward0");
        let filled = self.node(Op::Compare(Cmp::Lt), DType::Bool, vec![b], &[first, never], span);
        let filled = self.node(Op::Reshape, DType::Bool, vec![b, 1], &[filled], span);
        let zero = self.scalar(0.0, dt, span);
        let out = self.node(Op::Select, dt, vec![b, d], &[filled, picked, zero], span);
        if self.requires_grad(out) {
            self.grad_fn.insert(out, "EmbeddingBagBackward0".to_string());
        }
        out
    }

    /// The weight's gradient of `sum` and `mean`, `[v, d]`: each position, in
    /// the order of `indices.sort()`, adding `scale * grad[bag]` to its row.
    #[allow(clippy::too_many_arguments)]
    fn bag_weight_grad(
        &mut self,
        grad: NodeId,
        flat: NodeId,
        o2b: NodeId,
        psw: Option<NodeId>,
        count: Option<NodeId>,
        bags: &Bags,
        span: Span,
    ) -> NodeId {
        let (dt, k, v, d) = (bags.dt, bags.k, bags.v, bags.d);
        let order = self.node(Op::Index(IndexOp::Sort { dim: 0, descending: false, stable: false }), DType::I64, vec![k], &[flat], span);
        let sorted_ids = self.node(Op::Index(IndexOp::Gather { dim: 0 }), DType::I64, vec![k], &[flat, order], span);
        let sorted_bags = self.node(Op::Index(IndexOp::Gather { dim: 0 }), DType::I64, vec![k], &[o2b, order], span);
        let bag_spread = self.spread(sorted_bags, k, d, span);
        let mut src = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![k, d], &[grad, bag_spread], span);
        if let Some(p) = bags.padding {
            let pad = self.scalar(p as f64, DType::I64, span);
            let kept = self.node(Op::Compare(Cmp::Ne), DType::Bool, vec![k], &[sorted_ids, pad], span);
            let kept = self.node(Op::Reshape, DType::Bool, vec![k, 1], &[kept], span);
            let zero = self.scalar(0.0, dt, span);
            src = self.node(Op::Select, dt, vec![k, d], &[kept, src, zero], span);
        }
        let scale = match (psw, count) {
            (Some(p), _) => Some(self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![k], &[p, order], span)),
            // `scale /= bag_size` in double, then rounded to the weight's dtype.
            (None, Some(c)) => {
                let wide = self.node(Op::Cast, DType::F64, vec![bags.b], &[c], span);
                let one = self.scalar(1.0, DType::F64, span);
                let inverse = self.node(Op::Binary(Binary::Div), DType::F64, vec![bags.b], &[one, wide], span);
                let inverse = self.node(Op::Cast, dt, vec![bags.b], &[inverse], span);
                Some(self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![k], &[inverse, sorted_bags], span))
            }
            (None, None) => None,
        };
        let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![v, d], &[], span);
        let at = self.spread(sorted_ids, k, d, span);
        match scale {
            Some(s) => {
                let s = self.spread_float(s, k, d, span);
                self.node(Op::Index(IndexOp::ScatterFma { dim: 0 }), dt, vec![v, d], &[zeros, at, src, s], span)
            }
            // `axpy` with a scale of 1 adds exactly.
            None => self.node(Op::Index(IndexOp::ScatterInto { dim: 0, add: true }), dt, vec![v, d], &[zeros, at, src], span),
        }
    }

    /// The gradient of `per_sample_weights`, `[k]`: `dot(grad[bag], weight[id])`
    /// of each position in MKL's order, 0 at `padding_idx`.
    fn sample_weight_grad(&mut self, grad: NodeId, w: NodeId, flat: NodeId, o2b: NodeId, bags: &Bags, span: Span) -> NodeId {
        let (dt, k, d) = (bags.dt, bags.k, bags.d);
        let at = self.spread(o2b, k, d, span);
        let g_rows = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![k, d], &[grad, at], span);
        let w_rows = self.weight_rows(w, flat, bags, span);
        let dot = self.dot_lanes(g_rows, w_rows, k, d, span);
        match bags.padding {
            Some(p) => {
                let pad = self.scalar(p as f64, DType::I64, span);
                let kept = self.node(Op::Compare(Cmp::Ne), DType::Bool, vec![k], &[flat, pad], span);
                let zero = self.scalar(0.0, dt, span);
                self.node(Op::Select, dt, vec![k], &[kept, dot, zero], span)
            }
            None => dot,
        }
    }

    /// The dot products of the rows of `x` and `y` (`[k, n]` each), `[k]`, as
    /// MKL's `sdot` (`ddot`) sums them here: lanes of 16 (8) elements, zeros
    /// past the end; blocks of four lane groups into four accumulators, then
    /// a block of two into the first two, then one group and the rest into the
    /// first; the accumulators added in pairs; the lanes folded in halves to
    /// four (f32), added in adjacent pairs, or to one (f64).
    fn dot_lanes(&mut self, x: NodeId, y: NodeId, k: usize, n: usize, span: Span) -> NodeId {
        let dt = self.dtype_of(x);
        let lanes = if dt == DType::F64 { 8 } else { 16 };
        let groups = n.div_ceil(lanes);
        let (x, y) = if groups * lanes == n {
            (x, y)
        } else {
            let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![k, groups * lanes - n], &[], span);
            let pad = |me: &mut Self, t: NodeId| me.node(Op::Cat { dim: 1, n: 2 }, dt, vec![k, groups * lanes], &[t, zeros], span);
            (pad(self, x), pad(self, y))
        };
        let group = |me: &mut Self, t: NodeId, gi: usize| {
            if groups == 1 {
                t
            } else {
                me.node(Op::Slice { dim: 1, start: gi * lanes, step: 1 }, dt, vec![k, lanes], &[t], span)
            }
        };
        let mut accs: [Option<NodeId>; 4] = [None; 4];
        // The accumulators start at +0, so that a product of -0 sums to +0.
        let zero = self.scalar(0.0, dt, span);
        let mut add_group = |me: &mut Self, acc: usize, gi: usize| {
            let (xg, yg) = (group(me, x, gi), group(me, y, gi));
            let a = accs[acc].unwrap_or(zero);
            accs[acc] = Some(me.node(Op::Fma, dt, vec![k, lanes], &[xg, yg, a], span));
        };
        let mut gi = 0;
        while groups - gi >= 4 {
            for a in 0..4 {
                add_group(self, a, gi + a);
            }
            gi += 4;
        }
        if groups - gi >= 2 {
            add_group(self, 0, gi);
            add_group(self, 1, gi + 1);
            gi += 2;
        }
        while gi < groups {
            add_group(self, 0, gi);
            gi += 1;
        }
        let add = |me: &mut Self, a: NodeId, b: NodeId, width: usize| me.node(Op::Binary(Binary::Add), dt, vec![k, width], &[a, b], span);
        // Accumulators never written are zeros, whose sums change nothing.
        let pair = |me: &mut Self, a: Option<NodeId>, b: Option<NodeId>| match (a, b) {
            (Some(a), Some(b)) => Some(add(me, a, b, lanes)),
            (a, None) => a,
            (None, b) => b,
        };
        let low = pair(self, accs[0], accs[1]);
        let high = pair(self, accs[2], accs[3]);
        let mut v = pair(self, low, high).expect("at least one group");
        let mut width = lanes;
        let stop = if dt == DType::F64 { 1 } else { 4 };
        while width > stop {
            let half = width / 2;
            let a = self.node(Op::Slice { dim: 1, start: 0, step: 1 }, dt, vec![k, half], &[v], span);
            let b = self.node(Op::Slice { dim: 1, start: half, step: 1 }, dt, vec![k, half], &[v], span);
            v = add(self, a, b, half);
            width = half;
        }
        if stop == 4 {
            let lane = |me: &mut Self, i: usize| me.node(Op::Slice { dim: 1, start: i, step: 1 }, dt, vec![k, 1], &[v], span);
            let (l0, l1, l2, l3) = (lane(self, 0), lane(self, 1), lane(self, 2), lane(self, 3));
            let a = add(self, l0, l1, 1);
            let b = add(self, l2, l3, 1);
            v = add(self, a, b, 1);
        }
        self.node(Op::Reshape, dt, vec![k], &[v], span)
    }
}
