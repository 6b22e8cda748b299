//! `avg_pool1d`, `avg_pool2d`, `adaptive_avg_pool1d` and `adaptive_avg_pool2d`
//! (`lower/avg_pool_calls.rs`, `Op::AvgPool`): every form of the windows,
//! their `grad_fn` names, the gradients and a gradient of a gradient, against
//! what the PyTorch 2.15 program beside them prints; and PyTorch's checks.
//! The bits are measured by `tools/numerics/pooling.py` (docs/NUMERICS.md).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn average_pools_are_pytorchs() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = (torch.randn(2, 3, 7, 9) * 3).requires_grad_()
    // a = F.avg_pool2d(x, 2)
    // b = F.avg_pool2d(x, 3, stride=2, padding=1)
    // c = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)
    // d = F.avg_pool2d(x, (2, 3), divisor_override=4)
    // e = F.adaptive_avg_pool2d(x, (3, 4))
    // f = F.adaptive_avg_pool2d(x, 1)
    // g = F.adaptive_avg_pool2d(x, (None, 2))
    // print(a[1, 2], a.grad_fn.name())
    // print(b[0, 1])
    // print(c[0, 0], c.shape)
    // print(d[1, 1])
    // print(e[0, 2], e.grad_fn.name())
    // print(f.flatten(), f.grad_fn.name())
    // print(g.shape, g[1, 0])
    // s = torch.randn(3, 10, requires_grad=True)
    // h = F.avg_pool1d(s, 3, stride=2, padding=1)
    // k = F.adaptive_avg_pool1d(s, 4)
    // print(h, k)
    // loss = (a.pow(2).sum() + b.sin().sum() + c.pow(3).mean() + d.sum() + e.pow(2).sum() + f.sum() + g.exp().sum()
    //         + h.pow(2).sum() + k.sum())
    // loss.backward()
    // print(x.grad[1, 2])
    // print(s.grad)
    // xd = torch.randn(1, 2, 6, 6, dtype=torch.float64, requires_grad=True)
    // y = F.avg_pool2d(xd, 2)
    // gx, = torch.autograd.grad(y.pow(2).sum(), xd, create_graph=True)
    // gx.pow(2).sum().backward()
    // print(xd.grad[0, 1])
    let program = r#"
manual_seed(0)
x = (randn(2, 3, 7, 9) * 3).requires_grad_()
a = avg_pool2d(x, 2)
b = avg_pool2d(x, 3, stride=2, padding=1)
c = avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=false, ceil_mode=true)
d = avg_pool2d(x, (2, 3), divisor_override=4)
e = adaptive_avg_pool2d(x, (3, 4))
f = adaptive_avg_pool2d(x, 1)
g = adaptive_avg_pool2d(x, (none, 2))
print(a[1, 2], a.grad_fn.name())
print(b[0, 1])
print(c[0, 0], c.shape)
print(d[1, 1])
print(e[0, 2], e.grad_fn.name())
print(f.flatten(), f.grad_fn.name())
print(g.shape, g[1, 0])
s = randn(3, 10, requires_grad=true)
h = avg_pool1d(s, 3, stride=2, padding=1)
k = adaptive_avg_pool1d(s, 4)
print(h, k)
loss = (a.pow(2).sum() + b.sin().sum() + c.pow(3).mean() + d.sum() + e.pow(2).sum() + f.sum() + g.exp().sum() + h.pow(2).sum() + k.sum())
loss.backward()
print(x.grad[1, 2])
print(s.grad)
xd = randn(1, 2, 6, 6, dtype=f64, requires_grad=true)
y = avg_pool2d(xd, 2)
gx, = grad(y.pow(2).sum(), xd, create_graph=true)
gx.pow(2).sum().backward()
print(xd.grad[0, 1])
"#;
    let expected = r#"tensor([[ 2.3372,  0.0895, -0.2572,  0.8459],
        [-0.3133,  0.0604, -0.4596,  0.6696],
        [ 0.2818,  2.6386,  0.1562, -0.8806]], grad_fn=<SelectBackward0>) AvgPool2DBackward0
tensor([[-1.0999, -0.0226,  0.1569,  0.7987,  0.1916],
        [-1.4206, -1.1920,  0.2722,  1.3091,  0.5844],
        [-1.4778, -2.5334, -1.1650, -0.2948,  0.2351],
        [-0.3269, -0.8704, -0.9151, -0.2996,  0.7391]],
       grad_fn=<SelectBackward0>)
tensor([[-2.3937, -0.5294,  1.7906, -1.1112, -3.6311],
        [ 1.0098,  1.5124,  0.6400,  0.1533, -2.0259],
        [ 1.4791,  0.4626,  0.6251,  0.1612, -0.1455],
        [ 0.7361, -1.9130,  3.4653,  0.8240, -0.0274]],
       grad_fn=<SelectBackward0>) torch.Size([2, 3, 4, 5])
tensor([[-0.2379,  1.0916, -1.8360],
        [ 2.8585,  0.4498, -1.9377],
        [ 1.9856,  0.0287, -1.8854]], grad_fn=<SelectBackward0>)
tensor([[ 0.1686, -0.7105, -0.5114,  0.6002],
        [-0.4155,  0.8997,  1.0083,  0.2140],
        [ 0.9822,  0.1010, -0.1520,  0.1820]], grad_fn=<SelectBackward0>) AdaptiveAvgPool2DBackward0
tensor([ 0.3088, -0.0991,  0.0604, -0.0309, -0.1457,  0.7482],
       grad_fn=<ViewBackward0>) MeanBackward1
torch.Size([2, 3, 7, 2]) tensor([[-2.0435,  1.4295],
        [-0.0240,  0.6300],
        [ 1.5151, -0.7225],
        [ 1.4555, -0.7592],
        [ 1.5814, -0.9898],
        [ 0.8657, -2.2593],
        [ 0.3953,  0.7419]], grad_fn=<SelectBackward0>)
tensor([[ 5.9868e-01,  6.9035e-01,  9.9537e-01,  3.3138e-01,  8.5239e-02],
        [-3.8137e-01, -2.6019e-01, -8.1576e-02, -8.5072e-04,  8.2122e-02],
        [ 4.8430e-01,  2.1278e-01,  4.3440e-01,  3.2603e-01,  3.0011e-01]],
       grad_fn=<SqueezeBackward1>) tensor([[ 0.4137,  0.3044,  0.3314,  0.0852],
        [-0.4122, -0.0156, -0.0009,  0.0821],
        [ 0.2311,  0.0235,  0.3260,  0.3001]], grad_fn=<SqueezeBackward1>)
tensor([[1.8256, 1.9030, 0.8350, 0.7834, 1.2110, 1.0053, 1.6284, 1.4369, 0.9281],
        [2.5425, 2.6349, 1.4863, 1.5303, 1.8804, 1.1463, 1.6738, 1.5805, 0.9639],
        [1.3841, 1.3991, 2.0615, 1.9064, 4.3072, 2.9153, 3.9809, 3.5220, 3.0795],
        [0.4829, 0.4591, 0.8667, 0.9101, 0.9906, 0.6627, 1.5099, 1.4423, 0.9362],
        [1.9866, 1.9478, 3.6438, 3.6716, 6.2151, 4.1965, 4.6204, 4.4212, 4.7979],
        [0.8579, 0.9269, 2.1021, 2.3359, 1.0762, 0.7199, 0.6118, 0.7590, 1.0278],
        [0.1099, 0.2177, 0.3229, 0.5136, 6.4447, 6.2736, 6.7270, 6.7752, 6.6672]])
tensor([[ 0.7325,  1.1927,  1.1269,  1.4571,  0.9969,  1.2178,  0.5543,  0.9444,
          0.3902,  0.3902],
        [ 0.0791, -0.0944,  0.4932,  0.1055,  0.2789,  0.2784,  0.3328,  0.7208,
          0.3881,  0.3881],
        [ 0.6562,  0.7981,  0.8085,  0.7648,  0.6229,  0.8403,  0.5507,  1.0841,
          0.5334,  0.5334]])
tensor([[-0.1253, -0.1253,  0.1266,  0.1266,  0.1515,  0.1515],
        [-0.1253, -0.1253,  0.1266,  0.1266,  0.1515,  0.1515],
        [ 0.2802,  0.2802, -0.0339, -0.0339,  0.1449,  0.1449],
        [ 0.2802,  0.2802, -0.0339, -0.0339,  0.1449,  0.1449],
        [ 0.1104,  0.1104, -0.3903, -0.3903,  0.3319,  0.3319],
        [ 0.1104,  0.1104, -0.3903, -0.3903,  0.3319,  0.3319]],
       dtype=torch.float64)
"#;
    assert_eq!(run(program), expected);
}

/// PyTorch's checks of the windows and the input, in its words.
#[test]
fn bad_pools_are_pytorchs_errors() {
    let cases: [(&str, Code, &str, &str); 4] = [
        (
            "y = avg_pool2d(randn(1, 1, 5, 5), 2, padding=2)",
            Code::E0107,
            "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2",
            "2",
        ),
        (
            "y = avg_pool2d(randn(1, 1, 2, 2), 3)",
            Code::E0202,
            "Given input size: [1, 2, 2]. Calculated output size is too small",
            "randn(1, 1, 2, 2)",
        ),
        (
            "y = adaptive_avg_pool2d(randn(5, 5), 2)",
            Code::E0202,
            "adaptive_avg_pool2d: Expected 3D or 4D input, but got input of size: [5, 5]",
            "randn(5, 5)",
        ),
        ("y = avg_pool2d(randn(1, 1, 4, 4), 2, divisor_override=0)", Code::E0107, "divisor must be not zero", "0"),
    ];
    for (program, code, message, at) in cases {
        let (c, m, start) = first_error(program);
        assert_eq!((c, m.as_str()), (code, message), "{program}");
        assert_eq!(start, program.rfind(at).expect("the span's text is in the program"), "{program}: the error is not at `{at}`");
    }
}
