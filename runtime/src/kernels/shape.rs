//! Shape ops that move elements without arithmetic.

use super::broadcast::{coalesce, Odometer};

/// The 2-D transpose of a row-major `rows x cols` matrix.
pub fn transpose<T: Copy>(src: &[T], rows: usize, cols: usize) -> Vec<T> {
    // Every element is overwritten; the first one only gives the buffer a value.
    let Some(&first) = src.first() else { return Vec::new() };
    let mut out = vec![first; src.len()];
    transpose_into(src, rows, cols, &mut out);
    out
}

/// Side of the square tiles [`transpose_into`] copies: a tile's rows and columns
/// both stay in L1, where an element-by-element column walk missed the cache on
/// every read.
const TILE: usize = 32;

/// [`transpose`] into `out` (`cols x rows`, overwritten).
pub fn transpose_into<T: Copy>(src: &[T], rows: usize, cols: usize, out: &mut [T]) {
    assert!(src.len() == rows * cols && out.len() == src.len(), "transpose operand does not match its shape");
    for r0 in (0..rows).step_by(TILE) {
        let r1 = (r0 + TILE).min(rows);
        for c0 in (0..cols).step_by(TILE) {
            for c in c0..(c0 + TILE).min(cols) {
                let dst = &mut out[c * rows + r0..c * rows + r1];
                for (d, r) in dst.iter_mut().zip(r0..r1) {
                    *d = src[r * cols + c];
                }
            }
        }
    }
}

/// The row-major strides of a shape, in elements.
pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    strides
}

/// `x.permute(dims).contiguous()`: result dimension `i` is dimension `dims[i]` of
/// the row-major operand of shape `shape`. A permutation moves elements without
/// arithmetic, so the result is exact whatever order PyTorch copies in.
pub fn permute<T: Copy>(src: &[T], shape: &[usize], dims: &[usize]) -> Vec<T> {
    assert_eq!(dims.len(), shape.len(), "permute needs one entry per dimension");
    assert_eq!(src.len(), shape.iter().product::<usize>(), "permute operand does not match its shape");
    let in_strides = contiguous_strides(shape);
    let out_shape: Vec<usize> = dims.iter().map(|&d| shape[d]).collect();
    let strides: Vec<usize> = dims.iter().map(|&d| in_strides[d]).collect();
    let mut out = Vec::with_capacity(src.len());
    if src.is_empty() {
        return out;
    }
    // Walk the result in row-major order a run of its last (merged)
    // dimension at a time, keeping the operand's offset in step.
    let (dims, strides) = coalesce(&out_shape, &strides);
    let Some((&run, outer)) = dims.split_last() else {
        out.push(src[0]);
        return out;
    };
    let (outer_strides, step) = strides.split_at(outer.len());
    let step = step[0];
    let mut walk = Odometer::new(outer, outer_strides);
    for _ in 0..src.len() / run {
        let at = walk.offset;
        if step == 1 {
            out.extend_from_slice(&src[at..at + run]);
        } else {
            out.extend((0..run).map(|k| src[at + k * step]));
        }
        walk.advance();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `permute` against the definition, `out[i] = src[sum_k index_k * stride(dims[k])]`,
    /// over permutations whose dimensions merge (kept in order, size 1) and do not.
    #[test]
    fn permute_matches_the_definition() {
        let cases: [(&[usize], &[usize]); 7] = [
            (&[2, 3, 4], &[1, 0, 2]),
            (&[2, 3, 4], &[0, 1, 2]),
            (&[2, 3, 4, 5], &[0, 2, 3, 1]),
            (&[1, 3, 1, 4], &[3, 2, 1, 0]),
            (&[5], &[0]),
            (&[1, 1], &[1, 0]),
            (&[3, 1, 2], &[2, 0, 1]),
        ];
        for (shape, dims) in cases {
            let n: usize = shape.iter().product();
            let src: Vec<u32> = (0..n as u32).collect();
            let strides = contiguous_strides(shape);
            let out_shape: Vec<usize> = dims.iter().map(|&d| shape[d]).collect();
            let want: Vec<u32> = (0..n)
                .map(|mut at| {
                    let mut offset = 0;
                    for k in (0..out_shape.len()).rev() {
                        offset += (at % out_shape[k]) * strides[dims[k]];
                        at /= out_shape[k];
                    }
                    src[offset]
                })
                .collect();
            assert_eq!(permute(&src, shape, dims), want, "{shape:?} permuted by {dims:?}");
        }
    }
}
