//! `median`, `nanmedian`, `kthvalue`, `quantile` and `nanquantile`: the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them, and the calls
//! PyTorch refuses.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, indices (ties and NaN), `grad_fn`s and gradients of `median`, `nanmedian`, `quantile` and `nanquantile` (every interpolation) as PyTorch 2.15 prints them.
#[test]
fn medians_and_quantiles_are_pytorchs() {
    let program = r#"
manual_seed(0)
print(median(tensor([1., 1., 1.]), 0))
print(median(tensor([2., 1., 1., 2., 1.]), 0))
print(median(tensor([3., 1., 2., 2., 5., 2.]), 0))
x = randn(3, 5, requires_grad=true)
m = median(x)
print(m, median(x, 1))
print(x.median(0, keepdim=true))
print(nanmedian(tensor([1., nan, 3., 2.])), median(tensor([1., nan, 3.])))
print(median(tensor([[1., nan, 3., nan], [4., 0., 2., 2.]]), 1))
print(nanmedian(tensor([[1., nan, 3., nan], [nan, 2., nan, 5.]]), 1))
print(median(tensor([4, 1, 3, 2])), median(tensor([[4, 1], [3, 2]]), 0))
q = quantile(x, 0.3)
print(q, quantile(x, tensor([0.25, 0.5]), dim=1))
print(quantile(x, 0.5, dim=0, keepdim=true, interpolation='nearest'))
for mode in ['lower', 'higher', 'midpoint'] {
    print(mode, quantile(x, tensor([0.1, 0.9]), dim=0, interpolation=mode))
}
print(quantile(x, 0.7, dim=1, keepdim=true))
y = tensor([[1., nan, 3., 4.], [2., 5., 1., 0.]])
print(quantile(y, 0.4, dim=1), nanquantile(y, 0.4, dim=1), nanquantile(y, tensor([0.0, 1.0])))
(m + q + median(x, 1).values.sum() + quantile(x, tensor([0.25, 0.5]), dim=0).sum()).backward()
print(x.grad)
t = tensor([1., 2., 2., 3.], requires_grad=true)
median(t).backward()
print(t.grad)
"#;
    assert_eq!(run(program), "torch.return_types.median(\nvalues=tensor(1.),\nindices=tensor(1))\ntorch.return_types.median(\nvalues=tensor(1.),\nindices=tensor(4))\ntorch.return_types.median(\nvalues=tensor(2.),\nindices=tensor(3))\ntensor(-0.4033, grad_fn=<MedianBackward0>) torch.return_types.median(\nvalues=tensor([-0.2934, -0.4033, -0.5966], grad_fn=<MedianBackward1>),\nindices=tensor([1, 4, 0]))\ntorch.return_types.median(\nvalues=tensor([[-0.5966,  0.1820, -0.8567,  0.5684, -1.0712]],\n       grad_fn=<MedianBackward1>),\nindices=tensor([[2, 2, 2, 0, 2]]))\ntensor(2.) tensor(nan)\ntorch.return_types.median(\nvalues=tensor([nan, 2.]),\nindices=tensor([1, 2]))\ntorch.return_types.nanmedian(\nvalues=tensor([1., 2.]),\nindices=tensor([0, 1]))\ntensor(2) torch.return_types.median(\nvalues=tensor([3, 1]),\nindices=tensor([1, 0]))\ntensor(-0.8292, grad_fn=<SqueezeBackward4>) tensor([[-1.0845, -0.7193, -0.8567],\n        [-0.2934, -0.4033, -0.5966]], grad_fn=<SqueezeBackward4>)\ntensor([[-0.5966,  0.1820, -0.8567,  0.5684, -1.0712]],\n       grad_fn=<SqueezeBackward4>)\nlower tensor([[-1.3986, -0.2934, -2.1788, -0.7193, -1.0845],\n        [-0.5966,  0.1820, -0.8567,  0.5684, -1.0712]],\n       grad_fn=<SqueezeBackward4>)\nhigher tensor([[-0.5966,  0.1820, -0.8567,  0.5684, -1.0712],\n        [ 1.5410,  0.4033,  0.8380,  1.1006, -0.4033]],\n       grad_fn=<SqueezeBackward4>)\nmidpoint tensor([[-0.9976, -0.0557, -1.5177, -0.0754, -1.0779],\n        [ 0.4722,  0.2927, -0.0093,  0.8345, -0.7373]],\n       grad_fn=<SqueezeBackward4>)\ntensor([[0.3961],\n        [0.2420],\n        [0.0263]], grad_fn=<SqueezeBackward4>)\ntensor([   nan, 1.2000]) tensor([2.6000, 1.2000]) tensor([0., 5.])\ntensor([[0.0000, 1.5000, 0.5000, 1.5000, 0.5000],\n        [0.5000, 0.0000, 0.0000, 0.7000, 2.0000],\n        [2.5000, 1.5000, 2.3000, 0.0000, 1.5000]])\ntensor([0.0000, 0.5000, 0.5000, 0.0000])\n");
}

/// `q` outside [0, 1], an unknown interpolation, a 2-d `q` and an empty input
/// are PyTorch's errors.
#[test]
fn quantile_refuses_what_pytorch_refuses() {
    assert_eq!(first_error("print(quantile(randn(4), 1.5))\n").0, Code::E0270);
    assert_eq!(first_error("print(quantile(randn(4), 0.5, interpolation=\"cubic\"))\n").0, Code::E0107);
    assert_eq!(first_error("print(quantile(randn(4), ones(2, 2) / 2))\n").0, Code::E0221);
    assert_eq!(first_error("print(median(zeros(0)))\n").0, Code::E0221);
    assert_eq!(first_error("print(quantile(arange(4), 0.5))\n").0, Code::E0204);
}

/// Values, tie indices (as ATen's quickselect leaves them), NaN, 0-d and i64 inputs and the gradient of `kthvalue` as PyTorch 2.15 prints them.
#[test]
fn kthvalue_is_pytorchs() {
    let program = r#"
manual_seed(0)
t = tensor([3., 1., 2., 2., 5., 2.])
print(kthvalue(t, 1), kthvalue(t, 2), kthvalue(t, 3))
print(kthvalue(t, 4), kthvalue(t, 5), kthvalue(t, 6))
x = randint(0, 4, (4, 9)).float().requires_grad_()
print(kthvalue(x, 5))
print(kthvalue(x, 2, 0, keepdim=true))
print(x.kthvalue(3, dim=1).indices)
y = tensor([[1., nan, 0., 1., 1.], [2., 2., 2., 2., 2.]])
print(kthvalue(y, 4), kthvalue(y, 5))
print(kthvalue(tensor(7.), 1), kthvalue(tensor([5, 3, 3, 1, 3, 3, 9, 3]), 4))
kthvalue(x, 5).values.sum().backward()
print(x.grad)
"#;
    assert_eq!(run(program), "torch.return_types.kthvalue(\nvalues=tensor(1.),\nindices=tensor(1)) torch.return_types.kthvalue(\nvalues=tensor(2.),\nindices=tensor(2)) torch.return_types.kthvalue(\nvalues=tensor(2.),\nindices=tensor(5))\ntorch.return_types.kthvalue(\nvalues=tensor(2.),\nindices=tensor(3)) torch.return_types.kthvalue(\nvalues=tensor(3.),\nindices=tensor(0)) torch.return_types.kthvalue(\nvalues=tensor(5.),\nindices=tensor(4))\ntorch.return_types.kthvalue(\nvalues=tensor([3., 1., 2., 1.], grad_fn=<KthvalueBackward0>),\nindices=tensor([7, 1, 0, 1]))\ntorch.return_types.kthvalue(\nvalues=tensor([[1., 1., 1., 0., 3., 2., 0., 1., 1.]], grad_fn=<KthvalueBackward0>),\nindices=tensor([[3, 3, 0, 0, 0, 1, 3, 2, 0]]))\ntensor([8, 7, 7, 2])\ntorch.return_types.kthvalue(\nvalues=tensor([1., 2.]),\nindices=tensor([4, 1])) torch.return_types.kthvalue(\nvalues=tensor([nan, 2.]),\nindices=tensor([1, 4]))\ntorch.return_types.kthvalue(\nvalues=tensor(7.),\nindices=tensor(0)) torch.return_types.kthvalue(\nvalues=tensor(3),\nindices=tensor(7))\ntensor([[0., 0., 0., 0., 0., 0., 0., 1., 0.],\n        [0., 1., 0., 0., 0., 0., 0., 0., 0.],\n        [1., 0., 0., 0., 0., 0., 0., 0., 0.],\n        [0., 1., 0., 0., 0., 0., 0., 0., 0.]])\n");
}

/// Tie-heavy lines with NaN: every `kthvalue` index PyTorch 2.15 gives, for several `k` and both dimensions.
#[test]
fn kthvalue_ties_match_on_many_lines() {
    let program = r#"
manual_seed(3)
x = randint(0, 5, (40, 37)).float()
x[rand(40, 37) < 0.05] = nan
print(kthvalue(x, 1, 1).indices.tolist())
print(kthvalue(x, 7, 1).indices.tolist())
print(kthvalue(x, 19, 1).indices.tolist())
print(kthvalue(x, 36, 1).indices.tolist())
print(kthvalue(x, 13, 0).indices.tolist())
"#;
    assert_eq!(run(program), "[5, 18, 17, 0, 29, 17, 35, 24, 36, 6, 18, 35, 13, 5, 19, 32, 28, 35, 17, 16, 1, 19, 4, 8, 7, 23, 7, 33, 3, 29, 16, 22, 13, 33, 35, 25, 25, 21, 16, 8]\n[29, 2, 11, 22, 15, 10, 23, 30, 30, 36, 35, 30, 22, 33, 11, 15, 12, 6, 26, 28, 12, 0, 15, 10, 14, 18, 12, 21, 18, 0, 22, 19, 29, 3, 24, 5, 1, 12, 0, 25]\n[24, 29, 33, 13, 4, 29, 5, 13, 13, 4, 36, 13, 2, 20, 23, 1, 31, 36, 12, 20, 23, 14, 31, 17, 25, 19, 28, 28, 34, 4, 33, 26, 18, 2, 18, 30, 23, 34, 24, 1]\n[30, 12, 10, 30, 17, 27, 13, 18, 7, 29, 9, 12, 35, 34, 1, 25, 1, 12, 23, 21, 17, 25, 23, 25, 29, 21, 31, 11, 5, 8, 19, 30, 32, 32, 32, 31, 28, 11, 3, 31]\n[3, 1, 26, 8, 35, 39, 17, 28, 26, 23, 31, 1, 39, 26, 21, 23, 33, 29, 30, 24, 32, 23, 25, 31, 24, 32, 27, 19, 38, 22, 39, 4, 27, 3, 21, 21, 28]\n");
}

/// `k` must lie between 1 and the dimension's size.
#[test]
fn kthvalue_k_must_fit() {
    assert_eq!(first_error("print(kthvalue(randn(4), 5))\n").0, Code::E0288);
    assert_eq!(first_error("print(kthvalue(randn(4), 0))\n").0, Code::E0288);
}
