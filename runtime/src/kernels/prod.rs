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

/// The derivatives of `prod_others` of every order, `(x, c_1, ..., c_n)`: for
/// each element k of a slice along `dim`, the coefficient of `e_1 * ... * e_n`
/// in `prod over j != k of (x_j + e_1 c_1j + ... + e_n c_nj)`, where the `e_a`
/// are formal variables with `e_a^2 = 0` (a multivariate dual number).
///
/// With one direction this is `sum over i != k of c_i * prod over j != i, k of
/// x_j`, the gradient of `sum(c * prod_others(x))`: the second derivative of
/// `prod` where its input has zeros. The family is closed under
/// differentiation (`autodiff/rules/mod.rs`): the gradient with respect to `x`
/// adds the incoming gradient as one more direction, and the gradient with
/// respect to `c_a` puts it in `c_a`'s place, so each further derivative of
/// `prod` at zeros is one more direction.
///
/// Each slice is two passes, linear in its length, over truncated polynomials
/// of `2^n` coefficients (indexed by the set of directions they carry): the
/// exclusive products before each element, then those after it multiplied in.
/// No division, so a zero element is no special case. All in f64 (the
/// accumulate type of PyTorch's `cumprod`), rounded once when stored. With one
/// direction the operations are exactly those of the earlier two-pass
/// `A_k`/`B_k` form, so the second derivative's bits did not change.
pub fn prod_others_vjp<T: Float>(src: &[T], dirs: &[&[T]], shape: &[usize], dim: Option<usize>) -> Vec<T> {
    let (outer, len, inner) = match dim {
        Some(d) => (shape[..d].iter().product(), shape[d], shape[d + 1..].iter().product()),
        None => (1, src.len(), 1),
    };
    let terms = 1usize << dirs.len();
    let all = terms - 1;
    let mut out = vec![T::ZERO; src.len()];
    // The exclusive products before each element of a slice, `terms` coefficients each.
    let mut before = vec![0.0f64; len * terms];
    let mut acc = vec![0.0f64; terms];
    // Multiplies the truncated polynomial `p` by `x_k + sum_a e_a c_ak`. A
    // coefficient depends on those of its subsets, which have smaller indices,
    // so going down updates in place.
    let times = |p: &mut [f64], k: usize| {
        let x = src[k].to_f64();
        for set in (0..terms).rev() {
            let mut v = p[set] * x;
            for (a, c) in dirs.iter().enumerate() {
                if set & (1 << a) != 0 {
                    v += p[set ^ (1 << a)] * c[k].to_f64();
                }
            }
            p[set] = v;
        }
    };
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| o * len * inner + k * inner + i;
            acc.fill(0.0);
            acc[0] = 1.0;
            for k in 0..len {
                before[k * terms..(k + 1) * terms].copy_from_slice(&acc);
                times(&mut acc, at(k));
            }
            acc.fill(0.0);
            acc[0] = 1.0;
            for k in (0..len).rev() {
                // The coefficient of every direction: the products before times those after.
                let l = &before[k * terms..(k + 1) * terms];
                let mut v = l[0] * acc[all];
                for set in 1..terms {
                    v += l[set] * acc[all ^ set];
                }
                out[at(k)] = T::from_f64(v);
                times(&mut acc, at(k));
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
            assert_eq!(prod_others_vjp(&x, &[&g], &[4], None), direct(&x, &g), "{x:?}");
        }
        // Along dimension 1 of a 2 x 2: each element's derivative is its partner's gradient.
        assert_eq!(prod_others_vjp(&[1.0f64, 2.0, 3.0, 4.0], &[&[10.0, 20.0, 30.0, 40.0]], &[2, 2], Some(1)), vec![20.0, 10.0, 40.0, 30.0]);
    }

    /// Two directions against the definition: for each k, the sum over
    /// ordered pairs of distinct i, m other than k of `c_i d_m` times the
    /// product of the rest, with no zero, one zero and two zeros; and no
    /// direction at all is `prod_others`.
    #[test]
    fn two_directions_of_the_products_of_the_others() {
        let direct = |x: &[f64], c: &[f64], d: &[f64]| -> Vec<f64> {
            let n = x.len();
            (0..n)
                .map(|k| {
                    let mut s = 0.0;
                    for i in (0..n).filter(|&i| i != k) {
                        for m in (0..n).filter(|&m| m != k && m != i) {
                            s += c[i] * d[m] * (0..n).filter(|&j| j != k && j != i && j != m).map(|j| x[j]).product::<f64>();
                        }
                    }
                    s
                })
                .collect()
        };
        let (c, d) = ([0.5, -1.0, 2.0, 3.0, 0.25], [1.5, 2.0, -0.5, 1.0, -4.0]);
        for x in [[2.0, 3.0, 5.0, 7.0, 11.0], [2.0, 0.0, 5.0, 7.0, 11.0], [0.0, 3.0, 0.0, 7.0, 11.0]] {
            assert_eq!(prod_others_vjp(&x, &[&c, &d], &[5], None), direct(&x, &c, &d), "{x:?}");
        }
        let x = [2.0f64, 0.0, 5.0, -7.0];
        assert_eq!(prod_others_vjp(&x, &[], &[4], None), prod_others(&x, &[4], None));
    }
}
