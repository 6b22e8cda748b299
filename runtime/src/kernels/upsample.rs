//! The [`Upsample`] family (linear, bilinear and trilinear interpolation) with
//! the bits of PyTorch's CPU kernels (`UpSampleKernel.cpp`) on contiguous
//! `(N, C, *spatial)` tensors. Which kernel ATen runs, and so how each sum is
//! rounded, depends on the shape; graphc follows the same choice:
//!
//! - 2-D outputs with `height + width <= 128` go through
//!   `cpu_upsample_linear_channels_last` (ATen's `_use_vectorized_kernel_cond_2d`):
//!   each pixel is four products with the weights `h * w`, summed in one order
//!   for the channels its vector loop covers and in another for the last
//!   `C % lanes` channels.
//! - Everything else goes through `upsample_generic_Nd_kernel_impl`: the
//!   interpolation along the last dimension first, then along each earlier one.
//! - The gradient is `cpu_upsample_linear_backward`: each output's gradient,
//!   times the product of its weights, added to its corners in row-major order.
//!
//! GCC contracts these C++ sums into fused multiply-adds in PyTorch's AVX2
//! build; which product each `fma` keeps exact, and that the source positions
//! are computed with `fma(scale, o + 0.5, -0.5)` in the channels-last and
//! backward kernels and the generic one's f64 build but rounded twice in its
//! f32 build, was measured against PyTorch 2.15 on an AVX2 machine
//! (`tools/numerics/interpolate.py`: every element of random shapes of all
//! three ranks, both `align_corners`, sizes and scale factors, forward and
//! gradient, f32 and f64). On AVX-512 ATen's vector loop is 16 f32 lanes wide,
//! which [`lanes`] follows; that build's sums were not measured.
//! PyTorch run with one thread sends 3-channel images with larger outputs to
//! the channels-last kernel too; graphc follows the multi-threaded choice.

use rayon::prelude::*;

use super::float::Float;
use crate::op::Upsample;

/// One output position along one axis: its two source positions and their
/// weights, as ATen's `compute_source_index_and_lambda` gives them.
#[derive(Clone, Copy, Debug)]
struct Taps<T> {
    i0: usize,
    i1: usize,
    w0: T,
    w1: T,
}

/// ATen's `area_pixel_compute_scale`: how far the source moves per output
/// pixel, in the dtype (ATen's `opmath_t` is the dtype for f32 and f64).
fn scale<T: Float>(input: usize, output: usize, align_corners: bool, factor: Option<f64>) -> T {
    if align_corners {
        if output > 1 {
            T::from_usize(input - 1) / T::from_usize(output - 1)
        } else {
            T::ZERO
        }
    } else {
        match factor {
            Some(f) if f > 0.0 => T::from_f64(1.0 / f),
            _ => T::from_usize(input) / T::from_usize(output),
        }
    }
}

/// Output position `o` of `output` along an axis of `input`. `fused` says
/// whether the half-pixel position is one `fma` (the kernels where GCC
/// contracts it) or a product and a difference.
fn taps<T: Float>(input: usize, output: usize, o: usize, align_corners: bool, scale: T, fused: bool) -> Taps<T> {
    if input == output {
        return Taps { i0: o, i1: o, w0: T::ONE, w1: T::ZERO };
    }
    let half = T::from_f64(0.5);
    let src = if align_corners {
        scale * T::from_usize(o)
    } else {
        let at = T::from_usize(o) + half;
        let s = if fused { scale.mul_add(at, -half) } else { scale * at - half };
        if s < T::ZERO {
            T::ZERO
        } else {
            s
        }
    };
    // `guard_index_and_lambda` floors with `floorf`, so a double position is
    // rounded to float first.
    let i0 = ((src.to_f64() as f32).floor() as usize).min(input - 1);
    let mut w1 = src - T::from_usize(i0);
    if w1 < T::ZERO {
        w1 = T::ZERO;
    }
    if w1 > T::ONE {
        w1 = T::ONE;
    }
    let i1 = if i0 + 1 < input { i0 + 1 } else { i0 };
    Taps { i0, i1, w0: T::ONE - w1, w1 }
}

/// Every axis's taps: `tables[d][o]` for output position `o` of spatial dimension `d`.
fn tables<T: Float>(u: &Upsample, input: &[usize], output: &[usize], fused: bool) -> Vec<Vec<Taps<T>>> {
    (0..u.spatial)
        .map(|d| {
            let s = scale::<T>(input[d], output[d], u.align_corners, u.scales[d].map(|f| f.get()));
            (0..output[d]).map(|o| taps(input[d], output[d], o, u.align_corners, s, fused)).collect()
        })
        .collect()
}

/// Axis `d`'s interpolation as an `(output, input)` matrix in row-major order
/// (the weights of the generic kernel, in f64): the forward along that axis is
/// a product with it, and the gradient a product with its transpose. For
/// exporters, which have no scatter of weighted gradients.
pub fn axis_matrix(u: &Upsample, d: usize, input: usize, output: usize) -> Vec<f64> {
    let s = scale::<f64>(input, output, u.align_corners, u.scales[d].map(|f| f.get()));
    let mut m = vec![0.0; output * input];
    for o in 0..output {
        let t = taps(input, output, o, u.align_corners, s, false);
        m[o * input + t.i0] += t.w0;
        m[o * input + t.i1] += t.w1;
    }
    m
}

/// Row-major strides of a spatial shape.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// The output positions of a spatial shape in row-major order, each as one index per axis.
fn positions(shape: &[usize]) -> Vec<[usize; 3]> {
    let count: usize = shape.iter().product();
    (0..count)
        .map(|mut flat| {
            let mut at = [0; 3];
            for d in (0..shape.len()).rev() {
                at[d] = flat % shape[d];
                flat /= shape[d];
            }
            at
        })
        .collect()
}

/// The generic kernel's `Interpolate<n, ..., 2>`: the two neighbours along the
/// first remaining axis, each interpolated along the later axes first, then
/// `fma(t0, w0, t1 * w1)`.
fn interpolate<T: Float>(x: &[T], base: usize, strides: &[usize], taps: &[Taps<T>]) -> T {
    let t = taps[0];
    let (a, b) = if taps.len() == 1 {
        (x[base + t.i0 * strides[0]], x[base + t.i1 * strides[0]])
    } else {
        (interpolate(x, base + t.i0 * strides[0], &strides[1..], &taps[1..]), interpolate(x, base + t.i1 * strides[0], &strides[1..], &taps[1..]))
    };
    a.mul_add(t.w0, b * t.w1)
}

/// The lanes of ATen's `Vectorized<T>` on this CPU: 64 bytes with AVX-512, else 32.
fn lanes<T>() -> usize {
    let bytes = if super::cpu::avx512() { 64 } else { 32 };
    bytes / std::mem::size_of::<T>()
}

/// `x` `(N, C, *in)` interpolated to `out` `(N, C, *out_spatial)`.
pub fn forward<T: Float>(u: &Upsample, x: &[T], shape: &[usize], out: &[usize]) -> Vec<T> {
    let (input, output) = (&shape[2..], &out[2..]);
    let (plane_in, plane_out) = (input.iter().product::<usize>(), output.iter().product::<usize>());
    let mut y = vec![T::ZERO; out.iter().product()];
    if y.is_empty() {
        return y;
    }
    let channels = shape[1];
    let chunk = super::parts::planes_per_task(plane_out);
    if u.spatial == 2 && output[0] + output[1] <= 128 {
        let t = tables::<T>(u, input, output, true);
        let (w, vectored) = (input[1], channels - channels % lanes::<T>());
        y.par_chunks_mut(plane_out).zip(x.par_chunks(plane_in)).enumerate().with_min_len(chunk).for_each(|(p, (plane_out, plane))| {
            let vector = p % channels < vectored;
            for (oh, h) in t[0].iter().enumerate() {
                for (ow, c) in t[1].iter().enumerate() {
                    let (w00, w01, w10, w11) = (h.w0 * c.w0, h.w0 * c.w1, h.w1 * c.w0, h.w1 * c.w1);
                    let (p00, p01, p10, p11) = (plane[h.i0 * w + c.i0], plane[h.i0 * w + c.i1], plane[h.i1 * w + c.i0], plane[h.i1 * w + c.i1]);
                    // The vector loop sums `p00*w00 + (p01*w01 + (p10*w10 + p11*w11))`,
                    // the scalar tail `((p00*w00 + p01*w01) + p10*w10) + p11*w11`.
                    plane_out[oh * output[1] + ow] = if vector {
                        p00.mul_add(w00, p01.mul_add(w01, p11.mul_add(w11, p10 * w10)))
                    } else {
                        p11.mul_add(w11, p10.mul_add(w10, p00.mul_add(w00, p01 * w01)))
                    };
                }
            }
        });
        return y;
    }
    // The generic kernel's positions are one `fma` in its f64 build and a
    // product and a difference in its f32 one.
    let t = tables::<T>(u, input, output, std::mem::size_of::<T>() == 8);
    let s = strides(input);
    let at = positions(output);
    y.par_chunks_mut(plane_out).zip(x.par_chunks(plane_in)).with_min_len(chunk).for_each(|(plane_out, plane)| {
        for (o, pos) in plane_out.iter_mut().zip(&at) {
            let mut taps = [Taps { i0: 0, i1: 0, w0: T::ZERO, w1: T::ZERO }; 3];
            for d in 0..u.spatial {
                taps[d] = t[d][pos[d]];
            }
            *o = interpolate(plane, 0, &s, &taps[..u.spatial]);
        }
    });
    y
}

/// The gradient of [`forward`] for its input: `g` `(N, C, *out)` into `(N, C, *in)`.
pub fn backward<T: Float>(u: &Upsample, g: &[T], shape: &[usize], out: &[usize]) -> Vec<T> {
    let (output, input) = (&shape[2..], &out[2..]);
    let (plane_in, plane_out) = (input.iter().product::<usize>(), output.iter().product::<usize>());
    let mut dx = vec![T::ZERO; out.iter().product()];
    if dx.is_empty() || plane_out == 0 {
        return dx;
    }
    let t = tables::<T>(u, input, output, true);
    let s = strides(input);
    let at = positions(output);
    dx.par_chunks_mut(plane_in).zip(g.par_chunks(plane_out)).with_min_len(super::parts::planes_per_task(plane_out)).for_each(|(plane, grads)| {
        for (&gv, pos) in grads.iter().zip(&at) {
            // The corners in ATen's order (the first axis's lower neighbour
            // first), each weight the product of its axes' weights from the first.
            let mut corners = [(0usize, T::ONE); 8];
            let mut count = 1;
            for d in 0..u.spatial {
                let tp = t[d][pos[d]];
                for k in (0..count).rev() {
                    let (base, w) = corners[k];
                    corners[2 * k] = (base + tp.i0 * s[d], w * tp.w0);
                    corners[2 * k + 1] = (base + tp.i1 * s[d], w * tp.w1);
                }
                count *= 2;
            }
            for &(i, w) in &corners[..count] {
                plane[i] = w.mul_add(gv, plane[i]);
            }
        }
    });
    dx
}
