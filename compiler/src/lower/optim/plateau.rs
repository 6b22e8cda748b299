//! `ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=10, ...)`:
//! the rate falls by `factor` when a metric stopped improving, as PyTorch 2.15's
//! `step(metrics)` decides it:
//!
//! ```text
//! current = float(metrics); last_epoch += 1
//! if is_better(current, best): best = current; num_bad_epochs = 0
//! else: num_bad_epochs += 1
//! if cooldown_counter > 0: cooldown_counter -= 1; num_bad_epochs = 0
//! if num_bad_epochs > patience:
//!     new_lr = max(lr * factor, min_lr); if lr - new_lr > eps: lr = new_lr
//!     cooldown_counter = cooldown; num_bad_epochs = 0
//! is_better: a < best * (1 - threshold) (min, rel), a < best - threshold (min, abs),
//!            a > best * (threshold + 1) (max, rel), a > best + threshold (max, abs)
//! ```
//!
//! Unlike the other schedulers it takes no initial step and sets no
//! `initial_lr`. `best` (a f64 node, from `inf` or `-inf`), `num_bad_epochs` and
//! `cooldown_counter` (i64 nodes) are the scheduler's state, carried by loops
//! and branches with the optimizer's; every decision is a `where` on them, so a
//! loop that steps the scheduler with each epoch's validation loss is compiled once.

use graphc_runtime::op::{Binary, Cmp, Logical, Scalar};
use graphc_runtime::{DType, Op};

use super::super::{HostKind, Lowerer, Value};
use super::schedulers::{Bound, Schedule};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The options of a `ReduceLROnPlateau`.
#[derive(Clone, Debug)]
pub(crate) struct Plateau {
    /// `mode="min"` (else `"max"`).
    pub min: bool,
    /// `threshold_mode="rel"` (else `"abs"`).
    pub rel: bool,
    pub factor: f64,
    pub patience: i64,
    pub threshold: f64,
    pub cooldown: i64,
    pub min_lr: f64,
    pub eps: f64,
}

/// Its state: `best`, `num_bad_epochs` and `cooldown_counter`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlateauState {
    pub best: NodeId,
    pub bad: NodeId,
    pub cooldown: NodeId,
}

impl PlateauState {
    pub fn nodes_mut(&mut self) -> [(&'static str, &mut NodeId); 3] {
        [("best", &mut self.best), ("num_bad_epochs", &mut self.bad), ("cooldown_counter", &mut self.cooldown)]
    }
}

impl Lowerer<'_> {
    /// `mode`, `factor`, `patience`, `threshold`, `threshold_mode`, `cooldown`,
    /// `min_lr` and `eps`, checked as PyTorch checks them.
    pub(super) fn plateau_options(&mut self, b: &mut Bound, span: Span) -> Option<Schedule> {
        let min = self.sched_choice(b, "mode", "min", &["min", "max"])? == "min";
        let factor = self.sched_number(b, "factor", Some(0.1))?;
        if factor >= 1.0 || factor.is_nan() {
            self.scheduler_error(b, format!("`factor` must be less than 1.0, not {factor}"), span, "out of range")?;
        }
        let patience = self.sched_int(b, "patience", Some(10), 0)?;
        let threshold = self.sched_number(b, "threshold", Some(1e-4))?;
        let rel = self.sched_choice(b, "threshold_mode", "rel", &["rel", "abs"])? == "rel";
        let cooldown = self.sched_int(b, "cooldown", Some(0), 0)?;
        let min_lr = match b.take("min_lr") {
            // One value per parameter group: graphc's optimizers have one.
            Some((Value::List(items) | Value::Tuple(items), s)) if items.len() == 1 => {
                b.put("min_lr", (items[0].0.clone(), s));
                self.sched_number(b, "min_lr", Some(0.0))?
            }
            Some(v) => {
                b.put("min_lr", v);
                self.sched_number(b, "min_lr", Some(0.0))?
            }
            None => 0.0,
        };
        let eps = self.sched_number(b, "eps", Some(1e-8))?;
        Some(Schedule::Plateau(Plateau { min, rel, factor, patience, threshold, cooldown, min_lr, eps }))
    }

    /// The state a new `ReduceLROnPlateau` starts from (`_reset`).
    pub(super) fn plateau_state(&mut self, p: &Plateau, span: Span) -> PlateauState {
        let worse = if p.min { f64::INFINITY } else { f64::NEG_INFINITY };
        let best = self.scalar(worse, DType::F64, span);
        let bad = self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![], &[], span);
        let cooldown = self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![], &[], span);
        PlateauState { best, bad, cooldown }
    }

    /// `float(metrics)` as a 0-d f64 node: a number, a run-time number or a
    /// one-element tensor (its value, as Python's `float` reads it, E0640 for
    /// more elements).
    fn metric(&mut self, v: Value, at: Span) -> Option<NodeId> {
        let v = match v {
            Value::Tensor(t) => self.item(t, at, Some(HostKind::Float), at),
            other => other,
        };
        match self.float_node(v, at) {
            Ok(node) => node,
            Err(other) => {
                self.error(
                    Diagnostic::new(
                        Code::E0685,
                        format!("`ReduceLROnPlateau.step` takes the metric, a number, not {}", other.describe()),
                        at,
                        "not a number",
                    )
                    .with_help("pass the validation loss: `scheduler.step(val_loss)`, a one-element tensor or `val_loss.item()`"),
                );
                None
            }
        }
    }

    /// `scheduler.step(metrics)`: returns the new rate and state, from the rate `lr`.
    pub(super) fn plateau_step(
        &mut self,
        p: &Plateau,
        st: PlateauState,
        metrics: (Value, Span),
        lr: NodeId,
        span: Span,
    ) -> Option<(NodeId, PlateauState)> {
        let current = self.metric(metrics.0, metrics.1)?;
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let int = |l: &mut Self, v: i64| l.node(Op::Full(Scalar::Int(v)), DType::I64, vec![], &[], span);
        let cmp = |l: &mut Self, c: Cmp, a: NodeId, b: NodeId| l.node(Op::Compare(c), DType::Bool, vec![], &[a, b], span);
        let select = |l: &mut Self, dt: DType, c: NodeId, a: NodeId, b: NodeId| l.node(Op::Select, dt, vec![], &[c, a, b], span);
        let op = |l: &mut Self, o: Binary, dt: DType, a: NodeId, b: NodeId| l.node(Op::Binary(o), dt, vec![], &[a, b], span);
        // `_is_better(current, best)`, with `rel_epsilon` a Python float.
        let bound = match (p.min, p.rel) {
            (true, true) => (Binary::Mul, 1.0 - p.threshold),
            (true, false) => (Binary::Sub, p.threshold),
            (false, true) => (Binary::Mul, p.threshold + 1.0),
            (false, false) => (Binary::Add, p.threshold),
        };
        let k = f(self, bound.1);
        let limit = op(self, bound.0, DType::F64, st.best, k);
        let better = cmp(self, if p.min { Cmp::Lt } else { Cmp::Gt }, current, limit);
        let best = select(self, DType::F64, better, current, st.best);
        let (zero, one) = (int(self, 0), int(self, 1));
        let more = op(self, Binary::Add, DType::I64, st.bad, one);
        let bad = select(self, DType::I64, better, zero, more);
        // In cooldown: one fewer, and the bad epochs are forgotten.
        let in_cooldown = cmp(self, Cmp::Gt, st.cooldown, zero);
        let less = op(self, Binary::Sub, DType::I64, st.cooldown, one);
        let cooldown = select(self, DType::I64, in_cooldown, less, st.cooldown);
        let bad = select(self, DType::I64, in_cooldown, zero, bad);
        // `_reduce_lr`: `max(lr * factor, min_lr)` as Python's `max` picks.
        let patience = int(self, p.patience);
        let reduce = cmp(self, Cmp::Gt, bad, patience);
        let factor = f(self, p.factor);
        let scaled = op(self, Binary::Mul, DType::F64, lr, factor);
        let floor = f(self, p.min_lr);
        let above = cmp(self, Cmp::Gt, floor, scaled);
        let new_lr = select(self, DType::F64, above, floor, scaled);
        let drop = op(self, Binary::Sub, DType::F64, lr, new_lr);
        let eps = f(self, p.eps);
        let worth = cmp(self, Cmp::Gt, drop, eps);
        let apply = self.node(Op::Logical(Logical::And), DType::Bool, vec![], &[reduce, worth], span);
        let lr = select(self, DType::F64, apply, new_lr, lr);
        let cool = int(self, p.cooldown);
        let cooldown = select(self, DType::I64, reduce, cool, cooldown);
        let bad = select(self, DType::I64, reduce, zero, bad);
        Some((lr, PlateauState { best, bad, cooldown }))
    }
}
