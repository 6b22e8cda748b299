//! In-place updates through views write through (`lower/views_inplace.rs`):
//! derivatives against central finite differences in f64, printed values
//! against PyTorch 2.15's output for the same lines, and the refusals
//! (E0620, E0621, E0702-E0707). `examples/views_write_through.act` checks the
//! printed tensors, `grad_fn`s and gradients of more cases byte for byte.

use crate::fd::*;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use proptest::prelude::*;

/// A select view updated by a tensor: `x`'s row 0 is multiplied, row 1 kept.
const ROW: &str = "fn row(a, b) {\n    x = a * 1\n    h = x[0]\n    h *= b\n    return x * x\n}\n";
/// A store through a transpose, of a sum of two other rows of the same view.
const TRANSPOSED: &str = "fn transposed(a) {\n    x = a * 0.5\n    t = x.t()\n    t[1] = t[0] * 2 + t[2]\n    return exp(x)\n}\n";
/// A slice of a flat view, updated by `+=`, then a function of the base.
const FLAT: &str = "fn flat(a, b) {\n    x = a * 2\n    v = x.view(-1)\n    v[1:4] += b\n    return sin(x)\n}\n";
/// The base updated in place: the view a name holds reads the new values.
const REVERSE: &str = "fn reverse(a) {\n    x = a * 1\n    h = x[1]\n    x.mul_(3)\n    x.add_(a * a)\n    return h * 3\n}\n";
/// A permuted, unsqueezed view multiplied by a broadcast tensor.
const PERMUTED: &str = "fn permuted(a, b) {\n    x = a + 0\n    s = x.permute(1, 0).unsqueeze(0)\n    s.mul_(b)\n    return x * a\n}\n";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn select_view_update(a in any_vals(6), b in any_vals(3)) {
        check(ROW, &[leaf("a", &[2, 3], a), leaf("b", &[3], b)], &[2, 3], "row(a, b)")?;
    }

    #[test]
    fn transposed_view_store(a in any_vals(6)) {
        check(TRANSPOSED, &[leaf("a", &[2, 3], a)], &[2, 3], "transposed(a)")?;
    }

    #[test]
    fn flat_view_slice_update(a in any_vals(6), b in any_vals(3)) {
        check(FLAT, &[leaf("a", &[2, 3], a), leaf("b", &[3], b)], &[2, 3], "flat(a, b)")?;
    }

    #[test]
    fn base_update_seen_by_view(a in any_vals(6)) {
        check(REVERSE, &[leaf("a", &[2, 3], a)], &[3], "reverse(a)")?;
    }

    #[test]
    fn permuted_view_update(a in any_vals(6), b in any_vals(2)) {
        check(PERMUTED, &[leaf("a", &[2, 3], a), leaf("b", &[2], b)], &[2, 3], "permuted(a, b)")?;
    }
}

fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

fn run(src: &str) -> String {
    let compiled = compile(src, false).unwrap_or_else(|d| panic!("{src}: {d:?}"));
    graphc_runtime::exec::run_capture(&compiled.plan).expect("runs").0
}

#[test]
fn views_in_a_loop_body_write_through() {
    // PyTorch prints these lines for the same program (the view is taken in the
    // body, of the loop-carried `x`, and read again after `x.mul_(2)`).
    let src = "x = zeros(3, 2)\nfor i in range(3) {\n    h = x[1]\n    h += i + 1\n    x.mul_(2)\n}\nprint(x)\nprint(h)\n";
    assert_eq!(run(src), "tensor([[ 0.,  0.],\n        [22., 22.],\n        [ 0.,  0.]])\ntensor([22., 22.])\n");
}

#[test]
fn views_of_views_and_the_reverse_update() {
    // PyTorch 2.15: `x = arange(6.).reshape(2, 3); h = x[1]; g = h[1:]; g.mul_(10); x.add_(1)`.
    let src = "x = arange(6.0).reshape(2, 3)\nh = x[1]\ng = h[1:]\ng.mul_(10)\nx.add_(1)\nprint(x)\nprint(h)\nprint(g)\n";
    assert_eq!(run(src), "tensor([[ 1.,  2.,  3.],\n        [ 4., 41., 51.]])\ntensor([ 4., 41., 51.])\ntensor([41., 51.])\n");
    // A select of a permute of a 3-d tensor, zeroed: `y.sum()` is 210 in PyTorch.
    let src = "y = arange(24.0).view(2, 3, 4)\np = y.permute(2, 0, 1)[1]\np.zero_()\nprint(y.sum())\n";
    assert_eq!(run(src), "tensor(210.)\n");
    // `w.detach().mul_(5)` of a leaf, outside `no_grad`: the leaf keeps its `.grad`.
    let src = "w = ones(2, 2, requires_grad=true)\n(w * w).sum().backward()\nw.detach().mul_(5)\nprint(w)\nprint(w.grad)\n";
    assert_eq!(run(src), "tensor([[5., 5.],\n        [5., 5.]], requires_grad=True)\ntensor([[2., 2.],\n        [2., 2.]])\n");
}

#[test]
fn what_pytorch_refuses_is_refused() {
    // A view of a leaf that requires grad, outside no_grad.
    assert_eq!(codes("w = ones(2, 3, requires_grad=true)\nh = w[0]\nh += 1\n"), vec![Code::E0620]);
    // An expanded view, also through a temporary.
    assert_eq!(codes("x = zeros(1, 3)\ne = x.expand(2, 3)\ne += 1\n"), vec![Code::E0702]);
    assert_eq!(codes("x = zeros(3, 1)\nx.expand(3, 2).zero_()\n"), vec![Code::E0702]);
    // A view made in no_grad, updated outside it; a piece of chunk.
    assert_eq!(codes("a = ones(2, 3, requires_grad=true)\nx = a * 2\nno_grad {\n    h = x[0]\n}\nh.add_(1)\n"), vec![Code::E0705]);
    assert_eq!(codes("a = ones(4, requires_grad=true)\nx = a * 2\nc = x.chunk(2)[0]\nc += 1\n"), vec![Code::E0706]);
    // PyTorch's version counter: the view's old value was saved by `h * h`.
    assert_eq!(codes("a = ones(2, 3, requires_grad=true)\nx = a * 1\nh = x[0]\ny = h * h\nh += 1\ny.sum().backward()\n"), vec![Code::E0621]);
    // ... and the base's old value by `exp` (its result), updated through a view.
    assert_eq!(codes("a = ones(2, 3, requires_grad=true)\nx = exp(a)\nt = x.t()\nt[1] = t[0] * 2\nx.sum().backward()\n"), vec![Code::E0621]);
    // ... and by `x * x`, updated through the view.
    assert_eq!(codes("a = ones(2, 3, requires_grad=true)\nx = a * 1\nh = x[0]\ny = x * x\nh += 1\ny.sum().backward()\n"), vec![Code::E0621]);
}

#[test]
fn what_graphc_cannot_express_is_refused() {
    // A view made before a loop, updated in it, or its base updated in it.
    assert_eq!(codes("x = zeros(3, 2)\nh = x[0]\nfor i in range(3) {\n    h += 1\n}\n"), vec![Code::E0703]);
    assert_eq!(codes("x = zeros(3, 2)\nh = x[0]\nfor i in range(3) {\n    x += 1\n}\n"), vec![Code::E0703]);
    // Through detach() of a computed tensor that requires grad.
    assert_eq!(codes("a = ones(3, requires_grad=true)\nx = a * 2\nd = x.detach()\nd.zero_()\n"), vec![Code::E0704]);
    // A view taken with a run-time index, updated; or its base updated while a name holds it.
    assert_eq!(codes("x = zeros(3, 2)\nfor i in range(3) {\n    h = x[i]\n    h += 1\n}\n"), vec![Code::E0707]);
    assert_eq!(codes("x = zeros(3, 2)\nfor i in range(3) {\n    h = x[i]\n    x += 1\n}\n"), vec![Code::E0707]);
    // What still compiles: the base through a subscript, a copy, a view of an
    // unnamed tensor, and a view of a tensor made before a loop but not updated in it.
    assert_eq!(codes("x = zeros(2, 3)\nx[0] += 1\nx[1].add_(2)\nm = x[0].clone()\nm += 1\nv = zeros(4)[1:3]\nv += 1\nprint(x, m, v)\n"), vec![]);
    assert_eq!(codes("x = zeros(3, 2)\nh = x[0]\nfor i in range(3) {\n    print(h)\n}\nh += 1\nprint(x)\n"), vec![]);
    // The maximum of an i64 tensor is a new tensor, not a view of it.
    assert_eq!(run("k = tensor([3, 9, 4])\nm = k.max()\nm += 1\nprint(m, k)\n"), "tensor(10) tensor([3, 9, 4])\n");
}
