//! The reductions of [`ReduceKind`] over a set of dimensions, each in the order
//! and precision of PyTorch's CPU kernel:
//!
//! * `sum` and `mean`: [`super::reduce::sum_dims`] (the cascade order), the mean
//!   divided by the count afterwards, as `mean` is `sum(...).div_(count)`.
//! * `amax`, `amin`: the extreme element, NaN if any element is NaN (order does
//!   not change the result).
//! * `var`, `std`: when the result has one element, PyTorch's `std_var_all_cpu`:
//!   the mean in the dtype (`x.mean()`), then the squared deviations summed in f64
//!   in element order; otherwise Welford's algorithm in f64 (`WelfordOps`),
//!   element by element in row-major order of the reduced dimensions. Both divide
//!   by `max(0, n - correction)` in f64 and round to the dtype at the end.
//! * `var_mean`: Welford for every shape, its running mean as the mean.
//! * `logsumexp`: `amax` with keepdim, infinite maxima replaced by 0, `exp(x - max)`
//!   summed in the cascade order, then `log(sum) + max` in the dtype.
//! * `norm`: the p-norm accumulated in the dtype (`NormTwoOps`, `NormOneOps`,
//!   `NormOps` with `pow(|x|, p)` and `pow(acc, 1/p)`). The 2-norm over trailing
//!   dimensions takes PyTorch's vectorized last-dimension path instead
//!   ([`norm_two_lastdim`]), in the order of its compiled code, checked bit for
//!   bit against PyTorch 2.15.
//! * `prod`: PyTorch's grouping of the products by vector lanes
//!   ([`super::prod_reduce`]).

use super::float::Float;
use super::reduce::sum_dims;
use crate::op::ReduceKind;

/// The input offsets of a reduction: `bases[o]` is where output element `o`
/// (row-major over the kept dimensions) starts, and `offsets` lists the reduced
/// elements relative to it in row-major order of the reduced dimensions.
pub struct Groups {
    pub bases: Vec<usize>,
    pub offsets: Vec<usize>,
}

impl Groups {
    pub fn new(shape: &[usize], dims: &[usize]) -> Groups {
        let mut strides = vec![1; shape.len()];
        for d in (0..shape.len().saturating_sub(1)).rev() {
            strides[d] = strides[d + 1] * shape[d + 1];
        }
        // The row-major offsets over the reduced dimensions, or over the kept ones.
        let walk = |reduced: bool| {
            let mut offs = vec![0usize];
            for d in 0..shape.len() {
                if dims.contains(&d) == reduced {
                    let (size, stride) = (shape[d], strides[d]);
                    offs = offs.iter().flat_map(|&o| (0..size).map(move |i| o + i * stride)).collect();
                }
            }
            offs
        };
        Groups { bases: walk(false), offsets: walk(true) }
    }

    /// The elements of output `o`'s group, in PyTorch's reduction order.
    fn group<'a, T: Copy>(&'a self, src: &'a [T], o: usize) -> impl Iterator<Item = T> + 'a {
        let base = self.bases[o];
        self.offsets.iter().map(move |&k| src[base + k])
    }
}

/// `kind` over `dims` of a contiguous `src` of `shape`; the result is in row-major
/// order of the kept dimensions (which serves keepdim and not alike).
pub fn reduce<T: Float>(kind: ReduceKind, src: &[T], shape: &[usize], dims: &[usize]) -> Vec<T> {
    let flags: Vec<bool> = (0..shape.len()).map(|d| dims.contains(&d)).collect();
    // The elements of each group, and the groups (the output's elements).
    let n: usize = shape.iter().zip(&flags).filter(|(_, &r)| r).map(|(s, _)| s).product();
    let groups: usize = shape.iter().zip(&flags).filter(|(_, &r)| !r).map(|(s, _)| s).product();
    // The kinds that walk the groups element by element need their offsets,
    // which cost as much memory as the input: the others do without them.
    match kind {
        ReduceKind::Sum => return sum_dims(src, shape, &flags),
        ReduceKind::Mean => {
            let c = T::from_usize(n);
            return sum_dims(src, shape, &flags).into_iter().map(|s| s / c).collect();
        }
        ReduceKind::Var(c) | ReduceKind::Std(c) if groups == 1 => {
            let sqrt = matches!(kind, ReduceKind::Std(_));
            return vec![var_all(src, c.get(), sqrt)];
        }
        // Trailing reduced dimensions make each group one contiguous run, `n` long.
        ReduceKind::Norm(p) if p.get() == 2.0 && trailing(shape, dims) => {
            return (0..groups).map(|o| norm_two_lastdim(&src[o * n..(o + 1) * n])).collect();
        }
        // PyTorch groups a contiguous run's products by vector lanes (`prod_reduce.rs`).
        ReduceKind::Prod | ReduceKind::ProdAll => return super::prod_reduce::prod(src, shape, dims),
        ReduceKind::BatchMean => return super::batch_norm::mean(src, shape),
        ReduceKind::BatchVarSum => return super::batch_norm::var_sum(src, shape),
        ReduceKind::NllSum => return vec![nll_cascade(src, None)],
        ReduceKind::NllSumSkipping => unreachable!("the kernel with the mask (`kernels/mod.rs`) takes it"),
        ReduceKind::NllMean => return vec![nll_cascade(src, None) / T::from_usize(src.len())],
        _ => {}
    }
    let g = Groups::new(shape, dims);
    let outs = 0..g.bases.len();
    match kind {
        ReduceKind::Amax => outs.map(|o| extreme(g.group(src, o), |v, acc| v > acc)).collect(),
        ReduceKind::Amin => outs.map(|o| extreme(g.group(src, o), |v, acc| v < acc)).collect(),
        ReduceKind::Var(c) => outs.map(|o| welford(g.group(src, o), c.get()).0).collect(),
        ReduceKind::Std(c) => outs.map(|o| T::from_f64(welford(g.group(src, o), c.get()).1.sqrt())).collect(),
        ReduceKind::VarMeanVar(c) => outs.map(|o| welford(g.group(src, o), c.get()).0).collect(),
        ReduceKind::VarMeanMean => outs.map(|o| welford(g.group(src, o), 0.0).2).collect(),
        ReduceKind::LogSumExp => logsumexp(src, shape, &flags, &g),
        ReduceKind::Norm(p) => outs.map(|o| norm(g.group(src, o), p.get())).collect(),
        ReduceKind::SeqSum => outs.map(|o| g.group(src, o).fold(T::ZERO, |acc, v| acc + v)).collect(),
        ReduceKind::Sum
        | ReduceKind::Mean
        | ReduceKind::Prod
        | ReduceKind::ProdAll
        | ReduceKind::BatchMean
        | ReduceKind::BatchVarSum
        | ReduceKind::NllSum
        | ReduceKind::NllMean
        | ReduceKind::NllSumSkipping => {
            unreachable!("reduced above without the groups")
        }
    }
}

/// The sum of every element of `src` as PyTorch's `nll_loss_out_frame` adds
/// up its per-sample losses: a cascade of 8 partial sums, each element added
/// to the first, and after element `b` each partial `j` moved into the next
/// while the `j`-th group of `level_power` bits of `b` is zero (groups of
/// 16 elements below 2^32 of them); then the partials added in order from 0.
/// The kernel subtracts each sample's log-probability where this adds its
/// negation, which rounds the same. A sample that `skip` marks (an ignored
/// class) is passed over, its cascade step included, as the kernel's
/// `continue` passes it.
pub fn nll_cascade<T: Float>(src: &[T], skip: Option<&[bool]>) -> T {
    const LEVELS: usize = 8;
    let ceil_log2 = if src.len() <= 1 { 0 } else { usize::BITS - (src.len() - 1).leading_zeros() } as usize;
    let level_power = (ceil_log2 / LEVELS).max(4);
    let level_mask = (1usize << level_power) - 1;
    let mut partial = [T::ZERO; LEVELS];
    for (b, &v) in src.iter().enumerate() {
        if skip.is_some_and(|s| s[b]) {
            continue;
        }
        partial[0] = partial[0] + v;
        for j in 0..LEVELS - 1 {
            if b & (level_mask << (j * level_power)) != 0 {
                break;
            }
            partial[j + 1] = partial[j + 1] + partial[j];
            partial[j] = T::ZERO;
        }
    }
    partial.iter().fold(T::ZERO, |acc, &p| acc + p)
}

/// The element that `better` prefers over every other, or NaN if there is one.
fn extreme<T: Float>(mut xs: impl Iterator<Item = T>, better: impl Fn(T, T) -> bool) -> T {
    let Some(mut acc) = xs.next() else { return T::NAN };
    for v in xs {
        if acc.is_nan() {
            break;
        }
        if v.is_nan() || better(v, acc) {
            acc = v;
        }
    }
    acc
}

/// PyTorch's `std_var_all_cpu`: the dtype's mean, then the f64 sum of squared
/// deviations, divided by `max(0, n - correction)`.
fn var_all<T: Float>(src: &[T], correction: f64, sqrt: bool) -> T {
    let n = src.len();
    let mean = (super::reduce::sum_all(src) / T::from_usize(n)).to_f64();
    let mut sum = 0.0f64;
    for &x in src {
        let d = x.to_f64() - mean;
        sum += d * d;
    }
    let var = sum / (n as f64 - correction).max(0.0);
    T::from_f64(if sqrt { var.sqrt() } else { var })
}

/// Welford's algorithm in f64 (PyTorch's `WelfordOps`): the variance rounded to
/// the dtype, the unrounded variance (for `std`), and the mean rounded to the dtype.
fn welford<T: Float>(xs: impl Iterator<Item = T>, correction: f64) -> (T, f64, T) {
    let (mut mean, mut m2, mut nf) = (0.0f64, 0.0f64, 0.0f64);
    for x in xs {
        let x = x.to_f64();
        nf += 1.0;
        let delta = x - mean;
        mean += delta / nf;
        m2 += delta * (x - mean);
    }
    let divisor = if nf > correction { nf - correction } else { 0.0 };
    let var = m2 / divisor;
    (T::from_f64(var), var, T::from_f64(mean))
}

/// `logsumexp` as PyTorch's composite computes it (see the module doc).
fn logsumexp<T: Float>(src: &[T], shape: &[usize], flags: &[bool], g: &Groups) -> Vec<T> {
    let maxes: Vec<T> = (0..g.bases.len())
        .map(|o| extreme(g.group(src, o), |v, acc| v > acc))
        .map(|m| if m.abs() == T::from_f64(f64::INFINITY) { T::ZERO } else { m })
        .collect();
    let mut shifted = vec![T::ZERO; src.len()];
    for (o, &m) in maxes.iter().enumerate() {
        for &k in &g.offsets {
            let i = g.bases[o] + k;
            shifted[i] = (src[i] - m).exp();
        }
    }
    let sums = sum_dims(&shifted, shape, flags);
    sums.into_iter().zip(maxes).map(|(s, m)| s.ln() + m).collect()
}

/// Whether the reduced dimensions are the last ones (size-1 dimensions aside),
/// so that each group is one contiguous run, as `is_reduce_lastdim` requires.
fn trailing(shape: &[usize], dims: &[usize]) -> bool {
    let mut seen_reduced = false;
    for (d, &s) in shape.iter().enumerate() {
        let reduced = dims.contains(&d);
        if s != 1 && seen_reduced && !reduced {
            return false;
        }
        seen_reduced |= reduced && s != 1;
    }
    true
}

/// PyTorch's vectorized 2-norm of a contiguous run (the last-dimension branch of
/// `norm_kernel_tensor_iterator_impl`), in the order its compiled code takes,
/// as `tools/numerics/norm_order.py` measured against PyTorch 2.15 on every
/// length 1 to 299 (docs/NUMERICS.md): each lane of a 256-bit accumulator sums
/// the squares of its elements of the whole vectors (a product, then an
/// addition: no fused multiply-add), and the lanes are added in order. The
/// source's scalar tail loop (`buffer[0] += x * x`) comes out of the compiler,
/// as far as the bits show, as 4-element vectors whose squares are rounded and
/// then added one by one, and fused multiply-adds for its last (up to 3)
/// elements; an f64 tail has at most 3 elements, so all of it is fused.
fn norm_two_lastdim<T: Float>(run: &[T]) -> T {
    let w = 32 / std::mem::size_of::<T>();
    let whole = run.len() - run.len() % w;
    // A fixed array (w is 8 or 4) and exact chunks, which the compiler keeps
    // in vector registers.
    let mut acc = [T::ZERO; 8];
    for chunk in run[..whole].chunks_exact(w) {
        for i in 0..w {
            acc[i] = acc[i] + chunk[i] * chunk[i];
        }
    }
    let mut total = acc[1..w].iter().fold(acc[0], |s, &a| s + a);
    let tail = &run[whole..];
    let grouped = tail.len() - tail.len() % 4;
    for &v in &tail[..grouped] {
        total = total + v * v;
    }
    for &v in &tail[grouped..] {
        total = v.mul_add(v, total);
    }
    total.sqrt()
}

/// The p-norm of the elements, accumulated in the dtype.
fn norm<T: Float>(xs: impl Iterator<Item = T>, p: f64) -> T {
    let mut acc = T::ZERO;
    if p == 2.0 {
        for x in xs {
            acc = acc + x * x;
        }
        acc.sqrt()
    } else if p == 1.0 {
        for x in xs {
            acc = acc + x.abs();
        }
        acc
    } else {
        let pt = T::from_f64(p);
        for x in xs {
            acc = acc + x.abs().powf(pt);
        }
        acc.powf(T::ONE / pt)
    }
}
