//! SLEEF's `exp2f` and `exp2` with 1.0-ulp bounds (`xexp2f`, `xexp2`), as built
//! with FMA: the vector lambda of PyTorch's `exp2` kernel. See the module
//! documentation for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::exp::{ldexp2_f32, ldexp2_f64};

/// SLEEF's `xexp2f` (`Sleef_exp2f16_u10`): `2^d` in f32.
#[inline(always)]
pub fn exp2_f32(d: f32) -> f32 {
    let u = d.round_ties_even();
    let q = super::cvt_i32(u);
    let s = d - u;
    let mut u = 0.153_592_089_2e-3_f32;
    u = u.mul_add(s, 0.133_926_270_1e-2);
    u = u.mul_add(s, 0.961_838_476_4e-2);
    u = u.mul_add(s, 0.555_034_726_9e-1);
    u = u.mul_add(s, 0.240_226_447_6e+0);
    u = u.mul_add(s, 0.693_147_182_5e+0);
    let u = ldexp2_f32(u.mul_add(s, 1.0), q);
    // From 128 on the result is +inf, below -150 it is +0.
    let u = if d >= 128.0 { f32::INFINITY } else { u };
    if d < -150.0 {
        0.0
    } else {
        u
    }
}

/// SLEEF's `xexp2` (`Sleef_exp2d8_u10`) on its FMA path: `2^d` in f64.
#[inline(always)]
pub fn exp2_f64(d: f64) -> f64 {
    let u = d.round_ties_even();
    let q = super::cvt_i32_f64(u);
    let s = d - u;
    let s2 = s * s;
    let s4 = s2 * s2;
    let s8 = s4 * s4;
    // POLY10, as in `exp::exp_f64`.
    let p2 = |c1: f64, c0: f64| s.mul_add(c1, c0);
    let p4 = |c3: f64, c2: f64, c1: f64, c0: f64| s2.mul_add(p2(c3, c2), p2(c1, c0));
    let p8 = s4.mul_add(
        p4(0.101_781_926_092_176_045_1e-6, 0.132_154_387_251_132_761_5e-5, 0.152_527_335_351_758_473_0e-4, 0.154_035_304_510_114_780_8e-3),
        p4(0.133_335_581_467_049_907_3e-2, 0.961_812_910_759_760_053_6e-2, 0.555_041_086_648_204_659_6e-1, 0.240_226_506_959_101_221_4e+0),
    );
    let u = s8.mul_add(p2(0.443_435_908_292_652_945_4e-9, 0.707_316_459_808_570_742_5e-8), p8);
    let u = u.mul_add(s, 0.693_147_180_559_945_286_2e+0);
    let u = ldexp2_f64(u.mul_add(s, 1.0), q);
    let u = if d >= 1024.0 { f64::INFINITY } else { u };
    if d < -2000.0 {
        0.0
    } else {
        u
    }
}
