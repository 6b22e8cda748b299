//! The element types kernels are generic over (`f32`, `f64`), with exactly the
//! scalar operations PyTorch's CPU kernels use, so every kernel is written once
//! and still computes in the tensor's own precision.

use std::ops::{Add, Div, Mul, Neg, Sub};

use super::vmath;
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
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    const NAN: Self;
    /// Rounds an `f64` to this type.
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn from_usize(v: usize) -> Self;
    fn exp(self) -> Self;
    /// `exp(self) - 1`.
    fn exp_m1(self) -> Self;
    fn ln(self) -> Self;
    /// `ln(1 + self)`.
    fn ln_1p(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tanh(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn abs(self) -> Self;
    fn powf(self, e: Self) -> Self;
    fn is_nan(self) -> bool;
    /// `self * a + b` with one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `exp` of every element of `src` into `dst` with [`vmath`](super::vmath)'s
    /// vector code: within an ulp or two of exact, so not PyTorch's bits.
    fn exp_fast(src: &[Self], dst: &mut [Self]);
    /// The elements of `t`; panics if `t` has the other dtype, which would be a
    /// type-checking bug in the compiler (`.act` never mixes dtypes implicitly).
    fn slice(t: &Tensor) -> &[Self];
    fn tensor(shape: Vec<usize>, data: Vec<Self>) -> Tensor;
}

macro_rules! impl_float {
    ($t:ty, $variant:ident, $ctor:ident, $exp_fast:path) => {
        impl Float for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            const NAN: $t = <$t>::NAN;
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
            fn powf(self, e: $t) -> $t {
                <$t>::powf(self, e)
            }
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn mul_add(self, a: $t, b: $t) -> $t {
                <$t>::mul_add(self, a, b)
            }
            fn exp_fast(src: &[$t], dst: &mut [$t]) {
                $exp_fast(src, dst)
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
        }
    };
}

impl_float!(f32, F32, from_f32, vmath::exp_f32);
impl_float!(f64, F64, from_f64, vmath::exp_f64);
