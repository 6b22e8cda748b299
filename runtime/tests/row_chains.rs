//! Chains of row-wise kernels (`exec/rows.rs`): the machine runs them split by
//! rows once for all their kernels, and every value has the bits of the kernels
//! run one at a time.

use graphc_runtime::exec::{bias_epilogues, row_chains, strided_transposes, Machine, Role};
use graphc_runtime::kernels::eval;
use graphc_runtime::op::{Binary, Op};
use graphc_runtime::plan::{Plan, Step, ValueId, ValueInfo};
use graphc_runtime::{DType, Tensor};

fn v(i: u32) -> ValueId {
    ValueId(i)
}

fn compute(out: u32, op: Op, args: &[u32]) -> Step {
    Step::Compute { out: v(out), op, args: args.iter().map(|&a| v(a)).collect() }
}

/// A layer and a softmax cross-entropy's backward over `rows` rows of `dtype`:
/// 0 x [rows, 8], 1 w [8, 10], 2 b [10], 3 g [rows, 10] drawn first; then
/// 4 = x @ w, computed at its bias addition, which starts the chain: 5 = 4 + b,
/// 6 = log_softmax(5), 5 freed (its buffer is free for 7), 7 = the gradient of
/// g, 8 = w.T, 9 = 7 @ 8; then `tail`.
fn layer(rows: usize, dtype: DType, tail: Vec<Step>) -> Plan {
    let info = |shape: &[usize]| ValueInfo { dtype, shape: shape.to_vec() };
    let mut values = vec![info(&[rows, 8]), info(&[8, 10]), info(&[10]), info(&[rows, 10])];
    values.extend([info(&[rows, 10]), info(&[rows, 10]), info(&[rows, 10]), info(&[rows, 10]), info(&[10, 8]), info(&[rows, 8])]);
    values.push(info(&[8, 10]));
    let mut steps = vec![
        Step::Seed(7),
        compute(0, Op::Randn, &[]),
        compute(1, Op::Randn, &[]),
        compute(2, Op::Randn, &[]),
        compute(3, Op::Randn, &[]),
        compute(4, Op::MatMul, &[0, 1]),
        compute(5, Op::Binary(Binary::Add), &[4, 2]),
        Step::Free(v(4)),
        compute(6, Op::Softmax { dim: 1, log: true }, &[5]),
        Step::Free(v(5)),
        compute(7, Op::SoftmaxBackward { dim: 1, log: true }, &[3, 6]),
        compute(8, Op::Transpose, &[1]),
        compute(9, Op::MatMul, &[7, 8]),
    ];
    steps.extend(tail);
    Plan { values, steps, ..Plan::default() }
}

fn bits(t: &Tensor) -> Vec<u64> {
    t.to_f64_vec().iter().map(|x| x.to_bits()).collect()
}

#[test]
fn a_chain_computes_the_bits_of_its_kernels_one_at_a_time() {
    for dtype in [DType::F32, DType::F64] {
        for rows in [1000, 1500, 1037] {
            let plan = layer(rows, dtype, vec![]);
            let strided = strided_transposes(&plan);
            let epilogues = bias_epilogues(&plan, &strided);
            let chains = row_chains(&plan, &strided, &epilogues);
            // Step 5, the product, is computed at step 6, its bias addition.
            assert!(chains.starting_at(5).is_none(), "a chain starts at a kernel that runs as one");
            let chain = chains.starting_at(6).expect("the layer's kernels form a chain from the product");
            let kernels = chain.roles.iter().filter(|&&r| r == Role::Kernel).count();
            assert_eq!((chain.end, chain.rows, kernels), (13, rows, 4), "{dtype:?} {rows}");
            for threads in [1, 2, 3, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let mut m = Machine::new(&plan).unwrap();
                pool.install(|| m.run(&plan, &mut std::io::sink())).unwrap();
                // Four draws and four results, the gradient in the logits' buffer.
                assert_eq!(m.allocations(), 7, "{rows} {dtype:?} rows on {threads} threads");
                assert!(m.value(v(5)).is_none(), "the logits were freed");
                let get = |i: u32| m.value(v(i)).unwrap().clone();
                // The same ops, one kernel at a time, on one thread.
                let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
                let (x, w, b, g) = (get(0), get(1), get(2), get(3));
                let run = |op: Op, args: &[&Tensor], shape: &[usize]| one.install(|| eval(&op, args, dtype, shape));
                let product = run(Op::MatMul, &[&x, &w], &[rows, 10]);
                let logits = run(Op::Binary(Binary::Add), &[&product, &b], &[rows, 10]);
                let lsm = run(Op::Softmax { dim: 1, log: true }, &[&logits], &[rows, 10]);
                let grad = run(Op::SoftmaxBackward { dim: 1, log: true }, &[&g, &lsm], &[rows, 10]);
                let wt = run(Op::Transpose, &[&w], &[10, 8]);
                let back = run(Op::MatMul, &[&grad, &wt], &[rows, 8]);
                for (i, want) in [(6, &lsm), (7, &grad), (9, &back)] {
                    assert_eq!(bits(&get(i)), bits(want), "value {i} of {rows} {dtype:?} rows on {threads} threads");
                }
            }
        }
    }
}

#[test]
fn a_kernel_that_reads_a_chain_result_whole_ends_the_chain() {
    // 11 = 10 @ 6, with 10 of [1000, 1000] drawn first: every row of 11 reads
    // all of 6's rows, which the other thread computes. It runs on its own
    // after the chain, which holds the four kernels before it.
    let mut plan = layer(1000, DType::F32, vec![compute(11, Op::MatMul, &[10, 6])]);
    plan.values.push(ValueInfo { dtype: DType::F32, shape: vec![1000, 10] });
    plan.values[10] = ValueInfo { dtype: DType::F32, shape: vec![1000, 1000] };
    plan.steps.insert(1, compute(10, Op::Randn, &[]));
    let strided = strided_transposes(&plan);
    let epilogues = bias_epilogues(&plan, &strided);
    let chains = row_chains(&plan, &strided, &epilogues);
    assert_eq!(chains.starting_at(7).map(|c| c.end), Some(14));
    assert!((8..plan.steps.len()).all(|i| chains.starting_at(i).is_none()));
    let mut m = Machine::new(&plan).unwrap();
    m.run(&plan, &mut std::io::sink()).unwrap();
    let want = eval(&Op::MatMul, &[m.value(v(10)).unwrap(), m.value(v(6)).unwrap()], DType::F32, &[1000, 10]);
    assert_eq!(bits(m.value(v(11)).unwrap()), bits(&want));
}

#[test]
fn a_step_that_is_not_a_row_kernel_ends_the_chain_and_small_chains_stay_apart() {
    // A print between the softmax and its gradient: two chains of two kernels
    // (2,000 rows, so that each has the elements a chain needs to split).
    let mut plan = layer(2000, DType::F32, vec![]);
    plan.steps.insert(9, Step::Print(vec![]));
    let strided = strided_transposes(&plan);
    let epilogues = bias_epilogues(&plan, &strided);
    let chains = row_chains(&plan, &strided, &epilogues);
    assert_eq!(chains.starting_at(6).map(|c| c.end), Some(9));
    assert_eq!(chains.starting_at(11).map(|c| c.end), Some(14));
    // 40 rows: too few elements to be worth splitting once, let alone per kernel.
    let plan = layer(40, DType::F32, vec![]);
    let chains = row_chains(&plan, &strided_transposes(&plan), &bias_epilogues(&plan, &strided_transposes(&plan)));
    assert!((0..plan.steps.len()).all(|i| chains.starting_at(i).is_none()));
}
