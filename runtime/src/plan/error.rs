//! What [`Plan::verify`](crate::plan::Plan::verify) reports: the first broken
//! invariant of a plan, with where it is, in words (never Rust's `Debug` form).

use std::fmt;

use crate::plan::ValueId;
use crate::tensor::DType;

/// A malformed plan. Plans come from graphc's own scheduler, so this is always a
/// compiler bug; the message says where (step, instruction) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanError {
    /// The index of the step in `Plan::steps`; `None` for the input and export tables
    /// (or for a kernel checked by [`check_instrs`](crate::plan::check_instrs) alone).
    pub step: Option<usize>,
    /// The instruction of a fused kernel, when the problem is inside one.
    pub instr: Option<usize>,
    pub kind: PlanErrorKind,
}

/// The operand tables of a fused kernel, as [`PlanErrorKind`] names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Inputs,
    Scalars,
    Outputs,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Inputs => "input",
            Table::Scalars => "scalar",
            Table::Outputs => "output",
        }
    }
}

/// Every invariant `Plan::verify` checks, one variant each.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanErrorKind {
    /// A value id at or past the end of the value table.
    ValueOutOfRange { value: ValueId, values: usize },
    /// A value read before any step computes it.
    ReadBeforeCompute { value: ValueId },
    /// A value read (or freed again) after its `Free` step.
    ReadAfterFree { value: ValueId },
    /// A value computed by two steps.
    ComputedTwice { value: ValueId },
    /// An op or instruction given the wrong number of operands.
    Arity { op: &'static str, expected: usize, found: usize },
    /// A value whose dtype differs from the one its step requires.
    DTypeMismatch { value: ValueId, expected: DType, found: DType },
    /// An operand of an elementwise op whose shape does not broadcast to the result's.
    ShapeMismatch { value: ValueId, shape: Vec<usize>, result: Vec<usize> },
    /// A shape op (`permute`, `slice`, `slice_backward`, `cat`) or `matmul` whose
    /// result shape does not follow from its operands'.
    ShapeOp { op: &'static str, why: String },
    /// `Op::Input(k)` with `k` past the input table.
    InputOutOfRange { input: u32, inputs: usize },
    /// A loop step that does not fit its body plan; the body's own error, if any, is in `why`.
    Loop { why: String },
    /// `Op::Input(k)` computing another value than the one the input table names,
    /// or an input table entry whose dtype or shape differs from its value's.
    InputMismatch { input: usize, value: ValueId },
    /// An export whose value is not alive at the end of the run.
    ExportNotLive { name: String, value: ValueId },
    /// A streamed input or output of a fused kernel whose element count is not the kernel's.
    KernelLen { value: ValueId, numel: usize, len: usize },
    /// A fused kernel's scalar with more or fewer than one element.
    ScalarNotOneElement { value: ValueId, numel: usize },
    /// A printed Python number whose format spec does not apply to its dtype.
    FormatSpec { value: ValueId, spec: String, why: String },
    /// A value listed twice among a kernel's outputs, or both as output and operand.
    OutputRepeated { value: ValueId },
    /// A kernel that declares more registers than it has instructions (each register
    /// is written by one before it is read, so the extra ones are never used).
    TooManyRegisters { regs: u32, instrs: usize },
    /// A register index at or past the kernel's register count.
    RegisterOutOfRange { reg: u32, regs: u32 },
    /// An `In`, `Scalar` or `Out` index past the kernel's table.
    OperandOutOfRange { table: Table, index: u32, len: usize },
    /// A register (or output) read before an instruction writes it.
    ReadBeforeWrite { what: &'static str, index: u32 },
    /// An instruction whose destination is also one of its operands.
    DstIsOperand,
    /// An instruction whose op is not elementwise.
    NotElementwise { op: &'static str },
    /// A kernel output that no instruction writes.
    OutputNeverWritten { index: usize },
    /// A fused kernel of an integer or bool dtype (the executor is float-only).
    KernelNotFloat { dtype: DType },
}

/// A shape as `[2, 3]` (`[]` for a scalar).
fn shape_str(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(", "))
}

impl fmt::Display for PlanErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanErrorKind::ValueOutOfRange { value, values } => write!(f, "value %{} does not exist (the plan has {values} values)", value.0),
            PlanErrorKind::ReadBeforeCompute { value } => write!(f, "value %{} is read before it is computed", value.0),
            PlanErrorKind::ReadAfterFree { value } => write!(f, "value %{} is used after it is freed", value.0),
            PlanErrorKind::ComputedTwice { value } => write!(f, "value %{} is computed twice", value.0),
            PlanErrorKind::Arity { op, expected, found } => write!(f, "`{op}` takes {expected} operands but is given {found}"),
            PlanErrorKind::DTypeMismatch { value, expected, found } => write!(f, "value %{} has dtype {found} where {expected} is required", value.0),
            PlanErrorKind::ShapeMismatch { value, shape, result } => {
                write!(f, "value %{} of shape {} does not broadcast to the result's shape {}", value.0, shape_str(shape), shape_str(result))
            }
            PlanErrorKind::ShapeOp { op, why } => write!(f, "`{op}`: {why}"),
            PlanErrorKind::InputOutOfRange { input, inputs } => write!(f, "input {input} does not exist (the plan has {inputs} inputs)"),
            PlanErrorKind::Loop { why } => write!(f, "a loop step does not fit its body: {why}"),
            PlanErrorKind::InputMismatch { input, value } => write!(f, "input {input} and value %{} disagree on the value, dtype or shape", value.0),
            PlanErrorKind::ExportNotLive { name, value } => write!(f, "export `{name}` (value %{}) is not alive at the end of the run", value.0),
            PlanErrorKind::KernelLen { value, numel, len } => {
                write!(f, "value %{} has {numel} elements but the kernel streams {len}", value.0)
            }
            PlanErrorKind::ScalarNotOneElement { value, numel } => write!(f, "scalar operand %{} has {numel} elements instead of one", value.0),
            PlanErrorKind::FormatSpec { value, spec, why } => write!(f, "the format spec {spec:?} of %{} does not apply: {why}", value.0),
            PlanErrorKind::OutputRepeated { value } => {
                write!(f, "value %{} is an output of the kernel more than once, or also one of its operands", value.0)
            }
            PlanErrorKind::TooManyRegisters { regs, instrs } => write!(f, "the kernel declares {regs} registers for only {instrs} instructions"),
            PlanErrorKind::RegisterOutOfRange { reg, regs } => write!(f, "register r{reg} is out of range (the kernel has {regs} registers)"),
            PlanErrorKind::OperandOutOfRange { table, index, len } => {
                write!(f, "{} {index} is out of range (the kernel has {len} {}s)", table.name(), table.name())
            }
            PlanErrorKind::ReadBeforeWrite { what, index } => write!(f, "{what} {index} is read before it is written"),
            PlanErrorKind::DstIsOperand => f.write_str("the destination is also an operand (the executor requires them distinct)"),
            PlanErrorKind::NotElementwise { op } => write!(f, "`{op}` is not elementwise and cannot run in a fused kernel"),
            PlanErrorKind::OutputNeverWritten { index } => write!(f, "output {index} is never written"),
            PlanErrorKind::KernelNotFloat { dtype } => write!(f, "the kernel is {dtype}, but fused kernels compute f32 or f64 only"),
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.step, self.instr) {
            (Some(s), Some(i)) => write!(f, "step {s}, instruction {i}: ")?,
            (Some(s), None) => write!(f, "step {s}: ")?,
            // A kernel checked on its own (`check_instrs`), outside any plan.
            (None, Some(i)) => write!(f, "instruction {i}: ")?,
            (None, None) => f.write_str("plan tables: ")?,
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for PlanError {}
