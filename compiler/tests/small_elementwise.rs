//! `sgn`, `fix`, `signbit`, `logical_xor`, `fmax`, `fmin`, `dist` and
//! `float_power`: the lines of a PyTorch program and what PyTorch 2.15
//! prints for them.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, dtypes, `grad_fn`s and gradients (ties and NaN included) as PyTorch 2.15 prints them.
#[test]
fn small_elementwise_builtins_are_pytorchs() {
    let program = r#"
x = tensor([1.5, -2.0, 0.0, nan, 3.0, -0.0, 2.0, -1.0, 4.0], requires_grad=true)
y = tensor([1.5, 1.0, nan, 2.0, inf, 0.0, 5.0, -3.0, 4.0], requires_grad=true)
print(sgn(x), fix(x), x.fix())
print(signbit(x), signbit(tensor([-3, 0, 2])), signbit(tensor([true, false])))
print(logical_xor(x > 0, y > 0), logical_xor(tensor([0, 1, 2]), tensor([[1], [0]])))
print(fmax(x, y), fmin(x, y))
print(fmax(tensor([1, 5]), tensor([3, 2])))
a = x.detach().nan_to_num().requires_grad_()
b = y.detach().nan_to_num()
print(dist(a, b), dist(a, b, 1))
print(float_power(x, 2), float_power(tensor([2, 3]), 2), float_power(2, tensor([0.5, 3.0])))
(fmax(x, y).nan_to_num(posinf=7.0).sum() + fmin(x, y * 2).nan_to_num(posinf=7.0).sum() + float_power(x, 2).nan_to_num().sum().float()).backward()
print(x.grad, y.grad)
(dist(a, b) + dist(a, b, 1)).backward()
print(a.grad)
"#;
    assert_eq!(run(program), "tensor([ 1., -1.,  0.,  0.,  1.,  0.,  1., -1.,  1.], grad_fn=<SgnBackward0>) tensor([ 1., -2.,  0., nan,  3., -0.,  2., -1.,  4.], grad_fn=<TruncBackward0>) tensor([ 1., -2.,  0., nan,  3., -0.,  2., -1.,  4.], grad_fn=<TruncBackward0>)\ntensor([False,  True, False, False, False,  True, False,  True, False]) tensor([ True, False, False]) tensor([False, False])\ntensor([False,  True, False,  True, False, False, False, False, False]) tensor([[ True, False, False],\n        [False,  True,  True]])\ntensor([ 1.5000,  1.0000,  0.0000,  2.0000,     inf, -0.0000,  5.0000, -1.0000,\n         4.0000], grad_fn=<FmaxBackward0>) tensor([ 1.5000, -2.0000,  0.0000,  2.0000,  3.0000, -0.0000,  2.0000, -3.0000,\n         4.0000], grad_fn=<FminBackward0>)\ntensor([3, 5])\ntensor(inf, grad_fn=<DistBackward0>) tensor(3.4028e+38, grad_fn=<DistBackward0>)\ntensor([ 2.2500,  4.0000,  0.0000,     nan,  9.0000,  0.0000,  4.0000,  1.0000,\n        16.0000], dtype=torch.float64, grad_fn=<PowBackward0>) tensor([4., 9.], dtype=torch.float64) tensor([1.4142, 8.0000], dtype=torch.float64)\ntensor([ 4.5000, -3.0000,  2.0000,     nan,  7.0000,  1.0000,  5.0000, -1.0000,\n         9.5000]) tensor([0.5000, 1.0000, 0.0000, 3.0000, 0.0000, 1.5000, 1.0000, 2.0000, 0.5000])\ntensor([ 0., -1.,  0., -1., -1.,  0., -1.,  1.,  0.])\n");
}

/// `dist` is a norm of order 1 or 2, as `norm` is; `float_power` needs a tensor.
#[test]
fn dist_and_float_power_refuse_what_graphc_lacks() {
    assert_eq!(first_error("print(dist(randn(3), randn(3), 3))\n").0, Code::E0243);
    assert_eq!(first_error("print(float_power(2, 3))\n").0, Code::E0107);
}
