//! `fma(a, b, c)`: `a * b + c` with one rounding, the fused multiply-add that
//! PyTorch's CPU kernels for `add(alpha=)`, `lerp` and `addcmul` compute
//! (`vec::fmadd`, or GCC's contraction of `self + alpha * other` in their
//! AVX2 builds). Rust's `mul_add` is the correctly rounded `fma` on every target.

use super::broadcast::expand;
use super::float::Float;

/// `a * b + c` elementwise, each operand broadcast to `out`.
pub fn fma<T: Float>(ops: [(&[T], &[usize]); 3], out: &[usize]) -> Vec<T> {
    let [a, b, c] = ops.map(|(data, shape)| expand(data, shape, out));
    a.iter().zip(b.iter()).zip(c.iter()).map(|((&a, &b), &c)| a.mul_add(b, c)).collect()
}
