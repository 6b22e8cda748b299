//! The kernels that run several rows or columns side by side give every element
//! the bits of the one-at-a-time order they replace (PyTorch's), over random
//! shapes, so that tails of the column blocks and of the grouped rows are covered:
//!
//! * `sum_dims` over dim 0 of a contiguous [n, c] (bias gradients) against
//!   [`cascade`] and [`row_sum`] per column, as `cascade_sum`'s outer path
//!   assigns them;
//! * `softmax` / `log_softmax` along the last dimension against a scalar
//!   reference of `_vec_softmax_lastdim` written here from PyTorch's order on
//!   AVX-512 (one row at a time, SLEEF's `exp` and `log` per element).

use graphc_runtime::kernels::reduce::{cascade, row_sum, sum_dims};
use graphc_runtime::kernels::sleef;
use graphc_runtime::kernels::softmax::softmax;
use proptest::prelude::*;

/// Each column of a contiguous [n, c] summed alone, in the order `cascade_sum`
/// gives it on AVX2 (8 f32 lanes): with at least a vector of columns, the
/// columns of whole groups of four vectors by `cascade`, the rest by
/// `row_sum`; with fewer, groups of four columns by `cascade`, the rest by
/// `row_sum`.
fn column_sums_one_by_one(x: &[f32], n: usize, c: usize) -> Vec<f32> {
    let cascaded = if c >= 8 { c - c % 32 } else { c - c % 4 };
    (0..c).map(|j| 0.0 + if j < cascaded { cascade(x, j, c, n) } else { row_sum(x, j, c, n) }).collect()
}

/// `vec::reduce_all` of a row on 16 lanes (AVX-512): lanes take whole vectors,
/// the tail updates the first lanes, then the shuffle tree (lane i with i^8,
/// i^4, i^2, i^1); a row shorter than a vector is folded in order.
fn reduce_row(row: &[f32], op: fn(f32, f32) -> f32) -> f32 {
    if row.len() < 16 {
        return row[1..].iter().fold(row[0], |a, &b| op(a, b));
    }
    let mut acc: [f32; 16] = row[..16].try_into().unwrap();
    for (k, &v) in row[16..].iter().enumerate() {
        acc[k % 16] = op(acc[k % 16], v);
    }
    for step in [8, 4, 2, 1] {
        acc = std::array::from_fn(|i| op(acc[i], acc[i ^ step]));
    }
    acc[0]
}

/// PyTorch's softmax or log_softmax of one row, element by element.
fn softmax_row(row: &[f32], log: bool) -> Vec<f32> {
    let max = reduce_row(row, |a, b| {
        if a.is_nan() || b.is_nan() {
            f32::from_bits(!0)
        } else if a > b {
            a
        } else {
            b
        }
    });
    let e: Vec<f32> = row.iter().map(|&v| sleef::exp_f32(v - max)).collect();
    let sum = reduce_row(&e, |a, b| a + b);
    if log {
        let ls = sleef::log_f32(sum);
        row.iter().map(|&v| v - max - ls).collect()
    } else {
        let inv = 1.0 / sum;
        e.iter().map(|&v| v * inv).collect()
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #[test]
    fn column_sums_equal_each_column_summed_alone(n in 2usize..600, c in 2usize..80, seed in any::<u64>()) {
        // Values of mixed magnitude so that a changed order changes the bits.
        let x: Vec<f32> = (0..n * c).map(|i| {
            let h = (i as u64 ^ seed).wrapping_mul(0x9e3779b97f4a7c15);
            ((h >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * if h & 7 == 0 { 1000.0 } else { 1.0 }
        }).collect();
        let got = sum_dims(&x, &[n, c], &[true, false]);
        prop_assert_eq!(bits(&got), bits(&column_sums_one_by_one(&x, n, c)));
    }

    #[test]
    fn softmax_rows_equal_pytorchs_row_order(rows in 1usize..60, len in 1usize..300, log in any::<bool>(), seed in any::<u64>()) {
        let x: Vec<f32> = (0..rows * len).map(|i| {
            let h = (i as u64 ^ seed).wrapping_mul(0x9e3779b97f4a7c15);
            ((h >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 40.0
        }).collect();
        let got = softmax(&x, &[rows, len], 1, log);
        let want: Vec<f32> = x.chunks(len).flat_map(|r| softmax_row(r, log)).collect();
        prop_assert_eq!(bits(&got), bits(&want));
    }
}
