//! Subscripts with run-time integers (a loop counter): reads, stores, `narrow`
//! and `for row in x` over a long tensor print what PyTorch 2.15 prints for the
//! same programs, their gradients are PyTorch's, an index out of range stops
//! the run with PyTorch's message (no panic), and the plan does not grow with
//! the trip count or the number of rows.

use crate::common::run;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use graphc_runtime::plan::{Plan, Step};

/// The number of steps and values of a plan, loop bodies included.
fn size(plan: &Plan) -> (usize, usize) {
    let (mut steps, mut values) = (plan.steps.len(), plan.values.len());
    for s in &plan.steps {
        if let Step::Loop(l) = s {
            let (s2, v2) = size(&l.body);
            steps += s2;
            values += v2;
        }
    }
    (steps, values)
}

/// Selects (negative ones wrap), slices of static length with steps, columns,
/// `narrow` with a run-time and a compile-time start, and a store of `.item()`.
#[test]
fn reads_at_run_time_indices_print_what_pytorch_prints() {
    let program = r#"x = arange(12.0).reshape(4, 3)
losses = zeros(5)
acc = zeros(3)
for i in range(4) {
    print(x[i], x[i, 1], x[-1 - i], x[i:i+1], x[:, i % 3])
    acc += x[i]
    losses[i] = x[i].sum().item()
}
print(acc, losses)
y = arange(20.0)
for k in range(3) {
    print(y[k*4:(k+1)*4], y[k*2:k*2+6:2], narrow(y, 0, k, 2))
}
print(narrow(x, 1, 1, 2), x.narrow(0, -2, 2))
"#;
    // tests: the output of the same program under PyTorch 2.15.
    let expected = r#"tensor([0., 1., 2.]) tensor(1.) tensor([ 9., 10., 11.]) tensor([[0., 1., 2.]]) tensor([0., 3., 6., 9.])
tensor([3., 4., 5.]) tensor(4.) tensor([6., 7., 8.]) tensor([[3., 4., 5.]]) tensor([ 1.,  4.,  7., 10.])
tensor([6., 7., 8.]) tensor(7.) tensor([3., 4., 5.]) tensor([[6., 7., 8.]]) tensor([ 2.,  5.,  8., 11.])
tensor([ 9., 10., 11.]) tensor(10.) tensor([0., 1., 2.]) tensor([[ 9., 10., 11.]]) tensor([0., 3., 6., 9.])
tensor([18., 22., 26.]) tensor([ 3., 12., 21., 30.,  0.])
tensor([0., 1., 2., 3.]) tensor([0., 2., 4.]) tensor([0., 1.])
tensor([4., 5., 6., 7.]) tensor([2., 4., 6.]) tensor([1., 2.])
tensor([ 8.,  9., 10., 11.]) tensor([4., 6., 8.]) tensor([2., 3.])
tensor([[ 1.,  2.],
        [ 4.,  5.],
        [ 7.,  8.],
        [10., 11.]]) tensor([[ 6.,  7.,  8.],
        [ 9., 10., 11.]])
"#;
    assert_eq!(run(program), expected);
}

/// Stores of tensors and numbers at run-time rows, slices and columns, and the
/// gradients of `x[i]`, `x[i:i+2]` and `narrow` (PyTorch's autograd values).
#[test]
fn stores_and_gradients_at_run_time_indices_are_pytorchs() {
    let program = r#"x = zeros(3, 4)
v = tensor([1.0, 2.0])
for i in range(3) {
    x[i, i:i+2] = v * (i + 1)
    x[:, 3] = tensor([7.0, 8.0, 9.0]) + i
    x[-1, i] = -1.0
}
print(x)
w = tensor([0.5, -1.0, 2.0, 3.0], requires_grad=true)
g = zeros(3, 4)
for i in range(3) {
    loss = (w[i] * w[i:i+2].sum() + narrow(w, 0, i, 2).pow(2).sum())
    loss.backward()
    g[i] = w.grad
    w.grad = none
}
print(g)
print(loss)
"#;
    let expected = r#"tensor([[ 1.,  2.,  0.,  9.],
        [ 0.,  2.,  4., 10.],
        [-1., -1., -1., 11.]])
tensor([[ 1.0000, -1.5000,  0.0000,  0.0000],
        [ 0.0000, -2.0000,  3.0000,  0.0000],
        [ 0.0000,  0.0000, 11.0000,  8.0000]])
tensor(23., grad_fn=<AddBackward0>)
"#;
    assert_eq!(run(program), expected);
}

#[test]
fn a_counter_index_out_of_range_in_some_iteration_is_a_compile_error_at_the_subscript() {
    // Both subscripts run in every iteration, so the first iteration that fails is
    // known when compiling; the message is the one the run would give there.
    for (program, message, label, at) in [
        (
            "x = zeros(4, 3)\nfor i in range(6) {\n    x[i] = 1.0\n}\nprint(x)\n",
            "index 4 is out of bounds for dimension 0 with size 4",
            "4 when `i` is 4",
            "i",
        ),
        (
            "x = arange(10.0)\nfor i in range(10) {\n    print(x[i:i + 6])\n}\n",
            "this slice runs past the end of dimension 0 (size 10) in the last 5 iterations of this loop",
            "it reaches index 10 when `i` is 5",
            "i:i + 6",
        ),
        (
            "x = randn(10)\nfor j in range(5, -1, -1) {\n    print(x[j - 11])\n}\n",
            "index -11 is out of bounds for dimension 0 with size 10",
            "-11 when `j` is 0",
            "j - 11",
        ),
    ] {
        let d = compile(program, false).err().unwrap_or_else(|| panic!("compiles:\n{program}"));
        assert_eq!(d[0].code.as_str(), "E0610", "{program}");
        assert_eq!(d[0].message, message, "{program}");
        assert_eq!(d[0].primary.message, label, "{program}");
        assert_eq!(&program[d[0].primary.span.start..d[0].primary.span.end], at, "{program}");
    }
    // In bounds in every iteration, at both ends of the dimension: no error.
    compile("x = randn(10)\nfor j in range(5, -1, -1) {\n    print(x[j - 10] + x[j + 4])\n}\n", false).unwrap_or_else(|d| panic!("{}", d[0].message));
}

/// A slice of the counter that runs past the end in the last iterations is
/// clamped as Python clamps it: a region for the full iterations, then the
/// clamped ones with their own lengths, whatever the trip count before them.
#[test]
fn slices_past_the_end_in_the_last_iterations_are_clamped_as_in_python() {
    // What PyTorch 2.15 prints for the same loop: two full batches, then one of 2.
    let program = "x = arange(10.0)\nfor i in range(3) {\n    print(x[i * 4:i * 4 + 4])\n}\n";
    assert_eq!(run(program), "tensor([0., 1., 2., 3.])\ntensor([4., 5., 6., 7.])\ntensor([8., 9.])\n");
    // A name that leaves the loop with the last iteration's shape.
    let program = "x = arange(10.0)\nfor i in range(10) {\n    w = x[i:i + 5:3]\n}\nprint(w, w.shape)\n";
    assert_eq!(run(program), "tensor([9.]) torch.Size([1])\n");
    // Four clamped iterations, the most: from `i` = 6 on, `x[i:i + 6:2]` has fewer than three elements.
    let program = "x = arange(10.0)\nfor i in range(10) {\n    print(x[i:i + 6:2].sum())\n}\n";
    let want: String = (0..10).map(|i: usize| format!("tensor({}.)\n", (i..(i + 6).min(10)).step_by(2).sum::<usize>())).collect();
    assert_eq!(run(program), want);
    // The full batches are one region whose trip count follows the loop's; the plan does not grow.
    let batches = |n: usize| {
        format!("x = arange({}.0)\nt = zeros(1)\nfor i in range({}) {{\n    t += x[i * 4:i * 4 + 4].sum()\n}}\nprint(t)\n", 4 * n + 2, n + 1)
    };
    let (a, b) = (compile(&batches(10), false).unwrap(), compile(&batches(10_000), false).unwrap());
    assert_eq!(bodies(&a.plan).iter().map(|l| l.1).collect::<Vec<_>>(), bodies(&b.plan).iter().map(|l| l.1).collect::<Vec<_>>());
    assert_eq!(bodies(&b.plan)[0].0, 10_000, "the full batches run in one region");
    assert_eq!(size(&a.plan), size(&b.plan));
    // 0 + 1 + ... + 41 in f32, as the loop adds it batch by batch.
    assert_eq!(run(&batches(10)), "tensor([861.])\n");
    // A range whose end lies beyond i64 (the next value after the last) compiles:
    // the counter after the region is computed without overflow.
    assert_eq!(
        run("for i in range(-2**63, 2**63 - 1, 2**62) {\n    print(i)\n}\n"),
        "-9223372036854775808\n-4611686018427387904\n0\n4611686018427387904\n"
    );
    // A descending counter runs past the end in its first iterations, not a tail: E0610 stands.
    let d = compile("x = arange(10.0)\nfor i in range(9, -1, -1) {\n    print(x[i:i + 3].sum())\n}\n", false).err().expect("first iterations");
    assert_eq!(d[0].message, "index 10 is out of bounds for dimension 0 with size 10");
}

#[test]
fn an_index_only_the_run_knows_out_of_range_stops_the_run_with_pytorchs_message() {
    // `i * i` is not a sum of multiples of the counter, so only the run sees its values.
    let c = compile("x = zeros(4, 3)\nfor i in range(3) {\n    x[i * i] = 1.0\n}\nprint(x)\n", false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let e = run_capture(&c.plan).expect_err("row 4 of 4 is out of range");
    assert_eq!(e.message, "index 4 is out of bounds for dimension 0 with size 4");
    // A run-time `if` runs in some iterations only: the run finds the slice past the end.
    let program = "x = arange(10.0)\nfor i in range(3) {\n    if i > 0 {\n        print(x[i * 4:i * 4 + 4])\n    }\n}\n";
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let e = run_capture(&c.plan).expect_err("the third slice runs past the end");
    assert_eq!(e.message, "index 10 is out of bounds for dimension 0 with size 10");
}

/// The trip count and size of each loop of a plan. Bodies are compared: outside
/// them, constant folding keeps a small constant tensor and not a large one.
fn bodies(p: &Plan) -> Vec<(u64, (usize, usize))> {
    p.steps.iter().filter_map(|s| if let Step::Loop(l) = s { Some((l.trip, size(&l.body))) } else { None }).collect()
}

fn batches(trip: usize) -> String {
    format!("x = arange(40.0).reshape(10, 4)\ntotal = zeros(2, 4)\nseen = zeros(5)\nfor i in range({trip}) {{\n    k = i % 5\n    total += x[k * 2:(k + 1) * 2]\n    seen[k] = x[k, 1].item()\n}}\nprint(total)\n")
}

#[test]
fn the_plan_does_not_grow_with_the_trip_count_or_the_rows() {
    let small = compile(&batches(10), false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let large = compile(&batches(100_000), false).unwrap_or_else(|d| panic!("{}", d[0].message));
    assert_eq!(bodies(&small.plan).len(), bodies(&large.plan).len());
    for (a, b) in bodies(&small.plan).iter().zip(&bodies(&large.plan)) {
        assert_eq!(a.1, b.1, "a loop body does not depend on the trip count");
    }
    // tests: what PyTorch 2.15 prints for the same ten iterations.
    assert_eq!(run_capture(&small.plan).unwrap().0, "tensor([[160., 170., 180., 190.],\n        [200., 210., 220., 230.]])\n");
    let rows = |n: usize| {
        format!("x = arange({}.0).reshape({n}, 2)\ntotal = zeros(2)\nfor row in x {{\n    total += row * row\n}}\nprint(total)\nprint(row)\n", 2 * n)
    };
    let (a, b) = (compile(&rows(600), false).unwrap(), compile(&rows(60_000), false).unwrap());
    let (ba, bb) = (bodies(&a.plan), bodies(&b.plan));
    assert_eq!(
        ba.iter().map(|b| b.1).collect::<Vec<_>>(),
        bb.iter().map(|b| b.1).collect::<Vec<_>>(),
        "a long tensor's rows are a loop, not unrolled"
    );
    assert_eq!(ba.iter().map(|b| b.0).sum::<u64>(), 600);
    assert_eq!(bb.iter().map(|b| b.0).sum::<u64>(), 60_000);
    // tests: PyTorch 2.15 prints the same for 600 rows.
    assert_eq!(run_capture(&a.plan).unwrap().0, "tensor([2.8728e+08, 2.8800e+08])\ntensor([1198., 1199.])\n");
}

/// A slice bound that is a one-element i64 tensor is its number (Python's
/// `__index__`), as nanoGPT's `get_batch` slices windows at the indices
/// `randint` drew, `for i in ix`: a run-time slice of static length.
#[test]
fn tensor_bounds_slice_as_their_numbers() {
    // import torch
    // torch.manual_seed(0)
    // data = torch.arange(100) * 3
    // block_size = 4
    // for step in range(3):
    //     ix = torch.randint(len(data) - block_size, (2,))
    //     x = torch.stack([data[i:i+block_size] for i in ix])
    //     y = torch.stack([data[i+1:i+1+block_size] for i in ix])
    //     print(step, x.tolist(), y.tolist())
    // i = torch.tensor([7])
    // print(data[i:i + 2], data[i - 1:i + 1])
    let program = r#"
manual_seed(0)
data = arange(100) * 3
block_size = 4
for step in range(3) {
    ix = randint(len(data) - block_size, (2,))
    x = stack([data[i:i+block_size] for i in ix])
    y = stack([data[i+1:i+1+block_size] for i in ix])
    print(step, x.tolist(), y.tolist())
}
i = tensor([7])
print(data[i:i + 2], data[i - 1:i + 1])
"#;
    let want = "\
0 [[132, 135, 138, 141], [45, 48, 51, 54]] [[135, 138, 141, 144], [48, 51, 54, 57]]
1 [[159, 162, 165, 168], [0, 3, 6, 9]] [[162, 165, 168, 171], [3, 6, 9, 12]]
2 [[201, 204, 207, 210], [81, 84, 87, 90]] [[204, 207, 210, 213], [84, 87, 90, 93]]
tensor([21, 24]) tensor([18, 21])
";
    assert_eq!(run(program), want);
}
