//! `softmax` and `log_softmax` along one dimension, with the bits of PyTorch's
//! CPU kernels (`aten/src/ATen/native/cpu/SoftMaxKernel.cpp` and
//! `LogSoftmaxKernelImpl.h`) as they run on an AVX-512 machine: those kernels
//! are registered for AVX-512 too (`ALSO_REGISTER_AVX512_DISPATCH`), so a
//! vector holds [`lanes`] elements, 16 floats or 8 doubles, and
//! `Vectorized::exp` / `Vectorized::log` are SLEEF's `expf`/`exp` and
//! `logf`/`log` u10 ([`Float::exp_sleef`], [`Float::ln_sleef`]). A scalar
//! `std::exp` in a kernel is glibc's ([`Float::exp`]).
//!
//! Along the last dimension (`_vec_softmax_lastdim`,
//! `serial_vec_log_softmax_lastdim_range`) each row is reduced with
//! `vec::reduce_all` / `vec::map_reduce_all` ([`reduce_all`]): a row shorter than
//! one vector is combined element by element; a longer one goes into a vector
//! accumulator that takes whole vectors, then the last partial vector updates
//! its first lanes only, and the lanes are combined at the end
//! ([`lanes_combined`]). `vec::map` applies the vector function to the last
//! partial vector too (zero-padded), so every element's `exp` is SLEEF's.
//! softmax is `exp(x - max)` times `1 / sum`; log_softmax is
//! `x - max - log(sum)`, in that order.
//!
//! Along another dimension (`_vec_softmax`, `serial_vec_logsoftmax_range`) the
//! kernels run vectors across the inner dimension: every column sees a
//! sequential loop over the softmax dimension, and which columns take the
//! vector code (SLEEF `exp`) and which the scalar tail (glibc `exp`) follows the
//! kernels' blocking, reproduced by [`along_softmax`] and [`along_log_softmax`].
//! The last dimension is decided by position, not by the inner size: a
//! dimension followed only by size-1 dimensions takes the inner-dimension
//! kernel, as in PyTorch.
//!
//! PyTorch splits the rows (or columns) among its threads; the rows of the
//! last-dimension kernels are independent, so only the inner-dimension
//! `softmax` depends on the split, and graphc reproduces the one-thread one
//! (docs/NUMERICS.md, "Threads").

use super::float::Float;

/// Lanes of PyTorch's 512-bit `Vectorized<T>`.
fn lanes<T>() -> usize {
    64 / std::mem::size_of::<T>()
}

/// `vec_reduce_all` of a full accumulator. For `f32`, AVX-512's shuffle tree
/// (`VecReduceAllSIMD<float>`: lane i with i^8, then i^4, i^2 and i^1, the
/// shuffled vector second); for `f64`, which has no such specialization, the
/// lanes in order.
#[inline(always)]
fn lanes_combined<T: Float>(acc: &[T], op: impl Fn(T, T) -> T) -> T {
    if acc.len() == 16 {
        let a: [T; 16] = std::array::from_fn(|i| op(acc[i], acc[i ^ 8]));
        let b: [T; 4] = std::array::from_fn(|i| op(a[i], a[i ^ 4]));
        let c = [op(b[0], b[2]), op(b[1], b[3])];
        op(c[0], c[1])
    } else {
        acc[1..].iter().fold(acc[0], |s, &v| op(s, v))
    }
}

/// `vec::reduce_all(op, row)`: see the module documentation. `row` is not empty.
#[inline(always)]
fn reduce_all<T: Float>(row: &[T], op: impl Fn(T, T) -> T + Copy) -> T {
    let w = lanes::<T>();
    if row.len() < w {
        return row[1..].iter().fold(row[0], |s, &v| op(s, v));
    }
    // On the stack: this runs once per row, and a heap vector per row cost
    // more than a short row's arithmetic.
    let mut buf = [T::ZERO; 16];
    let acc = &mut buf[..w];
    acc.copy_from_slice(&row[..w]);
    for chunk in row[w..].chunks(w) {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a = op(*a, v);
        }
    }
    lanes_combined(acc, op)
}

/// `vec::maximum` on AVX-512: `_mm512_max_ps(a, b)` (`a` if `a > b`, else
/// `b`), with every bit set where either is NaN.
#[inline(always)]
fn maximum<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::ALL_ONES
    } else if a > b {
        a
    } else {
        b
    }
}

/// One row along the last dimension.
#[inline(always)]
fn row<T: Float>(x: &[T], out: &mut [T], log: bool) {
    let max = reduce_all(x, maximum);
    exp_shifted(x, max, out);
    finish_row(x, out, max, log);
}

/// The rest of a row once `out` holds every `exp(v - max)`: the sum, then
/// softmax's `exp * (1 / sum)` or log_softmax's `v - max - log(sum)`.
#[inline(always)]
fn finish_row<T: Float>(x: &[T], out: &mut [T], max: T, log: bool) {
    let sum = reduce_all(out, |a, b| a + b);
    if log {
        let ls = sum.ln_sleef();
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v - max - ls;
        }
    } else {
        let inv = T::ONE / sum;
        for o in out.iter_mut() {
            *o = *o * inv;
        }
    }
}

/// Elements per call of the vector `exp`: the stack buffer of differences.
const BLOCK: usize = 256;

/// SLEEF's `exp(v - max)` of every element of `x` into `out`, through a stack
/// buffer of the differences so that the exponentials run a slice at a time.
#[inline(always)]
fn exp_shifted<T: Float>(x: &[T], max: T, out: &mut [T]) {
    let mut diff = [T::ZERO; BLOCK];
    for (xs, os) in x.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
        for (d, &v) in diff.iter_mut().zip(xs) {
            *d = v - max;
        }
        T::exp_sleef_into(&diff[..xs.len()], os);
    }
}

/// Rows of `len` elements, at most half a [`BLOCK`] each, several rows per call
/// of the vector `exp`: a row of ten classes alone would fill less than one
/// vector block and pay the call for ten elements. Each element's difference,
/// exponential, sum and result are those of [`row`]; only the grouping of the
/// `exp` calls changes, and `exp` is elementwise.
#[inline(always)]
fn short_rows<T: Float>(x: &[T], out: &mut [T], len: usize, log: bool) {
    let rows_per_block = BLOCK / len;
    let mut diff = [T::ZERO; BLOCK];
    let mut maxes = [T::ZERO; BLOCK];
    for (xs, os) in x.chunks(rows_per_block * len).zip(out.chunks_mut(rows_per_block * len)) {
        for ((xr, dr), m) in xs.chunks(len).zip(diff.chunks_mut(len)).zip(maxes.iter_mut()) {
            let max = reduce_all(xr, maximum);
            for (d, &v) in dr.iter_mut().zip(xr) {
                *d = v - max;
            }
            *m = max;
        }
        T::exp_sleef_into(&diff[..xs.len()], os);
        for ((xr, or), &max) in xs.chunks(len).zip(os.chunks_mut(len)).zip(&maxes) {
            finish_row(xr, or, max, log);
        }
    }
}

/// Rows a [`narrow_rows`] group holds.
const GROUP: usize = 16;

/// Rows shorter than a vector (`len < lanes`), where [`reduce_all`] folds each
/// row element by element: a group of [`GROUP`] rows is laid out column by
/// column in stack buffers, so that every step (the maximum, the differences,
/// `exp`, the sum, `log`, the result) runs over the group's rows as vector
/// lanes. Each row still folds its elements in order from the first, and the
/// elementwise steps are the same functions, so the bits are those of [`row`];
/// only the layout changes. The digits network's ten classes take this path;
/// row by row, its scalar folds were a tenth of the training step.
#[inline(always)]
fn narrow_rows<T: Float>(x: &[T], out: &mut [T], len: usize, log: bool) {
    debug_assert!(len > 0 && len < lanes::<T>());
    // A group holds fewer than `lanes` <= 16 columns of GROUP rows each.
    let mut xt = [T::ZERO; 16 * GROUP];
    let mut dt = [T::ZERO; 16 * GROUP];
    let mut et = [T::ZERO; 16 * GROUP];
    let mut max = [T::ZERO; GROUP];
    let mut sum = [T::ZERO; GROUP];
    for (xs, os) in x.chunks(GROUP * len).zip(out.chunks_mut(GROUP * len)) {
        let g = xs.len() / len;
        // Column c of the group is xt[c * GROUP..][..g].
        for (r, xr) in xs.chunks(len).enumerate() {
            for (c, &v) in xr.iter().enumerate() {
                xt[c * GROUP + r] = v;
            }
        }
        max.copy_from_slice(&xt[..GROUP]);
        for col in xt[GROUP..len * GROUP].chunks(GROUP) {
            for (m, &v) in max.iter_mut().zip(col) {
                *m = maximum(*m, v);
            }
        }
        for (d, col) in dt[..len * GROUP].chunks_mut(GROUP).zip(xt.chunks(GROUP)) {
            for ((d, &v), &m) in d.iter_mut().zip(col).zip(&max) {
                *d = v - m;
            }
        }
        T::exp_sleef_into(&dt[..len * GROUP], &mut et[..len * GROUP]);
        sum.copy_from_slice(&et[..GROUP]);
        for col in et[GROUP..len * GROUP].chunks(GROUP) {
            for (s, &e) in sum.iter_mut().zip(col) {
                *s = *s + e;
            }
        }
        if log {
            let mut ls = [T::ZERO; GROUP];
            // A sum of finite exponentials lies in [1, len]: the branch-free
            // `log` then runs on all the group's rows at once.
            let ordinary = sum.iter().all(|&s| s >= T::ONE && s < T::from_f64(1e30));
            if ordinary {
                for (l, &s) in ls.iter_mut().zip(&sum) {
                    *l = s.ln_sleef_from_one();
                }
            } else {
                for (l, &s) in ls.iter_mut().zip(&sum) {
                    *l = s.ln_sleef();
                }
            }
            for (o, col) in et[..len * GROUP].chunks_mut(GROUP).zip(xt.chunks(GROUP)) {
                for (((o, &v), &m), &l) in o.iter_mut().zip(col).zip(&max).zip(&ls) {
                    *o = v - m - l;
                }
            }
        } else {
            let mut inv = [T::ZERO; GROUP];
            for (i, &s) in inv.iter_mut().zip(&sum) {
                *i = T::ONE / s;
            }
            for col in et[..len * GROUP].chunks_mut(GROUP) {
                for (o, &i) in col.iter_mut().zip(&inv) {
                    *o = *o * i;
                }
            }
        }
        for (r, or) in os.chunks_mut(len).enumerate().take(g) {
            for (c, o) in or.iter_mut().enumerate() {
                *o = et[c * GROUP + r];
            }
        }
    }
}

/// `_vec_softmax` over one outer index: `x` and `out` are its `len` rows of
/// `inner` columns. The first `inner - inner % lanes` columns take the vector
/// code (`vec::maximum` from the first element, SLEEF `exp`, `sum` from 0,
/// `exp / sum`), the rest the scalar tail (`std::max`, which keeps the maximum
/// when the next element is NaN, and glibc `exp`).
fn along_softmax<T: Float>(x: &[T], out: &mut [T], len: usize, inner: usize) {
    let vec_cols = inner - inner % lanes::<T>();
    let mut max = x[..inner].to_vec();
    for r in 1..len {
        let xr = &x[r * inner..(r + 1) * inner];
        for (c, (m, &v)) in max.iter_mut().zip(xr).enumerate() {
            *m = if c < vec_cols {
                maximum(*m, v)
            } else if *m < v {
                v
            } else {
                *m
            };
        }
    }
    let mut sum = vec![T::ZERO; inner];
    let mut diff = vec![T::ZERO; inner];
    for r in 0..len {
        let (xr, or) = (&x[r * inner..(r + 1) * inner], &mut out[r * inner..(r + 1) * inner]);
        for ((d, &v), &m) in diff.iter_mut().zip(xr).zip(&max) {
            *d = v - m;
        }
        T::exp_sleef_into(&diff[..vec_cols], &mut or[..vec_cols]);
        for (o, &d) in or[vec_cols..].iter_mut().zip(&diff[vec_cols..]) {
            *o = d.exp();
        }
        for (s, &e) in sum.iter_mut().zip(or.iter()) {
            *s = *s + e;
        }
    }
    for r in 0..len {
        for (o, &s) in out[r * inner..(r + 1) * inner].iter_mut().zip(&sum) {
            *o = *o / s;
        }
    }
}

/// `serial_vec_logsoftmax_range` over one outer index: `x` and `out` are its
/// `len` rows of `inner` columns, processed in chunks of columns (128 KiB of
/// rows each, a whole number of vectors); within a chunk the last
/// `size % lanes` columns take the scalar tail, whose `exp` is glibc's. The
/// maximum (from -inf, NaN ignored) and `log` (SLEEF's, over every column) are
/// the same on both paths.
fn along_log_softmax<T: Float>(x: &[T], out: &mut [T], len: usize, inner: usize) {
    let w = lanes::<T>();
    let max_chunk = (128 * 1024 / len / std::mem::size_of::<T>()).max(w) / w * w;
    let chunk = max_chunk.min(inner);
    let mut max = vec![T::NEG_INFINITY; inner];
    for r in 0..len {
        for (m, &v) in max.iter_mut().zip(&x[r * inner..(r + 1) * inner]) {
            if v > *m {
                *m = v;
            }
        }
    }
    // Whether each column is in its chunk's scalar tail.
    let scalar = |c: usize| {
        let start = c / chunk * chunk;
        let size = chunk.min(inner - start);
        c - start >= size - size % w
    };
    let mut sum = vec![T::ZERO; inner];
    let mut diff = vec![T::ZERO; inner];
    let mut e = vec![T::ZERO; inner];
    for r in 0..len {
        let xr = &x[r * inner..(r + 1) * inner];
        for ((d, &v), &m) in diff.iter_mut().zip(xr).zip(&max) {
            *d = v - m;
        }
        T::exp_sleef_into(&diff, &mut e);
        for (c, (s, (&ev, &d))) in sum.iter_mut().zip(e.iter().zip(&diff)).enumerate() {
            *s = *s + if scalar(c) { d.exp() } else { ev };
        }
    }
    for s in sum.iter_mut() {
        *s = s.ln_sleef();
    }
    for r in 0..len {
        let (xr, or) = (&x[r * inner..(r + 1) * inner], &mut out[r * inner..(r + 1) * inner]);
        for (((o, &v), &m), &s) in or.iter_mut().zip(xr).zip(&max).zip(&sum) {
            *o = v - m - s;
        }
    }
}

/// Rows of `len` elements along the last dimension.
#[inline(always)]
fn forward_lastdim<T: Float>(x: &[T], out: &mut [T], len: usize, log: bool) {
    if len < lanes::<T>() {
        narrow_rows(x, out, len, log);
    } else if len <= BLOCK / 2 {
        short_rows(x, out, len, log);
    } else {
        for (xr, or) in x.chunks(len).zip(out.chunks_mut(len)) {
            row(xr, or, log);
        }
    }
}

/// The backward of rows of `len` elements along the last dimension (see
/// [`softmax_backward`]).
#[inline(always)]
fn backward_lastdim<T: Float>(grad: &[T], out: &[T], len: usize, log: bool, gi: &mut [T]) {
    if log {
        // `exp` is elementwise, so one call over every row gives each element
        // the bits of a call per row, without paying a call (and a partial
        // vector) for each row of ten classes.
        T::exp_sleef_into(out, gi);
    }
    for ((g, o), r) in grad.chunks(len).zip(out.chunks(len)).zip(gi.chunks_mut(len)) {
        if log {
            let sum = reduce_all(g, |a, b| a + b);
            for (r, &g) in r.iter_mut().zip(g) {
                *r = (-*r).mul_add(sum, g);
            }
        } else {
            for ((p, &g), &o) in r.iter_mut().zip(g).zip(o) {
                *p = g * o;
            }
            let sum = reduce_all(r, |a, b| a + b);
            for ((r, &g), &o) in r.iter_mut().zip(g).zip(o) {
                *r = (g - sum) * o;
            }
        }
    }
}

/// Whether the last-dimension kernels can run compiled for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
fn has_fma() -> bool {
    super::vmath::Isa::best() == super::vmath::Isa::Avx2Fma
}

/// The last-dimension kernels compiled with AVX2 and FMA. Their `mul_add`s (the
/// backward's `grad - exp(out) * sum`, and SLEEF's `log` of each row's sum)
/// are then one instruction each, where the portable build calls libm's
/// `fmaf`: in the digits training step those calls took a third of the
/// softmax kernels' time. `mul_add` rounds once on either path, so the bits
/// are the same.
#[cfg(target_arch = "x86_64")]
mod fma_path {
    use super::Float;

    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn forward_lastdim<T: Float>(x: &[T], out: &mut [T], len: usize, log: bool) {
        super::forward_lastdim(x, out, len, log)
    }

    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn backward_lastdim<T: Float>(grad: &[T], out: &[T], len: usize, log: bool, gi: &mut [T]) {
        super::backward_lastdim(grad, out, len, log, gi)
    }
}

/// The rows of `x` that `softmax_narrow` computes into `out` (whole groups of
/// f32 rows shorter than a vector, on CPUs with AVX-512): their number, 0 otherwise.
fn narrow_forward<T: Float>(x: &[T], out: &mut [T], len: usize, log: bool) -> usize {
    if !(2..lanes::<f32>()).contains(&len) {
        return 0;
    }
    match (T::as_f32s(x), T::as_f32s_mut(out)) {
        (Some(x), Some(out)) => super::softmax_narrow::forward(x, out, len, log),
        _ => 0,
    }
}

/// [`narrow_forward`] for `log_softmax`'s gradient: `exp(out)` of the rows it
/// takes goes into `gi` first, as in `backward_lastdim`.
fn narrow_log_backward<T: Float>(grad: &[T], out: &[T], gi: &mut [T], len: usize) -> usize {
    if !(2..lanes::<f32>()).contains(&len) || !super::softmax_narrow::available() {
        return 0;
    }
    let group = super::softmax_narrow::ROWS * len;
    let n = grad.len() / group * group;
    // Only f32 rows take this path; the type is checked before `gi` is written.
    let Some(grad) = T::as_f32s(&grad[..n]).filter(|_| n > 0) else { return 0 };
    T::exp_sleef_into(&out[..n], &mut gi[..n]);
    match T::as_f32s_mut(&mut gi[..n]) {
        Some(gi) => super::softmax_narrow::log_backward(grad, gi, len),
        None => 0,
    }
}

/// `softmax(x, dim)` or `log_softmax(x, dim)` of a contiguous `x` of `shape`.
pub fn softmax<T: Float>(x: &[T], shape: &[usize], dim: usize, log: bool) -> Vec<T> {
    let mut out = vec![T::ZERO; x.len()];
    softmax_into(x, shape, dim, log, &mut out);
    out
}

/// [`softmax`] into `out`, which has `x`'s length (overwritten).
pub fn softmax_into<T: Float>(x: &[T], shape: &[usize], dim: usize, log: bool, out: &mut [T]) {
    assert_eq!(x.len(), out.len(), "softmax result buffer does not match its operand");
    let len = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    if x.is_empty() || len == 0 {
        return;
    }
    if dim + 1 == shape.len() {
        // Each row is computed alone, so the threads take parts of the rows.
        super::parts::for_row_parts(out, len, x.len() >= super::parts::SPLIT_ELEMENTS, &|rows, out| {
            let x = &x[rows.start * len..rows.end * len];
            // Whole groups of short f32 rows in vector registers, the rest below.
            let done = narrow_forward(x, out, len, log) * len;
            let (x, out) = (&x[done..], &mut out[done..]);
            #[cfg(target_arch = "x86_64")]
            if has_fma() {
                // SAFETY: `has_fma` checked that the CPU has AVX2 and FMA.
                return unsafe { fma_path::forward_lastdim(x, out, len, log) };
            }
            forward_lastdim(x, out, len, log)
        });
    } else {
        for (xo, oo) in x.chunks(len * inner).zip(out.chunks_mut(len * inner)) {
            if log {
                along_log_softmax(xo, oo, len, inner);
            } else {
                along_softmax(xo, oo, len, inner);
            }
        }
    }
}

/// `_softmax_backward_data(grad, out, dim)` (`log`: `_log_softmax_backward_data`)
/// of contiguous `grad` and `out` of `shape`, with the bits of PyTorch's AVX-512
/// kernels. Along the last dimension (`_vec_host_softmax_backward_lastdim`)
/// each row's sum is `vec::reduce_all` of the gradient (log_softmax) or
/// `vec::map2_reduce_all` of `grad * out` (softmax), then `grad - exp(out) * sum`
/// with SLEEF's `exp` on every element, or `(grad - sum) * out`. Along another
/// dimension (`_vec_log_softmax_backward`, `_vec_softmax_backward`) each column
/// sums in order over the dimension, in the column chunks of the forward
/// log_softmax, and the scalar tail of a chunk takes glibc's `exp`. GCC fuses
/// two of these expressions in PyTorch's build (measured: without the fusion
/// 5 of 18 log_softmax cases and 12 of 18 softmax ones had PyTorch's bits):
/// `grad - exp(out) * sum` is one negated multiply-add on every path, and the
/// inner-dimension softmax sum accumulates `grad * out` by multiply-adds.
pub fn softmax_backward<T: Float>(grad: &[T], out: &[T], shape: &[usize], dim: usize, log: bool) -> Vec<T> {
    let mut gi = vec![T::ZERO; grad.len()];
    softmax_backward_into(grad, out, shape, dim, log, &mut gi);
    gi
}

/// [`softmax_backward`] into `gi`, which has `grad`'s length (overwritten).
/// Along the last dimension each row's temporaries (`grad * out`, or `exp(out)`)
/// live in the row of `gi` they become, so a training step's softmax gradient
/// allocates nothing; along another dimension the column sums take one
/// allocation of the inner size.
pub fn softmax_backward_into<T: Float>(grad: &[T], out: &[T], shape: &[usize], dim: usize, log: bool, gi: &mut [T]) {
    assert_eq!(grad.len(), out.len(), "softmax backward operands differ in length");
    assert_eq!(grad.len(), gi.len(), "softmax backward result buffer does not match its operands");
    let len = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    if grad.is_empty() || len == 0 {
        return;
    }
    if dim + 1 == shape.len() {
        super::parts::for_row_parts(gi, len, grad.len() >= super::parts::SPLIT_ELEMENTS, &|rows, gi| {
            let (grad, out) = (&grad[rows.start * len..rows.end * len], &out[rows.start * len..rows.end * len]);
            let done = if log { narrow_log_backward(grad, out, gi, len) * len } else { 0 };
            let (grad, out, gi) = (&grad[done..], &out[done..], &mut gi[done..]);
            #[cfg(target_arch = "x86_64")]
            if has_fma() {
                // SAFETY: `has_fma` checked that the CPU has AVX2 and FMA.
                return unsafe { fma_path::backward_lastdim(grad, out, len, log, gi) };
            }
            backward_lastdim(grad, out, len, log, gi)
        });
        return;
    }
    let w = lanes::<T>();
    let max_chunk = (128 * 1024 / len / std::mem::size_of::<T>()).max(w) / w * w;
    let chunk = max_chunk.min(inner);
    let scalar = |c: usize| {
        let start = c / chunk * chunk;
        let size = chunk.min(inner - start);
        c - start >= size - size % w
    };
    let mut sum = vec![T::ZERO; inner];
    let block = len * inner;
    for ((g, o), r) in grad.chunks(block).zip(out.chunks(block)).zip(gi.chunks_mut(block)) {
        sum.fill(T::ZERO);
        for k in 0..len {
            let (gr, or) = (&g[k * inner..(k + 1) * inner], &o[k * inner..(k + 1) * inner]);
            for ((s, &g), &o) in sum.iter_mut().zip(gr).zip(or) {
                *s = if log { *s + g } else { g.mul_add(o, *s) };
            }
        }
        for k in 0..len {
            let (gr, or, rr) = (&g[k * inner..(k + 1) * inner], &o[k * inner..(k + 1) * inner], &mut r[k * inner..(k + 1) * inner]);
            if log {
                // The vector `exp` of the row, in place, then each element's result.
                T::exp_sleef_into(or, rr);
                for (c, (((r, &g), &o), &s)) in rr.iter_mut().zip(gr).zip(or).zip(&sum).enumerate() {
                    let ex = if scalar(c) { o.exp() } else { *r };
                    *r = (-ex).mul_add(s, g);
                }
            } else {
                for (((r, &g), &o), &s) in rr.iter_mut().zip(gr).zip(or).zip(&sum) {
                    *r = o * (g - s);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of every kind the kernels must keep bit for bit: ordinary values of
    /// many magnitudes, ties, signed zeros, infinities, NaNs, and rows whose
    /// exponentials overflow (so that `log` takes its general path).
    fn rows(count: usize, len: usize) -> Vec<f32> {
        let specials = [0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 1e30, -1e30, 88.0, -104.5, 3.0];
        (0..count * len)
            .map(|i| {
                let (r, c) = (i / len, i % len);
                match r % 7 {
                    // One special value in an otherwise ordinary row.
                    3 if c == r % len => specials[(r / 7) % specials.len()],
                    // A row of ties.
                    5 => 2.5,
                    _ => ((i * 7919 % 2003) as f32 - 1000.0) * 1.9f32.powi((r % 13) as i32 - 6),
                }
            })
            .collect()
    }

    #[test]
    fn narrow_rows_in_vector_registers_have_the_bits_of_the_lane_layout() {
        if !super::super::softmax_narrow::available() {
            return;
        }
        // Every NaN counts as one: which operand's payload a NaN result carries is
        // not fixed by Rust's (LLVM's) semantics, which may swap the operands of
        // a multiplication, on either path; every other value must keep its bits.
        let bits = |v: &[f32]| v.iter().map(|x| if x.is_nan() { u32::MAX } else { x.to_bits() }).collect::<Vec<_>>();
        for len in 2..16 {
            for count in [16, 48, 53, 160] {
                let x = rows(count, len);
                for log in [true, false] {
                    let mut want = vec![0f32; x.len()];
                    narrow_rows(&x, &mut want, len, log);
                    let mut got = vec![f32::NAN; x.len()];
                    let done = super::super::softmax_narrow::forward(&x, &mut got, len, log);
                    assert_eq!(done, count / 16 * 16, "rows of {len}");
                    assert_eq!(
                        bits(&got[..done * len]),
                        bits(&want[..done * len]),
                        "{} of {count} rows of {len}",
                        if log { "log_softmax" } else { "softmax" }
                    );
                }
                // The gradient of log_softmax, from a gradient with every kind of value.
                let mut out = vec![0f32; x.len()];
                narrow_rows(&x, &mut out, len, true);
                let grad = rows(count, len).iter().rev().copied().collect::<Vec<f32>>();
                let mut want = vec![0f32; x.len()];
                backward_lastdim(&grad, &out, len, true, &mut want);
                let mut got = vec![f32::NAN; x.len()];
                let done = narrow_log_backward(&grad, &out, &mut got, len);
                assert_eq!(done, count / 16 * 16, "rows of {len}");
                assert_eq!(bits(&got[..done * len]), bits(&want[..done * len]), "log_softmax backward of {count} rows of {len}");
            }
        }
    }
}
