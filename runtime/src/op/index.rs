//! The ops that select elements by position along one dimension, with i64
//! indices as results or operands: `argmax`/`argmin` (and the indices of
//! `max`/`min` with `dim`), the orders of `sort` and `topk`, `gather` and its
//! gradient, and `scatter`,
//! `scatter_add` and `index_add` into a tensor.
//!
//! They live under one [`Op::Index`](super::Op::Index) variant because they
//! share what the passes care about: operands of other dtypes than the result,
//! never fused, run one at a time.

/// What an [`Op::Index`](super::Op::Index) computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexOp {
    /// `argmax(x, dim)` (or `argmin` with `min`): operand `x`; an i64 result, the
    /// position of the first largest (smallest) element along `dim`, or of the
    /// first NaN, as PyTorch's CPU kernel. `dim` `None` looks at the flattened
    /// tensor (a 0-d result). The node's shape has `dim` removed, or kept as 1.
    Arg { dim: Option<usize>, keepdim: bool, min: bool },
    /// `sort(x, dim, descending, stable)`'s indices (`argsort`): operand `x`; an
    /// i64 result of `x`'s shape, each line along `dim` the positions that put
    /// it in order, NaN above every number, equal elements where PyTorch's CPU
    /// kernel leaves them (`kernels/sort.rs`). The values are a `gather` at them.
    Sort { dim: usize, descending: bool, stable: bool },
    /// `topk(x, k, dim, largest, sorted)`'s indices: operand `x`; an i64 result
    /// of `x`'s shape with `k` along `dim`, the positions of the `k` largest
    /// (smallest) elements of each line, in order if `sorted`.
    TopK { dim: usize, k: usize, largest: bool, sorted: bool },
    /// `kthvalue(x, k, dim)`'s index: operand `x`; an i64 result of `x`'s shape
    /// with 1 along `dim`, the position of each line's `k`-th smallest element
    /// (`k` from 1), NaN above every number, equal elements where ATen's
    /// `quick_select_template` leaves them (`kernels/sort.rs`).
    Kth { dim: usize, k: usize },
    /// `cummax(x, dim)`'s indices (`cummin` with `min`): operand `x`; an i64
    /// result of `x`'s shape, each the position along `dim` of the largest
    /// (smallest) element up to it, the last of equal elements and the last NaN
    /// so far, as ATen's `cummax_cummin_helper` (`>=`, `<=`) finds it. The
    /// values are a `gather` at them, which is also the gradient's path.
    CumExtreme { dim: usize, min: bool },
    /// `gather(x, dim, index)`: operands `x` and an i64 `index` of `x`'s rank;
    /// the result has `index`'s shape and `x`'s dtype, element `i` being `x` with
    /// position `i`'s `dim` coordinate replaced by `index[i]`.
    Gather { dim: usize },
    /// The gradient of [`IndexOp::Gather`]: operands `g` and `index` (one
    /// shape); zeros of the node's shape with each `g[i]` added at the position
    /// `gather` read (PyTorch's `scatter_add` into zeros).
    ScatterAdd { dim: usize },
    /// `scatter(input, dim, index, src)` (or `scatter_add` with `add`, and
    /// `index_add` with its index spread to the source's shape): operands
    /// `input`, an i64 `index` of `input`'s rank and `src` of `index`'s shape;
    /// the result is `input` with each `src[i]` written (added) at the position
    /// `gather` would read, in row-major order of the index, as PyTorch's CPU
    /// kernel visits it (so the last write wins, and sums round in that order).
    ScatterInto { dim: usize, add: bool },
    /// `input` with `scale[i] * src[i]` added at the position `gather` would
    /// read for each `i`, rounded once (C's `fma`), in row-major order of the
    /// index: operands `input`, an i64 `index` of `input`'s rank, and `src` and
    /// `scale` of `index`'s shape. It is the `axpy` of ATen's CPU backward
    /// kernels (`_embedding_bag_dense_backward_cpu_sum_mean`), which MKL's
    /// `saxpy` computes with fused multiply-adds; float dtypes only.
    ScatterFma { dim: usize },
    /// `scatter_reduce(input, dim, index, src, reduce, include_self)`: operands as
    /// [`IndexOp::ScatterInto`]'s; each `src[i]` is combined by `reduce` into the
    /// position `gather` would read, in row-major order of the index, starting
    /// from `input`'s element (or, without `include_self`, from the reduction's
    /// identity at every position the index names). `mean` divides the sum by
    /// the count of values combined (floor division for i64). `scatter(...,
    /// reduce='add'|'multiply')` is `sum`/`prod` with `include_self`.
    ScatterReduce { dim: usize, reduce: ScatterReduce, include_self: bool },
    /// `max_pool2d`'s indices: operand `x` `[N, C, H, W]`; an i64 result
    /// `[N, C, Ho, Wo]`, each the position in its `H * W` plane of the largest
    /// element of its window (the last NaN, else the first of equal elements,
    /// as PyTorch's CPU kernel), windows in the padding never chosen. The
    /// values are a `gather` at them, which is also the gradient's path.
    MaxPool(MaxPool),
    /// `adaptive_max_pool2d`'s indices: [`IndexOp::MaxPool`] with PyTorch's
    /// adaptive windows, output position `o` of `out` over `size` taking rows
    /// `floor(o * size / out)` to `ceil((o + 1) * size / out)`, so the shapes
    /// of the operand `[N, C, H, W]` and the result `[N, C, Ho, Wo]` give them.
    AdaptiveMaxPool,
    /// `searchsorted(sorted_sequence, input, right=, sorter=)` (`bucketize`
    /// with its operands swapped): operands `boundaries` and `input` of one
    /// dtype, and with `sorter` an i64 `sorter` of `boundaries`' shape; an i64
    /// result of `input`'s shape. Each element is ATen's binary search
    /// (`cus_lower_bound`, or `cus_upper_bound` with `right`) in its row of the
    /// boundaries: the 1-D boundaries for every element, or the row of
    /// N-D boundaries with the element's leading coordinates, read in the
    /// order `sorter` gives. The search's tests are `!(b >= v)` (`!(b > v)`),
    /// so a NaN value lands past every boundary, as in PyTorch.
    Search { right: bool, sorter: bool },
}

/// The windows of [`IndexOp::MaxPool`], (height, width) each; the node's shape
/// gives how many (`ceil_mode` included).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MaxPool {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
}

impl MaxPool {
    /// The windows along one axis (0: height, 1: width) of an input of `size`,
    /// PyTorch's `pooling_output_shape`: with `ceil_mode` a last partial window
    /// counts if it starts inside the input or its left padding. `None` when
    /// no window fits.
    pub fn output_size(&self, axis: usize, size: usize, ceil_mode: bool) -> Option<usize> {
        let span = self.dilation[axis].checked_mul(self.kernel[axis].checked_sub(1)?)?.checked_add(1)?;
        let padded = size.checked_add(self.padding[axis].checked_mul(2)?)?;
        let room = padded.checked_sub(span)?;
        let stride = self.stride[axis];
        let mut out = if ceil_mode { room.div_ceil(stride) + 1 } else { room / stride + 1 };
        if ceil_mode && (out - 1).saturating_mul(stride) >= size.saturating_add(self.padding[axis]) {
            out -= 1;
        }
        Some(out)
    }
}

/// The reduction of [`IndexOp::ScatterReduce`], by PyTorch's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScatterReduce {
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    /// Every reduction, in PyTorch's order.
    pub const ALL: [ScatterReduce; 5] = [ScatterReduce::Sum, ScatterReduce::Prod, ScatterReduce::Mean, ScatterReduce::Amax, ScatterReduce::Amin];

    /// PyTorch's name (`reduce=` of `scatter_reduce`), which the IR prints too.
    pub fn name(self) -> &'static str {
        match self {
            ScatterReduce::Sum => "sum",
            ScatterReduce::Prod => "prod",
            ScatterReduce::Mean => "mean",
            ScatterReduce::Amax => "amax",
            ScatterReduce::Amin => "amin",
        }
    }

    /// The reduction `scatter_reduce` names `name`.
    pub fn from_name(name: &str) -> Option<ScatterReduce> {
        ScatterReduce::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl IndexOp {
    /// The number of operands.
    pub fn arity(self) -> usize {
        match self {
            IndexOp::Arg { .. }
            | IndexOp::Sort { .. }
            | IndexOp::TopK { .. }
            | IndexOp::Kth { .. }
            | IndexOp::CumExtreme { .. }
            | IndexOp::MaxPool(_)
            | IndexOp::AdaptiveMaxPool => 1,
            IndexOp::Gather { .. } | IndexOp::ScatterAdd { .. } => 2,
            IndexOp::ScatterInto { .. } | IndexOp::ScatterReduce { .. } => 3,
            IndexOp::ScatterFma { .. } => 4,
            IndexOp::Search { sorter, .. } => 2 + usize::from(sorter),
        }
    }

    /// Whether a gradient flows to `operand`: never to indices.
    pub fn differentiable(self, operand: usize) -> bool {
        match self {
            IndexOp::Arg { .. }
            | IndexOp::Sort { .. }
            | IndexOp::TopK { .. }
            | IndexOp::Kth { .. }
            | IndexOp::CumExtreme { .. }
            | IndexOp::MaxPool(_)
            | IndexOp::AdaptiveMaxPool => false,
            IndexOp::Search { .. } => false,
            IndexOp::Gather { .. } | IndexOp::ScatterAdd { .. } => operand == 0,
            IndexOp::ScatterInto { .. } | IndexOp::ScatterReduce { .. } => operand == 0 || operand == 2,
            IndexOp::ScatterFma { .. } => operand != 1,
        }
    }

    /// PyTorch's `grad_fn` for a result.
    pub fn grad_fn(self) -> Option<&'static str> {
        match self {
            IndexOp::Arg { .. }
            | IndexOp::Sort { .. }
            | IndexOp::TopK { .. }
            | IndexOp::Kth { .. }
            | IndexOp::CumExtreme { .. }
            | IndexOp::MaxPool(_)
            | IndexOp::AdaptiveMaxPool => None,
            IndexOp::Search { .. } => None,
            IndexOp::Gather { .. } => Some("GatherBackward0"),
            IndexOp::ScatterAdd { .. } => Some("ScatterAddBackward0"),
            IndexOp::ScatterInto { add: false, .. } => Some("ScatterBackward0"),
            IndexOp::ScatterInto { add: true, .. } => Some("ScatterAddBackward0"),
            // `scatter(reduce=)`'s node prints `NotImplemented`, which lowering records.
            IndexOp::ScatterReduce { .. } => Some("ScatterReduceBackward0"),
            // Only backward graphs hold it (a gradient of a gradient has no name).
            IndexOp::ScatterFma { .. } => None,
        }
    }

    /// The name the IR dump prints.
    pub fn name(self) -> &'static str {
        match self {
            IndexOp::Arg { min: false, .. } => "argmax",
            IndexOp::Arg { min: true, .. } => "argmin",
            IndexOp::Sort { .. } => "argsort",
            IndexOp::TopK { .. } => "topk",
            IndexOp::Kth { .. } => "kth_index",
            IndexOp::CumExtreme { min: false, .. } => "cummax_indices",
            IndexOp::CumExtreme { min: true, .. } => "cummin_indices",
            IndexOp::Gather { .. } => "gather",
            IndexOp::ScatterAdd { .. } => "scatter_add",
            IndexOp::ScatterInto { add: false, .. } => "scatter_into",
            IndexOp::ScatterInto { add: true, .. } => "scatter_add_into",
            IndexOp::ScatterReduce { .. } => "scatter_reduce",
            IndexOp::ScatterFma { .. } => "scatter_fma_into",
            IndexOp::MaxPool(_) => "max_pool2d_indices",
            IndexOp::AdaptiveMaxPool => "adaptive_max_pool2d_indices",
            IndexOp::Search { .. } => "searchsorted",
        }
    }
}
