//! `@no_grad()` before a `fn` (PyTorch's `@torch.no_grad()`): its body runs
//! with gradient recording off, top-level and nested fns alike; any other
//! decorator is a syntax error that names the one graphc has.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// What the decorated fns return requires no grad; an undecorated expression
/// after them still does.
#[test]
fn a_no_grad_fn_records_nothing() {
    // import torch
    // w = torch.ones(2, requires_grad=True)
    // @torch.no_grad()
    // def evaluate(x):
    //     y = x * w
    //     return y.sum()
    // @torch.no_grad
    // def twice(x):
    //     return x * 2
    // def outer():
    //     @torch.no_grad()
    //     def inner(v):
    //         return v * w
    //     return inner(3.0)
    // print(evaluate(torch.tensor([1.0, 2.0])), twice(w), outer(), (w * 2).sum())
    let program = r#"
w = ones(2, requires_grad=true)
@no_grad()
fn evaluate(x) {
    y = x * w
    return y.sum()
}
@no_grad
fn twice(x) {
    return x * 2
}
fn outer() {
    @no_grad()
    fn inner(v) {
        return v * w
    }
    return inner(3.0)
}
print(evaluate(tensor([1.0, 2.0])), twice(w), outer(), (w * 2).sum())
"#;
    let want = "tensor(3.) tensor([2., 2.]) tensor([3., 3.]) tensor(4., grad_fn=<SumBackward0>)\n";
    assert_eq!(run(program), want);
}

#[test]
fn other_decorators_are_syntax_errors() {
    let src = "@staticmethod\nfn f(x) {\n    return x\n}\n";
    assert_eq!(first_error(src), (Code::E0003, "graphc has no decorator `@staticmethod`".to_string(), 1));
}
