//! `logaddexp(input, other)` (`torch.logaddexp`, the runtime's `logaddexp`
//! row): the lines of a PyTorch program and what PyTorch 2.15 prints for
//! them. The forward sums times 1000 printed in full compare every bit of the
//! values; the gradients, `grad / (1 + exp(other - self))`, print at four
//! digits, since PyTorch's `exp` is MKL's (docs/NUMERICS.md). Broadcasting,
//! the infinities and NaN, f64, a method call and a loop accumulating in log
//! space, as a forward algorithm does.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn logaddexp_is_pytorchs() {
    let program = r#"
manual_seed(0)
a = randn(4, 32, requires_grad=true)
b = randn(4, 32, requires_grad=true)
c = logaddexp(a * 3, b)
print(c.grad_fn.name(), c[:, :5])
(c * randn(4, 32)).sum().backward()
print((c.double() * 1000).sum().item(), a.grad[:2, :6], b.grad[:2, :6])
r = randn(16, requires_grad=true)
s = logaddexp(r.unsqueeze(1), zeros(16))
s.sum().backward()
print(s.shape, (s.double() * 1000).sum().item(), r.grad[:4])
x = tensor([inf, -inf, inf, -inf, 0.0, 1.0, nan, 3.0])
y = tensor([inf, -inf, -inf, 2.0, 0.0, -100.0, 1.0, 3.0])
print(logaddexp(x, y), x.logaddexp(y))
d = randn(3, 16, dtype=float64, requires_grad=true)
e = logaddexp(d, d.flip(1) * 2)
e.sum().backward()
print((e * 1000).sum().item(), d.grad.shape)
lp = zeros(5)
obs = randn(6, 5)
for t in range(6) {
    lp = logaddexp(lp, obs[t])
}
print(lp)
"#;
    assert_eq!(run(program), "LogaddexpBackward0 tensor([[-0.8040, -0.3721, -0.0848,  0.7093,  2.6809],\n        [ 1.0257,  0.3857,  0.4575,  1.1003,  1.8647],\n        [-0.2841,  2.8624,  3.3847,  3.9001,  0.1815],\n        [ 4.9427,  1.5748,  1.3919,  1.8276, -0.1443]],\n       grad_fn=<SliceBackward0>)\n193943.53011250496 tensor([[-0.0090, -0.1100, -0.7630, -0.1452,  1.5340, -2.8899],\n        [ 0.0954,  1.7758, -0.0800, -1.5391, -0.1402, -2.0511]]) tensor([[-0.0364, -0.7648, -0.2412, -0.3131,  0.0738, -0.1927],\n        [ 0.5270,  0.1998, -0.1580, -0.2187, -0.0339, -0.2964]])\ntorch.Size([16, 16]) 299178.8594722748 tensor([ 9.1684, 11.0304, 12.4760, 11.4910])\ntensor([   inf,   -inf,    inf, 2.0000, 0.6931, 1.0000,    nan, 3.6931]) tensor([   inf,   -inf,    inf, 2.0000, 0.6931, 1.0000,    nan, 3.6931])\n75925.9160611726 torch.Size([3, 16])\ntensor([1.8492, 3.5112, 2.4660, 1.6832, 2.5894])\n");
}

/// PyTorch has no integer kernel for it (E0204), and the operands broadcast.
#[test]
fn logaddexp_needs_floats_that_broadcast() {
    assert_eq!(first_error("y = logaddexp(ones(2, dtype=int64), ones(2, dtype=int64))\n").0, Code::E0204);
    assert_eq!(first_error("y = logaddexp(ones(2), ones(3))\n").0, Code::E0202);
}
