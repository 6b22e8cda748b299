//! The loss options of issue 9 (`weight=` and `ignore_index=` of `nll_loss` and
//! `cross_entropy` with class indices, `label_smoothing=` of `cross_entropy`,
//! `weight=` of the binary cross-entropies and `pos_weight=` of the logits one)
//! against central finite differences, in f64, with the checker of
//! `gradients.rs` (`fd/`).

use crate::fd::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(config())]

    /// Class weights with each reduction, and a sample ignored by the default
    /// `ignore_index` (-100).
    #[test]
    fn weighted_nll_loss(v in any_vals(12), w in pos_vals(3)) {
        let expr = "nll_loss(x, tensor([2, 0, 1, -100]), weight=w) + nll_loss(x, tensor([2, 0, 1, 1]), w, reduction=\"sum\") * 0.5 \
                    + nll_loss(x, tensor([1, 1, 0, 2]), weight=w, reduction=\"none\").sum()";
        check("", &[leaf("x", &[4, 3], v), leaf("w", &[3], w)], &[], expr)?;
    }

    #[test]
    fn ignored_class(v in any_vals(12)) {
        check("", &[leaf("x", &[4, 3], v)], &[], "cross_entropy(x, tensor([2, 0, 1, 1]), ignore_index=1)")?;
    }

    /// Smoothing with and without class weights, mean and none.
    #[test]
    fn label_smoothing(v in any_vals(12), w in pos_vals(3)) {
        let expr = "cross_entropy(x, tensor([2, 0, 1, 1]), label_smoothing=0.1) \
                    + cross_entropy(x, tensor([2, 0, -100, 1]), weight=w, label_smoothing=0.3) \
                    + cross_entropy(x, tensor([0, 0, 1, 2]), w, label_smoothing=0.2, reduction=\"none\").sum()";
        check("", &[leaf("x", &[4, 3], v), leaf("w", &[3], w)], &[], expr)?;
    }

    /// Per-class weights broadcast over the samples, with each reduction;
    /// probabilities kept inside (0.05, 0.95).
    #[test]
    fn weighted_binary_cross_entropy(v in prop::collection::vec(0.05f64..0.95, 6), w in pos_vals(3)) {
        let t = "tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]], dtype=f64)";
        let expr = format!("binary_cross_entropy(x, {t}, weight=w) + binary_cross_entropy(x, {t}, w, reduction=\"none\").sum() * 0.5");
        check("", &[leaf("x", &[2, 3], v), leaf("w", &[3], w)], &[], &expr)?;
    }

    /// `pos_weight` alone and with `weight`; the gradient also flows to both weights.
    #[test]
    fn logits_with_pos_weight(v in any_vals(6), pw in pos_vals(3), w in pos_vals(3)) {
        let t = "tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]], dtype=f64)";
        let expr = format!(
            "binary_cross_entropy_with_logits(x, {t}, pos_weight=pw) + binary_cross_entropy_with_logits(x, {t}, w, pos_weight=pw, reduction=\"sum\")"
        );
        check("", &[leaf("x", &[2, 3], v), leaf("pw", &[3], pw), leaf("w", &[3], w)], &[], &expr)?;
    }
}
