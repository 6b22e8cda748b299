//! `x[ids] = v` and `x[ids] += v` with an i64 index tensor (PyTorch's
//! `index_put_`): derivatives against central finite differences in f64 (a
//! broadcast value, a negative constant index), the `grad_fn` PyTorch prints, and run-time bounds.

use crate::fd::*;
use proptest::prelude::*;

const PUT: &str = "fn put(x, v) {\n    y = x * 1.0\n    y[tensor([2, 0])] = v\n    return y\n}\n";
const PUT_ADD: &str = "fn put_add(x, v) {\n    y = x * 1.0\n    y[tensor([[0], [-1]])] += v * v\n    return y\n}\n";

proptest! {
    #![proptest_config(config())]

    /// (A repeated index is checked against PyTorch's numbers in
    /// `examples/index_put.act`: PyTorch gives an overwritten write the
    /// gradient of the row it was overwritten in, which no finite difference sees.)
    #[test]
    fn index_put_rows(x in any_vals(6), v in any_vals(4)) {
        check(PUT, &[leaf("x", &[3, 2], x), leaf("v", &[2, 2], v)], &[3, 2], "exp(put(x, v))")?;
    }

    /// A broadcast value and a negative constant index, through `+=`.
    #[test]
    fn index_put_add_broadcast(x in any_vals(9), v in any_vals(3)) {
        check(PUT_ADD, &[leaf("x", &[3, 3], x), leaf("v", &[3], v)], &[3, 3], "put_add(x, v) * x")?;
    }
}

fn printed(src: &str) -> String {
    let compiled = graphc_compiler::driver::compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
    let (text, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    text
}

/// A tensor value is PyTorch's `index_put_`, a number its `index_fill_`.
#[test]
fn the_grad_fn_is_index_puts_or_index_fills() {
    let out = printed("w = ones(3, requires_grad=true)\ny = w * 2\ny[tensor([0])] = tensor(5.0)\nprint(y)\n");
    assert_eq!(out, "tensor([5., 2., 2.], grad_fn=<IndexPutBackward0>)\n");
    let out = printed("w = ones(3, requires_grad=true)\ny = w * 2\ny[tensor([0])] = 5.0\nprint(y)\n");
    assert_eq!(out, "tensor([5., 2., 2.], grad_fn=<IndexFillBackward0>)\n");
}

/// An index only the run knows, out of bounds, stops the run with PyTorch's
/// message, not a panic.
#[test]
fn an_index_out_of_bounds_is_a_run_time_error() {
    let src = "x = zeros(3)\ni = tensor([1, 2]) * 2\nx[i] = 1.0\nprint(x)\n";
    let compiled = graphc_compiler::driver::compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}"));
    let err = graphc_runtime::exec::run_capture(&compiled.plan).expect_err(src);
    assert!(err.message.contains("index 4 is out of bounds for dimension 0 with size 3"), "{}", err.message);
}
