//! `batch_norm` (`torch.nn.functional.batch_norm`, `lower/batch_norm_calls.rs`):
//! a CNN with a 2-D batch norm after its convolution and a 1-D one after its
//! hidden layer, trained in a loop compiled once with SGD and momentum, its
//! running statistics updated in place and then used in evaluation, against
//! what the PyTorch 2.15 program beside it prints; and PyTorch's checks of its
//! arguments. The forward's bits are measured by `tools/numerics/batch_norm.py`
//! (docs/NUMERICS.md, "Batch norm").

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// PyTorch prints the same with one thread and with two; with one, its
/// forward and running statistics are graphc's bit for bit.
#[test]
fn batch_norm_trains_and_evaluates_as_pytorch_does() {
    // import torch
    // import torch.nn.functional as F
    // torch.set_num_threads(1)
    // torch.manual_seed(0)
    // x = torch.randn(32, 4, 6, 6)
    // labels = torch.randint(0, 3, (32,))
    // w1 = (torch.randn(8, 4, 3, 3) * 0.2).requires_grad_()
    // gamma = torch.ones(8, requires_grad=True)
    // beta = torch.zeros(8, requires_grad=True)
    // running_mean = torch.zeros(8)
    // running_var = torch.ones(8)
    // w2 = (torch.randn(16, 8 * 2 * 2) * 0.2).requires_grad_()
    // g2 = torch.ones(16, requires_grad=True)
    // b2 = torch.zeros(16, requires_grad=True)
    // rm2 = torch.zeros(16)
    // rv2 = torch.ones(16)
    // w3 = (torch.randn(3, 16) * 0.2).requires_grad_()
    // params = [w1, gamma, beta, w2, g2, b2, w3]
    // opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    //
    // def model(x, training):
    //     h = F.conv2d(x, w1)
    //     h = F.batch_norm(h, running_mean, running_var, gamma, beta, training=training, momentum=0.1, eps=1e-5)
    //     h = F.max_pool2d(F.relu(h), 2).flatten(1)
    //     h = F.linear(h, w2)
    //     h = F.batch_norm(h, rm2, rv2, g2, b2, training=training)
    //     return F.linear(F.relu(h), w3)
    //
    // for step in range(10):
    //     loss = F.cross_entropy(model(x, True), labels)
    //     opt.zero_grad()
    //     loss.backward()
    //     opt.step()
    //     print(step, f"{loss.item():.6f}")
    // print(running_mean)
    // print(running_var)
    // print(rv2[:4])
    // with torch.no_grad():
    //     out = model(x[:4], False)
    // print(out)
    // print(gamma.grad)
    let program = r#"
manual_seed(0)
x = randn(32, 4, 6, 6)
labels = randint(0, 3, (32,))
w1 = (randn(8, 4, 3, 3) * 0.2).requires_grad_()
gamma = ones(8, requires_grad=true)
beta = zeros(8, requires_grad=true)
running_mean = zeros(8)
running_var = ones(8)
w2 = (randn(16, 8 * 2 * 2) * 0.2).requires_grad_()
g2 = ones(16, requires_grad=true)
b2 = zeros(16, requires_grad=true)
rm2 = zeros(16)
rv2 = ones(16)
w3 = (randn(3, 16) * 0.2).requires_grad_()
params = [w1, gamma, beta, w2, g2, b2, w3]
opt = SGD(params, lr=0.1, momentum=0.9)

fn model(x, training) {
    h = conv2d(x, w1)
    h = batch_norm(h, running_mean, running_var, gamma, beta, training=training, momentum=0.1, eps=1e-5)
    h = max_pool2d(relu(h), 2).flatten(1)
    h = linear(h, w2)
    h = batch_norm(h, rm2, rv2, g2, b2, training=training)
    return linear(relu(h), w3)
}

for step in range(10) {
    loss = cross_entropy(model(x, true), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, f"{loss.item():.6f}")
}
print(running_mean)
print(running_var)
print(rv2[:4])
no_grad {
    out = model(x[:4], false)
}
print(out)
print(gamma.grad)
"#;
    let expected = r#"0 1.225186
1 1.111748
2 0.970957
3 0.850838
4 0.744998
5 0.656615
6 0.581917
7 0.516719
8 0.463527
9 0.416246
tensor([-0.0593,  0.0232, -0.0419,  0.0057,  0.0437, -0.0059, -0.0257, -0.0127])
tensor([1.1779, 1.0926, 1.3000, 1.4297, 1.3735, 1.9029, 1.1383, 0.9970])
tensor([0.8482, 0.9874, 0.9727, 0.7872])
tensor([[-0.2031,  0.9332, -0.2846],
        [-0.1931,  0.4198, -0.5804],
        [-1.2081,  0.1522,  0.0250],
        [-3.6853, -0.5911,  3.6461]])
tensor([ 0.0045, -0.0060,  0.0190,  0.0053,  0.0032,  0.0020, -0.0114, -0.0177])
"#;
    assert_eq!(run(program), expected);
}

/// PyTorch's checks of the statistics and of the input, in its words, at the
/// argument at fault.
#[test]
fn bad_arguments_are_pytorchs_errors() {
    let cases: [(&str, Code, &str, &str); 5] = [
        ("y = batch_norm(randn(4, 3), zeros(4), ones(3))", Code::E0202, "running_mean should contain 3 elements not 4", "zeros(4)"),
        (
            "y = batch_norm(randn(4, 3), none, none)",
            Code::E0107,
            "running_mean must be defined in evaluation mode",
            "batch_norm(randn(4, 3), none, none)",
        ),
        (
            "y = batch_norm(randn(1, 3), none, none, training=true)",
            Code::E0202,
            "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])",
            "randn(1, 3)",
        ),
        (
            "y = batch_norm(randn(4, 3), zeros(3), ones(3), ones(3, dtype=f64))",
            Code::E0201,
            "`batch_norm`'s weight is f64 but its input is f32",
            "ones(3, dtype=f64)",
        ),
        ("y = batch_norm(randn(5), none, none, training=true)", Code::E0202, "`batch_norm` needs an input of shape [N, C, *], not [5]", "randn(5)"),
    ];
    for (program, code, message, at) in cases {
        let (c, m, start) = first_error(program);
        assert_eq!((c, m.as_str()), (code, message), "{program}");
        assert_eq!(start, program.find(at).expect("the span's text is in the program"), "{program}: the error is not at `{at}`");
    }
}
/// `BatchNorm3d` on a 5-D batch: its repr, the normalized values, `grad_fn` and input gradient in training, the running statistics it updates, its evaluation output, and `batch_norm`/`instance_norm` of the same 5-D input, as PyTorch 2.15 prints them.
#[test]
fn batch_norm_3d_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
m = BatchNorm3d(3)
print(m)
x = randn(2, 3, 2, 3, 2, requires_grad=true)
y = m(x)
print(y[0, 1])
print(y.grad_fn)
(y * linspace(-1, 1, 72).reshape(2, 3, 2, 3, 2)).sum().backward()
print(x.grad[1, 2])
print(m.running_mean, m.running_var)
m.eval()
print(m(x)[1, 0, 1])
print(batch_norm(x, zeros(3), ones(3), training=true)[0, 2, 0])
print(instance_norm(x)[1, 1, 1])
"#;
    assert_eq!(run(program), "BatchNorm3d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\ntensor([[[-0.2594,  0.7557],\n         [ 0.6460, -0.5928],\n         [-1.5966, -1.9083]],\n\n        [[ 0.1464,  0.3524],\n         [ 0.1756, -1.7804],\n         [-0.6782,  1.3145]]], grad_fn=<SelectBackward0>)\n<NativeBatchNormBackward0 object>\ntensor([[[0.1755, 0.4189],\n         [0.2557, 0.5501],\n         [0.6919, 0.4484]],\n\n        [[0.2691, 0.7201],\n         [0.5586, 0.8347],\n         [0.9824, 1.0226]]])\ntensor([-0.0095,  0.0405, -0.0063]) tensor([0.9961, 1.0265, 0.9644])\ntensor([[-0.2807,  0.0621],\n        [ 0.5334,  2.3162],\n        [-1.4622, -1.5803]], grad_fn=<SelectBackward0>)\ntensor([[ 1.0351, -0.6650],\n        [-0.1405,  0.3138],\n        [ 1.8488,  2.0995]], grad_fn=<SelectBackward0>)\ntensor([[-0.1765, -1.1153],\n        [ 0.7896,  1.3626],\n        [ 0.9873,  1.6611]], grad_fn=<SelectBackward0>)\n");
}

/// `BatchNorm3d` takes [N, C, D, H, W] only, as its `_check_input_dim` says.
#[test]
fn batch_norm_3d_refuses_a_4d_input() {
    let (code, msg, _) = first_error("m = BatchNorm3d(3)\ny = m(randn(2, 3, 4, 4))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "expected 5D input (got 4D input)"));
}
