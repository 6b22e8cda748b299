//! `torch.optim` optimizers as `.act` values: `SGD`, `Adam`, `AdamW`, `RMSprop`,
//! `Adagrad`, `Adadelta`, `Adamax`, `NAdam`, `RAdam`, `ASGD` and `Rprop`.
//!
//! `opt = SGD(params, lr=0.1)` makes a [`Value::Optimizer`] that indexes the
//! table of optimizers in the [`Lowerer`]. The table holds the parameters as the
//! tensor objects they are (the node each was created as, read through
//! [`Lowerer::current`], so that an update by anyone is seen), the
//! hyperparameters, and each parameter's state (momentum buffer, `exp_avg`, ...),
//! created at the first `step()` that finds a gradient, as PyTorch creates it.
//!
//! `opt.step()` writes PyTorch's single-tensor update (the code path PyTorch
//! 2.15 runs for CPU tensors by default) with the same operations in the same
//! order and precision, so that the parameters stay bit-identical to PyTorch's.
//! The update does not require grad (PyTorch runs it under `no_grad`), and each
//! updated parameter becomes a new version of its leaf (`Lowerer::update_in_place`, `lower/inplace.rs`).
//! `opt.zero_grad()` sets every gradient back to `None` (PyTorch 2's
//! `set_to_none=True` default).

mod adadelta;
mod adagrad;
mod adam;
mod adamax;
mod args;
mod asgd;
mod composite;
pub(crate) mod cyclic;
mod groups;
mod kernels;
mod nadam;
pub(crate) mod one_cycle;
pub(crate) mod param_groups;
pub(crate) mod plateau;
mod radam;
pub(crate) mod repr;
mod rmsprop;
mod rprop;
pub(crate) mod schedulers;
mod sgd;
mod state_read;
#[cfg(test)]
mod tests;
pub(crate) mod warm_restarts;

use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// Which optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Sgd,
    Adam,
    AdamW,
    RmsProp,
    Adagrad,
    Adadelta,
    Adamax,
    NAdam,
    RAdam,
    Asgd,
    Rprop,
}

impl Kind {
    /// The optimizer a call name makes, when it is one.
    pub(crate) fn lookup(name: &str) -> Option<Kind> {
        match name {
            "SGD" => Some(Kind::Sgd),
            "Adam" => Some(Kind::Adam),
            "AdamW" => Some(Kind::AdamW),
            "RMSprop" => Some(Kind::RmsProp),
            "Adagrad" => Some(Kind::Adagrad),
            "Adadelta" => Some(Kind::Adadelta),
            "Adamax" => Some(Kind::Adamax),
            "NAdam" => Some(Kind::NAdam),
            "RAdam" => Some(Kind::RAdam),
            "ASGD" => Some(Kind::Asgd),
            "Rprop" => Some(Kind::Rprop),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Sgd => "SGD",
            Kind::Adam => "Adam",
            Kind::AdamW => "AdamW",
            Kind::RmsProp => "RMSprop",
            Kind::Adagrad => "Adagrad",
            Kind::Adadelta => "Adadelta",
            Kind::Adamax => "Adamax",
            Kind::NAdam => "NAdam",
            Kind::RAdam => "RAdam",
            Kind::Asgd => "ASGD",
            Kind::Rprop => "Rprop",
        }
    }
}

/// The hyperparameters of one optimizer, as the Python numbers PyTorch keeps.
#[derive(Clone, Debug)]
pub(crate) struct Hyper {
    pub lr: f64,
    /// The learning rate a program assigned (`param_group["lr"] = lr`), a 0-d f64
    /// node that the updates use in place of `lr` (`param_groups.rs`).
    pub lr_node: Option<NodeId>,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    pub betas: (f64, f64),
    pub eps: f64,
    pub amsgrad: bool,
    /// RMSprop: the smoothing constant of the averages; ASGD: the power of its
    /// step-size decay.
    pub alpha: f64,
    /// Adadelta: the decay of its two running averages.
    pub rho: f64,
    /// ASGD: the decay term and the step from which it averages.
    pub lambd: f64,
    pub t0: f64,
    /// Rprop: the factors that shrink and grow a step size, and the bounds it is clamped to.
    pub etas: (f64, f64),
    pub step_sizes: (f64, f64),
    /// RMSprop: divide by the centered second moment (its variance estimate).
    pub centered: bool,
    /// Adagrad: the decay of the learning rate with the step count.
    pub lr_decay: f64,
    /// Adagrad: the value its sums of squares start from.
    pub initial_accumulator_value: f64,
    /// NAdam: the decay of its momentum schedule; NAdam and RAdam: weight decay
    /// applied to the parameter (as AdamW) instead of the gradient.
    pub momentum_decay: f64,
    pub decoupled_weight_decay: bool,
    /// Step up the gradient instead of down (the gradient is negated first).
    pub maximize: bool,
    /// `foreach=` as given (`None` by default), which the repr prints: on the
    /// CPU it picks PyTorch's `_foreach_*` code path, which graphc runs for
    /// the optimizers whose updates it leaves bit for bit the same
    /// ([`super::args::FOREACH_SAME`]).
    pub foreach: Option<bool>,
    /// The momentum `OneCycleLR` sets at each step (SGD's and RMSprop's
    /// `momentum`, Adam's first beta), a 0-d f64 node the updates read in place
    /// of the constant (`one_cycle.rs`).
    pub cycled_momentum: Option<NodeId>,
    /// The options whose value is a Python int (`momentum=0`, `betas.0` for the
    /// first beta), which PyTorch's `repr` prints without a decimal point.
    pub ints: Vec<&'static str>,
}

/// One parameter's state, as PyTorch's `optimizer.state[p]` holds it.
#[derive(Clone, Debug, Default)]
pub(crate) struct ParamState {
    /// SGD with momentum: `momentum_buffer`.
    pub momentum_buffer: Option<NodeId>,
    /// Adam and AdamW: `step` (a 0-d f32 tensor), `exp_avg`, `exp_avg_sq` and,
    /// with amsgrad, `max_exp_avg_sq`.
    pub step: Option<NodeId>,
    pub exp_avg: Option<NodeId>,
    pub exp_avg_sq: Option<NodeId>,
    pub max_exp_avg_sq: Option<NodeId>,
    /// RMSprop: `square_avg` and, when centered, `grad_avg` (it also keeps
    /// `step` and, with momentum, `momentum_buffer`).
    pub square_avg: Option<NodeId>,
    pub grad_avg: Option<NodeId>,
    /// Adagrad: `sum`, the running sum of squared gradients (it also keeps `step`).
    pub sum: Option<NodeId>,
    /// NAdam: `mu_product`, a 0-d f32 tensor (it also keeps `step`, `exp_avg` and `exp_avg_sq`).
    pub mu_product: Option<NodeId>,
    /// Adamax: `exp_inf`, the decayed infinity norm (it also keeps `step` and `exp_avg`).
    pub exp_inf: Option<NodeId>,
    /// Adadelta: `acc_delta`, the running average of squared updates (it also keeps `step` and `square_avg`).
    pub acc_delta: Option<NodeId>,
    /// ASGD: `eta` and `mu`, 0-d f32 tensors, and `ax`, the average of the parameter (it also keeps `step`).
    pub eta: Option<NodeId>,
    pub mu: Option<NodeId>,
    pub ax: Option<NodeId>,
    /// Rprop: `prev`, the last gradient it used, and `step_size`, one per element (it also keeps `step`).
    pub prev: Option<NodeId>,
    pub step_size: Option<NodeId>,
}

impl ParamState {
    /// The state's places with PyTorch's key of each, in the one order every
    /// walk over them uses.
    pub(crate) fn named(&self) -> [(&'static str, Option<NodeId>); 16] {
        [
            ("momentum_buffer", self.momentum_buffer),
            ("step", self.step),
            ("exp_avg", self.exp_avg),
            ("exp_avg_sq", self.exp_avg_sq),
            ("max_exp_avg_sq", self.max_exp_avg_sq),
            ("square_avg", self.square_avg),
            ("grad_avg", self.grad_avg),
            ("sum", self.sum),
            ("mu_product", self.mu_product),
            ("exp_inf", self.exp_inf),
            ("acc_delta", self.acc_delta),
            ("eta", self.eta),
            ("mu", self.mu),
            ("ax", self.ax),
            ("prev", self.prev),
            ("step_size", self.step_size),
        ]
    }

    /// The state's places, in [`ParamState::named`]'s order.
    fn nodes(&self) -> [Option<NodeId>; 16] {
        self.named().map(|(_, n)| n)
    }

    /// [`ParamState::nodes`], to write.
    pub(crate) fn nodes_mut(&mut self) -> [&mut Option<NodeId>; 16] {
        [
            &mut self.momentum_buffer,
            &mut self.step,
            &mut self.exp_avg,
            &mut self.exp_avg_sq,
            &mut self.max_exp_avg_sq,
            &mut self.square_avg,
            &mut self.grad_avg,
            &mut self.sum,
            &mut self.mu_product,
            &mut self.exp_inf,
            &mut self.acc_delta,
            &mut self.eta,
            &mut self.mu,
            &mut self.ax,
            &mut self.prev,
            &mut self.step_size,
        ]
    }
}

/// One optimizer object.
#[derive(Clone, Debug)]
pub(crate) struct Optimizer {
    pub kind: Kind,
    /// The parameters: the node each tensor object was last seen as.
    pub params: Vec<NodeId>,
    pub hyper: Hyper,
    /// The options as the constructor made them (`opt.defaults`).
    pub defaults: Hyper,
    /// Each parameter's state; `None` until a `step()` finds its gradient.
    pub state: Vec<Option<ParamState>>,
    /// The optimizers of its parameter groups, itself first (`groups.rs`): itself
    /// alone for one group; empty for a later group, which the first one holds.
    pub groups: Vec<usize>,
}

/// The optimizers a program made, indexed by [`Value::Optimizer`].
#[derive(Clone, Default)]
pub(crate) struct Table {
    pub optimizers: Vec<Optimizer>,
    /// The learning-rate schedulers, indexed by [`Value::Scheduler`].
    pub schedulers: Vec<schedulers::Scheduler>,
}

impl Table {
    /// Calls `f` with a key and the node or the absence (`None`) at each place of
    /// the optimizers' state, in the order [`Table::map_nodes`] visits them, for
    /// the loop and branch regions that carry the state (`regions.rs`).
    pub(crate) fn places(&self, f: &mut dyn FnMut(String, Option<NodeId>)) {
        for (k, opt) in self.optimizers.iter().enumerate() {
            for (i, p) in opt.params.iter().enumerate() {
                f(format!("optimizer {k} param {i}"), Some(*p));
            }
            f(format!("optimizer {k} lr"), opt.hyper.lr_node);
            f(format!("optimizer {k} momentum"), opt.hyper.cycled_momentum);
            for (i, s) in opt.state.iter().enumerate() {
                let Some(s) = s else {
                    f(format!("optimizer {k} state {i}"), None);
                    continue;
                };
                for (j, n) in s.nodes().into_iter().enumerate() {
                    f(format!("optimizer {k} state {i} field {j}"), n);
                }
            }
        }
        for (k, s) in self.schedulers.iter().enumerate() {
            f(format!("scheduler {k} last_epoch"), Some(s.last_epoch));
            f(format!("scheduler {k} base_lr"), Some(s.base_lr));
            if let Some(mut p) = s.plateau {
                for (field, n) in p.nodes_mut() {
                    f(format!("scheduler {k} {field}"), Some(*n));
                }
            }
            if let Some(mut r) = s.restarts {
                for (field, n) in r.nodes_mut() {
                    f(format!("scheduler {k} {field}"), Some(*n));
                }
            }
        }
    }

    /// Replaces each node by `node_of(key)` for the keys of [`Table::places`]
    /// (a node whose key has none is left as it is).
    pub(crate) fn rekey(&mut self, node_of: &dyn Fn(&str) -> Option<NodeId>) {
        for (k, opt) in self.optimizers.iter_mut().enumerate() {
            for (i, p) in opt.params.iter_mut().enumerate() {
                if let Some(n) = node_of(&format!("optimizer {k} param {i}")) {
                    *p = n;
                }
            }
            if let Some(n) = opt.hyper.lr_node.and_then(|_| node_of(&format!("optimizer {k} lr"))) {
                opt.hyper.lr_node = Some(n);
            }
            if let Some(n) = opt.hyper.cycled_momentum.and_then(|_| node_of(&format!("optimizer {k} momentum"))) {
                opt.hyper.cycled_momentum = Some(n);
            }
            for (i, s) in opt.state.iter_mut().enumerate() {
                let Some(s) = s else { continue };
                for (j, n) in s.nodes_mut().into_iter().enumerate() {
                    if let Some(m) = n.and_then(|_| node_of(&format!("optimizer {k} state {i} field {j}"))) {
                        *n = Some(m);
                    }
                }
            }
        }
        for (k, s) in self.schedulers.iter_mut().enumerate() {
            if let Some(n) = node_of(&format!("scheduler {k} last_epoch")) {
                s.last_epoch = n;
            }
            if let Some(n) = node_of(&format!("scheduler {k} base_lr")) {
                s.base_lr = n;
            }
            if let Some(p) = &mut s.plateau {
                for (field, n) in p.nodes_mut() {
                    if let Some(m) = node_of(&format!("scheduler {k} {field}")) {
                        *n = m;
                    }
                }
            }
            if let Some(r) = &mut s.restarts {
                for (field, n) in r.nodes_mut() {
                    if let Some(m) = node_of(&format!("scheduler {k} {field}")) {
                        *n = m;
                    }
                }
            }
        }
    }

    /// Calls `f` on every node the optimizers hold (parameters, after `current`
    /// resolved them, and state), in a deterministic order, storing what it returns.
    pub(crate) fn map_nodes(&mut self, f: &mut dyn FnMut(NodeId) -> NodeId) {
        for opt in &mut self.optimizers {
            for p in &mut opt.params {
                *p = f(*p);
            }
            if let Some(n) = &mut opt.hyper.lr_node {
                *n = f(*n);
            }
            if let Some(n) = &mut opt.hyper.cycled_momentum {
                *n = f(*n);
            }
            for s in opt.state.iter_mut().flatten() {
                for n in s.nodes_mut().into_iter().flatten() {
                    *n = f(*n);
                }
            }
        }
        for s in &mut self.schedulers {
            s.last_epoch = f(s.last_epoch);
            s.base_lr = f(s.base_lr);
            if let Some(p) = &mut s.plateau {
                for (_, n) in p.nodes_mut() {
                    *n = f(*n);
                }
            }
            if let Some(r) = &mut s.restarts {
                for (_, n) in r.nodes_mut() {
                    *n = f(*n);
                }
            }
        }
    }
}

impl Lowerer<'_> {
    /// `SGD(...)`, `Adam(...)` or any other optimizer of [`Kind`].
    pub(crate) fn make_optimizer(&mut self, kind: Kind, callee: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        if groups::grouped(&args) {
            return self.make_grouped_optimizer(kind, callee, args, span);
        }
        let Some((params, hyper)) = self.optimizer_args(kind, callee, args, span) else { return Value::Poison };
        let defaults = hyper.clone();
        let k = self.push_optimizer(kind, params, hyper, defaults, span);
        self.optim.optimizers[k].groups = vec![k];
        Value::Optimizer(k)
    }

    /// Adds an optimizer (of one group) to the table; its index.
    fn push_optimizer(&mut self, kind: Kind, params: Vec<NodeId>, mut hyper: Hyper, defaults: Hyper, span: Span) -> usize {
        if self.assigns_lr {
            hyper.lr_node = Some(self.scalar(hyper.lr, graphc_runtime::DType::F64, span));
        }
        let state = vec![None; params.len()];
        self.optim.optimizers.push(Optimizer { kind, params, hyper, defaults, state, groups: Vec::new() });
        self.optim.optimizers.len() - 1
    }

    /// What `print(opt)` shows: PyTorch's repr, with the keys its schedulers
    /// added to the group (`initial_lr`; `OneCycleLR`'s rates and momenta), whose
    /// learning rate and cycled momentum are printed when the program runs if
    /// they are run-time numbers.
    pub(crate) fn optimizer_print(&self, k: usize) -> crate::ir::program::PrintArg {
        use crate::ir::program::PrintArg;
        let opt = &self.optim.optimizers[k];
        let mut pieces = vec![PrintArg::Text(format!("{} (", opt.kind.name()))];
        for (i, g) in self.optimizer_groups(k).into_iter().enumerate() {
            let (hyper, extra) = self.group_options(g);
            let text = format!("\nParameter Group {i}\n{}", repr::group_text(opt.kind, &hyper, &extra));
            // Each mark becomes `str()` of the Python float, as the repr formats it.
            let marks = [(repr::LR_MARK, hyper.lr_node), (repr::MOMENTUM_MARK, hyper.cycled_momentum)];
            let mut rest = text.as_str();
            while let Some((at, mark, node)) = marks.iter().filter_map(|(m, n)| Some((rest.find(m)?, *m, (*n)?))).min_by_key(|(at, _, _)| *at) {
                pieces.push(PrintArg::Text(rest[..at].to_string()));
                pieces.push(PrintArg::Scalar { node, spec: String::new() });
                rest = &rest[at + mark.len()..];
            }
            pieces.push(PrintArg::Text(rest.to_string()));
        }
        pieces.push(PrintArg::Text(")".to_string()));
        super::output_calls::concat(pieces)
    }

    /// The options of optimizer `k`'s group as PyTorch holds them now (a
    /// learning rate or momentum that holds a constant as that number), and the
    /// keys its schedulers added to the group (`initial_lr`; `OneCycleLR`'s and
    /// `CyclicLR`'s rates and momenta) with their printed values.
    pub(crate) fn group_options(&self, k: usize) -> (Hyper, Vec<(&'static str, String)>) {
        use graphc_runtime::format::python_float_repr;
        let opt = &self.optim.optimizers[k];
        let mut hyper = opt.hyper.clone();
        // A node that holds a constant prints as that number.
        let constant = |n: Option<NodeId>| match n.map(|n| &self.prog.graph.node(n).op) {
            Some(graphc_runtime::Op::Full(s)) => Some(s.get()),
            _ => None,
        };
        if let Some(v) = constant(hyper.lr_node) {
            (hyper.lr, hyper.lr_node) = (v, None);
        }
        if let Some(v) = constant(hyper.cycled_momentum) {
            if opt.kind == Kind::Adam || opt.kind == Kind::AdamW {
                hyper.betas.0 = v;
            } else {
                hyper.momentum = v;
            }
            hyper.cycled_momentum = None;
        }
        let mut extra: Vec<(&'static str, String)> = Vec::new();
        for s in self.optim.schedulers.iter().filter(|s| s.optimizer == k) {
            match &s.schedule {
                schedulers::Schedule::Plateau(_) => {}
                schedulers::Schedule::OneCycle(c) => extra.extend(c.keys.iter().cloned()),
                schedulers::Schedule::Cyclic(c) => extra.extend(c.keys.iter().cloned()),
                // The first scheduler sets `initial_lr` (`setdefault`), the rate it found.
                _ if !extra.iter().any(|(key, _)| *key == "initial_lr") => {
                    let v = constant(Some(s.base_lr)).unwrap_or(hyper.lr);
                    let int = hyper.ints.contains(&"lr") && v.fract() == 0.0;
                    extra.push(("initial_lr", if int { format!("{}", v as i64) } else { python_float_repr(v) }));
                }
                _ => {}
            }
        }
        (hyper, extra)
    }

    /// `opt.step()` or `opt.zero_grad()`.
    pub(crate) fn optimizer_method(&mut self, k: usize, method: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let kind = self.optim.optimizers[k].kind;
        let name = method.name.as_str();
        if !matches!(name, "step" | "zero_grad") {
            let help = match crate::check::ops::closest(name, ["step", "zero_grad"].into_iter()) {
                Some(s) => format!("did you mean `{s}`? An optimizer has `step()` and `zero_grad()`"),
                None => "an optimizer has `step()` and `zero_grad()`".to_string(),
            };
            return self.error(
                Diagnostic::new(Code::E0685, format!("`{}` has no method `{name}`", kind.name()), method.span, "unknown method").with_help(help),
            );
        }
        // `zero_grad(set_to_none=True)` is PyTorch's default; `False` zeroes the
        // gradients instead. PyTorch's `step(closure)` has no use here: the loss is
        // computed by the program's own statements.
        let mut set_to_none = true;
        if let [(n, v, s)] = args.as_slice() {
            match (name, n.as_ref().is_none_or(|n| n.name == "set_to_none"), v) {
                ("zero_grad", true, Value::Bool(b)) => set_to_none = *b,
                _ => {
                    return self.error(
                        Diagnostic::new(Code::E0685, format!("`{name}` takes no such argument here"), *s, "unexpected argument")
                            .with_help(format!("write `opt.{name}()`; `zero_grad` takes `set_to_none=True` (the default) or `False`")),
                    )
                }
            }
        } else if let Some((_, _, s)) = args.get(1) {
            return self.error(
                Diagnostic::new(Code::E0685, format!("`{name}` takes at most one argument"), *s, "unexpected argument")
                    .with_help(format!("write `opt.{name}()`")),
            );
        }
        if matches!(self.region, crate::ir::graph::Region::Template(_)) {
            // Like any effect, an update has no single place in a backward block,
            // which autodiff copies into each backward pass.
            return self.error(
                Diagnostic::new(Code::E0108, format!("`{name}` inside a backward block"), method.span, "not allowed in a backward block")
                    .with_help("call the optimizer at the top level, after `backward`"),
            );
        }
        for g in self.optimizer_groups(k) {
            if name == "zero_grad" {
                self.optimizer_zero_grad(g, set_to_none, span);
            } else {
                self.optimizer_step(g, span);
            }
        }
        Value::None
    }

    /// Every parameter's gradient becomes `None`, or (`set_to_none` false) a
    /// tensor of zeros where it was not `None`, as PyTorch's `zero_grad` does.
    fn optimizer_zero_grad(&mut self, k: usize, set_to_none: bool, span: Span) {
        for i in 0..self.optim.optimizers[k].params.len() {
            let p = self.current(self.optim.optimizers[k].params[i]);
            self.optim.optimizers[k].params[i] = p;
            let zeroed = match self.grad_state.get(&p).copied() {
                Some(Some(g)) if !set_to_none => {
                    let (dt, shape) = (self.dtype_of(g), self.shape_of(g));
                    Some(self.node(graphc_runtime::Op::Full(graphc_runtime::op::Scalar::of(0.0, dt)), dt, shape, &[], span))
                }
                _ => None,
            };
            if let Some(g) = self.grad_state.get_mut(&p) {
                *g = zeroed;
            }
        }
    }

    /// One `step()`: each parameter whose gradient is not `None` is updated, in
    /// order, by the optimizer's formula, without requiring grad.
    fn optimizer_step(&mut self, k: usize, span: Span) {
        if self.uncertain_optimizer(k, span) {
            return;
        }
        let saved_no_grad = std::mem::replace(&mut self.no_grad, true);
        for i in 0..self.optim.optimizers[k].params.len() {
            let p = self.current(self.optim.optimizers[k].params[i]);
            self.optim.optimizers[k].params[i] = p;
            let Some(Some(g)) = self.grad_state.get(&p).copied() else { continue };
            if self.uncertain_grad(g, span) {
                continue;
            }
            // `grad = grads[i] if not maximize else -grads[i]`, in both updates.
            let g = if self.optim.optimizers[k].hyper.maximize { self.ew1(graphc_runtime::op::Unary::Neg, g, span) } else { g };
            let opt = &self.optim.optimizers[k];
            let (kind, hyper) = (opt.kind, opt.hyper.clone());
            let mut state = opt.state[i].clone().unwrap_or_default();
            let new = match kind {
                Kind::Sgd => self.sgd_update(&hyper, &mut state, p, g, span),
                Kind::Adam => self.adam_update(&hyper, false, &mut state, p, g, span),
                Kind::AdamW => self.adam_update(&hyper, true, &mut state, p, g, span),
                Kind::RmsProp => self.rmsprop_update(&hyper, &mut state, p, g, span),
                Kind::Adagrad => self.adagrad_update(&hyper, &mut state, p, g, span),
                Kind::NAdam => self.nadam_update(&hyper, &mut state, p, g, span),
                Kind::RAdam => self.radam_update(&hyper, &mut state, p, g, span),
                Kind::Adadelta => self.adadelta_update(&hyper, &mut state, p, g, span),
                Kind::Adamax => self.adamax_update(&hyper, &mut state, p, g, span),
                Kind::Asgd => self.asgd_update(&hyper, &mut state, p, g, span),
                Kind::Rprop => self.rprop_update(&hyper, &mut state, p, g, span),
            };
            self.optim.optimizers[k].state[i] = Some(state);
            // The step runs under no_grad, so this is the in-place update of a
            // leaf that the statements `p -= lr * p.grad` make: the new version
            // stays the same leaf, and E0621 sees the update.
            if let Some(new) = self.update_in_place(p, new, "", span) {
                self.optim.optimizers[k].params[i] = new;
            }
        }
        self.no_grad = saved_no_grad;
    }
}
