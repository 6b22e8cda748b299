//! The derivative rules of the elementwise builtins of issue 9 against central
//! finite differences, in f64, with the checker of `gradients.rs` (`fd/`).

use crate::fd::*;
use proptest::prelude::*;

/// Values in [-0.9, 0.9]: inside the domain of asin, acos and atanh, away from
/// the poles of their derivatives at ±1.
fn unit_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-0.9f64..0.9, n)
}

/// Values in [1.1, 3]: inside acosh's domain, away from its derivative's pole at 1.
fn above_one_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(1.1f64..3.0, n)
}

/// Values in [-1.2, 1.2]: tan's derivative stays moderate there (tan' <= 8.4).
fn tan_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1.2f64..1.2, n)
}

/// Values at least 0.1 from every integer and half-integer in [-3, 3], so that
/// a step of h never crosses a jump of floor, ceil, round, trunc or sign.
fn off_step_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-6i32..6, 0.1f64..0.4), n).prop_map(|v| v.into_iter().map(|(k, f)| f64::from(k) * 0.5 + f).collect())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn square_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "square(x)")?; }

    #[test]
    fn reciprocal_rule(v in nonzero_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "reciprocal(x)")?; }

    #[test]
    fn rsqrt_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "rsqrt(x)")?; }

    #[test]
    fn exp2_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "exp2(x)")?; }

    #[test]
    fn log2_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "log2(x)")?; }

    #[test]
    fn log10_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "log10(x)")?; }

    #[test]
    fn tan_rule(v in tan_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "tan(x)")?; }

    #[test]
    fn asin_rule(v in unit_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "asin(x)")?; }

    #[test]
    fn acos_rule(v in unit_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "acos(x)")?; }

    #[test]
    fn atan_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "atan(x)")?; }

    #[test]
    fn asinh_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "asinh(x)")?; }

    #[test]
    fn acosh_rule(v in above_one_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "acosh(x)")?; }

    #[test]
    fn atanh_rule(v in unit_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "atanh(x)")?; }

    #[test]
    fn silu_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "silu(x)")?; }

    #[test]
    fn mish_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "mish(x)")?; }

    #[test]
    fn erf_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "erf(x)")?; }

    #[test]
    fn erfc_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "erfc(x)")?; }

    /// The step functions' zero gradients, next to a term with a nonzero one so
    /// that the check cannot pass by a missing gradient.
    #[test]
    fn step_functions_rule(v in off_step_vals(6)) {
        check("", &[leaf("x", &[6], v)], &[6], "floor(x) + ceil(x) * 2 + round(x) * 3 + trunc(x) * 4 + sign(x) * 5 + x")?;
    }
}

proptest! {
    #![proptest_config(config())]

    /// atan2 with broadcasting; the points stay away from the origin, where
    /// its derivative has a pole.
    #[test]
    fn atan2_rule(a in nonzero_vals(3), b in nonzero_vals(4)) {
        check("", &[leaf("a", &[3, 1], a), leaf("b", &[4], b)], &[3, 4], "atan2(a, b)")?;
    }
}
