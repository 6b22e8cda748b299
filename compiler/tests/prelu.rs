//! `prelu` and the `PReLU` module (`lower/prelu.rs`): values, gradients (of
//! the input and of one weight or one per channel) and `grad_fn` as PyTorch
//! 2.15 prints them for the same program, and PyTorch's errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn prelu_gives_pytorchs_values_and_gradients() {
    let program = r#"
manual_seed(0)
m = PReLU()
m3 = PReLU(3, init=0.1)
print(m, m3, m.weight, m3.weight)
x = randn(2, 3, 4, requires_grad=true)
y = m3(x)
print(y, y.grad_fn.name())
(y * arange(24.0).view(2, 3, 4)).sum().backward()
print(x.grad, m3.weight.grad)
z = prelu(randn(5, requires_grad=true), tensor([0.3]))
print(z)
w = tensor([0.2], requires_grad=true)
v = prelu(randn(4, 2), w)
v.sum().backward()
print(v, w.grad)
"#;
    assert_eq!(run(program), "PReLU(num_parameters=1) PReLU(num_parameters=3) Parameter containing:\ntensor([0.2500], requires_grad=True) Parameter containing:\ntensor([0.1000, 0.1000, 0.1000], requires_grad=True)\ntensor([[[-0.1126, -0.1152, -0.0251, -0.0434],\n         [ 0.8487,  0.6920, -0.0316, -0.2115],\n         [ 0.4681, -0.0158,  1.4437,  0.2660]],\n\n        [[ 0.1665,  0.8744, -0.0143, -0.0112],\n         [ 0.9318,  1.2590,  2.0050,  0.0537],\n         [ 0.6181, -0.0413, -0.0841, -0.2316]]],\n       grad_fn=<PreluKernelBackward0>) PreluKernelBackward0\ntensor([[[ 0.0000,  0.1000,  0.2000,  0.3000],\n         [ 4.0000,  5.0000,  0.6000,  0.7000],\n         [ 8.0000,  0.9000, 10.0000, 11.0000]],\n\n        [[12.0000, 13.0000,  1.4000,  1.5000],\n         [16.0000, 17.0000, 18.0000, 19.0000],\n         [20.0000,  2.1000,  2.2000,  2.3000]]]) tensor([ -6.6379, -16.7026, -81.8606])\ntensor([0.3704, 1.4565, 0.9398, 0.7748, 0.1919],\n       grad_fn=<PreluKernelBackward0>)\ntensor([[ 1.2638, -0.2581],\n        [-0.1582, -0.0042],\n        [-0.1437,  0.5186],\n        [-0.2625,  0.1920]], grad_fn=<PreluKernelBackward0>) tensor([-4.1334])\n");
}

#[test]
fn a_weight_per_channel_must_match_the_channels() {
    let program = "y = prelu(ones(2, 3), ones(4))\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0202, "{message}");
    assert!(message.contains("Found parameter numbers = 4 and channel size = 3."), "{message}");
}
