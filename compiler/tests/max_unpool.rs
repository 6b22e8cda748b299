//! `max_unpool1d`/`max_unpool2d` and their modules (`lower/max_unpool.rs`):
//! the lines of a PyTorch program and what PyTorch 2.15 prints for them, and
//! the checks of the indices and `output_size`.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `max_unpool2d` of `max_pool2d`'s values and indices with its gradient, the `MaxUnpool2d` module's repr and calls with `output_size` (4 and 2 entries), `max_unpool1d` and `MaxUnpool1d`, overlapping padded windows (a repeated index), an unbatched input and the 1-D `grad_fn`, as PyTorch 2.15 prints them.
#[test]
fn max_unpool_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
x = randn(1, 2, 4, 4, requires_grad=true)
p, i = max_pool2d(x, 2, return_indices=true)
u = max_unpool2d(p, i, 2)
print(u)
print(u.grad_fn)
(u * arange(32.0).reshape(1, 2, 4, 4)).sum().backward()
print(x.grad)
pool = MaxPool2d(2, stride=2, return_indices=true)
unpool = MaxUnpool2d(2, stride=2)
print(unpool)
y = tensor([[[[1., 2., 3., 4.], [5., 6., 7., 8.], [9., 10., 11., 12.], [13., 14., 15., 16.]]]])
o, ind = pool(y)
print(unpool(o, ind))
print(unpool(o, ind, output_size=[1, 1, 5, 5]))
print(max_unpool2d(o, ind, 2, output_size=(5, 5)).shape)
a = tensor([[[1., 2, 3, 4, 5, 6, 7, 8]]])
ao, ai = max_pool1d(a, 2, return_indices=true)
print(max_unpool1d(ao, ai, 2))
print(MaxUnpool1d(2)(ao, ai, output_size=[9]))
b = randn(2, 3, 5, 5)
bo, bi = max_pool2d(b, 3, stride=2, padding=1, return_indices=true)
r = max_unpool2d(bo, bi, 3, stride=2, padding=1)
print(r.shape)
print((r != 0).sum())
z = randn(3, 4, 4, requires_grad=true)
zo, zi = max_pool2d(z, 2, return_indices=true)
zu = max_unpool2d(zo, zi, 2)
print(zu.shape, zu.grad_fn)
v = randn(1, 1, 6, requires_grad=true)
vo, vi = max_pool1d(v, 3, return_indices=true)
vu = max_unpool1d(vo, vi, 3)
print(vu.grad_fn)
"#;
    assert_eq!(run(program), "tensor([[[[ 0.0000,  0.0000, -0.2506,  0.0000],\n          [ 0.8487,  0.0000,  0.0000,  0.0000],\n          [ 0.0000,  0.0000,  0.0000,  0.0000],\n          [ 0.0000,  1.2377,  1.1168,  0.0000]],\n\n         [[ 0.0000,  0.0000,  0.0000,  0.0000],\n          [ 0.5988,  0.0000,  0.0000,  1.8530],\n          [ 0.0000,  0.0000,  0.0000,  0.0000],\n          [ 0.0000,  1.5863,  0.9463,  0.0000]]]],\n       grad_fn=<MaxUnpool2DBackward0>)\n<MaxUnpool2DBackward0 object>\ntensor([[[[ 0.,  0.,  2.,  0.],\n          [ 4.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.],\n          [ 0., 13., 14.,  0.]],\n\n         [[ 0.,  0.,  0.,  0.],\n          [20.,  0.,  0., 23.],\n          [ 0.,  0.,  0.,  0.],\n          [ 0., 29., 30.,  0.]]]])\nMaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))\ntensor([[[[ 0.,  0.,  0.,  0.],\n          [ 0.,  6.,  0.,  8.],\n          [ 0.,  0.,  0.,  0.],\n          [ 0., 14.,  0., 16.]]]])\ntensor([[[[ 0.,  0.,  0.,  0.,  0.],\n          [ 6.,  0.,  8.,  0.,  0.],\n          [ 0.,  0.,  0., 14.,  0.],\n          [16.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.]]]])\ntorch.Size([1, 1, 5, 5])\ntensor([[[0., 2., 0., 4., 0., 6., 0., 8.]]])\ntensor([[[0., 2., 0., 4., 0., 6., 0., 8., 0.]]])\ntorch.Size([2, 3, 5, 5])\ntensor(38)\ntorch.Size([3, 4, 4]) <MaxUnpool2DBackward0 object>\n<SqueezeBackward1 object>\n");
}

/// An `output_size` more than a stride away from the default, of a length
/// that is neither 2 nor 4, and indices of another shape than the input are
/// compile errors in PyTorch's words.
#[test]
fn bad_unpool_calls_are_compile_errors() {
    let pooled = "o, i = max_pool2d(randn(1, 1, 4, 4), 2, return_indices=true)\n";
    let (code, msg, _) = first_error(&format!("{pooled}u = max_unpool2d(o, i, 2, output_size=(7, 7))\n"));
    assert_eq!((code, msg.as_str()), (Code::E0107, "invalid output_size \"(7, 7)\" (dim 0 must be between 2 and 6)"));
    let (code, msg, _) = first_error(&format!("{pooled}u = max_unpool2d(o, i, 2, output_size=(1, 4, 4, 4, 4))\n"));
    assert_eq!((code, msg.as_str()), (Code::E0107, "output_size should be a sequence containing 2 or 4 elements, but it has a length of '5'"));
    let (code, msg, _) = first_error(&format!("{pooled}u = max_unpool2d(o, i[..., :1], 2)\n"));
    assert_eq!(
        (code, msg.as_str()),
        (
            Code::E0202,
            "Expected shape of indices to be same as that of the input tensor ([1, 1, 2, 2]) but got indices tensor with shape: [1, 1, 2, 1]"
        )
    );
}
