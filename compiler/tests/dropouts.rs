//! `dropout1d`, `dropout3d`, `alpha_dropout` and `feature_alpha_dropout`
//! (`lower/dropout.rs`) and their modules: the lines of a PyTorch program and
//! what PyTorch 2.15 prints for them, and PyTorch's refusal of a `dropout1d`
//! input of another rank.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// dropout1d and dropout3d of batched and unbatched inputs, alpha_dropout and feature_alpha_dropout (training by default false, as F's), their modules in training and eval mode, and a gradient through them: masks drawn as PyTorch's default bernoulli kernel draws them, values and gradients as PyTorch 2.15 prints them, the alpha formula's sums times 1000 in full.
#[test]
fn other_dropouts_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 4, 5, requires_grad=true)
print(dropout1d(x, 0.5), dropout1d(x[0], 0.3))
v = randn(2, 3, 2, 2, 2)
print(dropout3d(v, 0.5)[:, :, 0, 0, 0], dropout3d(v[0], 0.25)[:, 1, 1, 1])
print(alpha_dropout(x, 0.2), alpha_dropout(x, 0.2, true), feature_alpha_dropout(x, 0.5, training=true))
print(alpha_dropout(x, 0.2, training=false) is x, dropout1d(x[0], 0.5, training=false))
m = Sequential(Dropout1d(0.5), AlphaDropout(0.1), FeatureAlphaDropout(), Dropout3d(p=0.2))
print(m)
y = m[0](x)
(m[1](y) * 2).sum().backward()
print(x.grad)
m.eval()
print(m(x.detach()).sum())
a = randn(1000, dtype=float64)
print((alpha_dropout(a, 0.3, true) * 1000).sum().item(), (feature_alpha_dropout(a.view(10, 100), 0.6, true) * 1000).sum().item())
print(dropout3d(randn(2, 3), 0.5))
"#;
    assert_eq!(run(program), "tensor([[[-0.0000, -0.0000, -0.0000, -0.0000,  0.0000],\n         [ 1.3840, -0.6320, -4.2304,  0.6445, -2.5267],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [-0.0000, -0.0000, -0.0000,  0.0000,  0.0000]],\n\n        [[ 1.1977, -3.1102, -0.6827,  3.7060, -0.4317],\n         [-1.4851,  1.1254,  0.5193, -0.3479, -1.3575],\n         [ 1.8765,  0.9777,  2.4064,  0.1691, -2.4003],\n         [-0.0000, -0.0000, -0.0000, -0.0000,  0.0000]]],\n       grad_fn=<MulBackward0>) tensor([[-1.6083, -1.6462, -0.3580, -0.6198,  1.2124],\n        [ 0.9886, -0.4514, -3.0217,  0.4604, -1.8048],\n        [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [-0.3533, -1.9324, -2.4228,  0.8095,  1.1336]],\n       grad_fn=<SqueezeBackward1>)\ntensor([[-0.0000, -0.4920,  3.2917],\n        [ 0.0000, -0.4377, -0.0000]]) tensor([0.0000, 0.0000, 0.3733])\ntensor([[[-1.1258, -1.1524, -0.2506, -0.4339,  0.8487],\n         [ 0.6920, -0.3160, -2.1152,  0.3223, -1.2633],\n         [ 0.3500,  0.3081,  0.1198,  1.2377,  1.1168],\n         [-0.2473, -1.3527, -1.6959,  0.5667,  0.7935]],\n\n        [[ 0.5988, -1.5551, -0.3414,  1.8530, -0.2159],\n         [-0.7425,  0.5627,  0.2596, -0.1740, -0.6787],\n         [ 0.9383,  0.4889,  1.2032,  0.0845, -1.2001],\n         [-0.0048, -0.5181, -0.3067, -1.5810,  1.7066]]], requires_grad=True) tensor([[[-0.6805, -0.7038,  0.0888, -0.0723,  1.0550],\n         [ 0.9172,  0.0313, -1.5500,  0.5923, -0.8013],\n         [ 0.6166,  0.5799,  0.4144,  1.3968,  1.2906],\n         [ 0.0917, -0.8798, -1.1815, -1.2362, -1.2362]],\n\n        [[ 0.8354, -1.0577,  0.0090,  1.9377,  0.1193],\n         [-0.3436,  0.8036,  0.5372, -1.2362, -0.2875],\n         [ 1.1337,  0.7387, -1.2362,  0.3833, -1.2362],\n         [-1.2362, -0.1463,  0.0395, -1.0805,  1.8090]]],\n       grad_fn=<AddBackward0>) tensor([[[-0.2188, -0.2423,  0.5571,  0.3946,  1.5315],\n         [-0.7792, -0.7792, -0.7792, -0.7792, -0.7792],\n         [ 1.0894,  1.0523,  0.8854,  1.8763,  1.7691],\n         [ 0.5600, -0.4198, -0.7241,  1.2815,  1.4826]],\n\n        [[ 1.3100, -0.5992,  0.4766,  2.4217,  0.5879],\n         [-0.7792, -0.7792, -0.7792, -0.7792, -0.7792],\n         [ 1.6109,  1.2125,  1.8457,  0.8541, -0.2846],\n         [ 0.7750,  0.3200,  0.5073, -0.6222,  2.2920]]],\n       grad_fn=<AddBackward0>)\nTrue tensor([[-1.1258, -1.1524, -0.2506, -0.4339,  0.8487],\n        [ 0.6920, -0.3160, -2.1152,  0.3223, -1.2633],\n        [ 0.3500,  0.3081,  0.1198,  1.2377,  1.1168],\n        [-0.2473, -1.3527, -1.6959,  0.5667,  0.7935]],\n       grad_fn=<SqueezeBackward1>)\nSequential(\n  (0): Dropout1d(p=0.5, inplace=False)\n  (1): AlphaDropout(p=0.1, inplace=False)\n  (2): FeatureAlphaDropout(p=0.5, inplace=False)\n  (3): Dropout3d(p=0.2, inplace=False)\n)\ntensor([[[0.0000, 0.0000, 0.0000, 0.0000, 0.0000],\n         [3.6851, 3.6851, 3.6851, 3.6851, 3.6851],\n         [0.0000, 0.0000, 0.0000, 0.0000, 0.0000],\n         [3.6851, 3.6851, 3.6851, 3.6851, 3.6851]],\n\n        [[0.0000, 0.0000, 0.0000, 0.0000, 0.0000],\n         [3.6851, 3.6851, 3.6851, 3.6851, 0.0000],\n         [0.0000, 0.0000, 0.0000, 0.0000, 0.0000],\n         [3.6851, 3.6851, 0.0000, 3.6851, 3.6851]]])\ntensor(-3.2201)\n2365.7902249737326 -14101.067957265279\ntensor([[0., 0., -0.],\n        [-0., 0., 0.]])\n");
}

/// `dropout1d` of a 4-D input is PyTorch's error, with its message.
#[test]
fn dropout1d_of_another_rank_is_an_error() {
    let (code, msg, _) = first_error("print(dropout1d(randn(1, 2, 3, 4)))\n");
    assert_eq!(code, Code::E0202);
    assert!(msg.starts_with("dropout1d: Expected 2D or 3D input, but received a 4D input."), "{msg}");
}
