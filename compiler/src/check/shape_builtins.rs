//! The builtins that change shapes and ranks (docs/act-language.md, section 5):
//! their names and call shapes. Lowering (`lower/shape_calls.rs`) computes them.

use super::builtins::Signature;

/// A shape builtin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeBuiltin {
    /// `bmm(input, mat2)`: a batch of matrix products, both operands 3-D.
    Bmm,
    /// `permute(input, *dims)`.
    Permute,
}

/// The shape builtins with their names, in the order the docs list them.
pub const SHAPE: &[(&str, ShapeBuiltin)] = &[("bmm", ShapeBuiltin::Bmm), ("permute", ShapeBuiltin::Permute)];

/// How a shape builtin is called. Sizes and dimensions are positional, one
/// integer each or one list of them, as in PyTorch.
pub fn signature(b: ShapeBuiltin) -> Signature {
    match b {
        ShapeBuiltin::Bmm => Signature { params: &["input", "mat2"], min: 2, max: Some(2), keywords: &[] },
        ShapeBuiltin::Permute => Signature { params: &["input"], min: 1, max: None, keywords: &[] },
    }
}
