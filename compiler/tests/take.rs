//! `take(input, index)` (`lower/take.rs`), `index_fill(input, dim, index,
//! value)` (`lower/index_fill.rs`) and `index_copy(input, dim, index, source)`
//! (`lower/index_copy.rs`): the lines of a PyTorch program and what PyTorch
//! 2.15 prints for them, and their index checks.

use crate::common::{first_error, run};
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
    let (code, msg, _) = first_error("print(randn(3, 4).index_fill(1, tensor([4]), 1.0))\n");
    assert_eq!(code, Code::E0281, "{msg}");
    let (code, _, _) = first_error("print(zeros(3, 4).index_copy(0, tensor([-1]), ones(1, 4)))\n");
    assert_eq!(code, Code::E0281);
    let (code, msg, _) = first_error("print(zeros(3, 4).index_copy(0, tensor([0]), ones(2, 4)))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "index_copy_(): Number of indices (1) should be equal to source.size(dim) (2)"));
}

/// index_fill with negative and repeated indices, a number and a 0-d tensor value, its gradients (IndexFillBackward0 and 1), an i64 input with a float value (truncated), a 0-d input and an empty one, as PyTorch 2.15 prints them.
#[test]
fn index_fill_is_pytorchs() {
    let program = r#"
x = arange(12.).reshape(3, 4).requires_grad_()
y = x.index_fill(1, tensor([0, -1]), -5.0)
print(y)
y.sum().backward()
print(x.grad)
v = tensor(2.0, requires_grad=true)
z = x.detach().index_fill(0, tensor([1, 1]), v)
print(z)
(z * arange(12.).reshape(3, 4)).sum().backward()
print(v.grad)
print(index_fill(tensor([1, 2, 3]), 0, tensor([2]), 9), tensor([1, 2, 3]).index_fill(0, tensor([0]), 7.9))
print(tensor(5.0).index_fill(0, tensor([0]), 1.0), randn(2, 0).index_fill(1, tensor([], dtype=int64), 1.0))
"#;
    assert_eq!(run(program), "tensor([[-5.,  1.,  2., -5.],\n        [-5.,  5.,  6., -5.],\n        [-5.,  9., 10., -5.]], grad_fn=<IndexFillBackward0>)\ntensor([[0., 1., 1., 0.],\n        [0., 1., 1., 0.],\n        [0., 1., 1., 0.]])\ntensor([[ 0.,  1.,  2.,  3.],\n        [ 2.,  2.,  2.,  2.],\n        [ 8.,  9., 10., 11.]], grad_fn=<IndexFillBackward1>)\ntensor(22.)\ntensor([1, 2, 9]) tensor([7, 2, 3])\ntensor(1.) tensor([], size=(2, 0))\n");
}

/// index_copy along rows and columns, f32 and i64, with its gradients (IndexCopyBackward0), as PyTorch 2.15 prints them.
#[test]
fn index_copy_is_pytorchs() {
    let program = r#"
x = zeros(3, 4, requires_grad=true)
s = arange(8.).reshape(2, 4).requires_grad_()
y = x.index_copy(0, tensor([2, 0]), s)
print(y)
(y * arange(12.).reshape(3, 4)).sum().backward()
print(x.grad, s.grad)
print(index_copy(zeros(2, 3), 1, tensor([1]), ones(2, 1)), arange(6).reshape(2, 3).index_copy(1, tensor([0, 2]), tensor([[7, 8], [9, 10]])))
"#;
    assert_eq!(run(program), "tensor([[4., 5., 6., 7.],\n        [0., 0., 0., 0.],\n        [0., 1., 2., 3.]], grad_fn=<IndexCopyBackward0>)\ntensor([[0., 0., 0., 0.],\n        [4., 5., 6., 7.],\n        [0., 0., 0., 0.]]) tensor([[ 8.,  9., 10., 11.],\n        [ 0.,  1.,  2.,  3.]])\ntensor([[0., 1., 0.],\n        [0., 1., 0.]]) tensor([[ 7,  1,  8],\n        [ 9,  4, 10]])\n");
}
