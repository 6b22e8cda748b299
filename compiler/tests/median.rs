//! `median`, `nanmedian`, `quantile` and `nanquantile`: the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them, and the calls
//! PyTorch refuses.

mod common;

use common::{first_error, run};
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
