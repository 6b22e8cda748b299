//! `special.ndtr` (`lower/ndtr.rs`: ATen's composition of tensor ops) and
//! `special.ndtri` (the op table's `ndtri`, ATen's `calc_ndtri`): the lines of
//! a PyTorch program and what PyTorch 2.15 prints for them. The bits of
//! `ndtri` on 2,000 points of [0, 1] in each dtype are checked by the runtime's
//! `elementwise_ref` test.

use crate::common::run;

/// `special.ndtri` of f32 values across (0, 1), its edges, outside values and NaN, of f64 with its gradient, of an `ndtr` (the round trip) and of seeded uniform draws; `special.ndtr` of f32 over [-4, 4] with its gradient, of integers and of infinities; the `grad_fn`s and an integer input's dtype, as PyTorch 2.15 prints them.
#[test]
fn ndtr_and_ndtri_print_as_pytorch() {
    let program = r#"
x = tensor([0.0, 0.001, 0.025, 0.3, 0.5, 0.8, 0.97, 0.99999, 1.0, 1.5, -0.2, nan])
print(special.ndtri(x))
p = tensor([0.1, 0.5, 0.9, 0.999], dtype=float64, requires_grad=true)
q = special.ndtri(p)
print(q)
q.sum().backward()
print(p.grad)
z = linspace(-4, 4, 9, requires_grad=true)
c = special.ndtr(z)
print(c)
(c * arange(9.0)).sum().backward()
print(z.grad)
print(special.ndtr(tensor([-3, 0, 2])))
print(special.ndtri(special.ndtr(tensor([-2.5, -1.0, 0.25, 1.75], dtype=float64))))
u = rand(5, generator=Generator().manual_seed(3))
print(special.ndtri(u) * 2.0 + 1.0)
print(special.ndtr(tensor(inf)), special.ndtr(tensor(-inf)))
x = tensor([0.2, 0.7], requires_grad=true)
print(special.ndtri(x).grad_fn)
print(special.ndtr(x).grad_fn)
print(special.ndtr(tensor([1, 2])).dtype)
"#;
    assert_eq!(run(program), "tensor([   -inf, -3.0902, -1.9600, -0.5244,  0.0000,  0.8416,  1.8808,  4.2646,\n            inf,     nan,     nan,     nan])\ntensor([-1.2816,  0.0000,  1.2816,  3.0902], dtype=torch.float64,\n       grad_fn=<SpecialNdtriBackward0>)\ntensor([  5.6981,   2.5066,   5.6981, 296.9924], dtype=torch.float64)\ntensor([3.1680e-05, 1.3499e-03, 2.2750e-02, 1.5866e-01, 5.0000e-01, 8.4134e-01,\n        9.7725e-01, 9.9865e-01, 9.9997e-01], grad_fn=<MulBackward1>)\ntensor([0.0000e+00, 4.4319e-03, 1.0798e-01, 7.2591e-01, 1.5958e+00, 1.2099e+00,\n        3.2395e-01, 3.1023e-02, 1.0706e-03])\ntensor([0.0013, 0.5000, 0.9772])\ntensor([-2.5000, -1.0000,  0.2500,  1.7500], dtype=torch.float64)\ntensor([-4.2609, -1.5009, -0.1311, -2.8551,  0.8576])\ntensor(1.) tensor(0.)\n<SpecialNdtriBackward0 object>\n<MulBackward1 object>\ntorch.float32\n");
}
