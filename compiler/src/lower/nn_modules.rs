//! The `torch.nn` modules and `nn.Module`'s own methods, for the objects of
//! `objects.rs`:
//!
//! - `Parameter(data, requires_grad=true)`: a new leaf that requires grad,
//!   which `parameters()` yields when an object holds it;
//! - `Linear`, `Conv1d`, `Conv2d`, `LayerNorm`, `BatchNorm1d`/`2d` (with
//!   their running statistics as buffers) and `Embedding` with PyTorch's
//!   `reset_parameters` (the same draws from the default generator, in the
//!   same order), their forward the functional builtin;
//! - the modules that apply a functional builtin with their options (`ReLU`,
//!   `Dropout`, `Flatten`, `MaxPool2d`, `CrossEntropyLoss`, ...: [`FUNCTIONAL`]);
//! - `Sequential` and `ModuleList`, whose children are named `0`, `1`, ...;
//! - `parameters()`, `named_parameters()`, `children()`, `modules()`,
//!   `train()`, `eval()`, `zero_grad()`, `to()`, `register_buffer()`, and
//!   `print(model)` as `Module.__repr__` prints it.

use std::rc::Rc;

use graphc_runtime::{DType, Op};

use super::objects::{attr, with_attr, CallArgs};
use super::{Lowerer, Num, Value};
use crate::check::builtins::{self, Builtin, InitFn};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// A constructor option's default, as Python writes it.
#[derive(Clone, Copy)]
enum Default {
    None,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'static str),
    /// No default: the option must be given.
    Required,
}

/// A module whose forward is a functional builtin: its class, the builtin, the
/// number of tensors its forward takes, and its constructor's options in
/// PyTorch's order, each with its default and whether forward passes it to
/// the builtin (by keyword). `inplace` is taken and must stay false.
struct Functional {
    class: &'static str,
    builtin: &'static str,
    inputs: usize,
    options: &'static [(&'static str, Default, bool)],
    /// The options `extra_repr` shows, in its order (none: the class prints bare, `ReLU()`).
    repr: &'static [&'static str],
}

const REDUCTION: (&str, Default, bool) = ("reduction", Default::Str("mean"), true);
const SIZE_AVERAGE: (&str, Default, bool) = ("size_average", Default::None, false);
const REDUCE: (&str, Default, bool) = ("reduce", Default::None, false);
const INPLACE: (&str, Default, bool) = ("inplace", Default::Bool(false), false);
const DROPOUT: &[(&str, Default, bool)] = &[("p", Default::Float(0.5), true), INPLACE];
/// `_LPPoolNd`'s options, of both dimensions.
const LP_POOL: &[(&str, Default, bool)] = &[
    ("norm_type", Default::Required, true),
    ("kernel_size", Default::Required, true),
    ("stride", Default::None, true),
    ("ceil_mode", Default::Bool(false), true),
];
const LP_POOL_REPR: &[&str] = &["norm_type", "kernel_size", "stride", "ceil_mode"];
/// The padding modules' option: an int for every side, or a tuple as `F.pad` takes it.
const PADDING: &[(&str, Default, bool)] = &[("padding", Default::Required, true)];
const CONSTANT_PAD: &[(&str, Default, bool)] = &[("padding", Default::Required, true), ("value", Default::Required, true)];
const MAX_POOL: &[(&str, Default, bool)] = &[
    ("kernel_size", Default::Required, true),
    ("stride", Default::None, true),
    ("padding", Default::Int(0), true),
    ("dilation", Default::Int(1), true),
    ("return_indices", Default::Bool(false), true),
    ("ceil_mode", Default::Bool(false), true),
];
const ADAPTIVE_MAX_POOL: &[(&str, Default, bool)] = &[("output_size", Default::Required, true), ("return_indices", Default::Bool(false), true)];
const UPSAMPLING: &[(&str, Default, bool)] = &[("size", Default::None, true), ("scale_factor", Default::None, true)];

/// Options a class sets itself rather than taking from its constructor, kept
/// as attributes and passed to the builtin as the others are: `Softmax2d` is
/// `softmax` over the channels, the `Upsampling` classes are `Upsample` with
/// a fixed mode, the padding modules `F.pad` with theirs.
const FIXED: &[(&str, &[(&str, Default)])] = &[
    ("Softmax2d", &[("dim", Default::Int(-3))]),
    ("UpsamplingNearest2d", &[("mode", Default::Str("nearest"))]),
    ("UpsamplingBilinear2d", &[("mode", Default::Str("bilinear")), ("align_corners", Default::Bool(true))]),
    ("ZeroPad1d", &[("mode", Default::Str("constant"))]),
    ("ZeroPad2d", &[("mode", Default::Str("constant"))]),
    ("ZeroPad3d", &[("mode", Default::Str("constant"))]),
    ("ConstantPad1d", &[("mode", Default::Str("constant"))]),
    ("ConstantPad2d", &[("mode", Default::Str("constant"))]),
    ("ConstantPad3d", &[("mode", Default::Str("constant"))]),
    ("ReflectionPad1d", &[("mode", Default::Str("reflect"))]),
    ("ReflectionPad2d", &[("mode", Default::Str("reflect"))]),
    ("ReflectionPad3d", &[("mode", Default::Str("reflect"))]),
    ("ReplicationPad1d", &[("mode", Default::Str("replicate"))]),
    ("ReplicationPad2d", &[("mode", Default::Str("replicate"))]),
    ("ReplicationPad3d", &[("mode", Default::Str("replicate"))]),
    ("CircularPad1d", &[("mode", Default::Str("circular"))]),
    ("CircularPad2d", &[("mode", Default::Str("circular"))]),
    ("CircularPad3d", &[("mode", Default::Str("circular"))]),
];

/// The builtin's name for an option whose attribute PyTorch names otherwise.
fn builtin_keyword(class: &str, option: &'static str) -> &'static str {
    match (class, option) {
        ("Unflatten", "unflattened_size") => "sizes",
        (c, "padding") if pad_dims(c).is_some() => "pad",
        (_, o) => o,
    }
}

/// The spatial dimensions of a padding module (`ZeroPad2d`: 2).
fn pad_dims(class: &str) -> Option<usize> {
    let rest = ["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"].iter().find_map(|p| class.strip_prefix(p))?;
    match rest {
        "1d" => Some(1),
        "2d" => Some(2),
        "3d" => Some(3),
        _ => None,
    }
}

/// The modules that apply a functional builtin.
const FUNCTIONAL: &[Functional] = &[
    Functional { class: "ReLU", builtin: "relu", inputs: 1, options: &[INPLACE], repr: &[] },
    // `ReLU6(inplace=False)` is PyTorch's `Hardtanh(0.0, 6.0, inplace)`; its
    // bounds are not constructor arguments.
    Functional {
        class: "ReLU6",
        builtin: "hardtanh",
        inputs: 1,
        options: &[INPLACE, ("min_val", Default::Float(0.0), true), ("max_val", Default::Float(6.0), true)],
        repr: &[],
    },
    Functional { class: "Sigmoid", builtin: "sigmoid", inputs: 1, options: &[], repr: &[] },
    Functional { class: "Tanh", builtin: "tanh", inputs: 1, options: &[], repr: &[] },
    Functional { class: "SiLU", builtin: "silu", inputs: 1, options: &[INPLACE], repr: &[] },
    Functional { class: "Mish", builtin: "mish", inputs: 1, options: &[INPLACE], repr: &[] },
    Functional { class: "GELU", builtin: "gelu", inputs: 1, options: &[("approximate", Default::Str("none"), true)], repr: &["approximate"] },
    Functional {
        class: "LeakyReLU",
        builtin: "leaky_relu",
        inputs: 1,
        options: &[("negative_slope", Default::Float(0.01), true), INPLACE],
        repr: &["negative_slope"],
    },
    Functional { class: "ELU", builtin: "elu", inputs: 1, options: &[("alpha", Default::Float(1.0), true), INPLACE], repr: &["alpha"] },
    Functional {
        class: "Softplus",
        builtin: "softplus",
        inputs: 1,
        options: &[("beta", Default::Float(1.0), true), ("threshold", Default::Float(20.0), true)],
        repr: &["beta", "threshold"],
    },
    Functional {
        class: "Hardtanh",
        builtin: "hardtanh",
        inputs: 1,
        options: &[("min_val", Default::Float(-1.0), true), ("max_val", Default::Float(1.0), true), INPLACE],
        repr: &["min_val", "max_val"],
    },
    Functional { class: "GLU", builtin: "glu", inputs: 1, options: &[("dim", Default::Int(-1), true)], repr: &["dim"] },
    Functional { class: "Hardsigmoid", builtin: "hardsigmoid", inputs: 1, options: &[INPLACE], repr: &[] },
    Functional { class: "Hardswish", builtin: "hardswish", inputs: 1, options: &[INPLACE], repr: &[] },
    Functional { class: "SELU", builtin: "selu", inputs: 1, options: &[INPLACE], repr: &[] },
    Functional { class: "CELU", builtin: "celu", inputs: 1, options: &[("alpha", Default::Float(1.0), true), INPLACE], repr: &["alpha"] },
    Functional {
        class: "Threshold",
        builtin: "threshold",
        inputs: 1,
        options: &[("threshold", Default::Required, true), ("value", Default::Required, true), INPLACE],
        repr: &["threshold", "value"],
    },
    // `Softshrink` and `Hardshrink` print their `lambd` bare (below).
    Functional { class: "Softshrink", builtin: "softshrink", inputs: 1, options: &[("lambd", Default::Float(0.5), true)], repr: &[] },
    Functional { class: "Hardshrink", builtin: "hardshrink", inputs: 1, options: &[("lambd", Default::Float(0.5), true)], repr: &[] },
    Functional { class: "LogSigmoid", builtin: "logsigmoid", inputs: 1, options: &[], repr: &[] },
    Functional { class: "Softsign", builtin: "softsign", inputs: 1, options: &[], repr: &[] },
    Functional { class: "Tanhshrink", builtin: "tanhshrink", inputs: 1, options: &[], repr: &[] },
    Functional { class: "Softmin", builtin: "softmin", inputs: 1, options: &[("dim", Default::None, true)], repr: &["dim"] },
    Functional { class: "Softmax", builtin: "softmax", inputs: 1, options: &[("dim", Default::None, true)], repr: &["dim"] },
    Functional { class: "LogSoftmax", builtin: "log_softmax", inputs: 1, options: &[("dim", Default::None, true)], repr: &["dim"] },
    Functional {
        class: "Flatten",
        builtin: "flatten",
        inputs: 1,
        options: &[("start_dim", Default::Int(1), true), ("end_dim", Default::Int(-1), true)],
        repr: &["start_dim", "end_dim"],
    },
    Functional {
        class: "PixelShuffle",
        builtin: "pixel_shuffle",
        inputs: 1,
        options: &[("upscale_factor", Default::Required, true)],
        repr: &["upscale_factor"],
    },
    Functional {
        class: "PixelUnshuffle",
        builtin: "pixel_unshuffle",
        inputs: 1,
        options: &[("downscale_factor", Default::Required, true)],
        repr: &["downscale_factor"],
    },
    Functional {
        class: "Unfold",
        builtin: "unfold",
        inputs: 1,
        options: &[
            ("kernel_size", Default::Required, true),
            ("dilation", Default::Int(1), true),
            ("padding", Default::Int(0), true),
            ("stride", Default::Int(1), true),
        ],
        repr: &["kernel_size", "dilation", "padding", "stride"],
    },
    Functional {
        class: "Fold",
        builtin: "fold",
        inputs: 1,
        options: &[
            ("output_size", Default::Required, true),
            ("kernel_size", Default::Required, true),
            ("dilation", Default::Int(1), true),
            ("padding", Default::Int(0), true),
            ("stride", Default::Int(1), true),
        ],
        repr: &["output_size", "kernel_size", "dilation", "padding", "stride"],
    },
    Functional {
        class: "LocalResponseNorm",
        builtin: "local_response_norm",
        inputs: 1,
        options: &[
            ("size", Default::Required, true),
            ("alpha", Default::Float(1e-4), true),
            ("beta", Default::Float(0.75), true),
            ("k", Default::Float(1.0), true),
        ],
        repr: &[],
    },
    Functional { class: "LPPool1d", builtin: "lp_pool1d", inputs: 1, options: LP_POOL, repr: LP_POOL_REPR },
    Functional { class: "LPPool2d", builtin: "lp_pool2d", inputs: 1, options: LP_POOL, repr: LP_POOL_REPR },
    Functional { class: "ChannelShuffle", builtin: "channel_shuffle", inputs: 1, options: &[("groups", Default::Required, true)], repr: &["groups"] },
    // `Upsample`'s `extra_repr` is its own (below).
    Functional {
        class: "Upsample",
        builtin: "interpolate",
        inputs: 1,
        options: &[
            ("size", Default::None, true),
            ("scale_factor", Default::None, true),
            ("mode", Default::Str("nearest"), true),
            ("align_corners", Default::None, true),
            ("recompute_scale_factor", Default::None, true),
        ],
        repr: &[],
    },
    Functional { class: "Dropout", builtin: "dropout", inputs: 1, options: &[("p", Default::Float(0.5), true), INPLACE], repr: &["p", "inplace"] },
    Functional {
        class: "Dropout2d",
        builtin: "dropout2d",
        inputs: 1,
        options: &[("p", Default::Float(0.5), true), INPLACE],
        repr: &["p", "inplace"],
    },
    Functional { class: "Dropout1d", builtin: "dropout1d", inputs: 1, options: DROPOUT, repr: &["p", "inplace"] },
    Functional { class: "Dropout3d", builtin: "dropout3d", inputs: 1, options: DROPOUT, repr: &["p", "inplace"] },
    Functional { class: "AlphaDropout", builtin: "alpha_dropout", inputs: 1, options: DROPOUT, repr: &["p", "inplace"] },
    Functional { class: "FeatureAlphaDropout", builtin: "feature_alpha_dropout", inputs: 1, options: DROPOUT, repr: &["p", "inplace"] },
    Functional {
        class: "AdaptiveAvgPool1d",
        builtin: "adaptive_avg_pool1d",
        inputs: 1,
        options: &[("output_size", Default::Required, true)],
        repr: &["output_size"],
    },
    Functional {
        class: "AdaptiveAvgPool2d",
        builtin: "adaptive_avg_pool2d",
        inputs: 1,
        options: &[("output_size", Default::Required, true)],
        repr: &["output_size"],
    },
    Functional { class: "AdaptiveMaxPool1d", builtin: "adaptive_max_pool1d", inputs: 1, options: ADAPTIVE_MAX_POOL, repr: &["output_size"] },
    Functional { class: "AdaptiveMaxPool2d", builtin: "adaptive_max_pool2d", inputs: 1, options: ADAPTIVE_MAX_POOL, repr: &["output_size"] },
    Functional {
        class: "MaxPool1d",
        builtin: "max_pool1d",
        inputs: 1,
        options: MAX_POOL,
        repr: &["kernel_size", "stride", "padding", "dilation", "ceil_mode"],
    },
    Functional {
        class: "MaxPool2d",
        builtin: "max_pool2d",
        inputs: 1,
        options: MAX_POOL,
        repr: &["kernel_size", "stride", "padding", "dilation", "ceil_mode"],
    },
    Functional {
        class: "MaxUnpool1d",
        builtin: "max_unpool1d",
        inputs: 2,
        options: &[("kernel_size", Default::Required, true), ("stride", Default::None, true), ("padding", Default::Int(0), true)],
        repr: &["kernel_size", "stride", "padding"],
    },
    Functional {
        class: "MaxUnpool2d",
        builtin: "max_unpool2d",
        inputs: 2,
        options: &[("kernel_size", Default::Required, true), ("stride", Default::None, true), ("padding", Default::Int(0), true)],
        repr: &["kernel_size", "stride", "padding"],
    },
    // `AvgPool1d` keeps its sizes as 1-tuples (`_single`), so they print so.
    Functional {
        class: "AvgPool1d",
        builtin: "avg_pool1d",
        inputs: 1,
        options: &[
            ("kernel_size", Default::Required, true),
            ("stride", Default::None, true),
            ("padding", Default::Int(0), true),
            ("ceil_mode", Default::Bool(false), true),
            ("count_include_pad", Default::Bool(true), true),
        ],
        repr: &["kernel_size", "stride", "padding"],
    },
    Functional {
        class: "AvgPool2d",
        builtin: "avg_pool2d",
        inputs: 1,
        options: &[
            ("kernel_size", Default::Required, true),
            ("stride", Default::None, true),
            ("padding", Default::Int(0), true),
            ("ceil_mode", Default::Bool(false), true),
            ("count_include_pad", Default::Bool(true), true),
            ("divisor_override", Default::None, true),
        ],
        repr: &["kernel_size", "stride", "padding"],
    },
    Functional { class: "MSELoss", builtin: "mse_loss", inputs: 2, options: &[SIZE_AVERAGE, REDUCE, REDUCTION], repr: &[] },
    Functional { class: "L1Loss", builtin: "l1_loss", inputs: 2, options: &[SIZE_AVERAGE, REDUCE, REDUCTION], repr: &[] },
    Functional {
        class: "MultiLabelSoftMarginLoss",
        builtin: "multilabel_soft_margin_loss",
        inputs: 2,
        options: &[("weight", Default::None, true), SIZE_AVERAGE, REDUCE, REDUCTION],
        repr: &[],
    },
    Functional {
        class: "MultiLabelMarginLoss",
        builtin: "multilabel_margin_loss",
        inputs: 2,
        options: &[SIZE_AVERAGE, REDUCE, REDUCTION],
        repr: &[],
    },
    Functional {
        class: "MultiMarginLoss",
        builtin: "multi_margin_loss",
        inputs: 2,
        options: &[
            ("p", Default::Int(1), true),
            ("margin", Default::Float(1.0), true),
            ("weight", Default::None, true),
            SIZE_AVERAGE,
            REDUCE,
            REDUCTION,
        ],
        repr: &[],
    },
    Functional {
        class: "CrossEntropyLoss",
        builtin: "cross_entropy",
        inputs: 2,
        options: &[
            ("weight", Default::None, true),
            SIZE_AVERAGE,
            ("ignore_index", Default::Int(-100), true),
            REDUCE,
            REDUCTION,
            ("label_smoothing", Default::Float(0.0), true),
        ],
        repr: &[],
    },
    Functional {
        class: "NLLLoss",
        builtin: "nll_loss",
        inputs: 2,
        options: &[("weight", Default::None, true), SIZE_AVERAGE, ("ignore_index", Default::Int(-100), true), REDUCE, REDUCTION],
        repr: &[],
    },
    // The deprecated alias of `NLLLoss` for [N, C, H, W] inputs, which `NLLLoss` takes too.
    Functional {
        class: "NLLLoss2d",
        builtin: "nll_loss",
        inputs: 2,
        options: &[("weight", Default::None, true), SIZE_AVERAGE, ("ignore_index", Default::Int(-100), true), REDUCE, REDUCTION],
        repr: &[],
    },
    Functional {
        class: "BCELoss",
        builtin: "binary_cross_entropy",
        inputs: 2,
        options: &[("weight", Default::None, true), SIZE_AVERAGE, REDUCE, REDUCTION],
        repr: &[],
    },
    Functional {
        class: "BCEWithLogitsLoss",
        builtin: "binary_cross_entropy_with_logits",
        inputs: 2,
        options: &[("weight", Default::None, true), SIZE_AVERAGE, REDUCE, REDUCTION, ("pos_weight", Default::None, true)],
        repr: &[],
    },
    Functional { class: "HuberLoss", builtin: "huber_loss", inputs: 2, options: &[REDUCTION, ("delta", Default::Float(1.0), true)], repr: &[] },
    Functional {
        class: "SmoothL1Loss",
        builtin: "smooth_l1_loss",
        inputs: 2,
        options: &[SIZE_AVERAGE, REDUCE, REDUCTION, ("beta", Default::Float(1.0), true)],
        repr: &[],
    },
    Functional {
        class: "KLDivLoss",
        builtin: "kl_div",
        inputs: 2,
        options: &[SIZE_AVERAGE, REDUCE, REDUCTION, ("log_target", Default::Bool(false), true)],
        repr: &[],
    },
    Functional { class: "SoftMarginLoss", builtin: "soft_margin_loss", inputs: 2, options: &[SIZE_AVERAGE, REDUCE, REDUCTION], repr: &[] },
    Functional {
        class: "PoissonNLLLoss",
        builtin: "poisson_nll_loss",
        inputs: 2,
        options: &[
            ("log_input", Default::Bool(true), true),
            ("full", Default::Bool(false), true),
            SIZE_AVERAGE,
            ("eps", Default::Float(1e-8), true),
            REDUCE,
            REDUCTION,
        ],
        repr: &[],
    },
    Functional {
        class: "GaussianNLLLoss",
        builtin: "gaussian_nll_loss",
        inputs: 3,
        options: &[("full", Default::Bool(false), true), ("eps", Default::Float(1e-6), true), REDUCTION],
        repr: &[],
    },
    Functional {
        class: "CosineEmbeddingLoss",
        builtin: "cosine_embedding_loss",
        inputs: 3,
        options: &[("margin", Default::Float(0.0), true), SIZE_AVERAGE, REDUCE, REDUCTION],
        repr: &[],
    },
    Functional {
        class: "MarginRankingLoss",
        builtin: "margin_ranking_loss",
        inputs: 3,
        options: &[("margin", Default::Float(0.0), true), SIZE_AVERAGE, REDUCE, REDUCTION],
        repr: &[],
    },
    Functional {
        class: "HingeEmbeddingLoss",
        builtin: "hinge_embedding_loss",
        inputs: 2,
        options: &[("margin", Default::Float(1.0), true), SIZE_AVERAGE, REDUCE, REDUCTION],
        repr: &[],
    },
    Functional {
        class: "TripletMarginWithDistanceLoss",
        builtin: "triplet_margin_with_distance_loss",
        inputs: 3,
        options: &[
            ("distance_function", Default::None, true),
            ("margin", Default::Float(1.0), true),
            ("swap", Default::Bool(false), true),
            REDUCTION,
        ],
        repr: &[],
    },
    Functional {
        class: "TripletMarginLoss",
        builtin: "triplet_margin_loss",
        inputs: 3,
        options: &[
            ("margin", Default::Float(1.0), true),
            ("p", Default::Float(2.0), true),
            ("eps", Default::Float(1e-6), true),
            ("swap", Default::Bool(false), true),
            SIZE_AVERAGE,
            REDUCE,
            REDUCTION,
        ],
        repr: &[],
    },
    Functional {
        class: "CosineSimilarity",
        builtin: "cosine_similarity",
        inputs: 2,
        options: &[("dim", Default::Int(1), true), ("eps", Default::Float(1e-8), true)],
        repr: &[],
    },
    Functional {
        class: "PairwiseDistance",
        builtin: "pairwise_distance",
        inputs: 2,
        options: &[("p", Default::Float(2.0), true), ("eps", Default::Float(1e-6), true), ("keepdim", Default::Bool(false), true)],
        repr: &[],
    },
    Functional {
        class: "Unflatten",
        builtin: "unflatten",
        inputs: 1,
        options: &[("dim", Default::Required, true), ("unflattened_size", Default::Required, true)],
        repr: &["dim", "unflattened_size"],
    },
    Functional { class: "Softmax2d", builtin: "softmax", inputs: 1, options: &[], repr: &[] },
    Functional { class: "UpsamplingNearest2d", builtin: "interpolate", inputs: 1, options: UPSAMPLING, repr: &[] },
    Functional { class: "UpsamplingBilinear2d", builtin: "interpolate", inputs: 1, options: UPSAMPLING, repr: &[] },
    Functional { class: "ZeroPad1d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ZeroPad2d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ZeroPad3d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ConstantPad1d", builtin: "pad", inputs: 1, options: CONSTANT_PAD, repr: &["padding", "value"] },
    Functional { class: "ConstantPad2d", builtin: "pad", inputs: 1, options: CONSTANT_PAD, repr: &["padding", "value"] },
    Functional { class: "ConstantPad3d", builtin: "pad", inputs: 1, options: CONSTANT_PAD, repr: &["padding", "value"] },
    Functional { class: "ReflectionPad1d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ReflectionPad2d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ReflectionPad3d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ReplicationPad1d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ReplicationPad2d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "ReplicationPad3d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "CircularPad1d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "CircularPad2d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
    Functional { class: "CircularPad3d", builtin: "pad", inputs: 1, options: PADDING, repr: &[] },
];

/// The modules with parameters, and the containers.
const WITH_PARAMETERS: &[&str] = &[
    "Linear",
    "Bilinear",
    "NonDynamicallyQuantizableLinear",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerEncoder",
    "TransformerDecoderLayer",
    "TransformerDecoder",
    "Transformer",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "LayerNorm",
    "RMSNorm",
    "GroupNorm",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "Embedding",
    "EmbeddingBag",
    "PReLU",
];
const CONTAINERS: &[&str] = &["Sequential", "ModuleList"];

/// Whether `name` is a `torch.nn` module graphc provides.
pub fn is_module_class(name: &str) -> bool {
    name == "Identity"
        || FUNCTIONAL.iter().any(|f| f.class == name)
        || WITH_PARAMETERS.contains(&name)
        || CONTAINERS.contains(&name)
        || super::rnn_modules::RNN_CLASSES.contains(&name)
}

/// Whether `name` is a class a program names as a value without defining it:
/// a `torch.nn` module, `Parameter`, a base (`Module`, `Dataset`, `Tensor`,
/// `object`) or a Python type that `isinstance` and `type(x) ==` compare with
/// (`float` and `bool` are dtypes as well).
pub fn is_class_name(name: &str) -> bool {
    is_module_class(name) || matches!(name, "Parameter" | "Module" | "Dataset" | "Tensor" | "object" | "int" | "str" | "list" | "tuple" | "dict")
}

fn functional(class: &str) -> Option<&'static Functional> {
    FUNCTIONAL.iter().find(|f| f.class == class)
}

/// The modules a `ModuleList` or `Sequential` holds, in order; `None` for other values.
pub(super) fn container_items(v: &Value) -> Option<Vec<(Value, Span)>> {
    match v {
        Value::Object { class, names, items, .. } if CONTAINERS.contains(&&**class) => {
            // The children: named `0`, `1`, ..., or by the keys of the
            // `OrderedDict` a `Sequential` was made from.
            Some(items.iter().filter(|(v, _)| matches!(v, Value::Object { .. })).cloned().collect())
        }
        _ => None,
    }
}

/// Python's `repr` of an option's value, as `extra_repr` formats it.
pub(super) fn py_repr(v: &Value) -> String {
    match v {
        Value::Number(Num::Int(i)) => i.to_string(),
        Value::Number(Num::Float(f)) => graphc_runtime::format::python_float_repr(*f),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Value::None => "None".to_string(),
        Value::Str(s) => format!("'{s}'"),
        Value::Tuple(items) if items.len() == 1 => format!("({},)", py_repr(&items[0].0)),
        Value::Tuple(items) | Value::List(items) => {
            let inner = items.iter().map(|(v, _)| py_repr(v)).collect::<Vec<_>>().join(", ");
            if matches!(v, Value::List(_)) {
                format!("[{inner}]")
            } else {
                format!("({inner})")
            }
        }
        other => other.describe().to_string(),
    }
}

/// Indents every line of `s` but the first by two spaces (`torch.nn.modules.module._addindent`).
fn add_indent(s: &str) -> String {
    let mut lines = s.split('\n');
    let first = lines.next().unwrap_or("").to_string();
    lines.fold(first, |acc, l| format!("{acc}\n  {l}"))
}

impl Lowerer<'_> {
    /// `Name(args)` for a `torch.nn` module.
    pub(crate) fn builtin_module(&mut self, class: &str, args: CallArgs, span: Span) -> Value {
        let id = self.new_object_id();
        let mut obj = Value::Object { class: Rc::from(class), id, names: vec!["training".to_string()], items: vec![(Value::Bool(true), span)] };
        if let Some(f) = functional(class) {
            let params: Vec<&str> = f.options.iter().map(|o| o.0).collect();
            let Some(given) = self.bind_options(class, &params, args, span) else { return Value::Poison };
            for ((name, default, _), g) in f.options.iter().zip(given) {
                let v = match (g, default) {
                    (Some((v, _)), _) => v,
                    (None, Default::Required) => {
                        return self.error(
                            Diagnostic::new(Code::E0103, format!("`{class}` is missing argument `{name}`"), span, "missing argument")
                                .with_help(format!("pass `{name}`")),
                        )
                    }
                    (None, d) => default_value(*d),
                };
                // `inplace=true` is the builtin's in-place form where it has one (`relu_`).
                let inplace_unsupported = *name == "inplace" && !super::inplace::has_inplace_form(f.builtin);
                if (inplace_unsupported && matches!(v, Value::Bool(true)))
                    || (matches!(*name, "size_average" | "reduce") && !matches!(v, Value::None))
                {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`{class}`'s `{name}` is not supported"), span, "not supported").with_help(
                            if *name == "inplace" {
                                "leave `inplace=false`: graphc has no in-place form of this module's function"
                            } else {
                                "use `reduction=` instead"
                            },
                        ),
                    );
                }
                // The pools' `stride` defaults to their kernel size (`stride or
                // kernel_size`); `_LPPoolNd` keeps `None`.
                let pool =
                    (f.class.ends_with("Pool1d") || f.class.ends_with("Pool2d") || f.class.starts_with("MaxUnpool")) && !f.class.starts_with("LP");
                let v = match (*name, v) {
                    ("stride", Value::None) if pool => attr_of(&obj, "kernel_size"),
                    (_, v) => v,
                };
                let v = match (*name, v) {
                    // `_single` of `AvgPool1d`'s sizes.
                    ("kernel_size" | "stride" | "padding", Value::Number(n)) if f.class == "AvgPool1d" => {
                        Value::Tuple(vec![(Value::Number(n), span)])
                    }
                    // `_ntuple(2 * d)` of a padding module's int: every side alike.
                    ("padding", Value::Number(n)) if pad_dims(f.class).is_some() => {
                        Value::Tuple(vec![(Value::Number(n), span); 2 * pad_dims(f.class).unwrap_or(1)])
                    }
                    // `_pair`/`_single` of `MaxUnpool2d`'s and `MaxUnpool1d`'s.
                    ("kernel_size" | "stride" | "padding", Value::Number(n)) if f.class.starts_with("MaxUnpool") => {
                        let dims = if f.class.ends_with("1d") { 1 } else { 2 };
                        Value::Tuple(vec![(Value::Number(n), span); dims])
                    }
                    (_, v) => v,
                };
                // PyTorch refuses a margin that is not positive when the module is made.
                if f.class == "TripletMarginWithDistanceLoss" && *name == "margin" {
                    if let Value::Number(m) = &v {
                        if m.f64() <= 0.0 {
                            let shown = py_repr(&v);
                            return self.error(
                                Diagnostic::new(
                                    Code::E0107,
                                    format!("TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {shown} instead"),
                                    span,
                                    "not positive",
                                )
                                .with_help("give a positive margin, as in `margin=1.0`"),
                            );
                        }
                    }
                }
                // `TripletMarginWithDistanceLoss` holds a `PairwiseDistance()` child by default.
                let v = match (*name, v) {
                    ("distance_function", Value::None) => self.builtin_module("PairwiseDistance", vec![], span),
                    (_, v) => v,
                };
                obj = with_attr(obj, name, v, span);
            }
            for (name, d) in FIXED.iter().filter(|(c, _)| *c == class).flat_map(|(_, fixed)| fixed.iter()) {
                obj = with_attr(obj, name, default_value(*d), span);
            }
            return obj;
        }
        // `dtype=f64`: the parameters and buffers the constructor makes are of it.
        let dtype = match args.iter().find(|(k, _, _)| k.as_ref().is_some_and(|k| k.name == "dtype")) {
            None | Some((_, Value::None, _)) => DType::F32,
            Some((_, Value::DType(dt), _)) if dt.is_float() => *dt,
            Some((_, v, s)) => {
                let d = v.describe();
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`{class}`'s `dtype` must be a floating-point dtype, not {d}"), *s, "not a float dtype")
                        .with_help("pass `dtype=f32` or `dtype=f64`"),
                );
            }
        };
        let outer = std::mem::replace(&mut self.param_dtype, dtype);
        let made = self.module_of_class(obj, class, args, span);
        self.param_dtype = outer;
        made
    }

    /// The constructor of `class` (not a functional module) with its arguments.
    fn module_of_class(&mut self, mut obj: Value, class: &str, args: CallArgs, span: Span) -> Value {
        match class {
            "Identity" => obj,
            "Sequential" | "ModuleList" => {
                let mods: Vec<(Value, Span)> = if class == "ModuleList" {
                    match args.into_iter().next() {
                        None => vec![],
                        Some((_, Value::List(items) | Value::Tuple(items), _)) => items,
                        Some((_, other, s)) => {
                            return self.error(
                                Diagnostic::new(
                                    Code::E0107,
                                    format!("`ModuleList` takes a list of modules, not {}", other.describe()),
                                    s,
                                    "not a list",
                                )
                                .with_help("write `ModuleList([Linear(4, 4), Linear(4, 2)])`"),
                            )
                        }
                    }
                } else {
                    match args.as_slice() {
                        // `Sequential(OrderedDict([("fc", Linear(4, 2)), ...]))`
                        // names each child by its key.
                        [(None, Value::Dict { keys, items, ordered: true }, _)] => {
                            for (k, (m, s)) in keys.iter().zip(items) {
                                let Value::Str(name) = k else {
                                    return self.error(
                                        Diagnostic::new(Code::E0107, "a `Sequential`'s children are named by strings", *s, "not a string key")
                                            .with_help("key each module by its name: `OrderedDict([(\"fc\", Linear(4, 2))])`"),
                                    );
                                };
                                if !matches!(m, Value::Object { .. }) {
                                    return self.error(
                                        Diagnostic::new(Code::E0107, format!("`Sequential` holds modules, not {}", m.describe()), *s, "not a module")
                                            .with_help("pass modules, such as `Linear(4, 2)` or `ReLU()`"),
                                    );
                                }
                                obj = with_attr(obj, name, m.clone(), *s);
                            }
                            return obj;
                        }
                        _ => args.into_iter().map(|(_, v, s)| (v, s)).collect(),
                    }
                };
                if mods.iter().any(|(m, _)| matches!(m, Value::Poison)) {
                    return Value::Poison;
                }
                for (i, (m, s)) in mods.into_iter().enumerate() {
                    if !matches!(m, Value::Object { .. }) {
                        return self.error(
                            Diagnostic::new(Code::E0107, format!("`{class}` holds modules, not {}", m.describe()), s, "not a module")
                                .with_help("pass modules, such as `Linear(4, 2)` or `ReLU()`"),
                        );
                    }
                    obj = with_attr(obj, &i.to_string(), m, s);
                }
                obj
            }
            // `MultiheadAttention`'s out-projection is this subclass of `Linear`.
            "Linear" | "NonDynamicallyQuantizableLinear" => self.linear_module(obj, args, span),
            "Bilinear" => self.bilinear_module(obj, args, span),
            "MultiheadAttention" => self.attention_module(obj, args, span),
            "TransformerEncoderLayer" | "TransformerDecoderLayer" => self.transformer_layer_module(obj, class, args, span),
            "TransformerEncoder" | "TransformerDecoder" => self.transformer_stack_module(obj, class, args, span),
            "Transformer" => self.transformer_module(obj, args, span),
            "Conv1d" | "Conv2d" | "ConvTranspose1d" | "ConvTranspose2d" => self.conv_module(obj, class, args, span),
            "LayerNorm" => self.layer_norm_module(obj, args, span),
            "RMSNorm" => self.rms_norm_module(obj, args, span),
            "GroupNorm" => self.group_norm_module(obj, args, span),
            "BatchNorm1d" | "BatchNorm2d" | "BatchNorm3d" | "InstanceNorm1d" | "InstanceNorm2d" | "InstanceNorm3d" => {
                self.batch_norm_module(obj, class, args, span)
            }
            "Embedding" | "EmbeddingBag" => self.embedding_module(obj, class, args, span),
            "PReLU" => self.prelu_module(obj, args, span),
            c if super::rnn_modules::RNN_CLASSES.contains(&c) => self.rnn_module(obj, c, args, span),
            _ => unreachable!("`is_module_class` lists the classes above"),
        }
    }

    /// Binds a module constructor's arguments to its parameters, by position or keyword.
    pub(super) fn bind_options(&mut self, class: &str, params: &[&str], args: CallArgs, span: Span) -> Option<Vec<Option<(Value, Span)>>> {
        let mut given: Vec<Option<(Value, Span)>> = vec![None; params.len()];
        let mut at = 0;
        for (k, v, s) in args {
            let i = match k {
                None => {
                    at += 1;
                    at - 1
                }
                Some(k) => match params.iter().position(|p| *p == k.name) {
                    Some(i) => i,
                    None => {
                        self.error(
                            Diagnostic::new(Code::E0103, format!("`{class}` has no parameter `{}`", k.name), k.span, "unknown keyword")
                                .with_help(format!("its parameters are {}", params.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "))),
                        );
                        return None;
                    }
                },
            };
            if i >= params.len() {
                self.error(
                    Diagnostic::new(
                        Code::E0103,
                        format!("`{class}` takes at most {} argument{}", params.len(), if params.len() == 1 { "" } else { "s" }),
                        s,
                        "one too many",
                    )
                    .with_help(format!("its parameters are {}", params.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "))),
                );
                return None;
            }
            if matches!(v, Value::Poison) {
                return None;
            }
            given[i] = Some((v, s));
        }
        let _ = span;
        Some(given)
    }

    /// An integer argument of a module constructor.
    pub(super) fn module_int(&mut self, class: &str, name: &str, v: Option<(Value, Span)>, default: Option<i64>, span: Span) -> Option<i64> {
        match (v, default) {
            (Some((Value::Number(Num::Int(i)), _)), _) => Some(i as i64),
            (None, Some(d)) => Some(d),
            (None, None) => {
                self.error(
                    Diagnostic::new(Code::E0103, format!("`{class}` is missing argument `{name}`"), span, "missing argument")
                        .with_help(format!("pass `{name}`")),
                );
                None
            }
            (Some((other, s)), _) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{class}`'s `{name}` must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help(format!("pass `{name}` as an integer")),
                );
                None
            }
        }
    }

    /// A bool argument of a module constructor.
    pub(super) fn module_bool(&mut self, class: &str, name: &str, v: Option<(Value, Span)>, default: bool) -> Option<bool> {
        match v {
            None => Some(default),
            Some((Value::Bool(b), _)) => Some(b),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{class}`'s `{name}` must be a bool, not {}", other.describe()), s, "not a bool")
                        .with_help(format!("write `{name}=true` or `{name}=false`")),
                );
                None
            }
        }
    }

    /// A parameter of `shape`, its values to be set by an init: `torch.empty`'s
    /// leaf that requires grad, registered as a `Parameter`.
    fn new_parameter(&mut self, shape: &[usize], span: Span) -> Option<NodeId> {
        self.new_parameter_of(shape, self.param_dtype, span)
    }

    /// A parameter of `shape` and dtype `dt`, as [`Self::new_parameter`] makes one.
    pub(super) fn new_parameter_of(&mut self, shape: &[usize], dt: DType, span: Span) -> Option<NodeId> {
        let mut args: CallArgs = shape.iter().map(|&d| (None, Value::Number(Num::Int(d as i128)), span)).collect();
        args.push((Some(Ident { name: "dtype".to_string(), span }), Value::DType(dt), span));
        args.push((Some(Ident { name: "requires_grad".to_string(), span }), Value::Bool(true), span));
        let Value::Tensor(p) = self.call_builtin(Builtin::Zeros, "empty", args, span) else { return None };
        self.param_origins.insert(self.origin(p));
        Some(p)
    }

    /// `init.kaiming_uniform_(weight, a=math.sqrt(5))`, as `reset_parameters` calls it.
    fn kaiming_init(&mut self, w: NodeId, span: Span) {
        let a = Ident { name: "a".to_string(), span };
        let args = vec![(None, Value::Tensor(w), span), (Some(a), Value::Number(Num::Float(5f64.sqrt())), span)];
        self.call_builtin(Builtin::Init(InitFn::KaimingUniform), "kaiming_uniform_", args, span);
    }

    /// `init.uniform_(bias, -bound, bound)` with `bound = 1 / math.sqrt(fan_in)`
    /// (0 when `fan_in` is 0), inside `no_grad` as `nn.init` runs.
    pub(super) fn bias_init(&mut self, b: NodeId, fan_in: usize, span: Span) {
        let bound = if fan_in > 0 { 1.0 / (fan_in as f64).sqrt() } else { 0.0 };
        let outer = std::mem::replace(&mut self.no_grad, true);
        let m = Ident { name: "uniform_".to_string(), span };
        let args = vec![(None, Value::Number(Num::Float(-bound)), span), (None, Value::Number(Num::Float(bound)), span)];
        let b = self.current(b);
        self.inplace_with(b, span, &m, args, span);
        self.no_grad = outer;
    }

    /// `Linear(in_features, out_features, bias=true)`.
    fn linear_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let Some(g) = self.bind_options("Linear", &["in_features", "out_features", "bias", "device", "dtype"], args, span) else {
            return Value::Poison;
        };
        let mut g = g.into_iter();
        let (Some(i), Some(o)) = (
            self.module_int("Linear", "in_features", g.next().flatten(), None, span),
            self.module_int("Linear", "out_features", g.next().flatten(), None, span),
        ) else {
            return Value::Poison;
        };
        let Some(bias) = self.module_bool("Linear", "bias", g.next().flatten(), true) else { return Value::Poison };
        if i < 0 || o < 0 {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`Linear({i}, {o})` has a negative size"), span, "negative size")
                    .with_help("pass sizes of 0 or more"),
            );
        }
        let (i, o) = (i as usize, o as usize);
        let mut obj = with_attr(obj, "in_features", Value::Number(Num::Int(i as i128)), span);
        obj = with_attr(obj, "out_features", Value::Number(Num::Int(o as i128)), span);
        let Some(w) = self.new_parameter(&[o, i], span) else { return Value::Poison };
        obj = with_attr(obj, "weight", Value::Tensor(w), span);
        let b = if bias { self.new_parameter(&[o], span) } else { None };
        obj = with_attr(obj, "bias", b.map_or(Value::None, Value::Tensor), span);
        // reset_parameters
        self.kaiming_init(w, span);
        if let Some(b) = b {
            self.bias_init(b, i, span);
        }
        obj
    }

    /// `Bilinear(in1_features, in2_features, out_features, bias=true)`: a
    /// weight `[out, in1, in2]` and a bias `[out]`, both uniform in `1 /
    /// sqrt(in1)` (`Bilinear.reset_parameters`), the weight drawn first.
    fn bilinear_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let names = ["in1_features", "in2_features", "out_features", "bias", "device", "dtype"];
        let Some(g) = self.bind_options("Bilinear", &names, args, span) else { return Value::Poison };
        let mut sizes = Vec::new();
        for (k, name) in names.iter().take(3).enumerate() {
            let Some(v) = self.module_int("Bilinear", name, g[k].clone(), None, span) else { return Value::Poison };
            let Ok(v) = usize::try_from(v) else {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`Bilinear`'s {name} is negative"), span, "negative size")
                        .with_help("pass sizes of 0 or more"),
                );
            };
            sizes.push(v);
        }
        let Some(bias) = self.module_bool("Bilinear", "bias", g[3].clone(), true) else { return Value::Poison };
        let (i1, i2, o) = (sizes[0], sizes[1], sizes[2]);
        let mut obj = obj;
        for (name, v) in names.iter().zip([i1, i2, o]) {
            obj = with_attr(obj, name, Value::Number(Num::Int(v as i128)), span);
        }
        let Some(w) = self.new_parameter(&[o, i1, i2], span) else { return Value::Poison };
        obj = with_attr(obj, "weight", Value::Tensor(w), span);
        let b = if bias { self.new_parameter(&[o], span) } else { None };
        obj = with_attr(obj, "bias", b.map_or(Value::None, Value::Tensor), span);
        self.bias_init(w, i1, span);
        if let Some(b) = b {
            self.bias_init(b, i1, span);
        }
        obj
    }

    /// `Conv1d`/`Conv2d(in_channels, out_channels, kernel_size, stride=1,
    /// padding=0, dilation=1, groups=1, bias=true)`, and
    /// `ConvTranspose1d`/`ConvTranspose2d(in_channels, out_channels,
    /// kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=true,
    /// dilation=1)`, whose weight is `(in_channels, out_channels / groups,
    /// *kernel)`. Both initialize as `_ConvNd.reset_parameters`: the weight
    /// `kaiming_uniform_(a=sqrt(5))`, the bias uniform in `1 / sqrt(fan_in)`,
    /// `fan_in` the weight's second size times the kernel's.
    fn conv_module(&mut self, obj: Value, class: &str, args: CallArgs, span: Span) -> Value {
        let dims = if class.ends_with("1d") { 1 } else { 2 };
        let transposed = class.starts_with("ConvTranspose");
        let plain =
            ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode", "device", "dtype"];
        let params = if transposed {
            vec![
                "in_channels",
                "out_channels",
                "kernel_size",
                "stride",
                "padding",
                "output_padding",
                "groups",
                "bias",
                "dilation",
                "padding_mode",
                "device",
                "dtype",
            ]
        } else {
            plain.to_vec()
        };
        let Some(mut g) = self.bind_options(class, &params, args, span) else { return Value::Poison };
        // The transposed order, read in the plain one's slots.
        let output_padding = if transposed {
            let dilation = g.remove(8);
            let output_padding = g.remove(5);
            g.insert(5, dilation);
            output_padding
        } else {
            None
        };
        let (Some(cin), Some(cout)) =
            (self.module_int(class, "in_channels", g[0].clone(), None, span), self.module_int(class, "out_channels", g[1].clone(), None, span))
        else {
            return Value::Poison;
        };
        let Some(groups) = self.module_int(class, "groups", g[6].clone(), Some(1), span) else { return Value::Poison };
        let Some(bias) = self.module_bool(class, "bias", g[7].clone(), true) else { return Value::Poison };
        if let Some((v, s)) = g[8].clone().filter(|(v, _)| !matches!(v, Value::Str(m) if m == "zeros")) {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`{class}`'s `padding_mode` {} is not supported", py_repr(&v)), s, "not supported")
                    .with_help("leave `padding_mode=\"zeros\"`"),
            );
        }
        // `_single`/`_pair`: an int or a tuple of `dims` ints.
        let tuple = |me: &mut Self, name: &str, v: Option<(Value, Span)>, default: i64| -> Option<Vec<i64>> {
            match v {
                None => Some(vec![default; dims]),
                Some((Value::Number(Num::Int(k)), _)) => Some(vec![k as i64; dims]),
                Some((Value::Tuple(items) | Value::List(items), _))
                    if items.len() == dims && items.iter().all(|(v, _)| matches!(v, Value::Number(Num::Int(_)))) =>
                {
                    Some(items.iter().map(|(v, _)| if let Value::Number(Num::Int(k)) = v { *k as i64 } else { 0 }).collect())
                }
                Some((other, s)) => {
                    me.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{class}`'s `{name}` must be an integer or {dims} of them, not {}", other.describe()),
                            s,
                            "not a size",
                        )
                        .with_help(format!("write `{name}=3` or `{name}=(3, 3)`")),
                    );
                    None
                }
            }
        };
        let Some(kernel) = (if g[2].is_none() {
            self.module_int(class, "kernel_size", None, None, span).map(|_| vec![])
        } else {
            tuple(self, "kernel_size", g[2].clone(), 1)
        }) else {
            return Value::Poison;
        };
        let (Some(stride), Some(dilation)) = (tuple(self, "stride", g[3].clone(), 1), tuple(self, "dilation", g[5].clone(), 1)) else {
            return Value::Poison;
        };
        let Some(output_padding) = tuple(self, "output_padding", output_padding, 0) else { return Value::Poison };
        let padding = match g[4].clone() {
            Some((Value::Str(s), ps)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`{class}`'s `padding=\"{s}\"` is not supported"), ps, "not supported")
                        .with_help("give the padding as integers"),
                )
            }
            other => match tuple(self, "padding", other, 0) {
                Some(p) => p,
                None => return Value::Poison,
            },
        };
        if cin < 1 || cout < 1 || groups < 1 || cin % groups != 0 || cout % groups != 0 || kernel.iter().any(|&k| k < 1) {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`{class}`'s channels must be positive and divisible by `groups`, and its kernel positive"),
                    span,
                    "invalid sizes",
                )
                .with_help("check `in_channels`, `out_channels`, `groups` and `kernel_size`"),
            );
        }
        let ints = |v: &[i64]| -> Value { Value::Tuple(v.iter().map(|&k| (Value::Number(Num::Int(k as i128)), span)).collect()) };
        let mut obj = with_attr(obj, "in_channels", Value::Number(Num::Int(cin as i128)), span);
        obj = with_attr(obj, "out_channels", Value::Number(Num::Int(cout as i128)), span);
        obj = with_attr(obj, "kernel_size", ints(&kernel), span);
        obj = with_attr(obj, "stride", ints(&stride), span);
        obj = with_attr(obj, "padding", ints(&padding), span);
        obj = with_attr(obj, "dilation", ints(&dilation), span);
        obj = with_attr(obj, "output_padding", ints(&output_padding), span);
        obj = with_attr(obj, "groups", Value::Number(Num::Int(groups as i128)), span);
        let mut shape = if transposed { vec![cin as usize, (cout / groups) as usize] } else { vec![cout as usize, (cin / groups) as usize] };
        shape.extend(kernel.iter().map(|&k| k as usize));
        let Some(w) = self.new_parameter(&shape, span) else { return Value::Poison };
        obj = with_attr(obj, "weight", Value::Tensor(w), span);
        let b = if bias { self.new_parameter(&[cout as usize], span) } else { None };
        obj = with_attr(obj, "bias", b.map_or(Value::None, Value::Tensor), span);
        self.kaiming_init(w, span);
        if let Some(b) = b {
            let fan_in = shape[1..].iter().product::<usize>();
            self.bias_init(b, fan_in, span);
        }
        obj
    }

    /// `LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=true, bias=true)`:
    /// a weight of ones and a bias of zeros.
    fn layer_norm_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let Some(g) = self.bind_options("LayerNorm", &["normalized_shape", "eps", "elementwise_affine", "bias", "device", "dtype"], args, span)
        else {
            return Value::Poison;
        };
        let Some(shape) = self.module_normalized_shape("LayerNorm", g[0].clone(), span) else { return Value::Poison };
        let Some(eps) = self.number_or(g[1].clone(), 1e-5, "`eps`") else { return Value::Poison };
        let (Some(affine), Some(bias)) =
            (self.module_bool("LayerNorm", "elementwise_affine", g[2].clone(), true), self.module_bool("LayerNorm", "bias", g[3].clone(), true))
        else {
            return Value::Poison;
        };
        let sizes = Value::Tuple(shape.iter().map(|&k| (Value::Number(Num::Int(k as i128)), span)).collect());
        let mut obj = with_attr(obj, "normalized_shape", sizes, span);
        obj = with_attr(obj, "eps", Value::Number(Num::Float(eps)), span);
        obj = with_attr(obj, "elementwise_affine", Value::Bool(affine), span);
        obj = with_attr(obj, "has_bias", Value::Bool(bias), span);
        let filled = |me: &mut Self, value: f64| -> Option<NodeId> {
            let p = me.new_parameter(&shape, span)?;
            let outer = std::mem::replace(&mut me.no_grad, true);
            let m = Ident { name: "fill_".to_string(), span };
            me.inplace_with(p, span, &m, vec![(None, Value::Number(Num::Float(value)), span)], span);
            me.no_grad = outer;
            Some(p)
        };
        let w = if affine { filled(self, 1.0) } else { None };
        let b = if affine && bias { filled(self, 0.0) } else { None };
        obj = with_attr(obj, "weight", w.map_or(Value::None, Value::Tensor), span);
        with_attr(obj, "bias", b.map_or(Value::None, Value::Tensor), span)
    }

    /// A normalization module's `normalized_shape`: an int, a tuple or list of
    /// ints, or a shape (E0107 for something else, E0103 when missing).
    fn module_normalized_shape(&mut self, class: &str, arg: Option<(Value, Span)>, span: Span) -> Option<Vec<usize>> {
        match arg {
            Some((Value::Number(Num::Int(k)), _)) if k >= 0 => Some(vec![k as usize]),
            Some((Value::Tuple(items) | Value::List(items), _)) if items.iter().all(|(v, _)| matches!(v, Value::Number(Num::Int(k)) if *k >= 0)) => {
                Some(items.iter().map(|(v, _)| if let Value::Number(Num::Int(k)) = v { *k as usize } else { 0 }).collect())
            }
            Some((Value::Size(s), _)) => Some(s),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{class}`'s `normalized_shape` must be sizes, not {}", other.describe()), s, "not sizes")
                        .with_help(format!("write `{class}(64)` or `{class}((8, 8))`")),
                );
                None
            }
            None => {
                self.error(
                    Diagnostic::new(Code::E0103, format!("`{class}` is missing argument `normalized_shape`"), span, "missing argument")
                        .with_help("pass the normalized shape"),
                );
                None
            }
        }
    }

    /// `RMSNorm(normalized_shape, eps=none, elementwise_affine=true)`: a weight
    /// of ones (`reset_parameters`), and `eps` kept as given (`None` prints).
    fn rms_norm_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let Some(g) = self.bind_options("RMSNorm", &["normalized_shape", "eps", "elementwise_affine", "device", "dtype"], args, span) else {
            return Value::Poison;
        };
        let Some(shape) = self.module_normalized_shape("RMSNorm", g[0].clone(), span) else { return Value::Poison };
        let eps = match g[1].clone() {
            None | Some((Value::None, _)) => Value::None,
            Some((v, s)) => match self.number(&v, s, "`eps`") {
                Some(e) => Value::Number(Num::Float(e)),
                None => return Value::Poison,
            },
        };
        let Some(affine) = self.module_bool("RMSNorm", "elementwise_affine", g[2].clone(), true) else { return Value::Poison };
        let sizes = Value::Tuple(shape.iter().map(|&k| (Value::Number(Num::Int(k as i128)), span)).collect());
        let mut obj = with_attr(obj, "normalized_shape", sizes, span);
        obj = with_attr(obj, "eps", eps, span);
        obj = with_attr(obj, "elementwise_affine", Value::Bool(affine), span);
        let weight = if affine {
            let Some(p) = self.new_parameter(&shape, span) else { return Value::Poison };
            let outer = std::mem::replace(&mut self.no_grad, true);
            let m = Ident { name: "fill_".to_string(), span };
            self.inplace_with(p, span, &m, vec![(None, Value::Number(Num::Float(1.0)), span)], span);
            self.no_grad = outer;
            Value::Tensor(p)
        } else {
            Value::None
        };
        with_attr(obj, "weight", weight, span)
    }

    /// `GroupNorm(num_groups, num_channels, eps=1e-5, affine=true, *,
    /// bias=true)`: a weight of ones and a bias of zeros per channel
    /// (`reset_parameters`).
    fn group_norm_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let Some(g) = self.bind_options("GroupNorm", &["num_groups", "num_channels", "eps", "affine", "device", "dtype", "bias"], args, span) else {
            return Value::Poison;
        };
        let (Some(groups), Some(channels)) = (
            self.module_int("GroupNorm", "num_groups", g[0].clone(), None, span),
            self.module_int("GroupNorm", "num_channels", g[1].clone(), None, span),
        ) else {
            return Value::Poison;
        };
        if groups <= 0 || channels < 0 || channels % groups != 0 {
            let at = g[1].as_ref().map_or(span, |(_, s)| *s);
            return self.error(
                Diagnostic::new(Code::E0107, format!("num_channels ({channels}) must be divisible by num_groups ({groups})"), at, "not divisible")
                    .with_help("split the channels into groups of equal size, such as `GroupNorm(8, 32)`"),
            );
        }
        let Some(eps) = self.number_or(g[2].clone(), 1e-5, "`eps`") else { return Value::Poison };
        let (Some(affine), Some(bias)) =
            (self.module_bool("GroupNorm", "affine", g[3].clone(), true), self.module_bool("GroupNorm", "bias", g[6].clone(), true))
        else {
            return Value::Poison;
        };
        let mut obj = with_attr(obj, "num_groups", Value::Number(Num::Int(groups as i128)), span);
        obj = with_attr(obj, "num_channels", Value::Number(Num::Int(channels as i128)), span);
        obj = with_attr(obj, "eps", Value::Number(Num::Float(eps)), span);
        obj = with_attr(obj, "affine", Value::Bool(affine), span);
        let shape = [channels as usize];
        let w = if affine { self.filled(&shape, 1.0, true, span) } else { None };
        let b = if affine && bias { self.filled(&shape, 0.0, true, span) } else { None };
        obj = with_attr(obj, "weight", w.map_or(Value::None, Value::Tensor), span);
        with_attr(obj, "bias", b.map_or(Value::None, Value::Tensor), span)
    }

    /// A tensor of `shape` filled with `value`, as a `Parameter` (`requires_grad`) or a buffer.
    fn filled(&mut self, shape: &[usize], value: f64, parameter: bool, span: Span) -> Option<NodeId> {
        let p = if parameter {
            self.new_parameter(shape, span)?
        } else {
            let mut args: CallArgs = shape.iter().map(|&d| (None, Value::Number(Num::Int(d as i128)), span)).collect();
            args.push((Some(Ident { name: "dtype".to_string(), span }), Value::DType(self.param_dtype), span));
            let Value::Tensor(t) = self.call_builtin(Builtin::Zeros, "zeros", args, span) else { return None };
            t
        };
        if value != 0.0 || parameter {
            let outer = std::mem::replace(&mut self.no_grad, true);
            let m = Ident { name: "fill_".to_string(), span };
            self.inplace_with(p, span, &m, vec![(None, Value::Number(Num::Float(value)), span)], span);
            self.no_grad = outer;
        }
        Some(p)
    }

    /// `BatchNorm1d`/`BatchNorm2d`/`BatchNorm3d(num_features, eps=1e-5, momentum=0.1,
    /// affine=true, track_running_stats=true)`: a weight of ones and a bias of
    /// zeros, and the buffers `running_mean` (zeros), `running_var` (ones) and
    /// `num_batches_tracked` (an i64 0).
    fn batch_norm_module(&mut self, obj: Value, class: &str, args: CallArgs, span: Span) -> Value {
        // `_InstanceNorm` takes no `bias` (its `_NormBase` keeps the default,
        // true) and neither learns nor tracks by default.
        let instance = class.starts_with("InstanceNorm");
        let params = ["num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype", "bias"];
        let params = if instance { &params[..7] } else { &params[..] };
        let Some(mut g) = self.bind_options(class, params, args, span) else { return Value::Poison };
        g.resize(8, None);
        let Some(n) = self.module_int(class, "num_features", g[0].clone(), None, span) else { return Value::Poison };
        let number = |me: &mut Self, i: usize, default: f64| -> Option<f64> {
            match g[i].clone() {
                None => Some(default),
                Some((Value::None, s)) => {
                    me.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{class}`'s `momentum=None` (a cumulative average) is not supported"),
                            s,
                            "not supported",
                        )
                        .with_help("give the momentum as a number, PyTorch's default being 0.1"),
                    );
                    None
                }
                Some((v, s)) => me.number(&v, s, &format!("`{}`", params[i])),
            }
        };
        let (Some(eps), Some(momentum)) = (number(self, 1, 1e-5), number(self, 2, 0.1)) else { return Value::Poison };
        let (Some(affine), Some(track), Some(bias)) = (
            self.module_bool(class, "affine", g[3].clone(), !instance),
            self.module_bool(class, "track_running_stats", g[4].clone(), !instance),
            self.module_bool(class, "bias", g[7].clone(), true),
        ) else {
            return Value::Poison;
        };
        if n < 1 {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`{class}({n})` needs a positive number of features"), span, "no features")
                    .with_help("pass the number of channels"),
            );
        }
        let n = n as usize;
        let mut obj = with_attr(obj, "num_features", Value::Number(Num::Int(n as i128)), span);
        obj = with_attr(obj, "eps", Value::Number(Num::Float(eps)), span);
        obj = with_attr(obj, "momentum", Value::Number(Num::Float(momentum)), span);
        obj = with_attr(obj, "affine", Value::Bool(affine), span);
        obj = with_attr(obj, "use_bias", Value::Bool(affine && bias), span);
        obj = with_attr(obj, "track_running_stats", Value::Bool(track), span);
        let w = if affine { self.filled(&[n], 1.0, true, span) } else { None };
        let b = if affine && bias { self.filled(&[n], 0.0, true, span) } else { None };
        obj = with_attr(obj, "weight", w.map_or(Value::None, Value::Tensor), span);
        obj = with_attr(obj, "bias", b.map_or(Value::None, Value::Tensor), span);
        if track {
            let (Some(mean), Some(var)) = (self.filled(&[n], 0.0, false, span), self.filled(&[n], 1.0, false, span)) else { return Value::Poison };
            obj = with_attr(obj, "running_mean", Value::Tensor(mean), span);
            obj = with_attr(obj, "running_var", Value::Tensor(var), span);
            let zero = vec![(None, Value::Number(Num::Int(0)), span)];
            let Value::Tensor(count) = self.call_builtin(Builtin::Tensor, "tensor", zero, span) else { return Value::Poison };
            obj = with_attr(obj, "num_batches_tracked", Value::Tensor(count), span);
            for t in [mean, var, count] {
                let o = self.origin(t);
                self.buffer_origins.insert(o);
            }
        } else {
            for buffer in ["running_mean", "running_var", "num_batches_tracked"] {
                obj = with_attr(obj, buffer, Value::None, span);
            }
        }
        obj
    }

    /// `PReLU(num_parameters=1, init=0.25)`: a weight of `num_parameters`
    /// values, each `init` (`reset_parameters`' `init.constant_`).
    fn prelu_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let Some(g) = self.bind_options("PReLU", &["num_parameters", "init", "device", "dtype"], args, span) else { return Value::Poison };
        let Some(n) = self.module_int("PReLU", "num_parameters", g[0].clone(), Some(1), span) else { return Value::Poison };
        let init = match g[1].clone() {
            None => 0.25,
            Some((v, s)) => match self.number(&v, s, "`init`") {
                Some(x) => x,
                None => return Value::Poison,
            },
        };
        if n < 1 {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`PReLU(num_parameters={n})` needs at least one parameter"), span, "no parameters")
                    .with_help("pass 1, or the number of channels"),
            );
        }
        let mut obj = with_attr(obj, "num_parameters", Value::Number(Num::Int(n as i128)), span);
        obj = with_attr(obj, "init", Value::Number(Num::Float(init)), span);
        let Some(w) = self.filled(&[n as usize], init, true, span) else { return Value::Poison };
        with_attr(obj, "weight", Value::Tensor(w), span)
    }

    /// `Embedding(num_embeddings, embedding_dim, padding_idx=none)` and
    /// `EmbeddingBag(num_embeddings, embedding_dim, mode="mean",
    /// include_last_offset=false, padding_idx=none)`: a weight drawn by
    /// `init.normal_`, its `padding_idx` row then filled with zeros.
    fn embedding_module(&mut self, obj: Value, class: &str, args: CallArgs, span: Span) -> Value {
        self.embedding_module_with(obj, class, args, None, span)
    }

    /// `Embedding.from_pretrained(embeddings, freeze=true, ...)` and
    /// `EmbeddingBag.from_pretrained(...)`: the module made with `_weight`, a
    /// new leaf holding the embeddings' values (as `Parameter(embeddings)`,
    /// `requires_grad=not freeze`), drawn from nothing and with no row zeroed.
    pub(crate) fn pretrained_embedding(&mut self, class: &str, args: CallArgs, span: Span) -> Value {
        let bag = class == "EmbeddingBag";
        let params: &[&str] = if bag {
            &["embeddings", "freeze", "max_norm", "norm_type", "scale_grad_by_freq", "mode", "sparse", "include_last_offset", "padding_idx"]
        } else {
            &["embeddings", "freeze", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"]
        };
        let what = format!("{class}.from_pretrained");
        let Some(g) = self.bind_options(&what, params, args, span) else { return Value::Poison };
        let Some((ev, es)) = g[0].clone() else {
            return self.error(
                Diagnostic::new(Code::E0103, format!("`{what}` needs the embeddings"), span, "missing argument")
                    .with_help("pass the 2-D tensor of vectors, one row per index"),
            );
        };
        let Some(e) = self.expect_float_tensor(ev, es, &format!("`{what}`'s embeddings")) else { return Value::Poison };
        let shape = self.shape_of(e);
        if shape.len() != 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    "Embeddings parameter is expected to be 2-dimensional",
                    es,
                    format!("of shape {}", crate::check::shapes::show(&shape)),
                )
                .with_help("pass one row per index: (num_embeddings, embedding_dim)"),
            );
        }
        let Some(freeze) = self.module_bool(&what, "freeze", g[1].clone(), true) else { return Value::Poison };
        let number = |d: usize| Value::Number(Num::Int(d as i128));
        let mut ctor: CallArgs = vec![(None, number(shape[0]), span), (None, number(shape[1]), span)];
        for (name, given) in params.iter().zip(&g).skip(2) {
            if let Some((v, s)) = given.clone() {
                ctor.push((Some(Ident { name: name.to_string(), span: s }), v, s));
            }
        }
        let id = self.new_object_id();
        let obj = Value::Object { class: Rc::from(class), id, names: vec!["training".to_string()], items: vec![(Value::Bool(true), span)] };
        self.embedding_module_with(obj, class, ctor, Some((e, freeze)), span)
    }

    /// [`Lowerer::embedding_module`], or with `pretrained` (the embeddings and
    /// `freeze`) the module `from_pretrained` makes.
    fn embedding_module_with(&mut self, obj: Value, class: &str, args: CallArgs, pretrained: Option<(NodeId, bool)>, span: Span) -> Value {
        let bag = class == "EmbeddingBag";
        let params: &[&str] = if bag {
            &[
                "num_embeddings",
                "embedding_dim",
                "max_norm",
                "norm_type",
                "scale_grad_by_freq",
                "mode",
                "sparse",
                "_weight",
                "include_last_offset",
                "padding_idx",
                "device",
                "dtype",
            ]
        } else {
            &[
                "num_embeddings",
                "embedding_dim",
                "padding_idx",
                "max_norm",
                "norm_type",
                "scale_grad_by_freq",
                "sparse",
                "_weight",
                "_freeze",
                "device",
                "dtype",
            ]
        };
        let Some(mut g) = self.bind_options(class, params, args, span) else { return Value::Poison };
        let (Some(num), Some(dim)) =
            (self.module_int(class, "num_embeddings", g[0].clone(), None, span), self.module_int(class, "embedding_dim", g[1].clone(), None, span))
        else {
            return Value::Poison;
        };
        // The options whose defaults graphc keeps, by position in `params`.
        let fixed: &[usize] = if bag { &[2, 4, 6, 7] } else { &[3, 5, 6, 7, 8] };
        if let Some((_, s)) = fixed.iter().find_map(|&i| g[i].clone().filter(|(v, _)| !matches!(v, Value::None | Value::Bool(false)))) {
            return self.error(Diagnostic::new(Code::E0107, format!("this option of `{class}` is not supported"), s, "not supported").with_help(
                if bag {
                    "leave `max_norm`, `scale_grad_by_freq`, `sparse` and `_weight` at their defaults"
                } else {
                    "leave `max_norm`, `scale_grad_by_freq`, `sparse`, `_weight` and `_freeze` at their defaults"
                },
            ));
        }
        if num < 1 || dim < 0 {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`{class}({num}, {dim})` needs a positive number of embeddings"), span, "invalid sizes")
                    .with_help("pass the vocabulary size and the embedding size"),
            );
        }
        let mut obj = obj;
        if bag {
            let mode = match g[5].clone() {
                None => "mean".to_string(),
                Some((Value::Str(m), _)) if ["sum", "mean", "max"].contains(&m.as_str()) => m,
                Some((_, s)) => {
                    return self.error(
                        Diagnostic::new(Code::E0107, "mode has to be one of sum, mean or max", s, "unknown mode")
                            .with_help("write `mode=\"sum\"`, `\"mean\"` or `\"max\"`"),
                    )
                }
            };
            let Some(last) = self.module_bool(class, "include_last_offset", g[8].clone(), false) else { return Value::Poison };
            obj = with_attr(obj, "mode", Value::Str(mode), span);
            obj = with_attr(obj, "include_last_offset", Value::Bool(last), span);
            // `padding_idx` is read below at Embedding's position.
            g[2] = g[9].clone();
        }
        let padding = match g[2].clone() {
            None | Some((Value::None, _)) => None,
            Some((Value::Number(Num::Int(p)), s)) => {
                if p >= num as i128 || p < -(num as i128) {
                    return self.error(
                        Diagnostic::new(Code::E0107, "Padding_idx must be within num_embeddings", s, "out of range").with_help(format!(
                            "pass a row from {} to {}",
                            -(num as i128),
                            num - 1
                        )),
                    );
                }
                Some(if p < 0 { p + num as i128 } else { p })
            }
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`padding_idx` must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help("pass the row whose embedding stays zero"),
                )
            }
        };
        let (num, dim) = (num as usize, dim as usize);
        obj = with_attr(obj, "num_embeddings", Value::Number(Num::Int(num as i128)), span);
        obj = with_attr(obj, "embedding_dim", Value::Number(Num::Int(dim as i128)), span);
        obj = with_attr(obj, "padding_idx", padding.map_or(Value::None, |p| Value::Number(Num::Int(p))), span);
        if let Some((e, freeze)) = pretrained {
            let w = self.new_leaf(e, !freeze, span);
            self.param_origins.insert(w);
            return with_attr(obj, "weight", Value::Tensor(w), span);
        }
        let Some(w) = self.new_parameter(&[num, dim], span) else { return Value::Poison };
        obj = with_attr(obj, "weight", Value::Tensor(w), span);
        // reset_parameters: init.normal_(weight), then the padding row's zeros.
        let outer = std::mem::replace(&mut self.no_grad, true);
        let m = Ident { name: "normal_".to_string(), span };
        self.inplace_with(w, span, &m, vec![], span);
        if let Some(p) = padding {
            // `weight[padding_idx].fill_(0)`: the rows equal to `padding_idx` set to zero.
            let rows = self.call_builtin(Builtin::Arange, "arange", vec![(None, Value::Number(Num::Int(num as i128)), span)], span);
            let Value::Tensor(rows) = rows else {
                self.no_grad = outer;
                return Value::Poison;
            };
            let column = self.node(Op::Reshape, DType::I64, vec![num, 1], &[rows], span);
            let at = self.binary(crate::syntax::ast::BinOp::EqEq, (Value::Tensor(column), span), (Value::Number(Num::Int(p)), span), span);
            let cur = self.current(w);
            let args = vec![(None, at, span), (None, Value::Number(Num::Float(0.0)), span), (None, Value::Tensor(cur), span)];
            if let Value::Tensor(new) = self.call_builtin(Builtin::Where, "where", args, span) {
                self.update_in_place(cur, new, "FillBackward0", span);
            }
        }
        self.no_grad = outer;
        obj
    }

    /// A `torch.nn` module's forward.
    pub(crate) fn builtin_forward(&mut self, obj: &Value, args: CallArgs, span: Span) -> Value {
        let Value::Object { class, names, items, .. } = obj else { return Value::Poison };
        let get = |name: &str| attr(names, items, name).cloned().unwrap_or(Value::None);
        let kw = |name: &str, v: Value| (Some(Ident { name: name.to_string(), span }), v, span);
        if let Some(f) = functional(class) {
            // `MaxUnpool1d/2d.forward(input, indices, output_size=None)` takes one option of the call.
            let unpool = class.starts_with("MaxUnpool");
            let call_option = |k: &Option<Ident>, i: usize| unpool && (i == 2 || k.as_ref().is_some_and(|k| k.name == "output_size"));
            let tensors = args.iter().enumerate().filter(|(i, (k, _, _))| !call_option(k, *i)).count();
            if tensors != f.inputs || args.iter().enumerate().any(|(i, (k, _, _))| k.is_some() && !call_option(k, i)) || args.len() > f.inputs + 1 {
                return self.error(
                    Diagnostic::new(
                        Code::E0103,
                        format!("`{class}` takes {} tensor{}", f.inputs, if f.inputs == 1 { "" } else { "s" }),
                        span,
                        "wrong arguments",
                    )
                    .with_help(match f.inputs {
                        1 => "call it on the input: `m(x)`",
                        2 if unpool => "call it on the pooled values and their indices: `unpool(y, indices, output_size=x.size())`",
                        2 => "call it on the two tensors it compares: `loss_fn(pred, y)`",
                        _ => "call it on its three tensors: `loss_fn(a, b, y)`",
                    }),
                );
            }
            if class.as_ref() == "Softmax2d" {
                // `Softmax2d.forward` asserts the rank before `softmax(dim=-3)`.
                if let Some((_, Value::Tensor(t), ts)) = args.first() {
                    let rank = self.shape_of(*t).len();
                    if rank != 3 && rank != 4 {
                        return self.error(
                            Diagnostic::new(
                                Code::E0202,
                                format!("Softmax2d: expected input to be 3D or 4D, got {rank}D instead"),
                                *ts,
                                "not 3D or 4D",
                            )
                            .with_help("pass a `[C, H, W]` or `[N, C, H, W]` tensor"),
                        );
                    }
                }
            }
            let mut all: CallArgs = args
                .into_iter()
                .enumerate()
                .map(
                    |(i, (k, v, s))| {
                        if unpool && i == 2 && k.is_none() {
                            (Some(Ident { name: "output_size".to_string(), span: s }), v, s)
                        } else {
                            (k, v, s)
                        }
                    },
                )
                .collect();
            for (name, _, pass) in f.options {
                let v = get(name);
                if *pass && !matches!(v, Value::None) {
                    all.push(kw(builtin_keyword(class, name), v));
                }
            }
            for (name, _) in FIXED.iter().filter(|(c, _)| *c == class.as_ref()).flat_map(|(_, fixed)| fixed.iter()) {
                all.push(kw(name, get(name)));
            }
            if f.builtin.contains("dropout") {
                all.push(kw("training", get("training")));
            }
            // `ReLU(inplace=True)`: the input itself updated, as `F.relu_(x)` updates it.
            if matches!(get("inplace"), Value::Bool(true)) {
                let mut all = all.into_iter();
                let Some((_, x, xs)) = all.next() else { return Value::Poison };
                let Some(t) = self.expect_tensor(x, xs, &format!("the input of `{class}`")) else { return Value::Poison };
                self.inplace_with(t, xs, &Ident { name: format!("{}_", f.builtin), span }, all.collect(), span);
                return Value::Tensor(self.current(t));
            }
            let callee = Ident { name: f.builtin.to_string(), span };
            return self.call_builtin_named(&callee, all, span);
        }
        let call = |me: &mut Self, name: &str, all: CallArgs| me.call_builtin_named(&Ident { name: name.to_string(), span }, all, span);
        let one = |me: &mut Self| -> Option<(Value, Span)> {
            match args.as_slice() {
                [(None, v, s)] => Some((v.clone(), *s)),
                _ => {
                    me.error(
                        Diagnostic::new(Code::E0103, format!("`{class}` takes one tensor"), span, "wrong arguments")
                            .with_help("call it on the input: `m(x)`"),
                    );
                    None
                }
            }
        };
        if super::rnn_modules::RNN_CLASSES.contains(&&**class) {
            return self.rnn_forward(obj, class, args, span);
        }
        match &**class {
            "MultiheadAttention" => return self.attention_forward(obj, args, span),
            c @ ("TransformerEncoderLayer" | "TransformerEncoder" | "TransformerDecoderLayer" | "TransformerDecoder" | "Transformer") => {
                return self.transformer_forward(obj, c, args, span)
            }
            _ => {}
        }
        match &**class {
            "Identity" => one(self).map_or(Value::Poison, |(v, _)| v),
            "Linear" | "NonDynamicallyQuantizableLinear" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                call(self, "linear", vec![(None, x, s), (None, get("weight"), span), (None, get("bias"), span)])
            }
            "Bilinear" => {
                let [(None, x1, s1), (None, x2, s2)] = args.as_slice() else {
                    return self.error(
                        Diagnostic::new(Code::E0103, "`Bilinear` takes two tensors", span, "wrong arguments")
                            .with_help("call it on both inputs: `m(x1, x2)`"),
                    );
                };
                call(self, "bilinear", vec![(None, x1.clone(), *s1), (None, x2.clone(), *s2), (None, get("weight"), span), (None, get("bias"), span)])
            }
            "Conv1d" | "Conv2d" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                let name = if &**class == "Conv1d" { "conv1d" } else { "conv2d" };
                let mut all = vec![(None, x, s), (None, get("weight"), span), (None, get("bias"), span)];
                for o in ["stride", "padding", "dilation", "groups"] {
                    all.push((None, get(o), span));
                }
                call(self, name, all)
            }
            "ConvTranspose1d" | "ConvTranspose2d" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                let name = if &**class == "ConvTranspose1d" { "conv_transpose1d" } else { "conv_transpose2d" };
                let mut all = vec![(None, x, s), (None, get("weight"), span), (None, get("bias"), span)];
                for o in ["stride", "padding", "output_padding", "groups", "dilation"] {
                    all.push((None, get(o), span));
                }
                call(self, name, all)
            }
            "BatchNorm1d" | "BatchNorm2d" | "BatchNorm3d" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                if let Value::Tensor(t) = &x {
                    let rank = self.shape_of(*t).len();
                    // `_check_input_dim` of each class, in its words.
                    let (ok, want, help) = match &**class {
                        "BatchNorm2d" => (rank == 4, "4D", "pass images as [N, C, H, W]"),
                        "BatchNorm3d" => (rank == 5, "5D", "pass volumes as [N, C, D, H, W]"),
                        _ => (rank == 2 || rank == 3, "2D or 3D", "pass [N, C] or [N, C, L]"),
                    };
                    if !ok {
                        return self.error(
                            Diagnostic::new(Code::E0202, format!("expected {want} input (got {rank}D input)"), s, "wrong rank").with_help(help),
                        );
                    }
                }
                // `_BatchNorm.forward`: in training the batch's statistics (counting
                // the batch), in evaluation the running ones when tracked.
                let training = matches!(get("training"), Value::Bool(true));
                let track = matches!(get("track_running_stats"), Value::Bool(true));
                if training && track {
                    if let Value::Tensor(n) = get("num_batches_tracked") {
                        let outer = std::mem::replace(&mut self.no_grad, true);
                        let m = Ident { name: "add_".to_string(), span };
                        let n = self.current(n);
                        self.inplace_with(n, span, &m, vec![(None, Value::Number(Num::Int(1)), span)], span);
                        self.no_grad = outer;
                    }
                }
                let bn_training = training || !track;
                let stats = |v: Value| if !training || track { v } else { Value::None };
                let all = vec![
                    (None, x, s),
                    (None, stats(get("running_mean")), span),
                    (None, stats(get("running_var")), span),
                    (None, get("weight"), span),
                    (None, get("bias"), span),
                    (None, Value::Bool(bn_training), span),
                    (None, get("momentum"), span),
                    (None, get("eps"), span),
                ];
                call(self, "batch_norm", all)
            }
            "PReLU" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                call(self, "prelu", vec![(None, x, s), (None, get("weight"), span)])
            }
            "InstanceNorm1d" | "InstanceNorm2d" | "InstanceNorm3d" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                let Value::Tensor(t) = x else { return call(self, "instance_norm", vec![(None, x, s)]) };
                // `_InstanceNorm.forward`: a batch of `k + 2` dimensions or one
                // item of `k + 1`, whose feature dimension must match when affine.
                let k = usize::from(class.as_bytes()[12] - b'0');
                let (dt, shape) = (self.dtype_of(t), self.shape_of(t));
                if shape.len() != k + 1 && shape.len() != k + 2 {
                    return self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!("expected {}D or {}D input (got {}D input)", k + 1, k + 2, shape.len()),
                            s,
                            "wrong rank",
                        )
                        .with_help(format!("pass [N, C, ...] with {k} spatial dimensions, or one [C, ...] item")),
                    );
                }
                let feature = shape.len() - k - 1;
                if matches!(get("affine"), Value::Bool(true))
                    && !matches!(get("num_features"), Value::Number(Num::Int(n)) if n == shape[feature] as i128)
                {
                    let message = format!(
                        "expected input's size at dim={feature} to match num_features ({}), but got: {}.",
                        py_repr(&get("num_features")),
                        shape[feature]
                    );
                    return self.error(
                        Diagnostic::new(Code::E0202, message, s, "other features").with_help("pass as many channels as the module has features"),
                    );
                }
                let batch = if shape.len() == k + 1 { self.node(Op::Reshape, dt, [&[1][..], &shape].concat(), &[t], span) } else { t };
                let training = matches!(get("training"), Value::Bool(true));
                let track = matches!(get("track_running_stats"), Value::Bool(true));
                let all = vec![
                    (None, Value::Tensor(batch), s),
                    (None, get("running_mean"), span),
                    (None, get("running_var"), span),
                    (None, get("weight"), span),
                    (None, get("bias"), span),
                    (None, Value::Bool(training || !track), span),
                    (None, get("momentum"), span),
                    (None, get("eps"), span),
                ];
                let out = call(self, "instance_norm", all);
                match out {
                    Value::Tensor(o) if shape.len() == k + 1 => Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[o], span, "SqueezeBackward1")),
                    other => other,
                }
            }
            "Embedding" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                call(self, "embedding", vec![(None, x, s), (None, get("weight"), span), (None, get("padding_idx"), span)])
            }
            "EmbeddingBag" => {
                // `forward(input, offsets=None, per_sample_weights=None)`.
                let Some(bound) = self.bind_options("EmbeddingBag", &["input", "offsets", "per_sample_weights"], args, span) else {
                    return Value::Poison;
                };
                let Some((x, s)) = bound[0].clone() else {
                    return self.error(
                        Diagnostic::new(Code::E0103, "`EmbeddingBag` takes the input", span, "no input")
                            .with_help("call it on the indices: `m(ids, offsets)`"),
                    );
                };
                let or_none = |v: &Option<(Value, Span)>| v.clone().unwrap_or((Value::None, span));
                let (o, os) = or_none(&bound[1]);
                let (p, ps) = or_none(&bound[2]);
                let all = vec![
                    (None, x, s),
                    (None, get("weight"), span),
                    (None, o, os),
                    kw("mode", get("mode")),
                    (Some(Ident { name: "per_sample_weights".to_string(), span: ps }), p, ps),
                    kw("include_last_offset", get("include_last_offset")),
                    kw("padding_idx", get("padding_idx")),
                ];
                call(self, "embedding_bag", all)
            }
            "GroupNorm" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                let all = vec![
                    (None, x, s),
                    (None, get("num_groups"), span),
                    (None, get("weight"), span),
                    (None, get("bias"), span),
                    (None, get("eps"), span),
                ];
                call(self, "group_norm", all)
            }
            "RMSNorm" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                let all = vec![(None, x, s), (None, get("normalized_shape"), span), (None, get("weight"), span), (None, get("eps"), span)];
                call(self, "rms_norm", all)
            }
            "LayerNorm" => {
                let Some((x, s)) = one(self) else { return Value::Poison };
                let all = vec![
                    (None, x, s),
                    (None, get("normalized_shape"), span),
                    (None, get("weight"), span),
                    (None, get("bias"), span),
                    (None, get("eps"), span),
                ];
                call(self, "layer_norm", all)
            }
            "Sequential" => {
                let Some((mut x, _)) = one(self) else { return Value::Poison };
                for (n, (m, _)) in names.iter().zip(items) {
                    if n == "training" {
                        continue;
                    }
                    x = self.call_object_value(m.clone(), vec![(None, x, span)], span);
                }
                x
            }
            _ => self.error(
                Diagnostic::new(Code::E0102, format!("Module [{class}] is missing the required \"forward\" function"), span, "called here")
                    .with_help("index a `ModuleList` and call its modules: `self.layers[0](x)`, or loop over it"),
            ),
        }
    }

    /// `mods[i]` of a `ModuleList` or `Sequential`, `i` possibly negative.
    pub(super) fn container_index(&mut self, mods: Vec<(Value, Span)>, (k, ks): (Value, Span)) -> Value {
        let n = mods.len() as i128;
        match k {
            Value::Number(Num::Int(i)) if (-n..n).contains(&i) => mods[if i < 0 { i + n } else { i } as usize].0.clone(),
            Value::Number(Num::Int(i)) => {
                self.error(Diagnostic::new(Code::E0107, format!("index {i} is out of range"), ks, "out of range").with_help(format!(
                    "index one of the {n} modules, from {} to {}",
                    -n,
                    n - 1
                )))
            }
            Value::Poison => Value::Poison,
            // A run-time integer (a loop counter) is the error a list gives for it,
            // which a short `range` loop answers by unrolling (`loops.rs`).
            Value::Host { .. } => self.error(
                Diagnostic::new(Code::E0608, "a module list cannot be subscripted with a run-time integer", ks, "known only at run time")
                    .with_help("module lists are compile-time values: loop over the list itself (`for layer in self.layers`)"),
            ),
            other => self.error(
                Diagnostic::new(Code::E0107, format!("a module list is indexed by an integer, not {}", other.describe()), ks, "not an integer")
                    .with_help("write `self.layers[0]`"),
            ),
        }
    }

    /// Calls an object held in no place (a child of a `Sequential`).
    pub(super) fn call_object_value(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let mut scratch = super::Scope::default();
        self.call_object(obj, None, args, &mut scratch, span)
    }

    /// The parameters an object holds and its children hold, with their dotted
    /// names, in `named_parameters()`'s order (its own in the order they were
    /// set, then each child's), each once.
    pub(super) fn named_parameters_of(&self, obj: &Value, prefix: &str, out: &mut Vec<(String, NodeId)>) {
        self.named_tensors_of(obj, prefix, false, out);
    }

    /// The parameters (or, with `buffers`, the buffers) of `obj` and of its
    /// children, in `named_modules()`' order, each once, with dotted names.
    fn named_tensors_of(&self, obj: &Value, prefix: &str, buffers: bool, out: &mut Vec<(String, NodeId)>) {
        let Value::Object { names, items, .. } = obj else { return };
        let roles = if buffers { &self.buffer_origins } else { &self.param_origins };
        for (n, (v, _)) in names.iter().zip(items) {
            if let Value::Tensor(t) = v {
                let o = self.origin(*t);
                if roles.contains(&o) && !out.iter().any(|(_, p)| self.origin(*p) == o) {
                    out.push((format!("{prefix}{n}"), self.current(*t)));
                }
            }
        }
        for (n, (v, _)) in names.iter().zip(items) {
            if matches!(v, Value::Object { .. }) {
                self.named_tensors_of(v, &format!("{prefix}{n}."), buffers, out);
            }
        }
    }

    /// `obj` with `training` set to `mode` in it and in every module it holds.
    fn set_training(obj: Value, mode: bool) -> Value {
        let Value::Object { class, id, names, items } = obj else { return obj };
        let items = names
            .iter()
            .zip(items)
            .map(|(n, (v, s))| match v {
                _ if n == "training" => (Value::Bool(mode), s),
                Value::Object { .. } => (Self::set_training(v, mode), s),
                other => (other, s),
            })
            .collect();
        Value::Object { class, id, names, items }
    }

    /// `nn.Module`'s methods (and a builtin module's `forward`): the result,
    /// and the object when the method changed it.
    pub(crate) fn module_method(&mut self, obj: Value, rs: Span, method: &Ident, args: CallArgs, span: Span) -> (Value, Option<Value>) {
        let Value::Object { class, names, items, .. } = &obj else { return (Value::Poison, None) };
        let class = class.clone();
        let no_args = |me: &mut Self, args: &CallArgs| -> bool {
            if let Some((_, _, s)) = args.first() {
                me.error(
                    Diagnostic::new(Code::E0103, format!("`{}()` takes no arguments here", method.name), *s, "unexpected argument")
                        .with_help(format!("write `.{}()`", method.name)),
                );
                return false;
            }
            true
        };
        match method.name.as_str() {
            "forward" if self.class_def(&class).is_none() => (self.builtin_forward(&obj, args, span), None),
            "generate_square_subsequent_mask" if &*class == "Transformer" => (self.square_subsequent_mask(args, span), None),
            "parameters" | "named_parameters" | "buffers" | "named_buffers" => {
                if !no_args(self, &args) {
                    return (Value::Poison, None);
                }
                let mut ps = Vec::new();
                self.named_tensors_of(&obj, "", method.name.ends_with("buffers"), &mut ps);
                let list = if !method.name.starts_with("named_") {
                    ps.into_iter().map(|(_, p)| (Value::Tensor(p), span)).collect()
                } else {
                    ps.into_iter().map(|(n, p)| (Value::Tuple(vec![(Value::Str(n), span), (Value::Tensor(p), span)]), span)).collect()
                };
                (Value::List(list), None)
            }
            "children" | "named_children" => {
                let kids = names.iter().zip(items).filter(|(_, (v, _))| matches!(v, Value::Object { .. }));
                let list = if method.name == "children" {
                    kids.map(|(_, (v, _))| (v.clone(), span)).collect()
                } else {
                    kids.map(|(n, (v, _))| (Value::Tuple(vec![(Value::Str(n.clone()), span), (v.clone(), span)]), span)).collect()
                };
                (Value::List(list), None)
            }
            "train" | "eval" => {
                let mode = if method.name == "eval" {
                    if !no_args(self, &args) {
                        return (Value::Poison, None);
                    }
                    false
                } else {
                    match args.as_slice() {
                        [] => true,
                        [(_, Value::Bool(b), _)] => *b,
                        [(_, other, s), ..] => {
                            let d = other.describe();
                            return (
                                self.error(
                                    Diagnostic::new(Code::E0107, format!("training mode is expected to be boolean, not {d}"), *s, "not a bool")
                                        .with_help("write `model.train()` or `model.train(false)`"),
                                ),
                                None,
                            );
                        }
                    }
                };
                let after = Self::set_training(obj.clone(), mode);
                (after.clone(), Some(after))
            }
            "zero_grad" => {
                if matches!(args.first(), Some((_, Value::Bool(false), _))) {
                    return (
                        self.error(
                            Diagnostic::new(Code::E0107, "`zero_grad(set_to_none=false)` is not supported", span, "not supported")
                                .with_help("write `zero_grad()`: the gradients become `None`, PyTorch 2's default"),
                        ),
                        None,
                    );
                }
                let mut ps = Vec::new();
                self.named_parameters_of(&obj, "", &mut ps);
                for (_, p) in ps {
                    self.grad_state.insert(p, None);
                }
                (Value::None, None)
            }
            // graphc runs on the CPU: `model.to(device)` and `model.cpu()` are the model.
            "to" | "cpu" => {
                if let Some((_, v, s)) = args.iter().find(|(_, v, _)| !matches!(v, Value::Str(d) if d == "cpu")) {
                    let d = v.describe();
                    return (
                        self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("`.{}()` of a module takes the device \"cpu\" here, not {d}", method.name),
                                *s,
                                "not the CPU",
                            )
                            .with_help(
                                "graphc runs on the CPU: write `model.to(\"cpu\")` or leave the call out; make the parameters in the dtype you want",
                            ),
                        ),
                        None,
                    );
                }
                (obj.clone(), None)
            }
            // `self.layers.append(Linear(4, 4))`: the next child of a `ModuleList` or `Sequential`.
            "append" if CONTAINERS.contains(&&*class) => {
                let [(None, m @ Value::Object { .. }, ms)] = args.as_slice() else {
                    return (
                        self.error(
                            Diagnostic::new(Code::E0107, format!("`{class}.append` takes one module"), span, "not one module")
                                .with_help("write `self.layers.append(Linear(4, 4))`"),
                        ),
                        None,
                    );
                };
                let n = container_items(&obj).map_or(0, |m| m.len());
                let after = with_attr(obj.clone(), &n.to_string(), m.clone(), *ms);
                (after.clone(), Some(after))
            }
            "register_buffer" | "register_parameter" | "add_module" => {
                // `register_buffer(name, tensor, persistent=true)`: a buffer left
                // out of the state dict with `persistent=false`.
                let mut args = args;
                let mut persistent = true;
                if method.name == "register_buffer" && args.len() == 3 {
                    match args.pop() {
                        Some((k, Value::Bool(b), _)) if k.as_ref().is_none_or(|k| k.name == "persistent") => persistent = b,
                        Some((_, other, s)) => {
                            let d = other.describe();
                            return (
                                self.error(
                                    Diagnostic::new(Code::E0107, format!("`persistent` must be a bool, not {d}"), s, "not a bool")
                                        .with_help("write `self.register_buffer(\"name\", t, persistent=false)`"),
                                ),
                                None,
                            );
                        }
                        None => {}
                    }
                }
                if method.name == "register_buffer" && persistent {
                    if let [_, (_, Value::Tensor(t), _)] = args.as_slice() {
                        let o = self.origin(*t);
                        self.buffer_origins.insert(o);
                    }
                }
                let [(_, Value::Str(name), _), (_, v, vs)] = args.as_slice() else {
                    return (
                        self.error(
                            Diagnostic::new(Code::E0103, format!("`{}` takes a name and a value", method.name), span, "wrong arguments")
                                .with_help(format!("write `self.{}(\"name\", value)`", method.name)),
                        ),
                        None,
                    );
                };
                if method.name == "register_parameter" {
                    if let Value::Tensor(t) = v {
                        let o = self.origin(*t);
                        self.param_origins.insert(o);
                    }
                }
                let after = with_attr(obj.clone(), name, v.clone(), *vs);
                (Value::None, Some(after))
            }
            "modules" | "named_modules" => {
                if !no_args(self, &args) {
                    return (Value::Poison, None);
                }
                let mut all = Vec::new();
                Self::modules_of(&obj, "", &mut all, 0);
                let list = match method.name == "modules" {
                    true => all.into_iter().map(|(_, m)| (m, span)).collect(),
                    false => all.into_iter().map(|(n, m)| (Value::Tuple(vec![(Value::Str(n), span), (m, span)]), span)).collect(),
                };
                (Value::List(list), None)
            }
            "state_dict" => {
                if !no_args(self, &args) {
                    return (Value::Poison, None);
                }
                (self.state_dict(&obj, span), None)
            }
            "load_state_dict" => (self.load_state_dict(&obj, args, span), None),
            "double" | "float" => {
                if !no_args(self, &args) {
                    return (Value::Poison, None);
                }
                let dt = if method.name == "double" { DType::F64 } else { DType::F32 };
                let after = self.module_to_dtype(obj.clone(), dt, span, 0);
                (after.clone(), Some(after))
            }
            "requires_grad_" => {
                let flag = match args.as_slice() {
                    [] => true,
                    [(k, Value::Bool(b), _)] if k.as_ref().is_none_or(|k| k.name == "requires_grad") => *b,
                    [(_, other, s), ..] => {
                        let d = other.describe();
                        return (
                            self.error(
                                Diagnostic::new(Code::E0107, format!("`requires_grad_` takes one bool, not {d}"), *s, "not a bool")
                                    .with_help("write `model.requires_grad_(false)` to freeze the model's parameters"),
                            ),
                            None,
                        );
                    }
                };
                let after = self.module_requires_grad(obj.clone(), flag, span);
                (after.clone(), Some(after))
            }
            "apply" => {
                let [(None, f, fs)] = args.as_slice() else {
                    return (
                        self.error(
                            Diagnostic::new(Code::E0103, "`apply` takes one function", span, "not one function")
                                .with_help("pass the function to call on each module, as in `model.apply(init_weights)`"),
                        ),
                        None,
                    );
                };
                let after = self.module_apply(obj.clone(), f, *fs, span, 0);
                (after.clone(), Some(after))
            }
            _ => {
                let _ = rs;
                (
                    self.error(
                        Diagnostic::new(Code::E0102, format!("'{class}' object has no attribute '{}'", method.name), method.span, "no such method").with_help(
                            "a module's methods here are its class's, and `parameters`, `named_parameters`, `buffers`, `named_buffers`, `children`, `named_children`, `modules`, `named_modules`, `apply`, `state_dict`, `load_state_dict`, `train`, `eval`, `zero_grad`, `requires_grad_`, `double`, `float`, `to`, `register_buffer`, `register_parameter`, `add_module`, and a `ModuleList`'s `append`",
                        ),
                    ),
                    None,
                )
            }
        }
    }

    /// `Parameter(data, requires_grad=true)`: a new leaf holding `data`'s values.
    pub(crate) fn parameter_call(&mut self, args: CallArgs, span: Span) -> Value {
        let sig = builtins::Signature { params: &["data", "requires_grad"], min: 1, max: Some(2), keywords: &[] };
        let bound = match builtins::bind("Parameter", &sig, args, span) {
            Ok(b) => b,
            Err(d) => return self.error(d),
        };
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees data");
        let Some(t) = self.expect_float_tensor(v, vs, "`Parameter`'s data") else { return Value::Poison };
        let requires_grad = match bound.positional.get(1).cloned().flatten() {
            None => true,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`requires_grad` must be a bool, not {}", other.describe()), s, "not a bool")
                        .with_help("write `requires_grad=false`"),
                )
            }
        };
        let n = self.new_leaf(t, requires_grad, span);
        self.param_origins.insert(n);
        Value::Tensor(n)
    }

    /// How `print` shows a module: `Module.__repr__`, its `extra_repr` and
    /// then each child on its own line.
    pub(crate) fn object_repr(&self, obj: &Value) -> String {
        let Value::Object { class, names, items, .. } = obj else { return String::new() };
        let get = |name: &str| attr(names, items, name).cloned().unwrap_or(Value::None);
        let extra = match &**class {
            "Bilinear" => format!(
                "in1_features={}, in2_features={}, out_features={}, bias={}",
                py_repr(&get("in1_features")),
                py_repr(&get("in2_features")),
                py_repr(&get("out_features")),
                py_repr(&Value::Bool(!matches!(get("bias"), Value::None)))
            ),
            "Linear" | "NonDynamicallyQuantizableLinear" => format!(
                "in_features={}, out_features={}, bias={}",
                py_repr(&get("in_features")),
                py_repr(&get("out_features")),
                py_repr(&Value::Bool(!matches!(get("bias"), Value::None)))
            ),
            "Conv1d" | "Conv2d" | "ConvTranspose1d" | "ConvTranspose2d" => {
                let mut s = format!(
                    "{}, {}, kernel_size={}, stride={}",
                    py_repr(&get("in_channels")),
                    py_repr(&get("out_channels")),
                    py_repr(&get("kernel_size")),
                    py_repr(&get("stride"))
                );
                let zeros = |v: &Value, k: i128| matches!(v, Value::Tuple(items) if items.iter().all(|(v, _)| matches!(v, Value::Number(Num::Int(x)) if *x == k)));
                if !zeros(&get("padding"), 0) {
                    s += &format!(", padding={}", py_repr(&get("padding")));
                }
                if !zeros(&get("dilation"), 1) {
                    s += &format!(", dilation={}", py_repr(&get("dilation")));
                }
                if !zeros(&get("output_padding"), 0) {
                    s += &format!(", output_padding={}", py_repr(&get("output_padding")));
                }
                if !matches!(get("groups"), Value::Number(Num::Int(1))) {
                    s += &format!(", groups={}", py_repr(&get("groups")));
                }
                if matches!(get("bias"), Value::None) {
                    s += ", bias=False";
                }
                s
            }
            "RMSNorm" => format!(
                "{}, eps={}, elementwise_affine={}",
                py_repr(&get("normalized_shape")),
                py_repr(&get("eps")),
                py_repr(&get("elementwise_affine"))
            ),
            "LayerNorm" => format!(
                "{}, eps={}, elementwise_affine={}, bias={}",
                py_repr(&get("normalized_shape")),
                py_repr(&get("eps")),
                py_repr(&get("elementwise_affine")),
                py_repr(&get("has_bias"))
            ),
            "GroupNorm" => format!(
                "{}, {}, eps={}, affine={}, bias={}",
                py_repr(&get("num_groups")),
                py_repr(&get("num_channels")),
                py_repr(&get("eps")),
                py_repr(&get("affine")),
                py_repr(&Value::Bool(!matches!(get("bias"), Value::None)))
            ),
            "BatchNorm1d" | "BatchNorm2d" | "BatchNorm3d" | "InstanceNorm1d" | "InstanceNorm2d" | "InstanceNorm3d" => format!(
                "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}",
                py_repr(&get("num_features")),
                py_repr(&get("eps")),
                py_repr(&get("momentum")),
                py_repr(&get("affine")),
                py_repr(&get("use_bias")),
                py_repr(&get("track_running_stats"))
            ),
            "Embedding" | "EmbeddingBag" => {
                let mut s = format!("{}, {}", py_repr(&get("num_embeddings")), py_repr(&get("embedding_dim")));
                if &**class == "EmbeddingBag" {
                    s += &format!(", mode={}", py_repr(&get("mode")));
                }
                if !matches!(get("padding_idx"), Value::None) {
                    s += &format!(", padding_idx={}", py_repr(&get("padding_idx")));
                }
                s
            }
            "ReLU" | "ReLU6" | "SiLU" | "Mish" | "SELU" if matches!(get("inplace"), Value::Bool(true)) => "inplace=True".to_string(),
            // These two have no `extra_repr`: `inplace` never shows.
            "Hardsigmoid" | "Hardswish" => String::new(),
            "Softshrink" | "Hardshrink" => py_repr(&get("lambd")),
            "LocalResponseNorm" => {
                format!("{}, alpha={}, beta={}, k={}", py_repr(&get("size")), py_repr(&get("alpha")), py_repr(&get("beta")), py_repr(&get("k")))
            }
            "ReLU6" => String::new(),
            "PReLU" => format!("num_parameters={}", py_repr(&get("num_parameters"))),
            // The padding modules print their padding bare (`ConstantPadNd` by the table).
            c if pad_dims(c).is_some() && !c.starts_with("Constant") => py_repr(&get("padding")),
            // `Upsample.__init__` keeps the scale factor as a float (or a tuple of floats).
            "Upsample" | "UpsamplingNearest2d" | "UpsamplingBilinear2d" => match get("scale_factor") {
                Value::None => format!("size={}, mode={}", py_repr(&get("size")), py_repr(&get("mode"))),
                f => {
                    let float = |v: &Value| match v {
                        Value::Number(n) => Value::Number(Num::Float(n.f64())),
                        other => other.clone(),
                    };
                    let f = match f {
                        Value::Tuple(items) => Value::Tuple(items.iter().map(|(v, s)| (float(v), *s)).collect()),
                        one => float(&one),
                    };
                    format!("scale_factor={}, mode={}", py_repr(&f), py_repr(&get("mode")))
                }
            },
            c if super::rnn_modules::RNN_CLASSES.contains(&c) => Self::rnn_extra_repr(c, &get),
            c => match functional(c) {
                Some(f) => {
                    let mut s = f.repr.iter().map(|o| format!("{o}={}", py_repr(&get(o)))).collect::<Vec<_>>().join(", ");
                    // The activations' `extra_repr` adds `inplace=True` only when set.
                    if !f.repr.contains(&"inplace") && matches!(get("inplace"), Value::Bool(true)) {
                        s += ", inplace=True";
                    }
                    s
                }
                None => String::new(),
            },
        };
        let kids: Vec<(&String, String)> =
            names.iter().zip(items).filter(|(_, (v, _))| matches!(v, Value::Object { .. })).map(|(n, (v, _))| (n, self.object_repr(v))).collect();
        let children: Vec<String> = if &**class == "ModuleList" {
            // `ModuleList.__repr__`: a run of equal modules is one line, `(0-1): 2 x ...`.
            let mut lines = Vec::new();
            let mut i = 0;
            while i < kids.len() {
                let mut j = i;
                while j + 1 < kids.len() && kids[j + 1].1 == kids[i].1 {
                    j += 1;
                }
                if j > i {
                    lines.push(format!("({}-{}): {} x {}", kids[i].0, kids[j].0, j - i + 1, add_indent(&kids[i].1)));
                } else {
                    lines.push(format!("({}): {}", kids[i].0, add_indent(&kids[i].1)));
                }
                i = j + 1;
            }
            lines
        } else {
            kids.into_iter().map(|(n, r)| format!("({n}): {}", add_indent(&r))).collect()
        };
        let extra_lines: Vec<&str> = if extra.is_empty() { vec![] } else { extra.split('\n').collect() };
        let mut out = format!("{class}(");
        if extra_lines.len() == 1 && children.is_empty() {
            out += extra_lines[0];
        } else if !extra_lines.is_empty() || !children.is_empty() {
            let lines: Vec<String> = extra_lines.iter().map(|s| s.to_string()).chain(children).collect();
            out += &format!("\n  {}\n", lines.join("\n  "));
        }
        out + ")"
    }
}

/// An object's attribute, or `None`.
fn attr_of(obj: &Value, name: &str) -> Value {
    match obj {
        Value::Object { names, items, .. } => attr(names, items, name).cloned().unwrap_or(Value::None),
        _ => Value::None,
    }
}

fn default_value(d: Default) -> Value {
    match d {
        Default::None | Default::Required => Value::None,
        Default::Int(i) => Value::Number(Num::Int(i as i128)),
        Default::Float(f) => Value::Number(Num::Float(f)),
        Default::Bool(b) => Value::Bool(b),
        Default::Str(s) => Value::Str(s.to_string()),
    }
}
