//! Gradients through `for` loops compiled as regions (`autodiff/loops.rs`,
//! backpropagation through time): the backward of a loop is a loop that runs
//! the iterations in reverse, recomputing each from the values the forward loop
//! kept. The expected outputs are what PyTorch 2.15 prints for the same lines
//! (written beside each program as Python), at full precision (`tolist()`), so
//! that the order in which contributions are summed is checked too. The
//! programs avoid matrix products, whose last bits differ from MKL's
//! (`docs/act-language.md`, "Matrix products are where the last digits differ").

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_compiler::ir::program::Effect;

/// A recurrence in f64 whose weights are used twice in every iteration, and
/// whose starting value is a leaf: each weight's gradient sums one
/// contribution per iteration (the last iteration's first), and the leaf's
/// gradient comes out of the first iteration.
#[test]
fn an_elementwise_recurrence_matches_pytorch_bit_for_bit() {
    // import torch
    // torch.manual_seed(0)
    // W = torch.randn(3, dtype=torch.float64) * 0.5
    // W.requires_grad_(True)
    // U = torch.randn(3, dtype=torch.float64, requires_grad=True)
    // x = torch.randn(5, 3, dtype=torch.float64)
    // h0 = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    // h = h0
    // for t in range(5):
    //     h = torch.tanh(h * W + x[t] * U + W * U)
    // loss = (h * h).sum()
    // loss.backward()
    // print(loss.item())
    // print(W.grad.tolist())
    // print(U.grad.tolist())
    // print(h0.grad.tolist())
    let program = r#"
manual_seed(0)
W = randn(3, dtype=float64) * 0.5
W.requires_grad_(true)
U = randn(3, dtype=float64, requires_grad=true)
x = randn(5, 3, dtype=float64)
h0 = zeros(3, dtype=float64, requires_grad=true)
h = h0
for t in range(5) {
    h = tanh(h * W + x[t] * U + W * U)
}
loss = (h * h).sum()
loss.backward()
print(loss.item())
print(W.grad.tolist())
print(U.grad.tolist())
print(h0.grad.tolist())
"#;
    let want = "\
1.6814464764242858
[1.496478339194285, -0.055949933267574165, -0.6107484121971526]
[0.26205378922209427, -0.38012400114052847, 0.020381203825106317]
[0.03953548582852136, -7.783696458401923e-07, -0.000305464077500367]
";
    assert_eq!(run(program), want);
}

/// A user op with a backward block, called in every iteration, and a tensor
/// filled row by row in the loop (`states[t] = h`) that the loss reads: the
/// stack is carried but not kept per iteration (its gradient needs no value).
#[test]
fn an_op_with_its_own_backward_in_the_loop_and_a_stack_filled_in_it() {
    // import torch
    // class Cube(torch.autograd.Function):
    //     @staticmethod
    //     def forward(ctx, x):
    //         ctx.save_for_backward(x)
    //         return x * x * x
    //     @staticmethod
    //     def backward(ctx, grad):
    //         x, = ctx.saved_tensors
    //         return grad * 3 * x * x
    //
    // torch.manual_seed(1)
    // W = torch.randn(4, requires_grad=True)
    // b = torch.randn(4, requires_grad=True)
    // xs = torch.randn(6, 4)
    // h = torch.zeros(4)
    // states = torch.zeros(6, 4)
    // for t in range(6):
    //     h = Cube.apply(torch.tanh(h * W + xs[t] + b)) * 0.9
    //     states[t] = h
    // loss = (states ** 2).mean() + (W * W).sum() * 0.01 + h.sum()
    // loss.backward()
    // print(loss.item())
    // print(W.grad.tolist())
    // print(b.grad.tolist())
    let program = r#"
# An op with its own backward, called in a loop; the state is a stack filled in the loop.
op Cube(x) {
    forward {
        save x
        return x * x * x
    }
    backward(grad) {
        return grad * 3 * x * x
    }
}

manual_seed(1)
W = randn(4, requires_grad=true)
b = randn(4, requires_grad=true)
xs = randn(6, 4)
h = zeros(4)
states = zeros(6, 4)
for t in range(6) {
    h = Cube(tanh(h * W + xs[t] + b)) * 0.9
    states[t] = h
}
loss = (states ** 2).mean() + (W * W).sum() * 0.01 + h.sum()
loss.backward()
print(loss.item())
print(W.grad.tolist())
print(b.grad.tolist())
"#;
    let want = "\
-0.23213514685630798
[0.38878461718559265, 0.01203908771276474, -0.1907709538936615, 0.04133126139640808]
[0.7500571012496948, 0.6109447479248047, 0.29068782925605774, 0.10026013851165771]
";
    assert_eq!(run(program), want);
}

/// A `range` that counts down by two (the tape's rows follow the iterations,
/// not the index), `grad` of a leaf through it, and a loop inside a loop.
#[test]
fn reverse_strides_grad_and_nested_loops() {
    // import torch
    // torch.manual_seed(2)
    // x = torch.randn(8, 3, dtype=torch.float64)
    // w = torch.randn(3, dtype=torch.float64, requires_grad=True)
    // a = torch.randn(3, dtype=torch.float64, requires_grad=True)
    // h = a * 1
    // for t in range(7, 0, -2):
    //     h = torch.sin(h * w) + x[t] * h
    // y = (h * h).sum()
    // print(torch.autograd.grad(y, w, retain_graph=True)[0].tolist())
    // print(torch.autograd.grad(y, a)[0].tolist())
    // c = a.sigmoid()
    // s = c * 1
    // for i in range(3):
    //     for j in range(2):
    //         s = s * w + c * j
    //     s = s.tanh() + i
    // z = (s * c).sum()
    // z.backward()
    // print(w.grad.tolist())
    // print(a.grad.tolist())
    let program = r#"
manual_seed(2)
x = randn(8, 3, dtype=float64)
w = randn(3, dtype=float64, requires_grad=true)
a = randn(3, dtype=float64, requires_grad=true)
h = a * 1
for t in range(7, 0, -2) {
    h = sin(h * w) + x[t] * h
}
y = (h * h).sum()
print(grad(y, w, retain_graph=true)[0].tolist())
print(grad(y, a)[0].tolist())
c = a.sigmoid()
s = c * 1
for i in range(3) {
    for j in range(2) {
        s = s * w + c * j
    }
    s = s.tanh() + i
}
z = (s * c).sum()
z.backward()
print(w.grad.tolist())
print(a.grad.tolist())
"#;
    let want = "\
[-0.013889662698193833, -0.008793771026428341, 9.760035309759295e-06]
[-0.011807630269924504, -0.001074714905529033, -2.1504185571582978e-05]
[-0.06858578673783988, 0.05034199668073215, -0.12401042121400264]
[0.3842585208136364, 0.3873663373302767, 0.707787734245845]
";
    assert_eq!(run(program), want);
}

/// A recurrent model trained with Adam: the time loop runs inside the training
/// loop, and each step's backward goes through all of its iterations.
#[test]
fn a_time_loop_inside_a_training_loop() {
    // import torch
    // torch.manual_seed(0)
    // T = 8
    // B = 1
    // H = 4
    // xs = torch.randn(T, B, 1)
    // ys = xs.sum(0)
    // wx = (torch.randn(H) * 0.5).requires_grad_()
    // wh = (torch.randn(H) * 0.2).requires_grad_()
    // bh = torch.zeros(H, requires_grad=True)
    // wo = (torch.randn(H) * 0.3).requires_grad_()
    // opt = torch.optim.Adam([wx, wh, bh, wo], lr=0.01)
    // for epoch in range(40):
    //     h = torch.zeros(B, H)
    //     for t in range(T):
    //         h = torch.tanh(xs[t] * wx + h * wh + bh)
    //     loss = (((h * wo).sum(1, keepdim=True) - ys) ** 2).mean()
    //     opt.zero_grad()
    //     loss.backward()
    //     opt.step()
    //     if epoch % 10 == 0:
    //         print(f"{epoch} {loss.item():.6f}")
    // print(loss.item())
    // print(wo.grad.tolist())
    let program = r#"
manual_seed(0)
T = 8
B = 1
H = 4
xs = randn(T, B, 1)
ys = xs.sum(0)
wx = (randn(H) * 0.5).requires_grad_()
wh = (randn(H) * 0.2).requires_grad_()
bh = zeros(H, requires_grad=true)
wo = (randn(H) * 0.3).requires_grad_()
opt = Adam([wx, wh, bh, wo], lr=0.01)
for epoch in range(40) {
    h = zeros(B, H)
    for t in range(T) {
        h = tanh(xs[t] * wx + h * wh + bh)
    }
    loss = (((h * wo).sum(1, keepdim=true) - ys) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 10 == 0 {
        print(f"{epoch} {loss.item():.6f}")
    }
}
print(loss.item())
print(wo.grad.tolist())
"#;
    let want = "\
0 2.722547
10 1.935836
20 1.237504
30 0.637172
0.2602275609970093
[0.061390265822410583, -0.8098388910293579, 0.2101113647222519, 0.7473010420799255]
";
    assert_eq!(run(program), want);
}

/// A loop's print runs once per iteration, forward only; a second backward
/// through a loop of additions needs no `retain_graph`, one through products
/// (whose rules save values) does, as PyTorch raises.
#[test]
fn effects_happen_once_and_the_retain_graph_rule_holds() {
    let adds = "x = ones(3, requires_grad=true)\nh = x + 0\nfor i in range(3) {\n    print(i)\n    h = h + x\n}\nh.sum().backward()\nh.sum().backward()\nprint(x.grad)\n";
    assert_eq!(run(adds), "0\n1\n2\ntensor([8., 8., 8.])\n");
    let products = "x = ones(3, requires_grad=true)\nh = x + 0\nfor i in range(3) {\n    h = h * x\n}\nh.sum().backward()\nh.sum().backward()\n";
    let d = compile(products, false).err().expect("a second backward through saved values");
    assert_eq!(d[0].code, Code::E0403);
}

/// Only carried values that the backward reads are kept per iteration: `h`
/// (which `tanh`'s and the product's rules read) is, the stack filled in the
/// loop is not, and a loop of one iteration keeps nothing.
#[test]
fn only_what_the_backward_reads_is_kept() {
    let program = "w = ones(4, requires_grad=true)\nh = zeros(4)\nstates = zeros(5, 4)\nfor t in range(5) {\n    h = tanh(h * w + 1)\n    states[t] = h\n}\n(states ** 2).sum().backward()\nprint(w.grad)\n";
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let tapes: Vec<String> = c
        .optimized
        .regions
        .iter()
        .flat_map(|r| r.body.inputs.iter().filter(|i| i.name.starts_with("tape of")).map(|i| format!("{} {:?}", i.name, i.shape)))
        .collect();
    // The forward loop writes the tape of `h`, and the backward loop reads it: 4
    // rows of 4, as the first iteration is a loop of its own (`h` starts
    // without grad and requires it after).
    assert_eq!(tapes, ["tape of h [16]", "tape of h [16]"], "{tapes:?}");
    let loops = c.optimized.effects.iter().filter(|e| matches!(e, Effect::Loop { .. })).count();
    assert_eq!(loops, 4, "a peeled first iteration and the loop, and their backwards");
    // import torch
    // w = torch.ones(4, requires_grad=True)
    // h = torch.zeros(4)
    // states = torch.zeros(5, 4)
    // for t in range(5):
    //     h = torch.tanh(h * w + 1)
    //     states[t] = h
    // (states ** 2).sum().backward()
    // print(w.grad)
    assert_eq!(run(program), "tensor([0.6205, 0.6205, 0.6205, 0.6205])\n");
}

/// What the body draws (a hand-written dropout mask, a noise term) is drawn
/// once: the forward loop keeps each iteration's mask on a tape that the
/// reverse iterations read, and the numbers drawn after the loop are PyTorch's,
/// so the backward drew nothing. The noise term, which no gradient reads, is
/// not kept. The first iteration is a loop of its own (`h` starts without grad).
#[test]
fn numbers_drawn_in_the_body_are_kept_for_the_backward() {
    // import torch
    // torch.manual_seed(0)
    // w = torch.randn(4, dtype=torch.float64, requires_grad=True)
    // x = torch.randn(6, 4, dtype=torch.float64)
    // h = torch.zeros(4, dtype=torch.float64)
    // for t in range(6):
    //     keep = (torch.rand(4, dtype=torch.float64) > 0.3).to(torch.float64) / 0.7
    //     h = torch.tanh(h * w + x[t]) * keep + 0.1 * torch.randn(4, dtype=torch.float64)
    // loss = (h * h).sum()
    // loss.backward()
    // print(loss.item())
    // print(w.grad.tolist())
    // print(torch.randn(2, dtype=torch.float64).tolist())
    let program = r#"
manual_seed(0)
w = randn(4, dtype=float64, requires_grad=true)
x = randn(6, 4, dtype=float64)
h = zeros(4, dtype=float64)
for t in range(6) {
    keep = (rand(4, dtype=float64) > 0.3).to(float64) / 0.7
    h = tanh(h * w + x[t]) * keep + 0.1 * randn(4, dtype=float64)
}
loss = (h * h).sum()
loss.backward()
print(loss.item())
print(w.grad.tolist())
print(randn(2, dtype=float64).tolist())
"#;
    let want = "\
4.177136061524688
[0.01910708405969611, 0.043758153175572134, -0.3339224250705342, 0.016085820219845778]
[0.2459428371392048, -0.13116786971980376]
";
    assert_eq!(run(program), want);
    let c = compile(program, false).expect("compiles");
    let mut tapes: Vec<String> = c
        .optimized
        .regions
        .iter()
        .flat_map(|r| r.body.inputs.iter().filter(|i| i.name.starts_with("tape of a draw")).map(|i| format!("{:?}", i.shape)))
        .collect();
    tapes.sort();
    // The mask's tape in the peeled first iteration (one row) and in the loop
    // (five rows), each written by the forward loop and read by its backward.
    assert_eq!(tapes, ["[20]", "[20]", "[4]", "[4]"], "{tapes:?}");
}

/// What stops a backward at a loop, with the place in the body: a loop inside
/// the body that draws, which the second run of each iteration would run again
/// whole; a gradient of the gradient; and a backward inside the body that
/// reaches the previous iteration.
#[test]
fn what_a_backward_cannot_cross_is_an_error_at_its_place() {
    let first = |program: &str| match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => (d[0].code, d[0].message.clone(), d[0].secondary.first().map(|s| s.span.start)),
    };
    let draws = "manual_seed(0)\nw = ones(3, requires_grad=true)\nh = w * 1\nfor i in range(3) {\n    for j in range(2) {\n        h = h * randn(3)\n    }\n}\nh.sum().backward()\n";
    let (code, message, at) = first(draws);
    assert_eq!(code, Code::E0604);
    assert!(message.contains("a loop or `if` inside it draws random numbers"), "{message}");
    assert_eq!(at, draws.find("randn(3)"));
    // Drawn in the body itself, the numbers are kept for the backward; drawn
    // before the loop and read by index, they are the same numbers.
    let drawn_in = "manual_seed(0)\nw = ones(3, requires_grad=true)\nh = w * 1\nfor i in range(3) {\n    h = h * randn(3)\n}\nh.sum().backward()\nprint(w.grad.tolist())\n";
    let drawn_before = "manual_seed(0)\nw = ones(3, requires_grad=true)\nnoise = randn(3, 3)\nh = w * 1\nfor i in range(3) {\n    h = h * noise[i]\n}\nh.sum().backward()\nprint(w.grad.tolist())\n";
    // (PyTorch 2.15 prints the same for both.)
    assert_eq!(run(drawn_before), "[0.35331177711486816, 0.26668527722358704, -2.191754102706909]\n");
    assert_eq!(run(drawn_in), run(drawn_before));
    let twice = "x = ones(3, requires_grad=true)\nh = x * 1\nfor i in range(3) {\n    h = h * x\n}\ng = grad(h.sum(), x, create_graph=true)[0]\n";
    let (code, message, at) = first(twice);
    assert_eq!(code, Code::E0604);
    assert!(message.contains("`create_graph=true` through a loop"), "{message}");
    assert_eq!(at, twice.find("for i"));
    let inside = "w = ones(3, requires_grad=true)\nh = zeros(3)\nfor i in range(3) {\n    h = h * 0.5 + w\n    h.sum().backward()\n}\n";
    let (code, message, _) = first(inside);
    assert_eq!(code, Code::E0604);
    assert!(message.contains("previous iteration"), "{message}");
}
