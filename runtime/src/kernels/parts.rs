//! How a kernel splits its rows among threads: every kernel gives the same rows
//! to the same thread.
//!
//! A training step is a chain of kernels over the rows of a batch (a product,
//! its bias, an activation, the next product, the softmax and their
//! gradients). When each kernel split its rows its own way, a thread would
//! read rows another core had just written, and moving those cache lines
//! between the cores cost more than the second thread saved
//! (docs/PERFORMANCE.md, ninth sitting). Here every kernel splits `m` rows at
//! the same boundaries ([`bound`]), and the calling thread always runs the
//! first part ([`for_parts`]: `rayon::join` runs its first closure on the
//! caller and leaves the second to the other worker), so the rows a kernel
//! writes on one core are the rows the next kernel reads there. A weight
//! gradient, which sums over the batch, splits its long `k` at the same
//! boundaries (`matmul.rs::gemm_panels`), which [`bound`] puts on the
//! product's 256-deep panels where that costs little balance. A chain of such
//! kernels can go further and split its rows once for all of them
//! (`exec/rows.rs`): each thread then runs every kernel of the chain over its
//! rows inside [`as_part`], where [`for_parts`] does not split again.
//!
//! No kernel's bits depend on where it is split: each part computes its rows
//! exactly as the whole would.

use std::cell::Cell;
use std::ops::Range;

/// The depth of the panels a split along `k` must respect, and so the
/// alignment boundaries take when it costs little balance.
const PANEL: usize = super::skinny::KC;

/// The alignment of every boundary otherwise: a multiple of the products'
/// 8-row tiles and of the softmax's 16-row groups, so that no part splits one.
const ROW_ALIGN: usize = 16;

/// Row-wise kernels of fewer elements than this (softmaxes along the last
/// dimension and their gradients, broadcast arithmetic) run on the caller:
/// their few microseconds of work cost less than handing half to another thread.
pub const SPLIT_ELEMENTS: usize = 8192;

/// The fewest planes of `plane` elements each that a task of a kernel over
/// image planes (the pools) takes: together at least [`SPLIT_ELEMENTS`], so
/// that the scheduling of a task stays small beside its work, however small
/// the planes (a batch of 64 x 64 planes of 4 x 4 was 4096 one-plane tasks).
/// On `mnist_cnn`'s max pool it changed nothing measurable (181 us before and
/// after): that kernel's time was its own loop, unrolled since.
pub fn planes_per_task(plane: usize) -> usize {
    (SPLIT_ELEMENTS / plane.max(1)).max(1)
}

/// The first row of part `t` of `m` rows split into `parts` (`t <= parts`;
/// part `t` is `bound(t)..bound(t + 1)`). The boundaries fall on multiples of
/// [`PANEL`] when that moves none of them by more than a sixteenth of a
/// part, else on multiples of [`ROW_ALIGN`].
pub fn bound(m: usize, parts: usize, t: usize) -> usize {
    if t >= parts {
        return m;
    }
    let balanced = (1..parts).all(|u| aligned(m, parts, u, PANEL).abs_diff(u * m / parts) * 16 <= m / parts);
    aligned(m, parts, t, if balanced { PANEL } else { ROW_ALIGN })
}

/// The first row of part `t`, rounded to the nearest multiple of `align` (at most `m`).
fn aligned(m: usize, parts: usize, t: usize, align: usize) -> usize {
    ((t * m / parts + align / 2) / align * align).min(m)
}

/// Runs `f` on each part of `m` rows, one part per thread of rayon's pool, the
/// caller running the first: `f(rows)` for each part's range of rows. With
/// `split` false, or one thread, or too few rows to split, `f(0..m)` runs on
/// the caller. Kernels pass `split` from their own estimate of the work:
/// handing a part to another thread costs a few microseconds.
pub fn for_parts(m: usize, split: bool, f: &(dyn Fn(Range<usize>) + Sync)) {
    let parts = rayon::current_num_threads().min(m / ROW_ALIGN);
    if !split || parts < 2 || in_part() {
        f(0..m);
        return;
    }
    run(m, parts, 0, parts, f);
}

thread_local! {
    /// Set while this thread runs its part of a chain of kernels that the
    /// machine split by rows once for all of them (`exec/rows.rs`).
    static IN_PART: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` as one thread's part of rows already split: every kernel it calls
/// computes its rows on this thread ([`for_parts`] does not split again).
pub fn as_part<R>(f: impl FnOnce() -> R) -> R {
    let outer = IN_PART.with(|p| p.replace(true));
    let r = f();
    IN_PART.with(|p| p.set(outer));
    r
}

/// Whether this thread runs a part of rows already split ([`as_part`]).
pub fn in_part() -> bool {
    IN_PART.with(Cell::get)
}

/// Parts `lo..hi` of `parts`: halves by `rayon::join`, the lower half on the caller.
fn run(m: usize, parts: usize, lo: usize, hi: usize, f: &(dyn Fn(Range<usize>) + Sync)) {
    if hi - lo == 1 {
        let rows = bound(m, parts, lo)..bound(m, parts, hi);
        if !rows.is_empty() {
            f(rows);
        }
        return;
    }
    let mid = (lo + hi) / 2;
    rayon::join(|| run(m, parts, lo, mid, f), || run(m, parts, mid, hi, f));
}

/// A raw pointer to a buffer that the parts of a split share: each part reads
/// or writes only its own elements of it (its rows of a row-wise kernel, its
/// chunks of a fused one), so the slices the parts build never overlap where
/// one of them writes. The one type for every kernel that splits a buffer
/// among the threads (`for_row_parts`, `fused`, `exec/rows.rs`).
pub struct Shared<T>(*mut T);

// Not derived: a derive would ask `T: Clone`, and the pointer copies whatever `T` is.
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Shared<T> {}

// SAFETY: the parts that hold copies of the pointer touch disjoint elements,
// each through a slice it builds itself (the contract of `slice` and
// `slice_mut`), so sending it is sending those elements' ownership.
unsafe impl<T: Send + Sync> Send for Shared<T> {}
// SAFETY: as for `Send`: shared copies of the pointer build disjoint slices.
unsafe impl<T: Send + Sync> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// The buffer starting at `p`, which the parts write.
    pub fn new(p: *mut T) -> Self {
        Shared(p)
    }

    /// The buffer starting at `p`, which the parts only read.
    pub fn reading(p: *const T) -> Self {
        Shared(p.cast_mut())
    }

    /// The buffer's first element.
    pub fn ptr(self) -> *mut T {
        self.0
    }

    /// The elements `range` of the buffer, to read.
    ///
    /// # Safety
    /// `range` lies inside the buffer this pointer was taken from, which
    /// outlives the slice, and no thread writes those elements meanwhile.
    pub unsafe fn slice<'a>(self, range: Range<usize>) -> &'a [T] {
        std::slice::from_raw_parts(self.0.add(range.start), range.len())
    }

    /// The elements `range` of the buffer, to write.
    ///
    /// # Safety
    /// As [`Shared::slice`], the buffer was given by [`Shared::new`] (not
    /// [`Shared::reading`]), and no other live slice overlaps the range.
    pub unsafe fn slice_mut<'a>(self, range: Range<usize>) -> &'a mut [T] {
        std::slice::from_raw_parts_mut(self.0.add(range.start), range.len())
    }
}

/// Runs `f(rows, out_rows)` for each part of the `m` rows of `out` (`cols`
/// elements a row), each part given its own rows of `out` to write.
pub fn for_row_parts<T: Send + Sync>(out: &mut [T], cols: usize, split: bool, f: &(dyn Fn(Range<usize>, &mut [T]) + Sync)) {
    if cols == 0 {
        return;
    }
    let m = out.len() / cols;
    debug_assert_eq!(out.len(), m * cols);
    let base = Shared::new(out.as_mut_ptr());
    for_parts(m, split, &|rows: Range<usize>| {
        // SAFETY: the parts' row ranges are disjoint and inside `0..m`, so these
        // element ranges are disjoint and inside `out`, which is borrowed
        // mutably for the whole call.
        let part = unsafe { base.slice_mut(rows.start * cols..rows.end * cols) };
        f(rows, part)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_cover_the_rows_in_order_and_align() {
        for m in [0, 1, 15, 16, 17, 100, 297, 512, 1500, 1797, 4096, 10_000] {
            for parts in 1..=5 {
                let b: Vec<usize> = (0..=parts).map(|t| bound(m, parts, t)).collect();
                assert_eq!((b[0], b[parts]), (0, m), "m {m} parts {parts}: {b:?}");
                assert!(b.windows(2).all(|w| w[0] <= w[1]), "m {m} parts {parts}: {b:?}");
                assert!(b[1..parts].iter().all(|&x| x % ROW_ALIGN == 0 || x == m), "m {m} parts {parts}: {b:?}");
            }
        }
    }

    #[test]
    fn the_digits_batch_splits_on_a_panel() {
        // 1500 rows on two threads: 768 is a whole number of 256-deep panels and
        // 2.4% from the middle, so the weight gradient's split along the batch
        // falls where the forward kernels' split does.
        assert_eq!(bound(1500, 2, 1), 768);
        // 600 rows: 512 would leave 88 rows to the second thread, so the split
        // stays near the middle instead.
        assert_eq!(bound(600, 2, 1), 304);
    }

    #[test]
    fn every_row_runs_once() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        for m in [1, 16, 40, 1500] {
            let mut out = vec![0u32; m * 3];
            pool.install(|| {
                for_row_parts(&mut out, 3, true, &|rows, part| {
                    for (i, r) in rows.zip(part.chunks_mut(3)) {
                        r.iter_mut().for_each(|x| *x += i as u32 + 1);
                    }
                })
            });
            let want: Vec<u32> = (0..m).flat_map(|i| [i as u32 + 1; 3]).collect();
            assert_eq!(out, want, "m {m}");
        }
    }
}
