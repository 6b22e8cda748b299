//! The i64 kernels of the reductions, scans and clamp that PyTorch computes in
//! int64 (`amax`, `amin`, `cumsum`, `cumprod`, `clamp` with integer bounds):
//! exact, so their order does not matter; the running sum and product wrap on
//! overflow, as PyTorch's two's-complement kernel does in practice.

use super::reduce_dims::Groups;
use crate::op::F64Bits;

/// `amax` (`amin` with `min`) of `x` over `dims`, in row-major order of the kept dimensions.
pub fn extreme(x: &[i64], shape: &[usize], dims: &[usize], min: bool) -> Vec<i64> {
    let g = Groups::new(shape, dims);
    g.bases
        .iter()
        .map(|&b| {
            let values = g.offsets.iter().map(|&k| x[b + k]);
            if min {
                values.min().unwrap_or(i64::MAX)
            } else {
                values.max().unwrap_or(i64::MIN)
            }
        })
        .collect()
}

/// The product over `dims` of each group, wrapping on overflow as PyTorch's
/// int64 kernel does (`tensor([2**40, 2**40]).prod()` is 0); 1 for an empty group.
pub fn product(x: &[i64], shape: &[usize], dims: &[usize]) -> Vec<i64> {
    let g = Groups::new(shape, dims);
    g.bases.iter().map(|&b| g.offsets.iter().fold(1i64, |acc, &k| acc.wrapping_mul(x[b + k]))).collect()
}

/// Running sums along `dim` (from the end with `reverse`), wrapping on overflow.
pub fn cumsum(x: &[i64], shape: &[usize], dim: usize, reverse: bool) -> Vec<i64> {
    scan(x, shape, dim, reverse, 0, i64::wrapping_add)
}

/// Running products along `dim`, wrapping on overflow.
pub fn cumprod(x: &[i64], shape: &[usize], dim: usize) -> Vec<i64> {
    scan(x, shape, dim, false, 1, i64::wrapping_mul)
}

/// The running `step` of `x` (contiguous, `shape`) along `dim` from `init`.
fn scan(x: &[i64], shape: &[usize], dim: usize, reverse: bool, init: i64, step: impl Fn(i64, i64) -> i64) -> Vec<i64> {
    let len = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    let mut out = vec![0; x.len()];
    for o in 0..outer {
        for i in 0..inner {
            let mut acc = init;
            for s in 0..len {
                let k = if reverse { len - 1 - s } else { s };
                let at = o * len * inner + k * inner + i;
                acc = step(acc, x[at]);
                out[at] = acc;
            }
        }
    }
    out
}

/// `min(max(x, lo), hi)` with either bound optional (integer values held as floats).
pub fn clamp(x: &[i64], lo: Option<F64Bits>, hi: Option<F64Bits>) -> Vec<i64> {
    let (lo, hi) = (lo.map_or(i64::MIN, |v| v.get() as i64), hi.map_or(i64::MAX, |v| v.get() as i64));
    x.iter().map(|&v| v.max(lo).min(hi)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kernel on a 2 x 3 tensor, against values worked by hand.
    #[test]
    fn integer_kernels() {
        let x = [3, -1, 0, -7, 2, 5];
        assert_eq!(extreme(&x, &[2, 3], &[1], false), vec![3, 5]);
        assert_eq!(extreme(&x, &[2, 3], &[0, 1], true), vec![-7]);
        assert_eq!(cumsum(&x, &[2, 3], 1, false), vec![3, 2, 2, -7, -5, 0]);
        assert_eq!(cumsum(&x, &[2, 3], 0, true), vec![-4, 1, 5, -7, 2, 5]);
        assert_eq!(cumprod(&x, &[2, 3], 1), vec![3, -3, 0, -7, -14, -70]);
        assert_eq!(cumprod(&[1 << 40, 1 << 40], &[2], 0), vec![1 << 40, 0]);
        assert_eq!(clamp(&x, Some(F64Bits::new(-1.0)), Some(F64Bits::new(2.0))), vec![2, -1, 0, -1, 2, 2]);
    }
}
