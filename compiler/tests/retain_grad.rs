//! `t.retain_grad()` (`Tensor.retain_grad`): the lines of a PyTorch program
//! and what PyTorch 2.15 prints for them. The `.grad` of a computed tensor,
//! `None` before a backward, stored by the first and added to by later ones;
//! a leaf beyond it still gets its full gradient; one kept inside a loop body
//! for that iteration's backward; and `grad(out, [y, x])` with `y` computed
//! from `x`, where the gradient goes on past `y` to `x`.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `.grad`s of kept tensors and of leaves, as PyTorch computes them.
#[test]
fn retained_gradients_are_pytorchs() {
    let program = r#"
x = ones(2, 2, requires_grad=true)
y = x + 2
y.retain_grad()
z = y * y * 3
out = z.mean()
print(y.grad)
out.backward(retain_graph=true)
print(y.grad)
print(x.grad)
out.backward()
print(y.grad)
print(x.grad)
x.retain_grad()
print(y.is_leaf, y.requires_grad, y.grad_fn.name())
a = tensor([1.0, 2.0, 3.0], requires_grad=true)
b = a.exp()
b.retain_grad()
c = (b * a).sum()
c.backward(retain_graph=true)
print(b.grad, a.grad)
b2 = b * 2
b2.retain_grad()
(b2 ** 2).sum().backward()
print(b2.grad, b.grad, a.grad)
manual_seed(0)
w = randn(3, 2, requires_grad=true)
for i in range(3) {
    h = a @ w * (i + 1)
    h.retain_grad()
    (h ** 2).sum().backward()
    print(i, h.grad, w.grad.sum().item())
}
gy, gx = grad((y * y).sum() + y.sum() * x.sum(), [y, x])
print(gy, gx)
"#;
    assert_eq!(run(program), "None\ntensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])\ntensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])\ntensor([[9., 9.],\n        [9., 9.]])\ntensor([[9., 9.],\n        [9., 9.]])\nFalse True AddBackward0\ntensor([1., 2., 3.]) tensor([ 5.4366, 22.1672, 80.3421])\ntensor([10.8731, 29.5562, 80.3421]) tensor([ 22.7463,  61.1124, 163.6843]) tensor([  64.5490,  458.9524, 3307.7725])\n0 tensor([-12.1403,  -6.7047]) -113.07003021240234\n1 tensor([-24.2806, -13.4094]) -565.3501586914062\n2 tensor([-36.4209, -20.1141]) -1582.98046875\ntensor([[10., 10.],\n        [10., 10.]]) tensor([[22., 22.],\n        [22., 22.]])\n");
}

/// PyTorch's error for a tensor that does not require grad; no arguments.
#[test]
fn retain_grad_checks_its_receiver() {
    assert_eq!(first_error("x = ones(3)\nx.retain_grad()\n").0, Code::E0402);
    assert_eq!(first_error("x = ones(3, requires_grad=true)\ny = x * 2\ny.retain_grad(true)\n").0, Code::E0103);
    // Without `retain_grad()`, a computed tensor has no `.grad` to read.
    assert_eq!(first_error("x = ones(3, requires_grad=true)\ny = x * 2\ny.sum().backward()\nprint(y.grad)\n").0, Code::E0401);
}
