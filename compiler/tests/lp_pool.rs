//! `lp_pool1d`/`lp_pool2d` and their modules: the lines of a PyTorch program
//! and what PyTorch 2.15 prints for them.

use crate::common::run;

/// `lp_pool1d`/`lp_pool2d` and `LPPool1d`/`LPPool2d` (strides, `ceil_mode`, a fractional norm whose NaNs of negative inputs PyTorch gives too, the modules' reprs with `stride=None`): values, `grad_fn`s and gradients as PyTorch 2.15 prints them (-0.0 gradients included).
#[test]
fn lp_pool_is_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, 6, 7, requires_grad=true)
y = lp_pool2d(x, 2, 3)
print(y.shape, y.grad_fn.name())
print(y[0, 0])
y.sum().backward()
print(x.grad[0, 0, :2])
z = lp_pool2d(x.abs(), 3.0, (2, 3), stride=(1, 2), ceil_mode=true)
print(z.shape, z[1, 1])
s = randn(2, 4, 9, requires_grad=true)
w = lp_pool1d(s, 1.5, 3)
print(w[1])
w.sum().backward()
print(s.grad[0, :2])
m = LPPool2d(2, 2)
print(m)
print(m(x)[1, 2])
m1 = LPPool1d(norm_type=4, kernel_size=2, stride=1)
print(m1, m1(s)[0, 0])
"#;
    assert_eq!(run(program), "torch.Size([2, 3, 2, 2]) PowBackward0\ntensor([[3.4598, 2.3337],\n        [3.4027, 1.6250]], grad_fn=<SelectBackward0>)\ntensor([[-0.3254, -0.3331, -0.0724, -0.1859,  0.3637,  0.2965, -0.0000],\n        [-0.6114,  0.0931, -0.3651,  0.1500,  0.1320,  0.0514,  0.0000]])\ntorch.Size([2, 3, 5, 3]) tensor([[1.4112, 1.5845, 1.3769],\n        [2.0325, 2.0575, 1.6880],\n        [2.1548, 1.8991, 1.5577],\n        [1.7187, 1.4625, 1.1803],\n        [1.4353, 1.4788, 1.4635]], grad_fn=<SelectBackward0>)\ntensor([[   nan,    nan,    nan],\n        [   nan, 1.4524,    nan],\n        [1.4205,    nan,    nan],\n        [   nan,    nan,    nan]], grad_fn=<SelectBackward0>)\ntensor([[nan, nan, nan, nan, nan, nan, nan, nan, nan],\n        [nan, nan, nan, nan, nan, nan, nan, nan, nan]])\nLPPool2d(norm_type=2, kernel_size=2, stride=None, ceil_mode=False)\ntensor([[1.9301, 1.7169, 1.7377],\n        [2.0918, 0.8604, 1.2017],\n        [1.3039, 0.9940, 1.6362]], grad_fn=<SelectBackward0>)\nLPPool1d(norm_type=4, kernel_size=2, stride=1, ceil_mode=False) tensor([2.0422, 0.8231, 0.7662, 0.4940, 0.7094, 0.7765, 0.5866, 0.8320],\n       grad_fn=<SelectBackward0>)\n");
}
