//! `pad(input, pad, mode="constant", value=none)` (`torch.nn.functional.pad`,
//! `lower/pad_calls.rs`): growing and cropping one to three dimensions, a fill
//! value (negative zero copied as it is), integer tensors and the gradient,
//! against what the PyTorch 2.15 program beside it prints; the reflect,
//! replicate and circular modes likewise; and PyTorch's checks of each mode.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn constant_padding_is_pytorchs() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = torch.randn(2, 3, 4, requires_grad=True)
    // a = F.pad(x, (1, 2))
    // b = F.pad(x, (1, 1, 2, 0), value=-1.5)
    // c = F.pad(x, (-1, 2, 0, -1))
    // d = F.pad(x, (0, 0, 0, 0, 1, 1), "constant", 0.5)
    // print(a[0], a.grad_fn.name())
    // print(b[1])
    // print(c[0], c.shape)
    // print(d.shape, d[0, 0], d[3, 2])
    // print(F.pad(torch.tensor([[-0.0, 1.0]]), (1, 1), value=2.0))
    // print(F.pad(torch.tensor([[1, 2]]), (1, 1), value=7))
    // (a.pow(2).sum() + b.exp().sum() + c.sin().sum() + d.sum()).backward()
    // print(x.grad)
    let program = r#"
manual_seed(0)
x = randn(2, 3, 4, requires_grad=true)
a = pad(x, (1, 2))
b = pad(x, (1, 1, 2, 0), value=-1.5)
c = pad(x, (-1, 2, 0, -1))
d = pad(x, (0, 0, 0, 0, 1, 1), "constant", 0.5)
print(a[0], a.grad_fn.name())
print(b[1])
print(c[0], c.shape)
print(d.shape, d[0, 0], d[3, 2])
print(pad(tensor([[-0.0, 1.0]]), (1, 1), value=2.0))
print(pad(tensor([[1, 2]]), (1, 1), value=7))
(a.pow(2).sum() + b.exp().sum() + c.sin().sum() + d.sum()).backward()
print(x.grad)
"#;
    let expected = r#"tensor([[ 0.0000, -1.1258, -1.1524, -0.2506, -0.4339,  0.0000,  0.0000],
        [ 0.0000,  0.8487,  0.6920, -0.3160, -2.1152,  0.0000,  0.0000],
        [ 0.0000,  0.4681, -0.1577,  1.4437,  0.2660,  0.0000,  0.0000]],
       grad_fn=<SelectBackward0>) ConstantPadNdBackward0
tensor([[-1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000],
        [-1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000],
        [-1.5000,  0.1665,  0.8744, -0.1435, -0.1116, -1.5000],
        [-1.5000,  0.9318,  1.2590,  2.0050,  0.0537, -1.5000],
        [-1.5000,  0.6181, -0.4128, -0.8411, -2.3160, -1.5000]],
       grad_fn=<SelectBackward0>)
tensor([[-1.1524, -0.2506, -0.4339,  0.0000,  0.0000],
        [ 0.6920, -0.3160, -2.1152,  0.0000,  0.0000]],
       grad_fn=<SelectBackward0>) torch.Size([2, 2, 5])
torch.Size([4, 3, 4]) tensor([0.5000, 0.5000, 0.5000, 0.5000], grad_fn=<SelectBackward0>) tensor([0.5000, 0.5000, 0.5000, 0.5000], grad_fn=<SelectBackward0>)
tensor([[2., -0., 1., 2.]])
tensor([[7, 1, 2, 7]])
tensor([[[-0.9273, -0.5825,  2.2460,  1.6876],
         [ 5.0341,  5.1517,  2.0475, -3.6278],
         [ 3.5331,  1.5387,  8.1235,  2.8369]],

        [[ 2.5140,  5.7876,  2.5691,  2.6650],
         [ 5.4028,  7.3467, 12.0152,  3.1612],
         [ 4.0914,  0.8362, -0.2509, -3.5334]]])
"#;
    assert_eq!(run(program), expected);
}

/// The reflect, replicate and circular modes, one to three padded
/// dimensions, cropping, integers, and the gradients: every element, printed
/// at full precision for the 2-D gradient where an input element gets up to
/// nine contributions, is what PyTorch 2.15 computes.
#[test]
fn border_padding_is_pytorchs() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = torch.randn(1, 2, 3, 4, requires_grad=True)
    // a = F.pad(x, (1, 2, 2, 1), mode="reflect")
    // b = F.pad(x, (3, 0, 1, 4), mode="replicate")
    // c = F.pad(x, (1, 2, 2, 1), mode="circular")
    // d = F.pad(x[0], (2, 1), mode="reflect")
    // e = F.pad(x, (-1, 2, 1, -1), mode="circular")
    // f = F.pad(x[0], (-1, 3), mode="replicate")
    // print(a[0, 1], a.grad_fn.name())
    // print(b.shape, b[0, 0, 0], b.grad_fn.name())
    // print(c[0, 0], c.grad_fn.name())
    // print(d[1], d.grad_fn.name())
    // print(e[0, 1], e.shape)
    // print(f[0], f.grad_fn.name())
    // print(F.pad(torch.arange(6).reshape(1, 2, 3), (2, 2), mode="reflect"))
    // print(F.pad(torch.randn(1, 1, 2, 2, 2), (1, 0, 0, 1, 1, 1), mode="replicate")[0, 0, 3])
    // wa = torch.randn(a.shape)
    // wb = torch.randn(b.shape)
    // wd = torch.randn(d.shape)
    // ((a * wa).sum() + (b * wb).sum() + (d * wd).sum() + (f * f).sum()).backward()
    // print(x.grad)
    // print([x.grad[0, c, h, w].item() for c in range(2) for h in range(3) for w in range(4)])
    // x2 = torch.randn(2, 2, 3, requires_grad=True)
    // y2 = F.pad(x2, (2, 1, 1, 2), mode="circular")
    // (y2 * torch.randn(y2.shape)).sum().backward()
    // print(x2.grad)
    let program = r#"
manual_seed(0)
x = randn(1, 2, 3, 4, requires_grad=true)
a = pad(x, (1, 2, 2, 1), mode="reflect")
b = pad(x, (3, 0, 1, 4), mode="replicate")
c = pad(x, (1, 2, 2, 1), mode="circular")
d = pad(x[0], (2, 1), mode="reflect")
e = pad(x, (-1, 2, 1, -1), mode="circular")
f = pad(x[0], (-1, 3), mode="replicate")
print(a[0, 1], a.grad_fn.name())
print(b.shape, b[0, 0, 0], b.grad_fn.name())
print(c[0, 0], c.grad_fn.name())
print(d[1], d.grad_fn.name())
print(e[0, 1], e.shape)
print(f[0], f.grad_fn.name())
print(pad(arange(6).reshape(1, 2, 3), (2, 2), mode="reflect"))
print(pad(randn(1, 1, 2, 2, 2), (1, 0, 0, 1, 1, 1), mode="replicate")[0, 0, 3])
wa = randn(a.shape)
wb = randn(b.shape)
wd = randn(d.shape)
((a * wa).sum() + (b * wb).sum() + (d * wd).sum() + (f * f).sum()).backward()
print(x.grad)
print([x.grad[0, c, h, w].item() for c in range(2) for h in range(3) for w in range(4)])
x2 = randn(2, 2, 3, requires_grad=true)
y2 = pad(x2, (2, 1, 1, 2), mode="circular")
(y2 * randn(y2.shape)).sum().backward()
print(x2.grad)
"#;
    let expected = r#"tensor([[-0.4128,  0.6181, -0.4128, -0.8411, -2.3160, -0.8411, -0.4128],
        [ 1.2590,  0.9318,  1.2590,  2.0050,  0.0537,  2.0050,  1.2590],
        [ 0.8744,  0.1665,  0.8744, -0.1435, -0.1116, -0.1435,  0.8744],
        [ 1.2590,  0.9318,  1.2590,  2.0050,  0.0537,  2.0050,  1.2590],
        [-0.4128,  0.6181, -0.4128, -0.8411, -2.3160, -0.8411, -0.4128],
        [ 1.2590,  0.9318,  1.2590,  2.0050,  0.0537,  2.0050,  1.2590]],
       grad_fn=<SelectBackward0>) ReflectionPad2DBackward0
torch.Size([1, 2, 8, 7]) tensor([-1.1258, -1.1258, -1.1258, -1.1258, -1.1524, -0.2506, -0.4339],
       grad_fn=<SelectBackward0>) ReplicationPad2DBackward0
tensor([[-2.1152,  0.8487,  0.6920, -0.3160, -2.1152,  0.8487,  0.6920],
        [ 0.2660,  0.4681, -0.1577,  1.4437,  0.2660,  0.4681, -0.1577],
        [-0.4339, -1.1258, -1.1524, -0.2506, -0.4339, -1.1258, -1.1524],
        [-2.1152,  0.8487,  0.6920, -0.3160, -2.1152,  0.8487,  0.6920],
        [ 0.2660,  0.4681, -0.1577,  1.4437,  0.2660,  0.4681, -0.1577],
        [-0.4339, -1.1258, -1.1524, -0.2506, -0.4339, -1.1258, -1.1524]],
       grad_fn=<SelectBackward0>) torch::autograd::CopySlices
tensor([[-0.1435,  0.8744,  0.1665,  0.8744, -0.1435, -0.1116, -0.1435],
        [ 2.0050,  1.2590,  0.9318,  1.2590,  2.0050,  0.0537,  2.0050],
        [-0.8411, -0.4128,  0.6181, -0.4128, -0.8411, -2.3160, -0.8411]],
       grad_fn=<SelectBackward0>) ReflectionPad1DBackward0
tensor([[ 1.2590,  2.0050,  0.0537,  1.2590,  2.0050],
        [ 0.8744, -0.1435, -0.1116,  0.8744, -0.1435],
        [ 1.2590,  2.0050,  0.0537,  1.2590,  2.0050]],
       grad_fn=<SelectBackward0>) torch.Size([1, 2, 3, 5])
tensor([[-1.1524, -0.2506, -0.4339, -0.4339, -0.4339, -0.4339],
        [ 0.6920, -0.3160, -2.1152, -2.1152, -2.1152, -2.1152],
        [-0.1577,  1.4437,  0.2660,  0.2660,  0.2660,  0.2660]],
       grad_fn=<SelectBackward0>) ReplicationPad1DBackward0
tensor([[[2, 1, 0, 1, 2, 1, 0],
         [5, 4, 3, 4, 5, 4, 3]]])
tensor([[ 0.1919,  0.1919,  1.2638],
        [-1.2904, -1.2904, -0.7911],
        [-1.2904, -1.2904, -0.7911]])
tensor([[[[ -0.2318,  -1.1309,   5.6674,  -0.5421],
          [ -2.4862,   0.8181,  -5.3760, -18.7042],
          [ -7.9155,   0.3689,   5.1579,   1.1511]],

         [[ -5.2954,   1.8452,   0.6199,   0.6928],
          [  4.3140,   3.1471,  -1.9518,  -1.9292],
          [ -1.8296,   4.8861,  -0.9915, -16.3035]]]])
[-0.2317901849746704, -1.1309480667114258, 5.667396545410156, -0.5420621633529663, -2.486201047897339, 0.8181189894676208, -5.376033782958984, -18.70419692993164, -7.915537357330322, 0.36887896060943604, 5.157867431640625, 1.1511187553405762, -5.295358180999756, 1.8451507091522217, 0.6198899745941162, 0.6927684545516968, 4.314034461975098, 3.1471457481384277, -1.9518191814422607, -1.9291878938674927, -1.8295576572418213, 4.8861002922058105, -0.9914757013320923, -16.303483963012695]
tensor([[[ 0.6406,  0.7058,  3.8500],
         [-0.6134,  2.1777,  0.4966]],

        [[ 1.9334,  0.1511,  0.1074],
         [-0.7429, -0.7493,  2.8878]]])
"#;
    assert_eq!(run(program), expected);
}

/// The circular mode's gradient where an input element is copied into
/// several borders (corners of two and three padded dimensions): each copy
/// taken back in PyTorch's order gives its bits, in f32 and f64.
#[test]
fn circular_gradients_are_pytorchs_bits() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(3)
    // for dt in [torch.float32, torch.float64]:
    //     x = torch.randn(1, 2, 3, 4, dtype=dt, requires_grad=True)
    //     y = F.pad(x, (3, 2, 2, 3), mode="circular")
    //     (y * torch.randn(y.shape, dtype=dt)).sum().backward()
    //     print([v.item() for v in x.grad.flatten()])
    //     z = torch.randn(1, 1, 2, 3, 2, dtype=dt, requires_grad=True)
    //     yz = F.pad(z, (1, 2, 2, 1, 1, 2), mode="circular")
    //     (yz * torch.randn(yz.shape, dtype=dt)).sum().backward()
    //     print([v.item() for v in z.grad.flatten()], yz.grad_fn.name())
    let program = r#"
manual_seed(3)
for dt in [f32, f64] {
    x = randn(1, 2, 3, 4, dtype=dt, requires_grad=true)
    y = pad(x, (3, 2, 2, 3), mode="circular")
    (y * randn(y.shape, dtype=dt)).sum().backward()
    print([v.item() for v in x.grad.flatten()])
    z = randn(1, 1, 2, 3, 2, dtype=dt, requires_grad=true)
    yz = pad(z, (1, 2, 2, 1, 1, 2), mode="circular")
    (yz * randn(yz.shape, dtype=dt)).sum().backward()
    print([v.item() for v in z.grad.flatten()], yz.grad_fn.name())
}
"#;
    let expected = r#"[0.9034942984580994, -1.9343020915985107, -0.7380340695381165, 1.5023772716522217, -3.470968723297119, -4.516951560974121, 1.4749844074249268, 0.4908444285392761, 1.8617267608642578, 5.9596099853515625, 3.1806998252868652, 1.1687307357788086, 0.7166007161140442, 1.1136996746063232, -2.6085619926452637, -1.9104598760604858, -0.11041474342346191, 2.123011589050293, 2.3245744705200195, 3.7352421283721924, -0.7964863777160645, 4.339717864990234, -0.8704149723052979, -3.5995073318481445]
[1.2158191204071045, -6.3682122230529785, -4.832638740539551, 2.7072882652282715, -1.12324857711792, -3.028334140777588, -5.274010181427002, -2.242791175842285, 1.4983714818954468, 1.906386375427246, -0.5409960746765137, 0.15235042572021484] torch::autograd::CopySlices
[-4.1067852302670484, -9.160681772813051, 0.015215209462114715, -0.21919455469048477, -0.7439792983936102, 3.809389647973328, 0.09750355031180669, -2.852145147584558, -2.779322485440149, -2.8245547730587033, -1.5652411842110276, -2.6757783984333186, -0.7254164609844277, -5.976450381978569, 2.141515768861055, 2.0765608523434995, -4.9642475542997, -2.851667602658792, 2.373541989436899, 5.605760243144006, 3.492976462726928, -3.0786744135553517, -1.7705783992033952, 0.8801100699608786]
[1.5452999721357674, 3.437825832149425, 0.28948114837753103, 0.42501725908338744, 4.769643728130234, 0.7563156732674354, -3.62026919168063, 1.3841693647653568, 0.7269549348724005, -3.1630180778718975, -1.7053841960691751, 2.5050886576328466] torch::autograd::CopySlices
"#;
    assert_eq!(run(program), expected);
}

#[test]
fn bad_paddings_are_pytorchs_errors() {
    let cases: [(&str, Code, &str, &str); 15] = [
        ("y = pad(randn(2, 3), (1,))", Code::E0202, "Padding length must be divisible by 2", "(1,)"),
        (
            "y = pad(randn(2, 3), (1, 1, 1, 1, 1, 1))",
            Code::E0202,
            "Padding length should be less than or equal to two times the input dimension but got padding length 6 and input of dimension 2",
            "(1, 1, 1, 1, 1, 1)",
        ),
        (
            "y = pad(randn(2, 3), (-2, -2))",
            Code::E0202,
            "The input size 3, plus negative padding -2 and -2 resulted in a negative output size, which is invalid. Check dimension 1 of your input.",
            "(-2, -2)",
        ),
        ("y = pad(randn(2, 3), (1, 1), mode=\"wrap\")", Code::E0107, "`pad` has no mode \"wrap\"", "\"wrap\""),
        ("y = pad(randn(1, 2, 3, 4), (4, 0, 0, 0), mode=\"reflect\")", Code::E0202, "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (4, 0) at dimension 3 of input [1, 2, 3, 4]", "(4, 0, 0, 0)"),
        ("y = pad(randn(1, 2, 3, 4), (0, 0, 3, 0), mode=\"reflect\")", Code::E0202, "Argument #6: Padding size should be less than the corresponding input dimension, but got: padding (3, 0) at dimension 2 of input [1, 2, 3, 4]", "(0, 0, 3, 0)"),
        ("y = pad(randn(1, 2, 3, 4), (1, 1), mode=\"replicate\")", Code::E0202, "Padding size 2 is not supported for 4D input tensor.", "(1, 1)"),
        ("y = pad(randn(2, 4), (-2, -2), mode=\"replicate\")", Code::E0202, "input (W: 4) is too small. Calculated output W: 0", "(-2, -2)"),
        ("y = pad(randn(1, 0, 3), (1, 1), mode=\"reflect\")", Code::E0202, "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [1, 0, 3]", "randn(1, 0, 3)"),
        ("y = pad(randn(1, 2, 3, 4), (5, 0, 0, 0), mode=\"circular\")", Code::E0202, "Padding value causes wrapping around more than once.", "(5, 0, 0, 0)"),
        ("y = pad(randn(2, 4), (-3, -2), mode=\"circular\")", Code::E0202, "Negative padding value is resulting in an empty dimension", "(-3, -2)"),
        ("y = pad(randn(2, 4), (3, -2), mode=\"circular\")", Code::E0202, "the padding (3, -2) of dimension 1 wraps around the 2 elements left after cropping more than once", "(3, -2)"),
        (
            "y = pad(randn(2, 4), (0, 1099511627775), mode=\"replicate\")",
            Code::E0501,
            "the padded dimensions would have 1099511627779 elements; graphc builds the positions a replication_pad1d pad reads when compiling, at most 16777216",
            "(0, 1099511627775)",
        ),
        ("y = pad(randn(2, 4), (1, 1), mode=\"reflect\", value=1.0)", Code::E0107, "Padding mode \"reflect\" doesn't take in value argument", "1.0"),
        ("y = pad(randn(2, 4) > 0, (1, 1), mode=\"reflect\")", Code::E0204, "\"reflection_pad1d\" not implemented for 'Bool'", "randn(2, 4) > 0"),
    ];
    for (program, code, message, at) in cases {
        let (c, m, start) = first_error(program);
        assert_eq!((c, m.as_str()), (code, message), "{program}");
        assert_eq!(start, program.find(at).expect("the span's text is in the program"), "{program}: the error is not at `{at}`");
    }
}
