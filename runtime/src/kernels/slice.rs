//! Ops that read or write a strided part of one dimension: `Slice`, its
//! gradient `SliceBackward`, and `Cat`. They move elements without arithmetic,
//! so their results are exact.
//!
//! A row-major tensor seen around dimension `dim` is `outer` blocks of
//! `size[dim]` rows of `inner` contiguous elements, which is how every loop
//! here walks it.

/// `outer` (the product of the dimensions before `dim`) and `inner` (after it).
fn around(shape: &[usize], dim: usize) -> (usize, usize) {
    (shape[..dim].iter().product(), shape[dim + 1..].iter().product())
}

/// Indices `start, start + step, ...` of dimension `dim`, as many as `out_shape[dim]`.
pub fn slice<T: Copy>(src: &[T], shape: &[usize], dim: usize, start: usize, step: usize, out_shape: &[usize]) -> Vec<T> {
    let (outer, inner) = around(shape, dim);
    let (len, count) = (shape[dim], out_shape[dim]);
    assert!(count == 0 || start + (count - 1) * step < len, "slice of {shape:?} at dim {dim} reads past the end");
    let mut out = Vec::with_capacity(outer * count * inner);
    for o in 0..outer {
        for i in 0..count {
            let row = (o * len + start + i * step) * inner;
            out.extend_from_slice(&src[row..row + inner]);
        }
    }
    out
}

/// Zeros of `out_shape` with the operand (of the slice's shape) written back at
/// the indices [`slice`] reads.
pub fn slice_backward<T: Copy>(grad: &[T], grad_shape: &[usize], dim: usize, start: usize, step: usize, out_shape: &[usize], zero: T) -> Vec<T> {
    let (outer, inner) = around(out_shape, dim);
    let (len, count) = (out_shape[dim], grad_shape[dim]);
    assert!(count == 0 || start + (count - 1) * step < len, "slice_backward into {out_shape:?} at dim {dim} writes past the end");
    let mut out = vec![zero; outer * len * inner];
    for o in 0..outer {
        for i in 0..count {
            let row = (o * len + start + i * step) * inner;
            let from = (o * count + i) * inner;
            out[row..row + inner].copy_from_slice(&grad[from..from + inner]);
        }
    }
    out
}

/// The operands joined along `dim`, in order.
pub fn cat<T: Copy>(parts: &[(&[T], &[usize])], dim: usize, out_shape: &[usize]) -> Vec<T> {
    let (outer, inner) = around(out_shape, dim);
    let mut out = Vec::with_capacity(outer * out_shape[dim] * inner);
    for o in 0..outer {
        for (src, shape) in parts {
            let block = shape[dim] * inner;
            out.extend_from_slice(&src[o * block..(o + 1) * block]);
        }
    }
    assert_eq!(out.len(), out_shape.iter().product::<usize>(), "cat operands do not fill {out_shape:?}");
    out
}
