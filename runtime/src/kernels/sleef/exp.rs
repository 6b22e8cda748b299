//! SLEEF's `expf` and `exp` with 1.0-ulp bounds (`xexpf`, `xexp`), as built
//! with FMA. See the module documentation for provenance and license.

// The constants are SLEEF's decimal literals, kept as written so that they can
// be compared with its source; they round to the intended binary values.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

/// `R_LN2f`: 1/ln 2.
pub(super) const R_LN2F: f32 = 1.442_695_040_888_963_407_359_924_681_001_892_137_426_645_954_152_985_934_135_449_406_931;
/// `L2Uf` and `L2Lf`: ln 2 split so that `q * L2UF` is exact for the q in range.
pub(super) const L2UF: f32 = 0.693_145_751_953_125;
pub(super) const L2LF: f32 = 1.428_606_765_330_187_045e-6;

/// `R_LN2`, `L2U`, `L2L`: the same for f64.
pub(super) const R_LN2: f64 = 1.442_695_040_888_963_407_359_924_681_001_892_137_426_645_954_152_985_934_135_449_406_931;
pub(super) const L2U: f64 = 0.693_147_180_559_662_956_511_601_805_686_950_683_593_75;
pub(super) const L2L: f64 = 0.282_352_905_630_315_771_225_884_481_750_134_360_255_254_120_68e-12;

/// SLEEF's `vrint_vi2_vf`: round to nearest, ties to even, as `cvtps2dq`.
/// Out-of-range and NaN inputs give `i32::MIN`; the callers' results do not
/// depend on it there (they are NaN or replaced by a limit).
#[inline(always)]
fn rint_i32(x: f32) -> i32 {
    super::cvt_i32(x.round_ties_even())
}

/// `2^q` for q in the normal exponent range (`vpow2i_vf_vi2`), wrapping
/// elsewhere as the vector integer arithmetic does.
#[inline(always)]
pub(super) fn pow2i_f32(q: i32) -> f32 {
    f32::from_bits((q.wrapping_add(0x7f) as u32) << 23)
}

/// `vldexp2_vf_vf_vi2`: `d * 2^(q>>1) * 2^(q - (q>>1))`, two factors so that
/// both are normal where the result is subnormal or overflows.
#[inline(always)]
pub(super) fn ldexp2_f32(d: f32, q: i32) -> f32 {
    d * pow2i_f32(q >> 1) * pow2i_f32(q.wrapping_sub(q >> 1))
}

/// SLEEF's `xexpf` (`Sleef_expf16_u10`): `exp(d)` in f32.
#[inline(always)]
pub fn exp_f32(d: f32) -> f32 {
    let q = rint_i32(d * R_LN2F);
    let qf = q as f32;
    let s = qf.mul_add(-L2UF, d);
    let s = qf.mul_add(-L2LF, s);
    let mut u = 0.000_198_527_617_612_853_646_278_381_f32;
    u = u.mul_add(s, 0.001_393_043_552_525_341_510_772_71);
    u = u.mul_add(s, 0.008_333_360_776_305_198_669_433_59);
    u = u.mul_add(s, 0.041_666_485_369_205_474_853_515_6);
    u = u.mul_add(s, 0.166_666_671_633_720_397_949_219);
    u = u.mul_add(s, 0.5);
    let u = 1.0 + (s * s).mul_add(u, s);
    let u = ldexp2_f32(u, q);
    // Below -104 the result is +0 (SLEEF clears the bits); above 100, +inf.
    let u = if d < -104.0 { 0.0 } else { u };
    if 100.0 < d {
        f32::INFINITY
    } else {
        u
    }
}

/// `2^q` for f64 (`vpow2i_vd_vi`).
#[inline(always)]
pub(super) fn pow2i_f64(q: i32) -> f64 {
    f64::from_bits((q.wrapping_add(0x3ff) as u32 as u64) << 52)
}

#[inline(always)]
pub(super) fn ldexp2_f64(d: f64, q: i32) -> f64 {
    d * pow2i_f64(q >> 1) * pow2i_f64(q.wrapping_sub(q >> 1))
}

/// SLEEF's `xexp` (`Sleef_expd8_u10`) on its FMA path: `exp(d)` in f64.
#[inline(always)]
pub fn exp_f64(d: f64) -> f64 {
    let u = (d * R_LN2).round_ties_even();
    let q = super::cvt_i32_f64(u);
    let s = u.mul_add(-L2U, d);
    let s = u.mul_add(-L2L, s);
    let s2 = s * s;
    let s4 = s2 * s2;
    let s8 = s4 * s4;
    // POLY10 of SLEEF's misc.h, Estrin's scheme over s, s^2, s^4 and s^8:
    // MLA(x8, POLY2(c9, c8), MLA(x4, POLY4(c7..c4), POLY4(c3..c0))), where
    // POLY4 is MLA(x2, MLA(x, c3, c2), MLA(x, c1, c0)).
    let p2 = |c1: f64, c0: f64| s.mul_add(c1, c0);
    let p4 = |c3: f64, c2: f64, c1: f64, c0: f64| s2.mul_add(p2(c3, c2), p2(c1, c0));
    let p8 = s4.mul_add(
        p4(0.275_576_262_816_949_119_2e-6, 0.275_572_340_202_538_823_9e-5, 0.248_015_868_747_968_626_4e-4, 0.198_412_698_985_586_585_0e-3),
        p4(0.138_888_888_891_449_779_7e-2, 0.833_333_333_331_493_821_0e-2, 0.416_666_666_666_660_259_8e-1, 0.166_666_666_666_666_907_2e+0),
    );
    let mut u = s8.mul_add(p2(0.208_127_637_823_716_445_7e-8, 0.251_121_070_304_228_802_2e-7), p8);
    u = u.mul_add(s, 0.5);
    u = u.mul_add(s, 1.0);
    u = u.mul_add(s, 1.0);
    let u = ldexp2_f64(u, q);
    let u = if d > 709.782_711_149_557_429_092_172_174_26 { f64::INFINITY } else { u };
    if d < -1000.0 {
        0.0
    } else {
        u
    }
}

/// [`exp_f32`] over a slice, on the fastest path this CPU supports.
pub fn exp_slice_f32(src: &[f32], dst: &mut [f32]) {
    assert_eq!(src.len(), dst.len(), "exp_slice_f32: source and destination lengths differ");
    #[cfg(target_arch = "x86_64")]
    if crate::kernels::cpu::avx512() {
        // SAFETY: the CPU has AVX-512F, AVX2 and FMA.
        return unsafe { x86::exp_f32_avx512(src, dst) };
    }
    #[cfg(target_arch = "x86_64")]
    if super::super::vmath::Isa::best() == super::super::vmath::Isa::Avx2Fma {
        // SAFETY: `best` chose this path because the CPU has AVX2 and FMA.
        return unsafe { x86::exp_f32(src, dst) };
    }
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = exp_f32(s);
    }
}

/// [`exp_f64`] over a slice, on the fastest path this CPU supports.
pub fn exp_slice_f64(src: &[f64], dst: &mut [f64]) {
    assert_eq!(src.len(), dst.len(), "exp_slice_f64: source and destination lengths differ");
    #[cfg(target_arch = "x86_64")]
    if crate::kernels::cpu::avx512() {
        // SAFETY: the CPU has AVX-512F, AVX2 and FMA.
        return unsafe { x86::exp_f64_avx512(src, dst) };
    }
    #[cfg(target_arch = "x86_64")]
    if super::super::vmath::Isa::best() == super::super::vmath::Isa::Avx2Fma {
        // SAFETY: `best` chose this path because the CPU has AVX2 and FMA.
        return unsafe { x86::exp_f64(src, dst) };
    }
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = exp_f64(s);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    /// The element code compiled for AVX-512: 16 floats per instruction, where
    /// the AVX2 loop takes 8. The softmax kernels call it for every element of
    /// their rows. The bits are those of the portable loop.
    ///
    /// # Safety
    /// The CPU must support AVX-512F and FMA.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn exp_f32_avx512(src: &[f32], dst: &mut [f32]) {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = super::exp_f32(s);
        }
    }

    /// [`exp_f32_avx512`]'s f64 twin.
    ///
    /// # Safety
    /// The CPU must support AVX-512F and FMA.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn exp_f64_avx512(src: &[f64], dst: &mut [f64]) {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = super::exp_f64(s);
        }
    }

    /// The element code compiled with AVX2 and FMA, so that `mul_add` is one
    /// instruction and the loop vectorizes; the bits are those of the portable loop.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp_f32(src: &[f32], dst: &mut [f32]) {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = super::exp_f32(s);
        }
    }

    /// [`exp_f32`]'s f64 twin.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp_f64(src: &[f64], dst: &mut [f64]) {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = super::exp_f64(s);
        }
    }
}
