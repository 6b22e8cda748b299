//! `aminmax(input, *, dim=none, keepdim=false)` (`torch.aminmax`, and
//! `x.aminmax(...)`): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them. The named tuple `(min, max)` of everything or along a
//! dimension, with `keepdim` (also without `dim`), ties sharing the
//! gradient evenly, `AminmaxBackward0`, and integer inputs.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, gradients and `grad_fn`s as PyTorch computes them.
#[test]
fn aminmax_is_pytorchs() {
    let program = r#"

x = tensor([[1., 5., 5.], [2., -1., -1.]], requires_grad=true)
r = aminmax(x)
print(r)
r2 = aminmax(x, dim=1, keepdim=true)
print(r2)
(r.min + 2 * r.max).backward()
print(x.grad)
mn, mx = x.aminmax(dim=0)
print(mn, mx)
print(aminmax(tensor([3, 1, 2])))
print(aminmax(tensor([[3, 1], [0, 7]]), dim=-1).max)
print(aminmax(x, keepdim=true))
print(aminmax(x, dim=1).min.shape)
"#;
    assert_eq!(run(program), "torch.return_types.aminmax(\nmin=tensor(-1., grad_fn=<AminmaxBackward0>),\nmax=tensor(5., grad_fn=<AminmaxBackward0>))\ntorch.return_types.aminmax(\nmin=tensor([[ 1.],\n        [-1.]], grad_fn=<AminmaxBackward0>),\nmax=tensor([[5.],\n        [2.]], grad_fn=<AminmaxBackward0>))\ntensor([[0.0000, 1.0000, 1.0000],\n        [0.0000, 0.5000, 0.5000]])\ntensor([ 1., -1., -1.], grad_fn=<AminmaxBackward0>) tensor([2., 5., 5.], grad_fn=<AminmaxBackward0>)\ntorch.return_types.aminmax(\nmin=tensor(1),\nmax=tensor(3))\ntensor([3, 7])\ntorch.return_types.aminmax(\nmin=tensor([[-1.]], grad_fn=<AminmaxBackward0>),\nmax=tensor([[5.]], grad_fn=<AminmaxBackward0>))\ntorch.Size([2])\n");
}

/// `dim` and `keepdim` are keywords only, as in PyTorch.
#[test]
fn aminmax_takes_dim_by_keyword() {
    assert_eq!(first_error("x = ones(2, 3)\nr = aminmax(x, 1)\n").0, Code::E0103);
    assert_eq!(run("x = ones(2, 3)\nr = aminmax(x, dim=1)\nprint(r.max.shape)\n"), "torch.Size([2])\n");
}
