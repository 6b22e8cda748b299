//! The ops that select elements by position along one dimension, with i64
//! indices as results or operands: `argmax`/`argmin` (and the indices of
//! `max`/`min` with `dim`), `gather` and its gradient.
//!
//! They live under one [`Op::Index`](super::Op::Index) variant because they
//! share what the passes care about: operands of other dtypes than the result,
//! never fused, run one at a time.

/// What an [`Op::Index`](super::Op::Index) computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexOp {
    /// `argmax(x, dim)` (or `argmin` with `min`): operand `x`; an i64 result, the
    /// position of the first largest (smallest) element along `dim`, or of the
    /// first NaN, as PyTorch's CPU kernel. `dim` `None` looks at the flattened
    /// tensor (a 0-d result). The node's shape has `dim` removed, or kept as 1.
    Arg { dim: Option<usize>, keepdim: bool, min: bool },
    /// `gather(x, dim, index)`: operands `x` and an i64 `index` of `x`'s rank;
    /// the result has `index`'s shape and `x`'s dtype, element `i` being `x` with
    /// position `i`'s `dim` coordinate replaced by `index[i]`.
    Gather { dim: usize },
    /// The gradient of [`IndexOp::Gather`]: operands `g` and `index` (one
    /// shape); zeros of the node's shape with each `g[i]` added at the position
    /// `gather` read (PyTorch's `scatter_add` into zeros).
    ScatterAdd { dim: usize },
}

impl IndexOp {
    /// The number of operands.
    pub fn arity(self) -> usize {
        match self {
            IndexOp::Arg { .. } => 1,
            IndexOp::Gather { .. } | IndexOp::ScatterAdd { .. } => 2,
        }
    }

    /// Whether a gradient flows to `operand`: never to indices.
    pub fn differentiable(self, operand: usize) -> bool {
        match self {
            IndexOp::Arg { .. } => false,
            IndexOp::Gather { .. } | IndexOp::ScatterAdd { .. } => operand == 0,
        }
    }

    /// PyTorch's `grad_fn` for a result.
    pub fn grad_fn(self) -> Option<&'static str> {
        match self {
            IndexOp::Arg { .. } => None,
            IndexOp::Gather { .. } => Some("GatherBackward0"),
            IndexOp::ScatterAdd { .. } => Some("ScatterAddBackward0"),
        }
    }

    /// The name the IR dump prints.
    pub fn name(self) -> &'static str {
        match self {
            IndexOp::Arg { min: false, .. } => "argmax",
            IndexOp::Arg { min: true, .. } => "argmin",
            IndexOp::Gather { .. } => "gather",
            IndexOp::ScatterAdd { .. } => "scatter_add",
        }
    }
}
