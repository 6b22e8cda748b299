//! The [`AvgPool`] family in the order of PyTorch's CPU kernels
//! (`cpu_avg_pool`, `cpu_adaptive_avg_pool` and their backwards, contiguous
//! NCHW), measured bit for bit: each window's elements summed row by row in
//! the dtype, then divided by the window's divisor (an adaptive window's by
//! its height and then its width); the gradient divided the same way and
//! added to each position of the window, outputs in row-major order.

use rayon::prelude::*;

use super::float::Float;
use crate::op::{AvgPool, PoolWindows};

/// Divides `v` by window `(h, w)`'s divisor, as the forward does.
fn divide<T: Float>(p: &AvgPool, v: T, h: crate::op::Span1, w: crate::op::Span1) -> T {
    match p.windows {
        PoolWindows::Adaptive => v / T::from_usize(h.divisor) / T::from_usize(w.divisor),
        PoolWindows::Fixed { divisor: Some(d), .. } => v / T::from_usize(d),
        PoolWindows::Fixed { .. } => v / T::from_usize(h.divisor * w.divisor),
    }
}

/// Each window's average, for `x` of shape `[N, C, H, W]` into `out` `[N, C, OH, OW]`.
pub fn forward<T: Float>(p: &AvgPool, x: &[T], shape: &[usize], out: &[usize]) -> Vec<T> {
    let (h, w, oh, ow) = (shape[2], shape[3], out[2], out[3]);
    let mut y = vec![T::ZERO; out.iter().product()];
    // Without input positions every window is empty, and its average 0.
    if y.is_empty() || h * w == 0 {
        return y;
    }
    y.par_chunks_mut(oh * ow).zip(x.par_chunks(h * w)).with_min_len(super::parts::planes_per_task(h * w)).for_each(|(plane_out, plane)| {
        for oy in 0..oh {
            let hs = p.window(0, oy, oh, h);
            for ox in 0..ow {
                let ws = p.window(1, ox, ow, w);
                if hs.start >= hs.end || ws.start >= ws.end {
                    plane_out[oy * ow + ox] = T::ZERO;
                    continue;
                }
                let mut sum = T::ZERO;
                for iy in hs.start..hs.end {
                    for ix in ws.start..ws.end {
                        sum = sum + plane[iy * w + ix];
                    }
                }
                plane_out[oy * ow + ox] = divide(p, sum, hs, ws);
            }
        }
    });
    y
}

/// The gradient of [`forward`] for its input: `g` `[N, C, OH, OW]` into `[N, C, H, W]`.
pub fn backward<T: Float>(p: &AvgPool, g: &[T], shape: &[usize], out: &[usize]) -> Vec<T> {
    let (oh, ow, h, w) = (shape[2], shape[3], out[2], out[3]);
    let mut dx = vec![T::ZERO; out.iter().product()];
    if dx.is_empty() || oh * ow == 0 {
        return dx;
    }
    dx.par_chunks_mut(h * w).zip(g.par_chunks(oh * ow)).with_min_len(super::parts::planes_per_task(h * w)).for_each(|(plane, grads)| {
        for oy in 0..oh {
            let hs = p.window(0, oy, oh, h);
            for ox in 0..ow {
                let ws = p.window(1, ox, ow, w);
                if hs.start >= hs.end || ws.start >= ws.end {
                    continue;
                }
                let delta = divide(p, grads[oy * ow + ox], hs, ws);
                for iy in hs.start..hs.end {
                    for ix in ws.start..ws.end {
                        plane[iy * w + ix] = plane[iy * w + ix] + delta;
                    }
                }
            }
        }
    });
    dx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::AvgPoolPart;

    /// The backward is the forward's adjoint, `<pool(x), g> = <x, pool_grad(g)>`,
    /// for fixed windows with padding (counted and not, and a divisor) and for
    /// adaptive ones.
    #[test]
    fn backward_is_the_forwards_adjoint() {
        let fixed = |count_include_pad, divisor| PoolWindows::Fixed { kernel: [3, 2], stride: [2, 2], padding: [1, 1], count_include_pad, divisor };
        for (windows, out) in [
            (fixed(true, None), [2, 3, 4, 4]),
            (fixed(false, None), [2, 3, 4, 4]),
            (fixed(true, Some(5)), [2, 3, 4, 4]),
            (PoolWindows::Adaptive, [2, 3, 3, 4]),
        ] {
            let p = AvgPool { windows, part: AvgPoolPart::Forward };
            let shape = [2, 3, 7, 6];
            let x: Vec<f64> = (0..252).map(|i| ((i * 37 % 101) as f64) / 50.0 - 1.0).collect();
            let g: Vec<f64> = (0..out.iter().product::<usize>()).map(|i| ((i * 53 % 89) as f64) / 44.0 - 1.0).collect();
            let y = forward(&p, &x, &shape, &out);
            let dx = backward(&p, &g, &out, &shape);
            let lhs: f64 = y.iter().zip(&g).map(|(a, b)| a * b).sum();
            let rhs: f64 = x.iter().zip(&dx).map(|(a, b)| a * b).sum();
            assert!((lhs - rhs).abs() < 1e-10, "{windows:?}: {lhs} vs {rhs}");
        }
    }

    /// PyTorch's windows: `avg_pool2d(x, 3, 2, 1)` over 5 columns covers
    /// columns -1..2, 1..4 and 3..6 clipped to 0..2, 1..4, 3..5, dividing by 9
    /// (3 rows here) counting the padding or by the taps inside it.
    #[test]
    fn windows_are_pytorchs() {
        let p = AvgPool {
            windows: PoolWindows::Fixed { kernel: [1, 3], stride: [1, 2], padding: [0, 1], count_include_pad: true, divisor: None },
            part: AvgPoolPart::Forward,
        };
        assert_eq!(p.window(1, 0, 3, 5), crate::op::Span1 { start: 0, end: 2, divisor: 3 });
        assert_eq!(p.window(1, 2, 3, 5), crate::op::Span1 { start: 3, end: 5, divisor: 3 });
        let y = forward(&p, &[1.0f32, 2.0, 3.0, 4.0, 5.0], &[1, 1, 1, 5], &[1, 1, 1, 3]);
        assert_eq!(y, vec![1.0, 3.0, 3.0]);
        let a = AvgPool { windows: PoolWindows::Adaptive, part: AvgPoolPart::Forward };
        assert_eq!(a.window(0, 1, 3, 5), crate::op::Span1 { start: 1, end: 4, divisor: 3 });
    }
}
