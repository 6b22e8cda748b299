//! A loop with an exit output (a `break` flag) stops after the first iteration
//! whose flag is true, with that iteration's values as its outputs. The body
//! here counts and prints without any guard, so every iteration past the exit
//! would print and count: the output shows how many ran.

use graphc_runtime::exec::run_capture;
use graphc_runtime::op::{Binary, Cmp, Scalar};
use graphc_runtime::plan::{InputInfo, LoopStep, Plan, PrintItem, Step, ValueId, ValueInfo};
use graphc_runtime::{DType, Op};

fn scalar(dtype: DType) -> ValueInfo {
    ValueInfo { dtype, shape: vec![] }
}

/// `n = 0; for i in range(1000) { n = n + 1; print(n); stop = n >= limit }`,
/// the loop stopping on `stop` when `exit` is set; then `print(n)`.
fn counting_plan(limit: i64, exit: bool) -> Plan {
    let (index, n, one, n1, lim, stop) = (ValueId(0), ValueId(1), ValueId(2), ValueId(3), ValueId(4), ValueId(5));
    let input = |name: &str, v: ValueId| InputInfo { name: name.to_string(), dtype: DType::I64, shape: vec![], value: Some(v) };
    let body = Plan {
        values: vec![scalar(DType::I64), scalar(DType::I64), scalar(DType::I64), scalar(DType::I64), scalar(DType::I64), scalar(DType::Bool)],
        steps: vec![
            Step::Compute { out: index, op: Op::Input(0), args: vec![] },
            Step::Compute { out: n, op: Op::Input(1), args: vec![] },
            Step::Compute { out: one, op: Op::Full(Scalar::Int(1)), args: vec![] },
            Step::Compute { out: n1, op: Op::Binary(Binary::Add), args: vec![n, one] },
            Step::Print(vec![PrintItem::Scalar { value: n1, spec: String::new() }]),
            Step::Compute { out: lim, op: Op::Full(Scalar::Int(limit)), args: vec![] },
            Step::Compute { out: stop, op: Op::Compare(Cmp::Ge), args: vec![n1, lim] },
        ],
        inputs: vec![input("i", index), input("n", n)],
        exports: vec![("out0".to_string(), n1), ("out1".to_string(), stop)],
        sources: Default::default(),
    };
    let (zero, n_after, stop_after) = (ValueId(0), ValueId(1), ValueId(2));
    let looped = LoopStep {
        body,
        trip: 1000,
        start: 0,
        step: 1,
        inputs: vec![zero],
        body_outputs: vec![n1, stop],
        carried: vec![(0, 1)],
        exit: exit.then_some(1),
        outputs: vec![n_after, stop_after],
    };
    Plan {
        values: vec![scalar(DType::I64), scalar(DType::I64), scalar(DType::Bool)],
        steps: vec![
            Step::Compute { out: zero, op: Op::Full(Scalar::Int(0)), args: vec![] },
            Step::Loop(Box::new(looped)),
            Step::Print(vec![PrintItem::Text("after".to_string()), PrintItem::Scalar { value: n_after, spec: String::new() }]),
        ],
        inputs: vec![],
        exports: vec![],
        sources: Default::default(),
    }
}

#[test]
fn a_loop_stops_after_the_iteration_whose_exit_flag_is_true() {
    let (out, _) = run_capture(&counting_plan(3, true)).expect("the plan runs");
    assert_eq!(out, "1\n2\n3\nafter 3\n");
}

#[test]
fn without_an_exit_every_iteration_runs() {
    let (out, _) = run_capture(&counting_plan(3, false)).expect("the plan runs");
    assert_eq!(out.lines().count(), 1001, "1000 iterations print, then `after`");
    assert!(out.ends_with("1000\nafter 1000\n"));
}

#[test]
fn an_exit_flag_that_stays_false_runs_every_iteration() {
    let (out, _) = run_capture(&counting_plan(5000, true)).expect("the plan runs");
    assert!(out.ends_with("999\n1000\nafter 1000\n"));
}

#[test]
fn an_exit_output_that_is_not_a_bool_is_refused_by_verification() {
    let mut plan = counting_plan(3, true);
    let Step::Loop(l) = &mut plan.steps[1] else { unreachable!("step 1 is the loop") };
    l.exit = Some(0);
    let e = run_capture(&plan).expect_err("an i64 exit output is refused");
    assert!(e.message.contains("exit output 0"), "{}", e.message);
}
