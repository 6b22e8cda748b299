//! `fn` inside a fn body: a nested function that closes over the names of the
//! body around it, called there or returned, with defaults and early returns.
//! The expected outputs are what PyTorch 2.15 prints for the same lines
//! (written beside each program as Python).

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

/// Two nested fns that read their maker's parameters, one calling the other
/// with a keyword, returned as a tuple; then a clip whose early return depends
/// on a run-time value, made by a fn and called in a loop.
#[test]
fn nested_fns_close_over_their_makers_names() {
    // def outer(a, scale=2.0):
    //     def inner(x, k=1):
    //         return (x + a) * scale * k
    //     def twice(x):
    //         return inner(x, k=2)
    //     return inner, twice
    // def make_clip(limit):
    //     def clip(v):
    //         if v.item() > limit:
    //             return v / v.item() * limit
    //         return v
    //     return clip
    let program = r#"
fn outer(a, scale=2.0) {
    fn inner(x, k=1) {
        return (x + a) * scale * k
    }
    fn twice(x) {
        return inner(x, k=2)
    }
    return inner, twice
}
f, g = outer(tensor([1.0, 2.0]))
print(f(tensor([0.5, 0.5])), g(tensor([0.5, 0.5])))
fn make_clip(limit) {
    fn clip(v) {
        if v.item() > limit {
            return v / v.item() * limit
        }
        return v
    }
    return clip
}
clip = make_clip(1.5)
w = tensor([0.5, 3.0, -2.0])
for i in range(3) {
    print(clip(w[i] * 2))
}
"#;
    let want = "\
tensor([3., 5.]) tensor([ 6., 10.])
tensor(1.)
tensor(1.5000)
tensor(-4.)
";
    assert_eq!(run(program), want);
}

/// A nested fn's body is checked with its parameters and the names bound
/// before it; a name bound nowhere is E0101 before anything runs. A gradient
/// flows through the run-time `if` a fn returns from, along the path that ran
/// (`clip(w * 2)` of 3 is `w * 2 * 0.5`, whose gradient is 1).
#[test]
fn nested_fn_errors_and_gradients() {
    let errors = |program: &str| match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => (d[0].code, d[0].message.clone()),
    };
    let unknown = "fn outer(a) {\n    fn inner(x) {\n        return x + b\n    }\n    return inner(a)\n}\nprint(outer(1.0))\n";
    assert_eq!(errors(unknown).0, Code::E0101);
    let through_if = "fn clip(v) {\n    if v.item() > 1 {\n        return v * 0.5\n    }\n    return v\n}\nw = tensor(3.0, requires_grad=true)\nclip(w * 2).backward()\n";
    assert_eq!(run(&format!("{through_if}print(w.grad)\n")), "tensor(1.)\n");
}
