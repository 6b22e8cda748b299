//! `linalg.norm` and `linalg.matrix_norm`: the lines of a PyTorch program and
//! what PyTorch 2.15 prints for them, the norms graphc refuses (those of
//! singular values), and the error for a `torch.linalg` function it lacks.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Vector, Frobenius and 1/inf matrix norms, their `grad_fn`s and a gradient as PyTorch 2.15 prints them.
#[test]
fn linalg_norms_are_pytorchs() {
    let program = r#"
manual_seed(0)
a = randn(3, 4, requires_grad=true)
b = randn(2, 3, 4)
v = randn(5)
print(linalg.norm(a), linalg.norm(v), linalg.norm(v, 1))
print(linalg.norm(a, dim=1), linalg.norm(a, 1, dim=0, keepdim=true))
print(linalg.norm(a, 'fro'), linalg.norm(b, 'fro', dim=(1, 2)))
print(linalg.norm(a, 1), linalg.norm(a, -1), linalg.norm(a, inf), linalg.norm(a, -inf))
print(linalg.norm(b, 1, dim=(2, 0)), linalg.norm(b, inf, dim=(0, 2), keepdim=true))
print(linalg.matrix_norm(b), linalg.matrix_norm(b, ord=1))
print(linalg.norm(b))
(linalg.norm(a) + linalg.norm(a, 1) + linalg.norm(a, inf)).backward()
print(a.grad)
"#;
    assert_eq!(run(program), "tensor(3.5493, grad_fn=<LinalgVectorNormBackward0>) tensor(2.5262) tensor(4.2422)\ntensor([2.7443, 1.9993, 1.0340], grad_fn=<LinalgVectorNormBackward0>) tensor([[3.3448, 2.0954, 3.1788, 1.5885]], grad_fn=<LinalgVectorNormBackward0>)\ntensor(3.5493, grad_fn=<LinalgVectorNormBackward0>) tensor([2.3632, 4.7790])\ntensor(3.3448, grad_fn=<AmaxBackward0>) tensor(1.5885, grad_fn=<AminBackward0>) tensor(4.5816, grad_fn=<AmaxBackward0>) tensor(1.9013, grad_fn=<AminBackward0>)\ntensor([2.3355, 6.1217, 5.1366]) tensor([[[2.3355],\n         [6.1217],\n         [5.1366]]])\ntensor([2.3632, 4.7790]) tensor([2.6425, 4.3572])\ntensor(5.3313)\ntensor([[ 2.4342, -1.0827, -1.6139,  1.1602],\n        [-1.3056, -0.3941,  0.1136,  0.2361],\n        [-1.2026, -0.1136, -0.1681,  0.0513]])\n");
}

/// The 2-norm and nuclear norm of a matrix need an SVD; a 3-d input with an
/// order and no `dim` is PyTorch's error; an unlisted `linalg` function is
/// an unknown name whose help lists the ones graphc has.
#[test]
fn linalg_norm_refuses_what_it_cannot_compute() {
    assert_eq!(first_error("print(linalg.norm(randn(3, 3), 2))\n").0, Code::E0107);
    assert_eq!(first_error("print(linalg.matrix_norm(randn(3, 3), \"nuc\"))\n").0, Code::E0107);
    assert_eq!(first_error("print(linalg.norm(randn(2, 3, 3), 1))\n").0, Code::E0221);
    let (code, message, _) = first_error("print(linalg.inv(randn(3, 3)))\n");
    assert_eq!(code, Code::E0101);
    assert!(message.contains("torch.linalg"), "{message}");
}
