//! `softmax` and `log_softmax` along one dimension, in the operation order of
//! PyTorch's CPU kernels (`aten/src/ATen/native/cpu/SoftMaxKernel.cpp`) as built
//! for AVX2.
//!
//! Along the last dimension (`_vec_softmax_lastdim`, `_vec_log_softmax_lastdim`)
//! each row is reduced with `vec::reduce_all` / `vec::map_reduce_all`: a vector
//! accumulator of [`lanes`] elements takes whole vectors, then the last partial
//! vector updates only its first lanes, and the lanes are combined at the end
//! ([`lanes_combined`]). A row shorter than one vector is combined lane by lane.
//! softmax is `exp(x - max)` times `1 / sum`; log_softmax is
//! `x - max - log(sum(exp(x - max)))`, in that order.
//!
//! Along another dimension (`_vec_softmax`, `_vec_log_softmax`) the kernel runs
//! vectors across the inner dimension, so each element sees a plain sequential
//! loop over the softmax dimension: [`along`] computes that order.

use super::float::Float;

/// Lanes of a 256-bit vector for this element type.
fn lanes<T>() -> usize {
    32 / std::mem::size_of::<T>()
}

/// `vec_reduce_all` of a full accumulator: for `f32` AVX2's shuffle tree
/// (lane i with i+4, then i+2, then i+1), for `f64` the lanes in order.
fn lanes_combined<T: Float>(acc: &[T], op: impl Fn(T, T) -> T) -> T {
    if acc.len() == 8 {
        let a: [T; 4] = std::array::from_fn(|i| op(acc[i], acc[i + 4]));
        let b = [op(a[0], a[2]), op(a[1], a[3])];
        op(b[0], b[1])
    } else {
        acc[1..].iter().fold(acc[0], |s, &v| op(s, v))
    }
}

/// `vec::map_reduce_all(map, op, row)` (`reduce_all` when `map` is the identity).
/// The accumulator lives on the stack: this runs once per row, and a heap
/// vector per row cost more than the row's arithmetic.
fn map_reduce_all<T: Float>(row: &[T], map: impl Fn(T) -> T, op: impl Fn(T, T) -> T + Copy) -> T {
    let w = lanes::<T>();
    if row.len() < w {
        let mut it = row.iter().map(|&v| map(v));
        let first = it.next().unwrap_or(T::ZERO);
        return it.fold(first, op);
    }
    let mut buf = [T::ZERO; 8];
    let acc = &mut buf[..w];
    for (a, &v) in acc.iter_mut().zip(&row[..w]) {
        *a = map(v);
    }
    let whole = row.len() - row.len() % w;
    for chunk in row[w..whole].chunks(w) {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a = op(*a, map(v));
        }
    }
    for (a, &v) in acc.iter_mut().zip(&row[whole..]) {
        *a = op(*a, map(v));
    }
    lanes_combined(acc, op)
}

/// `vec::maximum`: NaN if either is NaN.
fn maximum<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::NAN
    } else if b > a {
        b
    } else {
        a
    }
}

/// One row along the last dimension.
fn row<T: Float>(x: &[T], out: &mut [T], log: bool) {
    let max = map_reduce_all(x, |v| v, maximum);
    // Every `exp(v - max)` first, by the vector port of libm's `exp` (same
    // bits), then the same sum over them as over the scalar calls before.
    exp_shifted(x, max, out);
    finish_row(x, out, max, log);
}

/// The rest of a row once `out` holds every `exp(v - max)`: the sum, then
/// softmax's `exp * (1 / sum)` or log_softmax's `v - max - log(sum)`.
fn finish_row<T: Float>(x: &[T], out: &mut [T], max: T, log: bool) {
    let sum = map_reduce_all(out, |v| v, |a, b| a + b);
    if log {
        let ls = sum.ln();
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

/// `exp(v - max)` of every element of `x` into `out`, through a stack buffer of
/// the differences so that the exponentials run a slice at a time.
fn exp_shifted<T: Float>(x: &[T], max: T, out: &mut [T]) {
    let mut diff = [T::ZERO; BLOCK];
    for (xs, os) in x.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
        for (d, &v) in diff.iter_mut().zip(xs) {
            *d = v - max;
        }
        T::exp_exact(&diff[..xs.len()], os);
    }
}

/// Rows of `len` elements, at most half a [`BLOCK`] each, several rows per call
/// of the vector `exp`: a row of ten classes alone would fill less than one
/// vector block and pay the call for ten elements. Each element's difference,
/// exponential, sum and result are those of [`row`]; only the grouping of the
/// `exp` calls changes, and `exp` is elementwise.
fn short_rows<T: Float>(x: &[T], out: &mut [T], len: usize, log: bool) {
    let rows_per_block = BLOCK / len;
    let mut diff = [T::ZERO; BLOCK];
    let mut maxes = [T::ZERO; BLOCK];
    for (xs, os) in x.chunks(rows_per_block * len).zip(out.chunks_mut(rows_per_block * len)) {
        for ((xr, dr), m) in xs.chunks(len).zip(diff.chunks_mut(len)).zip(maxes.iter_mut()) {
            let max = map_reduce_all(xr, |v| v, maximum);
            for (d, &v) in dr.iter_mut().zip(xr) {
                *d = v - max;
            }
            *m = max;
        }
        T::exp_exact(&diff[..xs.len()], os);
        for ((xr, or), &max) in xs.chunks(len).zip(os.chunks_mut(len)).zip(&maxes) {
            finish_row(xr, or, max, log);
        }
    }
}

/// One column along a dimension that is not the last: `len` elements `stride` apart.
fn along<T: Float>(x: &[T], out: &mut [T], base: usize, stride: usize, len: usize, log: bool) {
    let at = |k: usize| base + k * stride;
    let mut max = x[at(0)];
    for k in 1..len {
        max = maximum(max, x[at(k)]);
    }
    let mut sum = T::ZERO;
    for k in 0..len {
        let e = (x[at(k)] - max).exp();
        if !log {
            out[at(k)] = e;
        }
        sum = sum + e;
    }
    if log {
        let ls = sum.ln();
        for k in 0..len {
            out[at(k)] = x[at(k)] - max - ls;
        }
    } else {
        for k in 0..len {
            out[at(k)] = out[at(k)] / sum;
        }
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
    if inner == 1 && len <= BLOCK / 2 {
        short_rows(x, out, len, log);
    } else if inner == 1 {
        for (xr, or) in x.chunks(len).zip(out.chunks_mut(len)) {
            row(xr, or, log);
        }
    } else {
        let outer: usize = shape[..dim].iter().product();
        for o in 0..outer {
            for i in 0..inner {
                along(x, out, o * len * inner + i, inner, len, log);
            }
        }
    }
}
