//! `logcumsumexp(input, dim)` (`torch.logcumsumexp`, `x.logcumsumexp(dim)`):
//! the lines of a PyTorch program and what PyTorch 2.15 prints for them. The
//! running log-sum-exp along either dimension with infinities and NaN (ATen's
//! `_log_add_exp_helper` in f64, bit for bit), its gradient
//! (`logcumsumexp_backward`: the gradient's positive and negative parts through
//! the reverse scan) and that gradient's own gradient, and the Cox partial
//! likelihood that survival models (DeepSurv, pycox) write with it.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, gradients and `grad_fn`s as PyTorch computes them.
#[test]
fn logcumsumexp_is_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(3, 5, requires_grad=true)
y = logcumsumexp(x, dim=1)
print(y)
print(logcumsumexp(x, 0))
w = randn(3, 5)
(y * w).sum().backward()
print(x.grad)
d = randn(7, dtype=f64, requires_grad=true)
e = d.logcumsumexp(0)
print(e)
g, = grad(e[-2] - e[3] * 2, d)
print(g)
print(logcumsumexp(tensor([-inf, -inf, 1.0, inf, 2.0, nan, 0.0]), 0))
print(logcumsumexp(tensor([1000.0, 1000.0, -1000.0]), 0))
# Cox partial likelihood: risk scores sorted by descending time
manual_seed(1)
risk = randn(8, requires_grad=true)
events = tensor([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0])
log_risk = logcumsumexp(risk, dim=0)
loss = -sum((risk - log_risk) * events) / events.sum()
loss.backward()
print(loss, risk.grad)
z = randn(4, dtype=f64, requires_grad=true)
g1, = grad(logcumsumexp(z, 0).sum(), z, create_graph=true)
g2, = grad((g1 * arange(4.0, dtype=f64)).sum(), z)
print(g1, g2)
"#;
    assert_eq!(run(program), "tensor([[ 1.5410,  1.6892,  1.7098,  1.9870,  2.0323],\n        [-1.3986,  0.5560,  1.4001,  1.5135,  1.6507],\n        [-0.5966,  0.5598,  0.7770,  1.6450,  1.7090]],\n       grad_fn=<LogcumsumexpBackward0>)\ntensor([[ 1.5410, -0.2934, -2.1788,  0.5684, -1.0845],\n        [ 1.5925,  0.8076,  0.8858,  0.8121,  0.0061],\n        [ 1.6987,  1.2361,  1.0472,  1.6599,  0.2992]],\n       grad_fn=<LogcumsumexpBackward0>)\ntensor([[-1.5448, -0.2663, -0.0286, -0.5650, -0.0668],\n        [ 0.6851,  1.9075,  1.0152,  0.1010,  0.0246],\n        [ 0.5837, -1.4817, -0.2114, -0.4031, -0.0446]])\ntensor([0.5186, 0.6673, 1.1507, 1.5854, 1.6074, 1.8383, 1.8935],\n       dtype=torch.float64, grad_fn=<LogcumsumexpBackward0>)\ntensor([-0.4210, -0.0675, -0.3037, -0.4313,  0.0173,  0.2061,  0.0000],\n       dtype=torch.float64)\ntensor([-inf, -inf, 1., inf, inf, nan, nan])\ntensor([1000.0000, 1000.6932, 1000.6932])\ntensor(1.3300, grad_fn=<DivBackward0>) tensor([ 0.2449,  0.1651, -0.0655, -0.0511,  0.0303, -0.1597,  0.0047, -0.1686])\ntensor([1.8105, 1.2897, 0.4861, 0.4137], dtype=torch.float64,\n       grad_fn=<SubBackward0>) tensor([-0.8053,  0.0082,  0.3215,  0.4757], dtype=torch.float64)\n");
}

/// `dim` is required and integer tensors are refused, as PyTorch refuses them
/// (`"logcumsumexp_out_cpu" not implemented for 'Long'`).
#[test]
fn logcumsumexp_needs_a_dim_and_floats() {
    assert_eq!(first_error("x = ones(3)\nprint(logcumsumexp(x))\n").0, Code::E0241);
    assert_eq!(first_error("x = tensor([1, 2, 3])\nprint(logcumsumexp(x, 0))\n").0, Code::E0204);
}
