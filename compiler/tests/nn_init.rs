//! `torch.nn.init`'s functions (`lower/nn_init.rs`): the bounds and standard
//! deviations of `torch/nn/init.py` in Python floats, and the fills of
//! `uniform_`, `normal_` and `fill_` under `no_grad`, so that the values are
//! PyTorch 2.15's and a parameter stays a leaf; the Python beside the program
//! prints the expected output.

mod common;

use common::run;
use graphc_compiler::diag::Code;

/// Each function once (nn.Linear's `kaiming_uniform_(w, a=sqrt(5))` among
/// them, a 3-D weight's receptive field, `mode` and `nonlinearity`), then a
/// backward that finds the initialized leaves still leaves.
#[test]
fn the_initializers_match_pytorch_bit_for_bit() {
    // import math
    // import torch
    // torch.manual_seed(0)
    // w1 = torch.empty(4, 3, requires_grad=True)
    // torch.nn.init.xavier_uniform_(w1)
    // w2 = torch.empty(3, 5)
    // torch.nn.init.xavier_normal_(w2, gain=2.0)
    // w3 = torch.empty(6, 4, requires_grad=True)
    // torch.nn.init.kaiming_uniform_(w3, a=math.sqrt(5))
    // w4 = torch.empty(2, 3, 2)
    // torch.nn.init.kaiming_normal_(w4, mode="fan_out", nonlinearity="relu")
    // w5 = torch.empty(3, 3)
    // torch.nn.init.kaiming_uniform_(w5)
    // b = torch.empty(3, requires_grad=True)
    // torch.nn.init.constant_(b, 0.1)
    // c = torch.empty(2)
    // torch.nn.init.zeros_(c)
    // d = torch.empty(2)
    // torch.nn.init.ones_(d)
    // print(w1, w2, w3, w4, w5, b, c, d, sep="\n")
    // (w1.sum() + (w3 ** 2).sum() + b.sum()).backward()
    // print(w1.is_leaf, w3.is_leaf, b.grad)
    let program = r#"
manual_seed(0)
w1 = empty(4, 3, requires_grad=true)
xavier_uniform_(w1)
w2 = empty(3, 5)
xavier_normal_(w2, gain=2.0)
w3 = empty(6, 4, requires_grad=true)
kaiming_uniform_(w3, a=sqrt(5))
w4 = empty(2, 3, 2)
kaiming_normal_(w4, mode="fan_out", nonlinearity="relu")
w5 = empty(3, 3)
kaiming_uniform_(w5)
b = empty(3, requires_grad=true)
constant_(b, 0.1)
c = empty(2)
zeros_(c)
d = empty(2)
ones_(d)
print(w1, w2, w3, w4, w5, b, c, d, sep="\n")
(w1.sum() + (w3 ** 2).sum() + b.sum()).backward()
print(w1.is_leaf, w3.is_leaf, b.grad)
"#;
    let want = "\
tensor([[-0.0069,  0.4967, -0.7620],
        [-0.6813, -0.3566,  0.2483],
        [-0.0183,  0.7341, -0.0822],
        [ 0.2450, -0.2798, -0.1820]], requires_grad=True)
tensor([[ 0.4033,  0.8380, -0.7193, -0.4033, -0.5966],
        [ 0.1820, -0.8567,  1.1006, -1.0712,  0.1227],
        [-0.5663,  0.3731, -0.8920, -1.5091,  0.3704]])
tensor([[-0.3613, -0.2578,  0.3155,  0.2932],
        [-0.2217, -0.0180,  0.3198,  0.4971],
        [ 0.1984,  0.0675,  0.3352, -0.2944],
        [ 0.0932, -0.3877, -0.3465, -0.2583],
        [ 0.2262,  0.2011, -0.2962,  0.1511],
        [ 0.2745, -0.0631,  0.0191,  0.1159]], requires_grad=True)
tensor([[[ 1.0299, -1.5689],
         [ 0.1831, -0.7281],
         [-0.3541,  0.1933]],

        [[-0.6492, -0.0286],
         [ 0.2037, -0.0053],
         [-0.6466, -0.7697]]])
tensor([[ 1.0124,  0.5288, -1.3997],
        [-0.9174,  0.7061,  0.2960],
        [-1.1032, -0.8143,  1.3304]])
tensor([0.1000, 0.1000, 0.1000], requires_grad=True)
tensor([0., 0.])
tensor([1., 1.])
True True tensor([1., 1., 1.])
";
    assert_eq!(run(program), want);
}

/// PyTorch's refusals, at the argument.
#[test]
fn what_the_initializers_refuse_is_an_error_at_the_argument() {
    let first = common::first_error;
    let vector = "b = empty(3)\nxavier_uniform_(b)\n";
    assert_eq!(
        first(vector),
        (Code::E0202, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions".to_string(), vector.rfind('b').unwrap())
    );
    let mode = "w = empty(3, 2)\nkaiming_normal_(w, mode=\"fan\")\n";
    assert_eq!(first(mode), (Code::E0107, "Mode fan not supported, please use one of fan_in, fan_out".to_string(), mode.find("\"fan\"").unwrap()));
    let gain = "w = empty(3, 2)\nkaiming_uniform_(w, nonlinearity=\"swish\")\n";
    assert_eq!(first(gain).1, "Unsupported nonlinearity swish");
}
