//! Builtins that rearrange elements or list positions (`rot90`, `diag_embed`,
//! `tril_indices`, `triu_indices`, `take_along_dim`, `block_diag`,
//! `cartesian_prod`, `combinations`): the lines of a PyTorch program and
//! what PyTorch 2.15 prints for them, and the calls PyTorch refuses.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, `grad_fn`s and gradients of `rot90`, `tril_indices`, `triu_indices`, `take_along_dim`, `block_diag`, `cartesian_prod` and `combinations` as PyTorch 2.15 prints them.
#[test]
fn rearranging_builtins_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, requires_grad=true)
print(rot90(x), rot90(x, 2), rot90(x, -1, [0, 1]), rot90(x, 1, [1, 0]))
print(rot90(x, 4), x.rot90(3))
print(tril_indices(3, 3), triu_indices(3, 4, 1), tril_indices(4, 3, -1))
idx = tensor([[0, 2], [1, 0]])
print(take_along_dim(x, idx, 1), take_along_dim(x, tensor([[1], [0]]), dim=1), take_along_dim(x, tensor([4, 0])))
print(take_along_dim(x, tensor([[2, 0, 1]]), dim=1))
y = ones(1, 2)
print(block_diag(x, y), block_diag(tensor(5.0), tensor([1.0, 2.0]), x))
print(cartesian_prod(tensor([1, 2]), tensor([3, 4, 5])), cartesian_prod(tensor([7., 8.])))
print(combinations(tensor([1., 2., 3.])), combinations(tensor([1, 2, 3]), r=3), combinations(tensor([1, 2]), with_replacement=true))
v = randn(4, requires_grad=true)
loss = (rot90(x) * arange(6.).reshape(3, 2)).sum() + take_along_dim(x, idx, 1).pow(2).sum() + block_diag(x, v).sum() + combinations(v).prod(1).sum() + cartesian_prod(v, v[:2]).pow(2).sum()
loss.backward()
print(x.grad, v.grad)
"#;
    assert_eq!(run(program), "tensor([[-2.1788, -1.3986],\n        [-0.2934, -1.0845],\n        [ 1.5410,  0.5684]], grad_fn=<Rot90Backward0>) tensor([[-1.3986, -1.0845,  0.5684],\n        [-2.1788, -0.2934,  1.5410]], grad_fn=<Rot90Backward0>) tensor([[ 0.5684,  1.5410],\n        [-1.0845, -0.2934],\n        [-1.3986, -2.1788]], grad_fn=<Rot90Backward0>) tensor([[ 0.5684,  1.5410],\n        [-1.0845, -0.2934],\n        [-1.3986, -2.1788]], grad_fn=<Rot90Backward0>)\ntensor([[ 1.5410, -0.2934, -2.1788],\n        [ 0.5684, -1.0845, -1.3986]], grad_fn=<Rot90Backward0>) tensor([[ 0.5684,  1.5410],\n        [-1.0845, -0.2934],\n        [-1.3986, -2.1788]], grad_fn=<Rot90Backward0>)\ntensor([[0, 1, 1, 2, 2, 2],\n        [0, 0, 1, 0, 1, 2]]) tensor([[0, 0, 0, 1, 1, 2],\n        [1, 2, 3, 2, 3, 3]]) tensor([[1, 2, 2, 3, 3, 3],\n        [0, 0, 1, 0, 1, 2]])\ntensor([[ 1.5410, -2.1788],\n        [-1.0845,  0.5684]], grad_fn=<GatherBackward0>) tensor([[-0.2934],\n        [ 0.5684]], grad_fn=<GatherBackward0>) tensor([-1.0845,  1.5410], grad_fn=<GatherBackward0>)\ntensor([[-2.1788,  1.5410, -0.2934],\n        [-1.3986,  0.5684, -1.0845]], grad_fn=<GatherBackward0>)\ntensor([[ 1.5410, -0.2934, -2.1788,  0.0000,  0.0000],\n        [ 0.5684, -1.0845, -1.3986,  0.0000,  0.0000],\n        [ 0.0000,  0.0000,  0.0000,  1.0000,  1.0000]],\n       grad_fn=<BlockDiagBackward0>) tensor([[ 5.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [ 0.0000,  1.0000,  2.0000,  0.0000,  0.0000,  0.0000],\n        [ 0.0000,  0.0000,  0.0000,  1.5410, -0.2934, -2.1788],\n        [ 0.0000,  0.0000,  0.0000,  0.5684, -1.0845, -1.3986]],\n       grad_fn=<BlockDiagBackward0>)\ntensor([[1, 3],\n        [1, 4],\n        [1, 5],\n        [2, 3],\n        [2, 4],\n        [2, 5]]) tensor([7., 8.])\ntensor([[1., 2.],\n        [1., 3.],\n        [2., 3.]]) tensor([[1, 2, 3]]) tensor([[1, 1],\n        [1, 2],\n        [2, 2]])\ntensor([[ 8.0820,  3.0000, -3.3576],\n        [ 7.1369,  1.8310,  2.0000]]) tensor([ 5.5556, 10.3371, -1.0390, -0.0913])\n");
}

/// Rotation dimensions must be two different ones; indices must be i64 of
/// the input's rank; blocks at most 2-d; combinations of a 1-d tensor.
#[test]
fn rearranging_builtins_refuse_what_pytorch_refuses() {
    assert_eq!(first_error("print(rot90(randn(2, 3), 1, [0, 0]))\n").0, Code::E0220);
    assert_eq!(first_error("print(rot90(randn(3), 1))\n").0, Code::E0220);
    assert_eq!(first_error("print(take_along_dim(randn(2, 3), tensor([[0.0]]), 1))\n").0, Code::E0204);
    assert_eq!(first_error("print(take_along_dim(randn(2, 3), tensor([0]), 1))\n").0, Code::E0221);
    assert_eq!(first_error("print(block_diag(randn(2, 2, 2)))\n").0, Code::E0221);
    assert_eq!(first_error("print(combinations(randn(2, 2)))\n").0, Code::E0221);
    assert_eq!(first_error("print(tril_indices(-1, 3))\n").0, Code::E0107);
}

/// `diag_embed` with offsets of both signs and moved dimensions, NaN and -1 on the diagonal, and its gradient, as PyTorch 2.15 prints them.
#[test]
fn diag_embed_is_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, requires_grad=true)
print(diag_embed(x))
print(diag_embed(x, 1)[0], diag_embed(x, -2)[1])
print(diag_embed(x, 0, 0, 2).shape, diag_embed(x, 1, 0, 2)[:, 0, :], diag_embed(x, -1, 2, 0)[:, 1, :])
print(diag_embed(tensor([-1.0, nan])))
(diag_embed(x, 1) * arange(16.).reshape(4, 4)).sum().backward()
print(x.grad)
"#;
    assert_eq!(run(program), "tensor([[[ 1.5410,  0.0000,  0.0000],\n         [ 0.0000, -0.2934,  0.0000],\n         [ 0.0000,  0.0000, -2.1788]],\n\n        [[ 0.5684,  0.0000,  0.0000],\n         [ 0.0000, -1.0845,  0.0000],\n         [ 0.0000,  0.0000, -1.3986]]], grad_fn=<DiagEmbedBackward0>)\ntensor([[ 0.0000,  1.5410,  0.0000,  0.0000],\n        [ 0.0000,  0.0000, -0.2934,  0.0000],\n        [ 0.0000,  0.0000,  0.0000, -2.1788],\n        [ 0.0000,  0.0000,  0.0000,  0.0000]], grad_fn=<SelectBackward0>) tensor([[ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [ 0.5684,  0.0000,  0.0000,  0.0000,  0.0000],\n        [ 0.0000, -1.0845,  0.0000,  0.0000,  0.0000],\n        [ 0.0000,  0.0000, -1.3986,  0.0000,  0.0000]],\n       grad_fn=<SelectBackward0>)\ntorch.Size([3, 2, 3]) tensor([[ 0.0000,  1.5410,  0.0000,  0.0000],\n        [ 0.0000,  0.0000, -0.2934,  0.0000],\n        [ 0.0000,  0.0000,  0.0000, -2.1788],\n        [ 0.0000,  0.0000,  0.0000,  0.0000]], grad_fn=<SelectBackward0>) tensor([[ 0.0000,  0.5684,  0.0000,  0.0000],\n        [ 0.0000,  0.0000, -1.0845,  0.0000],\n        [ 0.0000,  0.0000,  0.0000, -1.3986],\n        [ 0.0000,  0.0000,  0.0000,  0.0000]], grad_fn=<SelectBackward0>)\ntensor([[-1.,  0.],\n        [ 0., nan]])\ntensor([[ 1.,  6., 11.],\n        [ 1.,  6., 11.]])\n");
}

/// `diag_embed`'s two dimensions must differ and exist.
#[test]
fn diag_embed_dimensions_must_differ() {
    assert_eq!(first_error("print(diag_embed(randn(2, 3), 0, 1, 1))\n").0, Code::E0220);
    assert_eq!(first_error("print(diag_embed(randn(2, 3), 0, 0, 3))\n").0, Code::E0220);
}
