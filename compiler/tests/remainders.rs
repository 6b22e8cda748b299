//! `remainder`, `fmod`, the tensor operator `%` with its gradients, and the
//! updates `//=`, `%=` and `**=`: the lines of a PyTorch program and what
//! PyTorch 2.15 prints for them (sums times 1000 printed in full compare the
//! values bit for bit). An angle difference wrapped into [-pi, pi) as a
//! heading loss does, `fmod` and `remainder` with a divisor that requires
//! grad, integers of both signs, the zero remainder's sign (the dividend's
//! for tensors, the divisor's for Python floats), and in-place forms.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn remainder_and_fmod_are_pytorchs() {
    let program = r#"

manual_seed(0)
theta = (randn(6, dtype=float64) * 5).requires_grad_()
target = randn(6, dtype=float64)
diff = remainder(theta - target + pi, 2 * pi) - pi
loss = (diff ** 2).mean()
print(remainder(theta, 2.0).grad_fn.name(), loss.item())
loss.backward()
print(theta.grad)
a = randn(3, 40, requires_grad=true)
b = (rand(40) + 0.5).requires_grad_()
r = fmod(a * 3, b) + a.remainder(b)
print(fmod(a, 0.5).grad_fn.name(), fmod(a, b).grad_fn.name())
(r * randn(3, 40)).sum().backward()
print((r.double() * 1000).sum().item(), (b.grad.double() * 1000).sum().item(), a.grad[0, :4])
q = arange(-6, 7)
print(q % 4, fmod(q, 4), q // 4, fmod(q, -4), q.remainder(-4))
h = linspace(-3, 3, 7)
h %= 2
print(h)
h.fmod_(-0.75)
print(h)
w = tensor([1.5, -2.0], requires_grad=true)
v = w * 1.0
v **= 2
v %= 3.0
v.remainder_(tensor([2.0, 0.7]))
print(v)
v.sum().backward()
print(w.grad)
i = 7
f = -4.0
for j in range(3) {
    i //= 2
    f %= 3.0
    f **= 2
}
print(i, f, -4.0 % 2.0)
n = -6.0
for j in range(2) {
    n = n % 3.0
}
print(n)
"#;
    assert_eq!(run(program), "RemainderBackward0 4.03625619046121\ntensor([ 0.3395, -0.7684,  0.7972, -1.0126,  0.4857, -0.2973],\n       dtype=torch.float64)\nFmodBackward0 FmodBackward1\n57926.57618224621 -54013.719007372856 tensor([-2.0443, -6.8549, -2.0403, -1.8996])\ntensor([2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2]) tensor([-2, -1,  0, -3, -2, -1,  0,  1,  2,  3,  0,  1,  2]) tensor([-2, -2, -1, -1, -1, -1,  0,  0,  0,  0,  1,  1,  1]) tensor([-2, -1,  0, -3, -2, -1,  0,  1,  2,  3,  0,  1,  2]) tensor([-2, -1,  0, -3, -2, -1,  0, -3, -2, -1,  0, -3, -2])\ntensor([1., -0., 1., 0., 1., 0., 1.])\ntensor([0.2500, -0.0000, 0.2500, 0.0000, 0.2500, 0.0000, 0.2500])\ntensor([0.2500, 0.3000], grad_fn=<RemainderBackward1>)\ntensor([ 3., -4.])\n0 1.0 0.0\n0.0\n");
}

/// PyTorch has no derivative for `//` nor for a number `%` a tensor (their
/// `grad_fn` is `NotImplemented`); an integer `fmod` by zero raises; `fmod`
/// divides by tensors and numbers only.
#[test]
fn remainder_refuses_what_pytorch_cannot_do() {
    assert_eq!(first_error("x = ones(2, requires_grad=true)\ny = 2.0 % x\n").0, Code::E0645);
    assert_eq!(first_error("x = ones(2, requires_grad=true)\ny = x // 2.0\n").0, Code::E0645);
    assert_eq!(first_error("y = fmod(tensor([3, 1]), 0)\n").0, Code::E0643);
    assert_eq!(first_error("y = fmod(ones(2), \"a\")\n").0, Code::E0107);
    assert_eq!(first_error("y = remainder(ones(2), ones(3))\n").0, Code::E0202);
}

/// `fmod` divides by a Python number known only at run time (`.item()`), as
/// `remainder` and `%` do: the number takes the tensor's dtype (an integer
/// tensor stays integral with an int), and the remainder keeps the dividend's
/// sign (PyTorch 2.15's output).
#[test]
fn fmod_divides_by_a_run_time_number() {
    let program = r#"
x = tensor([5.5, -5.5, 3.0, -7.25])
y = (x.sum() - 1.0).item()
print(y)
print(fmod(x, y), remainder(x, y))
k = tensor([7, -7, 9])
n = int(k.sum().item()) - 6
print(fmod(k, n), fmod(x, n))
"#;
    assert_eq!(
        run(program),
        "-5.25\ntensor([ 0.2500, -0.2500,  3.0000, -2.0000]) tensor([-5.0000, -0.2500, -2.2500, -2.0000])\ntensor([ 1, -1,  0]) tensor([ 2.5000, -2.5000,  0.0000, -1.2500])\n"
    );
}
