//! Dense, contiguous, row-major tensors of `f32`, `f64`, `i64` or `bool`.
//!
//! Tensors are immutable values: kernels read borrowed inputs and return a new
//! tensor. Shapes are `Vec<usize>`; a 0-d tensor (a scalar) has an empty shape
//! and one element.

use std::fmt;

/// The element type of a tensor: PyTorch's `float32`, `float64`, `int64` and `bool`.
/// The compiler converts operands to a common dtype before an op (PyTorch's type
/// promotion), so kernels see the dtypes each op declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    F32,
    F64,
    I64,
    Bool,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 | DType::I64 => 8,
            DType::Bool => 1,
        }
    }

    /// The name `.act` source uses (`f32`, `f64`, `i64`, `bool`).
    pub fn act_name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::I64 => "i64",
            DType::Bool => "bool",
        }
    }

    /// The name PyTorch prints (`torch.float32`, `torch.int64`, ...).
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::F32 => "torch.float32",
            DType::F64 => "torch.float64",
            DType::I64 => "torch.int64",
            DType::Bool => "torch.bool",
        }
    }

    /// Whether this is a floating-point dtype: only those can require grad.
    pub fn is_float(self) -> bool {
        match self {
            DType::F32 | DType::F64 => true,
            DType::I64 | DType::Bool => false,
        }
    }

    /// The dtype whose `.act` name is `name`.
    pub fn from_act_name(name: &str) -> Option<DType> {
        [DType::F32, DType::F64, DType::I64, DType::Bool].into_iter().find(|d| d.act_name() == name)
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.act_name())
    }
}

/// The elements of a tensor, in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
}

/// A dense tensor: dtype and shape are carried by `data` and `shape`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    shape: Vec<usize>,
    data: Data,
}

/// The number of elements of a shape (1 for a 0-d shape).
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

impl Tensor {
    /// Builds an f32 tensor; panics if `data.len()` does not match `shape`, which
    /// is always a bug in graphc (shapes are checked at compile time).
    pub fn from_f32(shape: Vec<usize>, data: Vec<f32>) -> Tensor {
        assert_eq!(numel(&shape), data.len(), "f32 tensor data does not match shape {shape:?}");
        Tensor { shape, data: Data::F32(data) }
    }

    /// Builds an f64 tensor; panics on a length mismatch, as [`Tensor::from_f32`].
    pub fn from_f64(shape: Vec<usize>, data: Vec<f64>) -> Tensor {
        assert_eq!(numel(&shape), data.len(), "f64 tensor data does not match shape {shape:?}");
        Tensor { shape, data: Data::F64(data) }
    }

    /// Builds an i64 tensor; panics on a length mismatch, as [`Tensor::from_f32`].
    pub fn from_i64(shape: Vec<usize>, data: Vec<i64>) -> Tensor {
        assert_eq!(numel(&shape), data.len(), "i64 tensor data does not match shape {shape:?}");
        Tensor { shape, data: Data::I64(data) }
    }

    /// Builds a bool tensor; panics on a length mismatch, as [`Tensor::from_f32`].
    pub fn from_bool(shape: Vec<usize>, data: Vec<bool>) -> Tensor {
        assert_eq!(numel(&shape), data.len(), "bool tensor data does not match shape {shape:?}");
        Tensor { shape, data: Data::Bool(data) }
    }

    /// Builds a tensor of `dtype` from f64 values, converting each as PyTorch's
    /// `fill_` does: rounded to a float dtype, truncated toward zero to i64
    /// (saturating, where C++ would be undefined), nonzero to `true`.
    pub fn from_f64_values(dtype: DType, shape: Vec<usize>, values: Vec<f64>) -> Tensor {
        match dtype {
            DType::F32 => Tensor::from_f32(shape, values.into_iter().map(|v| v as f32).collect()),
            DType::F64 => Tensor::from_f64(shape, values),
            DType::I64 => Tensor::from_i64(shape, values.into_iter().map(|v| v as i64).collect()),
            DType::Bool => Tensor::from_bool(shape, values.into_iter().map(|v| v != 0.0).collect()),
        }
    }

    /// A tensor of `shape` with every element `value` (converted to `dtype` as in
    /// [`Tensor::from_f64_values`]).
    pub fn full(dtype: DType, shape: Vec<usize>, value: f64) -> Tensor {
        // Built in the dtype directly, not as f64 values converted: the machine
        // makes every new buffer this way.
        let n = numel(&shape);
        match dtype {
            DType::F32 => Tensor::from_f32(shape, vec![value as f32; n]),
            DType::F64 => Tensor::from_f64(shape, vec![value; n]),
            DType::I64 => Tensor::from_i64(shape, vec![value as i64; n]),
            DType::Bool => Tensor::from_bool(shape, vec![value != 0.0; n]),
        }
    }

    pub fn dtype(&self) -> DType {
        match self.data {
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
            Data::I64(_) => DType::I64,
            Data::Bool(_) => DType::Bool,
        }
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    pub fn data(&self) -> &Data {
        &self.data
    }

    /// The elements, for kernels that write into a buffer they were handed.
    pub fn data_mut(&mut self) -> &mut Data {
        &mut self.data
    }

    pub fn into_data(self) -> Data {
        self.data
    }

    /// The f32 elements; `None` for a tensor of another dtype.
    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            Data::F32(v) => Some(v),
            Data::F64(_) | Data::I64(_) | Data::Bool(_) => None,
        }
    }

    /// The f64 elements; `None` for a tensor of another dtype.
    pub fn as_f64(&self) -> Option<&[f64]> {
        match &self.data {
            Data::F64(v) => Some(v),
            Data::F32(_) | Data::I64(_) | Data::Bool(_) => None,
        }
    }

    /// The i64 elements; `None` for a tensor of another dtype.
    pub fn as_i64(&self) -> Option<&[i64]> {
        match &self.data {
            Data::I64(v) => Some(v),
            Data::F32(_) | Data::F64(_) | Data::Bool(_) => None,
        }
    }

    /// The bool elements; `None` for a tensor of another dtype.
    pub fn as_bool(&self) -> Option<&[bool]> {
        match &self.data {
            Data::Bool(v) => Some(v),
            Data::F32(_) | Data::F64(_) | Data::I64(_) => None,
        }
    }

    /// Every element as f64 (exactly for f32 and bool, rounded for i64 beyond
    /// 2^53), as PyTorch's `tolist()` followed by `float()` does.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match &self.data {
            Data::F32(v) => v.iter().map(|&x| x as f64).collect(),
            Data::F64(v) => v.clone(),
            Data::I64(v) => v.iter().map(|&x| x as f64).collect(),
            Data::Bool(v) => v.iter().map(|&x| if x { 1.0 } else { 0.0 }).collect(),
        }
    }

    /// Copies `src`'s elements, in order, into this tensor of the same dtype
    /// and element count (its shape is kept: a reshape copies this way).
    pub fn copy_from(&mut self, src: &Tensor) {
        assert_eq!((self.dtype(), self.numel()), (src.dtype(), src.numel()), "copy between tensors of other dtypes or sizes");
        match (&mut self.data, &src.data) {
            (Data::F32(d), Data::F32(s)) => d.copy_from_slice(s),
            (Data::F64(d), Data::F64(s)) => d.copy_from_slice(s),
            (Data::I64(d), Data::I64(s)) => d.copy_from_slice(s),
            (Data::Bool(d), Data::Bool(s)) => d.copy_from_slice(s),
            _ => unreachable!("the dtypes are equal"),
        }
    }

    /// Element `i` as f64, as [`Tensor::to_f64_vec`] gives it, without the vector.
    pub fn f64_at(&self, i: usize) -> Option<f64> {
        match &self.data {
            Data::F32(v) => v.get(i).map(|&x| x as f64),
            Data::F64(v) => v.get(i).copied(),
            Data::I64(v) => v.get(i).map(|&x| x as f64),
            Data::Bool(v) => v.get(i).map(|&x| if x { 1.0 } else { 0.0 }),
        }
    }

    /// The same elements viewed with another shape of equal element count.
    pub fn reshaped(self, shape: Vec<usize>) -> Tensor {
        assert_eq!(numel(&shape), self.numel(), "reshape must keep the element count");
        Tensor { shape, data: self.data }
    }

    /// Gives the tensor `shape` (of as many elements) in place, in the shape's
    /// own vector: a pooled buffer takes its next value's shape without an
    /// allocation when the shape is no longer than its last one.
    pub fn set_shape(&mut self, shape: &[usize]) {
        assert_eq!(numel(shape), self.numel(), "reshape must keep the element count");
        self.shape.clear();
        self.shape.extend_from_slice(shape);
    }
}
