//! Reductions: `Sum` and `Mean`, over everything, one dimension or a set of them.
//!
//! Float addition is not associative, so matching PyTorch's printed digits needs
//! PyTorch's exact summation order, not just a sum of the same accuracy. This
//! module reproduces the order of PyTorch's CPU `cascade_sum`
//! (`aten/src/ATen/native/cpu/SumKernel.cpp`) as built for AVX2, single-threaded:
//!
//! * The reduction is laid out the way `TensorIterator` lays it out: dimensions of
//!   size 1 vanish, reduced dimensions come first (fastest first), then the kept
//!   ones, and neighbours that are contiguous for both input and output are
//!   coalesced. The kernel then sees a 2-d loop (`size0` x `size1`) per index of
//!   the remaining dimensions ([`sum_dims`]).
//! * The kernel picks one of four paths by strides: a vectorized or scalar inner
//!   sum (each row contiguous or strided) or a vectorized or scalar outer sum
//!   (columns summed side by side), see [`Reduction::kernel`].
//! * Every path is built from two orders on a strided run of elements:
//!   [`cascade`] (`multi_row_sum`: chunks of 16 or more summed, then the chunk sums
//!   summed, over four levels) and [`row_sum`] (four interleaved cascades, then
//!   the leftover elements, then the four partial sums).
//! * A vector register holds 256 bits (8 `f32` or 4 `f64` lanes); each lane is an
//!   independent accumulator and the lanes are added left to right at the end.
//! * The output starts at +0.0 and each result is added to it, so a sum of
//!   negative zeros is +0.0, as in PyTorch.
//!
//! What this does not cover: PyTorch's `parallel_reduce` runs serially below
//! 32768 elements (`at::internal::GRAIN_SIZE`) or with one thread. Otherwise a full
//! reduction sums one chunk of at least 32768 elements per thread into a buffer
//! and then sums the buffer (so exactly 32768 elements is still one chunk), and a
//! dimension reduction splits the kept columns between threads. graphc always
//! computes the single-threaded order, which is what PyTorch prints under
//! `torch.set_num_threads(1)` at every size, and at any thread count up to 32768
//! elements. On an AVX-512 machine PyTorch's `cascade_sum` still gives the bits
//! of these 256-bit lanes (its AVX2 code): measured on the project's
//! AVX-512 machine, every sum and mean of `tools/numerics/reductions.py` (1 to
//! 100,000 elements, 2-d and 3-d shapes, each dimension and all) has PyTorch's
//! bits (docs/NUMERICS.md).

use smallvec::{smallvec, SmallVec};

use super::float::Float;
use crate::tensor::numel;

/// How many lanes a 256-bit (AVX2) vector register holds for this element type:
/// `Vectorized<float>` has 8 and `Vectorized<double>` has 4.
fn lanes<T>() -> usize {
    32 / std::mem::size_of::<T>()
}

/// PyTorch's `utils::CeilLog2`: ceil(log2(x)), but 1 for every x <= 2.
fn ceil_log2(x: usize) -> usize {
    if x <= 2 {
        1
    } else {
        (usize::BITS - (x - 1).leading_zeros()) as usize
    }
}

/// PyTorch's `multi_row_sum` for a single column: the `len` elements
/// `src[base + i * stride]`, summed in chunks of `2^level_power`, whose sums are
/// carried up through four accumulator levels. Each level is emptied into the next
/// when a chunk ends, and deeper levels only when the index is a multiple of their
/// span, so numbers of similar magnitude meet. The level sums are added last.
/// This is one lane of [`cascade_lanes`], which runs several such sums side by side.
pub fn cascade<T: Float>(src: &[T], base: usize, stride: usize, len: usize) -> T {
    cascade_lanes::<T, 1, 1>(src, base, stride, len)[0][0]
}

/// PyTorch's `row_sum`: the run is read as rows of four (`ilp_factor`), each of
/// the four columns is summed with [`cascade`], the elements after the last full
/// row are added to the first column's sum, and then the other three column sums
/// are added to it in order.
pub fn row_sum<T: Float>(src: &[T], base: usize, stride: usize, len: usize) -> T {
    const ILP: usize = 4;
    let rows = len / ILP;
    if rows == 0 {
        // Fewer than four elements: the four cascades are empty (+0.0 each), the
        // elements go into the first partial in order, and adding the other three
        // partials is adding +0.0, which once is the same as three times. This is
        // the same arithmetic without the empty cascades, which dominated short
        // rows (a softmax backward sums each row of ten classes this way).
        let mut p = T::ZERO;
        for i in 0..len {
            p = p + src[base + i * stride];
        }
        return p + T::ZERO;
    }
    // The four cascades run side by side (`cascade_lanes`): each is the chain of
    // additions `cascade(src, base + k * stride, ILP * stride, rows)` makes.
    let mut partial = cascade_lanes::<T, 1, ILP>(src, base, stride, rows).map(|p| p[0]);
    for i in rows * ILP..len {
        partial[0] = partial[0] + src[base + i * stride];
    }
    for k in 1..ILP {
        partial[0] = partial[0] + partial[k];
    }
    partial[0]
}

/// `K` cascades of `B` contiguous columns each, run side by side: cascade `k`
/// of column `c` is [`cascade`]`(src, base + k * stride + c, K * stride, rows)`,
/// the rows `k, k + K, k + 2K, ...` of the run. All of them have the same
/// length, so they empty their levels at the same steps, and each lane performs
/// exactly its own cascade's additions in its order; running them together
/// only turns one chain of dependent additions into `K * B` independent ones.
#[inline(always)]
fn cascade_lanes<T: Float, const B: usize, const K: usize>(src: &[T], base: usize, stride: usize, rows: usize) -> [[T; B]; K] {
    const LEVELS: usize = 4;
    let level_power = (ceil_log2(rows) / LEVELS).max(4);
    let level_step = 1usize << level_power;
    let level_mask = level_step - 1;
    let zero = [[T::ZERO; B]; K];
    let mut acc = [zero; LEVELS];
    let mut i = 0;
    while i + level_step <= rows {
        for _ in 0..level_step {
            for (k, a) in acc[0].iter_mut().enumerate() {
                add_row(a, src, base + (i * K + k) * stride);
            }
            i += 1;
        }
        for j in 1..LEVELS {
            let lower = acc[j - 1];
            for (a, l) in acc[j].iter_mut().zip(&lower) {
                add_lanes(a, l);
            }
            acc[j - 1] = zero;
            if i & (level_mask << (j * level_power)) != 0 {
                break;
            }
        }
    }
    while i < rows {
        for (k, a) in acc[0].iter_mut().enumerate() {
            add_row(a, src, base + (i * K + k) * stride);
        }
        i += 1;
    }
    for j in 1..LEVELS {
        let level = acc[j];
        for (a, l) in acc[0].iter_mut().zip(&level) {
            add_lanes(a, l);
        }
    }
    acc[0]
}

/// PyTorch's `vectorized_inner_sum` for one contiguous row of `len >= lanes`
/// elements: lane `l` sums the elements `l, l + lanes, l + 2 * lanes, ...` of the
/// whole vectors with [`row_sum`]; then, starting from 0, the scalar tail after
/// the last whole vector is added, and after it the lanes in order.
fn vectorized_row<T: Float>(src: &[T], base: usize, len: usize) -> T {
    let w = lanes::<T>();
    let vectors = len / w;
    let mut total = T::ZERO;
    for k in vectors * w..len {
        total = total + src[base + k];
    }
    // Lane `l` is `row_sum(src, base + l, w, vectors)`: the whole vectors read as
    // `vectors` rows of `w` columns, summed side by side.
    let mut add = |v: T| total = total + v;
    match w {
        8 => column_block::<T, 8>(src, base, w, vectors, true).into_iter().for_each(&mut add),
        4 => column_block::<T, 4>(src, base, w, vectors, true).into_iter().for_each(&mut add),
        _ => (0..w).for_each(|l| add(row_sum(src, base + l, w, vectors))),
    }
    total
}

/// The sums of the contiguous columns `cols` of the `len` rows at `base`
/// (`stride` elements apart), each with [`row_sum`] if `rows_of_four` and with
/// [`cascade`] otherwise, passed to `store` with its column. The columns run in
/// blocks side by side, one vector lane per column: every lane performs exactly
/// the additions of the one-column function in the same order (IEEE addition of
/// each lane alone), so every result has its bits, and each row of the block is
/// read once.
fn sum_columns<T: Float>(
    src: &[T],
    base: usize,
    stride: usize,
    len: usize,
    cols: std::ops::Range<usize>,
    rows_of_four: bool,
    store: &mut impl FnMut(usize, T),
) {
    let mut c = cols.start;
    macro_rules! blocks {
        ($($b:literal),*) => {$(
            while cols.end - c >= $b {
                for (k, v) in column_block::<T, $b>(src, base + c, stride, len, rows_of_four).into_iter().enumerate() {
                    store(c + k, v);
                }
                c += $b;
            }
        )*};
    }
    // Wide blocks first: each lane is an independent chain of additions, so the
    // more columns a pass carries, the less it waits on the latency of each.
    blocks!(32, 8, 4, 2, 1);
}

/// One block of [`sum_columns`], compiled for AVX-512 or AVX2 when the CPU has
/// it (the baseline x86-64 target has only 128-bit vectors); the arithmetic is
/// the same, lane by lane.
fn column_block<T: Float, const B: usize>(src: &[T], base: usize, stride: usize, len: usize, rows_of_four: bool) -> [T; B] {
    #[cfg(target_arch = "x86_64")]
    if super::cpu::avx512() {
        // SAFETY: the CPU has AVX-512F.
        return unsafe { column_block_avx512(src, base, stride, len, rows_of_four) };
    }
    #[cfg(target_arch = "x86_64")]
    if super::cpu::avx2_fma() {
        // SAFETY: the CPU has AVX2.
        return unsafe { column_block_avx2(src, base, stride, len, rows_of_four) };
    }
    column_block_any(src, base, stride, len, rows_of_four)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn column_block_avx2<T: Float, const B: usize>(src: &[T], base: usize, stride: usize, len: usize, rows_of_four: bool) -> [T; B] {
    column_block_any(src, base, stride, len, rows_of_four)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn column_block_avx512<T: Float, const B: usize>(src: &[T], base: usize, stride: usize, len: usize, rows_of_four: bool) -> [T; B] {
    column_block_any(src, base, stride, len, rows_of_four)
}

#[inline(always)]
fn column_block_any<T: Float, const B: usize>(src: &[T], base: usize, stride: usize, len: usize, rows_of_four: bool) -> [T; B] {
    if rows_of_four {
        row_sum_columns(src, base, stride, len)
    } else {
        cascade_columns(src, base, stride, len)
    }
}

/// Adds the block of columns at `start` of `src` to `acc`, lane by lane.
#[inline(always)]
fn add_row<T: Float, const B: usize>(acc: &mut [T; B], src: &[T], start: usize) {
    let row: &[T; B] = src[start..start + B].try_into().expect("a whole block of columns");
    for (a, &v) in acc.iter_mut().zip(row) {
        *a = *a + v;
    }
}

/// Adds `b` to `a`, lane by lane.
#[inline(always)]
fn add_lanes<T: Float, const B: usize>(a: &mut [T; B], b: &[T; B]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x = *x + y;
    }
}

/// [`cascade`] of each column of a block, step for step.
#[inline(always)]
fn cascade_columns<T: Float, const B: usize>(src: &[T], base: usize, stride: usize, len: usize) -> [T; B] {
    let [sums] = cascade_lanes::<T, B, 1>(src, base, stride, len);
    sums
}

/// [`row_sum`] of each column of a block, step for step.
#[inline(always)]
fn row_sum_columns<T: Float, const B: usize>(src: &[T], base: usize, stride: usize, len: usize) -> [T; B] {
    const ILP: usize = 4;
    let rows = len / ILP;
    let zero = [T::ZERO; B];
    if rows == 0 {
        let mut p = zero;
        for i in 0..len {
            add_row(&mut p, src, base + i * stride);
        }
        add_lanes(&mut p, &zero);
        return p;
    }
    let mut partial = cascade_lanes::<T, B, ILP>(src, base, stride, rows);
    for i in rows * ILP..len {
        add_row(&mut partial[0], src, base + i * stride);
    }
    for k in 1..ILP {
        let p = partial[k];
        add_lanes(&mut partial[0], &p);
    }
    partial[0]
}

/// One call of the kernel's 2-d loop: `size0` x `size1` elements at `in_base`,
/// with element strides `ins` for the input and `outs` for the output (an output
/// stride of 0 marks a reduced dimension).
struct Reduction {
    in_base: usize,
    out_base: usize,
    sizes: [usize; 2],
    ins: [usize; 2],
    outs: [usize; 2],
}

impl Reduction {
    /// The body of `cascade_sum`'s loop: results are added into `out`, which the
    /// caller filled with +0.0, exactly as `CastStoreAccumulate` does.
    fn kernel<T: Float>(mut self, src: &[T], out: &mut [T]) {
        // The reduced dimension is moved to the front when only the second one is.
        if self.outs[0] != 0 && self.outs[1] == 0 {
            self.ins.swap(0, 1);
            self.outs.swap(0, 1);
            self.sizes.swap(0, 1);
        }
        let [size0, size1] = self.sizes;
        let (ib, ob) = (self.in_base, self.out_base);
        if self.outs[0] != 0 {
            // Nothing is reduced in this loop (every reduced dimension has size 1):
            // each output element gets its input element added once.
            for j in 0..size1 {
                for i in 0..size0 {
                    let o = ob + i * self.outs[0] + j * self.outs[1];
                    out[o] = out[o] + src[ib + i * self.ins[0] + j * self.ins[1]];
                }
            }
            return;
        }
        let os = self.outs[1];
        let w = lanes::<T>();
        let mut store = |j: usize, v: T| out[ob + j * os] = out[ob + j * os] + v;
        if self.ins[0] == 1 && size0 >= w {
            // Contiguous rows at least one vector long.
            for j in 0..size1 {
                store(j, vectorized_row(src, ib + j * self.ins[1], size0));
            }
        } else if self.ins[1] == 1 && size1 >= w {
            // Contiguous columns: four vectors of columns share one multi-row
            // cascade, single vectors use row_sum, and the last few columns are
            // summed one at a time, also with row_sum.
            // Each column's sum depends only on its own elements, so the columns
            // are computed side by side ([`sum_columns`]) with the same order.
            let cascaded = size1 - size1 % (4 * w);
            sum_columns(src, ib, self.ins[0], size0, 0..cascaded, false, &mut store);
            sum_columns(src, ib, self.ins[0], size0, cascaded..size1, true, &mut store);
        } else if self.ins[0] < self.ins[1] {
            // Short or strided rows: each row with row_sum.
            for j in 0..size1 {
                store(j, row_sum(src, ib + j * self.ins[1], self.ins[0], size0));
            }
        } else {
            // Strided columns, fewer than a vector: groups of four columns share a
            // multi-row cascade, and the remaining columns use row_sum. The four
            // columns of a group run side by side, one lane each, when they are
            // contiguous.
            let mut j = 0;
            while j + 4 <= size1 {
                if self.ins[1] == 1 {
                    for (k, v) in column_block::<T, 4>(src, ib + j, self.ins[0], size0, false).into_iter().enumerate() {
                        store(j + k, v);
                    }
                } else {
                    for c in j..j + 4 {
                        store(c, cascade(src, ib + c * self.ins[1], self.ins[0], size0));
                    }
                }
                j += 4;
            }
            for c in j..size1 {
                store(c, row_sum(src, ib + c * self.ins[1], self.ins[0], size0));
            }
        }
    }
}

/// One dimension of the iteration space: its size and its element strides in the
/// input and in the output (0 where the dimension is reduced).
#[derive(Clone, Copy)]
struct Dim {
    size: usize,
    ins: usize,
    outs: usize,
}

/// The dimensions in `TensorIterator`'s order for a reduction of a contiguous
/// input: size-1 dimensions dropped, reduced dimensions first, each group
/// fastest-varying first, then neighbours merged where both strides continue.
fn iteration_dims(shape: &[usize], reduced: &[bool]) -> SmallVec<[Dim; 8]> {
    // On the stack: a training loop sums gradients to their shapes every step.
    let mut ins: SmallVec<[usize; 8]> = smallvec![0; shape.len()];
    let mut outs: SmallVec<[usize; 8]> = smallvec![0; shape.len()];
    let (mut si, mut so) = (1, 1);
    for d in (0..shape.len()).rev() {
        ins[d] = si;
        si *= shape[d];
        if !reduced[d] {
            outs[d] = so;
            so *= shape[d];
        }
    }
    let fastest_first = (0..shape.len()).rev().filter(|&d| shape[d] != 1);
    let (red, kept): (SmallVec<[usize; 8]>, SmallVec<[usize; 8]>) = fastest_first.partition(|&d| reduced[d]);
    let mut dims: SmallVec<[Dim; 8]> = SmallVec::new();
    for d in red.into_iter().chain(kept) {
        let next = Dim { size: shape[d], ins: ins[d], outs: outs[d] };
        match dims.last_mut() {
            Some(p) if p.ins * p.size == next.ins && p.outs * p.size == next.outs => p.size *= next.size,
            _ => dims.push(next),
        }
    }
    dims
}

/// `x.sum(dims, keepdim=True)` for the dimensions where `reduced` is true, in
/// PyTorch's single-threaded order. The result is in row-major order of the kept
/// dimensions, so it serves keepdim and not alike.
pub fn sum_dims<T: Float>(src: &[T], shape: &[usize], reduced: &[bool]) -> Vec<T> {
    let out_len: usize = shape.iter().zip(reduced).filter(|(_, &r)| !r).map(|(s, _)| s).product();
    let mut out = vec![T::ZERO; out_len];
    sum_dims_into(src, shape, reduced, &mut out);
    out
}

/// [`sum_dims`] into `out`, which has the result's length (overwritten).
pub fn sum_dims_into<T: Float>(src: &[T], shape: &[usize], reduced: &[bool], out: &mut [T]) {
    assert_eq!(shape.len(), reduced.len(), "one flag per dimension");
    out.fill(T::ZERO);
    if src.is_empty() {
        return;
    }
    let dims = iteration_dims(shape, reduced);
    // The 2-d loop covers the first two dimensions; a missing one has size 1 and
    // stride 0, as in TensorIterator's padded strides.
    let pad = Dim { size: 1, ins: 0, outs: 0 };
    let d0 = dims.first().copied().unwrap_or(pad);
    let d1 = dims.get(1).copied().unwrap_or(pad);
    let outer = dims.get(2..).unwrap_or(&[]);
    // The loop runs once per index of the outer dimensions, the first fastest.
    let mut index: SmallVec<[usize; 8]> = smallvec![0; outer.len()];
    loop {
        let in_base = outer.iter().zip(&index).map(|(d, &i)| d.ins * i).sum();
        let out_base = outer.iter().zip(&index).map(|(d, &i)| d.outs * i).sum();
        let call = Reduction { in_base, out_base, sizes: [d0.size, d1.size], ins: [d0.ins, d1.ins], outs: [d0.outs, d1.outs] };
        call.kernel(src, out);
        let mut k = 0;
        while k < outer.len() {
            index[k] += 1;
            if index[k] < outer[k].size {
                break;
            }
            index[k] = 0;
            k += 1;
        }
        if k == outer.len() {
            return;
        }
    }
}

/// The sum of all of `xs` (a contiguous tensor of any shape), in the order of
/// PyTorch's `x.sum()`: the elements form one row, so this is the inner sum.
pub fn sum_all<T: Float>(xs: &[T]) -> T {
    sum_dims(xs, &[xs.len()], &[true])[0]
}

/// `sum(x)` (dim `None`) or `sum(x, dim=d)` with keepdim false, in PyTorch's order.
pub fn sum<T: Float>(src: &[T], shape: &[usize], dim: Option<usize>) -> Vec<T> {
    let Some(d) = dim else {
        return vec![sum_all(src)];
    };
    assert!(d < shape.len(), "sum over dimension {d} of a {}-d tensor", shape.len());
    let reduced: Vec<bool> = (0..shape.len()).map(|k| k == d).collect();
    sum_dims(src, shape, &reduced)
}

/// `mean(x)` or `mean(x, dim=d)`: PyTorch's CPU `mean` for float and double is
/// `sum(...).div_(count)`, a true division by the count rounded to the dtype (not
/// a multiplication by its reciprocal); the reference tests check this bit for bit.
pub fn mean<T: Float>(src: &[T], shape: &[usize], dim: Option<usize>) -> Vec<T> {
    let count = match dim {
        None => numel(shape),
        Some(d) => shape[d],
    };
    let c = T::from_usize(count);
    sum(src, shape, dim).into_iter().map(|s| s / c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PyTorch's `multi_row_sum` for one column, as it writes it, one element
    /// at a time: the reference for `cascade_lanes`.
    fn cascade_one_by_one(src: &[f32], base: usize, stride: usize, len: usize) -> f32 {
        const LEVELS: usize = 4;
        let level_power = (ceil_log2(len) / LEVELS).max(4);
        let level_step = 1usize << level_power;
        let level_mask = level_step - 1;
        let mut acc = [0.0f32; LEVELS];
        let mut i = 0;
        while i + level_step <= len {
            for _ in 0..level_step {
                acc[0] += src[base + i * stride];
                i += 1;
            }
            for j in 1..LEVELS {
                acc[j] += acc[j - 1];
                acc[j - 1] = 0.0f32;
                if i & (level_mask << (j * level_power)) != 0 {
                    break;
                }
            }
        }
        while i < len {
            acc[0] += src[base + i * stride];
            i += 1;
        }
        for j in 1..LEVELS {
            acc[0] += acc[j];
        }
        acc[0]
    }

    /// `row_sum` as PyTorch writes it: four cascades one after another, the
    /// leftover elements, then the partials in order.
    fn row_sum_one_by_one(src: &[f32], base: usize, stride: usize, len: usize) -> f32 {
        let rows = len / 4;
        if rows == 0 {
            return row_sum(src, base, stride, len);
        }
        let mut partial: Vec<f32> = (0..4).map(|k| cascade_one_by_one(src, base + k * stride, 4 * stride, rows)).collect();
        for i in rows * 4..len {
            partial[0] += src[base + i * stride];
        }
        (1..4).fold(partial[0], |acc, k| acc + partial[k])
    }

    #[test]
    fn cascades_side_by_side_have_each_columns_bits() {
        // Lengths around each chunk and level boundary (16, 256, 4096 rows, and
        // 4 x 4096 for the four interleaved cascades of a row sum), with values
        // of many magnitudes so that any change of order changes some bits.
        let cols = 37;
        for len in [1, 3, 4, 15, 16, 17, 64, 255, 256, 257, 1500, 4095, 4096, 4097, 16_385, 70_001] {
            let src: Vec<f32> = (0..len * cols).map(|i| ((i * 7919 % 1013) as f32 - 500.0) * 1.37f32.powi((i % 29) as i32 - 14)).collect();
            let mut wide = vec![f32::NAN; cols];
            sum_columns(&src, 0, cols, len, 0..cols, false, &mut |c, v| wide[c] = v);
            let mut four = vec![f32::NAN; cols];
            sum_columns(&src, 0, cols, len, 0..cols, true, &mut |c, v| four[c] = v);
            for c in 0..cols {
                assert_eq!(wide[c].to_bits(), cascade_one_by_one(&src, c, cols, len).to_bits(), "cascade of column {c} of {len} rows");
                assert_eq!(cascade(&src, c, cols, len).to_bits(), wide[c].to_bits(), "one-lane cascade of column {c} of {len} rows");
                assert_eq!(four[c].to_bits(), row_sum_one_by_one(&src, c, cols, len).to_bits(), "row sum of column {c} of {len} rows");
                assert_eq!(row_sum(&src, c, cols, len).to_bits(), four[c].to_bits(), "scalar row sum of column {c} of {len} rows");
            }
        }
    }
}
