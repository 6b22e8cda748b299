//! A whole compiled program: the graph plus what happens in order around it.
//!
//! The graph holds every value the program computes; [`Effect`]s hold what the
//! program does in source order (seeding, sampling, printing, plotting). A
//! `backward` call is not an effect: autodiff turns it into graph nodes, and the
//! `.grad` a statement reads is just the node that holds the gradient's value at
//! that point of the program.

use std::collections::HashMap;

use graphc_runtime::plan::TensorSuffix;

use super::graph::{Graph, NodeId};
use crate::span::Span;

/// One argument of `print`.
#[derive(Clone, Debug, PartialEq)]
pub enum PrintArg {
    Text(String),
    Tensor {
        node: NodeId,
        suffix: TensorSuffix,
    },
    /// A gradient that is still `None`.
    None,
    /// A 0-d node (a run-time Python number, or a 0-d tensor in an f-string)
    /// formatted as the Python value it holds, `format(x, spec)`.
    Scalar {
        node: NodeId,
        spec: String,
    },
    /// Arguments printed one after another with nothing between them (an f-string).
    Concat(Vec<PrintArg>),
    /// `a if c else b` of two texts with a run-time condition: `then` when the
    /// one-element bool `cond` holds, `otherwise` when not.
    Choice {
        cond: NodeId,
        then: Box<PrintArg>,
        otherwise: Box<PrintArg>,
    },
}

impl PrintArg {
    /// The nodes the argument reads, in order.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            PrintArg::Text(_) | PrintArg::None => vec![],
            PrintArg::Tensor { node, .. } | PrintArg::Scalar { node, .. } => vec![*node],
            PrintArg::Concat(items) => items.iter().flat_map(PrintArg::nodes).collect(),
            PrintArg::Choice { cond, then, otherwise } => std::iter::once(*cond).chain(then.nodes()).chain(otherwise.nodes()).collect(),
        }
    }

    /// Rewrites every node the argument reads.
    pub fn map_nodes(&mut self, f: &mut dyn FnMut(NodeId) -> NodeId) {
        match self {
            PrintArg::Text(_) | PrintArg::None => {}
            PrintArg::Tensor { node, .. } | PrintArg::Scalar { node, .. } => *node = f(*node),
            PrintArg::Concat(items) => items.iter_mut().for_each(|i| i.map_nodes(f)),
            PrintArg::Choice { cond, then, otherwise } => {
                *cond = f(*cond);
                then.map_nodes(f);
                otherwise.map_nodes(f);
            }
        }
    }
}

/// A figure command whose tensors are graph nodes.
#[derive(Clone, Debug, PartialEq)]
pub enum FigureEffect {
    Plot {
        x: NodeId,
        y: NodeId,
        label: Option<String>,
        alpha: f64,
    },
    /// `scatter(x, y)`: a disc at each point.
    Scatter {
        x: NodeId,
        y: NodeId,
        label: Option<String>,
        alpha: f64,
    },
    /// `semilogy`'s log y axis (its line follows as a `Plot`).
    LogY,
    /// `figure()`: a new, empty figure.
    New,
    /// `xlim(left, right)` and `ylim(bottom, top)`.
    XLim(f64, f64),
    YLim(f64, f64),
    Grid,
    Legend,
    XLabel(String),
    YLabel(String),
    Title(String),
    /// `rc("figure", figsize=(w, h))`, in inches.
    FigSize(f64, f64),
    /// `rc("figure", dpi=d)`.
    Dpi(f64),
    /// `rc("axes", unicode_minus=b)`.
    UnicodeMinus(bool),
    SaveFig {
        path: String,
        span: Span,
    },
}

/// Something the program does at a point in its order.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// `manual_seed(s)`.
    Seed(u64),
    /// A random node draws from the generator here, and nowhere else.
    Sample(NodeId),
    Print(Vec<PrintArg>),
    /// `print(..., end="")`, whose `end` does not end the line: the pieces
    /// written in a row, with nothing added (the separators and the `end` are
    /// pieces of text).
    Write(Vec<PrintArg>),
    Figure(FigureEffect),
    /// `assert test, message` whose test is known only at run time: stops the
    /// program, with the message (print arguments, empty for none) and the
    /// statement's span, when `cond` (a 0-d bool) is false.
    Assert {
        cond: NodeId,
        message: Vec<PrintArg>,
        /// The exception the stop names: `AssertionError` for an `assert`, the
        /// raised one for a `raise` (whose `cond` is a constant false).
        exception: String,
        span: Span,
    },
    /// `save(t, path)`: writes the node's value to a `.npy` file (the path resolved
    /// relative to the `.act` file).
    Save {
        node: NodeId,
        path: String,
        span: Span,
    },
    /// Runs the program's loop region `region` ([`Program::regions`]) here: `inputs`
    /// feed the body's inputs after the loop index (body input 0), and `outputs`
    /// are this program's `RegionOutput` nodes, one per body output.
    Loop {
        region: u32,
        inputs: Vec<NodeId>,
        outputs: Vec<NodeId>,
    },
    /// A run-time `if`: runs region `then` (one iteration) when `cond` (a 0-d or
    /// one-element bool) is true, region `otherwise` when it is false. Both bodies
    /// take the same `inputs` and export the same `outputs`.
    Branch {
        cond: NodeId,
        then: u32,
        otherwise: u32,
        inputs: Vec<NodeId>,
        outputs: Vec<NodeId>,
    },
}

impl Effect {
    /// The nodes the effect reads.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Effect::Seed(_) => vec![],
            Effect::Sample(n) => vec![*n],
            Effect::Print(args) | Effect::Write(args) => args.iter().flat_map(PrintArg::nodes).collect(),
            Effect::Assert { cond, message, .. } => std::iter::once(*cond).chain(message.iter().flat_map(PrintArg::nodes)).collect(),
            Effect::Figure(FigureEffect::Plot { x, y, .. } | FigureEffect::Scatter { x, y, .. }) => vec![*x, *y],
            Effect::Figure(_) => vec![],
            Effect::Save { node, .. } => vec![*node],
            // The outputs count too: the loop step defines them, so they stay in the
            // graph (and in the plan) whether or not a later statement reads them.
            Effect::Loop { inputs, outputs, .. } => inputs.iter().chain(outputs).copied().collect(),
            Effect::Branch { cond, inputs, outputs, .. } => std::iter::once(cond).chain(inputs).chain(outputs).copied().collect(),
        }
    }

    /// Rewrites every node the effect reads.
    pub fn map_nodes(&mut self, f: &mut dyn FnMut(NodeId) -> NodeId) {
        match self {
            Effect::Seed(_) => {}
            Effect::Sample(n) => *n = f(*n),
            Effect::Print(args) | Effect::Write(args) => {
                for a in args {
                    a.map_nodes(f);
                }
            }
            Effect::Assert { cond, message, .. } => {
                *cond = f(*cond);
                for a in message {
                    a.map_nodes(f);
                }
            }
            Effect::Figure(FigureEffect::Plot { x, y, .. } | FigureEffect::Scatter { x, y, .. }) => {
                *x = f(*x);
                *y = f(*y);
            }
            Effect::Figure(_) => {}
            Effect::Save { node, .. } => *node = f(*node),
            Effect::Loop { inputs, outputs, .. } => {
                for n in inputs.iter_mut().chain(outputs.iter_mut()) {
                    *n = f(*n);
                }
            }
            Effect::Branch { cond, inputs, outputs, .. } => {
                *cond = f(*cond);
                for n in inputs.iter_mut().chain(outputs.iter_mut()) {
                    *n = f(*n);
                }
            }
        }
    }
}

/// The trip count of a `while` loop (`lower/jumps.rs`): as many iterations as
/// an i64 index counts, which a `break` ends. A backward through such a loop is
/// refused (E0604), as its tape would have a row for each.
pub const UNBOUNDED_TRIP: u64 = i64::MAX as u64;

/// A `for i in range(...)` loop compiled once: its body is a program of its own,
/// which the driver differentiates, optimizes, fuses and schedules like any
/// program, and which the runtime runs `trip` times.
///
/// Body input 0 is the loop index (a 0-d i64, `start + k * step` in iteration
/// `k`); the others are the values the body reads from outside it, fed by the
/// [`Effect::Loop`]'s `inputs`. Body output `j` is the export named `out{j}`.
/// A carried value `(j, k)` feeds body output `j` of one iteration to body input
/// `k` of the next; an input that is not carried keeps its outer value.
#[derive(Clone, Debug)]
pub struct LoopRegion {
    pub body: Program,
    pub trip: u64,
    pub start: i64,
    pub step: i64,
    pub carried: Vec<(u32, u32)>,
    /// A body output (a 0-d bool) after which, once it is true, the remaining
    /// iterations do nothing: a `break` flag whose `if not` guards the whole
    /// body (`lower/jumps.rs`). The runtime stops there; running them anyway
    /// gives the same values, so a consumer may ignore it.
    pub exit: Option<u32>,
    /// The `for` statement.
    pub span: Span,
    /// The body's plan, once the driver has compiled it.
    pub plan: Option<graphc_runtime::plan::Plan>,
}

impl LoopRegion {
    /// The name of body output `j` among the body's exports.
    pub fn output_name(j: usize) -> String {
        format!("out{j}")
    }

    /// Which body output an export named `name` is (`outJ` gives `J`), if it is one.
    pub fn output_index(name: &str) -> Option<usize> {
        name.strip_prefix("out")?.parse().ok()
    }
}

/// One call of a user `op` that has a backward block.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomCall {
    pub op_name: String,
    pub span: Span,
    /// The call's arguments, one per parameter.
    pub inputs: Vec<NodeId>,
    /// The node that holds the op's result; autodiff applies the op's backward here.
    pub output: NodeId,
    /// The template's gradient parameter (`Param(0)`, in a `Template` region).
    pub grad_param: NodeId,
    /// Saved values: the forward node saved, and the template `Param` standing for it.
    pub saved: Vec<SavedValue>,
    /// The gradient the backward block returns for each parameter, or `None` for `none`.
    pub returns: Vec<Option<NodeId>>,
    /// The op's further outputs when its forward returns several (`return a, b`),
    /// each with the template parameter of its incoming gradient; empty for one output.
    pub extra_outputs: Vec<(NodeId, NodeId)>,
}

impl CustomCall {
    /// The `grad_fn` PyTorch names the call's outputs by: `NameBackward` for a
    /// user op, as for a `torch.autograd.Function`; a builtin lowered as an op
    /// (`lower/builtin_backward.rs`) is named by its node's own name, which
    /// ends in its version (`GluBackward0`).
    pub fn grad_fn(&self) -> String {
        match self.op_name.strip_suffix(char::is_numeric) {
            Some(node) if node.ends_with("Backward") => self.op_name.clone(),
            _ => format!("{}Backward", self.op_name),
        }
    }
}

/// A value an op's forward saved for its backward.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedValue {
    pub name: String,
    pub forward: NodeId,
    pub param: NodeId,
}

/// One `backward(...)` call of the program, in program order.
#[derive(Clone, Debug, PartialEq)]
pub struct BackwardCall {
    pub span: Span,
    /// The tensor differentiated.
    pub root: NodeId,
    /// The gradient flowing into `root` (the `grad=` argument).
    /// `None` for an implicit seed of ones (`y.backward()` of a one-element `y`),
    /// which autodiff creates in the backward's region.
    pub seed: Option<NodeId>,
    pub retain_graph: bool,
    /// For each tensor that receives a gradient (the reached leaves for
    /// `backward`, the `x` of `grad(y, x)`): the tensor, and the placeholder
    /// (`Param`, region `Backward(k)`) that autodiff replaces with the gradient.
    pub targets: Vec<(NodeId, NodeId)>,
    /// Set when lowering derived this call already (`grad(..., create_graph=true)`,
    /// whose result later statements differentiate again): the forward nodes whose
    /// saved values it read, for the retain_graph rule, and the values it read.
    pub derived: Option<DerivedCall>,
}

/// What an already-derived call read.
#[derive(Clone, Debug, PartialEq)]
pub struct DerivedCall {
    pub holders: Vec<NodeId>,
    pub forward_reads: Vec<NodeId>,
}

/// The program after lowering; autodiff and passes transform it in place.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub graph: Graph,
    pub effects: Vec<Effect>,
    pub backwards: Vec<BackwardCall>,
    pub custom_calls: Vec<CustomCall>,
    /// For a node that is the output of a custom call: the call's index.
    pub custom_output: HashMap<NodeId, usize>,
    /// Leaves created with `requires_grad=true`.
    pub leaves: Vec<NodeId>,
    /// The declared inputs, in declaration order: `Op::Input(k)` is `inputs[k]`.
    pub inputs: Vec<ProgramInput>,
    /// The declared value range (`in [LO, HI]`) of each input node that has one,
    /// for range analysis. An input node is never merged or folded, so the id stays
    /// valid through the passes unless dead-code elimination removes the node.
    /// Lowering and autodiff add the ranges of computed nodes that they know by
    /// construction (an optimizer's ratio in [0, 1], `RuleCtx::known_ranges`).
    pub input_ranges: HashMap<NodeId, (f64, f64)>,
    /// Top-level tensors that can be saved after the run: each top-level name's
    /// final tensor binding, and `name.grad` for the final gradient of a leaf
    /// bound to a top-level name (when a backward reached it). Lowering records
    /// all of them; the driver keeps only those requested, which then count as
    /// roots, so the passes keep them alive and rewrites update them.
    pub exports: HashMap<String, NodeId>,
    /// The loop regions that [`Effect::Loop`]s run, by index.
    pub regions: Vec<LoopRegion>,
    /// The directory of the `.act` file, against which the relative paths of
    /// `load` and `save` resolve when the plan is made (`None`: the working
    /// directory). The graph keeps the paths as written, so that `graphc ir` shows
    /// what the source says wherever the checkout lives.
    pub base_dir: Option<std::path::PathBuf>,
    /// The in-place updates, in program order, for the check that no backward
    /// reads a value an in-place update replaced before it ran (E0621).
    pub mutations: Vec<Mutation>,
}

impl Program {
    /// `path` (as a program wrote it) resolved against [`Program::base_dir`].
    pub fn resolve_path(&self, path: &str) -> String {
        resolve_path(self.base_dir.as_deref(), path)
    }

    /// Whether any of `effects` (of this program) seeds or draws, within the
    /// regions they run too.
    pub fn draws_in(&self, effects: &[Effect]) -> bool {
        let region = |r: u32| {
            let body = &self.regions[r as usize].body;
            body.draws_in(&body.effects)
        };
        effects.iter().any(|e| match e {
            Effect::Seed(_) | Effect::Sample(_) => true,
            Effect::Loop { region: r, .. } => region(*r),
            Effect::Branch { then, otherwise, .. } => region(*then) || region(*otherwise),
            Effect::Print(_) | Effect::Write(_) | Effect::Assert { .. } | Effect::Figure(_) | Effect::Save { .. } => false,
        })
    }
}

/// `path` resolved against `base`: an absolute path as it is, a relative one joined
/// to `base` (or left relative to the working directory when there is none).
pub fn resolve_path(base: Option<&std::path::Path>, path: &str) -> String {
    match base {
        Some(dir) if std::path::Path::new(path).is_relative() => dir.join(path).to_string_lossy().into_owned(),
        _ => path.to_string(),
    }
}

/// One in-place update (`y += 1`, `p.mul_(2)`, `x[i] = v`): the object's value
/// was `old` and is `new` from here on.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    pub old: NodeId,
    pub new: NodeId,
    /// The op that computed the new value from the old one (its own rule may read
    /// the old value: PyTorch keeps a copy for it).
    pub by: NodeId,
    /// The update statement or call.
    pub span: Span,
    /// How many backward calls the program made before the update: a later one
    /// that reads `old` needs a value that is gone.
    pub backwards_before: usize,
}

/// One `input NAME: DTYPE[DIMS]` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramInput {
    pub name: String,
    /// The `Op::Input` node (None if the optimizer removed it as unused).
    pub node: Option<NodeId>,
    pub dtype: graphc_runtime::DType,
    pub shape: Vec<usize>,
    pub requires_grad: bool,
    pub span: Span,
}

impl ProgramInput {
    /// The input named `name` that node `n` (of `node`, with `meta`) holds.
    pub fn of_node(name: String, n: NodeId, node: &super::graph::Node, meta: &super::graph::NodeMeta) -> ProgramInput {
        ProgramInput { name, node: Some(n), dtype: node.dtype, shape: node.shape.clone(), requires_grad: meta.requires_grad, span: meta.span }
    }
}

impl Program {
    /// Makes every reader of `old` (graph edges and effects) read `new`.
    pub fn replace_all_uses(&mut self, old: NodeId, new: NodeId) {
        self.graph.replace_uses(old, new);
        self.redirect_effects(&mut |n| if n == old { new } else { n });
    }

    /// Makes every effect and export read `f(n)` where it read `n` (the graph's
    /// own edges are left alone). A pass that replaces many nodes rewires the
    /// graph node by node and the effects once, with one map, so that a program
    /// of many effects is not scanned once per replaced node.
    pub fn redirect_effects(&mut self, f: &mut dyn FnMut(NodeId) -> NodeId) {
        for e in &mut self.effects {
            e.map_nodes(f);
        }
        for n in self.exports.values_mut() {
            *n = f(*n);
        }
    }

    /// [`Program::replace_all_uses`], and also every reference that op calls and
    /// backward calls hold: a gradient placeholder can be an op's argument or saved
    /// value, or a later backward's root or seed, before autodiff fills it in.
    pub fn replace_value(&mut self, old: NodeId, new: NodeId) {
        self.replace_all_uses(old, new);
        let swap = |n: &mut NodeId| {
            if *n == old {
                *n = new;
            }
        };
        for call in &mut self.custom_calls {
            call.inputs.iter_mut().for_each(swap);
            call.saved.iter_mut().for_each(|s| swap(&mut s.forward));
        }
        for b in &mut self.backwards {
            swap(&mut b.root);
            b.seed.iter_mut().for_each(swap);
        }
    }

    /// Inputs whose node the passes removed are no longer loaded.
    pub fn forget_removed_inputs(&mut self) {
        self.input_ranges.retain(|n, _| self.graph.contains(*n));
        for input in &mut self.inputs {
            input.node = input.node.filter(|n| self.graph.contains(*n));
        }
    }

    /// The nodes that effects read: the roots that keep the rest alive.
    pub fn roots(&self) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self.effects.iter().flat_map(|e| e.nodes()).collect();
        v.extend(self.exports.values().copied());
        v.sort();
        v.dedup();
        v
    }
}
