//! Functions as values (`loss_func = nll`), definitions with a builtin's name
//! (`fn log_softmax(x)`), and `range(...)` as a list: what the same Python
//! program prints under PyTorch 2.15.

use crate::common::run;
use graphc_compiler::driver::compile;

fn first_error(source: &str) -> (String, String) {
    let d = compile(source, false).err().unwrap_or_else(|| panic!("compiles:\n{source}"));
    (d[0].code.as_str().to_string(), d[0].message.clone())
}

/// A name bound to an op, a fn or a builtin calls it, in a fn body too, and
/// binding another function to the name later changes what it calls.
#[test]
fn a_name_bound_to_a_function_calls_it() {
    let program = "\
fn double(x) {
    return 2 * x
}
fn apply(g, v) {
    f = g
    return f(v)
}
fn use_global(v) {
    return act(v)
}
act = relu
v = tensor([-1.0, 3.0])
print(act(v), apply(double, v), apply(abs, v), use_global(v))
act = double
print(act(v), use_global(v), act)
";
    assert_eq!(
        run(program),
        "tensor([0., 3.]) tensor([-2.,  6.]) tensor([1., 3.]) tensor([0., 3.])\ntensor([-2.,  6.]) tensor([-2.,  6.]) <function double>\n"
    );
}

/// A fn may take a builtin's name: calls by that name reach it, while the tensor
/// method and graphc's own use of the builtin (`clamp_` is `clamp`) do not.
#[test]
fn a_definition_with_a_builtins_name_hides_it_from_calls_only() {
    let program = "\
fn clamp(x, min=0.0) {
    return x * 100
}
fn sum(x) {
    return x.max()
}
y = tensor([-1.0, 2.0])
print(clamp(y), sum(y), y.sum())
y.clamp_(min=0.0)
print(y, y.clamp(max=1.0))
";
    assert_eq!(run(program), "tensor([-100.,  200.]) tensor(2.) tensor(1.)\ntensor([0., 2.]) tensor([0., 1.])\n");
}

/// `range(...)` outside a `for` header is Python's list of its integers; a list of
/// integers indexes as PyTorch's index tensor; a range too long to hold is E0600.
#[test]
fn range_is_a_list_outside_a_for_header() {
    let program = "\
x = arange(12.0).reshape(4, 3)
t = tensor([2, 0, 1, 1])
print(x[range(4), t], x[range(1, 4, 2), 0], len(range(10, 0, -3)))
print(x[[-1, 0]], list(range(3)))
";
    assert_eq!(run(program), "tensor([ 2.,  3.,  7., 10.]) tensor([3., 9.]) 4\ntensor([[ 9., 10., 11.],\n        [ 0.,  1.,  2.]]) [0, 1, 2]\n");
    let (code, message) = first_error("x = zeros(3)\nprint(len(range(1000000)))\n");
    assert_eq!((code.as_str(), message.as_str()), ("E0600", "`range` here would make a list of 1000000 integers"));
    let (code, _) = first_error("print(range(0, 5, 0))\n");
    assert_eq!(code, "E0600");
}

/// A fn defined again takes the name over from its place on, as a Python `def`
/// does: calls before it, and a name bound to the earlier function, keep the
/// earlier one; a fn that calls the name calls the definition in force then.
#[test]
fn a_fn_defined_again_rebinds_its_name_from_there_on() {
    let program = "\
fn model(x) {
    return x + 1
}
fn twice(x) {
    return model(model(x))
}
v = tensor([1.0])
old = model
print(model(v), twice(v))
fn model(x) {
    return x * 10
}
print(model(v), twice(v), old(v))
";
    // What Python prints for the same definitions and calls.
    assert_eq!(run(program), "tensor([2.]) tensor([3.])\ntensor([10.]) tensor([100.]) tensor([2.])\n");
    // The second definition calling its own name is recursion, as in Python.
    let (code, _) = first_error("fn f(x) {\n    return x\n}\nfn f(x) {\n    return f(x)\n}\nprint(f(ones(1)))\n");
    assert_eq!(code, "E0106");
}
