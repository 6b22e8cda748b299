//! `glu(input, dim=-1)` and the module `GLU` (`lower/builtin_backward.rs`):
//! the lines of a PyTorch program and what PyTorch 2.15 prints for them. The
//! values, the gradients (`glu_backward`'s products, left to right), the
//! gradients of gradients through both of `glu_backward`'s inputs
//! (`glu_double_backward` and `glu_double_backward_grad_output`), f64, a loop,
//! and the halves along the first, a middle and the last dimension. The sums
//! times 1000 printed in full compare every bit that reaches them. The rows
//! are multiples of 16 elements, where PyTorch's vector lambda covers every
//! element (docs/act-language.md says what differs elsewhere).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn glu_and_its_gradients_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(3, 64, requires_grad=true)
y = glu(x)
print(y.grad_fn.name(), y.shape)
w = randn(3, 32)
(y * w).sum().backward()
print(x.grad[:, :6])
print((x.grad.double() * 1000).sum().item(), (y.double() * 1000).sum().item(), (x.grad.double() * x.grad.double()).sum().item())
z = randn(6, 4, 8, requires_grad=true)
o = glu(z, dim=0)
o2 = glu(z, 1 - 3)
(o.sum() * 2 + (o2 * o2).sum()).backward()
print(o.shape, o2.shape, (z.grad.double() * 1000).sum().item(), (o.double() * 1000).sum().item(), (o2.double() * 1000).sum().item())
g = GLU()
print(g, GLU(dim=1), g(tensor([1.0, 2.0, 3.0, 4.0])))
v = randn(4, 32, requires_grad=true)
gg = grad(glu(v).sum(), v, create_graph=true)[0]
gg.pow(2).sum().backward()
print(v.grad[:, :5], (v.grad.double() * 1000).sum().item())
d = x.detach().double().requires_grad_(true)
glu(d).sum().backward()
print(d.grad[0, 30:34], (d.grad * 1000).sum().item())
h = randn(2, 32, requires_grad=true)
acc = zeros(2, 16)
for i in range(3) {
    acc = acc + glu(h * (i + 1))
}
acc.sum().backward()
print(acc[:, :4], h.grad[:, 14:18], (h.grad.double() * 1000).sum().item())
go = randn(4, 16, requires_grad=true)
v2 = randn(4, 32, requires_grad=true)
g2 = grad(glu(v2), v2, go, create_graph=true)[0]
print(g2.grad_fn.name())
(g2 * g2).sum().backward()
print(go.grad[:, :4], (go.grad.double() * 1000).sum().item(), (v2.grad.double() * 1000).sum().item())
"#;
    assert_eq!(run(program), "GluBackward0 torch.Size([3, 32])\ntensor([[-0.1966,  0.2709,  0.1543,  0.2217,  0.1043,  0.4626],\n        [-0.2878,  0.3209,  0.1122,  0.2383, -0.0099,  0.0988],\n        [-0.0285, -0.2170, -0.2849, -0.1711,  0.4276, -0.4368]])\n2156.9069205143023 -4609.619524620939 23.26656885248481\ntorch.Size([3, 4, 8]) torch.Size([6, 2, 8]) 151789.4469993189 8082.981892861426 16252.58048856631\nGLU(dim=-1) GLU(dim=1) tensor([0.9526, 1.9640])\ntensor([[-0.0657, -0.0536, -0.0187, -0.1514, -0.0018],\n        [-0.0493, -0.0738, -0.0243,  0.0100,  0.0262],\n        [ 0.1606,  0.1114, -0.0450, -0.1350, -0.0805],\n        [-0.1051,  0.0003, -0.1072, -0.0441,  0.0938]]) 12307.232138438849\ntensor([ 0.8605,  0.3655, -0.2565, -0.2880], dtype=torch.float64) 47946.6402223616\ntensor([[ 0.0148, -1.3127,  0.7237, -0.4293],\n        [ 0.2412, -5.6004,  0.2108, -1.9240]], grad_fn=<SliceBackward0>) tensor([[ 5.5778,  0.3675,  0.0241, -2.1431],\n        [ 3.7039,  3.7289,  0.3570, -0.0968]]) 113811.9822498411\nGluBackwardBackward0\ntensor([[ 0.0381,  0.6684, -1.7638, -2.5449],\n        [ 0.9033,  0.2725, -0.6794, -0.2891],\n        [ 0.2196,  0.0501,  0.1591, -0.4160],\n        [ 0.1236,  0.0134, -0.7181,  0.8180]]) -6043.6849519610405 14243.290615704609\n");
}

/// PyTorch's errors: an odd size along `dim`, a 0-d input; and an integer input.
#[test]
fn glu_needs_an_even_float_dimension() {
    let (code, message, _) = first_error("x = randn(2, 5)\ny = glu(x)\n");
    assert_eq!((code, message.as_str()), (Code::E0202, "Halving dimension must be even, but dimension 1 is size 5"));
    assert_eq!(first_error("y = glu(tensor(1.0))\n").0, Code::E0202);
    assert_eq!(first_error("y = glu(ones(2, 4, dtype=int64))\n").0, Code::E0204);
}
