//! `CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0.0)`: cosine
//! annealing that restarts from the base rate every `T_i` steps, `T_i` growing
//! by `T_mult` at each restart, as PyTorch 2.15's `step()` and `get_lr` compute it:
//!
//! ```text
//! __init__: T_i = T_0; T_cur = -1; the initial step sets T_cur = 0 (epoch 0 < T_0)
//! step():   T_cur += 1; if T_cur >= T_i: T_cur = T_cur % T_i; T_i *= T_mult
//! step(epoch): raise ValueError if epoch < 0
//!           if epoch >= T_0:
//!               if T_mult == 1: T_cur = epoch % T_0
//!               else: n = int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult))
//!                     T_cur = epoch - T_0 * (T_mult ** n - 1) / (T_mult - 1); T_i = T_0 * T_mult ** n
//!           else: T_i = T_0; T_cur = epoch
//! get_lr:   eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2
//! ```
//!
//! `T_i` is a Python int, an i64 node the loops carry as the scheduler's state.
//! `T_cur` is a Python int until `step(epoch)` makes it a float (the docs'
//! fractional `scheduler.step(epoch + i / iters)`); it is a f64 node from the
//! start, which holds the ints exactly and meets `math.pi` and `%` as they do.
//! The rate is computed in Python floats.

use graphc_runtime::op::{Binary, Cmp, Scalar, Unary};
use graphc_runtime::{DType, Op};

use super::super::Lowerer;
use super::schedulers::{Bound, Schedule};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The options of a `CosineAnnealingWarmRestarts`.
#[derive(Clone, Debug)]
pub(crate) struct WarmRestarts {
    pub t_0: i64,
    pub t_mult: i64,
    pub eta_min: f64,
}

/// Its state: `T_cur`, the steps since the last restart, and `T_i`, the length of the current cycle.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RestartState {
    pub t_cur: NodeId,
    pub t_i: NodeId,
}

impl RestartState {
    pub fn nodes_mut(&mut self) -> [(&'static str, &mut NodeId); 2] {
        [("T_cur", &mut self.t_cur), ("T_i", &mut self.t_i)]
    }
}

impl Lowerer<'_> {
    /// Reads the options, with PyTorch's checks (E0680).
    pub(super) fn warm_restarts_options(&mut self, b: &mut Bound) -> Option<Schedule> {
        let t_0 = self.sched_int(b, "T_0", None, 1)?;
        let t_mult = self.sched_int(b, "T_mult", Some(1), 1)?;
        let eta_min = self.sched_number(b, "eta_min", Some(0.0))?;
        Some(Schedule::WarmRestarts(WarmRestarts { t_0, t_mult, eta_min }))
    }

    /// The state after the initial step (`T_cur` 0, `T_i` `T_0`) and the rate it sets.
    pub(super) fn warm_restarts_start(&mut self, w: &WarmRestarts, base: NodeId, span: Span) -> (RestartState, NodeId) {
        let state = RestartState { t_cur: self.scalar(0.0, DType::F64, span), t_i: self.int_node(w.t_0, span) };
        let lr = self.warm_restarts_lr(w, state, base, span);
        (state, lr)
    }

    /// `step()`: the next `T_cur` and `T_i`, and the rate.
    pub(super) fn warm_restarts_step(&mut self, w: &WarmRestarts, s: RestartState, base: NodeId, span: Span) -> (RestartState, NodeId) {
        let op = |l: &mut Self, dt: DType, op: Binary, a: NodeId, b: NodeId| l.node(Op::Binary(op), dt, vec![], &[a, b], span);
        let (one, mult) = (self.scalar(1.0, DType::F64, span), self.int_node(w.t_mult, span));
        let t_cur = op(self, DType::F64, Binary::Add, s.t_cur, one);
        let t_i = self.cast_to(s.t_i, DType::F64, span);
        let restart = self.node(Op::Compare(Cmp::Ge), DType::Bool, vec![], &[t_cur, t_i], span);
        let wrapped = op(self, DType::F64, Binary::PyRemainder, t_cur, t_i);
        let longer = op(self, DType::I64, Binary::Mul, s.t_i, mult);
        let select = |l: &mut Self, dt: DType, a: NodeId, b: NodeId| l.node(Op::Select, dt, vec![], &[restart, a, b], span);
        let state = RestartState { t_cur: select(self, DType::F64, wrapped, t_cur), t_i: select(self, DType::I64, longer, s.t_i) };
        let lr = self.warm_restarts_lr(w, state, base, span);
        (state, lr)
    }

    /// `step(epoch)` with `epoch` a Python number (an int or a float, a 0-d f64
    /// node here): `T_cur` and `T_i` set from the epoch, and the rate; the run
    /// stops with PyTorch's ValueError for a negative epoch. Returns the new
    /// state, `last_epoch` (`math.floor(epoch)`) and the rate.
    pub(super) fn warm_restarts_step_to(&mut self, w: &WarmRestarts, epoch_node: NodeId, base: NodeId, span: Span) -> (RestartState, NodeId, NodeId) {
        use crate::ir::program::{Effect, PrintArg};
        let e = self.cast_to(epoch_node, DType::F64, span);
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let zero = f(self, 0.0);
        let cond = self.node(Op::Compare(Cmp::Ge), DType::Bool, vec![], &[e, zero], span);
        let message = vec![super::super::output_calls::concat(vec![
            PrintArg::Text("Expected non-negative epoch, but got ".to_string()),
            PrintArg::Scalar { node: epoch_node, spec: String::new() },
        ])];
        self.prog.effects.push(Effect::Assert { cond, message, exception: "ValueError".to_string(), span });
        let t0 = f(self, w.t_0 as f64);
        let (late_cur, late_i) = if w.t_mult == 1 {
            (op(self, Binary::PyRemainder, e, t0), self.int_node(w.t_0, span))
        } else {
            // `n = int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult))`: CPython's
            // `log(x, base)` is `log(x) / log(base)`.
            let (m1, one, mult) = (f(self, (w.t_mult - 1) as f64), f(self, 1.0), f(self, w.t_mult as f64));
            let q = op(self, Binary::Div, e, t0);
            let q = op(self, Binary::Mul, q, m1);
            let x = op(self, Binary::Add, q, one);
            let lx = self.node(Op::Unary(Unary::Log), DType::F64, vec![], &[x], span);
            let lb = self.node(Op::Unary(Unary::Log), DType::F64, vec![], &[mult], span);
            let ratio = op(self, Binary::Div, lx, lb);
            let n = self.node(Op::Unary(Unary::Trunc), DType::F64, vec![], &[ratio], span);
            // For an epoch below 2^53 (a count a run reaches, and where a f64
            // still counts by 1) `T_mult ** n <= epoch * T_mult`, so `n < 54`:
            // told so, the range analysis does not report `pow` as an overflow.
            self.prog.input_ranges.insert(n, (0.0, 54.0));
            // `T_mult ** n`, an int, exact in a f64 while below 2^53.
            let power = op(self, Binary::Pow, mult, n);
            let less = op(self, Binary::Sub, power, one);
            let done = op(self, Binary::Mul, t0, less);
            let done = op(self, Binary::Div, done, m1);
            let cur = op(self, Binary::Sub, e, done);
            let len = op(self, Binary::Mul, t0, power);
            (cur, self.cast_to(len, DType::I64, span))
        };
        let late = self.node(Op::Compare(Cmp::Ge), DType::Bool, vec![], &[e, t0], span);
        let t_cur = self.node(Op::Select, DType::F64, vec![], &[late, late_cur, e], span);
        // A non-negative epoch (the run stops on a negative one) below 2^53.
        self.prog.input_ranges.insert(t_cur, (0.0, 9_007_199_254_740_992.0));
        let first = self.int_node(w.t_0, span);
        let t_i = self.node(Op::Select, DType::I64, vec![], &[late, late_i, first], span);
        let state = RestartState { t_cur, t_i };
        let floor = self.node(Op::Unary(Unary::Floor), DType::F64, vec![], &[e], span);
        let last_epoch = self.cast_to(floor, DType::I64, span);
        let lr = self.warm_restarts_lr(w, state, base, span);
        (state, last_epoch, lr)
    }

    /// `eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2`.
    fn warm_restarts_lr(&mut self, w: &WarmRestarts, s: RestartState, base: NodeId, span: Span) -> NodeId {
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let (t_cur, t_i) = (s.t_cur, self.cast_to(s.t_i, DType::F64, span));
        let (pi, one, two, eta) = (f(self, std::f64::consts::PI), f(self, 1.0), f(self, 2.0), f(self, w.eta_min));
        let a = op(self, Binary::Mul, pi, t_cur);
        let a = op(self, Binary::Div, a, t_i);
        let cos = self.node(Op::Unary(Unary::Cos), DType::F64, vec![], &[a], span);
        let c = op(self, Binary::Add, one, cos);
        let width = op(self, Binary::Sub, base, eta);
        let m = op(self, Binary::Mul, width, c);
        let h = op(self, Binary::Div, m, two);
        op(self, Binary::Add, eta, h)
    }

    fn int_node(&mut self, v: i64, span: Span) -> NodeId {
        self.node(Op::Full(Scalar::Int(v)), DType::I64, vec![], &[], span)
    }
}
