//! The CPU features the kernels choose their code paths by, asked in one place.
//!
//! Every fast path is compiled for a feature set with `#[target_feature]` and
//! entered only when the CPU has it. Kernels ask these functions rather than
//! spelling out `is_x86_feature_detected!` pairs, so that the sets agree: the
//! AVX2 paths all assume FMA as well (SLEEF's FMA build and `matrixmultiply`'s
//! FMA kernel, whose bits they reproduce, need both), and the AVX-512 paths
//! assume AVX-512F with AVX2 and FMA. The standard library caches the
//! detection, so each call is a load and a test.

/// Whether the CPU has AVX2 and FMA (every x86-64 CPU since 2013-2015).
#[inline]
pub fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether the CPU has AVX-512F, with AVX2 and FMA (every AVX-512 CPU has both).
#[inline]
pub fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f") && avx2_fma()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether the CPU has FMA, for the loops that need fused multiply-adds alone.
#[inline]
pub fn fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
