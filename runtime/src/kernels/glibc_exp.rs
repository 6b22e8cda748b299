//! `exp` of f32 with the bits of glibc's `expf`, eight lanes at a time.
//!
//! Rust's `f32::exp` calls the platform libm; on this project's x86-64 Linux
//! machines that is glibc, whose `expf` is ARM's optimized-routines algorithm
//! (a 32-entry table of `2^(i/32)` in f64, a degree-3 polynomial in f64, one
//! rounding to f32), and which glibc compiles with FMA contraction for CPUs
//! that have it and picks through an ifunc. PyTorch's scalar kernels print
//! those bits, so the exact path of graphc's kernels must give them too. This
//! module ports the algorithm with every multiply-add fused as GCC contracts
//! them (the range reduction's `z - kd` included: without that fusion two
//! inputs of the 2^32 round the other way), as AVX-512 code (sixteen lanes, the
//! table held in registers and read with permutes), as AVX2+FMA code (eight
//! lanes, the table read with gathers, for CPUs without AVX-512) and as
//! portable scalar code with `mul_add`; all give every f32 input the bits
//! `f32::exp` gives on such a machine (`tests/glibc_exp.rs` checks a sample
//! always and all 2^32 inputs when asked). The vector paths differ only in how
//! they load the table and how many lanes they hold: the same operations on
//! each lane, so the same bits.
//!
//! Another libm (musl, glibc without the FMA variant, another OS) may round
//! differently, and correctness comes first: the first call compares the port
//! with `f32::exp` on probe inputs (the two that need the fused reduction among
//! them) and, on any difference, every later call runs the scalar libm.

use std::sync::OnceLock;

use super::cpu;

/// `2^(i/32)` as f64 bits, minus `i << 47` so that adding `k << 47` for the
/// integer `k` with `k % 32 == i` gives `2^(k/32)`: glibc's `__exp2f_data.tab`.
const TABLE: [u64; 32] = [
    0x3ff0000000000000,
    0x3fefd9b0d3158574,
    0x3fefb5586cf9890f,
    0x3fef9301d0125b51,
    0x3fef72b83c7d517b,
    0x3fef54873168b9aa,
    0x3fef387a6e756238,
    0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715,
    0x3feef1a7373aa9cb,
    0x3feedea64c123422,
    0x3feece086061892d,
    0x3feebfdad5362a27,
    0x3feeb42b569d4f82,
    0x3feeab07dd485429,
    0x3feea47eb03a5585,
    0x3feea09e667f3bcd,
    0x3fee9f75e8ec5f74,
    0x3feea11473eb0187,
    0x3feea589994cce13,
    0x3feeace5422aa0db,
    0x3feeb737b0cdc5e5,
    0x3feec49182a3f090,
    0x3feed503b23e255d,
    0x3feee89f995ad3ad,
    0x3feeff76f2fb5e47,
    0x3fef199bdd85529c,
    0x3fef3720dcef9069,
    0x3fef5818dcfba487,
    0x3fef7c97337b9b5f,
    0x3fefa4afa2a490da,
    0x3fefd0765b6e4540,
];

/// `32 / ln 2`, glibc's `invln2_scaled`.
const INV_LN2_N: f64 = f64::from_bits(0x40471547652b82fe);
/// `1.5 * 2^52`: adding it rounds a double of magnitude below 2^51 to an integer
/// held in the low mantissa bits.
const SHIFT: f64 = f64::from_bits(0x4338000000000000);
/// The polynomial's coefficients, scaled by powers of 1/32 as glibc's `poly_scaled`.
const C0: f64 = f64::from_bits(0x3ebc6af84b912394);
const C1: f64 = f64::from_bits(0x3f2ebfce50fac4f3);
const C2: f64 = f64::from_bits(0x3f962e42ff0c52d6);
/// The first bits of 88.0f32 past the sign (`top12`): inputs from there on, and
/// NaNs and infinities, take the scalar special-case path.
const ABSTOP_SPECIAL: u32 = 0x42b;

/// How [`exp_f32`] computes, chosen once per process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The port as AVX-512 code: sixteen lanes per block, the table held in
    /// four registers and read with permutes, not gathers.
    Avx512,
    /// The port as AVX2+FMA vector code (the table read with gathers).
    Avx2Fma,
    /// The port as scalar code (`mul_add` for each fused step).
    Portable,
    /// The platform libm, element by element: this machine's `f32::exp` is not
    /// the glibc FMA build the port reproduces.
    Libm,
}

impl Path {
    /// The path for this process: the port if it agrees with `f32::exp` on the
    /// probes, vectorized when the CPU has AVX2 and FMA.
    pub fn best() -> Path {
        static BEST: OnceLock<Path> = OnceLock::new();
        *BEST.get_or_init(|| {
            if !libm_is_matched() {
                Path::Libm
            } else if cpu::avx512() {
                Path::Avx512
            } else if cpu::avx2_fma() {
                Path::Avx2Fma
            } else {
                Path::Portable
            }
        })
    }

    /// Whether this CPU can run the path.
    pub fn is_supported(self) -> bool {
        match self {
            Path::Avx512 => cpu::avx512(),
            Path::Avx2Fma => cpu::avx2_fma(),
            Path::Portable | Path::Libm => true,
        }
    }
}

/// Inputs whose results tell glibc's FMA build from other libms: the two that
/// round otherwise without the fused reduction, and a spread of ordinary,
/// subnormal-result and special ones.
const PROBES: [u32; 14] = [
    0x4202422f, 0xc27c65d9, 0x3f800000, 0xbf800000, 0x3a83126f, 0x42b17217, 0x42b17218, 0xc2cff1b4, 0xc2b00000, 0xc2c80000, 0x41200000, 0x7f800000,
    0xff800000, 0x00000001,
];

/// Whether the port gives `f32::exp`'s bits on every probe.
pub fn libm_is_matched() -> bool {
    PROBES.iter().all(|&b| {
        // Hidden from the optimizer: LLVM folds `exp` of a constant with its own
        // correctly rounded arithmetic, which is not libm's on the first probes.
        let x = std::hint::black_box(f32::from_bits(b));
        exp_scalar(x).to_bits() == x.exp().to_bits()
    })
}

/// The port for one input, with glibc's special cases.
pub fn exp_scalar(x: f32) -> f32 {
    let abstop = (x.to_bits() >> 20) & 0x7ff;
    if abstop >= ABSTOP_SPECIAL {
        if x == f32::NEG_INFINITY {
            return 0.0;
        }
        if abstop >= 0x7f8 {
            return x + x;
        }
        // Past log(2^128) the result overflows; below log(2^-150) it is zero.
        if x > f32::from_bits(0x42b17217) {
            return f32::INFINITY;
        }
        if x < f32::from_bits(0xc2cff1b4) {
            return 0.0;
        }
    }
    let xd = x as f64;
    let kd_shifted = INV_LN2_N.mul_add(xd, SHIFT);
    let ki = kd_shifted.to_bits();
    let kd = kd_shifted - SHIFT;
    let r = INV_LN2_N.mul_add(xd, -kd);
    let s = f64::from_bits(TABLE[(ki % 32) as usize].wrapping_add(ki << 47));
    let z = C0.mul_add(r, C1);
    let y = C2.mul_add(r, 1.0);
    let y = z.mul_add(r * r, y);
    (y * s) as f32
}

/// `exp` of every element of `src` into `dst` (same length), with the bits of
/// `f32::exp` on every input, on [`Path::best`].
pub fn exp_f32(src: &[f32], dst: &mut [f32]) {
    exp_f32_with(Path::best(), src, dst)
}

/// [`exp_f32`] on a chosen path, so tests can cover each one. Panics if this
/// CPU does not support `path`.
pub fn exp_f32_with(path: Path, src: &[f32], dst: &mut [f32]) {
    assert_eq!(src.len(), dst.len(), "exp_f32: source and destination lengths differ");
    assert!(path.is_supported(), "exp_f32: this CPU cannot run the {path:?} path");
    match path {
        Path::Libm => src.iter().zip(dst).for_each(|(x, o)| *o = x.exp()),
        Path::Portable => src.iter().zip(dst).for_each(|(&x, o)| *o = exp_scalar(x)),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `is_supported` checked AVX-512F.
        Path::Avx512 => unsafe { avx512::exp_f32(src, dst) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `is_supported` checked AVX2 and FMA.
        Path::Avx2Fma => unsafe { avx2::exp_f32(src, dst) },
        #[cfg(not(target_arch = "x86_64"))]
        Path::Avx512 | Path::Avx2Fma => unreachable!("is_supported refuses x86 vector paths off x86-64"),
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{exp_scalar, ABSTOP_SPECIAL, C0, C1, C2, INV_LN2_N, SHIFT, TABLE};
    use std::arch::x86_64::*;

    /// Eight lanes per block; a tail goes through the same block code, padded.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn exp_f32(src: &[f32], dst: &mut [f32]) {
        let mut chunks = src.chunks_exact(8);
        let mut outs = dst.chunks_exact_mut(8);
        for (x, o) in (&mut chunks).zip(&mut outs) {
            block(x.as_ptr(), o.as_mut_ptr());
        }
        let (rest, out_rest) = (chunks.remainder(), outs.into_remainder());
        if !rest.is_empty() {
            let mut x = [0.0f32; 8];
            let mut o = [0.0f32; 8];
            x[..rest.len()].copy_from_slice(rest);
            block(x.as_ptr(), o.as_mut_ptr());
            out_rest.copy_from_slice(&o[..rest.len()]);
        }
    }

    /// Eight results from `x` into `o`; lanes past 88 in magnitude (or not
    /// finite) are recomputed by the scalar code, which has the special cases.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn block(x: *const f32, o: *mut f32) {
        let v = _mm256_loadu_ps(x);
        let lo = half(_mm256_castps256_ps128(v));
        let hi = half(_mm256_extractf128_ps(v, 1));
        _mm256_storeu_ps(o, _mm256_set_m128(hi, lo));
        let abstop = _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(v), 20), _mm256_set1_epi32(0x7ff));
        let special = _mm256_cmpgt_epi32(abstop, _mm256_set1_epi32(ABSTOP_SPECIAL as i32 - 1));
        let mut mask = _mm256_movemask_ps(_mm256_castsi256_ps(special));
        while mask != 0 {
            let lane = mask.trailing_zeros() as usize;
            *o.add(lane) = exp_scalar(*x.add(lane));
            mask &= mask - 1;
        }
    }

    /// Four lanes in f64, step for step as [`exp_scalar`]'s ordinary path.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn half(x: __m128) -> __m128 {
        let xd = _mm256_cvtps_pd(x);
        let inv = _mm256_set1_pd(INV_LN2_N);
        let shift = _mm256_set1_pd(SHIFT);
        let kd_shifted = _mm256_fmadd_pd(inv, xd, shift);
        let ki = _mm256_castpd_si256(kd_shifted);
        let kd = _mm256_sub_pd(kd_shifted, shift);
        let r = _mm256_fmsub_pd(inv, xd, kd);
        let index = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
        let t = _mm256_i64gather_epi64::<8>(TABLE.as_ptr() as *const i64, index);
        let s = _mm256_castsi256_pd(_mm256_add_epi64(t, _mm256_slli_epi64::<47>(ki)));
        let z = _mm256_fmadd_pd(_mm256_set1_pd(C0), r, _mm256_set1_pd(C1));
        let y = _mm256_fmadd_pd(_mm256_set1_pd(C2), r, _mm256_set1_pd(1.0));
        let y = _mm256_fmadd_pd(z, _mm256_mul_pd(r, r), y);
        _mm256_cvtpd_ps(_mm256_mul_pd(y, s))
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{exp_scalar, ABSTOP_SPECIAL, C0, C1, C2, INV_LN2_N, SHIFT, TABLE};
    use std::arch::x86_64::*;

    /// Sixteen lanes per block; the tail runs the same block with masked loads
    /// and stores, so no lane past the slice is read or written.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn exp_f32(src: &[f32], dst: &mut [f32]) {
        // The 32 table entries in four registers of eight: a gather per block
        // cost more than the rest of the arithmetic on the machines measured.
        let p = TABLE.as_ptr() as *const __m512i;
        let table = [_mm512_loadu_si512(p), _mm512_loadu_si512(p.add(1)), _mm512_loadu_si512(p.add(2)), _mm512_loadu_si512(p.add(3))];
        let n = src.len();
        let (x, o) = (src.as_ptr(), dst.as_mut_ptr());
        let mut i = 0;
        while i + 16 <= n {
            block(&table, x.add(i), o.add(i), 0xffff);
            i += 16;
        }
        if i < n {
            let lanes = ((1u32 << (n - i)) - 1) as __mmask16;
            block(&table, x.add(i), o.add(i), lanes);
        }
    }

    /// The results of the `lanes` of `x` into `o`; lanes past 88 in magnitude
    /// (or not finite) are recomputed by the scalar code, which has the special
    /// cases.
    #[target_feature(enable = "avx512f")]
    unsafe fn block(table: &[__m512i; 4], x: *const f32, o: *mut f32, lanes: __mmask16) {
        let v = _mm512_maskz_loadu_ps(lanes, x);
        let lo = eight(table, _mm512_castps512_ps256(v));
        let hi = eight(table, _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(v))));
        let both = _mm512_insertf64x4::<1>(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi));
        _mm512_mask_storeu_ps(o, lanes, _mm512_castpd_ps(both));
        let abstop = _mm512_and_si512(_mm512_srli_epi32::<20>(_mm512_castps_si512(v)), _mm512_set1_epi32(0x7ff));
        let mut special = _mm512_mask_cmpgt_epi32_mask(lanes, abstop, _mm512_set1_epi32(ABSTOP_SPECIAL as i32 - 1)) as u32;
        while special != 0 {
            let lane = special.trailing_zeros() as usize;
            *o.add(lane) = exp_scalar(*x.add(lane));
            special &= special - 1;
        }
    }

    /// Eight lanes in f64, step for step as [`exp_scalar`]'s ordinary path.
    #[target_feature(enable = "avx512f")]
    unsafe fn eight(table: &[__m512i; 4], x: __m256) -> __m256 {
        let xd = _mm512_cvtps_pd(x);
        let inv = _mm512_set1_pd(INV_LN2_N);
        let shift = _mm512_set1_pd(SHIFT);
        let kd_shifted = _mm512_fmadd_pd(inv, xd, shift);
        let ki = _mm512_castpd_si512(kd_shifted);
        let kd = _mm512_sub_pd(kd_shifted, shift);
        let r = _mm512_fmsub_pd(inv, xd, kd);
        // `ki % 32`: the permutes read the low four bits (entries 0-15 of the
        // first pair, 16-31 of the second), bit 4 picks the pair.
        let low = _mm512_permutex2var_epi64(table[0], ki, table[1]);
        let high = _mm512_permutex2var_epi64(table[2], ki, table[3]);
        let upper = _mm512_test_epi64_mask(ki, _mm512_set1_epi64(16));
        let t = _mm512_mask_blend_epi64(upper, low, high);
        let s = _mm512_castsi512_pd(_mm512_add_epi64(t, _mm512_slli_epi64::<47>(ki)));
        let z = _mm512_fmadd_pd(_mm512_set1_pd(C0), r, _mm512_set1_pd(C1));
        let y = _mm512_fmadd_pd(_mm512_set1_pd(C2), r, _mm512_set1_pd(1.0));
        let y = _mm512_fmadd_pd(z, _mm512_mul_pd(r, r), y);
        _mm512_cvtpd_ps(_mm512_mul_pd(y, s))
    }
}
