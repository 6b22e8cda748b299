//! The one-operand elementwise ops, declared by one table.
//!
//! Each row of [`unary_ops!`] is everything graphc knows about one op: its IR
//! name, the builtin name `.act` calls it by, PyTorch's `grad_fn` name, its result
//! type, its cost for rematerialization, its range rule, whether its operand is
//! differentiable, and its element formula. The enum, [`Unary::ALL`], every
//! accessor and the element dispatch used by the kernels and the fused executor
//! are generated from the rows, so adding an op here (plus its numerics in
//! `kernels/float.rs` and its derivative rule in the compiler) is all it takes.
//! The derivative rule lives in the compiler because it builds graph nodes.
//!
//! `cost_ps` is the time per element in a fused kernel as measured (see
//! `docs/PERFORMANCE.md`): 100 ps for one arithmetic instruction or a compare and
//! select, 300 for a square root, and what PyTorch's scalar libm call took for the
//! transcendental ones.

use super::{cephes, erfcx, ElementFn1, TypeRule, UnaryRange};
use crate::kernels::float::Float;

/// Declares the [`Unary`] enum and everything derived from its rows.
macro_rules! unary_ops {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident {
            name: $name:literal,
            builtin: $builtin:expr,
            grad_fn: $grad_fn:expr,
            result: $result:expr,
            cost_ps: $cost:expr,
            range: $range:expr,
            differentiable: $diff:expr,
            element: |$a:ident| $body:expr $(,)?
        }
    )*) => {
        /// An elementwise op of one operand; the result has the operand's shape.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Unary {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Unary {
            /// Every op of the table, in table order.
            pub const ALL: &'static [Unary] = &[$(Unary::$variant),*];

            /// The name the IR dump prints.
            pub fn name(self) -> &'static str {
                match self { $(Unary::$variant => $name,)* }
            }

            /// The builtin `.act` calls this op by (`None`: reached otherwise, such
            /// as `-x`, or internal).
            pub fn builtin_name(self) -> Option<&'static str> {
                match self { $(Unary::$variant => $builtin,)* }
            }

            /// PyTorch's `grad_fn` name for a result of this op (`None`: no backward node).
            pub fn grad_fn(self) -> Option<&'static str> {
                match self { $(Unary::$variant => $grad_fn,)* }
            }

            /// How the result's dtype follows from the operand's.
            pub fn result_type(self) -> TypeRule {
                match self { $(Unary::$variant => $result,)* }
            }

            /// Time per element in a fused kernel, in picoseconds (the remat cost model).
            pub fn cost_ps(self) -> u64 {
                match self { $(Unary::$variant => $cost,)* }
            }

            /// How the range analysis bounds the result.
            pub fn range_rule(self) -> UnaryRange {
                match self { $(Unary::$variant => $range,)* }
            }

            /// Whether a gradient flows to the operand.
            pub fn differentiable(self) -> bool {
                match self { $(Unary::$variant => $diff,)* }
            }

            /// The op of `.act` builtin `name`, if the table has one.
            pub fn from_builtin_name(name: &str) -> Option<Unary> {
                Unary::ALL.iter().copied().find(|u| u.builtin_name() == Some(name))
            }

            /// The element formula at one value, in `T`'s precision.
            #[inline(always)]
            pub fn apply<T: Float>(self, a: T) -> T {
                match self { $(Unary::$variant => { let $a = a; $body })* }
            }

            /// Hands the element formula to `f` as a closure of its own type, so
            /// that the caller's loop is compiled once per op and the formula is
            /// inlined into it (a function pointer per element would prevent that).
            /// Always inlined: a closure left out of line is compiled for the
            /// baseline CPU even when the loop is compiled for AVX2 and FMA.
            #[inline(always)]
            pub fn with_element<T: Float, F: ElementFn1<T>>(self, f: F) -> F::Output {
                match self { $(Unary::$variant => f.call(#[inline(always)] |$a: T| $body),)* }
            }
        }
    };
}

unary_ops! {
    /// `-x`.
    Neg { name: "neg", builtin: None, grad_fn: Some("NegBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
          range: UnaryRange::Negation, differentiable: true, element: |a| -a }
    /// `exp(x)` (libm `exp`/`expf`).
    Exp { name: "exp", builtin: Some("exp"), grad_fn: Some("ExpBackward0"), result: TypeRule::SameFloat, cost_ps: 3000,
          range: UnaryRange::Exp, differentiable: true, element: |a| a.exp() }
    /// `exp` as a `cpu_kernel_vec` kernel computes it inside another op (the
    /// backward of `elu`, `selu` and `celu`): libm's on the elements after the
    /// last whole vector block, SLEEF's `exp` u10 on the blocks
    /// (`kernels::elementwise::unary_at_into`). Internal: no builtin calls it.
    ExpBlocks { name: "exp_blocks", builtin: None, grad_fn: Some("ExpBackward0"), result: TypeRule::SameFloat, cost_ps: 3000,
                range: UnaryRange::Exp, differentiable: true, element: |a| a.exp() }
    /// `log(x)` (libm).
    Log { name: "log", builtin: Some("log"), grad_fn: Some("LogBackward0"), result: TypeRule::SameFloat, cost_ps: 3500,
          range: UnaryRange::Log, differentiable: true, element: |a| a.ln().with_mkl_nan(a) }
    /// `sqrt(x)` (IEEE, correctly rounded).
    Sqrt { name: "sqrt", builtin: Some("sqrt"), grad_fn: Some("SqrtBackward0"), result: TypeRule::SameFloat, cost_ps: 300,
           range: UnaryRange::Sqrt, differentiable: true, element: |a| a.sqrt().with_mkl_nan(a) }
    /// `sin(x)` (libm).
    Sin { name: "sin", builtin: Some("sin"), grad_fn: Some("SinBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
          range: UnaryRange::Periodic, differentiable: true, element: |a| a.sin() }
    /// `cos(x)` (libm).
    Cos { name: "cos", builtin: Some("cos"), grad_fn: Some("CosBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
          range: UnaryRange::Periodic, differentiable: true, element: |a| a.cos() }
    /// `tanh(x)` (libm).
    Tanh { name: "tanh", builtin: Some("tanh"), grad_fn: Some("TanhBackward0"), result: TypeRule::SameFloat, cost_ps: 15000,
           range: UnaryRange::Increasing, differentiable: true, element: |a| a.tanh_torch() }
    /// `sigmoid(x)` = `1 / (1 + exp(-x))` in the dtype, the scalar lambda of PyTorch's
    /// `sigmoid_kernel`; a tensor's whole vector blocks take its vector lambda
    /// (SLEEF's `exp`), which `kernels::elementwise::unary_at_into` applies by position.
    Sigmoid { name: "sigmoid", builtin: Some("sigmoid"), grad_fn: Some("SigmoidBackward0"), result: TypeRule::SameFloat, cost_ps: 3300,
              range: UnaryRange::Increasing, differentiable: true, element: |a| T::ONE / (T::ONE + (-a).exp()) }
    /// `relu(x)`: torch.relu is `clamp_min(x, 0)`, whose element is `std::max(a, 0)`,
    /// i.e. `a < 0 ? 0 : a`, so NaN and -0.0 come out unchanged.
    Relu { name: "relu", builtin: Some("relu"), grad_fn: Some("ReluBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
           range: UnaryRange::Increasing, differentiable: true, element: |a| if a < T::ZERO { T::ZERO } else { a } }
    /// `abs(x)`.
    Abs { name: "abs", builtin: Some("abs"), grad_fn: Some("AbsBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
          range: UnaryRange::Abs, differentiable: true, element: |a| a.abs() }
    /// `sign(x)`: PyTorch's `sgn` for reals, `sign_kernel`'s `(0 < a) - (a < 0)`,
    /// so NaN and both zeros give +0. Internal: the derivative of `abs`.
    Sign { name: "sign", builtin: None, grad_fn: Some("SgnBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
           range: UnaryRange::Sign, differentiable: true,
           element: |a| if T::ZERO < a { T::ONE } else if a < T::ZERO { -T::ONE } else { T::ZERO } }
    /// Identity. Autodiff stops at it (`detach`); passes replace it by its operand.
    /// The `detach` builtin and method are lowered by hand (they are not plain
    /// calls: the result never requires grad), so the row names no builtin.
    Detach { name: "detach", builtin: None, grad_fn: None, result: TypeRule::SameNumber, cost_ps: 100,
             range: UnaryRange::Identity, differentiable: false, element: |a| a }
    /// `log1p(x)` = `log(1 + x)`, exact near 0: SLEEF's `log1p` u10, as PyTorch's
    /// `vml::vlog1p` computes every element. Its cost is not measured yet: log's.
    Log1p { name: "log1p", builtin: Some("log1p"), grad_fn: Some("Log1PBackward0"), result: TypeRule::SameFloat, cost_ps: 3500,
            range: UnaryRange::IncreasingFrom(-1.0), differentiable: true, element: |a| a.log1p_torch() }
    /// `log1p` as the C library computes it (`std::log1p`): the scalar
    /// function ATen's `xlog1py` kernel calls, where the `log1p` builtin is
    /// SLEEF's. Internal: `special.xlog1py` lowers to it.
    Log1pLibm { name: "log1p_libm", builtin: None, grad_fn: Some("Log1PBackward0"), result: TypeRule::SameFloat, cost_ps: 3500,
                range: UnaryRange::IncreasingFrom(-1.0), differentiable: true, element: |a| a.ln_1p() }
    /// `expm1(x)` = `exp(x) - 1`, exact near 0: SLEEF's `expm1` u10, which PyTorch
    /// applies to every element (`vml::vexpm1`). Its cost is not measured yet: exp's.
    Expm1 { name: "expm1", builtin: Some("expm1"), grad_fn: Some("Expm1Backward0"), result: TypeRule::SameFloat, cost_ps: 3000,
            range: UnaryRange::Increasing, differentiable: true, element: |a| a.expm1_sleef() }
    /// `sinh(x)` (libm). Its cost is not measured yet: two exps'.
    Sinh { name: "sinh", builtin: Some("sinh"), grad_fn: Some("SinhBackward0"), result: TypeRule::SameFloat, cost_ps: 6000,
           range: UnaryRange::Increasing, differentiable: true, element: |a| a.sinh() }
    /// `cosh(x)` (libm). Its cost is not measured yet: two exps'.
    Cosh { name: "cosh", builtin: Some("cosh"), grad_fn: Some("CoshBackward0"), result: TypeRule::SameFloat, cost_ps: 6000,
           range: UnaryRange::Even, differentiable: true, element: |a| a.cosh() }
    /// `square(x)`: PyTorch computes it as `pow(x, 2)`, whose kernel is `x * x`,
    /// so its `grad_fn` is `PowBackward0`. One multiply.
    Square { name: "square", builtin: Some("square"), grad_fn: Some("PowBackward0"), result: TypeRule::FloatOnly, cost_ps: 100,
             range: UnaryRange::Even, differentiable: true, element: |a| a * a }
    /// `reciprocal(x)` = `1 / x` (`reciprocal_kernel`). One division.
    Reciprocal { name: "reciprocal", builtin: Some("reciprocal"), grad_fn: Some("ReciprocalBackward0"), result: TypeRule::SameFloat, cost_ps: 200,
                 range: UnaryRange::AsPower(-1.0), differentiable: true, element: |a| T::ONE / a }
    /// `rsqrt(x)` = `1 / sqrt(x)` (`rsqrt_kernel`). A square root and a division.
    Rsqrt { name: "rsqrt", builtin: Some("rsqrt"), grad_fn: Some("RsqrtBackward0"), result: TypeRule::SameFloat, cost_ps: 500,
            range: UnaryRange::AsPower(-0.5), differentiable: true, element: |a| T::ONE / a.sqrt() }
    /// `exp2(x)` = `2 ** x`: libm `exp2`, the scalar lambda of PyTorch's kernel; whole
    /// vector blocks take SLEEF's (`kernels::elementwise::unary_at_into`). Its cost is
    /// not measured yet: exp's.
    Exp2 { name: "exp2", builtin: Some("exp2"), grad_fn: Some("Exp2Backward0"), result: TypeRule::SameFloat, cost_ps: 3000,
           range: UnaryRange::Increasing, differentiable: true, element: |a| a.exp2() }
    /// `log2(x)` (libm). Its cost is not measured yet: log's.
    Log2 { name: "log2", builtin: Some("log2"), grad_fn: Some("Log2Backward0"), result: TypeRule::SameFloat, cost_ps: 3500,
           range: UnaryRange::IncreasingFrom(0.0), differentiable: true, element: |a| a.log2().with_mkl_nan(a) }
    /// `log10(x)` (libm). Its cost is not measured yet: log's.
    Log10 { name: "log10", builtin: Some("log10"), grad_fn: Some("Log10Backward0"), result: TypeRule::SameFloat, cost_ps: 3500,
            range: UnaryRange::IncreasingFrom(0.0), differentiable: true, element: |a| a.log10().with_mkl_nan(a) }
    /// `tan(x)` (libm). Its cost is not measured yet: sin's.
    Tan { name: "tan", builtin: Some("tan"), grad_fn: Some("TanBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
          range: UnaryRange::Tan, differentiable: true, element: |a| a.tan() }
    /// `asin(x)` (libm), NaN outside [-1, 1]. Its cost is not measured yet: sin's.
    Asin { name: "asin", builtin: Some("asin"), grad_fn: Some("AsinBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
           range: UnaryRange::IncreasingOn(-1.0, 1.0), differentiable: true, element: |a| a.asin() }
    /// `acos(x)` (libm), NaN outside [-1, 1]. Its cost is not measured yet: sin's.
    Acos { name: "acos", builtin: Some("acos"), grad_fn: Some("AcosBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
           range: UnaryRange::DecreasingOn(-1.0, 1.0), differentiable: true, element: |a| a.acos() }
    /// `atan(x)` (libm). Its cost is not measured yet: sin's.
    Atan { name: "atan", builtin: Some("atan"), grad_fn: Some("AtanBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
           range: UnaryRange::Increasing, differentiable: true, element: |a| a.atan() }
    /// `asinh(x)` (Rust's std formula over `ln_1p` and `hypot`). Its cost is not
    /// measured yet: log's and a square root's.
    Asinh { name: "asinh", builtin: Some("asinh"), grad_fn: Some("AsinhBackward0"), result: TypeRule::SameFloat, cost_ps: 3800,
            range: UnaryRange::Increasing, differentiable: true, element: |a| a.asinh() }
    /// `acosh(x)` (fdlibm's formula, as glibc), NaN below 1. Its cost is not measured
    /// yet: log's and a square root's.
    Acosh { name: "acosh", builtin: Some("acosh"), grad_fn: Some("AcoshBackward0"), result: TypeRule::SameFloat, cost_ps: 3800,
            range: UnaryRange::IncreasingFrom(1.0), differentiable: true, element: |a| a.acosh() }
    /// `atanh(x)` (fdlibm's formula over `ln_1p`, as glibc), NaN outside [-1, 1], infinite
    /// at ±1. Its cost is not measured yet: log's.
    Atanh { name: "atanh", builtin: Some("atanh"), grad_fn: Some("AtanhBackward0"), result: TypeRule::SameFloat, cost_ps: 3500,
            range: UnaryRange::IncreasingOn(-1.0, 1.0), differentiable: true, element: |a| a.atanh() }
    /// `floor(x)`: exact. One rounding instruction. Of an i64 tensor, a copy, as
    /// PyTorch's (`floor`, `ceil`, `round` and `trunc` keep integers).
    Floor { name: "floor", builtin: Some("floor"), grad_fn: Some("FloorBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
            range: UnaryRange::Increasing, differentiable: true, element: |a| a.floor() }
    /// `ceil(x)`: exact. One rounding instruction.
    Ceil { name: "ceil", builtin: Some("ceil"), grad_fn: Some("CeilBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
           range: UnaryRange::Increasing, differentiable: true, element: |a| a.ceil() }
    /// `round(x)`: halfway cases to even, as PyTorch's `nearbyint`. Exact. One
    /// rounding instruction.
    Round { name: "round", builtin: Some("round"), grad_fn: Some("RoundBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
            range: UnaryRange::Increasing, differentiable: true, element: |a| a.round_ties_even() }
    /// `trunc(x)`: rounds toward zero. Exact. One rounding instruction.
    Trunc { name: "trunc", builtin: Some("trunc"), grad_fn: Some("TruncBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
            range: UnaryRange::Increasing, differentiable: true, element: |a| a.trunc() }
    /// `sign(x)` as the user calls it: the same element as the internal `sign`
    /// (NaN and both zeros give +0), but PyTorch's `torch.sign`, whose `grad_fn`
    /// is `SignBackward0` (the internal one is `sgn`'s). Of an i64 tensor, -1, 0 or 1.
    Signum { name: "signum", builtin: Some("sign"), grad_fn: Some("SignBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
             range: UnaryRange::Sign, differentiable: true,
             element: |a| if T::ZERO < a { T::ONE } else if a < T::ZERO { -T::ONE } else { T::ZERO } }
    /// `silu(x)` = `x / (1 + exp(-x))`, the scalar lambda of PyTorch's
    /// `silu_kernel`. Its cost is not measured yet: sigmoid's.
    Silu { name: "silu", builtin: Some("silu"), grad_fn: Some("SiluBackward0"), result: TypeRule::SameFloat, cost_ps: 3300,
           range: UnaryRange::Dip(-1.278_464_542_761_074), differentiable: true, element: |a| a / (T::ONE + (-a).exp()) }
    /// `mish(x)` = `x * tanh(log1p(exp(x)))`, the scalar lambda of PyTorch's
    /// `mish_kernel`. Its cost is not measured yet: exp's, log1p's and tanh's.
    Mish { name: "mish", builtin: Some("mish"), grad_fn: Some("MishBackward0"), result: TypeRule::SameFloat, cost_ps: 21500,
           range: UnaryRange::Dip(-1.192_431_2), differentiable: true, element: |a| a * a.exp().ln_1p().tanh() }
    /// `logsigmoid(x)` = `min(x, 0) - log1p(exp(-|x|))`, PyTorch's
    /// `log_sigmoid_cpu_kernel`, whose vector code (SLEEF's `exp` and `log1p`)
    /// runs on every element, the last partial vector too. Its cost is not
    /// measured yet: exp's and log1p's.
    LogSigmoid { name: "log_sigmoid", builtin: Some("logsigmoid"), grad_fn: Some("LogSigmoidBackward0"), result: TypeRule::SameFloat, cost_ps: 8000,
                 range: UnaryRange::Increasing, differentiable: true,
                 element: |a| log_sigmoid_min(a) - (-a.abs()).exp_sleef().log1p_torch() }
    /// `erf(x)` (the `libm` crate's, musl's algorithm; PyTorch uses SLEEF on
    /// contiguous data). Its cost is not measured yet: exp's.
    Erf { name: "erf", builtin: Some("erf"), grad_fn: Some("ErfBackward0"), result: TypeRule::SameFloat, cost_ps: 3000,
          range: UnaryRange::Increasing, differentiable: true, element: |a| a.erf() }
    /// `erfc(x)` = `1 - erf(x)` without the cancellation (the `libm` crate's).
    /// Its cost is not measured yet: exp's.
    Erfc { name: "erfc", builtin: Some("erfc"), grad_fn: Some("ErfcBackward0"), result: TypeRule::SameFloat, cost_ps: 3000,
           range: UnaryRange::Decreasing, differentiable: true, element: |a| a.erfc() }
    /// `erfinv(x)`, the inverse of `erf` on [-1, 1] (NaN outside, infinite at
    /// ±1): ATen's `calc_erfinv` (a rational first guess, then two Newton
    /// steps on `erf`) in f64, rounded to the dtype. PyTorch on x86 calls
    /// MKL's closed `vsErfInv`/`vdErfInv` instead: graphc's f32 results are
    /// MKL's but where the exact value lies within a few thousandths of an ulp
    /// of a rounding midpoint (then 1 ulp; 2 of 20,000 random inputs), its f64
    /// results within 25 ulps of MKL's, most near ±1 where the slope is steep
    /// (67% of 20,000 random inputs identical; `tests/data/elementwise_ref.txt`).
    /// Its cost is not measured yet: two `erf` and two `exp` in f64.
    Erfinv { name: "erfinv", builtin: Some("erfinv"), grad_fn: Some("ErfinvBackward0"), result: TypeRule::SameFloat, cost_ps: 8000,
             range: UnaryRange::IncreasingOn(-1.0, 1.0), differentiable: true, element: |a| T::from_f64(calc_erfinv(a.to_f64())) }
    /// `special.ndtri(p)`, the inverse of the standard normal CDF (-inf at
    /// 0, +inf at 1, NaN outside [0, 1]): ATen's `calc_ndtri` (Cephes'
    /// `ndtri`: a rational approximation around 1/2, two more in
    /// `sqrt(-2 log p)` in the tails) in the dtype, with the multiply-adds
    /// GCC fuses in PyTorch's AVX2 build. Its cost is not measured yet: a log,
    /// a square root and two divisions.
    Ndtri { name: "ndtri", builtin: Some("special.ndtri"), grad_fn: Some("SpecialNdtriBackward0"), result: TypeRule::SameFloat, cost_ps: 4000,
            range: UnaryRange::IncreasingOn(0.0, 1.0), differentiable: true, element: |a| cephes::calc_ndtri(a) }
    /// `special.erfcx(x)` = `exp(x^2) erfc(x)`: ATen's `calc_erfcx`
    /// (`op/erfcx.rs`), which PyTorch applies to every element. Its cost is
    /// not measured yet: a polynomial of 7 terms, an `exp` below 0.
    Erfcx { name: "erfcx", builtin: Some("special.erfcx"), grad_fn: Some("SpecialErfcxBackward0"), result: TypeRule::SameFloat, cost_ps: 3000,
            range: UnaryRange::Unbounded, differentiable: true, element: |a| erfcx::calc_erfcx(a) }
    /// `special.log_ndtr(x)` = `log(ndtr(x))`: ATen's `calc_log_ndtr`
    /// (`op/erfcx.rs`). Its cost is not measured yet: an `erfc` or an
    /// `erfcx`, and a log.
    LogNdtr { name: "log_ndtr", builtin: Some("special.log_ndtr"), grad_fn: Some("SpecialLogNdtrBackward0"), result: TypeRule::SameFloat, cost_ps: 6000,
              range: UnaryRange::Increasing, differentiable: true, element: |a| erfcx::calc_log_ndtr(a) }
    /// `i0(x)`, the modified Bessel function of the first kind of order 0:
    /// ATen's `calc_i0` (Cephes' Chebyshev series on [0, 8] and beyond, times
    /// the C library's `exp`), which both of PyTorch's paths apply to every
    /// element. Its cost is not measured yet: a series of 30 terms and an `exp`.
    I0 { name: "i0", builtin: Some("i0"), grad_fn: Some("I0Backward0"), result: TypeRule::SameFloat, cost_ps: 6000,
         range: UnaryRange::Even, differentiable: true, element: |a| cephes::calc_i0(a) }
    /// `special.i0e(x)` = `exp(-|x|) i0(x)`: ATen's `calc_i0e`, the series alone.
    I0e { name: "i0e", builtin: Some("special.i0e"), grad_fn: Some("SpecialI0EBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
          range: UnaryRange::Unbounded, differentiable: true, element: |a| cephes::calc_i0e(a) }
    /// `special.i1(x)`, of order 1, odd: ATen's `calc_i1` (float's shorter tables for f32).
    I1 { name: "i1", builtin: Some("special.i1"), grad_fn: Some("SpecialI1Backward0"), result: TypeRule::SameFloat, cost_ps: 6000,
         range: UnaryRange::Increasing, differentiable: true, element: |a| cephes::calc_i1(a) }
    /// `special.i1e(x)` = `exp(-|x|) i1(x)`: ATen's `calc_i1e`.
    I1e { name: "i1e", builtin: Some("special.i1e"), grad_fn: Some("SpecialI1EBackward0"), result: TypeRule::SameFloat, cost_ps: 5000,
          range: UnaryRange::Unbounded, differentiable: true, element: |a| cephes::calc_i1e(a) }
    /// `lgamma(x)` = `log|gamma(x)|`, +inf at 0 and the negative integers:
    /// SLEEF's `lgammaf`/`lgamma` u10, which PyTorch's kernel (`vml::vlgamma`)
    /// applies to every element, so graphc's bits are PyTorch's
    /// (`tests/data/elementwise_ref.txt`). Its cost is not measured yet: two
    /// SLEEF logs and a division in double-float arithmetic.
    Lgamma { name: "lgamma", builtin: Some("lgamma"), grad_fn: Some("LgammaBackward0"), result: TypeRule::SameFloat, cost_ps: 12000,
             range: UnaryRange::Unbounded, differentiable: true, element: |a| a.lgamma_sleef() }
    /// `digamma(x)`, the derivative of `lgamma`: ATen's `calc_digamma` (Cephes'
    /// `psi`) in the dtype, its polynomial's steps fused multiply-adds as GCC
    /// compiles them in PyTorch's build (measured). Its cost is not measured
    /// yet: a log and up to ten divisions.
    Digamma { name: "digamma", builtin: Some("digamma"), grad_fn: Some("DigammaBackward0"), result: TypeRule::SameFloat, cost_ps: 6000,
              range: UnaryRange::Unbounded, differentiable: true, element: |a| calc_digamma(a) }
    /// `polygamma(1, x)`, the derivative of `digamma`: ATen's `trigamma` in the
    /// dtype (six steps of the recurrence, then the asymptotic series, its last
    /// addition a fused multiply-add as GCC compiles it; measured). The builtin
    /// is `polygamma`, which picks this row for `n = 1`. Its cost is not
    /// measured yet: seven divisions.
    Trigamma { name: "trigamma", builtin: None, grad_fn: Some("PolygammaBackward0"), result: TypeRule::SameFloat, cost_ps: 4000,
               range: UnaryRange::Unbounded, differentiable: true, element: |a| calc_trigamma(a) }
    /// `sinc(x)` = `sin(pi x) / (pi x)`, 1 at 0: ATen's `sinc_kernel`, whose
    /// lambda (no vector form) calls libm's `sin` on `pi * x` in the dtype, so
    /// graphc's bits are PyTorch's (`tests/data/elementwise_ref.txt`). Within
    /// [-0.22, 1], NaN at infinity. Its cost is not measured yet: sin's.
    Sinc { name: "sinc", builtin: Some("sinc"), grad_fn: Some("SincBackward0"), result: TypeRule::SameFloat, cost_ps: 3000,
           range: UnaryRange::Periodic, differentiable: true,
           element: |a| if a == T::ZERO {
               T::ONE
           } else {
               let product = T::from_f64(std::f64::consts::PI) * a;
               product.sin() / product
           } }
    /// `gelu(x)` (`approximate="none"`), the scalar lambda of PyTorch's
    /// `GeluKernelImpl`: `x * 0.5 * (1 + erf(x * M_SQRT1_2))`, the constant rounded
    /// to the dtype first. The builtin is `gelu`, which picks this row or the next
    /// one by its `approximate` keyword. Its cost is not measured yet: erf's.
    Gelu { name: "gelu", builtin: None, grad_fn: Some("GeluBackward0"), result: TypeRule::SameFloat, cost_ps: 3300,
           range: UnaryRange::Dip(-0.751_792), differentiable: true,
           element: |a| a * T::from_f64(0.5) * (T::ONE + (a * T::from_f64(std::f64::consts::FRAC_1_SQRT_2)).erf()) }
    /// `gelu(x, approximate="tanh")`, PyTorch's scalar lambda:
    /// `0.5 * x * (1 + tanh(kBeta * (x + kKappa * x * x * x)))` with
    /// `kBeta = M_SQRT2 * M_2_SQRTPI * 0.5` and `kKappa = 0.044715`, both rounded
    /// to the dtype, `x + kKappa * x_cube` one multiply-add as GCC compiles it
    /// in PyTorch's build (measured). Its cost is not measured yet: tanh's.
    GeluTanh { name: "gelu_tanh", builtin: None, grad_fn: Some("GeluBackward0"), result: TypeRule::SameFloat, cost_ps: 15500,
               range: UnaryRange::Dip(-0.752_461), differentiable: true,
               element: |a| {
                   let inner = T::from_f64(GELU_TANH_BETA) * T::from_f64(0.044715).mul_add(a * a * a, a);
                   T::from_f64(0.5) * a * (T::ONE + inner.tanh())
               } }
}

/// `M_SQRT2 * M_2_SQRTPI * 0.5`, `sqrt(2 / pi)`, computed in double as PyTorch's
/// gelu kernels compute it before rounding it to the dtype.
pub const GELU_TANH_BETA: f64 = std::f64::consts::SQRT_2 * std::f64::consts::FRAC_2_SQRT_PI * 0.5;

/// `vec::minimum(x, 0)` of `log_sigmoid`'s kernel: for NaN the all-ones NaN
/// it ORs in (which the subtraction after it passes on), else the smaller,
/// and `0` for both zeros (AVX-512's `min` returns its second operand when
/// the two compare equal).
#[inline(always)]
fn log_sigmoid_min<T: Float>(a: T) -> T {
    if a.is_nan() {
        T::ALL_ONES
    } else if a < T::ZERO {
        a
    } else {
        T::ZERO
    }
}

/// ATen's `calc_erfinv` (`ATen/native/Math.h`, from Gary L. Pavlis's
/// translation of MATLAB's `erfinv`) in f64: a rational approximation in the
/// centre (|y| <= 0.7) or near the ends, then two Newton steps, each
/// `x - (erf(x) - y) / (2 / sqrt(pi) * exp(-x * x))`.
fn calc_erfinv(y: f64) -> f64 {
    const A: [f64; 4] = [0.886226899, -1.645349621, 0.914624893, -0.140543331];
    const B: [f64; 4] = [-2.118377725, 1.442710462, -0.329097515, 0.012229801];
    const C: [f64; 4] = [-1.970840454, -1.624906493, 3.429567803, 1.641345311];
    const D: [f64; 2] = [3.543889200, 1.637067800];
    let y_abs = y.abs();
    if y_abs > 1.0 || y.is_nan() {
        return f64::NAN;
    }
    if y_abs == 1.0 {
        return f64::INFINITY.copysign(y);
    }
    let mut x = if y_abs <= 0.7 {
        let z = y * y;
        let num = ((A[3] * z + A[2]) * z + A[1]) * z + A[0];
        let dem = (((B[3] * z + B[2]) * z + B[1]) * z + B[0]) * z + 1.0;
        y * num / dem
    } else {
        let z = (-((1.0 - y_abs) / 2.0).ln()).sqrt();
        let num = ((C[3] * z + C[2]) * z + C[1]) * z + C[0];
        let dem = (D[1] * z + D[0]) * z + 1.0;
        num.copysign(y) / dem
    };
    // ATen's `2 * frac_1_sqrt_pi`, a doubling of the rounded 1/sqrt(pi), is 2/sqrt(pi) rounded.
    for _ in 0..2 {
        x -= (Float::erf(x) - y) / (std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp());
    }
    x
}

/// ATen's `calc_digamma` (`ATen/native/Math.h`, from Cephes' `psi`) in `T`:
/// the reflection `psi(1 - x) - pi / tan(pi r)` below 0 (`r` the fraction of
/// `x`, the quotient in double and rounded to `T`), the recurrence up to 10,
/// then the asymptotic series, whose Horner steps GCC fuses in PyTorch's AVX2
/// build (measured: 8,500 of 8,500 inputs identical with the fused steps,
/// 8,499 without).
// Cephes' decimal literals, kept as written.
#[allow(clippy::excessive_precision)]
fn calc_digamma<T: Float>(x: T) -> T {
    const PSI_10: f64 = 2.251_752_589_066_721_107_64;
    const A: [f64; 7] = [
        8.333_333_333_333_333_333_33E-2,
        -2.109_279_609_279_609_279_61E-2,
        7.575_757_575_757_575_757_58E-3,
        -4.166_666_666_666_666_666_67E-3,
        3.968_253_968_253_968_253_97E-3,
        -8.333_333_333_333_333_333_33E-3,
        8.333_333_333_333_333_333_33E-2,
    ];
    if x == T::ZERO {
        return T::from_f64(f64::INFINITY).copysign(-x);
    }
    if x < T::ZERO {
        if x == x.trunc() {
            return T::NAN;
        }
        let x64 = x.to_f64();
        let r = x64 - x64.trunc();
        let pi = std::f64::consts::PI;
        return calc_digamma(T::ONE - x) - T::from_f64(pi / (pi * r).tan());
    }
    let (mut x, mut result) = (x, T::ZERO);
    let ten = T::from_f64(10.0);
    while x < ten {
        result = result - T::ONE / x;
        x = x + T::ONE;
    }
    if x == ten {
        return result + T::from_f64(PSI_10);
    }
    let mut y = T::ZERO;
    if x < T::from_f64(1.0e17) {
        let z = T::ONE / (x * x);
        let mut p = T::ZERO;
        for a in A {
            p = p.mul_add(z, T::from_f64(a));
        }
        y = z * p;
    }
    result + x.ln() - T::from_f64(0.5) / x - y
}

/// ATen's `trigamma` (`ATen/native/Math.h`) in `T`: the reflection below 1/2
/// (`sin` of the dtype), six steps of `1 / x^2`, then
/// `(1 + 1/(2x) + ixx * (1/6 - ixx * (1/30 - ixx / 42))) / x`, whose outer
/// multiply-add GCC fuses in PyTorch's AVX2 build (measured: with it all 8,500
/// inputs identical in both dtypes, without it 8,499 and 8,498).
fn calc_trigamma<T: Float>(x: T) -> T {
    let (mut x, mut sign, mut result) = (x, T::ONE, T::ZERO);
    let pi = T::from_f64(std::f64::consts::PI);
    if x < T::from_f64(0.5) {
        sign = -T::ONE;
        let sin_pi_x = (pi * x).sin();
        result = result - (pi * pi) / (sin_pi_x * sin_pi_x);
        x = T::ONE - x;
    }
    for _ in 0..6 {
        result = result + T::ONE / (x * x);
        x = x + T::ONE;
    }
    let ixx = T::ONE / (x * x);
    // `1./6` and `1.f/6`: the constants are divisions in the dtype.
    let k = |d: f64| T::ONE / T::from_f64(d);
    let inner = k(6.0) - ixx * (k(30.0) - ixx * k(42.0));
    result = result + ixx.mul_add(inner, T::ONE + T::ONE / (T::from_f64(2.0) * x)) / x;
    // `sign * result`, whose x86 multiply passes a NaN on with its sign (the
    // negative NaN of `sin(-inf)`); LLVM would make `-1 * result` a negation,
    // which flips it.
    if sign < T::ZERO && !result.is_nan() {
        -result
    } else {
        result
    }
}
