//! `max_pool2d`'s indices ([`IndexOp::MaxPool`](crate::op::IndexOp::MaxPool)),
//! as PyTorch's CPU kernel (`MaxPoolKernel.cpp`, contiguous NCHW) finds them:
//! each window clipped to the input, its taps visited row by row, a larger
//! element or a NaN replacing the maximum so far. `adaptive_max_pool2d`'s
//! ([`IndexOp::AdaptiveMaxPool`](crate::op::IndexOp::AdaptiveMaxPool)) are the
//! same search over `AdaptiveMaxPoolKernel.cpp`'s windows.

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
    let idx = vec![0i64; out.iter().product()];
    if idx.is_empty() || h * w == 0 {
        return idx;
    }
    // Each window's taps along each axis, computed once rather than per window.
    let rows: Vec<(usize, usize)> =
        (0..oh).map(|oy| taps((oy * p.stride[0]) as isize - p.padding[0] as isize, p.kernel[0], p.dilation[0], h)).collect();
    let cols: Vec<(usize, usize)> =
        (0..ow).map(|ox| taps((ox * p.stride[1]) as isize - p.padding[1] as isize, p.kernel[1], p.dilation[1], w)).collect();
    let (dy, dx) = (p.dilation[0], p.dilation[1]);
    // `max_pool2d(x, 2)` (and 3): every window whole, its taps adjacent.
    let whole = dy == 1 && dx == 1 && rows.iter().all(|&(a, b)| b - a == p.kernel[0]) && cols.iter().all(|&(a, b)| b - a == p.kernel[1]);
    match (whole, p.kernel) {
        (true, [2, 2]) => return whole_windows::<T, 2, 2>(x, &rows, &cols, [h, w], idx),
        (true, [3, 3]) => return whole_windows::<T, 3, 3>(x, &rows, &cols, [h, w], idx),
        _ => {}
    }
    windows_max(x, &rows, &cols, [h, w], [dy, dx], idx)
}

/// The position in its plane of each adaptive window's largest element, for
/// `x` of shape `[N, C, H, W]` and `out` `[N, C, Ho, Wo]`: output row `o`
/// covers input rows `floor(o * H / Ho)` to `ceil((o + 1) * H / Ho)`, ATen's
/// `start_index` and `end_index`, and likewise for columns.
pub fn adaptive_max_indices<T: Copy + PartialOrd + Send + Sync>(x: &[T], shape: &[usize], out: &[usize]) -> Vec<i64> {
    let (h, w) = (shape[2], shape[3]);
    let idx = vec![0i64; out.iter().product()];
    if idx.is_empty() || h * w == 0 {
        return idx;
    }
    let windows = |n: usize, size: usize| -> Vec<(usize, usize)> { (0..n).map(|o| ((o * size) / n, ((o + 1) * size).div_ceil(n))).collect() };
    windows_max(x, &windows(out[2], h), &windows(out[3], w), [h, w], [1, 1], idx)
}

/// Each window's largest element's position in its plane: rows `rows[oy]`
/// and columns `cols[ox]` (first tap, end), taps `dy` rows and `dx` columns
/// apart.
fn windows_max<T: Copy + PartialOrd + Send + Sync>(
    x: &[T],
    rows: &[(usize, usize)],
    cols: &[(usize, usize)],
    [h, w]: [usize; 2],
    [dy, dx]: [usize; 2],
    mut idx: Vec<i64>,
) -> Vec<i64> {
    let (oh, ow) = (rows.len(), cols.len());
    idx.par_chunks_mut(oh * ow).zip(x.par_chunks(h * w)).with_min_len(super::parts::planes_per_task(h * w)).for_each(|(plane_idx, plane)| {
        for (oy, &(y0, y1)) in rows.iter().enumerate() {
            for (ox, &(x0, x1)) in cols.iter().enumerate() {
                let mut best = y0 * w + x0;
                // `(val > maxval) || isnan(val)`, from a maximum of -inf: the
                // first tap always wins the first comparison, so it starts
                // as the maximum (an empty window keeps its first position).
                if y0 < y1 && x0 < x1 {
                    let mut max = plane[best];
                    let mut y = y0;
                    while y < y1 {
                        let row = &plane[y * w..(y + 1) * w];
                        let mut xx = x0;
                        while xx < x1 {
                            let v = row[xx];
                            #[allow(clippy::eq_op)]
                            if v > max || v != v {
                                max = v;
                                best = y * w + xx;
                            }
                            xx += dx;
                        }
                        y += dy;
                    }
                }
                plane_idx[oy * ow + ox] = best as i64;
            }
        }
    });
    idx
}

/// [`max_indices`] for windows of `KH x KW` adjacent taps, all inside the
/// input: the taps' loops unrolled, which on 2x2 windows made the kernel
/// several times faster. The same comparisons in the same order.
fn whole_windows<T: Copy + PartialOrd + Send + Sync, const KH: usize, const KW: usize>(
    x: &[T],
    rows: &[(usize, usize)],
    cols: &[(usize, usize)],
    [h, w]: [usize; 2],
    mut idx: Vec<i64>,
) -> Vec<i64> {
    let (oh, ow) = (rows.len(), cols.len());
    idx.par_chunks_mut(oh * ow).zip(x.par_chunks(h * w)).with_min_len(super::parts::planes_per_task(h * w)).for_each(|(plane_idx, plane)| {
        for (oy, &(y0, _)) in rows.iter().enumerate() {
            let window_rows: [&[T]; KH] = std::array::from_fn(|i| &plane[(y0 + i) * w..(y0 + i + 1) * w]);
            for (ox, &(x0, _)) in cols.iter().enumerate() {
                let mut max = window_rows[0][x0];
                let mut best = y0 * w + x0;
                for (i, row) in window_rows.iter().enumerate() {
                    let taps: &[T; KW] = row[x0..x0 + KW].try_into().expect("a whole window");
                    for (j, &v) in taps.iter().enumerate() {
                        #[allow(clippy::eq_op)]
                        if (i, j) != (0, 0) && (v > max || v != v) {
                            max = v;
                            best = (y0 + i) * w + x0 + j;
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
