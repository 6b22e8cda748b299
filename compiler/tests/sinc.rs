//! `sinc` (`torch.sinc`, `torch.special.sinc`, `x.sinc()`): the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them. Zeros of both
//! signs (1, and a zero gradient), integers of `x` (exact zeros of `sin(pi
//! x)` are not: `sin` of the rounded product), tiny and large inputs,
//! infinity and NaN, sums of 2001 f32 values and f64 gradients at full
//! precision, integer inputs.

use crate::common::run;

/// Values and gradients as ATen's `sinc_kernel` and `sinc_backward` compute them.
#[test]
fn sinc_is_pytorchs() {
    let program = r#"
x = tensor([0.0, -0.0, 0.5, -1.5, 1.0, 2.0, 1e-3, 1e-20, 7.25, inf, nan, -3.0], requires_grad=true)
y = sinc(x)
print(y)
print(y.grad_fn.name())
y.backward(ones(12))
print(x.grad)
t = linspace(-4, 4, 2001)
print(sinc(t).sum().item(), sinc(t)[1234].item())
d = linspace(-3, 3, 601, dtype=f64, requires_grad=true)
s = d.sinc()
print(s.sum().item())
s.sum().backward()
print(d.grad[17].item(), d.grad[300].item())
print(special.sinc(tensor([0.25, 3])))
print(sinc(tensor([0, 1, 2])))
"#;
    assert_eq!(run(program), "tensor([ 1.0000e+00,  1.0000e+00,  6.3662e-01, -2.1221e-01, -2.7828e-08,\n         2.7828e-08,  1.0000e+00,  1.0000e+00, -3.1045e-02,         nan,\n                nan, -2.5305e-09], grad_fn=<SincBackward0>)\nSincBackward0\ntensor([ 0.0000,  0.0000, -1.2732, -0.1415, -1.0000,  0.5000, -0.0033,  0.0000,\n        -0.0932,     nan,     nan,  0.3333])\n237.48507690429688 0.06791646033525467\n106.61809195957744\n0.3243807328761123 0.0\ntensor([ 9.0032e-01, -2.5305e-09])\ntensor([ 1.0000e+00, -2.7828e-08,  2.7828e-08])\n");
}
