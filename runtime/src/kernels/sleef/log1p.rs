//! SLEEF's `log1pf` and `log1p` with 1.0-ulp bounds (`xlog1pf`, `xlog1p`), as
//! built for AVX-512 with FMA: what PyTorch's `log1p` computes for every
//! element (`vml::vlog1p`, which has no MKL version). See the module documentation
//! for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::df::{dd, df};
use super::getexp::{getexp_f32, getexp_f64};
use super::log::{ln_from_f32, ln_from_f64};

/// `2^q`, exactly, as AVX-512's `scalef` makes it (SLEEF's `vldexp3` there):
/// subnormal from -127 down, 0 below -149, infinite above 127.
#[inline(always)]
fn pow2(q: i32) -> f32 {
    if q > 127 {
        f32::INFINITY
    } else if q >= -126 {
        f32::from_bits(((q + 127) as u32) << 23)
    } else if q >= -149 {
        f32::from_bits(1u32 << (q + 149))
    } else {
        0.0
    }
}

/// SLEEF's `xlog1pf` (`Sleef_log1pf16_u10`): `log(1 + d)` in f32.
#[inline(always)]
pub fn log1p_f32(d: f32) -> f32 {
    let dp1 = d + 1.0;
    let e = getexp_f32(dp1 * (1.0f32 / 0.75f32));
    let e = if e == f32::INFINITY { 128.0 } else { e };
    let t = pow2(super::cvt_i32(e.round_ties_even()).wrapping_neg());
    let m = d.mul_add(t, t - 1.0);
    // dfadd_vf2_vf_vf(2, m)
    let den_x = 2.0 + m;
    let den = df::P { x: den_x, y: (2.0 - den_x) + m };
    let r = ln_from_f32(e, df::div(df::P { x: m, y: 0.0 }, den));
    let r = if d == f32::INFINITY { f32::INFINITY } else { r };
    // Below -1 SLEEF sets every bit: a negative NaN with a full payload.
    let r = if -1.0 > d { f32::from_bits(u32::MAX) } else { r };
    let r = if d == -1.0 { f32::NEG_INFINITY } else { r };
    if d == 0.0 && d.is_sign_negative() {
        -0.0
    } else {
        r
    }
}

/// `2^q` exactly, as [`pow2`] for f64.
#[inline(always)]
fn pow2_f64(q: i32) -> f64 {
    if q > 1023 {
        f64::INFINITY
    } else if q >= -1022 {
        f64::from_bits(((q + 1023) as u64) << 52)
    } else if q >= -1074 {
        f64::from_bits(1u64 << (q + 1074))
    } else {
        0.0
    }
}

/// SLEEF's `xlog1p` (`Sleef_log1pd8_u10`) as built for AVX-512 with FMA:
/// `log(1 + d)` in f64.
#[inline(always)]
pub fn log1p_f64(d: f64) -> f64 {
    let dp1 = d + 1.0;
    let e = getexp_f64(dp1 * (1.0 / 0.75));
    let e = if e == f64::INFINITY { 1024.0 } else { e };
    let t = pow2_f64(super::cvt_i32_f64(e.round_ties_even()).wrapping_neg());
    let m = d.mul_add(t, t - 1.0);
    // dddiv((m, 0), ddadd_vd2_vd_vd(2, m))
    let den_x = 2.0 + m;
    let den = dd::P { x: den_x, y: (2.0 - den_x) + m };
    let r = ln_from_f64(e, dd::div(dd::P { x: m, y: 0.0 }, den));
    let r = if d == f64::INFINITY { f64::INFINITY } else { r };
    let r = if d < -1.0 || d.is_nan() { f64::NAN } else { r };
    let r = if d == -1.0 { f64::NEG_INFINITY } else { r };
    if d == 0.0 && d.is_sign_negative() {
        -0.0
    } else {
        r
    }
}
