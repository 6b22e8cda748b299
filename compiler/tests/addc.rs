//! `addcmul`, `addcdiv` (and their in-place forms) and `add`/`sub` with
//! `alpha` (also `add_`/`sub_`): the lines of a PyTorch program and what
//! PyTorch 2.15 prints for them. Sums times 1000 printed in full compare
//! every bit: addcmul's fused multiply-add, addcdiv's three roundings and
//! `add`'s `fma(other, alpha, self)` (rounded twice, about one element in
//! eleven differs), broadcast operands and their gradients summed back,
//! integers, a run-time `value`, and an Adam-like loop of in-place updates.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn addcmul_addcdiv_and_alpha_are_pytorchs() {
    let program = r#"

manual_seed(0)
a = randn(3, 4, requires_grad=true)
t1 = randn(4, requires_grad=true)
t2 = randn(3, 1, requires_grad=true)
r = addcmul(a, t1, t2, value=-0.3) + a.addcdiv(t1, t2 + 3, value=2)
print(addcmul(a, t1, t2).grad_fn.name(), addcdiv(a, t1, t2).grad_fn.name())
(r * randn(3, 4)).sum().backward()
print((r.double() * 1000).sum().item())
print(a.grad, t1.grad, t2.grad)
k = tensor([1, 2, 3])
print(addcmul(k, k, k, value=2), add(k, k, alpha=3), sub(k, k, alpha=2))
s = randn(1000)
g = randn(1000)
print((add(s, g, alpha=0.1).double() * 1000).sum().item(), (sub(s, g, alpha=0.3).double() * 1000).sum().item())
print((addcmul(s, g, s, value=0.37).double() * 1000).sum().item(), (addcdiv(s, g, s.abs() + 1, value=0.37).double() * 1000).sum().item())
m = zeros(1000)
v = zeros(1000)
for step in range(1, 4) {
    m.mul_(0.9).add_(g * step, alpha=1 - 0.9)
    v.mul_(0.999).addcmul_(g, g * step, value=1 - 0.999)
    s.addcdiv_(m, (v * 2).add_(1e-3), value=-0.01 / (1 - 0.9 ** step))
}
print((m.double() * 1000).sum().item(), (v.double() * 1000).sum().item(), (s.double() * 1000).sum().item())
w = ones(3, requires_grad=true)
u = w * 2
u.add_(tensor([1.0, 2.0, 3.0]), alpha=0.5)
u.sub_(w, alpha=2)
print(u)
u.sum().backward()
print(w.grad)
"#;
    assert_eq!(run(program), "AddcmulBackward0 AddcdivBackward0\n-8178.057670593262\ntensor([[-3.0182,  0.7408,  2.9130,  1.8796],\n        [ 1.5497,  0.3837,  2.5276, -2.5809],\n        [-1.5822, -0.0418, -1.4370,  1.0373]]) tensor([-2.0861,  0.4342,  1.1783,  0.9422]) tensor([[-0.1630],\n        [ 0.9348],\n        [-1.1161]])\ntensor([ 3, 10, 21]) tensor([ 4,  8, 12]) tensor([-1, -2, -3])\n34244.783277157694 22387.078205822036\n26116.11019069096 42339.745262637734\n16630.43035834562 5909.869997051208 -74576.23594254255\ntensor([0.5000, 1.0000, 1.5000], grad_fn=<SubBackward0>)\ntensor([0., 0., 0.])\n");
}

/// PyTorch refuses integer division in `addcdiv`; `value` is a number; the
/// three shapes broadcast together; `mul` takes no `alpha`.
#[test]
fn addc_checks_its_arguments() {
    assert_eq!(first_error("k = tensor([1, 2])\ny = addcdiv(k, k, k)\n").0, Code::E0204);
    assert_eq!(first_error("x = ones(2)\ny = addcmul(x, x, x, value=\"a\")\n").0, Code::E0107);
    assert_eq!(first_error("y = addcmul(ones(3), ones(2), ones(2))\n").0, Code::E0202);
    assert_eq!(first_error("y = mul(ones(2), ones(2), alpha=2)\n").0, Code::E0103);
}
