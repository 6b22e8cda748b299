//! `cdist(x1, x2, p=2.0, compute_mode=none)` and `pdist(input, p=2.0)`: the
//! lines of PyTorch programs and what PyTorch 2.15 prints for them, and
//! ATen's checks with its messages.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `cdist` on both of ATen's paths (its kernel for p = 0, 1, 2, 3, 0.5, 1.5, inf, f32 and f64, batched; `_euclidean_dist` above 25 rows and when asked) with `grad_fn`s and gradients as PyTorch 2.15 prints them; the sums times 1000 in full compare every bit of the kernel's distances.
#[test]
fn cdist_is_pytorchs() {
    let program = r#"
manual_seed(0)
a = randn(5, 7, requires_grad=true)
b = randn(4, 7, requires_grad=true)
d = cdist(a, b)
print(d, d.grad_fn.name())
(d * randn(d.shape)).sum().backward()
print(a.grad, b.grad)
print((d.double() * 1000).sum().item())
for p in [0.0, 1.0, 3.0, 0.5, 1.5, inf] {
    a.grad = none
    b.grad = none
    e = cdist(a, b, p=p)
    print(p, (e.double() * 1000).sum().item())
    e.sum().backward()
    print(a.grad[0], b.grad[1])
}
x = randn(2, 6, 3, dtype=float64, requires_grad=true)
y = randn(5, 3, dtype=float64)
z = cdist(x, y)
print(z.shape, z.grad_fn.name(), (z * 1000).sum().item())
z.sum().backward()
print(x.grad[1])
big = randn(30, 4, requires_grad=true)
q = randn(10, 4)
e = cdist(big, q)
print(e.grad_fn.name(), e[:2])
e.pow(2).sum().backward()
print(big.grad[:3])
print(cdist(big, q, compute_mode="donot_use_mm_for_euclid_dist")[:2])
print(cdist(a[:3], b[:2], compute_mode="use_mm_for_euclid_dist"))
u = zeros(3, 2, requires_grad=true)
v = tensor([[0.0, 0.0], [1.0, 1.0]])
w = cdist(u, v)
print(w)
w.sum().backward()
print(u.grad)
"#;
    assert_eq!(run(program), "tensor([[2.3079, 5.0002, 2.7689, 4.6845],\n        [3.1164, 4.3122, 3.5702, 3.5209],\n        [2.9221, 4.2948, 3.2259, 3.9449],\n        [1.5920, 4.4805, 2.1256, 3.2731],\n        [3.9194, 2.0473, 4.9809, 3.2839]], grad_fn=<CdistBackward0>) CdistBackward0\ntensor([[ 0.8908, -1.4271,  0.6383,  1.0470, -1.0294,  0.4556,  0.3443],\n        [-0.1041, -0.0636, -0.2162,  0.2030, -0.6299, -0.3249,  0.0222],\n        [-0.3645,  1.1779, -0.5266, -0.4452,  0.2502, -0.4939, -0.2301],\n        [-0.1783,  0.0448,  0.7405, -0.4064, -0.0854,  0.0949, -0.4387],\n        [ 0.9480,  0.5679, -0.4742, -1.5354,  0.6903,  0.0958, -1.4312]]) tensor([[-0.3926, -0.8451,  0.5906,  0.3317, -0.3918,  0.2252,  0.4535],\n        [ 0.0472,  2.4147, -0.5485, -0.4838,  0.9373, -0.3790,  0.6026],\n        [-0.4180, -1.6841,  0.3885,  1.1382,  0.2089,  0.5612,  0.1008],\n        [-0.4286, -0.1855, -0.5924,  0.1509,  0.0499, -0.2349,  0.5767]])\n69371.48547172546\n0.0 140000.0\ntensor([0., 0., 0., 0., 0., 0., 0.]) tensor([0., 0., 0., 0., 0., 0., 0.])\n1.0 150276.28421783447\ntensor([-4., -4.,  2., -2.,  2.,  2., -2.]) tensor([-1.,  5., -5., -1.,  5., -5., -1.])\n3.0 57136.49356365204\ntensor([-1.2491, -2.0499,  0.2481, -0.6002,  0.9825,  0.2577, -0.1898]) tensor([-0.4757,  3.7124, -0.3831, -0.2523,  0.9823, -0.0821,  0.2989])\n0.5 909554.5806884766\ntensor([-27.7796, -24.6474,  15.2414, -15.9394,   9.0510,  11.9449, -19.7560]) tensor([ -3.5645,  20.8023, -63.3456,  -3.1045,  30.9841, -58.8594, -15.6870])\n1.5 87817.81530380249\ntensor([-2.0667, -2.4995,  0.9441, -1.0540,  1.3935,  0.9827, -0.7437]) tensor([-0.7305,  3.8245, -1.6175, -0.6617,  2.5808, -1.4043, -0.1292])\ninf 48755.09417057037\ntensor([-2., -2.,  0.,  0.,  0.,  0.,  0.]) tensor([0., 5., 0., 0., 0., 0., 0.])\ntorch.Size([2, 6, 5]) CdistBackward0 126990.303568834\ntensor([[ 3.0227, -2.3053,  0.5387],\n        [ 3.7829,  1.4294,  2.0851],\n        [ 2.5722, -0.5834, -0.6755],\n        [-3.6962, -1.0514, -0.6440],\n        [ 2.9568,  0.0352, -1.1008],\n        [ 1.3303,  3.0796, -2.3673]], dtype=torch.float64)\nViewBackward0 tensor([[4.5236, 4.1022, 4.0891, 1.5745, 2.9284, 2.5997, 2.4909, 4.1664, 5.0114,\n         3.7905],\n        [2.8895, 2.5566, 2.5111, 2.5813, 2.4709, 1.9874, 1.1009, 2.4471, 3.2601,\n         1.2690]], grad_fn=<SliceBackward0>)\ntensor([[ 27.7677,  39.1797,  21.0682, -31.6866],\n        [ -9.2171,  -6.2429,  22.3537,  -5.4343],\n        [ 10.1888, -18.1595,  33.5640, -11.5640]])\ntensor([[4.5236, 4.1022, 4.0891, 1.5745, 2.9284, 2.5997, 2.4909, 4.1664, 5.0114,\n         3.7905],\n        [2.8895, 2.5566, 2.5111, 2.5813, 2.4709, 1.9874, 1.1009, 2.4471, 3.2601,\n         1.2690]], grad_fn=<SliceBackward0>)\ntensor([[2.3079, 5.0002],\n        [3.1164, 4.3122],\n        [2.9221, 4.2948]], grad_fn=<ViewBackward0>)\ntensor([[0.0000, 1.4142],\n        [0.0000, 1.4142],\n        [0.0000, 1.4142]], grad_fn=<CdistBackward0>)\ntensor([[-0.7071, -0.7071],\n        [-0.7071, -0.7071],\n        [-0.7071, -0.7071]])\n");
}

/// `pdist` for p = 2, 1, 0, inf (f32 and f64, fewer columns than a vector's lanes, a whole block, blocks and a partial one) and p = 3, with its `grad_fn` and gradients, a single row and equal rows: the sums times 1000 in full compare every bit of the distances and gradients (p = 3's gradient, whose kernel raises with SLEEF's `pow`, at four digits).
#[test]
fn pdist_is_pytorchs() {
    let program = r#"
manual_seed(0)
for m in [3, 8, 19] {
    for dt in [f32, f64] {
        x = randn(6, m, dtype=dt, requires_grad=true)
        for p in [2.0, 1.0, 0.0, inf] {
            x.grad = none
            d = pdist(x, p)
            (d * arange(1.0, 16.0, dtype=dt)).sum().backward()
            print(m, p, (d.double() * 1000).sum().item(), (x.grad.double() * 1000).sum().item(), (x.grad.double().abs() * 1000).sum().item())
        }
    }
}
x = randn(5, 9, requires_grad=true)
d = pdist(x, 3.0)
d.sum().backward()
print((d.double() * 1000).sum().item(), x.grad[:2])
y = randn(4, 5, requires_grad=true)
e = pdist(y)
print(e, e.grad_fn.name())
e.sum().backward()
print(y.grad)
print(pdist(randn(1, 3)))
z = tensor([[0.0, 1.0], [0.0, 1.0], [2.0, 3.0]], requires_grad=true)
w = pdist(z)
w.sum().backward()
print(w, z.grad)
"#;
    assert_eq!(run(program), "3 2.0 36318.00365447998 0.0011920928955078125 261915.3506755829\n3 1.0 54767.78149604797 0.0 440000.0\n3 0.0 45000.0 0.0 0.0\n3 inf 29782.5248837471 0.0 210000.0\n3 2.0 37454.59548581935 -1.6370904631912708e-11 249892.42529957436\n3 1.0 55951.95504055283 0.0 430000.0\n3 0.0 45000.0 0.0 0.0\n3 inf 31896.14986381717 0.0 210000.0\n8 2.0 54367.14267730713 0.0013113021850585938 456340.1049375534\n8 1.0 129861.38916015625 0.0 1168000.0\n8 0.0 120000.0 0.0 0.0\n8 inf 34160.327553749084 0.0 238000.0\n8 2.0 53305.48240456264 3.637978807091713e-12 418259.42161722196\n8 1.0 122935.81359060213 0.0 1188000.0\n8 0.0 120000.0 0.0 0.0\n8 inf 33527.268341071205 0.0 236000.0\n19 2.0 95064.7783279419 -0.003248453140258789 656099.5636284351\n19 1.0 327302.6714324951 0.0 2770000.0\n19 0.0 285000.0 0.0 0.0\n19 inf 47918.19262504578 0.0 240000.0\n19 2.0 82524.93344344365 -1.4551915228366852e-11 644693.9863427264\n19 1.0 292267.18041963555 0.0 2764000.0\n19 0.0 285000.0 0.0 0.0\n19 inf 39694.31906581117 0.0 240000.0\n26968.446969985962 tensor([[-0.0028,  0.1205,  0.7534,  0.5494,  0.7220, -1.0375, -0.9844,  0.4069,\n          1.1893],\n        [-0.2353,  0.2863, -0.2911, -0.5867,  0.9401, -1.6665,  0.4217, -1.1553,\n         -0.4624]])\ntensor([3.9570, 3.4533, 2.8881, 3.8998, 4.3758, 3.3257],\n       grad_fn=<PdistBackward0>) PdistBackward0\ntensor([[-0.3602, -1.6270,  0.9288,  0.1895, -1.2561],\n        [ 1.8425,  1.7037,  0.3356,  0.2240, -0.8127],\n        [ 0.7360, -0.7116, -1.5143, -0.1793,  1.5176],\n        [-2.2183,  0.6348,  0.2499, -0.2342,  0.5512]])\ntensor([])\ntensor([0.0000, 2.8284, 2.8284], grad_fn=<PdistBackward0>) tensor([[-0.7071, -0.7071],\n        [-0.7071, -0.7071],\n        [ 1.4142,  1.4142]])\n");
}

/// ATen's checks of the operands, with its messages.
#[test]
fn bad_operands_are_compile_errors() {
    let cases: &[(&str, Code, &str)] = &[
        ("y = cdist(randn(3), randn(3))\n", Code::E0202, "cdist only supports at least 2D tensors, X1 got: 1D"),
        ("y = cdist(randn(3, 2), randn(3, 4))\n", Code::E0202, "X1 and X2 must have the same number of columns. X1: 2 X2: 4"),
        ("y = cdist(randn(3, 2), randn(3, 2), p=-1)\n", Code::E0107, "cdist only supports non-negative p values"),
        ("y = cdist(randn(3, 2), randn(3, 2), compute_mode=\"x\")\n", Code::E0107, "x is not a valid value for compute_mode"),
        ("y = cdist(tensor([[1, 2]]), tensor([[1, 2]]))\n", Code::E0204, "cdist only supports floating-point dtypes, X1 got: torch.int64"),
    ];
    for (source, code, message) in cases {
        let (c, m, _) = first_error(source);
        assert_eq!((c, m.as_str()), (*code, *message), "{source}");
    }
    assert_eq!(first_error("y = cdist(randn(2, 3, 2), randn(3, 3, 2))\n").0, Code::E0202);
    let (c, m, _) = first_error("y = pdist(randn(3, 2, 2))\n");
    assert_eq!((c, m.as_str()), (Code::E0202, "pdist only supports 2D tensors, got: 3D"));
    let (c, m, _) = first_error("y = pdist(randn(3, 2), -1)\n");
    assert_eq!((c, m.as_str()), (Code::E0107, "pdist only supports non-negative p values"));
}
