//! `unfold`/`fold` (`F.unfold`, `F.fold`, `nn.Unfold`, `nn.Fold`) and the
//! tensor method `x.unfold(dimension, size, step)`: the lines of a PyTorch
//! program and what PyTorch 2.15 prints for them, and ATen's shape checks as
//! compile errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `unfold`/`fold` (kernel, dilation, padding and stride pairs, unbatched, the modules and their reprs) and `x.unfold`: values, shapes, `grad_fn`s and gradients as PyTorch 2.15 prints them; the sums times 1000 printed in full compare every bit of the overlapping sums.
#[test]
fn unfold_fold_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, 5, 6, requires_grad=true)
u = unfold(x, kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
print(u.shape, u.grad_fn.name())
print(u[0, :4, :6])
w = randn(u.shape)
(u * w).sum().backward()
print(x.grad[1, 2])
print((x.grad.double() * 1000).sum().item())
u2 = unfold(x, 3)
print(u2.shape, (u2.double() * 1000).sum().item())
c = randn(2, 3 * 4, 20, requires_grad=true)
f = fold(c, output_size=(5, 6), kernel_size=2)
print(f.shape, f.grad_fn.name())
print(f[0, 0])
print((f.double() * 1000).sum().item())
g = randn(f.shape)
(f * g).sum().backward()
print(c.grad[1, :3, :5])
cc = randn(12, 16)
print(fold(cc, (7, 7), 2, dilation=2, padding=1, stride=2))
xu = randn(3, 4, 4)
print(unfold(xu, 2, stride=2).shape)
# fold(unfold(x)) counts how many windows cover each pixel
ones = ones(1, 1, 4, 4)
print(fold(unfold(ones, 3, padding=1), (4, 4), 3, padding=1))
m = Unfold(kernel_size=(2, 3))
print(m)
print(m(arange(24.).reshape(1, 2, 3, 4)))
fm = Fold(output_size=(3, 4), kernel_size=(2, 3))
print(fm)
print(fm(m(arange(24.).reshape(1, 2, 3, 4))))
# Tensor.unfold
t = arange(1., 8.)
print(t.unfold(0, 2, 1))
print(t.unfold(0, 3, 2))
a = randn(3, 7, 2, requires_grad=true)
v = a.unfold(1, 3, 2)
print(v.shape, v.grad_fn.name())
print(v[0])
(v * randn(v.shape)).sum().backward()
print(a.grad[0])
b = randn(4, 6, requires_grad=true)
pb = b.unfold(0, 2, 2).unfold(1, 3, 3)
print(pb.shape)
pb.pow(2).sum().backward()
print(b.grad)
"#;
    assert_eq!(run(program), "torch.Size([2, 18, 12]) Im2ColBackward0\ntensor([[ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000, -0.3160],\n        [ 0.0000,  0.0000,  0.0000,  0.0000, -2.1152,  0.3223],\n        [ 0.0000,  0.0000,  0.0000,  0.0000, -1.2633,  0.3500],\n        [ 0.0000, -1.1258, -1.1524, -0.2506,  0.0000,  0.1198]],\n       grad_fn=<SliceBackward0>)\ntensor([[-0.1560, -0.9688,  1.0447, -3.7351,  3.1435,  2.1099],\n        [ 0.6116,  1.6893,  1.2181,  1.2928,  0.2082, -0.2454],\n        [-0.3494,  0.6059, -0.0540,  2.3882,  1.5875, -1.0182],\n        [ 1.3103,  0.8688,  1.2580, -2.7445, -0.4209,  0.1398],\n        [-0.8313, -0.8173,  2.8685,  0.1954,  3.4262, -0.8604]])\n32370.428291149437\ntorch.Size([2, 27, 12]) 38320.96821872983\ntorch.Size([2, 3, 5, 6]) Col2ImBackward0\ntensor([[-0.0949,  0.6950,  2.2577, -0.4148,  0.0559, -0.2995],\n        [-0.3340, -1.4564, -0.9024,  1.6387,  1.7252, -0.4270],\n        [-0.9729, -1.9037,  0.4380, -1.4701,  0.9529,  1.5044],\n        [-1.9040, -0.3470,  1.5924,  0.6999, -3.4158,  1.9685],\n        [ 0.4064, -1.2078,  0.8224,  1.0935, -0.0544, -0.5849]],\n       grad_fn=<SelectBackward0>)\n-13382.362513919361\ntensor([[-1.1390,  1.2418, -1.5525, -0.6812, -0.2522],\n        [ 1.2418, -1.5525, -0.6812, -0.2522,  0.1669],\n        [-0.1736,  0.7670,  0.6180,  2.7899, -0.2389]])\ntensor([[[ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000,  0.6950,  0.0000,  5.2960,  0.0000,  0.8827,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000,  3.0108,  0.0000,  0.5466,  0.0000,  2.5411,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000, -0.9451,  0.0000, -4.9071,  0.0000,  2.1764,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000]],\n\n        [[ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000,  1.9367,  0.0000, -1.9831,  0.0000, -1.2594,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000, -3.0367,  0.0000,  1.5760,  0.0000, -2.1500,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000,  1.0299,  0.0000,  1.8980,  0.0000,  0.5499,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000]],\n\n        [[ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000,  2.2235,  0.0000, -2.7893,  0.0000, -2.0295,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000,  1.5119,  0.0000,  3.6409,  0.0000,  1.6628,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n         [ 0.0000, -0.1476,  0.0000,  1.8530,  0.0000,  1.4797,  0.0000],\n         [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000]]])\ntorch.Size([12, 4])\ntensor([[[[4., 6., 6., 4.],\n          [6., 9., 9., 6.],\n          [6., 9., 9., 6.],\n          [4., 6., 6., 4.]]]])\nUnfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)\ntensor([[[ 0.,  1.,  4.,  5.],\n         [ 1.,  2.,  5.,  6.],\n         [ 2.,  3.,  6.,  7.],\n         [ 4.,  5.,  8.,  9.],\n         [ 5.,  6.,  9., 10.],\n         [ 6.,  7., 10., 11.],\n         [12., 13., 16., 17.],\n         [13., 14., 17., 18.],\n         [14., 15., 18., 19.],\n         [16., 17., 20., 21.],\n         [17., 18., 21., 22.],\n         [18., 19., 22., 23.]]])\nFold(output_size=(3, 4), kernel_size=(2, 3), dilation=1, padding=0, stride=1)\ntensor([[[[ 0.,  2.,  4.,  3.],\n          [ 8., 20., 24., 14.],\n          [ 8., 18., 20., 11.]],\n\n         [[12., 26., 28., 15.],\n          [32., 68., 72., 38.],\n          [20., 42., 44., 23.]]]])\ntensor([[1., 2.],\n        [2., 3.],\n        [3., 4.],\n        [4., 5.],\n        [5., 6.],\n        [6., 7.]])\ntensor([[1., 2., 3.],\n        [3., 4., 5.],\n        [5., 6., 7.]])\ntorch.Size([3, 3, 2, 3]) UnfoldBackward0\ntensor([[[ 1.0310, -1.1403,  0.1695],\n         [-1.0289, -0.3664,  1.3346]],\n\n        [[ 0.1695,  0.5806, -0.0510],\n         [ 1.3346,  1.2176, -1.8672]],\n\n        [[-0.0510,  0.3453,  0.6949],\n         [-1.8672, -0.3663,  0.7323]]], grad_fn=<SelectBackward0>)\ntensor([[-1.6949, -0.7546],\n        [-1.0143,  1.1411],\n        [-0.3586, -0.9221],\n        [-1.2609,  1.1369],\n        [ 0.6430, -0.3305],\n        [-0.9747,  0.2769],\n        [-0.6575, -0.4152]])\ntorch.Size([2, 2, 2, 3])\ntensor([[ 1.3201,  1.9915, -0.4528,  1.1812, -5.2572,  0.8898],\n        [ 0.0466,  0.0480, -1.1694,  3.9773, -0.0468,  1.4233],\n        [-2.1259, -0.1282,  2.3567, -1.3047,  2.5196,  3.0173],\n        [-0.1587,  1.6389,  1.6727, -0.7244, -2.3077, -1.1224]])\n");
}

/// An update of the base reads through `x.unfold`'s windows, and an update of
/// non-overlapping windows writes the base, as PyTorch's view does.
#[test]
fn tensor_unfold_is_a_view() {
    let program = "b = arange(6.)\nv = b.unfold(0, 2, 2)\nb[0] = 100\nprint(v)\nv[1, 0] = -1\nprint(b)\n";
    assert_eq!(run(program), "tensor([[100.,   1.],\n        [  2.,   3.],\n        [  4.,   5.]])\ntensor([100.,   1.,  -1.,   3.,   4.,   5.])\n");
}

/// ATen's checks of the window sizes and shapes, with its messages.
#[test]
fn bad_windows_are_compile_errors() {
    let cases: &[(&str, Code, &str)] = &[
        ("y = unfold(randn(1, 2, 4, 5), 0)\n", Code::E0107, "kernel size should be greater than zero, but got kernel_size=0"),
        ("y = unfold(randn(1, 2, 4, 5), 2, padding=-1)\n", Code::E0107, "padding should be non-negative, but got padding=-1"),
        ("y = unfold(randn(1, 2, 4, 5), (2, 3, 4))\n", Code::E0107, "It is expected kernel_size equals to 2, but got size 3"),
        (
            "y = unfold(randn(1, 2, 4, 5), 6)\n",
            Code::E0202,
            "Given input with spatial size (4, 5), kernel_size=(6, 6), dilation=(1, 1), padding=(0, 0), calculated shape of the array of sliding blocks as (-1, 0), but its components must be at least one.",
        ),
        (
            "y = unfold(randn(4, 5), 2)\n",
            Code::E0202,
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [4, 5]",
        ),
        (
            "y = fold(randn(1, 7, 12), (4, 5), 2)\n",
            Code::E0202,
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=7 and kernel_size=(2, 2).",
        ),
        (
            "y = fold(randn(1, 8, 11), (4, 5), 2)\n",
            Code::E0202,
            "Given output_size=(4, 5), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), stride=(1, 1), expected size of input's dimension 2 to match the calculated number of sliding blocks 3 * 4 = 12, but got input.size(2)=11.",
        ),
        ("y = randn(3, 4).unfold(1, 5, 1)\n", Code::E0202, "maximum size for tensor at dimension 1 is 4 but size is 5"),
        ("y = randn(3, 4).unfold(1, 2, 0)\n", Code::E0202, "step is 0 but must be > 0"),
    ];
    for (source, code, message) in cases {
        let (c, m, _) = first_error(source);
        assert_eq!((c, m.as_str()), (*code, *message), "{source}");
    }
    assert_eq!(first_error("y = unfold(randn(1, 1, 3000, 3000), 3)\n").0, Code::E0501);
}
/// The example of `nn.Unfold`'s documentation: a convolution as `unfold`, a matrix product and `fold` (within 1e-5 of `conv2d`, and `fold` with a 1x1 kernel equal to a view).
#[test]
fn convolution_is_unfold_matmul_fold() {
    let program = r#"
manual_seed(0)
inp = randn(1, 3, 10, 12)
w = randn(2, 3, 4, 5)
inp_unf = unfold(inp, (4, 5))
out_unf = inp_unf.transpose(1, 2).matmul(w.view(w.size(0), -1).t()).transpose(1, 2)
out = fold(out_unf, (7, 8), (1, 1))
print(out.shape, (conv2d(inp, w) - out).abs().max() < 1e-5)
print(equal(out, out_unf.view(1, 2, 7, 8)))
"#;
    assert_eq!(run(program), "torch.Size([1, 2, 7, 8]) tensor(True)\nTrue\n");
}
