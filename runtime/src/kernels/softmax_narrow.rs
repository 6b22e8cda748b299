//! The last-dimension `log_softmax` and `softmax` of f32 rows shorter than a
//! 16-float vector, and `log_softmax`'s gradient, in AVX-512 registers.
//!
//! `softmax.rs::narrow_rows` computes a group of 16 such rows as vector lanes
//! (one row a lane), which is what keeps each row's folds in PyTorch's order
//! while the arithmetic runs on whole vectors; but it moves the elements
//! between the row layout and the lane layout one scalar at a time, and those
//! moves were half of its time. Here a gather loads each column of a group
//! (element `c` of each of the 16 rows) into one register and a scatter stores
//! it back, and every step in between is the same operation on the same lanes
//! in the same order as `narrow_rows`'s, so each element has its bits
//! (`runtime/tests/into_kernels.rs` compares the two paths bit for bit).
//! Rows after the last whole group are left to the caller's general code.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Rows per group: one per lane.
pub const ROWS: usize = 16;

/// Whether this CPU runs these kernels (AVX-512F, with AVX2 and FMA for the
/// SLEEF functions they call).
pub fn available() -> bool {
    super::cpu::avx512()
}

/// `log_softmax` (`log`) or `softmax` of the whole groups of 16 rows of `len`
/// elements (`1 < len < 16`) at the start of `x` into `out`; returns the
/// number of rows computed. Nothing runs (0) on a CPU without AVX-512F.
pub fn forward(x: &[f32], out: &mut [f32], len: usize, log: bool) -> usize {
    assert!(x.len() == out.len() && (2..ROWS).contains(&len), "narrow softmax of rows of {len}");
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: the CPU has AVX-512F, AVX2 and FMA, and the lengths were checked.
        return unsafe { forward_avx512(x, out, len, log) };
    }
    0
}

/// `log_softmax`'s gradient `grad - exp(out) * sum(grad)` of the whole groups of
/// 16 rows of `len` elements (`1 < len < 16`) into `gi`, which already holds
/// `exp(out)` (SLEEF's, element by element); returns the number of rows computed.
pub fn log_backward(grad: &[f32], gi: &mut [f32], len: usize) -> usize {
    assert!(grad.len() == gi.len() && (2..ROWS).contains(&len), "narrow softmax backward of rows of {len}");
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: the CPU has AVX-512F, AVX2 and FMA, and the lengths were checked.
        return unsafe { log_backward_avx512(grad, gi, len) };
    }
    0
}

/// Lane `r` is `r * len`: where row `r` of a group starts.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn row_starts(len: usize) -> __m512i {
    _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(len as i32))
}

/// `softmax.rs::maximum` lane by lane: `a` if `a > b`, else `b`, and every bit
/// set where either is NaN.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn maximum(a: __m512, b: __m512) -> __m512 {
    let greater = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(a, b);
    let unordered = _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(a, b);
    let larger = _mm512_mask_blend_ps(greater, b, a);
    _mm512_mask_mov_ps(larger, unordered, _mm512_castsi512_ps(_mm512_set1_epi32(-1)))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn forward_avx512(x: &[f32], out: &mut [f32], len: usize, log: bool) -> usize {
    let groups = x.len() / (len * ROWS);
    let starts = row_starts(len);
    // Column `c` of the group's differences `v - max` and their `exp`, one row a lane.
    let mut diff = [0f32; ROWS * ROWS];
    let mut exps = [0f32; ROWS * ROWS];
    for g in 0..groups {
        let src = x.as_ptr().add(g * len * ROWS);
        let dst = out.as_mut_ptr().add(g * len * ROWS);
        let column = |c: usize| _mm512_i32gather_ps::<4>(starts, src.add(c) as _);
        let mut max = column(0);
        for c in 1..len {
            max = maximum(max, column(c));
        }
        for c in 0..len {
            _mm512_storeu_ps(diff.as_mut_ptr().add(c * ROWS), _mm512_sub_ps(column(c), max));
        }
        super::sleef::exp_slice_f32(&diff[..len * ROWS], &mut exps[..len * ROWS]);
        let mut sum = _mm512_loadu_ps(exps.as_ptr());
        for c in 1..len {
            sum = _mm512_add_ps(sum, _mm512_loadu_ps(exps.as_ptr().add(c * ROWS)));
        }
        if log {
            let mut sums = [0f32; ROWS];
            _mm512_storeu_ps(sums.as_mut_ptr(), sum);
            let mut logs = [0f32; ROWS];
            // As `narrow_rows`: the branch-free `log` when every sum is an
            // ordinary one (a sum of finite exponentials lies in [1, len]).
            if sums.iter().all(|&s| (1.0..1e30).contains(&s)) {
                for (l, &s) in logs.iter_mut().zip(&sums) {
                    *l = super::sleef::log_f32_from_one(s);
                }
            } else {
                for (l, &s) in logs.iter_mut().zip(&sums) {
                    *l = super::sleef::log_f32(s);
                }
            }
            let logs = _mm512_loadu_ps(logs.as_ptr());
            for c in 0..len {
                let d = _mm512_loadu_ps(diff.as_ptr().add(c * ROWS));
                _mm512_i32scatter_ps::<4>(dst.add(c) as _, starts, _mm512_sub_ps(d, logs));
            }
        } else {
            let inv = _mm512_div_ps(_mm512_set1_ps(1.0), sum);
            for c in 0..len {
                let e = _mm512_loadu_ps(exps.as_ptr().add(c * ROWS));
                _mm512_i32scatter_ps::<4>(dst.add(c) as _, starts, _mm512_mul_ps(e, inv));
            }
        }
    }
    groups * ROWS
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn log_backward_avx512(grad: &[f32], gi: &mut [f32], len: usize) -> usize {
    let groups = grad.len() / (len * ROWS);
    let starts = row_starts(len);
    // Vector `v` of a group's elements in the row layout holds elements
    // `16 v ..`: lane `e` belongs to row `(16 v + e) / len`.
    let rows: [__m512i; ROWS] = std::array::from_fn(|v| {
        let lanes: [i32; ROWS] = std::array::from_fn(|e| ((ROWS * v + e) / len) as i32);
        _mm512_loadu_si512(lanes.as_ptr() as _)
    });
    for g in 0..groups {
        let src = grad.as_ptr().add(g * len * ROWS);
        let dst = gi.as_mut_ptr().add(g * len * ROWS);
        // Each row's sum, folded from its first element in order (`reduce_all`
        // of a row shorter than a vector), one row a lane.
        let mut sum = _mm512_i32gather_ps::<4>(starts, src as _);
        for c in 1..len {
            sum = _mm512_add_ps(sum, _mm512_i32gather_ps::<4>(starts, src.add(c) as _));
        }
        for (v, row) in rows.iter().enumerate().take(len) {
            let e = _mm512_loadu_ps(dst.add(v * ROWS));
            let g = _mm512_loadu_ps(src.add(v * ROWS));
            // `grad - exp(out) * sum` as one negated multiply-add: `(-e).mul_add(sum, g)`.
            _mm512_storeu_ps(dst.add(v * ROWS), _mm512_fnmadd_ps(e, _mm512_permutexvar_ps(*row, sum), g));
        }
    }
    groups * ROWS
}
