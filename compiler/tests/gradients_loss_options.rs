//! The loss options of issue 9 (`weight=` and `ignore_index=` of `nll_loss` and
//! `cross_entropy` with class indices, `label_smoothing=` of `cross_entropy`)
//! against central finite differences, in f64, with the checker of
//! `gradients.rs` (`fd/`).

mod fd;

use fd::*;
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
}
