//! `torch.optim.lr_scheduler`'s `StepLR`, `ExponentialLR` and `MultiStepLR`, in
//! their chainable form (PyTorch 2.15's `get_lr`), which scales the optimizer's
//! current `group["lr"]`:
//!
//! ```text
//! __init__:  initial_lr = lr; last_epoch = -1; step()   # last_epoch 0, lr unchanged
//! step():    last_epoch += 1; lr = get_lr()
//! StepLR:        lr * gamma if last_epoch != 0 and last_epoch % step_size == 0 else lr
//! ExponentialLR: lr * gamma (after the initial step)
//! MultiStepLR:   lr * gamma ** milestones[last_epoch] if last_epoch in milestones else lr
//! ```
//!
//! `last_epoch` is an i64 node and the rate the optimizer's assigned one
//! (`param_groups.rs`), both carried by loops and branches as the optimizer's
//! state is, so `scheduler.step()` in a loop compiled once schedules as
//! PyTorch's does, in Python floats.

use graphc_runtime::op::{Binary, Cmp, Scalar};
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
}

/// The scheduler a call name makes, when it is one.
pub(crate) fn lookup(name: &str) -> Option<&'static str> {
    ["StepLR", "ExponentialLR", "MultiStepLR"].into_iter().find(|n| *n == name)
}

/// The parameters of each scheduler, in PyTorch's order.
fn params(name: &str) -> &'static [&'static str] {
    match name {
        "StepLR" => &["optimizer", "step_size", "gamma", "last_epoch"],
        "ExponentialLR" => &["optimizer", "gamma", "last_epoch"],
        _ => &["optimizer", "milestones", "gamma", "last_epoch"],
    }
}

impl Lowerer<'_> {
    /// `StepLR(optimizer, step_size, gamma=0.1)`, `ExponentialLR(optimizer, gamma)`
    /// or `MultiStepLR(optimizer, milestones, gamma=0.1)`.
    pub(crate) fn make_scheduler(&mut self, name: &'static str, callee: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let names = params(name);
        let usage = match name {
            "StepLR" => "`StepLR(optimizer, step_size=30, gamma=0.1)`",
            "ExponentialLR" => "`ExponentialLR(optimizer, gamma=0.9)`",
            _ => "`MultiStepLR(optimizer, milestones=[30, 80], gamma=0.1)`",
        };
        let mut bound: Vec<Option<(Value, Span)>> = vec![None; names.len()];
        for (k, (key, v, s)) in args.into_iter().enumerate() {
            let at = match &key {
                None => Some(k).filter(|&k| k < names.len()),
                Some(key) => names.iter().position(|n| *n == key.name),
            };
            match at {
                Some(at) if bound[at].is_none() => bound[at] = Some((v, s)),
                _ => {
                    let what = key.map_or_else(|| "too many arguments".to_string(), |k| format!("no parameter `{}` (or it was given twice)", k.name));
                    return self.error(
                        Diagnostic::new(Code::E0680, format!("`{name}` takes {what}"), s, "not a parameter").with_help(format!("write {usage}")),
                    );
                }
            }
        }
        let missing = |l: &mut Self, p: &str| {
            l.error(
                Diagnostic::new(Code::E0680, format!("`{name}` needs `{p}`"), callee.span, "missing argument").with_help(format!("write {usage}")),
            )
        };
        let optimizer = match bound[0].take() {
            Some((Value::Optimizer(k), _)) => k,
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0680, format!("`{name}` schedules an optimizer, not {}", other.describe()), s, "not an optimizer")
                        .with_help(format!("write {usage}")),
                )
            }
            None => return missing(self, "optimizer"),
        };
        let number = |l: &mut Self, p: &str, v: Option<(Value, Span)>, default: Option<f64>| -> Option<f64> {
            match v {
                Some((Value::Number(n), _)) => Some(n.f64()),
                Some((Value::Poison, _)) => None,
                Some((other, s)) => {
                    l.error(
                        Diagnostic::new(
                            Code::E0680,
                            format!("`{p}` must be a number known when compiling, not {}", other.describe()),
                            s,
                            "not a number",
                        )
                        .with_help(format!("write {usage}")),
                    );
                    None
                }
                None if default.is_some() => default,
                None => {
                    missing(l, p);
                    None
                }
            }
        };
        if let Some((v, s)) = bound[names.len() - 1].take() {
            if !matches!(v, Value::Number(Num::Int(-1))) {
                // PyTorch then needs `initial_lr` in the groups, which only a resumed run has.
                return self.error(
                    Diagnostic::new(Code::E0680, format!("`{name}` starts from `last_epoch=-1` here"), s, "a resumed schedule")
                        .with_help("leave out `last_epoch`; a schedule resumed from a checkpoint is not supported"),
                );
            }
        }
        let schedule = match name {
            "StepLR" => {
                let step_size = match bound[1].take() {
                    Some((Value::Number(Num::Int(n)), _)) if n > 0 && n <= i64::MAX as i128 => n as i64,
                    Some((Value::Poison, _)) => return Value::Poison,
                    Some((other, s)) => {
                        return self.error(
                            Diagnostic::new(
                                Code::E0680,
                                format!("`step_size` must be a positive integer, not {}", other.describe()),
                                s,
                                "not a step size",
                            )
                            .with_help(format!("write {usage}")),
                        )
                    }
                    None => return missing(self, "step_size"),
                };
                let Some(gamma) = number(self, "gamma", bound[2].take(), Some(0.1)) else { return Value::Poison };
                Schedule::Step { step_size, gamma }
            }
            "ExponentialLR" => {
                let Some(gamma) = number(self, "gamma", bound[1].take(), None) else { return Value::Poison };
                Schedule::Exponential { gamma }
            }
            _ => {
                let items = match bound[1].take() {
                    Some((Value::List(items) | Value::Tuple(items), _)) => items,
                    Some((Value::Poison, _)) => return Value::Poison,
                    Some((other, s)) => {
                        return self.error(
                            Diagnostic::new(
                                Code::E0680,
                                format!("`milestones` must be a list of integers, not {}", other.describe()),
                                s,
                                "not a list",
                            )
                            .with_help(format!("write {usage}")),
                        )
                    }
                    None => return missing(self, "milestones"),
                };
                let mut milestones: Vec<(i64, u32)> = Vec::new();
                for (item, s) in items {
                    let Value::Number(Num::Int(m)) = item else {
                        return self.error(
                            Diagnostic::new(Code::E0680, format!("a milestone must be an integer, not {}", item.describe()), s, "not an integer")
                                .with_help(format!("write {usage}")),
                        );
                    };
                    let m = m.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
                    match milestones.iter_mut().find(|(x, _)| *x == m) {
                        Some((_, count)) => *count += 1,
                        None => milestones.push((m, 1)),
                    }
                }
                let Some(gamma) = number(self, "gamma", bound[2].take(), Some(0.1)) else { return Value::Poison };
                Schedule::MultiStep { milestones, gamma }
            }
        };
        // The optimizer's rate becomes a node now if nothing made it one, so that
        // the steps have a place to carry it.
        if self.optim.optimizers[optimizer].hyper.lr_node.is_none() {
            let lr = self.optim.optimizers[optimizer].hyper.lr;
            self.optim.optimizers[optimizer].hyper.lr_node = Some(self.scalar(lr, DType::F64, span));
        }
        // The initial step: `last_epoch` becomes 0 and the rate stays.
        let last_epoch = self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![], &[], span);
        self.optim.schedulers.push(Scheduler { name, schedule, optimizer, last_epoch });
        Value::Scheduler(self.optim.schedulers.len() - 1)
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
        if let Some((_, _, at)) = args.first() {
            // `step(epoch)` is deprecated in PyTorch and jumps to a closed form.
            return self.error(
                Diagnostic::new(Code::E0685, format!("`{}` takes no arguments here", method.name), *at, "unexpected argument")
                    .with_help(format!("write `scheduler.{}()`", method.name)),
            );
        }
        let k = self.optim.schedulers[s].optimizer;
        if method.name == "get_last_lr" {
            let lr = self.param_group_read(k, (Value::Str("lr".to_string()), span), span);
            return Value::List(vec![(lr, span)]);
        }
        let one = self.node(Op::Full(Scalar::Int(1)), DType::I64, vec![], &[], span);
        let last = self.node(Op::Binary(Binary::Add), DType::I64, vec![], &[self.optim.schedulers[s].last_epoch, one], span);
        self.optim.schedulers[s].last_epoch = last;
        let lr = self.lr_value(self.optim.optimizers[k].hyper.lr_node, self.optim.optimizers[k].hyper.lr, span);
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let int = |l: &mut Self, v: i64| l.node(Op::Full(Scalar::Int(v)), DType::I64, vec![], &[], span);
        let new = match self.optim.schedulers[s].schedule.clone() {
            Schedule::Step { step_size, gamma } => {
                let (size, zero, g) = (int(self, step_size), int(self, 0), f(self, gamma));
                let rem = self.node(Op::Binary(Binary::Remainder), DType::I64, vec![], &[last, size], span);
                let hit = self.node(Op::Compare(Cmp::Eq), DType::Bool, vec![], &[rem, zero], span);
                let scaled = self.node(Op::Binary(Binary::Mul), DType::F64, vec![], &[lr, g], span);
                self.node(Op::Select, DType::F64, vec![], &[hit, scaled, lr], span)
            }
            Schedule::Exponential { gamma } => {
                let g = f(self, gamma);
                self.node(Op::Binary(Binary::Mul), DType::F64, vec![], &[lr, g], span)
            }
            Schedule::MultiStep { milestones, gamma } => {
                let mut out = lr;
                for (m, count) in milestones {
                    // `gamma ** count`, a Python float power.
                    let (at, factor) = (int(self, m), f(self, gamma.powf(count as f64)));
                    let hit = self.node(Op::Compare(Cmp::Eq), DType::Bool, vec![], &[last, at], span);
                    let scaled = self.node(Op::Binary(Binary::Mul), DType::F64, vec![], &[lr, factor], span);
                    out = self.node(Op::Select, DType::F64, vec![], &[hit, scaled, out], span);
                }
                out
            }
        };
        self.optim.optimizers[k].hyper.lr_node = Some(new);
        Value::None
    }
}
