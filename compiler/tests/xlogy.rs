//! `xlogy(input, other)` (`torch.xlogy`): the lines of a PyTorch program and
//! what PyTorch 2.15 prints for them. A KL divergence written with it (where
//! `0 * log(0)` must be 0), NaN and negative `other`, both gradients with
//! derivatives.yaml's zeros where `input == 0` and `other <= 0`, broadcasting
//! (the gradients summed back), a number on either side (`XlogyBackward1`,
//! `XlogyBackward2`), integer operands in f32, and the values' bits.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, gradients and `grad_fn`s as PyTorch computes them.
#[test]
fn xlogy_is_pytorchs() {
    let program = r#"
p = tensor([0.0, 0.25, 0.5, 0.25], requires_grad=true)
q = tensor([0.1, 0.0, 0.6, 0.3], requires_grad=true)
kl = xlogy(p, p) - xlogy(p, q)
print(kl)
kl.sum().backward()
print(p.grad)
print(q.grad)
x = tensor([0.0, 1.0, 2.0, 0.0, 3.0], requires_grad=true)
y = tensor([0.0, nan, -1.0, -2.0, 0.5], requires_grad=true)
z = xlogy(x, y)
print(z)
z.backward(tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
print(x.grad)
print(y.grad)
a = tensor([[1.0], [0.0]], requires_grad=true)
b = tensor([2.0, 0.5, 0.0], requires_grad=true)
c = a.xlogy(b)
print(c)
c.sum().backward()
print(a.grad, b.grad)
w = tensor([0.0, 1.5, 2.5], requires_grad=true)
s1 = xlogy(w, 3.0)
s2 = xlogy(w, 0.0)
s3 = xlogy(2.0, w)
print(s1, s2, s3)
(s1.sum() + s2[1:].sum() + s3[1:].sum()).backward()
print(w.grad)
print(xlogy(tensor([0, 2, 3]), tensor([5, 0, 7])))
print(xlogy(tensor([1.0, 2.0], dtype=f64), 3))
print(kl.tolist(), p.grad.tolist())
"#;
    assert_eq!(run(program), "tensor([ 0.0000,     inf, -0.0912, -0.0456], grad_fn=<SubBackward0>)\ntensor([   nan,    inf, 0.8177, 0.8177])\ntensor([-0.0000,    -inf, -0.8333, -0.8333])\ntensor([ 0.0000,     nan,     nan,  0.0000, -2.0794], grad_fn=<XlogyBackward0>)\ntensor([ 0.0000,     nan,     nan,  0.0000, -3.4657])\ntensor([nan, nan, -6., -0., 30.])\ntensor([[ 0.6931, -0.6931,    -inf],\n        [ 0.0000,  0.0000,  0.0000]], grad_fn=<XlogyBackward0>)\ntensor([[-inf],\n        [0.]]) tensor([0.5000, 2.0000,    nan])\ntensor([0.0000, 1.6479, 2.7465], grad_fn=<XlogyBackward2>) tensor([0., -inf, -inf], grad_fn=<XlogyBackward2>) tensor([  -inf, 0.8109, 1.8326], grad_fn=<XlogyBackward1>)\ntensor([nan, -inf, -inf])\ntensor([0.0000,   -inf, 5.8377])\ntensor([1.0986, 2.1972], dtype=torch.float64)\n[0.0, inf, -0.09116080403327942, -0.045580387115478516] [nan, inf, 0.8176783919334412, 0.8176784515380859]\n");
}

/// Two numbers are refused (PyTorch has no such overload), and so are shapes
/// that do not broadcast.
#[test]
fn xlogy_checks_its_arguments() {
    assert_eq!(first_error("y = xlogy(2.0, 3.0)\n").0, Code::E0107);
    assert_eq!(first_error("y = xlogy(ones(2), ones(3))\n").0, Code::E0202);
    assert_eq!(first_error("y = xlogy(ones(2), \"a\")\n").0, Code::E0107);
}
