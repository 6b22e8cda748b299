//! Appends under a run-time `if` in a loop compiled once: a condition on the
//! loop counter alone (`if (epoch + 1) % 500 == 0: losses.append(...)`) is
//! counted at compile time, so the list after the loop has the items Python's
//! has; an append on both sides needs no count; any other condition is E0605.
//! The expected outputs are what PyTorch 2.15 prints for the same lines
//! (`torch.optim.SGD`, `torch.optim.Adam`).

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::plan::Step;

/// The trip counts of the loops at the top of a plan.
fn loop_trips(source: &str) -> Vec<u64> {
    let c = compile(source, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    c.plan.steps.iter().filter_map(|s| if let Step::Loop(l) = s { Some(l.trip) } else { None }).collect()
}

fn logging_every(every: u32, trip: u32) -> String {
    format!(
        "x = linspace(-1, 1, 50)
y = 3 * x + 1
w = zeros(1, requires_grad=true)
b = zeros(1, requires_grad=true)
opt = SGD([w, b], lr=0.01, momentum=0.5)
losses = []
steps = []
for epoch in range({trip}) {{
    opt.zero_grad()
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    opt.step()
    if (epoch + 1) % {every} == 0 {{
        print(f\"epoch {{epoch + 1}}: loss {{loss.item():.6f}}\")
        losses.append(loss.item())
        steps.append(epoch + 1)
    }}
}}
print(len(losses), steps)
print(losses)
"
    )
}

/// A training loop that logs every 500 epochs: the body is compiled once, and
/// the lists hold six items.
#[test]
fn a_loss_logged_every_500_epochs_is_counted_when_compiling() {
    let want = "\
epoch 500: loss 0.000002
epoch 1000: loss 0.000000
epoch 1500: loss 0.000000
epoch 2000: loss 0.000000
epoch 2500: loss 0.000000
epoch 3000: loss 0.000000
6 [500, 1000, 1500, 2000, 2500, 3000]
[2.301497488588211e-06, 2.4346177851519712e-11, 2.4346177851519712e-11, 2.4346177851519712e-11, 2.4346177851519712e-11, 2.4346177851519712e-11]
";
    assert_eq!(run(&logging_every(500, 3000)), want);
    // Two iterations are peeled off (`.grad`, then SGD's momentum buffer, are
    // `None` before them), then one loop runs the rest; a hundred times the
    // epochs give the same loops, with a hundred times the items.
    assert_eq!(loop_trips(&logging_every(500, 3000)), vec![1, 1, 2998], "the body was not compiled once");
    assert_eq!(loop_trips(&logging_every(500, 300_000)), vec![1, 1, 299_998]);
}

/// Appends in every iteration and under the condition to one list, an `else`
/// that appends to another, detached snapshots, and a condition that never
/// holds (an empty list).
#[test]
fn appends_on_either_side_and_in_every_iteration_keep_pythons_order() {
    let program = "\
w = ones(2, requires_grad=true)
opt = Adam([w], lr=0.01)
losses = []
evens = []
snaps = []
never = []
for i in range(1000) {
    opt.zero_grad()
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if (i + 1) % 250 == 0 and i > 300 {
        losses.append(-1.0)
        snaps.append(w.detach().clone())
    } else {
        evens.append(i)
    }
    if i > 5000 {
        never.append(i)
    }
}
print(len(losses), losses[-1], losses[499:503])
print(len(evens), evens[-3:])
print(snaps)
print(never)
";
    let want = "\
1003 -1.0 [4.004413439976974e-17, -1.0, 3.5284646342980476e-17, 3.098543466624022e-17]
997 [996, 997, 998]
[tensor([4.2003e-09, 4.2003e-09]), tensor([6.8592e-15, 6.8592e-15]), tensor([-1.8112e-21, -1.8112e-21])]
[]
";
    assert_eq!(run(program), want);
}

/// An `if` on a run-time value whose two sides both append one item adds one
/// item in every iteration, whatever runs: compiled once in a long loop,
/// unrolled in a short one.
#[test]
fn an_append_on_both_sides_of_a_runtime_if_needs_no_count() {
    let program = |trip: u32| {
        format!(
            "w = ones(1, requires_grad=true)
losses = []
for i in range({trip}) {{
    loss = (w * 2).sum() - i * 0.01
    if loss.item() > 1.0 {{
        losses.append(loss.item())
    }} else {{
        losses.append(-loss.item())
    }}
}}
print(len(losses), losses[0], losses[-1])
"
        )
    };
    assert_eq!(run(&program(2000)), "2000 2.0 17.989999771118164\n");
    assert_eq!(run(&program(20)), "20 2.0 1.809999942779541\n");
}

/// A condition on a run-time value (here a random draw's) makes a length only
/// the run knows: E0605 at the condition, in a long loop and in a short
/// (unrolled) one, and the list's later uses add no errors. (A condition on
/// constants alone is decided when compiling, as `known_truth` does.)
#[test]
fn an_append_under_a_condition_on_a_runtime_value_is_e0605() {
    let program = |trip: u32| {
        format!(
            "w = randn(1, requires_grad=true)\nlosses = []\nfor i in range({trip}) {{\n    loss = (w * 2).sum()\n    if loss.item() > 1.0 {{\n        losses.append(loss.item())\n    }}\n}}\nprint(losses[-1])\n"
        )
    };
    for trip in [2000, 20] {
        let Err(d) = compile(&program(trip), false) else { panic!("compiled") };
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::E0605);
        assert!(d[0].message.contains("`losses` gets items on one side only"), "{}", d[0].message);
        let at = program(trip).find("loss.item() > 1.0").unwrap();
        assert_eq!(d[0].primary.span.start, at, "the error points at the condition");
    }
}

/// Appends in an `elif` (an `if` inside the `else` side) are not counted:
/// E0602 at the append.
#[test]
fn an_append_in_an_elif_of_a_long_loop_is_e0602() {
    let program = "losses = []\nfor i in range(3000) {\n    if i % 1000 == 0 {\n        losses.append(i)\n    } elif i % 1000 == 1 {\n        losses.append(-i)\n    }\n}\nprint(losses)\n";
    let Err(d) = compile(program, false) else { panic!("compiled") };
    assert_eq!(d[0].code, Code::E0602);
    assert!(d[0].message.contains("`losses` is appended to in a nested loop, or in an `if` inside a run-time `if`"), "{}", d[0].message);
    assert_eq!(d[0].primary.span.start, program.find("losses.append(-i)").unwrap());
    // Unrolled, the conditions are compile-time bools: Python's list.
    assert_eq!(run(&program.replace("3000", "3").replace("1000", "2")), "[0, -1, 2]\n");
}

/// `opt.step()` in a fn named `step` is the optimizer's method, not a call of
/// the fn; a method that does call the fn being inlined is E0106 at the call.
#[test]
fn a_method_call_named_like_the_fn_is_not_recursion_unless_it_calls_the_fn() {
    let program = "\
w = tensor([1.0, 2.0], requires_grad=true)
opt = SGD([w], lr=0.1)
fn step() {
    opt.zero_grad()
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    return loss.item()
}
print(step(), step())
";
    assert_eq!(run(program), "5.0 3.200000286102295\n");
    let cycle = "fn step(x) {\n    return x.step()\n}\nprint(step(ones(2)))\n";
    let Err(d) = compile(cycle, false) else { panic!("compiled") };
    assert_eq!(d[0].code, Code::E0106);
    assert_eq!(d[0].primary.span.start, cycle.find("x.step()").unwrap());
}

/// The condition is counted for at most 2^20 iterations (about 4 s of compile
/// time at the limit): a longer loop is E0605, which says so.
#[test]
fn a_condition_in_a_loop_too_long_to_count_is_e0605_with_the_limit() {
    let Err(d) = compile(&logging_every(500, 1_048_577), false) else { panic!("compiled") };
    assert_eq!(d[0].code, Code::E0605);
    assert!(d[0].message.contains("more than the 1048576 graphc counts when compiling"), "{}", d[0].message);
}
