//! The `torch.nn` modules whose forward applies a functional builtin with
//! the options the constructor kept (`lower/nn_modules.rs`'s table): the
//! losses of three tensors, `CosineSimilarity`, `PairwiseDistance`,
//! `Unflatten`, `Softmax2d`, `MaxPool1d`, `AvgPool1d`, the padding modules and
//! the `Upsampling` classes, each line a line of a PyTorch program and the
//! text what PyTorch 2.15 prints for it, and PyTorch's refusals as
//! compile-time errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The loss, distance, reshaping, pooling, padding and upsampling modules that apply a functional builtin: their reprs, values and gradients as PyTorch 2.15 prints them.
#[test]
fn modules_print_and_compute_as_pytorchs() {
    let program = r#"
manual_seed(0)
a = randn(3, 5, requires_grad=true)
b = randn(3, 5)
c = randn(3, 5)
y = tensor([1.0, -1.0, 1.0])
mods = [SoftMarginLoss(), PoissonNLLLoss(), PoissonNLLLoss(log_input=false, full=true), GaussianNLLLoss(), GaussianNLLLoss(full=true, eps=1e-3, reduction='sum'),
        CosineEmbeddingLoss(margin=0.2), MarginRankingLoss(margin=0.5), HingeEmbeddingLoss(margin=2.0), TripletMarginLoss(margin=0.5, p=1.0, swap=true),
        CosineSimilarity(dim=0), PairwiseDistance(p=1.0, keepdim=true), Unflatten(1, (5, 1)), Softmax2d(), MaxPool1d(2), AvgPool1d(3, stride=1, padding=1),
        ZeroPad1d(2), ZeroPad2d((1, 0, 2, 1)), ConstantPad1d((1, 2), 3.5), ConstantPad2d(1, -1.0), ReflectionPad1d(2), ReflectionPad2d((1, 1, 0, 1)),
        ReplicationPad1d((0, 2)), ReplicationPad2d(1), CircularPad1d(1), CircularPad2d((1, 0, 0, 1)), UpsamplingNearest2d(scale_factor=2), UpsamplingBilinear2d(size=(4, 6))]
for m in mods {
    print(m)
}
print(SoftMarginLoss()(a, b.sign()), PoissonNLLLoss()(a, b.abs()), PoissonNLLLoss(log_input=false, full=true)(a.exp(), b.abs() * 3))
print(GaussianNLLLoss()(a, b, c.abs()), GaussianNLLLoss(full=true, eps=1e-3, reduction='sum')(a, b, c.abs()))
print(CosineEmbeddingLoss(margin=0.2)(a, b, y), MarginRankingLoss(margin=0.5)(a[0], b[0], y.repeat(2)[:5]), HingeEmbeddingLoss(margin=2.0)(a, b.sign()))
print(TripletMarginLoss(margin=0.5, p=1.0, swap=true)(a, b, c))
print(CosineSimilarity(dim=0)(a, b), PairwiseDistance(p=1.0, keepdim=true)(a, b))
print(Unflatten(1, (5, 1))(a).shape)
x4 = randn(2, 3, 2, 2)
print(Softmax2d()(x4)[0, :, 0, 0], MaxPool1d(2)(a), AvgPool1d(3, stride=1, padding=1)(a))
x3 = randn(1, 2, 3)
print(ZeroPad1d(2)(x3), ZeroPad2d((1, 0, 2, 1))(x4)[0, 0], ConstantPad1d((1, 2), 3.5)(x3))
print(ConstantPad2d(1, -1.0)(x4)[1, 2], ReflectionPad1d(2)(x3), ReflectionPad2d((1, 1, 0, 1))(x4)[0, 1])
print(ReplicationPad1d((0, 2))(x3), ReplicationPad2d(1)(x4)[1, 0], CircularPad1d(1)(x3), CircularPad2d((1, 0, 0, 1))(x4)[0, 0])
print(UpsamplingNearest2d(scale_factor=2)(x4)[0, 0], UpsamplingBilinear2d(size=(4, 6))(x4)[1, 2])
l = TripletMarginLoss()(a, b, c) + CosineEmbeddingLoss()(a, b, y) + MarginRankingLoss()(a[1], b[1], y.repeat(2)[:5]) + SoftMarginLoss()(a, b.sign())
l.backward()
print(a.grad)
"#;
    assert_eq!(run(program), "SoftMarginLoss()\nPoissonNLLLoss()\nPoissonNLLLoss()\nGaussianNLLLoss()\nGaussianNLLLoss()\nCosineEmbeddingLoss()\nMarginRankingLoss()\nHingeEmbeddingLoss()\nTripletMarginLoss()\nCosineSimilarity()\nPairwiseDistance()\nUnflatten(dim=1, unflattened_size=(5, 1))\nSoftmax2d()\nMaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\nAvgPool1d(kernel_size=(3,), stride=(1,), padding=(1,))\nZeroPad1d((2, 2))\nZeroPad2d((1, 0, 2, 1))\nConstantPad1d(padding=(1, 2), value=3.5)\nConstantPad2d(padding=(1, 1, 1, 1), value=-1.0)\nReflectionPad1d((2, 2))\nReflectionPad2d((1, 1, 0, 1))\nReplicationPad1d((0, 2))\nReplicationPad2d((1, 1, 1, 1))\nCircularPad1d((1, 1))\nCircularPad2d((1, 0, 0, 1))\nUpsamplingNearest2d(scale_factor=2.0, mode='nearest')\nUpsamplingBilinear2d(size=(4, 6), mode='bilinear')\ntensor(0.8485, grad_fn=<SoftMarginLossBackward0>) tensor(1.4671, grad_fn=<MeanBackward0>) tensor(3.2585, grad_fn=<MeanBackward0>)\ntensor(4.8074, grad_fn=<MeanBackward0>) tensor(85.8949, grad_fn=<SumBackward0>)\ntensor(0.5893, grad_fn=<MeanBackward0>) tensor(0.9499, grad_fn=<MeanBackward0>) tensor(0.8627, grad_fn=<MeanBackward0>)\ntensor(1.6630, grad_fn=<MeanBackward0>)\ntensor([-0.3782,  0.4821,  0.2043, -0.6424,  0.8779], grad_fn=<SumBackward1>) tensor([[6.1281],\n        [5.0132],\n        [4.8727]], grad_fn=<NormBackward1>)\ntorch.Size([3, 5, 1])\ntensor([0.4717, 0.3510, 0.1772]) tensor([[1.5410, 0.5684],\n        [0.4033, 0.8380],\n        [0.1820, 1.1006]], grad_fn=<SqueezeBackward1>) tensor([[ 0.4159, -0.3104, -0.6346, -0.8983, -0.1720],\n        [-0.3317, -0.0524,  0.1740, -0.0949, -0.3742],\n        [-0.1382, -0.4238,  0.1420, -0.2758,  0.0098]],\n       grad_fn=<SqueezeBackward1>)\ntensor([[[ 0.0000,  0.0000, -0.2666, -1.5700,  1.2315,  0.0000,  0.0000],\n         [ 0.0000,  0.0000,  1.3946,  1.1711,  0.4335,  0.0000,  0.0000]]]) tensor([[ 0.0000,  0.0000,  0.0000],\n        [ 0.0000,  0.0000,  0.0000],\n        [ 0.0000,  1.9415,  0.7915],\n        [ 0.0000, -0.0203, -0.4372],\n        [ 0.0000,  0.0000,  0.0000]]) tensor([[[ 3.5000, -0.2666, -1.5700,  1.2315,  3.5000,  3.5000],\n         [ 3.5000,  1.3946,  1.1711,  0.4335,  3.5000,  3.5000]]])\ntensor([[-1.0000, -1.0000, -1.0000, -1.0000],\n        [-1.0000,  1.3750,  0.6596, -1.0000],\n        [-1.0000,  0.4766, -1.0163, -1.0000],\n        [-1.0000, -1.0000, -1.0000, -1.0000]]) tensor([[[ 1.2315, -1.5700, -0.2666, -1.5700,  1.2315, -1.5700, -0.2666],\n         [ 0.4335,  1.1711,  1.3946,  1.1711,  0.4335,  1.1711,  1.3946]]]) tensor([[-1.3602,  1.6459, -1.3602,  1.6459],\n        [ 0.5199,  0.3446,  0.5199,  0.3446],\n        [-1.3602,  1.6459, -1.3602,  1.6459]])\ntensor([[[-0.2666, -1.5700,  1.2315,  1.2315,  1.2315],\n         [ 1.3946,  1.1711,  0.4335,  0.4335,  0.4335]]]) tensor([[-0.7015, -0.7015,  1.0367,  1.0367],\n        [-0.7015, -0.7015,  1.0367,  1.0367],\n        [-0.6037, -0.6037, -1.2788, -1.2788],\n        [-0.6037, -0.6037, -1.2788, -1.2788]]) tensor([[[ 1.2315, -0.2666, -1.5700,  1.2315, -0.2666],\n         [ 0.4335,  1.3946,  1.1711,  0.4335,  1.3946]]]) tensor([[ 0.7915,  1.9415,  0.7915],\n        [-0.4372, -0.0203, -0.4372],\n        [ 0.7915,  1.9415,  0.7915]])\ntensor([[ 1.9415,  1.9415,  0.7915,  0.7915],\n        [ 1.9415,  1.9415,  0.7915,  0.7915],\n        [-0.0203, -0.0203, -0.4372, -0.4372],\n        [-0.0203, -0.0203, -0.4372, -0.4372]]) tensor([[ 1.3750,  1.2320,  1.0889,  0.9458,  0.8027,  0.6596],\n        [ 1.0755,  0.8806,  0.6857,  0.4908,  0.2959,  0.1010],\n        [ 0.7761,  0.5293,  0.2826,  0.0358, -0.2109, -0.4577],\n        [ 0.4766,  0.1780, -0.1206, -0.4192, -0.7177, -1.0163]])\ntensor([[ 0.0175, -0.0247, -0.0863,  0.2432,  0.0191],\n        [-0.2396, -0.2004, -0.3112, -0.2420, -0.1572],\n        [-0.3090,  0.3491,  0.1951, -0.0927,  0.0198]])\n");
}

/// Integer targets of the embedding and margin losses (promoted to the input's dtype), the 3-d padding modules, pooling options and a Sequential of the new modules, as PyTorch 2.15 prints them.
#[test]
fn integer_targets_and_three_d_padding_are_pytorchs() {
    let program = r#"
manual_seed(1)
a = randn(3, 4)
b = randn(3, 4)
t = tensor([1, -1, 1])
print(cosine_embedding_loss(a, b, t), CosineEmbeddingLoss()(a, b, t))
print(margin_ranking_loss(a[0], b[0], tensor([1, -1, 1, 1])), hinge_embedding_loss(a, tensor([[1, -1, 1, 1]] * 3)))
print(soft_margin_loss(a, tensor([[1, -1, 1, 1]] * 3)))
v = randn(1, 2, 2, 3, 2)
print(ZeroPad3d(1)(v).shape, ConstantPad3d((1, 0, 0, 1, 1, 0), 2.0)(v)[0, 1, 0], ReflectionPad3d(1)(v)[0, 0, 1])
print(ReplicationPad3d((0, 1, 1, 0, 0, 1))(v)[0, 1, 2], CircularPad3d(1)(v)[0, 0, 0])
print(ZeroPad3d(1), ConstantPad3d(2, 0.5), ReflectionPad3d((1, 1, 1, 1, 0, 0)))
m = MaxPool1d(3, stride=2, padding=1, ceil_mode=true)
print(m, m(a))
p = AvgPool1d(2, count_include_pad=false, padding=1)
print(p, p(a))
print(Softmax2d()(randn(3, 2, 2)).sum(0))
print(Sequential(ZeroPad2d(1), Unflatten(0, (1, 2)), Softmax2d()))
"#;
    assert_eq!(run(program), "tensor(1.2405) tensor(1.2405)\ntensor(0.3983) tensor(0.1030)\ntensor(0.8238)\ntorch.Size([1, 2, 4, 5, 4]) tensor([[2., 2., 2.],\n        [2., 2., 2.],\n        [2., 2., 2.],\n        [2., 2., 2.]]) tensor([[-0.4370,  0.0663, -0.4370,  0.0663],\n        [ 0.5451, -0.9274,  0.5451, -0.9274],\n        [-0.4370,  0.0663, -0.4370,  0.0663],\n        [ 0.4415,  0.7626,  0.4415,  0.7626],\n        [-0.4370,  0.0663, -0.4370,  0.0663]])\ntensor([[-0.2805,  0.7000,  0.7000],\n        [-0.2805,  0.7000,  0.7000],\n        [-1.4567,  1.6089,  1.6089],\n        [ 0.0938, -1.2597, -1.2597]]) tensor([[-1.1802, -1.4504, -1.1802, -1.4504],\n        [ 2.0154,  1.1651,  2.0154,  1.1651],\n        [ 0.8793,  0.9837,  0.8793,  0.9837],\n        [-1.1802, -1.4504, -1.1802, -1.4504],\n        [ 2.0154,  1.1651,  2.0154,  1.1651]])\nZeroPad3d((1, 1, 1, 1, 1, 1)) ConstantPad3d(padding=(2, 2, 2, 2, 2, 2), value=0.5) ReflectionPad3d((1, 1, 1, 1, 0, 0))\nMaxPool1d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True) tensor([[ 0.6614,  0.6213,  0.6213],\n        [-0.1661,  0.3817,  0.3817],\n        [-0.5631, -0.0583, -0.0583]])\nAvgPool1d(kernel_size=(2,), stride=(2,), padding=(1,)) tensor([[ 0.6614,  0.1643,  0.6213],\n        [-0.4519, -0.8444,  0.3817],\n        [-1.0276, -0.7277, -0.0583]])\ntensor([[1., 1.],\n        [1., 1.]])\nSequential(\n  (0): ZeroPad2d((1, 1, 1, 1))\n  (1): Unflatten(dim=0, unflattened_size=(1, 2))\n  (2): Softmax2d()\n)\n");
}

/// `Softmax2d` of a 2-D input is PyTorch's assertion, a loss module called on
/// the wrong number of tensors says how many it takes, and a padding module
/// takes one padding.
#[test]
fn misuse_is_a_compile_error() {
    let (code, msg, _) = first_error("x = randn(3, 4)\ny = Softmax2d()(x)\nprint(y)\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "Softmax2d: expected input to be 3D or 4D, got 2D instead"));
    let (code, msg, _) = first_error("x = randn(3, 4)\ny = GaussianNLLLoss()(x, x)\nprint(y)\n");
    assert_eq!((code, msg.as_str()), (Code::E0103, "`GaussianNLLLoss` takes 3 tensors"));
    let (code, msg, _) = first_error("m = ZeroPad2d(1, 2)\n");
    assert_eq!((code, msg.as_str()), (Code::E0103, "`ZeroPad2d` takes at most 1 argument"));
}
