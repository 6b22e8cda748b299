//! `deg2rad` and `rad2deg` (`torch.deg2rad`, `torch.rad2deg`): the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them, the values' bits
//! included (a product with the constant `pi / 180` as a Python float),
//! the gradient through both, and integer, bool and f64 inputs.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Conversions and gradients as PyTorch computes them.
#[test]
fn angle_conversions_are_pytorchs() {
    let program = r#"
x = tensor([0.0, 30.0, 45.0, 90.0, 180.0, -270.5, 1e-3], requires_grad=true)
r = deg2rad(x)
print(r)
d = rad2deg(r)
print(d)
(d * d).sum().backward()
print(x.grad)
print(deg2rad(tensor([1, 180])), rad2deg(tensor([true, false])))
print(tensor([1.0, 2.0], dtype=f64).deg2rad())
print(r.tolist(), d.tolist(), x.grad.tolist())
"#;
    assert_eq!(run(program), "tensor([ 0.0000e+00,  5.2360e-01,  7.8540e-01,  1.5708e+00,  3.1416e+00,\n        -4.7211e+00,  1.7453e-05], grad_fn=<Deg2RadBackward0>)\ntensor([ 0.0000e+00,  3.0000e+01,  4.5000e+01,  9.0000e+01,  1.8000e+02,\n        -2.7050e+02,  1.0000e-03], grad_fn=<Rad2DegBackward0>)\ntensor([ 0.0000e+00,  6.0000e+01,  9.0000e+01,  1.8000e+02,  3.6000e+02,\n        -5.4100e+02,  2.0000e-03])\ntensor([0.0175, 3.1416]) tensor([57.2958,  0.0000])\ntensor([0.0175, 0.0349], dtype=torch.float64)\n[0.0, 0.5235987901687622, 0.7853981852531433, 1.5707963705062866, 3.1415927410125732, -4.721115589141846, 1.7453292457503267e-05] [0.0, 30.000001907348633, 45.0, 90.0, 180.0, -270.5, 0.0010000000474974513] [0.0, 60.000003814697266, 90.0, 180.0, 360.0, -541.0, 0.0020000000949949026]\n");
}

/// The input must be a tensor.
#[test]
fn angle_conversions_check_their_input() {
    assert_eq!(first_error("y = deg2rad(90.0)\n").0, Code::E0107);
}
