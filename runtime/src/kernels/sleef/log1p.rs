//! SLEEF's `log1pf` and `log1p` with 1.0-ulp bounds (`xlog1pf`, `xlog1p`), as
//! built for AVX-512 with FMA: what PyTorch's `log1p` computes for every
//! element (`vml::vlog1p`, which has no MKL version). See the module documentation
//! for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::df::df;
use super::getexp::{getexp_f32, getexp_f64};

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

/// `dfdiv_vf2_vf2_vf2` on SLEEF's FMA path.
#[inline(always)]
fn div(n: df::P, d: df::P) -> df::P {
    let t = 1.0 / d.x;
    let qx = n.x * t;
    let u = t.mul_add(n.x, -qx);
    let qy = (-d.y).mul_add(t, (-d.x).mul_add(t, 1.0));
    df::P { x: qx, y: qx.mul_add(qy, n.y.mul_add(t, u)) }
}

/// SLEEF's `xlog1pf` (`Sleef_log1pf16_u10`): `log(1 + d)` in f32.
#[inline(always)]
pub fn log1p_f32(d: f32) -> f32 {
    let dp1 = d + 1.0;
    let e = getexp_f32(dp1 * (1.0f32 / 0.75f32));
    let e = if e == f32::INFINITY { 128.0 } else { e };
    let t = pow2((e.round_ties_even() as i32).wrapping_neg());
    let m = d.mul_add(t, t - 1.0);
    let s = df::mul_p_s(df::P { x: 0.693_147_182_464_599_609_38, y: -1.904_654_323_148_236_017e-9 }, e);
    // dfadd_vf2_vf_vf(2, m)
    let den_x = 2.0 + m;
    let den = df::P { x: den_x, y: (2.0 - den_x) + m };
    let x = div(df::P { x: m, y: 0.0 }, den);
    let x2 = x.x * x.x;
    let mut t = 0.302_729_487_4_f32;
    t = t.mul_add(x2, 0.399_610_817_4);
    t = t.mul_add(x2, 0.666_669_488_0);
    // dfadd_vf2_vf2_vf2(s, dfscale(x, 2)), then dfadd_vf2_vf2_vf(s, x2 * x.x * t).
    let (sx, sy) = (x.x * 2.0, x.y * 2.0);
    let rx = s.x + sx;
    let s = df::P { x: rx, y: (((s.x - rx) + sx) + s.y) + sy };
    let v = x2 * x.x * t;
    let rx = s.x + v;
    let s = df::P { x: rx, y: ((s.x - rx) + v) + s.y };
    let r = s.x + s.y;
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
    let t = pow2_f64((e.round_ties_even() as i32).wrapping_neg());
    let m = d.mul_add(t, t - 1.0);
    // ddmul_vd2_vd2_vd(ln 2 as a double-double, e)
    let (c1, c2): (f64, f64) = (0.693_147_180_559_945_286_226_764, 2.319_046_813_846_299_558_417_771e-17);
    let sx = c1 * e;
    let sy = c2.mul_add(e, c1.mul_add(e, -sx));
    // dddiv((m, 0), ddadd_vd2_vd_vd(2, m))
    let den_x = 2.0 + m;
    let den_y = (2.0 - den_x) + m;
    let t = 1.0 / den_x;
    let qx = m * t;
    let u = t.mul_add(m, -qx);
    let qy = (-den_y).mul_add(t, (-den_x).mul_add(t, 1.0));
    let (xx, xy) = (qx, qx.mul_add(qy, 0.0f64.mul_add(t, u)));
    let x2 = xx * xx;
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
    // ddadd_vd2_vd2_vd2(s, ddscale(x, 2)), then ddadd_vd2_vd2_vd(s, x2 * x.x * t).
    let (ax, ay) = (xx * 2.0, xy * 2.0);
    let rx = sx + ax;
    let (sx, sy) = (rx, (((sx - rx) + ax) + sy) + ay);
    let v = x2 * xx * t;
    let rx = sx + v;
    let (sx, sy) = (rx, ((sx - rx) + v) + sy);
    let r = sx + sy;
    let r = if d == f64::INFINITY { f64::INFINITY } else { r };
    let r = if d < -1.0 || d.is_nan() { f64::NAN } else { r };
    let r = if d == -1.0 { f64::NEG_INFINITY } else { r };
    if d == 0.0 && d.is_sign_negative() {
        -0.0
    } else {
        r
    }
}
