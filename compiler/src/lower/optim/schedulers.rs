//! `torch.optim.lr_scheduler`'s schedulers, each as PyTorch 2.15's `get_lr`
//! computes it. Most are chainable: they scale the optimizer's current
//! `group["lr"]`, so that two schedulers of one optimizer compose; `LambdaLR`
//! starts again from the base rate each step.
//!
//! ```text
//! __init__:  initial_lr = lr (the first scheduler's); last_epoch = -1; step()
//! step():    last_epoch += 1; lr = get_lr()
//! StepLR:            lr * gamma if last_epoch != 0 and last_epoch % step_size == 0 else lr
//! ExponentialLR:     lr * gamma (after the initial step)
//! MultiStepLR:       lr * gamma ** milestones[last_epoch] if last_epoch in milestones else lr
//! CosineAnnealingLR: lr + (base - eta_min) * (1 - cos(pi / T_max)) / 2 if (last_epoch - 1 - T_max) % (2 * T_max) == 0
//!                    else (1 + cos(pi * last_epoch / T_max)) / (1 + cos(pi * (last_epoch - 1) / T_max)) * (lr - eta_min) + eta_min
//! LambdaLR:          base * lr_lambda(last_epoch), the initial step included
//! MultiplicativeLR:  lr * lr_lambda(last_epoch) (after the initial step)
//! LinearLR:          lr * start_factor at the initial step; lr if last_epoch > total_iters
//!                    else lr * (1.0 + (end - start) / (total_iters * start + (last_epoch - 1) * (end - start)))
//! ConstantLR:        lr * factor at the initial step; lr * (1.0 / factor) at total_iters
//! PolynomialLR:      lr if last_epoch > total_iters
//!                    else lr * ((1.0 - last_epoch / total_iters) / (1.0 - (last_epoch - 1) / total_iters)) ** power
//! ```
//!
//! `last_epoch` is an i64 node, the rate the optimizer's assigned one
//! (`param_groups.rs`) and the base rate a f64 node, all carried by loops and
//! branches as the optimizer's state is, so that `scheduler.step()` in a loop
//! compiled once schedules as PyTorch's does, in Python floats (libm's `cos`
//! and `pow`, as CPython's `math` module).

use graphc_runtime::op::{Binary, Cmp, Scalar, Unary};
use graphc_runtime::{DType, Op};

use super::super::{Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// Which schedule, with its options.
#[derive(Clone, Debug)]
pub(crate) enum Schedule {
    Step {
        step_size: i64,
        gamma: f64,
    },
    Exponential {
        gamma: f64,
    },
    /// Each distinct milestone with the number of times it was listed.
    MultiStep {
        milestones: Vec<(i64, u32)>,
        gamma: f64,
    },
    Cosine {
        t_max: i64,
        eta_min: f64,
    },
    /// `LambdaLR` (`multiplicative` false) or `MultiplicativeLR`: the function
    /// (a `lambda` or a fn) of the epoch.
    Lambda {
        f: Value,
        multiplicative: bool,
    },
    Linear {
        start: f64,
        end: f64,
        total: i64,
    },
    Constant {
        factor: f64,
        total: i64,
    },
    Polynomial {
        total: i64,
        power: f64,
    },
    Plateau(super::plateau::Plateau),
    OneCycle(super::one_cycle::OneCycle),
    Cyclic(super::cyclic::Cyclic),
    WarmRestarts(super::warm_restarts::WarmRestarts),
    /// `SequentialLR`: the child schedulers (indexes of the schedulers' table)
    /// and the epochs at which each after the first takes over (`composite.rs`).
    Sequential {
        children: Vec<usize>,
        milestones: Vec<i64>,
    },
    /// `ChainedScheduler`: the child schedulers, stepped in order.
    Chained(Vec<usize>),
    /// A scheduler of an optimizer of several parameter groups: one child per
    /// group, made as the scheduler of that group alone, stepped in order
    /// (`groups.rs`); PyTorch's keeps one rate per group the same way.
    Grouped(Vec<usize>),
}

/// One scheduler object.
#[derive(Clone, Debug)]
pub(crate) struct Scheduler {
    pub name: &'static str,
    pub schedule: Schedule,
    /// The optimizer it schedules (an index of the optimizers' table).
    pub optimizer: usize,
    /// `last_epoch`, a 0-d i64 node.
    pub last_epoch: NodeId,
    /// The group's `initial_lr` (PyTorch's `base_lrs`), a 0-d f64 node: the rate
    /// when the optimizer's first scheduler was made.
    pub base_lr: NodeId,
    /// `ReduceLROnPlateau`'s state.
    pub plateau: Option<super::plateau::PlateauState>,
    /// `CosineAnnealingWarmRestarts`'s state.
    pub restarts: Option<super::warm_restarts::RestartState>,
}

/// A scheduler's name, parameters in PyTorch's order, and the call its errors suggest.
struct Spec {
    name: &'static str,
    params: &'static [&'static str],
    usage: &'static str,
}

const SPECS: &[Spec] = &[
    Spec { name: "StepLR", params: &["optimizer", "step_size", "gamma", "last_epoch"], usage: "`StepLR(optimizer, step_size=30, gamma=0.1)`" },
    Spec { name: "ExponentialLR", params: &["optimizer", "gamma", "last_epoch"], usage: "`ExponentialLR(optimizer, gamma=0.9)`" },
    Spec {
        name: "MultiStepLR",
        params: &["optimizer", "milestones", "gamma", "last_epoch"],
        usage: "`MultiStepLR(optimizer, milestones=[30, 80], gamma=0.1)`",
    },
    Spec {
        name: "CosineAnnealingLR",
        params: &["optimizer", "T_max", "eta_min", "last_epoch"],
        usage: "`CosineAnnealingLR(optimizer, T_max=100, eta_min=0.0)`",
    },
    Spec {
        name: "LambdaLR",
        params: &["optimizer", "lr_lambda", "last_epoch"],
        usage: "`LambdaLR(optimizer, lr_lambda=lambda epoch: 0.95 ** epoch)`",
    },
    Spec {
        name: "MultiplicativeLR",
        params: &["optimizer", "lr_lambda", "last_epoch"],
        usage: "`MultiplicativeLR(optimizer, lr_lambda=lambda epoch: 0.95)`",
    },
    Spec {
        name: "LinearLR",
        params: &["optimizer", "start_factor", "end_factor", "total_iters", "last_epoch"],
        usage: "`LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=5)`",
    },
    Spec {
        name: "ConstantLR",
        params: &["optimizer", "factor", "total_iters", "last_epoch"],
        usage: "`ConstantLR(optimizer, factor=0.5, total_iters=4)`",
    },
    Spec {
        name: "PolynomialLR",
        params: &["optimizer", "total_iters", "power", "last_epoch"],
        usage: "`PolynomialLR(optimizer, total_iters=4, power=1.0)`",
    },
    Spec {
        name: "CosineAnnealingWarmRestarts",
        params: &["optimizer", "T_0", "T_mult", "eta_min", "last_epoch"],
        usage: "`CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=2, eta_min=0.0)`",
    },
    Spec {
        name: "OneCycleLR",
        params: &[
            "optimizer",
            "max_lr",
            "total_steps",
            "epochs",
            "steps_per_epoch",
            "pct_start",
            "anneal_strategy",
            "cycle_momentum",
            "base_momentum",
            "max_momentum",
            "div_factor",
            "final_div_factor",
            "three_phase",
            "last_epoch",
        ],
        usage: "`OneCycleLR(optimizer, max_lr=0.1, total_steps=1000)`",
    },
    Spec {
        name: "CyclicLR",
        params: &[
            "optimizer",
            "base_lr",
            "max_lr",
            "step_size_up",
            "step_size_down",
            "mode",
            "gamma",
            "scale_fn",
            "scale_mode",
            "cycle_momentum",
            "base_momentum",
            "max_momentum",
            "last_epoch",
        ],
        usage: "`CyclicLR(optimizer, base_lr=0.001, max_lr=0.1, step_size_up=2000)`",
    },
    Spec {
        name: "SequentialLR",
        params: &["optimizer", "schedulers", "milestones", "last_epoch"],
        usage: "`SequentialLR(optimizer, schedulers=[warmup, decay], milestones=[5])`",
    },
    Spec { name: "ChainedScheduler", params: &["schedulers", "optimizer"], usage: "`ChainedScheduler([scheduler1, scheduler2])`" },
    Spec {
        name: "ReduceLROnPlateau",
        params: &["optimizer", "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"],
        usage: "`ReduceLROnPlateau(optimizer, mode=\"min\", factor=0.1, patience=10)`",
    },
];

/// The scheduler a call name makes, when it is one.
pub(crate) fn lookup(name: &str) -> Option<&'static str> {
    SPECS.iter().find(|s| s.name == name).map(|s| s.name)
}

/// The arguments of a scheduler call, bound to its parameters.
pub(super) struct Bound {
    pub(super) name: &'static str,
    usage: &'static str,
    callee: Span,
    slots: Vec<(&'static str, Option<(Value, Span)>)>,
}

impl Bound {
    /// The arguments still bound, as keyword arguments.
    pub(super) fn into_keywords(self) -> Vec<(Option<Ident>, Value, Span)> {
        self.slots.into_iter().filter_map(|(n, v)| v.map(|(v, s)| (Some(Ident { name: n.to_string(), span: s }), v, s))).collect()
    }

    pub(super) fn take(&mut self, p: &str) -> Option<(Value, Span)> {
        self.slots.iter_mut().find(|(n, _)| *n == p).and_then(|(_, v)| v.take())
    }

    /// Whether argument `p` was given as a Python int (which PyTorch's repr prints without a point).
    pub(super) fn is_int(&self, p: &str) -> bool {
        self.slots.iter().any(|(n, v)| *n == p && matches!(v, Some((Value::Number(Num::Int(_)), _))))
    }

    /// Puts an argument back, to be read again (an item of a one-item list).
    pub(super) fn put(&mut self, p: &str, v: (Value, Span)) {
        if let Some(slot) = self.slots.iter_mut().find(|(n, _)| *n == p) {
            slot.1 = Some(v);
        }
    }
}

impl Lowerer<'_> {
    pub(super) fn scheduler_error(&mut self, b: &Bound, msg: String, span: Span, label: &str) -> Option<()> {
        self.error(Diagnostic::new(Code::E0680, msg, span, label).with_help(format!("write {}", b.usage)));
        None
    }

    /// A number option, `default` when it is left out (`None`: required).
    pub(super) fn sched_number(&mut self, b: &mut Bound, p: &str, default: Option<f64>) -> Option<f64> {
        match b.take(p) {
            Some((Value::Number(n), _)) => Some(n.f64()),
            Some((Value::Poison, _)) => None,
            Some((other, s)) => {
                self.scheduler_error(b, format!("`{p}` must be a number known when compiling, not {}", other.describe()), s, "not a number")?;
                None
            }
            None if default.is_some() => default,
            None => {
                let (name, at) = (b.name, b.callee);
                self.scheduler_error(b, format!("`{name}` needs `{p}`"), at, "missing argument")?;
                None
            }
        }
    }

    /// `milestones`, a list of Python ints (`MultiStepLR`'s, `SequentialLR`'s):
    /// their values, and the list's place (`missing_at` when it is not given).
    /// An int beyond i64 is clamped: no epoch reaches it.
    pub(super) fn sched_milestones(&mut self, b: &mut Bound, missing_at: Span) -> Option<(Vec<i64>, Span)> {
        let (items, at) = match b.take("milestones") {
            Some((Value::List(items) | Value::Tuple(items), at)) => (items, at),
            Some((Value::Poison, _)) => return None,
            Some((other, at)) => {
                return self
                    .scheduler_error(b, format!("`milestones` must be a list of integers, not {}", other.describe()), at, "not a list")
                    .and(None)
            }
            None => {
                let msg = format!("`{}` needs `milestones`", b.name);
                return self.scheduler_error(b, msg, missing_at, "missing argument").and(None);
            }
        };
        let mut values = Vec::with_capacity(items.len());
        for (item, s) in items {
            match item {
                Value::Number(Num::Int(m)) => values.push(m.clamp(i64::MIN as i128, i64::MAX as i128) as i64),
                Value::Poison => return None,
                other => {
                    return self
                        .scheduler_error(b, format!("a milestone must be an integer, not {}", other.describe()), s, "not an integer")
                        .and(None)
                }
            }
        }
        Some((values, at))
    }

    /// An integer option of at least `min`. A float with an integer's value
    /// counts as that integer, as PyTorch's arithmetic on it does
    /// (`StepLR(optimizer, 1.0, gamma=0.1)` in the text classification tutorial).
    pub(super) fn sched_int(&mut self, b: &mut Bound, p: &str, default: Option<i64>, min: i64) -> Option<i64> {
        match b.take(p) {
            Some((Value::Number(Num::Int(n)), _)) if n >= min as i128 && n <= i64::MAX as i128 => Some(n as i64),
            Some((Value::Number(Num::Float(f)), _)) if f.fract() == 0.0 && f >= min as f64 && f < 9.0e15 => Some(f as i64),
            Some((Value::Poison, _)) => None,
            Some((other, s)) => {
                let what = if min > 0 { "a positive integer" } else { "a non-negative integer" };
                // An int out of range is shown as itself, anything else by its kind.
                let got = match &other {
                    Value::Number(Num::Int(n)) => n.to_string(),
                    other => other.describe().to_string(),
                };
                self.scheduler_error(b, format!("`{p}` must be {what}, not {got}"), s, "not a count")?;
                None
            }
            None if default.is_some() => default,
            None => {
                let (name, at) = (b.name, b.callee);
                self.scheduler_error(b, format!("`{name}` needs `{p}`"), at, "missing argument")?;
                None
            }
        }
    }

    /// A factor that PyTorch checks to lie in `lo..=1` (`lo` excluded when `open`).
    fn sched_factor(&mut self, b: &mut Bound, p: &str, default: f64, lo_open: bool, span: Span) -> Option<f64> {
        let v = self.sched_number(b, p, Some(default))?;
        if !(0.0..=1.0).contains(&v) || (lo_open && v == 0.0) {
            let range = if lo_open { "greater than 0 and at most 1" } else { "between 0 and 1" };
            self.scheduler_error(b, format!("`{p}` must be {range}, not {v}"), span, "out of range")?;
        }
        Some(v)
    }

    /// A string option that is one of `choices`, `default` when left out.
    pub(super) fn sched_choice(&mut self, b: &mut Bound, p: &str, default: &'static str, choices: &[&'static str]) -> Option<&'static str> {
        match b.take(p) {
            None => Some(default),
            Some((Value::Str(s), at)) => match choices.iter().find(|c| **c == s) {
                Some(c) => Some(*c),
                None => {
                    let options = choices.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(" or ");
                    self.scheduler_error(b, format!("`{p}` is {options}, not \"{s}\""), at, "unknown mode")?;
                    None
                }
            },
            Some((Value::Poison, _)) => None,
            Some((other, at)) => {
                self.scheduler_error(b, format!("`{p}` must be a string, not {}", other.describe()), at, "not a string")?;
                None
            }
        }
    }

    /// `lr_lambda`: a function, or a list of one function (one per parameter group).
    fn sched_function(&mut self, b: &mut Bound) -> Option<Value> {
        match b.take("lr_lambda") {
            Some((f @ (Value::Lambda(_) | Value::Func(..)), _)) => Some(f),
            Some((Value::List(items) | Value::Tuple(items), s)) if items.len() == 1 => {
                b.put("lr_lambda", (items[0].0.clone(), s));
                self.sched_function(b)
            }
            Some((Value::Poison, _)) => None,
            Some((other, s)) => {
                self.scheduler_error(b, format!("`lr_lambda` must be a function of the epoch, not {}", other.describe()), s, "not a function")?;
                None
            }
            None => {
                let (name, at) = (b.name, b.callee);
                self.scheduler_error(b, format!("`{name}` needs `lr_lambda`"), at, "missing argument")?;
                None
            }
        }
    }

    /// Makes a scheduler: binds the call's arguments, reads the options, and
    /// takes the initial step.
    pub(crate) fn make_scheduler(&mut self, name: &'static str, callee: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let Some(spec) = SPECS.iter().find(|s| s.name == name) else { return Value::Poison };
        let mut b = Bound { name, usage: spec.usage, callee: callee.span, slots: spec.params.iter().map(|p| (*p, None)).collect() };
        for (k, (key, v, s)) in args.into_iter().enumerate() {
            let at = match &key {
                None => Some(k).filter(|&k| k < spec.params.len()),
                Some(key) => spec.params.iter().position(|n| *n == key.name),
            };
            match at {
                Some(at) if b.slots[at].1.is_none() => b.slots[at].1 = Some((v, s)),
                _ => {
                    let what = key.map_or_else(|| "too many arguments".to_string(), |k| format!("no parameter `{}` (or it was given twice)", k.name));
                    self.scheduler_error(&b, format!("`{name}` takes {what}"), s, "not a parameter");
                    return Value::Poison;
                }
            }
        }
        let optimizer = match b.take("optimizer") {
            // PyTorch's scheduler keeps one rate per group: one child per group here.
            Some((Value::Optimizer(k), s)) if self.optim.optimizers[k].groups.len() > 1 => {
                return self.make_grouped_scheduler(name, callee, k, s, b, span)
            }
            Some((Value::Optimizer(k), _)) => k,
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, s)) => {
                self.scheduler_error(&b, format!("`{name}` schedules an optimizer, not {}", other.describe()), s, "not an optimizer");
                return Value::Poison;
            }
            // `ChainedScheduler`'s optimizer is its first child's.
            None if name == "ChainedScheduler" => return self.make_composite(&mut b, None, span),
            None => {
                self.scheduler_error(&b, format!("`{name}` needs `optimizer`"), callee.span, "missing argument");
                return Value::Poison;
            }
        };
        if let Some((v, s)) = b.take("last_epoch") {
            if !matches!(v, Value::Number(Num::Int(-1))) {
                // PyTorch then needs `initial_lr` in the groups, which only a resumed run has.
                return self.error(
                    Diagnostic::new(Code::E0680, format!("`{name}` starts from `last_epoch=-1` here"), s, "a resumed schedule")
                        .with_help("leave out `last_epoch`; a schedule resumed from a checkpoint is not supported"),
                );
            }
        }
        if matches!(name, "SequentialLR" | "ChainedScheduler") {
            return self.make_composite(&mut b, Some(optimizer), span);
        }
        let Some(schedule) = self.schedule_options(&mut b, optimizer, span) else { return Value::Poison };
        // `OneCycleLR` and `CyclicLR` set the group's rate and momentum outright,
        // which another scheduler of the same optimizer would read or overwrite.
        let alone = |s: &Scheduler| matches!(s.schedule, Schedule::OneCycle(_) | Schedule::Cyclic(_));
        let others = self.optim.schedulers.iter().filter(|s| s.optimizer == optimizer).collect::<Vec<_>>();
        let lone = if matches!(schedule, Schedule::OneCycle(_) | Schedule::Cyclic(_)) {
            Some(name)
        } else {
            others.iter().find(|s| alone(s)).map(|s| s.name)
        };
        if let (false, Some(lone)) = (others.is_empty(), lone) {
            return self.error(
                Diagnostic::new(
                    Code::E0680,
                    format!("`{lone}` schedules its optimizer alone here"),
                    callee.span,
                    "a second scheduler of this optimizer",
                )
                .with_help(format!("give the optimizer one `{lone}` and no other scheduler")),
            );
        }
        // The optimizer's rate becomes a node now if nothing made it one, so that
        // the steps have a place to carry it.
        if self.optim.optimizers[optimizer].hyper.lr_node.is_none() {
            let lr = self.optim.optimizers[optimizer].hyper.lr;
            self.optim.optimizers[optimizer].hyper.lr_node = Some(self.scalar(lr, DType::F64, span));
        }
        let lr = self.optim.optimizers[optimizer].hyper.lr_node.unwrap_or_else(|| unreachable!("made just above"));
        // `initial_lr` is set by the first scheduler of the optimizer (`setdefault`);
        // `ReduceLROnPlateau` sets none.
        let base_lr =
            self.optim.schedulers.iter().find(|s| s.optimizer == optimizer && !matches!(s.schedule, Schedule::Plateau(_))).map_or(lr, |s| s.base_lr);
        let plateau = match &schedule {
            Schedule::Plateau(p) => Some(self.plateau_state(p, span)),
            _ => None,
        };
        // The initial step: `last_epoch` becomes 0; most schedules leave the rate.
        let last_epoch = self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![], &[], span);
        let Some(initial) = self.initial_lr(&schedule, lr, base_lr, span) else { return Value::Poison };
        if let Some(new) = initial {
            self.optim.optimizers[optimizer].hyper.lr_node = Some(new);
        }
        let cycled = match &schedule {
            Schedule::OneCycle(c) => Some((self.one_cycle_values(c, last_epoch, span), c.cycle_momentum)),
            Schedule::Cyclic(c) => match self.cyclic_values(c, last_epoch, span) {
                Some(values) => Some((values, c.cycle_momentum)),
                None => return Value::Poison,
            },
            _ => None,
        };
        if let Some(((lr, momentum), cycle_momentum)) = cycled {
            // The initial step sets the rate and, when cycled, the momentum of step 0.
            let h = &mut self.optim.optimizers[optimizer].hyper;
            h.lr_node = Some(lr);
            if cycle_momentum {
                h.cycled_momentum = Some(momentum);
            }
        }
        let restarts = match &schedule {
            Schedule::WarmRestarts(w) => {
                // The initial step: epoch 0 is below `T_0`, so `T_i = T_0`, `T_cur = 0`.
                let (state, lr) = self.warm_restarts_start(w, base_lr, span);
                self.optim.optimizers[optimizer].hyper.lr_node = Some(lr);
                Some(state)
            }
            _ => None,
        };
        self.optim.schedulers.push(Scheduler { name, schedule, optimizer, last_epoch, base_lr, plateau, restarts });
        Value::Scheduler(self.optim.schedulers.len() - 1)
    }

    /// The rate `get_lr` gives at epoch 0 (the initial step) from the group's
    /// rate `lr` and the base rate, when it is not `lr` itself: `LinearLR` and
    /// `ConstantLR` scale it, `LambdaLR` scales the base rate, and `MultiStepLR`
    /// scales it when 0 is a milestone. `None` when `lr_lambda` failed.
    fn initial_lr(&mut self, schedule: &Schedule, lr: NodeId, base_lr: NodeId, span: Span) -> Option<Option<NodeId>> {
        Some(match schedule {
            Schedule::MultiStep { milestones, gamma } => match milestones.iter().find(|(m, _)| *m == 0) {
                Some((_, count)) => {
                    let f = self.scalar(gamma.powf(*count as f64), DType::F64, span);
                    Some(self.f64_node(Binary::Mul, lr, f, span))
                }
                None => None,
            },
            Schedule::Linear { start: factor, .. } | Schedule::Constant { factor, .. } => {
                let f = self.scalar(*factor, DType::F64, span);
                Some(self.f64_node(Binary::Mul, lr, f, span))
            }
            Schedule::Lambda { f, multiplicative: false } => {
                let factor = self.call_lr_lambda(f, Value::Number(Num::Int(0)), span)?;
                Some(self.f64_node(Binary::Mul, base_lr, factor, span))
            }
            _ => None,
        })
    }

    /// Scheduler `s`'s `_initial_step()` after its epoch went back to -1
    /// (`SequentialLR`'s first child): epoch 0 and the rate of [`Lowerer::initial_lr`].
    pub(super) fn initial_step(&mut self, s: usize, span: Span) -> Option<()> {
        let sched = self.optim.schedulers[s].clone();
        let one = self.node(Op::Full(Scalar::Int(1)), DType::I64, vec![], &[], span);
        self.optim.schedulers[s].last_epoch = self.node(Op::Binary(Binary::Add), DType::I64, vec![], &[sched.last_epoch, one], span);
        let h = &self.optim.optimizers[sched.optimizer].hyper;
        let lr = self.lr_value(h.lr_node, h.lr, span);
        if let Some(new) = self.initial_lr(&sched.schedule, lr, sched.base_lr, span)? {
            self.optim.optimizers[sched.optimizer].hyper.lr_node = Some(new);
        }
        Some(())
    }

    /// The options of the schedule `b` names.
    fn schedule_options(&mut self, b: &mut Bound, optimizer: usize, span: Span) -> Option<Schedule> {
        Some(match b.name {
            "StepLR" => {
                let step_size = self.sched_int(b, "step_size", None, 1)?;
                Schedule::Step { step_size, gamma: self.sched_number(b, "gamma", Some(0.1))? }
            }
            "ExponentialLR" => Schedule::Exponential { gamma: self.sched_number(b, "gamma", None)? },
            "MultiStepLR" => {
                let at = b.callee;
                let (values, _) = self.sched_milestones(b, at)?;
                let mut milestones: Vec<(i64, u32)> = Vec::new();
                for m in values {
                    match milestones.iter_mut().find(|(x, _)| *x == m) {
                        Some((_, count)) => *count += 1,
                        None => milestones.push((m, 1)),
                    }
                }
                Schedule::MultiStep { milestones, gamma: self.sched_number(b, "gamma", Some(0.1))? }
            }
            "CosineAnnealingLR" => {
                // A `T_max` of 0 divides by zero in PyTorch's first step.
                let t_max = self.sched_int(b, "T_max", None, 1)?;
                Schedule::Cosine { t_max, eta_min: self.sched_number(b, "eta_min", Some(0.0))? }
            }
            "LambdaLR" | "MultiplicativeLR" => Schedule::Lambda { f: self.sched_function(b)?, multiplicative: b.name == "MultiplicativeLR" },
            "LinearLR" => {
                let start = self.sched_factor(b, "start_factor", 1.0 / 3.0, true, span)?;
                let end = self.sched_factor(b, "end_factor", 1.0, false, span)?;
                Schedule::Linear { start, end, total: self.sched_int(b, "total_iters", Some(5), 0)? }
            }
            "ConstantLR" => {
                // PyTorch accepts a factor of 0 and then divides by it at `total_iters`.
                let factor = self.sched_factor(b, "factor", 1.0 / 3.0, true, span)?;
                Schedule::Constant { factor, total: self.sched_int(b, "total_iters", Some(5), 0)? }
            }
            "ReduceLROnPlateau" => return self.plateau_options(b, span),
            "OneCycleLR" => return self.one_cycle_options(b, optimizer, span),
            "CyclicLR" => return self.cyclic_options(b, optimizer, span),
            "CosineAnnealingWarmRestarts" => return self.warm_restarts_options(b),
            _ => {
                // `PolynomialLR`: a `total_iters` of 0 divides by zero in the first step.
                let total = self.sched_int(b, "total_iters", Some(5), 1)?;
                Schedule::Polynomial { total, power: self.sched_number(b, "power", Some(1.0))? }
            }
        })
    }

    /// `lr_lambda(epoch)` as a 0-d f64 node: the Python number it returns, as a float.
    pub(super) fn call_lr_lambda(&mut self, f: &Value, epoch: Value, span: Span) -> Option<NodeId> {
        // Not a name a program can write: the call stack finds recursion by name.
        let callee = Ident { name: "<lr_lambda>".to_string(), span };
        let args = vec![(None, epoch, span)];
        let r = self.call_value(f, &callee, args, span);
        match self.float_node(r, span) {
            Ok(node) => node,
            Err(other) => {
                self.error(
                    Diagnostic::new(Code::E0680, format!("`lr_lambda` must return a Python number, not {}", other.describe()), span, "here")
                        .with_help("return a number of the epoch, as `lambda epoch: 0.95 ** epoch`; use `.item()` for a tensor's value"),
                );
                None
            }
        }
    }

    /// A binary op on 0-d f64 nodes.
    fn f64_node(&mut self, op: Binary, a: NodeId, b: NodeId, span: Span) -> NodeId {
        self.node(Op::Binary(op), DType::F64, vec![], &[a, b], span)
    }

    /// `scheduler.step()` or `scheduler.get_last_lr()`.
    pub(crate) fn scheduler_method(&mut self, s: usize, method: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let name = self.optim.schedulers[s].name;
        if !matches!(method.name.as_str(), "step" | "get_last_lr") {
            return self.error(
                Diagnostic::new(Code::E0685, format!("`{name}` has no method `{}`", method.name), method.span, "unknown method")
                    .with_help("a scheduler has `step()` and `get_last_lr()`"),
            );
        }
        let plateau = matches!(self.optim.schedulers[s].schedule, Schedule::Plateau(_));
        let mut args = args;
        let metrics = match (plateau, method.name.as_str()) {
            (true, "step") if args.len() == 1 && args[0].0.as_ref().is_none_or(|k| k.name == "metrics") => {
                let (_, v, at) = args.remove(0);
                Some((v, at))
            }
            (true, "step") => {
                return self.error(
                    Diagnostic::new(Code::E0685, "`ReduceLROnPlateau.step` takes the metric", method.span, "one argument")
                        .with_help("pass the value to watch, as `scheduler.step(val_loss)`"),
                );
            }
            _ => None,
        };
        let restarts = matches!(self.optim.schedulers[s].schedule, Schedule::WarmRestarts(_));
        if restarts && method.name == "step" && args.len() == 1 && args[0].0.as_ref().is_none_or(|k| k.name == "epoch") {
            let (_, epoch, at) = args.remove(0);
            return match self.warm_restarts_epoch(s, (epoch, at), span) {
                Some(()) => Value::None,
                None => Value::Poison,
            };
        }
        if let Some((_, _, at)) = args.first() {
            // `step(epoch)` is deprecated in PyTorch and jumps to a closed form
            // (warm restarts' alone is the docs' way to step within an epoch).
            return self.error(
                Diagnostic::new(Code::E0685, format!("`{}` takes no arguments here", method.name), *at, "unexpected argument")
                    .with_help(format!("write `scheduler.{}()`", method.name)),
            );
        }
        let k = self.optim.schedulers[s].optimizer;
        if method.name == "get_last_lr" {
            // One rate per group, in order.
            let groups = self.optimizer_groups(k);
            return Value::List(groups.into_iter().map(|g| (self.param_group_read(g, (Value::Str("lr".to_string()), span), span), span)).collect());
        }
        match self.scheduler_step(s, metrics, span) {
            Some(()) => Value::None,
            None => Value::Poison,
        }
    }

    /// `CosineAnnealingWarmRestarts.step(epoch)`: `epoch` a Python number, an
    /// int or a float, known when compiling or at run time.
    fn warm_restarts_epoch(&mut self, s: usize, (epoch, at): (Value, Span), span: Span) -> Option<()> {
        let node = match epoch {
            Value::Number(Num::Int(i)) if i.unsigned_abs() <= 1 << 53 => self.node(Op::Full(Scalar::Int(i as i64)), DType::I64, vec![], &[], at),
            Value::Number(Num::Float(v)) => self.scalar(v, DType::F64, at),
            Value::Host { node, kind: super::super::HostKind::Int | super::super::HostKind::Float } => node,
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0685, format!("`step(epoch)` takes a number, not {}", other.describe()), at, "not an epoch")
                        .with_help("pass the epoch, as the docs' `scheduler.step(epoch + i / iters)`"),
                );
                return None;
            }
        };
        let sched = self.optim.schedulers[s].clone();
        let Schedule::WarmRestarts(w) = &sched.schedule else { return None };
        let (state, last_epoch, lr) = self.warm_restarts_step_to(w, node, sched.base_lr, span);
        self.optim.schedulers[s].restarts = Some(state);
        self.optim.schedulers[s].last_epoch = last_epoch;
        self.optim.optimizers[sched.optimizer].hyper.lr_node = Some(lr);
        Some(())
    }

    /// Scheduler `s`'s `step()`, with the metric `ReduceLROnPlateau`'s takes.
    fn scheduler_step(&mut self, s: usize, metrics: Option<(Value, Span)>, span: Span) -> Option<()> {
        match self.optim.schedulers[s].schedule.clone() {
            Schedule::Sequential { children, milestones } => return self.sequential_step(s, &children, &milestones, span),
            Schedule::Chained(children) | Schedule::Grouped(children) => {
                return children.iter().try_for_each(|&c| self.scheduler_step(c, metrics.clone(), span));
            }
            _ => {}
        }
        let k = self.optim.schedulers[s].optimizer;
        let prev = self.optim.schedulers[s].last_epoch;
        if matches!(self.prog.graph.node(prev).op, Op::Input(_)) {
            // `last_epoch` carried into a loop or branch counts steps from 0, which
            // the range analysis cannot see through the carry; it tells the
            // analysis that `0.95 ** epoch` stays finite.
            self.prog.input_ranges.insert(prev, (0.0, f64::INFINITY));
        }
        let one = self.node(Op::Full(Scalar::Int(1)), DType::I64, vec![], &[], span);
        let last = self.node(Op::Binary(Binary::Add), DType::I64, vec![], &[prev, one], span);
        self.optim.schedulers[s].last_epoch = last;
        let lr = self.lr_value(self.optim.optimizers[k].hyper.lr_node, self.optim.optimizers[k].hyper.lr, span);
        let new = self.scheduled_lr(s, last, lr, metrics, span)?;
        self.optim.optimizers[k].hyper.lr_node = Some(new);
        Some(())
    }

    /// The rate after scheduler `s`'s step that made `last_epoch` `last`, from the
    /// rate `lr`; `metrics` is what `ReduceLROnPlateau.step` was given (checked
    /// present by the caller), whose state the step updates.
    pub(super) fn scheduled_lr(&mut self, s: usize, last: NodeId, lr: NodeId, metrics: Option<(Value, Span)>, span: Span) -> Option<NodeId> {
        let base = self.optim.schedulers[s].base_lr;
        let schedule = &self.optim.schedulers[s].schedule.clone();
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let int = |l: &mut Self, v: i64| l.node(Op::Full(Scalar::Int(v)), DType::I64, vec![], &[], span);
        let cmp = |l: &mut Self, c: Cmp, a: NodeId, b: NodeId| l.node(Op::Compare(c), DType::Bool, vec![], &[a, b], span);
        let select = |l: &mut Self, c: NodeId, a: NodeId, b: NodeId| l.node(Op::Select, DType::F64, vec![], &[c, a, b], span);
        let int_op = |l: &mut Self, op: Binary, a: NodeId, b: NodeId| l.node(Op::Binary(op), DType::I64, vec![], &[a, b], span);
        Some(match schedule {
            Schedule::Step { step_size, gamma } => {
                let (size, zero, g) = (int(self, *step_size), int(self, 0), f(self, *gamma));
                let rem = int_op(self, Binary::Remainder, last, size);
                let hit = cmp(self, Cmp::Eq, rem, zero);
                let scaled = self.f64_node(Binary::Mul, lr, g, span);
                select(self, hit, scaled, lr)
            }
            Schedule::Exponential { gamma } => {
                let g = f(self, *gamma);
                self.f64_node(Binary::Mul, lr, g, span)
            }
            Schedule::MultiStep { milestones, gamma } => {
                let mut out = lr;
                for &(m, count) in milestones {
                    // `gamma ** count`, a Python float power.
                    let (at, factor) = (int(self, m), f(self, gamma.powf(count as f64)));
                    let hit = cmp(self, Cmp::Eq, last, at);
                    let scaled = self.f64_node(Binary::Mul, lr, factor, span);
                    out = select(self, hit, scaled, out);
                }
                out
            }
            Schedule::Cosine { t_max, eta_min } => {
                let t = *t_max;
                // The restart branch: `lr + (base - eta_min) * (1 - cos(pi / T_max)) / 2`.
                let eta = f(self, *eta_min);
                let width = self.f64_node(Binary::Sub, base, eta, span);
                let k = f(self, 1.0 - (std::f64::consts::PI / t as f64).cos());
                let m = self.f64_node(Binary::Mul, width, k, span);
                let two = f(self, 2.0);
                let q = self.f64_node(Binary::Div, m, two, span);
                let restart = self.f64_node(Binary::Add, lr, q, span);
                // `(last - 1 - T_max) % (2 * T_max) == 0`; a floored or truncated
                // remainder is zero at the same epochs.
                let one = int(self, 1);
                let prev = int_op(self, Binary::Sub, last, one);
                let (ti, t2, zero) = (int(self, t), int(self, 2 * t), int(self, 0));
                let shifted = int_op(self, Binary::Sub, prev, ti);
                let rem = int_op(self, Binary::Remainder, shifted, t2);
                let at_restart = cmp(self, Cmp::Eq, rem, zero);
                // `(1 + cos(pi * last / T_max)) / (1 + cos(pi * (last - 1) / T_max)) * (lr - eta_min) + eta_min`.
                let (pi, tf, onef) = (f(self, std::f64::consts::PI), f(self, t as f64), f(self, 1.0));
                let cos_term = |l: &mut Self, e: NodeId| {
                    let e = l.cast_to(e, DType::F64, span);
                    let a = l.f64_node(Binary::Mul, pi, e, span);
                    let a = l.f64_node(Binary::Div, a, tf, span);
                    let c = l.node(Op::Unary(Unary::Cos), DType::F64, vec![], &[a], span);
                    l.f64_node(Binary::Add, onef, c, span)
                };
                let (num, den) = (cos_term(self, last), cos_term(self, prev));
                let ratio = self.f64_node(Binary::Div, num, den, span);
                let above = self.f64_node(Binary::Sub, lr, eta, span);
                let scaled = self.f64_node(Binary::Mul, ratio, above, span);
                let smooth = self.f64_node(Binary::Add, scaled, eta, span);
                select(self, at_restart, restart, smooth)
            }
            Schedule::Lambda { f: func, multiplicative } => {
                let epoch = Value::Host { node: last, kind: super::super::HostKind::Int };
                let factor = self.call_lr_lambda(func, epoch, span)?;
                let from = if *multiplicative { lr } else { base };
                self.f64_node(Binary::Mul, from, factor, span)
            }
            Schedule::Linear { start, end, total } => {
                // `lr * (1.0 + (end - start) / (total * start + (last - 1) * (end - start)))`.
                let d = end - start;
                let (t1, df, onef, one) = (f(self, *total as f64 * start), f(self, d), f(self, 1.0), int(self, 1));
                let prev = int_op(self, Binary::Sub, last, one);
                let prev = self.cast_to(prev, DType::F64, span);
                let t2 = self.f64_node(Binary::Mul, prev, df, span);
                let sum = self.f64_node(Binary::Add, t1, t2, span);
                let r = self.f64_node(Binary::Div, df, sum, span);
                let g = self.f64_node(Binary::Add, onef, r, span);
                let out = self.f64_node(Binary::Mul, lr, g, span);
                let t = int(self, *total);
                let past = cmp(self, Cmp::Gt, last, t);
                select(self, past, lr, out)
            }
            Schedule::Constant { factor, total } => {
                let (t, inv) = (int(self, *total), f(self, 1.0 / factor));
                let hit = cmp(self, Cmp::Eq, last, t);
                let out = self.f64_node(Binary::Mul, lr, inv, span);
                select(self, hit, out, lr)
            }
            Schedule::Plateau(p) => {
                let (metrics, state) = (metrics?, self.optim.schedulers[s].plateau?);
                let (new, state) = self.plateau_step(p, state, metrics, lr, span)?;
                self.optim.schedulers[s].plateau = Some(state);
                new
            }
            Schedule::WarmRestarts(w) => {
                let state = self.optim.schedulers[s].restarts?;
                let (state, lr) = self.warm_restarts_step(w, state, base, span);
                self.optim.schedulers[s].restarts = Some(state);
                lr
            }
            Schedule::OneCycle(c) => {
                self.one_cycle_guard(c, last, span);
                let (lr, momentum) = self.one_cycle_values(c, last, span);
                if c.cycle_momentum {
                    let k = self.optim.schedulers[s].optimizer;
                    self.optim.optimizers[k].hyper.cycled_momentum = Some(momentum);
                }
                lr
            }
            Schedule::Cyclic(c) => {
                let (lr, momentum) = self.cyclic_values(c, last, span)?;
                if c.cycle_momentum {
                    let k = self.optim.schedulers[s].optimizer;
                    self.optim.optimizers[k].hyper.cycled_momentum = Some(momentum);
                }
                lr
            }
            Schedule::Sequential { .. } | Schedule::Chained(_) | Schedule::Grouped(_) => {
                unreachable!("scheduler_step steps a composite scheduler through its children")
            }
            Schedule::Polynomial { total, power } => {
                // `lr * ((1.0 - last / total) / (1.0 - (last - 1) / total)) ** power`.
                let (tf, onef, one, p) = (f(self, *total as f64), f(self, 1.0), int(self, 1), f(self, *power));
                let prev = int_op(self, Binary::Sub, last, one);
                let left = |l: &mut Self, e: NodeId| {
                    let e = l.cast_to(e, DType::F64, span);
                    let q = l.f64_node(Binary::Div, e, tf, span);
                    l.f64_node(Binary::Sub, onef, q, span)
                };
                let (a, b) = (left(self, last), left(self, prev));
                let ratio = self.f64_node(Binary::Div, a, b, span);
                // Where the result is used (`last <= total`), `a <= b` and so the
                // ratio lies in [0, 1]; told so, the range analysis does not
                // report the `pow` of the unused branch as an overflow.
                self.prog.input_ranges.insert(ratio, (0.0, 1.0));
                let decay = self.f64_node(Binary::Pow, ratio, p, span);
                let out = self.f64_node(Binary::Mul, lr, decay, span);
                let t = int(self, *total);
                let past = cmp(self, Cmp::Gt, last, t);
                select(self, past, lr, out)
            }
        })
    }
}
