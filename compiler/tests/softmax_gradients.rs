//! The gradients of `softmax`, `log_softmax` and `cross_entropy` through the
//! compiler (autodiff's `softmax_backward` op and its own derivatives):
//! - bit for bit against PyTorch 2.15's `x.grad` (the `softmax_grad`,
//!   `log_softmax_grad` and `cross_entropy_grad` cases of
//!   `runtime/tests/data/numerics_reduce.json`, written by
//!   `tools/numerics/reductions.py --json`), in f32 and f64;
//! - first and second derivatives against central differences in f64, as
//!   `gradients.rs` checks the elementwise rules (|fd - g| <= 1e-6 + 1e-5·|g|).

use graphc_compiler::driver::{compile, compile_opts, Exports, Options};
use graphc_compiler::fuse::Numerics;
use graphc_runtime::exec::{run_capture, Machine};
use graphc_runtime::Tensor;
use serde_json::Value;

// The input generator and digest of tools/numerics/reductions.py, shared with
// runtime/tests/numerics_reduce.rs, which reads the same reference data.
#[path = "../../runtime/tests/common/reductions_py.rs"]
mod reductions_py;
use reductions_py::values;

/// The script's digest of x.grad: FNV-1a over its elements' little-endian bytes.
fn fnv(t: &Tensor) -> String {
    match (t.as_f32(), t.as_f64()) {
        (Some(v), _) => reductions_py::fnv(v.iter().flat_map(|x| x.to_le_bytes())),
        (_, Some(v)) => reductions_py::fnv(v.iter().flat_map(|x| x.to_le_bytes())),
        _ => panic!("x.grad is a float tensor"),
    }
}

/// x.grad of one case, computed by the program graphc compiles for it: `x` and
/// `g` are inputs bound to the case's values, rounded to the dtype as the script does.
fn graphc_grad(op: &str, f32: bool, shape: &[usize], dim: usize, seed: u64) -> Tensor {
    let dt = if f32 { "f32" } else { "f64" };
    let dims = shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
    let src = match op {
        "cross_entropy_grad" => {
            format!("input x: {dt}[{dims}] requires_grad\nt = arange({}) % {}\ncross_entropy(x, t).backward()\n", shape[0], shape[1])
        }
        _ => {
            let f = if op == "log_softmax_grad" { "log_softmax" } else { "softmax" };
            format!("input x: {dt}[{dims}] requires_grad\ninput g: {dt}[{dims}]\n{f}(x, {dim}).backward(g)\n")
        }
    };
    let names = ["x.grad".to_string()];
    let options = Options { keep_stages: false, exports: Exports::Names(&names), numerics: Numerics::Exact, source_dir: None };
    let c = compile_opts(&src, &options).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
    let n = shape.iter().product();
    let tensor = |v: Vec<f64>| {
        if f32 {
            Tensor::from_f32(shape.to_vec(), v.iter().map(|&x| x as f32).collect())
        } else {
            Tensor::from_f64(shape.to_vec(), v)
        }
    };
    let mut m = Machine::new(&c.plan).expect("the plan verifies");
    for (k, input) in c.plan.inputs.clone().iter().enumerate() {
        let seed = if input.name == "g" { seed + 1_000_000 } else { seed };
        m.bind_input(&c.plan, k, tensor(values(seed, n, false)));
    }
    m.run(&c.plan, &mut Vec::new()).expect("runs");
    let (_, v) = c.plan.exports.iter().find(|(name, _)| name == "x.grad").expect("x.grad is exported");
    m.value(*v).expect("x.grad is alive").clone()
}

/// Every autograd case of the reference: graphc's x.grad has PyTorch's bits.
/// The softmax cases' seeds are those of the kernel cases, so their digests
/// also equal the `softmax_backward` kernel's: autograd calls that kernel.
#[test]
fn softmax_gradients_through_the_compiler_have_pytorchs_bits() {
    let r: Value = serde_json::from_str(include_str!("../../runtime/tests/data/numerics_reduce.json")).expect("valid JSON");
    let mut failures = Vec::new();
    let mut count = 0;
    for v in r["cases"].as_array().expect("cases") {
        let op = v["op"].as_str().expect("op");
        if !op.ends_with("_grad") {
            continue;
        }
        count += 1;
        let shape: Vec<usize> = v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
        let dim = v["dims"][0].as_u64().expect("a dimension") as usize;
        let f32 = v["dtype"] == "f32";
        let got = graphc_grad(op, f32, &shape, dim, v["seed"].as_u64().expect("seed"));
        if fnv(&got) != v["fnv"].as_str().unwrap() {
            failures.push(format!("{op} {} {shape:?} dim {dim}: digest differs, PyTorch's first elements {}", v["dtype"], v["head"]));
        }
    }
    assert_eq!(count, 80, "the reference lost its autograd cases");
    assert!(failures.is_empty(), "{} of {count} differ:\n{}", failures.len(), failures.join("\n"));
}

const H: f64 = 1e-6;

fn tolerance(g: f64) -> f64 {
    1e-6 + 1e-5 * g.abs()
}

/// The functions checked, of a 6-element f64 leaf `X` viewed as 2 x 3 (`W` a
/// constant 2 x 3 weight, `T` i64 class targets, `Q` class probabilities).
/// Weighting by `X` itself makes the incoming gradient of the softmax depend on
/// `X`, so that the second derivative goes through both operands of
/// `softmax_backward`.
const FUNCTIONS: &[&str] = &[
    "(softmax(X.reshape(2, 3), 1) * W).sum()",
    "(softmax(X.reshape(2, 3), 0) * X.reshape(2, 3) * W).sum()",
    "(softmax(X.reshape(2, 3), 1) * X.reshape(2, 3).exp()).sum()",
    "(log_softmax(X.reshape(2, 3), 1) * W).sum()",
    "(log_softmax(X.reshape(2, 3), 0) * X.reshape(2, 3) * W).sum()",
    "(log_softmax(X.reshape(2, 3), -1) * X.reshape(2, 3).exp()).sum()",
    "cross_entropy(X.reshape(2, 3) * 1.5, T)",
    "cross_entropy(X.reshape(2, 3), T, reduction=\"sum\") * X.sum()",
    "nll_loss(log_softmax(X.reshape(2, 3), 1), T)",
    "cross_entropy(X.reshape(2, 3), Q)",
];

/// For each function f: the gradient of f, and the gradient of `sum(grad(f) * V)`
/// (the second derivative applied to a fixed `V`), against central differences of
/// f and of `sum(grad(f) * V)`, one element of x at a time.
#[test]
fn first_and_second_derivatives_match_differences() {
    let xs = [-1.3, 0.4, 2.1, 0.7, -0.2, 1.1];
    let vs = [0.9, -1.4, 0.6, 1.2, -0.7, 1.5];
    let list = |x: &[f64]| format!("[{}]", x.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", "));
    for f in FUNCTIONS {
        let mut src = String::from(
            "W = tensor([[0.5, -1.2, 0.8], [1.4, 0.6, -0.9]], dtype=f64)\nT = tensor([2, 0])\n\
             Q = tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], dtype=f64)\n",
        );
        src += &format!("V = tensor({}, dtype=f64)\n", list(&vs));
        src += &format!("x = tensor({}, dtype=f64, requires_grad=true)\n", list(&xs));
        src += &format!("g = grad({}, x, create_graph=true)[0]\nprint(g)\nprint(grad((g * V).sum(), x)[0])\n", f.replace('X', "x"));
        for j in 0..xs.len() {
            for sign in [1.0, -1.0] {
                let mut s = xs;
                s[j] += sign * H;
                src += &format!("s = tensor({}, dtype=f64, requires_grad=true)\n", list(&s));
                src += &format!("print({})\nprint((grad({}, s)[0] * V).sum())\n", f.replace('X', "s"), f.replace('X', "s"));
            }
        }
        let c = compile(&src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
        let t = run_capture(&c.plan).expect("runs").1;
        let v = |i: usize| t[i].as_f64().expect("f64").to_vec();
        let (first, second) = (v(0), v(1));
        for j in 0..xs.len() {
            let step = (xs[j] + H) - (xs[j] - H);
            let at = |k: usize| v(2 + 4 * j + k)[0];
            let fd1 = (at(0) - at(2)) / step;
            let fd2 = (at(1) - at(3)) / step;
            assert!((first[j] - fd1).abs() <= tolerance(first[j]), "{f}: first derivative {j} is {} by the rules, {fd1} by differences", first[j]);
            assert!(
                (second[j] - fd2).abs() <= tolerance(second[j]),
                "{f}: second derivative {j} is {} by the rules, {fd2} by differences",
                second[j]
            );
        }
    }
}

/// The gradients print PyTorch's text, `grad_fn` included (the expected text is
/// PyTorch 2.15's output for the same program): with `create_graph` a softmax
/// gradient is a `softmax_backward` node, as PyTorch's is `_softmax_backward_data`.
#[test]
fn the_gradient_of_a_softmax_prints_pytorchs_grad_fn() {
    let src = "x = tensor([[1.0, 2.0, 0.5]], dtype=f64, requires_grad=true)\n\
               w = tensor([[0.5, -1.0, 2.0]], dtype=f64)\n\
               print(grad((softmax(x, 1) * w).sum(), x, create_graph=true)[0])\n\
               print(grad((log_softmax(x, 1) * w).sum(), x, create_graph=true)[0])\n\
               print(grad(cross_entropy(x, tensor([2])), x, create_graph=true)[0])\n";
    let c = compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}"));
    let out = run_capture(&c.plan).expect("runs").0;
    let expected = "tensor([[ 0.1694, -0.4824,  0.3131]], dtype=torch.float64,
       grad_fn=<SoftmaxBackwardDataBackward0>)
tensor([[ 0.1532, -1.9428,  1.7896]], dtype=torch.float64,
       grad_fn=<LogSoftmaxBackwardDataBackward0>)
tensor([[ 0.2312,  0.6285, -0.8598]], dtype=torch.float64,
       grad_fn=<LogSoftmaxBackwardDataBackward0>)
";
    assert_eq!(out, expected);
}
