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
