//! The builtin functions of `.act` (docs/act-language.md, section 5): their names, parameters and
//! keyword arguments, and the binding of a call's arguments to them.
//!
//! Binding is generic over the argument value type, so this file holds only the
//! call-shape rules; what each builtin computes lives in lowering.

use std::collections::HashMap;

use graphc_runtime::op::{Cmp, FloatTest, Logical, Unary};
use graphc_runtime::DType;

use super::shape_builtins::{self, ShapeBuiltin, SHAPE};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Ident, Span};

/// Every builtin.
/// What a `new_*` method fills its tensor with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewFill {
    Zeros,
    Ones,
    Full,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Randn,
    /// `normal(mean, std, size)`: PyTorch's normal samples of one mean and std.
    Normal,
    Rand,
    Zeros,
    Ones,
    Full,
    Arange,
    Linspace,
    /// `eye(n, m=none, dtype=, requires_grad=)`: the identity matrix (ones on the diagonal).
    Eye,
    Tensor,
    OnesLike,
    /// `full_like(input, fill_value)`: the input's shape and dtype, filled.
    FullLike,
    /// `rand_like(input)`, `randn_like(input)`: draws of the input's shape and dtype.
    RandLike {
        normal: bool,
    },
    ZerosLike,
    /// `x.new_zeros(size)`, `x.new_ones(size)`, `x.new_full(size, fill_value)`,
    /// `x.new_empty(size)`: the receiver's dtype, a new shape.
    New(NewFill),
    /// `x.new_tensor(data)`: `tensor(data)` in the receiver's dtype.
    NewTensor,
    ManualSeed,
    /// An elementwise op of one tensor, from the runtime's op table.
    Unary(Unary),
    Pow,
    Maximum,
    Minimum,
    Atan2,
    /// `logaddexp(input, other)`: `torch.logaddexp`.
    Logaddexp,
    /// `logaddexp2(input, other)`: `torch.logaddexp2`, in base 2.
    Logaddexp2,
    /// `hypot(input, other)`: `torch.hypot`.
    Hypot,
    /// `heaviside(input, values)`: `torch.heaviside`, which has no derivative.
    Heaviside,
    /// `unfold(input, kernel_size, dilation=1, padding=0, stride=1)`:
    /// `F.unfold`, sliding blocks as columns (`lower/fold_calls.rs`).
    Unfold,
    /// `fold(input, output_size, kernel_size, dilation=1, padding=0,
    /// stride=1)`: `F.fold`, columns summed into images.
    Fold,
    /// `instance_norm(input, running_mean=none, running_var=none, weight=none,
    /// bias=none, use_input_stats=true, momentum=0.1, eps=1e-5)`:
    /// `F.instance_norm` (`lower/instance_norm.rs`).
    InstanceNorm,
    /// `local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0)`.
    LocalResponseNorm,
    /// `channel_shuffle(input, groups)`.
    ChannelShuffle,
    /// `addmv`, `addr`, `baddbmm`, `addbmm` (`input`, two operands, `*,
    /// beta=1, alpha=1`): `beta * input + alpha * product`
    /// (`lower/add_products.rs`, which also lowers `addmm`).
    AddProduct(AddProduct),
    /// `cdist(x1, x2, p=2.0, compute_mode=none)`: `torch.cdist` (`lower/distances.rs`).
    Cdist,
    /// `pdist(input, p=2.0)`: `torch.pdist`, `F.pdist`.
    Pdist,
    /// `lp_pool1d`/`lp_pool2d(input, norm_type, kernel_size, stride=none,
    /// ceil_mode=false)`: `F.lp_pool1d`/`2d` (`lower/lp_pool.rs`).
    LpPool {
        dims: usize,
    },
    /// `x.unfold(dimension, size, step)`: the tensor method (only a method,
    /// as `unfold` the function is `F.unfold`).
    TensorUnfold,
    /// `remainder(input, other)`: `torch.remainder`, the tensor operator `%`.
    Remainder,
    /// `fmod(input, other)`: `torch.fmod`, the remainder with the dividend's sign.
    Fmod,
    /// `addcmul(input, tensor1, tensor2, *, value=1)` (`addcdiv` with `div`).
    Addc {
        div: bool,
    },
    Sum,
    Mean,
    Amax,
    Amin,
    /// `aminmax(input, *, dim=none, keepdim=false)`: `torch.aminmax`, `amin` and `amax` as a named tuple.
    Aminmax,
    Var,
    Std,
    VarMean,
    LogSumExp,
    Norm,
    Cumsum,
    Cumprod,
    /// `logcumsumexp(input, dim)`: running `log(sum(exp))` (`lower/reduction_calls.rs`).
    Logcumsumexp,
    Softmax,
    LogSoftmax,
    /// `max`/`min`: of everything, with `dim` (values and indices), or of two tensors.
    Max,
    Min,
    /// `argmax`/`argmin`: i64 positions.
    Argmax,
    /// `sort(input, dim=-1, descending=false, *, stable=false)`: values and indices.
    Sort,
    /// `cummax(input, dim)` (`cummin` with `min`): running extremes and their positions.
    CumExtreme {
        min: bool,
    },
    /// `argsort(...)`: `sort`'s indices alone.
    Argsort,
    /// `topk(input, k, dim=-1, largest=true, sorted=true)`: values and indices.
    Topk,
    Argmin,
    /// `gather(input, dim, index)`.
    Gather,
    /// `index_select(input, dim, index)` with a 1-D i64 index.
    IndexSelect,
    /// `narrow(input, dim, start, length)`: a slice of `length` indices from `start`.
    Narrow,
    /// `one_hot(tensor, num_classes=-1)`.
    OneHot,
    MseLoss,
    L1Loss,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CrossEntropy,
    /// `nll_loss(input, target)` with i64 class indices.
    NllLoss,
    SmoothL1Loss,
    HuberLoss,
    Linear,
    Normalize,
    /// `layer_norm(input, normalized_shape, weight=none, bias=none, eps=1e-5)`.
    LayerNorm,
    /// `conv1d`/`conv2d(input, weight, bias=none, stride=1, padding=0,
    /// dilation=1, groups=1)`, or with `transposed` `conv_transpose1d`/`2d(input,
    /// weight, bias=none, stride=1, padding=0, output_padding=0, groups=1, dilation=1)`.
    Conv {
        dims: usize,
        transposed: bool,
    },
    /// `max_pool1d`/`max_pool2d(input, kernel_size, stride=none, padding=0,
    /// dilation=1, ceil_mode=false, return_indices=false)`.
    MaxPool {
        dims: usize,
    },
    /// `batch_norm(input, running_mean, running_var, weight=none, bias=none,
    /// training=false, momentum=0.1, eps=1e-5)`.
    BatchNorm,
    /// `avg_pool1d`/`avg_pool2d(input, kernel_size, stride=none, padding=0,
    /// ceil_mode=false, count_include_pad=true, divisor_override=none)`.
    AvgPool {
        dims: usize,
    },
    /// `adaptive_avg_pool1d`/`adaptive_avg_pool2d(input, output_size)`.
    AdaptiveAvgPool {
        dims: usize,
    },
    /// `adaptive_max_pool1d`/`adaptive_max_pool2d(input, output_size,
    /// return_indices=false)`.
    AdaptiveMaxPool {
        dims: usize,
    },
    /// `pad(input, pad, mode="constant", value=none)`.
    Pad,
    /// `cosine_similarity(x1, x2, dim=1, eps=1e-8)`.
    CosineSimilarity,
    /// `kl_div(input, target, reduction="mean", log_target=false)`.
    KlDiv,
    /// `dropout(input, p=0.5, training=true, inplace=false)`: PyTorch's `F.dropout`.
    Dropout,
    /// `dropout2d(input, p=0.5, training=true)`: `F.dropout2d`, whole channels zeroed (`lower/dropout.rs`).
    Dropout2d,
    /// `dropout1d`, `dropout3d`, `alpha_dropout`, `feature_alpha_dropout`
    /// (`input, p=0.5, training`): the other dropouts of `F` (`lower/dropout.rs`).
    OtherDropout(crate::lower::DropoutKind),
    /// `embedding(input, weight, padding_idx=none, ...)`: `F.embedding`.
    Embedding,
    /// `embedding_bag(input, weight, offsets=none, ..., mode="mean", ...)`:
    /// `F.embedding_bag`, the bags' sums, means or maxima (`lower/embedding_bag.rs`).
    EmbeddingBag,
    /// `outer(input, vec2)`: `torch.outer`.
    Outer,
    /// `triplet_margin_with_distance_loss(anchor, positive, negative, *,
    /// distance_function=none, margin=1.0, swap=false, reduction="mean")`
    /// (`lower/composite_losses.rs`).
    TripletMarginWithDistance,
    /// `lerp(input, end, weight)`: `torch.lerp` (`lower/lerp_calls.rs`).
    Lerp,
    /// `glu(input, dim=-1)`: `F.glu` (`lower/builtin_backward.rs`).
    Glu,
    /// `scaled_dot_product_attention(query, key, value, attn_mask=none,
    /// dropout_p=0.0, is_causal=false, *, scale=none, enable_gqa=false)`.
    ScaledDotProductAttention,
    /// `gumbel_softmax(logits, tau=1, hard=false, eps=1e-10, dim=-1)` (`lower/gumbel_softmax.rs`).
    GumbelSoftmax,
    /// `softsign(input)`: `F.softsign`.
    Softsign,
    /// `tanhshrink(input)`: `F.tanhshrink`.
    Tanhshrink,
    /// `softmin(input, dim)`: `F.softmin`.
    Softmin,
    /// The losses ATen composes of other ops (`lower/composite_losses.rs`).
    CompositeLoss(CompositeLoss),
    /// `pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=false)`: `F.pairwise_distance`.
    PairwiseDistance,
    /// `diff(input, n=1, dim=-1, prepend=none, append=none)`: `torch.diff`.
    Diff,
    /// `frac(input)`: `torch.frac`, `input - trunc(input)`.
    Frac,
    /// `prelu(input, weight)`: `F.prelu`, `input > 0 ? input : weight * input`
    /// with one weight or one per channel (dimension 1).
    Prelu,
    /// `pixel_shuffle(input, upscale_factor)`: `F.pixel_shuffle` (`lower/resample_calls.rs`).
    PixelShuffle,
    /// `pixel_unshuffle(input, downscale_factor)`: `F.pixel_unshuffle`.
    PixelUnshuffle,
    /// `interpolate(input, size=none, scale_factor=none, mode="nearest", ...)`: `F.interpolate`.
    Interpolate,
    /// `grid_sample(input, grid, mode="bilinear", padding_mode="zeros",
    /// align_corners=none)`: `F.grid_sample` (`lower/grid_calls.rs`).
    GridSample,
    /// `affine_grid(theta, size, align_corners=none)`: `F.affine_grid`.
    AffineGrid,
    /// `addmm(input, mat1, mat2, beta=1, alpha=1)`: `torch.addmm` (`lower/functional_calls.rs`).

    /// `group_norm(input, num_groups, weight=none, bias=none, eps=1e-5)`: `F.group_norm`.
    GroupNorm,
    /// `std_mean(input, dim, unbiased, keepdim, *, correction)`: `torch.std_mean`.
    StdMean,
    MatMul,
    Transpose,
    /// A builtin that changes shapes or ranks ([`ShapeBuiltin`]).
    Shape(ShapeBuiltin),
    /// `mm(a, b)`: the product of two matrices (PyTorch's `torch.mm`).
    Mm,
    /// `t(x)`, `x.t()`: the transpose of a matrix (PyTorch's `Tensor.t`).
    T,
    Backward,
    Grad,
    ZeroGrad,
    Detach,
    Print,
    Plot,
    Grid,
    Legend,
    XLabel,
    YLabel,
    Title,
    SaveFig,
    /// A figure call added with matplotlib's `semilogy`, `xlim`, `ylim` and the
    /// two-argument `scatter(x, y)`.
    Figure(FigureCall),
    /// `surrogate(reason)` in a backward block: declares its gradient a deliberate
    /// surrogate (a straight-through estimator, ...) for `graphc gradcheck`.
    Surrogate,
    /// `lt`, `le`, `gt`, `ge`, `eq`, `ne`: the comparison operators by name.
    Compare(Cmp),
    Where,
    MaskedFill,
    Logical(Logical),
    FloatTest(FloatTest),
    NanToNum,
    /// `clamp`/`clip`, `hardtanh`, `leaky_relu`, `elu`, `softplus`: an elementwise
    /// op with scalar parameters, lowered to an `Op::Activation`.
    Activation(ActivationBuiltin),
    /// `long`, `double`, `float`, `bool`: a conversion to the dtype.
    Cast(DType),
    /// `to(input, dtype)`.
    To,
    /// `load`, `save`, `randperm`, `randint`: data in and out ([`DataBuiltin`]).
    Data(DataBuiltin),
    /// `clip_grad_norm_`, `clip_grad_value_`, `get_total_norm`,
    /// `clip_grads_with_norm_`: `torch.nn.utils`' gradient clipping ([`ClipGrad`]).
    ClipGrad(ClipGrad),
    /// `xavier_uniform_`, `kaiming_uniform_`, ...: `torch.nn.init` ([`InitFn`]).
    Init(InitFn),
    /// `gelu(input, approximate="none")`: the op table's `gelu` or `gelu_tanh` row.
    Gelu,
    /// `prod(input, dim=none, keepdim=false)`.
    Prod,
    /// `equal(input, other)`: `torch.equal`, whether both have one shape and
    /// equal elements, a Python bool (`lower/all_any.rs`).
    Equal,
    /// `isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=false)`, and
    /// `allclose(...)` (`all`), a Python bool (`lower/closeness.rs`).
    IsClose {
        all: bool,
    },
    /// `nansum`, `nanmean`, `count_nonzero` (`lower/nan_reductions.rs`).
    NanReduction(crate::lower::NanReduction),
    /// `xlogy(input, other)`: `input * log(other)`, zero where `input` is (`lower/xlogy.rs`).
    Xlogy,
    /// `multi_margin_loss(input, target, p=1, margin=1, weight=none, *,
    /// reduction="mean")`: the multi-class hinge loss (`lower/multi_margin.rs`).
    MultiMarginLoss,
    /// `multilabel_margin_loss(input, target, *, reduction="mean")`: the
    /// multi-label hinge loss (`lower/multilabel_margin.rs`).
    MultilabelMarginLoss,
    /// `mvlgamma(input, p)` (`special.multigammaln`): the log multivariate gamma (`lower/mvlgamma.rs`).
    Mvlgamma,
    /// `bilinear(input1, input2, weight, bias=none)` (`lower/bilinear.rs`).
    Bilinear,
    /// `max_unpool1d`/`max_unpool2d(input, indices, kernel_size, stride=none,
    /// padding=0, output_size=none)` (`lower/max_unpool.rs`).
    MaxUnpool {
        dims: usize,
    },
    /// `special.xlog1py(input, other)`: `input * log1p(other)`, zero where `input` is (`lower/xlogy.rs`).
    Xlog1py,
    /// `trapezoid(y, x=none, *, dx=none, dim=-1)` (also `trapz`) and
    /// `cumulative_trapezoid(...)`: the trapezoid rule (`lower/integration.rs`).
    Trapezoid {
        cumulative: bool,
    },
    /// `cov(input, *, correction=1, fweights=none, aweights=none)` (`lower/covariance.rs`).
    Cov,
    /// `corrcoef(input)`: Pearson's correlation coefficients (`lower/covariance.rs`).
    Corrcoef,
    /// `special.entr(input)`: `-x * ln(x)` elementwise (`lower/entr.rs`).
    Entr,
    /// `special.ndtr(input)`: the standard normal CDF, composed as ATen
    /// composes it (`lower/ndtr.rs`).
    Ndtr,
    /// `isin(elements, test_elements, *, assume_unique=false, invert=false)` (`lower/isin.rs`).
    Isin,
    /// `ldexp(input, other)`: `input * 2 ** other` (`lower/ldexp.rs`).
    Ldexp,
    /// `vander(x, N=none, increasing=false)`: the Vandermonde matrix (`lower/vander.rs`).
    Vander,
    /// `take(input, index)`: the flattened input at `index` (`lower/take.rs`).
    Take,
    /// `index_fill(input, dim, index, value)` (`lower/index_fill.rs`).
    IndexFill,
    /// `index_copy(input, dim, index, source)` (`lower/index_copy.rs`).
    IndexCopy,
    /// `polygamma(n, input)`: the `n`-th derivative of `digamma` (`lower/polygamma.rs`).
    Polygamma,
    /// `all(input, dim=none, keepdim=false)`, `any(...)`.
    AllAny {
        any: bool,
    },
    /// `scatter(input, dim, index, src, reduce=)`, `scatter_add`, `index_add`,
    /// `scatter_reduce(input, dim, index, src, reduce, include_self=true)`.
    Scatter,
    ScatterAdd,
    IndexAdd,
    ScatterReduce,
    /// `tril(input, diagonal=0)`, `triu(...)`.
    Tril,
    Triu,
    /// `diag(input, diagonal=0)`.
    Diag,
    /// `diagonal(input, offset=0, dim1=0, dim2=1)`: a view of a diagonal.
    Diagonal,
    /// `trace(input)`: the sum of a matrix's main diagonal.
    Trace,
    /// `deg2rad(input)` (`to_radians`) and `rad2deg(input)`: a product with
    /// PyTorch's constant `pi / 180` (`180 / pi`).
    Angle {
        to_radians: bool,
    },
    /// `repeat_interleave(input, repeats=none, dim=none, *, output_size=none)`:
    /// each element repeated, one after another.
    RepeatInterleave,
    /// `cross(input, other, dim=none)`, or `linalg.cross(input, other, dim=-1)`
    /// (`linalg`): the cross product of 3-vectors along `dim`.
    Cross {
        linalg: bool,
    },
    /// `tensordot(a, b, dims=2)`: a contraction over the listed dimensions.
    Tensordot,
    /// `searchsorted(sorted_sequence, input, *, out_int32, right, side,
    /// sorter)`, or `bucketize(input, boundaries, *, out_int32, right)`
    /// (`bucketize`): insertion positions in sorted boundaries.
    Search {
        bucketize: bool,
    },
    /// `logit(input, eps=none)`: `log(x / (1 - x))`, clamped by `eps`.
    Logit,
    /// `copysign(input, other)`: `input`'s magnitude with `other`'s sign.
    Copysign,
    /// `kron(input, other)`: the Kronecker product.
    Kron,
    /// `dot`, `vdot`, `mv` and `inner`: the products that `matmul` dispatches to, by their own names.
    VecProduct(VecProduct),
    /// `linalg.norm(input, ord=none, dim=none, keepdim=false)`, or
    /// `linalg.matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=false)` when `matrix`.
    LinalgNorm {
        matrix: bool,
    },
    /// `median(input, dim=none, keepdim=false)`, or `nanmedian` when `nan` (`lower/median_calls.rs`).
    Median {
        nan: bool,
    },
    /// `fmax(input, other)`, or `fmin` when `min`: NaN ignored (`lower/fmax.rs`).
    Fmax {
        min: bool,
    },
    /// `rms_norm(input, normalized_shape, weight=none, eps=none)`.
    RmsNorm,
    /// `tril_indices(row, col, offset=0)`, or `triu_indices` when `upper` (`lower/index_sets.rs`).
    TriIndices {
        upper: bool,
    },
    /// `cartesian_prod(*tensors)`.
    CartesianProd,
    /// `combinations(input, r=2, with_replacement=false)`.
    Combinations,
    /// `rot90(input, k=1, dims=[0, 1])` (`lower/rearrange_calls.rs`).
    Rot90,
    /// `block_diag(*tensors)`.
    BlockDiag,
    /// `take_along_dim(input, indices, dim=none)`.
    TakeAlongDim,
    /// `diag_embed(input, offset=0, dim1=-2, dim2=-1)`.
    DiagEmbed,
    /// `signbit(input)`: whether the sign bit is set (`-0.0` and negative NaN included).
    Signbit,
    /// `logical_xor(input, other)`: exactly one of the two is nonzero.
    LogicalXor,
    /// `dist(input, other, p=2)`: `norm(input - other, p)` (`DistBackward0`).
    Dist,
    /// `float_power(input, exponent)`: `pow` in f64.
    FloatPower,
    /// `sgn(input)`: `sign` of a real tensor, shown as `SgnBackward0`.
    Sgn,
    /// `kthvalue(input, k, dim=-1, keepdim=false)` (`lower/median_calls.rs`).
    Kthvalue,
    /// `quantile(input, q, dim=none, keepdim=false, *, interpolation="linear")`, or `nanquantile`.
    Quantile {
        nan: bool,
    },
    /// `linalg.vector_norm(x, ord=2, dim=none, keepdim=false)`: `norm` with
    /// `ord` for `p`, the function `torch.norm` itself calls.
    VectorNorm,
}

/// The sums `beta * input + alpha * product` of `lower/add_products.rs`,
/// named by their product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddProduct {
    /// `addmm(input, mat1, mat2)`.
    Mm,
    /// `addmv(input, mat, vec)`.
    Mv,
    /// `addr(input, vec1, vec2)`: the outer product.
    R,
    /// `baddbmm(input, batch1, batch2)`: a batch of sums.
    Baddbmm,
    /// `addbmm(input, batch1, batch2)`: the batch's products summed.
    Addbmm,
}

/// A product of vectors or of a matrix and a vector (`lower/vector_products.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VecProduct {
    /// `dot(input, other)`: two 1-d tensors.
    Dot,
    /// `vdot(input, other)`: `dot` with the first conjugated, which for real tensors is `dot`.
    Vdot,
    /// `mv(input, vec)`: a matrix times a vector.
    Mv,
    /// `inner(input, other)`: products summed over the last dimension of each.
    Inner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataBuiltin {
    /// `load(path)`: a `.npy` file's array, its header read at compile time.
    Load,
    /// `save(tensor, path)`: writes a `.npy` file at this point of the program.
    Save,
    /// `randperm(n)`.
    Randperm,
    /// `randint(low=0, high, size)`.
    Randint,
    /// `multinomial(input, num_samples, replacement=false)` (`lower/multinomial.rs`).
    Multinomial,
    /// `bernoulli(input)`, and `p=` for PyTorch's scalar overload (`lower/bernoulli.rs`).
    Bernoulli,
}

/// The data builtins by name, and the gradient-clipping ones.
const DATA: &[(&str, Builtin)] = &[
    ("load", Builtin::Data(DataBuiltin::Load)),
    ("save", Builtin::Data(DataBuiltin::Save)),
    ("randperm", Builtin::Data(DataBuiltin::Randperm)),
    ("randint", Builtin::Data(DataBuiltin::Randint)),
    ("multinomial", Builtin::Data(DataBuiltin::Multinomial)),
    ("bernoulli", Builtin::Data(DataBuiltin::Bernoulli)),
    ("clip_grad_norm_", Builtin::ClipGrad(ClipGrad::Norm)),
    ("clip_grad_value_", Builtin::ClipGrad(ClipGrad::Value)),
    ("get_total_norm", Builtin::ClipGrad(ClipGrad::TotalNorm)),
    ("clip_grads_with_norm_", Builtin::ClipGrad(ClipGrad::WithNorm)),
];

/// `torch.nn.init`'s functions (`lower/nn_init.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitFn {
    /// `xavier_uniform_(tensor, gain=1.0)`.
    XavierUniform,
    /// `xavier_normal_(tensor, gain=1.0)`.
    XavierNormal,
    /// `kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu")`.
    KaimingUniform,
    /// `kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu")`.
    KaimingNormal,
    /// `constant_(tensor, val)`.
    Constant,
    /// `zeros_(tensor)`.
    Zeros,
    /// `ones_(tensor)`.
    Ones,
    /// `uniform_(tensor, a=0.0, b=1.0)`.
    Uniform,
    /// `normal_(tensor, mean=0.0, std=1.0)`.
    Normal,
    /// `trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0)`.
    TruncNormal,
}

impl InitFn {
    /// The function's parameters, as PyTorch's (without `generator`).
    fn params(self) -> &'static [&'static str] {
        match self {
            InitFn::XavierUniform | InitFn::XavierNormal => &["tensor", "gain"],
            InitFn::KaimingUniform | InitFn::KaimingNormal => &["tensor", "a", "mode", "nonlinearity"],
            InitFn::Constant => &["tensor", "val"],
            InitFn::Zeros | InitFn::Ones => &["tensor"],
            InitFn::Uniform => &["tensor", "a", "b"],
            InitFn::Normal => &["tensor", "mean", "std"],
            InitFn::TruncNormal => &["tensor", "mean", "std", "a", "b"],
        }
    }
}

/// `torch.nn.init`'s functions by name.
pub const INIT: &[(&str, Builtin)] = &[
    ("xavier_uniform_", Builtin::Init(InitFn::XavierUniform)),
    ("xavier_normal_", Builtin::Init(InitFn::XavierNormal)),
    ("kaiming_uniform_", Builtin::Init(InitFn::KaimingUniform)),
    ("kaiming_normal_", Builtin::Init(InitFn::KaimingNormal)),
    ("constant_", Builtin::Init(InitFn::Constant)),
    ("zeros_", Builtin::Init(InitFn::Zeros)),
    ("ones_", Builtin::Init(InitFn::Ones)),
    ("uniform_", Builtin::Init(InitFn::Uniform)),
    ("normal_", Builtin::Init(InitFn::Normal)),
    ("trunc_normal_", Builtin::Init(InitFn::TruncNormal)),
];

/// The `torch.nn.functional` losses that ATen (or `functional.py`) writes as
/// compositions of other ops (`lower/composite_losses.rs`). The options after
/// PyTorch's deprecated `size_average` and `reduce` are keywords here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompositeLoss {
    /// `margin_ranking_loss(input1, input2, target, margin=0)`.
    MarginRanking,
    /// `hinge_embedding_loss(input, target, margin=1.0)`.
    HingeEmbedding,
    /// `soft_margin_loss(input, target)`.
    SoftMargin,
    /// `poisson_nll_loss(input, target, log_input=true, full=false, *, eps=1e-8)`.
    PoissonNll,
    /// `gaussian_nll_loss(input, target, var, full=false, eps=1e-6)`.
    GaussianNll,
    /// `cosine_embedding_loss(input1, input2, target, margin=0)`.
    CosineEmbedding,
    /// `triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=false)`.
    TripletMargin,
    /// `multilabel_soft_margin_loss(input, target, weight=none)`.
    MultilabelSoftMargin,
}

impl CompositeLoss {
    /// Its positional parameters, in PyTorch's order.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            CompositeLoss::MarginRanking | CompositeLoss::CosineEmbedding => &["input1", "input2", "target", "margin"],
            CompositeLoss::HingeEmbedding => &["input", "target", "margin"],
            CompositeLoss::SoftMargin => &["input", "target"],
            CompositeLoss::PoissonNll => &["input", "target", "log_input", "full"],
            CompositeLoss::GaussianNll => &["input", "target", "var", "full", "eps"],
            CompositeLoss::TripletMargin => &["anchor", "positive", "negative", "margin", "p", "eps", "swap"],
            CompositeLoss::MultilabelSoftMargin => &["input", "target", "weight"],
        }
    }

    /// How many of its parameters have no default.
    pub fn required(self) -> usize {
        match self {
            CompositeLoss::HingeEmbedding | CompositeLoss::SoftMargin | CompositeLoss::PoissonNll | CompositeLoss::MultilabelSoftMargin => 2,
            _ => 3,
        }
    }

    /// Its keyword-only parameters.
    pub fn keywords(self) -> &'static [&'static str] {
        match self {
            CompositeLoss::PoissonNll => &["eps", "reduction", "size_average", "reduce"],
            CompositeLoss::GaussianNll => &["reduction"],
            _ => &["reduction", "size_average", "reduce"],
        }
    }
}

/// `torch.nn.utils`' gradient clipping (`lower/clip_grad_calls.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipGrad {
    /// `clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=false, foreach=none)`.
    Norm,
    /// `clip_grad_value_(parameters, clip_value, foreach=none)`.
    Value,
    /// `get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=false, foreach=none)`.
    TotalNorm,
    /// `clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=none)`.
    WithNorm,
}

impl ClipGrad {
    /// The builtin's name, as PyTorch's.
    pub fn name(self) -> &'static str {
        match self {
            ClipGrad::Norm => "clip_grad_norm_",
            ClipGrad::Value => "clip_grad_value_",
            ClipGrad::TotalNorm => "get_total_norm",
            ClipGrad::WithNorm => "clip_grads_with_norm_",
        }
    }

    /// Its parameters, in PyTorch's order.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            ClipGrad::Norm => &["parameters", "max_norm", "norm_type", "error_if_nonfinite", "foreach"],
            ClipGrad::Value => &["parameters", "clip_value", "foreach"],
            ClipGrad::TotalNorm => &["tensors", "norm_type", "error_if_nonfinite", "foreach"],
            ClipGrad::WithNorm => &["parameters", "max_norm", "total_norm", "foreach"],
        }
    }

    /// How many of its parameters have no default.
    pub fn required(self) -> usize {
        match self {
            ClipGrad::TotalNorm => 1,
            ClipGrad::Norm | ClipGrad::Value => 2,
            ClipGrad::WithNorm => 3,
        }
    }
}

/// How many positional arguments a builtin takes, and their names (which may
/// also be passed by keyword).
pub struct Signature {
    pub params: &'static [&'static str],
    pub min: usize,
    /// `None`: any number (`randn(2, 3)`, `print(a, b, c)`).
    pub max: Option<usize>,
    /// Keyword-only arguments.
    pub keywords: &'static [&'static str],
}

/// `device=` takes the CPU only (graphc runs there), as `"cpu"` or a tensor's `.device`.
const CREATE_KW: &[&str] = &["requires_grad", "dtype", "device"];
/// `randn` and `rand` also take a generator of the program's own (`generators.rs`).
const RANDOM_KW: &[&str] = &["requires_grad", "dtype", "device", "generator"];

/// The creation builtins and `manual_seed`, which come before the op table's
/// builtins in [`names`].
const CREATION: &[(&str, Builtin)] = &[
    ("randn", Builtin::Randn),
    ("normal", Builtin::Normal),
    ("rand", Builtin::Rand),
    ("zeros", Builtin::Zeros),
    // `torch.empty`'s elements are whatever memory held; graphc's are zeros,
    // one of the values PyTorch may give, so that a program never reads garbage.
    ("empty", Builtin::Zeros),
    ("ones", Builtin::Ones),
    ("full", Builtin::Full),
    ("arange", Builtin::Arange),
    ("linspace", Builtin::Linspace),
    ("eye", Builtin::Eye),
    ("tensor", Builtin::Tensor),
    ("ones_like", Builtin::OnesLike),
    ("full_like", Builtin::FullLike),
    ("rand_like", Builtin::RandLike { normal: false }),
    ("randn_like", Builtin::RandLike { normal: true }),
    ("zeros_like", Builtin::ZerosLike),
    // `torch.empty_like`, zeros as `empty` gives.
    ("empty_like", Builtin::ZerosLike),
    ("new_zeros", Builtin::New(NewFill::Zeros)),
    ("new_ones", Builtin::New(NewFill::Ones)),
    ("new_full", Builtin::New(NewFill::Full)),
    // Zeros, as `empty` gives.
    ("new_empty", Builtin::New(NewFill::Zeros)),
    ("new_tensor", Builtin::NewTensor),
    ("manual_seed", Builtin::ManualSeed),
];

/// The other builtins that are not rows of the op table, with their names.
const OTHER: &[(&str, Builtin)] = &[
    ("pow", Builtin::Pow),
    ("maximum", Builtin::Maximum),
    ("minimum", Builtin::Minimum),
    ("atan2", Builtin::Atan2),
    ("logaddexp", Builtin::Logaddexp),
    ("logaddexp2", Builtin::Logaddexp2),
    ("hypot", Builtin::Hypot),
    ("heaviside", Builtin::Heaviside),
    ("unfold", Builtin::Unfold),
    ("fold", Builtin::Fold),
    ("instance_norm", Builtin::InstanceNorm),
    ("local_response_norm", Builtin::LocalResponseNorm),
    ("channel_shuffle", Builtin::ChannelShuffle),
    ("addmv", Builtin::AddProduct(AddProduct::Mv)),
    ("addr", Builtin::AddProduct(AddProduct::R)),
    ("baddbmm", Builtin::AddProduct(AddProduct::Baddbmm)),
    ("addbmm", Builtin::AddProduct(AddProduct::Addbmm)),
    ("cdist", Builtin::Cdist),
    ("pdist", Builtin::Pdist),
    ("lp_pool1d", Builtin::LpPool { dims: 1 }),
    ("lp_pool2d", Builtin::LpPool { dims: 2 }),
    ("remainder", Builtin::Remainder),
    ("fmod", Builtin::Fmod),
    ("addcmul", Builtin::Addc { div: false }),
    ("addcdiv", Builtin::Addc { div: true }),
    ("sum", Builtin::Sum),
    ("mean", Builtin::Mean),
    ("amax", Builtin::Amax),
    ("amin", Builtin::Amin),
    ("aminmax", Builtin::Aminmax),
    ("var", Builtin::Var),
    ("std", Builtin::Std),
    ("var_mean", Builtin::VarMean),
    ("logsumexp", Builtin::LogSumExp),
    ("norm", Builtin::Norm),
    ("cumsum", Builtin::Cumsum),
    ("cumprod", Builtin::Cumprod),
    ("logcumsumexp", Builtin::Logcumsumexp),
    ("softmax", Builtin::Softmax),
    ("log_softmax", Builtin::LogSoftmax),
    ("max", Builtin::Max),
    ("min", Builtin::Min),
    ("argmax", Builtin::Argmax),
    ("sort", Builtin::Sort),
    ("cummax", Builtin::CumExtreme { min: false }),
    ("cummin", Builtin::CumExtreme { min: true }),
    ("argsort", Builtin::Argsort),
    ("topk", Builtin::Topk),
    ("argmin", Builtin::Argmin),
    ("gather", Builtin::Gather),
    ("index_select", Builtin::IndexSelect),
    ("narrow", Builtin::Narrow),
    ("one_hot", Builtin::OneHot),
    ("mse_loss", Builtin::MseLoss),
    ("l1_loss", Builtin::L1Loss),
    ("binary_cross_entropy", Builtin::BinaryCrossEntropy),
    ("binary_cross_entropy_with_logits", Builtin::BinaryCrossEntropyWithLogits),
    ("cross_entropy", Builtin::CrossEntropy),
    ("nll_loss", Builtin::NllLoss),
    ("smooth_l1_loss", Builtin::SmoothL1Loss),
    ("huber_loss", Builtin::HuberLoss),
    ("linear", Builtin::Linear),
    ("normalize", Builtin::Normalize),
    ("layer_norm", Builtin::LayerNorm),
    ("conv1d", Builtin::Conv { dims: 1, transposed: false }),
    ("conv2d", Builtin::Conv { dims: 2, transposed: false }),
    ("conv_transpose1d", Builtin::Conv { dims: 1, transposed: true }),
    ("conv_transpose2d", Builtin::Conv { dims: 2, transposed: true }),
    ("max_pool1d", Builtin::MaxPool { dims: 1 }),
    ("max_pool2d", Builtin::MaxPool { dims: 2 }),
    ("batch_norm", Builtin::BatchNorm),
    ("avg_pool1d", Builtin::AvgPool { dims: 1 }),
    ("avg_pool2d", Builtin::AvgPool { dims: 2 }),
    ("adaptive_avg_pool1d", Builtin::AdaptiveAvgPool { dims: 1 }),
    ("adaptive_avg_pool2d", Builtin::AdaptiveAvgPool { dims: 2 }),
    ("adaptive_max_pool1d", Builtin::AdaptiveMaxPool { dims: 1 }),
    ("adaptive_max_pool2d", Builtin::AdaptiveMaxPool { dims: 2 }),
    ("pad", Builtin::Pad),
    ("cosine_similarity", Builtin::CosineSimilarity),
    ("kl_div", Builtin::KlDiv),
    ("dropout", Builtin::Dropout),
    ("dropout2d", Builtin::Dropout2d),
    ("dropout1d", Builtin::OtherDropout(crate::lower::DropoutKind::Feature1d)),
    ("dropout3d", Builtin::OtherDropout(crate::lower::DropoutKind::Feature3d)),
    ("alpha_dropout", Builtin::OtherDropout(crate::lower::DropoutKind::Alpha)),
    ("feature_alpha_dropout", Builtin::OtherDropout(crate::lower::DropoutKind::FeatureAlpha)),
    ("embedding", Builtin::Embedding),
    ("embedding_bag", Builtin::EmbeddingBag),
    ("outer", Builtin::Outer),
    ("lerp", Builtin::Lerp),
    ("glu", Builtin::Glu),
    ("scaled_dot_product_attention", Builtin::ScaledDotProductAttention),
    ("gumbel_softmax", Builtin::GumbelSoftmax),
    ("softsign", Builtin::Softsign),
    ("tanhshrink", Builtin::Tanhshrink),
    ("softmin", Builtin::Softmin),
    ("margin_ranking_loss", Builtin::CompositeLoss(CompositeLoss::MarginRanking)),
    ("hinge_embedding_loss", Builtin::CompositeLoss(CompositeLoss::HingeEmbedding)),
    ("soft_margin_loss", Builtin::CompositeLoss(CompositeLoss::SoftMargin)),
    ("poisson_nll_loss", Builtin::CompositeLoss(CompositeLoss::PoissonNll)),
    ("gaussian_nll_loss", Builtin::CompositeLoss(CompositeLoss::GaussianNll)),
    ("cosine_embedding_loss", Builtin::CompositeLoss(CompositeLoss::CosineEmbedding)),
    ("triplet_margin_loss", Builtin::CompositeLoss(CompositeLoss::TripletMargin)),
    ("triplet_margin_with_distance_loss", Builtin::TripletMarginWithDistance),
    ("multilabel_soft_margin_loss", Builtin::CompositeLoss(CompositeLoss::MultilabelSoftMargin)),
    ("pairwise_distance", Builtin::PairwiseDistance),
    ("diff", Builtin::Diff),
    ("frac", Builtin::Frac),
    ("prelu", Builtin::Prelu),
    ("pixel_shuffle", Builtin::PixelShuffle),
    ("pixel_unshuffle", Builtin::PixelUnshuffle),
    ("interpolate", Builtin::Interpolate),
    ("grid_sample", Builtin::GridSample),
    ("affine_grid", Builtin::AffineGrid),
    ("addmm", Builtin::AddProduct(AddProduct::Mm)),
    ("group_norm", Builtin::GroupNorm),
    ("std_mean", Builtin::StdMean),
    ("matmul", Builtin::MatMul),
    ("transpose", Builtin::Transpose),
    ("mm", Builtin::Mm),
    ("t", Builtin::T),
    ("backward", Builtin::Backward),
    ("grad", Builtin::Grad),
    ("zero_grad", Builtin::ZeroGrad),
    ("detach", Builtin::Detach),
    ("print", Builtin::Print),
    ("plot", Builtin::Plot),
    ("grid", Builtin::Grid),
    ("legend", Builtin::Legend),
    ("xlabel", Builtin::XLabel),
    ("ylabel", Builtin::YLabel),
    ("title", Builtin::Title),
    ("savefig", Builtin::SaveFig),
    ("semilogy", Builtin::Figure(FigureCall::SemiLogY)),
    ("xlim", Builtin::Figure(FigureCall::XLim)),
    ("ylim", Builtin::Figure(FigureCall::YLim)),
    ("yscale", Builtin::Figure(FigureCall::YScale)),
    ("rc", Builtin::Figure(FigureCall::Rc)),
    ("figure", Builtin::Figure(FigureCall::New)),
    ("surrogate", Builtin::Surrogate),
    ("lt", Builtin::Compare(Cmp::Lt)),
    ("le", Builtin::Compare(Cmp::Le)),
    ("gt", Builtin::Compare(Cmp::Gt)),
    ("ge", Builtin::Compare(Cmp::Ge)),
    ("eq", Builtin::Compare(Cmp::Eq)),
    ("ne", Builtin::Compare(Cmp::Ne)),
    ("where", Builtin::Where),
    ("masked_fill", Builtin::MaskedFill),
    ("logical_and", Builtin::Logical(Logical::And)),
    ("logical_or", Builtin::Logical(Logical::Or)),
    ("logical_not", Builtin::Logical(Logical::Not)),
    ("isnan", Builtin::FloatTest(FloatTest::IsNan)),
    ("isfinite", Builtin::FloatTest(FloatTest::IsFinite)),
    ("isinf", Builtin::FloatTest(FloatTest::IsInf)),
    ("isposinf", Builtin::FloatTest(FloatTest::IsPosInf)),
    ("isneginf", Builtin::FloatTest(FloatTest::IsNegInf)),
    ("nan_to_num", Builtin::NanToNum),
    ("clamp", Builtin::Activation(ActivationBuiltin::Clamp)),
    ("clip", Builtin::Activation(ActivationBuiltin::Clamp)),
    ("clamp_min", Builtin::Activation(ActivationBuiltin::ClampMin)),
    ("clamp_max", Builtin::Activation(ActivationBuiltin::ClampMax)),
    ("hardtanh", Builtin::Activation(ActivationBuiltin::Hardtanh)),
    ("leaky_relu", Builtin::Activation(ActivationBuiltin::LeakyRelu)),
    ("elu", Builtin::Activation(ActivationBuiltin::Elu)),
    ("softplus", Builtin::Activation(ActivationBuiltin::Softplus)),
    ("relu6", Builtin::Activation(ActivationBuiltin::Relu6)),
    ("hardsigmoid", Builtin::Activation(ActivationBuiltin::Hardsigmoid)),
    ("selu", Builtin::Activation(ActivationBuiltin::Selu)),
    ("celu", Builtin::Activation(ActivationBuiltin::Celu)),
    ("hardswish", Builtin::Activation(ActivationBuiltin::Hardswish)),
    ("softshrink", Builtin::Activation(ActivationBuiltin::Softshrink)),
    ("hardshrink", Builtin::Activation(ActivationBuiltin::Hardshrink)),
    ("threshold", Builtin::Activation(ActivationBuiltin::Threshold)),
    ("gelu", Builtin::Gelu),
    ("prod", Builtin::Prod),
    ("equal", Builtin::Equal),
    ("isclose", Builtin::IsClose { all: false }),
    ("allclose", Builtin::IsClose { all: true }),
    ("xlogy", Builtin::Xlogy),
    ("multi_margin_loss", Builtin::MultiMarginLoss),
    ("multilabel_margin_loss", Builtin::MultilabelMarginLoss),
    ("mvlgamma", Builtin::Mvlgamma),
    ("bilinear", Builtin::Bilinear),
    ("max_unpool1d", Builtin::MaxUnpool { dims: 1 }),
    ("max_unpool2d", Builtin::MaxUnpool { dims: 2 }),
    ("special.xlog1py", Builtin::Xlog1py),
    ("trapezoid", Builtin::Trapezoid { cumulative: false }),
    ("trapz", Builtin::Trapezoid { cumulative: false }),
    ("cumulative_trapezoid", Builtin::Trapezoid { cumulative: true }),
    ("cov", Builtin::Cov),
    ("corrcoef", Builtin::Corrcoef),
    ("special.entr", Builtin::Entr),
    ("special.ndtr", Builtin::Ndtr),
    ("isin", Builtin::Isin),
    ("ldexp", Builtin::Ldexp),
    ("vander", Builtin::Vander),
    ("take", Builtin::Take),
    ("index_fill", Builtin::IndexFill),
    ("index_copy", Builtin::IndexCopy),
    ("polygamma", Builtin::Polygamma),
    ("nansum", Builtin::NanReduction(crate::lower::NanReduction::Nansum)),
    ("nanmean", Builtin::NanReduction(crate::lower::NanReduction::Nanmean)),
    ("count_nonzero", Builtin::NanReduction(crate::lower::NanReduction::CountNonzero)),
    ("all", Builtin::AllAny { any: false }),
    ("any", Builtin::AllAny { any: true }),
    ("scatter", Builtin::Scatter),
    ("scatter_add", Builtin::ScatterAdd),
    ("index_add", Builtin::IndexAdd),
    ("scatter_reduce", Builtin::ScatterReduce),
    ("tril", Builtin::Tril),
    ("triu", Builtin::Triu),
    ("diag", Builtin::Diag),
    ("diagonal", Builtin::Diagonal),
    ("trace", Builtin::Trace),
    ("deg2rad", Builtin::Angle { to_radians: true }),
    ("rad2deg", Builtin::Angle { to_radians: false }),
    ("repeat_interleave", Builtin::RepeatInterleave),
    ("cross", Builtin::Cross { linalg: false }),
    ("linalg.cross", Builtin::Cross { linalg: true }),
    ("tensordot", Builtin::Tensordot),
    ("searchsorted", Builtin::Search { bucketize: false }),
    ("bucketize", Builtin::Search { bucketize: true }),
    ("logit", Builtin::Logit),
    ("copysign", Builtin::Copysign),
    ("kron", Builtin::Kron),
    ("dot", Builtin::VecProduct(VecProduct::Dot)),
    ("vdot", Builtin::VecProduct(VecProduct::Vdot)),
    ("mv", Builtin::VecProduct(VecProduct::Mv)),
    ("inner", Builtin::VecProduct(VecProduct::Inner)),
    ("linalg.vector_norm", Builtin::VectorNorm),
    ("linalg.norm", Builtin::LinalgNorm { matrix: false }),
    ("median", Builtin::Median { nan: false }),
    ("fmax", Builtin::Fmax { min: false }),
    ("fmin", Builtin::Fmax { min: true }),
    ("signbit", Builtin::Signbit),
    ("rms_norm", Builtin::RmsNorm),
    ("tril_indices", Builtin::TriIndices { upper: false }),
    ("triu_indices", Builtin::TriIndices { upper: true }),
    ("cartesian_prod", Builtin::CartesianProd),
    ("combinations", Builtin::Combinations),
    ("rot90", Builtin::Rot90),
    ("block_diag", Builtin::BlockDiag),
    ("take_along_dim", Builtin::TakeAlongDim),
    ("diag_embed", Builtin::DiagEmbed),
    ("logical_xor", Builtin::LogicalXor),
    ("dist", Builtin::Dist),
    ("float_power", Builtin::FloatPower),
    ("sgn", Builtin::Sgn),
    ("fix", Builtin::Unary(Unary::Trunc)),
    ("nanmedian", Builtin::Median { nan: true }),
    ("kthvalue", Builtin::Kthvalue),
    ("quantile", Builtin::Quantile { nan: false }),
    ("nanquantile", Builtin::Quantile { nan: true }),
    ("linalg.matrix_norm", Builtin::LinalgNorm { matrix: true }),
];

/// The conversion methods (`x.long()`, `x.to(f64)`). As in PyTorch they exist only
/// as methods, where `torch.long` and `torch.double` are dtypes: a program may
/// still define a `fn double(x)`, and then `x.double()` calls it.
const CAST_METHODS: &[(&str, Builtin)] = &[
    ("long", Builtin::Cast(DType::I64)),
    ("double", Builtin::Cast(DType::F64)),
    ("float", Builtin::Cast(DType::F32)),
    ("bool", Builtin::Cast(DType::Bool)),
    ("to", Builtin::To),
    // `x.type(torch.float32)`: a conversion, as `to`.
    ("type", Builtin::To),
    // `x.cpu()`: the tensor itself, as graphc runs on the CPU.
    ("cpu", Builtin::To),
];

/// The parameter PyTorch's argument parser binds a NumPy keyword to
/// (`numpy_compatibility_arg_names` in `python_arg_parser.cpp`).
fn numpy_alias(keyword: &str) -> Option<&'static str> {
    match keyword {
        "axis" => Some("dim"),
        "keepdims" => Some("keepdim"),
        "x" | "a" | "x1" => Some("input"),
        "x2" => Some("other"),
        _ => None,
    }
}

/// The tensor methods whose name a `torch` function uses for something else:
/// `x.unfold(dimension, size, step)` is not `F.unfold(input, kernel_size)`.
const OWN_METHODS: &[(&str, Builtin)] = &[("unfold", Builtin::TensorUnfold)];

/// The conversion method called `name`, or another method that exists only as
/// a method ([`OWN_METHODS`]), if it is one.
pub fn cast_method(name: &str) -> Option<Builtin> {
    CAST_METHODS.iter().chain(OWN_METHODS).find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// The builtin called `name`: a fixed one, or a one-tensor op of the op table.
pub fn lookup(name: &str) -> Option<Builtin> {
    let fixed = CREATION.iter().chain(OTHER).chain(DATA).chain(INIT).find(|(n, _)| *n == name).map(|(_, b)| *b);
    let fixed = fixed.or_else(|| SHAPE.iter().find(|(n, _)| *n == name).map(|(_, b)| Builtin::Shape(*b)));
    fixed.or_else(|| Unary::from_builtin_name(name).map(Builtin::Unary))
}

/// The one-tensor elementwise builtins, from the op table, in table order.
pub fn unary_names() -> impl Iterator<Item = &'static str> {
    Unary::ALL.iter().filter_map(|u| u.builtin_name())
}

/// Every builtin name, for "did you mean" suggestions and the docs' list.
pub fn names() -> Vec<&'static str> {
    let name = |(n, _): &(&'static str, Builtin)| *n;
    let shape = SHAPE.iter().map(|(n, _)| *n);
    CREATION
        .iter()
        .map(name)
        .chain(unary_names())
        .chain(OTHER.iter().map(name))
        .chain(shape)
        .chain(DATA.iter().map(name))
        .chain(INIT.iter().map(name))
        .collect()
}

/// The builtins whose `torch.nn.functional` form takes `inplace` (`F.relu(x,
/// inplace=True)`), with the name of their in-place form and the position of
/// `inplace` among PyTorch's parameters. The call takes the argument out before
/// binding the rest (`lower/builtin_calls.rs`), because `torch.relu`, which
/// `.act` spells the same, has no such parameter.
pub fn inplace_parameter(b: Builtin) -> Option<(&'static str, usize)> {
    use ActivationBuiltin as A;
    match b {
        Builtin::Unary(Unary::Relu) => Some(("relu_", 1)),
        Builtin::Unary(Unary::Silu) => Some(("silu_", 1)),
        Builtin::Unary(Unary::Mish) => Some(("mish_", 1)),
        Builtin::Activation(A::Relu6) => Some(("relu6_", 1)),
        Builtin::Activation(A::Hardsigmoid) => Some(("hardsigmoid_", 1)),
        Builtin::Activation(A::Hardswish) => Some(("hardswish_", 1)),
        Builtin::Activation(A::LeakyRelu) => Some(("leaky_relu_", 2)),
        Builtin::Activation(A::Elu) => Some(("elu_", 2)),
        Builtin::Activation(A::Hardtanh) => Some(("hardtanh_", 3)),
        Builtin::Dropout => Some(("dropout_", 3)),
        Builtin::Dropout2d => Some(("dropout2d_", 3)),
        _ => None,
    }
}

pub fn signature(b: Builtin) -> Signature {
    use Builtin as B;
    let sig =
        |params: &'static [&'static str], min: usize, max: Option<usize>, keywords: &'static [&'static str]| Signature { params, min, max, keywords };
    match b {
        B::Randn | B::Rand => sig(&[], 0, None, RANDOM_KW),
        B::Zeros | B::Ones => sig(&[], 0, None, CREATE_KW),
        B::Normal => sig(&["mean", "std", "size"], 3, Some(3), CREATE_KW),
        B::Full => sig(&[], 1, None, CREATE_KW),
        B::Arange => sig(&["start", "end", "step"], 1, Some(3), CREATE_KW),
        B::Linspace => sig(&["start", "end", "steps"], 3, Some(3), CREATE_KW),
        B::Eye => sig(&["n", "m"], 1, Some(2), CREATE_KW),
        B::Tensor => sig(&["data"], 1, Some(1), CREATE_KW),
        B::OnesLike | B::ZerosLike | B::RandLike { .. } => sig(&["input"], 1, Some(1), CREATE_KW),
        B::New(NewFill::Full) => sig(&["input", "size", "fill_value"], 3, Some(3), CREATE_KW),
        B::New(_) => sig(&["input"], 2, None, CREATE_KW),
        B::NewTensor => sig(&["input", "data"], 2, Some(2), CREATE_KW),
        B::FullLike => sig(&["input", "fill_value"], 2, Some(2), CREATE_KW),
        B::ManualSeed => sig(&["seed"], 1, Some(1), &[]),
        // `torch.round(input, *, decimals=0)`.
        B::Unary(Unary::Round) => sig(&["input"], 1, Some(1), &["decimals"]),
        B::Unary(_) | B::ZeroGrad | B::Detach | B::T => sig(&["input"], 1, Some(1), &[]),
        B::Transpose => sig(&["input", "dim0", "dim1"], 1, Some(3), &[]),
        B::Shape(s) => shape_builtins::signature(s),
        B::Mm => sig(&["input", "mat2"], 2, Some(2), &[]),
        B::Pow => sig(&["input", "exponent"], 2, Some(2), &[]),
        B::Heaviside => sig(&["input", "values"], 2, Some(2), &[]),
        B::Unfold => sig(&["input", "kernel_size", "dilation", "padding", "stride"], 2, Some(5), &[]),
        B::Fold => sig(&["input", "output_size", "kernel_size", "dilation", "padding", "stride"], 3, Some(6), &[]),
        B::InstanceNorm => sig(&["input", "running_mean", "running_var", "weight", "bias", "use_input_stats", "momentum", "eps"], 1, Some(8), &[]),
        B::LocalResponseNorm => sig(&["input", "size", "alpha", "beta", "k"], 2, Some(5), &[]),
        B::ChannelShuffle => sig(&["input", "groups"], 2, Some(2), &[]),
        B::AddProduct(AddProduct::Mv) => sig(&["input", "mat", "vec"], 3, Some(3), &["beta", "alpha"]),
        B::AddProduct(AddProduct::R) => sig(&["input", "vec1", "vec2"], 3, Some(3), &["beta", "alpha"]),
        B::AddProduct(AddProduct::Mm) => sig(&["input", "mat1", "mat2"], 3, Some(3), &["beta", "alpha"]),
        B::AddProduct(AddProduct::Baddbmm | AddProduct::Addbmm) => sig(&["input", "batch1", "batch2"], 3, Some(3), &["beta", "alpha"]),
        B::LpPool { .. } => sig(&["input", "norm_type", "kernel_size", "stride", "ceil_mode"], 3, Some(5), &[]),
        B::Pdist => sig(&["input", "p"], 1, Some(2), &[]),
        B::Cdist => sig(&["x1", "x2", "p", "compute_mode"], 2, Some(4), &[]),
        B::TensorUnfold => sig(&["input", "dimension", "size", "step"], 4, Some(4), &[]),
        B::Maximum | B::Minimum | B::Atan2 | B::Logaddexp | B::Logaddexp2 | B::Hypot | B::Remainder | B::Fmod | B::MatMul => {
            sig(&["input", "other"], 2, Some(2), &[])
        }
        B::Sum | B::Mean | B::Amax | B::Amin | B::LogSumExp => sig(&["input", "dim", "keepdim"], 1, Some(3), &[]),
        B::Aminmax => sig(&["input"], 1, Some(1), &["dim", "keepdim"]),
        B::Var | B::Std | B::VarMean | B::StdMean => sig(&["input", "dim", "unbiased", "keepdim"], 1, Some(4), &["correction"]),
        B::Norm => sig(&["input", "p", "dim", "keepdim"], 1, Some(4), &[]),
        B::Cumsum | B::Cumprod | B::Logcumsumexp | B::Softmax | B::LogSoftmax => sig(&["input", "dim"], 1, Some(2), &[]),
        B::Max | B::Min | B::Argmax | B::Argmin => sig(&["input", "dim", "keepdim"], 1, Some(3), &[]),
        B::Sort | B::Argsort => sig(&["input", "dim", "descending"], 1, Some(3), &["stable"]),
        B::Topk => sig(&["input", "k", "dim", "largest", "sorted"], 2, Some(5), &[]),
        B::CumExtreme { .. } => sig(&["input", "dim"], 2, Some(2), &[]),
        B::Addc { .. } => sig(&["input", "tensor1", "tensor2"], 3, Some(3), &["value"]),
        B::Gather | B::IndexSelect => sig(&["input", "dim", "index"], 3, Some(3), &[]),
        B::Narrow => sig(&["input", "dim", "start", "length"], 4, Some(4), &[]),
        B::OneHot => sig(&["tensor", "num_classes"], 1, Some(2), &[]),
        B::MseLoss | B::L1Loss => sig(&["input", "target"], 2, Some(2), &["reduction", "size_average", "reduce"]),
        B::BinaryCrossEntropy => sig(&["input", "target", "weight"], 2, Some(3), &["reduction", "size_average", "reduce"]),
        B::BinaryCrossEntropyWithLogits => sig(&["input", "target", "weight"], 2, Some(3), &["reduction", "pos_weight", "size_average", "reduce"]),
        // `weight` is the third positional parameter in PyTorch; the options after
        // PyTorch's deprecated `size_average` are keywords here, and so are it and
        // `reduce`, which `loss_reduction` reads as PyTorch's `legacy_get_string`.
        B::NllLoss => sig(&["input", "target", "weight"], 2, Some(3), &["reduction", "ignore_index", "size_average", "reduce"]),
        B::CrossEntropy => {
            sig(&["input", "target", "weight"], 2, Some(3), &["reduction", "ignore_index", "label_smoothing", "size_average", "reduce"])
        }
        B::SmoothL1Loss => sig(&["input", "target"], 2, Some(2), &["reduction", "beta", "size_average", "reduce"]),
        B::HuberLoss => sig(&["input", "target"], 2, Some(2), &["reduction", "delta"]),
        B::Linear => sig(&["input", "weight", "bias"], 2, Some(3), &[]),
        B::Normalize => sig(&["input", "p", "dim", "eps"], 1, Some(4), &[]),
        B::LayerNorm => sig(&["input", "normalized_shape", "weight", "bias", "eps"], 2, Some(5), &[]),
        B::Conv { transposed: false, .. } => sig(&["input", "weight", "bias", "stride", "padding", "dilation", "groups"], 2, Some(7), &[]),
        B::Conv { transposed: true, .. } => {
            sig(&["input", "weight", "bias", "stride", "padding", "output_padding", "groups", "dilation"], 2, Some(8), &[])
        }
        B::AvgPool { dims: 1 } => sig(&["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"], 2, Some(6), &[]),
        B::AvgPool { .. } => {
            sig(&["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"], 2, Some(7), &[])
        }
        B::AdaptiveAvgPool { .. } => sig(&["input", "output_size"], 2, Some(2), &[]),
        B::AdaptiveMaxPool { .. } => sig(&["input", "output_size", "return_indices"], 2, Some(3), &[]),
        B::Pad => sig(&["input", "pad", "mode", "value"], 2, Some(4), &[]),
        B::BatchNorm => sig(&["input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"], 3, Some(8), &[]),
        B::MaxPool { .. } => sig(&["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"], 2, Some(7), &[]),
        B::CosineSimilarity => sig(&["x1", "x2", "dim", "eps"], 2, Some(4), &[]),
        B::KlDiv => sig(&["input", "target"], 2, Some(2), &["reduction", "log_target"]),
        B::Dropout | B::Dropout2d | B::OtherDropout(_) => sig(&["input", "p", "training"], 1, Some(3), &[]),
        B::Embedding => sig(&["input", "weight", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"], 2, Some(7), &[]),
        B::EmbeddingBag => sig(
            &[
                "input",
                "weight",
                "offsets",
                "max_norm",
                "norm_type",
                "scale_grad_by_freq",
                "mode",
                "sparse",
                "per_sample_weights",
                "include_last_offset",
                "padding_idx",
            ],
            2,
            Some(11),
            &[],
        ),
        B::Outer => sig(&["input", "vec2"], 2, Some(2), &[]),
        B::TripletMarginWithDistance => sig(&["anchor", "positive", "negative"], 3, Some(3), &["distance_function", "margin", "swap", "reduction"]),
        B::Lerp => sig(&["input", "end", "weight"], 3, Some(3), &[]),
        B::Glu => sig(&["input", "dim"], 1, Some(2), &[]),
        B::ScaledDotProductAttention => sig(&["query", "key", "value", "attn_mask", "dropout_p", "is_causal"], 3, Some(6), &["scale", "enable_gqa"]),
        B::GumbelSoftmax => sig(&["logits", "tau", "hard", "eps", "dim"], 1, Some(5), &[]),
        B::Softsign | B::Tanhshrink => sig(&["input"], 1, Some(1), &[]),
        B::Softmin => sig(&["input", "dim"], 1, Some(2), &[]),
        B::CompositeLoss(l) => sig(l.params(), l.required(), Some(l.params().len()), l.keywords()),
        B::PairwiseDistance => sig(&["x1", "x2", "p", "eps", "keepdim"], 2, Some(5), &[]),
        B::Diff => sig(&["input", "n", "dim", "prepend", "append"], 1, Some(5), &[]),
        B::Frac => sig(&["input"], 1, Some(1), &[]),
        B::Prelu => sig(&["input", "weight"], 2, Some(2), &[]),
        B::PixelShuffle => sig(&["input", "upscale_factor"], 2, Some(2), &[]),
        B::PixelUnshuffle => sig(&["input", "downscale_factor"], 2, Some(2), &[]),
        B::GroupNorm => sig(&["input", "num_groups", "weight", "bias", "eps"], 2, Some(5), &[]),
        B::Interpolate => sig(&["input", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias"], 1, Some(7), &[]),
        B::GridSample => sig(&["input", "grid", "mode", "padding_mode", "align_corners"], 2, Some(5), &[]),
        B::AffineGrid => sig(&["theta", "size", "align_corners"], 2, Some(3), &[]),
        B::Backward => sig(&["tensor", "grad"], 1, Some(2), &["retain_graph"]),
        // PyTorch's names; `grad=` is graphc's earlier name for `grad_outputs`.
        B::Grad => sig(&["outputs", "inputs", "grad_outputs"], 2, Some(3), &["create_graph", "retain_graph", "allow_unused", "only_inputs", "grad"]),
        B::Print => sig(&[], 0, None, &["sep", "end", "flush"]),
        B::Plot => sig(&["x", "y"], 1, Some(2), &["label", "alpha"]),
        B::Figure(FigureCall::ScatterPlot) => sig(&["x", "y"], 2, Some(2), &["label", "alpha"]),
        B::Figure(FigureCall::SemiLogY) => sig(&["x", "y"], 1, Some(2), &["label", "alpha"]),
        B::Figure(FigureCall::XLim) => sig(&["left", "right"], 2, Some(2), &[]),
        B::Figure(FigureCall::YLim) => sig(&["bottom", "top"], 2, Some(2), &[]),
        B::Figure(FigureCall::YScale) => sig(&["value"], 1, Some(1), &[]),
        B::Figure(FigureCall::Rc) => sig(&["group"], 1, Some(1), &["figsize", "dpi", "unicode_minus"]),
        B::Figure(FigureCall::New) => sig(&[], 0, Some(0), &[]),
        B::Grid | B::Legend => sig(&[], 0, Some(0), &[]),
        B::XLabel | B::YLabel | B::Title => sig(&["text"], 1, Some(1), &[]),
        B::SaveFig => sig(&["path"], 1, Some(1), &[]),
        B::Surrogate => sig(&["reason"], 1, Some(1), &[]),
        B::Compare(_) | B::Logical(Logical::And | Logical::Or) => sig(&["input", "other"], 2, Some(2), &[]),
        B::Logical(Logical::Not) | B::FloatTest(_) | B::Cast(_) => sig(&["input"], 1, Some(1), &[]),
        B::Where => sig(&["condition", "input", "other"], 3, Some(3), &[]),
        B::MaskedFill => sig(&["input", "mask", "value"], 3, Some(3), &[]),
        B::NanToNum => sig(&["input", "nan", "posinf", "neginf"], 1, Some(4), &[]),
        // `clamp_min` and `clamp_max` take their bound: it has no default.
        B::Activation(a @ (ActivationBuiltin::ClampMin | ActivationBuiltin::ClampMax)) => sig(a.params(), 2, Some(2), &[]),
        B::Activation(a) => sig(a.params(), 1, Some(a.params().len()), &[]),
        // `x.to(device)` gives a device in place of the dtype, `x.type()` nothing.
        B::To => sig(&["input", "dtype"], 1, Some(2), &[]),
        B::ClipGrad(c) => sig(c.params(), c.required(), Some(c.params().len()), &[]),
        B::Init(f) => sig(f.params(), if f == InitFn::Constant { 2 } else { 1 }, Some(f.params().len()), &[]),
        B::Data(DataBuiltin::Load) => sig(&["path"], 1, Some(1), &[]),
        B::Data(DataBuiltin::Save) => sig(&["tensor", "path"], 2, Some(2), &[]),
        B::Data(DataBuiltin::Randperm) => sig(&["n"], 1, Some(1), &["dtype", "generator"]),
        // `randint(high, size)` and `randint(low, high, size)`: the data call sorts them out.
        B::Data(DataBuiltin::Randint) => sig(&["low", "high", "size"], 1, Some(3), &["dtype", "generator"]),
        B::Data(DataBuiltin::Multinomial) => sig(&["input", "num_samples", "replacement"], 2, Some(3), &[]),
        B::Data(DataBuiltin::Bernoulli) => sig(&["input", "p"], 1, Some(2), &[]),
        B::Gelu => sig(&["input"], 1, Some(1), &["approximate"]),
        B::Equal => sig(&["input", "other"], 2, Some(2), &[]),
        B::Xlogy | B::Xlog1py => sig(&["input", "other"], 2, Some(2), &[]),
        B::Mvlgamma => sig(&["input", "p"], 2, Some(2), &[]),
        B::Bilinear => sig(&["input1", "input2", "weight", "bias"], 3, Some(4), &[]),
        B::MaxUnpool { .. } => sig(&["input", "indices", "kernel_size", "stride", "padding", "output_size"], 3, Some(6), &[]),
        B::MultilabelMarginLoss => sig(&["input", "target"], 2, Some(2), &["size_average", "reduce", "reduction"]),
        B::MultiMarginLoss => sig(&["input", "target", "p", "margin", "weight"], 2, Some(5), &["size_average", "reduce", "reduction"]),
        B::Trapezoid { .. } => sig(&["y", "x"], 1, Some(2), &["dx", "dim"]),
        B::Cov => sig(&["input"], 1, Some(1), &["correction", "fweights", "aweights"]),
        B::Corrcoef => sig(&["input"], 1, Some(1), &[]),
        B::Entr | B::Ndtr => sig(&["input"], 1, Some(1), &[]),
        B::Isin => sig(&["elements", "test_elements"], 2, Some(2), &["assume_unique", "invert"]),
        B::Ldexp => sig(&["input", "other"], 2, Some(2), &[]),
        B::Vander => sig(&["x", "N", "increasing"], 1, Some(3), &[]),
        B::Take => sig(&["input", "index"], 2, Some(2), &[]),
        B::IndexFill => sig(&["input", "dim", "index", "value"], 4, Some(4), &[]),
        B::IndexCopy => sig(&["input", "dim", "index", "source"], 4, Some(4), &[]),
        B::Polygamma => sig(&["n", "input"], 2, Some(2), &[]),
        B::NanReduction(crate::lower::NanReduction::CountNonzero) => sig(&["input", "dim"], 1, Some(2), &[]),
        B::NanReduction(_) => sig(&["input", "dim", "keepdim"], 1, Some(3), &[]),
        B::IsClose { .. } => sig(&["input", "other", "rtol", "atol", "equal_nan"], 2, Some(5), &[]),
        B::Prod | B::AllAny { .. } => sig(&["input", "dim", "keepdim"], 1, Some(3), &[]),
        B::Scatter => sig(&["input", "dim", "index", "src"], 3, Some(4), &["value", "reduce"]),
        B::ScatterAdd => sig(&["input", "dim", "index", "src"], 4, Some(4), &[]),
        B::IndexAdd => sig(&["input", "dim", "index", "source"], 4, Some(4), &["alpha"]),
        B::ScatterReduce => sig(&["input", "dim", "index", "src", "reduce"], 5, Some(5), &["include_self"]),
        B::Tril | B::Triu | B::Diag => sig(&["input", "diagonal"], 1, Some(2), &[]),
        B::Diagonal => sig(&["input", "offset", "dim1", "dim2"], 1, Some(4), &[]),
        B::Trace | B::Angle { .. } => sig(&["input"], 1, Some(1), &[]),
        B::RepeatInterleave => sig(&["input", "repeats", "dim"], 1, Some(3), &["output_size"]),
        B::Cross { .. } => sig(&["input", "other", "dim"], 2, Some(3), &[]),
        B::Tensordot => sig(&["a", "b", "dims"], 2, Some(3), &[]),
        B::Search { bucketize: false } => sig(&["sorted_sequence", "input"], 2, Some(2), &["out_int32", "right", "side", "sorter"]),
        B::Search { bucketize: true } => sig(&["input", "boundaries"], 2, Some(2), &["out_int32", "right"]),
        B::Logit => sig(&["input", "eps"], 1, Some(2), &[]),
        B::Copysign | B::Kron => sig(&["input", "other"], 2, Some(2), &[]),
        B::VecProduct(VecProduct::Mv) => sig(&["input", "vec"], 2, Some(2), &[]),
        B::VecProduct(_) => sig(&["input", "other"], 2, Some(2), &[]),
        B::VectorNorm => sig(&["x", "ord", "dim", "keepdim"], 1, Some(4), &[]),
        B::Fmax { .. } | B::LogicalXor => sig(&["input", "other"], 2, Some(2), &[]),
        B::TriIndices { .. } => sig(&["row", "col", "offset"], 2, Some(3), &["dtype"]),
        B::CartesianProd | B::BlockDiag => sig(&["tensors"], 0, None, &[]),
        B::Combinations => sig(&["input", "r", "with_replacement"], 1, Some(3), &[]),
        B::Rot90 => sig(&["input", "k", "dims"], 1, Some(3), &[]),
        B::DiagEmbed => sig(&["input", "offset", "dim1", "dim2"], 1, Some(4), &[]),
        B::TakeAlongDim => sig(&["input", "indices", "dim"], 2, Some(3), &[]),
        B::RmsNorm => sig(&["input", "normalized_shape", "weight", "eps"], 2, Some(4), &[]),
        B::Signbit | B::Sgn => sig(&["input"], 1, Some(1), &[]),
        B::Dist => sig(&["input", "other", "p"], 2, Some(3), &[]),
        B::FloatPower => sig(&["input", "exponent"], 2, Some(2), &[]),
        B::Median { .. } => sig(&["input", "dim", "keepdim"], 1, Some(3), &[]),
        B::Kthvalue => sig(&["input", "k", "dim", "keepdim"], 2, Some(4), &[]),
        B::Quantile { .. } => sig(&["input", "q", "dim", "keepdim"], 2, Some(4), &["interpolation"]),
        B::LinalgNorm { matrix: false } => sig(&["input", "ord", "dim", "keepdim"], 1, Some(4), &[]),
        B::LinalgNorm { matrix: true } => sig(&["A", "ord", "dim", "keepdim"], 1, Some(4), &[]),
    }
}

/// A call's arguments matched to a signature.
pub struct Bound<V> {
    /// Positional arguments (and named parameters passed by keyword), in parameter order;
    /// `None` where an optional parameter was not given.
    pub positional: Vec<Option<(V, Span)>>,
    /// Keyword-only arguments that were given.
    pub keywords: HashMap<&'static str, (V, Span)>,
}

impl<V> Bound<V> {
    /// Takes keyword-only argument `name`, if given.
    pub fn keyword(&mut self, name: &str) -> Option<(V, Span)> {
        self.keywords.remove(name)
    }
}

/// Matches `args` (keyword name, value, span) to the signature of `name`.
pub fn bind<V>(name: &str, sig: &Signature, args: Vec<(Option<Ident>, V, Span)>, call_span: Span) -> Result<Bound<V>, Diagnostic> {
    let mut positional: Vec<Option<(V, Span)>> = Vec::new();
    let mut keywords = HashMap::new();
    let mut seen_keyword = false;
    for (kw, value, span) in args {
        match kw {
            None => {
                if seen_keyword {
                    return Err(Diagnostic::new(Code::E0104, "positional argument after a keyword argument", span, "positional argument")
                        .with_help("put positional arguments before keyword arguments"));
                }
                positional.push(Some((value, span)));
            }
            Some(kw) => {
                seen_keyword = true;
                // PyTorch's argument parser takes NumPy's names for some parameters
                // (`x.argmax(axis=1)`, `sum(keepdims=True)`); they bind as the parameter.
                let known = |k: &str| sig.params.contains(&k) || sig.keywords.contains(&k);
                let key = match numpy_alias(&kw.name) {
                    Some(alias) if !known(&kw.name) && known(alias) => alias,
                    _ => kw.name.as_str(),
                };
                if let Some(i) = sig.params.iter().position(|p| *p == key) {
                    if positional.len() <= i {
                        positional.resize_with(i + 1, || None);
                    }
                    if positional[i].is_some() {
                        return Err(Diagnostic::new(Code::E0104, format!("`{name}` got argument `{}` twice", kw.name), kw.span, "given again here")
                            .with_help(format!("pass `{}` once", kw.name)));
                    }
                    positional[i] = Some((value, span));
                } else if let Some(k) = sig.keywords.iter().find(|k| **k == key) {
                    if keywords.insert(*k, (value, span)).is_some() {
                        return Err(Diagnostic::new(
                            Code::E0104,
                            format!("`{name}` got keyword argument `{}` twice", kw.name),
                            kw.span,
                            "given again here",
                        )
                        .with_help(format!("pass `{}` once", kw.name)));
                    }
                } else {
                    let accepted: Vec<String> = sig.params.iter().chain(sig.keywords.iter()).map(|k| format!("`{k}`")).collect();
                    let help = if accepted.is_empty() {
                        format!("`{name}` takes no keyword arguments")
                    } else {
                        format!("`{name}` accepts the keyword arguments {}", accepted.join(", "))
                    };
                    return Err(Diagnostic::new(
                        Code::E0104,
                        format!("`{name}` has no keyword argument `{}`", kw.name),
                        kw.span,
                        "unknown keyword argument",
                    )
                    .with_help(help));
                }
            }
        }
    }
    let given = positional.iter().filter(|p| p.is_some()).count();
    let too_many = sig.max.is_some_and(|m| positional.len() > m);
    if given < sig.min || too_many {
        let expected = match sig.max {
            Some(m) if m == sig.min => format!("{m}"),
            Some(m) => format!("{} to {m}", sig.min),
            None => format!("at least {}", sig.min),
        };
        let plural = if sig.max == Some(1) && sig.min == 1 { "" } else { "s" };
        let verb = if given == 1 { "was" } else { "were" };
        return Err(Diagnostic::new(
            Code::E0103,
            format!("`{name}` takes {expected} argument{plural} but {given} {verb} given"),
            call_span,
            format!("expected {expected} argument{plural}"),
        )
        .with_help(usage(name, sig)));
    }
    // A gap (`arange(start=1)` without `end`) is a missing required argument.
    if let Some(i) = positional.iter().take(sig.min).position(|p| p.is_none()) {
        return Err(Diagnostic::new(
            Code::E0103,
            format!("`{name}` is missing argument `{}`", sig.params.get(i).copied().unwrap_or("?")),
            call_span,
            "missing argument",
        )
        .with_help(usage(name, sig)));
    }
    Ok(Bound { positional, keywords })
}

/// A one-line usage string for help messages.
pub fn usage(name: &str, sig: &Signature) -> String {
    let mut parts: Vec<String> = if sig.params.is_empty() && sig.max != Some(0) {
        vec!["...".to_string()]
    } else {
        sig.params.iter().enumerate().map(|(i, p)| if i < sig.min { p.to_string() } else { format!("{p}=...") }).collect()
    };
    parts.extend(sig.keywords.iter().map(|k| format!("{k}=...")));
    format!("usage: {name}({})", parts.join(", "))
}

/// The builtins of the [`graphc_runtime::op::Activation`] family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivationBuiltin {
    Clamp,
    /// `clamp_min(input, min)`: `clamp` with a lower bound only, `ClampMinBackward0`.
    ClampMin,
    /// `clamp_max(input, max)`: `clamp` with an upper bound only, `ClampMaxBackward0`.
    ClampMax,
    Hardtanh,
    LeakyRelu,
    Elu,
    Softplus,
    /// `relu6(input)`: PyTorch computes it as `hardtanh(input, 0, 6)`.
    Relu6,
    Hardsigmoid,
    Hardswish,
    Selu,
    Celu,
    /// `softshrink(input, lambd=0.5)`.
    Softshrink,
    /// `hardshrink(input, lambd=0.5)`.
    Hardshrink,
    /// `threshold(input, threshold, value)`: both required.
    Threshold,
}

impl ActivationBuiltin {
    /// The parameters, `input` first, as PyTorch names them.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            ActivationBuiltin::Clamp => &["input", "min", "max"],
            ActivationBuiltin::ClampMin => &["input", "min"],
            ActivationBuiltin::ClampMax => &["input", "max"],
            ActivationBuiltin::Hardtanh => &["input", "min_val", "max_val"],
            ActivationBuiltin::LeakyRelu => &["input", "negative_slope"],
            ActivationBuiltin::Elu => &["input", "alpha"],
            ActivationBuiltin::Softplus => &["input", "beta", "threshold"],
            ActivationBuiltin::Relu6 | ActivationBuiltin::Hardsigmoid | ActivationBuiltin::Hardswish | ActivationBuiltin::Selu => &["input"],
            ActivationBuiltin::Celu => &["input", "alpha"],
            ActivationBuiltin::Softshrink | ActivationBuiltin::Hardshrink => &["input", "lambd"],
            ActivationBuiltin::Threshold => &["input", "threshold", "value"],
        }
    }

    /// PyTorch's default of each parameter after `input` (`None`: no default,
    /// as `clamp`'s optional bounds).
    pub fn defaults(self) -> &'static [Option<f64>] {
        match self {
            ActivationBuiltin::Clamp => &[None, None],
            ActivationBuiltin::ClampMin | ActivationBuiltin::ClampMax => &[None],
            ActivationBuiltin::Hardtanh => &[Some(-1.0), Some(1.0)],
            ActivationBuiltin::LeakyRelu => &[Some(0.01)],
            ActivationBuiltin::Elu => &[Some(1.0)],
            ActivationBuiltin::Softplus => &[Some(1.0), Some(20.0)],
            ActivationBuiltin::Relu6 | ActivationBuiltin::Hardsigmoid | ActivationBuiltin::Hardswish | ActivationBuiltin::Selu => &[],
            ActivationBuiltin::Celu => &[Some(1.0)],
            ActivationBuiltin::Softshrink | ActivationBuiltin::Hardshrink => &[Some(0.5)],
            ActivationBuiltin::Threshold => &[None, None],
        }
    }
}

/// The figure calls beyond `plot`, `grid`, `legend`, the labels and `savefig`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureCall {
    /// `scatter(x, y)`: matplotlib's `plt.scatter`, told apart from `torch.scatter`
    /// (which takes `input, dim, index`) by its two arguments.
    ScatterPlot,
    /// `semilogy(y)` / `semilogy(x, y)`: a plot on a log y axis.
    SemiLogY,
    XLim,
    YLim,
    /// `yscale("log")`: matplotlib's `plt.yscale`, the log y axis `semilogy` sets.
    YScale,
    /// `rc("figure", figsize=(w, h), dpi=d)` and `rc("axes", unicode_minus=b)`:
    /// matplotlib's `plt.rc`, setting the `rcParams` the tutorial sets.
    Rc,
    /// `figure()`: matplotlib's `plt.figure()`, a new empty figure that the
    /// following calls draw on (the `rc` settings carry over).
    New,
}

/// `scatter` with exactly two positional arguments and no `dim`, `index`, `src` or
/// `value` keyword is matplotlib's scatter plot; otherwise it is `torch.scatter`.
pub fn figure_scatter<V>(b: Builtin, args: &[(Option<Ident>, V, Span)]) -> Builtin {
    let positional = args.iter().filter(|(k, _, _)| k.is_none()).count();
    let torch_keyword =
        args.iter().any(|(k, _, _)| k.as_ref().is_some_and(|k| matches!(k.name.as_str(), "input" | "dim" | "index" | "src" | "value")));
    if b == Builtin::Scatter && positional == 2 && !torch_keyword {
        Builtin::Figure(FigureCall::ScatterPlot)
    } else {
        b
    }
}

/// The dtype an unbound name denotes: `f32`, `f64`, `i64`, `bool`, and PyTorch's
/// names `float32`, `float64`, `int64` and aliases `float`, `double` and `long`
/// (`torch.float` is float32).
pub fn dtype_name(n: &str) -> Option<graphc_runtime::DType> {
    match n {
        "float" | "float32" => Some(graphc_runtime::DType::F32),
        "double" | "float64" => Some(graphc_runtime::DType::F64),
        "long" | "int64" => Some(graphc_runtime::DType::I64),
        _ => graphc_runtime::DType::from_act_name(n),
    }
}
