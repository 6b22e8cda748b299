//! The [`Conv`] family: `conv2d`, `conv_transpose2d` and the convolution's
//! weight gradient, each as general matrix products with the input's patches,
//! as PyTorch's `slow_conv2d` (`NaiveConvolutionTranspose2d.cpp`,
//! `ConvolutionMM2d.cpp`) computes them: one sample's patches unfolded into a
//! matrix (`im2col`), multiplied by the weight, and for the transpose folded
//! back by adding each patch's column into place (`col2im`).
//!
//! PyTorch runs f32 convolutions in oneDNN and f64 products in MKL, neither of
//! whose blocking graphc reproduces: results agree with PyTorch to rounding,
//! not bit for bit (`docs/NUMERICS.md` gives the measured differences). The
//! order of every sum here is fixed by the shapes, never by the threads: the
//! samples of a batch run in parallel, and the weight gradient adds the
//! samples' products in order.

use rayon::prelude::*;

use super::matmul::Gemm;
use crate::op::Conv;

/// A `[N, C, H, W]` shape's four sizes.
fn dims4(shape: &[usize]) -> [usize; 4] {
    assert_eq!(shape.len(), 4, "a convolution operand must be 4-D");
    [shape[0], shape[1], shape[2], shape[3]]
}

/// The outputs `lo..hi` along one axis whose tap reads inside the input (the
/// others read the padding), and the input position output `lo` reads.
#[derive(Clone, Copy)]
struct Tap {
    lo: usize,
    hi: usize,
    first: usize,
}

/// The geometry of one convolution: the convolution's input `[c, h, w]` per
/// group, its output `[oh, ow]`, the kernel `[kh, kw]`, and each tap's range
/// of outputs along the height and the width, computed once per call rather
/// than once per channel.
struct Geometry<'a> {
    conv: &'a Conv,
    c: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    kh: usize,
    kw: usize,
    rows: Vec<Tap>,
    columns: Vec<Tap>,
}

impl<'a> Geometry<'a> {
    /// The geometry of `conv` for per-group input `[c, h, w]`, output
    /// `[oh, ow]` and kernel `[kh, kw]`.
    #[allow(clippy::too_many_arguments)]
    fn new(conv: &'a Conv, c: usize, h: usize, w: usize, oh: usize, ow: usize, kh: usize, kw: usize) -> Self {
        let rows = (0..kh).map(|t| Self::tap(conv, 0, t, oh, h)).collect();
        let columns = (0..kw).map(|t| Self::tap(conv, 1, t, ow, w)).collect();
        Geometry { conv, c, h, w, oh, ow, kh, kw, rows, columns }
    }

    /// The rows of one group's patch matrix: `c * kh * kw`.
    fn depth(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// This geometry for `c` of its channels (the patch matrix's rows of
    /// those channels are contiguous: channel-major).
    fn channels(&self, c: usize) -> Geometry<'a> {
        Geometry {
            conv: self.conv,
            c,
            h: self.h,
            w: self.w,
            oh: self.oh,
            ow: self.ow,
            kh: self.kh,
            kw: self.kw,
            rows: self.rows.clone(),
            columns: self.columns.clone(),
        }
    }

    /// Tap `t` along `axis` (0: height, 1: width): the outputs whose input
    /// position, `o * stride + t * dilation - padding`, lies in `0..size`.
    fn tap(conv: &Conv, axis: usize, t: usize, outputs: usize, size: usize) -> Tap {
        let (s, d, p) = (conv.stride[axis], conv.dilation[axis], conv.padding[axis]);
        let offset = t * d;
        let lo = if p > offset { (p - offset).div_ceil(s) } else { 0 };
        let hi = if size + p > offset { ((size - 1 + p - offset) / s + 1).min(outputs) } else { 0 };
        let lo = lo.min(hi);
        let first = if lo < hi { lo * s + offset - p } else { 0 };
        Tap { lo, hi, first }
    }

    /// `im2col`: `cols` (`depth` rows of `oh * ow`) gets, for each channel and
    /// tap, the input values each output position reads (zero in the padding).
    fn unfold<T: Gemm>(&self, input: &[T], cols: &mut [T]) {
        let positions = self.oh * self.ow;
        if self.dense() {
            return self.unfold_dense(input, cols);
        }
        let (sy, sx) = (self.conv.stride[0], self.conv.stride[1]);
        for c in 0..self.c {
            let plane = &input[c * self.h * self.w..(c + 1) * self.h * self.w];
            for (i, ty) in self.rows.iter().enumerate() {
                for (j, tx) in self.columns.iter().enumerate() {
                    let row = &mut cols[((c * self.kh + i) * self.kw + j) * positions..][..positions];
                    let inside = tx.hi - tx.lo;
                    if inside == 0 || ty.lo == ty.hi {
                        row.fill(T::ZERO);
                        continue;
                    }
                    row[..ty.lo * self.ow].fill(T::ZERO);
                    row[ty.hi * self.ow..].fill(T::ZERO);
                    let padded = inside < self.ow;
                    for oy in ty.lo..ty.hi {
                        let from = (ty.first + (oy - ty.lo) * sy) * self.w + tx.first;
                        let out = &mut row[oy * self.ow..(oy + 1) * self.ow];
                        if padded {
                            out[..tx.lo].fill(T::ZERO);
                            out[tx.hi..].fill(T::ZERO);
                        }
                        let out = &mut out[tx.lo..tx.hi];
                        if sx == 1 {
                            copy_run(out, &plane[from..from + inside]);
                        } else {
                            for (k, v) in out.iter_mut().enumerate() {
                                *v = plane[from + k * sx];
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether every tap reads inside the input at every output (no padding
    /// reached) with unit strides: then each patch row is `oh` runs of `ow`
    /// values, one per input row.
    fn dense(&self) -> bool {
        self.conv.stride == [1, 1]
            && self.rows.iter().all(|t| t.lo == 0 && t.hi == self.oh)
            && self.columns.iter().all(|t| t.lo == 0 && t.hi == self.ow)
    }

    /// [`Geometry::unfold`] for a [`Geometry::dense`] convolution, with no
    /// range tests in its loops: on small images the runs are a few values
    /// long, and the loop's bookkeeping cost more than the copies.
    fn unfold_dense<T: Gemm>(&self, input: &[T], cols: &mut [T]) {
        let (h, w, oh, ow) = (self.h, self.w, self.oh, self.ow);
        let mut rows = cols.chunks_exact_mut(oh * ow);
        for plane in input.chunks_exact(h * w).take(self.c) {
            for ty in &self.rows {
                for tx in &self.columns {
                    let row = rows.next().expect("a patch row per channel and tap");
                    let first = ty.first * w + tx.first;
                    for oy in 0..oh {
                        let from = first + oy * w;
                        copy_run(&mut row[oy * ow..(oy + 1) * ow], &plane[from..from + ow]);
                    }
                }
            }
        }
    }

    /// [`Geometry::fold`] for a [`Geometry::dense`] convolution, with the
    /// channels innermost. A channel's taps add overlapping runs into its
    /// small plane, and a run read back while the overlapping one before it
    /// is still being stored waits for the store (on 6x6 images, most of the
    /// fold's time); between two runs into one plane, the other channels'
    /// runs now pass. Each element still gets its taps' values in the taps'
    /// order.
    fn fold_dense<T: Gemm>(&self, cols: &[T], out: &mut [T]) {
        let (h, w, oh, ow) = (self.h, self.w, self.oh, self.ow);
        let positions = oh * ow;
        let per_channel = self.kh * self.kw * positions;
        for (i, ty) in self.rows.iter().enumerate() {
            for (j, tx) in self.columns.iter().enumerate() {
                let tap = (i * self.kw + j) * positions;
                for oy in 0..oh {
                    let to = (ty.first + oy) * w + tx.first;
                    let from = tap + oy * ow;
                    for c in 0..self.c {
                        let plane = &mut out[c * h * w..(c + 1) * h * w];
                        add_run(&mut plane[to..to + ow], &cols[c * per_channel + from..][..ow]);
                    }
                }
            }
        }
    }

    /// `col2im`: each column value of `cols` added to the input position it
    /// was read from, taps in order, into `out` (one group's `[c, h, w]`).
    fn fold<T: Gemm>(&self, cols: &[T], out: &mut [T]) {
        let positions = self.oh * self.ow;
        if self.dense() {
            return self.fold_dense(cols, out);
        }
        let (sy, sx) = (self.conv.stride[0], self.conv.stride[1]);
        for c in 0..self.c {
            let plane = &mut out[c * self.h * self.w..(c + 1) * self.h * self.w];
            for (i, ty) in self.rows.iter().enumerate() {
                for (j, tx) in self.columns.iter().enumerate() {
                    let row = &cols[((c * self.kh + i) * self.kw + j) * positions..][..positions];
                    if tx.lo == tx.hi {
                        continue;
                    }
                    for (k, oy) in (ty.lo..ty.hi).enumerate() {
                        let dst = &mut plane[(ty.first + k * sy) * self.w..][..self.w];
                        let values = &row[oy * self.ow + tx.lo..oy * self.ow + tx.hi];
                        if sx == 1 {
                            add_run(&mut dst[tx.first..tx.first + values.len()], values);
                            continue;
                        }
                        for (k, v) in values.iter().enumerate() {
                            let x = tx.first + k * sx;
                            dst[x] = dst[x] + *v;
                        }
                    }
                }
            }
        }
    }
}

/// `dst = src` for the short runs of an unfold (a patch row is often a few
/// values wide). A run of up to 16 values is copied in two fixed-size moves
/// that may overlap (its first and last 8, 4 or 2 values), without a loop:
/// LLVM turns a copying loop back into a call to `memcpy`, and on small images
/// that call cost more than the copy (a third of a 3x3 convolution's forward
/// on 6x6 images).
#[inline(always)]
fn copy_run<T: Copy>(dst: &mut [T], src: &[T]) {
    let n = dst.len();
    let src = &src[..n];
    match n {
        0 => {}
        1 => dst[0] = src[0],
        2..4 => {
            move_block::<T, 2>(dst, src, 0);
            move_block::<T, 2>(dst, src, n - 2);
        }
        4..8 => {
            move_block::<T, 4>(dst, src, 0);
            move_block::<T, 4>(dst, src, n - 4);
        }
        8..=16 => {
            move_block::<T, 8>(dst, src, 0);
            move_block::<T, 8>(dst, src, n - 8);
        }
        _ => dst.copy_from_slice(src),
    }
}

/// `dst += src` elementwise for the short runs of a fold, as [`copy_run`]
/// copies them: up to 16 values in blocks of 8, 4, 2 and 1 without a loop,
/// each element added once (the blocks do not overlap), so the sums are those
/// of the element-by-element loop.
#[inline(always)]
fn add_run<T: Gemm>(dst: &mut [T], src: &[T]) {
    let n = dst.len();
    let src = &src[..n];
    if n > 16 {
        dst.iter_mut().zip(src).for_each(|(d, s)| *d = *d + *s);
        return;
    }
    let mut k = 0;
    if n >= 8 {
        add_block::<T, 8>(dst, src, 0);
        k = 8;
    }
    let rest = n - k;
    if rest >= 8 {
        add_block::<T, 8>(dst, src, k);
        return;
    }
    if rest & 4 != 0 {
        add_block::<T, 4>(dst, src, k);
        k += 4;
    }
    if rest & 2 != 0 {
        add_block::<T, 2>(dst, src, k);
        k += 2;
    }
    if rest & 1 != 0 {
        dst[k] = dst[k] + src[k];
    }
}

/// `dst[at..at + N] += src[at..at + N]` on fixed-size blocks.
#[inline(always)]
fn add_block<T: Gemm, const N: usize>(dst: &mut [T], src: &[T], at: usize) {
    let from: &[T; N] = src[at..at + N].try_into().expect("a block of N values");
    let to: &mut [T; N] = (&mut dst[at..at + N]).try_into().expect("a block of N values");
    // Both blocks are read before the sum is stored, so that LLVM may add
    // them as vectors (element by element, it keeps each store before the
    // next load, in case they overlap).
    let mut sum = *to;
    for (d, s) in sum.iter_mut().zip(from) {
        *d = *d + *s;
    }
    *to = sum;
}

/// `dst[at..at + N] = src[at..at + N]` as one fixed-size move.
#[inline(always)]
fn move_block<T: Copy, const N: usize>(dst: &mut [T], src: &[T], at: usize) {
    let from: &[T; N] = src[at..at + N].try_into().expect("a block of N values");
    let to: &mut [T; N] = (&mut dst[at..at + N]).try_into().expect("a block of N values");
    *to = *from;
}

/// Adds channel `c`'s bias to every element of plane `c` of one sample, after
/// the product, as PyTorch's `slow_conv2d` adds it.
fn add_bias<T: Gemm>(sample: &mut [T], bias: Option<&[T]>, plane: usize) {
    if let Some(b) = bias {
        for (ch, values) in sample.chunks_mut(plane).enumerate() {
            values.iter_mut().for_each(|v| *v = *v + b[ch]);
        }
    }
}

/// `conv2d(x, w, b)`: for each sample and group, the weight's rows times the
/// patch matrix, then the bias added to each output channel.
pub fn conv2d<T: Gemm>(conv: &Conv, x: &[T], x_shape: &[usize], w: &[T], w_shape: &[usize], bias: Option<&[T]>, out_shape: &[usize]) -> Vec<T> {
    let [n, c, h, wd] = dims4(x_shape);
    let [o, cg, kh, kw] = dims4(w_shape);
    let [_, _, oh, ow] = dims4(out_shape);
    let g = conv.groups;
    let og = o / g;
    let geo = Geometry::new(conv, cg, h, wd, oh, ow, kh, kw);
    let positions = oh * ow;
    let mut out = vec![T::ZERO; n * o * positions];
    if out.is_empty() {
        return out;
    }
    out.par_chunks_mut(o * positions).enumerate().for_each_init(
        || vec![T::ZERO; geo.depth() * positions],
        |cols, (s, y)| {
            for gi in 0..g {
                geo.unfold(&x[(s * c + gi * cg) * h * wd..][..cg * h * wd], cols);
                let weight = &w[gi * og * geo.depth()..][..og * geo.depth()];
                T::gemm(og, geo.depth(), positions, weight, cols, &mut y[gi * og * positions..][..og * positions]);
            }
            add_bias(y, bias, positions);
        },
    );
    out
}

/// `conv_transpose2d(x, w, b)` (the gradient of `conv2d` for its input): for
/// each sample and group, the weight's columns times the sample's channels
/// give one patch matrix of the result, folded back into place.
pub fn conv_transpose2d<T: Gemm>(
    conv: &Conv,
    x: &[T],
    x_shape: &[usize],
    w: &[T],
    w_shape: &[usize],
    bias: Option<&[T]>,
    out_shape: &[usize],
) -> Vec<T> {
    let [n, o, oh, ow] = dims4(x_shape);
    let [_, cg, kh, kw] = dims4(w_shape);
    let [_, c, h, wd] = dims4(out_shape);
    let g = conv.groups;
    let og = o / g;
    let geo = Geometry::new(conv, cg, h, wd, oh, ow, kh, kw);
    let positions = oh * ow;
    let mut out = vec![T::ZERO; n * c * h * wd];
    if out.is_empty() {
        return out;
    }
    out.par_chunks_mut(c * h * wd).enumerate().for_each_init(
        || vec![T::ZERO; geo.depth() * positions],
        |cols, (s, y)| {
            for gi in 0..g {
                let weight = &w[gi * og * geo.depth()..][..og * geo.depth()];
                let input = &x[(s * o + gi * og) * positions..][..og * positions];
                // cols (depth x positions) = weight^T (depth x og) @ input (og x positions).
                T::gemm_strided(geo.depth(), og, positions, (weight, 1, geo.depth()), (input, positions, 1), cols);
                geo.fold(cols, &mut y[gi * cg * h * wd..][..cg * h * wd]);
            }
            add_bias(y, bias, h * wd);
        },
    );
    out
}

/// The gradient of `conv2d` for its weight: for each group, the sum over the
/// samples of `grad` (og x positions) times the patch matrix transposed, each
/// sample's product added in the samples' order, so the sum does not depend
/// on the threads.
///
/// The work is split by the weight's columns (its input channels) when there
/// are enough of them, so that each thread unfolds only its channels' patches,
/// or else by its rows (its output channels), each thread unfolding the
/// (then small) patch matrix itself. A thread forms its block of the product
/// transposed, `patches (its rows) @ grad^T`: the block then has as many
/// columns as output channels, which the narrow f32 product (`skinny.rs`)
/// serves without packing, with the bits of the untransposed product (one
/// chain of multiply-adds along the positions per element either way).
pub fn weight_grad<T: Gemm>(conv: &Conv, grad: &[T], grad_shape: &[usize], x: &[T], x_shape: &[usize], out_shape: &[usize]) -> Vec<T> {
    let [n, o, oh, ow] = dims4(grad_shape);
    let [_, c, h, wd] = dims4(x_shape);
    let [_, cg, kh, kw] = dims4(out_shape);
    let g = conv.groups;
    let og = o / g;
    let geo = Geometry::new(conv, cg, h, wd, oh, ow, kh, kw);
    let positions = oh * ow;
    let taps = kh * kw;
    let depth = geo.depth();
    let mut out = vec![T::ZERO; o * depth];
    if out.is_empty() {
        return out;
    }
    let threads = rayon::current_num_threads().max(1);
    // Each task: a group, a range of its input channels and one of its
    // output channels.
    let mut tasks = Vec::new();
    for gi in 0..g {
        if cg >= threads {
            tasks.extend(even_ranges(cg, threads).map(|cs| (gi, cs, 0..og)));
        } else {
            tasks.extend(even_ranges(og, threads.min(og)).map(|os| (gi, 0..cg, os)));
        }
    }
    let blocks: Vec<Vec<T>> = tasks
        .par_iter()
        .map(|(gi, cs, os)| {
            let part = geo.channels(cs.len());
            let (rows, columns) = (cs.len() * taps, os.len());
            let mut cols = vec![T::ZERO; rows * positions];
            let mut grad_t = vec![T::ZERO; positions * columns];
            let mut product = vec![T::ZERO; rows * columns];
            // block[d][o]: this task's patch rows by its output channels.
            let mut block = vec![T::ZERO; rows * columns];
            for s in 0..n {
                part.unfold(&x[((s * c + gi * cg + cs.start) * h) * wd..][..cs.len() * h * wd], &mut cols);
                // The sample's gradient transposed (positions x columns), so
                // that the product reads its rows where they lie.
                let gs = &grad[(s * o + gi * og + os.start) * positions..][..os.len() * positions];
                for (k, values) in gs.chunks_exact(positions).enumerate() {
                    for (p, v) in values.iter().enumerate() {
                        grad_t[p * columns + k] = *v;
                    }
                }
                // product (rows x columns) = cols (rows x positions) @ grad_t.
                T::gemm(rows, positions, columns, &cols, &grad_t, &mut product);
                block.iter_mut().zip(&product).for_each(|(a, b)| *a = *a + *b);
            }
            block
        })
        .collect();
    for ((gi, cs, os), block) in tasks.iter().zip(&blocks) {
        for (d, values) in block.chunks_exact(os.len()).enumerate() {
            for (k, v) in values.iter().enumerate() {
                out[(gi * og + os.start + k) * depth + cs.start * taps + d] = *v;
            }
        }
    }
    out
}

/// `0..len` cut into `parts` consecutive ranges whose lengths differ by at most one.
fn even_ranges(len: usize, parts: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..parts).map(move |k| len * k / parts..len * (k + 1) / parts).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::ConvPart;

    fn conv(stride: usize, padding: usize, dilation: usize, groups: usize, part: ConvPart) -> Conv {
        Conv { stride: [stride; 2], padding: [padding; 2], dilation: [dilation; 2], groups, part }
    }

    /// The definition, one output element at a time, in f64.
    fn direct(p: &Conv, x: &[f64], xs: [usize; 4], w: &[f64], ws: [usize; 4], os: [usize; 4]) -> Vec<f64> {
        let [n, c, h, wd] = xs;
        let [o, cg, kh, kw] = ws;
        let og = o / p.groups;
        let mut out = vec![0.0; n * o * os[2] * os[3]];
        for s in 0..n {
            for oc in 0..o {
                let gi = oc / og;
                for oy in 0..os[2] {
                    for ox in 0..os[3] {
                        let mut acc = 0.0;
                        for ci in 0..cg {
                            for i in 0..kh {
                                for j in 0..kw {
                                    let y = (oy * p.stride[0] + i * p.dilation[0]) as isize - p.padding[0] as isize;
                                    let xx = (ox * p.stride[1] + j * p.dilation[1]) as isize - p.padding[1] as isize;
                                    if y >= 0 && xx >= 0 && (y as usize) < h && (xx as usize) < wd {
                                        let cc = gi * cg + ci;
                                        acc += x[((s * c + cc) * h + y as usize) * wd + xx as usize] * w[((oc * cg + ci) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                        out[((s * o + oc) * os[2] + oy) * os[3] + ox] = acc;
                    }
                }
            }
        }
        out
    }

    fn values(len: usize, seed: u64) -> Vec<f64> {
        (0..len).map(|i| (((i as u64 * 2654435761 + seed * 40503) % 1000) as f64) / 500.0 - 1.0).collect()
    }

    /// Each case's forward against the definition, and the transpose and the
    /// weight gradient against the adjoint identities
    /// `<conv(x, w), y> = <x, conv_t(y, w)> = <w, weight_grad(y, x)>`.
    #[test]
    fn products_match_the_definition_and_its_adjoints() {
        // One input channel: the weight gradient splits its output channels
        // over the threads rather than its input channels.
        let cases =
            [(1, 0, 1, 1, 6), (2, 1, 1, 1, 6), (1, 2, 2, 1, 6), (2, 0, 1, 2, 6), (3, 1, 2, 3, 6), (1, 0, 1, 1, 1), (1, 1, 1, 1, 1), (1, 0, 2, 1, 6)];
        for (stride, padding, dilation, groups, channels) in cases {
            let p = conv(stride, padding, dilation, groups, ConvPart::Forward { bias: false });
            let xs = [2, channels, 7, 6];
            let ws = [2 * groups, channels / groups, 3, 2];
            let oh = p.output_size(0, xs[2], ws[2]).unwrap();
            let ow = p.output_size(1, xs[3], ws[3]).unwrap();
            let os = [xs[0], ws[0], oh, ow];
            let x = values(xs.iter().product(), 1);
            let w = values(ws.iter().product(), 2);
            let y = conv2d(&p, &x, &xs, &w, &ws, None, &os);
            let want = direct(&p, &x, xs, &w, ws, os);
            for (a, b) in y.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "conv2d {stride} {padding} {dilation} {groups}: {a} vs {b}");
            }
            let r = values(os.iter().product(), 3);
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a * b).sum::<f64>();
            let xt = conv_transpose2d(&p, &r, &os, &w, &ws, None, &xs);
            let wg = weight_grad(&p, &r, &os, &x, &xs, &ws);
            let lhs = dot(&y, &r);
            assert!((lhs - dot(&x, &xt)).abs() < 1e-9, "conv_transpose2d is not conv2d's adjoint for {stride} {padding} {dilation} {groups}");
            assert!((lhs - dot(&w, &wg)).abs() < 1e-9, "weight_grad is not conv2d's adjoint for {stride} {padding} {dilation} {groups}");
        }
    }

    /// A weight gradient over more samples than one block gives the same bits
    /// as the samples' products added one by one in order.
    #[test]
    fn weight_grad_adds_samples_in_order() {
        let p = conv(1, 1, 1, 1, ConvPart::WeightGrad);
        let (xs, ws) = ([19, 2, 5, 5], [3, 2, 3, 3]);
        let os = [19, 3, 5, 5];
        let x: Vec<f32> = values(xs.iter().product(), 4).into_iter().map(|v| v as f32).collect();
        let r: Vec<f32> = values(os.iter().product(), 5).into_iter().map(|v| v as f32).collect();
        let all = weight_grad(&p, &r, &os, &x, &xs, &ws);
        let mut want = vec![0f32; ws.iter().product()];
        for s in 0..19 {
            let one = weight_grad(&p, &r[s * 75..(s + 1) * 75], &[1, 3, 5, 5], &x[s * 50..(s + 1) * 50], &[1, 2, 5, 5], &ws);
            want.iter_mut().zip(&one).for_each(|(a, b)| *a += *b);
        }
        assert_eq!(all, want);
    }
}
