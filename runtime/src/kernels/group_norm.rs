//! `group_norm` and its gradients with the bits of PyTorch 2.15's CPU kernels
//! for contiguous tensors (`aten/src/ATen/native/cpu/group_norm_kernel.cpp`:
//! `GroupNormKernelImplInternal`, `ComputeInternalGradients`,
//! `GroupNormInputBackward`, `GammaBackward`, `BetaBackward`).
//!
//! `x` is `(N, C, *)`; its channels fall into `groups` groups of `D = C /
//! groups`, and each (sample, group) is one row of `D * HxW` contiguous
//! elements, whose mean and variance are the layer norm's `RowwiseMoments`.
//! PyTorch registers these kernels for AVX2 and not for AVX-512, so their
//! vectors are 256-bit as the layer norm's ([`super::layer_norm`]), whose lane
//! sums this file shares. Which multiply-adds are fused (rounded once) was
//! found by comparing with PyTorch bit for bit (`compiler/tests/group_norm.rs`).

use super::float::Float;
use super::layer_norm::{dot_reduce, horizontal_sum, lanes, row_moments, MAX_LANES};

/// The shape of the problem: samples, channels, groups, and elements per channel.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub n: usize,
    pub c: usize,
    pub groups: usize,
    pub hxw: usize,
}

impl Layout {
    /// The layout of `x` of `shape` `(N, C, *)` split into `groups` groups.
    pub fn of(shape: &[usize], groups: usize) -> Layout {
        Layout { n: shape[0], c: shape[1], groups, hxw: shape[2..].iter().product() }
    }

    fn d(&self) -> usize {
        self.c / self.groups
    }

    fn row(&self) -> usize {
        self.d() * self.hxw
    }
}

/// `1 / sqrt(max(var, 0) + eps)`: PyTorch adds the `double` eps, so an f32
/// variance is widened, and the reciprocal square root rounded to f32 once.
fn rstd<T: Float>(var: T, eps: f64) -> T {
    let var = if var > T::ZERO { var } else { T::ZERO };
    T::from_f64(1.0 / (var.to_f64() + eps).sqrt())
}

/// The mean and rstd of every (sample, group), in order.
fn statistics<T: Float>(x: &[T], l: Layout, eps: f64) -> Vec<(T, T)> {
    if l.row() == 0 {
        return vec![(T::ZERO, rstd(T::ZERO, eps)); l.n * l.groups];
    }
    x.chunks(l.row())
        .map(|row| {
            let (mean, var) = row_moments(row);
            (mean, rstd(var, eps))
        })
        .collect()
}

/// The forward: `(x - mean) * rstd` without a weight and a bias; with either,
/// `scale * x + shift` per channel, `scale = rstd * weight` and `shift =
/// -scale * mean + bias`, each sum of a product fused.
pub fn group_norm<T: Float>(x: &[T], l: Layout, weight: Option<&[T]>, bias: Option<&[T]>, eps: f64) -> Vec<T> {
    let mut out = vec![T::ZERO; x.len()];
    let (d, hxw) = (l.d(), l.hxw);
    for (i, (mean, rstd)) in statistics(x, l, eps).into_iter().enumerate() {
        let g = i % l.groups;
        let row = i * l.row()..(i + 1) * l.row();
        if weight.is_none() && bias.is_none() {
            for (o, &v) in out[row.clone()].iter_mut().zip(&x[row]) {
                *o = (v - mean) * rstd;
            }
            continue;
        }
        for j in 0..d {
            let c = g * d + j;
            let scale = rstd * weight.map_or(T::ONE, |w| w[c]);
            let shift = (-scale).mul_add(mean, bias.map_or(T::ZERO, |b| b[c]));
            let plane = (i * d + j) * hxw..(i * d + j + 1) * hxw;
            for (o, &v) in out[plane.clone()].iter_mut().zip(&x[plane]) {
                *o = scale.mul_add(v, shift);
            }
        }
    }
    out
}

/// `ds = sum(grad * x)` and `db = sum(grad)` of each (sample, channel) plane
/// (`ComputeInternalGradients`: `map2_reduce_all` and `reduce_all`).
fn plane_sums<T: Float>(grad: &[T], x: &[T], l: Layout) -> (Vec<T>, Vec<T>) {
    let planes = l.n * l.c;
    if l.hxw == 0 {
        return (vec![T::ZERO; planes], vec![T::ZERO; planes]);
    }
    grad.chunks(l.hxw).zip(x.chunks(l.hxw)).map(|(g, x)| (plane_dot(g, x), dot_reduce(g, None))).unzip()
}

/// `CalcDsDb` then `std::accumulate`: the sums over a group's channels of
/// `ds * weight` and `db * weight`, whole vectors lane by lane (fused), their
/// lanes added from zero in order, then the channels past them. GCC
/// vectorized that last loop's products by half vectors, added in order, and
/// fused only the channels after the last half vector.
fn weighted_group_sums<T: Float>(ds: &[T], db: &[T], weight: Option<&[T]>) -> (T, T) {
    let lanes = lanes::<T>();
    let d = ds.len();
    let whole = d - d % lanes;
    let w = |j: usize| weight.map_or(T::ONE, |w| w[j]);
    let (mut sv, mut bv) = ([T::ZERO; MAX_LANES], [T::ZERO; MAX_LANES]);
    for start in (0..whole).step_by(lanes) {
        for l in 0..lanes {
            sv[l] = ds[start + l].mul_add(w(start + l), sv[l]);
            bv[l] = db[start + l].mul_add(w(start + l), bv[l]);
        }
    }
    let (mut s, mut b) = (T::ZERO, T::ZERO);
    for l in 0..lanes {
        s = s + sv[l];
        b = b + bv[l];
    }
    let half = lanes / 2;
    let rounded = whole + (d - whole) / half * half;
    for j in whole..d {
        if j < rounded {
            s = s + ds[j] * w(j);
            b = b + db[j] * w(j);
        } else {
            s = ds[j].mul_add(w(j), s);
            b = db[j].mul_add(w(j), b);
        }
    }
    (s, b)
}

/// The gradient for `x` (`GroupNormInputBackward`): per (sample, group),
/// `c1 * grad + c2 * x + c3` with `c1 = rstd * weight` per channel and `c2`,
/// `c3` from the group's weighted sums.
pub fn input_grad<T: Float>(grad: &[T], x: &[T], l: Layout, weight: Option<&[T]>, eps: f64) -> Vec<T> {
    let mut out = vec![T::ZERO; x.len()];
    let (d, hxw) = (l.d(), l.hxw);
    if l.row() == 0 {
        return out;
    }
    let (ds, db) = plane_sums(grad, x, l);
    let s = T::ONE / T::from_usize(l.row());
    for (i, (mean, rstd)) in statistics(x, l, eps).into_iter().enumerate() {
        let g = i % l.groups;
        let (ds_val, db_val) = weighted_group_sums(&ds[i * d..(i + 1) * d], &db[i * d..(i + 1) * d], weight.map(|w| &w[g * d..(g + 1) * d]));
        // GCC fused the first product of `c2` and the second of `c3`.
        let c2 = db_val.mul_add(mean, -ds_val) * rstd * rstd * rstd * s;
        let c3 = (-(db_val * rstd)).mul_add(s, -c2 * mean);
        for j in 0..d {
            let c1 = rstd * weight.map_or(T::ONE, |w| w[g * d + j]);
            let plane = (i * d + j) * hxw..(i * d + j + 1) * hxw;
            for ((o, &gv), &xv) in out[plane.clone()].iter_mut().zip(&grad[plane.clone()]).zip(&x[plane]) {
                *o = c1.mul_add(gv, c2 * xv) + c3;
            }
        }
    }
    out
}

/// The gradient for the weight (`GammaBackward`): for each channel, over the
/// samples in order from zero, `(ds - db * mean) * rstd`, both fused.
pub fn weight_grad<T: Float>(grad: &[T], x: &[T], l: Layout, eps: f64) -> Vec<T> {
    let (ds, db) = plane_sums(grad, x, l);
    let stats = statistics(x, l, eps);
    let d = l.d();
    let mut acc = vec![T::ZERO; l.c];
    for n in 0..l.n {
        for (c, a) in acc.iter_mut().enumerate() {
            let (mean, rstd) = stats[n * l.groups + c / d.max(1)];
            let k = n * l.c + c;
            *a = (-db[k]).mul_add(mean, ds[k]).mul_add(rstd, *a);
        }
    }
    acc
}

/// The gradient for the bias (`BetaBackward`): each channel's `db` summed over
/// the samples in order from zero.
pub fn bias_grad<T: Float>(grad: &[T], l: Layout) -> Vec<T> {
    let mut acc = vec![T::ZERO; l.c];
    if l.hxw == 0 {
        return acc;
    }
    for (k, g) in grad.chunks(l.hxw).enumerate() {
        let c = k % l.c;
        acc[c] = acc[c] + dot_reduce(g, None);
    }
    acc
}

/// `map2_reduce_all` of `grad * x` over one plane, as GCC compiled it in
/// `ComputeInternalGradients`: the layer norm's order ([`dot_reduce`]), but the
/// partial last vector's products are fused into the accumulators only for
/// f64; f32 rounds them first.
fn plane_dot<T: Float>(p: &[T], q: &[T]) -> T {
    if std::mem::size_of::<T>() == 8 {
        return dot_reduce(p, Some(q));
    }
    let lanes = lanes::<T>();
    let len = p.len();
    if len < lanes {
        return dot_reduce(p, Some(q));
    }
    let mut acc = [T::ZERO; MAX_LANES];
    for (l, a) in acc.iter_mut().enumerate().take(lanes) {
        *a = p[l] * q[l];
    }
    for start in (lanes..len).step_by(lanes) {
        for (l, a) in acc.iter_mut().enumerate().take((len - start).min(lanes)) {
            *a = *a + p[start + l] * q[start + l];
        }
    }
    horizontal_sum(&acc)
}
