//! The factor of `prod`'s gradient where the input has zeros: PyTorch's
//! `prod_safe_zeros_backward`, which multiplies, for each element, the
//! exclusive cumulative product from the start of its slice by the one from the
//! end, so that no division by a zero element is needed.

use super::float::Float;

/// For each element of `src` (contiguous, `shape`), the product of the other
/// elements along `dim` (of all elements, row-major, for `None`). Each
/// exclusive product is `cumprod` of `[1, x...]` as PyTorch computes it: the
/// running product kept in f64 (the CPU accumulate type) and rounded to the
/// dtype when stored; the two are multiplied in the dtype.
pub fn prod_others<T: Float>(src: &[T], shape: &[usize], dim: Option<usize>) -> Vec<T> {
    let (outer, len, inner) = match dim {
        Some(d) => (shape[..d].iter().product(), shape[d], shape[d + 1..].iter().product()),
        None => (1, src.len(), 1),
    };
    let mut out = vec![T::ONE; src.len()];
    let mut before = vec![T::ONE; len];
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| o * len * inner + k * inner + i;
            let mut acc = 1.0f64;
            for (k, b) in before.iter_mut().enumerate() {
                *b = T::from_f64(acc);
                acc *= src[at(k)].to_f64();
            }
            let mut acc = 1.0f64;
            for k in (0..len).rev() {
                out[at(k)] = before[k] * T::from_f64(acc);
                acc *= src[at(k)].to_f64();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The product of the others, exact for small integers, with one zero and with two.
    #[test]
    fn products_of_the_other_elements() {
        assert_eq!(prod_others(&[2.0f64, 3.0, 4.0], &[3], None), vec![12.0, 8.0, 6.0]);
        assert_eq!(prod_others(&[2.0f64, 0.0, 4.0], &[3], None), vec![0.0, 8.0, 0.0]);
        assert_eq!(prod_others(&[0.0f64, 0.0, 4.0], &[3], None), vec![0.0, 0.0, 0.0]);
        // Along dimension 0 of a 2 x 2: each element's partner in its column.
        assert_eq!(prod_others(&[1.0f64, 2.0, 3.0, 4.0], &[2, 2], Some(0)), vec![3.0, 4.0, 1.0, 2.0]);
    }
}
