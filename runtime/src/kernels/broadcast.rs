//! NumPy broadcasting: reading an operand at the output's indices (`Expand`, and
//! the operands of every elementwise op), and its inverse, PyTorch's `sum_to`.

use std::borrow::Cow;

use smallvec::{smallvec, SmallVec};

use super::float::Float;
use super::reduce::sum_dims_into;
use crate::tensor::numel;

/// The stride of each output dimension in the operand, or 0 where the operand is
/// broadcast along it. The operand's dimensions align with the output's trailing
/// ones (NumPy rules); a 0-d operand (PyTorch's wrapped number) has stride 0 everywhere.
fn broadcast_strides(src: &[usize], out: &[usize]) -> SmallVec<[usize; 8]> {
    assert!(src.len() <= out.len(), "cannot broadcast shape {src:?} to {out:?}");
    let lead = out.len() - src.len();
    let mut strides: SmallVec<[usize; 8]> = smallvec![0; out.len()];
    let mut stride = 1;
    for k in (0..src.len()).rev() {
        let (s, o) = (src[k], out[lead + k]);
        assert!(s == o || s == 1, "cannot broadcast shape {src:?} to {out:?}");
        strides[lead + k] = if s == 1 && o != 1 { 0 } else { stride };
        stride *= s;
    }
    strides
}

/// Panics unless an operand of shape `src` broadcasts to `out` (a compiler bug:
/// shapes are checked at compile time).
pub fn check_broadcast(src: &[usize], out: &[usize]) {
    broadcast_strides(src, out);
}

/// For every element of `out` in row-major order, the offset of the operand
/// element that broadcasting reads there.
pub fn broadcast_offsets(src: &[usize], out: &[usize]) -> Vec<usize> {
    let strides = broadcast_strides(src, out);
    let n = numel(out);
    let mut walk = Odometer::new(out, &strides);
    (0..n)
        .map(|_| {
            let at = walk.offset;
            walk.advance();
            at
        })
        .collect()
}

/// A row-major multi-index over `dims` and the offset it reaches along
/// `strides`, kept in step one position at a time: how a kernel reads an
/// operand (broadcast or permuted) at the positions of its result without an
/// index computation per element.
pub struct Odometer<'a> {
    dims: &'a [usize],
    strides: &'a [usize],
    index: SmallVec<[usize; 8]>,
    /// The operand's offset at the current position.
    pub offset: usize,
}

impl<'a> Odometer<'a> {
    /// At the first position (offset 0).
    pub fn new(dims: &'a [usize], strides: &'a [usize]) -> Self {
        assert_eq!(dims.len(), strides.len(), "one stride per dimension");
        Odometer { dims, strides, index: smallvec![0; dims.len()], offset: 0 }
    }

    /// Moves to the next position, carrying into earlier dimensions (after the
    /// last position, back to the first).
    #[inline]
    pub fn advance(&mut self) {
        for k in (0..self.dims.len()).rev() {
            self.index[k] += 1;
            self.offset += self.strides[k];
            if self.index[k] < self.dims[k] {
                return;
            }
            self.offset -= self.strides[k] * self.index[k];
            self.index[k] = 0;
        }
    }
}

/// The operand's elements broadcast to `out`. Operands that already have the
/// output's element count and shape (the common case) are borrowed, not copied.
pub fn expand<'a, T: Copy>(src: &'a [T], src_shape: &[usize], out: &[usize]) -> Cow<'a, [T]> {
    let same = src_shape.len() == out.len() && src_shape == out;
    if same {
        return Cow::Borrowed(src);
    }
    check_broadcast(src_shape, out);
    let n = numel(out);
    if n == 0 {
        return Cow::Owned(Vec::new());
    }
    // A nonempty result broadcasts a nonempty operand.
    let mut dst = vec![src[0]; n];
    if src.len() > 1 {
        expand_into(src, src_shape, out, &mut dst);
    }
    Cow::Owned(dst)
}

/// [`expand`] into `dst` (`numel(out)` elements, any contents): a row of the
/// output's last dimension at a time, each a copy of the operand's row or one
/// element repeated, with the multi-index advanced once a row rather than once
/// an element.
pub fn expand_into<T: Copy>(src: &[T], src_shape: &[usize], out: &[usize], dst: &mut [T]) {
    let strides = broadcast_strides(src_shape, out);
    assert_eq!(dst.len(), numel(out), "expand into a buffer of another size");
    if dst.is_empty() {
        return;
    }
    let (dims, strides) = coalesce(out, &strides);
    let Some((&cols, outer)) = dims.split_last() else {
        // One element: the operand's one element.
        dst[0] = src[0];
        return;
    };
    let (outer_strides, last) = strides.split_at(outer.len());
    let mut rows = Odometer::new(outer, outer_strides);
    for row in dst.chunks_exact_mut(cols) {
        let at = rows.offset;
        match last[0] {
            0 => row.fill(src[at]),
            1 => row.copy_from_slice(&src[at..at + cols]),
            step => row.iter_mut().enumerate().for_each(|(k, v)| *v = src[at + k * step]),
        }
        rows.advance();
    }
}

/// A walk over `dims` along `strides` as fewer, longer dimensions: those of
/// size 1 dropped, and each dimension merged into the one before it when the
/// two step as one (the earlier one's stride is the later one's times its
/// size, as in a contiguous run or two broadcast dimensions). A `[C]` operand
/// broadcast to `[N, C, H, W]` then walks `[N, C, H*W]`, filling runs of
/// `H*W` rather than of `W` with a multi-index step after each.
pub fn coalesce(dims: &[usize], strides: &[usize]) -> (SmallVec<[usize; 8]>, SmallVec<[usize; 8]>) {
    let mut merged_dims: SmallVec<[usize; 8]> = SmallVec::new();
    let mut merged_strides: SmallVec<[usize; 8]> = SmallVec::new();
    for (&n, &stride) in dims.iter().zip(strides) {
        if n == 1 {
            continue;
        }
        if let (Some(d), Some(s)) = (merged_dims.last_mut(), merged_strides.last_mut()) {
            if *s == stride * n {
                *d *= n;
                *s = stride;
                continue;
            }
        }
        merged_dims.push(n);
        merged_strides.push(stride);
    }
    (merged_dims, merged_strides)
}

/// An operand read at the output's positions, as [`expand`] gives them, but a
/// one-element operand (a 0-d value, such as `addcmul`'s weight or a loop's
/// step count) as itself rather than repeated into a new vector: an element
/// kernel over pooled buffers then allocates nothing.
pub enum Broadcast<'a, T: Copy> {
    One(T),
    Many(Cow<'a, [T]>),
}

impl<'a, T: Copy> Broadcast<'a, T> {
    /// `data` of shape `shape` read at the positions of `out`.
    pub fn new(data: &'a [T], shape: &[usize], out: &[usize]) -> Self {
        if data.len() == 1 {
            check_broadcast(shape, out);
            Broadcast::One(data[0])
        } else {
            Broadcast::Many(expand(data, shape, out))
        }
    }

    /// The element at position `i` of the output.
    #[inline]
    pub fn at(&self, i: usize) -> T {
        match self {
            Broadcast::One(v) => *v,
            Broadcast::Many(v) => v[i],
        }
    }
}

/// PyTorch's `sum_to(x, shape)`: one `sum(dims, keepdim=True)` over the leading
/// dimensions of `x` and every dimension where `target` has size 1 and `x` does
/// not, in PyTorch's summation order ([`sum_dims`]), so `sum_to(x, [])` equals
/// `sum(x)` bit for bit and a multi-dimension reduction groups as PyTorch's does.
pub fn sum_to<T: Float>(src: &[T], src_shape: &[usize], target: &[usize]) -> Vec<T> {
    let mut out = vec![T::ZERO; numel(target)];
    sum_to_into(src, src_shape, target, &mut out);
    out
}

/// [`sum_to`] into `out`, which has `target`'s element count (overwritten).
pub fn sum_to_into<T: Float>(src: &[T], src_shape: &[usize], target: &[usize], out: &mut [T]) {
    if src_shape == target {
        out.copy_from_slice(src);
        return;
    }
    assert!(target.len() <= src_shape.len(), "cannot sum shape {src_shape:?} to {target:?}");
    let lead = src_shape.len() - target.len();
    let reduced: smallvec::SmallVec<[bool; 8]> = (0..src_shape.len())
        .map(|d| {
            if d < lead {
                return true;
            }
            let (s, t) = (src_shape[d], target[d - lead]);
            assert!(s == t || t == 1, "cannot sum shape {src_shape:?} to {target:?}");
            t == 1 && s != 1
        })
        .collect();
    sum_dims_into(src, src_shape, &reduced, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operand element broadcasting reads at output index `at`, from the
    /// definition: trailing dimensions aligned, size-1 dimensions read at 0.
    fn read_at(src: &[usize], out: &[usize], mut at: usize) -> usize {
        let mut index = vec![0; out.len()];
        for k in (0..out.len()).rev() {
            index[k] = at % out[k];
            at /= out[k];
        }
        let lead = out.len() - src.len();
        src.iter().enumerate().fold(0, |offset, (k, &n)| offset * n + if n == 1 { 0 } else { index[lead + k] })
    }

    /// `expand_into` over shapes whose dimensions merge in every way (runs,
    /// broadcast runs, size-1 dimensions, 0-d) gives the definition's elements.
    #[test]
    fn expand_into_matches_the_definition() {
        let cases: [(&[usize], &[usize]); 9] = [
            (&[1, 3, 1, 1], &[2, 3, 4, 5]),
            (&[3], &[2, 4, 3]),
            (&[2, 1, 4], &[2, 3, 4]),
            (&[], &[2, 3]),
            (&[1], &[1]),
            (&[2, 1], &[4, 2, 3]),
            (&[1, 1, 1], &[4, 1, 2, 1]),
            (&[2, 3, 1, 5], &[2, 3, 4, 5]),
            (&[], &[]),
        ];
        for (src, out) in cases {
            let data: Vec<u32> = (0..numel(src) as u32).collect();
            let mut dst = vec![u32::MAX; numel(out)];
            expand_into(&data, src, out, &mut dst);
            let want: Vec<u32> = (0..numel(out)).map(|at| data[read_at(src, out, at)]).collect();
            assert_eq!(dst, want, "{src:?} to {out:?}");
        }
    }
}
