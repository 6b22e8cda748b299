//! `cummax(input, dim)` and `cummin(input, dim)` (`torch.cummax`,
//! `torch.cummin`): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them. Ties (the last equal element wins) and NaN (the last NaN
//! wins, and no number replaces one), the gradient scattered to the indices,
//! integer, bool and 0-d inputs, method forms, and a running-peak drawdown
//! as a trading loss computes it.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn cummax_and_cummin_are_pytorchs() {
    let program = r#"

manual_seed(0)
x = tensor([1.0, 3.0, 3.0, 2.0, nan, 5.0, nan, 0.0])
print(cummax(x, 0))
print(cummin(x, dim=0))
a = randint(0, 4, (3, 6)).float().requires_grad_()
m = a.cummax(1)
print(m.values, m.indices)
v, i = cummin(a, 0)
print(v.grad_fn.name(), m.values.grad_fn.name(), i.dtype)
(m.values * arange(6.0) + v * 2).sum().backward()
print(a.grad)
print(cummax(tensor([3, 1, 4, 1, 5]), -1))
print(cummax(tensor(2.5), 0))
prices = (randn(2, 30, dtype=float64).cumsum(1) * 0.02).exp() * 100
prices.requires_grad_()
peak = prices.cummax(dim=1).values
drawdown = (peak - prices) / peak
print(drawdown.max(1).values)
drawdown.max().backward()
print(prices.grad.abs().sum().item(), (prices.grad != 0).sum().item())
b = tensor([[false, true, false], [false, false, true]])
print(cummax(b, 1).indices, cummin(b, 1))
"#;
    assert_eq!(run(program), "torch.return_types.cummax(\nvalues=tensor([1., 3., 3., 3., nan, nan, nan, nan]),\nindices=tensor([0, 1, 2, 2, 4, 4, 6, 6]))\ntorch.return_types.cummin(\nvalues=tensor([1., 1., 1., 1., nan, nan, nan, nan]),\nindices=tensor([0, 0, 0, 0, 4, 4, 6, 6]))\ntensor([[0., 3., 3., 3., 3., 3.],\n        [3., 3., 3., 3., 3., 3.],\n        [0., 3., 3., 3., 3., 3.]], grad_fn=<CummaxBackward0>) tensor([[0, 1, 1, 1, 4, 5],\n        [0, 1, 1, 3, 3, 3],\n        [0, 1, 1, 1, 1, 1]])\nCumminBackward0 CummaxBackward0 torch.int64\ntensor([[ 4.,  8.,  2.,  4.,  6.,  7.],\n        [ 0.,  5.,  4., 12.,  2.,  2.],\n        [ 2., 17.,  0.,  2.,  2.,  2.]])\ntorch.return_types.cummax(\nvalues=tensor([3, 3, 4, 4, 5]),\nindices=tensor([0, 0, 2, 2, 4]))\ntorch.return_types.cummax(\nvalues=tensor(2.5000),\nindices=tensor(0))\ntensor([0.0891, 0.0986], dtype=torch.float64, grad_fn=<MaxBackward0>)\n0.017568151266742743 2\ntensor([[0, 1, 1],\n        [0, 1, 2]]) torch.return_types.cummin(\nvalues=tensor([[False, False, False],\n        [False, False, False]]),\nindices=tensor([[0, 0, 2],\n        [0, 1, 1]]))\n");
}

/// `dim` is required and must name a dimension; the input is a tensor.
#[test]
fn cummax_checks_its_arguments() {
    assert_eq!(first_error("y = cummax(ones(2, 3), 2)\n").0, Code::E0202);
    assert_eq!(first_error("y = cummax(ones(2, 3))\n").0, Code::E0103);
    assert_eq!(first_error("y = cummin([1, 2], 0)\n").0, Code::E0107);
}
