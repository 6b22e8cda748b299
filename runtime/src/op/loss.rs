//! The losses of `torch.nn.functional` that PyTorch computes with a kernel and a
//! backward of their own (`mse_loss`, `binary_cross_entropy`,
//! `binary_cross_entropy_with_logits`, `smooth_l1_loss`, `huber_loss`), as one [`Op::Loss`](super::Op::Loss)
//! of two operands (input, target) of one shape. Losses that PyTorch writes as
//! composites (`l1_loss`, `cross_entropy` with probabilities) are lowered to
//! the ops PyTorch's composite calls, so they need no variant.

use super::F64Bits;

/// Which loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossKind {
    /// `(x - t)²`.
    Mse,
    /// `(t - 1) * max(log1p(-x), -100) - t * max(log(x), -100)`.
    Bce,
    /// `(1 - t) * x - log_sigmoid(x)`.
    BceWithLogits,
    /// With `z = |x - t|`: `0.5 * z * z / beta` below `beta`, else `z - 0.5 * beta` (beta > 0).
    SmoothL1(F64Bits),
    /// With `z = |x - t|`: `0.5 * z * z` below `delta`, else `delta * (z - 0.5 * delta)`.
    Huber(F64Bits),
    /// `log1p(exp(-x * t))`: `soft_margin_loss`, computed as ATen's
    /// `neg_out(input).mul_(target).exp_().log1p_()`.
    SoftMargin,
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
            LossKind::SmoothL1(_) => "smooth_l1_loss",
            LossKind::Huber(_) => "huber_loss",
            LossKind::SoftMargin => "soft_margin_loss",
        }
    }

    pub fn grad_fn(self) -> &'static str {
        match self {
            LossKind::Mse => "MseLossBackward0",
            LossKind::Bce => "BinaryCrossEntropyBackward0",
            LossKind::BceWithLogits => "BinaryCrossEntropyWithLogitsBackward0",
            LossKind::SmoothL1(_) => "SmoothL1LossBackward0",
            LossKind::Huber(_) => "HuberLossBackward0",
            LossKind::SoftMargin => "SoftMarginLossBackward0",
        }
    }

    /// The parameter's keyword and value (`beta`, `delta`), for the IR text.
    pub fn param(self) -> Option<(&'static str, f64)> {
        match self {
            LossKind::SmoothL1(b) => Some(("beta", b.get())),
            LossKind::Huber(d) => Some(("delta", d.get())),
            LossKind::Mse | LossKind::Bce | LossKind::BceWithLogits | LossKind::SoftMargin => None,
        }
    }

    /// The kind named `name` with its parameter (the inverse of `name` and `param`).
    pub fn from_name(name: &str, param: Option<f64>) -> Option<LossKind> {
        let p = || param.map(F64Bits::new);
        Some(match name {
            "mse_loss" => LossKind::Mse,
            "binary_cross_entropy" => LossKind::Bce,
            "binary_cross_entropy_with_logits" => LossKind::BceWithLogits,
            "smooth_l1_loss" => LossKind::SmoothL1(p()?),
            "huber_loss" => LossKind::Huber(p()?),
            "soft_margin_loss" => LossKind::SoftMargin,
            _ => return None,
        })
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
