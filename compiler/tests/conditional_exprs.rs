//! `a if c else b`, Python's conditional expression (`lower/conditional_exprs.rs`):
//! a compile-time condition lowers only the side it picks; a run-time one is a
//! run-time `if` whose picked side alone runs, draws and is differentiated.
//! The expected outputs are what the PyTorch 2.15 program beside each prints.

use crate::common;

use crate::common::run;
use graphc_compiler::diag::Code;

/// Compile-time picks (the other side would be an index error), conditionals
/// inside a comprehension next to its filter, a lambda whose body is one, and
/// in a loop compiled once: run-time numbers, a nested conditional, tensors
/// with gradients that follow the side that ran, and draws made only when
/// their side runs (the generator's later numbers show it).
#[test]
fn picks_one_side_as_python_does() {
    // import torch
    // torch.manual_seed(0)
    // name = "sgd"
    // lr = 0.1 if name == "sgd" else 0.001
    // print(lr, 2 if True else 3, "yes" if [] else "no", [i if i % 2 else -i for i in range(5)], [i for i in range(6) if i % 2 == 0])
    // xs = [1, 2]
    // f = lambda v: v * 2 if v > 1 else v
    // print(xs[5] if False else xs[1], f(3))
    // x = torch.randn(4, requires_grad=True)
    // w = torch.randn(4, requires_grad=True)
    // for epoch in range(6):
    //     scale = 0.1 if epoch >= 3 else 1.0
    //     k = 1 if epoch < 2 else 2 if epoch < 4 else 3
    //     y = (x * w).sum() * scale if epoch % 2 == 0 else (x * x).sum() * scale
    //     y.backward()
    //     r = torch.rand(2) if epoch % 3 == 0 else torch.zeros(2)
    //     print(epoch, scale, k, f"{y.item():.4f}", r, torch.rand(1))
    // print(x.grad, w.grad)
    // z = x * 2 if x.sum() > 0 else w * 3
    // print(z)
    let program = r#"
manual_seed(0)
name = "sgd"
lr = 0.1 if name == "sgd" else 0.001
print(lr, 2 if true else 3, "yes" if [] else "no", [i if i % 2 else -i for i in range(5)], [i for i in range(6) if i % 2 == 0])
xs = [1, 2]
f = lambda v: v * 2 if v > 1 else v
print(xs[5] if false else xs[1], f(3))
x = randn(4, requires_grad=true)
w = randn(4, requires_grad=true)
for epoch in range(6) {
    scale = 0.1 if epoch >= 3 else 1.0
    k = 1 if epoch < 2 else 2 if epoch < 4 else 3
    y = (x * w).sum() * scale if epoch % 2 == 0 else (x * x).sum() * scale
    y.backward()
    r = rand(2) if epoch % 3 == 0 else zeros(2)
    print(epoch, scale, k, f"{y.item():.4f}", r, rand(1))
}
print(x.grad, w.grad)
z = x * 2 if x.sum() > 0 else w * 3
print(z)
"#;
    let want = "\
0.1 2 no [0, 1, -2, 3, -4] [0, 2, 4]
2 6
0 1.0 1 -1.6633 tensor([0.6977, 0.8000]) tensor([0.1610])
1 1.0 1 7.5310 tensor([0., 0.]) tensor([0.2823])
2 1.0 2 -1.6633 tensor([0., 0.]) tensor([0.6816])
3 0.1 2 0.7531 tensor([0.9152, 0.3971]) tensor([0.8742])
4 0.1 3 -0.1663 tensor([0., 0.]) tensor([0.4194])
5 0.1 3 0.7531 tensor([0., 0.]) tensor([0.5529])
tensor([ 1.4209, -3.6413, -4.3821,  3.1241]) tensor([ 3.2361, -0.6162, -4.5755,  1.1937])
tensor([-3.2536, -4.1958,  1.2100,  2.5141], grad_fn=<MulBackward0>)
";
    assert_eq!(run(program), want);
}

/// A warm-up schedule as published code writes it: `LambdaLR` with a lambda
/// whose conditional the scheduler decides at every step of a loop compiled once.
#[test]
fn a_warmup_lambda_decides_at_every_step() {
    // import torch
    // torch.manual_seed(0)
    // w = torch.randn(3, requires_grad=True)
    // x = torch.randn(16, 3)
    // y = x.sum(1)
    // warmup = 3
    // opt = torch.optim.SGD([w], lr=0.5)
    // sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: (e + 1) / warmup if e < warmup else 0.8 ** (e - warmup))
    // for epoch in range(8):
    //     loss = ((x * w).sum(1) - y).pow(2).mean()
    //     opt.zero_grad()
    //     loss.backward()
    //     opt.step()
    //     sched.step()
    //     print(epoch, f"{loss.item():.5f}", sched.get_last_lr()[0])
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
x = randn(16, 3)
y = x.sum(1)
warmup = 3
opt = SGD([w], lr=0.5)
sched = LambdaLR(opt, lambda e: (e + 1) / warmup if e < warmup else 0.8 ** (e - warmup))
for epoch in range(8) {
    loss = ((x * w).sum(1) - y).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    print(epoch, f"{loss.item():.5f}", sched.get_last_lr()[0])
}
"#;
    let want = "\
0 8.14065 0.3333333333333333
1 4.81353 0.5
2 1.45826 0.5
3 0.19921 0.4
4 0.03563 0.32000000000000006
5 0.01106 0.25600000000000006
6 0.00467 0.20480000000000004
7 0.00243 0.16384000000000004
";
    assert_eq!(run(program), want);
}

/// What a run-time condition cannot pick is an error at the condition: sides of
/// different shapes, a string against `none` (known only when compiling), and any run-time
/// condition inside an op's block; a tensor of several elements is no condition.
#[test]
fn what_a_run_time_condition_cannot_pick_is_an_error_at_the_condition() {
    let first = common::first_error;
    let shapes = "x = randn(4)\nz = x * 2 if x.sum() > 0 else x[:2]\n";
    let (code, message, at) = first(shapes);
    assert_eq!((code, at), (Code::E0605, shapes.find("x.sum() > 0").unwrap()));
    assert!(message.starts_with("the value of `a if c else b` is a value whose dtype, shape"), "{message}");
    let strings = "x = randn(4)\nfor i in range(3) {\n    print(\"warm\" if i < 2 else none)\n}\n";
    let (code, message, at) = first(strings);
    assert_eq!((code, at), (Code::E0605, strings.find("i < 2").unwrap()));
    assert!(message.starts_with("the value of `a if c else b` is a compile-time value"), "{message}");
    let in_op = "op sq(a) {\n    forward {\n        return a * a if a.sum() > 0 else a\n    }\n    backward(g) {\n        return g\n    }\n}\nprint(sq(ones(2)))\n";
    assert_eq!(
        first(in_op),
        (
            Code::E0603,
            "a conditional expression on a run-time value inside an op's block is not supported".to_string(),
            in_op.find("a.sum()").unwrap()
        )
    );
    let many = "x = randn(3)\ny = 1 if x > 0 else 2\n";
    assert_eq!(first(many).0, Code::E0113);
    assert_eq!(first(many).2, many.find("x > 0").unwrap());
    // As in Python, a comprehension's condition is a disjunction: `else` after it is a syntax error.
    assert_eq!(first("print([i for i in range(3) if i else 0])\n").0, Code::E0003);
}

/// Two strings picked by a run-time condition in a loop compiled once: a
/// literal or an f-string on either side, nested conditionals, a one-element
/// bool tensor as the condition, and the picked text formatted by `%`.
#[test]
fn strings_picked_at_run_time_print_the_picked_side() {
    // import torch
    // torch.manual_seed(0)
    // x = torch.randn(5)
    // best = float("inf")
    // for step in range(5):
    //     val = x[step].item()
    //     mark = "*" if val < best else ""
    //     print(f"step {step}: {val:.4f}{mark}", "warm" if step < 2 else f"decay {val:+.2f}", "a" if step == 0 else "b" if step == 1 else "c")
    //     if val < best:
    //         best = val
    //     t = x[step] > 0
    //     print("pos" if t else "neg", "%s!" % ("hi" if step % 2 == 0 else "lo"))
    let program = r#"
manual_seed(0)
x = randn(5)
best = inf
for step in range(5) {
    val = x[step].item()
    mark = "*" if val < best else ""
    print(f"step {step}: {val:.4f}{mark}", "warm" if step < 2 else f"decay {val:+.2f}", "a" if step == 0 else "b" if step == 1 else "c")
    if val < best {
        best = val
    }
    t = x[step] > 0
    print("pos" if t else "neg", "%s!" % ("hi" if step % 2 == 0 else "lo"))
}
"#;
    let want = "\
step 0: 1.5410* warm a
pos hi!
step 1: -0.2934* warm b
neg lo!
step 2: -2.1788* decay -2.18 c
neg hi!
step 3: 0.5684 decay +0.57 c
pos lo!
step 4: -1.0845 decay -1.08 c
neg hi!
";
    assert_eq!(run(program), want);
}
