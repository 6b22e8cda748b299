//! The statistics of `batch_norm` in training ([`ReduceKind::BatchMean`] and
//! [`ReduceKind::BatchVarSum`]), each channel's mean and sum of squared
//! deviations over the batch and the spatial positions of an `[N, C, *]`
//! tensor, in the order of PyTorch 2.15's CPU kernels
//! (`batch_norm_cpu_collect_stats_*_impl`), read from their bits:
//!
//! - With spatial positions (`[N, C, H, W]`, the contiguous path), a channel's
//!   elements are summed one by one in f64, the mean is that sum over the
//!   count rounded to the dtype, and each deviation `x - mean` is squared in
//!   the dtype and added in f64.
//! - Without (`[N, C]`, which PyTorch treats as channels-last), the sums are
//!   in the dtype, the squares fused into them, rows in order, and the mean
//!   divided in f64: PyTorch's order on one thread (with more, it sums each
//!   thread's rows apart first, so its own bits depend on its threads).
//!
//! The normalization itself is elementwise ops the compiler emits
//! (`lower/batch_norm_calls.rs`).
//!
//! [`ReduceKind::BatchMean`]: crate::op::ReduceKind::BatchMean
//! [`ReduceKind::BatchVarSum`]: crate::op::ReduceKind::BatchVarSum

use super::float::Float;

/// The batch, channel and spatial sizes of an `[N, C, *]` shape.
fn layout(shape: &[usize]) -> (usize, usize, usize) {
    assert!(shape.len() >= 2, "batch_norm's statistics need an [N, C, *] tensor");
    (shape[0], shape[1], shape[2..].iter().product())
}

/// The elements of channel `c`, batch by batch.
fn channel<T: Copy>(x: &[T], (n, cs, image): (usize, usize, usize), c: usize) -> impl Iterator<Item = T> + '_ {
    (0..n).flat_map(move |b| x[(b * cs + c) * image..][..image].iter().copied())
}

/// Each channel's mean.
pub fn mean<T: Float>(x: &[T], shape: &[usize]) -> Vec<T> {
    let l = layout(shape);
    let count = l.0 * l.2;
    (0..l.1).map(|c| channel_mean(x, l, c, count)).collect()
}

fn channel_mean<T: Float>(x: &[T], l: (usize, usize, usize), c: usize, count: usize) -> T {
    if l.2 == 1 {
        // The sum in the dtype, divided in f64 as PyTorch divides the sum of
        // its threads' sums.
        let sum = channel(x, l, c).fold(T::ZERO, |acc, v| acc + v);
        T::from_f64(sum.to_f64() / count as f64)
    } else {
        let sum = channel(x, l, c).fold(0.0f64, |acc, v| acc + v.to_f64());
        T::from_f64(sum / count as f64)
    }
}

/// Each channel's sum of squared deviations from its mean (the mean computed
/// as [`mean`] computes it).
pub fn var_sum<T: Float>(x: &[T], shape: &[usize]) -> Vec<T> {
    let l = layout(shape);
    let count = l.0 * l.2;
    (0..l.1)
        .map(|c| {
            let m = channel_mean(x, l, c, count);
            if l.2 == 1 {
                channel(x, l, c).fold(T::ZERO, |acc, v| (v - m).mul_add(v - m, acc))
            } else {
                T::from_f64(channel(x, l, c).fold(0.0f64, |acc, v| acc + ((v - m) * (v - m)).to_f64()))
            }
        })
        .collect()
}
