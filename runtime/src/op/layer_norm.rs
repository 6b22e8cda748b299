//! `layer_norm(x, normalized_shape, weight, bias, eps)` and its gradients as
//! one [`Op::LayerNorm`](super::Op::LayerNorm) family: PyTorch computes each with
//! a kernel of its own (`LayerNormKernel`, `LayerNormBackwardKernel`), whose
//! operation order `kernels::layer_norm` reproduces, so none of them is a
//! composite of other ops. The statistics (mean and `1/sqrt(var + eps)` of each
//! row) are recomputed by each gradient from `x`: they are the same bits the
//! forward computed, so nothing but `x` and the weight is saved.

use super::F64Bits;

/// One op of the family: which result, over how many trailing dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerNorm {
    /// How many trailing dimensions are normalized together (`len(normalized_shape)`).
    pub dims: usize,
    /// The `eps` added to each row's variance.
    pub eps: F64Bits,
    pub part: LayerNormPart,
}

/// Which result of the family a node computes; each has the operands listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LayerNormPart {
    /// `(x, weight?, bias?)`: the normalized rows, scaled and shifted. Same shape as `x`.
    Forward { weight: bool, bias: bool },
    /// `(grad, x, weight?)`: the gradient for `x`. Same shape as `x`.
    InputGrad { weight: bool },
    /// `(grad, x)`: the gradient for the weight, of the normalized shape.
    WeightGrad,
    /// `(grad)`: the gradient for the bias, of the normalized shape.
    BiasGrad,
}

impl LayerNormPart {
    /// The number of operands, listed above (the group norm's parts have the same).
    pub fn arity(self) -> usize {
        match self {
            LayerNormPart::Forward { weight, bias } => 1 + weight as usize + bias as usize,
            LayerNormPart::InputGrad { weight } => 2 + weight as usize,
            LayerNormPart::WeightGrad => 2,
            LayerNormPart::BiasGrad => 1,
        }
    }
}

impl LayerNorm {
    pub fn arity(&self) -> usize {
        self.part.arity()
    }

    pub fn name(&self) -> &'static str {
        match self.part {
            LayerNormPart::Forward { .. } => "layer_norm",
            LayerNormPart::InputGrad { .. } => "layer_norm_input_grad",
            LayerNormPart::WeightGrad => "layer_norm_weight_grad",
            LayerNormPart::BiasGrad => "layer_norm_bias_grad",
        }
    }

    /// PyTorch's `grad_fn`: the forward's is `NativeLayerNormBackward0`; the
    /// gradients are one backward node in PyTorch, `NativeLayerNormBackwardBackward0`.
    pub fn grad_fn(&self) -> &'static str {
        match self.part {
            LayerNormPart::Forward { .. } => "NativeLayerNormBackward0",
            LayerNormPart::InputGrad { .. } | LayerNormPart::WeightGrad | LayerNormPart::BiasGrad => "NativeLayerNormBackwardBackward0",
        }
    }

    /// graphc differentiates the forward only: a gradient of a gradient through
    /// a layer norm is refused when it is asked for (E0411), not left out.
    pub fn differentiable(&self) -> bool {
        matches!(self.part, LayerNormPart::Forward { .. })
    }
}
