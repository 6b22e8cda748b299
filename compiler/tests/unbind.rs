//! `unbind(input, dim=0)` (`torch.unbind`, `x.unbind(dim)`) and the tuples
//! that `split`, `chunk` and `unbind` return: the lines of a PyTorch program
//! and what PyTorch 2.15 prints for them (values, `UnbindBackward0`, the
//! gradient through the slices, tuples printed in parentheses, unpacked and
//! joined again).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, gradients and `grad_fn`s as PyTorch computes them.
#[test]
fn unbind_and_split_tuples_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(3, 4, requires_grad=true)
a, b, c = x.unbind(0)
print(a, b)
cols = unbind(x, dim=1)
print(len(cols), cols[2])
(a * 2 + cols[3].sum()).sum().backward()
print(x.grad)
print(unbind(arange(6).reshape(2, 3), -1))
print(arange(5).split(2))
print(arange(6.0).chunk(3))
q, k, v = arange(12.0).reshape(2, 6).split(2, dim=1)
print(cat(arange(4).split(2)), k)
"#;
    assert_eq!(run(program), "tensor([ 1.5410, -0.2934, -2.1788,  0.5684], grad_fn=<UnbindBackward0>) tensor([-1.0845, -1.3986,  0.4033,  0.8380], grad_fn=<UnbindBackward0>)\n4 tensor([-2.1788,  0.4033, -0.5966], grad_fn=<UnbindBackward0>)\ntensor([[2., 2., 2., 6.],\n        [0., 0., 0., 4.],\n        [0., 0., 0., 4.]])\n(tensor([0, 3]), tensor([1, 4]), tensor([2, 5]))\n(tensor([0, 1]), tensor([2, 3]), tensor([4]))\n(tensor([0., 1.]), tensor([2., 3.]), tensor([4., 5.]))\ntensor([0, 1, 2, 3]) tensor([[2., 3.],\n        [8., 9.]])\n");
}

/// A 0-d tensor has no dimension to unbind.
#[test]
fn unbind_needs_a_dimension() {
    assert_eq!(first_error("print(unbind(tensor(1.0)))\n").0, Code::E0221);
}
