//! `a @ b` for 1-D and 2-D operands, with PyTorch's `matmul` shape rules.
//!
//! Every case is computed as one general matrix product by `matrixmultiply`
//! (a vector is a 1 x k or k x 1 matrix), so all four cases round alike. PyTorch
//! calls its BLAS here (MKL or OpenBLAS), whose blocking and accumulation order are
//! their own: matmul results agree with PyTorch to rounding, not bit for bit.

use super::float::Float;

/// A general matrix product `C = A B` in the element type's own precision.
pub trait Gemm: Float {
    /// `c` (m x n, row-major, overwritten) = `a` (m x k, row-major) times `b` (k x n, row-major).
    fn gemm(m: usize, k: usize, n: usize, a: &[Self], b: &[Self], c: &mut [Self]);
}

impl Gemm for f32 {
    fn gemm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
        assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n, "matmul operands do not match their shapes");
        // SAFETY: the asserted lengths make every index sgemm forms from these
        // row-major strides fall inside `a`, `b` and `c`.
        unsafe {
            matrixmultiply::sgemm(m, k, n, 1.0, a.as_ptr(), k as isize, 1, b.as_ptr(), n as isize, 1, 0.0, c.as_mut_ptr(), n as isize, 1);
        }
    }
}

impl Gemm for f64 {
    fn gemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n, "matmul operands do not match their shapes");
        // SAFETY: as for f32 above.
        unsafe {
            matrixmultiply::dgemm(m, k, n, 1.0, a.as_ptr(), k as isize, 1, b.as_ptr(), n as isize, 1, 0.0, c.as_mut_ptr(), n as isize, 1);
        }
    }
}

/// `a @ b`: (n)@(n) -> (), (m,k)@(k) -> (m), (k)@(k,n) -> (n), (m,k)@(k,n) -> (m,n).
/// Returns the elements and the result's shape.
pub fn matmul<T: Gemm>(a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize]) -> (Vec<T>, Vec<usize>) {
    let (m, k, n, shape) = match (a_shape, b_shape) {
        (&[k1], &[k2]) if k1 == k2 => (1, k1, 1, vec![]),
        (&[m, k1], &[k2]) if k1 == k2 => (m, k1, 1, vec![m]),
        (&[k1], &[k2, n]) if k1 == k2 => (1, k1, n, vec![n]),
        (&[m, k1], &[k2, n]) if k1 == k2 => (m, k1, n, vec![m, n]),
        _ => panic!("matmul of shapes {a_shape:?} and {b_shape:?} is not supported"),
    };
    let mut c = vec![T::ZERO; m * n];
    // An empty inner dimension gives zeros, which `c` already holds; empty outer
    // dimensions give an empty result. Only real products reach the GEMM.
    if m > 0 && n > 0 && k > 0 {
        T::gemm(m, k, n, a, b, &mut c);
    }
    (c, shape)
}
