//! The compiled program the runtime executes: a value table and an ordered list of steps.
//!
//! The compiler's scheduler produces a [`Plan`] from the optimized graph; the
//! interpreter ([`crate::exec`]) runs it top to bottom. Values are numbered
//! densely; each is computed once, read by later steps, and freed after its
//! last use (the scheduler inserts [`Step::Free`]).

use crate::op::Op;
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
}

/// A figure command (matplotlib's names).
#[derive(Clone, Debug, PartialEq)]
pub enum FigureCmd {
    Plot { x: ValueId, y: ValueId, label: Option<String>, alpha: f64 },
    Grid,
    Legend,
    XLabel(String),
    YLabel(String),
    Title(String),
    /// Writes the figure; the format follows the extension (`.png` or `.svg`).
    /// `source` is the byte range of the `savefig` call, so that a failure can point at it.
    SaveFig { path: String, source: (usize, usize) },
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
    /// A figure command.
    Figure(FigureCmd),
    /// The value is dead: its memory can be reused.
    Free(ValueId),
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
}
