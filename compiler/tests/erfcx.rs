//! `special.erfcx` and `special.log_ndtr` (the op table's rows, ATen's
//! functions in `runtime/src/op/erfcx.rs`): the lines of a PyTorch program
//! and what PyTorch 2.15 prints for them. Their bits on 2,000 points in each
//! dtype are checked by the runtime's `elementwise_ref` test.

use crate::common::run;

/// `special.erfcx` of f64 values through each branch (below -26.7, below -6.1, negative, the fits, the continued fraction beyond 50, the one-term tail beyond 5e7, infinities, NaN) with its gradient; `special.log_ndtr` of f32 values on both sides of -1 with its gradient; integers; and `exp(log_ndtr(x)) - ndtr(x)`: values, `grad_fn`s and gradients as PyTorch 2.15 prints them.
#[test]
fn erfcx_and_log_ndtr_print_as_pytorch() {
    let program = r#"
x = tensor([-30.0, -7.0, -2.5, -0.5, 0.0, 0.3, 4.0, 60.0, 1e8, inf, nan], dtype=float64, requires_grad=true)
e = special.erfcx(x)
print(e)
print(e.grad_fn)
e[1:9].sum().backward()
print(x.grad)
y = tensor([-40.0, -5.0, -1.5, -1.0, -0.25, 0.0, 2.0, 9.0], requires_grad=true)
l = special.log_ndtr(y)
print(l)
print(l.grad_fn)
(l * arange(8.0)).sum().backward()
print(y.grad)
print(special.erfcx(tensor([1, -1, 3])), special.log_ndtr(tensor([0, -2])))
z = linspace(-3, 3, 5)
print(special.log_ndtr(z).exp() - special.ndtr(z))
"#;
    assert_eq!(run(program), "tensor([       inf, 3.8147e+21, 1.0358e+03, 1.9524e+00, 1.0000e+00, 7.3460e-01,\n        1.3700e-01, 9.4019e-03, 5.6419e-09, 0.0000e+00,        nan],\n       dtype=torch.float64, grad_fn=<SpecialErfcxBackward0>)\n<SpecialErfcxBackward0 object>\ntensor([        nan, -5.3406e+22, -5.1802e+03, -3.0807e+00, -1.1284e+00,\n        -6.8762e-01, -3.2384e-02, -1.5665e-04,  0.0000e+00,         nan,\n                nan], dtype=torch.float64)\ntensor([-8.0461e+02, -1.5065e+01, -2.7059e+00, -1.8410e+00, -9.1306e-01,\n        -6.9315e-01, -2.3013e-02, -1.1286e-19],\n       grad_fn=<SpecialLogNdtrBackward0>)\n<SpecialLogNdtrBackward0 object>\ntensor([0.0000e+00, 5.1865e+00, 3.8774e+00, 4.5754e+00, 3.8542e+00, 3.9894e+00,\n        3.3149e-01, 7.1958e-18])\ntensor([0.4276, 5.0090, 0.1790]) tensor([-0.6931, -3.7832])\ntensor([2.6776e-09, 0.0000e+00, 0.0000e+00, 0.0000e+00, 0.0000e+00])\n");
}
