//! `fma(a, b, c)`: `a * b + c` with one rounding, the fused multiply-add that
//! PyTorch's CPU kernels for `add(alpha=)`, `lerp` and `addcmul` compute
//! (`vec::fmadd`, or GCC's contraction of `self + alpha * other` in their
//! AVX2 builds). Rust's `mul_add` is the correctly rounded `fma` on every target.

use super::broadcast::Broadcast;
use super::float::Float;
use crate::tensor::numel;

/// `a * b + c` elementwise, each operand broadcast to `out`.
pub fn fma<T: Float>(ops: [(&[T], &[usize]); 3], out: &[usize]) -> Vec<T> {
    let mut dst = vec![T::ZERO; numel(out)];
    fma_into(ops, out, &mut dst);
    dst
}

/// [`fma`] into `dst`, which has `out`'s element count (a pooled buffer: an
/// optimizer's `addcmul` and `lerp` run every step).
pub fn fma_into<T: Float>(ops: [(&[T], &[usize]); 3], out: &[usize], dst: &mut [T]) {
    assert_eq!(dst.len(), numel(out), "fma into a buffer of another size");
    let [a, b, c] = ops.map(|(data, shape)| Broadcast::new(data, shape, out));
    #[cfg(target_arch = "x86_64")]
    if super::cpu::fma() {
        // SAFETY: the CPU has FMA.
        return unsafe { elements_fma(&a, &b, &c, dst) };
    }
    elements(&a, &b, &c, dst)
}

/// The element loop. Without the FMA feature enabled where it is compiled,
/// `mul_add` is a call to libm's `fma` per element.
#[inline(always)]
fn elements<T: Float>(a: &Broadcast<T>, b: &Broadcast<T>, c: &Broadcast<T>, dst: &mut [T]) {
    for (i, d) in dst.iter_mut().enumerate() {
        *d = a.at(i).mul_add(b.at(i), c.at(i));
    }
}

/// [`elements`] compiled with the FMA instruction: the same single rounding
/// (`fma` is correctly rounded either way), a few times faster.
///
/// # Safety
/// The CPU has FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
unsafe fn elements_fma<T: Float>(a: &Broadcast<T>, b: &Broadcast<T>, c: &Broadcast<T>, dst: &mut [T]) {
    elements(a, b, c, dst)
}
