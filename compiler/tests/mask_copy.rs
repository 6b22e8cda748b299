//! `x[mask] = y[mask]`, the copy through one mask that custom-op backwards
//! write (`grad_input[mask] = grad_output[mask]`): the lines of a PyTorch
//! program and what PyTorch 2.15 prints for them. A straight-through
//! estimator as an op, a copy whose gradients reach both tensors
//! (`IndexPutBackward0`), and a mask over the rows of a matrix.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The copies and their gradients as PyTorch computes them.
#[test]
fn mask_copies_are_pytorchs() {
    let program = r#"
op MaskedStraightThrough(x, threshold) {
    forward {
        mask = x.abs() <= threshold
        save mask
        return (x > 0).float()
    }
    backward(grad_output) {
        grad_input = grad_output.new_zeros(grad_output.shape)
        grad_input[mask] = grad_output[mask]
        return grad_input, none
    }
}

manual_seed(0)
x = randn(2, 5, requires_grad=true)
y = MaskedStraightThrough(x, 1.0)
print(y)
(y * arange(10.0).reshape(2, 5)).sum().backward()
print(x.grad)
manual_seed(0)
a = randn(3, 4, requires_grad=true)
b = randn(3, 4, requires_grad=true)
x = a * 1
m = b > 0
x[m] = b[m]
print(x)
(x * arange(12.0).reshape(3, 4)).sum().backward()
print(a.grad)
print(b.grad)
rows = tensor([true, false, true])
z = zeros(3, 2)
w = ones(3, 2) * 5
z[rows] = w[rows]
print(z)
"#;
    assert_eq!(run(program), "tensor([[1., 0., 0., 1., 0.],\n        [0., 1., 1., 0., 0.]], grad_fn=<MaskedStraightThroughBackward>)\ntensor([[0., 1., 0., 3., 0.],\n        [0., 6., 7., 8., 9.]])\ntensor([[ 1.5410,  1.1006, -2.1788,  0.1227],\n        [-1.0845,  0.3731,  0.4033,  0.8380],\n        [ 0.3704,  1.4565,  0.9398,  0.7748]], grad_fn=<IndexPutBackward0>)\ntensor([[0., 0., 2., 0.],\n        [4., 0., 6., 7.],\n        [0., 0., 0., 0.]])\ntensor([[ 0.,  1.,  0.,  3.],\n        [ 0.,  5.,  0.,  0.],\n        [ 8.,  9., 10., 11.]])\ntensor([[5., 5.],\n        [0., 0.],\n        [5., 5.]])\n");
}

/// A read through a mask alone still has a shape only the run knows (and so
/// does a copy from anything but a name), and the copy needs one dtype on
/// both sides.
#[test]
fn mask_copies_keep_their_limits() {
    let base = "x = zeros(3)\ny = randn(3)\nm = y > 0\n";
    assert_eq!(first_error(&format!("{base}z = y[m]\n")).0, Code::E0225);
    assert_eq!(first_error(&format!("{base}x[m] = y.double()[m]\n")).0, Code::E0225);
    assert_eq!(first_error(&format!("{base}w = y.double()\nx[m] = w[m]\n")).0, Code::E0700);
}
