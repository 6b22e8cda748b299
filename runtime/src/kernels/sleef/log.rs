//! SLEEF's `logf` and `log` with 1.0-ulp bounds (`xlogf_u1`, `xlog_u1`), as
//! built for AVX-512 with FMA: `Vectorized<float>::log` and
//! `Vectorized<double>::log` (`Sleef_logf16_u10`, `Sleef_logd8_u10`), which
//! PyTorch's `log_softmax` kernels apply to each row's sum. See the module
//! documentation for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::df::{dd, df};
use super::getexp::{getexp_f32, getexp_f64};

/// AVX-512's `getmant` with `_MM_MANT_NORM_p75_1p5` and `_MM_MANT_SIGN_nan`
/// (SLEEF's `vgetmant_vf_vf`): `|v|`'s significand scaled into [0.75, 1.5), for
/// the finite nonzero values whose result `log_f32` keeps (the others are
/// replaced by its fixup).
#[inline(always)]
pub(super) fn getmant_f32(v: f32) -> f32 {
    let mut bits = v.abs().to_bits();
    if bits >> 23 == 0 {
        // Subnormal: normalize the significand first.
        let shift = bits.leading_zeros() - 8;
        bits = (bits << shift) & 0x007f_ffff;
    } else {
        bits &= 0x007f_ffff;
    }
    // 1.f when f < 0.5, else 0.1f (exponent -1): [0.75, 1.5).
    if bits & 0x0040_0000 == 0 {
        f32::from_bits(bits | (127 << 23))
    } else {
        f32::from_bits(bits | (126 << 23))
    }
}

/// SLEEF's AVX-512 fixup of `log` (`vfixupimm` with the table
/// `(4 << 8) | (3 << 16) | (5 << 20) | (2 << 24)`): zero gives -inf, -inf the
/// default NaN, +inf itself, a negative number a NaN carrying its bits; every other input
/// (positive numbers, NaNs) keeps the computed `r`.
macro_rules! fixup {
    ($r:expr, $d:expr, $t:ty, $default_nan:expr, $nan_bits:expr) => {{
        let (r, d): ($t, $t) = ($r, $d);
        if d.is_nan() {
            r
        } else if d == 0.0 {
            <$t>::NEG_INFINITY
        } else if d == <$t>::NEG_INFINITY {
            <$t>::from_bits($default_nan)
        } else if d == <$t>::INFINITY {
            <$t>::INFINITY
        } else if d < 0.0 {
            // QNaN(d): the input's sign and significand under a NaN's
            // exponent with the quiet bit set.
            <$t>::from_bits(d.to_bits() | $nan_bits)
        } else {
            r
        }
    }};
}

/// SLEEF's `xlogf_u1` (`Sleef_logf16_u10`): `ln(d)` in f32.
#[inline(always)]
pub fn log_f32(d: f32) -> f32 {
    let e = getexp_f32(d * (1.0f32 / 0.75f32));
    let e = if e == f32::INFINITY { 128.0 } else { e };
    let m = getmant_f32(d);
    let x = df::div(df::add2_s_s(-1.0, m), df::add2_s_s(1.0, m));
    let r = ln_from_f32(e, x);
    fixup!(r, d, f32, 0xffc0_0000u32, 0x7fc0_0000u32)
}

/// [`log_f32`] of `d` in `[1, 2^100)`, such as a softmax row's sum, without
/// branches, so that a loop over a group of rows' sums vectorizes: for such
/// `d`, `getexp` of `d / 0.75` and `getmant` of `d` are bit fields of normal
/// numbers, and the fixup keeps the computed result. The same operations
/// otherwise, so the same bits (the tests compare the two).
#[inline(always)]
pub fn log_f32_from_one(d: f32) -> f32 {
    let e = (((d * (1.0f32 / 0.75f32)).to_bits() >> 23) & 0xff) as i32 - 127;
    let bits = d.to_bits() & 0x007f_ffff;
    let exponent = if bits & 0x0040_0000 == 0 { 127 << 23 } else { 126 << 23 };
    let m = f32::from_bits(bits | exponent);
    let x = df::div(df::add2_s_s(-1.0, m), df::add2_s_s(1.0, m));
    ln_from_f32(e as f32, x)
}

/// The end that SLEEF's `logf` and `log1pf` share: `e ln 2 + 2 atanh(x)` as
/// `e ln 2 + 2x + x^3 t(x^2)` in float-float arithmetic, from the exponent `e`
/// and `x`, `(m - 1) / (m + 1)` for `log` or `m / (m + 2)` for `log1p`, before
/// either's special cases.
#[inline(always)]
pub(super) fn ln_from_f32(e: f32, x: df::P) -> f32 {
    let s = df::mul_p_s(df::P { x: 0.693_147_182_464_599_609_38, y: -1.904_654_323_148_236_017e-9 }, e);
    let x2 = x.x * x.x;
    let mut t = 0.302_729_487_4_f32;
    t = t.mul_add(x2, 0.399_610_817_4);
    t = t.mul_add(x2, 0.666_669_488_0);
    let s = df::add_p_p(s, df::scale(x, 2.0));
    let v = x2 * x.x * t;
    let rx = s.x + v;
    let s = df::P { x: rx, y: ((s.x - rx) + v) + s.y };
    s.x + s.y
}

/// `getmant` for f64, as [`getmant_f32`].
#[inline(always)]
pub(super) fn getmant_f64(v: f64) -> f64 {
    let mut bits = v.abs().to_bits();
    if bits >> 52 == 0 {
        let shift = bits.leading_zeros() - 11;
        bits = (bits << shift) & 0x000f_ffff_ffff_ffff;
    } else {
        bits &= 0x000f_ffff_ffff_ffff;
    }
    if bits & 0x0008_0000_0000_0000 == 0 {
        f64::from_bits(bits | (1023 << 52))
    } else {
        f64::from_bits(bits | (1022 << 52))
    }
}

/// SLEEF's `xlog_u1` (`Sleef_logd8_u10`) as built for AVX-512 with FMA:
/// `ln(d)` in f64.
#[inline(always)]
pub fn log_f64(d: f64) -> f64 {
    let e = getexp_f64(d * (1.0 / 0.75));
    let e = if e == f64::INFINITY { 1024.0 } else { e };
    let m = getmant_f64(d);
    let x = dd::div(dd::add2_s_s(-1.0, m), dd::add2_s_s(1.0, m));
    let r = ln_from_f64(e, x);
    fixup!(r, d, f64, 0xfff8_0000_0000_0000u64, 0x7ff8_0000_0000_0000u64)
}

/// The end that SLEEF's `log` and `log1p` share, as [`ln_from_f32`] in
/// double-double arithmetic, with a polynomial of degree 7 in `x^2`.
#[inline(always)]
pub(super) fn ln_from_f64(e: f64, x: dd::P) -> f64 {
    let x2 = x.x * x.x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    // POLY7 over x2, x4, x8.
    let p2 = |c1: f64, c0: f64| x2.mul_add(c1, c0);
    let p3 = x4.mul_add(0.153_207_698_850_270_135_3e+0, p2(0.152_562_905_100_342_871_6e+0, 0.181_860_593_293_778_599_6e+0));
    let p4 = x4.mul_add(
        p2(0.222_221_451_983_938_000_9e+0, 0.285_714_293_279_429_931_7e+0),
        p2(0.399_999_999_963_525_199_0e+0, 0.666_666_666_666_733_354_1e+0),
    );
    let t = x8.mul_add(p3, p4);
    let s = dd::mul_p_s(dd::P { x: 0.693_147_180_559_945_286_226_764, y: 2.319_046_813_846_299_558_417_771e-17 }, e);
    let s = dd::add_p_p(s, dd::scale(x, 2.0));
    let v = x2 * x.x * t;
    let rx = s.x + v;
    let s = dd::P { x: rx, y: ((s.x - rx) + v) + s.y };
    s.x + s.y
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branch-free version has `log_f32`'s bits on its whole domain: every
    /// float in [1, 4) and in [2^20, 2^20 * 2), and a million spread over [1, 2^100).
    #[test]
    fn log_from_one_has_the_bits_of_log() {
        let same = |d: f32| assert_eq!(log_f32_from_one(d).to_bits(), log_f32(d).to_bits(), "ln({d:e})");
        for lo in [1.0f32, 1048576.0] {
            let (a, b) = (lo.to_bits(), (lo * 4.0).to_bits());
            (a..b).step_by(if lo == 1.0 { 1 } else { 7 }).map(f32::from_bits).for_each(same);
        }
        let (a, b) = (1.0f32.to_bits(), 2f32.powi(100).to_bits());
        (a..b).step_by(((b - a) / 1_000_000) as usize).map(f32::from_bits).for_each(same);
    }
}
