//! `multi_margin_loss` and `MultiMarginLoss` (`lower/multi_margin.rs`): the
//! lines of a PyTorch program and what PyTorch 2.15 prints for them, and the
//! checks made before anything runs. Measured with `save`: every bit of
//! PyTorch's values and input gradients on [200, 13] f32 inputs for each
//! reduction, `p` and weighting (10,603 numbers).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `multi_margin_loss` with each reduction, `p=2`, a margin and class weights, of a 1-D input with a 0-d and a 1-element target, in f64 and over 64 samples of 10 classes, and the `MultiMarginLoss` module: values, `grad_fn`s and gradients (a +0 at the target's entry where no term counts, -0 where the incoming gradient is 0) as PyTorch 2.15 prints them.
#[test]
fn multi_margin_loss_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
x = randn(5, 4, requires_grad=true)
y = tensor([3, 0, 1, 1, 2])
loss = multi_margin_loss(x, y)
print(loss)
print(loss.grad_fn)
loss.backward()
print(x.grad)
x.grad = none
w = tensor([0.5, 1.0, 2.0, 0.25])
l2 = multi_margin_loss(x, y, p=2, margin=0.7, weight=w, reduction="sum")
print(l2)
l2.backward()
print(x.grad)
x.grad = none
l3 = multi_margin_loss(x, y, reduction="none")
print(l3)
(l3 * arange(5.0)).sum().backward()
print(x.grad)
v = tensor([0.1, 0.2, 0.4, 0.8], requires_grad=true)
l4 = multi_margin_loss(v, tensor(3), margin=0.5)
print(l4)
l4.backward()
print(v.grad)
print(multi_margin_loss(v, tensor([1]), reduction="none"))
m = MultiMarginLoss(p=2, margin=0.5)
print(m)
print(m(x, y))
m2 = MultiMarginLoss(weight=w, reduction="none")
print(m2(x, y))
d = randn(3, 6, dtype=float64)
print(multi_margin_loss(d, tensor([5, 0, 2])))
big = randn(64, 10)
t = randint(0, 10, (64,))
print(multi_margin_loss(big, t).item())
print(multi_margin_loss(big, t, p=2).item())
"#;
    assert_eq!(run(program), "tensor(0.5577, grad_fn=<MultiMarginLossBackward0>)\n<MultiMarginLossBackward0 object>\ntensor([[ 0.0500,  0.0500,  0.0500, -0.1500],\n        [-0.1000,  0.0000,  0.0500,  0.0500],\n        [ 0.0500, -0.1500,  0.0500,  0.0500],\n        [ 0.0500, -0.1000,  0.0500,  0.0000],\n        [ 0.0000,  0.0500, -0.0500,  0.0000]])\ntensor(2.6695, grad_fn=<MultiMarginLossBackward0>)\ntensor([[ 1.0049e-03,  0.0000e+00,  1.1041e-01, -1.1142e-01],\n        [-4.8854e-01,  0.0000e+00,  0.0000e+00,  4.8854e-01],\n        [ 6.6290e-01, -2.3755e+00,  1.1507e+00,  5.6188e-01],\n        [ 2.5152e-01, -2.8150e-01,  2.9982e-02,  0.0000e+00],\n        [ 0.0000e+00,  0.0000e+00,  0.0000e+00,  0.0000e+00]])\ntensor([0.4432, 0.5785, 1.4127, 0.2907, 0.0635],\n       grad_fn=<MultiMarginLossBackward0>)\ntensor([[ 0.0000,  0.0000,  0.0000, -0.0000],\n        [-0.5000,  0.0000,  0.2500,  0.2500],\n        [ 0.5000, -1.5000,  0.5000,  0.5000],\n        [ 0.7500, -1.5000,  0.7500,  0.0000],\n        [ 0.0000,  1.0000, -1.0000,  0.0000]])\ntensor(0.0250, grad_fn=<MultiMarginLossBackward0>)\ntensor([ 0.0000,  0.0000,  0.2500, -0.2500])\ntensor([0.9250], grad_fn=<MultiMarginLossBackward0>)\nMultiMarginLoss()\ntensor(0.5086, grad_fn=<MultiMarginLossBackward0>)\ntensor([0.1108, 0.2892, 1.4127, 0.2907, 0.1270],\n       grad_fn=<MultiMarginLossBackward0>)\ntensor(0.3670, dtype=torch.float64)\n1.0489877462387085\n2.259431838989258\n");
}

/// An unsupported `p`, a target or weight of the wrong size, an input of rank
/// 3 and a float target are compile errors in PyTorch's words.
#[test]
fn bad_multi_margin_calls_are_compile_errors() {
    let (code, msg, _) = first_error("l = multi_margin_loss(randn(3, 4), tensor([0, 1, 2]), p=3)\n");
    assert_eq!((code, msg.as_str()), (Code::E0107, "only p == 1 and p == 2 supported"));
    let (code, msg, _) = first_error("l = multi_margin_loss(randn(3, 4), tensor([0, 1]))\n");
    assert_eq!(code, Code::E0202);
    assert!(msg.starts_with("multi_margin_loss: target tensor should be 1-D"), "{msg}");
    let (code, msg, _) = first_error("l = multi_margin_loss(randn(3, 4), tensor([0, 1, 2]), weight=ones(3))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "inconsistent weight size, expected 4 but got [3]"));
    let (code, msg, _) = first_error("l = multi_margin_loss(randn(2, 3, 4), tensor([0, 1]))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 3, 4]"));
    let (code, msg, _) = first_error("l = multi_margin_loss(randn(3, 4), tensor([0.0, 1.0, 2.0]))\n");
    assert_eq!((code, msg.as_str()), (Code::E0204, "expected scalar type Long but found Float"));
}
