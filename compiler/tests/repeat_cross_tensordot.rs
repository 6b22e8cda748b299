//! `repeat_interleave`, `cross`/`linalg.cross`, `tensordot` and the
//! `linalg.`/`special.` spellings: the lines of a PyTorch program and what
//! PyTorch 2.15 prints for them. Integer counts with and without `dim`, a
//! tensor of counts (one per element, and one for all) and the positions form;
//! cross products in f32 and f64 at full precision (ATen's fused kernel),
//! broadcast operands and their summed gradients, integer operands; tensordot
//! with an integer and with listed dimensions (integer-valued operands, so
//! that the matrix products are exact on any machine) and its gradients.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, `grad_fn`s and gradients, as PyTorch computes them.
#[test]
fn repeat_cross_tensordot_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, requires_grad=true)
y = x.repeat_interleave(2)
print(y)
print(y.grad_fn.name())
z = repeat_interleave(x, 3, dim=1)
print(z)
w = repeat_interleave(x, tensor([1, 2]), dim=0)
print(w)
print(w.grad_fn.name())
print(repeat_interleave(tensor([2, 0, 3])))
v = x.repeat_interleave(tensor([2]), dim=-1)
print(v.shape)
g = randn(2, 9)
z.backward(g)
print(x.grad)
u = randn(4, 50, requires_grad=true)
s = u.repeat_interleave(40, dim=0)
(s * (arange(8000.).reshape(160, 50) % 7 - 3) * 0.37).sum().backward()
print(u.grad.sum().item())
print(repeat_interleave(arange(6).reshape(2, 3), 2, dim=0))
a = randn(4, 3, requires_grad=true)
b = randn(4, 3, requires_grad=true)
c = linalg.cross(a, b)
print(c)
print(c.grad_fn.name())
(c * randn(4, 3)).sum().backward()
print(a.grad)
print(b.grad)
p = randn(3, 5, dtype=f64, requires_grad=true)
q = randn(3, 1, dtype=f64, requires_grad=true)
r = cross(p, q.expand(3, 5), dim=0)
print(r)
r.sum().backward()
print(q.grad)
m = cross(tensor([[1, 2, 3]]), tensor([[4, 5, 6], [7, 8, 9]]), dim=1)
print(m)
t1 = (randn(3, 4, 5) * 3).round().requires_grad_()
t2 = (randn(4, 5, 6) * 3).round().requires_grad_()
o = tensordot(t1, t2, dims=2)
print(o)
print(o.grad_fn.name())
o.pow(2).sum().backward()
print(t1.grad[0])
print(t2.grad[0])
o2 = tensordot(t1, t2, dims=([1, 2], [0, 1]))
print((o2 - o).abs().max().item())
o3 = tensordot(t1, t2, dims=([1], [0]))
print(o3.shape)
o4 = tensordot(t1, randn(5, 2), dims=1)
print(o4.shape)
print(tensordot(arange(6.).reshape(2, 3), arange(6.).reshape(3, 2), dims=0).shape)
big_a = randn(1000, 3)
big_b = randn(1000, 3)
big = linalg.cross(big_a, big_b)
print(big[17, 0].item(), big[500, 1].item(), big[999, 2].item())
print(big.abs().sum().item())
h = randn(5, 3, dtype=f64)
k = randn(5, 3, dtype=f64)
print(h.cross(k, dim=1)[2].tolist())
print(special.expit(tensor([-1.0, 0.0, 2.0])))
print(special.xlogy(tensor([0.0, 2.0]), tensor([0.0, 3.0])))
print(linalg.matmul(eye(2), tensor([[1.0, 2.0], [3.0, 4.0]])))
print(special.log_softmax(tensor([1.0, 2.0, 3.0]), 0))
e = arange(4.).reshape(2, 2).requires_grad_()
f = e.repeat_interleave(tensor([3, 1]), dim=1)
print(f)
(f * f).sum().backward()
print(e.grad)
"#;
    assert_eq!(run(program), "tensor([ 1.5410,  1.5410, -0.2934, -0.2934, -2.1788, -2.1788,  0.5684,  0.5684,\n        -1.0845, -1.0845, -1.3986, -1.3986], grad_fn=<ViewBackward0>)\nViewBackward0\ntensor([[ 1.5410,  1.5410,  1.5410, -0.2934, -0.2934, -0.2934, -2.1788, -2.1788,\n         -2.1788],\n        [ 0.5684,  0.5684,  0.5684, -1.0845, -1.0845, -1.0845, -1.3986, -1.3986,\n         -1.3986]], grad_fn=<ViewBackward0>)\ntensor([[ 1.5410, -0.2934, -2.1788],\n        [ 0.5684, -1.0845, -1.3986],\n        [ 0.5684, -1.0845, -1.3986]], grad_fn=<IndexSelectBackward0>)\nIndexSelectBackward0\ntensor([0, 0, 2, 2, 2])\ntorch.Size([2, 6])\ntensor([[ 0.2919, -0.6936,  0.1954],\n        [-3.0447,  0.4005,  2.8776]])\n-1.1100001335144043\ntensor([[0, 1, 2],\n        [0, 1, 2],\n        [3, 4, 5],\n        [3, 4, 5]])\ntensor([[-0.3187,  0.4429, -0.1171],\n        [-0.0528,  0.4249, -0.5978],\n        [-1.9890,  0.0621, -0.3036],\n        [-1.1361,  1.0237,  0.2224]], grad_fn=<LinalgCrossBackward0>)\nLinalgCrossBackward0\ntensor([[ 0.0719, -0.3690,  0.1588],\n        [-0.5081, -0.4816,  0.5048],\n        [ 2.4421,  1.3399,  0.6395],\n        [ 0.4869, -4.1613,  2.0749]])\ntensor([[ 1.0261, -1.6530,  0.6531],\n        [ 0.1825,  0.5238, -0.4230],\n        [-0.7416,  0.4816, -1.2006],\n        [ 2.1684,  2.7475,  0.0710]])\ntensor([[ 1.0763,  1.1198, -0.4154, -0.6844, -0.3875],\n        [ 0.1900,  0.6523,  0.1848, -0.4718,  0.1357],\n        [ 0.7667,  0.6640, -0.3718, -0.3843, -0.3360]], dtype=torch.float64,\n       grad_fn=<LinalgCrossBackward0>)\ntensor([[-1.3319],\n        [ 0.0954],\n        [ 1.2366]], dtype=torch.float64)\ntensor([[-3,  6, -3],\n        [-6, 12, -6]])\ntensor([[ 53.,  75.,  74.,  24., -57.,  27.],\n        [-19.,  24.,   5.,  31.,   7., -21.],\n        [  7., -68.,  25., -23.,  -3., -69.]], grad_fn=<ViewBackward0>)\nViewBackward0\ntensor([[ -618.,  1020.,  1580.,  -958.,  -578.],\n        [   26.,  -706.,   964.,   646., -1408.],\n        [-2162.,  -778.,   400.,  1838., -2198.],\n        [ 1576.,  1252.,  -950.,   116.,  -424.]])\ntensor([[  96.,  -74.,  258.,   18., -112., -264.],\n        [ 404.,  152.,  812.,  132., -452., -420.],\n        [  40.,  470.,   58.,  202.,  -88.,  288.],\n        [-136., -396., -316., -220.,  200.,  -24.],\n        [-114.,  144.,   30.,  186.,   42., -126.]])\n0.0\ntorch.Size([3, 5, 5, 6])\ntorch.Size([3, 4, 2])\ntorch.Size([2, 3, 3, 2])\n-1.2582333087921143 2.058479070663452 0.22446247935295105\n2956.884765625\n[-3.572516127045528, -3.18630369369608, -0.027300930839638176]\ntensor([0.2689, 0.5000, 0.8808])\ntensor([0.0000, 2.1972])\ntensor([[1., 2.],\n        [3., 4.]])\ntensor([-2.4076, -1.4076, -0.4076])\ntensor([[0., 0., 0., 1.],\n        [2., 2., 2., 3.]], grad_fn=<IndexSelectBackward0>)\ntensor([[ 0.,  2.],\n        [12.,  6.]])\n");
}

/// The counts must be known when compiling and not negative; the cross
/// product needs 3-vectors of one dtype and rank; tensordot's paired sizes
/// agree.
#[test]
fn the_calls_check_their_arguments() {
    let counts = "manual_seed(0)\nr = (rand(3) * 3).long()\ny = repeat_interleave(randn(3), r)\n";
    assert_eq!(first_error(counts).0, Code::E0289);
    assert_eq!(first_error("y = repeat_interleave(randn(3), -1)\n").0, Code::E0289);
    assert_eq!(first_error("y = repeat_interleave(randn(3), tensor([1, 2]))\n").0, Code::E0289);
    assert_eq!(first_error("y = repeat_interleave(randn(3), 2, output_size=5)\n").0, Code::E0289);
    assert_eq!(first_error("y = repeat_interleave(randn(3))\n").0, Code::E0204);
    assert_eq!(first_error("y = cross(randn(2, 4), randn(2, 4))\n").0, Code::E0202);
    assert_eq!(first_error("y = linalg.cross(randn(2, 3), randn(3))\n").0, Code::E0202);
    assert_eq!(first_error("y = cross(randn(3), randn(3, dtype=f64))\n").0, Code::E0201);
    assert_eq!(first_error("y = cross(ones(3, dtype=bool), ones(3, dtype=bool))\n").0, Code::E0204);
    assert_eq!(first_error("y = tensordot(randn(3, 4), randn(5, 6), dims=1)\n").0, Code::E0202);
    assert_eq!(first_error("y = tensordot(randn(3, 4), randn(4, 6), dims=([1, 0], [0]))\n").0, Code::E0202);
}

/// A value named `special` keeps its methods: only the listed functions are
/// read as the namespace.
#[test]
fn a_value_named_like_a_namespace_keeps_its_methods() {
    assert_eq!(run("special = [1]\nspecial.append(2)\nprint(special)\n"), "[1, 2]\n");
}

/// `linalg.vector_norm` is `norm` with `ord` for `p`: values, `grad_fn`s and
/// gradients as PyTorch prints them, and the same bits as `norm`.
#[test]
fn linalg_vector_norm_is_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(3, 4, requires_grad=true)
a = linalg.vector_norm(x)
b = linalg.vector_norm(x, ord=1, dim=1)
c = linalg.vector_norm(x, 2, dim=(0, 1), keepdim=true)
print(a, b, c)
print(a.grad_fn.name(), b.grad_fn.name())
(a + b.sum() + c.sum()).backward()
print(x.grad)
print(norm(x).item() == linalg.vector_norm(x).item())
"#;
    assert_eq!(run(program), "tensor(3.5493, grad_fn=<LinalgVectorNormBackward0>) tensor([4.5816, 3.7245, 1.9013], grad_fn=<LinalgVectorNormBackward0>) tensor([[3.5493]], grad_fn=<LinalgVectorNormBackward0>)\nLinalgVectorNormBackward0 LinalgVectorNormBackward0\ntensor([[ 1.8683, -1.1653, -2.2277,  1.3203],\n        [-1.6111, -1.7881,  1.2273,  1.4722],\n        [-1.4053, -1.2273, -1.3362,  1.1026]])\nTrue\n");
}
