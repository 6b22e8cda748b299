//! `meshgrid(*tensors, indexing="ij")` (`torch.meshgrid`): the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them, in both indexings,
//! spread or in a list, a 0-d input, and the gradient through the expanded
//! views (`ExpandBackward0`).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, gradients and `grad_fn`s as PyTorch computes them.
#[test]
fn meshgrid_is_pytorchs() {
    let program = r#"
x = arange(3.0, requires_grad=true)
y = tensor([10.0, 20.0])
gx, gy = meshgrid(x, y, indexing="ij")
print(gx, gy)
a, b = meshgrid(x, y, indexing="xy")
print(a, b)
(a * b).sum().backward()
print(x.grad)
i, j, k = meshgrid([arange(2), arange(3), tensor(5)], indexing="ij")
print(i.shape, k)
"#;
    assert_eq!(run(program), "tensor([[0., 0.],\n        [1., 1.],\n        [2., 2.]], grad_fn=<ExpandBackward0>) tensor([[10., 20.],\n        [10., 20.],\n        [10., 20.]])\ntensor([[0., 1., 2.],\n        [0., 1., 2.]], grad_fn=<ExpandBackward0>) tensor([[10., 10., 10.],\n        [20., 20., 20.]])\ntensor([30., 30., 30.])\ntorch.Size([2, 3, 1]) tensor([[[5],\n         [5],\n         [5]],\n\n        [[5],\n         [5],\n         [5]]])\n");
}

/// Inputs are 0-d or 1-d, and `indexing` is `"ij"` or `"xy"`, as PyTorch checks.
#[test]
fn meshgrid_checks_its_inputs() {
    assert_eq!(first_error("a, b = meshgrid(ones(2, 2), ones(3))\n").0, Code::E0221);
    assert_eq!(first_error("a, b = meshgrid(ones(2), ones(3), indexing=\"yx\")\n").0, Code::E0104);
}
