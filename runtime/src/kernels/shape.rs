//! Shape ops that move elements without arithmetic.

/// The 2-D transpose of a row-major `rows x cols` matrix.
pub fn transpose<T: Copy>(src: &[T], rows: usize, cols: usize) -> Vec<T> {
    assert_eq!(src.len(), rows * cols, "transpose operand does not match its shape");
    let mut out = Vec::with_capacity(src.len());
    for c in 0..cols {
        for r in 0..rows {
            out.push(src[r * cols + c]);
        }
    }
    out
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
    // Walk the result in row-major order, keeping the operand's offset in step.
    let mut index = vec![0usize; out_shape.len()];
    let mut offset = 0usize;
    for _ in 0..src.len() {
        out.push(src[offset]);
        for k in (0..out_shape.len()).rev() {
            index[k] += 1;
            offset += strides[k];
            if index[k] < out_shape[k] {
                break;
            }
            offset -= strides[k] * index[k];
            index[k] = 0;
        }
    }
    out
}
