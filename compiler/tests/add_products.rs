//! `addmm`, `addmv`, `addr`, `baddbmm` and `addbmm` (`beta * input + alpha *
//! product`): the lines of a PyTorch program and what PyTorch 2.15 prints for
//! them, and ATen's shape checks with its messages.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `addmv`, `addr`, `baddbmm`, `addbmm` and `addmm` with and without `beta`/`alpha` (a zero `beta` ignoring a NaN input, methods): values, `grad_fn`s and gradients as PyTorch 2.15 prints them; the sums times 1000 in full compare every bit of `addr`'s vector and tail elements.
#[test]
fn add_products_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(3, requires_grad=true)
m = randn(3, 4, requires_grad=true)
v = randn(4, requires_grad=true)
y = addmv(x, m, v)
print(y)
y.sum().backward()
print(x.grad, m.grad, v.grad)
print(addmv(x, m, v, beta=0.5, alpha=2.0))
print(addmv(tensor([nan, 1.0, 2.0]), m, v, beta=0))
print(x.addmv(m, v))
s = randn(3, 20, requires_grad=true)
v2 = randn(20, requires_grad=true)
r = addr(s, x, v2, beta=0.7, alpha=1.3)
print(r[:, 14:])
print((r.double() * 1000).sum().item())
print((addr(s, x, v2).double() * 1000).sum().item())
(r * randn(r.shape)).sum().backward()
print(s.grad[:, :3], v2.grad[:4])
print(addr(zeros(2, 2), tensor([1., 2.]), tensor([3., 4.]), beta=0, alpha=2))
b1 = randn(2, 3, 4, requires_grad=true)
b2 = randn(2, 4, 5, requires_grad=true)
inp = randn(3, 5)
z = baddbmm(inp, b1, b2)
print(z)
z.sum().backward()
print(b1.grad[0], b2.grad[1])
print(baddbmm(inp, b1, b2, beta=0.0, alpha=0.125)[1])
w = addbmm(inp, b1, b2)
print(w)
print(addbmm(inp, b1, b2, beta=2, alpha=0.5))
a = randn(4, 3)
mm = addmm(randn(5), a, randn(3, 5), beta=0.5, alpha=2)
print(mm)
"#;
    assert_eq!(run(program), "tensor([ 1.3433,  0.5984, -0.3052], grad_fn=<AddmvBackward0>)\ntensor([1., 1., 1.]) tensor([[ 0.1227, -0.5663,  0.3731, -0.8920],\n        [ 0.1227, -0.5663,  0.3731, -0.8920],\n        [ 0.1227, -0.5663,  0.3731, -0.8920]]) tensor([ 1.5885, -2.6605, -0.7013, -1.2645])\ntensor([0.3751, 1.6370, 2.6579], grad_fn=<AddmvBackward0>)\ntensor([-0.1977,  0.8919,  1.8736], grad_fn=<AddmvBackward0>)\ntensor([ 1.3433,  0.5984, -0.3052], grad_fn=<AddmvBackward0>)\ntensor([[-3.3960,  1.2699,  5.5453,  2.1604,  0.6863,  0.6640],\n        [ 1.6306,  1.6519, -1.8164, -0.6933, -0.9718, -0.2601],\n        [ 3.7837, -0.7552, -7.4925, -3.7336, -1.8377, -1.3255]],\n       grad_fn=<SliceBackward0>)\n-13781.689882278442\n-11204.077363014221\ntensor([[-0.5806, -0.9851,  1.1388],\n        [-1.6252, -0.8375,  0.1379],\n        [ 0.9183, -0.1469,  0.5472]]) tensor([-4.4917, -1.7684,  0.9697, -2.0090])\ntensor([[ 6.,  8.],\n        [12., 16.]])\ntensor([[[-1.1657,  1.5237,  2.3064,  1.1485, -1.0776],\n         [ 0.4791,  1.5832,  3.5383, -1.6463,  2.3302],\n         [ 1.5170, -1.9803, -3.0421, -2.1545,  0.5737]],\n\n        [[-1.1734,  1.2276, -0.7444,  1.8866, -0.1033],\n         [ 2.2503,  3.2202,  0.8489, -0.6379,  2.2237],\n         [-0.2966, -3.0763, -1.5996, -3.7808, -1.1020]]],\n       grad_fn=<BaddbmmBackward0>)\ntensor([[ 1.2260,  1.9937,  1.2058, -3.3014],\n        [ 1.2260,  1.9937,  1.2058, -3.3014],\n        [ 1.2260,  1.9937,  1.2058, -3.3014]]) tensor([[ 2.0244,  2.0244,  2.0244,  2.0244,  2.0244],\n        [-0.3157, -0.3157, -0.3157, -0.3157, -0.3157],\n        [-0.5697, -0.5697, -0.5697, -0.5697, -0.5697],\n        [-1.4248, -1.4248, -1.4248, -1.4248, -1.4248]])\ntensor([[ 0.0420,  0.1390,  0.0223,  0.1074,  0.1272],\n        [ 0.1899,  0.4080, -0.0393, -0.0987,  0.1893],\n        [-0.0880, -0.1422, -0.0400, -0.3041, -0.1453]],\n       grad_fn=<SelectBackward0>)\ntensor([[-0.8300,  2.6355,  2.4847,  2.0078, -0.0598],\n        [ 1.9987,  4.8474,  3.2238, -2.4362,  3.8448],\n        [ 0.8132, -3.1183, -3.3618, -4.5871, -0.5886]],\n       grad_fn=<AddbmmBackward0>)\ntensor([[-2.6786,  1.4915, -0.1416,  2.5448, -1.7115],\n        [ 2.0955,  2.3578,  3.3570, -0.9902,  2.9861],\n        [ 1.0174, -4.4666, -3.6008, -4.3159, -0.2040]],\n       grad_fn=<AddbmmBackward0>)\ntensor([[ 3.3727, -1.0692, -1.4459, -0.3695, -2.8827],\n        [-6.2175, -2.1601, -1.0996, -1.7099,  4.7210],\n        [ 1.3425, -0.7237, -1.6637, -0.4179, -3.1856],\n        [ 1.5940, -1.9370, -2.5211, -0.5387, -6.0107]])\n");
}

/// ATen's shape checks, with its messages.
#[test]
fn bad_shapes_are_compile_errors() {
    let cases: &[(&str, &str)] = &[
        ("y = addmv(randn(3), randn(3, 4), randn(5))\n", "size mismatch, got input (3), mat (3x4), vec (5)"),
        ("y = addmv(randn(3), randn(3, 4, 1), randn(4))\n", "vector + matrix @ vector expected, got 1, 3, 1"),
        ("y = addr(randn(3, 4), randn(3, 1), randn(4))\n", "addr: Expected 1-D argument vec1, but got 2-D"),
        (
            "y = addr(randn(2, 4), randn(3), randn(4))\n",
            "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3, 4].  Tensor sizes: [2, 4]",
        ),
        (
            "y = baddbmm(randn(2, 3, 5), randn(2, 3, 4), randn(3, 4, 5))\n",
            "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].",
        ),
        ("y = addbmm(randn(3, 6), randn(2, 3, 4), randn(3, 4, 6))\n", "batch1 and batch2 must have same number of batches, got 2 and 3"),
        (
            "y = addbmm(randn(4, 6), randn(2, 3, 4), randn(2, 4, 6))\n",
            "The expanded size of the tensor (3) must match the existing size (4) at non-singleton dimension 0.  Target sizes: [3, 6].  Tensor sizes: [4, 6]",
        ),
    ];
    for (source, message) in cases {
        let (c, m, _) = first_error(source);
        assert_eq!((c, m.as_str()), (Code::E0202, *message), "{source}");
    }
    assert_eq!(first_error("y = addmm(randn(3), randn(3, 4), randn(4, 3), beta=\"x\")\n").0, Code::E0107);
}
