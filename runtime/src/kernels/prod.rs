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

/// The gradient of `sum(g * prod_others(src))` with respect to `src`: for each
/// element k of a slice along `dim`, `sum over i != k of g_i * prod over
/// j != i, k of x_j`, the second derivative of `prod` where its input has zeros.
///
/// With `L_k` and `R_k` the exclusive products before and after k, the terms
/// with i > k are `L_k * A_k` and those with i < k are `R_k * B_k`, where
/// `A_k = x_{k+1} A_{k+1} + g_{k+1} R_{k+1}` and `B_k = x_{k-1} B_{k-1} +
/// g_{k-1} L_{k-1}`: two passes, linear in the slice's length, with no
/// division, so a zero element is no special case. All in f64 (the
/// accumulate type of PyTorch's `cumprod`), rounded once when stored.
pub fn prod_others_vjp<T: Float>(src: &[T], g: &[T], shape: &[usize], dim: Option<usize>) -> Vec<T> {
    let (outer, len, inner) = match dim {
        Some(d) => (shape[..d].iter().product(), shape[d], shape[d + 1..].iter().product()),
        None => (1, src.len(), 1),
    };
    let mut out = vec![T::ZERO; src.len()];
    // Per element of a slice: the products before it and the sum B before it.
    let mut before = vec![(0.0f64, 0.0f64); len];
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| o * len * inner + k * inner + i;
            let (mut l, mut b) = (1.0f64, 0.0f64);
            for (k, slot) in before.iter_mut().enumerate() {
                *slot = (l, b);
                let (x, gk) = (src[at(k)].to_f64(), g[at(k)].to_f64());
                b = x * b + gk * l;
                l *= x;
            }
            let (mut r, mut a) = (1.0f64, 0.0f64);
            for k in (0..len).rev() {
                let (l, b) = before[k];
                out[at(k)] = T::from_f64(l * a + r * b);
                let (x, gk) = (src[at(k)].to_f64(), g[at(k)].to_f64());
                a = x * a + gk * r;
                r *= x;
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

    /// The vector-Jacobian product of the products of the others against its
    /// definition, summed term by term, with no zero, one zero and two zeros.
    #[test]
    fn vjp_of_the_products_of_the_others() {
        let direct = |x: &[f64], g: &[f64]| -> Vec<f64> {
            (0..x.len())
                .map(|k| {
                    (0..x.len()).filter(|&i| i != k).map(|i| g[i] * (0..x.len()).filter(|&j| j != i && j != k).map(|j| x[j]).product::<f64>()).sum()
                })
                .collect()
        };
        let g = [0.5, -1.0, 2.0, 3.0];
        for x in [[2.0, 3.0, 5.0, 7.0], [2.0, 0.0, 5.0, 7.0], [0.0, 3.0, 0.0, 7.0]] {
            assert_eq!(prod_others_vjp(&x, &g, &[4], None), direct(&x, &g), "{x:?}");
        }
        // Along dimension 1 of a 2 x 2: each element's derivative is its partner's gradient.
        assert_eq!(prod_others_vjp(&[1.0f64, 2.0, 3.0, 4.0], &[10.0, 20.0, 30.0, 40.0], &[2, 2], Some(1)), vec![20.0, 10.0, 40.0, 30.0]);
    }
}
