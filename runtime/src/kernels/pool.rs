//! `max_pool2d`'s indices ([`IndexOp::MaxPool`](crate::op::IndexOp::MaxPool)),
//! as PyTorch's CPU kernel (`MaxPoolKernel.cpp`, contiguous NCHW) finds them:
//! each window clipped to the input, its taps visited row by row, a larger
//! element or a NaN replacing the maximum so far.

use rayon::prelude::*;

use crate::op::MaxPool;

/// The first tap of a window at `start` (which may lie in the padding) inside
/// the input, and the end of its taps: PyTorch's `hstart`/`hend`.
fn taps(start: isize, kernel: usize, dilation: usize, size: usize) -> (usize, usize) {
    let end = (start + ((kernel - 1) * dilation) as isize + 1).min(size as isize);
    let mut first = start;
    while first < 0 {
        first += dilation as isize;
    }
    (first as usize, end.max(first) as usize)
}

/// The position in its plane of each window's largest element, for `x` of
/// shape `[N, C, H, W]` and `out` `[N, C, Ho, Wo]`.
pub fn max_indices<T: Copy + PartialOrd + Send + Sync>(p: &MaxPool, x: &[T], shape: &[usize], out: &[usize]) -> Vec<i64> {
    let (h, w) = (shape[2], shape[3]);
    let (oh, ow) = (out[2], out[3]);
    let mut idx = vec![0i64; out.iter().product()];
    if idx.is_empty() || h * w == 0 {
        return idx;
    }
    idx.par_chunks_mut(oh * ow).zip(x.par_chunks(h * w)).for_each(|(plane_idx, plane)| {
        for oy in 0..oh {
            let (y0, y1) = taps((oy * p.stride[0]) as isize - p.padding[0] as isize, p.kernel[0], p.dilation[0], h);
            for ox in 0..ow {
                let (x0, x1) = taps((ox * p.stride[1]) as isize - p.padding[1] as isize, p.kernel[1], p.dilation[1], w);
                let mut best = y0 * w + x0;
                let mut max = None::<T>;
                for y in (y0..y1).step_by(p.dilation[0]) {
                    for xx in (x0..x1).step_by(p.dilation[1]) {
                        let v = plane[y * w + xx];
                        // `(val > maxval) || isnan(val)`, from a maximum of -inf: the
                        // first tap always wins the first comparison.
                        #[allow(clippy::eq_op)]
                        let nan = v != v;
                        if max.is_none_or(|m| v > m) || nan {
                            max = Some(v);
                            best = y * w + xx;
                        }
                    }
                }
                plane_idx[oy * ow + ox] = best as i64;
            }
        }
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_pick_the_largest_the_last_nan_and_skip_the_padding() {
        let p = MaxPool { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] };
        let x = [1.0f32, 5.0, 2.0, 2.0, 3.0, 0.0, f32::NAN, 1.0, 7.0, 7.0, 0.0, 0.0, 7.0, 1.0, f32::NAN, f32::NAN];
        assert_eq!(max_indices(&p, &x, &[1, 1, 4, 4], &[1, 1, 2, 2]), vec![1, 6, 8, 15]);
        // A 3x3 window with padding 1 at the corner reads only the input's 2x2 corner.
        let p = MaxPool { kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1] };
        let x = [-1.0f64, -2.0, -3.0, -4.0];
        assert_eq!(max_indices(&p, &x, &[1, 1, 2, 2], &[1, 1, 1, 1]), vec![0]);
        // Ceil mode: windows 0..2, 2..4 and the partial 4..5 of 5 columns.
        let p = MaxPool { kernel: [1, 2], stride: [1, 2], padding: [0, 0], dilation: [1, 1] };
        assert_eq!(p.output_size(1, 5, true), Some(3));
        assert_eq!(p.output_size(1, 5, false), Some(2));
        let x = [0.0f32, 1.0, 3.0, 2.0, 9.0];
        assert_eq!(max_indices(&p, &x, &[1, 1, 1, 5], &[1, 1, 1, 3]), vec![1, 2, 4]);
    }
}
