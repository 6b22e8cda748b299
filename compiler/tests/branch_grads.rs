//! Gradients through an `if` decided at run time (`autodiff/branches.rs`): the
//! backward is a branch on the same condition that runs the taken side's
//! backward, so the gradients are those of the side that ran. The expected
//! outputs are what PyTorch 2.15 prints for the same lines (written beside each
//! program as Python), at full precision (`tolist()`), so that the order in
//! which contributions are summed is checked too.

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_compiler::ir::program::Effect;

/// Both sides, taken in turn: `u` and `x` are used inside the `if` and after it,
/// so their gradients sum contributions from both; the side that is not taken
/// leaves its inputs no gradient.
#[test]
fn gradients_follow_the_side_that_ran() {
    // import torch
    // torch.manual_seed(3)
    // x = torch.randn(5, requires_grad=True)
    // w = torch.randn(5, requires_grad=True)
    // for trial in range(2):
    //     u = x * w
    //     if (u.sum() > 0) == (trial == 0):
    //         v = u * u + u.exp() * x
    //         k = w * 1
    //     else:
    //         v = u.sin() * 3
    //         k = w * 2
    //     loss = (v * k + u * x).sum() + (u * u).mean()
    //     loss.backward()
    //     print(x.grad.tolist())
    //     print(w.grad.tolist())
    let program = r#"
manual_seed(3)
x = randn(5, requires_grad=true)
w = randn(5, requires_grad=true)
for trial in range(2) {
    u = x * w
    if (u.sum() > 0) == (trial == 0) {
        v = u * u + u.exp() * x
        k = w * 1
    } else {
        v = u.sin() * 3
        k = w * 2
    }
    loss = (v * k + u * x).sum() + (u * u).mean()
    loss.backward()
    print(x.grad.tolist())
    print(w.grad.tolist())
}
"#;
    let want = "\
[3.507619619369507, 0.8082046508789062, 6.3256449699401855, 9.122565269470215, 5.834327220916748]
[-8.049266815185547, 0.7419365644454956, 1.0878140926361084, 8.151856422424316, 0.5442811846733093]
[-2.159137487411499, 1.3267556428909302, 7.9317545890808105, 7.49406623840332, 7.097230434417725]
[-4.159687042236328, 0.9834777116775513, 1.2293285131454468, 7.854620933532715, 0.60385662317276]
";
    assert_eq!(run(program), want);
}

/// `grad` with respect to a value that is not a leaf, through an `if` that
/// changes the value on one side only (the other passes its input through).
#[test]
fn grad_of_a_non_leaf_through_an_if() {
    // import torch
    // torch.manual_seed(5)
    // a = torch.randn(4, requires_grad=True)
    // h = a.tanh()
    // s = h * 2
    // if h.sum() < 10:
    //     s = s * h
    // g, = torch.autograd.grad(s.sum(), h)
    // print(g.tolist())
    // t = h * 1
    // if a.sum() > 100:
    //     t = t.exp()
    // print(torch.autograd.grad((t * h).sum(), a, retain_graph=True)[0].tolist())
    // if a.sum() < 100:
    //     t = t.exp()
    // print(torch.autograd.grad((t * h).sum(), a)[0].tolist())
    let program = r#"
manual_seed(5)
a = randn(4, requires_grad=true)
h = a.tanh()
s = h * 2
if h.sum() < 10 {
    s = s * h
}
g = grad(s.sum(), h)[0]
print(g.tolist())
t = h * 1
if a.sum() > 100 {
    t = t.exp()
}
print(grad((t * h).sum(), a, retain_graph=true)[0].tolist())
if a.sum() < 100 {
    t = t.exp()
}
print(grad((t * h).sum(), a)[0].tolist())
"#;
    let want = "\
[-1.8066304922103882, -2.159053325653076, -2.026254177093506, 2.3333959579467773]
[-0.7190437912940979, -0.7650125622749329, -0.7531519532203674, 0.7696753144264221]
[0.27785319089889526, 0.19010788202285767, 0.22103048861026764, 1.8718496561050415]
";
    assert_eq!(run(program), want);
}

/// A side's print runs once, when the side runs forward; the backward branch
/// runs the side's computation again without it.
#[test]
fn a_sides_effects_happen_once() {
    let program = r#"
x = tensor([1.0, -2.0, 3.0], requires_grad=true)
if x.sum() > 0 {
    print("positive side")
    y = x * x
} else {
    y = x * 3
}
y.sum().backward()
print(x.grad)
"#;
    assert_eq!(run(program), "positive side\ntensor([ 2., -4.,  6.])\n");
    // The forward `if` and its backward, each an effect with two regions.
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let branches = c.optimized.effects.iter().filter(|e| matches!(e, Effect::Branch { .. })).count();
    assert_eq!(branches, 2);
    assert_eq!(c.optimized.regions.len(), 4);
}

/// A second backward through an `if` whose rules saved values needs
/// `retain_graph=true`, as in PyTorch; one through additions (which save
/// nothing) does not.
#[test]
fn the_retain_graph_rule_holds_through_an_if() {
    let saves =
        "x = ones(3, requires_grad=true)\nif x.sum() > 0 {\n    y = x * x\n} else {\n    y = x * 3\n}\ny.sum().backward()\ny.sum().backward()\n";
    let d = compile(saves, false).err().expect("a second backward through saved values");
    assert_eq!(d[0].code, Code::E0403);
    let adds = "x = ones(3, requires_grad=true)\nif x.sum() > 0 {\n    y = x + 1\n} else {\n    y = x - 3\n}\ny.sum().backward()\ny.sum().backward()\nprint(x.grad)\n";
    assert_eq!(run(adds), "tensor([2., 2., 2.])\n");
}

/// What a side draws is drawn once: the forward branch gives it to the backward
/// side, which reads it instead of drawing again, so the gradient and the
/// numbers drawn after the `if` are PyTorch's, whichever side ran (seed 0 takes
/// `else`, seed 1 `then`; both sides draw).
#[test]
fn numbers_drawn_in_a_side_are_kept_for_the_backward() {
    // import torch
    // for seed in [0, 1]:
    //     torch.manual_seed(seed)
    //     x = torch.randn(3, requires_grad=True)
    //     if x.sum() > 0:
    //         y = x * torch.randn(3)
    //     else:
    //         y = x * torch.rand(3) * 2
    //     (y * y).sum().backward()
    //     print(x.sum().item() > 0, x.grad.tolist())
    //     print(torch.randn(2).tolist())
    let program = |seed: u32| {
        format!(
            "manual_seed({seed})\nx = randn(3, requires_grad=true)\nif x.sum() > 0 {{\n    y = x * randn(3)\n}} else {{\n    y = x * rand(3) * 2\n}}\n(y * y).sum().backward()\nprint(x.sum().item() > 0, x.grad.tolist())\nprint(randn(2).tolist())\n"
        )
    };
    assert_eq!(run(&program(0)), "False [2.5592474937438965, -0.938529372215271, -2.1217339038848877]\n[0.5684312582015991, 0.20998091995716095]\n");
    assert_eq!(
        run(&program(1)),
        "True [0.5106104612350464, 0.10902195423841476, 0.0034044927451759577]\n[-1.522768497467041, 0.38168391585350037]\n"
    );
}

/// What stops a backward (or a `grad`) at an `if`, with the place in the side:
/// a loop inside it that draws, which the second run would run again whole,
/// and a gradient of the gradient. A loop inside a side that does not draw is
/// crossed (`autodiff/loops.rs`).
#[test]
fn what_a_backward_cannot_cross_is_an_error_at_its_place() {
    let first = |program: &str| match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => (d[0].code, d[0].message.clone(), d[0].secondary.first().map(|s| s.span.start)),
    };
    let draws = "manual_seed(0)\nx = randn(3, requires_grad=true)\nif x.sum() > 0 {\n    y = x * 1\n    for i in range(2) {\n        y = y * randn(3)\n    }\n} else {\n    y = x * 2\n}\ny.sum().backward()\n";
    let (code, message, at) = first(draws);
    assert_eq!(code, Code::E0604);
    assert!(message.contains("`if` decided at run time: a loop or `if` inside it draws random numbers"), "{message}");
    assert_eq!(at, draws.find("randn(3)"));
    let looped = "x = ones(3, requires_grad=true)\nif x.sum() > 0 {\n    y = x * 1\n    for i in range(3) {\n        y = y * 2\n    }\n} else {\n    y = x * 3\n}\ny.sum().backward()\nprint(x.grad)\n";
    assert_eq!(run(looped), "tensor([8., 8., 8.])\n");
    // `grad(y, h)` stops at `h`: a loop that draws on the way is checked, one
    // that made the target is not.
    let to_h = "manual_seed(0)\nx = ones(3, requires_grad=true)\nh = x * 2\nif x.sum() > 0 {\n    y = h * 1\n    for i in range(3) {\n        y = y * rand(3)\n    }\n} else {\n    y = h * 3\n}\nprint(grad(y.sum(), h)[0])\n";
    let (code, message, at) = first(to_h);
    assert_eq!(code, Code::E0604);
    assert!(message.contains("a loop or `if` inside it draws random numbers"), "{message}");
    assert_eq!(at, to_h.find("rand(3)"));
    let to_y = "x = ones(3, requires_grad=true)\nif x.sum() > 0 {\n    y = x * 1\n    for i in range(3) {\n        y = y * 2\n    }\n} else {\n    y = x * 3\n}\nz = y * y\nprint(grad(z.sum(), y)[0])\n";
    assert_eq!(run(to_y), "tensor([16., 16., 16.])\n");
    let twice =
        "x = ones(3, requires_grad=true)\nif x.sum() > 0 {\n    y = x * x\n} else {\n    y = x * 3\n}\ng = grad(y.sum(), x, create_graph=true)[0]\n";
    let (code, message, _) = first(twice);
    assert_eq!(code, Code::E0604);
    assert!(message.contains("create_graph=true"), "{message}");
}
