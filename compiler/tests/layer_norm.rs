//! `layer_norm` (`torch.nn.functional.layer_norm`, `lower/layer_norm_calls.rs`):
//! its forward and gradients in a training loop compiled once, over one and
//! two normalized dimensions, with and without the weight and the bias, in
//! f32 and f64, against what the PyTorch 2.15 program beside it prints; and
//! PyTorch's shape checks and graphc's refusal of a gradient of its gradient.
//! The kernels' bits are checked element by element in
//! `runtime/tests/layer_norm_reference.rs`.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// nanoGPT's `LayerNorm` (`F.layer_norm(input, self.weight.shape, self.weight,
/// self.bias, 1e-5)`) before a linear layer and a second layer norm over two
/// dimensions, trained with AdamW; full-precision `.item()`s show the bits.
#[test]
fn layer_norm_trains_as_pytorch_does() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = torch.randn(3, 5, 8)
    // w = torch.ones(8, requires_grad=True)
    // b = torch.zeros(8, requires_grad=True)
    // fc = torch.randn(8, 8) * 0.3
    // fc.requires_grad_()
    // opt = torch.optim.AdamW([w, b, fc], lr=0.01)
    // for step in range(5):
    //     h = F.layer_norm(x, w.shape, w, b, 1e-5)
    //     y = F.layer_norm(h @ fc, (5, 8))
    //     loss = (y[:, :, 0] - 1.0).pow(2).mean() + h.pow(2).mean()
    //     opt.zero_grad()
    //     loss.backward()
    //     opt.step()
    //     print(step, f"{loss.item():.6f}", loss.grad_fn.name())
    // print(w)
    // print(b.grad)
    // print(fc.grad[0])
    // print(y.grad_fn.name(), h.grad_fn.name())
    // xd = torch.randn(2, 7, dtype=torch.float64, requires_grad=True)
    // z = F.layer_norm(xd, [7], bias=torch.full((7,), 0.5, dtype=torch.float64))
    // z.sum().backward()
    // print(z)
    // print(xd.grad)
    // print(h[0, 0, 0].item(), z[1, 6].item(), xd.grad[1, 2].item())
    let program = r#"
manual_seed(0)
x = randn(3, 5, 8)
w = ones(8, requires_grad=true)
b = zeros(8, requires_grad=true)
fc = randn(8, 8) * 0.3
fc.requires_grad_()
opt = AdamW([w, b, fc], lr=0.01)
for step in range(5) {
    h = layer_norm(x, w.shape, w, b, 1e-5)
    y = layer_norm(h @ fc, (5, 8))
    loss = (y[:, :, 0] - 1.0).pow(2).mean() + h.pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, f"{loss.item():.6f}", loss.grad_fn.name())
}
print(w)
print(b.grad)
print(fc.grad[0])
print(y.grad_fn.name(), h.grad_fn.name())
xd = randn(2, 7, dtype=f64, requires_grad=true)
z = layer_norm(xd, [7], bias=full((7,), 0.5, dtype=f64))
z.sum().backward()
print(z)
print(xd.grad)
print(h[0, 0, 0].item(), z[1, 6].item(), xd.grad[1, 2].item())
"#;
    let want = "\
0 2.256479 AddBackward0
1 2.141962 AddBackward0
2 2.034532 AddBackward0
3 1.933895 AddBackward0
4 1.839604 AddBackward0
tensor([0.9496, 0.9495, 0.9496, 0.9496, 0.9494, 0.9493, 0.9493, 0.9497],
       requires_grad=True)
tensor([-0.2202,  0.0240,  0.2112, -0.0600,  0.1075, -0.2280, -0.7459, -0.3638])
tensor([ 0.3224, -0.0767, -0.0968, -0.0654, -0.0653, -0.0834, -0.0987, -0.0932])
NativeLayerNormBackward0 NativeLayerNormBackward0
tensor([[ 1.4311,  2.0100,  0.3669,  0.0398, -0.7115,  1.1701, -0.8064],
        [ 1.0755,  2.2473, -0.0120,  0.5889, -1.1884, -0.0915,  0.8802]],
       dtype=torch.float64, grad_fn=<NativeLayerNormBackward0>)
tensor([[0.0000e+00, 0.0000e+00, 0.0000e+00, 0.0000e+00, 0.0000e+00, 0.0000e+00,
         0.0000e+00],
        [4.4409e-16, 0.0000e+00, 8.8818e-16, 4.4409e-16, 8.8818e-16, 8.8818e-16,
         4.4409e-16]], dtype=torch.float64)
-0.6326974630355835 0.880167244625129 8.881784197001252e-16
";
    assert_eq!(run(program), want);
}

/// PyTorch's checks, in its words: the input's last dimensions must be the
/// normalized shape, the weight and bias must have it, and it names at least one dimension.
#[test]
fn shapes_are_checked_as_pytorch_does() {
    let (code, message, _) = first_error("x = randn(2, 3)\ny = layer_norm(x, (4,))\n");
    assert_eq!(code, Code::E0202);
    assert_eq!(message, "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]");
    let (code, message, _) = first_error("x = randn(2, 3)\ny = layer_norm(x, 3, randn(2))\n");
    assert_eq!(code, Code::E0202);
    assert_eq!(message, "Expected weight to be of same shape as normalized_shape, but got weight of shape [2] and normalized_shape = [3]");
    let (code, message, _) = first_error("x = randn(2, 3)\ny = layer_norm(x, [3], none, zeros(3, 1))\n");
    assert_eq!(code, Code::E0202);
    assert_eq!(message, "Expected bias to be of same shape as normalized_shape, but got bias of shape [3, 1] and normalized_shape = [3]");
    let (code, message, _) = first_error("x = randn(2, 3)\ny = layer_norm(x, ())\n");
    assert_eq!(code, Code::E0202);
    assert!(message.starts_with("Expected normalized_shape to be at least 1-dimensional"), "{message}");
    let (code, _, _) = first_error("x = randn(2, 3)\ny = layer_norm(x, (3,), ones(3, dtype=f64))\n");
    assert_eq!(code, Code::E0201);
    let (code, _, _) = first_error("x = arange(6).reshape(2, 3)\ny = layer_norm(x, (3,))\n");
    assert_ne!(code, Code::E0202, "an integer input is refused as not float, before its shape");
}

/// A gradient of a gradient through a layer norm is refused at the `grad` call
/// (E0411), and a `create_graph` gradient that does not pass through it is not.
#[test]
fn create_graph_through_layer_norm_is_refused() {
    let source = "x = randn(2, 4, requires_grad=true)\ny = layer_norm(x, (4,))\ng = grad(y.pow(3).sum(), x, create_graph=true)[0]\n";
    let (code, _, at) = first_error(source);
    assert_eq!(code, Code::E0411);
    assert_eq!(at, source.find("grad(").unwrap());
    let beside = "x = randn(2, 4, requires_grad=true)\ny = layer_norm(x, (4,))\nh = x * 2.0\ng = grad(y.sum() + h.pow(3).sum(), h, create_graph=true)[0]\nprint(g.shape)\n";
    assert_eq!(run(beside), "torch.Size([2, 4])\n");
}
