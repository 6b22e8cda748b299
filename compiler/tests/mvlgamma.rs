//! `mvlgamma(input, p)` and `special.multigammaln` (`lower/mvlgamma.rs`): the
//! lines of a PyTorch program and what PyTorch 2.15 prints for them, and the
//! checks of `p` and the dtype.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `mvlgamma` with p = 3 and its gradient, `special.multigammaln` of f64 with p = 1 and p = 5 (with a gradient through a square), the `x.mvlgamma(p)` method, an integer input and elements below (p - 1) / 2, which PyTorch 2.15 computes without complaint: values, `grad_fn`s and gradients as it prints them.
#[test]
fn mvlgamma_prints_as_pytorch() {
    let program = r#"
x = tensor([[2.5, 3.0, 7.25], [1.6, 10.0, 4.0]], requires_grad=true)
y = mvlgamma(x, 3)
print(y)
print(y.grad_fn)
y.sum().backward()
print(x.grad)
print(special.multigammaln(tensor([1.0, 2.0, 5.5], dtype=float64), 1))
print(x.mvlgamma(2))
print(mvlgamma(tensor([3, 4]), 2))
z = linspace(3, 20, 7, dtype=float64, requires_grad=true)
w = special.multigammaln(z, 5)
print(w)
(w * w).sum().backward()
print(z.grad)
print(mvlgamma(tensor([0.2, 3.0]), 3))
"#;
    assert_eq!(run(program), "tensor([[ 1.8810,  2.6949, 20.1048],\n        [ 1.9529, 36.8129,  5.4030]], grad_fn=<MvlgammaBackward0>)\n<MvlgammaBackward0 object>\ntensor([[ 1.1624,  2.0487,  5.4946],\n        [-1.8383,  6.5901,  3.2821]])\ntensor([0.0000, 0.0000, 3.9578], dtype=torch.float64)\ntensor([[ 0.8570,  1.5502, 13.7405],\n        [ 0.4099, 25.0635,  3.5651]], grad_fn=<MvlgammaBackward0>)\ntensor([1.5502, 3.5651])\ntensor([  6.5807,  20.6637,  45.2022,  75.5518, 109.9892, 147.5885, 187.7685],\n       dtype=torch.float64, grad_fn=<MvlgammaBackward0>)\ntensor([  19.8474,  300.6774,  888.3884, 1738.0677, 2805.5807, 4059.6944,\n        5477.5092], dtype=torch.float64)\ntensor([6.4532, 2.6949])\n");
}

/// `p` below 1 and a bool input are compile errors in PyTorch's words.
#[test]
fn bad_mvlgamma_calls_are_compile_errors() {
    let (code, msg, _) = first_error("y = mvlgamma(tensor([3.0]), 0)\n");
    assert_eq!((code, msg.as_str()), (Code::E0107, "p has to be greater than or equal to 1"));
    let (code, msg, _) = first_error("y = mvlgamma(tensor([true]), 2)\n");
    assert_eq!((code, msg.as_str()), (Code::E0204, "The input tensor may not be a boolean tensor."));
}
