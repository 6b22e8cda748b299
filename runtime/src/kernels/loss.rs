//! The elementwise losses of [`LossKind`] with their reduction, as PyTorch's CPU
//! kernels compute them (`aten/src/ATen/native/Loss.cpp`, `BinaryOpsKernel.cpp`):
//! the loss of each element in the dtype, then `mean` (the cascade sum divided
//! by the count) or `sum` over everything, or nothing.

use super::float::Float;
use super::reduce::sum_all;
use crate::op::{LossKind, LossReduction};

/// PyTorch clamps the logarithms of `binary_cross_entropy` at -100.
const LOG_FLOOR: f64 = -100.0;

fn max<T: Float>(a: T, b: T) -> T {
    // std::max(a, b): `a < b ? b : a`, so NaN in `a` survives.
    if a < b {
        b
    } else {
        a
    }
}

fn element<T: Float>(kind: LossKind, x: T, t: T) -> T {
    match kind {
        LossKind::Mse => {
            let d = x - t;
            d * d
        }
        LossKind::Bce => {
            let floor = T::from_f64(LOG_FLOOR);
            (t - T::ONE) * max((-x).ln_1p(), floor) - t * max(x.ln(), floor)
        }
        LossKind::BceWithLogits => {
            // log_sigmoid: min(x, 0) - log1p(exp(-|x|)).
            let min = if x < T::ZERO { x } else { T::ZERO };
            let log_sigmoid = min - (-x.abs()).exp().ln_1p();
            (T::ONE - t) * x - log_sigmoid
        }
        LossKind::SmoothL1(beta) => {
            let (z, beta, half) = ((x - t).abs(), T::from_f64(beta.get()), T::from_f64(0.5));
            if z < beta {
                half * z * z / beta
            } else {
                z - half * beta
            }
        }
        LossKind::Huber(delta) => {
            let (z, delta, half) = ((x - t).abs(), T::from_f64(delta.get()), T::from_f64(0.5));
            if z < delta {
                half * z * z
            } else {
                delta * (z - half * delta)
            }
        }
        // Each step rounded in the dtype, `exp` as the `exp` op's and `log1p`
        // as the `log1p` op's (SLEEF's), as the in-place ops compute them.
        LossKind::SoftMargin => ((-x) * t).exp().log1p_torch(),
    }
}

/// The loss of `input` against `target` (same length), reduced.
pub fn loss<T: Float>(kind: LossKind, reduction: LossReduction, input: &[T], target: &[T]) -> Vec<T> {
    assert_eq!(input.len(), target.len(), "loss operands of one shape");
    let each: Vec<T> = input.iter().zip(target).map(|(&x, &t)| element(kind, x, t)).collect();
    match reduction {
        LossReduction::None => each,
        LossReduction::Sum => vec![sum_all(&each)],
        LossReduction::Mean => vec![sum_all(&each) / T::from_usize(each.len())],
    }
}
