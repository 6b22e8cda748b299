//! `x.grad_fn` as a value, and `eye`, as PyTorch's autograd tutorial uses them.
//! The expected text is what PyTorch 2.15 prints for the same lines, except
//! where noted: Python's text of a `grad_fn` adds the node's address, which
//! graphc leaves out.

use crate::common::run;
use graphc_compiler::driver::compile;

/// `grad_fn` is `None` for a leaf, a detached tensor and a result computed
/// under `no_grad`, and otherwise names the node PyTorch records; `.name()`
/// gives the name; `t()` of a vector is itself, with `TBackward0`.
#[test]
fn grad_fn_names_the_backward_node() {
    let program = "\
a = tensor([1.0, 2.0], requires_grad=true)
b = a * 3
c = b.sum()
print(a.grad_fn, b.grad_fn.name(), c.grad_fn.name(), a.grad_fn is none, b.grad_fn is not none)
no_grad {
    d = a * 2
}
print(d.grad_fn, f\"{c.grad_fn.name()}\", a.detach().grad_fn, (a @ a).grad_fn.name(), a.t().grad_fn.name())
";
    assert_eq!(run(program), "None MulBackward0 SumBackward0 True True\nNone SumBackward0 None DotBackward0 TBackward0\n");
}

/// Printed whole, a `grad_fn` shows its name without Python's address.
#[test]
fn a_printed_grad_fn_leaves_out_the_address() {
    let program = "x = randn(3, requires_grad=true)\ny = (x * x).mean()\nprint(y.grad_fn)\nprint(f\"{y.grad_fn}\")\n";
    assert_eq!(run(program), "<MeanBackward0 object>\n<MeanBackward0 object>\n");
}

/// `eye(n)`, `eye(n, m)` with a dtype, an empty one, and one that requires
/// grad: a leaf whose gradient the backward fills.
#[test]
fn eye_is_pytorchs_identity() {
    let program = "\
print(eye(3), eye(2, 4, dtype=i64), eye(3, 2, dtype=bool), eye(1, 0))
e = eye(3, requires_grad=true)
(e * arange(9.0).reshape(3, 3)).sum().backward()
print(e, e.grad, e.is_leaf, eye(2, dtype=f64, requires_grad=true).grad_fn)
";
    let want = "\
tensor([[1., 0., 0.],
        [0., 1., 0.],
        [0., 0., 1.]]) tensor([[1, 0, 0, 0],
        [0, 1, 0, 0]]) tensor([[ True, False],
        [False,  True],
        [False, False]]) tensor([], size=(1, 0))
tensor([[1., 0., 0.],
        [0., 1., 0.],
        [0., 0., 1.]], requires_grad=True) tensor([[0., 1., 2.],
        [3., 4., 5.],
        [6., 7., 8.]]) True None
";
    assert_eq!(run(program), want);
}

/// A method or field of a receiver that is already an error reports nothing more.
#[test]
fn a_failed_receiver_reports_one_error() {
    let Err(diags) = compile("a = tensor([[[1.0]]])\nprint(a.t().grad_fn.name())\n", false) else { panic!("compiled") };
    assert_eq!(diags.len(), 1, "{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>());
    assert!(diags[0].message.contains("transpose takes a 2-D tensor"), "{}", diags[0].message);
}

/// A method of `None` (a leaf's `grad_fn`) is Python's AttributeError, said as such.
#[test]
fn a_method_of_none_is_an_attribute_error() {
    let Err(diags) = compile("a = ones(2)\nprint(a.grad_fn.name())\n", false) else { panic!("compiled") };
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code.as_str(), "E0107");
    assert_eq!(diags[0].message, "`none` has no method `name`");
}
