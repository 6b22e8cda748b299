//! Source ops: `Full`, `Literal`, `Arange` and `Linspace`
//! (PyTorch's `RangeFactoriesKernel.cpp`).
//!
//! PyTorch's CPU kernels are built with AVX2 and FMA enabled and GCC's default
//! `-ffp-contract=fast`, so `start + step * i` is computed as one fused
//! multiply-add. The reference `arange(-8, 8, 0.1)` in float32 confirms it: its
//! element 80 is 2^-51 (`fma(0.1, 80, -8)`), not 0 (`-8 + 0.1 * 80`).

use super::float::Float;

/// The number of elements in one AVX2 vector of `T` (8 floats, 4 doubles):
/// PyTorch's `Vectorized<T>::size()` on the reference machine.
fn vec_size<T: Float>() -> usize {
    32 / std::mem::size_of::<T>()
}

/// `arange` as PyTorch's `arange_kernel` fills a contiguous tensor. Arithmetic is in
/// double (`acc_type` of both float and double on CPU). The loop runs in chunks of
/// two vectors: each vector starts from `base = T(start + step * idx)` and holds
/// `T(base + j * step)`; the elements past the last whole chunk take the scalar
/// formula `T(start + step * idx)`. All products are fused with their sums.
/// The reference `arange(-8, 8, 0.1)` float32 matches this in all 160 elements,
/// and the plain formula in only 125.
pub fn arange<T: Float>(start: f64, step: f64, n: usize) -> Vec<T> {
    let mut out = vec![T::ZERO; n];
    arange_into(start, step, &mut out);
    out
}

/// [`arange`] into `out`, one element per position.
pub fn arange_into<T: Float>(start: f64, step: f64, out: &mut [T]) {
    let (w, n) = (vec_size::<T>(), out.len());
    let chunked = if n >= 2 * w { n - n % (2 * w) } else { 0 };
    let mut idx = 0;
    while idx < chunked {
        let base = T::from_f64(step.mul_add(idx as f64, start)).to_f64();
        for (j, o) in out[idx..idx + w].iter_mut().enumerate() {
            *o = T::from_f64((j as f64).mul_add(step, base));
        }
        idx += w;
    }
    for (i, o) in out.iter_mut().enumerate().skip(idx) {
        *o = T::from_f64(step.mul_add(i as f64, start));
    }
}

/// `linspace` as PyTorch's `linspace_kernel` (scalar code, no vector path), in the
/// dtype: `step = (end - start) / (n - 1)`, then `start + step * i` for the first
/// half and `end - step * (n - 1 - i)` for the rest, each a fused multiply-add
/// (same build flags as `arange`). `n == 1` gives `start`.
pub fn linspace<T: Float>(start: f64, end: f64, n: usize) -> Vec<T> {
    let (start, end) = (T::from_f64(start), T::from_f64(end));
    if n == 1 {
        return vec![start];
    }
    let step = (end - start) / T::from_usize(n - 1);
    let halfway = n / 2;
    (0..n).map(|i| if i < halfway { step.mul_add(T::from_usize(i), start) } else { (-step).mul_add(T::from_usize(n - 1 - i), end) }).collect()
}

/// `Literal`: the listed values rounded to the dtype.
pub fn literal<T: Float>(values: &[f64]) -> Vec<T> {
    values.iter().map(|&v| T::from_f64(v)).collect()
}
