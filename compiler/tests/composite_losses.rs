//! The composite losses, `pairwise_distance`, `diff`, `frac` and `std_mean`
//! (`lower/composite_losses.rs`, `lower/diff_frac.rs`): their values and
//! gradients are checked byte for byte against PyTorch by
//! `examples/more_losses.act`; here, the second derivative of
//! `soft_margin_loss`, methods, and every error at the argument it is about.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn soft_margin_second_derivative_is_pytorchs_within_rounding() {
    // PyTorch 2.15 (`torch.autograd.grad(l, x, create_graph=True)`, then of
    // `g.sum()`) prints these; graphc differentiates the backward's own ops,
    // where PyTorch has `soft_margin_loss_double_backward`'s formula, so the
    // second derivative differs in its last bits (here up to 7 units in the
    // last place, of 2^-52 relative each).
    let program = r#"
manual_seed(0)
x = randn(5, dtype=f64, requires_grad=true)
t = randn(5, dtype=f64).sign()
l = soft_margin_loss(x * 2, t)
g, = grad(l, x, create_graph=true)
h, = grad(g.sum(), x)
print(g.tolist())
print(h.tolist())
"#;
    let out = run(program);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "[0.3824575199373995, -0.2570575429669187, -0.39494105600782653, 0.30284125385576205, 0.041025972959245205]");
    let torch = [0.033546267091467255, 0.1837221839528911, 0.009989923412767185, 0.14711838252687354, 0.07363629363222682];
    let ours: Vec<f64> = lines[1].trim_matches(['[', ']']).split(", ").map(|v| v.parse().unwrap()).collect();
    for (a, b) in ours.iter().zip(torch) {
        assert!((a - b).abs() <= 16.0 * f64::EPSILON * b.abs(), "{a} against PyTorch's {b}");
    }
}

#[test]
fn diff_and_frac_are_methods_too() {
    // torch.tensor([1., 4., 9., 16.]).diff() and (torch.tensor([2.5, -1.25]).frac())
    let out = run("print(tensor([1., 4., 9., 16.]).diff())\nprint(tensor([2.5, -1.25]).frac())\nprint(diff(arange(5) ** 2, n=2))\n");
    assert_eq!(out, "tensor([3., 5., 7.])\ntensor([ 0.5000, -0.2500])\ntensor([2, 2, 2])\n");
}

#[test]
fn operands_of_other_shapes_are_refused_at_the_operand() {
    let line = "l = margin_ranking_loss(zeros(4), zeros(4), zeros(3))";
    let (code, message, at) = first_error(line);
    assert_eq!(code, Code::E0244, "{message}");
    assert_eq!(at, line.rfind("zeros").unwrap());
    let line = "l = hinge_embedding_loss(zeros(2, 3), ones(2, 4))";
    let (code, message, _) = first_error(line);
    assert_eq!(code, Code::E0202, "{message}");
}

#[test]
fn a_soft_margin_target_that_requires_grad_is_refused() {
    let line = "t = zeros(3, requires_grad=true)\nl = soft_margin_loss(zeros(3), t)";
    let (code, message, at) = first_error(line);
    assert_eq!(code, Code::E0204, "{message}");
    assert_eq!(at, line.rfind('t').unwrap());
}

#[test]
fn gaussian_variances_are_checked() {
    let line = "l = gaussian_nll_loss(zeros(3), zeros(3), -1.0)";
    let (code, message, at) = first_error(line);
    assert_eq!(code, Code::E0246, "{message}");
    assert_eq!(at, line.find("-1.0").unwrap());
    let line = "l = gaussian_nll_loss(zeros(4, 3), zeros(4, 3), ones(2, 3))";
    let (code, message, at) = first_error(line);
    assert_eq!(code, Code::E0244, "{message}");
    assert_eq!(at, line.find("ones").unwrap());
    assert!(message.contains("var is of incorrect size"), "{message}");
    // One dimension short, or a size of 1 in one dimension: PyTorch's homoscedastic cases.
    run("l = gaussian_nll_loss(zeros(4, 3), zeros(4, 3), ones(4))\nl = gaussian_nll_loss(zeros(4, 3), zeros(4, 3), ones(4, 1))\n");
}

#[test]
fn cosine_embedding_and_triplet_ranks_are_checked() {
    let (code, message, _) = first_error("l = cosine_embedding_loss(zeros(2, 3), zeros(2, 3), ones(2, 1))");
    assert_eq!(code, Code::E0244, "{message}");
    let (code, message, _) = first_error("l = cosine_embedding_loss(zeros(3), zeros(3), ones(3))");
    assert_eq!(code, Code::E0244, "{message}");
    assert!(message.contains("1D target tensor expects 2D input tensors"), "{message}");
    let (code, message, _) = first_error("l = triplet_margin_loss(zeros(2, 3), zeros(2, 3), zeros(3))");
    assert_eq!(code, Code::E0244, "{message}");
    let (code, message, _) = first_error("l = triplet_margin_loss(zeros(2, 3), zeros(2, 3), zeros(2, 3), p=3)");
    assert_eq!(code, Code::E0243, "{message}");
}

#[test]
fn bad_diff_and_options_are_refused() {
    let (code, message, _) = first_error("y = diff(tensor([true, false]))");
    assert_eq!(code, Code::E0204, "{message}");
    let (code, message, _) = first_error("y = diff(tensor(1.0))");
    assert_eq!(code, Code::E0202, "{message}");
    let line = "y = diff(zeros(3), n=-1)";
    let (code, message, at) = first_error(line);
    assert_eq!(code, Code::E0107, "{message}");
    assert_eq!(at, line.find("-1").unwrap());
    let (code, message, _) = first_error("l = poisson_nll_loss(zeros(3), zeros(3), log_input=1)");
    assert_eq!(code, Code::E0107, "{message}");
    let (code, message, _) = first_error("d = pairwise_distance(tensor(1.0), tensor(2.0))");
    assert_eq!(code, Code::E0202, "{message}");
    let (code, message, _) = first_error("l = margin_ranking_loss(zeros(3), zeros(3), zeros(3), reduction=\"max\")");
    assert_eq!(code, Code::E0245, "{message}");
}

/// `multilabel_soft_margin_loss` and `MultiLabelSoftMarginLoss`, with and
/// without a weight, in every reduction, as PyTorch 2.15 prints them.
#[test]
fn multilabel_soft_margin_loss_is_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(4, 5, requires_grad=true)
y = (rand(4, 5) > 0.5).float()
w = rand(5)
l = multilabel_soft_margin_loss(x, y)
print(l)
l.backward()
print(x.grad)
print(multilabel_soft_margin_loss(x, y, weight=w, reduction="sum"))
print(multilabel_soft_margin_loss(x, y, w, reduction="none"))
crit = MultiLabelSoftMarginLoss(weight=w)
print(crit(x, y))
print(crit)
v = randn(6, dtype=f64)
print(multilabel_soft_margin_loss(v, ones(6, dtype=f64)))
"#;
    assert_eq!(run(program), "tensor(0.7835, grad_fn=<MeanBackward0>)\ntensor([[ 0.0122, -0.0380, -0.0281, -0.0303, -0.0177],\n        [ 0.0087, -0.0292,  0.0432,  0.0307,  0.0230],\n        [-0.0095, -0.0217,  0.0400,  0.0415, -0.0140],\n        [-0.0350, -0.0141, -0.0111, -0.0059,  0.0257]])\ntensor(0.9282, grad_fn=<SumBackward0>)\ntensor([0.1995, 0.2396, 0.2207, 0.2684], grad_fn=<DivBackward0>)\ntensor(0.2321, grad_fn=<MeanBackward0>)\nMultiLabelSoftMarginLoss()\ntensor(1.1206, dtype=torch.float64)\n");
    assert_eq!(first_error("print(multilabel_soft_margin_loss(tensor(1.0), tensor(1.0)))\n").0, Code::E0202);
}
/// `cross_entropy` and `nll_loss` of [N, C, H, W] and [N, C, L] inputs with [N, H, W] and [N, L] targets: the mean and its gradient, `"none"` per position, a weight with an ignored position and the sum, the module with `ignore_index`, a 5-D input and 8 maps of 21 classes, with the `grad_fn`s (NllLoss2DBackward0, ViewBackward0) as PyTorch 2.15 prints them.
#[test]
fn k_dimensional_class_losses_print_as_pytorch() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, 4, 5, requires_grad=true)
t = randint(0, 3, (2, 4, 5))
l = cross_entropy(x, t)
print(l)
print(l.grad_fn)
l.backward()
print(x.grad[1, :, 2])
x.grad = none
lp = log_softmax(x, 1)
n = nll_loss(lp, t, reduction="none")
print(n[0])
print(n.grad_fn)
w = tensor([0.2, 1.0, 3.0])
t2 = t.clone()
t2[0, 0] = -100
l2 = cross_entropy(x, t2, weight=w, reduction="sum")
print(l2)
l2.backward()
print(x.grad[0, :, 0])
x.grad = none
s = randn(4, 5, 7, requires_grad=true)
st = randint(0, 5, (4, 7))
l3 = CrossEntropyLoss(ignore_index=2)(s, st)
print(l3, l3.grad_fn)
l3.backward()
print(s.grad[3])
r = cross_entropy(s, st, reduction="none")
print(r, r.grad_fn)
v = randn(2, 3, 2, 2, 2)
vt = randint(0, 3, (2, 2, 2, 2))
print(cross_entropy(v, vt), nll_loss(v.log_softmax(1), vt, reduction="none").shape)
big = randn(8, 21, 16, 16)
bt = randint(0, 21, (8, 16, 16))
print(cross_entropy(big, bt).item())
"#;
    assert_eq!(run(program), "tensor(1.3792, grad_fn=<NllLoss2DBackward0>)\n<NllLoss2DBackward0 object>\ntensor([[-0.0190, -0.0127,  0.0011,  0.0050, -0.0203],\n        [ 0.0015,  0.0084, -0.0230, -0.0217,  0.0079],\n        [ 0.0176,  0.0043,  0.0220,  0.0167,  0.0123]])\ntensor([[1.2165, 0.2140, 1.0560, 0.2365, 0.9663],\n        [3.1153, 0.9038, 2.5383, 1.4531, 0.4368],\n        [1.5769, 0.9160, 1.5150, 1.6085, 0.5673],\n        [0.7583, 2.2491, 1.1134, 0.5877, 3.0866]], grad_fn=<SelectBackward0>)\n<NllLoss2DBackward0 object>\ntensor(75.5610, grad_fn=<NllLoss2DBackward0>)\ntensor([[0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.]])\ntensor(1.9890, grad_fn=<NllLoss2DBackward0>) <NllLoss2DBackward0 object>\ntensor([[ 0.0180, -0.0296,  0.0066,  0.0053, -0.0404,  0.0000,  0.0000],\n        [ 0.0097,  0.0205,  0.0067,  0.0082,  0.0038,  0.0000,  0.0000],\n        [ 0.0034,  0.0041,  0.0183,  0.0090,  0.0152,  0.0000,  0.0000],\n        [ 0.0085,  0.0030,  0.0071, -0.0274,  0.0063,  0.0000,  0.0000],\n        [-0.0396,  0.0021, -0.0386,  0.0049,  0.0151,  0.0000,  0.0000]])\ntensor([[3.2391, 2.0677, 2.4926, 2.4668, 1.0620, 1.3010, 2.2093],\n        [1.3211, 2.6575, 1.5439, 0.9114, 2.2625, 2.4923, 2.5004],\n        [1.3881, 2.0207, 1.3655, 2.5043, 3.0464, 2.3437, 2.6520],\n        [2.4188, 1.1452, 2.1954, 0.9955, 2.6603, 1.7568, 0.7756]],\n       grad_fn=<ViewBackward0>) <ViewBackward0 object>\ntensor(1.4023) torch.Size([2, 2, 2, 2])\n3.511857748031616\n");
}
/// `cross_entropy` with `label_smoothing` of [N, C, H, W] logits with an ignored row, with a weight, summed and per position, and of [N, C, L]: values, `grad_fn`s (AddBackward0) and gradients as PyTorch 2.15 prints them.
#[test]
fn k_dimensional_label_smoothing_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, 4, 5, requires_grad=true)
t = randint(0, 3, (2, 4, 5))
t[1, 2] = -100
w = tensor([0.2, 1.0, 3.0])
for kw in [dict(label_smoothing=0.1), dict(label_smoothing=0.2, weight=w), dict(label_smoothing=0.3, reduction="sum"), dict(label_smoothing=0.05, weight=w, reduction="none")] {
    x.grad = none
    l = cross_entropy(x, t, **kw)
    print(l if l.dim() == 0 else l[1], l.grad_fn)
    l.sum().backward()
    print(x.grad[1, :, 2])
}
s = randn(3, 4, 6, requires_grad=true)
st = randint(0, 4, (3, 6))
l = cross_entropy(s, st, label_smoothing=0.15, reduction="none")
print(l, l.grad_fn)
"#;
    assert_eq!(run(program), "tensor(1.3442, grad_fn=<AddBackward0>) <AddBackward0 object>\ntensor([[0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.]])\ntensor(1.4446, grad_fn=<AddBackward0>) <AddBackward0 object>\ntensor([[0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.]])\ntensor(47.5483, grad_fn=<AddBackward0>) <AddBackward0 object>\ntensor([[0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.]])\ntensor([[8.1188, 7.5436, 6.5135, 2.2989, 0.4661],\n        [2.2288, 7.1552, 8.5906, 1.9162, 0.3199],\n        [0.0000, 0.0000, 0.0000, 0.0000, 0.0000],\n        [0.4876, 5.0190, 0.1881, 0.3222, 0.2518]], grad_fn=<SelectBackward0>) <AddBackward0 object>\ntensor([[0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.]])\ntensor([[1.5567, 1.2267, 0.7050, 2.4277, 2.3344, 1.6295],\n        [0.8064, 2.1467, 1.5990, 2.5393, 1.3956, 2.9578],\n        [1.8708, 0.8437, 0.6872, 0.9834, 1.8150, 2.0578]],\n       grad_fn=<AddBackward0>) <AddBackward0 object>\n");
}

/// A K-dimensional target whose positions do not match the input's is E0282.
#[test]
fn k_dimensional_targets_must_match_the_positions() {
    let (code, _, _) = first_error("l = cross_entropy(randn(2, 3, 4), randint(0, 3, (2, 5)))\n");
    assert_eq!(code, Code::E0282);
}
/// `cross_entropy` with class-probability targets and `label_smoothing`, `weight`, both summed, smoothing per sample, a negative `ignore_index` (allowed), a [N, C, L] input and a 1-D one: values, `grad_fn`s and gradients as PyTorch 2.15 prints them.
#[test]
fn probability_targets_take_weights_and_smoothing() {
    let program = r#"
manual_seed(0)
x = randn(4, 3, requires_grad=true)
p = randn(4, 3).softmax(1)
w = tensor([0.5, 2.0, 1.0])
for kw in [dict(label_smoothing=0.1), dict(weight=w), dict(weight=w, label_smoothing=0.25, reduction="sum"), dict(label_smoothing=0.3, reduction="none"), dict(ignore_index=-100, weight=w)] {
    x.grad = none
    l = cross_entropy(x, p, **kw)
    print(l, l.grad_fn)
    l.sum().backward()
    print(x.grad)
}
k = randn(2, 3, 5, requires_grad=true)
kp = rand(2, 3, 5)
l = cross_entropy(k, kp, weight=w, label_smoothing=0.2)
print(l)
l.backward()
print(k.grad[1])
print(cross_entropy(tensor([0.2, 0.3, 0.5]), tensor([0.0, 1.0, 0.0]), label_smoothing=0.1))
"#;
    assert_eq!(run(program), "tensor(1.5999, grad_fn=<DivBackward1>) <DivBackward1 object>\ntensor([[ 0.1775, -0.1539, -0.0236],\n        [ 0.0987, -0.0129, -0.0858],\n        [ 0.0344,  0.1023, -0.1367],\n        [-0.0463, -0.0152,  0.0615]])\ntensor(2.1024, grad_fn=<DivBackward1>) <DivBackward1 object>\ntensor([[ 0.3534, -0.3396, -0.0138],\n        [ 0.1431, -0.0541, -0.0890],\n        [ 0.0632,  0.0824, -0.1456],\n        [ 0.0128, -0.0823,  0.0696]])\ntensor(8.1823, grad_fn=<NegBackward0>) <NegBackward0 object>\ntensor([[ 1.2650, -1.1463, -0.1187],\n        [ 0.6066, -0.2870, -0.3196],\n        [ 0.2494,  0.2376, -0.4870],\n        [ 0.0772, -0.3472,  0.2700]])\ntensor([1.9837, 1.4914, 1.6381, 1.1870], grad_fn=<NegBackward0>) <NegBackward0 object>\ntensor([[ 0.6659, -0.5228, -0.1431],\n        [ 0.3999, -0.0823, -0.3176],\n        [ 0.1105,  0.3637, -0.4742],\n        [-0.1567, -0.0709,  0.2276]])\ntensor(2.1024, grad_fn=<DivBackward1>) <DivBackward1 object>\ntensor([[ 0.3534, -0.3396, -0.0138],\n        [ 0.1431, -0.0541, -0.0890],\n        [ 0.0632,  0.0824, -0.1456],\n        [ 0.0128, -0.0823,  0.0696]])\ntensor(2.2919, grad_fn=<DivBackward1>)\ntensor([[-0.0103,  0.0392,  0.0301,  0.0107,  0.0565],\n        [-0.1077,  0.0141, -0.0123, -0.0013, -0.0285],\n        [ 0.1181, -0.0533, -0.0178, -0.0094, -0.0280]])\ntensor(1.1365)\n");
}

/// A class to ignore makes no sense for probability targets: E0286 in
/// PyTorch's words.
#[test]
fn probability_targets_refuse_a_class_to_ignore() {
    let (code, msg, _) = first_error("l = cross_entropy(randn(4, 3), randn(4, 3).softmax(1), ignore_index=1)\n");
    assert_eq!((code, msg.as_str()), (Code::E0286, "ignore_index is not supported for floating point target"));
}
/// `cross_entropy` and `nll_loss` of one sample [C] with a 0-d class: the mean and its gradient, `"none"` (0-d), weights with label smoothing and the sum, with their `grad_fn`s, as PyTorch 2.15 prints them.
#[test]
fn unbatched_class_losses_print_as_pytorch() {
    let program = r#"
x = tensor([0.2, -1.0, 0.5], requires_grad=true)
t = tensor(2)
l = cross_entropy(x, t)
print(l, l.grad_fn)
l.backward()
print(x.grad)
print(nll_loss(x.log_softmax(0), t, reduction="none"))
print(cross_entropy(x, t, weight=tensor([1.0, 2.0, 3.0]), label_smoothing=0.1))
print(cross_entropy(x, t, reduction="sum"))
"#;
    assert_eq!(run(program), "tensor(0.6750, grad_fn=<NllLossBackward0>) <NllLossBackward0 object>\ntensor([ 0.3772,  0.1136, -0.4908])\ntensor(0.6750, grad_fn=<NllLossBackward0>)\ntensor(0.6891, grad_fn=<AddBackward0>)\ntensor(0.6750, grad_fn=<NllLossBackward0>)\n");
}
/// The deprecated `NLLLoss2d` module with `ignore_index` and `NLLLoss` per position, on [N, C, H, W] log-probabilities, as PyTorch 2.15 prints them.
#[test]
fn nll_loss_2d_module_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
m = NLLLoss2d(ignore_index=1)
print(m)
x = randn(2, 3, 2, 2).log_softmax(1)
t = randint(0, 3, (2, 2, 2))
print(m(x, t))
print(NLLLoss(reduction="none")(x, t))
"#;
    assert_eq!(run(program), "NLLLoss2d()\ntensor(1.8610)\ntensor([[[0.9807, 2.3054],\n         [2.0641, 2.8444]],\n\n        [[0.7866, 2.2970],\n         [0.1610, 0.6633]]])\n");
}

/// The example of `TripletMarginWithDistanceLoss`'s documentation (with
/// `retain_graph=true`, which its three backwards need): the default
/// `PairwiseDistance()` child, a fn and a lambda as the distance, then
/// `swap`, the reductions and `triplet_margin_loss` beside it, as PyTorch
/// 2.15 prints them.
#[test]
fn triplet_margin_with_distance_loss_prints_as_pytorch() {
    let program = r#"

manual_seed(0)
embedding = Embedding(1000, 16)
anchor_ids = randint(0, 1000, (4,))
positive_ids = randint(0, 1000, (4,))
negative_ids = randint(0, 1000, (4,))
anchor = embedding(anchor_ids)
positive = embedding(positive_ids)
negative = embedding(negative_ids)
triplet_loss = TripletMarginWithDistanceLoss(distance_function=PairwiseDistance())
print(triplet_loss)
output = triplet_loss(anchor, positive, negative)
print(output)
output.backward(retain_graph=true)
print(embedding.weight.grad[anchor_ids][:, :4])

fn l_infinity(x1, x2) {
    return max(abs(x1 - x2), dim=1).values
}

triplet_loss = TripletMarginWithDistanceLoss(distance_function=l_infinity, margin=1.5)
print(triplet_loss)
output = triplet_loss(anchor, positive, negative)
print(output)
output.backward(retain_graph=true)
triplet_loss = TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1.0 - cosine_similarity(x, y))
output = triplet_loss(anchor, positive, negative)
print(output)
output.backward(retain_graph=true)
print(embedding.weight.grad[positive_ids][:, :4])
print(TripletMarginWithDistanceLoss())
print(triplet_margin_with_distance_loss(anchor, positive, negative, swap=true, reduction="none"))
print(triplet_margin_with_distance_loss(anchor, positive, negative, margin=0.5, reduction="sum"))
print(triplet_margin_loss(anchor, positive, negative, swap=true, reduction="none"))

"#;
    assert_eq!(run(program), "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)\ntensor(0.9947, grad_fn=<MeanBackward0>)\ntensor([[ 0.1332, -0.0128,  0.0069, -0.0029],\n        [ 0.1266, -0.0003, -0.0510,  0.0249],\n        [-0.0163,  0.0735, -0.0550, -0.0083],\n        [ 0.0718,  0.0122,  0.0388,  0.0469]])\nTripletMarginWithDistanceLoss()\ntensor(1.7829, grad_fn=<MeanBackward0>)\ntensor(1.0166, grad_fn=<MeanBackward0>)\ntensor([[-0.0320,  0.0661,  0.0385, -0.0132],\n        [-0.0167,  0.0786,  0.0726, -0.0904],\n        [ 0.0990, -0.1033,  0.0560, -0.0230],\n        [ 0.0076,  0.0328, -0.0784, -0.3937]])\nTripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)\ntensor([1.4952, 1.0187, 2.8189, 1.8122], grad_fn=<ClampMinBackward0>)\ntensor(2.3075, grad_fn=<SumBackward0>)\ntensor([1.4952, 1.0187, 2.8189, 1.8122], grad_fn=<ClampMinBackward0>)\n");
}

/// A margin that is not positive, tensors of several ranks, a distance that
/// is not a tensor and an unknown reduction are compile errors, in PyTorch's
/// words where it has them.
#[test]
fn bad_triplet_margin_with_distance_calls_are_compile_errors() {
    let call = |extra: &str, negative: &str| format!("l = triplet_margin_with_distance_loss(randn(2, 3), randn(2, 3), {negative}{extra})\n");
    let (code, msg, _) = first_error(&call(", margin=0.0", "randn(2, 3)"));
    assert_eq!((code, msg.as_str()), (Code::E0107, "margin must be greater than 0, got 0.0"));
    let (code, msg, _) = first_error(&call(", swap=true", "randn(3)"));
    assert_eq!(code, Code::E0244);
    assert!(msg.ends_with("anchor 2D, positive 2D, and negative 1D inputs"), "{msg}");
    let (code, msg, _) = first_error(&call(", distance_function=lambda a, b: 1.0", "randn(2, 3)"));
    assert_eq!((code, msg.as_str()), (Code::E0107, "the distance function must return a tensor, not a number"));
    let (code, msg, _) = first_error(&call(", reduction=\"avg\"", "randn(2, 3)"));
    assert_eq!((code, msg.as_str()), (Code::E0245, "avg is not a valid value for reduction"));
    let (code, msg, _) = first_error("m = TripletMarginWithDistanceLoss(margin=-0.5)\n");
    assert_eq!((code, msg.as_str()), (Code::E0107, "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got -0.5 instead"));
}
