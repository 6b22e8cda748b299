//! `prod` over dimensions in the order of PyTorch 2.15's CPU kernel
//! (`prod_kernel_impl`: `binary_kernel_reduce_vec` of `aten/src/ATen/native/cpu/Reduce.h`),
//! whose multiplications are grouped by vector lanes where a row is contiguous,
//! so the last bits of a product of more than 32 floats (16 doubles) depend on it.
//!
//! On the AVX-512 reference machine PyTorch's product has the bits of this
//! kernel's AVX2 code, 256-bit vectors (8 floats, 4 doubles): measured there,
//! it matches every case, where the running product in element order differed
//! from 33 floats and 16 doubles on (docs/NUMERICS.md, "Reductions").
//!
//! * Reduced dimensions that are the innermost ones (size-1 dimensions aside):
//!   each run of elements is `vectorized_inner_reduction`'s order
//!   ([`prod_row`]).
//! * Otherwise PyTorch multiplies down each column in element order (the outer
//!   and the basic loop), which is the running product of the group in
//!   row-major order.
//!
//! `reduce_dims::reduce` computes every float `prod` with [`prod`].

use super::float::Float;

/// Lanes of a 256-bit vector of `T`: PyTorch's `Vectorized<T>::size()` in its
/// AVX2 kernels.
fn lanes<T>() -> usize {
    32 / std::mem::size_of::<T>()
}

/// The product of one contiguous run as `vectorized_inner_reduction` computes
/// it, the output starting at 1: while four whole vectors remain, four vector
/// accumulators (each lane one column of the run read as rows of `4 * lanes`)
/// multiply down the rows; then the four are combined as `(a0 * a1) * (a2 * a3)`
/// lane by lane, the lanes multiplied left to right into the output, and the
/// elements after the last whole row multiplied in one at a time.
pub fn prod_row<T: Float>(row: &[T]) -> T {
    let w = lanes::<T>();
    let v = 4 * w;
    let count = row.len() / v;
    let mut out = T::ONE;
    if count > 0 {
        let mut acc: Vec<T> = row[..v].to_vec();
        for r in 1..count {
            for (a, &x) in acc.iter_mut().zip(&row[r * v..(r + 1) * v]) {
                *a = *a * x;
            }
        }
        let lane = |l: usize| (acc[l] * acc[w + l]) * (acc[2 * w + l] * acc[3 * w + l]);
        let mut b = lane(0);
        for l in 1..w {
            b = b * lane(l);
        }
        out = out * b;
    }
    for &x in &row[count * v..] {
        out = out * x;
    }
    out
}

/// `x.prod(dims)` of a contiguous `src` of `shape` (all dimensions for the full
/// product), in PyTorch's order; the result is in row-major order of the kept
/// dimensions.
pub fn prod<T: Float>(src: &[T], shape: &[usize], dims: &[usize]) -> Vec<T> {
    let reduced = |d: usize| dims.contains(&d);
    // The reduced elements of each output are one contiguous run when every
    // dimension after the first reduced one (of size above 1) is reduced.
    let first = (0..shape.len()).find(|&d| reduced(d) && shape[d] != 1);
    let inner = first.is_none_or(|f| (f..shape.len()).all(|d| reduced(d) || shape[d] == 1));
    if inner {
        let n: usize = dims.iter().map(|&d| shape[d]).product();
        if n == 0 {
            let outs: usize = (0..shape.len()).filter(|&d| !reduced(d)).map(|d| shape[d]).product();
            return vec![T::ONE; outs];
        }
        return src.chunks(n).map(prod_row).collect();
    }
    // Column by column in element order: the running product over the reduced
    // offsets of each output, both in row-major order.
    let mut strides = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    let walk = |want_reduced: bool| {
        let mut offs = vec![0usize];
        for d in 0..shape.len() {
            if reduced(d) == want_reduced {
                let stride = strides[d];
                offs = offs.iter().flat_map(|&o| (0..shape[d]).map(move |i| o + i * stride)).collect();
            }
        }
        offs
    };
    let (bases, offsets) = (walk(false), walk(true));
    bases.iter().map(|&b| offsets.iter().fold(T::ONE, |acc, &k| acc * src[b + k])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Powers of two multiply exactly in any order, so the row order must still
    /// give the exact product, with and without whole rows of vectors and a tail.
    #[test]
    fn exact_products_come_out_exact_in_any_grouping() {
        for n in [0usize, 1, 31, 32, 33, 100] {
            let x: Vec<f32> = (0..n).map(|i| if i % 3 == 0 { 2.0 } else { 0.5 }).collect();
            let want = x.iter().fold(1.0f64, |a, &v| a * f64::from(v)) as f32;
            assert_eq!(prod_row(&x), want, "n = {n}");
        }
    }

    /// Three floats whose product rounds differently by grouping ((a * b) * c
    /// is 1.499998, (a * c) * b is 1.4999979): in a row of 32, a and b share
    /// lane 0 (accumulators 0 and 1) and c is lane 1, so the vector order
    /// multiplies a by b first where element order multiplies a by c.
    #[test]
    fn a_whole_row_of_vectors_groups_by_lane() {
        let mut x = vec![1.0f32; 32];
        let (a, b, c) = (1.0f32 + f32::EPSILON, 1.0f32 + f32::EPSILON, 1.5f32 - 20.0 * f32::EPSILON);
        x[0] = a;
        x[1] = c;
        x[8] = b;
        assert_ne!((a * b) * c, (a * c) * b, "the values must tell the orders apart");
        assert_eq!(prod_row(&x), (a * b) * c);
    }

    /// A product down columns (dimension 0 of a 2-d tensor) is each column's
    /// running product, and a kept size-1 dimension after the reduced one still
    /// leaves the run contiguous.
    #[test]
    fn columns_and_size_one_dimensions() {
        let x = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(prod(&x, &[2, 3], &[0]), vec![4.0, 10.0, 18.0]);
        assert_eq!(prod(&x, &[2, 3, 1], &[1]), vec![6.0, 120.0]);
        assert_eq!(prod(&x, &[2, 3], &[0, 1]), vec![720.0]);
    }
}
