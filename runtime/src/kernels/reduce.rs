//! Reductions: `Sum` and `Mean`, over everything or over one dimension.
//!
//! PyTorch's CPU sum is a multi-level cascade sum (`SumKernel.cpp`) whose exact
//! grouping depends on the vector width and memory layout, so graphc does not try
//! to reproduce it bit for bit. It uses a pairwise scheme with the same error
//! behaviour instead: runs of up to [`BLOCK`] elements are added left to right, and
//! longer runs are split in half recursively. For n <= BLOCK this is the plain
//! left-to-right sum, which is also what PyTorch's scalar tail computes for short
//! rows; for long rows the rounding error grows like log(n), never like n.

use super::float::Float;
use crate::tensor::numel;

/// The length below which a run is added left to right.
const BLOCK: usize = 8;

/// The sum of `xs` in their own precision, pairwise above [`BLOCK`] elements.
pub fn pairwise_sum<T: Float>(xs: &[T]) -> T {
    if xs.len() <= BLOCK {
        // The accumulator starts at +0, as PyTorch's reduction identity does, so the
        // sum of [-0.0] is +0.0 there and here.
        let mut acc = T::ZERO;
        for &x in xs {
            acc = acc + x;
        }
        return acc;
    }
    let mid = xs.len() / 2;
    pairwise_sum(&xs[..mid]) + pairwise_sum(&xs[mid..])
}

/// `sum(x)` (dim `None`) or `sum(x, dim=d)`: for each output element, the
/// elements along `d` gathered in order and summed with [`pairwise_sum`].
pub fn sum<T: Float>(src: &[T], shape: &[usize], dim: Option<usize>) -> Vec<T> {
    let Some(d) = dim else {
        return vec![pairwise_sum(src)];
    };
    assert!(d < shape.len(), "sum over dimension {d} of a {}-d tensor", shape.len());
    let outer = numel(&shape[..d]);
    let len = shape[d];
    let inner = numel(&shape[d + 1..]);
    let mut out = Vec::with_capacity(outer * inner);
    let mut run = Vec::with_capacity(len);
    for o in 0..outer {
        for i in 0..inner {
            run.clear();
            run.extend((0..len).map(|k| src[(o * len + k) * inner + i]));
            out.push(pairwise_sum(&run));
        }
    }
    out
}

/// `mean(x)` or `mean(x, dim=d)`: PyTorch's CPU `mean` is `sum(...).div_(count)`,
/// so the sum is divided by the count rounded to the dtype.
pub fn mean<T: Float>(src: &[T], shape: &[usize], dim: Option<usize>) -> Vec<T> {
    let count = match dim {
        None => numel(shape),
        Some(d) => shape[d],
    };
    let c = T::from_usize(count);
    sum(src, shape, dim).into_iter().map(|s| s / c).collect()
}
