//! Several index tensors, and index tensors among other subscript items
//! (`x[i, j] = v`, `x[:, ids] = v`, `x[i, j] += v`, `x[i, :, j]`,
//! `x.index_put_((i, j), v, accumulate=true)`): derivatives against central
//! finite differences in f64, the `grad_fn`s PyTorch prints, and run-time bounds.

use crate::fd::*;
use proptest::prelude::*;

/// Distinct positions: every written element's gradient goes to `v`.
const PUT: &str = "fn put(x, v) {\n    y = x * 1.0\n    y[tensor([2, 0, 1]), tensor([1, 1, 0])] = v\n    return y\n}\n";
/// A slice before the index tensor, and a value broadcast along the rows.
const PUT_COLS: &str = "fn put_cols(x, v) {\n    y = x * 1.0\n    y[:, tensor([2, 0])] = v\n    return y\n}\n";
/// Index tensors that broadcast to [2, 2], a negative constant index, through `+=`.
const PUT_ADD: &str = "fn put_add(x, v) {\n    y = x * 1.0\n    y[tensor([[0], [2]]), tensor([1, -3])] += v * v\n    return y\n}\n";
/// Non-adjacent index tensors: the broadcast block leads the result.
const READ: &str = "fn read(x) {\n    return x[tensor([1, 0]), :, tensor([2, 2])]\n}\n";
/// Repeated positions, added up.
const ACC: &str = "fn acc(x, v) {\n    y = x * 1.0\n    y.index_put_((tensor([0, 0, 1]), tensor([1, 1, 0])), v, accumulate=true)\n    return y\n}\n";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn index_put_two_index_tensors(x in any_vals(6), v in any_vals(3)) {
        check(PUT, &[leaf("x", &[3, 2], x), leaf("v", &[3], v)], &[3, 2], "exp(put(x, v))")?;
    }

    #[test]
    fn index_put_after_a_slice_with_a_broadcast_value(x in any_vals(9), v in any_vals(2)) {
        check(PUT_COLS, &[leaf("x", &[3, 3], x), leaf("v", &[2], v)], &[3, 3], "put_cols(x, v) * x")?;
    }

    #[test]
    fn index_put_add_broadcast_indices(x in any_vals(9), v in any_vals(4)) {
        check(PUT_ADD, &[leaf("x", &[3, 3], x), leaf("v", &[2, 2], v)], &[3, 3], "put_add(x, v) * x")?;
    }

    #[test]
    fn index_read_non_adjacent(x in any_vals(24)) {
        check(READ, &[leaf("x", &[2, 3, 4], x)], &[2, 3], "read(x) * read(x)")?;
    }

    #[test]
    fn index_put_accumulate(x in any_vals(6), v in any_vals(3)) {
        check(ACC, &[leaf("x", &[2, 3], x), leaf("v", &[3], v)], &[2, 3], "acc(x, v) * x")?;
    }
}

fn printed(src: &str) -> String {
    let compiled = graphc_compiler::driver::compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
    let (text, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    text
}

/// PyTorch 2.15's `grad_fn`s: `index_put_` for several tensors or a tensor
/// value, `index_fill_` for one tensor and a number, `CopySlices` through a view.
#[test]
fn grad_fns_are_pytorchs() {
    let cases = [
        ("y[tensor([0, 1]), tensor([2, 2])] = 5.0", "IndexPutBackward0"),
        ("y[:, tensor([2])] = 5.0", "IndexFillBackward0"),
        ("y[:, tensor([2])] = tensor(5.0)", "IndexPutBackward0"),
        ("y[0, tensor([2])] = 5.0", "CopySlices"),
        ("y[tensor([0]), tensor([2])] += 3.0", "IndexPutBackward0"),
    ];
    for (store, grad_fn) in cases {
        let src = format!("w = ones(2, 3, requires_grad=true)\ny = w * 2\n{store}\nprint(y)\n");
        let out = printed(&src);
        assert!(out.ends_with(&format!("grad_fn=<{grad_fn}>)\n")), "{store}: {out}");
    }
    let out = printed("w = ones(2, 3, requires_grad=true)\nprint(w[tensor([1]), tensor([0])])\n");
    assert_eq!(out, "tensor([1.], grad_fn=<IndexBackward0>)\n");
}

/// The last write wins at a repeated position, `+=` does not accumulate, and
/// `index_put_(accumulate=true)` does (PyTorch's CPU numbers).
#[test]
fn repeated_positions() {
    let src = "z = zeros(2, 2)\nz[tensor([1, 1]), tensor([0, 0])] = tensor([5.0, 6.0])\nz[tensor([0, 0]), tensor([1, 1])] += 1\nz.index_put_((tensor([0, 0]), tensor([0, 0])), tensor(2.0), accumulate=true)\nprint(z)\n";
    assert_eq!(printed(src), "tensor([[4., 1.],\n        [6., 0.]])\n");
}

/// Where the broadcast block goes, against PyTorch 2.15's values: first when a
/// slice separates the index tensors, in place when only an integer does.
#[test]
fn the_block_placement_is_pytorchs() {
    let src = "x = arange(120).reshape(2, 3, 5, 4)\nr = x[:, tensor([1, 0, 2]), :, tensor([3, 0, 1])]\nprint(r.shape)\nprint(r[:, :, 0])\n\
               print(x[:, tensor([1, 0]), 1, tensor([3, 0])])\ny = zeros(2, 3, 2, 4)\n\
               y[:, tensor([1, 0, 2]), :, tensor([3, 0, 1])] = arange(12.0).reshape(3, 2, 2)\nprint(y[:, :, 1])\n";
    let expected = "torch.Size([3, 2, 5])\ntensor([[ 23,  83],\n        [  0,  60],\n        [ 41, 101]])\ntensor([[27,  4],\n        [87, 64]])\n\
                    tensor([[[ 5.,  0.,  0.,  0.],\n         [ 0.,  0.,  0.,  1.],\n         [ 0.,  9.,  0.,  0.]],\n\n        \
                    [[ 7.,  0.,  0.,  0.],\n         [ 0.,  0.,  0.,  3.],\n         [ 0., 11.,  0.,  0.]]])\n";
    assert_eq!(printed(src), expected);
}

/// A bool tensor takes stores and reads through index tensors.
#[test]
fn bool_masks() {
    let src = "m = zeros(2, 3, dtype=bool)\nm[tensor([0, 1]), tensor([2, 0])] = true\nprint(m)\nprint(m[tensor([1, 1]), tensor([0, 1])])\n";
    assert_eq!(printed(src), "tensor([[False, False,  True],\n        [ True, False, False]])\ntensor([ True, False])\n");
}

/// A computed index out of bounds stops the run with PyTorch's message, which
/// names the dimension, not a panic. A computed negative index counts from the
/// end, so only one below `-n` is out of bounds (`mask_index.rs` has more).
#[test]
fn a_computed_index_out_of_bounds_is_a_run_time_error() {
    for (store, message) in [
        ("x[tensor([0, 1]), tensor([1, 2]) * 2] = 1.0", "index 4 is out of bounds for dimension 1 with size 4"),
        ("x[tensor([1, 2]) * 2, tensor([0, 1])] = 1.0", "index 4 is out of bounds for dimension 0 with size 3"),
        ("print(x[tensor([0]) - 4, tensor([0])])", "index -4 is out of bounds for dimension 0 with size 3"),
    ] {
        let src = format!("x = zeros(3, 4)\n{store}\nprint(x)\n");
        let compiled = graphc_compiler::driver::compile(&src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}"));
        let err = graphc_runtime::exec::run_capture(&compiled.plan).expect_err(&src);
        assert!(err.message.contains(message), "{store}: {}", err.message);
    }
}
