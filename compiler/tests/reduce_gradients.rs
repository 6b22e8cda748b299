//! The derivative rules of the reductions with `dim`/`keepdim`, `amax`/`amin`,
//! `var`, `std`, `logsumexp`, `norm`, `cumsum`, `softmax`, `log_softmax` and the
//! losses (with respect to input and target) against central finite differences in f64, as `gradients.rs` checks the
//! elementwise ones: `y = sum(f(x) * w)` with a fixed weight `w` of the result's
//! shape, the gradient printed once, then `y` at `x ± h` for every element.
//! Tolerance as there: |fd - g| <= 1e-6 + 1e-5·|g| with h = 1e-6.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const H: f64 = 1e-6;

/// `[[...], ...]` for a 1-D or 2-D shape.
fn literal(shape: &[usize], v: &[f64]) -> String {
    let row = |r: &[f64]| format!("[{}]", r.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", "));
    match shape {
        [] => format!("{:?}", v[0]),
        [_] => row(v),
        [_, c] => format!("[{}]", v.chunks(*c).map(row).collect::<Vec<_>>().join(", ")),
        _ => unreachable!("tests use rank 0 to 2"),
    }
}

fn check(shape: &[usize], v: &[f64], out_shape: &[usize], expr: &str) -> Result<(), TestCaseError> {
    check_with("", shape, v, out_shape, expr)
}

/// `check` after `prelude`, statements that bind constants the expression reads.
fn check_with(prelude: &str, shape: &[usize], v: &[f64], out_shape: &[usize], expr: &str) -> Result<(), TestCaseError> {
    let n_out: usize = out_shape.iter().product();
    let w: Vec<f64> = (0..n_out).map(|i| 0.5 + ((i * 7 + 3) % 11) as f64 / 10.0).collect();
    let mut s = format!("{prelude}w = tensor({}, dtype=f64)\n", literal(out_shape, &w));
    s += &format!("x = tensor({}, dtype=f64, requires_grad=true)\ny = sum(({expr}) * w)\ny.backward()\nprint(x.grad)\n", literal(shape, v));
    for j in 0..v.len() {
        for sign in [1.0, -1.0] {
            let mut p = v.to_vec();
            p[j] += sign * H;
            s += &format!("x = tensor({}, dtype=f64)\nprint(sum(({expr}) * w))\n", literal(shape, &p));
        }
    }
    let compiled = compile(&s, false).map_err(|d| TestCaseError::fail(graphc_compiler::diag::render(&d, "grad.act", &s, false)))?;
    let (_, printed) = run_capture(&compiled.plan).map_err(|e| TestCaseError::fail(format!("run failed: {e}")))?;
    prop_assert_eq!(printed.len(), 1 + 2 * v.len());
    prop_assert_eq!(printed[0].shape(), shape);
    let g = printed[0].to_f64_vec();
    for (j, &x) in v.iter().enumerate() {
        let step = (x + H) - (x - H);
        let fd = (printed[1 + 2 * j].to_f64_vec()[0] - printed[2 + 2 * j].to_f64_vec()[0]) / step;
        prop_assert!((fd - g[j]).abs() <= 1e-6 + 1e-5 * g[j].abs(), "x.grad[{}] = {:e}, central difference {:e}, for `{}`\n{}", j, g[j], fd, expr, s);
    }
    Ok(())
}

fn vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-2.0f64..2.0, n)
}

/// Distinct values (at least 0.05 apart), so that the maximum is unique and
/// no step of h crosses a tie.
fn distinct(n: usize) -> impl Strategy<Value = Vec<f64>> {
    Just((0..n).map(|i| i as f64 * 0.3 - 1.0).collect::<Vec<f64>>())
        .prop_shuffle()
        .prop_flat_map(move |v| prop::collection::vec(0.0f64..0.2, n).prop_map(move |d| v.iter().zip(&d).map(|(a, b)| a + b).collect()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn sum_keepdim(v in vals(12)) { check(&[3, 4], &v, &[3, 1], "(x * x).sum(dim=1, keepdim=true)")?; }

    #[test]
    fn sum_dim_list(v in vals(12)) { check(&[3, 4], &v, &[], "sum(x.sin(), [0, 1])")?; }

    #[test]
    fn mean_keepdim_negative_dim(v in vals(12)) { check(&[3, 4], &v, &[1, 4], "mean(x * x, dim=-2, keepdim=true)")?; }

    #[test]
    fn amax_rule(v in distinct(12)) { check(&[3, 4], &v, &[3], "x.amax(dim=1)")?; }

    #[test]
    fn amin_rule(v in distinct(12)) { check(&[3, 4], &v, &[1, 4], "amin(x, 0, true)")?; }

    #[test]
    fn var_all(v in vals(12)) { check(&[3, 4], &v, &[], "x.var()")?; }

    #[test]
    fn var_dim_correction0(v in vals(12)) { check(&[3, 4], &v, &[3], "x.var(dim=1, correction=0)")?; }

    #[test]
    fn std_dim_keepdim(v in vals(12)) { check(&[3, 4], &v, &[1, 4], "x.std(dim=0, keepdim=true)")?; }

    #[test]
    fn std_all_unbiased_false(v in vals(12)) { check(&[3, 4], &v, &[], "std(x, none, false)")?; }

    #[test]
    fn logsumexp_rule(v in vals(12)) { check(&[3, 4], &v, &[4], "logsumexp(x, 0)")?; }

    #[test]
    fn norm_2(v in distinct(12)) { check(&[3, 4], &v, &[], "x.norm()")?; }

    #[test]
    fn norm_1_dim(v in distinct(12)) { check(&[3, 4], &v, &[3], "norm(x, p=1, dim=1)")?; }

    #[test]
    fn cumsum_rule(v in vals(12)) { check(&[3, 4], &v, &[3, 4], "x.cumsum(dim=1) * x")?; }

    #[test]
    fn cumsum_dim0(v in vals(12)) { check(&[3, 4], &v, &[3, 4], "cumsum(x.exp(), 0)")?; }

    #[test]
    fn softmax_last(v in vals(12)) { check(&[3, 4], &v, &[3, 4], "softmax(x, dim=1)")?; }

    #[test]
    fn softmax_first(v in vals(12)) { check(&[3, 4], &v, &[3, 4], "x.softmax(0)")?; }

    #[test]
    fn log_softmax_rule(v in vals(12)) { check(&[3, 4], &v, &[3, 4], "log_softmax(x, -1)")?; }

    #[test]
    fn softmax_1d(v in vals(6)) { check(&[6], &v, &[6], "softmax(x * x, 0)")?; }
}

/// A constant 3 x 4 target `t` with values in (0, 1) and its row-normalized
/// form `q` (class probabilities).
const TARGETS: &str =
    "t = tensor([[0.1, 0.7, 0.4, 0.9], [0.3, 0.5, 0.8, 0.2], [0.6, 0.05, 0.35, 0.95]], dtype=f64)\nq = t / t.sum(dim=1, keepdim=true)\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn mse_loss_mean(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[], "mse_loss(x, t)")?; }

    #[test]
    fn mse_loss_none_target(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[3, 4], "mse_loss(t, x, reduction=\"none\")")?; }

    #[test]
    fn l1_loss_sum(v in distinct(12)) { check_with(TARGETS, &[3, 4], &v, &[], "l1_loss(x, t * 0.01, reduction=\"sum\")")?; }

    #[test]
    fn bce_mean(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[], "binary_cross_entropy(sigmoid(x), t)")?; }

    #[test]
    fn bce_none_target(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[3, 4], "binary_cross_entropy(t, sigmoid(x), reduction=\"none\")")?; }

    #[test]
    fn bce_with_logits_sum(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[], "binary_cross_entropy_with_logits(x, t, reduction=\"sum\")")?; }

    #[test]
    fn bce_with_logits_mean_target(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[], "binary_cross_entropy_with_logits(t, x)")?; }

    #[test]
    fn cross_entropy_probabilities(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[], "cross_entropy(x, q)")?; }

    #[test]
    fn smooth_l1_loss_beta(v in distinct(12)) { check_with(TARGETS, &[3, 4], &v, &[], "smooth_l1_loss(x, t, beta=0.5)")?; }

    #[test]
    fn smooth_l1_loss_none_target(v in distinct(12)) { check_with(TARGETS, &[3, 4], &v, &[3, 4], "smooth_l1_loss(t, x, reduction=\"none\")")?; }

    #[test]
    fn huber_loss_sum(v in distinct(12)) { check_with(TARGETS, &[3, 4], &v, &[], "huber_loss(x, t, reduction=\"sum\", delta=0.7)")?; }

    #[test]
    fn huber_loss_mean_target(v in distinct(12)) { check_with(TARGETS, &[3, 4], &v, &[], "huber_loss(t, x)")?; }

    #[test]
    fn linear_input_with_bias(v in vals(12)) {
        let prelude = format!("{TARGETS}bias = tensor([0.1, -0.2, 0.3], dtype=f64)\n");
        check_with(&prelude, &[3, 4], &v, &[3, 3], "linear(x, t, bias)")?;
    }

    #[test]
    fn linear_weight(v in vals(8)) { check_with(TARGETS, &[2, 4], &v, &[3, 2], "linear(t, x)")?; }

    #[test]
    fn normalize_rows(v in vals(12)) { check(&[3, 4], &v, &[3, 4], "normalize(x)")?; }

    #[test]
    fn normalize_p1_dim0(v in distinct(12)) { check(&[3, 4], &v, &[3, 4], "normalize(x, p=1, dim=0)")?; }

    #[test]
    fn cross_entropy_none_wrt_target(v in vals(12)) { check_with(TARGETS, &[3, 4], &v, &[3], "cross_entropy(t, x, reduction=\"none\")")?; }
}
