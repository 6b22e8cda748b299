//! The closed instruction set shared by the compiler's graph IR and the runtime.
//!
//! Every node of the IR carries one [`Op`]; the runtime evaluates exactly these.
//! Each variant's doc line gives its operands (in edge order) and its shape rule.
//! The result's dtype and shape are not stored here: they live on the IR node
//! (and on the plan's value table), because they are known statically.
//! Floating-point parameters are stored as `f64` bit patterns ([`F64Bits`]) so that
//! the enum can be `Eq + Hash`, which common-subexpression elimination needs. The
//! constants of `full`, `literal` and `arange` are [`Scalar`]s: an i64 node holds
//! its integers exactly, since an f64 holds integers only up to 2^53.
//!
//! The elementwise ops of one or two operands are declared by the tables in
//! [`unary`] and [`binary`], one row per op; `Op`'s methods read those rows for
//! the two families and spell out the few parameterised ops here.
//!
//! Numerics follow PyTorch's CPU kernels operation for operation (see
//! `kernels/`), so that graphc prints the same numbers PyTorch does.

pub mod activation;
mod avg_pool;
mod binary;
mod cephes;
mod conv;
mod data;
mod erfcx;
mod grid_sample;
mod group_norm;
mod index;
mod layer_norm;
mod loss;
mod reduce;
mod unary;
mod upsample;

use std::fmt;

pub use activation::Activation;
pub use avg_pool::{AvgPool, AvgPoolPart, PoolWindows, Span1};
pub use binary::Binary;
pub use conv::{Conv, ConvPart};
pub use data::DataOp;
pub use grid_sample::{GridMode, GridPadding, GridSample, GridSamplePart};
pub use group_norm::GroupNorm;
pub use index::{IndexOp, MaxPool, ScatterReduce};
pub use layer_norm::{LayerNorm, LayerNormPart};
pub use loss::{LossKind, LossReduction};
pub use reduce::{reduced_shape, ReduceKind};
pub use unary::Unary;
pub use unary::GELU_TANH_BETA;
pub use upsample::{Upsample, UpsamplePart};

/// An `f64` stored by its bits, so that ops holding constants are `Eq + Hash`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct F64Bits(pub u64);

impl F64Bits {
    pub fn new(v: f64) -> F64Bits {
        F64Bits(v.to_bits())
    }
    pub fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl fmt::Debug for F64Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.get())
    }
}

impl fmt::Display for F64Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.get())
    }
}

/// The constant of a `full` or `literal` node. An i64 node holds its integer
/// exactly, since an f64 holds integers only up to 2^53 and PyTorch's int64
/// tensors hold every value to 2^63 - 1; float and bool nodes hold an f64.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    Float(F64Bits),
    Int(i64),
}

impl Scalar {
    pub fn float(v: f64) -> Scalar {
        Scalar::Float(F64Bits::new(v))
    }

    /// `v` as the constant of a node of `dtype`: an exact integer for i64 (`v`
    /// truncated toward zero, saturating), an f64 otherwise.
    pub fn of(v: f64, dtype: crate::DType) -> Scalar {
        if dtype == crate::DType::I64 {
            Scalar::Int(v as i64)
        } else {
            Scalar::float(v)
        }
    }

    /// This constant as a node of `dtype` holds it: an exact integer for i64 (a
    /// float truncated toward zero, as PyTorch converts it), an f64 otherwise.
    pub fn for_dtype(self, dtype: crate::DType) -> Scalar {
        match (self, dtype) {
            (_, crate::DType::I64) => Scalar::Int(self.get_i64()),
            (Scalar::Float(_), _) => self,
            (Scalar::Int(i), _) => Scalar::float(i as f64),
        }
    }

    /// The value as an f64 (the nearest one, for an integer beyond 2^53).
    pub fn get(self) -> f64 {
        match self {
            Scalar::Float(v) => v.get(),
            Scalar::Int(i) => i as f64,
        }
    }

    /// The value as an i64: exact for an integer, truncated toward zero
    /// (saturating) for a float.
    pub fn get_i64(self) -> i64 {
        match self {
            Scalar::Float(v) => v.get() as i64,
            Scalar::Int(i) => i,
        }
    }
}

/// Floats print as [`F64Bits`] does (always with a `.`, an exponent, `inf` or
/// `NaN`), integers without, so the IR reader tells them apart by the text.
impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Float(v) => write!(f, "{v}"),
            Scalar::Int(i) => write!(f, "{i}"),
        }
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A comparison, used by [`Op::Where`] and [`Op::Compare`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Lt,
    Le,
    Eq,
    Gt,
    Ge,
    Ne,
}

impl Cmp {
    /// Every comparison, in the order above.
    pub const ALL: [Cmp; 6] = [Cmp::Lt, Cmp::Le, Cmp::Eq, Cmp::Gt, Cmp::Ge, Cmp::Ne];

    /// The operator `.act` and Python write (`<`, `!=`, ...).
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Eq => "==",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Ne => "!=",
        }
    }

    /// PyTorch's function and method name (`torch.lt`, `x.ne(y)`).
    pub fn builtin_name(self) -> &'static str {
        match self {
            Cmp::Lt => "lt",
            Cmp::Le => "le",
            Cmp::Eq => "eq",
            Cmp::Gt => "gt",
            Cmp::Ge => "ge",
            Cmp::Ne => "ne",
        }
    }

    /// The comparison of two values, as C++'s operators compare them: any
    /// comparison with NaN is false, except `!=`, which is true.
    #[inline(always)]
    pub fn test<T: PartialOrd>(self, p: T, q: T) -> bool {
        match self {
            Cmp::Lt => p < q,
            Cmp::Le => p <= q,
            Cmp::Eq => p == q,
            Cmp::Gt => p > q,
            Cmp::Ge => p >= q,
            Cmp::Ne => p != q,
        }
    }
}

/// A logical operation on bool tensors (`logical_and`, `logical_or`, `logical_not`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Logical {
    And,
    Or,
    Not,
}

/// A test of each element of a tensor that gives a bool tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatTest {
    /// `isnan`.
    IsNan,
    /// `isfinite`: neither infinite nor NaN.
    IsFinite,
    /// `isinf`: positive or negative infinity.
    IsInf,
    /// `isposinf`.
    IsPosInf,
    /// `isneginf`.
    IsNegInf,
}

impl FloatTest {
    /// Every test, for the IR reader.
    pub const ALL: [FloatTest; 5] = [FloatTest::IsNan, FloatTest::IsFinite, FloatTest::IsInf, FloatTest::IsPosInf, FloatTest::IsNegInf];

    /// The builtin's (and the IR's) name.
    pub fn name(self) -> &'static str {
        match self {
            FloatTest::IsNan => "isnan",
            FloatTest::IsFinite => "isfinite",
            FloatTest::IsInf => "isinf",
            FloatTest::IsPosInf => "isposinf",
            FloatTest::IsNegInf => "isneginf",
        }
    }

    /// The test of one value (an integer or bool, converted, is never NaN and
    /// never infinite).
    pub fn holds(self, x: f64) -> bool {
        match self {
            FloatTest::IsNan => x.is_nan(),
            FloatTest::IsFinite => x.is_finite(),
            FloatTest::IsInf => x.is_infinite(),
            FloatTest::IsPosInf => x == f64::INFINITY,
            FloatTest::IsNegInf => x == f64::NEG_INFINITY,
        }
    }
}

/// One instruction. Operands are the node's incoming edges, in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    // ---- sources: no operands ----
    /// `full`: every element is the value (rounded to the node's dtype); any shape.
    /// Number literals are 0-d `Full` nodes (PyTorch's wrapped numbers).
    Full(Scalar),
    /// `tensor([...])`: the listed values in row-major order, rounded to the dtype.
    Literal(Vec<Scalar>),
    /// `arange(start, end, step)`: element i is `start + step * i` computed in f64,
    /// then rounded to the dtype (PyTorch's CPU kernel accumulates in double);
    /// an i64 arange computes in int64, as PyTorch's integer kernel. 1-D.
    Arange { start: Scalar, step: Scalar },
    /// `linspace(start, end, steps)`: PyTorch's two-sided formula
    /// (`start + step*i` for the first half, `end - step*(n-1-i)` for the rest,
    /// `step = (end - start) / (n - 1)`), computed in the dtype. 1-D.
    Linspace { start: F64Bits, end: F64Bits },
    /// `randn`: standard normals from the generator, PyTorch's CPU algorithm. Effectful:
    /// it advances the generator, so it is never merged, removed or reordered.
    Randn,
    /// `rand`: uniforms in [0, 1) from the generator, PyTorch's CPU algorithm. Effectful as `Randn`.
    Rand,
    /// A value bound from outside: parameter `k` of an op's backward template, or a
    /// gradient contribution that autodiff fills in. Never reaches the runtime.
    Param(u32),
    /// `input NAME: DTYPE[DIMS]`: the `k`-th declared program input, bound from
    /// outside before the run ([`crate::plan::Plan::inputs`]). Like a random draw it
    /// is never folded or merged: its value is unknown at compile time.
    Input(u32),
    /// A source that reads a file or draws random integers ([`DataOp`]): `load`,
    /// `randperm`, `randint`. Effectful as `Randn`.
    Data(DataOp),
    /// Output `output` of the structured region `region` (a loop) of the program:
    /// the value the region leaves after its last iteration. The runtime's loop
    /// step writes it; like an input, it is never folded or merged.
    RegionOutput { region: u32, output: u32 },

    // ---- elementwise, one operand, shape preserved ----
    /// An op of the [`Unary`] table (`neg`, `exp`, `tanh`, `detach`, ...).
    Unary(Unary),
    /// `x ** c` for a literal exponent `c`, with PyTorch's special cases:
    /// c = 0 gives ones, 1 a copy, 2 `x*x`, 3 `x*x*x`, 0.5 `sqrt`, -0.5 `1/sqrt`,
    /// -1 `1/x`, -2 `1/(x*x)`, otherwise `pow(x as f64, c) as dtype`.
    PowScalar(F64Bits),
    /// An op of the [`Activation`] family (`clamp`, `elu`, `softplus`, ...): one
    /// float operand, scalar parameters held by the variant.
    Activation(Activation),

    // ---- elementwise, two operands, NumPy broadcasting to the node's shape ----
    /// An op of the [`Binary`] table (`add`, `mul`, `maximum`, `tanh_backward`, ...).
    Binary(Binary),

    // ---- selection, four operands broadcast to the node's shape ----
    /// `where(a CMP b, x, y)`: operands `a, b, x, y`. Used by derivative rules
    /// (relu, maximum, minimum, pow) that PyTorch writes with `where`/`masked_fill`.
    Where(Cmp),

    // ---- dtype conversions and masks: operands of other dtypes than the result ----
    /// `x.to(dtype)`, `.long()`, `.double()`, ...: each element converted to the
    /// node's dtype as C++'s `static_cast` does (floats to i64 truncate toward
    /// zero, any nonzero value to `true`, `true` to 1).
    Cast,
    /// `a CMP b`: operands of one dtype broadcast to the node's shape; a bool result.
    Compare(Cmp),
    /// `where(cond, x, y)`: operands `cond` (bool), `x` and `y` (the node's dtype),
    /// broadcast to the node's shape. Element i is `x` where `cond` holds, else `y`.
    Select,
    /// `logical_and`, `logical_or` (two bool operands, broadcast) and `logical_not` (one).
    Logical(Logical),
    /// `isnan`, `isfinite`: one operand of any dtype; a bool result.
    FloatTest(FloatTest),
    /// `nan_to_num(x, nan, posinf, neginf)`: NaN, +inf and -inf replaced by the
    /// values (the compiler fills in PyTorch's defaults: 0 and the dtype's
    /// largest and lowest finite values), converted to the node's float dtype.
    NanToNum { nan: F64Bits, posinf: F64Bits, neginf: F64Bits },
    /// An op of [`IndexOp`]: `argmax`/`argmin`, `gather` and its gradient, whose
    /// indices are i64 results or operands.
    Index(IndexOp),
    /// `a * b + c` rounded once (C's `fma`): operands `a, b, c` of the node's float
    /// dtype, broadcast to its shape. PyTorch's CPU kernels for `add(alpha=)`,
    /// `lerp` and `addcmul` are fused multiply-adds, which the optimizers'
    /// updates reproduce with it, and so are `batch_norm`'s outputs; its
    /// gradients are those of `a * b + c` (no `grad_fn` of its own: the node
    /// that makes one is labelled by the op it stands for).
    Fma,

    // ---- shape ----
    /// Broadcast the operand to the node's shape (NumPy rules; a view in PyTorch).
    Expand,
    /// Sum the operand down to the node's shape, the inverse of broadcasting
    /// (PyTorch's `sum_to`): leading dimensions are summed away, then every
    /// dimension where the node has size 1 and the operand does not.
    SumTo,
    /// Same elements, the node's shape (element counts agree).
    Reshape,
    /// 2-D transpose.
    Transpose,
    /// Dimensions reordered: result dimension `i` is operand dimension `dims[i]`
    /// (`permute`, `transpose(d0, d1)`, `mT`), copied to row-major order.
    Permute(Vec<usize>),
    /// Every `step`-th index of dimension `dim` from `start` on (`x[..., a:b:c]`,
    /// `narrow`, the pieces of `split`); the node's shape gives how many.
    Slice { dim: usize, start: usize, step: usize },
    /// The gradient of [`Op::Slice`]: zeros of the node's shape, with the operand
    /// written at the indices the slice read (PyTorch's `slice_backward`).
    SliceBackward { dim: usize, start: usize, step: usize },
    /// `cat(tensors, dim)`: `n` operands joined along `dim`; the others agree.
    Cat { dim: usize, n: usize },

    // ---- reductions ----
    /// `sum(x)` (dim `None`, result 0-d) or `sum(x, dim=d)` (dimension d removed).
    Sum { dim: Option<usize> },
    /// `mean(x)` or `mean(x, dim=d)`: the sum divided by the count, as PyTorch's CPU `mean`.
    Mean { dim: Option<usize> },
    /// A reduction of [`ReduceKind`] over `dims` (sorted, distinct, at least one),
    /// removed from the shape or kept as 1 with `keepdim` ([`reduced_shape`]).
    Reduce { kind: ReduceKind, dims: Vec<usize>, keepdim: bool },
    /// `cumsum(x, dim)`: running sums along `dim` accumulated in f64, as PyTorch's
    /// CPU kernel does; `reverse` sums from the end (the gradient of a cumsum). Same shape.
    Cumsum { dim: usize, reverse: bool },
    /// `cumprod(x, dim)`: running products along `dim` accumulated in f64 for
    /// floats (wrapping in i64), as PyTorch's CPU kernel does. Same shape.
    Cumprod { dim: usize },
    /// `logcumsumexp(x, dim)`: running `log(sum(exp))` along `dim`, each step
    /// ATen's `_log_add_exp_helper` in f64, as PyTorch's CPU kernel; `reverse`
    /// runs from the end (the gradient's `flip`, scan, `flip`). Same shape.
    Logcumsumexp { dim: usize, reverse: bool },
    /// `softmax(x, dim)`, or `log_softmax(x, dim)` with `log`. Same shape.
    Softmax { dim: usize, log: bool },
    /// For each element, the product of the other elements of its slice along
    /// `dim` (of the whole tensor, flattened, for `None`), as PyTorch's
    /// `prod_safe_zeros_backward` computes it: an exclusive cumulative product
    /// from each end, each accumulated in f64 and rounded when stored (PyTorch's
    /// `cumprod`), multiplied in the dtype. Same shape. The factor of `prod`'s
    /// gradient where the input has zeros; differentiated through
    /// [`Op::ProdOthersVjp`] (see `autodiff/rules/prod.rs`).
    ProdOthers { dim: Option<usize> },
    /// `(x, c_1, ..., c_order)`: the derivative of [`Op::ProdOthers`] along
    /// `order` directions, each element k the coefficient of `e_1 ... e_order`
    /// in the product over the other elements j of its slice along `dim` (all
    /// elements for `None`) of `x_j + e_1 c_1j + ... + e_order c_order,j`, with
    /// every `e_a^2 = 0`; computed from exclusive products from both ends in
    /// f64. Same shape. With order 1, `(x, g)`, it is the gradient of
    /// `sum(g * prod_others(x))`, `prod`'s second derivative where the input
    /// has zeros; its own derivatives are this op of one order more (the third
    /// derivative, and so on, up to [`Op::PROD_OTHERS_MAX_ORDER`]).
    ProdOthersVjp { dim: Option<usize>, order: usize },
    /// `(grad, out)`: PyTorch's `_softmax_backward_data(grad, out, dim)`, or
    /// `_log_softmax_backward_data` with `log`, where `out` is the forward
    /// softmax (log_softmax) result: a row reduction like [`Op::Softmax`], with
    /// the bits of PyTorch's AVX-512 kernel (`kernels::softmax::softmax_backward`).
    /// Same shape. Differentiated again by `derivatives.yaml`'s formulas for
    /// both operands (`autodiff/rules/reduce.rs`).
    SoftmaxBackward { dim: usize, log: bool },
    /// A loss of [`LossKind`] of `input, target` (one shape): the elementwise
    /// losses, or their mean or sum (0-d), by `reduction`.
    Loss { kind: LossKind, reduction: LossReduction },
    /// `layer_norm` over the last `dims` dimensions, or one of its gradients
    /// ([`LayerNorm`]): each row of those dimensions is normalized by its own
    /// mean and variance, computed as PyTorch's `RowwiseMoments` does.
    LayerNorm(LayerNorm),
    /// `group_norm` of `(N, C, *)` with the channels in `groups` groups, or one
    /// of its gradients ([`GroupNorm`]): each (sample, group) is normalized by
    /// its own mean and variance, computed as PyTorch's `RowwiseMoments` does.
    GroupNorm(GroupNorm),

    // ---- linear algebra ----
    /// `a @ b` with PyTorch's `matmul` rules for any rank:
    /// (n)@(n) -> (), (m,k)@(k) -> (m), (k)@(k,n) -> (n), (m,k)@(k,n) -> (m,n),
    /// and with a batch: the dimensions before the last two broadcast (NumPy
    /// rules), a 1-D left operand is a row (k) -> (1,k) and a 1-D right operand a
    /// column, whose added dimension the result drops.
    MatMul,
    /// `conv2d`, `conv_transpose2d` or the convolution's weight gradient
    /// ([`Conv`]), on `[N, C, H, W]` tensors; the node's shape gives the
    /// result's spatial size.
    Conv(Conv),
    /// `avg_pool2d`, `adaptive_avg_pool2d` or their gradient ([`AvgPool`]) on
    /// `[N, C, H, W]` tensors; the node's shape gives the result's size.
    AvgPool(AvgPool),
    /// `interpolate`'s linear modes or their gradient ([`Upsample`]) on
    /// `(N, C, *spatial)` tensors; the node's shape gives the result's size.
    Upsample(Upsample),
    /// `grid_sample` of `(N, C, H, W)` at a grid `(N, Ho, Wo, 2)`, or one of its
    /// two gradients ([`GridSample`]).
    GridSample(GridSample),
}

/// The family an op belongs to, which decides how passes and kernels treat it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpClass {
    /// No operands: constants, ranges, random draws, bound values.
    Source,
    /// Elementwise with one operand ([`Unary`], `pow_scalar`).
    ElementwiseUnary,
    /// Elementwise with two broadcast operands ([`Binary`]).
    ElementwiseBinary,
    /// `where`: elementwise with four broadcast operands.
    Select,
    /// Moves or broadcasts elements without arithmetic.
    Shape,
    /// Sums over dimensions.
    Reduction,
    /// Matrix products.
    LinearAlgebra,
    /// Elementwise ops whose result dtype differs from an operand's (casts,
    /// comparisons, `where` on a bool mask, logical ops, float tests) and
    /// `nan_to_num`: they run one op at a time, never in a fused kernel.
    Conversion,
    /// A loss of input and target (`Op::Loss`).
    Loss,
}

/// How an op's result dtype follows from its operands' (PyTorch's type
/// promotion, `torch.result_type`). The compiler first promotes the operands to
/// one dtype: bool < i64 < float, where a host number only raises the category
/// (an i64 tensor times 2.5 is f32, the default dtype; an f32 tensor times 2
/// stays f32). The rule then says what the op makes of that dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeRule {
    /// A float result: integer and bool operands are converted to f32 first, as
    /// PyTorch's float functions (`exp`, `sin`, `sigmoid`, ...) and true division do.
    SameFloat,
    /// The promoted dtype, i64 included (`add`, `neg`, `abs`, `relu`, `maximum`, ...);
    /// bool operands are rejected (E0204), graphc's choice where PyTorch
    /// computes some of these in bool and rejects others (`-` of a bool).
    SameNumber,
    /// Float operands only (E0204 for others): `pow`, whose integer form PyTorch
    /// computes in the integer dtype and graphc has no kernel for, and internal
    /// rows of derivative formulas (`tanh_backward`).
    FloatOnly,
    /// A bool result, whatever the operands' dtype (comparisons, logical ops,
    /// `isnan`, `isfinite`).
    Bool,
}

/// How the compiler's range analysis bounds a [`Unary`] op's result from an
/// interval for its operand. The first three are generic: the analysis evaluates
/// the row's element formula (in f64) at the points the rule names, so an op with
/// one of them needs nothing in the analysis. The others name a rule that
/// `analysis/range` implements for the ops that share it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryRange {
    /// Non-decreasing on all reals: the result lies between the formula at the
    /// operand's bounds (and at ±inf when the operand can be infinite).
    Increasing,
    /// Non-increasing on all reals with finite values at ±inf (`erfc`): the
    /// result lies between the formula at the operand's bounds.
    Decreasing,
    /// Non-decreasing on `[min, inf)` and NaN below `min`; the value at `min` may
    /// be -inf (a pole, as `log1p(-1)`), which is an exact infinity, not an overflow.
    IncreasingFrom(f64),
    /// Even, and non-decreasing in `|x|` (`cosh`).
    Even,
    /// `-x`.
    Negation,
    /// `exp`, whose overflow carries a condition on the element it depends on.
    Exp,
    /// `log`: NaN below 0, -inf at 0.
    Log,
    /// `sqrt`: NaN below 0.
    Sqrt,
    /// `sin`, `cos`: within [-1, 1], NaN at infinity.
    Periodic,
    /// `abs`.
    Abs,
    /// `sign`: -1, 0 or 1.
    Sign,
    /// The operand's range (`detach`).
    Identity,
    /// As `x ** c` for the constant `c` (`reciprocal` is `c = -1`, `rsqrt` `-0.5`).
    AsPower(f64),
    /// Non-decreasing on `[lo, hi]` and NaN outside it; the values at the ends
    /// may be infinite (poles, as `atanh(1)`), which are exact infinities.
    IncreasingOn(f64, f64),
    /// Non-increasing on `[lo, hi]` and NaN outside it (`acos`).
    DecreasingOn(f64, f64),
    /// `tan`: increasing within `(-pi/2, pi/2)`, any finite value beyond it, NaN at infinity.
    Tan,
    /// `silu`, `mish`: non-increasing below the argument of their minimum (the
    /// parameter), non-decreasing above it, tending to 0 from below at -inf
    /// (where the formula is `-inf * 0`, NaN) and to +inf at +inf.
    Dip(f64),
    /// `lgamma`, `digamma`, `trigamma`: any value, infinite at the poles (0 and
    /// the negative integers), NaN where the operand may be NaN or negative.
    Unbounded,
}

/// How the range analysis bounds a [`Binary`] op's result: a rule of
/// `analysis/range` named here, which ops may share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryRange {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
    /// `grad * (1 - y*y)`.
    TanhBackward,
    /// `atan2`: within [-pi, pi].
    Atan2,
    /// `logaddexp`: from the larger operand's bounds to them plus `ln 2`.
    Logaddexp,
    /// `logaddexp2`: from the larger operand's bounds to them plus 1.
    Logaddexp2,
    /// `hypot`: from 0 to the hypotenuse of the largest magnitudes.
    Hypot,
    /// `heaviside`: 0, 1 or the second operand's values.
    Heaviside,
    /// `a // b`.
    FloorDivide,
    /// `a % b`: between 0 and the divisor.
    Remainder,
    /// The second operand's range (`keep_graph`).
    Second,
    /// The first operand times a factor in [0, 1] (`log_sigmoid_backward`).
    UnitFactorOfFirst,
    /// The first operand's magnitude with either sign (`copysign`).
    MagnitudeOfFirst,
}

/// A loop that takes a one-operand element formula as a closure of its own
/// type: see [`Unary::with_element`].
pub trait ElementFn1<T> {
    type Output;
    fn call(self, f: impl Fn(T) -> T + Copy) -> Self::Output;
}

/// A loop that takes a two-operand element formula: see [`Binary::with_element`].
pub trait ElementFn2<T> {
    type Output;
    fn call(self, f: impl Fn(T, T) -> T + Copy) -> Self::Output;
}

impl Op {
    /// The most directions [`Op::ProdOthersVjp`] takes: its work and memory
    /// grow as `2^order` per element, and order 6 is `prod`'s seventh
    /// derivative, beyond which autodiff gives no gradient through it.
    pub const PROD_OTHERS_MAX_ORDER: usize = 6;

    /// The number of operands this op takes.
    pub fn arity(&self) -> usize {
        if let Op::Cat { n, .. } = self {
            return *n;
        }
        if let Op::ProdOthersVjp { order, .. } = self {
            return order + 1;
        }
        if let Op::SoftmaxBackward { .. } | Op::Reduce { kind: ReduceKind::NllSumSkipping, .. } = self {
            return 2;
        }
        if let Op::LayerNorm(l) = self {
            return l.arity();
        }
        if let Op::GroupNorm(g) = self {
            return g.arity();
        }
        if let Op::Conv(c) = self {
            return c.arity();
        }
        if let Op::AvgPool(_) | Op::Upsample(_) = self {
            return 1;
        }
        if let Op::GridSample(g) = self {
            return g.arity();
        }
        match self.class() {
            OpClass::Source => 0,
            OpClass::ElementwiseUnary | OpClass::Shape | OpClass::Reduction => 1,
            OpClass::ElementwiseBinary | OpClass::LinearAlgebra | OpClass::Loss => 2,
            OpClass::Select => 4,
            OpClass::Conversion => match self {
                Op::Compare(_) | Op::Logical(Logical::And | Logical::Or) => 2,
                Op::Select | Op::Fma => 3,
                Op::Index(i) => i.arity(),
                _ => 1,
            },
        }
    }

    /// The op's family.
    pub fn class(&self) -> OpClass {
        match self {
            Op::Full(_)
            | Op::Literal(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_) => OpClass::Source,
            Op::RegionOutput { .. } => OpClass::Source,
            Op::Unary(_) | Op::PowScalar(_) | Op::Activation(_) => OpClass::ElementwiseUnary,
            Op::Binary(_) => OpClass::ElementwiseBinary,
            Op::Where(_) => OpClass::Select,
            Op::Expand | Op::Reshape | Op::Transpose | Op::Permute(_) | Op::Slice { .. } | Op::SliceBackward { .. } | Op::Cat { .. } => {
                OpClass::Shape
            }
            Op::Loss { .. } => OpClass::Loss,
            Op::SumTo
            | Op::Sum { .. }
            | Op::Mean { .. }
            | Op::Reduce { .. }
            | Op::Cumsum { .. }
            | Op::Cumprod { .. }
            | Op::Logcumsumexp { .. }
            | Op::Softmax { .. }
            | Op::ProdOthers { .. }
            | Op::ProdOthersVjp { .. }
            | Op::SoftmaxBackward { .. }
            | Op::LayerNorm(_)
            | Op::GroupNorm(_) => OpClass::Reduction,
            Op::MatMul | Op::Conv(_) | Op::AvgPool(_) | Op::Upsample(_) | Op::GridSample(_) => OpClass::LinearAlgebra,
            Op::Cast | Op::Compare(_) | Op::Select | Op::Logical(_) | Op::FloatTest(_) | Op::NanToNum { .. } | Op::Index(_) | Op::Fma => {
                OpClass::Conversion
            }
        }
    }

    /// True for ops that read or advance the random generator: they must run
    /// exactly once, in program order, and passes never merge or drop them.
    pub fn is_random(&self) -> bool {
        matches!(self, Op::Randn | Op::Rand | Op::Data(_))
    }

    /// True for elementwise ops (the output element i depends only on input elements at i,
    /// after broadcasting). Fusion and constant folding rely on this.
    pub fn is_elementwise(&self) -> bool {
        match self.class() {
            OpClass::ElementwiseUnary | OpClass::ElementwiseBinary | OpClass::Select => true,
            OpClass::Source | OpClass::Shape | OpClass::Reduction | OpClass::LinearAlgebra | OpClass::Conversion | OpClass::Loss => false,
        }
    }

    /// Whether a gradient flows to operand `operand` (autodiff's reachability):
    /// false for `detach`, for `where`'s compared operands (0 and 1), and for
    /// operands an op does not have.
    pub fn differentiable(&self, operand: usize) -> bool {
        if operand >= self.arity() {
            return false;
        }
        match self {
            Op::Unary(u) => u.differentiable(),
            Op::Binary(b) => b.differentiable(operand),
            Op::Where(_) => operand >= 2,
            // A cast to i64 or bool has a non-float result, which never requires grad.
            Op::Cast | Op::NanToNum { .. } => true,
            Op::Select => operand >= 1,
            // Only optimizer updates make it, which do not require grad.
            Op::Compare(_) | Op::Logical(_) | Op::FloatTest(_) => false,
            Op::Fma => true,
            Op::ProdOthers { .. } => true,
            Op::LayerNorm(l) => l.differentiable(),
            Op::GroupNorm(g) => g.differentiable(),
            // Past the largest order no gradient is built (`autodiff/rules/mod.rs`).
            Op::ProdOthersVjp { order, .. } => *order < Op::PROD_OTHERS_MAX_ORDER,
            Op::Index(i) => i.differentiable(operand),
            Op::PowScalar(_)
            | Op::Expand
            | Op::SumTo
            | Op::Reshape
            | Op::Transpose
            | Op::Sum { .. }
            | Op::Mean { .. }
            | Op::MatMul
            | Op::Conv(_)
            | Op::AvgPool(_)
            | Op::Upsample(_) => true,
            Op::GridSample(g) => g.differentiable(),
            Op::Activation(_) => true,
            Op::Permute(_) | Op::Slice { .. } | Op::SliceBackward { .. } | Op::Cat { .. } => true,
            // The mask of the samples nll_loss skips has no gradient.
            Op::Reduce { kind: ReduceKind::NllSumSkipping, .. } => operand == 0,
            // PyTorch has no derivative of `soft_margin_loss` for its target.
            Op::Loss { kind: crate::op::LossKind::SoftMargin, .. } => operand == 0,
            Op::Reduce { .. }
            | Op::Cumsum { .. }
            | Op::Cumprod { .. }
            | Op::Logcumsumexp { .. }
            | Op::Softmax { .. }
            | Op::SoftmaxBackward { .. }
            | Op::Loss { .. } => true,
            Op::Full(_)
            | Op::Literal(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_) => false,
            Op::RegionOutput { .. } => false,
        }
    }

    /// PyTorch's `grad_fn` name for a result of this op, as autograd would build
    /// it (`None` for sources and `detach`, which have no backward node).
    pub fn grad_fn(&self) -> Option<&'static str> {
        match self {
            Op::Unary(u) => u.grad_fn(),
            Op::Binary(b) => b.grad_fn(),
            Op::PowScalar(_) => Some("PowBackward0"),
            Op::Activation(a) => Some(a.grad_fn()),
            Op::Where(_) => Some("WhereBackward0"),
            Op::Expand => Some("ExpandBackward0"),
            Op::SumTo => Some("SumBackward1"),
            Op::Reshape => Some("ViewBackward0"),
            Op::Transpose => Some("TransposeBackward0"),
            Op::Permute(_) => Some("PermuteBackward0"),
            Op::Slice { .. } => Some("SliceBackward0"),
            Op::SliceBackward { .. } => Some("SliceBackwardBackward0"),
            Op::Cat { .. } => Some("CatBackward0"),
            Op::Sum { dim: None } => Some("SumBackward0"),
            Op::Sum { dim: Some(_) } => Some("SumBackward1"),
            Op::Mean { dim: None } => Some("MeanBackward0"),
            Op::Mean { dim: Some(_) } => Some("MeanBackward1"),
            Op::MatMul => Some("MmBackward0"),
            Op::Cast => Some("ToCopyBackward0"),
            Op::Select => Some("WhereBackward0"),
            Op::NanToNum { .. } => Some("NanToNumBackward0"),
            Op::Compare(_) | Op::Logical(_) | Op::FloatTest(_) | Op::Fma => None,
            Op::Index(i) => i.grad_fn(),
            Op::Reduce { kind, .. } => Some(kind.grad_fn()),
            Op::Cumsum { .. } => Some("CumsumBackward0"),
            Op::Cumprod { .. } => Some("CumprodBackward0"),
            Op::Logcumsumexp { .. } => Some("LogcumsumexpBackward0"),
            Op::Loss { kind, .. } => Some(kind.grad_fn()),
            Op::LayerNorm(l) => Some(l.grad_fn()),
            Op::GroupNorm(g) => Some(g.grad_fn()),
            Op::Conv(c) => Some(c.grad_fn()),
            Op::AvgPool(p) => Some(p.grad_fn()),
            Op::Upsample(u) => Some(u.grad_fn()),
            Op::GridSample(g) => Some(g.grad_fn()),
            Op::Softmax { log: false, .. } => Some("SoftmaxBackward0"),
            Op::Softmax { log: true, .. } => Some("LogSoftmaxBackward0"),
            Op::SoftmaxBackward { log: false, .. } => Some("SoftmaxBackwardDataBackward0"),
            Op::SoftmaxBackward { log: true, .. } => Some("LogSoftmaxBackwardDataBackward0"),
            Op::Full(_)
            | Op::Literal(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_) => None,
            Op::ProdOthers { .. } | Op::ProdOthersVjp { .. } => None,
            Op::RegionOutput { .. } => None,
        }
    }

    /// The table's time per element in a fused kernel, in picoseconds, for the
    /// two table families; `None` for the others (the remat cost model prices
    /// `pow_scalar` and `where` itself).
    pub fn cost_ps(&self) -> Option<u64> {
        match self {
            Op::Unary(u) => Some(u.cost_ps()),
            Op::Binary(b) => Some(b.cost_ps()),
            Op::Activation(a) => Some(a.cost_ps()),
            Op::PowScalar(_)
            | Op::Where(_)
            | Op::Full(_)
            | Op::Literal(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_)
            | Op::RegionOutput { .. }
            | Op::Expand
            | Op::SumTo
            | Op::Reshape
            | Op::Transpose
            | Op::Permute(_)
            | Op::Slice { .. }
            | Op::SliceBackward { .. }
            | Op::Cat { .. }
            | Op::Sum { .. }
            | Op::Mean { .. }
            | Op::Reduce { .. }
            | Op::Cumsum { .. }
            | Op::Cumprod { .. }
            | Op::Logcumsumexp { .. }
            | Op::Softmax { .. }
            | Op::ProdOthers { .. }
            | Op::ProdOthersVjp { .. }
            | Op::SoftmaxBackward { .. }
            | Op::Loss { .. }
            | Op::LayerNorm(_)
            | Op::GroupNorm(_)
            | Op::MatMul
            | Op::Conv(_)
            | Op::AvgPool(_)
            | Op::Upsample(_)
            | Op::GridSample(_)
            | Op::Cast
            | Op::Compare(_)
            | Op::Select
            | Op::Logical(_)
            | Op::FloatTest(_)
            | Op::NanToNum { .. }
            | Op::Index(_)
            | Op::Fma => None,
        }
    }

    /// The short lowercase name the IR dump prints.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Full(_) => "full",
            Op::Literal(_) => "literal",
            Op::Arange { .. } => "arange",
            Op::Linspace { .. } => "linspace",
            Op::Randn => "randn",
            Op::Rand => "rand",
            Op::Param(_) => "param",
            Op::Input(_) => "input",
            Op::Data(d) => d.name(),
            Op::RegionOutput { .. } => "region_output",
            Op::Unary(u) => u.name(),
            Op::PowScalar(_) => "pow_scalar",
            Op::Activation(a) => a.name(),
            Op::Binary(b) => b.name(),
            Op::Where(_) => "where",
            Op::Expand => "expand",
            Op::SumTo => "sum_to",
            Op::Reshape => "reshape",
            Op::Transpose => "transpose",
            Op::Permute(_) => "permute",
            Op::Slice { .. } => "slice",
            Op::SliceBackward { .. } => "slice_backward",
            Op::Cat { .. } => "cat",
            Op::Sum { .. } => "sum",
            Op::Mean { .. } => "mean",
            Op::MatMul => "matmul",
            Op::Cast => "cast",
            Op::Compare(_) => "compare",
            Op::Select => "select",
            Op::Logical(Logical::And) => "logical_and",
            Op::Logical(Logical::Or) => "logical_or",
            Op::Logical(Logical::Not) => "logical_not",
            Op::FloatTest(t) => t.name(),
            Op::NanToNum { .. } => "nan_to_num",
            Op::Index(i) => i.name(),
            Op::Fma => "fma",
            Op::Reduce { kind, .. } => kind.name(),
            Op::Cumsum { .. } => "cumsum",
            Op::Cumprod { .. } => "cumprod",
            Op::Logcumsumexp { .. } => "logcumsumexp",
            Op::Loss { kind, .. } => kind.name(),
            Op::LayerNorm(l) => l.name(),
            Op::GroupNorm(g) => g.name(),
            Op::Conv(c) => c.name(),
            Op::AvgPool(p) => p.name(),
            Op::Upsample(u) => u.name(),
            Op::GridSample(g) => g.name(),
            Op::Softmax { log: false, .. } => "softmax",
            Op::Softmax { log: true, .. } => "log_softmax",
            Op::ProdOthers { .. } => "prod_others",
            Op::ProdOthersVjp { .. } => "prod_others_vjp",
            Op::SoftmaxBackward { log: false, .. } => "softmax_backward",
            Op::SoftmaxBackward { log: true, .. } => "log_softmax_backward",
        }
    }
}
