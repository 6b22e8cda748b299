//! `bilinear` and `Bilinear` (`lower/bilinear.rs`): the lines of a PyTorch
//! program and what PyTorch 2.15 prints for them, and ATen's shape checks.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `Bilinear(3, 4, 2)` (its repr, seeded initialization, output, `grad_fn` and parameter gradients), `bilinear` without a bias and with 3-D inputs and its input gradient, and a module without a bias, as PyTorch 2.15 prints them.
#[test]
fn bilinear_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
m = Bilinear(3, 4, 2)
print(m)
x1 = randn(5, 3)
x2 = randn(5, 4)
y = m(x1, x2)
print(y)
print(y.grad_fn)
y.sum().backward()
print(m.weight.grad)
print(m.bias.grad)
print(m.weight.shape, m.bias.shape)
z = bilinear(x1, x2, m.weight)
print(z.grad_fn)
print(z)
a = randn(2, 3, 3, requires_grad=true)
b = randn(2, 3, 4)
w = bilinear(a, b, m.weight, m.bias)
print(w.shape, w.grad_fn)
w.sum().backward()
print(a.grad)
m2 = Bilinear(3, 4, 2, bias=false)
print(m2)
print(m2.bias)
"#;
    assert_eq!(run(program), "Bilinear(in1_features=3, in2_features=4, out_features=2, bias=True)\ntensor([[ 0.5517,  0.2647],\n        [ 0.0031,  0.1953],\n        [-0.1102,  0.4767],\n        [-0.5092,  0.1973],\n        [-1.4594, -1.1473]], grad_fn=<AddBackward0>)\n<AddBackward0 object>\ntensor([[[ 2.0124,  0.2136,  1.0048, -0.8847],\n         [ 1.0279, -0.0220, -0.4036, -1.8510],\n         [ 0.3973,  0.3741, -0.1363,  0.0041]],\n\n        [[ 2.0124,  0.2136,  1.0048, -0.8847],\n         [ 1.0279, -0.0220, -0.4036, -1.8510],\n         [ 0.3973,  0.3741, -0.1363,  0.0041]]])\ntensor([5., 5.])\ntorch.Size([2, 3, 4]) torch.Size([2])\n<ViewBackward0 object>\ntensor([[ 0.6447,  0.2036],\n        [ 0.0962,  0.1342],\n        [-0.0171,  0.4156],\n        [-0.4161,  0.1362],\n        [-1.3663, -1.2084]], grad_fn=<ViewBackward0>)\ntorch.Size([2, 3, 2]) <AddBackward0 object>\ntensor([[[ 0.8673,  0.2258,  0.0114],\n         [-1.3354, -0.7676, -0.5189],\n         [-0.6665, -1.3301, -1.4434]],\n\n        [[ 1.1609, -0.2575, -0.6175],\n         [-0.8109,  0.3008,  0.5875],\n         [-0.8712, -0.5644, -0.4140]]])\nBilinear(in1_features=3, in2_features=4, out_features=2, bias=False)\nNone\n");
}

/// Inputs of different ranks or batch sizes, an input or bias that does not
/// fit the weight: compile errors in PyTorch's words.
#[test]
fn mismatched_bilinear_shapes_are_compile_errors() {
    let cases = [
        ("y = bilinear(randn(2, 3), randn(2, 3, 4), randn(2, 3, 4))\n", "bilinear(): input dimensions do not match: got 2 and 3"),
        ("y = bilinear(randn(2, 3), randn(5, 4), randn(2, 3, 4))\n", "bilinear(): input batch dimensions do not match at dim 0: got 2 and 5"),
        ("y = bilinear(randn(2, 5), randn(2, 4), randn(2, 3, 4))\n", "bilinear(): input1 size does not match weight size: got 5 but expected 3"),
        (
            "y = bilinear(randn(2, 3), randn(2, 4), randn(2, 3, 4), randn(3))\n",
            "bilinear(): bias size does not match weight size: got 3 but expected 2",
        ),
    ];
    for (program, message) in cases {
        let (code, msg, _) = first_error(program);
        assert_eq!((code, msg.as_str()), (Code::E0202, message), "{program}");
    }
}
