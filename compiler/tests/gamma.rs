//! `lgamma`, `digamma` and `polygamma(n, input)` (also `special.gammaln`,
//! `special.psi`, `special.digamma`, `special.polygamma`, the methods and the
//! in-place forms): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them, bit for bit (SLEEF's `lgamma`, ATen's `calc_digamma`,
//! `trigamma` and `calc_polygamma`). Values at the poles and infinities,
//! integer inputs (promoted to float), first and second derivatives
//! (`grad * digamma`, `grad * polygamma(n + 1, x)`) and the `grad_fn` names.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, gradients and `grad_fn`s as PyTorch computes them.
#[test]
fn gamma_functions_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = (rand(6, dtype=f64) * 8 - 3).requires_grad_(true)
a = rand(4, 3) * 5 + 0.1
a.requires_grad_(true)
y = lgamma(x)
print(y)
print(digamma(x))
print(polygamma(1, x))
print(polygamma(2, x))
print(x.polygamma(3))
print(special.gammaln(a))
print(special.psi(a))
g, = grad(polygamma(1, x).sum(), x, create_graph=true)
print(g)
h, = grad(g.sum(), x)
print(h)
l = (lgamma(a) * digamma(a)).sum()
l.backward()
print(a.grad)
b = a.detach().clone()
b.lgamma_()
print(b)
b.digamma_()
print(b)
b.polygamma_(2)
print(b)
print(lgamma(tensor([0.0, -1.0, -2.5, 1e-40, 1e30, inf, -inf])))
print(digamma(tensor([0.0, -0.0, -1.0, -2.5, 1e-40, 1e30, inf])))
print(lgamma(tensor([1, 2, 5])))
"#;
    assert_eq!(run(program), "tensor([2.8237, 0.4053, 0.2922, 2.2699, 0.0757, 1.0174], dtype=torch.float64,\n       grad_fn=<LgammaBackward0>)\ntensor([ 1.4516,  0.7799, -1.2928,  1.3550,  0.5212,  1.0451],\n       dtype=torch.float64, grad_fn=<DigammaBackward0>)\ntensor([0.2337, 0.4547, 3.0030, 0.2573, 0.5860, 0.3499], dtype=torch.float64,\n       grad_fn=<PolygammaBackward0>)\ntensor([-0.0544, -0.2036, -7.1281, -0.0658, -0.3351, -0.1213],\n       dtype=torch.float64, grad_fn=<PolygammaBackward0>)\ntensor([2.5182e-02, 1.7970e-01, 2.9831e+01, 3.3518e-02, 3.7505e-01, 8.3316e-02],\n       dtype=torch.float64, grad_fn=<PolygammaBackward0>)\ntensor([[ 1.4643,  0.0348, -0.1160],\n        [ 0.4289,  1.2997,  1.9189],\n        [ 0.0625, -0.1203,  1.2099],\n        [ 2.7019,  0.0385,  2.4133]], grad_fn=<LgammaBackward0>)\ntensor([[-4.9997, -0.6728,  0.0995],\n        [ 0.7935,  1.1319,  1.2841],\n        [-0.7451,  0.0470,  1.1058],\n        [ 1.4317,  0.4765,  1.3816]], grad_fn=<DigammaBackward0>)\ntensor([-0.0544, -0.2036, -7.1281, -0.0658, -0.3351, -0.1213],\n       dtype=torch.float64, grad_fn=<MulBackward0>)\ntensor([2.5182e-02, 1.7970e-01, 2.9831e+01, 3.3518e-02, 3.7505e-01, 8.3316e-02],\n       dtype=torch.float64)\ntensor([[59.5218,  0.5149, -0.0923],\n        [ 0.8221,  1.6985,  2.1786],\n        [ 0.6743, -0.1091,  1.6215],\n        [ 2.6938,  0.2506,  2.5134]])\ntensor([[ 1.4643,  0.0348, -0.1160],\n        [ 0.4289,  1.2997,  1.9189],\n        [ 0.0625, -0.1203,  1.2099],\n        [ 2.7019,  0.0385,  2.4133]])\ntensor([[ 2.5511e-03, -2.9275e+01,  7.8316e+00],\n        [-2.3634e+00, -1.6953e-01,  3.6907e-01],\n        [-1.6475e+01,  7.5173e+00, -2.7662e-01],\n        [ 7.9765e-01, -2.6514e+01,  6.5971e-01]])\ntensor([[-1.2046e+08,  9.1446e+01, -1.8518e-02],\n        [ 3.4190e+01,  4.0648e+02, -4.0831e+01],\n        [ 4.9495e+00, -2.0206e-02,  8.8622e+01],\n        [-4.4665e+00, -2.7205e+00, -7.6074e+00]])\ntensor([        inf,         inf, -5.6244e-02,  9.2103e+01,  6.8078e+31,\n                inf,         inf])\ntensor([   -inf,     inf,     nan,  1.1032,    -inf, 69.0776,     inf])\ntensor([0.0000, 0.0000, 3.1781])\n");
}

/// The order `n` is a non-negative integer, as PyTorch checks it.
#[test]
fn polygamma_order_is_a_non_negative_integer() {
    assert_eq!(first_error("x = ones(3)\nprint(polygamma(-1, x))\n").0, Code::E0107);
    assert_eq!(first_error("x = ones(3)\nprint(polygamma(1.5, x))\n").0, Code::E0107);
    assert_eq!(first_error("x = ones(3)\nprint(polygamma(x, x))\n").0, Code::E0107);
    assert_eq!(run("x = tensor([2.0])\nprint(polygamma(0, x), x.polygamma(0).grad_fn)\n"), "tensor([0.4228]) None\n");
}
