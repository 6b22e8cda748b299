//! f32 matrix products with few columns (`n <= 64`), computed without packing,
//! with the bits of `matrixmultiply::sgemm`.
//!
//! A training step's products are tall and narrow: `x @ w1` is 1500 x 64 times
//! 64 x 32, the weight gradients 64 x 1500 times 1500 x 32. `matrixmultiply`
//! copies both operands into panels first, and for such shapes the copy of the
//! tall operand costs as much as the product (the digits step spent 29% of its
//! time packing, 25% multiplying). Here each row of `a` is read where it lies
//! (any strides: a transpose costs nothing), and so is `b` when its rows are
//! contiguous (a transposed `b` is copied into rows first). Tiles of 12 rows by
//! two 16-float vectors (8 rows by one for 16 columns or fewer) keep 24
//! accumulators in registers, so each load feeds several multiply-adds.
//!
//! Each element is computed as `matrixmultiply`'s AVX-512 kernel computes it, so
//! results do not change: along `k` in panels of [`KC`] (its `S_KC`), each panel
//! a chain of fused multiply-adds from zero in order of `p`, the first panel's
//! sum stored and each later one added to it (its `beta = 1` epilogue, `1 * acc
//! + c` in one rounding). `runtime/tests/skinny_matmul.rs` compares the two bit
//! for bit over random shapes, strides and special values. On a CPU with AVX2
//! and FMA but no AVX-512, `matrixmultiply` runs its eight-lane FMA kernel, and
//! `skinny_avx2.rs` reproduces that one instead.

/// `matrixmultiply`'s `S_KC`: the depth of one panel of the product.
pub(super) const KC: usize = 256;

/// A bias row to add as each tile is stored (in both kernels), and whether it
/// is the first operand of the addition.
#[cfg(target_arch = "x86_64")]
pub(super) type Bias = Option<(*const f32, bool)>;

/// Products with more columns than this go to `matrixmultiply`, whose packing
/// pays off once each row of `a` meets many columns.
pub const MAX_N: usize = 64;

/// Products of at most this many rows take the AVX2 path whatever their
/// number of columns: packing `b` for so few rows costs more than the product
/// (a recurrent step's `h @ w`, one row by 256 x 256, spent 18% of its time
/// packing `w`). The AVX-512 path keeps to [`MAX_N`] columns: it cannot be
/// checked against `matrixmultiply` on a CPU without AVX-512.
pub const FEW_ROWS: usize = 4;

/// The vector unit a product runs on, which is the `matrixmultiply` kernel
/// whose bits it reproduces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Isa {
    /// Sixteen lanes (AVX-512F): this file's `avx512` module.
    Avx512,
    /// Eight lanes with fused multiply-adds (AVX2 and FMA): `skinny_avx2.rs`.
    Avx2Fma,
}

/// This CPU's vector unit for the path, if it has one.
fn isa() -> Option<Isa> {
    if super::cpu::avx512() {
        Some(Isa::Avx512)
    } else if super::cpu::avx2_fma() {
        Some(Isa::Avx2Fma)
    } else {
        None
    }
}

/// `c` (m x n, row-major) = A B with `A[i][p] = a.0[i * a.1 + p * a.2]` and `B`
/// alike, when this path serves (f32, `n <= MAX_N` on AVX-512F or AVX2 with
/// FMA, or `m <= FEW_ROWS` with `b`'s rows contiguous on AVX2 with FMA);
/// returns whether it ran.
pub fn try_sgemm(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize), c: &mut [f32]) -> bool {
    #[cfg(target_arch = "x86_64")]
    match serves(m, k, n, b.2 == 1) {
        Some(Isa::Avx512) => {
            // SAFETY: `serves` found AVX-512F; the caller checked that every
            // index the strides form lies inside `a` and `b`, and that `c` holds m x n.
            unsafe { avx512::sgemm(m, k, n, a, b, c) };
            return true;
        }
        Some(Isa::Avx2Fma) => {
            // SAFETY: `serves` found AVX2 and FMA; the rest as above.
            unsafe { super::skinny_avx2::sgemm_with(m, k, n, a, b, None, c) };
            return true;
        }
        None => {}
    }
    let _ = (m, k, n, a, b, c);
    false
}

/// [`try_sgemm`] with a bias row added to each row of the product as each tile
/// is stored: `c = A B + bias` (`bias_first`: `bias + A B`), the product rounded
/// first, as the two ops round. Returns whether it ran; the AVX-512 path does
/// not take a transposed `a` of fewer columns than a vector (that goes by columns).
#[allow(clippy::too_many_arguments)]
pub fn try_sgemm_bias(
    m: usize,
    k: usize,
    n: usize,
    a: (&[f32], usize, usize),
    b: (&[f32], usize, usize),
    bias: &[f32],
    bias_first: bool,
    c: &mut [f32],
) -> bool {
    assert_eq!(bias.len(), n, "a bias of {} for {n} columns", bias.len());
    #[cfg(target_arch = "x86_64")]
    match serves(m, k, n, b.2 == 1) {
        Some(Isa::Avx512) if !(a.1 == 1 && n < 16) => {
            // SAFETY: as in `try_sgemm`; `bias` holds the n elements the tiles read.
            unsafe { avx512::sgemm_with(m, k, n, a, b, Some((bias.as_ptr(), bias_first)), c) };
            return true;
        }
        Some(Isa::Avx2Fma) => {
            // SAFETY: as in `try_sgemm`; `bias` holds the n elements the tiles read.
            unsafe { super::skinny_avx2::sgemm_with(m, k, n, a, b, Some((bias.as_ptr(), bias_first)), c) };
            return true;
        }
        _ => {}
    }
    let _ = (m, k, n, a, b, bias, bias_first, c);
    false
}

/// The panel depth of this path's products, when [`try_sgemm`] takes them
/// whatever the layout of `b`.
pub fn panel_depth(m: usize, k: usize, n: usize) -> Option<usize> {
    serves(m, k, n, false).map(|_| KC)
}

/// Whether this machine has a vector unit the path runs on (AVX-512F, or AVX2
/// with FMA). Without one every product goes to `matrixmultiply`, which
/// allocates its packing buffers on each call.
pub fn available() -> bool {
    isa().is_some()
}

/// The vector unit that computes an m x k times k x n product on this path: a
/// non-empty one of at most [`MAX_N`] columns, or on AVX2 of at most
/// [`FEW_ROWS`] rows when `b`'s rows are contiguous (`b_rows`), on a CPU that
/// has one. A transposed `b` of many columns is left to `matrixmultiply`,
/// whose packing transposes it faster than [`b_rows`] does: with the copy, a
/// recurrent step's backward (`g @ w.T`, 256 x 256) took longer than packing,
/// and a copy in 16 x 16 tiles was no faster (docs/PERFORMANCE.md, twentieth
/// sitting).
fn serves(m: usize, k: usize, n: usize, b_rows: bool) -> Option<Isa> {
    if m == 0 || k == 0 || n == 0 {
        return None;
    }
    match isa()? {
        isa if n <= MAX_N => Some(isa),
        Isa::Avx2Fma if m <= FEW_ROWS && b_rows => Some(Isa::Avx2Fma),
        _ => None,
    }
}

#[cfg(target_arch = "x86_64")]
thread_local! {
    /// A transposed `b` laid out as rows, kept by each thread for its next
    /// product: a training step transposes its `w2` every step.
    static PACKED: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Calls `f` with `b` (k x n, read through its strides) as `k` rows of `n`
/// floats: (the first row, the distance between rows). `b` is read where it
/// lies when its rows are contiguous (a weight gradient's `b` is the tall
/// operand: copying it cost as much as the product); a transposed `b`, small
/// in a training step, is copied into rows first, in this thread's buffer.
#[cfg(target_arch = "x86_64")]
pub(super) fn b_rows<R>(k: usize, n: usize, b: (&[f32], usize, usize), f: impl FnOnce((*const f32, usize)) -> R) -> R {
    if b.2 == 1 {
        return f((b.0.as_ptr(), b.1));
    }
    PACKED.with_borrow_mut(|packed| {
        packed.clear();
        packed.extend((0..k).flat_map(|p| (0..n).map(move |j| b.0[p * b.1 + j * b.2])));
        f((packed.as_ptr(), n))
    })
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{Bias, KC};

    /// Columns per vector.
    const LANES: usize = 16;

    /// Rows of `a` per tile when a tile spans two column vectors: 12 x 2 = 24
    /// accumulators, plus the two vectors of `b`, stay within the 32 registers,
    /// and each row's broadcast feeds two multiply-adds.
    const ROWS_WIDE: usize = 12;

    /// Rows per tile over one column vector: 8 accumulators hide the
    /// multiply-add latency on both ports (16 made LLVM keep them in memory).
    const ROWS_NARROW: usize = 8;

    /// Rows per tile for what is left of `m` below a full tile, before single rows.
    const ROWS_TAIL: usize = 4;

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn sgemm(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize), c: &mut [f32]) {
        sgemm_with(m, k, n, a, b, None, c)
    }

    /// [`sgemm`], adding `bias` (a pointer to `n` floats, and whether it comes
    /// first in the addition) to each row as the last panel of each tile is stored.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn sgemm_with(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize), bias: Bias, c: &mut [f32]) {
        // SAFETY: `b_rows` gives `k` rows of `n` floats, as `b` has; the
        // caller's contract covers the rest, and this CPU has AVX-512F.
        super::b_rows(k, n, b, |rows| unsafe { sgemm_rows(m, k, n, a, rows, bias, c) })
    }

    /// [`sgemm_with`] with `b` as `k` rows of `n` floats, `bs` apart from `bp`.
    #[target_feature(enable = "avx512f")]
    unsafe fn sgemm_rows(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), (bp, bs): (*const f32, usize), bias: Bias, c: &mut [f32]) {
        let blocks = n.div_ceil(LANES);
        // Vector `j` of a row of `b` loads these lanes; the rest read as zero
        // (computed and never stored, as matrixmultiply's padding).
        let masks: [__mmask16; 4] = std::array::from_fn(|j| {
            let count = n.saturating_sub(j * LANES).min(LANES);
            if count == LANES {
                0xffff
            } else {
                ((1u32 << count) - 1) as __mmask16
            }
        });
        if a.1 == 1 && n < LANES {
            // A transposed `a` (a weight gradient's `h.T`) with fewer columns
            // than a vector: its rows run along the lanes instead.
            debug_assert!(bias.is_none(), "`try_sgemm_bias` does not take this path");
            return by_columns(m, k, n, a, (bp, bs), c);
        }
        let bm = (bp, bs, &masks);
        let mut j0 = 0;
        while j0 < blocks {
            if blocks - j0 >= 2 {
                strip::<ROWS_WIDE, 2>(m, j0, k, n, a, bm, bias, c);
                j0 += 2;
            } else {
                strip::<ROWS_NARROW, 1>(m, j0, k, n, a, bm, bias, c);
                j0 += 1;
            }
        }
    }

    /// All `m` rows over the `J` column vectors from `j0`: tiles of `R` rows,
    /// then of [`ROWS_TAIL`], then single rows.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn strip<const R: usize, const J: usize>(
        m: usize,
        j0: usize,
        k: usize,
        n: usize,
        a: (&[f32], usize, usize),
        bm: (*const f32, usize, &[__mmask16; 4]),
        bias: Bias,
        c: &mut [f32],
    ) {
        let mut i = 0;
        while i + R <= m {
            tile::<R, J>(i, j0, k, n, a, bm, bias, c);
            i += R;
        }
        while i + ROWS_TAIL <= m {
            tile::<ROWS_TAIL, J>(i, j0, k, n, a, bm, bias, c);
            i += ROWS_TAIL;
        }
        while i < m {
            tile::<1, J>(i, j0, k, n, a, bm, bias, c);
            i += 1;
        }
    }

    /// Rows `i..i + R` of `c`, column vectors `j0..j0 + J`. `b` is `(start, row
    /// stride, lane masks)`; row `p`'s vector `j` starts at `start + p * stride + j * 16`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn tile<const R: usize, const J: usize>(
        i: usize,
        j0: usize,
        k: usize,
        n: usize,
        a: (&[f32], usize, usize),
        (bp, bs, masks): (*const f32, usize, &[__mmask16; 4]),
        bias: Bias,
        c: &mut [f32],
    ) {
        let step = a.2;
        let first: [*const f32; R] = std::array::from_fn(|r| a.0.as_ptr().add((i + r) * a.1));
        let masks: [__mmask16; J] = std::array::from_fn(|j| masks[j0 + j]);
        let out = c.as_mut_ptr().add(i * n + j0 * LANES);
        let mut p0 = 0;
        while p0 < k {
            let end = (p0 + KC).min(k);
            let mut acc = [[_mm512_setzero_ps(); J]; R];
            // Row r's element p is at `rows[r]`, each pointer moving along `k`.
            let mut rows: [*const f32; R] = std::array::from_fn(|r| first[r].wrapping_add(p0 * step));
            let mut row = bp.add(p0 * bs + j0 * LANES);
            for _ in p0..end {
                let mut bv = [_mm512_setzero_ps(); J];
                for (j, v) in bv.iter_mut().enumerate() {
                    *v = _mm512_maskz_loadu_ps(masks[j], row.add(j * LANES));
                }
                for (r, accs) in acc.iter_mut().enumerate() {
                    let x = _mm512_set1_ps(*rows[r]);
                    for (j, s) in accs.iter_mut().enumerate() {
                        *s = _mm512_fmadd_ps(x, bv[j], *s);
                    }
                }
                for ptr in rows.iter_mut() {
                    *ptr = ptr.wrapping_add(step);
                }
                row = row.wrapping_add(bs);
            }
            // The first panel's sums are stored, each later panel's added to
            // them (`acc + c`, one rounding), as matrixmultiply's epilogue does.
            // After the last panel, the bias: one more rounded addition, as the
            // addition op makes it on the stored product.
            let row_bias: Option<([__m512; J], bool)> = match bias {
                Some((bias, first)) if end == k => {
                    Some((std::array::from_fn(|j| _mm512_maskz_loadu_ps(masks[j], bias.add(j0 * LANES + j * LANES))), first))
                }
                _ => None,
            };
            for (r, accs) in acc.iter().enumerate() {
                for (j, v) in accs.iter().enumerate() {
                    let dst = out.add(r * n + j * LANES);
                    let mut sum = if p0 == 0 { *v } else { _mm512_add_ps(*v, _mm512_maskz_loadu_ps(masks[j], dst)) };
                    if let Some((bv, first)) = row_bias {
                        sum = if first { _mm512_add_ps(bv[j], sum) } else { _mm512_add_ps(sum, bv[j]) };
                    }
                    _mm512_mask_storeu_ps(dst, masks[j], sum);
                }
            }
            p0 = end;
        }
    }

    /// `c = A B` for an `A` whose rows lie next to each other (`A[i][p] =
    /// a.0[i + p * a.2]`) and fewer than 16 columns: sixteen rows of `c` per
    /// vector, one accumulator per row vector and column, each fed by `A`'s
    /// contiguous rows and a broadcast element of `B`. Every column of the
    /// narrow product fills all the lanes, where the row-major tiles leave
    /// `16 - n` of them empty. Each element is the same chain of fused
    /// multiply-adds along `k`, panel by panel, as [`tile`]'s.
    #[target_feature(enable = "avx512f")]
    unsafe fn by_columns(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (*const f32, usize), c: &mut [f32]) {
        macro_rules! columns {
            ($($n:literal => $v:literal),*) => {
                match n {
                    $($n => column_tiles::<$v, $n>(m, k, a, b, c),)*
                    _ => unreachable!("fewer columns than a vector"),
                }
            };
        }
        // Row vectors per tile: `V * N` accumulators, `V` rows of `a` and one
        // broadcast stay within the 32 registers.
        columns!(1 => 4, 2 => 4, 3 => 4, 4 => 4, 5 => 4, 6 => 4, 7 => 3, 8 => 3, 9 => 3, 10 => 2, 11 => 2, 12 => 2, 13 => 2, 14 => 2, 15 => 1)
    }

    /// [`by_columns`] for `N` columns, `V` vectors of rows per tile.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn column_tiles<const V: usize, const N: usize>(
        m: usize,
        k: usize,
        a: (&[f32], usize, usize),
        (bp, bs): (*const f32, usize),
        c: &mut [f32],
    ) {
        let mut i0 = 0;
        while i0 < m {
            // Lanes past `m` load zeros and are never stored.
            let masks: [__mmask16; V] = std::array::from_fn(|v| {
                let count = m.saturating_sub(i0 + v * LANES).min(LANES);
                ((1u32 << count) - 1) as __mmask16
            });
            let mut p0 = 0;
            while p0 < k {
                let end = (p0 + KC).min(k);
                let mut acc = [[_mm512_setzero_ps(); N]; V];
                for p in p0..end {
                    let row = a.0.as_ptr().add(i0 + p * a.2);
                    let av: [__m512; V] = std::array::from_fn(|v| _mm512_maskz_loadu_ps(masks[v], row.add(v * LANES)));
                    let brow = bp.add(p * bs);
                    for j in 0..N {
                        let bj = _mm512_set1_ps(*brow.add(j));
                        for (accs, &x) in acc.iter_mut().zip(&av) {
                            accs[j] = _mm512_fmadd_ps(x, bj, accs[j]);
                        }
                    }
                }
                // The first panel's sums are stored, each later one's added to
                // them (`acc + c`, one rounding), as `tile` does.
                let mut lanes = [0f32; LANES];
                for (v, accs) in acc.iter().enumerate() {
                    let rows = m.saturating_sub(i0 + v * LANES).min(LANES);
                    for (j, sum) in accs.iter().enumerate() {
                        _mm512_storeu_ps(lanes.as_mut_ptr(), *sum);
                        for (l, &x) in lanes.iter().enumerate().take(rows) {
                            let o = &mut c[(i0 + v * LANES + l) * N + j];
                            *o = if p0 == 0 { x } else { x + *o };
                        }
                    }
                }
                p0 = end;
            }
            i0 += V * LANES;
        }
    }
}
