//! `OneCycleLR`: the 1cycle policy, as PyTorch 2.15's `get_lr` computes it.
//! The rate rises from `max_lr / div_factor` to `max_lr` and falls to
//! `initial_lr / final_div_factor` (or three phases), and the momentum (SGD's
//! and RMSprop's `momentum`, Adam's first beta) moves the other way:
//!
//! ```text
//! phases: end_step = float(pct_start * total_steps) - 1, total_steps - 1 (two phases)
//! get_lr: step = last_epoch; raise ValueError if step > total_steps
//!         the first phase with step <= end_step (else the last):
//!         pct = (step - start_step) / (end_step - start_step)
//!         lr = anneal(start_lr, end_lr, pct); momentum = anneal(start_m, end_m, pct)
//! cos:    end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
//! linear: (end - start) * pct + start
//! ```
//!
//! Every number of the schedule is known when compiling; the step is the
//! scheduler's `last_epoch` node, so a loop compiled once schedules each step.
//! Every phase's value is computed and the phase picked with `where`, in
//! Python floats (libm's `cos`, as CPython's `math`). The momentum becomes a
//! node of the optimizer (`Hyper::cycled_momentum`) that its updates read.

use graphc_runtime::format::python_float_repr;
use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::{DType, Op};

use super::super::{Lowerer, Value};
use super::schedulers::{Bound, Schedule};
use super::Kind;
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// One phase: its last step and the values it anneals between.
#[derive(Clone, Debug)]
pub(crate) struct Phase {
    pub end_step: f64,
    pub lr: (f64, f64),
    pub momentum: (f64, f64),
}

/// The options of a `OneCycleLR`, resolved into its phases.
#[derive(Clone, Debug)]
pub(crate) struct OneCycle {
    pub total_steps: i64,
    pub phases: Vec<Phase>,
    pub cos: bool,
    pub cycle_momentum: bool,
    /// The keys the constructor adds to the parameter group, with the text
    /// PyTorch's repr prints for them.
    pub keys: Vec<(&'static str, String)>,
}

impl Lowerer<'_> {
    /// Reads `OneCycleLR`'s options (PyTorch's constructor checks, E0680).
    pub(super) fn one_cycle_options(&mut self, b: &mut Bound, optimizer: usize, span: Span) -> Option<Schedule> {
        let int_given = ["max_lr", "base_momentum", "max_momentum"].map(|p| b.is_int(p));
        let max_lr = self.sched_number(b, "max_lr", None)?;
        let total = self.sched_int(b, "total_steps", Some(0), 1);
        let epochs = self.sched_int(b, "epochs", Some(0), 1);
        let per_epoch = self.sched_int(b, "steps_per_epoch", Some(0), 1);
        let total_steps = match (total?, epochs?, per_epoch?) {
            (t, _, _) if t > 0 => t,
            (_, e, s) if e > 0 && s > 0 => e.checked_mul(s)?,
            _ => {
                self.scheduler_error(b, "You must define either total_steps OR (epochs AND steps_per_epoch)".to_string(), span, "no step count")?;
                return None;
            }
        };
        let pct_start = self.sched_number(b, "pct_start", Some(0.3))?;
        if !(0.0..=1.0).contains(&pct_start) {
            self.scheduler_error(b, format!("Expected float between 0 and 1 pct_start, but got {pct_start}"), span, "out of range")?;
        }
        let cos = self.sched_choice(b, "anneal_strategy", "cos", &["cos", "linear"])? == "cos";
        let cycle_momentum = self.sched_bool(b, "cycle_momentum", true)?;
        let base_m = self.sched_number(b, "base_momentum", Some(0.85))?;
        let max_m = self.sched_number(b, "max_momentum", Some(0.95))?;
        let div_factor = self.sched_number(b, "div_factor", Some(25.0))?;
        let final_div_factor = self.sched_number(b, "final_div_factor", Some(1e4))?;
        let three_phase = self.sched_bool(b, "three_phase", false)?;
        // Python floats, in PyTorch's order.
        let initial = max_lr / div_factor;
        let min_lr = initial / final_div_factor;
        let t = total_steps as f64;
        let phases = if three_phase {
            vec![
                Phase { end_step: pct_start * t - 1.0, lr: (initial, max_lr), momentum: (max_m, base_m) },
                Phase { end_step: 2.0 * pct_start * t - 2.0, lr: (max_lr, initial), momentum: (base_m, max_m) },
                Phase { end_step: t - 1.0, lr: (initial, min_lr), momentum: (max_m, max_m) },
            ]
        } else {
            vec![
                Phase { end_step: pct_start * t - 1.0, lr: (initial, max_lr), momentum: (max_m, base_m) },
                Phase { end_step: t - 1.0, lr: (max_lr, min_lr), momentum: (base_m, max_m) },
            ]
        };
        // A phase of no width divides by zero in PyTorch's first step in it.
        let mut start = 0.0;
        for p in &phases {
            if p.end_step - start == 0.0 {
                let msg =
                    format!("a phase of `OneCycleLR` ends at step {} where it starts: PyTorch divides by zero there (ZeroDivisionError)", p.end_step);
                self.scheduler_error(b, msg, span, "a phase without steps")?;
            }
            start = p.end_step;
        }
        if cycle_momentum {
            self.cycle_momentum_setup(b, optimizer, (base_m, max_m), span)?;
        }
        let shown = |v: f64, int: bool| if int { format!("{}", v as i64) } else { python_float_repr(v) };
        let mut keys =
            vec![("initial_lr", python_float_repr(initial)), ("max_lr", shown(max_lr, int_given[0])), ("min_lr", python_float_repr(min_lr))];
        if cycle_momentum {
            keys.extend([("base_momentum", shown(base_m, int_given[1])), ("max_momentum", shown(max_m, int_given[2]))]);
        }
        Some(Schedule::OneCycle(OneCycle { total_steps, phases, cos, cycle_momentum, keys }))
    }

    /// Checks that the optimizer's momentum can be cycled between `base_m` and
    /// `max_m` (`OneCycleLR`, `CyclicLR`; PyTorch's ValueError for an optimizer
    /// without momentum, E0680 for what graphc cannot cycle), and sets it to
    /// `max_momentum`, as the constructors do (Adam: its first beta).
    pub(super) fn cycle_momentum_setup(&mut self, b: &Bound, optimizer: usize, (base_m, max_m): (f64, f64), span: Span) -> Option<()> {
        let kind = self.optim.optimizers[optimizer].kind;
        let name = b.name;
        if matches!(kind, Kind::NAdam | Kind::RAdam | Kind::Adamax) {
            let msg = format!("graphc cycles the momentum of `SGD`, `RMSprop`, `Adam` and `AdamW`, not `{}`'s", kind.name());
            self.scheduler_error(b, msg, span, "its first beta")?;
        }
        if matches!(kind, Kind::Adagrad | Kind::Adadelta | Kind::Asgd | Kind::Rprop) {
            self.scheduler_error(
                b,
                "optimizer must support momentum or beta1 with `cycle_momentum` option enabled".to_string(),
                span,
                &format!("{} has neither", kind.name()),
            )?;
        }
        let low = base_m.min(max_m);
        // The updates choose some formulas when compiling: SGD's and RMSprop's
        // momentum branch (taken when it is not 0), and Adam's `lerp` of weight
        // `1 - beta1`, whose kernel changes formula at 0.5.
        let problem = match kind {
            Kind::Adam | Kind::AdamW if 1.0 - low >= 0.5 - 1e-6 => {
                Some(format!("graphc's Adam under `{name}` needs `base_momentum` and `max_momentum` above 0.5"))
            }
            Kind::Sgd | Kind::RmsProp if low <= 0.0 => {
                Some(format!("graphc's momentum under `{name}` needs `base_momentum` and `max_momentum` above 0"))
            }
            _ => None,
        };
        if let Some(msg) = problem {
            self.scheduler_error(b, msg, span, "momentum out of range")?;
        }
        // The group holds `max_momentum` now (Adam: as its first beta), a Python float.
        let h = &mut self.optim.optimizers[optimizer].hyper;
        if matches!(kind, Kind::Adam | Kind::AdamW) {
            h.betas.0 = max_m;
            h.ints.retain(|i| *i != "betas.0");
        } else {
            h.momentum = max_m;
            h.ints.retain(|i| *i != "momentum");
        }
        Some(())
    }

    /// A bool option, `default` when left out.
    pub(super) fn sched_bool(&mut self, b: &mut Bound, p: &str, default: bool) -> Option<bool> {
        match b.take(p) {
            None => Some(default),
            Some((Value::Bool(v), _)) => Some(v),
            Some((Value::Poison, _)) => None,
            Some((other, s)) => {
                self.scheduler_error(b, format!("`{p}` must be `true` or `false`, not {}", other.describe()), s, "not a bool")?;
                None
            }
        }
    }

    /// The rate and the momentum at step `last` (an i64 node), as 0-d f64 nodes.
    pub(super) fn one_cycle_values(&mut self, c: &OneCycle, last: NodeId, span: Span) -> (NodeId, NodeId) {
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let step = self.cast_to(last, DType::F64, span);
        let anneal = |l: &mut Self, (start, end): (f64, f64), pct: NodeId| {
            let (s, e) = (f(l, start), f(l, end));
            if c.cos {
                let (pi, one, two) = (f(l, std::f64::consts::PI), f(l, 1.0), f(l, 2.0));
                let a = op(l, Binary::Mul, pi, pct);
                let cos = l.node(Op::Unary(Unary::Cos), DType::F64, vec![], &[a], span);
                let cos_out = op(l, Binary::Add, cos, one);
                let d = op(l, Binary::Sub, s, e);
                let half = op(l, Binary::Div, d, two);
                let m = op(l, Binary::Mul, half, cos_out);
                op(l, Binary::Add, e, m)
            } else {
                let d = op(l, Binary::Sub, e, s);
                let m = op(l, Binary::Mul, d, pct);
                op(l, Binary::Add, m, s)
            }
        };
        let mut values = Vec::new();
        let mut start = 0.0;
        for p in &c.phases {
            let (s, width) = (f(self, start), f(self, p.end_step - start));
            let from = op(self, Binary::Sub, step, s);
            let pct = op(self, Binary::Div, from, width);
            values.push((p.end_step, anneal(self, p.lr, pct), anneal(self, p.momentum, pct)));
            start = p.end_step;
        }
        // The first phase whose end the step has not passed, else the last.
        let (_, mut lr, mut momentum) = *values.last().expect("a schedule has phases");
        for &(end, l, m) in values.iter().rev().skip(1) {
            let e = f(self, end);
            let within = self.node(Op::Compare(Cmp::Le), DType::Bool, vec![], &[step, e], span);
            lr = self.node(Op::Select, DType::F64, vec![], &[within, l, lr], span);
            momentum = self.node(Op::Select, DType::F64, vec![], &[within, m, momentum], span);
        }
        (lr, momentum)
    }

    /// PyTorch's ValueError past the last step, checked when the program runs:
    /// "Tried to step 101 times. The specified number of total steps is 100".
    pub(super) fn one_cycle_guard(&mut self, c: &OneCycle, last: NodeId, span: Span) {
        use crate::ir::program::{Effect, PrintArg};
        let total = self.node(Op::Full(graphc_runtime::op::Scalar::Int(c.total_steps)), DType::I64, vec![], &[], span);
        let cond = self.node(Op::Compare(Cmp::Le), DType::Bool, vec![], &[last, total], span);
        let message = vec![super::super::output_calls::concat(vec![
            PrintArg::Text("Tried to step ".to_string()),
            PrintArg::Scalar { node: last, spec: String::new() },
            PrintArg::Text(format!(" times. The specified number of total steps is {}", c.total_steps)),
        ])];
        self.prog.effects.push(Effect::Assert { cond, message, exception: "ValueError".to_string(), span });
    }
}
