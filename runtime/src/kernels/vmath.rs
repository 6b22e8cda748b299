//! Fast vector `exp` for values that are not printed at PyTorch precision.
//!
//! The elementwise kernels call scalar libm once per element, which is what
//! PyTorch prints but costs a few nanoseconds each. These kernels trade bit
//! exactness for speed: every result is within 1 ulp of the exact value
//! (tests/vmath.rs measures it: at most 0.92 ulp over every f32 input, 0.88 ulp
//! over the f64 samples), and whole slices are computed by branch-free code
//! that LLVM turns into SIMD.
//!
//! Each element is computed the same way: Cody-Waite range reduction
//! `x = n*ln2 + r` with `|r| <~ ln2/2` and ln2 split in two so that `n*LN2_HI`
//! is exact, then `exp(r) = 1 + r + r^2*q(r)` with `q` a minimax polynomial on
//! `[-0.35, 0.35]` (relative error 2^-27.6 for f32, 2^-56.6 for f64 with the
//! coefficients as rounded below), then a multiplication by `2^n` built from
//! exponent bits. The scaling is split into two factors `2^(n/2)` so that both
//! are normal numbers even where the result overflows or is subnormal: the
//! first product is then exact, and the second rounds once, like IEEE
//! arithmetic does, into the subnormal range or to infinity.
//!
//! On x86-64 CPUs with AVX2 and FMA, a copy of the loop compiled for them (8
//! floats per instruction, fused multiply-adds in the polynomial) is chosen once
//! at run time; elsewhere the portable loop runs with separate multiplies and
//! adds, so the two paths may differ by an ulp on some inputs. Either way a
//! given path gives each element the same result wherever it sits in the slice:
//! the tail shorter than a block goes through the same block code, padded.

use std::sync::OnceLock;

/// A code path of the kernels in this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Baseline instructions of the target (SSE2 on x86-64), no fused multiply-add.
    Portable,
    /// x86-64 AVX2 with FMA.
    Avx2Fma,
}

impl Isa {
    /// Every path, in order of preference from slowest to fastest.
    pub const ALL: [Isa; 2] = [Isa::Portable, Isa::Avx2Fma];

    /// Whether this CPU can run the path.
    pub fn is_supported(self) -> bool {
        match self {
            Isa::Portable => true,
            Isa::Avx2Fma => super::cpu::avx2_fma(),
        }
    }

    /// The fastest path this CPU supports, detected on the first call and kept,
    /// so each kernel call pays one load instead of a feature check per path.
    pub fn best() -> Isa {
        static BEST: OnceLock<Isa> = OnceLock::new();
        *BEST.get_or_init(|| Isa::ALL.into_iter().rev().find(|isa| isa.is_supported()).unwrap_or(Isa::Portable))
    }
}

/// `exp` of every element of `src` into `dst` (same length), within 1 ulp of
/// the exact value (2 in the worst case the tests allow), on the fastest path
/// this CPU supports.
pub fn exp_f32(src: &[f32], dst: &mut [f32]) {
    exp_f32_with(Isa::best(), src, dst)
}

/// `exp` of every element of `src` into `dst` (same length), within 1 ulp of
/// the exact value (2 in the worst case the tests allow), on the fastest path
/// this CPU supports.
pub fn exp_f64(src: &[f64], dst: &mut [f64]) {
    exp_f64_with(Isa::best(), src, dst)
}

/// [`exp_f32`] on a chosen path, so tests and benchmarks can cover each one.
/// Panics if this CPU does not support `isa`.
pub fn exp_f32_with(isa: Isa, src: &[f32], dst: &mut [f32]) {
    assert_eq!(src.len(), dst.len(), "exp_f32: source and destination lengths differ");
    assert!(isa.is_supported(), "exp_f32: this CPU cannot run the {isa:?} path");
    match isa {
        Isa::Portable => blocks::<F32Exp, false>(src, dst),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the assertion above checked that the CPU has AVX2 and FMA.
        Isa::Avx2Fma => unsafe { x86::exp_f32(src, dst) },
        #[cfg(not(target_arch = "x86_64"))]
        Isa::Avx2Fma => unreachable!("is_supported is false off x86-64"),
    }
}

/// [`exp_f64`] on a chosen path, so tests and benchmarks can cover each one.
/// Panics if this CPU does not support `isa`.
pub fn exp_f64_with(isa: Isa, src: &[f64], dst: &mut [f64]) {
    assert_eq!(src.len(), dst.len(), "exp_f64: source and destination lengths differ");
    assert!(isa.is_supported(), "exp_f64: this CPU cannot run the {isa:?} path");
    match isa {
        Isa::Portable => blocks::<F64Exp, false>(src, dst),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the assertion above checked that the CPU has AVX2 and FMA.
        Isa::Avx2Fma => unsafe { x86::exp_f64(src, dst) },
        #[cfg(not(target_arch = "x86_64"))]
        Isa::Avx2Fma => unreachable!("is_supported is false off x86-64"),
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{blocks, F32Exp, F64Exp};

    /// The generic loop is `inline(always)`, so this copy of it is compiled with
    /// AVX2 and FMA enabled and `mul_add` becomes one instruction.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA. (The loop itself is safe code.)
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp_f32(src: &[f32], dst: &mut [f32]) {
        blocks::<F32Exp, true>(src, dst)
    }

    /// [`exp_f32`]'s f64 twin.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp_f64(src: &[f64], dst: &mut [f64]) {
        blocks::<F64Exp, true>(src, dst)
    }
}

/// One elementwise function, written branch-free so a loop of it vectorizes.
trait Kernel {
    type T: Copy + Default;
    fn eval<const FMA: bool>(x: Self::T) -> Self::T;
}

/// Elements per block: two AVX2 registers of f32, four of f64, enough
/// independent work to hide the latency of the polynomial's dependency chain
/// (blocks of 8 ran half as fast on Zen 3; 32 or 64 gained under 10%).
const BLOCK: usize = 16;

/// Applies `K` to fixed-size blocks, whose inner loop LLVM unrolls and
/// vectorizes; the last partial block is padded, computed whole and copied out.
#[inline(always)]
fn blocks<K: Kernel, const FMA: bool>(src: &[K::T], dst: &mut [K::T]) {
    let mut src_blocks = src.chunks_exact(BLOCK);
    let mut dst_blocks = dst.chunks_exact_mut(BLOCK);
    for (s, d) in (&mut src_blocks).zip(&mut dst_blocks) {
        for (d, &s) in d.iter_mut().zip(s) {
            *d = K::eval::<FMA>(s);
        }
    }
    let (s, d) = (src_blocks.remainder(), dst_blocks.into_remainder());
    if !s.is_empty() {
        let mut block = [K::T::default(); BLOCK];
        block[..s.len()].copy_from_slice(s);
        for v in &mut block {
            *v = K::eval::<FMA>(*v);
        }
        d.copy_from_slice(&block[..s.len()]);
    }
}

/// `a * b + c`, fused on the FMA path. Elsewhere it is two roundings, because a
/// software `fma` call per element would be slower than libm's `exp` itself.
#[inline(always)]
fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

#[inline(always)]
fn madd64<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

struct F32Exp;

impl Kernel for F32Exp {
    type T = f32;

    #[inline(always)]
    fn eval<const FMA: bool>(x: f32) -> f32 {
        // exp(-104) is below half the smallest subnormal and exp(89) above
        // f32::MAX, so clamping keeps n in [-150, 128] without changing any
        // result; NaN fails both comparisons and propagates through the rest.
        let x = if x < -104.0 { -104.0 } else { x };
        let x = if x > 89.0 { 89.0 } else { x };
        // Adding 1.5 * 2^23 rounds x/ln2 to the nearest integer n, which then
        // sits in the low mantissa bits of `t`.
        const SHIFT: f32 = 12_582_912.0;
        let t = madd::<FMA>(x, std::f32::consts::LOG2_E, SHIFT);
        let n = t - SHIFT;
        // LN2_HI is ln2 cut to 16 significant bits, so n * LN2_HI is exact for
        // |n| < 256, and x - n * LN2_HI is exact by Sterbenz's lemma.
        // LN2_LO is ln2 - LN2_HI rounded.
        const LN2_HI: f32 = 45_426.0 / 65_536.0;
        const LN2_LO: f32 = 1.428_606_8e-6;
        let hi = madd::<FMA>(-n, LN2_HI, x);
        let lo = n * LN2_LO;
        let r = madd::<FMA>(-n, LN2_LO, hi);
        // Estrin's scheme: a shorter dependency chain than Horner's, so more
        // blocks are in flight at once.
        let r2 = r * r;
        let c01 = madd::<FMA>(1.666_651_5e-1, r, 4.999_999_4e-1);
        let c23 = madd::<FMA>(8.369_41e-3, r, 4.166_845_6e-2);
        let q = madd::<FMA>(madd::<FMA>(1.381_316_1e-3, r2, c23), r2, c01);
        // r + r^2 q as hi + (r^2 q - lo): `r` was rounded, `hi` is exact, so
        // only the small term carries the reduction's rounding error.
        let y = hi + madd::<FMA>(r2, q, -lo);
        let (s1, s2) = exp2_split_f32(t.to_bits().wrapping_sub(SHIFT.to_bits()));
        // (1 + y) * s1 rounds like 1 + y does, s1 being a normal power of two.
        madd::<FMA>(y, s1, s1) * s2
    }
}

/// `2^n` for `n` in [-150, 128], given as its two's-complement bits, as two
/// normal factors `2^n1 * 2^n2` with `n1 = floor(n/2)`: multiplying by the
/// first is exact, by the second rounds once.
#[inline(always)]
fn exp2_split_f32(n: u32) -> (f32, f32) {
    // v = n + 2*127 is non-negative, so a logical shift floors its half, as in
    // exp2_split_f64 where it must: the biased exponents are floor(n/2) + 127 =
    // v/2 and n - floor(n/2) + 127 = v - v/2. Wrapping keeps NaN inputs, whose n
    // is garbage, from panicking in debug builds; the polynomial is NaN for
    // them, so the result is NaN whatever the factors are.
    let v = n.wrapping_add(2 * 127);
    let e1 = v >> 1;
    let e2 = v.wrapping_sub(e1);
    (f32::from_bits(e1 << 23), f32::from_bits(e2 << 23))
}

struct F64Exp;

impl Kernel for F64Exp {
    type T = f64;

    #[inline(always)]
    fn eval<const FMA: bool>(x: f64) -> f64 {
        // exp(-746) is below half the smallest subnormal and exp(710) above
        // f64::MAX; the clamp keeps n in [-1076, 1024] (see the f32 kernel).
        let x = if x < -746.0 { -746.0 } else { x };
        let x = if x > 710.0 { 710.0 } else { x };
        const SHIFT: f64 = 6_755_399_441_055_744.0;
        let t = madd64::<FMA>(x, std::f64::consts::LOG2_E, SHIFT);
        let n = t - SHIFT;
        // fdlibm's split: LN2_HI has 32 significant bits, so n * LN2_HI is exact.
        const LN2_HI: f64 = 0.693_147_180_369_123_8;
        const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
        let hi = madd64::<FMA>(-n, LN2_HI, x);
        let lo = n * LN2_LO;
        let r = madd64::<FMA>(-n, LN2_LO, hi);
        // Estrin's scheme over r, r^2 and r^4, as in the f32 kernel.
        let r2 = r * r;
        let r4 = r2 * r2;
        let c01 = madd64::<FMA>(1.666_666_666_666_667_4e-1, r, 5.000_000_000_000_011e-1);
        let c23 = madd64::<FMA>(8.333_333_333_321_305e-3, r, 4.166_666_666_651_026e-2);
        let c45 = madd64::<FMA>(1.984_126_988_931_941_8e-4, r, 1.388_888_895_136_901e-3);
        let c67 = madd64::<FMA>(2.755_723_928_042_090_5e-6, r, 2.480_148_335_154_596_4e-5);
        let c89 = madd64::<FMA>(2.511_119_068_383_483_5e-8, r, 2.763_413_928_340_871e-7);
        let c0_3 = madd64::<FMA>(c23, r2, c01);
        let c4_7 = madd64::<FMA>(c67, r2, c45);
        let q = madd64::<FMA>(madd64::<FMA>(c89, r4, c4_7), r4, c0_3);
        let y = hi + madd64::<FMA>(r2, q, -lo);
        let (s1, s2) = exp2_split_f64(t.to_bits().wrapping_sub(SHIFT.to_bits()));
        madd64::<FMA>(y, s1, s1) * s2
    }
}

/// `2^n` for `n` in [-1076, 1024] as two normal factors, as
/// [`exp2_split_f32`] does it. AVX2 has no arithmetic right shift of 64-bit
/// lanes, hence the offset and logical shift.
#[inline(always)]
fn exp2_split_f64(n: u64) -> (f64, f64) {
    let v = n.wrapping_add(2 * 1023);
    let e1 = v >> 1;
    let e2 = v.wrapping_sub(e1);
    (f64::from_bits(e1 << 52), f64::from_bits(e2 << 52))
}
