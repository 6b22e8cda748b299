//! SLEEF's `atanhf` and `atanh` with 1.0-ulp bounds (`xatanhf`, `xatanh` over
//! `logk2f`, `logk2`), as built for AVX-512 with FMA: the vector lambda of
//! PyTorch's `atanh` kernel (`cpu_kernel_vec`, glibc's `atanh` in the tail).
//! See the module documentation for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::df::{dd, df};
use super::exp::{ldexp2_f64, pow2i_f32};
use super::getexp::{getexp_f32, getexp_f64};

/// `cvtps2dq`/`cvtpd2dq`: round to nearest even; NaN and out-of-range values
/// give the "integer indefinite" `i32::MIN`.
#[inline(always)]
fn rint_i32(v: f64) -> i32 {
    if v.is_nan() || v.abs() >= 2_147_483_648.0 {
        i32::MIN
    } else {
        v.round_ties_even() as i32
    }
}

/// `logk2f` on AVX-512: `log(d)` of a positive double-float, as a double-float.
#[inline(always)]
pub(super) fn logk2_f32(d: df::P) -> df::P {
    let e = rint_i32(f64::from(getexp_f32(d.x * (1.0f32 / 0.75f32))));
    let m = df::scale(d, pow2i_f32(e.wrapping_neg()));
    let x = df::div(df::add2_p_s(m, -1.0), df::add2_p_s(m, 1.0));
    let x2 = df::squ(x);
    let mut t = 0.239_282_846_450_805_664_062_5_f32;
    t = t.mul_add(x2.x, 0.285_182_118_415_832_519_531_25);
    t = t.mul_add(x2.x, 0.400_005_877_017_974_853_515_625);
    t = t.mul_add(x2.x, 0.666_666_686_534_881_591_796_875);
    let s = df::mul_p_s(df::P { x: 0.693_147_182_464_599_609_38, y: -1.904_654_323_148_236_017e-9 }, e as f32);
    let s = df::add_p_p(s, df::scale(x, 2.0));
    df::add_p_p(s, df::mul_p_s(df::mul_p_p(x2, x), t))
}

/// SLEEF's `xatanhf` (`Sleef_atanhf16_u10`): `atanh(x)` in f32.
#[inline(always)]
pub fn atanh_f32(x: f32) -> f32 {
    let y = x.abs();
    let d = logk2_f32(df::div(df::add2_s_s(1.0, y), df::add2_s_s(1.0, -y)));
    let y = if y > 1.0 {
        u32::MAX
    } else if y == 1.0 {
        f32::INFINITY.to_bits()
    } else {
        ((d.x + d.y) * 0.5).to_bits()
    };
    // Infinities and NaNs set every bit before the sign is applied.
    let y = if x.is_infinite() || f32::from_bits(y).is_nan() { u32::MAX } else { y };
    let y = y ^ (x.to_bits() & 0x8000_0000);
    f32::from_bits(if x.is_nan() { u32::MAX } else { y })
}

/// `logk2` on AVX-512: `log(d)` of a positive double-double.
#[inline(always)]
pub(super) fn logk2_f64(d: dd::P) -> dd::P {
    let e = rint_i32(getexp_f64(d.x * (1.0 / 0.75)));
    let m = dd::P { x: ldexp2_f64(d.x, e.wrapping_neg()), y: ldexp2_f64(d.y, e.wrapping_neg()) };
    let x = dd::div(dd::add2_p_s(m, -1.0), dd::add2_p_s(m, 1.0));
    let x2 = dd::squ(x);
    let (z, z2) = (x2.x, x2.x * x2.x);
    let z4 = z2 * z2;
    // POLY7 over x2.x, its square and fourth power (Estrin's scheme, see exp.rs).
    let p3 = z2.mul_add(0.138_604_363_904_671_679_108_56, z.mul_add(0.131_699_838_841_615_374_240_845, 0.153_914_168_346_271_945_653_214));
    let p4 = z2.mul_add(
        z.mul_add(0.181_816_523_941_564_611_721_589, 0.222_222_246_326_620_354_039_96),
        z.mul_add(0.285_714_285_511_134_091_777_308, 0.400_000_000_000_914_013_309_483),
    );
    let t = z4.mul_add(p3, p4);
    let t = t.mul_add(x2.x, 0.666_666_666_666_664_853_302_393);
    let s = dd::mul_p_s(dd::P { x: 0.693_147_180_559_945_286_226_764, y: 2.319_046_813_846_299_558_417_771e-17 }, f64::from(e));
    let s = dd::add_p_p(s, dd::scale(x, 2.0));
    dd::add_p_p(s, dd::mul_p_s(dd::mul_p_p(x2, x), t))
}

/// SLEEF's `xatanh` (`Sleef_atanhd8_u10`) on its FMA path: `atanh(x)` in f64.
#[inline(always)]
pub fn atanh_f64(x: f64) -> f64 {
    let y = x.abs();
    let d = logk2_f64(dd::div(dd::add2_s_s(1.0, y), dd::add2_s_s(1.0, -y)));
    let y = if y > 1.0 {
        u64::MAX
    } else if y == 1.0 {
        f64::INFINITY.to_bits()
    } else {
        ((d.x + d.y) * 0.5).to_bits()
    };
    // Unlike the f32 version, the sign is applied before infinities and NaNs
    // set every bit.
    let y = y ^ (x.to_bits() & 0x8000_0000_0000_0000);
    let y = if x.is_infinite() || f64::from_bits(y).is_nan() { u64::MAX } else { y };
    f64::from_bits(if x.is_nan() { u64::MAX } else { y })
}
