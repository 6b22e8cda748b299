//! `rms_norm` (`F.rms_norm`) and the module `RMSNorm` (`nn.RMSNorm`): the
//! lines of a PyTorch program and what PyTorch 2.15 prints for them, and the
//! shape errors PyTorch raises.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `F.rms_norm` and `nn.RMSNorm`: values, reprs, parameters and gradients as PyTorch 2.15 prints them (bit for bit, measured with `--save`).
#[test]
fn rms_norm_is_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, 8, requires_grad=true)
w = randn(8, requires_grad=true)
y = rms_norm(x, (8,), w)
print(y[0])
print(rms_norm(x, [3, 8], eps=1e-6)[1])
m = RMSNorm(8)
print(m)
print(m(x)[1, 2])
m2 = RMSNorm([3, 8], eps=1e-5, elementwise_affine=false)
print(m2, list(m2.parameters()))
(y.sum() + m(x).pow(2).sum()).backward()
print(x.grad[0])
print(w.grad, m.weight.grad)
print(rms_norm(x.double(), (8,))[0, 0])
"#;
    assert_eq!(run(program), "tensor([[-0.2081, -1.4030,  0.3115,  0.3307, -0.0171, -0.4790, -0.1579,  2.6746],\n        [ 0.0801, -2.0673, -0.5848, -0.3156, -0.0032, -1.1514,  0.7500,  0.4202],\n        [-0.2121, -1.7512, -0.5974, -0.5129, -0.0102,  0.9129, -0.1447, -1.9872]],\n       grad_fn=<SelectBackward0>)\ntensor([[ 0.8325, -0.6497, -0.1924,  0.2036,  1.5417,  1.7603,  1.0501, -0.9362],\n        [-0.6809,  0.0351, -0.5467,  0.2757,  0.4879,  0.1247,  0.7111,  0.4895],\n        [-0.1135,  0.8794, -0.3214,  0.0583,  0.5802,  2.5547, -1.6300, -1.7607]],\n       grad_fn=<SelectBackward0>)\nRMSNorm((8,), eps=None, elementwise_affine=True)\ntensor([-0.0874,  0.6766, -0.2473,  0.0448,  0.4464,  1.9657, -1.2542, -1.3547],\n       grad_fn=<SelectBackward0>)\nRMSNorm((3, 8), eps=1e-05, elementwise_affine=False) []\ntensor([[ 0.3222,  1.3581, -1.2126, -0.7092, -0.1237, -0.7766,  0.5382, -1.0064],\n        [ 0.4424,  0.8760, -1.4602, -0.8389,  0.0451, -0.1854,  1.3437, -1.8483],\n        [-0.3289,  0.4237, -0.8509, -0.3615,  0.1980, -1.1454,  0.3012, -0.4071]])\ntensor([-2.4795, -4.0067, -0.8980,  1.4450,  4.4091,  4.9175,  2.1017, -2.0780]) tensor([10.4756, 13.3638,  3.7478,  2.2505,  8.7318, 22.8497, 14.1087, 20.4721])\ntensor([-1.0846, -1.1102, -0.2414, -0.4180,  0.8176,  0.6667, -0.3044, -2.0378],\n       dtype=torch.float64, grad_fn=<SelectBackward0>)\n");
}

/// The normalized shape must end the input's shape, and a weight must have it.
#[test]
fn rms_norm_checks_shapes_as_layer_norm() {
    assert_eq!(first_error("print(rms_norm(randn(2, 4), (3,)))\n").0, Code::E0202);
    assert_eq!(first_error("print(rms_norm(randn(2, 4), (4,), ones(3)))\n").0, Code::E0202);
}
