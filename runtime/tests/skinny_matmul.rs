//! The unpacked product for few columns (`kernels/skinny.rs`) gives the bits of
//! `matrixmultiply::sgemm`, which computed every f32 product before it: over
//! random shapes that cross its panels of 256 along `k`, row blocks of 8 and
//! column vectors of 16 (of 6 and 8 on a CPU with AVX2 but no AVX-512), both operands read through transposing strides, and
//! values of mixed magnitudes with zeros, infinities and NaNs; and products of
//! a few rows by many columns, which the path takes on a CPU with AVX2.

use graphc_runtime::kernels::skinny::{available, try_sgemm, FEW_ROWS, MAX_N};
use proptest::prelude::*;

/// `matrixmultiply::sgemm` of the same strided operands, as `kernels/matmul.rs` called it.
fn reference(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize)) -> Vec<f32> {
    let mut c = vec![f32::NAN; m * n];
    // SAFETY: the strides address a (m x k) and b (k x n) inside their slices (see `operand`).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.0.as_ptr(),
            a.1 as isize,
            a.2 as isize,
            b.0.as_ptr(),
            b.1 as isize,
            b.2 as isize,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
    c
}

/// A rows x cols operand's elements and strides: row-major, or its transpose held row-major.
fn operand(values: &[f32], rows: usize, cols: usize, transposed: bool) -> (Vec<f32>, usize, usize) {
    let data = values[..rows * cols].to_vec();
    if transposed {
        (data, 1, rows)
    } else {
        (data, cols, 1)
    }
}

/// Finite values of mixed magnitudes, so that sums along `k` round often.
fn value() -> impl Strategy<Value = f32> {
    prop_oneof![20 => -1.0e3f32..1.0e3, 4 => -1.0f32..1.0, 1 => Just(0.0f32), 1 => Just(-0.0f32)]
}

/// A few special values, placed at random: more would make every long sum infinite or NaN.
fn specials() -> impl Strategy<Value = Vec<(usize, f32)>> {
    let special = prop::sample::select(vec![f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 1.0e30, -1.0e-30]);
    prop::collection::vec((0usize..LEN, special), 0..3)
}

/// Elements drawn for both operands.
const LEN: usize = 40 * 530 + 530 * 64;

/// The most columns of the few-row products tried: past a strip of eight
/// vectors several times over, with a partial vector or not.
const WIDE_N: usize = 300;

/// Elements drawn for a few-row product's operands.
const WIDE_LEN: usize = (FEW_ROWS + 1) * 530 + 530 * WIDE_N;

/// Whether this CPU has AVX-512F, where the path runs its sixteen-lane kernel.
fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    return is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Checks that the path computes `m x k` times `k x n` with `matrixmultiply`'s bits.
fn check(m: usize, k: usize, n: usize, (a_t, b_t): (bool, bool), values: &[f32]) -> Result<(), TestCaseError> {
    let (a, b) = (operand(values, m, k, a_t), operand(&values[m * k..], k, n, b_t));
    let (a, b) = ((&a.0[..], a.1, a.2), (&b.0[..], b.1, b.2));
    let mut c = vec![f32::NAN; m * n];
    prop_assert!(try_sgemm(m, k, n, a, b, &mut c), "{}x{}x{} was left to matrixmultiply", m, k, n);
    let want = reference(m, k, n, a, b);
    for (i, (x, y)) in c.iter().zip(&want).enumerate() {
        prop_assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "element {} of {}x{}x{}: {} != {}", i, m, k, n, x, y);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]
    #[test]
    fn few_column_products_have_matrixmultiplys_bits(
        m in 1usize..40,
        k in prop_oneof![1usize..20, 250usize..270, 500usize..530],
        n in 1usize..=MAX_N,
        a_t in any::<bool>(),
        b_t in any::<bool>(),
        mut values in prop::collection::vec(value(), LEN),
        specials in specials(),
    ) {
        for (at, v) in specials {
            values[at] = v;
        }
        if !available() {
            // The path is not taken without AVX-512F or AVX2 with FMA; matrixmultiply then computes every product.
            let mut c = vec![0.0; m * n];
            prop_assert!(!try_sgemm(m, k, n, (&values, k, 1), (&values, n, 1), &mut c));
            return Ok(());
        }
        check(m, k, n, (a_t, b_t), &values)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn few_row_products_have_matrixmultiplys_bits(
        m in 1usize..=FEW_ROWS,
        k in prop_oneof![1usize..20, 250usize..270, 500usize..530],
        n in prop_oneof![MAX_N + 1..=WIDE_N, 1usize..=MAX_N],
        a_t in any::<bool>(),
        b_t in any::<bool>(),
        mut values in prop::collection::vec(value(), WIDE_LEN),
        specials in prop::collection::vec((0usize..WIDE_LEN, prop::sample::select(vec![f32::INFINITY, f32::NAN, -1.0e30])), 0..3),
    ) {
        for (at, v) in specials {
            values[at] = v;
        }
        // The AVX-512 path keeps to `MAX_N` columns; without a vector unit every product goes to matrixmultiply.
        // A transposed `b` of more columns goes to matrixmultiply too, whose packing transposes it faster;
        // one of a single row (`k` 1) has contiguous rows, as an untransposed one, and is taken.
        let strided = b_t && k > 1;
        let taken = available() && (n <= MAX_N || (!avx512() && !strided));
        if !taken {
            let b = operand(&values[m * k..], k, n, b_t);
            let mut c = vec![0.0; m * n];
            prop_assert!(!try_sgemm(m, k, n, (&values, k, 1), (&b.0, b.1, b.2), &mut c));
            return Ok(());
        }
        check(m, k, n, (a_t, b_t), &values)?;
    }
}

#[test]
fn wider_products_of_more_rows_are_left_to_matrixmultiply() {
    let m = FEW_ROWS + 1;
    let (a, b) = (vec![1.0f32; m * 3], vec![1.0f32; 3 * (MAX_N + 1)]);
    let mut c = vec![0.0; m * (MAX_N + 1)];
    assert!(!try_sgemm(m, 3, MAX_N + 1, (&a, 3, 1), (&b, MAX_N + 1, 1), &mut c));
}
