//! Loop-invariant code motion (`passes/hoist.rs`): work that computes the same
//! value in every iteration of a loop runs once, before it, and every value
//! keeps what the loop computed without the move. Values that change between
//! iterations (carried ones, the loop index, random draws) stay in the body.

use graphc_compiler::driver::compile;
use graphc_compiler::driver::print::{print_stage, IrStage};
use graphc_runtime::exec::run_capture;
use graphc_runtime::op::Op;
use graphc_runtime::plan::{Plan, Step};

fn compiled(source: &str) -> (Plan, String) {
    let c = compile(source, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let out = run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0;
    (c.plan, out)
}

/// How many steps of `plan` itself (not of its loops) compute `op`.
fn computes(plan: &Plan, op: fn(&Op) -> bool) -> usize {
    plan.steps.iter().filter(|s| matches!(s, Step::Compute { op: o, .. } if op(o))).count()
}

/// The bodies of the loops among `plan`'s steps, with their trip counts.
fn loops(plan: &Plan) -> Vec<(&Plan, u64)> {
    plan.steps.iter().filter_map(|s| if let Step::Loop(l) = s { Some((&l.body, l.trip)) } else { None }).collect()
}

fn matmul(op: &Op) -> bool {
    *op == Op::MatMul
}

/// `acc + x @ x` summed `trips` times over a random `x`, in nested loops of
/// `trips` iterations each, and the same sums written out without a loop.
fn sums(trips: &[u64]) -> (String, String) {
    let head = "manual_seed(0)\nx = randn(3, 3)\nacc = zeros(3, 3)\n";
    let mut looped = head.to_string();
    for (depth, t) in trips.iter().enumerate() {
        looped += &format!("{}for i{depth} in range({t}) {{\n", "    ".repeat(depth));
    }
    looped += &format!("{}acc = acc + x @ x\n", "    ".repeat(trips.len()));
    for depth in (0..trips.len()).rev() {
        looped += &format!("{}}}\n", "    ".repeat(depth));
    }
    looped += "print(acc)\n";
    let total: u64 = trips.iter().product();
    let unrolled = format!("{head}{}print(acc)\n", "acc = acc + x @ x\n".repeat(total as usize));
    (looped, unrolled)
}

#[test]
fn a_product_of_values_the_loop_never_changes_runs_once_before_it() {
    let (looped, unrolled) = sums(&[3]);
    let (plan, out) = compiled(&looped);
    assert_eq!(out, compiled(&unrolled).1, "the loop computes other sums than the same additions written out");
    let [(body, 3)] = loops(&plan)[..] else { panic!("expected one loop of 3 iterations") };
    assert_eq!(computes(body, matmul), 0, "the loop body still computes the product");
    assert_eq!(computes(&plan, matmul), 1, "the product is not computed before the loop");
}

#[test]
fn a_value_invariant_in_two_nested_loops_leaves_both() {
    let (looped, unrolled) = sums(&[2, 3]);
    let (plan, out) = compiled(&looped);
    assert_eq!(out, compiled(&unrolled).1);
    let [(outer, 2)] = loops(&plan)[..] else { panic!("expected one outer loop of 2 iterations") };
    let [(inner, 3)] = loops(outer)[..] else { panic!("expected one inner loop of 3 iterations") };
    assert_eq!((computes(&plan, matmul), computes(outer, matmul), computes(inner, matmul)), (1, 0, 0));
}

#[test]
fn carried_values_the_index_and_random_draws_stay_in_the_loop() {
    let (plan, out) = compiled(
        "manual_seed(0)
x = tensor([[1.0, 0.0], [0.0, 1.0]])
m = tensor([[0.0, 1.0], [1.0, 0.0]])
for i in range(3) {
    x = x @ m + i
    r = randn(2, 2)
    print((r @ m).sum() != 0, x @ m)
}
",
    );
    // Each product reads a value that changes between iterations: the carried
    // `x`, or a fresh draw.
    let [(body, 3)] = loops(&plan)[..] else { panic!("expected one loop of 3 iterations") };
    assert_eq!(computes(body, matmul), 3, "a product of a changing value left the loop");
    assert_eq!(computes(body, |op| *op == Op::Randn), 1, "the draw left the loop");
    assert_eq!(computes(&plan, matmul), 0);
    // x = m, then m @ m + 1 = [[2, 1], [1, 2]], then [[1, 2], [2, 1]] + 2; each printed times m.
    let expected = "tensor(True) tensor([[1., 0.],\n        [0., 1.]])\n\
                    tensor(True) tensor([[1., 2.],\n        [2., 1.]])\n\
                    tensor(True) tensor([[4., 3.],\n        [3., 4.]])\n";
    assert_eq!(out, expected);
}

#[test]
fn a_loop_of_one_iteration_keeps_its_work() {
    let (plan, out) = compiled("manual_seed(0)\nx = randn(2, 2)\nfor i in range(1) {\n    y = x @ x\n}\nprint(y)\n");
    assert_eq!(out, compiled("manual_seed(0)\nx = randn(2, 2)\ny = x @ x\nprint(y)\n").1);
    let [(body, 1)] = loops(&plan)[..] else { panic!("expected one loop of 1 iteration") };
    assert_eq!((computes(body, matmul), computes(&plan, matmul)), (1, 0));
}

#[test]
fn the_cross_entropy_gradient_of_a_full_batch_leaves_the_training_loop() {
    // The digits training's shape: the labels never change, so the gradient of
    // the loss with respect to the log-probabilities (a scatter of -1/N at the
    // labels) is the same in every step; the optimizer's updates are not.
    let source = "manual_seed(0)
x = randn(8, 4)
y = tensor([0, 1, 2, 0, 1, 2, 0, 1])
w = (randn(4, 3) * 0.1).requires_grad_()
for step in range(5) {
    loss = cross_entropy(x @ w, y)
    loss.backward()
    no_grad {
        w -= 0.5 * w.grad
        w.grad.zero_()
    }
}
print(loss)
";
    let c = compile(source, true).unwrap_or_else(|d| panic!("{}", d[0].message));
    let hoist = c.passes.iter().find(|p| p.name == "hoist").expect("the pipeline runs the hoist pass");
    assert_eq!(hoist.changes.len(), 1, "{:?}", hoist.changes);
    assert!(hoist.changes[0].what.starts_with("scatter_add computes the same value in every iteration"), "{}", hoist.changes[0].what);
    let ir = print_stage(&c, IrStage::Opt, source);
    assert!(ir.contains("# hoisted scatter_add"), "the body does not read the hoisted value as an input:\n{ir}");
}

#[test]
fn products_hoisted_out_of_several_loops_are_computed_once() {
    // Each loop's copy of `x @ x` lands in the program around the loops, where
    // common-subexpression elimination keeps one and every loop reads it.
    let looped = "manual_seed(0)\nx = randn(3, 3)\nacc = zeros(3, 3)\n".to_string()
        + &"for i in range(2) {\n    acc = acc + x @ x\n}\n".repeat(3)
        + "print(acc)\n";
    let unrolled = format!("manual_seed(0)\nx = randn(3, 3)\nacc = zeros(3, 3)\n{}print(acc)\n", "acc = acc + x @ x\n".repeat(6));
    let (plan, out) = compiled(&looped);
    assert_eq!(out, compiled(&unrolled).1);
    let bodies = loops(&plan);
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|(body, trip)| *trip == 2 && computes(body, matmul) == 0));
    assert_eq!(computes(&plan, matmul), 1, "the three hoisted products were not merged");
}
