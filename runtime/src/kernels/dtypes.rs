//! Kernels whose operands and result have different dtypes: casts, comparisons,
//! `where` on a bool mask, logical ops and float tests, plus `nan_to_num`. Each
//! follows the scalar lambda of PyTorch's CPU kernel (`Copy.cpp`'s
//! `static_cast`, `BinaryOpsKernel.cpp`'s comparisons and logical ops,
//! `TensorCompare.cpp`'s `where`, `UnaryOpsKernel.cpp`'s `nan_to_num`).

use super::broadcast::expand;
use super::float::Float;
use crate::op::{Cmp, FloatTest, Logical};
use crate::tensor::{numel, DType, Data, Tensor};

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
    let shape = src.shape().to_vec();
    with_elements!(src, |v| cast_slice(v, dtype, shape))
}

fn cast_slice<S: Element>(v: &[S], dtype: DType, shape: Vec<usize>) -> Tensor {
    match dtype {
        DType::F32 => Tensor::from_f32(shape, v.iter().map(|x| x.cast_f32()).collect()),
        DType::F64 => Tensor::from_f64(shape, v.iter().map(|x| x.cast_f64()).collect()),
        DType::I64 => Tensor::from_i64(shape, v.iter().map(|x| x.cast_i64()).collect()),
        DType::Bool => Tensor::from_bool(shape, v.iter().map(|x| x.cast_bool()).collect()),
    }
}

/// `Compare`: `a CMP b` for operands of one dtype, broadcast to `out`.
pub fn compare(cmp: Cmp, a: &Tensor, b: &Tensor, out: &[usize]) -> Tensor {
    let mut t = Tensor::from_bool(out.to_vec(), vec![false; numel(out)]);
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
    let (a, b) = (expand(a, sa, out), expand(b, sb, out));
    for ((d, &p), &q) in dst.iter_mut().zip(a.iter()).zip(b.iter()) {
        *d = cmp.test(p, q);
    }
}

/// `Select`: `where(cond, x, y)`, all three broadcast to `out`; `x` and `y` share
/// the result's dtype.
pub fn select(cond: &Tensor, x: &Tensor, y: &Tensor, out: &[usize]) -> Tensor {
    let c = cond.as_bool().expect("where's condition is bool: the compiler converts it");
    let c = expand(c, cond.shape(), out);
    let shape = out.to_vec();
    match (x.data(), y.data()) {
        (Data::F32(p), Data::F32(q)) => Tensor::from_f32(shape, select_slices(&c, p, x.shape(), q, y.shape(), out)),
        (Data::F64(p), Data::F64(q)) => Tensor::from_f64(shape, select_slices(&c, p, x.shape(), q, y.shape(), out)),
        (Data::I64(p), Data::I64(q)) => Tensor::from_i64(shape, select_slices(&c, p, x.shape(), q, y.shape(), out)),
        (Data::Bool(p), Data::Bool(q)) => Tensor::from_bool(shape, select_slices(&c, p, x.shape(), q, y.shape(), out)),
        _ => panic!("where of {} and {}: the compiler promotes both values to one dtype", x.dtype(), y.dtype()),
    }
}

fn select_slices<T: Copy>(c: &[bool], x: &[T], sx: &[usize], y: &[T], sy: &[usize], out: &[usize]) -> Vec<T> {
    let (x, y) = (expand(x, sx, out), expand(y, sy, out));
    (0..numel(out)).map(|i| if c[i] { x[i] } else { y[i] }).collect()
}

/// `Logical`: `logical_and`/`logical_or` of two bool tensors broadcast to `out`,
/// or `logical_not` of one.
pub fn logical(op: Logical, args: &[&Tensor], out: &[usize]) -> Tensor {
    let mut t = Tensor::from_bool(out.to_vec(), vec![false; numel(out)]);
    logical_into(op, args, &mut t);
    t
}

/// [`logical`] into `dst`, a bool tensor of the result's shape.
pub fn logical_into(op: Logical, args: &[&Tensor], dst: &mut Tensor) {
    let out: smallvec::SmallVec<[usize; 8]> = dst.shape().into();
    let operand = |i: usize| {
        let t: &Tensor = args[i];
        expand(t.as_bool().expect("logical ops take bool operands: the compiler converts them"), t.shape(), &out)
    };
    let Data::Bool(d) = dst.data_mut() else { panic!("logical ops write a bool tensor, not a {}", dst.dtype()) };
    match op {
        Logical::Not => d.iter_mut().zip(operand(0).iter()).for_each(|(d, &p)| *d = !p),
        Logical::And => d.iter_mut().zip(operand(0).iter().zip(operand(1).iter())).for_each(|(d, (&p, &q))| *d = p && q),
        Logical::Or => d.iter_mut().zip(operand(0).iter().zip(operand(1).iter())).for_each(|(d, (&p, &q))| *d = p || q),
    }
}

/// `FloatTest`: `isnan` or `isfinite` of each element (an integer or bool is
/// never NaN and always finite).
pub fn float_test(test: FloatTest, src: &Tensor) -> Tensor {
    let shape = src.shape().to_vec();
    let data = with_elements!(src, |v| v
        .iter()
        .map(|x| {
            let x = x.cast_f64();
            match test {
                FloatTest::IsNan => x.is_nan(),
                FloatTest::IsFinite => x.is_finite(),
            }
        })
        .collect());
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
