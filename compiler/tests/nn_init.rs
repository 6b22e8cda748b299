//! `torch.nn.init`'s functions (`lower/nn_init.rs`): the bounds and standard
//! deviations of `torch/nn/init.py` in Python floats, and the fills of
//! `uniform_`, `normal_` and `fill_` under `no_grad` (and `trunc_normal_`'s
//! rejection of normal draws at run time), so that the values are
//! PyTorch 2.15's and a parameter stays a leaf; the Python beside the program
//! prints the expected output.

use crate::common;

use crate::common::run;
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

/// `uniform_`, `normal_` and `trunc_normal_` (timm's and ViT's initializer) as
/// PyTorch 2.15 draws them: `trunc_normal_` is normal draws with those outside
/// `[a, b]` redrawn (here with no rejection at `std=0.02`, several passes at
/// the default `std=1` and at bounds keeping 38% of the distribution, fewer
/// than 16 elements and f64), the leaves staying leaves; and `erfinv`, whose
/// f32 values are PyTorch's on these inputs.
#[test]
fn uniform_normal_and_truncated_normal_fills_are_pytorchs() {
    let program = r#"
manual_seed(0)
w = empty(4, 5)
trunc_normal_(w, std=0.02)
print(w)
print(w.tolist()[0])
v = empty(3, 3, dtype=f64)
trunc_normal_(v, mean=1.0, std=2.0, a=-1.0, b=4.0)
print(v)
lin = Linear(6, 3)
normal_(lin.weight, mean=0.0, std=0.02)
uniform_(lin.bias, -0.1, 0.1)
print(lin.weight, lin.bias)
print(lin.weight.requires_grad, lin.weight.is_leaf)
t = empty(1000)
trunc_normal_(t, std=0.5, a=-0.25, b=0.25)
print(t.min().item(), t.max().item(), t.mean().item())
d = empty(3, 4)
trunc_normal_(d)
print(d)
s = empty(2, 3, dtype=f64)
trunc_normal_(s, mean=0.5, std=1.0, a=0.0, b=1.0)
print(s)
y = tensor([-0.5, 0.0, 0.25, 0.999]).erfinv()
print(y, special.erfinv(tensor(0.5)))
"#;
    assert_eq!(run(program), "tensor([[-0.0225, -0.0230, -0.0050, -0.0087,  0.0120],\n        [-0.0311, -0.0068,  0.0371,  0.0094, -0.0032],\n        [ 0.0289,  0.0053,  0.0278,  0.0317,  0.0189],\n        [-0.0169,  0.0186,  0.0252,  0.0401,  0.0011]])\n[-0.022516796365380287, -0.023047203198075294, -0.005011571571230888, -0.00867757573723793, 0.011976788751780987]\ntensor([[-0.7840,  0.9582,  1.7408],\n        [ 3.9130,  2.8796,  2.5497],\n        [ 1.3837,  3.5276,  1.5180]], dtype=torch.float64)\nParameter containing:\ntensor([[ 0.0158, -0.0004, -0.0262, -0.0044, -0.0487, -0.0015],\n        [-0.0007,  0.0193,  0.0070, -0.0184, -0.0242, -0.0125],\n        [-0.0093,  0.0384, -0.0081,  0.0025,  0.0233,  0.0185]],\n       requires_grad=True) Parameter containing:\ntensor([-0.0487, -0.0350, -0.0820], requires_grad=True)\nTrue True\n-0.24940526485443115 0.24968722462654114 -0.006364131812006235\ntensor([[-0.9036, -0.0249,  0.0766,  0.4768],\n        [-0.9399,  0.8609, -0.7575, -0.6102],\n        [-0.6565, -0.2270, -0.5153,  0.8723]])\ntensor([[0.4251, 0.4729, 0.4995],\n        [0.5929, 0.8763, 0.0523]], dtype=torch.float64)\ntensor([-0.4769,  0.0000,  0.2253,  2.3268]) tensor(0.4769)\n");
}

/// Bounds narrower than PyTorch's rejection sampler takes are refused at the call.
#[test]
fn truncated_normal_with_narrow_bounds_is_refused() {
    let program = "w = empty(3, 2)\ntrunc_normal_(w, std=1.0, a=-0.1, b=0.1)\n";
    let (code, message, at) = common::first_error(program);
    assert_eq!(code, Code::E0107, "{message}");
    assert!(message.contains("keep 8.0% of the distribution"), "{message}");
    assert_eq!(at, program.find("trunc_normal_").unwrap());
}
