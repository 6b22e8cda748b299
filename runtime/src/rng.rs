//! PyTorch's CPU random number generator, reproduced exactly.
//! (Interface fixed; implementation in progress.)

use crate::tensor::{DType, Tensor};

/// PyTorch's default CPU generator state: mt19937 plus the cached normal sample.
pub struct Generator {}

impl Generator {
    /// A generator seeded as PyTorch's default CPU generator is at start-up.
    pub fn new() -> Generator {
        todo!()
    }
    /// `torch.manual_seed(seed)`.
    pub fn manual_seed(&mut self, seed: u64) {
        let _ = seed;
        todo!()
    }
    /// `torch.randn(*shape, dtype=dtype)`.
    pub fn randn(&mut self, dtype: DType, shape: &[usize]) -> Tensor {
        let _ = (dtype, shape);
        todo!()
    }
    /// `torch.rand(*shape, dtype=dtype)`.
    pub fn rand(&mut self, dtype: DType, shape: &[usize]) -> Tensor {
        let _ = (dtype, shape);
        todo!()
    }
}

impl Default for Generator {
    fn default() -> Self {
        Generator::new()
    }
}
