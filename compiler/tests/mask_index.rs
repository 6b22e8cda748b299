//! Issue 9: computed index tensors with negative entries count from the end
//! (`x[ids]`, `x[rows, cols]`, stores, `+=`, `index_put_`), and a boolean mask
//! beside other subscript items in a store (`x[mask, j] = v`, `x[:, mask] = v`,
//! `x[mask, 1:] += v`, `x[mask, ids] = v`): derivatives against central finite
//! differences in f64, values and `grad_fn`s against PyTorch 2.15's output,
//! PyTorch's run-time messages, and the errors for what needs the mask's count.

use crate::fd::*;
use proptest::prelude::*;

/// A computed index with negative entries (-2, -3, -1 of a size-3 dimension).
const NEG_READ: &str = "fn f(x) {\n    return x[tensor([1, 0, 2]) - 3]\n}\n";
/// Two computed index tensors, both negative, in a store.
const NEG_PUT: &str = "fn f(x, v) {\n    y = x * 1.0\n    y[tensor([0, 1]) - 2, tensor([2, 0]) - 3] = v\n    return y\n}\n";
/// A computed negative index through `+=` and one through `index_put_`.
const NEG_ADD: &str = "fn f(x, v) {\n    y = x * 1.0\n    y[tensor([1]) - 3] += v * v\n    y.index_put_((tensor([0]) - 1, tensor([1]) - 2), v[0:1], accumulate=true)\n    return y\n}\n";
/// A mask beside an integer: a view first (`CopySlices`).
const MASK_ROW: &str = "fn f(x, v) {\n    y = x * 1.0\n    y[tensor([true, false, true]), 1] = v\n    return y\n}\n";
/// A mask after a full slice, with a value broadcast over the true elements.
const MASK_COLS: &str = "fn f(x, v) {\n    y = x * 1.0\n    y[:, tensor([true, false, true, true])] = v\n    return y\n}\n";
/// A mask beside a slice, through `+=`.
const MASK_ADD: &str = "fn f(x, v) {\n    y = x * 1.0\n    y[tensor([true, false, true]), 1:] += v * v\n    return y\n}\n";
/// A mask beside a computed one-element index tensor with a negative entry.
const MASK_IDS: &str = "fn f(x, v) {\n    y = x * 1.0\n    y[tensor([false, true, true]), tensor([2]) - 3] = v\n    return y\n}\n";
/// A 2-D mask alone with a row value: the selection is `[N, 2]`.
const MASK_2D: &str = "fn f(x, v) {\n    y = x * 1.0\n    y[tensor([[true, false, true], [false, false, true]])] = v\n    return y\n}\n";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_computed_negative_index_reads_from_the_end(x in any_vals(6)) {
        check(NEG_READ, &[leaf("x", &[3, 2], x)], &[3, 2], "f(x) * f(x)")?;
    }

    #[test]
    fn computed_negative_indices_store_from_the_end(x in any_vals(9), v in any_vals(2)) {
        check(NEG_PUT, &[leaf("x", &[3, 3], x), leaf("v", &[2], v)], &[3, 3], "exp(f(x, v))")?;
    }

    #[test]
    fn computed_negative_indices_update_from_the_end(x in any_vals(6), v in any_vals(2)) {
        check(NEG_ADD, &[leaf("x", &[3, 2], x), leaf("v", &[2], v)], &[3, 2], "f(x, v) * x")?;
    }

    #[test]
    fn a_mask_beside_an_integer(x in any_vals(9), v in any_vals(1)) {
        check(MASK_ROW, &[leaf("x", &[3, 3], x), leaf("v", &[1], v)], &[3, 3], "f(x, v) * x")?;
    }

    #[test]
    fn a_mask_after_a_slice_with_a_broadcast_value(x in any_vals(12), v in any_vals(3)) {
        check(MASK_COLS, &[leaf("x", &[3, 4], x), leaf("v", &[3, 1], v)], &[3, 4], "f(x, v) * x")?;
    }

    #[test]
    fn a_mask_beside_a_slice_through_an_update(x in any_vals(9), v in any_vals(2)) {
        check(MASK_ADD, &[leaf("x", &[3, 3], x), leaf("v", &[2], v)], &[3, 3], "f(x, v) * x")?;
    }

    #[test]
    fn a_mask_beside_a_one_element_index_tensor(x in any_vals(9), v in any_vals(1)) {
        check(MASK_IDS, &[leaf("x", &[3, 3], x), leaf("v", &[1], v)], &[3, 3], "f(x, v) * x")?;
    }

    #[test]
    fn a_2d_mask_alone_with_a_row(x in any_vals(12), v in any_vals(2)) {
        check(MASK_2D, &[leaf("x", &[2, 3, 2], x), leaf("v", &[2], v)], &[2, 3, 2], "f(x, v) * x")?;
    }
}

fn printed(src: &str) -> String {
    let compiled = graphc_compiler::driver::compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
    let (text, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    text
}

/// Values printed by PyTorch 2.15 for the same statements.
#[test]
fn masked_stores_print_pytorchs_values() {
    let src = "x = arange(12.0).reshape(2, 3, 2)\nm = tensor([[true, false, true], [false, false, true]])\nx[m] = tensor([-1.0, -2.0])\nprint(x)\n\
               z = zeros(3, 4)\nz[tensor([false, true, true]), tensor([2]) - 3] = 5.0\nz[tensor([true, false, true]), 1:3] += tensor([[1.0]])\n\
               z[1, tensor([true, false, false, true])] += 2\nprint(z)\n\
               b = zeros(2, 3, dtype=bool)\nb[:, tensor([true, false, true])] = true\nprint(b)\n";
    let expected =
        "tensor([[[-1., -2.],\n         [ 2.,  3.],\n         [-1., -2.]],\n\n        [[ 6.,  7.],\n         [ 8.,  9.],\n         [-1., -2.]]])\n\
                    tensor([[0., 1., 1., 0.],\n        [2., 0., 0., 7.],\n        [0., 1., 1., 5.]])\n\
                    tensor([[ True, False,  True],\n        [ True, False,  True]])\n";
    assert_eq!(printed(src), expected);
}

/// PyTorch 2.15's `grad_fn`s: `CopySlices` through a view, `masked_fill_` for
/// a number through the mask alone, `index_put_` otherwise.
#[test]
fn grad_fns_are_pytorchs() {
    let cases = [
        ("y[tensor([true, false, true]), 1] = 5.0", "CopySlices"),
        ("y[tensor([true, false, true]), 1:] = 0.0", "CopySlices"),
        ("y[:, tensor([true, false, true, false])] = 5.0", "MaskedFillBackward0"),
        ("y[:, tensor([true, false, true, false])] = tensor([[1.0], [2.0], [3.0]])", "IndexPutBackward0"),
        ("y[tensor([true, false, true]), tensor([2])] = 1.0", "IndexPutBackward0"),
        ("y[tensor([true, false, true])] = tensor([1.0, 2.0, 3.0, 4.0])", "IndexPutBackward0"),
        ("y[tensor([true, false, true])] += 1.0", "IndexPutBackward0"),
        ("y[0, tensor([true, false, true, false])] += 1.0", "CopySlices"),
    ];
    for (store, grad_fn) in cases {
        let src = format!("w = ones(3, 4, requires_grad=true)\ny = w * 2\n{store}\nprint(y)\n");
        let out = printed(&src);
        assert!(out.ends_with(&format!("grad_fn=<{grad_fn}>)\n")), "{store}: {out}");
    }
}

/// A computed index below `-n` or from `n` stops the run with PyTorch's
/// message, which names the index as computed and the dimension PyTorch
/// names: the index tensor's place among the index tensors, or for a number
/// stored through one index tensor (`index_fill_`) the tensor's dimension.
#[test]
fn a_computed_index_out_of_range_stops_the_run_with_pytorchs_message() {
    for (stmt, message) in [
        ("print(x[tensor([0]) - 4])", "index -4 is out of bounds for dimension 0 with size 3"),
        ("print(x[:, tensor([0]) - 5])", "index -5 is out of bounds for dimension 0 with size 4"),
        ("x[tensor([0]), tensor([0]) - 5] = 1.0", "index -5 is out of bounds for dimension 1 with size 4"),
        ("x[tensor([0]) - 4] = 1.0", "index -4 is out of bounds for dimension 0 with size 3"),
        ("x[:, tensor([0]) + 4] = 1.0", "index 4 is out of bounds for dimension 1 with size 4"),
        ("x.index_put_((tensor([0]), tensor([1]) - 6), tensor(1.0))", "index -5 is out of bounds for dimension 1 with size 4"),
        ("x[tensor([true, false, true]), tensor([0]) - 5] = 1.0", "index -5 is out of bounds for dimension 1 with size 4"),
    ] {
        let src = format!("x = zeros(3, 4)\n{stmt}\nprint(x)\n");
        let compiled = graphc_compiler::driver::compile(&src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}"));
        let err = graphc_runtime::exec::run_capture(&compiled.plan).expect_err(&src);
        assert!(err.message.contains(message), "{stmt}: {}", err.message);
    }
}

/// What needs the count of true elements is refused when compiling, at the
/// offending item, with its own code.
#[test]
fn what_needs_the_count_of_true_elements_is_refused() {
    for (stmt, code, at) in [
        // A read through a mask known only at run time (one made of constants is
        // read through its known values: compiler/tests/known_masks.rs).
        ("print(x[r, 0])", "E0225", "r"),
        ("print(x[r])", "E0225", "r"),
        ("x[m, 1:] = ones(2, 3)", "E0708", "ones(2, 3)"),
        ("x[m] = ones(2, 4)", "E0708", "ones(2, 4)"),
        ("x[m, tensor([0, 1])] = 1.0", "E0708", "tensor([0, 1])"),
        ("x[m, tensor([true, false, true, true])] = 1.0", "E0708", "tensor([true, false, true, true])"),
        ("x[:, m] = 1.0", "E0700", "m"),
        ("x[m, 1:] = ones(2)", "E0700", "ones(2)"),
    ] {
        let src = format!("x = zeros(3, 4)\nm = tensor([true, false, true])\nr = rand(3) > 0.5\n{stmt}\n");
        let d = graphc_compiler::driver::compile(&src, false).err().unwrap_or_else(|| panic!("compiles:\n{src}"));
        assert_eq!(d[0].code.as_str(), code, "{stmt}: {}", d[0].message);
        assert_eq!(&src[d[0].primary.span.start..d[0].primary.span.end], at, "{stmt}: {}", d[0].message);
    }
}
