//! `CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0.0)`: cosine
//! annealing that restarts from the base rate every `T_i` steps, `T_i` growing
//! by `T_mult` at each restart, as PyTorch 2.15's `step()` and `get_lr` compute it:
//!
//! ```text
//! __init__: T_i = T_0; T_cur = -1; the initial step sets T_cur = 0 (epoch 0 < T_0)
//! step():   T_cur += 1; if T_cur >= T_i: T_cur = T_cur % T_i; T_i *= T_mult
//! get_lr:   eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2
//! ```
//!
//! `T_cur` and `T_i` are Python ints, i64 nodes the loops carry as the
//! scheduler's state; the rate is computed from them in Python floats.

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
        let state = RestartState { t_cur: self.int_node(0, span), t_i: self.int_node(w.t_0, span) };
        let lr = self.warm_restarts_lr(w, state, base, span);
        (state, lr)
    }

    /// `step()`: the next `T_cur` and `T_i`, and the rate.
    pub(super) fn warm_restarts_step(&mut self, w: &WarmRestarts, s: RestartState, base: NodeId, span: Span) -> (RestartState, NodeId) {
        let int = |l: &mut Self, op: Binary, a: NodeId, b: NodeId| l.node(Op::Binary(op), DType::I64, vec![], &[a, b], span);
        let (one, mult) = (self.int_node(1, span), self.int_node(w.t_mult, span));
        let t_cur = int(self, Binary::Add, s.t_cur, one);
        let restart = self.node(Op::Compare(Cmp::Ge), DType::Bool, vec![], &[t_cur, s.t_i], span);
        let wrapped = int(self, Binary::Remainder, t_cur, s.t_i);
        let longer = int(self, Binary::Mul, s.t_i, mult);
        let select = |l: &mut Self, a: NodeId, b: NodeId| l.node(Op::Select, DType::I64, vec![], &[restart, a, b], span);
        let state = RestartState { t_cur: select(self, wrapped, t_cur), t_i: select(self, longer, s.t_i) };
        let lr = self.warm_restarts_lr(w, state, base, span);
        (state, lr)
    }

    /// `eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2`.
    fn warm_restarts_lr(&mut self, w: &WarmRestarts, s: RestartState, base: NodeId, span: Span) -> NodeId {
        let f = |l: &mut Self, v: f64| l.scalar(v, DType::F64, span);
        let op = |l: &mut Self, b: Binary, x: NodeId, y: NodeId| l.node(Op::Binary(b), DType::F64, vec![], &[x, y], span);
        let (t_cur, t_i) = (self.cast_to(s.t_cur, DType::F64, span), self.cast_to(s.t_i, DType::F64, span));
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
