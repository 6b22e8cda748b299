//! Ports of the SLEEF functions behind PyTorch's vectorized CPU kernels.
//!
//! PyTorch's `Vectorized<float>::exp` and `Vectorized<double>::exp` call SLEEF
//! (`Sleef_expf16_u10` / `Sleef_expd8_u10` on this machine's AVX-512 build,
//! the `f8`/`d4` AVX2 twins elsewhere; both compute the same bits), and the
//! kernels built on them, such as `sigmoid`, print those bits; likewise
//! `Vectorized::exp2` and PyTorch's `exp2`, and `Vectorized::expm1`, which
//! PyTorch's `expm1` applies to every element; `Vectorized::atanh`, `Vectorized::lgamma` and
//! `Vectorized::hypot`, `Vectorized::pow` (the vector lambda of PyTorch's
//! `pow` kernels), and for
//! double `sinh` and `cosh`, which PyTorch's kernels of those ops run in vector
//! blocks; `Vectorized::log`, which the `log_softmax` kernels apply to each
//! row's sum of exponentials. `tanh` and `erfc` run MKL's closed functions in PyTorch, to which
//! SLEEF's are the closest measured (within 1 ulp). These are the
//! same algorithms, one element at a time: every multiply-add that SLEEF's FMA
//! builds fuse is `mul_add` here, so each element comes out bit for bit as
//! SLEEF's. The slice functions compile the same element code with AVX2 and
//! FMA enabled, where LLVM vectorizes it; `mul_add` is one exact operation on
//! either path, so the bits do not depend on the path.
//!
//! Provenance: SLEEF 3.x, `src/libm/sleefsimdsp.c` (`xexpf`, `xexp2f`,
//! `xexpm1f`, `xhypotf_u05`, `xlogf_u1`, `xpowf`, `xlog1pf`, `xtanhf`, `xerfcf_u15`, `xatanhf`, `xlgammaf_u1`),
//! `src/libm/sleefsimddp.c` (`xexp`, `xexp2`, `xexpm1`, `xhypot_u05`, `xlog_u1`, `xpow`, `xlog1p`, `xtanh`,
//! `xerfc_u15`, `xatanh`, `xsinh`, `xcosh`, `xlgamma_u1`), `df.h` and `dd.h`, by Naoki Shibata and contributors,
//! distributed under the Boost Software License 1.0, which permits this
//! derived work; its text is at <https://www.boost.org/LICENSE_1_0.txt>.
//! `docs/NUMERICS.md` records the measured agreement with PyTorch.

mod atanh;

/// `cvtps2dq` of an f32 that holds an integer (SLEEF's `vrint_vi2_vf` and
/// `vtruncate_vi2_vf` after rounding): NaN and values outside the i32 range
/// give the "integer indefinite" `i32::MIN`, as the instruction does. A plain
/// `as i32` saturates instead, and LLVM compiles that lane by lane with
/// compares and branches, which kept the slice loops of `exp` from vectorizing;
/// this form becomes one `vcvttps2dq` and a blend.
#[inline(always)]
pub(super) fn cvt_i32(x: f32) -> i32 {
    let ok = (-2_147_483_648.0..2_147_483_648.0).contains(&x);
    // SAFETY: the value converted is finite and within i32's range (0 otherwise).
    let i = unsafe { (if ok { x } else { 0.0 }).to_int_unchecked::<i32>() };
    if ok {
        i
    } else {
        i32::MIN
    }
}

/// [`cvt_i32`] of an f64 (`cvtpd2dq`, SLEEF's `vrint_vi_vd`).
#[inline(always)]
pub(super) fn cvt_i32_f64(x: f64) -> i32 {
    let ok = (-2_147_483_648.0..2_147_483_648.0).contains(&x);
    // SAFETY: the value converted is finite and within i32's range (0 otherwise).
    let i = unsafe { (if ok { x } else { 0.0 }).to_int_unchecked::<i32>() };
    if ok {
        i
    } else {
        i32::MIN
    }
}
mod df;
mod erfc;
mod exp;
mod exp2;
mod expm1;
mod getexp;
mod hypot;
mod lgamma;
mod log;
mod log1p;
mod pow;
mod sinh;
mod tanh;

pub use atanh::{atanh_f32, atanh_f64};
pub use erfc::{erfc_f32, erfc_f64};
pub use exp::{exp_f32, exp_f64, exp_slice_f32, exp_slice_f64};
pub use exp2::{exp2_f32, exp2_f64};
pub use expm1::{expm1_f32, expm1_f64};
pub use hypot::{hypot_f32, hypot_f64};
pub use lgamma::{lgamma_f32, lgamma_f64};
pub use log::{log_f32, log_f32_from_one, log_f64};
pub use log1p::{log1p_f32, log1p_f64};
pub use pow::{pow_f32, pow_f64};
pub use sinh::{cosh_f64, sinh_f64};
pub use tanh::{tanh_f32, tanh_f64};
