//! `take(input, index)` (`lower/take.rs`): the lines of a PyTorch program and
//! what PyTorch 2.15 prints for them, and its index checks.

mod common;

use common::{first_error, run};
use graphc_compiler::diag::Code;

/// take of a matrix at a 2-d index with negative and repeated positions, as a method, of an i64 tensor at a 0-d index, and its gradient (repeated positions add up), as PyTorch 2.15 prints them.
#[test]
fn take_is_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, requires_grad=true)
i = tensor([[0, 5], [-1, 2], [5, 5]])
y = take(x, i)
print(y, x.take(tensor([1, 1, -6])))
y.sum().backward()
print(x.grad)
print(take(tensor([[4, 5], [6, 7]]), tensor(3)))
"#;
    assert_eq!(run(program), "tensor([[ 1.5410, -1.3986],\n        [-1.3986, -2.1788],\n        [-1.3986, -1.3986]], grad_fn=<TakeBackward0>) tensor([-0.2934, -0.2934,  1.5410], grad_fn=<TakeBackward0>)\ntensor([[1., 0., 1.],\n        [0., 0., 4.]])\ntensor(7)\n");
}

/// A float index is PyTorch's dtype error; a constant position past the end
/// is caught before anything runs.
#[test]
fn bad_indices_are_compile_errors() {
    let (code, msg, _) = first_error("print(take(randn(2, 3), tensor([0.0])))\n");
    assert_eq!((code, msg.as_str()), (Code::E0204, "take(): Expected a long tensor for index, but got Float"));
    let (code, _, _) = first_error("print(take(randn(2, 3), tensor([6])))\n");
    assert_eq!(code, Code::E0281);
}
