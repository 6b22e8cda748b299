//! libstdc++'s sorting algorithms (GCC's `bits/stl_algo.h` and
//! `bits/stl_heap.h`), step for step, for [`super::sort`]: PyTorch's CPU
//! `sort` and `topk` call them, and the order they leave equal elements in is
//! only theirs. Each function names the libstdc++ function it repeats; `less`
//! is the comparator, and moves are copies of `Copy` elements.

/// libstdc++'s `_S_threshold`: introsort leaves ranges this short to the
/// final insertion sort.
const THRESHOLD: usize = 16;

/// `std::__lg`: the floor of the base-2 logarithm of `n > 0`.
fn lg(n: usize) -> usize {
    (usize::BITS - 1 - n.leading_zeros()) as usize
}

/// `std::sort`: introsort, then one insertion sort over the whole range.
pub fn sort<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    if v.is_empty() {
        return;
    }
    introsort_loop(v, 0, v.len(), lg(v.len()) * 2, less);
    final_insertion_sort(v, less);
}

/// `std::__introsort_loop`: quicksort on ranges longer than [`THRESHOLD`],
/// falling back to heapsort when the depth limit runs out.
fn introsort_loop<E: Copy>(v: &mut [E], first: usize, mut last: usize, mut depth: usize, less: &impl Fn(&E, &E) -> bool) {
    while last - first > THRESHOLD {
        if depth == 0 {
            partial_sort(&mut v[first..last], last - first, less);
            return;
        }
        depth -= 1;
        let cut = unguarded_partition_pivot(v, first, last, less);
        introsort_loop(v, cut, last, depth, less);
        last = cut;
    }
}

/// `std::__unguarded_partition_pivot`: the median of the second, middle and
/// last elements moved to the front as pivot, then Hoare's partition.
fn unguarded_partition_pivot<E: Copy>(v: &mut [E], first: usize, last: usize, less: &impl Fn(&E, &E) -> bool) -> usize {
    let mid = first + (last - first) / 2;
    move_median_to_first(v, first, first + 1, mid, last - 1, less);
    unguarded_partition(v, first + 1, last, first, less)
}

/// `std::__move_median_to_first`.
fn move_median_to_first<E: Copy>(v: &mut [E], result: usize, a: usize, b: usize, c: usize, less: &impl Fn(&E, &E) -> bool) {
    let lt = |x: usize, y: usize| less(&v[x], &v[y]);
    let pick = if lt(a, b) {
        if lt(b, c) {
            b
        } else if lt(a, c) {
            c
        } else {
            a
        }
    } else if lt(a, c) {
        a
    } else if lt(b, c) {
        c
    } else {
        b
    };
    v.swap(result, pick);
}

/// `std::__unguarded_partition`.
fn unguarded_partition<E: Copy>(v: &mut [E], mut first: usize, mut last: usize, pivot: usize, less: &impl Fn(&E, &E) -> bool) -> usize {
    loop {
        while less(&v[first], &v[pivot]) {
            first += 1;
        }
        last -= 1;
        while less(&v[pivot], &v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

/// `std::__final_insertion_sort`: a guarded insertion sort of the first
/// [`THRESHOLD`] elements (which hold the smallest), unguarded after them.
fn final_insertion_sort<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    if v.len() > THRESHOLD {
        insertion_sort(&mut v[..THRESHOLD], less);
        for i in THRESHOLD..v.len() {
            unguarded_linear_insert(v, i, less);
        }
    } else {
        insertion_sort(v, less);
    }
}

/// `std::__insertion_sort`.
fn insertion_sort<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    for i in 1..v.len() {
        if less(&v[i], &v[0]) {
            let val = v[i];
            v.copy_within(0..i, 1);
            v[0] = val;
        } else {
            unguarded_linear_insert(v, i, less);
        }
    }
}

/// `std::__unguarded_linear_insert`: moves `v[last]` down past every element
/// it goes before.
fn unguarded_linear_insert<E: Copy>(v: &mut [E], mut last: usize, less: &impl Fn(&E, &E) -> bool) {
    let val = v[last];
    while less(&val, &v[last - 1]) {
        v[last] = v[last - 1];
        last -= 1;
    }
    v[last] = val;
}

/// `std::__partial_sort(first, middle, last)`: the first `middle` elements
/// in order, by heap selection and heapsort.
pub fn partial_sort<E: Copy>(v: &mut [E], middle: usize, less: &impl Fn(&E, &E) -> bool) {
    heap_select(v, middle, less);
    sort_heap(&mut v[..middle], less);
}

/// `std::__heap_select`: a heap of the first `middle` elements that takes
/// each later element going before its top.
fn heap_select<E: Copy>(v: &mut [E], middle: usize, less: &impl Fn(&E, &E) -> bool) {
    make_heap(&mut v[..middle], less);
    for i in middle..v.len() {
        if less(&v[i], &v[0]) {
            pop_heap_into(v, middle, i, less);
        }
    }
}

/// `std::make_heap`.
pub fn make_heap<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    let len = v.len();
    if len < 2 {
        return;
    }
    let mut parent = (len - 2) / 2;
    loop {
        let value = v[parent];
        adjust_heap(v, parent, len, value, less);
        if parent == 0 {
            return;
        }
        parent -= 1;
    }
}

/// `std::__adjust_heap`: sinks a hole from `hole` to a leaf, then pushes
/// `value` up from there.
fn adjust_heap<E: Copy>(v: &mut [E], mut hole: usize, len: usize, value: E, less: &impl Fn(&E, &E) -> bool) {
    let top = hole;
    let mut second = hole;
    while second < (len - 1) / 2 {
        second = 2 * (second + 1);
        if less(&v[second], &v[second - 1]) {
            second -= 1;
        }
        v[hole] = v[second];
        hole = second;
    }
    if len & 1 == 0 && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        v[hole] = v[second - 1];
        hole = second - 1;
    }
    push_heap_from(v, hole, top, value, less);
}

/// `std::__push_heap`: moves `value` up from `hole` while its parent goes before it.
fn push_heap_from<E: Copy>(v: &mut [E], mut hole: usize, top: usize, value: E, less: &impl Fn(&E, &E) -> bool) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(&v[parent], &value) {
            break;
        }
        v[hole] = v[parent];
        hole = parent;
    }
    v[hole] = value;
}

/// `std::__pop_heap(first, last, result)`: the top goes to `result`, and
/// `result`'s element into the heap `v[..len]`.
fn pop_heap_into<E: Copy>(v: &mut [E], len: usize, result: usize, less: &impl Fn(&E, &E) -> bool) {
    let value = v[result];
    v[result] = v[0];
    adjust_heap(v, 0, len, value, less);
}

/// `std::pop_heap`: the top to the last place, the rest a heap.
pub fn pop_heap<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    let n = v.len();
    if n > 1 {
        pop_heap_into(v, n - 1, n - 1, less);
    }
}

/// `std::push_heap`: the last element joins the heap before it.
pub fn push_heap<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    let n = v.len();
    if n > 0 {
        let value = v[n - 1];
        push_heap_from(v, n - 1, 0, value, less);
    }
}

/// `std::sort_heap`.
pub fn sort_heap<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    let mut last = v.len();
    while last > 1 {
        last -= 1;
        pop_heap_into(v, last, last, less);
    }
}

/// `std::nth_element`: introselect, leaving at `nth` the element a sort
/// would put there, none after it going before it and none before it after.
pub fn nth_element<E: Copy>(v: &mut [E], nth: usize, less: &impl Fn(&E, &E) -> bool) {
    if v.is_empty() || nth == v.len() {
        return;
    }
    let (mut first, mut last) = (0, v.len());
    let mut depth = lg(v.len()) * 2;
    while last - first > 3 {
        if depth == 0 {
            heap_select(&mut v[first..last], nth + 1 - first, less);
            v.swap(first, nth);
            return;
        }
        depth -= 1;
        let cut = unguarded_partition_pivot(v, first, last, less);
        if cut <= nth {
            first = cut;
        } else {
            last = cut;
        }
    }
    insertion_sort(&mut v[first..last], less);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic sequence with many ties, so that every path runs.
    fn ties(n: usize, seed: u64) -> Vec<(u8, usize)> {
        let mut s = seed;
        (0..n)
            .map(|i| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (((s >> 33) % 5) as u8, i)
            })
            .collect()
    }

    #[test]
    fn sort_orders_by_key_at_every_length() {
        let less = |a: &(u8, usize), b: &(u8, usize)| a.0 < b.0;
        for n in [0, 1, 2, 15, 16, 17, 40, 300, 2000] {
            let mut v = ties(n, n as u64);
            sort(&mut v, &less);
            assert!(v.windows(2).all(|w| w[0].0 <= w[1].0), "length {n}");
            let mut ids: Vec<usize> = v.iter().map(|e| e.1).collect();
            ids.sort();
            assert_eq!(ids, (0..n).collect::<Vec<_>>(), "a permutation at length {n}");
        }
    }

    #[test]
    fn heapsort_fallback_orders_too() {
        let less = |a: &(u8, usize), b: &(u8, usize)| a.0 < b.0;
        let mut v = ties(500, 7);
        partial_sort(&mut v, 500, &less);
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn nth_element_partitions_around_nth() {
        let less = |a: &(u8, usize), b: &(u8, usize)| a.0 < b.0;
        for (n, nth) in [(10, 3), (100, 0), (100, 99), (1000, 517)] {
            let mut v = ties(n, 3);
            nth_element(&mut v, nth, &less);
            let pivot = v[nth].0;
            assert!(v[..nth].iter().all(|e| e.0 <= pivot) && v[nth + 1..].iter().all(|e| e.0 >= pivot), "{n} {nth}");
        }
    }
}
