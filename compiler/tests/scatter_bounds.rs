//! The index of `scatter`, `scatter_add` and `index_add` out of bounds: a
//! constant one is E0281 when compiling, one only the run knows (or a computed
//! constant, which constant folding leaves alone) stops the run with the
//! machine's error, never a panic.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

#[test]
fn an_index_known_only_when_running_is_checked_by_the_machine() {
    let programs = [
        "manual_seed(0)\nx = randn(2, 3)\ni = (rand(2, 2) * 9).long()\nprint(scatter(x, 1, i, randn(2, 2)))\n",
        "x = randn(2, 3)\nprint(scatter_add(x, 1, tensor([[0, 1]]) + 5, randn(1, 2)))\n",
        "x = randn(2, 3)\nprint(index_add(x, 1, tensor([0, 1]) + 5, randn(2, 2)))\n",
    ];
    for src in programs {
        let compiled = compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
        let err = run_capture(&compiled.plan).expect_err(src);
        assert!(err.message.contains("out of bounds for dimension 1 with size 3"), "{src}: {}", err.message);
    }
}

#[test]
fn a_constant_index_out_of_bounds_is_e0281() {
    let programs =
        ["x = randn(2, 3)\nprint(scatter(x, 1, tensor([[0, 3]]), 1.0))\n", "x = randn(2, 3)\nprint(index_add(x, 0, tensor([2]), randn(1, 3)))\n"];
    for src in programs {
        let errors = compile(src, false).err().unwrap_or_else(|| panic!("compiles: {src}"));
        assert_eq!(errors[0].code.as_str(), "E0281", "{src}: {}", errors[0].message);
    }
}
