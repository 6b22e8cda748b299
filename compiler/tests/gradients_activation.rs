//! The derivative rules of the builtins with scalar parameters (`clamp`,
//! `hardtanh`, `leaky_relu`, `elu`, `softplus`) against central finite
//! differences, in f64, with the checker of `gradients.rs` (`fd/`).

use crate::fd::*;
use proptest::prelude::*;

/// Values at least 0.1 from every multiple of 0.5 in [-3, 3], so that a step of
/// h never crosses a kink at 0 or ±0.5.
fn off_kink_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-6i32..6, 0.1f64..0.4), n).prop_map(|v| v.into_iter().map(|(k, f)| f64::from(k) * 0.5 + f).collect())
}

proptest! {
    #![proptest_config(config())]

    /// Both bounds, and each alone; the sum keeps every term's gradient visible.
    #[test]
    fn clamp_rule(v in off_kink_vals(6)) {
        check("", &[leaf("x", &[6], v)], &[6], "clamp(x, min=-0.5, max=0.5) + x.clamp(min=0.5) * 2 + clip(x, max=-0.5) * 3")?;
    }

    #[test]
    fn hardtanh_rule(v in off_kink_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "hardtanh(x, -0.5, 1.0)")?; }

    #[test]
    fn leaky_relu_rule(v in off_kink_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "leaky_relu(x, 0.2)")?; }

    #[test]
    fn elu_rule(v in off_kink_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "elu(x, alpha=1.5)")?; }

    /// beta 2 with a threshold that some points pass (x > 1.5), so both
    /// branches of the derivative are checked.
    #[test]
    fn softplus_rule(v in off_kink_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "softplus(x, beta=2.0, threshold=3.0)")?; }
}
