//! `cumsum` along one dimension, as PyTorch's CPU `cpu_cum_base_kernel`: the
//! running sum is kept in the accumulate type (f64 for `f32` and `f64` on the
//! CPU) and each prefix is rounded to the dtype when stored. The reverse scan is
//! the gradient's `flip(dim).cumsum(dim).flip(dim)` without the copies.

use super::float::Float;

/// Running sums of `src` (contiguous, `shape`) along `dim`, from the end with `reverse`.
pub fn cumsum<T: Float>(src: &[T], shape: &[usize], dim: usize, reverse: bool) -> Vec<T> {
    let len = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    let mut out = vec![T::ZERO; src.len()];
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| o * len * inner + k * inner + i;
            let mut acc = 0.0f64;
            for step in 0..len {
                let k = if reverse { len - 1 - step } else { step };
                acc += src[at(k)].to_f64();
                out[at(k)] = T::from_f64(acc);
            }
        }
    }
    out
}
