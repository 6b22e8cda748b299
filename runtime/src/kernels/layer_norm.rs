//! `layer_norm` and its gradients with the bits of PyTorch 2.15's CPU kernels
//! (`aten/src/ATen/native/cpu/layer_norm_kernel.cpp` and `moments_utils.h`).
//!
//! PyTorch builds these kernels for AVX2 and not for AVX-512, so on an AVX-512
//! machine too they run 256-bit vectors: 8 `f32` or 4 `f64` lanes, each an
//! independent accumulator, emulated here lane by lane. Which multiply-adds are
//! fused (rounded once) is what GCC made of the C++ in PyTorch's release build:
//! read from its machine code and checked bit for bit against PyTorch on
//! random rows of every length class (`runtime/tests/layer_norm_reference.rs`).
//!
//! The rows are the last `dims` dimensions taken together; every gradient
//! recomputes the row statistics from `x`, which gives the forward's bits.

use super::float::Float;

/// Lanes of a 256-bit vector of `T`.
pub(super) fn lanes<T>() -> usize {
    32 / std::mem::size_of::<T>()
}

/// The largest lane count, for fixed-size lane arrays.
pub(super) const MAX_LANES: usize = 8;

/// PyTorch's `kChunkSize`: vectors folded by Welford's update before a chunk
/// joins the cascade.
const CHUNK: usize = 16;

/// PyTorch's `utils::CeilLog2`: ceil(log2(x)), but 1 for every x <= 2.
fn ceil_log2(x: usize) -> usize {
    if x <= 2 {
        1
    } else {
        (usize::BITS - (x - 1).leading_zeros()) as usize
    }
}

/// Count, mean and sum of squared deviations of each lane (PyTorch's m0, m1, m2).
#[derive(Clone, Copy)]
struct Moments<T> {
    count: usize,
    mean: [T; MAX_LANES],
    m2: [T; MAX_LANES],
}

impl<T: Float> Moments<T> {
    fn zero() -> Self {
        Moments { count: 0, mean: [T::ZERO; MAX_LANES], m2: [T::ZERO; MAX_LANES] }
    }

    /// PyTorch's `AddMomentsVec`: Chan's merge of `add` into `self`, with the
    /// one multiply-add its source spells out (`fmadd`).
    fn merge(&mut self, add: &Moments<T>) {
        let n = self.count + add.count;
        let c = if n == 0 { T::ZERO } else { T::from_usize(add.count) / T::from_usize(n) };
        let m0 = T::from_usize(self.count);
        for l in 0..lanes::<T>() {
            let delta = add.mean[l] - self.mean[l];
            let m2_sum = self.m2[l] + add.m2[l];
            let c_delta = c * delta;
            let m0_delta = delta * m0;
            self.mean[l] = self.mean[l] + c_delta;
            self.m2[l] = m0_delta.mul_add(c_delta, m2_sum);
        }
        self.count = n;
    }
}

/// Mean and biased variance of `row`: PyTorch's `RowwiseMoments` (Welford's
/// update within chunks of 16 vectors, the chunks merged by a binary cascade,
/// the lanes and the scalar tail merged last).
pub fn row_moments<T: Float>(row: &[T]) -> (T, T) {
    let lanes = lanes::<T>();
    let len = row.len();
    let vectors = len / lanes;
    let chunks = vectors.div_ceil(CHUNK);
    let depth = ceil_log2(chunks);
    let mut stack = vec![Moments::<T>::zero(); depth];
    for i in 0..chunks {
        let base = i * CHUNK * lanes;
        let count = CHUNK.min(vectors - i * CHUNK);
        let mut chunk = Moments::<T> { count, ..Moments::zero() };
        for j in 0..count {
            // `c_vecs[j]`, rounded in the dtype.
            let c = T::ONE / T::from_usize(j + 1);
            for l in 0..lanes {
                let x = row[base + j * lanes + l];
                let delta = x - chunk.mean[l];
                chunk.mean[l] = c.mul_add(delta, chunk.mean[l]);
                chunk.m2[l] = delta.mul_add(x - chunk.mean[l], chunk.m2[l]);
            }
        }
        stack[0].merge(&chunk);
        let mut mask = i + 1;
        let mut j = 1;
        while j < depth && mask & 1 == 0 {
            let lower = stack[j - 1];
            stack[j].merge(&lower);
            stack[j - 1] = Moments::zero();
            mask >>= 1;
            j += 1;
        }
    }
    for j in 1..depth {
        let upper = stack[j];
        stack[0].merge(&upper);
    }
    // The elements past the last whole vector, by Welford's scalar update.
    let (mut count, mut mean, mut m2) = (0usize, T::ZERO, T::ZERO);
    for &x in &row[vectors * lanes..] {
        let delta = x - mean;
        count += 1;
        mean = mean + delta / T::from_usize(count);
        m2 = m2 + delta * (x - mean);
    }
    // Then each lane joins by `AddMoments`, which GCC compiled with two fused
    // multiply-adds.
    let lanes_sum = &stack[0];
    for l in 0..lanes {
        let n = count + vectors;
        let c = if n == 0 { T::ZERO } else { T::from_usize(vectors) / T::from_usize(n) };
        let delta = lanes_sum.mean[l] - mean;
        mean = delta.mul_add(c, mean);
        m2 = m2 + (delta * delta * c).mul_add(T::from_usize(count), lanes_sum.m2[l]);
        count = n;
    }
    (mean, m2 / T::from_usize(len))
}

/// `1 / sqrt(var + eps)` in the dtype, as the forward kernel computes it.
pub(super) fn rstd<T: Float>(var: T, eps: f64) -> T {
    T::ONE / (var + T::from_f64(eps)).sqrt()
}

/// The forward: each row `(x - mean) * rstd`, times the weight plus the bias
/// in one rounding; without a weight, `(x - mean) * rstd + bias` in one
/// rounding (a missing bias is 0, as in PyTorch's scalar loop).
pub fn layer_norm<T: Float>(x: &[T], row_len: usize, weight: Option<&[T]>, bias: Option<&[T]>, eps: f64) -> Vec<T> {
    let mut out = vec![T::ZERO; x.len()];
    if row_len == 0 {
        return out;
    }
    for (row, dst) in x.chunks(row_len).zip(out.chunks_mut(row_len)) {
        let (mean, var) = row_moments(row);
        let scale = rstd(var, eps);
        let shift = -mean;
        for (j, (&xj, d)) in row.iter().zip(dst.iter_mut()).enumerate() {
            let b = bias.map_or(T::ZERO, |b| b[j]);
            *d = match weight {
                Some(w) => ((xj + shift) * scale).mul_add(w[j], b),
                // With the weight's 1 folded away, GCC fused the scaling and the shift.
                None => (xj + shift).mul_add(scale, b),
            };
        }
    }
    out
}

/// PyTorch's `vec_reduce_all` of a full 256-bit vector. For `f32` it has an
/// AVX2 specialization that halves by shuffles: lanes `l` and `l + 4` first
/// (`permute2f128`), then two apart and one apart. For `f64` it has none, and
/// the generic code adds the lanes left to right.
pub(super) fn horizontal_sum<T: Float>(acc: &[T; MAX_LANES]) -> T {
    let lanes = lanes::<T>();
    if lanes == 4 {
        return acc[1..lanes].iter().fold(acc[0], |s, &v| s + v);
    }
    let mut v = *acc;
    let mut width = lanes;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            v[l] = v[l] + v[l + width];
        }
    }
    v[0]
}

/// `vec::map2_reduce_all` / `map3_reduce_all` with `+`: the sum of `p[j] * q[j]`
/// (of `p[j]` alone without `q`) over a row, in PyTorch's order. A row shorter
/// than a vector is summed element by element; otherwise whole vectors add
/// lane by lane, the partial last vector's products are fused into the
/// accumulators (GCC contracted that step alone), and the lanes are summed
/// by [`horizontal_sum`].
pub(super) fn dot_reduce<T: Float>(p: &[T], q: Option<&[T]>) -> T {
    let lanes = lanes::<T>();
    let len = p.len();
    let prod = |j: usize| q.map_or(p[j], |q| p[j] * q[j]);
    if len < lanes {
        let mut acc = prod(0);
        for j in 1..len {
            acc = acc + prod(j);
        }
        return if len == 0 { T::ZERO } else { acc };
    }
    let mut acc = [T::ZERO; MAX_LANES];
    for (l, a) in acc.iter_mut().enumerate().take(lanes) {
        *a = prod(l);
    }
    let whole = len - len % lanes;
    let mut d = lanes;
    while d < whole {
        for (l, a) in acc.iter_mut().enumerate().take(lanes) {
            *a = *a + prod(d + l);
        }
        d += lanes;
    }
    for (l, a) in acc.iter_mut().enumerate().take(len - d) {
        *a = match q {
            Some(q) => p[d + l].mul_add(q[d + l], *a),
            None => *a + p[d + l],
        };
    }
    horizontal_sum(&acc)
}

/// The gradient for `x` (PyTorch's `layer_norm_backward_frame`):
/// `a * g * w + b * x + c` per row, with `a = rstd` and `b`, `c` from the
/// row's sums `ds = sum(g * x * w)` and `db = sum(g * w)`.
pub fn input_grad<T: Float>(grad: &[T], x: &[T], row_len: usize, weight: Option<&[T]>, eps: f64) -> Vec<T> {
    let mut out = vec![T::ZERO; x.len()];
    if row_len == 0 {
        return out;
    }
    let scale = T::ONE / T::from_usize(row_len);
    let mut gx = vec![T::ZERO; row_len];
    for ((g, row), dst) in grad.chunks(row_len).zip(x.chunks(row_len)).zip(out.chunks_mut(row_len)) {
        let (mean, var) = row_moments(row);
        let a = rstd(var, eps);
        let (ds, db) = match weight {
            None => (dot_reduce(g, Some(row)), dot_reduce(g, None)),
            Some(w) => {
                for ((p, &gj), &xj) in gx.iter_mut().zip(g).zip(row) {
                    *p = gj * xj;
                }
                (dot_reduce(&gx, Some(w)), dot_reduce(g, Some(w)))
            }
        };
        let b = db.mul_add(mean, -ds) * a * a * a * scale;
        let c = (-b).mul_add(mean, -(db * a * scale));
        for (j, d) in dst.iter_mut().enumerate() {
            let t = weight.map_or(a * g[j], |w| a * g[j] * w[j]);
            *d = b.mul_add(row[j], t) + c;
        }
    }
    out
}

/// The gradient for the weight: over the rows in order, `g * (a * x + b)`
/// accumulated from zero with `a = rstd`, `b = -a * mean`, both fused
/// (PyTorch's one-thread order: with more threads it sums each thread's rows
/// apart and then the threads' sums).
pub fn weight_grad<T: Float>(grad: &[T], x: &[T], row_len: usize, eps: f64) -> Vec<T> {
    let mut acc = vec![T::ZERO; row_len];
    if row_len == 0 {
        return acc;
    }
    for (g, row) in grad.chunks(row_len).zip(x.chunks(row_len)) {
        let (mean, var) = row_moments(row);
        let a = rstd(var, eps);
        let b = -a * mean;
        for ((s, &gj), &xj) in acc.iter_mut().zip(g).zip(row) {
            *s = a.mul_add(xj, b).mul_add(gj, *s);
        }
    }
    acc.into_iter().map(|s| T::ZERO + s).collect()
}

/// The gradient for the bias: the rows of `grad` summed in order from zero.
pub fn bias_grad<T: Float>(grad: &[T], row_len: usize) -> Vec<T> {
    let mut acc = vec![T::ZERO; row_len];
    if row_len == 0 {
        return acc;
    }
    for g in grad.chunks(row_len) {
        for (s, &gj) in acc.iter_mut().zip(g) {
            *s = *s + gj;
        }
    }
    acc.into_iter().map(|s| T::ZERO + s).collect()
}
