//! `clamp`, `clip`, `clamp_min` and `clamp_max` with tensor bounds (ATen's
//! `clamp.Tensor`): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them, and the calls PyTorch refuses.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, dtypes, `grad_fn`s and gradients (of the input and of both bounds, and of the gradient) as PyTorch 2.15 prints them.
#[test]
fn tensor_bounds_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(3, 4, requires_grad=true)
lo = randn(4, requires_grad=true)
hi = randn(3, 1, requires_grad=true)
print(clamp(x, lo, hi))
print(clamp(x, min=lo), x.clamp(max=hi))
print(clamp_min(x, lo), clamp_max(x, hi), x.clip(lo, hi))
print(clamp(x.double(), lo.double(), hi.double()).dtype)
print(clamp(arange(5), tensor(1), tensor(3)))
print(clamp(arange(5), tensor(1.5)))
print(clamp(tensor([1., nan, 3.]), tensor([nan, 0., 0.]), tensor(2.)))
(clamp(x, lo, hi) * arange(12.).reshape(3, 4)).sum().backward()
print(x.grad, lo.grad, hi.grad)
x.grad = none
(clamp_min(x, lo) * 2 + clamp_max(x, hi) * 3).sum().backward()
print(x.grad, lo.grad, hi.grad)
g = grad(clamp(x, lo, hi).pow(2).sum(), x, create_graph=true)[0]
print(g)
"#;
    assert_eq!(run(program), "tensor([[-0.5663, -0.5663, -1.0712, -0.5663],\n        [-0.8567,  0.3731,  0.3731,  0.3731],\n        [-0.8920, -0.8920, -0.8920, -0.8920]], grad_fn=<ClampBackward0>)\ntensor([[ 1.5410,  1.1006, -1.0712,  0.5684],\n        [-0.8567,  1.1006,  0.4033,  0.8380],\n        [-0.7193,  1.1006, -0.5966,  0.1820]], grad_fn=<ClampBackward0>) tensor([[-0.5663, -0.5663, -2.1788, -0.5663],\n        [-1.0845, -1.3986,  0.3731,  0.3731],\n        [-0.8920, -0.8920, -0.8920, -0.8920]], grad_fn=<ClampBackward0>)\ntensor([[ 1.5410,  1.1006, -1.0712,  0.5684],\n        [-0.8567,  1.1006,  0.4033,  0.8380],\n        [-0.7193,  1.1006, -0.5966,  0.1820]], grad_fn=<ClampMinBackward1>) tensor([[-0.5663, -0.5663, -2.1788, -0.5663],\n        [-1.0845, -1.3986,  0.3731,  0.3731],\n        [-0.8920, -0.8920, -0.8920, -0.8920]], grad_fn=<ClampMaxBackward1>) tensor([[-0.5663, -0.5663, -1.0712, -0.5663],\n        [-0.8567,  0.3731,  0.3731,  0.3731],\n        [-0.8920, -0.8920, -0.8920, -0.8920]], grad_fn=<ClampBackward0>)\ntorch.float64\ntensor([1, 1, 2, 3, 3])\ntensor([1.5000, 1.5000, 2.0000, 3.0000, 4.0000])\ntensor([nan, nan, 2.])\ntensor([[0., 0., 0., 0.],\n        [0., 0., 0., 0.],\n        [0., 0., 0., 0.]]) tensor([4., 0., 2., 0.]) tensor([[ 4.],\n        [18.],\n        [38.]])\ntensor([[2., 0., 3., 2.],\n        [3., 3., 2., 2.],\n        [2., 0., 2., 2.]]) tensor([6., 6., 4., 0.]) tensor([[13.],\n        [24.],\n        [50.]])\ntensor([[0., 0., 0., 0.],\n        [0., 0., 0., 0.],\n        [0., 0., 0., 0.]], grad_fn=<MaskedFillBackward0>)\n");
}

/// PyTorch has no `clamp` with a number bound and a tensor bound, and no
/// `clamp` of bool tensors.
#[test]
fn mixed_or_bool_bounds_are_refused() {
    assert_eq!(first_error("x = randn(3)\nprint(clamp(x, 0.0, ones(3)))\n").0, Code::E0107);
    assert_eq!(first_error("x = randn(3) > 0\nprint(clamp(x, x, x))\n").0, Code::E0204);
    assert_eq!(first_error("x = randn(3)\nprint(clamp(x, ones(2)))\n").0, Code::E0221);
}
