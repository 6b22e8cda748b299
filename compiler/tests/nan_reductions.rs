//! `nansum`, `nanmean` and `count_nonzero` (`torch.nansum`, ...): the lines of
//! a PyTorch program and what PyTorch 2.15 prints for them. NaNs in a matrix
//! summed and averaged over every dimension and over each, with `keepdim`;
//! the gradients (zero at the NaNs, `NansumBackward0`, `DivBackward0`);
//! integer input; rows of NaNs alone (sum 0, mean NaN); `count_nonzero` of
//! integers and floats (NaN is nonzero), over all and one dimension; and the
//! bits of long f64 and f32 sums with NaNs, which follow `sum`'s cascade.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The reductions as PyTorch computes them.
#[test]
fn nan_reductions_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(4, 5)
x[1, 2] = nan
x[3, 0] = nan
x[3, 4] = nan
x.requires_grad_()
s = nansum(x)
print(s)
print(nansum(x, 1), x.nansum(dim=0, keepdim=true))
m = nanmean(x, dim=1)
print(m, nanmean(x))
(s + m.sum() * 3).backward()
print(x.grad)
print(nansum(tensor([1, 2, 3])), nansum(tensor([[nan, nan]]), 1))
print(nanmean(tensor([nan, nan])))
print(count_nonzero(tensor([[0, 1, 7], [0, 0, -1]])), count_nonzero(tensor([[0.0, 1.5], [nan, 0.0]]), dim=0))
print(tensor([[0, 1, 7], [0, 0, -1]]).count_nonzero(1))
v = randn(1000, dtype=f64)
v[::7] = nan
print(nansum(v).item(), nanmean(v).item(), nansum(v.float()).item())
"#;
    assert_eq!(run(program), "tensor(5.8776, grad_fn=<NansumBackward0>)\ntensor([-2.3638, -1.5861,  5.6317,  4.1958], grad_fn=<NansumBackward0>) tensor([[-1.2373, -0.2958,  2.3978,  3.6255,  1.3874]],\n       grad_fn=<NansumBackward0>)\ntensor([-0.4728, -0.3965,  1.1263,  1.3986], grad_fn=<DivBackward0>) tensor(0.3457, grad_fn=<DivBackward0>)\ntensor([[1.6000, 1.6000, 1.6000, 1.6000, 1.6000],\n        [1.7500, 1.7500, 0.0000, 1.7500, 1.7500],\n        [1.6000, 1.6000, 1.6000, 1.6000, 1.6000],\n        [0.0000, 2.0000, 2.0000, 2.0000, 0.0000]])\ntensor(6) tensor([0.])\ntensor(nan)\ntensor(3) tensor([1, 1])\ntensor([2, 1])\n4.327966848281015 0.0050501363457188045 4.327966690063477\n");
}

/// `nanmean` takes floats only, as PyTorch's; `dim` must name a dimension.
#[test]
fn nan_reductions_check_their_arguments() {
    assert_eq!(first_error("y = nanmean(tensor([1, 2]))\n").0, Code::E0204);
    assert_eq!(first_error("y = nansum(ones(2, 3), 2)\n").0, Code::E0202);
    assert_eq!(first_error("y = count_nonzero(ones(2), dim=1)\n").0, Code::E0202);
}
