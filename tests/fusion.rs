//! Fusion and the fused executor, end to end: fusing must never change a value,
//! results must not depend on the thread count, and a steady-state run must not
//! allocate tensor memory.

use std::path::{Path, PathBuf};

use graphc_compiler::driver::{compile_opts, Compiled, Exports, Options};
use graphc_compiler::fuse::{Fusion, Numerics};
use graphc_compiler::schedule::schedule;
use graphc_runtime::exec::Machine;
use graphc_runtime::plan::{Plan, Step};
use graphc_runtime::rng::Generator;
use graphc_runtime::Tensor;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn compile_file(path: &Path, exports: Exports, numerics: Numerics) -> Compiled {
    let source = std::fs::read_to_string(path).unwrap();
    compile_opts(&source, &Options { keep_stages: false, exports, numerics, source_dir: path.parent() })
        .unwrap_or_else(|d| panic!("{} does not compile: {d:?}", path.display()))
}

/// Every good program of the repository (examples and tests/programs outside errors/).
fn good_programs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["examples", "tests/programs/good"] {
        for e in std::fs::read_dir(Path::new(REPO).join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "act") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// Runs `plan` with randn inputs (seed 7), without figures (they would be written
/// to the working directory), and returns what it printed and every exported tensor.
fn run(plan: &Plan) -> (String, Vec<(String, Tensor)>) {
    let mut plan = plan.clone();
    plan.steps.retain(|s| !matches!(s, Step::Figure(_)));
    let mut m = Machine::new(&plan).unwrap();
    let mut g = Generator::new();
    g.manual_seed(7);
    for (k, i) in plan.inputs.clone().iter().enumerate() {
        m.bind_input(&plan, k, g.randn(i.dtype, &i.shape));
    }
    let mut out = Vec::new();
    m.run(&plan, &mut out).unwrap();
    let exports = plan.exports.iter().map(|(n, v)| (n.clone(), m.value(*v).unwrap().clone())).collect();
    (String::from_utf8(out).unwrap(), exports)
}

/// The same program scheduled one op per step, as before fusion.
fn unfused(c: &Compiled) -> Plan {
    schedule(&c.optimized, &Fusion::default())
}

/// Tensors compared bit for bit (so NaNs with equal payloads and signed zeros count).
fn same_bits(a: &Tensor, b: &Tensor) -> bool {
    a.shape() == b.shape() && a.dtype() == b.dtype() && a.to_f64_vec().iter().zip(b.to_f64_vec()).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn exact_fusion_changes_no_bit_of_any_program() {
    let mut fused_steps = 0;
    for path in good_programs() {
        let c = compile_file(&path, Exports::All, Numerics::Exact);
        fused_steps += c.plan.steps.iter().filter(|s| matches!(s, Step::Fused(_))).count();
        let (fused_out, fused) = run(&c.plan);
        let (plain_out, plain) = run(&unfused(&c));
        assert_eq!(fused_out, plain_out, "{}: printed output differs", path.display());
        assert_eq!(fused.len(), plain.len());
        for ((name, a), (_, b)) in fused.iter().zip(&plain) {
            assert!(same_bits(a, b), "{}: `{name}` differs between the fused and the one-op plans", path.display());
        }
    }
    assert!(fused_steps >= 10, "the programs exercise fusion ({fused_steps} kernels)");
}

#[test]
fn printed_values_keep_pytorch_bits_by_default() {
    // With fast math allowed for values nobody prints, everything printed still
    // equals the one-op, libm plan exactly.
    for path in good_programs() {
        let c = compile_file(&path, Exports::Names(&[]), Numerics::PrintedExact);
        assert_eq!(run(&c.plan).0, run(&unfused(&c)).0, "{}: printed output differs", path.display());
    }
}

#[test]
fn the_tanh_benchmark_is_one_kernel_that_stores_only_out_and_the_gradient() {
    let c = compile_file(&Path::new(REPO).join("examples/bench_tanh_small.act"), Exports::All, Numerics::PrintedExact);
    let kernels: Vec<_> = c.plan.steps.iter().filter_map(|s| if let Step::Fused(k) = s { Some(k) } else { None }).collect();
    assert_eq!(kernels.len(), 1, "forward and backward fuse into one kernel");
    let k = kernels[0];
    assert_eq!(k.inputs.len(), 1, "reads x once");
    assert_eq!(k.outputs.len(), 2, "writes out and x.grad, nothing else");
    let names: Vec<&str> = c.plan.exports.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["out", "x", "x.grad"]);
    // exp(-u) is computed from exp(u): one exponential per element.
    assert_eq!(k.instrs.iter().filter(|i| i.op == graphc_runtime::Op::Unary(graphc_runtime::op::Unary::Exp)).count(), 1);
    assert!(k.regs <= 6, "registers are reused: {} for {} instructions", k.regs, k.instrs.len());
}

/// The benchmark program with 20,011 elements: big enough to span many chunks,
/// with an element count that is not a multiple of the chunk size.
fn many_chunks() -> String {
    std::fs::read_to_string(Path::new(REPO).join("examples/bench_tanh.act")).unwrap().replace("f32[10000000]", "f32[20011]")
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let c = compile_opts(&many_chunks(), &Options { keep_stages: false, exports: Exports::All, numerics: Numerics::PrintedExact, source_dir: None })
        .unwrap();
    let with = |threads: usize| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| run(&c.plan).1);
    let one = with(1);
    for threads in [2, 3, 8] {
        let many = with(threads);
        for ((name, a), (_, b)) in one.iter().zip(&many) {
            assert!(same_bits(a, b), "`{name}` differs between 1 and {threads} threads");
        }
    }
}

#[test]
fn a_steady_state_run_allocates_no_tensor_memory() {
    let c = compile_opts(&many_chunks(), &Options { keep_stages: false, exports: Exports::All, numerics: Numerics::PrintedExact, source_dir: None })
        .unwrap();
    let mut m = Machine::new(&c.plan).unwrap();
    let mut g = Generator::new();
    g.manual_seed(0);
    m.bind_input(&c.plan, 0, g.randn(graphc_runtime::DType::F32, &[20011]));
    m.run(&c.plan, &mut std::io::sink()).unwrap();
    let first = m.allocations();
    assert!(first >= 2, "the first run allocates out and x.grad");
    let peak = m.peak_bytes();
    for _ in 0..3 {
        m.reset_run();
        m.run(&c.plan, &mut std::io::sink()).unwrap();
    }
    assert_eq!(m.allocations(), first, "later runs reuse the pooled buffers");
    assert_eq!(m.peak_bytes(), peak, "and hold no more memory");
    // x, out and x.grad, plus at most a few hundred KiB of scratch per thread.
    assert!((3 * 20011 * 4..3 * 20011 * 4 + (1 << 20)).contains(&peak), "peak {peak}");
}

/// The distance in ulps between two finite f32 of the same sign.
fn ulps(a: f32, b: f32) -> u32 {
    assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{a:e} vs {b:e}");
    (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
}

#[test]
fn fast_math_stays_within_its_ulp_bounds_of_the_exact_plan() {
    // exp(x) by the vector library, within 2 ulp of libm's (which is within 1 ulp of
    // the exact value); exp(-x) as 1/exp(x), which adds at most 1 ulp.
    // The input's declared range lets the range analysis prove exp(x * 10) normal,
    // which the reduction requires.
    let src = "input x: f32[20011] in [-8, 8]\ny = exp(x * 10)\nz = exp(-(x * 10))\n";
    let plan = |numerics| compile_opts(src, &Options { keep_stages: false, exports: Exports::All, numerics, source_dir: None }).unwrap().plan;
    assert_eq!(exps(&plan(Numerics::PrintedExact)), 1, "exp(-a) is computed as 1/exp(a)");
    let (fast, exact) = (run(&plan(Numerics::PrintedExact)).1, run(&plan(Numerics::Exact)).1);
    let get = |v: &[(String, Tensor)], name: &str| v.iter().find(|(n, _)| n == name).unwrap().1.as_f32().unwrap().to_vec();
    for (name, bound) in [("y", 2), ("z", 3)] {
        let worst = get(&fast, name).iter().zip(get(&exact, name)).map(|(a, b)| ulps(*a, b)).max().unwrap();
        assert!(worst <= bound, "`{name}`: fast is {worst} ulp from exact (bound {bound})");
    }
}

/// The number of `exp` instructions in a plan's fused kernels.
fn exps(plan: &Plan) -> usize {
    plan.steps
        .iter()
        .filter_map(|s| {
            if let Step::Fused(k) = s {
                Some(k.instrs.iter().filter(|i| i.op == graphc_runtime::Op::Unary(graphc_runtime::op::Unary::Exp)).count())
            } else {
                None
            }
        })
        .sum()
}

#[test]
fn the_reciprocal_needs_exp_proven_normal() {
    // With x unbounded, exp(x) can be subnormal, where 1/exp(x) is up to 4 ulp off
    // exp(-x): both exponentials are computed.
    let src = "input x: f32[100]\ny = exp(x)\nz = exp(-x)\n";
    let c = compile_opts(src, &Options { keep_stages: false, exports: Exports::All, numerics: Numerics::PrintedExact, source_dir: None }).unwrap();
    assert_eq!(exps(&c.plan), 2);
    // A square is never negative, so the benchmark's exp((x+1)**2) qualifies.
    let c = compile_opts(&many_chunks(), &Options { keep_stages: false, exports: Exports::All, numerics: Numerics::PrintedExact, source_dir: None })
        .unwrap();
    assert_eq!(exps(&c.plan), 1);
    // And --exact never uses it.
    let c =
        compile_opts(&many_chunks(), &Options { keep_stages: false, exports: Exports::All, numerics: Numerics::Exact, source_dir: None }).unwrap();
    assert_eq!(exps(&c.plan), 2);
}

#[test]
fn the_fast_tanh_benchmark_agrees_with_the_exact_one() {
    // exp(-u) as 1/exp(u) is within 1 ulp, but r = (e - e_) / (e + e_) cancels for
    // small u, and 1 - r*r cancels for r near 1, so a 1-ulp change in e_ moves r by
    // a few ulp (of r's size, at most 1) and x.grad = (1 - r*r) * 2(x+1) by a few
    // times 2|x+1| * 2 * 6e-8 in absolute terms. The bounds below are those.
    let fast =
        compile_opts(&many_chunks(), &Options { keep_stages: false, exports: Exports::All, numerics: Numerics::PrintedExact, source_dir: None })
            .unwrap();
    let exact =
        compile_opts(&many_chunks(), &Options { keep_stages: false, exports: Exports::All, numerics: Numerics::Exact, source_dir: None }).unwrap();
    let (a, b) = (run(&fast.plan).1, run(&exact.plan).1);
    for (name, tolerance) in [("out", 5e-7), ("x.grad", 1e-5)] {
        let get = |v: &[(String, Tensor)]| v.iter().find(|(n, _)| n == name).unwrap().1.as_f32().unwrap().to_vec();
        let (fa, ea) = (get(&a), get(&b));
        assert!(fa.iter().zip(&ea).any(|(x, y)| x != y), "`{name}`: the fast plan computes something else than the exact one");
        for (x, y) in fa.iter().zip(&ea) {
            assert!((x - y).abs() <= tolerance || (x.is_nan() && y.is_nan()), "`{name}`: {x:e} vs {y:e}");
        }
    }
}
