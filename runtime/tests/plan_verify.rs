//! `Plan::verify` against malformed plans built by hand: each test breaks one
//! invariant of a plan that verifies, and checks that verification names that
//! invariant, in words. The fused executor and the machine must refuse such
//! plans too, by an error or a panic, never by undefined behaviour.

use graphc_runtime::exec::{self, Machine};
use graphc_runtime::fused;
use graphc_runtime::op::{Binary, Op, Scalar, Unary};
use graphc_runtime::plan::{
    check_instrs, Dst, FusedKernel, Instr, Plan, PlanError, PlanErrorKind, PrintItem, Src, Step, Table, TensorSuffix, ValueId, ValueInfo,
};
use graphc_runtime::{DType, Tensor};

fn info(dtype: DType, shape: &[usize]) -> ValueInfo {
    ValueInfo { dtype, shape: shape.to_vec() }
}

fn full(out: u32, v: f64) -> Step {
    Step::Compute { out: ValueId(out), op: Op::Full(Scalar::float(v)), args: vec![] }
}

fn instr(op: Op, args: Vec<Src>, dst: Dst) -> Instr {
    Instr { op, args, dst, fast: false }
}

/// `%2 = exp(%0) * %1` in one kernel through register r0, with `%1` a scalar;
/// `%0` is a [4] vector, and `%2` is printed, then everything is freed.
fn kernel() -> FusedKernel {
    FusedKernel {
        dtype: DType::F32,
        len: 4,
        inputs: vec![ValueId(0)],
        scalars: vec![ValueId(1)],
        outputs: vec![ValueId(2)],
        instrs: vec![
            instr(Op::Unary(Unary::Exp), vec![Src::In(0)], Dst::Reg(0)),
            instr(Op::Binary(Binary::Mul), vec![Src::Reg(0), Src::Scalar(0)], Dst::Out(0)),
        ],
        regs: 1,
    }
}

fn plan_with(k: FusedKernel) -> Plan {
    Plan {
        values: vec![info(DType::F32, &[4]), info(DType::F32, &[]), info(DType::F32, &[4])],
        steps: vec![
            full(0, 0.5),
            full(1, 2.0),
            Step::Fused(Box::new(k)),
            Step::Print(vec![PrintItem::Tensor { value: ValueId(2), suffix: TensorSuffix::default() }]),
            Step::Free(ValueId(0)),
            Step::Free(ValueId(1)),
            Step::Free(ValueId(2)),
        ],
        inputs: vec![],
        exports: vec![],
        sources: Default::default(),
    }
}

fn good() -> Plan {
    plan_with(kernel())
}

/// Verifies `plan`, which must fail; returns the error.
fn rejected(plan: &Plan) -> PlanError {
    match plan.verify() {
        Ok(()) => panic!("the malformed plan verified"),
        Err(e) => e,
    }
}

#[test]
fn the_plan_the_tests_break_verifies_and_runs() {
    assert_eq!(good().verify(), Ok(()));
    let (printed, _) = exec::run_capture(&good()).unwrap();
    assert_eq!(printed, "tensor([3.2974, 3.2974, 3.2974, 3.2974])\n");
}

#[test]
fn an_out_of_range_register_is_rejected() {
    let mut k = kernel();
    k.instrs[1].args[0] = Src::Reg(5);
    let e = rejected(&plan_with(k));
    assert_eq!(e.kind, PlanErrorKind::RegisterOutOfRange { reg: 5, regs: 1 });
    assert_eq!(e.to_string(), "step 2, instruction 1: register r5 is out of range (the kernel has 1 registers)");
}

#[test]
fn a_destination_register_out_of_range_is_rejected() {
    let mut k = kernel();
    k.instrs[0].dst = Dst::Reg(1);
    assert_eq!(rejected(&plan_with(k)).kind, PlanErrorKind::RegisterOutOfRange { reg: 1, regs: 1 });
}

#[test]
fn more_registers_than_instructions_are_rejected() {
    let mut k = kernel();
    k.regs = 1 << 30;
    let e = rejected(&plan_with(k));
    assert_eq!(e.to_string(), "step 2: the kernel declares 1073741824 registers for only 2 instructions");
}

#[test]
fn an_operand_index_out_of_range_is_rejected() {
    let mut k = kernel();
    k.instrs[0].args[0] = Src::In(1);
    let e = rejected(&plan_with(k));
    assert_eq!(e.kind, PlanErrorKind::OperandOutOfRange { table: Table::Inputs, index: 1, len: 1 });
    assert_eq!(e.to_string(), "step 2, instruction 0: input 1 is out of range (the kernel has 1 inputs)");
    let mut k = kernel();
    k.instrs[1].dst = Dst::Out(3);
    assert_eq!(rejected(&plan_with(k)).kind, PlanErrorKind::OperandOutOfRange { table: Table::Outputs, index: 3, len: 1 });
}

#[test]
fn a_kernel_length_that_is_not_the_values_size_is_rejected() {
    let mut k = kernel();
    k.len = 8;
    let e = rejected(&plan_with(k));
    assert_eq!(e.kind, PlanErrorKind::KernelLen { value: ValueId(0), numel: 4, len: 8 });
    assert_eq!(e.to_string(), "step 2: value %0 has 4 elements but the kernel streams 8");
}

#[test]
fn an_output_of_another_size_is_rejected() {
    let mut plan = good();
    plan.values[2].shape = vec![2, 3];
    assert_eq!(rejected(&plan).kind, PlanErrorKind::KernelLen { value: ValueId(2), numel: 6, len: 4 });
}

#[test]
fn a_scalar_of_several_elements_is_rejected() {
    let mut plan = good();
    plan.values[1].shape = vec![4];
    let e = rejected(&plan);
    assert_eq!(e.to_string(), "step 2: scalar operand %1 has 4 elements instead of one");
}

#[test]
fn an_instruction_that_writes_its_own_operand_is_rejected() {
    let mut k = kernel();
    k.instrs.push(instr(Op::Unary(Unary::Neg), vec![Src::Reg(0)], Dst::Reg(0)));
    let e = rejected(&plan_with(k));
    assert_eq!(e.kind, PlanErrorKind::DstIsOperand);
    assert_eq!(e.to_string(), "step 2, instruction 2: the destination is also an operand (the executor requires them distinct)");
    let mut k = kernel();
    k.instrs.push(instr(Op::Unary(Unary::Neg), vec![Src::Out(0)], Dst::Out(0)));
    assert_eq!(rejected(&plan_with(k)).kind, PlanErrorKind::DstIsOperand);
}

#[test]
fn an_output_that_is_also_an_input_is_rejected() {
    let mut k = kernel();
    k.outputs = vec![ValueId(0)];
    let e = rejected(&plan_with(k));
    assert_eq!(e.kind, PlanErrorKind::OutputRepeated { value: ValueId(0) });
    assert_eq!(e.to_string(), "step 2: value %0 is an output of the kernel more than once, or also one of its operands");
}

#[test]
fn an_output_listed_twice_is_rejected() {
    let mut k = kernel();
    k.outputs = vec![ValueId(2), ValueId(2)];
    k.instrs.push(instr(Op::Unary(Unary::Neg), vec![Src::Out(0)], Dst::Out(1)));
    assert_eq!(rejected(&plan_with(k)).kind, PlanErrorKind::OutputRepeated { value: ValueId(2) });
}

#[test]
fn a_register_read_before_it_is_written_is_rejected() {
    let mut k = kernel();
    k.instrs.swap(0, 1);
    let e = rejected(&plan_with(k));
    assert_eq!(e.to_string(), "step 2, instruction 0: register 0 is read before it is written");
}

#[test]
fn an_output_never_written_is_rejected() {
    let mut k = kernel();
    k.instrs[1].dst = Dst::Reg(0);
    k.instrs[1].args[0] = Src::In(0);
    assert_eq!(rejected(&plan_with(k)).kind, PlanErrorKind::OutputNeverWritten { index: 0 });
}

#[test]
fn a_fused_op_that_is_not_elementwise_is_rejected() {
    let mut k = kernel();
    k.instrs[0].op = Op::Sum { dim: None };
    let e = rejected(&plan_with(k));
    assert_eq!(e.to_string(), "step 2, instruction 0: `sum` is not elementwise and cannot run in a fused kernel");
}

#[test]
fn an_instruction_with_the_wrong_arity_is_rejected() {
    let mut k = kernel();
    k.instrs[1].args.pop();
    let e = rejected(&plan_with(k));
    assert_eq!(e.kind, PlanErrorKind::Arity { op: "mul", expected: 2, found: 1 });
    assert_eq!(e.to_string(), "step 2, instruction 1: `mul` takes 2 operands but is given 1");
}

#[test]
fn an_out_of_range_value_id_is_rejected() {
    let mut plan = good();
    plan.steps[3] = Step::Print(vec![PrintItem::Tensor { value: ValueId(9), suffix: TensorSuffix::default() }]);
    let e = rejected(&plan);
    assert_eq!(e.kind, PlanErrorKind::ValueOutOfRange { value: ValueId(9), values: 3 });
    assert_eq!(e.to_string(), "step 3: value %9 does not exist (the plan has 3 values)");
}

#[test]
fn an_out_of_range_export_is_rejected() {
    let mut plan = good();
    plan.exports.push(("y".to_string(), ValueId(3)));
    assert_eq!(rejected(&plan).to_string(), "plan tables: value %3 does not exist (the plan has 3 values)");
}

#[test]
fn a_use_after_free_is_rejected() {
    let mut plan = good();
    // Free %2 before it is printed.
    plan.steps.swap(3, 6);
    let e = rejected(&plan);
    assert_eq!(e.kind, PlanErrorKind::ReadAfterFree { value: ValueId(2) });
    assert_eq!(e.to_string(), "step 6: value %2 is used after it is freed");
}

#[test]
fn a_double_free_is_rejected() {
    let mut plan = good();
    plan.steps.push(Step::Free(ValueId(0)));
    assert_eq!(rejected(&plan).kind, PlanErrorKind::ReadAfterFree { value: ValueId(0) });
}

#[test]
fn a_read_before_the_value_is_computed_is_rejected() {
    let mut plan = good();
    plan.steps.swap(1, 2);
    let e = rejected(&plan);
    assert_eq!(e.to_string(), "step 1: value %1 is read before it is computed");
}

#[test]
fn a_value_computed_twice_is_rejected() {
    let mut plan = good();
    plan.steps.insert(1, full(0, 1.0));
    assert_eq!(rejected(&plan).to_string(), "step 1: value %0 is computed twice");
}

#[test]
fn an_export_that_was_freed_is_rejected() {
    let mut plan = good();
    plan.exports.push(("y".to_string(), ValueId(2)));
    assert_eq!(rejected(&plan).to_string(), "plan tables: export `y` (value %2) is not alive at the end of the run");
}

#[test]
fn a_kernel_value_of_another_dtype_is_rejected() {
    let mut plan = good();
    plan.values[0].dtype = DType::F64;
    let e = rejected(&plan);
    assert_eq!(e.kind, PlanErrorKind::DTypeMismatch { value: ValueId(0), expected: DType::F32, found: DType::F64 });
    assert_eq!(e.to_string(), "step 2: value %0 has dtype f64 where f32 is required");
}

#[test]
fn an_elementwise_op_on_mixed_dtypes_is_rejected() {
    let plan = Plan {
        values: vec![info(DType::F32, &[2]), info(DType::F64, &[2]), info(DType::F32, &[2])],
        steps: vec![full(0, 1.0), full(1, 2.0), Step::Compute { out: ValueId(2), op: Op::Binary(Binary::Add), args: vec![ValueId(0), ValueId(1)] }],
        inputs: vec![],
        exports: vec![],
        sources: Default::default(),
    };
    assert_eq!(rejected(&plan).to_string(), "step 2: value %1 has dtype f64 where f32 is required");
}

#[test]
fn an_elementwise_operand_that_does_not_broadcast_is_rejected() {
    let plan = Plan {
        values: vec![info(DType::F32, &[3]), info(DType::F32, &[2, 1]), info(DType::F32, &[2, 2])],
        steps: vec![full(0, 1.0), full(1, 2.0), Step::Compute { out: ValueId(2), op: Op::Binary(Binary::Mul), args: vec![ValueId(0), ValueId(1)] }],
        inputs: vec![],
        exports: vec![],
        sources: Default::default(),
    };
    assert_eq!(rejected(&plan).to_string(), "step 2: value %0 of shape [3] does not broadcast to the result's shape [2, 2]");
}

#[test]
fn an_op_with_the_wrong_number_of_operands_is_rejected() {
    let mut plan = good();
    plan.steps[1] = Step::Compute { out: ValueId(1), op: Op::Unary(Unary::Neg), args: vec![] };
    assert_eq!(rejected(&plan).to_string(), "step 1: `neg` takes 1 operands but is given 0");
}

#[test]
fn an_input_step_for_a_missing_input_is_rejected() {
    let mut plan = good();
    plan.steps[0] = Step::Compute { out: ValueId(0), op: Op::Input(0), args: vec![] };
    assert_eq!(rejected(&plan).to_string(), "step 0: input 0 does not exist (the plan has 0 inputs)");
}

#[test]
fn the_machine_refuses_a_malformed_plan() {
    let mut k = kernel();
    k.instrs[1].args[0] = Src::Reg(5);
    let plan = plan_with(k);
    assert!(Machine::new(&plan).is_err());
    let e = exec::run(&plan, &mut Vec::new()).unwrap_err();
    assert!(e.message.starts_with("internal error: the compiled plan is malformed (step 2, instruction 1: register r5"), "{}", e.message);
}

#[test]
#[should_panic(expected = "malformed fused kernel: instruction 1: register r5 is out of range")]
fn the_fused_executor_refuses_an_out_of_range_register() {
    let mut k = kernel();
    k.instrs[1].args[0] = Src::Reg(5);
    let a = Tensor::full(DType::F32, vec![4], 0.5);
    let s = Tensor::full(DType::F32, vec![], 2.0);
    let mut out = vec![Tensor::full(DType::F32, vec![4], 0.0)];
    fused::run(&k, &[&a], &[&s], &mut out);
}

#[test]
#[should_panic(expected = "fused kernel input 0 has the wrong length")]
fn the_fused_executor_refuses_a_short_buffer() {
    let a = Tensor::full(DType::F32, vec![3], 0.5);
    let s = Tensor::full(DType::F32, vec![], 2.0);
    let mut out = vec![Tensor::full(DType::F32, vec![4], 0.0)];
    fused::run(&kernel(), &[&a], &[&s], &mut out);
}

#[test]
#[should_panic(expected = "fused kernel given 0 inputs")]
fn the_fused_executor_refuses_missing_operands() {
    let mut out = vec![Tensor::full(DType::F32, vec![4], 0.0)];
    fused::run(&kernel(), &[], &[], &mut out);
}

/// A chain of `n` negations through registers r0, r1, ... then to the output.
fn chain(n: u32) -> FusedKernel {
    let mut instrs = vec![instr(Op::Unary(Unary::Neg), vec![Src::In(0)], Dst::Reg(0))];
    instrs.extend((1..n).map(|r| instr(Op::Unary(Unary::Neg), vec![Src::Reg(r - 1)], Dst::Reg(r))));
    instrs.push(instr(Op::Unary(Unary::Neg), vec![Src::Reg(n - 1)], Dst::Out(0)));
    FusedKernel { dtype: DType::F32, len: 4, inputs: vec![ValueId(0)], scalars: vec![], outputs: vec![ValueId(1)], instrs, regs: n }
}

#[test]
fn kernels_with_many_registers_are_checked_alike() {
    // 300 registers do not fit the checker's bits on the stack; 200 do.
    for n in [200, 300] {
        assert_eq!(check_instrs(&chain(n)), Ok(()), "{n} registers");
        // The last register is read before the instruction that writes it.
        let mut k = chain(n);
        k.instrs.swap(n as usize - 1, n as usize);
        let e = check_instrs(&k).unwrap_err();
        assert_eq!(e.to_string(), format!("instruction {}: register {} is read before it is written", n - 1, n - 1));
    }
}
