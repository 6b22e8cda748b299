//! `kron` (`torch.kron`): the lines of a PyTorch program and what PyTorch
//! 2.15 prints for them. Matrices, integer operands, operands of different
//! ranks (padded with leading ones), f64 gradients summed over 40 copies (the
//! sum's order shows in the last digits), and the product's `grad_fn`.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, `grad_fn`s and gradients as ATen's `KronImpl` computes them.
#[test]
fn kron_is_pytorchs() {
    let program = r#"
manual_seed(0)
a = randn(2, 3, requires_grad=true)
b = randn(2, 2, requires_grad=true)
k = kron(a, b)
print(k)
print(k.grad_fn.name())
(k * arange(24.).reshape(4, 6)).sum().backward()
print(a.grad)
print(b.grad)
print(kron(tensor([1, 2]), tensor([[1, 10], [100, 1000]])))
print(kron(eye(2), tensor([[0.5, 1.0], [2.0, 4.0]])))
c = randn(3, dtype=f64, requires_grad=true)
d = kron(c, ones(40, dtype=f64) * 0.1)
d.backward(linspace(-1, 1, 120, dtype=f64))
print(c.grad.tolist())
print(kron(ones(2, 1, 3), ones(2, 2)).shape)
"#;
    assert_eq!(run(program), "tensor([[ 0.6216,  1.2914, -0.1184, -0.2459, -0.8788, -1.8259],\n        [-1.1084, -0.6216,  0.2111,  0.1184,  1.5671,  0.8788],\n        [ 0.2293,  0.4764, -0.4374, -0.9089, -0.5641, -1.1721],\n        [-0.4088, -0.2293,  0.7801,  0.4374,  1.0060,  0.5641]],\n       grad_fn=<UnsafeViewBackward0>)\nUnsafeViewBackward0\ntensor([[-6.3009, -6.0634, -5.8258],\n        [-4.8757, -4.6381, -4.4006]])\ntensor([[-40.0417, -42.8876],\n        [-57.1171, -59.9630]])\ntensor([[   1,   10,    2,   20],\n        [ 100, 1000,  200, 2000]])\ntensor([[0.5000, 1.0000, 0.0000, 0.0000],\n        [2.0000, 4.0000, 0.0000, 0.0000],\n        [0.0000, 0.0000, 0.5000, 1.0000],\n        [0.0000, 0.0000, 2.0000, 4.0000]])\n[-2.689075630252101, 3.469446951953614e-18, 2.689075630252101]\ntorch.Size([2, 2, 6])\n");
}

/// Both operands must be tensors.
#[test]
fn kron_takes_tensors() {
    assert_eq!(first_error("y = kron(ones(2), 2.0)\n").0, Code::E0107);
}
