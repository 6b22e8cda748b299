//! `cumsum` and `cumprod` along one dimension, as PyTorch's CPU
//! `cpu_cum_base_kernel`: the running value is kept in the accumulate type (f64
//! for `f32` and `f64` on the CPU) and each prefix is rounded to the dtype when
//! stored. The reverse sum is the gradient's `flip(dim).cumsum(dim).flip(dim)`
//! without the copies.

use super::float::Float;

/// Running sums of `src` (contiguous, `shape`) along `dim`, from the end with `reverse`.
pub fn cumsum<T: Float>(src: &[T], shape: &[usize], dim: usize, reverse: bool) -> Vec<T> {
    scan(src, shape, dim, reverse, 0.0, |acc, x| acc + x)
}

/// Running products of `src` (contiguous, `shape`) along `dim`.
pub fn cumprod<T: Float>(src: &[T], shape: &[usize], dim: usize) -> Vec<T> {
    scan(src, shape, dim, false, 1.0, |acc, x| acc * x)
}

/// Running `log(sum(exp))` of `src` along `dim` (from the end with `reverse`):
/// ATen's `_log_add_exp_helper(x, acc)` per step, in f64 from `-inf`.
pub fn logcumsumexp<T: Float>(src: &[T], shape: &[usize], dim: usize, reverse: bool) -> Vec<T> {
    scan(src, shape, dim, reverse, f64::NEG_INFINITY, log_add_exp)
}

/// `_log_add_exp_helper(x, y)`: `log1p(exp(min - max)) + max`, NaN from either
/// side passed on (`std::min` and `std::max` return their first argument when
/// a comparison with NaN fails), and `x` when both are the same infinity.
fn log_add_exp(y: f64, x: f64) -> f64 {
    let (min, max) = if y.is_nan() { (y, y) } else { (if y < x { y } else { x }, if x < y { y } else { x }) };
    if min != max || min.is_finite() {
        (min - max).exp().ln_1p() + max
    } else {
        x
    }
}

/// The running `step` of `src` along `dim` from `init`, in f64, each prefix
/// rounded to `T` as it is stored.
fn scan<T: Float>(src: &[T], shape: &[usize], dim: usize, reverse: bool, init: f64, step: impl Fn(f64, f64) -> f64) -> Vec<T> {
    let len = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    let mut out = vec![T::ZERO; src.len()];
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| o * len * inner + k * inner + i;
            let mut acc = init;
            for s in 0..len {
                let k = if reverse { len - 1 - s } else { s };
                acc = step(acc, src[at(k)].to_f64());
                out[at(k)] = T::from_f64(acc);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2 x 3 tensor scanned along each dimension, against values worked by hand.
    #[test]
    fn scans_follow_the_dimension() {
        let x = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(cumsum(&x, &[2, 3], 1, false), vec![1.0, 3.0, 6.0, 4.0, 9.0, 15.0]);
        assert_eq!(cumsum(&x, &[2, 3], 1, true), vec![6.0, 5.0, 3.0, 15.0, 11.0, 6.0]);
        assert_eq!(cumprod(&x, &[2, 3], 1), vec![1.0, 2.0, 6.0, 4.0, 20.0, 120.0]);
        assert_eq!(cumprod(&x, &[2, 3], 0), vec![1.0, 2.0, 3.0, 4.0, 10.0, 18.0]);
    }

    /// An f32 product is kept in f64 between steps: 0.1 * 0.3 * 0.7 rounded to
    /// f32 once is not the product rounded after each step.
    #[test]
    fn f32_products_round_only_when_stored() {
        let x = [0.1f32, 0.3, 0.7];
        let got = cumprod(&x, &[3], 0);
        assert_eq!(got[2], (0.1f32 as f64 * 0.3f32 as f64 * 0.7f32 as f64) as f32);
        assert_ne!(got[2], 0.1f32 * 0.3 * 0.7, "the test needs data where the two roundings differ");
    }
}
