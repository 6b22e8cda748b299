//! `dropout(input, p, training, inplace)` (`lower/dropout.rs`): PyTorch's
//! `F.dropout` on the CPU, whose mask is `rand`'s f64 draws below `1 - p`
//! (PyTorch's default kernel, which it runs on AMD processors and without
//! MKL). The expected outputs are what the Python beside each program prints
//! with PyTorch 2.15 on this project's AMD EPYC machine.

use crate::common;

use crate::common::run;
use graphc_compiler::diag::Code;

/// The mask, the scaling by `1 / (1 - p)` and the gradient through it, in f32
/// and f64; `training=false` and `p=0` give the input itself and `p=1` zeros;
/// the generator moves on as PyTorch's; and a dropout on the hidden state of a
/// recurrence, differentiated after the loop, reads each step's mask again.
#[test]
fn dropout_matches_pytorch_bit_for_bit() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = torch.randn(3, 5, requires_grad=True)
    // y = F.dropout(x, 0.3)
    // print(y)
    // (y * y).sum().backward()
    // print(x.grad)
    // print(y.grad_fn.name())
    // z = torch.randn(4, dtype=torch.float64, requires_grad=True)
    // print(F.dropout(z, p=0.5, training=True).tolist())
    // print(F.dropout(z, p=0.5, training=False) is z, F.dropout(z, 0.0) is z)
    // print(F.dropout(x, 1.0))
    // print(torch.rand(2))
    // # dropout on the hidden state of a recurrence, backward after the loop
    // w = (torch.randn(6) * 0.5).requires_grad_()
    // xs = torch.randn(5, 6)
    // h = torch.zeros(6)
    // for t in range(5):
    //     h = torch.tanh(F.dropout(h, 0.2) * w + xs[t])
    // h.sum().backward()
    // print(w.grad)
    let program = r#"
manual_seed(0)
x = randn(3, 5, requires_grad=true)
y = dropout(x, 0.3)
print(y)
(y * y).sum().backward()
print(x.grad)
print(y.grad_fn.name())
z = randn(4, dtype=float64, requires_grad=true)
print(dropout(z, p=0.5, training=true).tolist())
print(dropout(z, p=0.5, training=false) is z, dropout(z, 0.0) is z)
print(dropout(x, 1.0))
print(rand(2))
w = (randn(6) * 0.5).requires_grad_()
xs = randn(5, 6)
h = zeros(6)
for t in range(5) {
    h = tanh(dropout(h, 0.2) * w + xs[t])
}
h.sum().backward()
print(w.grad)
"#;
    let want = "\
tensor([[ 2.2014, -0.4192, -3.1126,  0.0000, -1.5493],
        [-1.9980,  0.5762,  1.1972, -1.0275, -0.5762],
        [-0.8523,  0.2601, -0.0000,  1.5723, -0.0000]], grad_fn=<MulBackward0>)
tensor([[ 6.2898, -1.1977, -8.8930,  0.0000, -4.4266],
        [-5.7086,  1.6463,  3.4205, -2.9357, -1.6463],
        [-2.4352,  0.7430, -0.0000,  4.4923, -0.0000]])
MulBackward0
[0.0, -0.0, -0.9660641369500652, 0.0]
True True
tensor([[0., -0., -0., 0., -0.],
        [-0., 0., 0., -0., -0.],
        [-0., 0., -0., 0., -0.]], grad_fn=<MulBackward0>)
tensor([0.5460, 0.1872])
tensor([ 0.8726, -0.7692, -0.4961, -0.4582,  0.4979, -0.6546])
";
    assert_eq!(run(program), want);
}

/// PyTorch's checks, at the argument.
#[test]
fn what_dropout_refuses_is_an_error_at_the_argument() {
    let first = common::first_error;
    let range = "x = ones(3)\ny = dropout(x, 1.5)\n";
    assert_eq!(first(range), (Code::E0107, "dropout probability has to be between 0 and 1, but got 1.5".to_string(), range.find("1.5").unwrap()));
    let inplace = "x = ones(3)\ny = dropout(x, 0.5, true, 2)\n";
    assert_eq!(first(inplace).0, Code::E0107);
    let ints = "x = ones(3, dtype=int64)\ny = dropout(x)\n";
    let (code, message, _) = first(ints);
    assert_eq!(code, Code::E0107);
    assert!(message.contains("floating-point"), "{message}");
    // A backward block is a template copied into each backward: a draw there has no one place.
    let in_backward = "op F(x) {\n    forward {\n        return x * 2\n    }\n    backward(g) {\n        return dropout(g, 0.5)\n    }\n}\ny = F(ones(3, requires_grad=true))\n";
    assert_eq!(first(in_backward).0, Code::E0108);
}
