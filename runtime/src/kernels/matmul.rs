//! `a @ b` for operands of any rank, with PyTorch's `matmul` shape rules.
//!
//! Every case is computed as general matrix products by `matrixmultiply` (a
//! vector is a 1 x k or k x 1 matrix), so all cases round alike; f32 products
//! of few columns skip its packing (`skinny.rs`) with the same bits. A batch is one
//! product per broadcast batch index; a right operand without a batch (rank 1 or
//! 2) is folded as PyTorch folds it: the left operand's batch and row dimensions
//! become the rows of one product. PyTorch calls its BLAS here (MKL or
//! OpenBLAS), or for small batched products its own loop, whose blocking and
//! accumulation order are their own: matmul results agree with PyTorch to
//! rounding, not bit for bit.

use rayon::prelude::*;

use super::broadcast::broadcast_offsets;
use super::float::Float;

/// A general matrix product `C = A B` in the element type's own precision.
pub trait Gemm: Float + Send + Sync {
    /// `c` (m x n, row-major, overwritten) = `a` (m x k, row-major) times `b` (k x n, row-major).
    fn gemm(m: usize, k: usize, n: usize, a: &[Self], b: &[Self], c: &mut [Self]) {
        Self::gemm_strided(m, k, n, (a, k, 1), (b, n, 1), c);
    }

    /// [`Gemm::gemm`] with `a` and `b` read through (row, column) element strides:
    /// `A[i][p] = a.0[i * a.1 + p * a.2]`. `matrixmultiply` packs either layout
    /// into the same panels, so the product does not depend on the strides.
    fn gemm_strided(m: usize, k: usize, n: usize, a: (&[Self], usize, usize), b: (&[Self], usize, usize), c: &mut [Self]);

    /// The depth of the panels along `k` that [`Gemm::gemm_strided`] sums for
    /// this shape, when each panel's sum starts from zero and is added to the
    /// result in order (f32 products on the narrow path, `skinny.rs`), so that
    /// panels computed apart and added in order give the same bits; `None`
    /// where the blocking is `matrixmultiply`'s own.
    fn k_panel(m: usize, k: usize, n: usize) -> Option<usize>;

    /// `c = a b + bias` (`bias_first`: `bias + a b`) for row-major `a` and `b`,
    /// each element the product's bits and then one rounded addition, when the
    /// narrow path (`skinny.rs`) computes the product and adds the bias as it
    /// stores each tile; returns whether it ran.
    #[allow(clippy::too_many_arguments)]
    fn gemm_bias(m: usize, k: usize, n: usize, a: &[Self], b: &[Self], bias: &[Self], bias_first: bool, c: &mut [Self]) -> bool;

    /// A buffer each thread keeps between products for [`gemm_panels`]' sums,
    /// taken out while in use (so that no borrow is held while the product
    /// waits for other threads) and put back after.
    fn panel_sums() -> &'static std::thread::LocalKey<std::cell::Cell<Vec<Self>>>;
}

/// Whether every element a (rows x cols) operand with these strides reads lies in `len` elements.
fn strided_fits(rows: usize, cols: usize, (rs, cs): (usize, usize), len: usize) -> bool {
    rows == 0 || cols == 0 || (rows - 1) * rs + (cols - 1) * cs < len
}

macro_rules! impl_gemm {
    ($t:ty, $gemm:path, $narrow:path, $narrow_bias:path, $panel:path) => {
        impl Gemm for $t {
            fn k_panel(m: usize, k: usize, n: usize) -> Option<usize> {
                $panel(m, k, n)
            }

            fn panel_sums() -> &'static std::thread::LocalKey<std::cell::Cell<Vec<$t>>> {
                thread_local! {
                    static SUMS: std::cell::Cell<Vec<$t>> = const { std::cell::Cell::new(Vec::new()) };
                }
                &SUMS
            }

            fn gemm_bias(m: usize, k: usize, n: usize, a: &[$t], b: &[$t], bias: &[$t], bias_first: bool, c: &mut [$t]) -> bool {
                assert!(a.len() == m * k && b.len() == k * n && bias.len() == n && c.len() == m * n, "matmul operands do not match their shapes");
                $narrow_bias(m, k, n, (a, k, 1), (b, n, 1), bias, bias_first, c)
            }

            fn gemm_strided(m: usize, k: usize, n: usize, a: (&[$t], usize, usize), b: (&[$t], usize, usize), c: &mut [$t]) {
                assert!(
                    strided_fits(m, k, (a.1, a.2), a.0.len()) && strided_fits(k, n, (b.1, b.2), b.0.len()) && c.len() == m * n,
                    "matmul operands do not match their shapes"
                );
                // Few columns: the same bits without packing (`skinny.rs`).
                if $narrow(m, k, n, a, b, c) {
                    return;
                }
                // SAFETY: the assertion bounds every index sgemm/dgemm form from these
                // strides, (m-1)*rsa + (k-1)*csa for `a` and alike for `b`, inside the
                // slices, and `c` is m x n row-major.
                unsafe {
                    $gemm(
                        m,
                        k,
                        n,
                        1.0,
                        a.0.as_ptr(),
                        a.1 as isize,
                        a.2 as isize,
                        b.0.as_ptr(),
                        b.1 as isize,
                        b.2 as isize,
                        0.0,
                        c.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
            }
        }
    };
}

impl_gemm!(f32, matrixmultiply::sgemm, super::skinny::try_sgemm, super::skinny::try_sgemm_bias, super::skinny::panel_depth);
impl_gemm!(f64, matrixmultiply::dgemm, no_narrow_path, no_narrow_bias, no_panels);

/// f64 products are `dgemm`'s, blocked its own way.
fn no_panels(_: usize, _: usize, _: usize) -> Option<usize> {
    None
}

/// f64 products always go to `dgemm`.
fn no_narrow_path(_: usize, _: usize, _: usize, _: (&[f64], usize, usize), _: (&[f64], usize, usize), _: &mut [f64]) -> bool {
    false
}

/// f64 products add their bias after `dgemm`.
#[allow(clippy::too_many_arguments)]
fn no_narrow_bias(_: usize, _: usize, _: usize, _: (&[f64], usize, usize), _: (&[f64], usize, usize), _: &[f64], _: bool, _: &mut [f64]) -> bool {
    false
}

/// The shapes of one matmul seen as a batch of matrix products.
#[derive(Debug, PartialEq)]
pub struct MatMulShape {
    /// The left operand's batch dimensions (before its last two).
    pub a_batch: Vec<usize>,
    /// The right operand's batch dimensions.
    pub b_batch: Vec<usize>,
    /// The broadcast batch of the result.
    pub batch: Vec<usize>,
    pub m: usize,
    pub k: usize,
    pub n: usize,
    /// The result's shape, without the dimensions that 1-D operands added.
    pub out: Vec<usize>,
}

/// PyTorch's matmul shape rule, or a message saying why the operands do not fit.
pub fn matmul_shape(a: &[usize], b: &[usize]) -> Result<MatMulShape, String> {
    if a.is_empty() || b.is_empty() {
        return Err("both operands of matmul must have at least one dimension".to_string());
    }
    // A 1-D left operand is a row (1 x k), a 1-D right operand a column (k x 1).
    let (a_batch, m, ka) = match a {
        [k] => (vec![], 1, *k),
        _ => (a[..a.len() - 2].to_vec(), a[a.len() - 2], a[a.len() - 1]),
    };
    let (b_batch, kb, n) = match b {
        [k] => (vec![], *k, 1),
        _ => (b[..b.len() - 2].to_vec(), b[b.len() - 2], b[b.len() - 1]),
    };
    if ka != kb {
        return Err(format!("the inner dimensions do not agree: {ka} and {kb}"));
    }
    let batch = broadcast_batch(&a_batch, &b_batch)?;
    let mut out = batch.clone();
    if a.len() > 1 {
        out.push(m);
    }
    if b.len() > 1 {
        out.push(n);
    }
    Ok(MatMulShape { a_batch, b_batch, batch, m, k: ka, n, out })
}

/// NumPy broadcasting of two batch shapes.
fn broadcast_batch(a: &[usize], b: &[usize]) -> Result<Vec<usize>, String> {
    let r = a.len().max(b.len());
    let at = |s: &[usize], i: usize| if i < r - s.len() { 1 } else { s[i - (r - s.len())] };
    (0..r)
        .map(|i| match (at(a, i), at(b, i)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            (x, y) => Err(format!("the batch dimensions do not broadcast: {x} and {y}")),
        })
        .collect()
}

/// Below this many multiply-adds per matrix, PyTorch's CPU `bmm` runs its own
/// loop (`baddbmm_cpu_kernel`) instead of a BLAS call.
const SMALL_BMM: usize = 400;

/// `baddbmm_cpu_kernel` for `bmm`: each result element is the products summed
/// in order of the inner index, starting from zero, each rounded (no fused
/// multiply-add), in the element type (`opmath_t` of float is float).
fn small_product<T: Float>(m: usize, k: usize, n: usize, a: &[T], b: &[T], c: &mut [T]) {
    for i in 0..m {
        for j in 0..n {
            let mut acc = T::ZERO;
            for p in 0..k {
                acc = acc + a[i * k + p] * b[p * n + j];
            }
            c[i * n + j] = acc;
        }
    }
}

/// `a @ b` for any ranks. Returns the elements and the result's shape.
pub fn matmul<T: Gemm>(a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize]) -> (Vec<T>, Vec<usize>) {
    let s = matmul_shape(a_shape, b_shape).unwrap_or_else(|e| panic!("matmul of shapes {a_shape:?} and {b_shape:?}: {e}"));
    let batches: usize = s.batch.iter().product();
    let mut c = vec![T::ZERO; batches * s.m * s.n];
    matmul_into(a, a_shape, b, b_shape, &mut c);
    (c, s.out)
}

/// [`matmul`] into `c`, which has the result's element count (its contents are
/// overwritten; the machine hands pooled buffers here).
pub fn matmul_into<T: Gemm>(a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize], c: &mut [T]) {
    let s = matmul_shape(a_shape, b_shape).unwrap_or_else(|e| panic!("matmul of shapes {a_shape:?} and {b_shape:?}: {e}"));
    let (m, k, n) = (s.m, s.k, s.n);
    let batches: usize = s.batch.iter().product();
    assert_eq!(c.len(), batches * m * n, "matmul result buffer does not match the result's shape");
    // An empty inner dimension gives zeros; empty outer dimensions give an empty
    // result. Only real products reach the GEMM.
    if m == 0 || n == 0 || k == 0 || batches == 0 {
        c.fill(T::ZERO);
        return;
    }
    if s.b_batch.is_empty() && s.a_batch == s.batch {
        // PyTorch's fold: the left batch and rows form the rows of one product.
        gemm_rows(batches * m, k, n, a, b, c);
        return;
    }
    // One product per batch index; an operand broadcast along a batch dimension
    // is read at its own offset (the matrix index `broadcast_offsets` gives).
    let a_at = broadcast_offsets(&s.a_batch, &s.batch);
    let b_at = broadcast_offsets(&s.b_batch, &s.batch);
    let (sa, sb, sc) = (m * k, k * n, m * n);
    for (i, out) in c.chunks_mut(sc).enumerate() {
        let (ai, bi) = (a_at[i] * sa, b_at[i] * sb);
        if k * m * n < SMALL_BMM {
            small_product(m, k, n, &a[ai..ai + sa], &b[bi..bi + sb], out);
        } else {
            T::gemm(m, k, n, &a[ai..ai + sa], &b[bi..bi + sb], out);
        }
    }
}

/// Below this many multiply-adds a product runs on the calling thread: the
/// halves of a smaller one (a mini-batch's weight gradient, 64 x 100 x 32)
/// cost more in moving rows between the cores than the second thread saves.
const PARALLEL_MACS: usize = 1 << 18;

/// `c = a b` with the rows of `a` and `c` split into one block per thread, or,
/// for few rows and a long `k`, along `k` ([`gemm_panels`]).
///
/// Each element of `c` is a dot product along `k` whose blocking and order
/// `matrixmultiply` fixes by `k` alone (its `kc` panels), never by which rows
/// share a call, so the result is bit for bit the single-threaded one whatever
/// the thread count (`runtime/tests/into_kernels.rs` checks this).
fn gemm_rows<T: Gemm>(m: usize, k: usize, n: usize, a: &[T], b: &[T], c: &mut [T]) {
    gemm_rows_strided(m, k, n, (a, k, 1), (b, n, 1), c);
}

/// [`gemm_rows`] with strided operands: block `r` of rows starts `r * rows * a.1`
/// elements into `a`.
fn gemm_rows_strided<T: Gemm>(m: usize, k: usize, n: usize, a: (&[T], usize, usize), b: (&[T], usize, usize), c: &mut [T]) {
    let threads = rayon::current_num_threads();
    // Within a part of rows already split (`parts::as_part`) the product runs
    // on this thread: panels along `k` give the same bits either way.
    if threads < 2 || m * k * n < PARALLEL_MACS || super::parts::in_part() {
        T::gemm_strided(m, k, n, a, b, c);
        return;
    }
    if let Some(kc) = T::k_panel(m, k, n) {
        if k >= 2 * kc && k >= 4 * m {
            gemm_panels(kc, m, k, n, a, b, c);
            return;
        }
    }
    // The same rows to the same thread as every other kernel (`parts.rs`).
    super::parts::for_row_parts(c, n, true, &|rows, c| {
        let a = (&a.0[rows.start * a.1..], a.1, a.2);
        T::gemm_strided(rows.len(), k, n, a, b, c)
    });
}

/// Rows of a product computed before their bias is added, in
/// [`matmul_bias_into`]: eight of the 12-row tiles, 12 KiB of a 32-column
/// result, so that the addition finds them in the first-level cache.
const BIAS_ROWS: usize = 96;

/// `c = a b + bias` (`bias_first`: `bias + a b`) for row-major `a` (m x k), `b`
/// (k x n) and `bias` (n), the product rounded first and the sum after, as the
/// two ops round: every element has the bits of [`gemm_rows`] followed by a
/// broadcast addition. Each thread takes the rows `kernels::parts` gives it; the
/// narrow path (`skinny.rs`) adds the bias as it stores each tile, and
/// otherwise the bias is added to each block of [`BIAS_ROWS`] rows right after
/// computing it.
#[allow(clippy::too_many_arguments)]
pub fn matmul_bias_into<T: Gemm>(m: usize, k: usize, n: usize, a: &[T], b: &[T], bias: &[T], bias_first: bool, c: &mut [T]) {
    assert!(a.len() == m * k && b.len() == k * n && bias.len() == n && c.len() == m * n, "matmul operands do not match their shapes");
    let add = |rows: &mut [T]| {
        for row in rows.chunks_mut(n.max(1)) {
            for (o, &v) in row.iter_mut().zip(bias) {
                *o = if bias_first { v + *o } else { *o + v };
            }
        }
    };
    let long_k = T::k_panel(m, k, n).is_some_and(|kc| k >= 2 * kc && k >= 4 * m);
    if m == 0 || n == 0 || k == 0 {
        // An empty inner dimension gives zeros, as `matmul_into`.
        c.fill(T::ZERO);
        return add(c);
    }
    if long_k {
        // Few rows and a long `k` split along `k` (`gemm_panels`): the bias after.
        gemm_rows(m, k, n, a, b, c);
        return add(c);
    }
    super::parts::for_row_parts(c, n, m * k * n >= PARALLEL_MACS, &|rows, c| {
        // The narrow path adds the bias as it stores each tile.
        if T::gemm_bias(rows.len(), k, n, &a[rows.start * k..rows.end * k], b, bias, bias_first, c) {
            return;
        }
        for (block, c) in c.chunks_mut(BIAS_ROWS * n).enumerate() {
            let first = rows.start + block * BIAS_ROWS;
            T::gemm_strided(c.len() / n, k, n, (&a[first * k..], k, 1), (b, n, 1), c);
            add(c);
        }
    });
}

/// `c = a b` split along `k` at the product's own panels of depth `kc`: the
/// caller sums the first panels into `c`, the other threads the later panels
/// (consecutive ones to each thread), each apart from zero, and the caller adds
/// those sums to `c` in order of `k`,
/// which is how the one-thread product adds its panels, so every element has
/// its bits. This is the split for a product with few rows and a long `k`,
/// such as a weight gradient `x.T @ grad` that sums over the batch: split by
/// rows, each thread would read all of `grad`, half of it just written by the
/// other core, and moving those lines between the cores cost more than the
/// product's half (docs/PERFORMANCE.md, ninth sitting); along `k`, each thread
/// reads the rows of the batch that the kernels before it wrote on that
/// thread, and only the small sums cross.
fn gemm_panels<T: Gemm>(kc: usize, m: usize, k: usize, n: usize, a: (&[T], usize, usize), b: (&[T], usize, usize), c: &mut [T]) {
    let panels = k.div_ceil(kc);
    // The caller's panels end where the other kernels' first part of the batch
    // rows ends (`parts.rs` puts it on a panel where that keeps the balance),
    // so the caller sums the rows its own kernels wrote.
    let threads = rayon::current_num_threads();
    let cut = super::parts::bound(k, threads, 1);
    let first = if cut > 0 && cut.is_multiple_of(kc) { cut / kc } else { panels.div_ceil(threads) };
    // The thread's buffer from its last product (a training step computes its
    // weight gradients this way every step); every element is overwritten.
    let mut sums = T::panel_sums().take();
    sums.clear();
    sums.resize((panels - first) * m * n, T::ZERO);
    // The later panels, each summed apart from zero, in one job of consecutive
    // panels per other thread: the thread then reads the rows of the batch its
    // own kernels wrote, and starts once, not once per panel. Joins rather than
    // a scope: a scope's jobs live on the heap, a join's on the stack.
    let per = (panels - first).div_ceil(threads.saturating_sub(1).max(1));
    let later = |sums: &mut [T]| {
        sums.par_chunks_mut(per * m * n).with_max_len(1).enumerate().for_each(|(g, group)| {
            for (i, sum) in group.chunks_mut(m * n).enumerate() {
                let p = (first + g * per + i) * kc;
                let depth = kc.min(k - p);
                T::gemm_strided(m, depth, n, (&a.0[p * a.2..], a.1, a.2), (&b.0[p * b.1..], b.1, b.2), sum);
            }
        })
    };
    rayon::join(|| T::gemm_strided(m, first * kc, n, a, b, c), || later(&mut sums));
    for sum in sums.chunks(m * n) {
        for (c, &s) in c.iter_mut().zip(sum) {
            // The panel's sum first, as the product's own epilogue adds it.
            *c = s + *c;
        }
    }
    T::panel_sums().set(sums);
}

/// `c = A B` for 2-D operands where `a` (or `b`) may hold its operand's
/// transpose, row-major (`a_t`: `a` is k x m): read through strides, not copied.
/// The result is bit for bit the product of the copied transpose.
#[allow(clippy::too_many_arguments)]
pub fn matmul_2d_into<T: Gemm>(m: usize, k: usize, n: usize, a: &[T], a_t: bool, b: &[T], b_t: bool, c: &mut [T]) {
    assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n, "matmul operands do not match their shapes");
    if m == 0 || n == 0 || k == 0 {
        c.fill(T::ZERO);
        return;
    }
    let a = if a_t { (a, 1, m) } else { (a, k, 1) };
    let b = if b_t { (b, 1, k) } else { (b, n, 1) };
    gemm_rows_strided(m, k, n, a, b, c);
}
