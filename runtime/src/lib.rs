//! graphc's runtime: everything that happens after compilation.
//!
//! The runtime owns tensors ([`tensor`]), the closed instruction set that the
//! compiler targets ([`op`]), PyTorch-exact kernels ([`kernels`]), PyTorch's CPU
//! random numbers ([`rng`]), PyTorch's tensor printing ([`format`]), figures
//! ([`plot`]), and the interpreter ([`exec`]) that runs a compiled [`plan`].
//! It knows nothing of `.act` syntax or of the graph IR: the compiler hands it a
//! [`plan::Plan`] and nothing else.

pub mod exec;
pub mod files;
pub mod format;
pub mod fused;
pub mod kernels;
pub mod npy;
pub mod op;
pub mod plan;
pub mod plot;
pub mod rng;
pub mod tensor;

pub use op::Op;
pub use tensor::{DType, Tensor};
