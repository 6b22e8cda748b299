//! Diagnostics: every compile error, compile-time warning (and run-time failure), with its
//! code, spans and help, rendered in rustc's form by codespan-reporting.
//!
//! Each error or warning class has one [`Code`]; the variants' docs say what triggers
//! each, and `docs/diagnostics.md` explains each with an example. A diagnostic's
//! [`Severity`] decides whether it stops compilation: errors do, warnings never do
//! (unless the command line asks for `--deny-warnings`).
//! Rendering never colours output that is not a terminal.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

use crate::span::Span;

/// Every class of compile error and warning. The code is stable: tests and users refer to it.
/// `E` codes are errors, `W` codes warnings, `R` codes run-time failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// A character that starts no token.
    E0001,
    /// A string literal without its closing quote, or with an unknown escape.
    E0002,
    /// A token where the grammar does not allow it.
    E0003,
    /// The file ends in the middle of an item or statement.
    E0004,
    /// A chained comparison (`a < b < c`): `.act` comparisons do not chain.
    E0005,
    /// A name that is not bound at this point.
    E0101,
    /// A call to a function that is neither a builtin, an `op` nor a `fn`.
    E0102,
    /// A call with the wrong number of positional arguments.
    E0103,
    /// An unknown or repeated keyword argument.
    E0104,
    /// Two ops or fns with one name, or a repeated parameter.
    E0105,
    /// A fn or op that calls itself, directly or through others.
    E0106,
    /// An argument of the wrong kind (a string where a tensor is needed, a
    /// fraction where an integer is needed, ...).
    E0107,
    /// A statement in the wrong place (`save` outside a forward block, a missing
    /// or misplaced `return`, ...).
    E0108,
    /// Math on a host number outside the function's domain or range (Python's
    /// `ValueError: math domain error` and `OverflowError: math range error`).
    E0110,
    /// A parameter without a default after one with a default (Python's
    /// "non-default argument follows default argument").
    E0111,
    /// `needs_grad(p)` outside an op, or of something that is not one of its parameters.
    E0112,
    /// A condition (`if`, `and`, `or`, `not`) that is not a host bool.
    E0113,
    /// `is` / `is not` between values whose identity is not known at compile time.
    E0114,
    /// `*` on something that is not a tuple or list, or outside a call's arguments.
    E0115,
    /// `a, b = value` where the value is not a tuple or list of as many items.
    E0116,
    /// `mark_non_differentiable` outside an op's forward block.
    E0117,
    /// f32 meeting f64 without an explicit conversion.
    E0201,
    /// Shapes that do not broadcast, or do not fit an op.
    E0202,
    /// An integer or bool tensor that would require grad (only floating-point
    /// tensors can, as in PyTorch).
    E0203,
    /// An op given a dtype it does not take (`relu` of an i64 tensor, `mean` of
    /// an integer tensor, `randn` with `dtype=i64`, arithmetic on bool tensors).
    E0204,
    /// A `where` condition or `masked_fill` mask that is not a bool tensor.
    E0205,
    /// A dimension argument of a shape op that is out of range or repeated
    /// (`permute`, `transpose(x, d0, d1)`, ...).
    E0220,
    /// Sizes that do not fit a shape op: a rank it does not take, a batch that
    /// differs (`bmm`), an element count that changes, ...
    E0221,
    /// `view` of a tensor whose layout (a transpose, permutation or expand)
    /// allows no view of the asked shape; `reshape` copies instead.
    E0222,
    /// A subscript item graphc cannot apply: a slice step that is not a positive
    /// integer, a second `...`, an index that is not an integer, or a subscript
    /// of something that is not a tensor or list.
    E0223,
    /// An index past the end of its dimension, or more indices than dimensions.
    E0224,
    /// A read through a boolean mask (`x[mask]`, `x[mask, 0]`), whose shape
    /// depends on how many elements are true.
    E0225,
    /// `surrogate(...)` outside a backward block.
    E0260,
    /// `surrogate(...)` with a reason that is not a string.
    E0261,
    /// `clamp` (or `clip`) with neither `min` nor `max`.
    E0270,
    /// A dimension listed twice in a reduction's `dim`.
    E0240,
    /// A builtin that works along one dimension called without `dim`.
    E0241,
    /// `unbiased` and `correction` given together.
    E0242,
    /// A `norm` order graphc does not differentiate (only p=1 and p=2).
    E0243,
    /// A loss whose target does not fit its input (shape, or a 0-d input).
    E0244,
    /// A `reduction=` that is not "mean", "sum" or "none".
    E0245,
    /// A loss parameter out of its range (`beta` < 0, `delta` <= 0).
    E0246,
    /// `keepdim` given to `max`, `min`, `argmax` or `argmin` where it has no meaning.
    E0280,
    /// A `gather` index that does not fit its input: not i64, another rank, a
    /// larger size outside `dim`, or a constant index out of bounds.
    E0281,
    /// A class-index loss whose input is not 2-D or whose target is not the samples' i64 classes.
    E0282,
    /// `one_hot` whose class count is unknown when compiling, or a constant class out of range.
    E0283,
    /// A `gelu` `approximate=` that is not "none" or "tanh".
    E0284,
    /// The source of `scatter`, `scatter_add` or `index_add` does not fit: not the
    /// index's shape (the input's, along `dim` the index's length, for
    /// `index_add`) or not the input's dtype.
    E0285,
    /// A loss option that does not fit: a class weight of another shape or
    /// dtype, an `ignore_index` that is not an integer, a `label_smoothing`
    /// outside [0, 1], or an option for class indices given with probabilities.
    E0286,
    /// A `reduce` that `scatter_reduce` (`sum`, `prod`, `mean`, `amax`, `amin`)
    /// or `scatter(reduce=)` (`add`, `multiply`) does not take.
    E0287,
    /// `sort`, `argsort` or `topk` of a 0-d tensor, or a `topk` whose `k` is
    /// not between 0 and the size of its dimension.
    E0288,
    /// `repeat_interleave` whose repeats are a tensor known only at run time,
    /// negative, or of the wrong length: the result's size depends on them.
    E0289,
    /// A backward block reads a forward name that was not saved.
    E0301,
    /// `save` names something the forward block does not define.
    E0302,
    /// A backward block returns the wrong number of gradients.
    E0303,
    /// A returned gradient's shape or dtype differs from its parameter's.
    E0304,
    /// A backward block returns a tensor for a parameter that received a host
    /// value (a number, a bool or `none`) at this call: such a parameter has no gradient.
    E0305,
    /// A backward block whose number of gradient parameters differs from the
    /// number of values its forward block returns.
    E0306,
    /// `.grad` of a tensor that is not a requires-grad leaf.
    E0401,
    /// `backward` of a tensor that does not require grad, or without a gradient
    /// for a tensor of more than one element.
    E0402,
    /// A backward through values that an earlier backward released.
    E0403,
    /// `zero_()` of a gradient that is still `None`.
    E0404,
    /// `grad(y, x)` where no gradient flows from `y` back to `x`.
    E0405,
    /// `xlim`/`ylim` given something other than two finite numbers known at compile time.
    E0406,
    /// `xlim`/`ylim` with both limits equal: an axis of zero length.
    E0407,
    /// `rc(group, ...)` with a group or setting graphc does not know, or a value
    /// matplotlib would refuse or could not draw (a size that is not two positive
    /// numbers, a canvas of 2^16 pixels or more).
    E0408,
    /// `rc("figure", ...)` after the figure was started: matplotlib reads
    /// `figure.figsize` and `figure.dpi` when it creates the figure, so the setting
    /// would have no effect.
    E0409,
    /// A `backward` or `grad` through an op PyTorch has no derivative for
    /// (`grad_fn=<NotImplemented>`): `scatter(..., reduce=)` ("derivative for
    /// aten::scatter is not implemented") or `heaviside`.
    E0410,
    /// `grad(..., create_graph=true)` through a `layer_norm` (or `group_norm`,
    /// `grid_sample`): graphc runs PyTorch's backward kernel, whose own
    /// derivative it does not build.
    E0411,
    /// An in-place update (`p -= e`, `p.add_(e)`, `p[i] = v`) of a leaf that requires
    /// grad, outside `no_grad`: PyTorch's "a leaf Variable that requires grad is being
    /// used in an in-place operation".
    E0620,
    /// An in-place update of a value that a later backward reads (a saved value):
    /// PyTorch's "modified by an inplace operation", found at compile time.
    E0621,
    /// An in-place update whose result dtype cannot be cast to the target's dtype
    /// (`i += 0.5` on an i64 tensor), as PyTorch's in-place result-type rule.
    E0622,
    /// An in-place update whose result would have another shape than the target:
    /// the other operand broadcasts the target to a larger shape.
    E0623,
    /// An assignment target or in-place update that graphc cannot perform: a target
    /// that is not a name, subscript or `.grad`, a subscript with a tensor of indices,
    /// a value that does not fit the selected elements.
    E0624,
    /// `requires_grad_()` that PyTorch refuses: turning off requires-grad of a
    /// tensor computed from others (not a leaf); and an `out=` call on tensors
    /// that require grad.
    E0625,
    /// A tensor with more elements than graphc allows (2^31), counted without overflow.
    E0501,
    /// More memory than the budget (`--max-memory`): one tensor, or the tensors the
    /// plan holds at once at its peak. (E0505, a source file larger than graphc
    /// reads, is reported by the command line before any source exists to point at.)
    E0502,
    /// Inlining made the graph larger than its node limit: calls that multiply.
    E0503,
    /// A `savefig` path that cannot be written: a name that is only an extension
    /// (`".png"`) or a directory that does not exist.
    E0504,
    /// `load(path)`: the file cannot be read (missing, a directory, no permission).
    E0660,
    /// `load(path)`: the file is not a valid `.npy` file (bad header, truncated data).
    E0661,
    /// `load(path)`: a `.npy` file of a dtype graphc's tensors cannot hold
    /// (structured, int32, float16, ...).
    E0662,
    /// `save(t, path)`: a path that cannot be written (not `.npy`, missing directory).
    E0663,
    /// `randperm`/`randint`: a count, bounds or size PyTorch would refuse.
    E0664,
    /// An integer literal or compile-time integer result beyond int64 (except as
    /// `manual_seed`'s argument, and where arithmetic brings it back at once).
    E0665,
    /// An optimizer option that does not exist or is not supported, or one given twice.
    E0680,
    /// Optimizer parameters that are not a non-empty list of distinct requires-grad leaves.
    E0681,
    /// An optimizer parameter that is not a floating-point tensor.
    E0682,
    /// An optimizer hyperparameter that PyTorch's constructor rejects (`lr < 0`, ...).
    E0683,
    /// An optimizer hyperparameter of the wrong kind (`betas` not a pair, `lr` a string).
    E0684,
    /// An optimizer method other than `step()` and `zero_grad()`, or one given arguments.
    E0685,
    /// Gradient clipping (`clip_grad_norm_`, ...) of arguments it cannot take:
    /// not tensors, gradients of two dtypes, a `norm_type` other than 1, 2 and
    /// inf, `error_if_nonfinite=true`.
    E0686,
    /// A `TensorDataset` or `DataLoader` PyTorch refuses or graphc does not
    /// support: tensors of different lengths, a batch size that is not a
    /// positive integer, a sampler, a collate function or a generator.
    E0687,
    /// A store through an i64 index tensor (`x[ids] = v`) that does not fit: into a
    /// 0-d or bool tensor, or a value that does not broadcast to `x[ids]`'s shape.
    E0700,
    /// A constant index tensor of a store (`x[tensor([5])] = v`) out of bounds.
    E0701,
    /// An in-place update of an expanded view, whose elements repeat elements of
    /// its base (PyTorch's "more than one element of the written-to tensor refers
    /// to a single memory location").
    E0702,
    /// An in-place update inside a loop body of a view made before the loop, or of
    /// the base of such a view: the body cannot see that they share elements.
    E0703,
    /// An in-place update through `detach()` of a computed tensor that requires
    /// grad: PyTorch changes its values but not its graph.
    E0704,
    /// An in-place update with grad mode enabled of a view made inside `no_grad`.
    E0705,
    /// An in-place update of one of the views that `split` or `chunk` returns.
    E0706,
    /// An in-place update of a view taken with a run-time index (`h = x[i]` in a
    /// loop), or of its base while a name holds such a view.
    E0707,
    /// A store through a boolean mask that would need the number of its true
    /// elements: a value with that many rows, an index tensor beside the mask
    /// with more than one element, or a second mask.
    E0708,
    /// A `for` loop over something it cannot iterate at compile time: `range` with
    /// bounds that are not compile-time integers, a zero step, or a value that is
    /// neither a range nor a list.
    E0600,
    /// `break` or `continue`, which loops do not support.
    E0601,
    /// A value whose type keeps changing from one iteration of a loop to the next
    /// (a compile-time number rebound to another number, a shape that grows, ...).
    E0602,
    /// A `for` loop inside an op's forward or backward block.
    E0603,
    /// A `backward` or `grad` outside a loop that would reach a value the loop
    /// computed with gradient tracking (gradients do not flow through loops yet).
    E0604,
    /// A value that the two sides of a run-time `if` leave with different dtypes,
    /// shapes or kinds (or a compile-time value that one side changes).
    E0605,
    /// A name first bound on only one side of a run-time `if`.
    E0606,
    /// A slice with a run-time bound whose length is not known at compile time (`x[i:n]`).
    E0607,
    /// A list, tuple or shape subscripted with a run-time integer (they are compile-time values).
    E0608,
    /// `narrow` with a length or dimension not known at compile time, or one that does not fit.
    E0609,
    /// A subscript computed from a `range` loop's counter that is out of bounds in some iteration.
    E0610,
    /// `.item()`, `float(t)`, `int(t)` or `bool(t)` of a tensor with more than one element.
    E0640,
    /// A format spec (`f"{x:.4d}"`) that does not apply to the value it formats.
    E0641,
    /// A malformed f-string: a single `{` or `}`, an empty `{}`, a nested spec.
    E0642,
    /// Integer division or modulo (`//`, `%`) by a zero known at compile time.
    E0643,
    /// A run-time Python value whose type would depend on its value (`n ** k` of
    /// run-time ints, `max` of a run-time int and float).
    E0644,
    /// A host-value builtin given something it does not take (`len` of a 0-d
    /// tensor, `round(x, n)` with a run-time or negative `n`, `//` or `%` on a
    /// tensor that requires grad).
    E0645,
    /// An `assert` whose test is false when compiling, where the statement
    /// always runs.
    E0646,
    /// A `raise` where the statement always runs, or of an exception graphc
    /// does not know.
    E0647,
    /// `graphc export --to onnx`: a draw after a loop (or run-time `if`) that draws.
    E0720,
    /// `graphc export --to onnx`: a random draw the model needs with no `manual_seed` before it.
    E0721,
    /// `graphc export --to onnx`: an op the model needs that has no ONNX mapping.
    E0722,
    /// `graphc export --to onnx`: an output that would take the name of an input
    /// whose name is bound to another value at the end.
    E0723,
    /// `graphc export --to onnx`: a random draw inside a loop, or on a side of a
    /// run-time `if`, that the model's outputs need.
    E0724,
    /// `graphc export --to torch`: a builtin or call form that has no PyTorch spelling
    /// in the exporter's table (`export/torch/table.rs`).
    E0740,
    /// `graphc export --to torch`: a statement or expression the exported script
    /// cannot express (an `input` declaration, whose value only `run --input` gives).
    E0741,
    /// Warning: an op can overflow to infinity for inputs in its range, and the infinity
    /// becomes NaN further on (`inf - inf`, `inf / inf`, `0 * inf`, `sin(inf)`, ...).
    /// Found by the range analysis (`analysis/range.rs`), reported at the op that makes
    /// the NaN with the overflowing op as a secondary label.
    W0101,
    /// `graphc gradcheck`: a backward block returns a gradient that disagrees with
    /// the derivative of its forward block.
    G0001,
    /// IR text (`graphc_compiler::ir::parse`) that does not read back into a program.
    I0001,
    /// Run time, at a statement or expression: a figure or file could not be written
    /// or read, or an index computed at run time is out of bounds.
    R0001,
    /// Run time, with no statement to point at: the program's output could not be written.
    R0002,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::E0001 => "E0001",
            Code::E0002 => "E0002",
            Code::E0003 => "E0003",
            Code::E0004 => "E0004",
            Code::E0005 => "E0005",
            Code::E0101 => "E0101",
            Code::E0102 => "E0102",
            Code::E0103 => "E0103",
            Code::E0104 => "E0104",
            Code::E0105 => "E0105",
            Code::E0106 => "E0106",
            Code::E0107 => "E0107",
            Code::E0108 => "E0108",
            Code::E0110 => "E0110",
            Code::E0111 => "E0111",
            Code::E0112 => "E0112",
            Code::E0113 => "E0113",
            Code::E0114 => "E0114",
            Code::E0115 => "E0115",
            Code::E0116 => "E0116",
            Code::E0117 => "E0117",
            Code::E0201 => "E0201",
            Code::E0202 => "E0202",
            Code::E0203 => "E0203",
            Code::E0204 => "E0204",
            Code::E0205 => "E0205",
            Code::E0220 => "E0220",
            Code::E0221 => "E0221",
            Code::E0222 => "E0222",
            Code::E0223 => "E0223",
            Code::E0224 => "E0224",
            Code::E0225 => "E0225",
            Code::E0260 => "E0260",
            Code::E0261 => "E0261",
            Code::E0270 => "E0270",
            Code::E0240 => "E0240",
            Code::E0241 => "E0241",
            Code::E0242 => "E0242",
            Code::E0243 => "E0243",
            Code::E0244 => "E0244",
            Code::E0245 => "E0245",
            Code::E0246 => "E0246",
            Code::E0280 => "E0280",
            Code::E0281 => "E0281",
            Code::E0282 => "E0282",
            Code::E0283 => "E0283",
            Code::E0284 => "E0284",
            Code::E0285 => "E0285",
            Code::E0286 => "E0286",
            Code::E0287 => "E0287",
            Code::E0288 => "E0288",
            Code::E0289 => "E0289",
            Code::E0301 => "E0301",
            Code::E0302 => "E0302",
            Code::E0303 => "E0303",
            Code::E0304 => "E0304",
            Code::E0305 => "E0305",
            Code::E0306 => "E0306",
            Code::E0401 => "E0401",
            Code::E0402 => "E0402",
            Code::E0403 => "E0403",
            Code::E0404 => "E0404",
            Code::E0405 => "E0405",
            Code::E0406 => "E0406",
            Code::E0407 => "E0407",
            Code::E0408 => "E0408",
            Code::E0409 => "E0409",
            Code::E0410 => "E0410",
            Code::E0411 => "E0411",
            Code::E0620 => "E0620",
            Code::E0621 => "E0621",
            Code::E0622 => "E0622",
            Code::E0623 => "E0623",
            Code::E0624 => "E0624",
            Code::E0625 => "E0625",
            Code::E0501 => "E0501",
            Code::E0502 => "E0502",
            Code::E0503 => "E0503",
            Code::E0504 => "E0504",
            Code::E0660 => "E0660",
            Code::E0661 => "E0661",
            Code::E0662 => "E0662",
            Code::E0663 => "E0663",
            Code::E0664 => "E0664",
            Code::E0665 => "E0665",
            Code::E0680 => "E0680",
            Code::E0681 => "E0681",
            Code::E0682 => "E0682",
            Code::E0683 => "E0683",
            Code::E0684 => "E0684",
            Code::E0685 => "E0685",
            Code::E0686 => "E0686",
            Code::E0687 => "E0687",
            Code::E0700 => "E0700",
            Code::E0701 => "E0701",
            Code::E0702 => "E0702",
            Code::E0703 => "E0703",
            Code::E0704 => "E0704",
            Code::E0705 => "E0705",
            Code::E0706 => "E0706",
            Code::E0707 => "E0707",
            Code::E0708 => "E0708",
            Code::E0600 => "E0600",
            Code::E0601 => "E0601",
            Code::E0602 => "E0602",
            Code::E0603 => "E0603",
            Code::E0604 => "E0604",
            Code::E0605 => "E0605",
            Code::E0606 => "E0606",
            Code::E0607 => "E0607",
            Code::E0608 => "E0608",
            Code::E0609 => "E0609",
            Code::E0610 => "E0610",
            Code::E0640 => "E0640",
            Code::E0641 => "E0641",
            Code::E0642 => "E0642",
            Code::E0643 => "E0643",
            Code::E0644 => "E0644",
            Code::E0645 => "E0645",
            Code::E0646 => "E0646",
            Code::E0647 => "E0647",
            Code::E0720 => "E0720",
            Code::E0721 => "E0721",
            Code::E0722 => "E0722",
            Code::E0723 => "E0723",
            Code::E0724 => "E0724",
            Code::E0740 => "E0740",
            Code::E0741 => "E0741",
            Code::W0101 => "W0101",
            Code::G0001 => "G0001",
            Code::I0001 => "I0001",
            Code::R0001 => "R0001",
            Code::R0002 => "R0002",
        }
    }
}

/// A label: a span and what to say about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// Whether a diagnostic stops compilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The program is rejected: nothing runs.
    Error,
    /// The program compiles and runs; the warning is shown on stderr.
    Warning,
}

/// One compile error or warning.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// The offending code.
    pub primary: Label,
    /// Other places that matter (the parameter whose shape a gradient must have, the
    /// first of two backward calls, ...).
    pub secondary: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error.
    pub fn new(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: Label { span, message: label.into() },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A warning: shown, but compilation goes on.
    pub fn warning(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::new(code, message, span, label) }
    }

    /// Whether this diagnostic stops compilation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The same diagnostic as an error, for `--deny-warnings`.
    pub fn denied(self) -> Diagnostic {
        Diagnostic { severity: Severity::Error, ..self }
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { span, message: message.into() });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// The UTF-8 byte order mark, which the lexer skips at the start of a file.
pub const BOM: char = '\u{FEFF}';

/// The bytes of a byte order mark that starts `source` (0 or 3).
fn bom_len(source: &str) -> usize {
    if source.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    }
}

/// Renders diagnostics in rustc's form. `color` is for a terminal only.
/// A byte order mark at the start is left out of the rendered source (spans are
/// shifted past it), so that it cannot take a column on line 1 invisibly.
pub fn render(diags: &[Diagnostic], file_name: &str, source: &str, color: bool) -> String {
    let bom = bom_len(source);
    if bom > 0 {
        let shift = |s: Span| Span::new(s.start.saturating_sub(bom), s.end.saturating_sub(bom));
        let shifted: Vec<Diagnostic> = diags
            .iter()
            .map(|d| Diagnostic {
                primary: Label { span: shift(d.primary.span), message: d.primary.message.clone() },
                secondary: d.secondary.iter().map(|l| Label { span: shift(l.span), message: l.message.clone() }).collect(),
                ..d.clone()
            })
            .collect();
        return render(&shifted, file_name, &source[bom..], color);
    }
    let file = SimpleFile::new(file_name, source);
    // rustc's ASCII form (`--> file:line:col`, `|` borders) rather than codespan's
    // box-drawing default, so messages look like rustc's and grep well.
    let config = term::Config { chars: term::Chars::ascii(), ..term::Config::default() };
    let mut buffer = if color { termcolor::Buffer::ansi() } else { termcolor::Buffer::no_color() };
    for d in diags {
        let mut labels = vec![CsLabel::primary((), clamp(d.primary.span, source)).with_message(&d.primary.message)];
        labels.extend(d.secondary.iter().map(|l| CsLabel::secondary((), clamp(l.span, source)).with_message(&l.message)));
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut cs = CsDiagnostic::new(severity).with_code(d.code.as_str()).with_message(&d.message).with_labels(labels);
        if let Some(help) = &d.help {
            cs = cs.with_notes(vec![format!("help: {help}")]);
        }
        // Writing into an in-memory buffer cannot fail except on a span outside the
        // file, which clamp() rules out.
        let _ = term::emit_to_write_style(&mut buffer, &config, &file, &cs);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// Keeps a span inside the source, on character boundaries, so rendering never fails.
fn clamp(span: Span, source: &str) -> std::ops::Range<usize> {
    let mut start = span.start.min(source.len());
    let mut end = span.end.min(source.len()).max(start);
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Maps byte offsets to 1-based line and column numbers (columns count characters).
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> LineIndex<'a> {
        // Line 1 starts after a byte order mark, so that it takes no column.
        let mut starts = vec![bom_len(source)];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    /// The 1-based (line, column) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len()).max(self.starts[0]);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self.source.get(start..offset).map(|s| s.chars().count()).unwrap_or(offset - start) + 1;
        (line + 1, col)
    }

    /// The source text of a span, on one line, shortened to `max` characters.
    pub fn snippet(&self, span: Span, max: usize) -> String {
        let text = self.source.get(span.start.min(self.source.len())..span.end.min(self.source.len())).unwrap_or("");
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > max {
            format!("{}...", one_line.chars().take(max.saturating_sub(3)).collect::<String>())
        } else {
            one_line
        }
    }
}
