//! The compiled program the runtime executes: a value table and an ordered list of steps.
//!
//! The compiler's scheduler produces a [`Plan`] from the optimized graph; the
//! interpreter ([`crate::exec`]) runs it top to bottom. Values are numbered
//! densely; each is computed once, read by later steps, and freed after its
//! last use (the scheduler inserts [`Step::Free`]). [`Plan::verify`] checks all of
//! this before a plan runs.

mod error;
mod kernel_check;
mod loop_check;
mod shape_check;
mod verify;

pub use error::{PlanError, PlanErrorKind, Table};
pub use kernel_check::check_instrs;

use crate::op::{F64Bits, Op};
use crate::tensor::DType;

/// Index of a value in [`Plan::values`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub u32);

/// The static type of a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueInfo {
    pub dtype: DType,
    pub shape: Vec<usize>,
}

/// The suffix PyTorch prints after a tensor's contents.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TensorSuffix {
    /// `grad_fn=<NAME>`, e.g. `SubBackward0` or `SelfDefinedTanhBackward`.
    pub grad_fn: Option<String>,
    /// `requires_grad=True`, printed only for leaves (no grad_fn) that require grad.
    pub requires_grad: bool,
}

/// One argument of a `print` step.
#[derive(Clone, Debug, PartialEq)]
pub enum PrintItem {
    /// Printed as is (a string literal, or a number already in Python's repr).
    Text(String),
    /// A tensor, printed as PyTorch's `str(tensor)`.
    Tensor { value: ValueId, suffix: TensorSuffix },
    /// A missing gradient: prints `None`.
    None,
    /// A one-element value formatted as the Python value it stands for (a float for
    /// f32/f64, an int for i64, a bool for bool) with a format spec, as
    /// `format(x, spec)` does; the empty spec gives `str(x)`.
    Scalar { value: ValueId, spec: String },
    /// Items printed one after another with nothing between them (an f-string).
    Concat(Vec<PrintItem>),
    /// `a if c else b` of two texts with a run-time condition: `then` when the
    /// one-element bool `cond` holds, `otherwise` when not.
    Choice { cond: ValueId, then: Box<PrintItem>, otherwise: Box<PrintItem> },
}

impl PrintItem {
    /// The values the item reads, in order.
    pub fn values(&self) -> Vec<ValueId> {
        match self {
            PrintItem::Text(_) | PrintItem::None => vec![],
            PrintItem::Tensor { value, .. } | PrintItem::Scalar { value, .. } => vec![*value],
            PrintItem::Concat(items) => items.iter().flat_map(PrintItem::values).collect(),
            PrintItem::Choice { cond, then, otherwise } => std::iter::once(*cond).chain(then.values()).chain(otherwise.values()).collect(),
        }
    }
}

/// A figure command (matplotlib's names).
#[derive(Clone, Debug, PartialEq)]
pub enum FigureCmd {
    Plot {
        x: ValueId,
        y: ValueId,
        label: Option<String>,
        alpha: f64,
    },
    /// `scatter(x, y)`: a disc at each point.
    Scatter {
        x: ValueId,
        y: ValueId,
        label: Option<String>,
        alpha: f64,
    },
    /// `semilogy`: the y axis becomes logarithmic (its `plot` follows as a `Plot`).
    LogY,
    /// `figure()`: a new, empty figure with the `rc` settings of the last one.
    New,
    /// `xlim(left, right)` and `ylim(bottom, top)`.
    XLim(f64, f64),
    YLim(f64, f64),
    Grid,
    Legend,
    XLabel(String),
    YLabel(String),
    Title(String),
    /// `rc("figure", figsize=(w, h))`: the figure's size in inches.
    FigSize(f64, f64),
    /// `rc("figure", dpi=d)`: pixels per inch.
    Dpi(f64),
    /// `rc("axes", unicode_minus=b)`: whether tick labels write `−` or `-`.
    UnicodeMinus(bool),
    /// Writes the figure; the format follows the extension (`.png` or `.svg`).
    /// `source` is the byte range of the `savefig` call, so that a failure can point at it.
    SaveFig {
        path: String,
        source: (usize, usize),
    },
}

/// One step of the program.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `out = op(args...)`. Random ops draw from the generator here.
    Compute { out: ValueId, op: Op, args: Vec<ValueId> },
    /// `manual_seed(seed)`.
    Seed(u64),
    /// `print(items...)`: items joined by a space, then a newline.
    Print(Vec<PrintItem>),
    /// `print(..., end="")`: items written in a row, with nothing between them
    /// and no newline after them.
    Write(Vec<PrintItem>),
    /// `assert`: when the 0-d bool `cond` is false, the run stops with the
    /// message (printed as `print` would, empty for none), pointing at `source`.
    Assert { cond: ValueId, message: Vec<PrintItem>, exception: String, source: (usize, usize) },
    /// A figure command.
    Figure(FigureCmd),
    /// A fused elementwise kernel: many ops, one pass over memory.
    Fused(Box<FusedKernel>),
    /// The value is dead: its memory can be reused.
    Free(ValueId),
    /// `save(t, path)`: writes the value to the `.npy` file at `path` (resolved
    /// already), atomically. `source` is the byte range of the call, so that a
    /// failure can point at it.
    Save { value: ValueId, path: String, source: (usize, usize) },
    /// A loop compiled once: its body plan runs `trip` times.
    Loop(Box<LoopStep>),
    /// A run-time `if`: one of two bodies runs once, chosen by a bool value.
    Branch(Box<BranchStep>),
}

impl Step {
    /// Whether this step reads value `v` (as an operand, a printed or plotted
    /// value, a saved tensor, or an input of a loop or branch body).
    pub fn reads(&self, v: ValueId) -> bool {
        match self {
            Step::Compute { args, .. } => args.contains(&v),
            Step::Fused(k) => k.inputs.contains(&v) || k.scalars.contains(&v),
            Step::Print(items) | Step::Write(items) => items.iter().any(|item| item.values().contains(&v)),
            Step::Assert { cond, message, .. } => *cond == v || message.iter().any(|item| item.values().contains(&v)),
            Step::Figure(FigureCmd::Plot { x, y, .. } | FigureCmd::Scatter { x, y, .. }) => *x == v || *y == v,
            Step::Figure(_) => false,
            Step::Save { value, .. } => *value == v,
            Step::Loop(l) => l.inputs.contains(&v),
            Step::Branch(b) => b.cond == v || b.then.inputs.contains(&v) || b.otherwise.inputs.contains(&v),
            Step::Seed(_) | Step::Free(_) => false,
        }
    }
}

/// A run-time `if`: `then` runs when `cond` (a 0-d or one-element bool) is true,
/// `otherwise` when it is false. Both are loops of one iteration with the same
/// inputs and outputs, so the values after the step do not depend on the choice.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchStep {
    pub cond: ValueId,
    pub then: LoopStep,
    pub otherwise: LoopStep,
}

/// A loop: the body is a plan of its own, whose input 0 is the loop index (a 0-d
/// i64, `start + k * step` in iteration `k`) and whose input `k + 1` is first
/// bound to `inputs[k]` (read, not consumed). After each iteration, body export
/// `j` (`body_outputs[j]`) feeds body input `k` for each carried `(j, k)`; after
/// the last, it becomes `outputs[j]` of this plan. The body draws from the same
/// random generator and prints to the same output as the plan around it. With
/// `exit`, the loop stops after the first iteration whose body output `exit` (a
/// 0-d bool) is true, its outputs then those of that iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct LoopStep {
    pub body: Plan,
    pub trip: u64,
    pub start: i64,
    pub step: i64,
    pub inputs: Vec<ValueId>,
    /// The body's exported values that leave each iteration, in output order.
    pub body_outputs: Vec<ValueId>,
    pub carried: Vec<(u32, u32)>,
    pub exit: Option<u32>,
    pub outputs: Vec<ValueId>,
}

impl LoopStep {
    /// Whether each body input's buffer may be consumed by the body (a scatter
    /// written into it, `exec/donate.rs`) rather than given back to its binding
    /// when the value that loads it dies: true for a carried input fed by an
    /// output that feeds no other input, whose binding the output replaces
    /// after each iteration (the first iteration's is the body's own copy of
    /// the loop's input). Indexed as `body.inputs`.
    pub fn consumable_inputs(&self) -> Vec<bool> {
        let mut consumable = vec![false; self.body.inputs.len()];
        for &(j, k) in &self.carried {
            let once = |f: &dyn Fn(&(u32, u32)) -> bool| self.carried.iter().filter(|p| f(p)).count() == 1;
            if once(&|p| p.0 == j) && once(&|p| p.1 == k) {
                if let Some(c) = consumable.get_mut(k as usize) {
                    *c = true;
                }
            }
        }
        consumable
    }
}

/// Where an instruction of a [`FusedKernel`] reads an operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// A scratch register: a value that lives only inside the kernel.
    Reg(u32),
    /// The kernel's `k`-th output, already written in this chunk.
    Out(u32),
    /// The kernel's `k`-th streamed input (`FusedKernel::inputs`).
    In(u32),
    /// The kernel's `k`-th one-element input (`FusedKernel::scalars`), broadcast.
    Scalar(u32),
    /// A constant (a wrapped number), rounded to the kernel's dtype.
    Const(F64Bits),
}

/// Where an instruction of a [`FusedKernel`] writes its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dst {
    Reg(u32),
    Out(u32),
}

/// One op of a fused kernel, applied to a chunk of elements.
#[derive(Clone, Debug, PartialEq)]
pub struct Instr {
    /// An elementwise op ([`Op::is_elementwise`]).
    pub op: Op,
    pub args: Vec<Src>,
    pub dst: Dst,
    /// May use the vector math library (within 2 ulp) instead of PyTorch's scalar
    /// libm: set by the compiler only for values that are never printed.
    pub fast: bool,
}

/// A region of elementwise ops of one dtype and shape, run chunk by chunk: each
/// chunk of the inputs is read once, every op runs on it in cache, and each
/// output is written once. Values inside the region never reach memory.
#[derive(Clone, Debug, PartialEq)]
pub struct FusedKernel {
    pub dtype: DType,
    /// The number of elements of every streamed input and output.
    pub len: usize,
    /// Inputs read element by element.
    pub inputs: Vec<ValueId>,
    /// One-element inputs, read once and broadcast.
    pub scalars: Vec<ValueId>,
    pub outputs: Vec<ValueId>,
    /// In dependency order; every register is written before it is read.
    pub instrs: Vec<Instr>,
    /// The number of scratch registers (one chunk of elements each).
    pub regs: u32,
}

/// A declared program input (`input NAME: DTYPE[DIMS]`), in declaration order:
/// `Op::Input(k)` reads `Plan::inputs[k]`, which the caller binds before the run.
#[derive(Clone, Debug, PartialEq)]
pub struct InputInfo {
    pub name: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
    /// The value the input is loaded into, or `None` when the program never reads it
    /// (it must still be supplied, so that a command line does not depend on the optimizer).
    pub value: Option<ValueId>,
}

/// A whole program, ready to run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Plan {
    pub values: Vec<ValueInfo>,
    pub steps: Vec<Step>,
    pub inputs: Vec<InputInfo>,
    /// Top-level tensors (`name` or `name.grad`) requested for export, with the value
    /// that holds each after the run. The scheduler never frees these values.
    pub exports: Vec<(String, ValueId)>,
    /// The byte range in the `.act` source of each value whose step can fail at run
    /// time (an index the program computes, a file read), so that the failure points
    /// at the expression that caused it, as a compile error would.
    pub sources: std::collections::BTreeMap<ValueId, (usize, usize)>,
}
