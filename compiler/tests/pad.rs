//! `pad(input, pad, mode="constant", value=none)` (`torch.nn.functional.pad`,
//! `lower/pad_calls.rs`): growing and cropping one to three dimensions, a fill
//! value (negative zero copied as it is), integer tensors and the gradient,
//! against what the PyTorch 2.15 program beside it prints; PyTorch's checks;
//! and the modes graphc does not pad with, refused by name.

mod common;

use common::{first_error, run};
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

#[test]
fn bad_paddings_are_pytorchs_errors() {
    let cases: [(&str, Code, &str, &str); 4] = [
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
        ("y = pad(randn(2, 3), (1, 1), mode=\"reflect\")", Code::E0107, "graphc pads with mode=\"constant\" only, not \"reflect\"", "\"reflect\""),
    ];
    for (program, code, message, at) in cases {
        let (c, m, start) = first_error(program);
        assert_eq!((c, m.as_str()), (code, message), "{program}");
        assert_eq!(start, program.find(at).expect("the span's text is in the program"), "{program}: the error is not at `{at}`");
    }
}
