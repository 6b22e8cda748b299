//! `addmm(input, mat1, mat2)` (`lower/functional_calls.rs`): the product
//! plus the broadcast input, as `linear` computes it, with PyTorch's
//! `AddmmBackward0` and gradients, as PyTorch 2.15 prints them for the same
//! program (f32 and f64), and the errors. Full-precision values are left out:
//! the last bits of a matrix product are MKL's (docs/NUMERICS.md).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn addmm_gives_pytorchs_values_and_gradients() {
    let program = r#"
manual_seed(0)
b = randn(5, requires_grad=true)
x = randn(3, 4, requires_grad=true)
w = randn(4, 5, requires_grad=true)
y = addmm(b, x, w)
print(y, y.grad_fn.name())
(y * arange(15.0).view(3, 5)).sum().backward()
print(b.grad, x.grad, w.grad)
c = randn(3, 1, dtype=f64)
z = addmm(c, x.double(), w.double(), beta=1, alpha=1)
print(z)
"#;
    assert_eq!(run(program), "tensor([[ 1.5255, -0.1011, -4.2702,  0.0287, -1.7611],\n        [ 2.1487,  1.1771, -2.1811, -0.3114, -3.2353],\n        [ 2.8499,  1.2188, -0.9315,  0.1882, -3.2690]],\n       grad_fn=<AddmmBackward0>) AddmmBackward0\ntensor([15., 18., 21., 24., 27.]) tensor([[  3.5396,   6.2669,  -2.9523,   4.7540],\n        [ 12.7375,   9.0544,  -9.4000,   2.6846],\n        [ 21.9354,  11.8419, -15.8478,   0.6151]]) tensor([[  8.9893,   8.2880,   7.5867,   6.8853,   6.1840],\n        [-13.6951, -14.9595, -16.2240, -17.4885, -18.7530],\n        [  2.1372,   3.2800,   4.4227,   5.5655,   6.7083],\n        [ -9.9465, -12.0888, -14.2310, -16.3733, -18.5155]])\ntensor([[ 0.3577,  0.5654, -1.7183, -0.1666, -0.3035],\n        [-0.4220,  0.4408, -1.0320, -1.9096, -3.1805],\n        [ 0.8081,  1.0115,  0.7465, -0.8810, -2.6853]], dtype=torch.float64,\n       grad_fn=<AddmmBackward0>)\n");
}

#[test]
fn shapes_that_do_not_multiply_or_broadcast_and_scales_that_are_not_numbers_are_errors() {
    let cases = [
        ("addmm(zeros(3), zeros(2, 3), zeros(4, 3))", Code::E0202, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)"),
        ("addmm(zeros(4), zeros(2, 3), zeros(3, 3))", Code::E0202, "The expanded size of the tensor (3) must match"),
        ("addmm(zeros(3), zeros(3), zeros(3, 3))", Code::E0202, "mat1 must be a matrix, got 1-D tensor"),
        ("addmm(zeros(3), zeros(2, 3), zeros(3, 3), alpha=\"2\")", Code::E0107, "`alpha` must be a number"),
        ("addmm(zeros(3), zeros(2, 3), zeros(3, 3), 1)", Code::E0103, ""),
    ];
    for (call, code, expected) in cases {
        let program = format!("y = {call}\n");
        let (got, message, _) = first_error(&program);
        assert_eq!(got, code, "{call}: {message}");
        assert!(message.contains(expected), "{call}: {message}");
    }
}
