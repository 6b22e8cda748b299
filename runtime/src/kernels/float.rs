//! The element types kernels are generic over (`f32`, `f64`), with exactly the
//! scalar operations PyTorch's CPU kernels use, so every kernel is written once
//! and still computes in the tensor's own precision.

use std::ops::{Add, Div, Mul, Neg, Sub};

use super::{glibc_exp, sleef, vmath};
use crate::tensor::{Data, Tensor};

/// A tensor element: `f32` or `f64`. Every method is the plain operation in the
/// type's own precision (libm for the transcendental ones), except `exp_fast`.
pub trait Float:
    Copy
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    const NAN: Self;
    const NEG_INFINITY: Self;
    /// The NaN with every bit set, which AVX-512's `vec::maximum` makes of a NaN.
    const ALL_ONES: Self;
    /// Rounds an `f64` to this type.
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn from_usize(v: usize) -> Self;
    fn exp(self) -> Self;
    /// `exp` as SLEEF's `expf`/`exp` u10 computes it, the function behind PyTorch's
    /// vectorized kernels (`sigmoid`): see [`sleef`](super::sleef).
    fn exp_sleef(self) -> Self;
    /// `exp2` as SLEEF's `exp2f`/`exp2` u10 computes it (PyTorch's vector lambda).
    fn exp2_sleef(self) -> Self;
    /// `hypot(self, other)` as SLEEF's `hypotf`/`hypot` u05 computes it
    /// (PyTorch's vector lambda).
    fn hypot_sleef(self, other: Self) -> Self;
    /// `self ** other` as SLEEF's `powf`/`pow` u10 computes it (PyTorch's
    /// vector lambda of `pow`).
    fn pow_sleef(self, other: Self) -> Self;
    /// `ln` as SLEEF's `logf`/`log` u10 computes it (`Vectorized::log`, which
    /// PyTorch's `log_softmax` kernels apply to each row's sum).
    fn ln_sleef(self) -> Self;
    /// [`Float::ln_sleef`] of a value in `[1, 2^100)` (a softmax row's sum), the
    /// same bits, computed without branches so that a loop of it vectorizes.
    fn ln_sleef_from_one(self) -> Self;
    /// [`Float::exp_sleef`] of every element of `src` into `dst`, on the fastest
    /// path this CPU supports (the same bits on every path).
    fn exp_sleef_into(src: &[Self], dst: &mut [Self]);
    /// `expm1` as SLEEF's `expm1f`/`expm1` u10 computes it (PyTorch's `expm1`).
    fn expm1_sleef(self) -> Self;
    /// `log1p` as PyTorch's `log1p` computes it: SLEEF's `log1pf`/`log1p` u10.
    fn log1p_torch(self) -> Self;
    /// `sigmoid(self)` as PyTorch's vectorized `sigmoid_kernel` computes every
    /// element of a contiguous tensor: `1 / (exp_sleef(-x) + 1)`, the negation
    /// flipping the sign bit (so a NaN comes out with the other sign, as PyTorch's).
    fn sigmoid(self) -> Self;
    /// `exp(self) - 1`.
    fn exp_m1(self) -> Self;
    fn ln(self) -> Self;
    /// `ln(1 + self)`.
    fn ln_1p(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tanh(self) -> Self;
    /// `tanh` as close to PyTorch's (MKL's closed `vsTanh`/`vdTanh`) as
    /// measured: SLEEF's `tanhf`/`tanh` u10, within 1 ulp of it.
    fn tanh_torch(self) -> Self;
    /// SLEEF's `tanhf`/`tanh` u10 itself (`Vectorized::tanh`), NaNs included:
    /// the vector lambdas of `mish` and `gelu(approximate='tanh')`.
    fn tanh_sleef(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    /// The vector lambda of PyTorch's `sinh` kernel: SLEEF's `sinh` u10 for
    /// f64, glibc's `sinhf` (the scalar lambda's) for f32.
    fn sinh_vec(self) -> Self;
    /// The vector lambda of PyTorch's `cosh` kernel, as [`Float::sinh_vec`].
    fn cosh_vec(self) -> Self;
    fn abs(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn asinh(self) -> Self;
    fn acosh(self) -> Self;
    /// glibc's `atanh`/`atanhf`: the scalar lambda of PyTorch's `atanh` kernel.
    fn atanh(self) -> Self;
    /// SLEEF's `atanhf`/`atanh` u10: the vector lambda of PyTorch's `atanh` kernel.
    fn atanh_sleef(self) -> Self;
    fn exp2(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn trunc(self) -> Self;
    /// Rounds to the nearest integer, halfway cases to even (C's `nearbyint`).
    fn round_ties_even(self) -> Self;
    fn powf(self, e: Self) -> Self;
    /// The angle of the point (`other`, `self`), as C's `atan2(self, other)`.
    fn atan2(self, other: Self) -> Self;
    /// The error function (the `libm` crate: std has none).
    fn erf(self) -> Self;
    /// `1 - erf(x)`, accurate where `erf` is close to 1: SLEEF's `erfcf`/`erfc`
    /// u15, the closest measured to PyTorch's (MKL's closed `vsErfc`/`vdErfc`).
    fn erfc(self) -> Self;
    /// SLEEF's `lgammaf`/`lgamma` u10, `log|gamma(x)|`: PyTorch's `lgamma`
    /// (`Vectorized::lgamma` on every element).
    fn lgamma_sleef(self) -> Self;
    /// The platform libm's `lgamma`/`lgammaf`, which ATen's scalar code calls
    /// (`calc_polygamma`).
    fn lgamma_libm(self) -> Self;
    fn is_nan(self) -> bool;
    /// `self`, a result of MKL's vector function at `input`, with the sign bit
    /// MKL gives a NaN made from a number (positive: `0x7fc00000`), where the C
    /// library's scalar function gives x86's default NaN (negative). A NaN
    /// input's NaN passes through unchanged, as in both.
    fn with_mkl_nan(self, input: Self) -> Self {
        if self.is_nan() && !input.is_nan() {
            Self::NAN
        } else {
            self
        }
    }
    /// C's `fmod(self, other)`: exact, with the sign of `self`.
    fn fmod(self, other: Self) -> Self;
    /// `self`'s magnitude with `sign`'s sign.
    fn copysign(self, sign: Self) -> Self;
    /// `self * a + b` with one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `exp` of every element of `src` into `dst` with [`vmath`](super::vmath)'s
    /// vector code: within an ulp or two of exact, so not PyTorch's bits.
    fn exp_fast(src: &[Self], dst: &mut [Self]);
    /// `exp` of every element of `src` into `dst` with the bits of the scalar
    /// [`Float::exp`] (libm's): for f32 the vectorized port of glibc's `expf`
    /// ([`glibc_exp`](super::glibc_exp)), for f64 the scalar libm.
    fn exp_exact(src: &[Self], dst: &mut [Self]);
    /// The elements of `t`; panics if `t` has the other dtype, which would be a
    /// type-checking bug in the compiler (`.act` never mixes dtypes implicitly).
    fn slice(t: &Tensor) -> &[Self];
    fn tensor(shape: Vec<usize>, data: Vec<Self>) -> Tensor;
    /// The slice itself when `Self` is f32, for kernels written for f32 alone.
    fn as_f32s(s: &[Self]) -> Option<&[f32]>;
    /// [`Float::as_f32s`] of a mutable slice.
    fn as_f32s_mut(s: &mut [Self]) -> Option<&mut [f32]>;
}

// The methods that run SLEEF's code, and `mul_add`, are `#[inline(always)]`:
// inlined into the caller's loop, they are compiled with its target features,
// so a loop built for FMA (`elementwise::unary_into`, the fused executor)
// computes SLEEF's fused steps with the instruction. Left out of line they
// are compiled for the baseline CPU, where each `mul_add` is a call to libm's
// `fma` (same correctly rounded result, many times slower: docs/PERFORMANCE.md,
// eighteenth sitting).
macro_rules! impl_float {
    ($t:ty, $variant:ident, $ctor:ident, $exp_fast:path, $exp_exact:path, $exp_sleef:path, $exp_sleef_into:path, $ln_sleef:path, $ln_from_one:path, $exp2_sleef:path, $hypot_sleef:path, $pow_sleef:path, $expm1_sleef:path, $log1p_torch:path, $asinh:path, $erf:path, $erfc:path, $tanh_torch:path, $sinh_vec:path, $cosh_vec:path, $atanh:path, $atanh_sleef:path, $lgamma_sleef:path, $lgamma_libm:path) => {
        impl Float for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            const NAN: $t = <$t>::NAN;
            const NEG_INFINITY: $t = <$t>::NEG_INFINITY;
            const ALL_ONES: $t = <$t>::from_bits(!0);
            fn from_f64(v: f64) -> $t {
                v as $t
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn from_usize(v: usize) -> $t {
                v as $t
            }
            fn exp(self) -> $t {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn exp_sleef(self) -> $t {
                $exp_sleef(self)
            }
            #[inline(always)]
            fn exp2_sleef(self) -> $t {
                $exp2_sleef(self)
            }
            #[inline(always)]
            fn hypot_sleef(self, other: $t) -> $t {
                $hypot_sleef(self, other)
            }
            #[inline(always)]
            fn pow_sleef(self, other: $t) -> $t {
                $pow_sleef(self, other)
            }
            #[inline(always)]
            fn ln_sleef(self) -> $t {
                $ln_sleef(self)
            }
            // Inlined into the caller's loop, so that it vectorizes with the
            // caller's target features (the softmax's AVX2 and FMA).
            #[inline(always)]
            fn ln_sleef_from_one(self) -> $t {
                $ln_from_one(self)
            }
            fn exp_sleef_into(src: &[$t], dst: &mut [$t]) {
                $exp_sleef_into(src, dst)
            }
            #[inline(always)]
            fn expm1_sleef(self) -> $t {
                $expm1_sleef(self)
            }
            #[inline(always)]
            fn log1p_torch(self) -> $t {
                $log1p_torch(self)
            }
            #[inline(always)]
            fn sigmoid(self) -> $t {
                // PyTorch's vector code carries a NaN input through `exp(-x)`
                // negated and quieted. Arithmetic does not fix a NaN's sign in
                // Rust, and the optimizer folds the negation into `exp`'s first
                // product (`-x * c` as `x * -c`), which gave release builds the
                // input's sign; so the NaN result is spelled out in bits.
                if self.is_nan() {
                    return <$t>::from_bits((-self).to_bits() | <$t>::NAN.to_bits());
                }
                1.0 / ($exp_sleef(-self) + 1.0)
            }
            // Rust's std calls the platform libm, as PyTorch's scalar path does.
            fn exp_m1(self) -> $t {
                <$t>::exp_m1(self)
            }
            fn ln(self) -> $t {
                <$t>::ln(self)
            }
            // Rust's std calls the platform libm, as PyTorch's scalar path does
            // (its vectorized SLEEF path may differ by an ulp).
            fn ln_1p(self) -> $t {
                <$t>::ln_1p(self)
            }
            fn sqrt(self) -> $t {
                <$t>::sqrt(self)
            }
            fn sin(self) -> $t {
                <$t>::sin(self)
            }
            fn cos(self) -> $t {
                <$t>::cos(self)
            }
            fn tanh(self) -> $t {
                <$t>::tanh(self)
            }
            // MKL returns a NaN input quieted, sign and payload kept (measured:
            // every NaN of the inputs), where SLEEF sets every bit; `x + x` quiets.
            #[inline(always)]
            fn tanh_torch(self) -> $t {
                if self.is_nan() {
                    self + self
                } else {
                    $tanh_torch(self)
                }
            }
            #[inline(always)]
            fn tanh_sleef(self) -> $t {
                $tanh_torch(self)
            }
            #[inline(always)]
            fn sinh_vec(self) -> $t {
                $sinh_vec(self)
            }
            #[inline(always)]
            fn cosh_vec(self) -> $t {
                $cosh_vec(self)
            }
            // Rust's std calls the platform libm, as PyTorch's scalar path does.
            fn sinh(self) -> $t {
                <$t>::sinh(self)
            }
            fn cosh(self) -> $t {
                <$t>::cosh(self)
            }
            fn abs(self) -> $t {
                <$t>::abs(self)
            }
            // Rust's std calls the platform libm for these, as PyTorch's scalar
            // path does (docs/act-language.md section 5.1 records the measured ulps).
            fn tan(self) -> $t {
                <$t>::tan(self)
            }
            fn asin(self) -> $t {
                <$t>::asin(self)
            }
            fn acos(self) -> $t {
                <$t>::acos(self)
            }
            fn atan(self) -> $t {
                <$t>::atan(self)
            }
            fn asinh(self) -> $t {
                $asinh(self)
            }
            // fdlibm's e_acosh, which glibc's acosh and acoshf follow (Rust's
            // std formula, log(x + sqrt(x-1)*sqrt(x+1)), was 5 ulps from PyTorch).
            fn acosh(self) -> $t {
                let x = self;
                if x.is_nan() || x < 1.0 {
                    <$t>::NAN
                } else if x >= (1u64 << 28) as $t {
                    x.ln() + std::f64::consts::LN_2 as $t
                } else if x > 2.0 {
                    (2.0 * x - 1.0 / (x + (x * x - 1.0).sqrt())).ln()
                } else {
                    let t = x - 1.0;
                    (t + (2.0 * t + t * t).sqrt()).ln_1p()
                }
            }
            fn atanh(self) -> $t {
                $atanh(self)
            }
            #[inline(always)]
            fn atanh_sleef(self) -> $t {
                $atanh_sleef(self)
            }
            fn exp2(self) -> $t {
                <$t>::exp2(self)
            }
            fn log2(self) -> $t {
                <$t>::log2(self)
            }
            fn log10(self) -> $t {
                <$t>::log10(self)
            }
            fn floor(self) -> $t {
                <$t>::floor(self)
            }
            fn ceil(self) -> $t {
                <$t>::ceil(self)
            }
            fn trunc(self) -> $t {
                <$t>::trunc(self)
            }
            fn round_ties_even(self) -> $t {
                <$t>::round_ties_even(self)
            }
            fn atan2(self, other: $t) -> $t {
                <$t>::atan2(self, other)
            }
            fn erf(self) -> $t {
                $erf(self)
            }
            // MKL's NaN, as `tanh_torch`.
            #[inline(always)]
            fn erfc(self) -> $t {
                if self.is_nan() {
                    self + self
                } else {
                    $erfc(self)
                }
            }
            #[inline(always)]
            fn lgamma_sleef(self) -> $t {
                $lgamma_sleef(self)
            }
            fn lgamma_libm(self) -> $t {
                $lgamma_libm(self)
            }
            fn powf(self, e: $t) -> $t {
                <$t>::powf(self, e)
            }
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn fmod(self, other: $t) -> $t {
                self % other
            }
            fn copysign(self, sign: $t) -> $t {
                <$t>::copysign(self, sign)
            }
            #[inline(always)]
            fn mul_add(self, a: $t, b: $t) -> $t {
                <$t>::mul_add(self, a, b)
            }
            fn exp_fast(src: &[$t], dst: &mut [$t]) {
                $exp_fast(src, dst)
            }
            fn exp_exact(src: &[$t], dst: &mut [$t]) {
                $exp_exact(src, dst)
            }
            fn slice(t: &Tensor) -> &[$t] {
                match t.data() {
                    Data::$variant(v) => v,
                    _ => panic!("kernel operand has dtype {} but the node is {}", t.dtype(), stringify!($t)),
                }
            }
            fn tensor(shape: Vec<usize>, data: Vec<$t>) -> Tensor {
                Tensor::$ctor(shape, data)
            }
            fn as_f32s(s: &[$t]) -> Option<&[f32]> {
                if std::any::TypeId::of::<$t>() != std::any::TypeId::of::<f32>() {
                    return None;
                }
                // SAFETY: the types are the same, so this is the same slice.
                Some(unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<f32>(), s.len()) })
            }
            fn as_f32s_mut(s: &mut [$t]) -> Option<&mut [f32]> {
                if std::any::TypeId::of::<$t>() != std::any::TypeId::of::<f32>() {
                    return None;
                }
                // SAFETY: the types are the same, so this is the same slice, borrowed as mutably.
                Some(unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<f32>(), s.len()) })
            }
        }
    };
}

impl_float!(
    f32,
    F32,
    from_f32,
    vmath::exp_f32,
    glibc_exp::exp_f32,
    sleef::exp_f32,
    sleef::exp_slice_f32,
    sleef::log_f32,
    sleef::log_f32_from_one,
    sleef::exp2_f32,
    sleef::hypot_f32,
    sleef::pow_f32,
    sleef::expm1_f32,
    sleef::log1p_f32,
    c_asinhf,
    libm::erff,
    sleef::erfc_f32,
    sleef::tanh_f32,
    f32::sinh,
    f32::cosh,
    c_atanhf,
    sleef::atanh_f32,
    sleef::lgamma_f32,
    c_lgammaf
);
impl_float!(
    f64,
    F64,
    from_f64,
    vmath::exp_f64,
    exp_f64_libm,
    sleef::exp_f64,
    sleef::exp_slice_f64,
    sleef::log_f64,
    // f64's rows of fewer than eight classes are rare enough to keep the general function.
    sleef::log_f64,
    sleef::exp2_f64,
    sleef::hypot_f64,
    sleef::pow_f64,
    sleef::expm1_f64,
    sleef::log1p_f64,
    c_asinh,
    libm::erf,
    sleef::erfc_f64,
    sleef::tanh_f64,
    sleef::sinh_f64,
    sleef::cosh_f64,
    c_atanh,
    sleef::atanh_f64,
    sleef::lgamma_f64,
    c_lgamma
);

// PyTorch computes `asinh` with the C library's scalar function on every path;
// Rust's std has its own formula (over `ln_1p` and `hypot`), which differed from
// PyTorch in 12,406 of 100,000 f32 elements, some far off for huge inputs
// (docs/NUMERICS.md). C99's `asinh` and `asinhf` are in the platform libm that
// std already links.
// The same holds for `atanh`'s scalar lambda: fdlibm's formula in Rust
// differed from glibc's in the last bit of some inputs.
extern "C" {
    fn erf(x: f64) -> f64;
    fn asinh(x: f64) -> f64;
    fn asinhf(x: f32) -> f32;
    fn atanh(x: f64) -> f64;
    fn atanhf(x: f32) -> f32;
    fn lgamma(x: f64) -> f64;
    fn lgammaf(x: f32) -> f32;
}

/// The platform libm's `lgamma`. It sets the C global `signgam`, which no Rust
/// code reads.
fn c_lgamma(x: f64) -> f64 {
    // SAFETY: as `c_asinh`.
    unsafe { lgamma(x) }
}

/// The platform libm's `lgammaf`.
fn c_lgammaf(x: f32) -> f32 {
    // SAFETY: as `c_asinh`.
    unsafe { lgammaf(x) }
}

/// The platform libm's `asinh`.
fn c_asinh(x: f64) -> f64 {
    // SAFETY: a pure C99 math function of one double; any value is a valid argument.
    unsafe { asinh(x) }
}

/// The platform libm's `asinhf`.
fn c_asinhf(x: f32) -> f32 {
    // SAFETY: as `c_asinh`.
    unsafe { asinhf(x) }
}

/// The platform libm's `atanh`.
fn c_atanh(x: f64) -> f64 {
    // SAFETY: as `c_asinh`.
    unsafe { atanh(x) }
}

/// The platform libm's `atanhf`.
fn c_atanhf(x: f32) -> f32 {
    // SAFETY: as `c_asinh`.
    unsafe { atanhf(x) }
}

/// The platform libm's `erf` of a double, which CPython's `math.erf` calls:
/// host arithmetic (`nn.init.trunc_normal_`'s bounds) uses it where a Python
/// program would, and tensors keep the kernels' `erf`.
pub fn c_erf(x: f64) -> f64 {
    // SAFETY: as `c_asinh`.
    unsafe { erf(x) }
}

/// f64 `exp` element by element with libm: no vector port reproduces glibc's `exp` yet.
fn exp_f64_libm(src: &[f64], dst: &mut [f64]) {
    src.iter().zip(dst).for_each(|(x, o)| *o = x.exp());
}
