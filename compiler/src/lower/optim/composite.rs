//! `SequentialLR` and `ChainedScheduler`: schedulers made of other schedulers
//! of the same optimizer, as PyTorch 2.15's classes step them.
//!
//! ```text
//! SequentialLR.__init__: lr = initial_lr; every child's last_epoch -= 1;
//!                        children[bisect_right(milestones, 0)]._initial_step()
//! SequentialLR.step():   last_epoch += 1; idx = bisect_right(milestones, last_epoch)
//!                        if idx > 0 and milestones[idx - 1] == last_epoch:
//!                            children[idx]._update_lr(0)    # last_epoch = 0, closed form
//!                        else: children[idx].step()
//! ChainedScheduler.step(): every child's step(), in order
//! ```
//!
//! Which child steps is known only when the program runs (the epoch is carried
//! by loops), so a step computes every child's next rate and epoch and selects
//! the active child's with `where`s: exactly one child changes, as in PyTorch.

use graphc_runtime::op::{Binary, Cmp, Logical, Scalar};
use graphc_runtime::{DType, Op};

use super::super::{Lowerer, Num, Value};
use super::schedulers::{Bound, Schedule, Scheduler};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The options of `SequentialLR` (`optimizer`, `schedulers`, `milestones`)
    /// or `ChainedScheduler` (`schedulers`, `optimizer`), checked as PyTorch's
    /// constructors check them; makes the scheduler and, for `SequentialLR`,
    /// takes its initial step.
    pub(super) fn make_composite(&mut self, b: &mut Bound, optimizer: Option<usize>, span: Span) -> Value {
        let name = b.name;
        let Some((children, at)) = self.composite_children(b, span) else { return Value::Poison };
        let optimizer = optimizer.unwrap_or(self.optim.schedulers[children[0]].optimizer);
        for (i, &c) in children.iter().enumerate() {
            let child = &self.optim.schedulers[c];
            let problem = match &child.schedule {
                // PyTorch's own checks, in its words.
                Schedule::Plateau(_) => Some(format!(
                    "{name} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index {i} in the given schedulers sequence."
                )),
                _ if child.optimizer != optimizer => Some(format!(
                    "{name} expects all schedulers to belong to the same optimizer, but got scheduler {} at index {i} has another optimizer",
                    child.name
                )),
                // graphc's: their state and rates are set outright, not chained.
                Schedule::OneCycle(_)
                | Schedule::Cyclic(_)
                | Schedule::WarmRestarts(_)
                | Schedule::Sequential { .. }
                | Schedule::Chained(_)
                | Schedule::Grouped(_) => Some(format!("graphc's {name} does not take `{}` at index {i}", child.name)),
                _ => None,
            };
            if let Some(msg) = problem {
                self.scheduler_error(b, msg, at, "this scheduler");
                return Value::Poison;
            }
        }
        let base_lr = self.optim.schedulers[children[0]].base_lr;
        let zero = self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![], &[], span);
        let schedule = if name == "ChainedScheduler" {
            Schedule::Chained(children)
        } else {
            let Some(milestones) = self.composite_milestones(b, children.len(), span) else { return Value::Poison };
            // A `LinearLR` that takes over at a milestone starts from its closed
            // form, which divides by `total_iters`: PyTorch's ZeroDivisionError.
            let later = children.iter().skip(1).map(|&c| &self.optim.schedulers[c]);
            if let Some(bad) = later.into_iter().find(|c| matches!(c.schedule, Schedule::Linear { total: 0, .. })) {
                let msg = format!("a `{}` with `total_iters=0` after a milestone divides by zero in PyTorch", bad.name);
                self.scheduler_error(b, msg, at, "this scheduler");
                return Value::Poison;
            }
            // The rate goes back to `initial_lr`, every child's epoch back one
            // step, and the child of epoch 0 takes its initial step.
            self.optim.optimizers[optimizer].hyper.lr_node = Some(base_lr);
            for &c in &children {
                let last = self.optim.schedulers[c].last_epoch;
                let one = self.node(Op::Full(Scalar::Int(1)), DType::I64, vec![], &[], span);
                self.optim.schedulers[c].last_epoch = self.node(Op::Binary(Binary::Sub), DType::I64, vec![], &[last, one], span);
            }
            let first = children[milestones.iter().filter(|m| **m <= 0).count()];
            let Some(()) = self.initial_step(first, span) else { return Value::Poison };
            Schedule::Sequential { children, milestones }
        };
        self.optim.schedulers.push(Scheduler { name, schedule, optimizer, last_epoch: zero, base_lr, plateau: None, restarts: None });
        Value::Scheduler(self.optim.schedulers.len() - 1)
    }

    /// `schedulers`: a non-empty list of schedulers.
    fn composite_children(&mut self, b: &mut Bound, span: Span) -> Option<(Vec<usize>, Span)> {
        let name = b.name;
        let (items, at) = match b.take("schedulers") {
            Some((Value::List(items) | Value::Tuple(items), at)) => (items, at),
            Some((Value::Poison, _)) => return None,
            Some((other, at)) => {
                return self
                    .scheduler_error(b, format!("`schedulers` must be a list of schedulers, not {}", other.describe()), at, "not a list")
                    .and(None)
            }
            None => return self.scheduler_error(b, format!("`{name}` needs `schedulers`"), span, "missing argument").and(None),
        };
        if items.is_empty() {
            let msg = if name == "ChainedScheduler" {
                format!("{name} expects at least one scheduler to be chained, but got no scheduler.")
            } else {
                format!("{name} expects at least one scheduler, but got no scheduler.")
            };
            return self.scheduler_error(b, msg, at, "no schedulers").and(None);
        }
        let mut children = Vec::new();
        for (i, (item, s)) in items.into_iter().enumerate() {
            match item {
                Value::Scheduler(k) => children.push(k),
                Value::Poison => return None,
                other => {
                    let msg = format!("{name} at index {i} should have `optimizer` as its attribute: it is {}", other.describe());
                    return self.scheduler_error(b, msg, s, "not a scheduler").and(None);
                }
            }
        }
        Some((children, at))
    }

    /// `milestones`: one fewer than the children, in increasing order.
    fn composite_milestones(&mut self, b: &mut Bound, children: usize, span: Span) -> Option<Vec<i64>> {
        let (milestones, at) = self.sched_milestones(b, span)?;
        if milestones.len() + 1 != children {
            let msg = format!(
                "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {children} and the number of milestones to be equal to {}",
                milestones.len()
            );
            return self.scheduler_error(b, msg, at, "the milestones").and(None);
        }
        // PyTorch bisects the list as it is; graphc counts the milestones passed.
        if milestones.windows(2).any(|w| w[0] > w[1]) {
            return self.scheduler_error(b, "graphc needs `milestones` in increasing order".to_string(), at, "not sorted").and(None);
        }
        Some(milestones)
    }

    /// One step of `SequentialLR` `s` (`children`, `milestones`): every child's
    /// next rate and epoch, of which the active child's are kept.
    pub(super) fn sequential_step(&mut self, s: usize, children: &[usize], milestones: &[i64], span: Span) -> Option<()> {
        let k = self.optim.schedulers[s].optimizer;
        let int = |l: &mut Self, v: i64| l.node(Op::Full(Scalar::Int(v)), DType::I64, vec![], &[], span);
        let cmp = |l: &mut Self, c: Cmp, a: NodeId, b: NodeId| l.node(Op::Compare(c), DType::Bool, vec![], &[a, b], span);
        let select = |l: &mut Self, dt: DType, c: NodeId, a: NodeId, b: NodeId| l.node(Op::Select, dt, vec![], &[c, a, b], span);
        let prev = self.optim.schedulers[s].last_epoch;
        self.known_range(prev, (0.0, f64::INFINITY));
        let one = int(self, 1);
        let epoch = self.node(Op::Binary(Binary::Add), DType::I64, vec![], &[prev, one], span);
        self.optim.schedulers[s].last_epoch = epoch;
        // `bisect_right(milestones, epoch)`: how many milestones the epoch reached.
        let mut idx = int(self, 0);
        for &m in milestones {
            let mi = int(self, m);
            let reached = cmp(self, Cmp::Le, mi, epoch);
            let reached = self.node(Op::Cast, DType::I64, vec![], &[reached], span);
            idx = self.node(Op::Binary(Binary::Add), DType::I64, vec![], &[idx, reached], span);
        }
        let lr = self.lr_value(self.optim.optimizers[k].hyper.lr_node, self.optim.optimizers[k].hyper.lr, span);
        let mut new_lr = lr;
        for (j, &c) in children.iter().enumerate() {
            let jn = int(self, j as i64);
            let active = cmp(self, Cmp::Eq, idx, jn);
            let last = self.optim.schedulers[c].last_epoch;
            // A child that has not started yet is at epoch -1.
            self.known_range(last, (-1.0, f64::INFINITY));
            let stepped = self.node(Op::Binary(Binary::Add), DType::I64, vec![], &[last, one], span);
            let mut child_lr = self.scheduled_lr(c, stepped, lr, None, span)?;
            let mut child_last = stepped;
            if j > 0 {
                // At its milestone the child starts: epoch 0, its closed form there.
                let mj = int(self, milestones[j - 1]);
                let at = cmp(self, Cmp::Eq, epoch, mj);
                let start = self.node(Op::Logical(Logical::And), DType::Bool, vec![], &[active, at], span);
                let restart_lr = self.closed_form_at_zero(c, span)?;
                child_lr = select(self, DType::F64, start, restart_lr, child_lr);
                let zero = int(self, 0);
                child_last = select(self, DType::I64, start, zero, stepped);
            }
            self.optim.schedulers[c].last_epoch = select(self, DType::I64, active, child_last, last);
            new_lr = select(self, DType::F64, active, child_lr, new_lr);
        }
        self.optim.optimizers[k].hyper.lr_node = Some(new_lr);
        Some(())
    }

    /// The rate of child `c` set to epoch 0 by `_update_lr(0)`: its
    /// `_get_closed_form_lr` there, from the base rate, or (`LambdaLR`,
    /// `MultiplicativeLR`, which have none) `get_lr` at epoch 0 outside an
    /// initial step: `base * lr_lambda(0)` and `lr * lr_lambda(0)`.
    fn closed_form_at_zero(&mut self, c: usize, span: Span) -> Option<NodeId> {
        let sched = self.optim.schedulers[c].clone();
        let k = sched.optimizer;
        let base = sched.base_lr;
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let times = |l: &mut Self, factor: f64| {
            let factor = f(l, factor);
            l.node(Op::Binary(Binary::Mul), DType::F64, vec![], &[base, factor], span)
        };
        Some(match &sched.schedule {
            // `base * gamma ** (0 // step_size)`, `base * gamma ** 0`, `base * (1.0 - 0 / total) ** power`.
            Schedule::Step { .. } | Schedule::Exponential { .. } | Schedule::Polynomial { .. } => times(self, 1.0),
            // `base * gamma ** bisect_right(milestones, 0)`.
            Schedule::MultiStep { milestones, gamma } => {
                let passed: u32 = milestones.iter().filter(|(m, _)| *m <= 0).map(|(_, n)| n).sum();
                times(self, gamma.powf(passed as f64))
            }
            // `base * (factor + (0 >= total) * (1 - factor))`.
            Schedule::Constant { factor, total } => {
                let on = if *total <= 0 { 1.0 } else { 0.0 };
                times(self, factor + on * (1.0 - factor))
            }
            // `base * (start + (end - start) * min(total, 0) / total)`.
            Schedule::Linear { start, end, total } => times(self, start + (end - start) * 0.0 / *total as f64),
            // `eta_min + (base - eta_min) * (1 + cos(0)) / 2`.
            Schedule::Cosine { eta_min, .. } => {
                let eta = f(self, *eta_min);
                let width = self.node(Op::Binary(Binary::Sub), DType::F64, vec![], &[base, eta], span);
                let two = f(self, 2.0);
                let doubled = self.node(Op::Binary(Binary::Mul), DType::F64, vec![], &[width, two], span);
                let half = self.node(Op::Binary(Binary::Div), DType::F64, vec![], &[doubled, two], span);
                self.node(Op::Binary(Binary::Add), DType::F64, vec![], &[eta, half], span)
            }
            Schedule::Lambda { f: func, multiplicative } => {
                let factor = self.call_lr_lambda(func, Value::Number(Num::Int(0)), span)?;
                let h = &self.optim.optimizers[k].hyper;
                let from = if *multiplicative { self.lr_value(h.lr_node, h.lr, span) } else { base };
                self.node(Op::Binary(Binary::Mul), DType::F64, vec![], &[from, factor], span)
            }
            Schedule::Plateau(_)
            | Schedule::OneCycle(_)
            | Schedule::Cyclic(_)
            | Schedule::WarmRestarts(_)
            | Schedule::Sequential { .. }
            | Schedule::Chained(_)
            | Schedule::Grouped(_) => {
                unreachable!("make_composite refuses these children")
            }
        })
    }
}
