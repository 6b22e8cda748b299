//! Kernels whose operands and result have different dtypes: casts, comparisons,
//! `where` on a bool mask, logical ops and float tests, plus `nan_to_num`. Each
//! follows the scalar lambda of PyTorch's CPU kernel (`Copy.cpp`'s
//! `static_cast`, `BinaryOpsKernel.cpp`'s comparisons and logical ops,
//! `TensorCompare.cpp`'s `where`, `UnaryOpsKernel.cpp`'s `nan_to_num`).

use super::broadcast::Broadcast;
use super::float::Float;
use crate::op::{Cmp, FloatTest, Logical};
use crate::tensor::{DType, Data, Tensor};

/// One element of any dtype, converted as C++'s `static_cast` converts it.
pub trait Element: Copy + PartialOrd {
    fn cast_f32(self) -> f32;
    fn cast_f64(self) -> f64;
    /// Floats truncate toward zero; NaN and values out of range saturate (Rust's
    /// `as`), where C++ leaves them undefined.
    fn cast_i64(self) -> i64;
    /// Any nonzero value (NaN included) is `true`.
    fn cast_bool(self) -> bool;
}

macro_rules! impl_element {
    ($t:ty, $zero:expr) => {
        impl Element for $t {
            fn cast_f32(self) -> f32 {
                self as f32
            }
            fn cast_f64(self) -> f64 {
                self as f64
            }
            fn cast_i64(self) -> i64 {
                self as i64
            }
            fn cast_bool(self) -> bool {
                self != $zero
            }
        }
    };
}

impl_element!(f32, 0.0);
impl_element!(f64, 0.0);
impl_element!(i64, 0);

impl Element for bool {
    fn cast_f32(self) -> f32 {
        if self {
            1.0
        } else {
            0.0
        }
    }
    fn cast_f64(self) -> f64 {
        if self {
            1.0
        } else {
            0.0
        }
    }
    fn cast_i64(self) -> i64 {
        self as i64
    }
    fn cast_bool(self) -> bool {
        self
    }
}

/// Calls `$body` with `$v` bound to the elements of `$t`, whatever its dtype.
macro_rules! with_elements {
    ($t:expr, |$v:ident| $body:expr) => {
        match $t.data() {
            Data::F32($v) => $body,
            Data::F64($v) => $body,
            Data::I64($v) => $body,
            Data::Bool($v) => $body,
        }
    };
}

/// `Cast`: every element of `src` converted to `dtype`.
pub fn cast(src: &Tensor, dtype: DType) -> Tensor {
    let mut dst = Tensor::full(dtype, src.shape().to_vec(), 0.0);
    cast_into(src, &mut dst);
    dst
}

/// [`cast`] into `dst`, a tensor of the result's dtype and `src`'s element
/// count (a pooled buffer: an optimizer casts its step count every step).
pub fn cast_into(src: &Tensor, dst: &mut Tensor) {
    assert_eq!(src.numel(), dst.numel(), "cast into a buffer of another size");
    with_elements!(src, |v| cast_slice(v, dst.data_mut()))
}

fn cast_slice<S: Element>(v: &[S], dst: &mut Data) {
    match dst {
        Data::F32(d) => d.iter_mut().zip(v).for_each(|(d, x)| *d = x.cast_f32()),
        Data::F64(d) => d.iter_mut().zip(v).for_each(|(d, x)| *d = x.cast_f64()),
        Data::I64(d) => d.iter_mut().zip(v).for_each(|(d, x)| *d = x.cast_i64()),
        Data::Bool(d) => d.iter_mut().zip(v).for_each(|(d, x)| *d = x.cast_bool()),
    }
}

/// `Compare`: `a CMP b` for operands of one dtype, broadcast to `out`.
pub fn compare(cmp: Cmp, a: &Tensor, b: &Tensor, out: &[usize]) -> Tensor {
    let mut t = Tensor::full(DType::Bool, out.to_vec(), 0.0);
    compare_into(cmp, a, b, &mut t);
    t
}

/// [`compare`] into `dst`, a bool tensor of the result's shape (a pooled
/// buffer: a training loop compares its step counter every iteration).
pub fn compare_into(cmp: Cmp, a: &Tensor, b: &Tensor, dst: &mut Tensor) {
    let out: smallvec::SmallVec<[usize; 8]> = dst.shape().into();
    let Data::Bool(d) = dst.data_mut() else { panic!("compare writes a bool tensor, not a {}", dst.dtype()) };
    match (a.data(), b.data()) {
        (Data::F32(x), Data::F32(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), &out, d),
        (Data::F64(x), Data::F64(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), &out, d),
        (Data::I64(x), Data::I64(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), &out, d),
        (Data::Bool(x), Data::Bool(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), &out, d),
        _ => panic!("compare of {} with {}: the compiler promotes both operands to one dtype", a.dtype(), b.dtype()),
    }
}

fn compare_slices<T: Element>(cmp: Cmp, a: &[T], sa: &[usize], b: &[T], sb: &[usize], out: &[usize], dst: &mut [bool]) {
    let (a, b) = (Broadcast::new(a, sa, out), Broadcast::new(b, sb, out));
    match cmp {
        Cmp::Lt => compare_with(&a, &b, dst, |p, q| p < q),
        Cmp::Le => compare_with(&a, &b, dst, |p, q| p <= q),
        Cmp::Eq => compare_with(&a, &b, dst, |p, q| p == q),
        Cmp::Gt => compare_with(&a, &b, dst, |p, q| p > q),
        Cmp::Ge => compare_with(&a, &b, dst, |p, q| p >= q),
        Cmp::Ne => compare_with(&a, &b, dst, |p, q| p != q),
    }
}

/// [`compare_slices`] for one comparison, inlined, with a loop per operand
/// kind: the comparison and the operands' kinds decided once, not per element
/// (a dropout's `rand < p` over 16,384 elements took 44 us so).
#[inline(always)]
fn compare_with<T: Element>(a: &Broadcast<T>, b: &Broadcast<T>, dst: &mut [bool], test: impl Fn(T, T) -> bool) {
    match (a, b) {
        (Broadcast::Many(x), Broadcast::One(q)) => dst.iter_mut().zip(x.iter()).for_each(|(d, &p)| *d = test(p, *q)),
        (Broadcast::One(p), Broadcast::Many(y)) => dst.iter_mut().zip(y.iter()).for_each(|(d, &q)| *d = test(*p, q)),
        (Broadcast::Many(x), Broadcast::Many(y)) => dst.iter_mut().zip(x.iter().zip(y.iter())).for_each(|(d, (&p, &q))| *d = test(p, q)),
        (Broadcast::One(p), Broadcast::One(q)) => dst.fill(test(*p, *q)),
    }
}

/// `Select`: `where(cond, x, y)`, all three broadcast to `out`; `x` and `y` share
/// the result's dtype.
pub fn select(cond: &Tensor, x: &Tensor, y: &Tensor, out: &[usize]) -> Tensor {
    let mut dst = Tensor::full(x.dtype(), out.to_vec(), 0.0);
    select_into(cond, x, y, &mut dst);
    dst
}

/// [`select`] into `dst`, a tensor of the values' dtype and the result's shape.
pub fn select_into(cond: &Tensor, x: &Tensor, y: &Tensor, dst: &mut Tensor) {
    let out: smallvec::SmallVec<[usize; 8]> = dst.shape().into();
    let c = cond.as_bool().expect("where's condition is bool: the compiler converts it");
    let c = Broadcast::new(c, cond.shape(), &out);
    match (x.data(), y.data(), dst.data_mut()) {
        (Data::F32(p), Data::F32(q), Data::F32(d)) => select_slices(&c, p, x.shape(), q, y.shape(), &out, d),
        (Data::F64(p), Data::F64(q), Data::F64(d)) => select_slices(&c, p, x.shape(), q, y.shape(), &out, d),
        (Data::I64(p), Data::I64(q), Data::I64(d)) => select_slices(&c, p, x.shape(), q, y.shape(), &out, d),
        (Data::Bool(p), Data::Bool(q), Data::Bool(d)) => select_slices(&c, p, x.shape(), q, y.shape(), &out, d),
        _ => panic!("where of {} and {} into {}: the compiler promotes both values to one dtype", x.dtype(), y.dtype(), dst.dtype()),
    }
}

fn select_slices<T: Copy>(c: &Broadcast<bool>, x: &[T], sx: &[usize], y: &[T], sy: &[usize], out: &[usize], dst: &mut [T]) {
    let (x, y) = (Broadcast::new(x, sx, out), Broadcast::new(y, sy, out));
    for (i, d) in dst.iter_mut().enumerate() {
        *d = if c.at(i) { x.at(i) } else { y.at(i) };
    }
}

/// `Logical`: `logical_and`/`logical_or` of two bool tensors broadcast to `out`,
/// or `logical_not` of one.
pub fn logical(op: Logical, args: &[&Tensor], out: &[usize]) -> Tensor {
    let mut t = Tensor::full(DType::Bool, out.to_vec(), 0.0);
    logical_into(op, args, &mut t);
    t
}

/// [`logical`] into `dst`, a bool tensor of the result's shape.
pub fn logical_into(op: Logical, args: &[&Tensor], dst: &mut Tensor) {
    let out: smallvec::SmallVec<[usize; 8]> = dst.shape().into();
    let operand = |i: usize| {
        let t: &Tensor = args[i];
        Broadcast::new(t.as_bool().expect("logical ops take bool operands: the compiler converts them"), t.shape(), &out)
    };
    let Data::Bool(d) = dst.data_mut() else { panic!("logical ops write a bool tensor, not a {}", dst.dtype()) };
    match op {
        Logical::Not => {
            let p = operand(0);
            d.iter_mut().enumerate().for_each(|(i, d)| *d = !p.at(i));
        }
        Logical::And | Logical::Or => {
            let (p, q) = (operand(0), operand(1));
            let and = op == Logical::And;
            d.iter_mut().enumerate().for_each(|(i, d)| *d = if and { p.at(i) && q.at(i) } else { p.at(i) || q.at(i) });
        }
    }
}

/// `FloatTest`: `isnan`, `isfinite`, `isinf`, ... of each element (an integer
/// or bool is never NaN and always finite).
pub fn float_test(test: FloatTest, src: &Tensor) -> Tensor {
    let shape = src.shape().to_vec();
    let data = with_elements!(src, |v| v.iter().map(|x| test.holds(x.cast_f64())).collect());
    Tensor::from_bool(shape, data)
}

/// `nan_to_num` of a float slice: the replacements are converted to the dtype
/// first, as PyTorch's kernel does.
pub fn nan_to_num<T: Float>(src: &[T], nan: f64, posinf: f64, neginf: f64) -> Vec<T> {
    let (nan, posinf, neginf) = (T::from_f64(nan), T::from_f64(posinf), T::from_f64(neginf));
    src.iter()
        .map(|&x| {
            let v = x.to_f64();
            if v.is_nan() {
                nan
            } else if v == f64::INFINITY {
                posinf
            } else if v == f64::NEG_INFINITY {
                neginf
            } else {
                x
            }
        })
        .collect()
}
