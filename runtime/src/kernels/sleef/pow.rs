//! SLEEF's `powf` and `pow` with 1.0-ulp bounds (`xpowf`, `xpow`), as built
//! for AVX-512 with FMA: `Vectorized<float>::pow` and `Vectorized<double>::pow`
//! (`Sleef_powf16_u10`, `Sleef_powd8_u10`), the vector lambda of PyTorch's
//! `pow` kernels, which `x ** c` runs over whole vector blocks. `x^y` is
//! `exp(y ln|x|)` with the logarithm and the exponential in float-float
//! (double-double) arithmetic, then the sign and IEEE's special cases. See
//! the module documentation for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::df::{dd, df};
use super::exp::{ldexp2_f64, L2L, L2LF, L2U, L2UF, R_LN2, R_LN2F};
use super::getexp::{getexp_f32, getexp_f64};
use super::log::{getmant_f32, getmant_f64};

/// `vldexp_vf_vf_vi2`: `x * 2^q` as four multiplications by a clamped power
/// of two and one by the rest, so that every factor is a normal number.
#[inline(always)]
fn ldexp_f32(x: f32, q: i32) -> f32 {
    let m = q >> 31;
    let m = ((m.wrapping_add(q) >> 6).wrapping_sub(m)) << 4;
    let q = q.wrapping_sub(m << 2);
    let m = m.wrapping_add(0x7f).clamp(0, 0xff);
    let u = f32::from_bits((m as u32) << 23);
    let x = x * u * u * u * u;
    x * f32::from_bits((q.wrapping_add(0x7f) as u32) << 23)
}

/// `logkf`: `ln(d)` of a positive float as a float-float, before any special case.
#[inline(always)]
fn logk_f32(d: f32) -> df::P {
    let e = getexp_f32(d * (1.0f32 / 0.75f32));
    let e = if e == f32::INFINITY { 128.0 } else { e };
    let m = getmant_f32(d);
    let x = df::div(df::add2_s_s(-1.0, m), df::add2_s_s(1.0, m));
    let x2 = df::squ(x);
    let mut t = 0.240_320_354_700_088_500_976_562_f32;
    t = t.mul_add(x2.x, 0.285_112_679_004_669_189_453_125);
    t = t.mul_add(x2.x, 0.400_007_992_982_864_379_882_812);
    let c = df::P { x: 0.666_666_626_930_236_816_406_25, y: 3.691_838_612_596_143_320_843_11e-9 };
    let s = df::mul_p_s(df::P { x: 0.693_147_182_464_599_609_38, y: -1.904_654_323_148_236_017e-9 }, e);
    let s = df::add_p_p(s, df::scale(x, 2.0));
    df::add_p_p(s, df::mul_p_p(df::mul_p_p(x2, x), df::add2_p_p(df::mul_p_s(x2, t), c)))
}

/// `expkf`: `exp(d)` of a float-float, +0 below -104.
#[inline(always)]
fn expk_f32(d: df::P) -> f32 {
    let u = (d.x + d.y) * R_LN2F;
    let q = super::cvt_i32(u.round_ties_even());
    let qf = q as f32;
    let s = df::add2_p_s(d, qf * -L2UF);
    let s = df::add2_p_s(s, qf * -L2LF);
    let s = df::normalize(s);
    let mut u = 0.001_363_246_468_827_128_410_339_36_f32;
    u = u.mul_add(s.x, 0.008_365_969_173_610_210_418_701_17);
    u = u.mul_add(s.x, 0.041_671_082_377_433_776_855_468_8);
    u = u.mul_add(s.x, 0.166_665_524_244_308_471_679_688);
    u = u.mul_add(s.x, 0.499_999_850_988_388_061_523_438);
    let t = df::add_p_p(s, df::mul_p_s(df::squ(s), u));
    let t = df::add_s_p(1.0, t);
    let u = ldexp_f32(t.x + t.y, q);
    if d.x < -104.0 {
        0.0
    } else {
        u
    }
}

/// `vmulsign`: `x` with its sign flipped where `y`'s sign bit is set.
macro_rules! mulsign {
    ($x:expr, $y:expr, $t:ty, $sign:expr) => {
        <$t>::from_bits($x.to_bits() ^ ($y.to_bits() & $sign))
    };
}

/// The end both types share: the sign of a negative base, then IEEE's special
/// cases in SLEEF's order. `r` is `exp(y ln|x|)`.
macro_rules! finish {
    ($r:expr, $x:expr, $y:expr, $t:ty, $sign:expr, $odd_below:expr) => {{
        let (mut r, x, y): ($t, $t, $t) = ($r, $x, $y);
        let yisint = y.trunc() == y;
        let yisodd = yisint && y.abs() < $odd_below && (y * 0.5).trunc() != y * 0.5;
        r *= if x > 0.0 {
            1.0
        } else if yisint {
            if yisodd {
                -1.0
            } else {
                1.0
            }
        } else {
            <$t>::NAN
        };
        let efx = mulsign!(x.abs() - 1.0, y, $t, $sign);
        if y.is_infinite() {
            r = if efx < 0.0 {
                0.0
            } else if efx == 0.0 {
                1.0
            } else {
                <$t>::INFINITY
            };
        }
        if x.is_infinite() || x == 0.0 {
            let m: $t = if y.is_sign_negative() ^ (x == 0.0) { 0.0 } else { <$t>::INFINITY };
            r = mulsign!(m, if yisodd { x } else { 1.0 }, $t, $sign);
        }
        if x.is_nan() || y.is_nan() {
            // SLEEF ORs the all-ones mask into the result.
            r = <$t>::from_bits(!0);
        }
        if y == 0.0 || x == 1.0 {
            1.0
        } else {
            r
        }
    }};
}

/// SLEEF's `xpowf` (`Sleef_powf16_u10`): `x^y` in f32.
#[inline(always)]
pub fn pow_f32(x: f32, y: f32) -> f32 {
    let r = expk_f32(df::mul_p_s(logk_f32(x.abs()), y));
    let r = if r.is_nan() { f32::INFINITY } else { r };
    finish!(r, x, y, f32, 0x8000_0000u32, 16_777_216.0)
}

/// `logk`: [`logk_f32`] in double-double arithmetic, a degree-9 polynomial.
#[inline(always)]
fn logk_f64(d: f64) -> dd::P {
    let e = getexp_f64(d * (1.0 / 0.75));
    let e = if e == f64::INFINITY { 1024.0 } else { e };
    let m = getmant_f64(d);
    let x = dd::div(dd::add2_s_s(-1.0, m), dd::add2_s_s(1.0, m));
    let x2 = dd::squ(x);
    let (p, p2) = (x2.x, x2.x * x2.x);
    let p4 = p2 * p2;
    let p8 = p4 * p4;
    // POLY9 of SLEEF's misc.h over p, p^2, p^4, p^8 (see `exp::exp_f64`).
    let l2 = |c1: f64, c0: f64| p.mul_add(c1, c0);
    let l4 = |c3: f64, c2: f64, c1: f64, c0: f64| p2.mul_add(l2(c3, c2), l2(c1, c0));
    let l8 = p4.mul_add(
        l4(0.103_239_680_901_072_952_701_192, 0.117_754_809_412_463_995_466_069, 0.133_329_810_868_462_739_215_09, 0.153_846_227_114_512_262_845_736),
        l4(
            0.181_818_180_850_050_775_676_507,
            0.222_222_222_230_083_560_345_903,
            0.285_714_285_714_249_172_087_875,
            0.400_000_000_000_000_077_715_612,
        ),
    );
    let t = p8.mul_add(0.116_255_524_079_935_043_668_677, l8);
    let c = dd::P { x: 0.666_666_666_666_666_629_659_233, y: 3.805_549_625_424_120_563_366_16e-17 };
    let s = dd::mul_p_s(dd::P { x: 0.693_147_180_559_945_286_226_764, y: 2.319_046_813_846_299_558_417_771e-17 }, e);
    let s = dd::add_p_p(s, dd::scale(x, 2.0));
    let x = dd::mul_p_p(x2, x);
    let s = dd::add_p_p(s, dd::mul_p_p(x, c));
    let x = dd::mul_p_p(x2, x);
    dd::add_p_p(s, dd::mul_p_s(x, t))
}

/// `expk`: `exp(d)` of a double-double, +0 below -1000.
#[inline(always)]
fn expk_f64(d: dd::P) -> f64 {
    let u = (d.x + d.y) * R_LN2;
    let dq = u.round_ties_even();
    let q = super::cvt_i32_f64(dq);
    let s = dd::add2_p_s(d, dq * -L2U);
    let s = dd::add2_p_s(s, dq * -L2L);
    let s = dd::normalize(s);
    let (x, x2) = (s.x, s.x * s.x);
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    // POLY10 over s, s^2, s^4, s^8.
    let p2 = |c1: f64, c0: f64| x.mul_add(c1, c0);
    let p4 = |c3: f64, c2: f64, c1: f64, c0: f64| x2.mul_add(p2(c3, c2), p2(c1, c0));
    let p8 = x4.mul_add(
        p4(
            2.755_724_967_250_235_741_438_64e-6,
            2.480_149_739_898_197_941_141_53e-5,
            0.000_198_412_698_809_069_797_676_111,
            0.001_388_888_893_997_712_896_052_9,
        ),
        p4(
            0.008_333_333_333_323_714_176_010_81,
            0.041_666_666_666_540_952_412_844_9,
            0.166_666_666_666_666_740_681_535,
            0.500_000_000_000_000_999_200_722,
        ),
    );
    let u = x8.mul_add(p2(2.510_696_834_209_504_195_271_39e-8, 2.762_861_667_702_706_491_168_55e-7), p8);
    let t = dd::add_s_p(1.0, s);
    let t = dd::add_p_p(t, dd::mul_p_s(dd::squ(s), u));
    let u = ldexp2_f64(t.x + t.y, q);
    if d.x < -1000.0 {
        0.0
    } else {
        u
    }
}

/// SLEEF's `xpow` (`Sleef_powd8_u10`): `x^y` in f64.
#[inline(always)]
pub fn pow_f64(x: f64, y: f64) -> f64 {
    let d = dd::mul_p_s(logk_f64(x.abs()), y);
    let r = expk_f64(d);
    let r = if d.x > 709.782_711_149_557_429_092_172_174_26 { f64::INFINITY } else { r };
    finish!(r, x, y, f64, 0x8000_0000_0000_0000u64, 9_007_199_254_740_992.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IEEE's special cases, which SLEEF settles after the formula.
    #[test]
    fn special_cases() {
        for (x, y, want) in [
            (2.0f64, 0.0, 1.0),
            (1.0, f64::NAN, 1.0),
            (-2.0, 3.0, -8.0),
            (-2.0, 2.0, 4.0),
            (-0.0, 3.0, -0.0),
            (-0.0, -3.0, f64::NEG_INFINITY),
            (0.0, -0.5, f64::INFINITY),
            (f64::NEG_INFINITY, 3.0, f64::NEG_INFINITY),
            (f64::NEG_INFINITY, -2.0, 0.0),
            (0.5, f64::INFINITY, 0.0),
            (-1.0, f64::INFINITY, 1.0),
            (2.0, f64::NEG_INFINITY, 0.0),
            (2.0, 1024.0, f64::INFINITY),
            (2.0, -1080.0, 0.0),
        ] {
            let (a, b) = (pow_f64(x, y), pow_f32(x as f32, y as f32));
            assert_eq!(a.to_bits(), want.to_bits(), "pow({x}, {y}) in f64");
            if want.abs() < 1e30 || want.is_infinite() {
                assert_eq!(b.to_bits(), (want as f32).to_bits(), "pow({x}, {y}) in f32");
            }
        }
        assert!(pow_f64(-2.0, 0.5).is_nan() && pow_f32(-2.0, 0.5).is_nan());
        assert_eq!(pow_f32(f32::NAN, 2.0).to_bits(), !0);
    }

    /// Within SLEEF's bound of one ulp of the correctly rounded power (std's
    /// `pow` in f64 is within one ulp of it too) over a spread of bases and
    /// exponents.
    #[test]
    fn within_an_ulp() {
        for i in 1..2000 {
            let x = i as f64 * 0.0173;
            for y in [0.75, 1.0 / 3.0, -1.7, 2.5, 10.25] {
                let want = (x as f32 as f64).powf(y as f32 as f64) as f32;
                let got = pow_f32(x as f32, y as f32);
                assert!((got.to_bits() as i64 - want.to_bits() as i64).abs() <= 1, "powf({x}, {y}): {got} vs {want}");
                let (got, want) = (pow_f64(x, y), x.powf(y));
                assert!((got.to_bits() as i64 - want.to_bits() as i64).abs() <= 2, "pow({x}, {y}): {got} vs {want}");
            }
        }
    }
}
