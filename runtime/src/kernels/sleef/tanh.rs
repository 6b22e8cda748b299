//! SLEEF's `tanhf` and `tanh` with 1.0-ulp bounds (`xtanhf`, `xtanh`), as built
//! with FMA. PyTorch's `tanh` runs MKL's closed `vsTanh`/`vdTanh`; of the
//! candidates measured (glibc, SLEEF u10 and u35) this one is closest to it and
//! within 1 ulp everywhere, where glibc's is up to 2 ulps off (docs/NUMERICS.md).
//! See the module documentation for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision)]

use super::df::{dd, df};
use super::expm1::{expk2_f32, expk2_f64};

/// SLEEF's `xtanhf` (`Sleef_tanhf16_u10`): `tanh(x)` in f32.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let d = expk2_f32(df::P { x: x.abs(), y: 0.0 });
    let e = df::rec(d);
    let d = df::div(df::add2_p_p(d, df::neg(e)), df::add2_p_p(d, e));
    let y = d.x + d.y;
    // Past 8.66 (and where exp overflowed to NaN) the result is 1 with x's sign;
    // a NaN input gives SLEEF's all-ones NaN.
    let y = if x.abs() > 8.664_339_742 || y.is_nan() { 1.0 } else { y };
    let y = f32::from_bits(y.to_bits() ^ (x.to_bits() & 0x8000_0000));
    if x.is_nan() {
        f32::from_bits(u32::MAX)
    } else {
        y
    }
}

/// SLEEF's `xtanh` (`Sleef_tanhd8_u10`) on its FMA path: `tanh(x)` in f64.
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    let d = expk2_f64(dd::P { x: x.abs(), y: 0.0 });
    let e = dd::rec(d);
    let d = dd::div(dd::add2_p_p(d, dd::neg(e)), dd::add2_p_p(d, e));
    let y = d.x + d.y;
    let y = if x.abs() > 18.714_973_875 || y.is_nan() { 1.0 } else { y };
    let y = f64::from_bits(y.to_bits() ^ (x.to_bits() & 0x8000_0000_0000_0000));
    if x.is_nan() {
        f64::from_bits(u64::MAX)
    } else {
        y
    }
}
