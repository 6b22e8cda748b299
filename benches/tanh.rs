//! Criterion benches: the tutorial's custom tanh, forward and backward, on the
//! inputs of `examples/bench_tanh.act` (10,000,000 elements) and
//! `examples/bench_tanh_small.act` (5), run as `graphc bench` runs them; and the
//! compile time of a generated 20,000-line chain (about 100,000 forward nodes),
//! as `graphc check` compiles it. Run with `cargo bench`; `cargo test` does not
//! build them.

use criterion::{criterion_group, criterion_main, Criterion};

use graphc_compiler::driver::{compile_with, Exports};
use graphc_runtime::exec::Machine;
use graphc_runtime::rng::Generator;

/// Compiles an example as `graphc bench` does and returns a closure-ready setup.
fn bench_example(c: &mut Criterion, name: &str, file: &str, samples: usize) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/").to_string() + file;
    let source = std::fs::read_to_string(&path).unwrap();
    let compiled = compile_with(&source, false, Exports::All).unwrap_or_else(|_| panic!("{file} does not compile"));
    let plan = &compiled.plan;
    let mut generator = Generator::new();
    generator.manual_seed(0);
    let inputs: Vec<_> = plan.inputs.iter().map(|i| generator.randn(i.dtype, &i.shape)).collect();
    // Inputs stay bound across runs, and each run reuses the buffers of the one
    // before, exactly as in `graphc bench`.
    let mut machine = Machine::new(plan).expect("the compiler's plans verify");
    for (k, t) in inputs.into_iter().enumerate() {
        machine.bind_input(plan, k, t);
    }
    let mut group = c.benchmark_group(name);
    group.sample_size(samples);
    group.bench_function("forward+backward", |b| {
        b.iter(|| {
            machine.reset_values();
            machine.run(plan, &mut std::io::sink()).unwrap();
        })
    });
    group.finish();
}

fn tanh_large(c: &mut Criterion) {
    bench_example(c, "bench_tanh", "bench_tanh.act", 10);
}

fn tanh_small(c: &mut Criterion) {
    bench_example(c, "bench_tanh_small", "bench_tanh_small.act", 100);
}

/// The compile-time program: `h{i} = tanh(h{i-1} * 1.0001 + 0.001)`, then a backward.
fn chain_source(lines: usize) -> String {
    let mut s = String::from("h0 = randn(4, requires_grad=true)\n");
    for i in 1..=lines {
        s += &format!("h{i} = tanh(h{} * 1.0001 + 0.001)\n", i - 1);
    }
    s += &format!("h{lines}.sum().backward()\n");
    s
}

fn compile_chain(c: &mut Criterion) {
    let source = chain_source(20_000);
    let mut group = c.benchmark_group("compile_chain_20000_lines");
    group.sample_size(10);
    group.bench_function("check", |b| b.iter(|| compile_with(&source, false, Exports::Names(&[])).map(|c| c.plan.steps.len()).unwrap_or(0)));
    group.finish();
}

criterion_group!(benches, tanh_large, tanh_small, compile_chain);
criterion_main!(benches);
