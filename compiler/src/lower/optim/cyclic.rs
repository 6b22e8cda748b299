//! `CyclicLR`: the cyclical learning rate policy, as PyTorch 2.15's `get_lr`
//! computes it. The rate goes from `base_lr` up to `max_lr` over
//! `step_size_up` steps and back over `step_size_down`, the height of each
//! cycle scaled by the mode's function; the momentum (SGD's and RMSprop's
//! `momentum`, Adam's first beta) moves the other way:
//!
//! ```text
//! cycle = math.floor(1 + last_epoch / total_size)
//! x = 1.0 + last_epoch / total_size - cycle
//! scale_factor = x / step_ratio if x <= step_ratio else (x - 1) / (step_ratio - 1)
//! lr = base_lr + (max_lr - base_lr) * scale_factor * scale_fn(cycle or last_epoch)
//! momentum = max_momentum - (max_momentum - base_momentum) * scale_factor * scale_fn(...)
//! triangular: 1.0; triangular2: 1 / (2.0 ** (cycle - 1)); exp_range: gamma ** last_epoch
//! ```
//!
//! The constructor sets the group's rate to `base_lr` (so that it is
//! `initial_lr`) and its momentum to `max_momentum`. The step is the
//! scheduler's `last_epoch` node, so a loop compiled once schedules each step,
//! in Python floats (libm's `pow`, as CPython's); a custom `scale_fn` is called
//! with the cycle or the step, an int known when the program runs.

use graphc_runtime::format::python_float_repr;
use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::{DType, Op};

use super::super::{HostKind, Lowerer, Value};
use super::schedulers::{Bound, Schedule};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The function that scales a cycle's height.
#[derive(Clone, Debug)]
pub(crate) enum Scale {
    Triangular,
    Triangular2,
    ExpRange(f64),
    /// `scale_fn`, a `lambda` or a fn of one number.
    Custom(Value),
}

/// The options of a `CyclicLR`.
#[derive(Clone, Debug)]
pub(crate) struct Cyclic {
    pub base_lr: f64,
    pub max_lr: f64,
    /// `step_size_up + step_size_down` and `step_size_up / total_size`, Python floats.
    pub total_size: f64,
    pub step_ratio: f64,
    pub scale: Scale,
    /// `scale_mode == "cycle"`: the function takes the cycle, else the step.
    pub by_cycle: bool,
    pub cycle_momentum: bool,
    pub momentum: (f64, f64),
    /// The keys the constructor adds to the parameter group, with the text
    /// PyTorch's repr prints for them.
    pub keys: Vec<(&'static str, String)>,
}

impl Lowerer<'_> {
    /// Reads `CyclicLR`'s options, with PyTorch's defaults and checks (E0680).
    pub(super) fn cyclic_options(&mut self, b: &mut Bound, optimizer: usize, span: Span) -> Option<Schedule> {
        let int_given = ["base_lr", "base_momentum", "max_momentum"].map(|p| b.is_int(p));
        let base_lr = self.sched_number_or_one(b, "base_lr")?;
        let max_lr = self.sched_number_or_one(b, "max_lr")?;
        let up = self.sched_int(b, "step_size_up", Some(2000), 1)?;
        let down = match b.take("step_size_down") {
            None | Some((Value::None, _)) => up,
            Some(v) => {
                b.put("step_size_down", v);
                self.sched_int(b, "step_size_down", None, 0)?
            }
        };
        let scale_fn = match b.take("scale_fn") {
            None | Some((Value::None, _)) => None,
            Some((f @ (Value::Lambda(_) | Value::Func(..)), _)) => Some(f),
            Some((Value::Poison, _)) => return None,
            Some((other, s)) => {
                self.scheduler_error(b, format!("`scale_fn` must be a function, not {}", other.describe()), s, "not a function")?;
                return None;
            }
        };
        let mode = self.sched_choice(b, "mode", "triangular", &["triangular", "triangular2", "exp_range"])?;
        let gamma = self.sched_number(b, "gamma", Some(1.0))?;
        let scale_mode = self.sched_choice(b, "scale_mode", "cycle", &["cycle", "iterations"])?;
        let cycle_momentum = self.sched_bool(b, "cycle_momentum", true)?;
        let base_m = self.sched_number(b, "base_momentum", Some(0.8))?;
        let max_m = self.sched_number(b, "max_momentum", Some(0.9))?;
        // `_init_scale_fn`: a mode's own function fixes the scale mode.
        let (scale, by_cycle) = match (scale_fn, mode) {
            (Some(f), _) => (Scale::Custom(f), scale_mode == "cycle"),
            (None, "triangular") => (Scale::Triangular, true),
            (None, "triangular2") => (Scale::Triangular2, true),
            (None, _) => (Scale::ExpRange(gamma), false),
        };
        if cycle_momentum {
            self.cycle_momentum_setup(b, optimizer, (base_m, max_m), span)?;
        }
        // The group's rate is `base_lr` before the base class reads it as `initial_lr`.
        let node = self.scalar(base_lr, DType::F64, span);
        let h = &mut self.optim.optimizers[optimizer].hyper;
        (h.lr, h.lr_node) = (base_lr, Some(node));
        h.ints.retain(|i| *i != "lr");
        if int_given[0] {
            h.ints.push("lr");
        }
        let shown = |v: f64, int: bool| if int { format!("{}", v as i64) } else { python_float_repr(v) };
        let mut keys = vec![("initial_lr", shown(base_lr, int_given[0]))];
        if cycle_momentum {
            keys.extend([("base_momentum", shown(base_m, int_given[1])), ("max_momentum", shown(max_m, int_given[2]))]);
        }
        let total_size = up as f64 + down as f64;
        let step_ratio = up as f64 / total_size;
        Some(Schedule::Cyclic(Cyclic { base_lr, max_lr, total_size, step_ratio, scale, by_cycle, cycle_momentum, momentum: (base_m, max_m), keys }))
    }

    /// A number, or a list of one number (one per parameter group).
    fn sched_number_or_one(&mut self, b: &mut Bound, p: &str) -> Option<f64> {
        match b.take(p) {
            Some((Value::List(items) | Value::Tuple(items), s)) => match <[_; 1]>::try_from(items) {
                Ok([(item, _)]) => b.put(p, (item, s)),
                Err(_) => {
                    let msg = format!("`{p}` must be a number or a list of one (graphc's optimizers have one group)");
                    self.scheduler_error(b, msg, s, "not one number")?;
                    return None;
                }
            },
            Some(v) => b.put(p, v),
            None => {}
        }
        self.sched_number(b, p, None)
    }

    /// The rate and the momentum at step `last` (an i64 node), as 0-d f64
    /// nodes; `None` when a custom `scale_fn` failed.
    pub(super) fn cyclic_values(&mut self, c: &Cyclic, last: NodeId, span: Span) -> Option<(NodeId, NodeId)> {
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let step = self.cast_to(last, DType::F64, span);
        let (one, total, ratio) = (f(self, 1.0), f(self, c.total_size), f(self, c.step_ratio));
        let q = op(self, Binary::Div, step, total);
        let shifted = op(self, Binary::Add, one, q);
        let cycle = self.node(Op::Unary(Unary::Floor), DType::F64, vec![], &[shifted], span);
        let x = op(self, Binary::Sub, shifted, cycle);
        let rising = op(self, Binary::Div, x, ratio);
        let (x1, r1) = (op(self, Binary::Sub, x, one), op(self, Binary::Sub, ratio, one));
        let falling = op(self, Binary::Div, x1, r1);
        let up = self.node(Op::Compare(Cmp::Le), DType::Bool, vec![], &[x, ratio], span);
        let scale_factor = self.node(Op::Select, DType::F64, vec![], &[up, rising, falling], span);
        let arg = if c.by_cycle { cycle } else { step };
        let scale = match &c.scale {
            Scale::Triangular => one,
            // `1 / (2.0 ** (cycle - 1))`.
            Scale::Triangular2 => {
                let two = f(self, 2.0);
                let e = op(self, Binary::Sub, cycle, one);
                let p = op(self, Binary::Pow, two, e);
                op(self, Binary::Div, one, p)
            }
            // `gamma ** last_epoch`.
            Scale::ExpRange(gamma) => {
                let g = f(self, *gamma);
                op(self, Binary::Pow, g, step)
            }
            Scale::Custom(func) => {
                let func = func.clone();
                let n = self.cast_to(arg, DType::I64, span);
                self.call_lr_lambda(&func, Value::Host { node: n, kind: HostKind::Int }, span)?
            }
        };
        // `start op base_height * scale`, with `base_height = height * scale_factor`.
        let at = |l: &mut Self, start: f64, height: f64, sign: Binary| {
            let height = f(l, height);
            let base_height = op(l, Binary::Mul, height, scale_factor);
            let scaled = op(l, Binary::Mul, base_height, scale);
            let start = f(l, start);
            op(l, sign, start, scaled)
        };
        // `base_lr + (max_lr - base_lr) * scale_factor * scale`.
        let lr = at(self, c.base_lr, c.max_lr - c.base_lr, Binary::Add);
        // `max_momentum - (max_momentum - base_momentum) * scale_factor * scale`.
        let (base_m, max_m) = c.momentum;
        let momentum = at(self, max_m, max_m - base_m, Binary::Sub);
        Some((lr, momentum))
    }
}
