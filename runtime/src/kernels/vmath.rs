//! Placeholder until the vector math library lands: scalar libm.
use super::float::Float;
pub fn exp<T: Float>(src: &[T], dst: &mut [T]) {
    for (d, &x) in dst.iter_mut().zip(src) {
        *d = x.exp();
    }
}
