//! SLEEF's `expm1f` and `expm1` with 1.0-ulp bounds (`xexpm1f`, `xexpm1` over
//! `expk2f`, `expk2`), as built with FMA: what PyTorch's `expm1` computes for
//! every element (`vml::vexpm1`, MKL's being disabled). See the module
//! documentation for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision)]

use super::df::{dd, df};
use super::exp::{ldexp2_f32, ldexp2_f64, L2L, L2LF, L2U, L2UF, R_LN2, R_LN2F};

/// `expk2f`: `exp(d)` of a double-float, as a double-float.
#[inline(always)]
pub(super) fn expk2_f32(d: df::P) -> df::P {
    let u = (d.x + d.y) * R_LN2F;
    let q = super::cvt_i32(u.round_ties_even());
    let qf = q as f32;
    let s = df::add2_p_s(d, qf * -L2UF);
    let s = df::add2_p_s(s, qf * -L2LF);
    let mut u = 0.198_096_022_4e-3_f32;
    u = u.mul_add(s.x, 0.139_425_648_4e-2);
    u = u.mul_add(s.x, 0.833_345_670_3e-2);
    u = u.mul_add(s.x, 0.416_663_736_1e-1);
    let t = df::add2_p_s(df::mul_p_s(s, u), 0.166_666_659_414_234_244_790_680_580_464e+0);
    let t = df::add2_p_s(df::mul_p_p(s, t), 0.5);
    let t = df::add2_p_p(s, df::mul_p_p(df::squ(s), t));
    let t = df::add_s_p(1.0, t);
    if d.x < -104.0 {
        df::P { x: 0.0, y: 0.0 }
    } else {
        df::P { x: ldexp2_f32(t.x, q), y: ldexp2_f32(t.y, q) }
    }
}

/// SLEEF's `xexpm1f` (`Sleef_expm1f16_u10`): `exp(a) - 1` in f32.
#[inline(always)]
pub fn expm1_f32(a: f32) -> f32 {
    let d = df::add2_p_s(expk2_f32(df::P { x: a, y: 0.0 }), -1.0);
    let x = d.x + d.y;
    let x = if a > 88.722_831_726_074_218_75 { f32::INFINITY } else { x };
    let x = if a < -16.635_532_333_438_687_426_013_570 { -1.0 } else { x };
    if a == 0.0 && a.is_sign_negative() {
        -0.0
    } else {
        x
    }
}

/// `expk2`: `exp(d)` of a double-double, as a double-double.
#[inline(always)]
pub(super) fn expk2_f64(d: dd::P) -> dd::P {
    let u = (d.x + d.y) * R_LN2;
    let dq = u.round_ties_even();
    let q = super::cvt_i32_f64(dq);
    let s = dd::add2_p_s(d, dq * -L2U);
    let s = dd::add2_p_s(s, dq * -L2L);
    let s2 = dd::squ(s);
    let s4 = dd::squ(s2);
    let s8 = s4.x * s4.x;
    // POLY10 over s.x, s2.x, s4.x and s8 (see `exp::exp_f64`).
    let (x, x2, x4) = (s.x, s2.x, s4.x);
    let p2 = |c1: f64, c0: f64| x.mul_add(c1, c0);
    let p4 = |c3: f64, c2: f64, c1: f64, c0: f64| x2.mul_add(p2(c3, c2), p2(c1, c0));
    let p8 = x4.mul_add(
        p4(0.250_523_002_378_264_446_5e-7, 0.275_572_480_090_213_530_3e-6, 0.275_573_189_238_604_437_3e-5, 0.248_015_873_560_581_506_5e-4),
        p4(0.198_412_698_414_807_185_8e-3, 0.138_888_888_888_676_325_5e-2, 0.833_333_333_333_334_709_5e-2, 0.416_666_666_666_666_990_5e-1),
    );
    let u = s8.mul_add(p2(0.160_247_221_970_993_207_2e-9, 0.209_225_518_356_315_700_7e-8), p8);
    let t = dd::add_s_p(0.5, dd::mul_p_s(s, 0.166_666_666_666_666_657_4e+0));
    let t = dd::add_s_p(1.0, dd::mul_p_p(t, s));
    let t = dd::add_s_p(1.0, dd::mul_p_p(t, s));
    let t = dd::add_p_p(t, dd::mul_p_s(s4, u));
    if d.x < -1000.0 {
        dd::P { x: 0.0, y: 0.0 }
    } else {
        dd::P { x: ldexp2_f64(t.x, q), y: ldexp2_f64(t.y, q) }
    }
}

/// SLEEF's `xexpm1` (`Sleef_expm1d8_u10`): `exp(a) - 1` in f64.
#[inline(always)]
pub fn expm1_f64(a: f64) -> f64 {
    let d = dd::add2_p_s(expk2_f64(dd::P { x: a, y: 0.0 }), -1.0);
    let x = d.x + d.y;
    let x = if a > 709.782_712_893_383_996_732_223 { f64::INFINITY } else { x };
    let x = if a < -36.736_800_569_677_101_399_113_302_437 { -1.0 } else { x };
    if a == 0.0 && a.is_sign_negative() {
        -0.0
    } else {
        x
    }
}
