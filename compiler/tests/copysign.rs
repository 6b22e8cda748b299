//! `copysign` (`torch.copysign`, `x.copysign(other)`): the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them. Signs from
//! negative and positive zeros, infinities and NaN, a number `other`
//! (`CopysignBackward1`), integer inputs, broadcasting with both gradients
//! (zeros for `other`), and the zero gradient where the input is zero.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, `grad_fn`s and gradients as PyTorch computes them.
#[test]
fn copysign_is_pytorchs() {
    let program = r#"
a = tensor([1.5, -2.0, 0.0, -0.0, 3.0, inf, nan, 4.0], requires_grad=true)
b = tensor([-1.0, 2.0, -3.0, 1.0, -0.0, -1.0, -1.0, nan])
c = copysign(a, b)
print(c)
print(c.grad_fn.name())
c.backward(arange(8.))
print(a.grad)
print(copysign(tensor([1, -2, 3]), -1))
print(copysign(tensor([1.0, -2.0]), 0.0).grad_fn)
d = tensor([1.0, -2.0], dtype=f64, requires_grad=true)
e = d.copysign(-0.0)
print(e, e.grad_fn.name())
e.sum().backward()
print(d.grad)
manual_seed(0)
m = randn(3, 1, requires_grad=true)
s = randn(1, 4, requires_grad=true)
o = copysign(m, s)
print(o)
o.sum().backward()
print(m.grad, s.grad)
print(copysign(ones(3), tensor([-1, 0, 2])))
"#;
    assert_eq!(run(program), "tensor([-1.5000,  2.0000, -0.0000,  0.0000, -3.0000,    -inf,     nan,  4.0000],\n       grad_fn=<CopysignBackward0>)\nCopysignBackward0\ntensor([-0., -1.,  0.,  0., -4., nan, nan,  7.])\ntensor([-1., -2., -3.])\nNone\ntensor([-1., -2.], dtype=torch.float64, grad_fn=<CopysignBackward1>) CopysignBackward1\ntensor([-1.,  1.], dtype=torch.float64)\ntensor([[ 1.5410, -1.5410, -1.5410,  1.5410],\n        [ 0.2934, -0.2934, -0.2934,  0.2934],\n        [ 2.1788, -2.1788, -2.1788,  2.1788]], grad_fn=<CopysignBackward0>)\ntensor([[0.],\n        [0.],\n        [0.]]) tensor([[0., 0., 0., 0.]])\ntensor([-1.,  1.,  1.])\n");
}

/// `other` is a tensor or a number, and the shapes broadcast.
#[test]
fn copysign_checks_its_arguments() {
    assert_eq!(first_error("y = copysign(ones(2), \"a\")\n").0, Code::E0107);
    assert_eq!(first_error("y = copysign(ones(2), ones(3))\n").0, Code::E0202);
}
