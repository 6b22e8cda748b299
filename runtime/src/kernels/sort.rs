//! Kernels of `sort` and `topk` ([`IndexOp::Sort`](crate::op::IndexOp::Sort),
//! [`IndexOp::TopK`](crate::op::IndexOp::TopK)): the positions that order each
//! line along one dimension, as PyTorch's CPU kernels find them
//! (`aten/src/ATen/native/cpu/SortingKernel.cpp` and `TopKImpl.h`).
//!
//! Equal elements are where sorts differ. A stable sort has one answer, which
//! any stable sort finds. PyTorch's unstable sort is libstdc++'s `std::sort`
//! (introsort) on (value, index) pairs compared by value, and `topk` uses
//! libstdc++'s heap functions, `std::nth_element` and `std::sort`; the order
//! those leave equal elements in is their algorithm's, so [`stl`] repeats
//! libstdc++'s algorithms step for step (`bits/stl_algo.h`, `bits/stl_heap.h`)
//! and the indices of ties come out as PyTorch's do.
//!
//! NaN sorts above every number, as in PyTorch (the comparators below).

use super::stl;

/// An element that can be sorted: f32, f64, i64 or bool.
pub trait SortKey: Copy + PartialOrd {
    fn is_nan(self) -> bool;
}

impl SortKey for f32 {
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
}
impl SortKey for f64 {
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
}
impl SortKey for i64 {
    fn is_nan(self) -> bool {
        false
    }
}
impl SortKey for bool {
    fn is_nan(self) -> bool {
        false
    }
}

/// PyTorch's `KeyValueCompAsc`/`KeyValueCompDesc` (and `TopKComparator`, which
/// is the same test): whether `a` goes before `b`. NaN is the largest value.
fn before<T: SortKey>(a: T, b: T, descending: bool) -> bool {
    if descending {
        (a.is_nan() && !b.is_nan()) || a > b
    } else {
        (!a.is_nan() && b.is_nan()) || a < b
    }
}

/// PyTorch sorts a 1-d integer tensor in ascending order of at least this many
/// elements with FBGEMM's parallel radix sort (`can_use_radix_sort`, whose
/// threshold is `at::internal::GRAIN_SIZE`), which is stable whatever `stable`
/// says.
const RADIX_SORT_MIN: usize = 32768;

/// The lines of `shape` along `dim`: (outer, length, inner), element `k` of line
/// `(o, i)` being at `(o * length + k) * inner + i`.
fn lines(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    (shape[..dim].iter().product(), shape[dim], shape[dim + 1..].iter().product())
}

/// The indices `sort(x, dim, descending, stable)` returns: a tensor of `x`'s shape.
pub fn sort_indices<T: SortKey>(x: &[T], shape: &[usize], dim: usize, descending: bool, stable: bool, integer: bool) -> Vec<i64> {
    let (outer, n, inner) = lines(shape, dim);
    let stable = stable || (integer && shape.len() == 1 && !descending && n >= RADIX_SORT_MIN);
    let mut out = vec![0i64; x.len()];
    let mut line: Vec<(T, i64)> = Vec::with_capacity(n);
    let less = |a: &(T, i64), b: &(T, i64)| before(a.0, b.0, descending);
    for o in 0..outer {
        for i in 0..inner {
            line.clear();
            line.extend((0..n).map(|k| (x[(o * n + k) * inner + i], k as i64)));
            if stable {
                // A stable sort's result is unique, so the standard library's serves.
                line.sort_by(|a, b| {
                    if less(a, b) {
                        std::cmp::Ordering::Less
                    } else if less(b, a) {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Equal
                    }
                });
            } else {
                stl::sort(&mut line, &less);
            }
            for (k, &(_, at)) in line.iter().enumerate() {
                out[(o * n + k) * inner + i] = at;
            }
        }
    }
    out
}

/// The indices `topk(x, k, dim, largest, sorted)` returns: `x`'s shape with `k`
/// along `dim`. `topk_impl_loop`: for `k * 64 <= n`, `std::partial_sort` of
/// the first `k` (sorted whatever `sorted` says); otherwise `nth_element`
/// puts the `k`-th in place and, if `sorted`, `std::sort` orders the `k - 1`
/// before it. (PyTorch's newer source keeps a heap of `k` elements instead;
/// the ties of PyTorch 2.15's wheels are `partial_sort`'s, which is what this
/// repeats.)
pub fn topk_indices<T: SortKey>(x: &[T], shape: &[usize], dim: usize, k: usize, largest: bool, sorted: bool) -> Vec<i64> {
    let (outer, n, inner) = lines(shape, dim);
    let mut out = vec![0i64; outer * k * inner];
    if k == 0 {
        return out;
    }
    let less = |a: &(T, i64), b: &(T, i64)| before(a.0, b.0, largest);
    let partial = k * 64 <= n;
    let mut queue: Vec<(T, i64)> = Vec::with_capacity(n);
    for o in 0..outer {
        for i in 0..inner {
            let at = |j: usize| x[(o * n + j) * inner + i];
            queue.clear();
            queue.extend((0..if partial { k } else { n }).map(|j| (at(j), j as i64)));
            if partial {
                queue.extend((k..n).map(|j| (at(j), j as i64)));
                stl::partial_sort(&mut queue, k, &less);
            } else {
                stl::nth_element(&mut queue, k - 1, &less);
                if sorted {
                    stl::sort(&mut queue[..k - 1], &less);
                }
            }
            for (j, &(_, at)) in queue[..k].iter().enumerate() {
                out[(o * k + j) * inner + i] = at;
            }
        }
    }
    out
}

/// `kthvalue`'s indices: along `dim`, the position of each line's `k`-th
/// smallest element (`k` from 1), as ATen's `kthvalue_out_impl_cpu` finds it:
/// `quick_select_template` (`SortingUtils.h`, Sedgewick's partitioning with a
/// median-of-three pivot) on a copy of the line and its positions, NaN above
/// every number. Equal elements end where that algorithm leaves them, which
/// decides the index of a tied `k`-th element.
pub fn kth_indices<T: SortKey>(x: &[T], shape: &[usize], dim: usize, k: usize) -> Vec<i64> {
    let (outer, n, inner) = lines(shape, dim);
    let mut out = vec![0i64; outer * inner];
    let mut values: Vec<T> = Vec::with_capacity(n);
    let mut positions: Vec<i64> = Vec::with_capacity(n);
    for o in 0..outer {
        for i in 0..inner {
            values.clear();
            positions.clear();
            values.extend((0..n).map(|j| x[(o * n + j) * inner + i]));
            positions.extend(0..n as i64);
            quick_select(&mut values, &mut positions, k - 1);
            out[o * inner + i] = positions[k - 1];
        }
    }
    out
}

/// ATen's `gt_or_nan`: `a` above `b`, NaN above every number.
fn gt_or_nan<T: SortKey>(a: T, b: T) -> bool {
    (a.is_nan() && !b.is_nan()) || a > b
}

/// ATen's `quick_select_template`, step for step: afterwards `values[k]` is
/// the `k`-th smallest (from 0), and `positions` moved with `values`.
fn quick_select<T: SortKey>(values: &mut [T], positions: &mut [i64], k: usize) {
    // Signed, as ATen's `int64_t`: `r = j - 1` may reach -1, which ends the loop.
    let k = k as isize;
    let swap = |values: &mut [T], positions: &mut [i64], i: isize, j: isize| {
        values.swap(i as usize, j as usize);
        positions.swap(i as usize, j as usize);
    };
    let at = |values: &[T], i: isize| values[i as usize];
    let (mut l, mut r) = (0isize, values.len() as isize - 1);
    loop {
        if r <= l {
            return;
        }
        if r == l + 1 {
            if gt_or_nan(at(values, l), at(values, r)) {
                swap(values, positions, l, r);
            }
            return;
        }
        // The median of three as the pivot, at `l`.
        let p = (l + r) >> 1;
        swap(values, positions, p, l + 1);
        if gt_or_nan(at(values, l + 1), at(values, r)) {
            swap(values, positions, l + 1, r);
        }
        if gt_or_nan(at(values, l), at(values, r)) {
            swap(values, positions, l, r);
        }
        if gt_or_nan(at(values, l + 1), at(values, l)) {
            swap(values, positions, l + 1, l);
        }
        let (mut i, mut j) = (l + 1, r);
        let pivot = at(values, l);
        loop {
            // The median of three leaves a sentinel at each end, so neither scan leaves the line.
            i += 1;
            while gt_or_nan(pivot, at(values, i)) {
                i += 1;
            }
            j -= 1;
            while gt_or_nan(at(values, j), pivot) {
                j -= 1;
            }
            if j < i {
                break;
            }
            swap(values, positions, i, j);
        }
        swap(values, positions, l, j);
        if j <= k {
            l = i;
        }
        if j >= k {
            r = j - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kth_ties_are_where_atens_quickselect_leaves_them() {
        // PyTorch 2.15: torch.kthvalue(torch.tensor([3., 1., 2., 2., 5., 2.]), k).indices for k = 1..6.
        let x = [3.0f32, 1.0, 2.0, 2.0, 5.0, 2.0];
        let got: Vec<i64> = (1..=6).map(|k| kth_indices(&x, &[6], 0, k)[0]).collect();
        assert_eq!(got[2], 5, "k=3: {got:?}");
        assert_eq!(got[0], 1);
        assert_eq!(got[5], 4);
    }

    #[test]
    fn nan_sorts_above_every_number_both_ways() {
        let x = [1.0f32, f32::NAN, f32::NEG_INFINITY, 2.0, f32::NAN];
        // PyTorch 2.15: torch.sort(x) and torch.sort(x, descending=True).
        assert_eq!(sort_indices(&x, &[5], 0, false, false, false), vec![2, 0, 3, 1, 4]);
        assert_eq!(sort_indices(&x, &[5], 0, true, false, false), vec![1, 4, 3, 0, 2]);
    }

    #[test]
    fn sorts_each_line_along_the_dimension() {
        // [[3, 1], [2, 5], [1, 4]] along dim 0: columns [3, 2, 1] and [1, 5, 4].
        let x = [3i64, 1, 2, 5, 1, 4];
        assert_eq!(sort_indices(&x, &[3, 2], 0, false, false, true), vec![2, 0, 1, 2, 0, 1]);
        assert_eq!(sort_indices(&x, &[3, 2], 1, true, false, true), vec![0, 1, 1, 0, 1, 0]);
    }

    #[test]
    fn ties_of_small_topk_follow_the_nth_element_path() {
        // PyTorch 2.15: torch.topk(tensor([3., 1., 3., 2., 3., 1.]), 4) gives
        // indices [2, 4, 0, 3], and with largest=False, k=3, [1, 5, 3].
        let x = [3.0f64, 1.0, 3.0, 2.0, 3.0, 1.0];
        assert_eq!(topk_indices(&x, &[6], 0, 4, true, true), vec![2, 4, 0, 3]);
        assert_eq!(topk_indices(&x, &[6], 0, 3, false, true), vec![1, 5, 3]);
    }
}
