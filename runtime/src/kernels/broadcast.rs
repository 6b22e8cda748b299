//! NumPy broadcasting: reading an operand at the output's indices (`Expand`, and
//! the operands of every elementwise op), and its inverse, PyTorch's `sum_to`.

use std::borrow::Cow;

use super::float::Float;
use super::reduce::pairwise_sum;
use crate::tensor::numel;

/// The stride of each output dimension in the operand, or 0 where the operand is
/// broadcast along it. The operand's dimensions align with the output's trailing
/// ones (NumPy rules); a 0-d operand (PyTorch's wrapped number) has stride 0 everywhere.
fn broadcast_strides(src: &[usize], out: &[usize]) -> Vec<usize> {
    assert!(src.len() <= out.len(), "cannot broadcast shape {src:?} to {out:?}");
    let lead = out.len() - src.len();
    let mut strides = vec![0; out.len()];
    let mut stride = 1;
    for k in (0..src.len()).rev() {
        let (s, o) = (src[k], out[lead + k]);
        assert!(s == o || s == 1, "cannot broadcast shape {src:?} to {out:?}");
        strides[lead + k] = if s == 1 && o != 1 { 0 } else { stride };
        stride *= s;
    }
    strides
}

/// For every element of `out` in row-major order, the offset of the operand
/// element that broadcasting reads there.
pub fn broadcast_offsets(src: &[usize], out: &[usize]) -> Vec<usize> {
    let strides = broadcast_strides(src, out);
    let n = numel(out);
    let mut offsets = Vec::with_capacity(n);
    if n == 0 {
        return offsets;
    }
    let mut index = vec![0usize; out.len()];
    let mut offset = 0usize;
    for _ in 0..n {
        offsets.push(offset);
        // Advance the row-major multi-index, carrying into earlier dimensions.
        for k in (0..out.len()).rev() {
            index[k] += 1;
            offset += strides[k];
            if index[k] < out[k] {
                break;
            }
            offset -= strides[k] * index[k];
            index[k] = 0;
        }
    }
    offsets
}

/// The operand's elements broadcast to `out`. Operands that already have the
/// output's element count and shape (the common case) are borrowed, not copied.
pub fn expand<'a, T: Float>(src: &'a [T], src_shape: &[usize], out: &[usize]) -> Cow<'a, [T]> {
    let same = src_shape.len() == out.len() && src_shape == out;
    if same {
        return Cow::Borrowed(src);
    }
    if src.len() == 1 {
        // A scalar (0-d wrapped number, or all-ones shape): checked, then repeated.
        broadcast_strides(src_shape, out);
        return Cow::Owned(vec![src[0]; numel(out)]);
    }
    Cow::Owned(broadcast_offsets(src_shape, out).into_iter().map(|o| src[o]).collect())
}

/// PyTorch's `sum_to(x, shape)`: leading dimensions of `x` are summed away, then
/// every dimension where `target` has size 1 and `x` does not. Each output element
/// sums its contributions in row-major order of `x` with [`pairwise_sum`], the same
/// summation `Sum` uses, so `sum_to(x, [])` equals `sum(x)` bit for bit.
pub fn sum_to<T: Float>(src: &[T], src_shape: &[usize], target: &[usize]) -> Vec<T> {
    if src_shape == target {
        return src.to_vec();
    }
    // Which output element each input element adds into is exactly the broadcast
    // mapping from `target` up to `src_shape`.
    let dest = broadcast_offsets(target, src_shape);
    let n_out = numel(target);
    let mut groups: Vec<Vec<T>> = vec![Vec::new(); n_out];
    for (i, &d) in dest.iter().enumerate() {
        groups[d].push(src[i]);
    }
    groups.iter().map(|g| pairwise_sum(g)).collect()
}
