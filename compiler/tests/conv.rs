//! `conv1d`, `conv2d`, `conv_transpose2d` and `max_pool2d`, and the modules
//! `ConvTranspose1d`/`ConvTranspose2d`
//! (`lower/conv_calls.rs`, `Op::Conv`, `IndexOp::MaxPool`): a small CNN trained
//! in a loop compiled once, a gradient of a gradient through a convolution and
//! its transpose, `padding="same"` with even kernels, against what the
//! PyTorch 2.15 programs beside them print; and PyTorch's checks of shapes and
//! arguments, in its words. `examples/convolutions.act` and
//! `examples/conv_bn.act` cover the rest against their PyTorch originals.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// A convolution with a bias, `F.relu_`, a max pool and a linear layer trained
/// with SGD and momentum, in f64 (whose convolutions have PyTorch's bits in
/// these shapes); then the input gradient of a convolution followed by its
/// transpose, differentiated again for the weight (a gradient penalty), which
/// runs the weight gradient's own derivatives.
#[test]
fn a_cnn_trains_and_differentiates_twice_as_pytorch_does() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = torch.randn(6, 2, 9, 9, dtype=torch.float64)
    // labels = torch.tensor([0, 1, 2, 1, 0, 2])
    // w1 = (torch.randn(4, 2, 3, 3, dtype=torch.float64) * 0.3).requires_grad_()
    // b1 = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    // w2 = (torch.randn(3, 4 * 3 * 3, dtype=torch.float64) * 0.2).requires_grad_()
    // opt = torch.optim.SGD([w1, b1, w2], lr=0.1, momentum=0.9)
    // for step in range(8):
    //     h = F.conv2d(x, w1, b1, padding=1)
    //     F.relu_(h)
    //     h = F.max_pool2d(h, 3, stride=3)
    //     logits = h.flatten(1) @ w2.T
    //     loss = F.cross_entropy(logits, labels)
    //     opt.zero_grad()
    //     loss.backward()
    //     opt.step()
    //     print(step, f"{loss.item():.10f}", h.grad_fn.name())
    // print(w1[0, 0])
    // print(b1.grad)
    // # A gradient penalty: the input gradient's norm, differentiated again
    // xp = x[:2].clone().requires_grad_()
    // y = F.conv_transpose2d(F.conv2d(xp, w1, stride=2), w1, stride=2, output_padding=0)
    // gx, = torch.autograd.grad(y.pow(2).sum(), xp, create_graph=True)
    // penalty = gx.pow(2).sum()
    // penalty.backward()
    // print(f"{penalty.item():.8f}")
    // print(w1.grad[1, 1])
    let program = r#"
manual_seed(0)
x = randn(6, 2, 9, 9, dtype=f64)
labels = tensor([0, 1, 2, 1, 0, 2])
w1 = (randn(4, 2, 3, 3, dtype=f64) * 0.3).requires_grad_()
b1 = zeros(4, dtype=f64, requires_grad=true)
w2 = (randn(3, 4 * 3 * 3, dtype=f64) * 0.2).requires_grad_()
opt = SGD([w1, b1, w2], lr=0.1, momentum=0.9)
for step in range(8) {
    h = conv2d(x, w1, b1, padding=1)
    relu_(h)
    h = max_pool2d(h, 3, stride=3)
    logits = h.flatten(1) @ w2.T
    loss = cross_entropy(logits, labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, f"{loss.item():.10f}", h.grad_fn.name())
}
print(w1[0, 0])
print(b1.grad)
xp = x[:2].clone().requires_grad_()
y = conv_transpose2d(conv2d(xp, w1, stride=2), w1, stride=2, output_padding=0)
gx, = grad(y.pow(2).sum(), xp, create_graph=true)
penalty = gx.pow(2).sum()
penalty.backward()
print(f"{penalty.item():.8f}")
print(w1.grad[1, 1])
"#;
    let expected = r#"0 2.3724186977 MaxPool2DWithIndicesBackward0
1 1.5400799372 MaxPool2DWithIndicesBackward0
2 0.5280471591 MaxPool2DWithIndicesBackward0
3 0.3301095725 MaxPool2DWithIndicesBackward0
4 0.0956004378 MaxPool2DWithIndicesBackward0
5 0.0348520976 MaxPool2DWithIndicesBackward0
6 0.0250443436 MaxPool2DWithIndicesBackward0
7 0.0281159963 MaxPool2DWithIndicesBackward0
tensor([[-0.7364,  0.2093, -0.6566],
        [ 0.6163,  0.5312, -0.0931],
        [-0.4752,  0.0417, -0.3888]], dtype=torch.float64,
       grad_fn=<SelectBackward0>)
tensor([ 0.0296,  0.0289, -0.0140, -0.0177], dtype=torch.float64)
142966.96411610
tensor([[ -7816.3241, -16935.7149,   -949.7925],
        [ 22428.3519,   7643.5217, -14932.2397],
        [ 28543.4236, -23247.5024,  16111.8093]], dtype=torch.float64)
"#;
    assert_eq!(run(program), expected);
}

/// `padding="same"` with a kernel spanning an even number of positions pads
/// one more zero at the end of the axis, as PyTorch does, in two and in one
/// dimension (with a dilation), and its gradient crops it off again.
#[test]
fn same_padding_with_even_kernels_is_pytorchs() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(3)
    // x = torch.randn(2, 3, 6, 5, dtype=torch.float64, requires_grad=True)
    // w = torch.randn(4, 3, 2, 4, dtype=torch.float64, requires_grad=True)
    // y = F.conv2d(x, w, padding="same", dilation=(1, 1))
    // print(y.shape, y.grad_fn.name())
    // print(y[1, 2])
    // y.pow(2).sum().backward()
    // print(x.grad[0, 1])
    // print(w.grad[3, 2])
    // s = torch.randn(1, 2, 7, requires_grad=True)
    // k = torch.randn(3, 2, 4, requires_grad=True)
    // z = F.conv1d(s, k, padding="same", dilation=3)
    // print(z)
    // z.sum().backward()
    // print(s.grad)
    let program = r#"
manual_seed(3)
x = randn(2, 3, 6, 5, dtype=f64, requires_grad=true)
w = randn(4, 3, 2, 4, dtype=f64, requires_grad=true)
y = conv2d(x, w, padding="same", dilation=(1, 1))
print(y.shape, y.grad_fn.name())
print(y[1, 2])
y.pow(2).sum().backward()
print(x.grad[0, 1])
print(w.grad[3, 2])
s = randn(1, 2, 7, requires_grad=true)
k = randn(3, 2, 4, requires_grad=true)
z = conv1d(s, k, padding="same", dilation=3)
print(z)
z.sum().backward()
print(s.grad)
"#;
    let expected = r#"torch.Size([2, 4, 6, 5]) ConvolutionBackward0
tensor([[ 3.0061,  1.0960, -0.8144,  0.2424,  3.0241],
        [ 3.1346, 10.0145,  5.1902,  2.3269,  0.3201],
        [-3.6450,  3.0445,  2.1854,  3.3893,  0.6058],
        [-5.5360,  2.8336,  1.7139,  1.0043,  2.8707],
        [-5.9983,  2.8740, -0.4875,  2.0834,  5.2164],
        [-1.8462,  0.1259,  5.2125, -2.0258, -4.1915]], dtype=torch.float64,
       grad_fn=<SelectBackward0>)
tensor([[ -56.8617,   13.7407,   62.8004,  -31.7173,  -46.6230],
        [ -83.5295,   31.5955,  -72.0292,    3.1515,  -49.0449],
        [  17.1385,  -40.7511,   29.6146,  -83.7588,  -17.6884],
        [  49.4352,  -21.5189,   -9.4518,  -78.2232,  -13.8161],
        [ -90.1407, -101.0357,  111.6982,  -78.8473,   46.3660],
        [  31.7500,   95.1103,   -7.1917,   66.0473,   -1.1522]],
       dtype=torch.float64)
tensor([[  51.0930,  106.6477,  -61.8264,  -40.2148],
        [ 108.3018,  -62.1655,  110.2990, -143.6259]], dtype=torch.float64)
tensor([[[-1.2986, -1.6338, -1.9371,  1.3996,  1.2519,  2.1999,  4.7081],
         [ 5.9954,  1.6480,  0.7914,  6.8937,  2.6501,  1.6966,  2.4538],
         [ 6.9383,  1.3650, -0.4933,  5.6052,  3.2114,  2.0030,  0.8270]]],
       grad_fn=<ConvolutionBackward0>)
tensor([[[ 2.5401,  2.5401,  7.1247,  5.2632,  5.2632,  7.2280,  6.5494],
         [-8.1822, -8.1822, -8.0783, -3.3605, -3.3605, -5.5220, -2.0576]]])
"#;
    assert_eq!(run(program), expected);
}

/// Each check PyTorch makes before a convolution or a pool runs is a compile
/// error here, with PyTorch's message, at the argument at fault.
#[test]
fn bad_shapes_and_arguments_are_pytorchs_errors() {
    let cases: [(&str, Code, &str, &str); 11] = [
        (
            "y = conv2d(randn(2, 4, 7, 7), randn(5, 3, 3, 3))",
            Code::E0202,
            "Given groups=1, weight of size [5, 3, 3, 3], expected input[2, 4, 7, 7] to have 3 channels, but got 4 channels instead",
            "randn(2, 4, 7, 7)",
        ),
        (
            "y = conv2d(randn(2, 3, 2, 2), randn(5, 3, 3, 3))",
            Code::E0202,
            "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
            "randn(2, 3, 2, 2)",
        ),
        (
            "y = conv2d(randn(3, 7), randn(5, 3, 3, 3))",
            Code::E0202,
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 7]",
            "randn(3, 7)",
        ),
        (
            "y = conv2d(randn(2, 4, 7, 7), randn(6, 2, 3, 3), groups=3)",
            Code::E0202,
            "Given groups=3, weight of size [6, 2, 3, 3], expected input[2, 4, 7, 7] to have 6 channels, but got 4 channels instead",
            "randn(2, 4, 7, 7)",
        ),
        (
            "y = conv2d(randn(2, 3, 7, 7), randn(5, 3, 3, 3), randn(4))",
            Code::E0202,
            "Given weight of size [5, 3, 3, 3], expected bias to be 1-dimensional with 5 elements, but got bias of size [4] instead",
            "randn(4)",
        ),
        (
            "y = conv_transpose2d(randn(2, 5, 4, 4), randn(5, 3, 3, 3), output_padding=1)",
            Code::E0107,
            "output padding must be smaller than either stride or dilation, but got output_padding 1 with stride 1 and dilation 1",
            "1",
        ),
        (
            "y = max_pool2d(randn(1, 1, 5, 5), 2, padding=2)",
            Code::E0107,
            "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1",
            "2",
        ),
        ("y = conv2d(randn(2, 3, 7, 7), randn(5, 3, 3, 3), stride=0)", Code::E0107, "non-positive stride is not supported, and it is 0", "0"),
        (
            "y = conv2d(randn(2, 3, 7, 7), randn(5, 3, 3, 3), stride=2, padding=\"same\")",
            Code::E0107,
            "padding='same' is not supported for strided convolutions",
            "\"same\"",
        ),
        (
            "y = conv2d(randn(2, 3, 7, 7), randn(5, 3, 3, 3, dtype=f64))",
            Code::E0201,
            "Input type (f32) and weight type (f64) should be the same",
            "randn(5, 3, 3, 3, dtype=f64)",
        ),
        (
            "y = max_pool2d(randn(1, 1, 2, 2), 3)",
            Code::E0202,
            "Given input size: [1, 2, 2]. Calculated output size is too small",
            "randn(1, 1, 2, 2)",
        ),
    ];
    for (program, code, message, at) in cases {
        let (c, m, start) = first_error(program);
        assert_eq!((c, m.as_str()), (code, message), "{program}");
        assert_eq!(start, program.rfind(at).expect("the span's text is in the program"), "{program}: the error is not at `{at}`");
    }
}

/// `ConvTranspose1d` and `ConvTranspose2d` modules (the up-sampling layers of
/// U-Nets and GAN generators): PyTorch's repr (`output_padding` shown when
/// set), weights shaped `(in, out / groups, *kernel)` and initialized with
/// PyTorch's draws (the bias printed), and the output's shape and `grad_fn`.
#[test]
fn transposed_convolution_modules_are_pytorchs() {
    let program = r#"
manual_seed(0)
up = ConvTranspose2d(4, 2, kernel_size=2, stride=2)
print(up)
print(ConvTranspose2d(3, 6, 3, stride=2, padding=1, output_padding=1, groups=3, bias=false, dilation=1))
print(ConvTranspose1d(2, 3, 4, stride=2, padding=1))
x = arange(32.0).reshape(1, 4, 2, 4) / 8
y = up(x)
print(y.shape, y.grad_fn.name())
print(up.weight.shape, up.bias)
t = ConvTranspose1d(2, 3, 4, stride=2, padding=1)
z = t(ones(1, 2, 5))
print(z.shape, t.weight.shape)
"#;
    assert_eq!(run(program), "ConvTranspose2d(4, 2, kernel_size=(2, 2), stride=(2, 2))\nConvTranspose2d(3, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=3, bias=False)\nConvTranspose1d(2, 3, kernel_size=(4,), stride=(2,), padding=(1,))\ntorch.Size([1, 2, 4, 8]) ConvolutionBackward0\ntorch.Size([4, 2, 2, 2]) Parameter containing:\ntensor([-0.2292, -0.1628], requires_grad=True)\ntorch.Size([1, 3, 10]) torch.Size([2, 3, 4])\n");
}
