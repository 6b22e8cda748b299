//! Tuples returned by fns and unpacked, shape queries as compile-time ints, and
//! `*` in call arguments. Their printed forms are checked against PyTorch by
//! `examples/shapes_and_tuples.act`; here, what compiles and each error's code.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn shape_queries_are_ints_usable_as_sizes() {
    let src = "x = ones(2, 3)\ny = zeros(x.size(0), x.size(-1))\nz = ones(x.dim(), x.numel(), x.ndim)\nw = zeros(*x.size())\nprint(y + w, z)\n";
    assert_eq!(codes(src), vec![]);
}

#[test]
fn a_dimension_out_of_range_is_e0202() {
    assert_eq!(codes("x = ones(2, 3)\nprint(x.size(2))\n"), vec![Code::E0202]);
    assert_eq!(codes("x = ones(2, 3)\nprint(x.size(-3))\n"), vec![Code::E0202]);
    assert_eq!(codes("x = ones(2, 3)\nprint(x.size(0.5))\n"), vec![Code::E0107]);
    assert_eq!(codes("x = ones(2, 3)\nprint(x.dim(1))\n"), vec![Code::E0103]);
    assert_eq!(codes("print((2).shape)"), vec![Code::E0107]);
}

#[test]
fn unpacking_checks_counts_and_kinds() {
    assert_eq!(codes("a, b = (1, 2)\nc, d = [ones(2), 3]\nr, s = ones(4, 5).shape\nprint(a + b + r + s, c * d)\n"), vec![]);
    assert_eq!(codes("a, b = (1, 2, 3)"), vec![Code::E0116]);
    assert_eq!(codes("a, b = ones(2)"), vec![Code::E0116]);
    assert_eq!(codes("a, b = 3"), vec![Code::E0116]);
    // A trailing comma, as in Python: `g, = grad(y, x)` unpacks a one-element tuple.
    assert_eq!(codes("a, = (1,)\nb, c, = [ones(2), 3]\nprint(a, b * c)\n"), vec![]);
    assert_eq!(codes("a, = (1, 2)"), vec![Code::E0116]);
}

/// A shape is a size argument, as PyTorch's `torch.Size` is: `ones(y.size())`
/// (WGAN-GP's `grad_outputs`), `zeros(x.shape)`.
#[test]
fn a_shape_is_a_size_argument() {
    let compiled =
        graphc_compiler::driver::compile("x = ones(2, 3)\nprint(zeros(x.shape).shape, ones(x.size()).shape, randn(x[0].shape).shape)\n", false)
            .expect("compiles");
    let (text, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    assert_eq!(text, "torch.Size([2, 3]) torch.Size([2, 3]) torch.Size([3])\n");
}

#[test]
fn only_names_are_unpack_targets() {
    assert_eq!(codes("a, b.grad = (1, 2)"), vec![Code::E0003]);
    assert_eq!(codes("a, (b, c.grad) = 1, (2, 3)"), vec![Code::E0003]);
}

/// A parenthesized group of targets unpacks its value in turn, at any depth
/// and in any body (`out, (h, c) = lstm(x)`), with the counts checked as for
/// any unpacking.
#[test]
fn groups_of_targets_unpack_in_turn() {
    let src = "a, (b, (d, e)) = 1, (2, [3, 4])
fn f() {
    x, (y, z) = 1, (2, 3)
    return x * 100 + y * 10 + z
}
print(a, b, d, e, f())
";
    let compiled = compile(src, false).expect("compiles");
    let (text, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    assert_eq!(text, "1 2 3 4 123\n");
    assert_eq!(codes("a, (b, c) = 1, (2, 3, 4)"), vec![Code::E0116]);
}

#[test]
fn splat_spreads_tuples_lists_and_shapes_only_in_calls() {
    assert_eq!(codes("fn f(a, b, c=0) {\n    return a + b + c\n}\nprint(f(*(1, 2)), f(*[1, 2, 3]), f(1, *(2,)))\n"), vec![]);
    assert_eq!(codes("fn f(a, b) {\n    return a + b\n}\nprint(f(*(1, 2, 3)))\n"), vec![Code::E0103]);
    assert_eq!(codes("print(zeros(*3))"), vec![Code::E0115]);
}

#[test]
fn fns_and_ops_without_backward_return_tuples() {
    assert_eq!(codes("fn f(x) {\n    return x, x * 2\n}\na, b = f(ones(2))\nprint(a + b)\n"), vec![]);
    let op = "op F(x) {\n    forward {\n        return x, x * 2\n    }\n}\na, b = F(ones(2))\nprint(a + b)\n";
    assert_eq!(codes(op), vec![]);
    assert_eq!(codes("fn f(x) {\n    return\n}\n"), vec![Code::E0108]);
}

#[test]
fn a_tuple_holding_a_tensor_prints_as_pythons_repr() {
    let compiled = graphc_compiler::driver::compile("print((ones(2), 1), [\"a\"], (2,))\n", false).expect("compiles");
    let (text, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    assert_eq!(text, "(tensor([1., 1.]), 1) ['a'] (2,)\n");
}

/// As in Python, the right side of `=` may be a tuple without parentheses, for
/// one name or for several.
#[test]
fn a_bare_tuple_is_assigned_and_unpacked() {
    assert_eq!(codes("x = ones(2, 3)\nn, d = x.shape[0], x.shape[-1]\nt = n, d\na, b = t\nprint(zeros(a, b))\n"), vec![]);
    assert_eq!(codes("a, b = 1, 2, 3"), vec![Code::E0116]);
}
