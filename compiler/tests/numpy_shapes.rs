//! NumPy's shape helpers as PyTorch spells them (`movedim`, `moveaxis`,
//! `swapaxes`, `swapdims`, `tile`, `unflatten`, `hstack`, `vstack`,
//! `row_stack`, `dstack`, `column_stack`, `atleast_1d/2d/3d`): the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them, and the errors
//! PyTorch raises, caught before the run.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, shapes, `grad_fn`s and gradients as PyTorch 2.15 prints them.
#[test]
fn numpy_shape_helpers_are_pytorchs() {
    let program = r#"
manual_seed(0)
a = randn(2, 3, requires_grad=true)
v = randn(3, requires_grad=true)
s = tensor(2.0, requires_grad=true)
b = randn(2, 3, 4, requires_grad=true)
m = movedim(b, 0, 2)
print(m.shape, m[0])
print(movedim(b, (0, 1), (2, 0)).shape, b.moveaxis(-1, 0).shape)
print(movedim(v, 0, 0))
print(swapaxes(a, 0, 1))
print(a.swapdims(1, 0).shape)
print(tile(a, (2,)))
print(a.tile(2, 1, 1).shape, tile(s, (3,)))
u = b.unflatten(2, (2, -1))
print(u.shape, u[0, 0])
print(hstack([a, a]).shape, hstack((v, v)), hstack([s, s]))
print(vstack([a, v]))
print(row_stack([v, v]).shape, dstack([a, a]).shape, dstack([v, v]).shape)
print(column_stack([v, v]))
print(column_stack([a.t(), v]).shape)
print(atleast_1d(s), atleast_2d(v))
print(atleast_3d(a).shape, atleast_3d(v).shape, atleast_3d(s).shape)
print(atleast_2d(v, a))
print(atleast_1d([v, s]))
loss = (movedim(b, 0, 2) * arange(24.0).reshape(3, 4, 2)).sum() + (tile(a, (2, 2)) ** 2).sum() + column_stack([v, v * 2]).pow(3).sum() + dstack([s, s]).sum()
loss.backward()
print(b.grad[1])
print(a.grad)
print(v.grad, s.grad)
"#;
    assert_eq!(run(program), "torch.Size([3, 4, 2]) tensor([[ 0.5988, -0.6731],\n        [-1.5551,  0.8728],\n        [-0.3414,  1.0554],\n        [ 1.8530,  0.1778]], grad_fn=<SelectBackward0>)\ntorch.Size([3, 4, 2]) torch.Size([4, 2, 3])\ntensor([ 0.4033,  0.8380, -0.7193], grad_fn=<PermuteBackward0>)\ntensor([[ 1.5410,  0.5684],\n        [-0.2934, -1.0845],\n        [-2.1788, -1.3986]], grad_fn=<TransposeBackward0>)\ntorch.Size([3, 2])\ntensor([[ 1.5410, -0.2934, -2.1788,  1.5410, -0.2934, -2.1788],\n        [ 0.5684, -1.0845, -1.3986,  0.5684, -1.0845, -1.3986]],\n       grad_fn=<RepeatBackward0>)\ntorch.Size([2, 2, 3]) tensor([2., 2., 2.], grad_fn=<RepeatBackward0>)\ntorch.Size([2, 3, 2, 2]) tensor([[ 0.5988, -1.5551],\n        [-0.3414,  1.8530]], grad_fn=<SelectBackward0>)\ntorch.Size([2, 6]) tensor([ 0.4033,  0.8380, -0.7193,  0.4033,  0.8380, -0.7193],\n       grad_fn=<CatBackward0>) tensor([2., 2.], grad_fn=<CatBackward0>)\ntensor([[ 1.5410, -0.2934, -2.1788],\n        [ 0.5684, -1.0845, -1.3986],\n        [ 0.4033,  0.8380, -0.7193]], grad_fn=<CatBackward0>)\ntorch.Size([2, 3]) torch.Size([2, 3, 2]) torch.Size([1, 3, 2])\ntensor([[ 0.4033,  0.4033],\n        [ 0.8380,  0.8380],\n        [-0.7193, -0.7193]], grad_fn=<CatBackward0>)\ntorch.Size([3, 3])\ntensor([2.], grad_fn=<ViewBackward0>) tensor([[ 0.4033,  0.8380, -0.7193]], grad_fn=<UnsqueezeBackward0>)\ntorch.Size([2, 3, 1]) torch.Size([1, 3, 1]) torch.Size([1, 1, 1])\n(tensor([[ 0.4033,  0.8380, -0.7193]], grad_fn=<UnsqueezeBackward0>), tensor([[ 1.5410, -0.2934, -2.1788],\n        [ 0.5684, -1.0845, -1.3986]], requires_grad=True))\n(tensor([ 0.4033,  0.8380, -0.7193], requires_grad=True), tensor([2.], grad_fn=<ViewBackward0>))\ntensor([[ 1.,  3.,  5.,  7.],\n        [ 9., 11., 13., 15.],\n        [17., 19., 21., 23.]])\ntensor([[ 12.3280,  -2.3474, -17.4303],\n        [  4.5475,  -8.6762, -11.1888]])\ntensor([ 4.3926, 18.9618, 13.9679]) tensor(2.)\n");
}

/// `movedim` names each dimension once, and as many places as dimensions.
#[test]
fn movedim_rejects_repeated_or_unmatched_dimensions() {
    assert_eq!(first_error("x = randn(2, 3, 4)\nprint(movedim(x, (0, 0), (1, 2)))\n").0, Code::E0220);
    assert_eq!(first_error("x = randn(2, 3, 4)\nprint(movedim(x, (0, 1), 1))\n").0, Code::E0220);
    assert_eq!(first_error("x = randn(2, 3, 4)\nprint(movedim(x, 3, 0))\n").0, Code::E0220);
}

/// `unflatten`'s sizes must multiply to the dimension's size.
#[test]
fn unflatten_sizes_must_fit() {
    assert_eq!(first_error("x = randn(2, 3)\nprint(x.unflatten(1, (2, 2)))\n").0, Code::E0221);
    assert_eq!(first_error("x = randn(2, 4)\nprint(x.unflatten(1, (-1, -1)))\n").0, Code::E0221);
}

/// `hstack` joins tensors whose other sizes agree, as `cat` does.
#[test]
fn hstack_needs_matching_sizes() {
    assert_eq!(first_error("print(column_stack([tensor(1.0), arange(3.0)]))\n").0, Code::E0221);
}
