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

/// The geometry of one convolution: the convolution's input `[c, h, w]` per
/// group, its output `[oh, ow]` and the kernel `[kh, kw]`.
struct Geometry<'a> {
    conv: &'a Conv,
    c: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    kh: usize,
    kw: usize,
}

impl Geometry<'_> {
    /// The rows of one group's patch matrix: `c * kh * kw`.
    fn depth(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// The outputs `lo..hi` along one axis (0: height, 1: width) whose tap
    /// `t` reads inside the input (the others read the padding), and the
    /// input position output `o` reads, `o * stride + t * dilation - padding`.
    fn taps(&self, axis: usize, t: usize, outputs: usize, size: usize) -> (usize, usize) {
        let (s, d, p) = (self.conv.stride[axis], self.conv.dilation[axis], self.conv.padding[axis]);
        let offset = t * d;
        let lo = if p > offset { (p - offset).div_ceil(s) } else { 0 };
        let hi = if size + p > offset { ((size - 1 + p - offset) / s + 1).min(outputs) } else { 0 };
        (lo.min(hi), hi)
    }

    /// The input position output `o` reads with tap `t` along `axis` (inside
    /// the input for `o` in [`Geometry::taps`]' range).
    fn source(&self, axis: usize, o: usize, t: usize) -> usize {
        o * self.conv.stride[axis] + t * self.conv.dilation[axis] - self.conv.padding[axis]
    }

    /// `im2col`: `cols` (`depth` rows of `oh * ow`) gets, for each channel and
    /// tap, the input values each output position reads (zero in the padding).
    fn unfold<T: Gemm>(&self, input: &[T], cols: &mut [T]) {
        let positions = self.oh * self.ow;
        for c in 0..self.c {
            let plane = &input[c * self.h * self.w..(c + 1) * self.h * self.w];
            for i in 0..self.kh {
                let (ylo, yhi) = self.taps(0, i, self.oh, self.h);
                for j in 0..self.kw {
                    let (xlo, xhi) = self.taps(1, j, self.ow, self.w);
                    let row = &mut cols[((c * self.kh + i) * self.kw + j) * positions..][..positions];
                    for oy in 0..self.oh {
                        let out = &mut row[oy * self.ow..(oy + 1) * self.ow];
                        if oy < ylo || oy >= yhi || xlo >= xhi {
                            out.fill(T::ZERO);
                            continue;
                        }
                        let src = &plane[self.source(0, oy, i) * self.w..][..self.w];
                        out[..xlo].fill(T::ZERO);
                        out[xhi..].fill(T::ZERO);
                        let x0 = self.source(1, xlo, j);
                        if self.conv.stride[1] == 1 {
                            out[xlo..xhi].copy_from_slice(&src[x0..x0 + (xhi - xlo)]);
                        } else {
                            for (k, v) in out[xlo..xhi].iter_mut().enumerate() {
                                *v = src[x0 + k * self.conv.stride[1]];
                            }
                        }
                    }
                }
            }
        }
    }

    /// `col2im`: each column value of `cols` added to the input position it
    /// was read from, taps in order, into `out` (one group's `[c, h, w]`).
    fn fold<T: Gemm>(&self, cols: &[T], out: &mut [T]) {
        let positions = self.oh * self.ow;
        for c in 0..self.c {
            let plane = &mut out[c * self.h * self.w..(c + 1) * self.h * self.w];
            for i in 0..self.kh {
                let (ylo, yhi) = self.taps(0, i, self.oh, self.h);
                for j in 0..self.kw {
                    let (xlo, xhi) = self.taps(1, j, self.ow, self.w);
                    let row = &cols[((c * self.kh + i) * self.kw + j) * positions..][..positions];
                    for oy in ylo..yhi {
                        let dst = &mut plane[self.source(0, oy, i) * self.w..][..self.w];
                        let x0 = if xlo < xhi { self.source(1, xlo, j) } else { 0 };
                        for (k, ox) in (xlo..xhi).enumerate() {
                            let x = x0 + k * self.conv.stride[1];
                            dst[x] = dst[x] + row[oy * self.ow + ox];
                        }
                    }
                }
            }
        }
    }
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
    let geo = Geometry { conv, c: cg, h, w: wd, oh, ow, kh, kw };
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
    let geo = Geometry { conv, c: cg, h, w: wd, oh, ow, kh, kw };
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

/// The samples whose products the weight gradient forms at once: enough to
/// keep both cores busy, few enough that their patch matrices stay small.
const SAMPLES_PER_BLOCK: usize = 8;

/// The gradient of `conv2d` for its weight: for each group, the sum over the
/// samples of `grad` (og x positions) times the patch matrix transposed. Each
/// sample's product is formed apart (in parallel) and they are added in the
/// samples' order, so the sum does not depend on the threads.
pub fn weight_grad<T: Gemm>(conv: &Conv, grad: &[T], grad_shape: &[usize], x: &[T], x_shape: &[usize], out_shape: &[usize]) -> Vec<T> {
    let [n, o, oh, ow] = dims4(grad_shape);
    let [_, c, h, wd] = dims4(x_shape);
    let [_, cg, kh, kw] = dims4(out_shape);
    let g = conv.groups;
    let og = o / g;
    let geo = Geometry { conv, c: cg, h, w: wd, oh, ow, kh, kw };
    let positions = oh * ow;
    let per_sample = o * geo.depth();
    let mut out = vec![T::ZERO; per_sample];
    if out.is_empty() {
        return out;
    }
    let mut partial = vec![T::ZERO; SAMPLES_PER_BLOCK.min(n) * per_sample];
    for first in (0..n).step_by(SAMPLES_PER_BLOCK) {
        let count = SAMPLES_PER_BLOCK.min(n - first);
        partial[..count * per_sample].par_chunks_mut(per_sample).enumerate().for_each_init(
            || vec![T::ZERO; geo.depth() * positions],
            |cols, (k, dw)| {
                let s = first + k;
                for gi in 0..g {
                    geo.unfold(&x[(s * c + gi * cg) * h * wd..][..cg * h * wd], cols);
                    let gs = &grad[(s * o + gi * og) * positions..][..og * positions];
                    // dw (og x depth) = grad (og x positions) @ cols^T (positions x depth).
                    T::gemm_strided(
                        og,
                        positions,
                        geo.depth(),
                        (gs, positions, 1),
                        (cols, 1, positions),
                        &mut dw[gi * og * geo.depth()..][..og * geo.depth()],
                    );
                }
            },
        );
        for dw in partial[..count * per_sample].chunks(per_sample) {
            out.iter_mut().zip(dw).for_each(|(a, b)| *a = *a + *b);
        }
    }
    out
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
        for (stride, padding, dilation, groups) in [(1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (2, 0, 1, 2), (3, 1, 2, 3)] {
            let p = conv(stride, padding, dilation, groups, ConvPart::Forward { bias: false });
            let xs = [2, 6, 7, 6];
            let ws = [2 * groups, 6 / groups, 3, 2];
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
