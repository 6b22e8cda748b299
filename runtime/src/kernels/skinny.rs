//! f32 matrix products with few columns (`n <= 64`), computed without packing,
//! with the bits of `matrixmultiply::sgemm`.
//!
//! A training step's products are tall and narrow: `x @ w1` is 1500 x 64 times
//! 64 x 32, the weight gradients 64 x 1500 times 1500 x 32. `matrixmultiply`
//! copies both operands into panels first, and for such shapes the copy of the
//! tall operand costs as much as the product (the digits step spent 29% of its
//! time packing, 25% multiplying). Here each row of `a` is read where it lies
//! (any strides: a transpose costs nothing) and `b`, which is small, is laid out
//! once as rows of 16-float vectors.
//!
//! Each element is computed as `matrixmultiply`'s AVX-512 kernel computes it, so
//! results do not change: along `k` in panels of [`KC`] (its `S_KC`), each panel
//! a chain of fused multiply-adds from zero in order of `p`, the first panel's
//! sum stored and each later one added to it (its `beta = 1` epilogue, `1 * acc
//! + c` in one rounding). `runtime/tests/skinny_matmul.rs` compares the two bit
//! for bit over random shapes, strides and special values. The path is taken
//! only where `matrixmultiply` runs that kernel (AVX-512F).

/// `matrixmultiply`'s `S_KC`: the depth of one panel of the product.
const KC: usize = 256;

/// Rows of `a` per block: 8 rows times up to 2 vectors of columns keeps 16
/// accumulators in flight, enough to hide the multiply-add latency.
const ROWS: usize = 8;

/// Products with more columns than this go to `matrixmultiply`, whose packing
/// pays off once each row of `a` meets many columns.
pub const MAX_N: usize = 64;

/// `c` (m x n, row-major) = A B with `A[i][p] = a.0[i * a.1 + p * a.2]` and `B`
/// alike, when this path serves (f32, `n <= MAX_N`, AVX-512F); returns whether it ran.
pub fn try_sgemm(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize), c: &mut [f32]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if n <= MAX_N && m > 0 && k > 0 && n > 0 && std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: AVX-512F is present; the caller checked that every index the
            // strides form lies inside `a` and `b`, and that `c` holds m x n.
            unsafe { avx512::sgemm(m, k, n, a, b, c) };
            return true;
        }
    }
    let _ = (m, k, n, a, b, c);
    false
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{KC, ROWS};

    /// Columns per vector.
    const LANES: usize = 16;

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn sgemm(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize), c: &mut [f32]) {
        let blocks = n.div_ceil(LANES);
        // `b` as k rows of `blocks` whole vectors, zero past column n (those
        // lanes are computed and never stored, as matrixmultiply's padding).
        let width = blocks * LANES;
        let mut packed = vec![0.0f32; k * width];
        for p in 0..k {
            for j in 0..n {
                packed[p * width + j] = b.0[p * b.1 + j * b.2];
            }
        }
        let mut j0 = 0;
        while j0 < blocks {
            let take = (blocks - j0).min(2);
            let mut i = 0;
            while i + ROWS <= m {
                if take == 2 {
                    tile::<ROWS, 2>(i, j0, k, n, a, &packed, width, c);
                } else {
                    tile::<ROWS, 1>(i, j0, k, n, a, &packed, width, c);
                }
                i += ROWS;
            }
            while i < m {
                if take == 2 {
                    tile::<1, 2>(i, j0, k, n, a, &packed, width, c);
                } else {
                    tile::<1, 1>(i, j0, k, n, a, &packed, width, c);
                }
                i += 1;
            }
            j0 += take;
        }
    }

    /// Rows `i..i + R` of `c`, column vectors `j0..j0 + J`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn tile<const R: usize, const J: usize>(
        i: usize,
        j0: usize,
        k: usize,
        n: usize,
        a: (&[f32], usize, usize),
        packed: &[f32],
        width: usize,
        c: &mut [f32],
    ) {
        let mut out = [[_mm512_setzero_ps(); J]; R];
        // Row r's element p is `rows[r] + p * a.2`: the row starts are computed once.
        let rows: [*const f32; R] = std::array::from_fn(|r| a.0.as_ptr().add((i + r) * a.1));
        let step = a.2;
        let mut p0 = 0;
        while p0 < k {
            let end = (p0 + KC).min(k);
            let mut acc = [[_mm512_setzero_ps(); J]; R];
            for p in p0..end {
                let row = packed.as_ptr().add(p * width + j0 * LANES);
                let mut bv = [_mm512_setzero_ps(); J];
                for (j, v) in bv.iter_mut().enumerate() {
                    *v = _mm512_loadu_ps(row.add(j * LANES));
                }
                for (r, accs) in acc.iter_mut().enumerate() {
                    let x = _mm512_set1_ps(*rows[r].add(p * step));
                    for (j, s) in accs.iter_mut().enumerate() {
                        *s = _mm512_fmadd_ps(x, bv[j], *s);
                    }
                }
            }
            for r in 0..R {
                for j in 0..J {
                    out[r][j] = if p0 == 0 { acc[r][j] } else { _mm512_add_ps(acc[r][j], out[r][j]) };
                }
            }
            p0 = end;
        }
        for (r, outs) in out.iter().enumerate() {
            for (j, v) in outs.iter().enumerate() {
                let col = (j0 + j) * LANES;
                let count = (n - col).min(LANES);
                let mask: __mmask16 = if count == LANES { 0xffff } else { (1u16 << count) - 1 };
                _mm512_mask_storeu_ps(c.as_mut_ptr().add((i + r) * n + col), mask, *v);
            }
        }
    }
}
