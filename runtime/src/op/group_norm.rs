//! `group_norm(x, num_groups, weight, bias, eps)` and its gradients as one
//! [`Op::GroupNorm`](super::Op::GroupNorm) family: PyTorch computes each with
//! a kernel of its own (`GroupNormKernel`, `GroupNormBackwardKernel`), whose
//! operation order `kernels::group_norm` reproduces. As for the layer norm,
//! every gradient recomputes the statistics of each (sample, group) from `x`,
//! with the forward's bits, so nothing but `x` and the weight is saved.
//!
//! The parts and their operands are the layer norm's ([`LayerNormPart`]):
//! `x` is `(N, C, *)`, the weight and the bias `(C,)`.

use super::{F64Bits, LayerNormPart};

/// One op of the family: which result, for how many groups of channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupNorm {
    /// The number of groups the channels are split into; each (sample, group)
    /// is normalized by its own mean and variance.
    pub groups: usize,
    /// The `eps` added to each group's variance.
    pub eps: F64Bits,
    pub part: LayerNormPart,
}

impl GroupNorm {
    pub fn arity(&self) -> usize {
        self.part.arity()
    }

    pub fn name(&self) -> &'static str {
        match self.part {
            LayerNormPart::Forward { .. } => "group_norm",
            LayerNormPart::InputGrad { .. } => "group_norm_input_grad",
            LayerNormPart::WeightGrad => "group_norm_weight_grad",
            LayerNormPart::BiasGrad => "group_norm_bias_grad",
        }
    }

    /// PyTorch's `grad_fn`: the forward's is `NativeGroupNormBackward0`; the
    /// gradients are one backward node in PyTorch, `NativeGroupNormBackwardBackward0`.
    pub fn grad_fn(&self) -> &'static str {
        match self.part {
            LayerNormPart::Forward { .. } => "NativeGroupNormBackward0",
            LayerNormPart::InputGrad { .. } | LayerNormPart::WeightGrad | LayerNormPart::BiasGrad => "NativeGroupNormBackwardBackward0",
        }
    }

    /// graphc differentiates the forward only, as for the layer norm: a
    /// gradient of a gradient through a group norm is refused (E0411).
    pub fn differentiable(&self) -> bool {
        matches!(self.part, LayerNormPart::Forward { .. })
    }
}
