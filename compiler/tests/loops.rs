//! Loops and run-time branches: a loop body is compiled once, so the plan does
//! not grow with the trip count; loop state follows Python (names first bound
//! in the body keep their last value, a loop of no iterations changes nothing);
//! and the runtime refuses a loop step that does not fit its body.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use graphc_runtime::plan::{Plan, Step};

/// A training loop: a `.grad` that is `None` before the first backward (one
/// iteration is peeled off), rebinding, a print every iteration.
fn training(trip: u64) -> String {
    format!(
        "manual_seed(0)
x = randn(16, 4)
y = randn(16)
w = zeros(4, requires_grad=true)
v = zeros(4)
for step in range({trip}) {{
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    v = v * 0.9 + w.grad
}}
print(v)
"
    )
}

/// The steps and values of a plan, loop bodies included, and the trip counts it holds.
fn size(plan: &Plan) -> (usize, usize, Vec<u64>) {
    let (mut steps, mut values, mut trips) = (plan.steps.len(), plan.values.len(), Vec::new());
    for s in &plan.steps {
        let bodies: Vec<&graphc_runtime::plan::LoopStep> = match s {
            Step::Loop(l) => vec![l],
            Step::Branch(b) => vec![&b.then, &b.otherwise],
            _ => vec![],
        };
        for l in bodies {
            let (s2, v2, t2) = size(&l.body);
            steps += s2;
            values += v2;
            trips.push(l.trip);
            trips.extend(t2);
        }
    }
    (steps, values, trips)
}

#[test]
fn the_plan_does_not_grow_with_the_trip_count() {
    let small = compile(&training(300), false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let large = compile(&training(300_000), false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let (s1, v1, t1) = size(&small.plan);
    let (s2, v2, t2) = size(&large.plan);
    assert_eq!((s1, v1), (s2, v2), "steps and values differ between 300 and 300000 iterations");
    // The first iteration is peeled off (`w.grad` is None before it), then one loop runs the rest.
    assert_eq!(t1, vec![1, 299]);
    assert_eq!(t2, vec![1, 299_999]);
}

fn run(source: &str) -> String {
    let c = compile(source, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    run_capture(&c.plan).unwrap().0
}

#[test]
fn names_first_bound_in_a_loop_keep_their_last_value_and_an_empty_loop_changes_nothing() {
    let out =
        run("x = zeros(2)\nfor i in range(3) {\n    x = x + 1\n    last = x * 10\n}\nprint(last)\nfor i in range(0) {\n    x = x * 0\n}\nprint(x)\n");
    assert_eq!(out, "tensor([30., 30.])\ntensor([3., 3.])\n");
}

#[test]
fn a_value_read_and_rebound_in_the_same_iteration_is_carried_in_order() {
    // `a` takes the old `b`, `b` the sum: a Fibonacci pair, carried with a swap.
    let out = run("a = tensor([0.0])\nb = tensor([1.0])\nfor i in range(10) {\n    c = a + b\n    a = b\n    b = c\n}\nprint(a, b)\n");
    assert_eq!(out, "tensor([55.]) tensor([89.])\n");
}

#[test]
fn nested_loops_and_steps_run_the_right_number_of_times() {
    let out = run("n = zeros(1)\nfor i in range(2, 11, 3) {\n    for j in range(5, 0, -2) {\n        n = n + 1\n    }\n}\nprint(n)\n");
    // range(2, 11, 3) has 3 values, range(5, 0, -2) has 3.
    assert_eq!(out, "tensor([9.])\n");
}

#[test]
fn a_loop_step_that_does_not_fit_its_body_is_refused() {
    let c = compile("x = zeros(2)\nfor i in range(3) {\n    x = x + 1\n}\nprint(x)\n", false).unwrap();
    let mut plan = c.plan.clone();
    let Some(Step::Loop(l)) = plan.steps.iter_mut().find(|s| matches!(s, Step::Loop(_))) else { panic!("no loop step") };
    l.carried.push((0, 0));
    let err = plan.verify().expect_err("a value carried into the loop index must be refused");
    assert!(err.to_string().contains("carried input 0"), "{err}");
    let mut plan = c.plan.clone();
    let Some(Step::Loop(l)) = plan.steps.iter_mut().find(|s| matches!(s, Step::Loop(_))) else { panic!("no loop step") };
    l.inputs.clear();
    assert!(plan.verify().is_err(), "a loop without the outer values its body reads must be refused");
}

#[test]
fn a_runtime_if_runs_one_side_and_keeps_values_the_other_side_leaves_alone() {
    let out = run(
        "x = tensor([1.0, -2.0])\ny = x * 0\nz = x\nif x.sum() > 0 {\n    y = x + 1\n} else {\n    y = x - 1\n    print(\"else\")\n}\nprint(y, z)\n",
    );
    assert_eq!(out, "else\ntensor([ 0., -3.]) tensor([ 1., -2.])\n");
}

#[test]
fn rows_of_a_tensor_are_unrolled_and_append_builds_a_list() {
    // What PyTorch 2.15 prints for the same program.
    let out = run("x = tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nrows = []\nfor row in x {\n    rows.append(row * 2)\n}\nprint(stack(rows))\nprint(cat(rows))\nprint(row)\n");
    assert_eq!(out, "tensor([[ 2.,  4.],\n        [ 6.,  8.],\n        [10., 12.]])\ntensor([ 2.,  4.,  6.,  8., 10., 12.])\ntensor([5., 6.])\n");
}

/// A `range` loop that appends to a list in every iteration (an RNN's time
/// loop) is unrolled, as Python runs it, and the backward flows through every
/// step: PyTorch 2.15 prints the same for the same lines.
#[test]
fn a_short_loop_that_appends_to_a_list_is_unrolled_and_differentiable() {
    let program = "\
manual_seed(0)
W_xh = randn(3, 4, requires_grad=true)
W_hh = randn(4, 4, requires_grad=true)
X = randn(5, 2, 3)
H = zeros(2, 4)
outputs = []
for t in range(5) {
    H = tanh(X[t] @ W_xh + H @ W_hh)
    outputs.append(H)
}
loss = stack(outputs).pow(2).sum()
loss.backward()
print(len(outputs), loss, W_hh.grad)
";
    let want = "\
5 tensor(23.8473, grad_fn=<SumBackward0>) tensor([[ 1.2247,  1.8085, -6.0343,  0.7082],
        [ 1.0706,  1.3837, -3.9213,  0.3744],
        [ 1.5505,  1.0913,  1.1840, -0.4523],
        [ 0.2225, -1.2387,  1.1730, -0.5386]])
";
    assert_eq!(run(program), want);
    // Unrolled: no loop step is left in the plan.
    let c = compile(program, false).unwrap();
    assert!(!c.plan.steps.iter().any(|s| matches!(s, Step::Loop(_))), "the loop was compiled as a region");
}

/// Beyond 512 iterations a list of tensors that require grad (whose backward
/// would run through the list) is not unrolled: E0602, which suggests a
/// preallocated tensor.
#[test]
fn a_list_of_tensors_that_require_grad_growing_in_a_long_loop_is_e0602() {
    let program =
        |trip: u32| format!("x = ones(2, requires_grad=true)\nacc = []\nfor i in range({trip}) {{\n    acc.append(x * 2)\n}}\nprint(len(acc))\n");
    let Err(d) = compile(&program(513), false) else { panic!("compiled") };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0602);
    assert!(d[0].message.contains("`acc` grows"), "{}", d[0].message);
    assert_eq!(run(&program(512)), "512\n", "512 iterations unroll");
}

/// The loss curve of a training loop (`losses.append(loss.item())` in every
/// epoch) and detached snapshots of a parameter: the body is compiled once
/// (a peeled first iteration, then one loop), the items are kept in a tensor
/// and the lists after the loop hold what Python's hold. PyTorch 2.15 prints
/// the same for the same lines.
#[test]
fn a_long_loop_appends_numbers_and_detached_tensors_to_lists() {
    let program = |trip: u32| {
        format!(
            "w = tensor([1.0, 2.0], requires_grad=true)
opt = SGD([w], lr=0.01)
losses = [5.0]
norms = []
for epoch in range({trip}) {{
    loss = (w * w).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    norms.append(w.detach().clone())
}}
print(len(losses), losses[-1], losses[0], losses[1], min(losses))
print(len(norms), norms[-1], norms[3])
print(sum(losses) / len(losses))
print(tensor(losses[:5]))
"
        )
    };
    let want = "\
1001 1.4745900625799058e-17 5.0 5.0 1.4745900625799058e-17
1000 tensor([1.6830e-09, 3.3659e-09]) tensor([0.9224, 1.8447])
0.13113152501120814
tensor([5.0000, 5.0000, 4.8020, 4.6118, 4.4292])
";
    assert_eq!(run(&program(1000)), want);
    let c = compile(&program(1000), false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let loops: Vec<u64> = c.plan.steps.iter().filter_map(|s| if let Step::Loop(l) = s { Some(l.trip) } else { None }).collect();
    assert_eq!(loops, vec![1, 999], "the body was not compiled once");
}

/// A fn's own list is kept apart from a global list of the same name, and a
/// fn reading the global list that the loop fills makes the loop unroll (as a
/// read in the body does). Python prints the same.
#[test]
fn a_list_filled_in_a_fn_leaves_the_global_of_its_name_alone() {
    let program = "\
xs = [1.0]
fn f() {
    xs = []
    for i in range(600) {
        xs.append(float(i))
    }
    return len(xs), xs[-1]
}
print(f(), xs)
ys = []
fn count() {
    return len(ys)
}
for i in range(3) {
    ys.append(float(count()))
}
print(ys)
";
    assert_eq!(run(program), "(600, 599.0) [1.0]\n[0.0, 1.0, 2.0]\n");
}

/// The tensor that would keep a list must fit graphc's element limit (2^31),
/// as any tensor must: 600 snapshots of 2^22 elements do not, and the loop is
/// E0602, which suggests a preallocated tensor.
#[test]
fn a_list_too_large_to_keep_in_a_tensor_is_e0602() {
    let program = "w = zeros(4194304)\nsnaps = []\nfor i in range(600) {\n    w = w + 1\n    snaps.append(w.clone())\n}\n";
    let Err(d) = compile(program, false) else { panic!("compiled") };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0602);
    assert!(d[0].message.contains("`snaps` grows"), "{}", d[0].message);
}

/// In the loop that fills a list, `len(xs)` and `xs[-1]` after the append
/// read the count and the last item at run time: PyTorch 2.15 prints the same.
#[test]
fn len_and_the_last_item_of_a_list_read_in_the_loop_that_fills_it() {
    let program = "\
w = tensor([1.0, 2.0], requires_grad=true)
opt = SGD([w], lr=0.01)
losses = []
for epoch in range(1000) {
    loss = (w * w).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if epoch % 250 == 0 {
        print(f\"epoch {epoch} n={len(losses)} last={losses[-1]:.6f}\")
    }
}
print(len(losses), losses[-1])
";
    let want = "\
epoch 0 n=1 last=5.000000
epoch 250 n=251 last=0.000205
epoch 500 n=501 last=0.000000
epoch 750 n=751 last=0.000000
1000 1.4745900625799058e-17
";
    assert_eq!(run(program), want);
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    assert!(c.plan.steps.iter().any(|s| matches!(s, Step::Loop(l) if l.trip == 999)), "the body was not compiled once");
}

/// A body that reads the list it appends to otherwise would see it without
/// its new items: a short loop is unrolled instead (Python's values), a long
/// one is E0602 at the read.
#[test]
fn a_list_read_in_the_loop_that_fills_it_is_unrolled_or_refused() {
    let program = |trip: u32| {
        format!("xs = []\nfor i in range({trip}) {{\n    xs.append(float(i) * 0.5)\n    last = xs[0] + len(xs)\n}}\nprint(last, len(xs))\n")
    };
    assert_eq!(run(&program(4)), "4.0 4\n");
    let Err(d) = compile(&program(600), false) else { panic!("compiled") };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0602);
    assert!(d[0].message.contains("`xs` is read in the loop that appends to it"), "{}", d[0].message);
    assert_eq!((d[0].primary.span.start, d[0].primary.span.end), (71, 73), "the error points at the read");
    // An append in a run-time `if` makes a length only the run knows: the two
    // sides of the `if` leave lists of different lengths.
    let Err(d) = compile(
        "w = tensor([1.0])\nxs = []\nfor i in range(600) {\n    w = w * 0.9\n    if w.sum() > 0.5 {\n        xs.append(w.sum().item())\n    }\n}\n",
        false,
    ) else {
        panic!("compiled")
    };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0605);
    assert!(d[0].message.contains("`xs`"), "{}", d[0].message);
}

/// A compile-time number changed in every iteration (a counter, a decaying
/// learning rate, the items of d2l's Accumulator list) becomes a run-time
/// Python number: the body is still compiled once, whatever the trip count,
/// and the program prints what PyTorch 2.15 prints for the same lines.
#[test]
fn numbers_changed_in_every_iteration_become_run_time_numbers() {
    let program = |trip: u64| {
        format!(
            "lr = 1.0
x = zeros(3)
n = 0
hist = [0, 0.0]
for i in range({trip}) {{
    x = x + lr
    lr = lr * 0.5
    n += 2
    hist = [hist[0] + 1, hist[1] + 0.25]
}}
print(x, lr, n, hist)
print(n * 3, n / 4, lr > 0.001)
"
        )
    };
    assert_eq!(run(&program(10)), "tensor([1.9980, 1.9980, 1.9980]) 0.0009765625 20 [10, 2.5]\n60 5.0 False\n");
    let small = compile(&program(10), false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let large = compile(&program(100_000), false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let ((s1, v1, t1), (s2, v2, t2)) = (size(&small.plan), size(&large.plan));
    assert_eq!((s1, v1), (s2, v2), "the plan grows with the trip count");
    // Three iterations are compiled apart before the numbers are promoted; one loop runs the rest.
    assert_eq!((t1, t2), (vec![1, 1, 1, 7], vec![1, 1, 1, 99_997]));
    // A value whose shape changes in every iteration is unrolled in a short
    // loop, as Python runs it, and is E0602 in a long one.
    let grows = |trip: u32| format!("x = zeros(1)\nfor i in range({trip}) {{\n    x = cat([x, x[:1] + i])\n}}\nprint(x.shape, x[-3:])\n");
    assert_eq!(run(&grows(10)), "torch.Size([11]) tensor([7., 8., 9.])\n");
    let Err(d) = compile(&grows(513), false) else { panic!("compiled") };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0602);
}

/// `reversed(range(...))` is the range walked back, compiled once;
/// `reversed` of a list, tuple or shape is its items from the last, as the
/// PyTorch 2.15 program in the comment prints.
#[test]
fn reversed_ranges_and_lists_are_pythons() {
    // import torch
    // s = 0
    // for t in reversed(range(5)):
    //     s = s * 10 + t
    // print(s)
    // for i, t in enumerate(reversed([3, 4, 5])):
    //     print(i, t)
    // x = torch.zeros(2)
    // for t in reversed(range(1, 10, 3)):
    //     x = x + t
    //     x[0] = t
    // print(x, list(reversed(range(0))), list(reversed((1, 2))), list(reversed(x.shape)))
    // for t in reversed(range(0)):
    //     print("never")
    let program = r#"
s = 0
for t in reversed(range(5)) {
    s = s * 10 + t
}
print(s)
for i, t in enumerate(reversed([3, 4, 5])) {
    print(i, t)
}
x = zeros(2)
for t in reversed(range(1, 10, 3)) {
    x = x + t
    x[0] = t
}
print(x, list(reversed(range(0))), list(reversed((1, 2))), list(reversed(x.shape)))
for t in reversed(range(0)) {
    print("never")
}
"#;
    assert_eq!(
        run(program),
        r#"43210
0 5
1 4
2 3
tensor([ 1., 12.]) [] [2, 1] [2]
"#
    );
    // The reversed range is a loop, not five copies of the body: one iteration
    // with `s` a compile-time number, then four with it a run-time one.
    let c = compile("s = 0\nfor t in reversed(range(5)) {\n    s = s * 10 + t\n}\nprint(s)\n", false).unwrap();
    assert_eq!(size(&c.plan).2, vec![1, 4]);
}

/// A DDPM sampler's reverse loop: `variance` is the number 0, or a tensor when
/// `t > 0`, which no one run-time branch can bind. The loop is split where the
/// condition on its counter changes, 49 iterations then 1, and in each part the
/// `if` is decided when compiling, as the PyTorch original decides it each time.
#[test]
fn a_loop_splits_where_a_condition_on_its_counter_changes() {
    // import torch
    // torch.manual_seed(0)
    // betas = torch.linspace(0.0001, 0.02, 50)
    // sample = torch.randn(4, 2)
    // for t in reversed(range(50)):
    //     pred = sample * 0.9
    //     variance = 0
    //     if t > 0:
    //         noise = torch.randn_like(pred)
    //         variance = (betas[t] ** 0.5) * noise
    //     sample = pred + variance
    // print(sample)
    let program = r#"
manual_seed(0)
betas = linspace(0.0001, 0.02, 50)
sample = randn(4, 2)
for t in reversed(range(50)) {
    pred = sample * 0.9
    variance = 0
    if t > 0 {
        noise = randn_like(pred)
        variance = (betas[t] ** 0.5) * noise
    }
    sample = pred + variance
}
print(sample)
"#;
    assert_eq!(
        run(program),
        r#"tensor([[ 0.0680,  0.0493],
        [-0.0074,  0.0713],
        [ 0.0229, -0.0866],
        [-0.0491,  0.1127]])
"#
    );
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    assert_eq!(size(&c.plan).2, vec![49, 1]);
}
