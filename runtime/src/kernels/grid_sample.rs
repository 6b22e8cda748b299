//! The [`GridSample`] family with the bits of PyTorch's CPU kernel
//! (`GridSamplerKernel.cpp`, `ApplyGridSample<scalar_t, 2, ...>`) on contiguous
//! tensors.
//!
//! ATen works on vectors of grid positions; every number it computes for a
//! position depends on that position alone, so graphc computes them one
//! position at a time with the same formulas. GCC contracts the kernel's sums
//! into fused multiply-adds in PyTorch's AVX2 build; which ones, measured
//! against PyTorch 2.15 by emulating the candidates
//! (`tools/numerics/grid_sample.py` then checks every element): the position
//! `(g + 1) * size / 2 - 0.5` is one `fma`, the interpolated value is
//! `fma(se_val, se, fma(sw_val, sw, fma(ne_val, ne, nw_val * nw)))`, and each
//! channel adds `fma(fma(se_val - sw_val, n, (ne_val - nw_val) * s), g, gx)` to
//! the grid's gradient. The one place the vectors show is the input's
//! gradient: a vector of positions adds the `nw` corner of each of its lanes to
//! the input, then the `ne` corners, then `sw` and `se`, so where two
//! positions share a pixel the sum's order is ATen's only with its lane count
//! (8 f32 or 4 f64 on AVX2, twice that on AVX-512: [`lanes`]). ATen chunks the
//! positions of a whole `(Ho, Wo)` slice when the grid's `(H, W)` are
//! contiguous, as graphc's always are.

use rayon::prelude::*;

use super::float::Float;
use crate::op::{GridMode, GridPadding, GridSample};

/// The lanes of ATen's `Vectorized<T>` on this CPU: 64 bytes with AVX-512, else 32.
fn lanes<T>() -> usize {
    let bytes = if super::cpu::avx512() { 64 } else { 32 };
    bytes / std::mem::size_of::<T>()
}

/// ATen's `ComputeLocation` for one spatial axis of `size` pixels: from a grid
/// value to a position in pixels, with the padding mode's clamping.
#[derive(Clone, Copy)]
struct Axis<T> {
    size: usize,
    max_val: T,
    scale: T,
    low: T,
    twice_span: T,
    align_corners: bool,
    padding: GridPadding,
}

impl<T: Float> Axis<T> {
    fn new(size: usize, g: &GridSample) -> Axis<T> {
        let max_val = T::from_usize(size) - T::ONE;
        let two = T::from_f64(2.0);
        if g.align_corners {
            Axis { size, max_val, scale: max_val / two, low: T::ZERO, twice_span: max_val * two, align_corners: true, padding: g.padding }
        } else {
            let s = T::from_usize(size);
            Axis { size, max_val, scale: s / two, low: T::from_f64(-0.5), twice_span: s * two, align_corners: false, padding: g.padding }
        }
    }

    fn unnormalize(&self, v: T) -> T {
        if self.align_corners {
            (v + T::ONE) * self.scale
        } else {
            (v + T::ONE).mul_add(self.scale, T::from_f64(-0.5))
        }
    }

    /// `clamp_max(max_val, clamp_min(0, x))`: a NaN becomes 0.
    fn clip(&self, x: T) -> T {
        let lo = if x > T::ZERO { x } else { T::ZERO };
        if lo < self.max_val {
            lo
        } else {
            self.max_val
        }
    }

    /// The clipped position and whether it lies strictly inside `(0, max_val)`,
    /// where its gradient passes (a NaN stays NaN and passes).
    fn clip_with_grad(&self, x: T) -> (T, bool) {
        if x.is_nan() {
            return (x, true);
        }
        let lo = if x > T::ZERO { x } else { T::ZERO };
        let inside_lo = lo.to_f64().to_bits() != 0;
        let res = if lo < self.max_val { lo } else { self.max_val };
        (res, inside_lo && res != self.max_val)
    }

    /// The reflected position, its distance from the span's start after
    /// removing whole double spans, and whether one more flip was needed.
    fn reflect_parts(&self, x: T) -> (T, T, bool) {
        let shifted = x - self.low;
        let abs = shifted.abs();
        let flips = (abs / self.twice_span).trunc();
        let extra = (-flips).mul_add(self.twice_span, abs);
        let reflected = self.twice_span - extra;
        (extra, reflected, shifted < T::ZERO)
    }

    fn reflect(&self, x: T) -> T {
        if self.align_corners && self.size <= 1 {
            return T::ZERO;
        }
        let (extra, reflected, _) = self.reflect_parts(x);
        // `vec::minimum`, which keeps a NaN.
        let m = if extra.is_nan() || reflected.is_nan() {
            T::NAN
        } else if extra < reflected {
            extra
        } else {
            reflected
        };
        if self.align_corners {
            m
        } else {
            m + self.low
        }
    }

    fn reflect_with_grad(&self, x: T) -> (T, T) {
        if self.align_corners && self.size <= 1 {
            return (T::ZERO, T::ZERO);
        }
        let (extra, reflected, negative) = self.reflect_parts(x);
        let flip = extra > reflected;
        let r = if flip { reflected } else { extra };
        let r = if self.align_corners { r } else { r + self.low };
        (r, if flip ^ negative { -T::ONE } else { T::ONE })
    }

    /// `ComputeLocation::apply`: the position the forward reads.
    fn apply(&self, v: T) -> T {
        let x = self.unnormalize(v);
        match self.padding {
            GridPadding::Zeros => x,
            GridPadding::Border => self.clip(x),
            GridPadding::Reflection => self.clip(self.reflect(x)),
        }
    }

    /// `ComputeLocation::apply_get_grad`: the position and its derivative by the grid value.
    fn apply_with_grad(&self, v: T) -> (T, T) {
        let x = self.unnormalize(v);
        match self.padding {
            GridPadding::Zeros => (x, self.scale),
            GridPadding::Border => {
                let (r, inside) = self.clip_with_grad(x);
                (r, if inside { self.scale } else { T::ZERO })
            }
            GridPadding::Reflection => {
                let (r, sign) = self.reflect_with_grad(x);
                let grad = sign * self.scale;
                let (r, inside) = self.clip_with_grad(r);
                (r, if inside { grad } else { T::ZERO })
            }
        }
    }
}

/// `convert_to_int_of_same_size` of a whole number: values past the integer's
/// range (and NaN) become its minimum, as `cvttps2dq` makes them, which lies
/// outside every image.
fn index<T: Float>(v: T) -> i64 {
    let f = v.to_f64();
    let limit = if std::mem::size_of::<T>() == 4 { 2f64.powi(31) } else { 2f64.powi(63) };
    if f >= -limit && f < limit {
        f as i64
    } else if std::mem::size_of::<T>() == 4 {
        i64::from(i32::MIN)
    } else {
        i64::MIN
    }
}

/// One position's four corners (`nw`, `ne`, `sw`, `se`): each pixel's offset
/// in the plane (`None` outside it) and its weight, with the distances
/// `n, s, w, e` to the four sides the grid's gradient needs.
#[derive(Clone, Copy, Debug)]
struct Corners<T> {
    at: [Option<usize>; 4],
    weight: [T; 4],
    nswe: [T; 4],
}

fn corners<T: Float>(x: T, y: T, h: usize, w: usize) -> Corners<T> {
    let (xw, yn) = (x.floor(), y.floor());
    let dw = x - xw;
    let de = T::ONE - dw;
    let dn = y - yn;
    let ds = T::ONE - dn;
    let (ix, iy) = (index(xw), index(yn));
    let at = |yy: i64, xx: i64| (yy >= 0 && xx >= 0 && (yy as u64) < h as u64 && (xx as u64) < w as u64).then(|| yy as usize * w + xx as usize);
    Corners {
        at: [at(iy, ix), at(iy, ix.wrapping_add(1)), at(iy.wrapping_add(1), ix), at(iy.wrapping_add(1), ix.wrapping_add(1))],
        weight: [ds * de, ds * dw, dn * de, dn * dw],
        nswe: [dn, ds, dw, de],
    }
}

/// The pixel nearest a position (`Vectorized::round`, halves to even), or `None` outside.
fn nearest<T: Float>(x: T, y: T, h: usize, w: usize) -> Option<usize> {
    let (ix, iy) = (index(x.round_ties_even()), index(y.round_ties_even()));
    (iy >= 0 && ix >= 0 && (iy as u64) < h as u64 && (ix as u64) < w as u64).then(|| iy as usize * w + ix as usize)
}

/// Where each of a sample's grid positions reads, for the forward and the input's gradient.
enum Reads<T> {
    Bilinear(Vec<Corners<T>>),
    Nearest(Vec<Option<usize>>),
}

/// The reads of every position of every sample, from `grid (N, P, 2)`.
fn reads<T: Float>(g: &GridSample, grid: &[T], n: usize, h: usize, w: usize) -> Vec<Reads<T>> {
    let (ax, ay) = (Axis::<T>::new(w, g), Axis::<T>::new(h, g));
    let per = grid.len() / n.max(1);
    (0..n)
        .map(|b| {
            let pts = grid[b * per..(b + 1) * per].chunks_exact(2);
            match g.mode {
                GridMode::Bilinear => Reads::Bilinear(pts.map(|p| corners(ax.apply(p[0]), ay.apply(p[1]), h, w)).collect()),
                GridMode::Nearest => Reads::Nearest(pts.map(|p| nearest(ax.apply(p[0]), ay.apply(p[1]), h, w)).collect()),
            }
        })
        .collect()
}

/// `input (N, C, H, W)` read at `grid (N, Ho, Wo, 2)`: `(N, C, Ho, Wo)`.
pub fn forward<T: Float>(g: &GridSample, input: &[T], shape: &[usize], grid: &[T], out: &[usize]) -> Vec<T> {
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3]);
    let (plane_in, plane_out) = (h * w, out[2] * out[3]);
    let mut y = vec![T::ZERO; out.iter().product()];
    if y.is_empty() || plane_in == 0 {
        return y;
    }
    let reads = reads(g, grid, n, h, w);
    let value = |plane: &[T], at: Option<usize>| at.map_or(T::ZERO, |i| plane[i]);
    let chunk = super::parts::planes_per_task(plane_out);
    y.par_chunks_mut(plane_out).zip(input.par_chunks(plane_in)).enumerate().with_min_len(chunk).for_each(|(p, (ys, plane))| match &reads[p / c] {
        Reads::Bilinear(cs) => {
            for (o, k) in ys.iter_mut().zip(cs) {
                let [nw, ne, sw, se] = k.at.map(|a| value(plane, a));
                let [wnw, wne, wsw, wse] = k.weight;
                *o = se.mul_add(wse, sw.mul_add(wsw, ne.mul_add(wne, nw * wnw)));
            }
        }
        Reads::Nearest(at) => {
            for (o, &a) in ys.iter_mut().zip(at) {
                *o = value(plane, a);
            }
        }
    });
    y
}

/// The input's gradient: `grad (N, C, Ho, Wo)` added back to the pixels each
/// position read, into `(N, C, H, W)` (`out`).
pub fn input_grad<T: Float>(g: &GridSample, grad: &[T], grid: &[T], out: &[usize]) -> Vec<T> {
    let (n, c, h, w) = (out[0], out[1], out[2], out[3]);
    let plane_in = h * w;
    let mut dx = vec![T::ZERO; out.iter().product()];
    let plane_out = grad.len().checked_div(n * c).unwrap_or(0);
    if dx.is_empty() || plane_out == 0 {
        return dx;
    }
    let reads = reads(g, grid, n, h, w);
    let lanes = lanes::<T>();
    let chunk = super::parts::planes_per_task(plane_out);
    dx.par_chunks_mut(plane_in).zip(grad.par_chunks(plane_out)).enumerate().with_min_len(chunk).for_each(|(p, (plane, gs))| match &reads[p / c] {
        Reads::Bilinear(cs) => {
            // ATen's order: a vector of positions adds each corner of all its lanes in turn.
            for (cs, gs) in cs.chunks(lanes).zip(gs.chunks(lanes)) {
                for corner in 0..4 {
                    for (k, &gv) in cs.iter().zip(gs) {
                        if let Some(i) = k.at[corner] {
                            plane[i] = plane[i] + k.weight[corner] * gv;
                        }
                    }
                }
            }
        }
        Reads::Nearest(at) => {
            for (&a, &gv) in at.iter().zip(gs) {
                if let Some(i) = a {
                    plane[i] = plane[i] + gv;
                }
            }
        }
    });
    dx
}

/// The grid's gradient: `(N, Ho, Wo, 2)` from `grad (N, C, Ho, Wo)`, `input
/// (N, C, H, W)` (`shape`) and the grid. Zero in nearest mode, as in PyTorch.
pub fn grid_grad<T: Float>(g: &GridSample, grad: &[T], input: &[T], shape: &[usize], grid: &[T]) -> Vec<T> {
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3]);
    let mut dg = vec![T::ZERO; grid.len()];
    if dg.is_empty() || g.mode == GridMode::Nearest {
        return dg;
    }
    let plane_in = h * w;
    let positions = grid.len() / 2 / n;
    let (ax, ay) = (Axis::<T>::new(w, g), Axis::<T>::new(h, g));
    dg.par_chunks_mut(2 * positions).enumerate().for_each(|(b, dgs)| {
        let grid = &grid[b * 2 * positions..(b + 1) * 2 * positions];
        for (p, (d, pt)) in dgs.chunks_exact_mut(2).zip(grid.chunks_exact(2)).enumerate() {
            let (x, mx) = ax.apply_with_grad(pt[0]);
            let (y, my) = ay.apply_with_grad(pt[1]);
            let k = corners(x, y, h, w);
            let [dn, ds, dw, de] = k.nswe;
            let (mut gx, mut gy) = (T::ZERO, T::ZERO);
            for ch in 0..c {
                let plane = &input[(b * c + ch) * plane_in..][..plane_in];
                let gv = grad[(b * c + ch) * positions + p];
                let [nw, ne, sw, se] = k.at.map(|a| a.map_or(T::ZERO, |i| plane[i]));
                gx = (se - sw).mul_add(dn, (ne - nw) * ds).mul_add(gv, gx);
                gy = (se - ne).mul_add(dw, (sw - nw) * de).mul_add(gv, gy);
            }
            d[0] = gx * mx;
            d[1] = gy * my;
        }
    });
    dg
}
