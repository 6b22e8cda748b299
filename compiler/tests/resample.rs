//! `interpolate` (mode "nearest"; the linear modes are in
//! `interpolate_linear.rs`) with `Upsample`, and `pixel_shuffle` /
//! `pixel_unshuffle` with their modules (`lower/resample_calls.rs`): values,
//! gradients (whose sums round in PyTorch's order), shapes, reprs and
//! `grad_fn` as PyTorch 2.15 prints them for the same program, and the errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn upsampling_and_pixel_shuffles_give_pytorchs_values_and_gradients() {
    let program = r#"
manual_seed(0)
x = randn(2, 2, 3, 3, requires_grad=true)
up = Upsample(scale_factor=2)
print(up, Upsample(size=(5, 4)), Upsample(scale_factor=(1.5, 2)))
y = up(x)
print(y.shape, y.grad_fn.name())
a = interpolate(x, size=(5, 4))
b = interpolate(x, scale_factor=1.7)
c = interpolate(x, scale_factor=1.7, recompute_scale_factor=true)
print(a[0, 0], b.shape, c.shape)
g = randn(2, 2, 5, 5)
(b * g).sum().backward()
print(x.grad[0, 1])
print(x.grad.sum().item(), x.grad[1, 1, 2, 2].item())
s = randn(1, 3, 7, requires_grad=true)
t = interpolate(s, scale_factor=0.5)
print(t, t.grad_fn.name())
v = randn(1, 1, 2, 2, 2, requires_grad=true)
print(interpolate(v, scale_factor=(1, 2, 1.5)).shape)
ps = PixelShuffle(2)
p = randn(1, 8, 2, 3, requires_grad=true)
q = ps(p)
print(ps, q.shape, q.grad_fn.name())
print(q[0, 1])
u = pixel_unshuffle(q, 2)
print(u.grad_fn.name(), (u == p).all().item(), PixelUnshuffle(2))
(q * arange(48.0).view(1, 2, 4, 6)).sum().backward()
print(p.grad[0, :, 0, 0])
"#;
    assert_eq!(run(program), "Upsample(scale_factor=2.0, mode='nearest') Upsample(size=(5, 4), mode='nearest') Upsample(scale_factor=(1.5, 2.0), mode='nearest')\ntorch.Size([2, 2, 6, 6]) UpsampleNearest2DBackward0\ntensor([[-1.1258, -1.1258, -1.1524, -0.2506],\n        [-1.1258, -1.1258, -1.1524, -0.2506],\n        [-0.4339, -0.4339,  0.8487,  0.6920],\n        [-0.4339, -0.4339,  0.8487,  0.6920],\n        [-0.3160, -0.3160, -2.1152,  0.3223]], grad_fn=<SelectBackward0>) torch.Size([2, 2, 5, 5]) torch.Size([2, 2, 5, 5])\ntensor([[-0.6063,  1.5752,  0.2788],\n        [-1.6466,  1.3779, -1.1408],\n        [ 0.5536, -0.9885, -1.6965]])\n7.409632682800293 -0.7777346968650818\ntensor([[[-0.2994,  1.9159, -2.3217],\n         [-1.9169,  0.5335,  0.3946],\n         [ 2.0360, -0.0744,  0.3920]]], grad_fn=<UpsampleNearest1DBackward0>) UpsampleNearest1DBackward0\ntorch.Size([1, 1, 2, 4, 3])\nPixelShuffle(upscale_factor=2) torch.Size([1, 2, 4, 6]) PixelShuffleBackward0\ntensor([[ 0.0581, -0.4755, -0.6302, -0.8707,  0.7466,  0.2180],\n        [-0.8015, -0.5804, -0.4955, -0.0856, -0.3615,  1.3945],\n        [-0.0640,  0.0625,  1.0384,  0.6481,  0.9068, -0.0394],\n        [ 0.5851,  0.5969, -0.9088, -0.4828, -0.6710, -0.3661]],\n       grad_fn=<SelectBackward0>)\nPixelUnshuffleBackward0 True PixelUnshuffle(downscale_factor=2)\ntensor([ 0.,  1.,  6.,  7., 24., 25., 30., 31.])\n");
}

#[test]
fn modes_graphc_does_not_compute_are_refused_at_the_argument() {
    let program = "x = randn(1, 1, 4, 4)\ny = interpolate(x, scale_factor=2, mode=\"bicubic\")\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0107, "{message}");
    assert!(message.contains("\"bicubic\" is not supported"), "{message}");
    assert_eq!(at, program.find("\"bicubic\"").unwrap());
}

#[test]
fn sizes_must_be_given_once_and_fit_the_input() {
    let cases = [
        ("interpolate(randn(1, 1, 4, 4))", "either size or scale_factor should be defined"),
        ("interpolate(randn(1, 1, 4, 4), size=3, scale_factor=2)", "only one of size or scale_factor should be defined"),
        ("interpolate(randn(1, 1, 4, 4), size=(2, 2, 2))", "same number of spatial dimensions"),
        ("interpolate(randn(4, 4), size=2)", "Only 3D, 4D and 5D input Tensors supported (got 2D)"),
        ("interpolate(randn(1, 1, 4), scale_factor=2, align_corners=true)", "align_corners option can only be set"),
        ("pixel_shuffle(randn(1, 6, 2, 2), 2)", "input.size(-3)=6 is not divisible by 4"),
        ("pixel_unshuffle(randn(1, 1, 3, 4), 2)", "input.size(-2)=3 is not divisible by 2"),
        ("pixel_shuffle(randn(6, 2), 2)", "at least 3 dimensions"),
    ];
    for (call, expected) in cases {
        let program = format!("y = {call}\n");
        let (code, message, _) = first_error(&program);
        assert!(matches!(code, Code::E0107 | Code::E0202), "{call}: {code:?} {message}");
        assert!(message.contains(expected), "{call}: {message}");
    }
}
