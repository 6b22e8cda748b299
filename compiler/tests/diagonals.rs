//! `diagonal(input, offset, dim1, dim2)` and `trace(input)` (`torch.diagonal`,
//! `torch.trace`): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them. Offsets above and below, any pair of dimensions of a 3-D
//! tensor (negative ones included), gradients (zeros off the diagonal),
//! in-place updates of the diagonal view that write the matrix, a
//! non-square f64 trace, integer traces (i64), and traces whose bits show
//! the accumulation in f64 in order.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Diagonals and traces as PyTorch computes them.
#[test]
fn diagonals_and_traces_are_pytorchs() {
    let program = r#"
manual_seed(1)
A = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.5]], requires_grad=true)
t = trace(A)
print(t)
d = A.diagonal()
print(d, diagonal(A, 1), diagonal(A, offset=-1))
(t * 2 + (d * d).sum() + diagonal(A, 1).sum()).backward()
print(A.grad)
B = arange(24.0).reshape(2, 3, 4)
print(diagonal(B, 0, 1, 2))
print(diagonal(B, dim1=0, dim2=2))
print(diagonal(B, -1, -1, -2))
print(B.diagonal(offset=1, dim1=-2, dim2=-1))
print(trace(tensor([[1, 2], [3, 4], [5, 6]])))
R = tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]], dtype=f64, requires_grad=true)
tr = R.trace()
print(tr)
tr.backward()
print(R.grad)
M = zeros(3, 3)
M.diagonal().add_(tensor([1.0, 2.0, 3.0]))
print(M)
M.diagonal(1).fill_(7.0)
print(M)
x = tensor([[1e8, 1.0], [3.0, -1e8]])
print(trace(x), trace(x + 0.5))
F = randn(7, 7, dtype=f64) * 1000
print(trace(F).item(), trace(F.float()).item())
"#;
    assert_eq!(run(program), "tensor(15.5000, grad_fn=<TraceBackward0>)\ntensor([1.0000, 5.0000, 9.5000], grad_fn=<DiagonalBackward0>) tensor([2., 6.], grad_fn=<DiagonalBackward0>) tensor([4., 8.], grad_fn=<DiagonalBackward0>)\ntensor([[ 4.,  1.,  0.],\n        [ 0., 12.,  1.],\n        [ 0.,  0., 21.]])\ntensor([[ 0.,  5., 10.],\n        [12., 17., 22.]])\ntensor([[ 0., 13.],\n        [ 4., 17.],\n        [ 8., 21.]])\ntensor([[ 1.,  6., 11.],\n        [13., 18., 23.]])\ntensor([[ 1.,  6., 11.],\n        [13., 18., 23.]])\ntensor(5)\ntensor(0.7000, dtype=torch.float64, grad_fn=<TraceBackward0>)\ntensor([[1., 0., 0., 0.],\n        [0., 1., 0., 0.]], dtype=torch.float64)\ntensor([[1., 0., 0.],\n        [0., 2., 0.],\n        [0., 0., 3.]])\ntensor([[1., 7., 0.],\n        [0., 2., 7.],\n        [0., 0., 3.]])\ntensor(0.) tensor(0.)\n856.1997418675029 856.19970703125\n");
}

/// `diagonal` needs two different dimensions of a tensor of rank 2 or more;
/// `trace` a matrix.
#[test]
fn diagonals_check_their_arguments() {
    assert_eq!(first_error("y = diagonal(ones(3))\n").0, Code::E0202);
    assert_eq!(first_error("y = diagonal(ones(3, 3), 0, 1, 1)\n").0, Code::E0202);
    assert_eq!(first_error("y = diagonal(ones(3, 3), 0, 0, 2)\n").0, Code::E0202);
    assert_eq!(first_error("y = trace(ones(2, 3, 3))\n").0, Code::E0202);
    assert_eq!(first_error("y = diagonal(ones(3, 3), 0.5)\n").0, Code::E0107);
}
