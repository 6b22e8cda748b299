//! `optimizer.param_groups`: reading the options, and assigning the learning
//! rate of the following steps, from constants, from the loop counter and from
//! `.item()`, in loops compiled once and at the top level. The expected outputs
//! are what PyTorch 2.15 prints for the same lines (`torch.optim`).

use crate::common;

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::plan::Step;

/// Adam (amsgrad, weight decay) whose rate follows the loss (`.item()`), in a
/// loop; then SGD (nesterov) whose rate is set after each unrolled step, and
/// its repr with the last rate.
#[test]
fn a_rate_from_item_in_a_loop_and_one_set_between_steps_update_as_pytorch() {
    let program = r#"
manual_seed(0)
x = randn(20, 3)
y = x @ tensor([1.0, -2.0, 0.5]) + 0.3
w = zeros(3, requires_grad=true)
c = zeros(1, requires_grad=true)
opt = Adam([w, c], lr=0.05, amsgrad=true, weight_decay=0.01)
for step in range(40) {
    loss = ((x @ w + c - y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    for g in opt.param_groups {
        g["lr"] = min(0.05, loss.item() * 0.02)
    }
}
print(f"{opt.param_groups[0]['lr']:.6f} {loss.item():.6f}")
print(w)
v = zeros(3, requires_grad=true)
sgd = SGD([v], lr=1, momentum=0.9, nesterov=true, weight_decay=0.001)
print(sgd.param_groups[0]["lr"], sgd.param_groups[0]["momentum"], sgd.param_groups[0]["nesterov"])
for step in range(3) {
    loss = ((x @ v - y) ** 2).mean()
    sgd.zero_grad()
    loss.backward()
    sgd.step()
    sgd.param_groups[0]["lr"] = 0.1 / (step + 1)
    print(loss.item())
}
print(sgd)
print(v)
"#;
    let want = "\
0.013965 0.698227
tensor([ 0.7295, -1.1034,  0.0452], requires_grad=True)
1 0.9 True
4.02009391784668
29.08294105529785
10.878332138061523
SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.03333333333333333
    maximize: False
    momentum: 0.9
    nesterov: True
    weight_decay: 0.001
)
tensor([ 1.4528, -4.2594,  0.4777], requires_grad=True)
";
    assert_eq!(run(program), want);
}

/// A rate halved under a run-time `if` on the counter (`*=` on the group), in
/// a loop compiled once, and doubled after it.
#[test]
fn a_rate_changed_on_one_side_of_a_runtime_if_joins() {
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
opt = SGD([w], lr=0.5)
for epoch in range(6) {
    loss = (w * w).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 2 == 1 {
        for g in opt.param_groups {
            g["lr"] = g["lr"] * 0.5
        }
    }
    print(epoch, opt.param_groups[0]["lr"], loss.item())
}
print(w)
for g in opt.param_groups {
    g["lr"] *= 2
}
print(opt.param_groups[0]["lr"])
"#;
    let want = "\
0 0.5 7.207892417907715
1 0.25 0.0
2 0.25 0.0
3 0.125 0.0
4 0.125 0.0
5 0.0625 0.0
tensor([0., 0., 0.], requires_grad=True)
0.125
";
    assert_eq!(run(program), want);
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let trips: Vec<u64> = c.plan.steps.iter().filter_map(|s| if let Step::Loop(l) = s { Some(l.trip) } else { None }).collect();
    assert!(trips.iter().any(|&t| t >= 4), "the loop was unrolled: {trips:?}");
}

/// Only the learning rate can be assigned, to a number; a group's keys are its
/// optimizer's options; a group does not print.
#[test]
fn other_options_unknown_keys_and_printing_a_group_are_errors() {
    let errors = |program: &str| match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => d.iter().map(|d| (d.code, d.message.clone())).collect::<Vec<_>>(),
    };
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\n";
    let e = errors(&format!("{head}opt.param_groups[0][\"momentum\"] = 0.5\n"));
    assert_eq!(e[0], (Code::E0684, "graphc cannot change `momentum` of an optimizer after it is made".to_string()));
    let e = errors(&format!("{head}print(opt.param_groups[0][\"betas\"])\n"));
    assert_eq!(e[0], (Code::E0684, "a `SGD` param group has no key 'betas'".to_string()));
    let e = errors(&format!("{head}opt.param_groups[0][\"lr\"] = \"fast\"\n"));
    assert_eq!(e[0], (Code::E0684, "a learning rate must be a number, not a string".to_string()));
    let e = errors(&format!("{head}print(opt.param_groups)\n"));
    assert_eq!(e[0], (Code::E0107, "graphc does not print a param group".to_string()));
}

/// A scheduler's options are numbers known when compiling; it schedules an
/// optimizer, from `last_epoch=-1`; it has `step()` and `get_last_lr()`.
#[test]
fn scheduler_arguments_and_methods_are_checked() {
    let errors = |program: &str| match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => (d[0].code, d[0].message.clone()),
    };
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\n";
    assert_eq!(errors(&format!("{head}s = StepLR(opt, step_size=0)\n")), (Code::E0680, "`step_size` must be a positive integer, not 0".to_string()));
    assert_eq!(errors(&format!("{head}s = StepLR(w, 3)\n")), (Code::E0680, "`StepLR` schedules an optimizer, not a tensor".to_string()));
    assert_eq!(errors(&format!("{head}s = ExponentialLR(opt)\n")), (Code::E0680, "`ExponentialLR` needs `gamma`".to_string()));
    assert_eq!(errors(&format!("{head}s = StepLR(opt, 3, last_epoch=5)\n")), (Code::E0680, "`StepLR` starts from `last_epoch=-1` here".to_string()));
    assert_eq!(errors(&format!("{head}s = MultiStepLR(opt, [2, 0.5])\n")), (Code::E0680, "a milestone must be an integer, not a number".to_string()));
    assert_eq!(errors(&format!("{head}s = StepLR(opt, 3)\ns.step(4)\n")), (Code::E0685, "`step` takes no arguments here".to_string()));
    assert_eq!(errors(&format!("{head}s = StepLR(opt, 3)\ns.get_lr()\n")), (Code::E0685, "`StepLR` has no method `get_lr`".to_string()));
}

/// StepLR under a run-time `if` that skips every third epoch's steps: the
/// scheduler's `last_epoch` and the rate join across the branches.
#[test]
fn a_scheduler_stepped_in_a_loop_with_a_runtime_if_carries_its_epoch() {
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
opt = SGD([w], lr=0.5)
sched = StepLR(opt, step_size=2, gamma=0.5)
for epoch in range(7) {
    loss = (w * w).sum()
    opt.zero_grad()
    loss.backward()
    if epoch % 3 != 2 {
        opt.step()
        sched.step()
    }
    print(epoch, sched.get_last_lr(), f"{loss.item():.6f}")
}
"#;
    let want = "\
0 [0.5] 7.207892
1 [0.25] 0.000000
2 [0.25] 0.000000
3 [0.25] 0.000000
4 [0.125] 0.000000
5 [0.125] 0.000000
6 [0.125] 0.000000
";
    assert_eq!(run(program), want);
}

/// RMSprop prints and reads its options as PyTorch 2.15 does (its group has
/// `alpha`, `centered` and `capturable`, and no `fused`), and a rate set on
/// its group is the rate of its next step: the parameter after one step of
/// `lr=0.1` then one of `lr=0.05` is what PyTorch prints for the same lines.
#[test]
fn rmsprop_prints_its_options_and_steps_with_an_assigned_rate() {
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
opt = RMSprop([w], lr=0.1, momentum=0.5, centered=true)
print(opt)
g = opt.param_groups[0]
print(g["alpha"], g["centered"], g["momentum"], g["weight_decay"], g["eps"])
for step in range(2) {
    loss = (w ** 2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    g["lr"] = 0.05
}
print(w)
"#;
    let want = "\
RMSprop (
Parameter Group 0
    alpha: 0.99
    capturable: False
    centered: True
    differentiable: False
    eps: 1e-08
    foreach: None
    lr: 0.1
    maximize: False
    momentum: 0.5
    weight_decay: 0
)
0.99 True 0.5 0 1e-08
tensor([ 0.1184,  0.4996, -0.6822], requires_grad=True)
";
    assert_eq!(run(program), want);
}

/// `opt.defaults[key]` is the option the optimizer was made with, while its
/// group's rate and momentum follow `CyclicLR` or an assignment; the expected
/// output is what PyTorch 2.15 prints for the same lines. It is read only.
#[test]
fn defaults_keep_the_constructors_options() {
    let program = r#"
w = zeros(2, requires_grad=true)
opt = SGD([w], lr=0.1, momentum=0.9)
sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3)
for i in range(4) {
    opt.step()
    sched.step()
}
print(opt.defaults["lr"], opt.defaults["momentum"], opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"])
a = Adam([w], betas=(0.8, 0.99), weight_decay=0)
a.param_groups[0]["lr"] = 0.5
print(a.defaults["lr"], a.defaults["betas"], a.defaults["weight_decay"], a.param_groups[0]["lr"])
r = Rprop([w])
print(r.defaults["etas"], r.defaults["step_sizes"], r.defaults["maximize"])
"#;
    assert_eq!(run(program), "0.1 0.9 0.07000000000000003 0.8333333333333334\n0.001 (0.8, 0.99) 0 0.5\n(0.5, 1.2) (1e-06, 50) False\n");
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\n";
    for (line, code) in
        [("opt.defaults[\"lr\"] = 0.5\n", Code::E0684), ("print(opt.defaults[\"betas\"])\n", Code::E0684), ("print(opt.defaults)\n", Code::E0107)]
    {
        match compile(&format!("{head}{line}"), false) {
            Ok(_) => panic!("compiled: {line}"),
            Err(d) => assert_eq!(d[0].code, code, "{line}: {}", d[0].message),
        }
    }
}

/// `zero_grad(set_to_none=False)` leaves zeros where a gradient was (a
/// parameter without one keeps `None`), which the next backward adds into, as
/// PyTorch's does; `zero_grad(True)` is the default, `None`.
#[test]
fn zero_grad_set_to_none_false_zeroes_the_gradients() {
    // import torch
    // w = torch.tensor([1.0, -2.0], requires_grad=True)
    // b = torch.zeros(1, requires_grad=True)
    // opt = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
    // for step in range(3):
    //     loss = (w * w).sum()
    //     loss.backward()
    //     opt.step()
    //     opt.zero_grad(set_to_none=False)
    //     print(step, w.grad, b.grad, w)
    // loss = (w * w).sum() + b.sum()
    // loss.backward()
    // print(w.grad, b.grad)
    // opt.zero_grad(True)
    // print(w.grad, b.grad)
    let program = r#"
w = tensor([1.0, -2.0], requires_grad=true)
b = zeros(1, requires_grad=true)
opt = SGD([w, b], lr=0.1, momentum=0.9)
for step in range(3) {
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=false)
    print(step, w.grad, b.grad, w)
}
loss = (w * w).sum() + b.sum()
loss.backward()
print(w.grad, b.grad)
opt.zero_grad(true)
print(w.grad, b.grad)
"#;
    let want = "\
0 tensor([0., 0.]) None tensor([ 0.8000, -1.6000], requires_grad=True)
1 tensor([0., 0.]) None tensor([ 0.4600, -0.9200], requires_grad=True)
2 tensor([0., 0.]) None tensor([ 0.0620, -0.1240], requires_grad=True)
tensor([ 0.1240, -0.2480]) tensor([1.])
None None
";
    assert_eq!(run(program), want);
}

/// Several parameter groups as nanoGPT's `configure_optimizers` makes them
/// (a dict of named parameters split by dimension, each group's own weight
/// decay), printed as PyTorch prints them, trained in a loop compiled once
/// that sets every group's rate; a group's state is read by its tensor; an
/// `SGD` whose second group overrides the constructor's options.
#[test]
fn several_parameter_groups_train_as_pytorchs_do() {
    // import torch
    // torch.manual_seed(0)
    // W = torch.randn(3, 2, requires_grad=True)
    // b = torch.zeros(2, requires_grad=True)
    // x = torch.randn(8, 3)
    // y = torch.randn(8, 2)
    // param_dict = {"W": W, "b": b}
    // decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
    // nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
    // optim_groups = [
    //     {'params': decay_params, 'weight_decay': 0.1},
    //     {'params': nodecay_params, 'weight_decay': 0.0}
    // ]
    // num_decay_params = sum(p.numel() for p in decay_params)
    // num_nodecay_params = sum(p.numel() for p in nodecay_params)
    // print(f"num decayed parameter tensors: {len(decay_params)}, with {num_decay_params:,} parameters")
    // print(f"num non-decayed parameter tensors: {len(nodecay_params)}, with {num_nodecay_params:,} parameters")
    // optimizer = torch.optim.AdamW(optim_groups, lr=0.05, betas=(0.9, 0.95))
    // print(optimizer)
    // for it in range(5):
    //     loss = ((x @ W + b - y) ** 2).mean()
    //     optimizer.zero_grad()
    //     loss.backward()
    //     optimizer.step()
    //     for g in optimizer.param_groups:
    //         g["lr"] = g["lr"] * 0.9
    //     print(it, f"{loss.item():.6f}", [g["lr"] for g in optimizer.param_groups], [g["weight_decay"] for g in optimizer.param_groups])
    // print(W, b)
    // print(optimizer.state[b]["step"], len(optimizer.param_groups))
    // sgd = torch.optim.SGD([{"params": [W]}, {"params": b, "lr": 0.5, "momentum": 0.0}], 0.1, momentum=0.9)
    // print(sgd)
    let program = r#"
manual_seed(0)
W = randn(3, 2, requires_grad=true)
b = zeros(2, requires_grad=true)
x = randn(8, 3)
y = randn(8, 2)
param_dict = {"W": W, "b": b}
decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
optim_groups = [
    {'params': decay_params, 'weight_decay': 0.1},
    {'params': nodecay_params, 'weight_decay': 0.0}
]
num_decay_params = sum(p.numel() for p in decay_params)
num_nodecay_params = sum(p.numel() for p in nodecay_params)
print(f"num decayed parameter tensors: {len(decay_params)}, with {num_decay_params:,} parameters")
print(f"num non-decayed parameter tensors: {len(nodecay_params)}, with {num_nodecay_params:,} parameters")
optimizer = AdamW(optim_groups, lr=0.05, betas=(0.9, 0.95))
print(optimizer)
for it in range(5) {
    loss = ((x @ W + b - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    for g in optimizer.param_groups {
        g["lr"] = g["lr"] * 0.9
    }
    print(it, f"{loss.item():.6f}", [g["lr"] for g in optimizer.param_groups], [g["weight_decay"] for g in optimizer.param_groups])
}
print(W, b)
print(optimizer.state[b]["step"], len(optimizer.param_groups))
sgd = SGD([{"params": [W]}, {"params": b, "lr": 0.5, "momentum": 0.0}], 0.1, momentum=0.9)
print(sgd)
"#;
    let want = "\
num decayed parameter tensors: 1, with 6 parameters
num non-decayed parameter tensors: 1, with 2 parameters
AdamW (
Parameter Group 0
    amsgrad: False
    betas: (0.9, 0.95)
    capturable: False
    decoupled_weight_decay: True
    differentiable: False
    eps: 1e-08
    foreach: None
    fused: None
    lr: 0.05
    maximize: False
    weight_decay: 0.1

Parameter Group 1
    amsgrad: False
    betas: (0.9, 0.95)
    capturable: False
    decoupled_weight_decay: True
    differentiable: False
    eps: 1e-08
    foreach: None
    fused: None
    lr: 0.05
    maximize: False
    weight_decay: 0.0
)
0 5.738618 [0.045000000000000005, 0.045000000000000005] [0.1, 0.0]
1 5.317290 [0.04050000000000001, 0.04050000000000001] [0.1, 0.0]
2 4.964876 [0.03645000000000001, 0.03645000000000001] [0.1, 0.0]
3 4.667606 [0.03280500000000001, 0.03280500000000001] [0.1, 0.0]
4 4.413251 [0.02952450000000001, 0.02952450000000001] [0.1, 0.0]
tensor([[ 1.3681, -0.4891],
        [-1.9317,  0.3852],
        [-0.8597, -1.1679]], requires_grad=True) tensor([-0.2028,  0.1231], requires_grad=True)
tensor(5.) 2
SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.1
    maximize: False
    momentum: 0.9
    nesterov: False
    weight_decay: 0

Parameter Group 1
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.5
    maximize: False
    momentum: 0.0
    nesterov: False
    weight_decay: 0
)
";
    assert_eq!(run(program), want);
}

/// A group without `"params"`, a tensor in two groups, an item that is not a
/// dict, and too few `lr_lambda`s are errors in PyTorch's words; a composite
/// scheduler of a grouped optimizer is graphc's own.
#[test]
fn malformed_groups_are_errors() {
    let head = "w = randn(2, requires_grad=true)\nb = randn(2, requires_grad=true)\n";
    let first = |body: &str| common::first_error(&format!("{head}{body}"));
    assert_eq!(
        first("opt = SGD([{\"lr\": 0.1}], lr=0.1)\n"),
        (
            Code::E0681,
            "parameter group didn't specify a value of required optimization parameter params".to_string(),
            head.len() + "opt = SGD([".len()
        )
    );
    assert_eq!(first("opt = SGD([{\"params\": [w]}, {\"params\": [w, b]}], lr=0.1)\n").1, "some parameters appear in more than one parameter group");
    assert_eq!(first("opt = SGD([{\"params\": [w]}, [b]], lr=0.1)\n").0, Code::E0681);
    assert_eq!(first("opt = SGD([{\"params\": [w], \"lr\": -1.0}], lr=0.1)\n").1, "`SGD`: Invalid learning rate: -1.0");
    let two = "opt = SGD([{\"params\": [w]}, {\"params\": [b]}], lr=0.1)\n";
    assert_eq!(first(&format!("{two}s = LambdaLR(opt, [lambda e: 1.0])\n")).1, "Expected 2 lr_lambdas, but got 1");
    let (code, message, _) = first(&format!("{two}s = SequentialLR(opt, [StepLR(opt, 2)], [])\n"));
    assert_eq!((code, message.as_str()), (Code::E0685, "graphc's `SequentialLR` takes an optimizer of one parameter group"));
}

/// Hugging Face's fine-tuning pattern: weight-decay groups split with
/// `not any(nd in n for nd in no_decay)`, a warm-up `LambdaLR` over both groups
/// (each keeps its `initial_lr`, printed per group), and a `LambdaLR` with one
/// function per group.
#[test]
fn a_scheduler_schedules_every_group() {
    // import torch
    // torch.manual_seed(0)
    // W = torch.randn(3, 2, requires_grad=True)
    // b = torch.zeros(2, requires_grad=True)
    // x = torch.randn(8, 3)
    // y = torch.randn(8, 2)
    // no_decay = ["bias"]
    // named = [("weight", W), ("bias", b)]
    // optimizer_grouped_parameters = [
    //     {"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
    //     {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    // ]
    // optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=0.05)
    // warmup, total = 2, 6
    // def lr_lambda(step):
    //     if step < warmup:
    //         return float(step) / float(max(1, warmup))
    //     return max(0.0, float(total - step) / float(max(1, total - warmup)))
    // scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    // print(scheduler.get_last_lr())
    // for step in range(total):
    //     loss = ((x @ W + b - y) ** 2).mean()
    //     loss.backward()
    //     optimizer.step()
    //     scheduler.step()
    //     optimizer.zero_grad()
    //     print(step, f"{loss.item():.6f}", scheduler.get_last_lr())
    // print(optimizer)
    // sgd = torch.optim.SGD([{"params": [W]}, {"params": [b], "lr": 1.0}], lr=0.1)
    // s2 = torch.optim.lr_scheduler.LambdaLR(sgd, [lambda e: 0.5 ** e, lambda e: 1.0 / (e + 1)])
    // for e in range(4):
    //     sgd.step()
    //     s2.step()
    //     print(e, s2.get_last_lr())
    let program = r#"
manual_seed(0)
W = randn(3, 2, requires_grad=true)
b = zeros(2, requires_grad=true)
x = randn(8, 3)
y = randn(8, 2)
no_decay = ["bias"]
named = [("weight", W), ("bias", b)]
optimizer_grouped_parameters = [
    {"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
    {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]
optimizer = AdamW(optimizer_grouped_parameters, lr=0.05)
warmup, total = 2, 6
fn lr_lambda(step) {
    if step < warmup {
        return float(step) / float(max(1, warmup))
    }
    return max(0.0, float(total - step) / float(max(1, total - warmup)))
}
scheduler = LambdaLR(optimizer, lr_lambda)
print(scheduler.get_last_lr())
for step in range(total) {
    loss = ((x @ W + b - y) ** 2).mean()
    loss.backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    print(step, f"{loss.item():.6f}", scheduler.get_last_lr())
}
print(optimizer)
sgd = SGD([{"params": [W]}, {"params": [b], "lr": 1.0}], lr=0.1)
s2 = LambdaLR(sgd, [lambda e: 0.5 ** e, lambda e: 1.0 / (e + 1)])
for e in range(4) {
    sgd.step()
    s2.step()
    print(e, s2.get_last_lr())
}
"#;
    let want = "\
[0.0, 0.0]
0 5.738618 [0.025, 0.025]
1 5.738618 [0.05, 0.05]
2 5.546400 [0.037500000000000006, 0.037500000000000006]
3 5.181281 [0.025, 0.025]
4 4.924350 [0.0125, 0.0125]
5 4.760457 [0.0, 0.0]
AdamW (
Parameter Group 0
    amsgrad: False
    betas: (0.9, 0.999)
    capturable: False
    decoupled_weight_decay: True
    differentiable: False
    eps: 1e-08
    foreach: None
    fused: None
    initial_lr: 0.05
    lr: 0.0
    maximize: False
    weight_decay: 0.01

Parameter Group 1
    amsgrad: False
    betas: (0.9, 0.999)
    capturable: False
    decoupled_weight_decay: True
    differentiable: False
    eps: 1e-08
    foreach: None
    fused: None
    initial_lr: 0.05
    lr: 0.0
    maximize: False
    weight_decay: 0.0
)
0 [0.05, 0.5]
1 [0.025, 0.3333333333333333]
2 [0.0125, 0.25]
3 [0.00625, 0.2]
";
    assert_eq!(run(program), want);
}
