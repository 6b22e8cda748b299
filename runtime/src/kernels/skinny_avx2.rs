//! The few-column f32 products of `skinny.rs` for CPUs with AVX2 and FMA but
//! no AVX-512 (an AMD EPYC of the Zen 3 generation, for one), where
//! `matrixmultiply` runs its eight-lane FMA kernel instead of the sixteen-lane one.
//!
//! On such a CPU the digits training step spent 15% of its time in
//! `matrixmultiply`'s packing and 28% in its kernel (docs/PERFORMANCE.md,
//! fifth sitting): the same tall and narrow shapes as on AVX-512, so the same
//! remedy, each row of `a` read where it lies. With sixteen vector registers a
//! tile is 6 rows by two 8-float vectors (12 accumulators, two vectors of `b`
//! and one broadcast), or 8 rows by one vector.
//!
//! Each element is computed as `matrixmultiply`'s FMA kernel computes it: along
//! `k` in panels of [`KC`], each panel a chain of fused multiply-adds from zero
//! in order of `p`, the first panel's sum stored (as `fma(1, acc, 0)`, which is
//! `acc`: a chain that starts from `+0.0` never ends at `-0.0`) and each later
//! one added to it (`fma(1, acc, c)`, one rounding). Those are the AVX-512
//! kernel's bits too: the lanes differ, not the arithmetic of an element.
//! `runtime/tests/skinny_matmul.rs` compares this path with `matrixmultiply`
//! bit for bit on the CPU it runs on.

use std::arch::x86_64::*;

use super::skinny::{Bias, KC};

/// Columns per vector.
const LANES: usize = 8;

/// Rows of `a` per tile spanning two column vectors: 6 x 2 = 12 accumulators,
/// the two vectors of `b` and a broadcast fill 15 of the 16 registers.
const ROWS_WIDE: usize = 6;

/// Rows per tile spanning two column vectors, the second loaded with a mask:
/// 10 accumulators, two vectors of `b`, a broadcast and the mask.
const ROWS_WIDE_MASKED: usize = 5;

/// Rows per tile over one column vector: 8 accumulators hide the latency of
/// the multiply-adds on both ports.
const ROWS_NARROW: usize = 8;

/// Rows per tile for what is left of `m` below a full tile, before single rows.
const ROWS_TAIL: usize = 4;

/// `c` (m x n, row-major) = A B (+ the bias row), with `A[i][p] = a.0[i * a.1 + p * a.2]`
/// and `B` alike.
///
/// # Safety
/// The CPU has AVX2 and FMA; every index the strides form lies inside `a` and
/// `b`; `c` holds m x n; a bias points at `n` floats.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn sgemm_with(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize), bias: Bias, c: &mut [f32]) {
    // SAFETY: `b_rows` gives `k` rows of `n` floats, as `b` has; the caller's
    // contract covers the rest, and this CPU has AVX2 and FMA.
    super::skinny::b_rows(k, n, b, |rows| unsafe { sgemm_rows(m, k, n, a, rows, bias, c) })
}

/// [`sgemm_with`] with `b` as `k` rows of `n` floats, `bs` apart from `bp`.
///
/// A product of one or two rows (a recurrent step, a batch of one) has too few
/// rows to fill a tile's accumulators, so its tiles span more columns instead:
/// eight vectors for one row, four for two, so that eight chains of
/// multiply-adds hide their latency on both ports.
#[target_feature(enable = "avx2,fma")]
unsafe fn sgemm_rows(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (*const f32, usize), bias: Bias, c: &mut [f32]) {
    match m {
        1 => wide_strips::<1, 8>(k, n, a, b, bias, c),
        2 => wide_strips::<2, 4>(k, n, a, b, bias, c),
        3 => wide_strips::<3, 2>(k, n, a, b, bias, c),
        _ => strips(m, k, n, a, b, bias, c),
    }
}

/// The `R` rows of a product of exactly `R` rows, in strips of `J` column
/// vectors, then of one.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn wide_strips<const R: usize, const J: usize>(
    k: usize,
    n: usize,
    a: (&[f32], usize, usize),
    b: (*const f32, usize),
    bias: Bias,
    c: &mut [f32],
) {
    let blocks = n.div_ceil(LANES);
    let partial = !n.is_multiple_of(LANES);
    let mut j0 = 0;
    while j0 + J <= blocks {
        if partial && j0 + J == blocks {
            strip::<R, J, true>(R, j0, k, n, a, b, bias, c);
        } else {
            strip::<R, J, false>(R, j0, k, n, a, b, bias, c);
        }
        j0 += J;
    }
    while j0 < blocks {
        if partial && j0 + 1 == blocks {
            strip::<R, 1, true>(R, j0, k, n, a, b, bias, c);
        } else {
            strip::<R, 1, false>(R, j0, k, n, a, b, bias, c);
        }
        j0 += 1;
    }
}

/// Any number of rows: strips of two column vectors in tiles of several rows,
/// then of one.
#[target_feature(enable = "avx2,fma")]
unsafe fn strips(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), (bp, bs): (*const f32, usize), bias: Bias, c: &mut [f32]) {
    let blocks = n.div_ceil(LANES);
    // A strip whose last vector runs past `n` loads it with a mask, which
    // takes a register: its tiles have fewer rows, so that the accumulators
    // still fit in the sixteen.
    let partial = !n.is_multiple_of(LANES);
    let mut j0 = 0;
    while j0 < blocks {
        let b = (bp, bs);
        if blocks - j0 >= 2 {
            if partial && j0 + 2 == blocks {
                strip::<ROWS_WIDE_MASKED, 2, true>(m, j0, k, n, a, b, bias, c);
            } else {
                strip::<ROWS_WIDE, 2, false>(m, j0, k, n, a, b, bias, c);
            }
            j0 += 2;
        } else {
            if partial {
                strip::<ROWS_NARROW, 1, true>(m, j0, k, n, a, b, bias, c);
            } else {
                strip::<ROWS_NARROW, 1, false>(m, j0, k, n, a, b, bias, c);
            }
            j0 += 1;
        }
    }
}

/// The lanes of column vector `j` that hold columns of an `n`-column row, as
/// the load mask AVX2 takes (all bits set in a lane that is read); the others
/// read as zero, computed and never stored, as matrixmultiply's padding.
#[inline(always)]
unsafe fn lane_mask(n: usize, j: usize) -> (__m256i, usize) {
    let count = n.saturating_sub(j * LANES).min(LANES);
    let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    (_mm256_cmpgt_epi32(_mm256_set1_epi32(count as i32), lanes), count)
}

/// The first `count` floats at `p`, the rest zero.
#[inline(always)]
unsafe fn load(p: *const f32, (mask, count): (__m256i, usize)) -> __m256 {
    if count == LANES {
        _mm256_loadu_ps(p)
    } else {
        _mm256_maskload_ps(p, mask)
    }
}

/// Stores the first `count` lanes of `v` at `p`. A partial vector goes through
/// the stack: AVX2's masked store is slow on AMD's cores.
#[inline(always)]
unsafe fn store(p: *mut f32, count: usize, v: __m256) {
    if count == LANES {
        _mm256_storeu_ps(p, v);
    } else {
        let mut lanes = [0f32; LANES];
        _mm256_storeu_ps(lanes.as_mut_ptr(), v);
        std::ptr::copy_nonoverlapping(lanes.as_ptr(), p, count);
    }
}

/// All `m` rows over the `J` column vectors from `j0`: tiles of `R` rows,
/// then of [`ROWS_TAIL`], then single rows, one panel of `k` at a time. The
/// panel is the outer loop so that its rows of `b` stay in the first-level
/// cache while every tile reads them (a weight gradient's `b` is 1500 rows
/// long); each element still adds its panels in order of `k`, so the bits are
/// those of a loop over panels inside each tile.
#[allow(clippy::too_many_arguments)]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn strip<const R: usize, const J: usize, const PARTIAL: bool>(
    m: usize,
    j0: usize,
    k: usize,
    n: usize,
    a: (&[f32], usize, usize),
    b: (*const f32, usize),
    bias: Bias,
    c: &mut [f32],
) {
    let mut p0 = 0;
    while p0 < k {
        let panel = p0..(p0 + KC).min(k);
        let mut i = 0;
        while i + R <= m {
            tile::<R, J, PARTIAL>(i, j0, panel.clone(), k, n, a, b, bias, c);
            i += R;
        }
        while i + ROWS_TAIL <= m {
            tile::<ROWS_TAIL, J, PARTIAL>(i, j0, panel.clone(), k, n, a, b, bias, c);
            i += ROWS_TAIL;
        }
        while i < m {
            tile::<1, J, PARTIAL>(i, j0, panel.clone(), k, n, a, b, bias, c);
            i += 1;
        }
        p0 = panel.end;
    }
}

/// Rows `i..i + R` of `c`, column vectors `j0..j0 + J`, the sums over the
/// `panel` of `k` (stored if it is the first, added otherwise); row `p`'s vector `j`
/// of `b` starts at `bp + p * bs + (j0 + j) * 8`. `PARTIAL`: the last vector
/// runs past `n`, and is loaded with a mask.
#[allow(clippy::too_many_arguments)]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile<const R: usize, const J: usize, const PARTIAL: bool>(
    i: usize,
    j0: usize,
    panel: std::ops::Range<usize>,
    k: usize,
    n: usize,
    a: (&[f32], usize, usize),
    (bp, bs): (*const f32, usize),
    bias: Bias,
    c: &mut [f32],
) {
    let step = a.2;
    let first: [*const f32; R] = std::array::from_fn(|r| a.0.as_ptr().add((i + r) * a.1));
    let masks: [(__m256i, usize); J] = std::array::from_fn(|j| lane_mask(n, j0 + j));
    let last = masks[J - 1].0;
    let out = c.as_mut_ptr().add(i * n + j0 * LANES);
    let (p0, end) = (panel.start, panel.end);
    let mut acc = [[_mm256_setzero_ps(); J]; R];
    // Row r's element p is at `rows[r]`, each pointer moving along `k`.
    let mut rows: [*const f32; R] = std::array::from_fn(|r| first[r].wrapping_add(p0 * step));
    let mut row = bp.add(p0 * bs + j0 * LANES);
    for _ in p0..end {
        let bv: [__m256; J] = std::array::from_fn(|j| {
            if PARTIAL && j == J - 1 {
                _mm256_maskload_ps(row.add(j * LANES), last)
            } else {
                _mm256_loadu_ps(row.add(j * LANES))
            }
        });
        for (r, accs) in acc.iter_mut().enumerate() {
            let x = _mm256_broadcast_ss(&*rows[r]);
            for (j, s) in accs.iter_mut().enumerate() {
                *s = _mm256_fmadd_ps(x, bv[j], *s);
            }
        }
        for ptr in rows.iter_mut() {
            *ptr = ptr.wrapping_add(step);
        }
        row = row.wrapping_add(bs);
    }
    // The first panel's sums are stored, each later panel's added to them
    // (`acc + c`, one rounding), as matrixmultiply's epilogue does. After
    // the last panel, the bias: one more rounded addition, as the addition
    // op makes it on the stored product.
    let row_bias: Option<([__m256; J], bool)> = match bias {
        Some((bias, first)) if end == k => Some((std::array::from_fn(|j| load(bias.add((j0 + j) * LANES), masks[j])), first)),
        _ => None,
    };
    for (r, accs) in acc.iter().enumerate() {
        for (j, v) in accs.iter().enumerate() {
            let dst = out.add(r * n + j * LANES);
            let mut sum = if p0 == 0 { *v } else { _mm256_add_ps(*v, load(dst, masks[j])) };
            if let Some((bv, first)) = row_bias {
                sum = if first { _mm256_add_ps(bv[j], sum) } else { _mm256_add_ps(sum, bv[j]) };
            }
            store(dst, masks[j].1, sum);
        }
    }
}
