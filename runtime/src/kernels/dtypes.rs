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
    let data = match (a.data(), b.data()) {
        (Data::F32(x), Data::F32(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), out),
        (Data::F64(x), Data::F64(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), out),
        (Data::I64(x), Data::I64(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), out),
        (Data::Bool(x), Data::Bool(y)) => compare_slices(cmp, x, a.shape(), y, b.shape(), out),
        _ => panic!("compare of {} with {}: the compiler promotes both operands to one dtype", a.dtype(), b.dtype()),
    };
    Tensor::from_bool(out.to_vec(), data)
}

fn compare_slices<T: Element>(cmp: Cmp, a: &[T], sa: &[usize], b: &[T], sb: &[usize], out: &[usize]) -> Vec<bool> {
    let (a, b) = (expand(a, sa, out), expand(b, sb, out));
    a.iter().zip(b.iter()).map(|(&p, &q)| cmp.test(p, q)).collect()
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
    let operand = |i: usize| {
        let t: &Tensor = args[i];
        expand(t.as_bool().expect("logical ops take bool operands: the compiler converts them"), t.shape(), out).into_owned()
    };
    let data = match op {
        Logical::Not => operand(0).into_iter().map(|p| !p).collect(),
        Logical::And => operand(0).into_iter().zip(operand(1)).map(|(p, q)| p && q).collect(),
        Logical::Or => operand(0).into_iter().zip(operand(1)).map(|(p, q)| p || q).collect(),
    };
    Tensor::from_bool(out.to_vec(), data)
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
