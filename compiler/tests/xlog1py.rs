//! `special.xlog1py(input, other)` (`lower/xlogy.rs` with `log1p`): the
//! lines of a PyTorch program and what PyTorch 2.15 prints for them.

use crate::common::run;

/// `special.xlog1py` of tensors with zeros at and below the pole -1, a tiny and a NaN `other`, with a number on either side (`SpecialXlog1PyBackward1` and `2`, the number other's mask decided at compile time), of integers with f64 and with an integer number, and broadcast in f64: values, `grad_fn`s and gradients as PyTorch 2.15 prints them.
#[test]
fn xlog1py_prints_as_pytorch() {
    let program = r#"
x = tensor([0.0, 0.0, 1.5, -2.0, 3.0, 0.0, 2.0], requires_grad=true)
y = tensor([-1.0, -2.0, 0.5, 1e-8, nan, 3.0, -0.75], requires_grad=true)
z = special.xlog1py(x, y)
print(z)
print(z.grad_fn)
z.sum().backward()
print(x.grad)
print(y.grad)
a = special.xlog1py(2.0, y)
print(a, a.grad_fn)
b = special.xlog1py(x, -1.0)
print(b, b.grad_fn)
b.sum().backward()
print(x.grad)
c = special.xlog1py(x, 0.5)
c.sum().backward()
print(x.grad)
w = tensor([[1, 0], [2, 3]])
print(special.xlog1py(w, tensor([0.25, 4.0], dtype=float64)))
print(special.xlog1py(w, 2))
u = rand(3, 4, dtype=float64, generator=Generator().manual_seed(1), requires_grad=true)
v = rand(4, dtype=float64, generator=Generator().manual_seed(2), requires_grad=true)
s = special.xlog1py(u, v * 3 - 1)
s.sum().backward()
print(s)
print(u.grad)
print(v.grad)
"#;
    assert_eq!(run(program), "tensor([ 0.0000e+00,  0.0000e+00,  6.0820e-01, -2.0000e-08,         nan,\n         0.0000e+00, -2.7726e+00], grad_fn=<SpecialXlog1PyBackward0>)\n<SpecialXlog1PyBackward0 object>\ntensor([ 0.0000e+00,  0.0000e+00,  4.0547e-01,  1.0000e-08,         nan,\n         1.3863e+00, -1.3863e+00])\ntensor([nan, -0.,  1., -2., nan,  0.,  8.])\ntensor([       -inf,         nan,  8.1093e-01,  2.0000e-08,         nan,\n         2.7726e+00, -2.7726e+00], grad_fn=<SpecialXlog1PyBackward1>) <SpecialXlog1PyBackward1 object>\ntensor([0., 0., -inf, inf, -inf, 0., -inf], grad_fn=<SpecialXlog1PyBackward2>) <SpecialXlog1PyBackward2 object>\ntensor([0.0000, 0.0000,   -inf,   -inf,    nan, 1.3863,   -inf])\ntensor([0.4055, 0.4055,   -inf,   -inf,    nan, 1.7918,   -inf])\ntensor([[0.2231, 0.0000],\n        [0.4463, 4.8283]], dtype=torch.float64)\ntensor([[1.0986, 0.0000],\n        [2.1972, 3.2958]])\ntensor([[ 0.0618, -0.2774,  0.1767,  0.0855],\n        [ 0.5631, -0.1352,  0.3477,  0.3421],\n        [ 0.5871, -0.6135,  0.3850,  0.1591]], dtype=torch.float64,\n       grad_fn=<SpecialXlog1PyBackward0>)\ntensor([[ 1.0126, -1.2353,  0.7544,  0.4829],\n        [ 1.0126, -1.2353,  0.7544,  0.4829],\n        [ 1.0126, -1.2353,  0.7544,  0.4829]], dtype=torch.float64)\ntensor([1.3044, 8.5711, 1.7009, 2.2489], dtype=torch.float64)\n");
}
