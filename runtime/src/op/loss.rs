//! The losses of `torch.nn.functional` that PyTorch computes with a kernel and a
//! backward of their own (`mse_loss`, `binary_cross_entropy`,
//! `binary_cross_entropy_with_logits`), as one [`Op::Loss`](super::Op::Loss)
//! of two operands (input, target) of one shape. Losses that PyTorch writes as
//! composites (`l1_loss`, `cross_entropy` with probabilities) are lowered to
//! the ops PyTorch's composite calls, so they need no variant.

/// Which loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossKind {
    /// `(x - t)²`.
    Mse,
    /// `(t - 1) * max(log1p(-x), -100) - t * max(log(x), -100)`.
    Bce,
    /// `(1 - t) * x - log_sigmoid(x)`.
    BceWithLogits,
}

/// `reduction=`: what is done with the elementwise losses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossReduction {
    None,
    Mean,
    Sum,
}

impl LossKind {
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Mse => "mse_loss",
            LossKind::Bce => "binary_cross_entropy",
            LossKind::BceWithLogits => "binary_cross_entropy_with_logits",
        }
    }

    pub fn grad_fn(self) -> &'static str {
        match self {
            LossKind::Mse => "MseLossBackward0",
            LossKind::Bce => "BinaryCrossEntropyBackward0",
            LossKind::BceWithLogits => "BinaryCrossEntropyWithLogitsBackward0",
        }
    }

    pub fn from_name(name: &str) -> Option<LossKind> {
        [LossKind::Mse, LossKind::Bce, LossKind::BceWithLogits].into_iter().find(|k| k.name() == name)
    }
}

impl LossReduction {
    /// The `reduction=` string.
    pub fn name(self) -> &'static str {
        match self {
            LossReduction::None => "none",
            LossReduction::Mean => "mean",
            LossReduction::Sum => "sum",
        }
    }

    pub fn from_name(name: &str) -> Option<LossReduction> {
        [LossReduction::None, LossReduction::Mean, LossReduction::Sum].into_iter().find(|r| r.name() == name)
    }
}
