//! `lerp(input, end, weight)` (`lower/lerp_calls.rs`): values (number and
//! tensor weights on both sides of 0.5, outside [0, 1], broadcast, f32 and
//! f64), `grad_fn`s and gradients, and the in-place `lerp_` of a moving
//! average, against what the PyTorch 2.15 program in the comment prints.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn lerp_is_pytorchs() {
    // import torch
    // torch.manual_seed(0)
    // a = torch.randn(37, requires_grad=True)
    // b = torch.randn(37, requires_grad=True)
    // w = torch.rand(37)
    // for weight in [0.3, 0.7, 0.5, -0.2, 1.5]:
    //     y = torch.lerp(a, b, weight)
    //     ga, gb = torch.autograd.grad(y, (a, b), torch.arange(37.0))
    //     print(y.grad_fn.name(), y.sum().item(), y[::7].tolist(), ga[::9].tolist(), gb[::9].tolist())
    // y = a.lerp(b, w)
    // ga, gb = torch.autograd.grad(y, (a, b), torch.arange(37.0))
    // print(y.grad_fn.name(), y[::5].tolist(), ga[::9].tolist(), gb[::9].tolist())
    // m = torch.randn(3, 4, dtype=torch.float64)
    // e = torch.randn(4, dtype=torch.float64)
    // print(torch.lerp(m, e, 0.25).tolist())
    // print(torch.lerp(m, e, torch.rand(3, 1, dtype=torch.float64) * 2 - 0.5).tolist())
    // ema = torch.zeros(37)
    // with torch.no_grad():
    //     for step in range(3):
    //         ema.lerp_(a, 1 - 0.9)
    // print(ema[::6].tolist())
    let program = r#"
manual_seed(0)
a = randn(37, requires_grad=true)
b = randn(37, requires_grad=true)
w = rand(37)
for weight in [0.3, 0.7, 0.5, -0.2, 1.5] {
    y = lerp(a, b, weight)
    ga, gb = grad(y, (a, b), arange(37.0))
    print(y.grad_fn.name(), y.sum().item(), y[::7].tolist(), ga[::9].tolist(), gb[::9].tolist())
}
y = a.lerp(b, w)
ga, gb = grad(y, (a, b), arange(37.0))
print(y.grad_fn.name(), y[::5].tolist(), ga[::9].tolist(), gb[::9].tolist())
m = randn(3, 4, dtype=f64)
e = randn(4, dtype=f64)
print(lerp(m, e, 0.25).tolist())
print(lerp(m, e, rand(3, 1, dtype=f64) * 2 - 0.5).tolist())
ema = zeros(37)
no_grad {
    for step in range(3) {
        ema.lerp_(a, 1 - 0.9)
    }
}
print(ema[::6].tolist())
"#;
    let torch = r#"LerpBackward0 0.012334585189819336 [-0.9056141972541809, -1.3023566007614136, 0.6332663893699646, 0.4292941987514496, -0.529823362827301, 0.07072790712118149] [0.0, 6.299999713897705, 12.59999942779541, 18.899999618530273, 25.19999885559082] [0.0, 2.700000047683716, 5.400000095367432, 8.100000381469727, 10.800000190734863]
LerpBackward0 4.432758331298828 [-0.6119800209999084, -0.21853967010974884, -0.011414562352001667, 0.851804792881012, -1.0043065547943115, 0.17141275107860565] [0.0, 2.700000047683716, 5.400000095367432, 8.100000381469727, 10.800000190734863] [0.0, 6.299999713897705, 12.59999942779541, 18.899999618530273, 25.19999885559082]
LerpBackward0 2.2225468158721924 [-0.7587971091270447, -0.7604480981826782, 0.3109259307384491, 0.6405494809150696, -0.7670649886131287, 0.12107032537460327] [0.0, 4.5, 9.0, 13.5, 18.0] [0.0, 4.5, 9.0, 13.5, 18.0]
LerpBackward0 -5.513195514678955 [-1.2726569175720215, -2.657127857208252, 1.439117670059204, -0.09884415566921234, 0.06328058242797852, -0.05512816831469536] [0.0, 10.800000190734863, 21.600000381469727, 32.400001525878906, 43.20000076293945] [-0.0, -1.8000000715255737, -3.6000001430511475, -5.400000095367432, -7.200000286102295]
LerpBackward0 13.27360725402832 [-0.024711668491363525, 1.9490941762924194, -1.3007766008377075, 1.6968262195587158, -1.953272819519043, 0.37278246879577637] [-0.0, -4.5, -9.0, -13.5, -18.0] [0.0, 13.5, 27.0, 40.5, 54.0]
LerpBackward1 [-1.035201907157898, -0.31587088108062744, 0.011413320899009705, -0.9089933633804321, 1.1547633409500122, -0.30420225858688354, 0.12093470245599747, 0.20099596679210663] [0.0, 8.29477310180664, 17.63323974609375, 14.192811012268066, 0.9105563163757324] [0.0, 0.7052267789840698, 0.36675989627838135, 12.807188987731934, 35.08944320678711]
[[-0.4899658905770845, -0.3575699073345167, 1.5443856467071178, -0.08354774907427004], [-0.7543945963449881, -0.36293539701954153, 0.7640973342347654, 1.381605841784964], [-0.779995420146867, 0.3440995985044153, -0.41896974425263733, 0.13064843498531503]]
[[-0.9581262730439659, -0.23772595390994566, 0.595743278334991, 0.2846529268658562], [-0.38496280797073434, -0.48879875341106427, 1.4079675759177739, 1.6295541575487076], [-1.6561913369921029, -0.08850832672035404, -0.7541241636711877, 0.8343234055527272]]
[-0.3051025867462158, -0.08563946187496185, 0.03247704729437828, 0.15356232225894928, -0.05849894508719444, -0.39807024598121643, -0.1403982788324356]
"#;
    assert_eq!(run(program), torch);
}

#[test]
fn lerp_has_no_second_derivative_through_input_or_end() {
    // With a number weight the gradient is `grad * (1 - w)`: a constant in `a`.
    let program = r#"
a = tensor([1.0, 2.0], requires_grad=true)
y = lerp(a, a * a, 0.25)
g, = grad(y.sum(), a, create_graph=true)
print(g)
h, = grad(g.sum(), a)
print(h)
"#;
    // torch: tensor([1.2500, 1.7500], grad_fn=<AddBackward0>) and tensor([0.5000, 0.5000])
    assert_eq!(run(program), "tensor([1.2500, 1.7500], grad_fn=<AddBackward0>)\ntensor([0.5000, 0.5000])\n");
}

#[test]
fn a_weight_that_requires_grad_is_refused_at_the_weight() {
    let line = "y = lerp(zeros(3), ones(3), full((3,), 0.5, requires_grad=true))";
    let (code, message, at) = first_error(line);
    assert_eq!(code, Code::E0204, "{message}");
    assert_eq!(at, line.find("full").unwrap());
    let (code, message, _) = first_error("y = lerp(zeros(3), ones(3, dtype=f64), 0.5)");
    assert_eq!(code, Code::E0201, "{message}");
}
