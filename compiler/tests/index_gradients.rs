//! The derivatives of `max`/`min` with and without `dim` (through `gather`'s
//! rule, a scatter-add into zeros) against central finite differences in f64,
//! as `gradients.rs` checks the elementwise rules. Inputs are distinct values
//! (0.3 apart), so each extreme is unique and moving one element by h does not
//! change which element it is.

use crate::fd::*;
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

proptest! {
    #![proptest_config(config())]

    /// The index repeats positions, so the gradient must add up in the scatter.
    #[test]
    fn gather_values(v in any_vals(6)) {
        check("", &[leaf("x", &[2, 3], v)], &[2, 4], "gather(x, 1, tensor([[2, 0, 2, 1], [1, 1, 0, 2]])) * x.sum()")?;
    }

    #[test]
    fn gather_along_rows(v in any_vals(6)) { check("", &[leaf("x", &[3, 2], v)], &[2, 2], "exp(x).gather(0, tensor([[2, 0], [2, 2]]))")?; }
}

/// An index only the run knows, out of bounds, stops the run with the
/// machine's error, not a panic; so does a computed constant one, which
/// constant folding leaves alone.
#[test]
fn an_index_out_of_bounds_is_a_run_time_error() {
    let programs = [
        "manual_seed(0)\nx = randn(2, 3)\ni = (rand(2, 2) * 9).long()\nprint(gather(x, 1, i))\n",
        "x = randn(2, 3)\nprint(gather(x, 1, tensor([[0, 1]]) + 5))\n",
    ];
    for src in programs {
        let compiled = graphc_compiler::driver::compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
        let err = graphc_runtime::exec::run_capture(&compiled.plan).expect_err(src);
        assert!(err.message.contains("out of bounds for dimension 1 with size 3"), "{}", err.message);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cross_entropy_class_indices(v in any_vals(12)) {
        check("", &[leaf("x", &[4, 3], v)], &[], "cross_entropy(x, tensor([2, 0, 1, 1]))")?;
    }

    #[test]
    fn nll_loss_sum_and_none(v in any_vals(6)) {
        check("", &[leaf("x", &[3, 2], v)], &[3], "nll_loss(x, tensor([1, 0, 1]), reduction=\"none\") * nll_loss(x * x, tensor([0, 0, 1]), reduction=\"sum\")")?;
    }
}

proptest! {
    #![proptest_config(config())]

    /// A repeated position: its slice's gradients add up.
    #[test]
    fn index_select_slices(v in any_vals(6)) {
        check("", &[leaf("x", &[2, 3], v)], &[2, 3], "index_select(x, 1, tensor([2, 0, 2])) * x")?;
    }
}

proptest! {
    #![proptest_config(config())]

    /// `x[ids]` with repeated rows and a 2-D index.
    #[test]
    fn integer_tensor_subscript(v in any_vals(6)) {
        check("", &[leaf("x", &[3, 2], v)], &[2, 2, 2], "x[tensor([[2, 0], [2, 2]])] * 1.5")?;
    }
}
