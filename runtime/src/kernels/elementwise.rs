//! Elementwise kernels, written as PyTorch's CPU kernels compute them for one
//! element (`UnaryOpsKernel.cpp`, `BinaryOpsKernel.cpp`, `PowKernel.cpp`), in the
//! tensor's own precision.
//!
//! PyTorch computes some of these with SIMD code. Kernels built on
//! `cpu_kernel_vec` run their vector lambda over whole blocks of two vector
//! registers and the scalar lambda over the tail; for `sigmoid`, whose vector
//! lambda uses SLEEF's `exp`, `exp2`, `atanh`, and `sinh`/`cosh` (SLEEF for
//! double), graphc does the same by position ([`unary_at_into`]). `exp`, `log`,
//! `sin`, `cos`, `tanh`, `sqrt` and most other transcendental ops go through
//! `vml::v<op>`, which calls Intel MKL's closed vector functions; graphc uses
//! libm there, or SLEEF where it is closer to MKL (`tanh`, `erfc`), within 1
//! ulp of MKL.
//! docs/NUMERICS.md measures every op against PyTorch.
//!
//! Each op's element formula is written once, in its row of the op table
//! (`op/unary.rs`, `op/binary.rs`; `pow_scalar` and `where` here), and applied
//! by the `*_into` functions, which write into a caller's buffer: the
//! one-op-at-a-time path (`unary`, `binary`, `select`) and the fused executor
//! ([`crate::fused`]) both call them, so fusing ops can never change a result.

use super::broadcast::expand;
use super::float::Float;
use crate::op::{Activation, Binary, Cmp, ElementFn1, ElementFn2, Unary, GELU_TANH_BETA};

/// An operand of an elementwise op: one element per output element, or one
/// value for all of them (a wrapped number or a one-element tensor).
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a, T> {
    Slice(&'a [T]),
    Scalar(T),
}

impl<'a, T: Float> Arg<'a, T> {
    #[inline(always)]
    fn at(&self, i: usize) -> T {
        match self {
            Arg::Slice(s) => s[i],
            Arg::Scalar(v) => *v,
        }
    }

    /// The operand of output elements `elements` (a scalar everywhere).
    #[inline(always)]
    pub fn part(self, elements: std::ops::Range<usize>) -> Arg<'a, T> {
        match self {
            Arg::Slice(s) => Arg::Slice(&s[elements]),
            scalar => scalar,
        }
    }

    /// The operand of the output elements before `mid` and from `mid` on.
    #[inline(always)]
    fn split_at(self, mid: usize) -> (Arg<'a, T>, Arg<'a, T>) {
        match self {
            Arg::Slice(s) => (Arg::Slice(&s[..mid]), Arg::Slice(&s[mid..])),
            scalar => (scalar, scalar),
        }
    }
}

/// A one-operand elementwise op over `src`. The op's row in the table gives
/// PyTorch's scalar lambda for one element; `map1` is generic over it, so the
/// loop is specialized per op (a function pointer per element would keep the
/// compiler from inlining it).
pub fn unary<T: Float>(op: Unary, src: &[T]) -> Vec<T> {
    let mut out = vec![T::ZERO; src.len()];
    unary_into(op, Arg::Slice(src), &mut out);
    out
}

/// [`unary`] into `dst`; a slice `src` has `dst`'s length and is a whole tensor
/// (see [`unary_at_into`] for the ops whose bits depend on the position).
#[inline(always)]
pub fn unary_into<T: Float>(op: Unary, src: Arg<T>, dst: &mut [T]) {
    let total = dst.len();
    unary_at_into(op, src, dst, 0, total)
}

/// Whether PyTorch computes `op` with `cpu_kernel_vec` and a vector lambda
/// whose bits differ from its scalar one (SLEEF against libm), so that an
/// element's result depends on where it sits in the tensor.
pub fn by_position(op: Unary) -> bool {
    matches!(op, Unary::Sigmoid | Unary::Exp2 | Unary::Atanh | Unary::Sinh | Unary::Cosh | Unary::Mish | Unary::GeluTanh | Unary::ExpBlocks)
}

/// Elements per iteration of the vector loop of PyTorch's `cpu_kernel_vec` on
/// this project's reference machine (AVX-512: two registers of 16 floats or 8
/// doubles); the last `total % block` elements of a tensor take the scalar
/// lambda instead.
fn vector_block<T: Float>() -> usize {
    128 / std::mem::size_of::<T>()
}

/// `op` over elements `[start, start + dst.len())` of a contiguous tensor of
/// `total` elements, as PyTorch 2.15's `cpu_kernel_vec` computes each one: the
/// vector lambda (SLEEF: [`Float::sigmoid`], [`Float::exp2_sleef`],
/// [`Float::atanh_sleef`], [`Float::sinh_vec`], [`Float::cosh_vec`], and
/// `mish` and `gelu_tanh` through [`Float::tanh_sleef`]) over whole
/// blocks of [`vector_block`] elements, the scalar lambda (the op table's
/// element formula, with libm) over the rest. For more than 32768 elements
/// PyTorch also splits the tensor among its threads, each with its own tail;
/// graphc reproduces one thread's split (docs/NUMERICS.md). A one-value operand
/// is a one-element tensor: scalar. Ops not [`by_position`] ignore the position.
///
/// The element loops run compiled for AVX2 and FMA where the CPU has them.
/// SLEEF's functions are written with `mul_add`, as SLEEF's FMA build computes
/// them; compiled for the baseline CPU each one is a call to libm's `fma`,
/// there one instruction, with the same correctly rounded result. Every
/// element formula is inlined into the loops (`#[inline(always)]` on the op
/// table's closures and on [`Float`]'s SLEEF methods), since a formula left
/// out of line would be compiled for the baseline CPU.
#[inline(always)]
pub fn unary_at_into<T: Float>(op: Unary, src: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    // `exp` over a slice runs the vector port of libm's algorithm, same bits.
    if let (Unary::Exp, Arg::Slice(s)) = (op, src) {
        return T::exp_exact(s, dst);
    }
    #[cfg(target_arch = "x86_64")]
    if super::cpu::avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA.
        return unsafe { unary_avx2(op, src, dst, start, total) };
    }
    unary_portable(op, src, dst, start, total)
}

/// [`unary_loops`] compiled for AVX2 and FMA.
///
/// # Safety
/// The CPU has AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn unary_avx2<T: Float>(op: Unary, src: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    unary_loops(op, src, dst, start, total)
}

/// [`unary_loops`] compiled for the baseline CPU.
fn unary_portable<T: Float>(op: Unary, src: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    unary_loops(op, src, dst, start, total)
}

/// The element loops of [`unary_at_into`], inlined into each build of it.
#[inline(always)]
fn unary_loops<T: Float>(op: Unary, src: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    match op {
        Unary::Sigmoid => by_blocks(
            op,
            #[inline(always)]
            |a: T| a.sigmoid(),
            src,
            dst,
            start,
            total,
        ),
        Unary::ExpBlocks => by_blocks(
            op,
            #[inline(always)]
            |a: T| a.exp_sleef(),
            src,
            dst,
            start,
            total,
        ),
        Unary::Exp2 => by_blocks(
            op,
            #[inline(always)]
            |a: T| a.exp2_sleef(),
            src,
            dst,
            start,
            total,
        ),
        Unary::Atanh => by_blocks(
            op,
            #[inline(always)]
            |a: T| a.atanh_sleef(),
            src,
            dst,
            start,
            total,
        ),
        // For f32 these are glibc's, as the scalar lambda: PyTorch's float
        // kernels call it on every element.
        Unary::Sinh => by_blocks(
            op,
            #[inline(always)]
            |a: T| a.sinh_vec(),
            src,
            dst,
            start,
            total,
        ),
        Unary::Cosh => by_blocks(
            op,
            #[inline(always)]
            |a: T| a.cosh_vec(),
            src,
            dst,
            start,
            total,
        ),
        // `x * tanh(log1p(exp(x)))` with SLEEF's three functions (a NaN input
        // is settled by position below).
        Unary::Mish => by_blocks(
            op,
            #[inline(always)]
            |a: T| a * a.exp_sleef().log1p_torch().tanh_sleef(),
            src,
            dst,
            start,
            total,
        ),
        // The scalar lambda's formula with SLEEF's `tanh`; GCC fuses
        // `x + kKappa * x^3` into a multiply-add in both lambdas. A NaN input
        // comes out quieted: the multiply by `0.5 * x` keeps its first operand.
        Unary::GeluTanh => by_blocks(
            op,
            #[inline(always)]
            |a: T| {
                if a.is_nan() {
                    return a + a;
                }
                let inner = T::from_f64(GELU_TANH_BETA) * T::from_f64(0.044715).mul_add(a * a * a, a);
                T::from_f64(0.5) * a * (T::ONE + inner.tanh_sleef())
            },
            src,
            dst,
            start,
            total,
        ),
        _ => op.with_element(Map1 { src, dst }),
    }
}

/// A [`by_position`] op: `vector` (its vector lambda) over the elements in
/// whole vector blocks of the tensor, the op table's scalar lambda over the rest.
#[inline(always)]
fn by_blocks<T: Float>(op: Unary, vector: impl Fn(T) -> T, src: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    match src {
        Arg::Slice(s) => {
            let body_end = total - total % vector_block::<T>();
            let body = body_end.saturating_sub(start).min(dst.len());
            let (head, tail) = dst.split_at_mut(body);
            for (d, &a) in head.iter_mut().zip(s) {
                *d = vector(a);
            }
            if op == Unary::Mish {
                mish_nans(&s[..body], head, start);
            }
            op.with_element(Map1 { src: Arg::Slice(&s[body..]), dst: tail })
        }
        Arg::Scalar(_) => op.with_element(Map1 { src, dst }),
    }
}

/// `mish`'s vector lambda at NaN inputs, elements `start..` of the vector body:
/// both operands of its final multiply are NaN there (SLEEF's `tanh` of a NaN
/// sets every bit), and PyTorch's build multiplies the first vector of each
/// block with `x` as the operand whose NaN survives, the second with the
/// `tanh` (measured over every position): the input quieted, or every bit set.
fn mish_nans<T: Float>(src: &[T], dst: &mut [T], start: usize) {
    let block = vector_block::<T>();
    for (k, (d, &a)) in dst.iter_mut().zip(src).enumerate() {
        if a.is_nan() {
            *d = if (start + k) % block < block / 2 { a + a } else { T::ALL_ONES };
        }
    }
}

/// `pow_scalar` over `src`: see [`pow_scalar_into`].
pub fn pow_scalar<T: Float>(c: f64, src: &[T]) -> Vec<T> {
    let mut out = vec![T::ZERO; src.len()];
    pow_scalar_into(Arg::Slice(src), c, &mut out);
    out
}

/// An [`Activation`] over `src`: see [`activation_into`].
pub fn activation<T: Float>(op: Activation, src: &[T]) -> Vec<T> {
    let mut out = vec![T::ZERO; src.len()];
    activation_into(op, Arg::Slice(src), &mut out);
    out
}

/// [`activation`] into `dst`, for a whole tensor: see [`activation_at_into`].
#[inline(always)]
pub fn activation_into<T: Float>(op: Activation, src: Arg<T>, dst: &mut [T]) {
    let total = dst.len();
    activation_at_into(op, src, dst, 0, total)
}

/// An [`Activation`] over elements `[start, start + dst.len())` of a contiguous
/// tensor of `total` elements, the one loop both the one-op kernel and the
/// fused executor run, so that they agree bit for bit. The ops
/// [`Activation::by_position`] take their vector lambda over whole vector
/// blocks of the tensor and their scalar one over the rest, as
/// `cpu_kernel_vec` does (see [`unary_at_into`]).
#[inline(always)]
pub fn activation_at_into<T: Float>(op: Activation, src: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    match src {
        Arg::Slice(s) if op.by_position() => {
            let block = op.vector_bytes() / std::mem::size_of::<T>();
            let body_end = total - total % block;
            let body = body_end.saturating_sub(start).min(dst.len());
            let (head, tail) = dst.split_at_mut(body);
            map1(Arg::Slice(&s[..body]), head, |x| op.apply_vector(x));
            map1(Arg::Slice(&s[body..]), tail, |x| op.apply(x));
        }
        _ => map1(src, dst, |x| op.apply(x)),
    }
}

/// The loop of a one-operand op, handed the op's element formula by the table.
struct Map1<'a, 'b, T> {
    src: Arg<'a, T>,
    dst: &'b mut [T],
}

impl<T: Float> ElementFn1<T> for Map1<'_, '_, T> {
    type Output = ();
    #[inline(always)]
    fn call(self, f: impl Fn(T) -> T + Copy) {
        map1(self.src, self.dst, f)
    }
}

#[inline(always)]
fn map1<T: Float>(src: Arg<T>, dst: &mut [T], f: impl Fn(T) -> T) {
    match src {
        Arg::Slice(s) => {
            let s = &s[..dst.len()];
            for (d, &a) in dst.iter_mut().zip(s) {
                *d = f(a);
            }
        }
        Arg::Scalar(a) => dst.fill(f(a)),
    }
}

/// [`pow_scalar_at_into`] over a whole tensor, its loops compiled for AVX2 and
/// FMA where the CPU has them (SLEEF's `pow` is a chain of multiply-adds).
pub fn pow_scalar_into<T: Float>(src: Arg<T>, c: f64, dst: &mut [T]) {
    let total = dst.len();
    #[cfg(target_arch = "x86_64")]
    if super::cpu::avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA.
        return unsafe { pow_scalar_avx2(src, c, dst, total) };
    }
    pow_scalar_at_into(src, c, dst, 0, total)
}

/// [`pow_scalar_at_into`] compiled for AVX2 and FMA.
///
/// # Safety
/// The CPU has AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn pow_scalar_avx2<T: Float>(src: Arg<T>, c: f64, dst: &mut [T], total: usize) {
    pow_scalar_at_into(src, c, dst, 0, total)
}

/// `x ** c` over elements `[start, start + dst.len())` of a contiguous tensor
/// of `total` elements, with PyTorch's special cases (`pow_tensor_scalar_kernel`
/// and `pow_tensor_scalar_optimized_kernel`): 0.5, -0.5 and -1 go to the sqrt,
/// rsqrt and reciprocal kernels; 2, 3 and -2 are multiplications; `c == 0` is
/// `fill_(1)` and `c == 1` a copy, decided before any kernel runs. Any other
/// exponent runs `cpu_kernel_vec` with two lambdas, so an element's bits
/// depend on its position as for the unary ops [`by_position`]: the vector
/// lambda `base.pow(exp)` (SLEEF's `pow`, [`Float::pow_sleef`], with the
/// exponent rounded to the tensor's dtype) over whole vector blocks, and the
/// scalar `std::pow(base, double(c))` (libm's `pow` in double, rounded back)
/// over the rest.
#[inline(always)]
pub fn pow_scalar_at_into<T: Float>(src: Arg<T>, c: f64, dst: &mut [T], start: usize, total: usize) {
    if c == 0.0 {
        map1(src, dst, |_| T::ONE)
    } else if c == 1.0 {
        map1(src, dst, |x| x)
    } else if c == 0.5 {
        map1(src, dst, |x| x.sqrt())
    } else if c == -0.5 {
        map1(src, dst, |x| T::ONE / x.sqrt())
    } else if c == -1.0 {
        map1(src, dst, |x| T::ONE / x)
    } else if c == 2.0 {
        map1(src, dst, |x| x * x)
    } else if c == 3.0 {
        map1(src, dst, |x| x * x * x)
    } else if c == -2.0 {
        // PyTorch divides `1.0` (double) by the product, then rounds to the dtype;
        // for float that equals float division, since double is wide enough that
        // the double rounding is innocuous for a quotient.
        map1(src, dst, |x| T::from_f64(1.0 / (x * x).to_f64()))
    } else {
        let scalar = |x: T| T::from_f64(x.to_f64().powf(c));
        match src {
            Arg::Slice(s) => {
                let body_end = total - total % vector_block::<T>();
                let body = body_end.saturating_sub(start).min(dst.len());
                let (head, tail) = dst.split_at_mut(body);
                let e = T::from_f64(c);
                map1(Arg::Slice(&s[..body]), head, |x| x.pow_sleef(e));
                map1(Arg::Slice(&s[body..]), tail, scalar);
            }
            Arg::Scalar(_) => map1(src, dst, scalar),
        }
    }
}

/// A two-operand elementwise op, both operands broadcast to `out`. The op's row
/// gives PyTorch's scalar lambda for one element, specialized per op by `map2`.
pub fn binary<T: Float>(op: Binary, a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize], out: &[usize]) -> Vec<T> {
    let n: usize = out.iter().product();
    let mut dst = vec![T::ZERO; n];
    // A one-element operand (a wrapped number) is read directly instead of being
    // expanded to the output's size first.
    let arg = |data: &[T], shape: &[usize]| -> Option<Arg<'static, T>> { (shape != out && data.len() == 1).then(|| Arg::Scalar(data[0])) };
    let (ea, eb);
    let a = match arg(a, a_shape) {
        Some(s) => s,
        None => {
            ea = expand(a, a_shape, out);
            Arg::Slice(&ea[..])
        }
    };
    let b = match arg(b, b_shape) {
        Some(s) => s,
        None => {
            eb = expand(b, b_shape, out);
            Arg::Slice(&eb[..])
        }
    };
    if !op.by_position() || n == 0 {
        binary_compiled(op, a, b, &mut dst, 0, n);
        return dst;
    }
    // PyTorch's loop runs its lambdas over rows of the dimensions it coalesces,
    // each row with its own vector blocks and tail.
    let row = torch_row(&[a_shape, b_shape], out);
    for (i, d) in dst.chunks_mut(row).enumerate() {
        let elements = i * row..(i + 1) * row;
        binary_compiled(op, a.part(elements.clone()), b.part(elements), d, 0, row);
    }
    dst
}

/// The length of the rows TensorIterator hands a contiguous elementwise
/// kernel whose operands of `shapes` broadcast to `out`: the product of the
/// last dimensions it coalesces, which are those where every operand either
/// has all of the dimensions or broadcasts along all of them (dimensions of
/// size 1 in the result coalesce with anything).
pub fn torch_row(shapes: &[&[usize]], out: &[usize]) -> usize {
    let present = |s: &[usize], d: usize| -> bool {
        let k = out.len() - d;
        s.len() >= k && s[s.len() - k] != 1
    };
    let mut row = 1;
    let mut last: Option<usize> = None;
    for d in (0..out.len()).rev() {
        if out[d] == 1 {
            continue;
        }
        if let Some(l) = last {
            if shapes.iter().any(|s| present(s, d) != present(s, l)) {
                break;
            }
        }
        row *= out[d];
        last = Some(d);
    }
    row
}

/// [`binary_at_into`] for the one-op paths, its loops compiled for AVX2 and
/// FMA where the CPU has them, as [`unary_at_into`]'s are (`tanh_backward` is
/// a multiply-add). The fused executor inlines [`binary_at_into`] into its
/// own builds instead.
pub fn binary_compiled<T: Float>(op: Binary, a: Arg<T>, b: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    #[cfg(target_arch = "x86_64")]
    if super::cpu::avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA.
        return unsafe { binary_avx2(op, a, b, dst, start, total) };
    }
    binary_at_into(op, a, b, dst, start, total)
}

/// [`binary_at_into`] compiled for AVX2 and FMA.
///
/// # Safety
/// The CPU has AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn binary_avx2<T: Float>(op: Binary, a: Arg<T>, b: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    binary_at_into(op, a, b, dst, start, total)
}

/// [`binary_into`] over elements `[start, start + dst.len())` of a row of
/// `total` elements. For the ops [`Binary::by_position`] (`pow`), PyTorch's
/// `cpu_kernel_vec` runs the vector lambda (SLEEF's `pow`,
/// [`Float::pow_sleef`]) over the row's whole vector blocks and the scalar
/// one (libm's) over the rest, as for the unary ops [`by_position`]. Two
/// one-value operands are a one-element tensor: scalar.
#[inline(always)]
pub fn binary_at_into<T: Float>(op: Binary, a: Arg<T>, b: Arg<T>, dst: &mut [T], start: usize, total: usize) {
    if !op.by_position() || matches!((a, b), (Arg::Scalar(_), Arg::Scalar(_))) {
        return binary_into(op, a, b, dst);
    }
    let body = (total - total % vector_block::<T>()).saturating_sub(start).min(dst.len());
    let (head, tail) = dst.split_at_mut(body);
    let ((a_head, a_tail), (b_head, b_tail)) = (a.split_at(body), b.split_at(body));
    map2(a_head, b_head, head, |x, y| x.pow_sleef(y));
    binary_into(op, a_tail, b_tail, tail)
}

/// [`binary`] into `dst`; slice operands have `dst`'s length.
#[inline(always)]
pub fn binary_into<T: Float>(op: Binary, a: Arg<T>, b: Arg<T>, dst: &mut [T]) {
    op.with_element(Map2 { a, b, dst })
}

/// The loop of a two-operand op, handed the op's element formula by the table.
struct Map2<'a, 'b, T> {
    a: Arg<'a, T>,
    b: Arg<'a, T>,
    dst: &'b mut [T],
}

impl<T: Float> ElementFn2<T> for Map2<'_, '_, T> {
    type Output = ();
    #[inline(always)]
    fn call(self, f: impl Fn(T, T) -> T + Copy) {
        map2(self.a, self.b, self.dst, f)
    }
}

/// Applies `f` elementwise; each combination of slice and scalar operands gets
/// its own loop, so the common ones vectorize.
#[inline(always)]
pub(crate) fn map2<T: Float>(a: Arg<T>, b: Arg<T>, dst: &mut [T], f: impl Fn(T, T) -> T) {
    let n = dst.len();
    match (a, b) {
        (Arg::Slice(a), Arg::Slice(b)) => {
            let (a, b) = (&a[..n], &b[..n]);
            for i in 0..n {
                dst[i] = f(a[i], b[i]);
            }
        }
        (Arg::Slice(a), Arg::Scalar(y)) => {
            for (d, &x) in dst.iter_mut().zip(&a[..n]) {
                *d = f(x, y);
            }
        }
        (Arg::Scalar(x), Arg::Slice(b)) => {
            for (d, &y) in dst.iter_mut().zip(&b[..n]) {
                *d = f(x, y);
            }
        }
        (Arg::Scalar(x), Arg::Scalar(y)) => dst.fill(f(x, y)),
    }
}

/// `where(a CMP b, x, y)` with all four operands broadcast to `out`. A comparison
/// with NaN is false, so NaN selects `y`.
pub fn select<T: Float>(cmp: Cmp, ops: [(&[T], &[usize]); 4], out: &[usize]) -> Vec<T> {
    let expanded = ops.map(|(data, shape)| expand(data, shape, out));
    let n: usize = out.iter().product();
    let mut dst = vec![T::ZERO; n];
    select_into(cmp, [0, 1, 2, 3].map(|i| Arg::Slice(&expanded[i][..])), &mut dst);
    dst
}

/// [`select`] into `dst`; slice operands have `dst`'s length.
#[inline(always)]
pub fn select_into<T: Float>(cmp: Cmp, args: [Arg<T>; 4], dst: &mut [T]) {
    match cmp {
        Cmp::Lt => select_with(args, dst, |p, q| p < q),
        Cmp::Le => select_with(args, dst, |p, q| p <= q),
        Cmp::Eq => select_with(args, dst, |p, q| p == q),
        Cmp::Gt => select_with(args, dst, |p, q| p > q),
        Cmp::Ge => select_with(args, dst, |p, q| p >= q),
        Cmp::Ne => select_with(args, dst, |p, q| p != q),
    }
}

/// [`select_into`] for one comparison, inlined: the common operand kinds get
/// loops of their own, which compile to vector compares and blends (a
/// function pointer per element, or a test of each operand's kind, kept a
/// ReLU's backward, `where(x <= 0, 0, g)`, ten times slower than its forward).
#[inline(always)]
fn select_with<T: Float>(args: [Arg<T>; 4], dst: &mut [T], test: impl Fn(T, T) -> bool) {
    let n = dst.len();
    match args {
        [Arg::Slice(a), Arg::Scalar(b), Arg::Scalar(x), Arg::Slice(y)] => {
            for ((d, &p), &q) in dst.iter_mut().zip(&a[..n]).zip(&y[..n]) {
                *d = if test(p, b) { x } else { q };
            }
        }
        [Arg::Slice(a), Arg::Scalar(b), Arg::Slice(x), Arg::Scalar(y)] => {
            for ((d, &p), &v) in dst.iter_mut().zip(&a[..n]).zip(&x[..n]) {
                *d = if test(p, b) { v } else { y };
            }
        }
        [Arg::Slice(a), Arg::Scalar(b), Arg::Slice(x), Arg::Slice(y)] => {
            let (a, x, y) = (&a[..n], &x[..n], &y[..n]);
            for i in 0..n {
                dst[i] = if test(a[i], b) { x[i] } else { y[i] };
            }
        }
        [Arg::Slice(a), Arg::Slice(b), Arg::Slice(x), Arg::Slice(y)] => {
            let (a, b, x, y) = (&a[..n], &b[..n], &x[..n], &y[..n]);
            for i in 0..n {
                dst[i] = if test(a[i], b[i]) { x[i] } else { y[i] };
            }
        }
        [a, b, x, y] => {
            for (i, d) in dst.iter_mut().enumerate() {
                *d = if test(a.at(i), b.at(i)) { x.at(i) } else { y.at(i) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::torch_row;

    /// TensorIterator coalesces the trailing dimensions along which every
    /// operand is either present or broadcast, and skips those of size 1.
    #[test]
    fn torch_rows_are_the_coalesced_trailing_dimensions() {
        assert_eq!(torch_row(&[&[1000, 37], &[1000, 37]], &[1000, 37]), 37000);
        assert_eq!(torch_row(&[&[1000, 37], &[]], &[1000, 37]), 37000);
        assert_eq!(torch_row(&[&[1000, 37], &[37]], &[1000, 37]), 37);
        assert_eq!(torch_row(&[&[1000, 37], &[1000, 1]], &[1000, 37]), 37);
        assert_eq!(torch_row(&[&[40, 3, 53], &[3, 53]], &[40, 3, 53]), 159);
        assert_eq!(torch_row(&[&[40, 1, 53], &[40, 1, 1]], &[40, 1, 53]), 53);
        assert_eq!(torch_row(&[&[4, 1, 5], &[1, 3, 5]], &[4, 3, 5]), 5);
    }
}
