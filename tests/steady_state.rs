//! The training step of `bench/digits_step.act` run again on one machine: every
//! run after the first allocates no tensor buffer (each value takes a pooled
//! buffer of a value that died), and the buffers' old contents change nothing.

use graphc_compiler::driver::{compile_opts, Exports, Options};
use graphc_compiler::fuse::Numerics;
use graphc_runtime::exec::Machine;
use graphc_runtime::plan::Plan;
use graphc_runtime::rng::Generator;
use graphc_runtime::{DType, Tensor};

use crate::common::digits_training;

fn digits_step() -> Plan {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/digits_step.act");
    let source = std::fs::read_to_string(path).unwrap();
    let options = Options { keep_stages: false, exports: Exports::All, numerics: Numerics::default(), source_dir: None };
    compile_opts(&source, &options).unwrap_or_else(|d| panic!("{path} does not compile: {d:?}")).plan
}

/// A machine with randn floats (seed 11) and classes `i * 7 % 10` bound.
fn bound_machine(plan: &Plan) -> Machine {
    let mut m = Machine::new(plan).unwrap();
    let mut g = Generator::new();
    g.manual_seed(11);
    for (k, i) in plan.inputs.iter().enumerate() {
        let t = match i.dtype {
            DType::I64 => Tensor::from_i64(i.shape.clone(), (0..i.shape[0]).map(|j| (j * 7 % 10) as i64).collect()),
            dtype => g.randn(dtype, &i.shape),
        };
        m.bind_input(plan, k, t);
    }
    m
}

fn exported(plan: &Plan, m: &Machine) -> Vec<(String, Vec<u64>)> {
    let bits = |t: &Tensor| t.to_f64_vec().iter().map(|v| v.to_bits()).collect();
    plan.exports.iter().map(|(n, v)| (n.clone(), bits(m.value(*v).unwrap()))).collect()
}

#[test]
fn a_second_run_of_the_training_step_allocates_nothing_and_computes_the_same() {
    let plan = digits_step();
    let mut m = bound_machine(&plan);
    m.run(&plan, &mut std::io::sink()).unwrap();
    let first = m.allocations();
    assert!(first > 0, "the first run allocates its values' buffers");
    let values = exported(&plan, &m);
    assert!(values.iter().any(|(n, _)| n == "w1_next") && values.iter().any(|(n, _)| n == "loss"), "the step's results are exported");
    let mut peak = None;
    for run in 2..5 {
        m.reset_run();
        m.run(&plan, &mut std::io::sink()).unwrap();
        assert_eq!(m.allocations(), first, "run {run} allocated a tensor buffer");
        assert_eq!(exported(&plan, &m), values, "run {run} computed other values from reused buffers");
        // The second run holds every pooled buffer from its start, so its peak may
        // pass the first run's; after that the memory held stays the same.
        assert_eq!(*peak.get_or_insert(m.peak_bytes()), m.peak_bytes(), "run {run} held more memory than run 2");
    }
}

#[test]
fn a_training_loop_allocates_tensor_memory_only_in_its_first_iterations() {
    // The body is peeled once (`.grad` is `None` before the first backward), so
    // the loop proper starts at the second step; its first iteration fills the
    // body's pool and every later one draws its tensors from it. What later
    // iterations still allocate are the 0-d host values of
    // `step % 50 == 0 or step == 299` and its constants (8 bytes each).
    let run = |steps| {
        let plan = digits_training(steps);
        let mut m = Machine::new(&plan).unwrap();
        m.run(&plan, &mut std::io::sink()).unwrap();
        (m.allocated_bytes(), m.peak_bytes())
    };
    let (short, short_peak) = run(3);
    let (long, long_peak) = run(12);
    let per_step = (long - short) / 9;
    assert!(per_step <= 64, "each later iteration allocated {per_step} bytes, more than its host values");
    assert_eq!(long_peak, short_peak, "nine more iterations held more memory");
}

/// Every transpose in the digits loop's body (`x.T @ g`, `g @ w2.T`, `h.T @ g`)
/// is read through strides, never copied, including `h.T`, whose operand `h`
/// the plan frees right after the transpose (the machine frees it with `h.T`).
#[test]
fn the_training_loop_copies_no_transpose() {
    use graphc_runtime::plan::Step;
    let plan = digits_training(3);
    let body = plan.steps.iter().find_map(|s| if let Step::Loop(l) = s { Some(&l.body) } else { None }).expect("the training runs as a loop");
    let transposes: Vec<_> = body
        .steps
        .iter()
        .filter_map(|s| if let Step::Compute { out, op: graphc_runtime::Op::Transpose, .. } = s { Some(*out) } else { None })
        .collect();
    assert_eq!(transposes.len(), 3, "the backward of two products transposes three operands");
    let strided = graphc_runtime::exec::strided_transposes(body);
    for t in transposes {
        assert!(strided.contains(t), "transpose {t:?} of the loop body is copied");
    }
}

/// The digits body's forward and backward over the batch, seven kernels from
/// `x @ w1 + b1` through the tanh, the second layer, `log_softmax` and its
/// gradient, `g @ w2.T`, to the tanh's gradient, run as one chain that the
/// threads split by rows once (`exec/rows.rs`), not once a kernel.
#[test]
fn the_training_steps_row_kernels_run_as_one_chain() {
    use graphc_runtime::exec::{bias_epilogues, row_chains, strided_transposes, Role};
    use graphc_runtime::plan::Step;
    let plan = digits_training(3);
    let body =
        plan.steps.iter().filter_map(|s| if let Step::Loop(l) = s { Some(&l.body) } else { None }).next_back().expect("the training runs as a loop");
    let strided = strided_transposes(body);
    let epilogues = bias_epilogues(body, &strided);
    let chains = row_chains(body, &strided, &epilogues);
    let found: Vec<_> = (0..body.steps.len()).filter_map(|i| chains.starting_at(i).cloned()).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let kernels = found[0].roles.iter().filter(|&&r| r == Role::Kernel).count();
    assert_eq!((found[0].rows, kernels), (1500, 7));
}
