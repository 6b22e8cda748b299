//! The in-place forms of elementwise ops (`lower/inplace.rs`): `x.relu_()`,
//! `x.sigmoid_()` and the other tensor methods, and `relu_(x)`,
//! `leaky_relu_(x, slope)`, `elu_(x)`, `hardtanh_(x, lo, hi)` for
//! `F.relu_(x)` and the others, with PyTorch's values, `grad_fn` names and
//! gradients; and the compile-time error PyTorch raises only in the backward
//! when one of them overwrites a value another saved.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn inplace_elementwise_ops_are_pytorchs() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // w = torch.randn(6, requires_grad=True)
    // x = w * 2
    // x.relu_()
    // print(x)
    // y = w * 1
    // F.relu_(y)
    // print(y)
    // a = w * 1
    // a.sigmoid_()
    // b = w * 1
    // b.tanh_()
    // c = w * 1
    // c.exp_()
    // d = w.abs() + 0.5
    // d.log_()
    // e = w.abs() + 0.5
    // e.sqrt_()
    // f = w.abs() + 0.5
    // f.rsqrt_()
    // g = w * 1
    // g.mul_(-1)
    // h = w * 1
    // h.abs_()
    // i = w.abs() + 0.5
    // i.reciprocal_()
    // j = w * 1
    // j.sin_()
    // k = w * 1
    // k.cos_()
    // l = w * 3
    // l.floor_()
    // m = w * 3
    // m.ceil_()
    // n = w * 3
    // n.trunc_()
    // o = w * 3
    // o.sign_()
    // p = w * 1
    // p.pow_(2)
    // q = w * 1
    // F.leaky_relu_(q, 0.1)
    // r = w * 1
    // F.elu_(r)
    // s = w * 1
    // F.hardtanh_(s, -0.5, 0.5)
    // for t in [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s]:
    //     print(t)
    //
    // (a + b + c + d + e + f + g + h + i + j + k + p + q + r + s).sum().backward()
    // print(w.grad)
    let program = r#"
manual_seed(0)
w = randn(6, requires_grad=true)
x = w * 2
x.relu_()
print(x)
y = w * 1
relu_(y)
print(y)
a = w * 1
a.sigmoid_()
b = w * 1
b.tanh_()
c = w * 1
c.exp_()
d = w.abs() + 0.5
d.log_()
e = w.abs() + 0.5
e.sqrt_()
f = w.abs() + 0.5
f.rsqrt_()
g = w * 1
g.mul_(-1)
h = w * 1
h.abs_()
i = w.abs() + 0.5
i.reciprocal_()
j = w * 1
j.sin_()
k = w * 1
k.cos_()
l = w * 3
l.floor_()
m = w * 3
m.ceil_()
n = w * 3
n.trunc_()
o = w * 3
o.sign_()
p = w * 1
p.pow_(2)
q = w * 1
leaky_relu_(q, 0.1)
r = w * 1
elu_(r)
s = w * 1
hardtanh_(s, -0.5, 0.5)
for t in [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s] {
    print(t)
}
(a + b + c + d + e + f + g + h + i + j + k + p + q + r + s).sum().backward()
print(w.grad)
"#;
    let expected = r#"tensor([3.0820, 0.0000, 0.0000, 1.1369, 0.0000, 0.0000],
       grad_fn=<ReluBackward0>)
tensor([1.5410, 0.0000, 0.0000, 0.5684, 0.0000, 0.0000],
       grad_fn=<ReluBackward0>)
tensor([0.8236, 0.4272, 0.1017, 0.6384, 0.2527, 0.1980],
       grad_fn=<SigmoidBackward0>)
tensor([ 0.9123, -0.2853, -0.9747,  0.5142, -0.7949, -0.8850],
       grad_fn=<TanhBackward0>)
tensor([4.6692, 0.7457, 0.1132, 1.7655, 0.3381, 0.2469],
       grad_fn=<ExpBackward0>)
tensor([ 0.7134, -0.2314,  0.9854,  0.0662,  0.4603,  0.6411],
       grad_fn=<LogBackward0>)
tensor([1.4286, 0.8907, 1.6367, 1.0336, 1.2588, 1.3779],
       grad_fn=<SqrtBackward0>)
tensor([0.7000, 1.1227, 0.6110, 0.9674, 0.7944, 0.7257],
       grad_fn=<RsqrtBackward0>)
tensor([-1.5410,  0.2934,  2.1788, -0.5684,  1.0845,  1.3986],
       grad_fn=<MulBackward0>)
tensor([1.5410, 0.2934, 2.1788, 0.5684, 1.0845, 1.3986],
       grad_fn=<AbsBackward0>)
tensor([0.4900, 1.2604, 0.3733, 0.9360, 0.6311, 0.5267],
       grad_fn=<ReciprocalBackward0>)
tensor([ 0.9996, -0.2892, -0.8208,  0.5383, -0.8841, -0.9852],
       grad_fn=<SinBackward0>)
tensor([ 0.0298,  0.9573, -0.5712,  0.8427,  0.4673,  0.1714],
       grad_fn=<CosBackward0>)
tensor([ 4., -1., -7.,  1., -4., -5.], grad_fn=<FloorBackward0>)
tensor([ 5., -0., -6.,  2., -3., -4.], grad_fn=<CeilBackward0>)
tensor([ 4., -0., -6.,  1., -3., -4.], grad_fn=<TruncBackward0>)
tensor([ 1., -1., -1.,  1., -1., -1.], grad_fn=<SignBackward0>)
tensor([2.3747, 0.0861, 4.7471, 0.3231, 1.1762, 1.9561],
       grad_fn=<PowBackward0>)
tensor([ 1.5410, -0.0293, -0.2179,  0.5684, -0.1085, -0.1399],
       grad_fn=<LeakyReluBackward1>)
tensor([ 1.5410, -0.2543, -0.8868,  0.5684, -0.6619, -0.7531],
       grad_fn=<EluBackward1>)
tensor([ 0.5000, -0.2934, -0.5000,  0.5000, -0.5000, -0.5000],
       grad_fn=<HardtanhBackward0>)
tensor([ 9.5229,  2.8886, -6.0658,  6.2642, -1.8638, -3.0923])
"#;
    assert_eq!(run(program), expected);
}

/// `relu_` saves its result for the backward, so a later `sigmoid_` of the
/// same tensor breaks it: PyTorch's "modified by an inplace operation" when
/// the backward runs, E0621 at the update before anything runs.
#[test]
fn an_inplace_op_over_a_saved_result_is_refused() {
    let program = "img = randn(1, 2, 5, 5, requires_grad=true)\nz = conv2d(img, ones(3, 2, 2, 2) / 8)\nrelu_(z)\nz.sigmoid_()\nz.sum().backward()\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0621);
    assert_eq!(message, "one of the variables needed for gradient computation has been modified by an inplace operation");
    assert_eq!(at, program.find("z.sigmoid_()").unwrap());
}
