//! Ops by their printed names: the one place the reader knows each op's name and
//! the form of its parameters (`full(1.0)`, `sum(dim=0)`, `where(<)`, ...).

use graphc_runtime::op::{
    Activation, AvgPool, AvgPoolPart, Binary, Cmp, Conv, ConvPart, DataOp, F64Bits, FloatTest, GroupNorm, IndexOp, LayerNorm, LayerNormPart, Logical,
    LossKind, LossReduction, MaxPool, Op, PoolWindows, ReduceKind, Scalar, ScatterReduce, Unary, Upsample, UpsamplePart,
};

/// The op a node line names, with its parameters (the text in parentheses after
/// the name, if any). This is the only place that knows ops by their printed
/// names and parameter forms.
pub fn op_from_text(name: &str, params: Option<&str>) -> Option<Op> {
    let num = |s: &str| s.trim().parse::<f64>().ok().map(F64Bits::new);
    let int = |s: &str| s.trim().parse::<u32>().ok();
    let keyed = |s: &str, key: &str| s.trim().strip_prefix(key).and_then(|v| v.strip_prefix('=')).map(str::to_string);
    let op = match (name, params) {
        ("full", Some(p)) => Op::Full(scalar(p)?),
        ("literal", Some(p)) => Op::Literal(literal_values(p)?),
        ("arange", Some(p)) => {
            let (start, step) = p.split_once(", ")?;
            Op::Arange { start: scalar(&keyed(start, "start")?)?, step: scalar(&keyed(step, "step")?)? }
        }
        ("linspace", Some(p)) => {
            let (start, end) = p.split_once(", ")?;
            Op::Linspace { start: num(start)?, end: num(end)? }
        }
        ("param", Some(p)) => Op::Param(int(p)?),
        ("input", Some(p)) => Op::Input(int(p)?),
        ("load", Some(p)) => Op::Data(DataOp::Load(unquoted(p)?)),
        ("randint", Some(p)) => {
            let (low, high) = p.split_once(", ")?;
            Op::Data(DataOp::Randint { low: keyed(low, "low")?.parse().ok()?, high: keyed(high, "high")?.parse().ok()? })
        }
        ("loader_order", Some(p)) => Op::Data(DataOp::LoaderOrder { shuffle: keyed(p, "shuffle")?.parse().ok()? }),
        ("exponential", Some(p)) => Op::Data(DataOp::Exponential { lambda: num(&keyed(p, "lambd")?)? }),
        ("trunc_normal", Some(p)) => {
            let [mean, std, lo, hi] = keyed_parts(p, ["mean", "std", "lo", "hi"])?;
            Op::Data(DataOp::TruncNormal { mean: num(mean)?, std: num(std)?, lo: num(lo)?, hi: num(hi)? })
        }
        ("region_output", Some(p)) => {
            let (region, output) = p.split_once(", ")?;
            Op::RegionOutput { region: int(&keyed(region, "region")?)?, output: int(&keyed(output, "output")?)? }
        }
        ("pow_scalar", Some(p)) => Op::PowScalar(num(p)?),
        (
            name @ ("clamp" | "hardtanh" | "leaky_relu" | "elu" | "softplus" | "round_decimals" | "py_round" | "hardsigmoid" | "hardswish" | "selu"
            | "celu" | "softshrink" | "hardshrink" | "threshold" | "polygamma"),
            Some(p),
        ) => Op::Activation(activation_from_text(name, p)?),
        ("where", Some(p)) => Op::Where(match p {
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            "==" => Cmp::Eq,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            "!=" => Cmp::Ne,
            _ => return None,
        }),
        ("compare", Some(p)) => Op::Compare(Cmp::ALL.into_iter().find(|c| c.symbol() == p)?),
        ("nan_to_num", Some(p)) => {
            let mut parts = p.split(", ");
            let mut next = |key: &str| parts.next().and_then(|s| keyed(s, key)).and_then(|v| num(&v));
            let (nan, posinf, neginf) = (next("nan")?, next("posinf")?, next("neginf")?);
            Op::NanToNum { nan, posinf, neginf }
        }
        (name, Some(p)) if p.contains("dims=[") => reduce_from_text(name, p)?,
        ("sum", Some(p)) => Op::Sum { dim: Some(keyed(p, "dim")?.parse().ok()?) },
        ("mean", Some(p)) => Op::Mean { dim: Some(keyed(p, "dim")?.parse().ok()?) },
        ("permute", Some(p)) => Op::Permute(dims(p)?),
        ("slice", Some(p)) => {
            let [dim, start, step] = keyed_ints(p, ["dim", "start", "step"])?;
            Op::Slice { dim, start, step }
        }
        ("slice_backward", Some(p)) => {
            let [dim, start, step] = keyed_ints(p, ["dim", "start", "step"])?;
            Op::SliceBackward { dim, start, step }
        }
        ("cat", Some(p)) => {
            let [dim, n] = keyed_ints(p, ["dim", "n"])?;
            Op::Cat { dim, n }
        }
        ("sum", None) => Op::Sum { dim: None },
        ("fma", None) => Op::Fma,
        ("mean", None) => Op::Mean { dim: None },
        (name, Some(p)) if p.starts_with("reduction=") => {
            let (reduction, param) = match p.split_once(", ") {
                Some((r, kv)) => (r, Some(kv.split_once('=')?.1.parse::<f64>().ok()?)),
                None => (p, None),
            };
            Op::Loss { kind: LossKind::from_name(name, param)?, reduction: LossReduction::from_name(&keyed(reduction, "reduction")?)? }
        }
        ("cumsum", Some(p)) => {
            let (dim, reverse) = p.split_once(", ")?;
            Op::Cumsum { dim: keyed(dim, "dim")?.parse().ok()?, reverse: keyed(reverse, "reverse")?.parse().ok()? }
        }
        ("logcumsumexp", Some(p)) => {
            let (dim, reverse) = p.split_once(", ")?;
            Op::Logcumsumexp { dim: keyed(dim, "dim")?.parse().ok()?, reverse: keyed(reverse, "reverse")?.parse().ok()? }
        }
        ("cumprod", Some(p)) => Op::Cumprod { dim: keyed(p, "dim")?.parse().ok()? },
        ("prod_others", Some(p)) => Op::ProdOthers { dim: optional_dim(&keyed(p, "dim")?)? },
        ("prod_others_vjp", Some(p)) => {
            let (dim, order) = p.split_once(", ")?;
            let order: usize = keyed(order, "order")?.parse().ok()?;
            if !(1..=Op::PROD_OTHERS_MAX_ORDER).contains(&order) {
                return None;
            }
            Op::ProdOthersVjp { dim: optional_dim(&keyed(dim, "dim")?)?, order }
        }
        ("softmax", Some(p)) => Op::Softmax { dim: keyed(p, "dim")?.parse().ok()?, log: false },
        (name @ ("layer_norm" | "group_norm"), Some(p)) => {
            let [size, eps, weight, bias] = keyed_parts(p, [norm_key(name), "eps", "weight", "bias"])?;
            norm(name, size, eps, LayerNormPart::Forward { weight: weight.parse().ok()?, bias: bias.parse().ok()? })?
        }
        (name @ ("layer_norm_input_grad" | "group_norm_input_grad"), Some(p)) => {
            let [size, eps, weight] = keyed_parts(p, [norm_key(name), "eps", "weight"])?;
            norm(name, size, eps, LayerNormPart::InputGrad { weight: weight.parse().ok()? })?
        }
        (name @ ("layer_norm_weight_grad" | "group_norm_weight_grad"), Some(p)) => {
            let [size, eps] = keyed_parts(p, [norm_key(name), "eps"])?;
            norm(name, size, eps, LayerNormPart::WeightGrad)?
        }
        (name @ ("layer_norm_bias_grad" | "group_norm_bias_grad"), Some(p)) => {
            let [size, eps] = keyed_parts(p, [norm_key(name), "eps"])?;
            norm(name, size, eps, LayerNormPart::BiasGrad)?
        }
        ("avg_pool2d" | "avg_pool2d_backward", Some(p)) => {
            let [kernel, stride, padding, count_include_pad, divisor] =
                keyed_parts(p, ["kernel", "stride", "padding", "count_include_pad", "divisor"])?;
            let (kernel, stride) = (size_pair(kernel)?, size_pair(stride)?);
            let divisor = match divisor {
                "none" => None,
                d => Some(d.parse().ok().filter(|&d: &usize| d > 0)?),
            };
            if kernel.contains(&0) || stride.contains(&0) {
                return None;
            }
            let windows =
                PoolWindows::Fixed { kernel, stride, padding: size_pair(padding)?, count_include_pad: count_include_pad.parse().ok()?, divisor };
            let part = if name == "avg_pool2d" { AvgPoolPart::Forward } else { AvgPoolPart::Backward };
            Op::AvgPool(AvgPool { windows, part })
        }
        ("adaptive_max_pool2d_indices", None) => Op::Index(IndexOp::AdaptiveMaxPool),
        ("adaptive_avg_pool2d", None) => Op::AvgPool(AvgPool { windows: PoolWindows::Adaptive, part: AvgPoolPart::Forward }),
        ("adaptive_avg_pool2d_backward", None) => Op::AvgPool(AvgPool { windows: PoolWindows::Adaptive, part: AvgPoolPart::Backward }),
        (name @ ("upsample_linear" | "upsample_linear_backward"), Some(p)) => {
            let [spatial, align_corners, factors] = keyed_parts(p, ["spatial", "align_corners", "scales"])?;
            let spatial: usize = spatial.parse().ok().filter(|s| (1..=3).contains(s))?;
            let mut scales = [None; 3];
            if factors != "none" {
                let listed: Vec<&str> = factors.split('x').collect();
                if listed.len() != spatial {
                    return None;
                }
                for (slot, f) in scales.iter_mut().zip(listed) {
                    *slot = Some(num(f)?);
                }
            }
            let part = if name == "upsample_linear" { UpsamplePart::Forward } else { UpsamplePart::Backward };
            Op::Upsample(Upsample { spatial, align_corners: align_corners.parse().ok()?, scales, part })
        }
        (name @ ("grid_sample" | "grid_sample_input_grad" | "grid_sample_grid_grad"), Some(p)) => {
            use graphc_runtime::op::{GridMode, GridPadding, GridSample, GridSamplePart};
            let [mode, padding, align_corners] = keyed_parts(p, ["mode", "padding", "align_corners"])?;
            let mode = [GridMode::Bilinear, GridMode::Nearest].into_iter().find(|m| m.name() == mode)?;
            let padding = [GridPadding::Zeros, GridPadding::Border, GridPadding::Reflection].into_iter().find(|m| m.name() == padding)?;
            let part = match name {
                "grid_sample" => GridSamplePart::Forward,
                "grid_sample_input_grad" => GridSamplePart::InputGrad,
                _ => GridSamplePart::GridGrad,
            };
            Op::GridSample(GridSample { mode, padding, align_corners: align_corners.parse().ok()?, part })
        }
        ("conv2d", Some(p)) => {
            let [stride, padding, dilation, groups, bias] = keyed_parts(p, ["stride", "padding", "dilation", "groups", "bias"])?;
            conv([stride, padding, dilation, groups], ConvPart::Forward { bias: bias.parse().ok()? })?
        }
        ("conv_transpose2d", Some(p)) => {
            let [stride, padding, dilation, groups, bias] = keyed_parts(p, ["stride", "padding", "dilation", "groups", "bias"])?;
            conv([stride, padding, dilation, groups], ConvPart::Transposed { bias: bias.parse().ok()? })?
        }
        ("conv2d_weight_grad", Some(p)) => {
            let [stride, padding, dilation, groups] = keyed_parts(p, ["stride", "padding", "dilation", "groups"])?;
            conv([stride, padding, dilation, groups], ConvPart::WeightGrad)?
        }
        ("log_softmax", Some(p)) => Op::Softmax { dim: keyed(p, "dim")?.parse().ok()?, log: true },
        ("softmax_backward", Some(p)) => Op::SoftmaxBackward { dim: keyed(p, "dim")?.parse().ok()?, log: false },
        ("log_softmax_backward", Some(p)) => Op::SoftmaxBackward { dim: keyed(p, "dim")?.parse().ok()?, log: true },
        ("argmax" | "argmin", Some(p)) => {
            let (dim, keepdim) = p.split_once(", ")?;
            let dim = match keyed(dim, "dim")?.as_str() {
                "none" => None,
                d => Some(d.parse().ok()?),
            };
            Op::Index(IndexOp::Arg { dim, keepdim: keyed(keepdim, "keepdim")?.parse().ok()?, min: name == "argmin" })
        }
        ("argsort", Some(p)) => {
            let [dim, descending, stable] = keyed_parts(p, ["dim", "descending", "stable"])?;
            Op::Index(IndexOp::Sort {
                dim: dim.parse().ok().filter(|&d: &usize| d < 64)?,
                descending: descending.parse().ok()?,
                stable: stable.parse().ok()?,
            })
        }
        ("topk", Some(p)) => {
            let [dim, k, largest, sorted] = keyed_parts(p, ["dim", "k", "largest", "sorted"])?;
            Op::Index(IndexOp::TopK {
                dim: dim.parse().ok().filter(|&d: &usize| d < 64)?,
                k: k.parse().ok()?,
                largest: largest.parse().ok()?,
                sorted: sorted.parse().ok()?,
            })
        }
        ("kth_index", Some(p)) => {
            let [dim, k] = keyed_parts(p, ["dim", "k"])?;
            Op::Index(IndexOp::Kth { dim: dim.parse().ok().filter(|&d: &usize| d < 64)?, k: k.parse().ok().filter(|&k: &usize| k >= 1)? })
        }
        ("max_pool2d_indices", Some(p)) => {
            let [kernel, stride, padding, dilation] = keyed_parts(p, ["kernel", "stride", "padding", "dilation"])?;
            let (kernel, stride, padding, dilation) = (size_pair(kernel)?, size_pair(stride)?, size_pair(padding)?, size_pair(dilation)?);
            if kernel.contains(&0) || stride.contains(&0) || dilation.contains(&0) {
                return None;
            }
            Op::Index(IndexOp::MaxPool(MaxPool { kernel, stride, padding, dilation }))
        }
        ("gather", Some(p)) => Op::Index(IndexOp::Gather { dim: keyed(p, "dim")?.parse().ok()? }),
        (name @ ("cummax_indices" | "cummin_indices"), Some(p)) => {
            Op::Index(IndexOp::CumExtreme { dim: keyed(p, "dim")?.parse().ok().filter(|&d: &usize| d < 64)?, min: name == "cummin_indices" })
        }
        ("searchsorted", Some(p)) => {
            let [right, sorter] = keyed_parts(p, ["right", "sorter"])?;
            Op::Index(IndexOp::Search { right: right.parse().ok()?, sorter: sorter.parse().ok()? })
        }
        ("scatter_add", Some(p)) => Op::Index(IndexOp::ScatterAdd { dim: keyed(p, "dim")?.parse().ok()? }),
        ("scatter_into", Some(p)) => Op::Index(IndexOp::ScatterInto { dim: keyed(p, "dim")?.parse().ok()?, add: false }),
        ("scatter_add_into", Some(p)) => Op::Index(IndexOp::ScatterInto { dim: keyed(p, "dim")?.parse().ok()?, add: true }),
        ("scatter_fma_into", Some(p)) => Op::Index(IndexOp::ScatterFma { dim: keyed(p, "dim")?.parse().ok()? }),
        ("scatter_reduce", Some(p)) => {
            let mut parts = p.split(", ");
            let (dim, reduce, include_self) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            Op::Index(IndexOp::ScatterReduce {
                dim: keyed(dim, "dim")?.parse().ok().filter(|&d: &usize| d < 64)?,
                reduce: ScatterReduce::from_name(&keyed(reduce, "reduce")?)?,
                include_self: keyed(include_self, "include_self")?.parse().ok()?,
            })
        }
        (_, Some(_)) => return None,
        // The elementwise families come from their tables, so a new row reads back
        // without an edit here.
        (name, None) => {
            [Op::Randn, Op::Rand, Op::Data(DataOp::Randperm), Op::Expand, Op::SumTo, Op::Reshape, Op::Transpose, Op::MatMul, Op::Cast, Op::Select]
                .into_iter()
                .chain([Logical::And, Logical::Or, Logical::Not].map(Op::Logical))
                .chain(FloatTest::ALL.map(Op::FloatTest))
                .chain(Unary::ALL.iter().map(|u| Op::Unary(*u)))
                .chain(Binary::ALL.iter().map(|b| Op::Binary(*b)))
                .find(|op| op.name() == name)?
        }
    };
    Some(op)
}

/// The path of `load("...")`: the text between the quotes, `\\` and `"` unescaped.
fn unquoted(p: &str) -> Option<String> {
    let inner = p.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next()? } else { c });
    }
    Some(out)
}

/// A reduction over dimensions: `NAME([PARAM, ]dims=[a, b], keepdim=BOOL)`.
fn reduce_from_text(name: &str, p: &str) -> Option<Op> {
    let (head, rest) = p.split_once("dims=[")?;
    let param = match head.strip_suffix(", ") {
        Some(v) => Some(v.trim().parse::<f64>().ok()?),
        None if head.is_empty() => None,
        None => return None,
    };
    let (dims, tail) = rest.split_once(']')?;
    let keepdim = tail.strip_prefix(", keepdim=")?.parse().ok()?;
    // A reduction of a 0-d tensor has no dimensions: `dims=[]`.
    let dims: Vec<usize> = if dims.is_empty() { vec![] } else { dims.split(", ").map(|d| d.parse().ok()).collect::<Option<_>>()? };
    let kind = ReduceKind::from_name(name, param)?;
    Some(Op::Reduce { kind, dims, keepdim })
}

/// `[a, b, c]`, or `[a, b, c, d, e, f, ... N values]` for a literal shown in part
/// (the values not shown read back as zeros).
/// A constant of `full` or `literal`: an integer (an i64 node's exact value) when
/// the text has only digits after an optional sign, since a float always prints
/// with a `.`, an exponent, `inf` or `NaN`.
fn scalar(s: &str) -> Option<Scalar> {
    let s = s.trim();
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok().map(Scalar::Int);
    }
    s.parse::<f64>().ok().map(Scalar::float)
}

fn literal_values(p: &str) -> Option<Vec<Scalar>> {
    let inner = p.strip_prefix('[')?.strip_suffix(']')?;
    let (shown, count) = match inner.rsplit_once(", ... ") {
        Some((shown, count)) => (shown, Some(count.strip_suffix(" values")?.parse::<usize>().ok()?)),
        None => (inner, None),
    };
    let mut values: Vec<Scalar> = if shown.is_empty() { vec![] } else { shown.split(", ").map(scalar).collect::<Option<_>>()? };
    if let Some(n) = count {
        if n < values.len() {
            return None;
        }
        // Elided values read as zeros of the kind the shown ones have.
        let zero = if matches!(values.first(), Some(Scalar::Int(_))) { Scalar::Int(0) } else { Scalar::float(0.0) };
        values.resize(n, zero);
    }
    Some(values)
}

/// `none` or a dimension below 64: `prod_others`' dimension.
fn optional_dim(p: &str) -> Option<Option<usize>> {
    match p {
        "none" => Some(None),
        d => d.parse().ok().filter(|&d: &usize| d < 64).map(Some),
    }
}

/// `[2, 0, 1]`: a list of dimensions (at most 64, each below 64, so no text
/// makes a later stage allocate without bound).
pub(super) fn dims(p: &str) -> Option<Vec<usize>> {
    let inner = p.trim().strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim().is_empty() {
        return Some(vec![]);
    }
    let dims: Vec<usize> = inner.split(',').map(|d| d.trim().parse().ok().filter(|&d: &usize| d < 64)).collect::<Option<_>>()?;
    (dims.len() <= 64).then_some(dims)
}

/// The size a layer norm (`dims`) or a group norm (`groups`) prints first.
fn norm_key(name: &str) -> &'static str {
    if name.starts_with("layer_norm") {
        "dims"
    } else {
        "groups"
    }
}

/// A layer-norm or group-norm op of `part` from its printed size (`dims` or
/// `groups`) and `eps`.
fn norm(name: &str, size: &str, eps: &str, part: LayerNormPart) -> Option<Op> {
    let size: usize = size.parse().ok()?;
    if size == 0 || size >= 1 << 16 {
        return None;
    }
    let eps = F64Bits::new(eps.parse().ok()?);
    Some(if name.starts_with("layer_norm") {
        Op::LayerNorm(LayerNorm { dims: size, eps, part })
    } else {
        Op::GroupNorm(GroupNorm { groups: size, eps, part })
    })
}

/// A convolution of `part` from its printed geometry (`stride=1x1, padding=0x0,
/// dilation=1x1, groups=1`): strides, dilations and groups of at least 1.
fn conv([stride, padding, dilation, groups]: [&str; 4], part: ConvPart) -> Option<Op> {
    let (stride, dilation, groups): ([usize; 2], [usize; 2], usize) = (size_pair(stride)?, size_pair(dilation)?, groups.parse().ok()?);
    if stride.contains(&0) || dilation.contains(&0) || groups == 0 {
        return None;
    }
    Some(Op::Conv(Conv { stride, padding: size_pair(padding)?, dilation, groups, part }))
}

/// A (height, width) pair printed as `2x3`.
fn size_pair(t: &str) -> Option<[usize; 2]> {
    let (a, b) = t.split_once('x')?;
    Some([a.parse().ok()?, b.parse().ok()?])
}

/// The values of `key=value, ...` with exactly these keys, in order.
fn keyed_parts<'p, const N: usize>(p: &'p str, keys: [&str; N]) -> Option<[&'p str; N]> {
    let parts: Vec<&str> = p.split(',').map(str::trim).collect();
    if parts.len() != N {
        return None;
    }
    let mut out = [""; N];
    for (i, key) in keys.iter().enumerate() {
        out[i] = parts[i].strip_prefix(key)?.strip_prefix('=')?;
    }
    Some(out)
}

/// `dim=1, start=0, step=2`: integer parameters by name, in order, each below
/// 2^31 (so a sliced index or an operand count stays bounded).
fn keyed_ints<const N: usize>(p: &str, keys: [&str; N]) -> Option<[usize; N]> {
    let parts: Vec<&str> = p.split(',').map(str::trim).collect();
    if parts.len() != N {
        return None;
    }
    let mut out = [0usize; N];
    for (i, key) in keys.iter().enumerate() {
        let v: usize = parts[i].strip_prefix(key)?.strip_prefix('=')?.parse().ok()?;
        if v >= 1 << 31 {
            return None;
        }
        out[i] = v;
    }
    Some(out)
}

/// An [`Activation`] from its dump, `NAME(key=value, ...)` in the order of
/// [`Activation::params`], `none` for an absent clamp bound.
fn activation_from_text(name: &str, p: &str) -> Option<Activation> {
    // `hardswish()`: no parameters at all.
    let vals: Vec<Option<F64Bits>> = p
        .split(", ")
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (_, v) = kv.split_once('=')?;
            Some(if v == "none" { None } else { Some(F64Bits::new(v.trim().parse().ok()?)) })
        })
        .collect::<Option<Vec<_>>>()?;
    let get = |i: usize| vals.get(i).copied().flatten();
    Some(match (name, vals.len()) {
        ("clamp", 2) if get(0).is_some() || get(1).is_some() => Activation::Clamp { min: get(0), max: get(1) },
        ("hardtanh", 2) => Activation::Hardtanh { min: get(0)?, max: get(1)? },
        ("leaky_relu", 1) => Activation::LeakyRelu { slope: get(0)? },
        ("elu", 1) => Activation::Elu { alpha: get(0)? },
        ("softplus", 2) => Activation::Softplus { beta: get(0)?, threshold: get(1)? },
        ("round_decimals", 1) => Activation::RoundDecimals { decimals: get(0)? },
        ("py_round", 1) => Activation::PyRound { digits: get(0)? },
        ("hardsigmoid", 0) => Activation::Hardsigmoid,
        ("selu", 0) => Activation::Selu,
        ("celu", 1) => Activation::Celu { alpha: get(0)? },
        ("hardswish", 0) => Activation::Hardswish,
        ("softshrink", 1) => Activation::Softshrink { lambd: get(0)? },
        ("hardshrink", 1) => Activation::Hardshrink { lambd: get(0)? },
        ("threshold", 2) => Activation::Threshold { threshold: get(0)?, value: get(1)? },
        ("polygamma", 1) => Activation::Polygamma { n: get(0)? },
        _ => return None,
    })
}
