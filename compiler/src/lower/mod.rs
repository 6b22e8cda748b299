//! Lowering: the checked AST becomes the program graph.
//!
//! Lowering walks the top-level statements in order, evaluating each
//! expression to a [`Value`]: tensors become graph nodes with their dtype and
//! shape computed (and checked) on the spot, numbers and strings stay
//! compile-time values. `fn` calls and `op` forward blocks are inlined; an
//! `op`'s backward block is lowered once per call site into a template that
//! autodiff instantiates. A `backward` call records which leaves receive a
//! gradient and gives each `.grad` a new value node, so that every read of
//! `.grad` is an ordinary node: the program stays a pure dataflow graph plus an
//! ordered list of effects (seed, sample, print, plot).
//!
//! Errors do not stop lowering: a failed expression becomes [`Value::Poison`],
//! which silently propagates, so one mistake yields one diagnostic.

/// A value from a call that gave one, or the poison value from the function
/// (for lowerings written as a chain of builtin calls, which report their
/// own errors). Defined before the submodules so that each sees it.
macro_rules! or_poison {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return Value::Poison,
        }
    };
}

mod activation_calls;
mod add_products;
mod addc;
mod advanced;
mod affine;
mod all_any;
mod arith_calls;
mod asserts;
mod assign;
mod attention_modules;
mod closeness;

mod batch_norm_calls;
mod bce_options;
mod bernoulli;
mod bilinear;
mod bitwise;
mod branches;
mod budget;
mod builtin_backward;
mod builtin_calls;
mod chained_comparisons;
mod clamp_tensor;
mod class_loss_options;
mod class_losses;
mod clip_grad_calls;
mod composite_losses;
mod comprehensions;
mod conditional_appends;
mod conditional_exprs;
mod conditions;
mod conv_calls;
mod copysign;
mod cosine_similarity;
mod counter_conditions;
mod covariance;
mod creation_calls;
mod cross;
mod data_calls;
mod data_loader;
mod dataset_objects;
mod dicts;
mod diff_frac;
mod distances;
mod dropout;
mod dtypes;
mod dyn_index;
mod early_returns;
mod einsum;
mod embedding_bag;
mod entr;
mod exprs;
mod extreme_calls;
mod figure_calls;
mod figure_settings;
mod fmax;
mod fold_calls;
mod fstrings;
mod functional_calls;
mod gather_calls;
mod gelu_round_calls;
mod generators;
mod grid_calls;
mod group_norm_calls;
mod gumbel_softmax;
mod host_math;
mod host_values;
mod index;
mod index_copy;
mod index_fill;
mod index_put;
mod index_sets;
mod inplace;
mod instance_norm;
mod integration;
mod isin;
mod join_calls;
mod jumps;
mod kl_div;
mod known_values;
mod kron;
mod lambdas;
mod layer_norm_calls;
mod ldexp;
mod lerp_calls;
mod linalg_norm;
mod lists;
mod logit;
mod loop_grads;
mod loops;
mod loss_calls;
mod lp_pool;
mod mask_copy;
mod mask_index;
mod matrix_aliases;
mod max_unpool;
mod median_calls;
mod membership;
mod meshgrid;
mod module_state;
mod multi_margin;
mod multilabel_margin;
mod multinomial;
mod mvlgamma;
mod nan_reductions;
mod narrow_calls;
mod ndtr;
mod nn_composites;
mod nn_init;
mod nn_modules;
mod no_grad;
mod numpy_shapes;
mod objects;
mod one_hot;
pub(crate) mod optim;
mod out_args;
mod output_calls;
mod pad_calls;
mod percent_format;
mod polygamma;
mod pool_calls;
mod prelu;
mod prod_calls;
mod random_fill;
mod rearrange_calls;
mod reduction_calls;
mod regions;
mod remainders;
mod rematerialize;
mod repeat_interleave;
mod resample_calls;
mod reshape_calls;
mod retain_grad;
mod rnn_modules;
mod row_loops;
mod scatter_calls;
mod sdpa;
mod search_calls;
mod shape_calls;
mod small_elementwise;
mod sort_calls;
mod stacked_lists;
mod state;
mod str_methods;
mod surrogate;
mod take;
mod tensordot;
mod transformer_modules;
mod triangle_calls;
mod tuples;
mod user_calls;
mod vander;
mod vector_products;
mod view_map;
mod views;
mod views_inplace;
mod xlogy;

use std::collections::HashMap;

use graphc_runtime::op::Unary;
use graphc_runtime::{DType, Op};

use crate::check::ops::{check_definitions, Defs};
use crate::diag::Diagnostic;
use crate::ir::graph::{Node, NodeId, NodeMeta, Region};
use crate::ir::program::{Program, ProgramInput};
use crate::syntax::ast::{Block, File, InputDecl, Item, Span, Stmt, StmtKind};
pub use dropout::DropoutKind;
pub use lambdas::Closure;
pub use nan_reductions::NanReduction;
pub use nn_modules::{is_class_name, is_module_class};

/// A compile-time value.
#[derive(Clone, Debug)]
pub enum Value {
    Tensor(NodeId),
    /// A number literal or arithmetic on literals; it becomes a tensor of the
    /// dtype of the tensor it meets (PyTorch's wrapped-number rule).
    Number(Num),
    Str(String),
    Bool(bool),
    None,
    DType(DType),
    List(Vec<(Value, Span)>),
    /// A Python tuple: `(a, b)`, a fn's `return a, b`.
    Tuple(Vec<(Value, Span)>),
    /// A Python dict (`{"lr": 0.1}`): its keys, compile-time strings, numbers,
    /// bools, `None` or tuples of them, in insertion order, and the value of
    /// each, which may be anything, run-time values included (`dicts.rs`).
    Dict {
        keys: Vec<Value>,
        items: Vec<(Value, Span)>,
        /// A `collections.OrderedDict` (`OrderedDict(pairs)`, a module's
        /// `state_dict()`): the same dict, printed as Python prints that class.
        ordered: bool,
    },
    /// An object of a `class` of the file or of a `torch.nn` module (`Linear(4,
    /// 2)`): its class and its attributes, in the order they were first set
    /// (`objects.rs`). Like a dict it is a value whose items are places a loop
    /// carries; a method that changes its object changes what the receiver
    /// names, and a fn that changes an object passed to it changes the caller's.
    /// `id` is the object's identity: every copy of the value with that id is
    /// the same Python object, so a change through one is made to all that the
    /// program can reach (`Lowerer::share_object`).
    Object {
        class: std::rc::Rc<str>,
        id: u32,
        names: Vec<String>,
        items: Vec<(Value, Span)>,
    },
    /// A PyTorch named tuple (`torch.return_types.max`, what `x.max(dim=1)`
    /// gives): a tuple whose items are also fields (`.values`, `.indices`). It
    /// indexes, unpacks and spreads as a tuple and prints as PyTorch prints it.
    Named {
        /// The function that made it: `torch.return_types.{kind}`.
        kind: &'static str,
        fields: &'static [&'static str],
        items: Vec<(Value, Span)>,
    },
    /// A tensor's shape (`x.shape`, `x.size()`): PyTorch's `torch.Size`, a tuple of ints.
    Size(Vec<usize>),
    /// A Python number or bool known only at run time (a loop counter, a
    /// `loss.item()`): a 0-d node of dtype i64 (`Int`), f64 (`Float`) or bool
    /// (`Bool`) that never requires grad. It behaves as the Python value it
    /// stands for: it meets a tensor as a wrapped number, and it formats and
    /// prints as Python does.
    Host {
        node: NodeId,
        kind: HostKind,
    },
    /// A `torch.optim` optimizer (`SGD(...)`, `Adam(...)`, `AdamW(...)`): an index
    /// into the lowering's table of optimizers (`optim/mod.rs`).
    Optimizer(usize),
    /// The one parameter group of optimizer `optimizer` (`opt.param_groups[0]`),
    /// whose `["lr"]` is read and assigned, or (`defaults`) `opt.defaults`, the
    /// options it was made with, read only (`optim/param_groups.rs`).
    ParamGroup {
        optimizer: usize,
        defaults: bool,
    },
    /// `opt.state` (`param` is `None`) or `opt.state[p]`, the state optimizer
    /// `optimizer` keeps for its parameter `param`, whose entries are read
    /// (`optim/state_read.rs`).
    OptimizerState {
        optimizer: usize,
        param: Option<usize>,
    },
    /// A learning-rate scheduler (`StepLR(opt, 30)`): an index into the table
    /// of schedulers (`optim/schedulers.rs`).
    Scheduler(usize),
    /// A `torch.Generator()` of its own: an index into the generators the
    /// program made, whose draws graphc makes when compiling (`generators.rs`).
    Generator(usize),
    /// An f-string with run-time values (`f"loss {loss.item():.4f}"`): its pieces,
    /// printed in a row, the run-time ones formatted when the program prints.
    Text(Vec<crate::ir::program::PrintArg>),
    /// A function as a value (`loss_func = nll`, `act = relu`): the name of the
    /// op, fn or builtin it is, called through the name it is bound to, and
    /// which definition of a fn defined more than once it was when it was named
    /// (0 the first, `k` the `k`-th of `Defs::redefined`), as a Python name
    /// holds the function object. Known at compile time, like every callee.
    Func(String, usize),
    /// A `lambda`'s function (`net = lambda X: linreg(X, w, b)`): its definition
    /// and the names it closes over (`lambdas.rs`).
    Lambda(Closure),
    /// A tensor's `grad_fn` (`z.grad_fn`, `None` for a leaf or a tensor that
    /// does not require grad): the name of the backward node PyTorch records
    /// (`AddBackward0`), known at compile time. `.name()` gives the name.
    GradFn(String),
    /// A list that the `range` loop whose body is being lowered appends to in
    /// every iteration, kept as a tensor until the loop ends (`stacked_lists.rs`):
    /// the body may only append to it.
    Appending(String),
    /// `TensorDataset(x, y)`: tensors of as many rows, whose `i`-th sample is
    /// the tuple of their `i`-th rows (`data_loader.rs`).
    Dataset(Vec<NodeId>),
    /// `DataLoader(dataset, batch_size=, shuffle=, drop_last=)` over a
    /// `TensorDataset`, which a `for` loop walks batch by batch (`data_loader.rs`).
    Loader(data_loader::Loader),
    /// The result of an expression that already produced a diagnostic.
    Poison,
}

/// A Python number known at compile time. An int is kept exactly: Python's ints
/// are exact, and an f64 holds integers only up to 2^53. The payload is wider
/// than int64 so that `2**64 - 1` can be computed for `manual_seed`; an int
/// beyond int64 anywhere else is refused (E0665, `data_calls.rs`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    /// A number from an f64 and whether it is an int (truncated toward zero).
    pub fn new(value: f64, is_int: bool) -> Num {
        if is_int {
            Num::Int(value as i128)
        } else {
            Num::Float(value)
        }
    }

    /// The value as an f64: the nearest one for an int beyond 2^53, as Python's
    /// `float(n)` rounds.
    pub fn f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(v) => v,
        }
    }

    pub fn is_int(self) -> bool {
        matches!(self, Num::Int(_))
    }

    /// The IR constant of this number (an int beyond int64, an E0665 already,
    /// saturates).
    pub fn scalar(self) -> graphc_runtime::op::Scalar {
        match self {
            Num::Int(i) => graphc_runtime::op::Scalar::Int(i.clamp(i64::MIN as i128, i64::MAX as i128) as i64),
            Num::Float(v) => graphc_runtime::op::Scalar::float(v),
        }
    }

    /// The int, when this is an int within int64.
    pub fn i64(self) -> Option<i64> {
        match self {
            Num::Int(i) => i64::try_from(i).ok(),
            Num::Float(_) => None,
        }
    }
}

/// The Python type a [`Value::Host`] stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKind {
    Int,
    Float,
    Bool,
}

impl Value {
    /// The tensor this value is, if it is one.
    pub(crate) fn as_tensor(&self) -> Option<NodeId> {
        match self {
            Value::Tensor(t) => Some(*t),
            _ => None,
        }
    }

    /// What kind of value this is, for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Tensor(_) => "a tensor",
            Value::Number(Num::Int(_)) => "an integer",
            Value::Number(_) => "a number",
            Value::Str(_) => "a string",
            Value::Bool(_) => "a boolean",
            Value::None => "`none`",
            Value::DType(_) => "a dtype",
            Value::List(_) => "a list",
            Value::Tuple(_) => "a tuple",
            Value::Dict { .. } => "a dict",
            Value::Object { .. } => "an object",
            Value::Named { .. } => "a named tuple",
            Value::Size(_) => "a shape",
            Value::Host { kind: HostKind::Int, .. } => "a run-time integer",
            Value::Host { kind: HostKind::Float, .. } => "a run-time number",
            Value::Host { kind: HostKind::Bool, .. } => "a run-time boolean",
            Value::Optimizer(_) => "an optimizer",
            Value::ParamGroup { defaults: false, .. } => "a param group",
            Value::ParamGroup { defaults: true, .. } => "an optimizer's defaults",
            Value::OptimizerState { param: None, .. } => "an optimizer's state",
            Value::OptimizerState { param: Some(_), .. } => "a parameter's optimizer state",
            Value::Scheduler(_) => "a learning-rate scheduler",
            Value::Generator(_) => "a generator",
            Value::Text(_) => "a run-time string",
            Value::Func(..) | Value::Lambda(_) => "a function",
            Value::GradFn(_) => "a `grad_fn`",
            Value::Appending(_) => "a list this loop appends to",
            Value::Dataset(_) => "a dataset",
            Value::Loader(_) => "a data loader",
            Value::Poison => "an invalid value",
        }
    }
}

/// The names visible in one body: the top level, or one inlined call of an op or fn.
#[derive(Default)]
pub struct Scope {
    names: HashMap<String, Value>,
    /// A fn body reads the top-level names bound before the call when it has no
    /// name of its own (Python's module globals); op blocks and the top level do not.
    reads_globals: bool,
}

/// Lowering state.
pub struct Lowerer<'a> {
    defs: &'a Defs<'a>,
    /// Whether the program assigns a learning rate (`group["lr"] = v`), so that
    /// optimizers hold theirs as a node from the start (`optim/param_groups.rs`).
    assigns_lr: bool,
    pub(crate) prog: Program,
    diags: Vec<Diagnostic>,
    /// The current `.grad` of each requires-grad leaf: `None` until a backward reaches it.
    grad_state: HashMap<NodeId, Option<NodeId>>,
    /// The `.grad` of each computed tensor that `retain_grad()` asked to keep
    /// its gradient (`retain_grad.rs`): `None` until a backward reaches it.
    retained: HashMap<NodeId, Option<NodeId>>,
    /// In-place updates: a tensor updated in place (`p -= lr * g`) gets a new node
    /// for its new value, and every name, list item and table that still holds the
    /// old node reads the new one through [`Lowerer::current`] (`state.rs`).
    versions: HashMap<NodeId, NodeId>,
    /// PyTorch's `grad_fn` name of each node that has one (for printing).
    grad_fn: HashMap<NodeId, String>,
    /// The region new nodes go to.
    region: Region,
    /// While lowering an op's backward template, nodes do not require grad:
    /// autodiff recomputes the flag for every copy it makes.
    no_grad: bool,
    /// Ops and fns being inlined, innermost last.
    call_stack: Vec<String>,
    /// The resource budget and what has been reported against it (`budget.rs`).
    budget: budget::State,
    /// The ops being inlined, innermost last, for `needs_grad`.
    op_frames: Vec<OpFrame>,
    /// The top-level names bound so far, which fn bodies read as globals.
    globals: HashMap<String, Value>,
    /// Globals that a method or fn changed (an object's attribute set through
    /// a global name): the top level reads them anew (`objects.rs`).
    changed_globals: std::collections::HashSet<String>,
    /// The class whose method is being lowered, with the name of its object
    /// parameter (`self`), innermost last, for `super()`.
    class_stack: Vec<(&'a crate::syntax::ast::ClassDef, String)>,
    /// The tensors made as `Parameter`s (by `Parameter(...)` or a module), by
    /// their first version: what `parameters()` yields (`nn_modules.rs`).
    param_origins: std::collections::HashSet<NodeId>,
    /// The tensors registered as a module's persistent buffers (`register_buffer`,
    /// a batch norm's running statistics), by origin: a state dict holds them.
    buffer_origins: std::collections::HashSet<NodeId>,
    /// The identity the next object made gets (`Value::Object`'s `id`).
    next_object_id: u32,
    /// The dtype of the parameters and buffers a module being made gets (its
    /// `dtype=` option; f32 otherwise).
    param_dtype: DType,
    /// Integer literals beyond int64, reported at the end (E0665) unless a
    /// `manual_seed` took them, whose range reaches 2^64 - 1 (`data_calls.rs`).
    big_literals: Vec<Span>,
    /// The optimizers the program made, with their parameters and state (`optim/mod.rs`).
    optim: optim::Table,
    /// The generators the program made (`Generator()`), in their state at this
    /// point of the program: their draws are made when compiling (`generators.rs`).
    generators: Vec<graphc_runtime::rng::Generator>,
    /// Whether a loop body is being lowered (its inputs come from outside it).
    in_loop_body: bool,
    /// The kind of body the statement being lowered is in, for expressions that
    /// lower statements of their own (`conditional_exprs.rs`).
    body_kind: BodyKind,
    /// How many run-time conditional expressions enclose the one being lowered.
    if_else_depth: usize,
    /// The values of the current body's inputs that are known when compiling
    /// (bool tensors computed from constants outside it), and the inputs a read
    /// through a known mask relied on, with the read's span (`known_values.rs`).
    known_inputs: HashMap<NodeId, graphc_runtime::Tensor>,
    used_known: Vec<(NodeId, Span)>,
    /// Whether a `backward` of a value already in error ran: the `.grad`s it
    /// would have set are unknown, so reading one that is still `None` adds no
    /// error of its own.
    poisoned_backward: bool,
    /// Names a run-time `if` bound on one side only (`for param in params` in
    /// it), by the span of that `if`: unbound after it, as Python leaves them
    /// when the other side ran; reading one is E0606 at the read (`branches.rs`).
    one_sided: HashMap<String, (Span, Option<crate::syntax::ast::Jump>)>,
    /// Names that the two sides of a run-time `if` leave holding different kinds
    /// of values (a tensor on one, a Python number on the other: the tutorial's
    /// `loss = loss.item()` in `if batch % 100 == 0`), with the `if`'s span:
    /// unbound after it, and E0606 where read (`branches.rs`).
    split_kinds: HashMap<String, Span>,
    /// The figure's size and dpi so far, and whether it was started (`figure_settings.rs`).
    figure_setup: figure_settings::Setup,
    /// The views bound to names (`h = x[0]`), by the node each was made as: an
    /// update of the base reads them again (`views_inplace.rs`).
    live_views: Vec<NodeId>,
    /// In a loop body, the inputs that are views made before the loop, and the
    /// bases of those views: the body cannot see that they share elements, so
    /// updating either in place is E0703.
    loop_views: std::collections::HashSet<NodeId>,
    /// The view an update is being written through, which the update reads again
    /// itself once its base is updated.
    writing_view: Option<NodeId>,
    /// The loop counter of the body being lowered, if it is a `range` loop's, with
    /// every value it takes: a subscript that reads it at the top of the body runs
    /// in every iteration, so an index out of bounds in one is found when compiling.
    counter: Option<Counter>,
    /// A run-time slice of the counter's loop that runs past the end of its
    /// dimension from some iteration on (`x[i*bs:(i+1)*bs]` with a last, shorter
    /// batch): the first such iteration, counted from the loop's first, and the
    /// error to report if the loop cannot split those iterations off
    /// (`loops.rs`, `dyn_index.rs`).
    clamped_tail: Option<(u64, crate::diag::Diagnostic)>,
    /// The break flag of the loop `for_stmt` lowers next (`jumps.rs`), which its
    /// region stops on.
    pending_exit: Option<String>,
    /// Set while the two sides of a guard that `jumps.rs` wrote are joined.
    jump_guard: Option<crate::syntax::ast::Jump>,
    /// The programs around the body being lowered, innermost last, for a
    /// backward that computes again what the program around computed
    /// (`rematerialize.rs`).
    enclosing: Vec<rematerialize::Enclosing>,
    /// The `.grad` places that a `break` guard's join filled with zeros
    /// (`branches.rs`), which the loop's lowering turns into marks after it.
    break_fills: Vec<(String, Span)>,
    /// Gradients after a loop that stand for `None` when the loop broke before
    /// its first backward, with the `break`: reading one is E0605 (`jumps.rs`).
    uncertain_grads: HashMap<NodeId, Span>,
    /// Optimizers whose state after a loop stands for none when the loop broke
    /// before their first `step()`, with the `break`: E0605 at their next use.
    uncertain_optimizers: HashMap<usize, Span>,
    /// The list and dict arguments the fn just called changed in place: each
    /// argument's span and its value after the call (`user_calls.rs`).
    mutated_args: Vec<(Span, Value)>,
    /// The fns defined again so far at the top level: which definition each
    /// name calls now (`k`, the `k`-th of `Defs::redefined`; absent, the first).
    fn_now: HashMap<String, usize>,
    /// Set by `x[...] op= v` while it reads its target: a subscript with a
    /// boolean mask then hands its evaluated items over in `mask_update`
    /// instead of reading (whose shape only the run knows), and the update is
    /// written through the mask (`mask_index.rs`).
    mask_update_read: bool,
    /// The tensor and evaluated subscript a masked `x[...] op= v` updates.
    mask_update: Option<(NodeId, Vec<dyn_index::Sub>)>,
    /// The lists the loops being lowered append to, kept as tensors (`stacked_lists.rs`).
    stacking: Vec<stacked_lists::Stacking>,
    /// How many loop bodies and run-time branches enclose what is being lowered.
    body_depth: usize,
    /// The body depth of each run-time `if` whose sides are being lowered.
    if_depths: Vec<usize>,
    /// Run-time `if`s of a `range` loop's body whose condition depends on the
    /// counter alone: the condition's span, the condition, and the counter's
    /// first value, step and count in the region lowered. A loop splits its
    /// iterations where such a condition changes when the `if` cannot be a
    /// run-time branch (`loops.rs`); only then is it evaluated per iteration.
    counter_splits: Vec<(Span, counter_conditions::CounterCondition, i64, i64, u64)>,
    /// The conditions a loop splits at: in each part of the loop they hold in
    /// every iteration or in none, and are decided when compiling.
    decided_by_counter: std::collections::HashSet<Span>,
    /// Lists that one side of a run-time `if` in a loop's first lowering made
    /// longer, for the loop to keep as tensors (`conditional_appends.rs`).
    cond_growth: Vec<conditional_appends::CondGrowth>,
}

/// A `range` loop's counter node in its body, its name, and the values it takes:
/// `first + t * step` for `t` in `0..trip`.
#[derive(Clone, Debug)]
pub(super) struct Counter {
    pub node: NodeId,
    pub name: String,
    pub first: i64,
    pub step: i64,
    pub trip: u64,
}

impl Counter {
    /// The counter's value in iteration `t`.
    pub fn at(&self, t: i128) -> i128 {
        self.first as i128 + t * self.step as i128
    }
}

/// An op call being inlined: its parameters and whether each one's argument
/// requires grad at this call.
pub(crate) struct OpFrame {
    pub params: Vec<crate::syntax::ast::Ident>,
    pub needs: HashMap<String, bool>,
    /// The tensors the forward block passed to `mark_non_differentiable`.
    pub non_differentiable: Vec<NodeId>,
    /// Whether the op's forward block (not its backward) is being lowered.
    pub in_forward: bool,
}

/// Lowers a parsed file. Returns the program, or every error found.
/// The learning-rate scheduler a call name makes, when it is one (for the exporter).
pub fn optim_schedulers_lookup(name: &str) -> Option<&'static str> {
    optim::schedulers::lookup(name)
}

pub fn lower(file: &File) -> Result<Program, Vec<Diagnostic>> {
    lower_within(file, crate::driver::budget::Budget::default())
}

/// Lowers a parsed file, refusing tensors and graphs beyond `limits`.
pub fn lower_within(file: &File, limits: crate::driver::budget::Budget) -> Result<Program, Vec<Diagnostic>> {
    lower_in(file, limits, None)
}

/// Lowers a parsed file as [`lower_within`] does, resolving the relative paths of
/// `load` and `save` against `source_dir` (the `.act` file's directory).
pub fn lower_in(file: &File, limits: crate::driver::budget::Budget, source_dir: Option<&std::path::Path>) -> Result<Program, Vec<Diagnostic>> {
    let (defs, mut diags) = check_definitions(file);
    let mut l = Lowerer {
        defs: &defs,
        prog: Program { base_dir: source_dir.map(std::path::Path::to_path_buf), ..Program::default() },
        diags: Vec::new(),
        grad_state: HashMap::new(),
        retained: HashMap::new(),
        versions: HashMap::new(),
        grad_fn: HashMap::new(),
        region: Region::Forward,
        no_grad: false,
        call_stack: Vec::new(),
        budget: budget::State::new(limits),
        op_frames: Vec::new(),
        globals: HashMap::new(),
        changed_globals: Default::default(),
        class_stack: Vec::new(),
        param_origins: Default::default(),
        buffer_origins: Default::default(),
        next_object_id: 0,
        param_dtype: DType::F32,
        big_literals: Vec::new(),
        optim: optim::Table::default(),
        generators: Vec::new(),
        in_loop_body: false,
        body_kind: BodyKind::TopLevel,
        if_else_depth: 0,
        known_inputs: HashMap::new(),
        used_known: Vec::new(),
        poisoned_backward: false,
        one_sided: HashMap::new(),
        split_kinds: HashMap::new(),
        figure_setup: figure_settings::Setup::default(),
        live_views: Vec::new(),
        loop_views: std::collections::HashSet::new(),
        writing_view: None,
        counter: None,
        clamped_tail: None,
        pending_exit: None,
        jump_guard: None,
        enclosing: Vec::new(),
        break_fills: Vec::new(),
        uncertain_grads: HashMap::new(),
        uncertain_optimizers: HashMap::new(),
        mutated_args: Vec::new(),
        fn_now: HashMap::new(),
        mask_update_read: false,
        mask_update: None,
        stacking: Vec::new(),
        body_depth: 0,
        if_depths: Vec::new(),
        counter_splits: Vec::new(),
        decided_by_counter: std::collections::HashSet::new(),
        cond_growth: Vec::new(),
        assigns_lr: optim::param_groups::assigns_learning_rate(file),
    };
    let mut scope = Scope::default();
    for item in &file.items {
        match item {
            Item::Stmt(stmt) => {
                l.stmt(stmt, &mut scope, BodyKind::TopLevel);
            }
            // A fn defined again takes its name over from here on, as `def` rebinds it.
            Item::Fn(f) => {
                if let Some(k) = l.defs.redefined.iter().position(|d| std::ptr::eq(*d, f)) {
                    l.fn_now.insert(f.name.name.clone(), k + 1);
                }
                l.bind_defaults(f, &mut scope);
            }
            // A method's defaults are evaluated where its class stands, as a `def`'s.
            Item::Class(c) => {
                for m in &c.methods {
                    l.bind_defaults(m, &mut scope);
                }
            }
            Item::Op(_) => {}
        }
    }
    l.record_exports(&scope);
    l.report_big_literals();
    diags.append(&mut l.diags);
    if diags.is_empty() {
        Ok(l.prog)
    } else {
        Err(dedup(diags))
    }
}

/// The same body inlined at two call sites reports the same mistake twice, and a
/// name the definition checks already rejected fails again when lowered: keep the
/// first diagnostic for each place (the definition checks come first).
fn dedup(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for d in diags {
        let key = d.primary.span;
        if seen.insert(key) {
            out.push(d);
        }
    }
    out.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    out
}

/// Where a block is being lowered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BodyKind {
    TopLevel,
    Fn,
    Forward,
    Backward,
}

/// What lowering a body produced: its `return` values (with spans) and, for a
/// forward block, the names it saved.
#[derive(Default)]
pub(crate) struct BodyResult {
    pub returned: Option<Vec<(Value, Span)>>,
    pub saved: Vec<(String, Value, Span)>,
}

impl<'a> Lowerer<'a> {
    pub(crate) fn error(&mut self, d: Diagnostic) -> Value {
        self.diags.push(d);
        Value::Poison
    }

    /// Adds a node in the current region. `requires_grad` follows PyTorch:
    /// true when an operand requires grad, except under no_grad and for `detach`.
    pub(crate) fn node(&mut self, op: Op, dtype: DType, shape: Vec<usize>, args: &[NodeId], span: Span) -> NodeId {
        // Only floating-point tensors can require grad (PyTorch's rule), so an
        // integer or bool result, such as a comparison's, never does.
        let requires_grad = !self.no_grad
            && dtype.is_float()
            && !matches!(op, Op::Unary(Unary::Detach))
            && args.iter().any(|a| self.prog.graph.meta(*a).requires_grad);
        let random = op.is_random();
        let id = self.prog.graph.add(Node { op, dtype, shape }, args, NodeMeta { span, region: self.region, requires_grad, note: None });
        self.check_budget(id, args);
        if random {
            self.prog.effects.push(crate::ir::program::Effect::Sample(id));
        }
        id
    }

    /// Adds a node and records its PyTorch `grad_fn` name (shown only when it requires grad).
    pub(crate) fn op_node(&mut self, op: Op, dtype: DType, shape: Vec<usize>, args: &[NodeId], span: Span, grad_fn: &str) -> NodeId {
        let id = self.node(op, dtype, shape, args, span);
        self.grad_fn.insert(id, grad_fn.to_string());
        id
    }

    /// A 0-d constant of `dtype`: a wrapped number.
    /// A 0-d constant of `dtype` holding a compile-time number, an int exactly
    /// when the node is i64 (an int beyond int64 is an E0665 already, and
    /// saturates here).
    pub(crate) fn scalar_num(&mut self, n: Num, dtype: DType, span: Span) -> NodeId {
        self.node(Op::Full(n.scalar().for_dtype(dtype)), dtype, vec![], &[], span)
    }

    pub(crate) fn scalar(&mut self, value: f64, dtype: DType, span: Span) -> NodeId {
        self.node(Op::Full(graphc_runtime::op::Scalar::of(value, dtype)), dtype, vec![], &[], span)
    }

    pub(crate) fn dtype_of(&self, n: NodeId) -> DType {
        self.prog.graph.node(n).dtype
    }

    pub(crate) fn shape_of(&self, n: NodeId) -> Vec<usize> {
        self.prog.graph.node(n).shape.clone()
    }

    pub(crate) fn requires_grad(&self, n: NodeId) -> bool {
        self.prog.graph.meta(n).requires_grad
    }

    /// Lowers a statement; returns the `return` values if it is a return.
    pub(crate) fn stmt(&mut self, stmt: &Stmt, scope: &mut Scope, kind: BodyKind) -> Option<BodyResult> {
        let outer = std::mem::replace(&mut self.body_kind, kind);
        let r = self.stmt_in(stmt, scope, kind);
        self.body_kind = outer;
        r
    }

    fn stmt_in(&mut self, stmt: &Stmt, scope: &mut Scope, kind: BodyKind) -> Option<BodyResult> {
        match &stmt.kind {
            StmtKind::Assign { target, value } => {
                let v = self.expr(value, scope);
                if let Value::Tensor(n) = v {
                    let meta = self.prog.graph.meta_mut(n);
                    // Hidden names (`<return value>`, `<value of if-else 0>`) are
                    // not the user's, so the printed IR does not show them.
                    if meta.note.is_none() && !target.name.starts_with('<') {
                        meta.note = Some(target.name.clone());
                    }
                    self.note_view(n);
                }
                if kind == BodyKind::TopLevel {
                    self.globals.insert(target.name.clone(), v.clone());
                }
                scope.names.insert(target.name.clone(), v);
                None
            }
            StmtKind::Expr(e) => {
                self.expr(e, scope);
                None
            }
            // A loop rewrites its jumps into flags (`jumps.rs`); one outside a
            // loop was reported by the definition checks.
            StmtKind::Jump(_) => None,
            StmtKind::Input(decl) => {
                let v = self.input(decl, stmt.span);
                self.globals.insert(decl.name.name.clone(), v.clone());
                scope.names.insert(decl.name.name.clone(), v);
                None
            }
            StmtKind::Save(names) => {
                // Placement and undefined names were reported by the definition checks.
                let mut r = BodyResult::default();
                if kind == BodyKind::Forward {
                    for n in names {
                        if let Some(v) = scope.names.get(&n.name) {
                            // An in-place update since the binding made a newer version (`state.rs`).
                            r.saved.push((n.name.clone(), self.current_value(v.clone()), n.span));
                        }
                    }
                }
                Some(r)
            }
            StmtKind::If(i) => self.if_stmt(i, scope, kind),
            StmtKind::For(f) => self.for_stmt(f, scope, kind),
            StmtKind::While(w) => self.while_stmt(w, scope, kind),
            StmtKind::Unpack { targets, value } => {
                let v = self.expr(value, scope);
                for (t, item) in targets.iter().zip(self.unpack(v, targets.len(), value.span)) {
                    if let Value::Tensor(n) = item {
                        self.note_view(n);
                    }
                    if kind == BodyKind::TopLevel {
                        self.globals.insert(t.name.clone(), item.clone());
                    }
                    scope.names.insert(t.name.clone(), item);
                }
                None
            }
            StmtKind::Return(values) => {
                let vals = values.iter().map(|e| (self.expr(e, scope), e.span)).collect();
                Some(BodyResult { returned: Some(vals), saved: Vec::new() })
            }
            StmtKind::NoGrad(body) => self.no_grad_block(body, scope, kind),
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, value, scope, kind, stmt.span);
                None
            }
            StmtKind::Store { target, value } => {
                self.store(target, value, scope, stmt.span);
                None
            }
            StmtKind::Assert { test, message, raises } => {
                self.assert_stmt(test, message.as_ref(), raises.as_ref(), scope, stmt.span);
                None
            }
            StmtKind::Def(f) => {
                let v = self.nested_fn(f, scope);
                self.bind(&f.name.name, v, scope, kind);
                None
            }
        }
    }

    /// Declares a program input: an `Op::Input` source node, a leaf when it requires grad.
    fn input(&mut self, decl: &InputDecl, span: Span) -> Value {
        use crate::diag::Code;
        if let Some(prev) = self.prog.inputs.iter().find(|i| i.name == decl.name.name) {
            let prev_span = prev.span;
            return self.error(
                Diagnostic::new(Code::E0105, format!("the input `{}` is declared twice", decl.name.name), decl.name.span, "declared again here")
                    .with_secondary(prev_span, "first declared here")
                    .with_help("give each input its own name: the command line binds inputs by name"),
            );
        }
        let dtype = match DType::from_act_name(decl.dtype.name.as_str()) {
            Some(d) => d,
            None => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("unknown dtype `{}`", decl.dtype.name), decl.dtype.span, "not a dtype")
                        .with_help("write `f32`, `f64`, `i64` or `bool`"),
                )
            }
        };
        if decl.requires_grad && !self.check_requires_grad(dtype, decl.dtype.span) {
            return Value::Poison;
        }
        let mut shape = Vec::new();
        for (d, s) in &decl.dims {
            if !d.is_int || d.value < 0.0 || d.value > u32::MAX as f64 {
                return self.error(
                    Diagnostic::new(Code::E0107, "an input's sizes must be non-negative integers", *s, "not a size")
                        .with_help("write the shape as integers, for example `f32[3, 4]`"),
                );
            }
            shape.push(d.value as usize);
        }
        let n: u128 = shape.iter().map(|&d| d as u128).product();
        if n > builtin_calls::MAX_ELEMENTS {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "an input of shape {} has {n} elements, more than graphc allows ({})",
                        crate::check::shapes::show(&shape),
                        builtin_calls::MAX_ELEMENTS
                    ),
                    span,
                    "too large",
                )
                .with_help("use a smaller shape"),
            );
        }
        let k = self.prog.inputs.len() as u32;
        let id = self.node(Op::Input(k), dtype, shape.clone(), &[], span);
        let meta = self.prog.graph.meta_mut(id);
        meta.note = Some(decl.name.name.clone());
        if decl.requires_grad {
            meta.requires_grad = true;
            self.prog.leaves.push(id);
            self.grad_state.insert(id, None);
        }
        if let Some((lo, hi, _)) = decl.range {
            self.prog.input_ranges.insert(id, (lo, hi));
        }
        self.prog.inputs.push(ProgramInput {
            name: decl.name.name.clone(),
            node: Some(id),
            dtype,
            shape,
            requires_grad: decl.requires_grad,
            span: decl.name.span,
        });
        Value::Tensor(id)
    }

    /// Records the top-level scope's final tensor bindings, and the final `.grad` of
    /// each leaf bound to a top-level name, as the program's exports.
    fn record_exports(&mut self, scope: &Scope) {
        for (name, v) in &scope.names {
            if let Value::Tensor(n) = v {
                // A name exports its object's value at the end: its latest in-place version.
                let n = &self.current(*n);
                self.prog.exports.insert(name.clone(), *n);
                if let Some(Some(g)) = self.grad_state.get(n) {
                    self.prog.exports.insert(format!("{name}.grad"), *g);
                }
            }
        }
    }

    /// Lowers a block up to its `return`; collects saved names along the way.
    pub(crate) fn block(&mut self, block: &Block, scope: &mut Scope, kind: BodyKind) -> BodyResult {
        let mut result = BodyResult::default();
        // A fn's `return` inside an `if` is moved after it (`early_returns.rs`).
        let hoisted = if kind == BodyKind::Fn { early_returns::hoist(&block.stmts) } else { None };
        for s in hoisted.as_deref().unwrap_or(&block.stmts) {
            if let Some(mut r) = self.stmt(s, scope, kind) {
                result.saved.append(&mut r.saved);
                if r.returned.is_some() {
                    result.returned = r.returned;
                    break;
                }
            }
        }
        result
    }
}
