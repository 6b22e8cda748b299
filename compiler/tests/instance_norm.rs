//! `instance_norm`, `local_response_norm` and `channel_shuffle`, with
//! `nn.InstanceNorm1d/2d/3d`, `nn.LocalResponseNorm` and `nn.ChannelShuffle`:
//! the lines of PyTorch programs and what PyTorch 2.15 prints for them, and
//! PyTorch's checks as compile errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `instance_norm` (running statistics, affine, evaluation), `InstanceNorm1d/2d/3d` (reprs, parameters and buffers, an unbatched input), `local_response_norm` (3-D, 4-D, 5-D) and `channel_shuffle` with their modules: values, `grad_fn`s and gradients as PyTorch 2.15 prints them; the sums times 1000 in full compare every bit of the normalized values.
#[test]
fn instance_norm_lrn_channel_shuffle_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, 4, 5, requires_grad=true)
y = instance_norm(x)
print(y.grad_fn.name(), y[1, 2])
print((y.double() * 1000).sum().item(), (y.double().abs() * 1000).sum().item())
w = randn(3, requires_grad=true)
b = randn(3, requires_grad=true)
rm = zeros(3)
rv = ones(3)
z = instance_norm(x, rm, rv, w, b, momentum=0.2, eps=1e-3)
print(z[0, 1, :2])
print(rm, rv)
(z * randn(z.shape)).sum().backward()
print(x.grad[0, 0], w.grad, b.grad)
e = instance_norm(x, rm, rv, use_input_stats=false)
print(e[0, 0, 0])
m = InstanceNorm1d(4)
print(m)
s = randn(2, 4, 6)
print(m(s)[1])
print(m(s[0]).shape)
m2 = InstanceNorm2d(3, affine=true, track_running_stats=true)
print(m2)
print(list(n for n, _ in m2.named_parameters()), [n for n, _ in m2.named_buffers()])
o = m2(x)
print(o[0, 0, 0], m2.running_mean, m2.running_var, m2.num_batches_tracked)
m2.eval()
print(m2(x)[1, 1, 1])
m3 = InstanceNorm3d(2, momentum=0.3)
print(m3, m3(randn(1, 2, 2, 3, 3)).shape)
# local_response_norm (AlexNet)
lrn = LocalResponseNorm(2)
print(lrn)
q = randn(2, 5, 3, 3, requires_grad=true)
r = lrn(q)
print(r.grad_fn.name(), r[0, :, 0, 0])
r.sum().backward()
print(q.grad[1, :, 1, 1])
print(local_response_norm(randn(2, 4, 7), size=3, alpha=1e-2, beta=0.5, k=2.0)[1, :, :3])
print(local_response_norm(randn(1, 6, 2, 2, 2), 4)[0, :, 0, 0, 1])
# channel_shuffle
cs = ChannelShuffle(2)
print(cs)
print(cs(arange(16.).reshape(1, 4, 2, 2))[0, :, 0])
print(channel_shuffle(arange(12.).reshape(2, 6, 1), 3).flatten())
"#;
    assert_eq!(run(program), "ViewBackward0 tensor([[-2.5034, -1.5275,  0.0353,  0.5762, -0.4685],\n        [ 1.3817, -0.3643, -1.0829,  0.3771, -0.4308],\n        [ 0.9254, -0.4988,  1.7418,  0.9803,  0.7855],\n        [-0.8036,  0.4702,  0.3935, -0.5252,  0.5383]],\n       grad_fn=<SelectBackward0>)\n4.284083843231201e-05 97585.5728071183\ntensor([[-0.8172, -3.8541, -2.1428,  0.9511, -0.6038],\n        [-2.4870, -1.9060, -1.4028,  0.2974,  0.5752]],\n       grad_fn=<SliceBackward0>)\ntensor([-0.0192,  0.0311,  0.0059]) tensor([1.0397, 0.9751, 1.0331])\ntensor([[ 0.0718,  0.2129, -0.5968, -0.4850, -1.4559],\n        [-2.3034,  2.0562, -0.1457, -1.3000,  0.1030],\n        [-0.0465,  0.2828,  0.5471,  1.2185,  0.5524],\n        [-0.1900,  1.0922, -1.1002,  0.8415,  0.6451]]) tensor([-1.0503,  3.5430, -3.9605]) tensor([2.7011, 1.8184, 4.1100])\ntensor([-1.0853, -1.1113, -0.2269, -0.4067,  0.8511],\n       grad_fn=<SelectBackward0>)\nInstanceNorm1d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)\ntensor([[-1.0543,  0.6989,  0.5349,  0.8804, -1.7083,  0.6484],\n        [-0.9525, -1.0954,  0.7259,  1.4472,  0.7323, -0.8574],\n        [-0.3395, -0.2080,  0.6079,  1.8732, -1.1831, -0.7505],\n        [-1.3267, -0.3133, -1.0581,  1.5066,  0.4503,  0.7412]])\ntorch.Size([4, 6])\nInstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n['weight', 'bias'] ['running_mean', 'running_var', 'num_batches_tracked']\ntensor([-0.9862, -1.0139, -0.0737, -0.2648,  1.0723],\n       grad_fn=<SelectBackward0>) tensor([-0.0096,  0.0156,  0.0030]) tensor([1.0199, 0.9876, 1.0165]) tensor(0)\ntensor([-0.4182,  1.0303,  0.3447, -0.2632,  2.3013],\n       grad_fn=<SelectBackward0>)\nInstanceNorm3d(2, eps=1e-05, momentum=0.3, affine=False, bias=False, track_running_stats=False) torch.Size([1, 2, 2, 3, 3])\nLocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)\nDivBackward0 tensor([ 0.2942,  4.0989,  0.1663,  1.1971, -0.2792],\n       grad_fn=<SelectBackward0>)\ntensor([0.9998, 1.0000, 0.9998, 0.9999, 0.9999])\ntensor([[-0.6423,  0.3945, -0.5463],\n        [ 0.4397,  1.2878, -0.6735],\n        [-0.4854, -1.6386,  0.0662],\n        [ 0.2304,  0.3766,  1.3908]])\ntensor([ 0.4071, -1.6184, -1.0842, -2.7323,  1.5687, -0.2638])\nChannelShuffle(groups=2)\ntensor([[ 0.,  1.],\n        [ 8.,  9.],\n        [ 4.,  5.],\n        [12., 13.]])\ntensor([ 0.,  2.,  4.,  1.,  3.,  5.,  6.,  8., 10.,  7.,  9., 11.])\n");
}

/// An `InstanceNorm2d` with tracked statistics trained by SGD for three steps, then evaluated: every loss, running statistic and weight in full precision equals PyTorch's (the running statistics are the batch mean of the repeated ones, copied back in evaluation too).
#[test]
fn instance_norm_training_is_pytorchs() {
    let program = r#"
manual_seed(1)
m = InstanceNorm2d(3, track_running_stats=true, affine=true)
opt = SGD(m.parameters(), lr=0.1)
for step in range(3) {
    x = randn(3, 3, 4, 4)
    loss = m(x).pow(3).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, loss.item(), m.running_mean.tolist(), m.running_var.tolist())
}
m.eval()
no_grad {
    y = m(randn(3, 3, 4, 4))
}
print(m.running_mean.tolist(), m.running_var.tolist(), m.weight.tolist())
print(y.sum().item())
"#;
    assert_eq!(run(program), "0 0.27082961797714233 [-0.016218742355704308, -0.004174231085926294, 0.00040078131132759154] [1.0181809663772583, 0.9839875102043152, 1.0158027410507202]\n1 -0.4153425395488739 [-0.008468540385365486, 0.019690128043293953, 0.01632816158235073] [1.0276886224746704, 1.010676383972168, 1.0078107118606567]\n2 -0.7824981212615967 [-0.013532591052353382, 0.007529991213232279, 0.012275587767362595] [1.0215429067611694, 1.013386607170105, 0.9993316531181335]\n[-0.013532591052353382, 0.007529991213232279, 0.012275587767362595] [1.0215429067611694, 1.013386607170105, 0.9993316531181335] [1.107845664024353, 1.0543133020401, 1.0269932746887207]\n-40.17481231689453\n");
}

/// PyTorch's checks of the inputs, with its messages.
#[test]
fn bad_inputs_are_compile_errors() {
    let cases: &[(&str, Code, &str)] = &[
        (
            "y = instance_norm(randn(2, 3, 1, 1))\n",
            Code::E0202,
            "Expected more than 1 spatial element when training, got input size torch.Size([2, 3, 1, 1])",
        ),
        (
            "y = instance_norm(randn(2, 3, 4), use_input_stats=false)\n",
            Code::E0107,
            "Expected running_mean and running_var to be defined when use_input_stats is false",
        ),
        ("y = local_response_norm(randn(2, 3), 2)\n", Code::E0202, "Expected 3D or higher dimensionality input (got 2 dimensions)"),
        ("y = channel_shuffle(randn(1, 5, 2), 2)\n", Code::E0202, "Number of channels must be divisible by groups. Got 5 channels and 2 groups."),
        ("y = channel_shuffle(randn(5), 2)\n", Code::E0202, "channel_shuffle expects input with > 2 dims, but got input with sizes [5]"),
        (
            "m = InstanceNorm2d(3, affine=true)\ny = m(randn(2, 4, 4, 4))\n",
            Code::E0202,
            "expected input's size at dim=1 to match num_features (3), but got: 4.",
        ),
        ("m = InstanceNorm2d(3)\ny = m(randn(2, 3))\n", Code::E0202, "expected 3D or 4D input (got 2D input)"),
    ];
    for (source, code, message) in cases {
        let (c, m, _) = first_error(source);
        assert_eq!((c, m.as_str()), (*code, *message), "{source}");
    }
}
