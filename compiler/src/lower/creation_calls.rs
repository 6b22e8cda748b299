//! Lowering of the creation builtins (`randn`, `zeros`, `full`, `arange`,
//! `linspace`, `tensor`, `ones_like`, ...) and `manual_seed`: their size and value
//! arguments, the `dtype=` and `requires_grad=` keywords, and the size limit.

use graphc_runtime::op::F64Bits;
use graphc_runtime::{DType, Op};

use super::builtin_calls::MAX_ELEMENTS;
use super::{HostKind, Lowerer, Num, Value};
use crate::check::builtins::{Bound, Builtin, NewFill};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::Effect;
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// A creation builtin or `manual_seed`, its arguments bound.
    pub(super) fn creation(&mut self, b: Builtin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        match b {
            Builtin::Randn | Builtin::Rand | Builtin::Zeros | Builtin::Ones => {
                let Some(shape) = self.shape_args(&bound.positional, name) else { return Value::Poison };
                if let Some((g, gs)) = bound.keyword("generator") {
                    return self.drawn_from_generator(b, g, gs, shape, bound, span);
                }
                let op = match b {
                    Builtin::Randn => Op::Randn,
                    Builtin::Rand => Op::Rand,
                    Builtin::Zeros => Op::Full(graphc_runtime::op::Scalar::float(0.0)),
                    _ => Op::Full(graphc_runtime::op::Scalar::float(1.0)),
                };
                self.create(op, shape, bound, DType::F32, span)
            }
            Builtin::Normal => self.normal(bound, span),
            Builtin::Full => {
                let mut pos = bound.positional.clone();
                let (value, vspan) = pos.pop().flatten().expect("bind guarantees one argument");
                // PyTorch infers the dtype from the fill value: `full((3,), 7)` is int64.
                let (v, default) = match value {
                    Value::Bool(b) => (Num::Int(b as i128), DType::Bool),
                    Value::Number(Num::Int(i)) => (Num::Int(i), DType::I64),
                    other => match self.number(&other, vspan, "the fill value") {
                        Some(v) => (Num::Float(v), DType::F32),
                        None => return Value::Poison,
                    },
                };
                let Some(shape) = self.shape_args(&pos, name) else { return Value::Poison };
                self.create(Op::Full(v.scalar()), shape, bound, default, span)
            }
            Builtin::Arange => self.arange(bound, span),
            Builtin::Eye => self.eye(bound, span),
            Builtin::Linspace => {
                let nums: Vec<Option<f64>> = (0..3).map(|i| self.positional_number(bound, i, "linspace's arguments")).collect();
                let (Some(start), Some(end), Some(steps)) = (nums[0], nums[1], nums[2]) else { return Value::Poison };
                let steps_span = bound.positional[2].as_ref().map(|p| p.1).unwrap_or(span);
                if steps < 0.0 || steps.fract() != 0.0 {
                    return self.error(
                        Diagnostic::new(Code::E0107, "`steps` must be a non-negative integer", steps_span, "not a count")
                            .with_help("write the number of points, such as `linspace(0, 1, 50)`"),
                    );
                }
                let op = Op::Linspace { start: F64Bits::new(start), end: F64Bits::new(end) };
                self.create(op, vec![steps as usize], bound, DType::F32, span)
            }
            Builtin::Tensor => self.tensor_literal(bound, span),
            // `x.new_tensor(data)`: `tensor(data)` in the receiver's dtype unless `dtype=` says otherwise.
            Builtin::NewTensor => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the receiver of `{name}`")) else { return Value::Poison };
                let mut data = Bound { positional: vec![bound.positional[1].clone()], keywords: bound.keywords.clone() };
                let dt = self.dtype_of(t);
                data.keywords.entry("dtype").or_insert((Value::DType(dt), span));
                self.tensor_literal(&mut data, span)
            }
            Builtin::OnesLike | Builtin::ZerosLike => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
                let fill = if b == Builtin::OnesLike { 1.0 } else { 0.0 };
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                self.create(Op::Full(graphc_runtime::op::Scalar::float(fill)), sh, bound, dt, span)
            }
            Builtin::FullLike => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
                let (value, fs) = bound.positional[1].clone().expect("bind guarantees fill_value");
                let fill = match value {
                    Value::Bool(b) => Num::Int(b as i128),
                    Value::Number(n) => n,
                    other => match self.number(&other, fs, "the fill value") {
                        Some(v) => Num::Float(v),
                        None => return Value::Poison,
                    },
                };
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                self.create(Op::Full(fill.scalar()), sh, bound, dt, span)
            }
            Builtin::New(fill) => {
                let mut pos = bound.positional.clone();
                let (v, vs) = pos.remove(0).expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the receiver of `{name}`")) else { return Value::Poison };
                let value = match fill {
                    NewFill::Zeros => Num::Float(0.0),
                    NewFill::Ones => Num::Float(1.0),
                    NewFill::Full => match pos.pop().flatten().expect("bind guarantees fill_value") {
                        (Value::Bool(b), _) => Num::Int(b as i128),
                        (Value::Number(n), _) => n,
                        (other, fs) => match self.number(&other, fs, "the fill value") {
                            Some(v) => Num::Float(v),
                            None => return Value::Poison,
                        },
                    },
                };
                let Some(shape) = self.shape_args(&pos, name) else { return Value::Poison };
                // The receiver gives the dtype, whatever the fill value's type.
                let dt = self.dtype_of(t);
                self.create(Op::Full(value.scalar()), shape, bound, dt, span)
            }
            Builtin::RandLike { normal } => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                // Named here, as the call was written: `create` would name `rand`.
                let made = match bound.keywords.get("dtype") {
                    Some((Value::DType(d), _)) => *d,
                    _ => dt,
                };
                if !made.is_float() {
                    return self.error(
                        Diagnostic::new(Code::E0204, format!("`{name}` does not make {made} tensors"), vs, format!("this is {dt}"))
                            .with_help(format!("draw floats: `{name}(x, dtype=float)`")),
                    );
                }
                self.create(if normal { Op::Randn } else { Op::Rand }, sh, bound, dt, span)
            }
            Builtin::ManualSeed => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees seed");
                self.seed_literals(vs);
                // PyTorch accepts seeds from -2^63 to 2^64 - 1 and keeps a negative one's
                // two's complement (`manual_seed(-1)` is `manual_seed(2**64 - 1)`,
                // torch/random.py); the seed is exact, never rounded through an f64.
                match v {
                    Value::Number(Num::Int(s)) if (i64::MIN as i128..=u64::MAX as i128).contains(&s) => {
                        self.prog.effects.push(Effect::Seed(if s < 0 { s as i64 as u64 } else { s as u64 }));
                        Value::None
                    }
                    Value::Number(Num::Int(s)) => self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!(
                                "this seed is out of range: a seed must be an integer from -2^63 to 2^64 - 1, as in PyTorch (which raises \"Overflow when unpacking long long\"), and it is {}",
                                // Beyond 2^64 - 1 a literal's value is only its f64's.
                                if s.unsigned_abs() <= u64::MAX as u128 + 1 { s.to_string() } else { "beyond 2^64".to_string() }
                            ),
                            vs,
                            "out of range",
                        )
                        .with_help("write a seed in that range, for example `manual_seed(0)`; seeds that differ by a multiple of 2^32 give the same draws, as in PyTorch"),
                    ),
                    other => self.error(
                        Diagnostic::new(Code::E0107, format!("the seed must be an integer, not {}", other.describe()), vs, "not a seed")
                            .with_help("write `manual_seed(0)`"),
                    ),
                }
            }
            // `call_builtin` sends only the builtins above here.
            Builtin::Unary(_)
            | Builtin::Pow
            | Builtin::Maximum
            | Builtin::Atan2
            | Builtin::Logaddexp
            | Builtin::Logaddexp2
            | Builtin::Hypot
            | Builtin::Heaviside
            | Builtin::Unfold
            | Builtin::Fold
            | Builtin::TensorUnfold
            | Builtin::Cdist
            | Builtin::Pdist
            | Builtin::LpPool { .. }
            | Builtin::InstanceNorm
            | Builtin::LocalResponseNorm
            | Builtin::ChannelShuffle
            | Builtin::Remainder
            | Builtin::Fmod
            | Builtin::Addc { .. }
            | Builtin::Minimum
            | Builtin::Sum
            | Builtin::Mean
            | Builtin::Amax
            | Builtin::Amin
            | Builtin::Aminmax
            | Builtin::Var
            | Builtin::Std
            | Builtin::VarMean
            | Builtin::LogSumExp
            | Builtin::Norm
            | Builtin::Cumsum
            | Builtin::Cumprod
            | Builtin::Logcumsumexp
            | Builtin::Softmax
            | Builtin::LogSoftmax
            | Builtin::Max
            | Builtin::Min
            | Builtin::Argmax
            | Builtin::Sort
            | Builtin::CumExtreme { .. }
            | Builtin::Argsort
            | Builtin::Topk
            | Builtin::Argmin
            | Builtin::Gather
            | Builtin::IndexSelect
            | Builtin::Narrow
            | Builtin::OneHot
            | Builtin::MseLoss
            | Builtin::L1Loss
            | Builtin::BinaryCrossEntropy
            | Builtin::BinaryCrossEntropyWithLogits
            | Builtin::CrossEntropy
            | Builtin::NllLoss
            | Builtin::SmoothL1Loss
            | Builtin::HuberLoss
            | Builtin::Linear
            | Builtin::Normalize
            | Builtin::LayerNorm
            | Builtin::Conv { .. }
            | Builtin::MaxPool { .. }
            | Builtin::BatchNorm
            | Builtin::AvgPool { .. }
            | Builtin::AdaptiveAvgPool { .. }
            | Builtin::AdaptiveMaxPool { .. }
            | Builtin::Pad
            | Builtin::CosineSimilarity
            | Builtin::KlDiv
            | Builtin::Dropout
            | Builtin::Dropout2d
            | Builtin::OtherDropout(_)
            | Builtin::Embedding
            | Builtin::EmbeddingBag
            | Builtin::Outer
            | Builtin::Lerp
            | Builtin::Glu
            | Builtin::ScaledDotProductAttention
            | Builtin::GumbelSoftmax
            | Builtin::Softsign
            | Builtin::Tanhshrink
            | Builtin::Softmin
            | Builtin::CompositeLoss(_)
            | Builtin::TripletMarginWithDistance
            | Builtin::PairwiseDistance
            | Builtin::Diff
            | Builtin::Frac
            | Builtin::Prelu
            | Builtin::PixelShuffle
            | Builtin::PixelUnshuffle
            | Builtin::Interpolate
            | Builtin::GridSample
            | Builtin::AffineGrid
            | Builtin::AddProduct(_)
            | Builtin::GroupNorm
            | Builtin::StdMean
            | Builtin::MatMul
            | Builtin::Transpose
            | Builtin::Shape(_)
            | Builtin::Mm
            | Builtin::T
            | Builtin::Backward
            | Builtin::Grad
            | Builtin::ZeroGrad
            | Builtin::Detach
            | Builtin::Print
            | Builtin::Plot
            | Builtin::Grid
            | Builtin::Legend
            | Builtin::XLabel
            | Builtin::YLabel
            | Builtin::Title
            | Builtin::SaveFig
            | Builtin::Figure(_)
            | Builtin::Surrogate => unreachable!("`{name}` is not a creation builtin"),
            Builtin::Compare(_)
            | Builtin::Where
            | Builtin::MaskedFill
            | Builtin::Logical(_)
            | Builtin::FloatTest(_)
            | Builtin::NanToNum
            | Builtin::Activation(_)
            | Builtin::Cast(_)
            | Builtin::To
            | Builtin::Data(_)
            | Builtin::ClipGrad(_)
            | Builtin::Init(_) => unreachable!("`{name}` is not a creation builtin"),
            Builtin::Gelu
            | Builtin::Prod
            | Builtin::AllAny { .. }
            | Builtin::Equal
            | Builtin::IsClose { .. }
            | Builtin::Xlogy
            | Builtin::Xlog1py
            | Builtin::MultiMarginLoss
            | Builtin::MultilabelMarginLoss
            | Builtin::Mvlgamma
            | Builtin::Bilinear
            | Builtin::MaxUnpool { .. }
            | Builtin::Trapezoid { .. }
            | Builtin::Cov
            | Builtin::Corrcoef
            | Builtin::Entr
            | Builtin::Ndtr
            | Builtin::Isin
            | Builtin::Ldexp
            | Builtin::Vander
            | Builtin::Take
            | Builtin::IndexFill
            | Builtin::IndexCopy
            | Builtin::Polygamma
            | Builtin::NanReduction(_)
            | Builtin::Scatter
            | Builtin::ScatterAdd
            | Builtin::IndexAdd
            | Builtin::ScatterReduce
            | Builtin::Tril
            | Builtin::Triu
            | Builtin::Diag
            | Builtin::Diagonal
            | Builtin::Trace
            | Builtin::Angle { .. }
            | Builtin::RepeatInterleave
            | Builtin::Cross { .. }
            | Builtin::Tensordot
            | Builtin::Search { .. }
            | Builtin::Logit
            | Builtin::Copysign
            | Builtin::Kron
            | Builtin::VecProduct(_)
            | Builtin::VectorNorm
            | Builtin::LinalgNorm { .. }
            | Builtin::Median { .. }
            | Builtin::Fmax { .. }
            | Builtin::Signbit
            | Builtin::RmsNorm
            | Builtin::TriIndices { .. }
            | Builtin::CartesianProd
            | Builtin::Combinations
            | Builtin::Rot90
            | Builtin::BlockDiag
            | Builtin::TakeAlongDim
            | Builtin::DiagEmbed
            | Builtin::LogicalXor
            | Builtin::Dist
            | Builtin::FloatPower
            | Builtin::Sgn
            | Builtin::Kthvalue
            | Builtin::Quantile { .. } => unreachable!("`{name}` is not a creation builtin"),
        }
    }

    /// `tensor(data, dtype=..., requires_grad=...)`: the listed values, as
    /// PyTorch makes them (integers i64, booleans bool, any float f32).
    fn tensor_literal(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let (data, dspan) = bound.positional[0].clone().expect("bind guarantees data");
        if holds_host(&data) {
            return self.tensor_of_host_numbers(&data, dspan, bound, span);
        }
        let mut leaves = Vec::new();
        let Some(shape) = self.host_literal_shape(&data, dspan, &mut leaves) else { return Value::Poison };
        let number = |(v, _): (Value, Span)| match v {
            Value::Number(n) => n,
            Value::Bool(b) => Num::Int(b as i128),
            _ => unreachable!("a literal without run-time numbers holds numbers and bools"),
        };
        let op = Op::Literal(leaves.into_iter().map(number).map(Num::scalar).collect());
        // As PyTorch: all integers make int64, all booleans bool, any float f32.
        let default = crate::check::promotion::default_dtype(literal_category(&data));
        self.create(op, shape, bound, default, span)
    }

    fn positional_number(&mut self, bound: &Bound<Value>, i: usize, what: &str) -> Option<f64> {
        let (v, s) = bound.positional.get(i).cloned().flatten()?;
        self.number(&v, s, what)
    }

    /// Shape arguments: integers (`randn(2, 3)`), one list (`randn([2, 3])`),
    /// one tuple (`randn((2, 3))`, `full((), 3.0)` for a 0-d tensor) or one
    /// shape (`ones(y.size())`, `zeros(x.shape)`).
    fn shape_args(&mut self, args: &[Option<(Value, Span)>], name: &str) -> Option<Vec<usize>> {
        let items: Vec<(Value, Span)> = match args {
            [Some((Value::List(items) | Value::Tuple(items), _))] => items.clone(),
            [Some((Value::Size(dims), _))] => return Some(dims.clone()),
            _ => args.iter().flatten().cloned().collect(),
        };
        let mut shape = Vec::new();
        for (v, s) in items {
            match v {
                Value::Number(Num::Int(d)) if d >= 0 => shape.push(usize::try_from(d).unwrap_or(usize::MAX)),
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("a dimension of `{name}` must be a non-negative integer, not {}", other.describe()),
                            s,
                            "not a size",
                        )
                        .with_help(format!("write sizes as integers, such as `{name}(2, 3)`")),
                    );
                    return None;
                }
            }
        }
        Some(shape)
    }

    /// `eye(n, m=none)`: an n x m (n x n) matrix with ones where the row equals
    /// the column, made of the op table's rows (`arange(n)[:, None] ==
    /// arange(m)`, converted to the dtype), so it needs no op of its own. With
    /// `requires_grad=true` the matrix is a leaf, as `requires_grad_` makes one.
    fn eye(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let sizes: Vec<Option<(Value, Span)>> = bound.positional.iter().filter(|p| !matches!(p, Some((Value::None, _)))).cloned().collect();
        let Some(mut shape) = self.shape_args(&sizes, "eye") else { return Value::Poison };
        if shape.len() == 1 {
            shape.push(shape[0]);
        }
        let Some((dtype, requires_grad)) = self.creation_keywords("eye", false, bound, DType::F32, span) else { return Value::Poison };
        if !self.size_allowed(&shape, span) || (requires_grad && !self.check_requires_grad(dtype, span)) {
            return Value::Poison;
        }
        let (n, m) = (shape[0], shape[1]);
        let int = |i: i64| Num::Int(i as i128).scalar();
        let rows = self.node(Op::Arange { start: int(0), step: int(1) }, DType::I64, vec![n], &[], span);
        let rows = self.node(Op::Reshape, DType::I64, vec![n, 1], &[rows], span);
        let cols = self.node(Op::Arange { start: int(0), step: int(1) }, DType::I64, vec![m], &[], span);
        let eq = self.node(Op::Compare(graphc_runtime::op::Cmp::Eq), DType::Bool, vec![n, m], &[rows, cols], span);
        let out = self.cast_to(eq, dtype, span);
        if !requires_grad {
            return Value::Tensor(out);
        }
        let leaf = self.node(Op::Unary(graphc_runtime::op::Unary::Detach), dtype, vec![n, m], &[out], span);
        self.make_leaf(leaf, true);
        Value::Tensor(leaf)
    }

    /// `normal(mean, std, size)` as PyTorch's `normal_` fills it: each standard
    /// normal of `randn` (the same draws from the generator) times `std` plus
    /// `mean`, rounded once (`normal_fill_16_AVX2`'s fused multiply-add, and
    /// GCC's contraction of the scalar kernels). Below 16 elements PyTorch draws
    /// each in double and rounds to the dtype after the multiply-add, so those
    /// are computed in f64 and converted; `tests/programs/torch/normal.py`
    /// holds the bits to PyTorch's.
    fn normal(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let (Some(mean), Some(std)) = (self.positional_number(bound, 0, "`normal`'s mean"), self.positional_number(bound, 1, "`normal`'s std"))
        else {
            return Value::Poison;
        };
        let std_span = bound.positional[1].as_ref().map_or(span, |p| p.1);
        // PyTorch's own check and message (`normal_` in `DistributionTemplates.h`).
        if std < 0.0 || !std.is_finite() || !mean.is_finite() {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("normal expects std >= 0.0 and a finite mean and std, but found mean {mean} and std {std}"),
                    std_span,
                    "not a standard deviation",
                )
                .with_help("pass a finite mean and a non-negative, finite std"),
            );
        }
        let shape = match bound.positional[2].clone() {
            Some((Value::Size(dims), _)) => dims,
            Some(size) => match self.shape_args(&[Some(size)], "normal") {
                Some(shape) => shape,
                None => return Value::Poison,
            },
            None => return Value::Poison,
        };
        let Some((dtype, requires_grad)) = self.creation_keywords("normal", true, bound, DType::F32, span) else { return Value::Poison };
        if !self.size_allowed(&shape, span) || (requires_grad && !self.check_requires_grad(dtype, span)) {
            return Value::Poison;
        }
        let out = self.normal_values((mean, span), (std, std_span), shape, dtype, span);
        self.make_leaf(out, requires_grad);
        Value::Tensor(out)
    }

    /// The samples `normal` and `x.normal_(mean, std)` draw (see [`Self::normal`]).
    pub(super) fn normal_values(&mut self, (mean, ms): (f64, Span), (std, ss): (f64, Span), shape: Vec<usize>, dtype: DType, span: Span) -> NodeId {
        let small = shape.iter().product::<usize>() < 16;
        let work = if small { DType::F64 } else { dtype };
        let z = self.node(Op::Randn, work, shape.clone(), &[], span);
        let (s, m) = (self.scalar(std, work, ss), self.scalar(mean, work, ms));
        let out = self.node(Op::Fma, work, shape, &[z, s, m], span);
        if work != dtype {
            self.cast_to(out, dtype, span)
        } else {
            out
        }
    }

    /// The `dtype=` and `requires_grad=` keywords of a creation call; `random`
    /// calls make floating-point tensors only.
    fn creation_keywords(&mut self, name: &str, random: bool, bound: &mut Bound<Value>, default: DType, span: Span) -> Option<(DType, bool)> {
        let (dtype, dtype_span) = match bound.keyword("dtype") {
            None => (default, span),
            Some((Value::DType(d), s)) => (d, s),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`dtype` must be a dtype, not {}", other.describe()), s, "not a dtype")
                        .with_help("write `dtype=f32`, `dtype=f64`, `dtype=i64` or `dtype=bool`"),
                );
                return None;
            }
        };
        // Random draws and evenly spaced points are floating-point only here.
        if random && !dtype.is_float() {
            self.error(
                Diagnostic::new(Code::E0204, format!("`{name}` does not make {dtype} tensors"), dtype_span, format!("this is {dtype}"))
                    .with_help("use `dtype=f32` or `dtype=f64`, then convert with `.long()` or `.bool()` if needed"),
            );
            return None;
        }
        let requires_grad = match bound.keyword("requires_grad") {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`requires_grad` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help("write `requires_grad=true`"),
                );
                return None;
            }
        };
        match bound.keyword("device") {
            None => {}
            Some((Value::Str(d), s)) if self.cpu_device(&d, s) => {}
            Some((Value::Str(_), _)) => return None,
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`device` must be a device name, not {}", other.describe()), s, "not a device")
                        .with_help("write `device=\"cpu\"`"),
                );
                return None;
            }
        }
        Some((dtype, requires_grad))
    }

    /// Whether a tensor of `shape` is within graphc's element limit (E0202 otherwise).
    pub(super) fn size_allowed(&mut self, shape: &[usize], span: Span) -> bool {
        let n: u128 = shape.iter().map(|&d| d as u128).product();
        if n > MAX_ELEMENTS {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("a tensor of shape {} has {n} elements, more than graphc allows ({MAX_ELEMENTS})", shapes::show(shape)),
                    span,
                    "too large",
                )
                .with_help("use a smaller shape"),
            );
            return false;
        }
        true
    }

    /// Makes a created tensor a leaf that requires grad, when asked to.
    fn make_leaf(&mut self, id: crate::ir::graph::NodeId, requires_grad: bool) {
        if requires_grad {
            self.prog.graph.meta_mut(id).requires_grad = true;
            self.prog.leaves.push(id);
            self.grad_state.insert(id, None);
        }
    }

    /// Finishes a creation call: `dtype=` and `requires_grad=` keywords, size limit, leaf bookkeeping.
    /// `randn(..., generator=g)` and `rand(...)`: drawn now from the program's
    /// generator `g` (`generators.rs`), as a constant leaf.
    fn drawn_from_generator(&mut self, b: Builtin, g: Value, gs: Span, shape: Vec<usize>, bound: &mut Bound<Value>, span: Span) -> Value {
        let Some(k) = self.generator_arg(g, gs) else { return Value::Poison };
        let op = if b == Builtin::Randn { Op::Randn } else { Op::Rand };
        let Some((dtype, requires_grad)) = self.creation_keywords(op.name(), true, bound, DType::F32, span) else { return Value::Poison };
        if !self.size_allowed(&shape, span) || (requires_grad && !self.check_requires_grad(dtype, span)) || !self.generator_may_draw(gs) {
            return Value::Poison;
        }
        let drawn = if b == Builtin::Randn { self.generators[k].randn(dtype, &shape) } else { self.generators[k].rand(dtype, &shape) };
        let id = self.literal_of(&drawn, span);
        self.make_leaf(id, requires_grad);
        Value::Tensor(id)
    }

    fn create(&mut self, op: Op, shape: Vec<usize>, bound: &mut Bound<Value>, default: DType, span: Span) -> Value {
        let random = matches!(op, Op::Randn | Op::Rand | Op::Linspace { .. });
        let Some((dtype, requires_grad)) = self.creation_keywords(op.name(), random, bound, default, span) else { return Value::Poison };
        if !self.size_allowed(&shape, span) || (requires_grad && !self.check_requires_grad(dtype, span)) {
            return Value::Poison;
        }
        // Constants are stored as the dtype holds them: exact integers for i64.
        let op = match op {
            Op::Full(c) => Op::Full(c.for_dtype(dtype)),
            Op::Literal(cs) => Op::Literal(cs.into_iter().map(|c| c.for_dtype(dtype)).collect()),
            op => op,
        };
        let id = self.node(op, dtype, shape, &[], span);
        self.make_leaf(id, requires_grad);
        Value::Tensor(id)
    }

    fn arange(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let given: Vec<Option<f64>> = (0..3).map(|i| self.positional_number(bound, i, "arange's arguments")).collect();
        if bound.positional.iter().flatten().any(|(v, _)| !matches!(v, Value::Number(_))) {
            return Value::Poison;
        }
        let count = bound.positional.iter().flatten().count();
        let (start, end, step) = match count {
            1 => (0.0, given[0].unwrap_or(0.0), 1.0),
            2 => (given[0].unwrap_or(0.0), given[1].unwrap_or(0.0), 1.0),
            _ => (given[0].unwrap_or(0.0), given[1].unwrap_or(0.0), given[2].unwrap_or(1.0)),
        };
        if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
            return self.error(
                Diagnostic::new(Code::E0107, "arange needs finite bounds and a non-zero step", span, "invalid range")
                    .with_help("write `arange(start, end, step)` with step != 0"),
            );
        }
        // PyTorch: size = ceil((end - start) / step), computed in double.
        let size = ((end - start) / step).ceil();
        if size < 0.0 {
            return self.arange_backwards(start, end, step, span);
        }
        // PyTorch's arange makes int64 when every argument given is an integer.
        let ints: Vec<i128> =
            bound.positional.iter().flatten().filter_map(|(v, _)| if let Value::Number(Num::Int(i)) = v { Some(*i) } else { None }).collect();
        let all_int = ints.len() == count;
        let default = if all_int { DType::I64 } else { DType::F32 };
        let int64 = all_int && matches!(bound.keywords.get("dtype"), None | Some((Value::DType(DType::I64), _)));
        if int64 {
            // An int64 arange of integers counts in int64, exactly (PyTorch's
            // `compute_arange_size`): f64 would lose the count past 2^53.
            let (start, end, step) = match ints[..] {
                [end] => (0, end, 1),
                [start, end] => (start, end, 1),
                [start, end, step, ..] => (start, end, step),
                [] => (0, 0, 1),
            };
            let size = (end - start + step - step.signum()) / step;
            if size < 0 {
                return self.arange_backwards(start, end, step, span);
            }
            let op = Op::Arange { start: Num::Int(start).scalar(), step: Num::Int(step).scalar() };
            return self.create(op, vec![usize::try_from(size).unwrap_or(usize::MAX)], bound, default, span);
        }
        let op = Op::Arange { start: graphc_runtime::op::Scalar::float(start), step: graphc_runtime::op::Scalar::float(step) };
        self.create(op, vec![size as usize], bound, default, span)
    }

    /// `tensor(losses)` where some numbers are known at run time only (`loss.item()`
    /// appended in a loop): each element a 0-d node of the literal's dtype, as
    /// `torch.tensor` converts each Python number, joined in order.
    fn tensor_of_host_numbers(&mut self, data: &Value, dspan: Span, bound: &mut Bound<Value>, span: Span) -> Value {
        let mut leaves = Vec::new();
        let Some(shape) = self.host_literal_shape(data, dspan, &mut leaves) else { return Value::Poison };
        let default = crate::check::promotion::default_dtype(literal_category(data));
        let Some((dtype, requires_grad)) = self.creation_keywords("tensor", false, bound, default, span) else { return Value::Poison };
        if !self.size_allowed(&shape, span) || (requires_grad && !self.check_requires_grad(dtype, span)) {
            return Value::Poison;
        }
        let Some(id) = self.numbers_tensor(leaves, shape, dtype, span) else { return Value::Poison };
        self.make_leaf(id, requires_grad);
        Value::Tensor(id)
    }

    /// A list of numbers, some known at run time only, as a tensor of `dtype`
    /// (`plot(losses)`: matplotlib reads a list as an array of floats).
    pub(super) fn list_as_tensor(&mut self, data: &Value, dspan: Span, dtype: DType) -> Option<NodeId> {
        let mut leaves = Vec::new();
        // A 0-d tensor is a number to matplotlib, as the 0-d arrays of
        // `losses.append(loss.detach().numpy())` are.
        let data = self.zero_d_as_numbers(data);
        let shape = self.host_literal_shape(&data, dspan, &mut leaves)?;
        if !self.size_allowed(&shape, dspan) {
            return None;
        }
        self.numbers_tensor(leaves, shape, dtype, dspan)
    }

    /// `v` with each 0-d tensor in it (in nested lists and tuples) read as the
    /// run-time number it holds.
    fn zero_d_as_numbers(&self, v: &Value) -> Value {
        match v {
            Value::List(items) => Value::List(items.iter().map(|(i, s)| (self.zero_d_as_numbers(i), *s)).collect()),
            Value::Tuple(items) => Value::Tuple(items.iter().map(|(i, s)| (self.zero_d_as_numbers(i), *s)).collect()),
            Value::Tensor(t) if self.shape_of(*t).is_empty() => {
                let kind = match self.dtype_of(*t) {
                    DType::Bool => HostKind::Bool,
                    DType::I64 => HostKind::Int,
                    _ => HostKind::Float,
                };
                Value::Host { node: *t, kind }
            }
            other => other.clone(),
        }
    }

    /// The numbers `leaves`, each converted to `dtype`, joined into a tensor of `shape`.
    fn numbers_tensor(&mut self, leaves: Vec<(Value, Span)>, shape: Vec<usize>, dtype: DType, span: Span) -> Option<NodeId> {
        let mut parts = Vec::with_capacity(leaves.len());
        for (v, s) in leaves {
            let one = match v {
                Value::Host { node, .. } => self.cast_to(node, dtype, s),
                Value::Number(n) => self.scalar_num(n, dtype, s),
                Value::Bool(b) => self.scalar_num(Num::Int(b as i128), dtype, s),
                _ => return None,
            };
            parts.push(self.node(Op::Reshape, dtype, vec![1], &[one], s));
        }
        let n = parts.len();
        let flat = match n {
            0 => self.node(Op::Literal(Vec::new()), dtype, vec![0], &[], span),
            1 => parts[0],
            _ => self.node(Op::Cat { dim: 0, n }, dtype, vec![n], &parts, span),
        };
        Some(self.node(Op::Reshape, dtype, shape, &[flat], span))
    }

    /// The shape of a (nested) list or tuple of numbers, some of which may be
    /// run-time ones, collecting them in order.
    fn host_literal_shape(&mut self, v: &Value, span: Span, out: &mut Vec<(Value, Span)>) -> Option<Vec<usize>> {
        match v {
            Value::List(items) | Value::Tuple(items) => {
                let mut inner: Option<Vec<usize>> = None;
                for (item, s) in items {
                    let sh = self.host_literal_shape(item, *s, out)?;
                    if inner.as_ref().is_some_and(|prev| *prev != sh) {
                        let prev = inner.unwrap_or_default();
                        self.error(
                            Diagnostic::new(
                                Code::E0202,
                                format!("this row has shape {} but the first has {}", shapes::show(&sh), shapes::show(&prev)),
                                *s,
                                "ragged row",
                            )
                            .with_help("every row of a tensor literal needs the same length"),
                        );
                        return None;
                    }
                    inner = Some(sh);
                }
                let mut shape = vec![items.len()];
                shape.extend(inner.unwrap_or_default());
                Some(shape)
            }
            Value::Host { .. } | Value::Number(_) | Value::Bool(_) => {
                out.push((v.clone(), span));
                Some(vec![])
            }
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("a tensor literal holds numbers, not {}", other.describe()), span, "not a number")
                        .with_help("write `tensor([1.0, 2.0])`"),
                );
                None
            }
        }
    }

    /// E0107 for an `arange` whose step points away from its end: one message
    /// for the float count and the exact int64 count.
    fn arange_backwards(&mut self, start: impl std::fmt::Display, end: impl std::fmt::Display, step: impl std::fmt::Display, span: Span) -> Value {
        self.error(
            Diagnostic::new(
                Code::E0107,
                format!("arange from {start} to {end} with step {step} goes the wrong way"),
                span,
                "empty or backwards range",
            )
            .with_help("make the step's sign match the direction from start to end"),
        )
    }
}

/// The highest category among a literal's elements (bool < integer < float), which
/// decides its dtype as in `torch.tensor`; an empty literal is float.
fn literal_category(v: &Value) -> crate::check::promotion::Category {
    use crate::check::promotion::Category;
    match v {
        Value::Bool(_) | Value::Host { kind: HostKind::Bool, .. } => Category::Bool,
        Value::Number(Num::Int(_)) | Value::Host { kind: HostKind::Int, .. } => Category::Integer,
        Value::List(items) | Value::Tuple(items) if !items.is_empty() => {
            items.iter().map(|(i, _)| literal_category(i)).max().unwrap_or(Category::Float)
        }
        _ => Category::Float,
    }
}

/// Whether a (nested) list holds a number known at run time only.
fn holds_host(v: &Value) -> bool {
    match v {
        Value::Host { .. } => true,
        Value::List(items) | Value::Tuple(items) => items.iter().any(|(i, _)| holds_host(i)),
        _ => false,
    }
}
