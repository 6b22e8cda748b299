//! `i0`, `special.i0e`, `special.i1` and `special.i1e` (the op table's rows,
//! ATen's Cephes functions in `runtime/src/op/cephes.rs`, and the rules in
//! `autodiff/rules/bessel.rs`): the lines of a PyTorch program and what
//! PyTorch 2.15 prints for them. Their bits on 2,000 points of [-20, 20] in
//! each dtype are checked by the runtime's `elementwise_ref` test.

use crate::common::run;

/// `i0`, `special.i0e`, `special.i1` and `special.i1e` of f64 values on both sides of 8 (where the series change), at 0 and a tiny value (the gradients' guard), of f32, of integers and of -0.0; their gradients alone and through a product; the `grad_fn`s and the `x.i0()` method, as PyTorch 2.15 prints them.
#[test]
fn bessel_functions_print_as_pytorch() {
    let program = r#"
x = tensor([-9.5, -3.0, -0.5, 0.0, 1e-9, 0.25, 2.0, 7.9, 8.0, 12.0, 50.0], dtype=float64, requires_grad=true)
print(i0(x))
print(special.i0e(x))
print(special.i1(x))
print(special.i1e(x))
(i0(x) + special.i0e(x) * 2.0).sum().backward()
print(x.grad)
x.grad = none
(special.i1(x) + special.i1e(x) * 3.0).sum().backward()
print(x.grad)
y = linspace(-5, 5, 7, requires_grad=true)
z = special.i1e(y) * special.i0(y)
print(z)
print(z.grad_fn)
z.sum().backward()
print(y.grad)
print(i0(y).grad_fn, special.i0e(y).grad_fn, special.i1(y).grad_fn, special.i1e(y).grad_fn)
print(y.i0())
print(special.i0(tensor([1, 2, 3])))
print(special.i1(tensor([0.0, -0.0])))
"#;
    assert_eq!(run(program), "tensor([1.7535e+03, 4.8808e+00, 1.0635e+00, 1.0000e+00, 1.0000e+00, 1.0157e+00,\n        2.2796e+00, 3.8941e+02, 4.2756e+02, 1.8949e+04, 2.9326e+20],\n       dtype=torch.float64, grad_fn=<I0Backward0>)\ntensor([0.1313, 0.2430, 0.6450, 1.0000, 1.0000, 0.7910, 0.3085, 0.1444, 0.1434,\n        0.1164, 0.0566], dtype=torch.float64, grad_fn=<SpecialI0EBackward0>)\ntensor([-1.6585e+03, -3.9534e+00, -2.5789e-01,  0.0000e+00,  5.0000e-10,\n         1.2598e-01,  1.5906e+00,  3.6385e+02,  3.9987e+02,  1.8141e+04,\n         2.9031e+20], dtype=torch.float64, grad_fn=<SpecialI1Backward0>)\ntensor([-1.2414e-01, -1.9683e-01, -1.5642e-01,  0.0000e+00,  5.0000e-10,\n         9.8113e-02,  2.1527e-01,  1.3490e-01,  1.3414e-01,  1.1146e-01,\n         5.5993e-02], dtype=torch.float64, grad_fn=<SpecialI1EBackward0>)\ntensor([-1.6584e+03, -3.8610e+00,  7.1933e-01,  0.0000e+00, -2.0000e+00,\n        -1.2598e+00,  1.4042e+00,  3.6383e+02,  3.9985e+02,  1.8141e+04,\n         2.9031e+20], dtype=torch.float64)\ntensor([1.5789e+03, 3.5047e+00, 1.0750e+00, 2.0000e+00, 2.0000e+00, 1.4131e+00,\n        1.4411e+00, 3.4333e+02, 3.7756e+02, 1.7437e+04, 2.8745e+20],\n       dtype=torch.float64)\ntensor([-4.4666e+00, -1.2224e+00, -3.9916e-01,  5.9605e-08,  3.9916e-01,\n         1.2224e+00,  4.4666e+00], grad_fn=<MulBackward0>)\n<MulBackward0 object>\ntensor([3.6301, 0.8972, 0.2436, 0.5000, 0.2436, 0.8972, 3.6301])\n<I0Backward0 object> <SpecialI0EBackward0 object> <SpecialI1Backward0 object> <SpecialI1EBackward0 object>\ntensor([27.2399,  6.4180,  1.8247,  1.0000,  1.8247,  6.4180, 27.2399],\n       grad_fn=<I0Backward0>)\ntensor([1.2661, 2.2796, 4.8808])\ntensor([0., 0.])\n");
}
