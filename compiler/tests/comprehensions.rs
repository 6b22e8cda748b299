//! List comprehensions, generator expressions and Python's `sum` of a list, as
//! published training code writes them (`[p.grad for p in params]`, d2l's
//! `sum(torch.sum(p.grad ** 2) for p in params)`). The expected text is what
//! PyTorch 2.15 prints for the same lines.

use crate::common::run;
use graphc_compiler::driver::compile;

fn error(source: &str) -> (String, String) {
    let d = compile(source, false).err().expect("the program should not compile");
    (d[0].code.as_str().to_string(), d[0].message.clone())
}

/// Clauses nest as Python nests them (the first outermost), conditions filter,
/// and `for a, b in` unpacks each item.
#[test]
fn comprehensions_unroll_in_pythons_order() {
    let program = "\
print([i * i for i in range(5)])
print([i for i in range(10) if i % 3 == 0 if i > 0])
print([(i, j) for i in range(3) for j in range(i)])
print([k * v for k, v in enumerate([10, 20])])
print([n for n in ones(4, 2).shape], [r.sum() for r in ones(2, 3)])
";
    assert_eq!(run(program), "[0, 1, 4, 9, 16]\n[3, 6, 9]\n[(1, 0), (2, 0), (2, 1)]\n[0, 20]\n[4, 2] [tensor(3.), tensor(3.)]\n");
}

/// A comprehension's variable is bound only inside it: the name outside keeps
/// its value, and is not bound after it when it was not before.
#[test]
fn a_comprehension_binds_its_names_only_inside_it() {
    assert_eq!(run("i = 7\nprint([i * 2 for i in [1, 2]], i)\n"), "[2, 4] 7\n");
    let (code, message) = error("print([x for x in [1]])\nprint(x)\n");
    assert_eq!((code.as_str(), message.as_str()), ("E0101", "cannot find `x` here"));
    // Inside a fn the definition checks see the comprehension's names, and only there.
    assert_eq!(run("fn f(a) {\n    return [q * a for q in [1, 2]]\n}\nprint(f(3))\n"), "[3, 6]\n");
    let (code, _) = error("fn g(a) {\n    return [z for q in [1, 2]]\n}\nprint(g(1))\n");
    assert_eq!(code, "E0101");
}

/// `sum` of a list or a generator is Python's: `0 + a + b`, each `+` PyTorch's
/// `add` where a tensor meets it, so the result has a `grad_fn` and its
/// gradient reaches every tensor the generator read.
#[test]
fn python_sum_of_a_generator_is_differentiable() {
    let program = "\
w = tensor([1.0, -2.0, 3.0], requires_grad=true)
b = tensor([0.5], requires_grad=true)
params = [w, b]
penalty = sum(p.pow(2).sum() for p in params)
print(penalty)
penalty.backward()
print([p.grad for p in params])
print(sum([1, 2, 3]), sum([0.5, 0.25], 1), sum([], start=2))
";
    assert_eq!(run(program), "tensor(14.2500, grad_fn=<AddBackward0>)\n[tensor([ 2., -4.,  6.]), tensor([1.])]\n6 1.75 2\n");
}

/// What cannot be unrolled when compiling is refused where it is written.
#[test]
fn comprehension_errors_point_at_their_cause() {
    let (code, message) = error("x = tensor([1.0, 2.0])\nprint([v for v in [x, x] if v > 0])\n");
    assert_eq!((code.as_str(), message.as_str()), ("E0113", "the condition of a comprehension must be a bool, not a tensor"));
    let (code, message) = error("print([v for v in 3])\n");
    assert_eq!((code.as_str(), message.as_str()), ("E0600", "a comprehension cannot iterate over an integer"));
    let (code, message) = error("print(len([v for v in range(60000) for w in range(2)]))\n");
    assert_eq!((code.as_str(), message.as_str()), ("E0600", "this comprehension makes more than 65536 elements"));
}
