//! The one table from `.act` builtins to their PyTorch spellings, for
//! `graphc export --to torch`. A builtin missing here cannot be exported (E0740):
//! the exporter never guesses a spelling.

/// How a builtin call is written in the exported Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// `torch.NAME(args)`; called as a method, `x.NAME(args)`.
    Torch(&'static str),
    /// `F.NAME(args)` (`torch.nn.functional`); as a method, `F.NAME(x, args)`.
    Functional(&'static str),
    /// A `math` function on a host number, `torch.NAME` on a tensor (`sqrt(d)`
    /// with an integer `d` is a Python float in graphc as in PyTorch).
    Math(&'static str),
    /// Python's own function of the same name (`print`, `abs` of a number).
    Python(&'static str),
    /// `plt.NAME(args)`, with tensor arguments converted to numpy arrays.
    Pyplot(&'static str),
    /// `torch.nn.utils.NAME(args)` (gradient clipping).
    NnUtils(&'static str),
    /// `torch.nn.init.NAME(args)` (initialization).
    NnInit(&'static str),
    /// `zero_grad(x)`: `x.grad.zero_()`.
    ZeroGrad,
    /// `backward(y, ...)`: `y.backward(...)`.
    Backward,
    /// `grad(outputs, inputs, ...)`: `torch.autograd.grad(...)`.
    AutogradGrad,
    /// `mark_non_differentiable(y)` in a forward block: `ctx.mark_non_differentiable(y)`.
    MarkNonDifferentiable,
    /// `needs_grad(p)` in an op: `ctx.needs_input_grad[i]`, `i` the parameter's position.
    NeedsGrad,
    /// `surrogate(reason)`: a note for `graphc gradcheck` that PyTorch has no use
    /// for; it is written as a comment.
    Surrogate,
}

/// The builtins whose PyTorch function has the same name: `torch.NAME`, and the
/// method `Tensor.NAME`.
const TORCH: &[&str] = &[
    "randn",
    "normal",
    "rand",
    "zeros",
    "empty",
    "ones",
    "arange",
    "linspace",
    "eye",
    "tensor",
    "ones_like",
    "full_like",
    "rand_like",
    "randn_like",
    "zeros_like",
    "empty_like",
    "manual_seed",
    "outer",
    "equal",
    "isclose",
    "allclose",
    "xlogy",
    "nansum",
    "nanmean",
    "count_nonzero",
    "diagonal",
    "trace",
    "deg2rad",
    "rad2deg",
    "repeat_interleave",
    "cross",
    "linalg.cross",
    "tensordot",
    "searchsorted",
    "bucketize",
    "logit",
    "sinc",
    "erfinv",
    "lgamma",
    "digamma",
    "polygamma",
    "logcumsumexp",
    "copysign",
    "kron",
    "linalg.vector_norm",
    "addmm",
    "lerp",
    "logaddexp",
    "remainder",
    "fmod",
    "addcmul",
    "addcdiv",
    "sigmoid",
    "relu",
    "square",
    "reciprocal",
    "rsqrt",
    "round",
    "sign",
    "pow",
    "maximum",
    "minimum",
    "atan2",
    "sum",
    "mean",
    "amax",
    "aminmax",
    "amin",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "diff",
    "frac",
    "prelu",
    "logsumexp",
    "norm",
    "cumsum",
    "cumprod",
    "softmax",
    "log_softmax",
    "max",
    "min",
    "argmax",
    "argmin",
    "sort",
    "argsort",
    "topk",
    "cummax",
    "cummin",
    "gather",
    "index_select",
    "matmul",
    "transpose",
    "mm",
    "t",
    "detach",
    "lt",
    "le",
    "gt",
    "ge",
    "eq",
    "ne",
    "where",
    "masked_fill",
    "logical_and",
    "logical_or",
    "logical_not",
    "isnan",
    "isfinite",
    "isinf",
    "isposinf",
    "isneginf",
    "nan_to_num",
    "clamp",
    "clip",
    "clamp_min",
    "clamp_max",
    "prod",
    "all",
    "any",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "index_add",
    "tril",
    "triu",
    "diag",
    "bmm",
    "einsum",
    "meshgrid",
    "permute",
    "flip",
    "roll",
    "reshape",
    "flatten",
    "squeeze",
    "unsqueeze",
    "cat",
    "stack",
    "split",
    "chunk",
    "unbind",
    "randperm",
    "add",
    "sub",
    "subtract",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "randint",
    "multinomial",
    "bernoulli",
    // In-place elementwise ops: `torch.relu_(x)` and `x.relu_()`.
    "relu_",
    "sigmoid_",
    "tanh_",
    "exp_",
    "log_",
    "sqrt_",
    "rsqrt_",
    "abs_",
    "reciprocal_",
    "sin_",
    "cos_",
    "floor_",
    "ceil_",
    "trunc_",
];

/// The builtins of `torch.nn.functional`.
const FUNCTIONAL: &[&str] = &[
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
    "pairwise_distance",
    "one_hot",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
    "smooth_l1_loss",
    "huber_loss",
    "linear",
    "normalize",
    "layer_norm",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "max_pool1d",
    "max_pool2d",
    "batch_norm",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "pad",
    "cosine_similarity",
    "kl_div",
    "dropout",
    "dropout2d",
    "embedding",
    "softsign",
    "tanhshrink",
    "softmin",
    "pixel_shuffle",
    "pixel_unshuffle",
    "interpolate",
    "grid_sample",
    "affine_grid",
    "group_norm",
    "hardtanh",
    "leaky_relu",
    "elu",
    "softplus",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "selu",
    "celu",
    "softshrink",
    "hardshrink",
    "threshold",
    "gelu",
    "silu",
    "mish",
    "glu",
    "gumbel_softmax",
    // In-place activations that only `torch.nn.functional` has.
    "leaky_relu_",
    "elu_",
    "hardtanh_",
];

/// The elementwise builtins that are also functions of Python's `math` module,
/// and so apply to host numbers too (docs/act-language.md, "Host numbers follow Python").
const MATH: &[&str] = &[
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh", "log1p", "expm1", "asin", "acos", "atan", "asinh", "acosh", "atanh", "erf",
    "erfc", "log2", "log10", "exp2", "floor", "ceil", "trunc",
];

/// The matplotlib functions graphc draws with (`scatter` too, when
/// [`pyplot_scatter`] tells it from `torch.scatter`).
const PYPLOT: &[&str] = &["plot", "semilogy", "yscale", "xlim", "ylim", "grid", "legend", "xlabel", "ylabel", "title", "savefig", "rc", "figure"];

/// Whether a `scatter` call is matplotlib's scatter plot: two positional arguments
/// and none of `torch.scatter`'s keywords. This is the rule the checker applies
/// (`check::builtins::figure_scatter`), restated over the AST because the exporter
/// reads only the parsed program.
pub fn pyplot_scatter(args: &[crate::syntax::ast::Arg]) -> bool {
    let positional = args.iter().filter(|a| a.name.is_none()).count();
    let torch_keyword = args.iter().any(|a| a.name.as_ref().is_some_and(|k| matches!(k.name.as_str(), "input" | "dim" | "index" | "src" | "value")));
    positional == 2 && !torch_keyword
}

/// The tensor methods that are not builtin functions but exist in `.act` as
/// methods with PyTorch's name and meaning.
const METHODS: &[&str] = &[
    "item",
    "tolist",
    "append",
    "name",
    "backward",
    "zero_",
    "clone",
    "contiguous",
    "requires_grad_",
    "size",
    "dim",
    "numel",
    "nelement",
    "view",
    "view_as",
    "expand",
    "expand_as",
    "repeat",
    "long",
    "double",
    "float",
    "bool",
    "to",
    "type",
    "add_",
    "sub_",
    "mul_",
    "div_",
    "fill_",
    "copy_",
    "clamp_",
    "index_put_",
    "scatter_",
    "scatter_add_",
    "index_add_",
    "masked_fill_",
    "scatter_reduce_",
    "uniform_",
    "exponential_",
    "bernoulli_",
    "normal_",
    "cpu",
    "abs",
    // In-place ops PyTorch has only as tensor methods.
    "sign_",
    "pow_",
    "fmod_",
    "addcmul_",
    "addcdiv_",
    "remainder_",
    "new_zeros",
    "new_ones",
    "new_full",
    "new_empty",
    "new_tensor",
];

/// The PyTorch spelling of the builtin `name`, if it has one.
pub fn spelling(name: &str) -> Option<Spelling> {
    let special = match name {
        "print" => Some(Spelling::Python("print")),
        "abs" => Some(Spelling::Python("abs")),
        "zero_grad" => Some(Spelling::ZeroGrad),
        "backward" => Some(Spelling::Backward),
        "grad" => Some(Spelling::AutogradGrad),
        "mark_non_differentiable" => Some(Spelling::MarkNonDifferentiable),
        "needs_grad" => Some(Spelling::NeedsGrad),
        "surrogate" => Some(Spelling::Surrogate),
        "clip_grad_norm_" => Some(Spelling::NnUtils("clip_grad_norm_")),
        "clip_grad_value_" => Some(Spelling::NnUtils("clip_grad_value_")),
        "get_total_norm" => Some(Spelling::NnUtils("get_total_norm")),
        "clip_grads_with_norm_" => Some(Spelling::NnUtils("clip_grads_with_norm_")),
        _ => crate::check::builtins::INIT.iter().find(|(n, _)| *n == name).map(|(n, _)| Spelling::NnInit(n)),
    };
    special
        .or_else(|| TORCH.iter().find(|n| **n == name).map(|n| Spelling::Torch(n)))
        .or_else(|| FUNCTIONAL.iter().find(|n| **n == name).map(|n| Spelling::Functional(n)))
        .or_else(|| MATH.iter().find(|n| **n == name).map(|n| Spelling::Math(n)))
        .or_else(|| PYPLOT.iter().find(|n| **n == name).map(|n| Spelling::Pyplot(n)))
}

/// A Python dict's and str's methods, which `.act` spells as Python does.
const DICT_METHODS: &[&str] = &[
    "keys",
    "values",
    "items",
    "get",
    "copy",
    "pop",
    "setdefault",
    "update",
    "format",
    "join",
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "startswith",
    "endswith",
    "replace",
    "split",
];

/// Whether `x.name(...)` is written as the same method in PyTorch (or in
/// Python, for a dict's and a string's methods).
pub fn is_tensor_method(name: &str) -> bool {
    METHODS.contains(&name) || TORCH.contains(&name) || MATH.contains(&name) || DICT_METHODS.contains(&name)
}

/// The PyTorch name of a `.act` dtype (`f64` is `torch.float64`).
pub fn dtype(name: &str) -> Option<&'static str> {
    match name {
        "f16" => Some("torch.float16"),
        "bf16" => Some("torch.bfloat16"),
        // PyTorch's names and aliases, which `.act` reads as these dtypes.
        "f32" | "float" | "float32" => Some("torch.float32"),
        "f64" | "double" | "float64" => Some("torch.float64"),
        "long" | "int64" => Some("torch.int64"),
        "i32" => Some("torch.int32"),
        "i64" => Some("torch.int64"),
        "bool" => Some("torch.bool"),
        _ => None,
    }
}
