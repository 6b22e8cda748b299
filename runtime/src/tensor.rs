//! Dense, contiguous, row-major tensors of `f32` or `f64`.
//!
//! Tensors are immutable values: kernels read borrowed inputs and return a new
//! tensor. Shapes are `Vec<usize>`; a 0-d tensor (a scalar) has an empty shape
//! and one element.

use std::fmt;

/// The element type of a tensor. `.act` has exactly these two, with no implicit mixing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    F32,
    F64,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
        }
    }

    /// The name `.act` source uses (`f32`, `f64`).
    pub fn act_name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// The name PyTorch prints (`torch.float32`, `torch.float64`).
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::F32 => "torch.float32",
            DType::F64 => "torch.float64",
        }
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

    /// Builds a tensor of `dtype` from f64 values, rounding each to the dtype.
    pub fn from_f64_values(dtype: DType, shape: Vec<usize>, values: Vec<f64>) -> Tensor {
        match dtype {
            DType::F32 => Tensor::from_f32(shape, values.into_iter().map(|v| v as f32).collect()),
            DType::F64 => Tensor::from_f64(shape, values),
        }
    }

    /// A tensor of `shape` with every element `value` (rounded to `dtype`).
    pub fn full(dtype: DType, shape: Vec<usize>, value: f64) -> Tensor {
        let n = numel(&shape);
        match dtype {
            DType::F32 => Tensor::from_f32(shape, vec![value as f32; n]),
            DType::F64 => Tensor::from_f64(shape, vec![value; n]),
        }
    }

    pub fn dtype(&self) -> DType {
        match self.data {
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
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

    /// The f32 elements; `None` for an f64 tensor.
    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            Data::F32(v) => Some(v),
            Data::F64(_) => None,
        }
    }

    /// The f64 elements; `None` for an f32 tensor.
    pub fn as_f64(&self) -> Option<&[f64]> {
        match &self.data {
            Data::F64(v) => Some(v),
            Data::F32(_) => None,
        }
    }

    /// Every element widened to f64 (exactly, for f32), as PyTorch's `tolist()` does.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match &self.data {
            Data::F32(v) => v.iter().map(|&x| x as f64).collect(),
            Data::F64(v) => v.clone(),
        }
    }

    /// The same elements viewed with another shape of equal element count.
    pub fn reshaped(self, shape: Vec<usize>) -> Tensor {
        assert_eq!(numel(&shape), self.numel(), "reshape must keep the element count");
        Tensor { shape, data: self.data }
    }
}
