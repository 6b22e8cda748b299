//! A loop body lowered into a program of its own.
//!
//! Entering the body, every node the lowering state holds (names, globals, list
//! and tuple items, leaves and their `.grad`: [`Lowerer::map_state_nodes`])
//! becomes an input node of the body, one per distinct node, keeping its dtype,
//! shape, `requires_grad` and leaf status; the loop index is input 0. The body
//! is lowered into a fresh program against that state. Leaving it, the state is
//! read again place by place: a place holding a node the body computed (or an
//! input of another place) is an output of the body; the output at the place an
//! input came from is carried to that input in the next iteration. Everything
//! is put back as it was before the body, so that the caller decides what the
//! state becomes ([`Lowerer::rebind_after`]).

use std::collections::{HashMap, HashSet};

use graphc_runtime::DType;

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{Node, NodeId, NodeMeta, Region};
use crate::ir::program::{PrintArg, Program, ProgramInput};
use crate::syntax::ast::{Block, Ident, Span};

use super::state::map_value;
use super::{BodyKind, HostKind, Lowerer, Scope, Value};

/// One place of the lowering state, by a key that names it (`w`, `xs[1]`,
/// `global w`, `w.grad`), and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Held {
    Node(NodeId),
    /// A compile-time value, described with its value, or a `.grad` that is `None`.
    Const(String),
}

/// The body of a loop, lowered, with what its caller needs to emit it.
pub(super) struct LoweredBody {
    pub program: Program,
    /// The outer value of each body input after the index (body input `k + 1`).
    pub inputs: Vec<NodeId>,
    /// The body nodes that leave the body, in output order.
    pub outputs: Vec<NodeId>,
    /// `(output, body input)` pairs.
    pub carried: Vec<(u32, u32)>,
    /// The `grad_fn` names of the body's nodes.
    pub grad_fn: HashMap<NodeId, String>,
    /// The state after the body, in body nodes.
    pub exit: ExitState,
    /// The first place whose kind the body changed, if any: then the body is
    /// valid for one iteration only.
    pub changed_place: Option<String>,
    /// The places before the body, holding outer nodes.
    pub entry_places: Vec<(String, Held)>,
    /// The places after the body, holding body nodes.
    pub exit_places: Vec<(String, Held)>,
    /// The body input standing for each outer node.
    pub to_body: HashMap<NodeId, NodeId>,
}

/// The lowering state after a body, in the body's nodes.
pub(super) struct ExitState {
    pub names: HashMap<String, Value>,
    pub globals: HashMap<String, Value>,
    pub grad_state: HashMap<NodeId, Option<NodeId>>,
    /// The optimizers' parameters and state, in body nodes.
    pub optim: super::optim::Table,
    /// Where each body node that the state holds goes in the outer program: an
    /// outer node, or output `j`.
    map: HashMap<NodeId, Target>,
    /// The body nodes that are a module's parameters and buffers. Node ids
    /// are the body's own, so these sets are kept apart from the outer
    /// program's, whose ids they would otherwise name by accident.
    pub params: HashSet<NodeId>,
    pub buffers: HashSet<NodeId>,
}

#[derive(Clone, Copy)]
enum Target {
    Outer(NodeId),
    Output(usize),
}

/// The outer state a body replaced, to be put back.
struct Saved {
    prog: Program,
    grad_state: HashMap<NodeId, Option<NodeId>>,
    retained: HashMap<NodeId, Option<NodeId>>,
    versions: HashMap<NodeId, NodeId>,
    grad_fn: HashMap<NodeId, String>,
    names: HashMap<String, Value>,
    globals: HashMap<String, Value>,
    optim: super::optim::Table,
    region: Region,
    /// The views and loop views of the outer program, in its node ids.
    live_views: Vec<NodeId>,
    loop_views: std::collections::HashSet<NodeId>,
    known_inputs: HashMap<NodeId, graphc_runtime::Tensor>,
    used_known: Vec<(NodeId, Span)>,
    /// The outer program's parameters and buffers, in its node ids.
    params: HashSet<NodeId>,
    buffers: HashSet<NodeId>,
}

impl Lowerer<'_> {
    /// Lowers `block` once, as a region, from the current state, with the loop
    /// variable `var` bound to body input 0 (a branch has none and ignores the
    /// input); the state is left as it was. `values` are the first value, the step
    /// and the trip count of the variable, when the loop is a `range` loop.
    pub(super) fn lower_body(
        &mut self,
        block: &Block,
        var: Option<&Ident>,
        values: Option<(i64, i64, u64)>,
        span: Span,
        scope: &mut Scope,
        kind: BodyKind,
    ) -> Option<LoweredBody> {
        self.resolve_versions(scope);
        let mut saved = Saved {
            prog: std::mem::take(&mut self.prog),
            grad_state: std::mem::take(&mut self.grad_state),
            retained: std::mem::take(&mut self.retained),
            versions: std::mem::take(&mut self.versions),
            grad_fn: std::mem::take(&mut self.grad_fn),
            names: scope.names.clone(),
            globals: self.globals.clone(),
            optim: self.optim.clone(),
            region: std::mem::replace(&mut self.region, Region::Forward),
            live_views: std::mem::take(&mut self.live_views),
            loop_views: std::mem::take(&mut self.loop_views),
            known_inputs: std::mem::take(&mut self.known_inputs),
            used_known: std::mem::take(&mut self.used_known),
            params: std::mem::take(&mut self.param_origins),
            buffers: std::mem::take(&mut self.buffer_origins),
        };
        let oversized = std::mem::take(&mut self.budget.oversized);
        // The loop variable is not part of the state the body starts from: it is bound to the index.
        let index_name = var.map_or_else(|| "branch".to_string(), |v| v.name.clone());
        let index_span = var.map_or(span, |v| v.span);
        if let Some(v) = var {
            scope.names.remove(&v.name);
            if kind == BodyKind::TopLevel {
                self.globals.remove(&v.name);
            }
        }
        let entry = places(scope, &self.globals, &saved.grad_state, &self.optim);
        let entry_sig = signature(&entry, &saved.prog, &saved.grad_state);
        // Body input 0 is the loop index; then one input per distinct node.
        let index = self.prog.graph.add(
            Node { op: graphc_runtime::Op::Input(0), dtype: DType::I64, shape: vec![] },
            &[],
            NodeMeta { span: index_span, region: Region::Forward, requires_grad: false, note: Some(index_name.clone()) },
        );
        self.prog.inputs.push(ProgramInput {
            name: index_name,
            node: Some(index),
            dtype: DType::I64,
            shape: vec![],
            requires_grad: false,
            span: index_span,
        });
        let (to_body, inputs) = self.body_inputs(&entry, &saved);
        let walk = super::view_map::Walk { graph: &saved.prog.graph, grad_fn: &saved.grad_fn, leaves: &saved.grad_state, versions: &saved.versions };
        self.mark_loop_views(&walk, &to_body);
        // `body_inputs` already gave the leaves and their `.grad` in body nodes:
        // mapping them again would read body ids as outer ones.
        let body_grads = std::mem::take(&mut self.grad_state);
        self.map_state_nodes(scope, &mut |n| to_body.get(&n).copied().unwrap_or(n));
        self.grad_state = body_grads;
        if let Some(v) = var {
            self.bind(&v.name, Value::Host { node: index, kind: HostKind::Int }, scope, kind);
        }
        let outer_in_body = std::mem::replace(&mut self.in_loop_body, true);
        self.enclosing.push(super::rematerialize::Enclosing {
            prog: std::mem::take(&mut saved.prog),
            to_body: to_body.clone(),
            branch: var.is_none(),
        });
        // A branch's body runs in some iterations only: it knows no counter values.
        let counter = var.zip(values).map(|(v, (first, step, trip))| super::Counter { node: index, name: v.name.clone(), first, step, trip });
        let outer_counter = std::mem::replace(&mut self.counter, counter);
        self.body_depth += 1;
        let result = self.block(block, scope, kind);
        self.body_depth -= 1;
        self.counter = outer_counter;
        self.in_loop_body = outer_in_body;
        saved.prog = self.enclosing.pop().expect("pushed before the block").prog;
        if result.returned.is_some() {
            self.error(
                Diagnostic::new(Code::E0601, "`return` inside a loop or a run-time `if` is not supported", index_span, "a region with a `return`")
                    .with_help("compute the value in the region and return it after it"),
            );
        }
        self.resolve_versions(scope);
        let exit = places(scope, &self.globals, &self.grad_state, &self.optim);
        // Places first bound in the body are left out: they are outputs, not carried.
        let entry_keys: std::collections::HashSet<&String> = entry.iter().map(|(k, _)| k).collect();
        let kept: Vec<(String, Held)> = exit.iter().filter(|(k, _)| entry_keys.contains(k)).cloned().collect();
        let exit_sig = signature(&kept, &self.prog, &self.grad_state);
        let changed_place = entry_sig.iter().zip(&exit_sig).find(|(a, b)| a != b).map(|(a, _)| a.0.clone()).or_else(|| {
            (exit_sig.len() < entry_sig.len())
                .then(|| entry_sig.iter().find(|(k, _)| !kept.iter().any(|(e, _)| e == k)).map_or_else(String::new, |(k, _)| k.clone()))
        });
        self.check_known_inputs(&entry, &exit, &to_body);
        let (map, outputs, carried) = boundary(&entry, &exit, &inputs, &to_body);
        let exit_state = ExitState {
            names: std::mem::replace(&mut scope.names, saved.names),
            globals: std::mem::replace(&mut self.globals, saved.globals),
            grad_state: std::mem::replace(&mut self.grad_state, saved.grad_state),
            optim: std::mem::replace(&mut self.optim, saved.optim),
            map,
            params: std::mem::replace(&mut self.param_origins, saved.params),
            buffers: std::mem::replace(&mut self.buffer_origins, saved.buffers),
        };
        let program = std::mem::replace(&mut self.prog, saved.prog);
        // The tensors a body keeps the gradients of are its own; a backward in
        // the body never reaches those outside it, which were computed before
        // the region (`check_backward_stays_in_loop`).
        self.retained = saved.retained;
        self.versions = saved.versions;
        self.known_inputs = saved.known_inputs;
        self.used_known = saved.used_known;
        self.live_views = saved.live_views;
        self.loop_views = saved.loop_views;
        let grad_fn = std::mem::replace(&mut self.grad_fn, saved.grad_fn);
        self.region = saved.region;
        self.budget.oversized = oversized;
        Some(LoweredBody {
            program,
            inputs,
            outputs,
            carried,
            grad_fn,
            exit: exit_state,
            changed_place,
            entry_places: entry,
            exit_places: exit,
            to_body,
        })
    }

    /// One body input per distinct node of the entry places (after input 0, the
    /// index), keeping dtype, shape, `requires_grad`, `grad_fn` and leaf status;
    /// returns the input of each outer node, and the outer nodes in input order.
    fn body_inputs(&mut self, entry: &[(String, Held)], saved: &Saved) -> (HashMap<NodeId, NodeId>, Vec<NodeId>) {
        let mut to_body: HashMap<NodeId, NodeId> = HashMap::new();
        let mut inputs = Vec::new();
        for (key, held) in entry {
            let Held::Node(outer) = held else { continue };
            if to_body.contains_key(outer) {
                continue;
            }
            let (node, meta) = (saved.prog.graph.node(*outer), saved.prog.graph.meta(*outer));
            let k = self.prog.inputs.len() as u32;
            let id = self.prog.graph.add(
                Node { op: graphc_runtime::Op::Input(k), dtype: node.dtype, shape: node.shape.clone() },
                &[],
                NodeMeta { span: meta.span, region: Region::Forward, requires_grad: meta.requires_grad, note: Some(key.clone()) },
            );
            self.prog.inputs.push(ProgramInput {
                name: key.clone(),
                node: Some(id),
                dtype: node.dtype,
                shape: node.shape.clone(),
                requires_grad: meta.requires_grad,
                span: meta.span,
            });
            if let Some(g) = saved.grad_fn.get(outer) {
                self.grad_fn.insert(id, g.clone());
            }
            // A mask read in the body may need the values of a bool tensor made
            // outside it; the few such inputs are evaluated now, while the outer
            // program is at hand.
            if node.dtype == DType::Bool {
                if let Some(v) = super::known_values::known_value(&saved.prog, &saved.known_inputs, *outer).map(|(v, _)| v) {
                    self.known_inputs.insert(id, v);
                }
            }
            to_body.insert(*outer, id);
            if saved.params.contains(outer) {
                self.param_origins.insert(id);
            }
            if saved.buffers.contains(outer) {
                self.buffer_origins.insert(id);
            }
            inputs.push(*outer);
        }
        for (leaf, grad) in &saved.grad_state {
            if let Some(&b) = to_body.get(leaf) {
                self.prog.leaves.push(b);
                self.grad_state.insert(b, grad.and_then(|g| to_body.get(&g).copied()));
            }
        }
        self.prog.leaves.sort();
        (to_body, inputs)
    }

    /// A mask read that relied on the entry value of a body input the body
    /// changes would be wrong from the second iteration on: the mask is then
    /// known only at run time, E0225.
    fn check_known_inputs(&mut self, entry: &[(String, Held)], exit: &[(String, Held)], to_body: &HashMap<NodeId, NodeId>) {
        let used = std::mem::take(&mut self.used_known);
        for (input, at) in used {
            let changed = entry.iter().any(|(key, held)| {
                matches!(held, Held::Node(outer) if to_body.get(outer) == Some(&input))
                    && !exit.iter().any(|(k, h)| k == key && *h == Held::Node(input))
            });
            if changed {
                self.mask_read_error(at);
            }
        }
    }

    /// Rebinds the state to what it is after a region whose output nodes are `outputs`.
    pub(super) fn rebind_after(&mut self, exit: ExitState, outputs: &[NodeId], scope: &mut Scope) {
        let to_outer = |n: NodeId| match exit.map.get(&n) {
            Some(Target::Outer(o)) => *o,
            Some(Target::Output(j)) => outputs[*j],
            // Every node the state holds was mapped; anything else is left alone.
            None => n,
        };
        scope.names = exit.names;
        self.globals = exit.globals;
        for v in scope.names.values_mut().chain(self.globals.values_mut()) {
            map_value(v, &mut |n| to_outer(n));
        }
        for &n in exit.map.keys() {
            if exit.params.contains(&n) {
                self.param_origins.insert(to_outer(n));
            }
            if exit.buffers.contains(&n) {
                self.buffer_origins.insert(to_outer(n));
            }
        }
        for (leaf, grad) in exit.grad_state {
            if !exit.map.contains_key(&leaf) {
                continue;
            }
            let outer = to_outer(leaf);
            if !self.prog.leaves.contains(&outer) {
                self.prog.leaves.push(outer);
            }
            self.grad_state.insert(outer, grad.filter(|g| exit.map.contains_key(g)).map(to_outer));
        }
        self.optim = exit.optim;
        self.optim.map_nodes(&mut |n| to_outer(n));
    }

    /// Makes every place read the current version of its tensor.
    pub(super) fn resolve_versions(&mut self, scope: &mut Scope) {
        if self.versions.is_empty() {
            return;
        }
        // The map is cloned because `map_state_nodes` borrows the lowerer mutably.
        let versions = self.versions.clone();
        self.map_state_nodes(scope, &mut |n| super::state::latest(&versions, n));
    }
}

/// What [`boundary`] finds: the target of each body node, the outputs, the carried pairs.
type Boundary = (HashMap<NodeId, Target>, Vec<NodeId>, Vec<(u32, u32)>);

/// Where each body node that the exit places hold goes (an outer node, for an
/// input whose places all still hold it, or a new output), the outputs in
/// order, and the `(output, input)` pairs carried to the next iteration.
fn boundary(entry: &[(String, Held)], exit: &[(String, Held)], inputs: &[NodeId], to_body: &HashMap<NodeId, NodeId>) -> Boundary {
    // Body input k + 1 stands for entry class k; the class changed when one of its places holds another node now.
    let input_of: HashMap<NodeId, usize> = inputs.iter().enumerate().map(|(k, o)| (to_body[o], k)).collect();
    let exit_at: HashMap<&String, &Held> = exit.iter().map(|(k, h)| (k, h)).collect();
    let mut changed = vec![false; inputs.len()];
    for (key, held) in entry {
        if let Held::Node(outer) = held {
            let k = input_of[&to_body[outer]];
            if exit_at.get(key) != Some(&&Held::Node(to_body[outer])) {
                changed[k] = true;
            }
        }
    }
    let mut map: HashMap<NodeId, Target> = HashMap::new();
    let mut outputs = Vec::new();
    for (_, held) in exit {
        let Held::Node(n) = held else { continue };
        if map.contains_key(n) {
            continue;
        }
        let target = match input_of.get(n) {
            Some(&k) if !changed[k] => Target::Outer(inputs[k]),
            _ => {
                outputs.push(*n);
                Target::Output(outputs.len() - 1)
            }
        };
        map.insert(*n, target);
    }
    let mut carried = Vec::new();
    let mut done = vec![false; inputs.len()];
    for (key, held) in entry {
        let Held::Node(outer) = held else { continue };
        let k = input_of[&to_body[outer]];
        if !changed[k] || done[k] {
            continue;
        }
        done[k] = true;
        if let Some(Held::Node(n)) = exit_at.get(key) {
            if let Some(Target::Output(j)) = map.get(n) {
                carried.push((*j as u32, k as u32 + 1));
            }
        }
    }
    (map, outputs, carried)
}

/// Every place of the state, in a fixed order: the scope's names (sorted), the
/// globals (sorted), then the `.grad` of each leaf, after the first place holding it.
pub(super) fn places(
    scope: &Scope,
    globals: &HashMap<String, Value>,
    grad_state: &HashMap<NodeId, Option<NodeId>>,
    optim: &super::optim::Table,
) -> Vec<(String, Held)> {
    let mut out = Vec::new();
    let mut names: Vec<&String> = scope.names.keys().collect();
    names.sort();
    for name in names {
        walk(name.clone(), &scope.names[name], &mut out);
    }
    let mut gnames: Vec<&String> = globals.keys().collect();
    gnames.sort();
    for name in gnames {
        walk(format!("global {name}"), &globals[name], &mut out);
    }
    let mut seen = std::collections::HashSet::new();
    let mut grads = Vec::new();
    for (key, held) in &out {
        if let Held::Node(n) = held {
            if let Some(g) = grad_state.get(n) {
                if seen.insert(*n) {
                    grads.push((format!("{key}.grad"), g.map_or(Held::Const("None".to_string()), Held::Node)));
                }
            }
        }
    }
    out.extend(grads);
    // Optimizer state is carried like any other value: `opt.step()` in a loop
    // updates the parameters and the moments every iteration.
    optim.places(&mut |key, n| out.push((key, n.map_or(Held::Const("none".to_string()), Held::Node))));
    out
}

/// The places of a value, looking into lists and tuples.
pub(super) fn walk(key: String, v: &Value, out: &mut Vec<(String, Held)>) {
    match v {
        Value::Tensor(n) => out.push((key, Held::Node(*n))),
        Value::Host { node, kind } => {
            out.push((format!("{key} (kind)"), Held::Const(format!("host {kind:?}"))));
            out.push((key, Held::Node(*node)));
        }
        // A dict's keys are part of its kind: a loop body that adds one changes it.
        Value::Dict { keys, items, ordered } => {
            let kind = if *ordered { "OrderedDict" } else { "dict" };
            out.push((key.clone(), Held::Const(format!("{kind} of {}", super::dicts::keys_text(keys)))));
            for (i, (item, _)) in items.iter().enumerate() {
                walk(format!("{key}[{i}]"), item, out);
            }
        }
        // An object's class and attribute names are part of its kind.
        Value::Object { class, names, items, .. } => {
            out.push((key.clone(), Held::Const(format!("{class} object with {}", names.join(", ")))));
            for (i, (item, _)) in items.iter().enumerate() {
                walk(format!("{key}[{i}]"), item, out);
            }
        }
        Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } => {
            let what = match v {
                Value::List(_) => "list",
                Value::Named { kind, .. } => kind,
                _ => "tuple",
            };
            out.push((key.clone(), Held::Const(format!("{what} of {}", items.len()))));
            for (i, (item, _)) in items.iter().enumerate() {
                walk(format!("{key}[{i}]"), item, out);
            }
        }
        Value::Number(n) => out.push((key, Held::Const(format!("number {n:?}")))),
        Value::Str(s) => out.push((key, Held::Const(format!("string {s}")))),
        Value::Bool(b) => out.push((key, Held::Const(format!("bool {b}")))),
        Value::None => out.push((key, Held::Const("none".to_string()))),
        Value::DType(d) => out.push((key, Held::Const(format!("dtype {d}")))),
        Value::Size(s) => out.push((key, Held::Const(format!("size {s:?}")))),
        Value::Optimizer(k) => out.push((key, Held::Const(format!("optimizer {k}")))),
        Value::ParamGroup { optimizer, defaults } => {
            out.push((key, Held::Const(format!("param group of optimizer {optimizer} (defaults: {defaults})"))))
        }
        Value::OptimizerState { optimizer, param } => out.push((key, Held::Const(format!("state of optimizer {optimizer} param {param:?}")))),
        Value::Scheduler(k) => out.push((key, Held::Const(format!("scheduler {k}")))),
        Value::Generator(k) => out.push((key, Held::Const(format!("generator {k}")))),
        Value::Func(name, version) => out.push((key, Held::Const(format!("function {name} {version}")))),
        Value::GradFn(name) => out.push((key, Held::Const(format!("grad_fn {name}")))),
        Value::Appending(name) => out.push((key, Held::Const(format!("appending {name}")))),
        // A dataset's or a loader's tensors are places like a tuple's items;
        // the loader's options are part of its kind.
        Value::Dataset(tensors) | Value::Loader(super::data_loader::Loader { tensors, .. }) => {
            let kind = match v {
                Value::Loader(l) => format!("loader {}", l.options()),
                _ => "dataset".to_string(),
            };
            out.push((key.clone(), Held::Const(format!("{kind} of {}", tensors.len()))));
            for (i, n) in tensors.iter().enumerate() {
                out.push((format!("{key}[{i}]"), Held::Node(*n)));
            }
            if let Value::Loader(super::data_loader::Loader { object: Some(obj), form, .. }) = v {
                out.push((format!("{key} (form)"), Held::Const(format!("{form:?}"))));
                walk(format!("{key}.dataset"), obj, out);
            }
        }
        // A lambda is the same function while its definition is; what it closes
        // over are places like a tuple's items.
        Value::Lambda(c) => {
            out.push((key.clone(), Held::Const(format!("lambda at {}", c.at()))));
            for (name, v) in &c.captured {
                walk(format!("{key}.{name}"), v, out);
            }
        }
        // A run-time string: its pieces' text is fixed, its values are places.
        Value::Text(pieces) => {
            out.push((key.clone(), Held::Const(format!("text {}", pieces.iter().map(text_structure).collect::<Vec<_>>().join(" ")))));
            let nodes: Vec<NodeId> = pieces.iter().flat_map(|p| p.nodes()).collect();
            for (i, n) in nodes.into_iter().enumerate() {
                out.push((format!("{key}{{{i}}}"), Held::Node(n)));
            }
        }
        Value::Poison => out.push((key, Held::Const("poison".to_string()))),
    }
}

/// A run-time string's piece with its nodes left out (they are places of
/// their own): two lowerings of a loop body make the same text of new nodes.
fn text_structure(p: &PrintArg) -> String {
    match p {
        PrintArg::Text(t) => format!("{t:?}"),
        PrintArg::None => "None".to_string(),
        PrintArg::Tensor { suffix, .. } => format!("tensor {suffix:?}"),
        PrintArg::Scalar { spec, .. } => format!("scalar {spec:?}"),
        PrintArg::Concat(items) => format!("f({})", items.iter().map(text_structure).collect::<Vec<_>>().join(", ")),
        PrintArg::Choice { then, otherwise, .. } => format!("choose({}, {})", text_structure(then), text_structure(otherwise)),
    }
}

/// What must stay the same from one iteration to the next, place by place: which
/// places share a value, and each value's dtype, shape, `requires_grad`, leaf
/// status and kind; a compile-time value's value.
fn signature(places: &[(String, Held)], prog: &Program, grad_state: &HashMap<NodeId, Option<NodeId>>) -> Vec<(String, String)> {
    let mut class: HashMap<NodeId, usize> = HashMap::new();
    places
        .iter()
        .map(|(key, held)| {
            let what = match held {
                Held::Const(c) => c.clone(),
                Held::Node(n) => {
                    let next = class.len();
                    let c = *class.entry(*n).or_insert(next);
                    let (node, meta) = (prog.graph.node(*n), prog.graph.meta(*n));
                    format!("#{c} {}{:?} rg={} leaf={}", node.dtype, node.shape, meta.requires_grad, grad_state.contains_key(n))
                }
            };
            (key.clone(), what)
        })
        .collect()
}
