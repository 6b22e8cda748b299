//! The derivatives of `max`/`min` with and without `dim` (through `gather`'s
//! rule, a scatter-add into zeros) against central finite differences in f64,
//! as `gradients.rs` checks the elementwise rules. Inputs are distinct values
//! (0.3 apart), so each extreme is unique and moving one element by h does not
//! change which element it is.

mod fd;

use fd::*;
use proptest::prelude::*;

/// `n` distinct values, 0.3 apart, in a random order.
fn distinct(n: usize) -> impl Strategy<Value = Vec<f64>> {
    Just((0..n).collect::<Vec<usize>>()).prop_shuffle().prop_map(|p| p.into_iter().map(|k| k as f64 * 0.3 - 1.7).collect())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn max_dim_values(v in distinct(12)) { check("", &[leaf("x", &[3, 4], v)], &[3], "x.max(dim=1)[0]")?; }

    #[test]
    fn min_dim_keepdim_values(v in distinct(12)) { check("", &[leaf("x", &[3, 4], v)], &[1, 4], "min(x, dim=0, keepdim=true)[0]")?; }

    #[test]
    fn max_dim_negative(v in distinct(6)) { check("", &[leaf("x", &[2, 3], v)], &[2], "max(exp(x), -1)[0]")?; }

    #[test]
    fn max_all(v in distinct(6)) { check("", &[leaf("x", &[2, 3], v)], &[], "max(x) * x.sum()")?; }

    #[test]
    fn min_all(v in distinct(6)) { check("", &[leaf("x", &[6], v)], &[], "x.min()")?; }
}
