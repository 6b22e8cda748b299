//! Compile-time conditions: `if`/`elif`/`else` on host bools, `and`, `or`,
//! `not`, `is`/`is not`, and `needs_grad(p)`.
//!
//! A condition is a host bool known when the statement is lowered (per call
//! site inside an op or fn, since bodies are inlined), so an `if` lowers only
//! the block it takes. The blocks not taken were checked for syntax and names
//! by the definition checks, but produce no nodes and no diagnostics of their
//! own. A condition that is a run-time bool or a one-element bool tensor is
//! decided here too when its value follows from constants alone
//! (`known_values.rs`), and is otherwise handed to `branches.rs` (a run-time
//! `if`). A number, `None`, a string, a list or a tuple has Python's truth
//! (false when zero, `None` or empty); any other value is E0113.

use graphc_runtime::op::Cmp;
use graphc_runtime::{DType, Op};

use super::{BodyKind, BodyResult, Lowerer, Scope, Value};
use crate::check;
use crate::check::ops::needs_grad_param;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Arg, Expr, Ident, IfStmt, LogicOp, Span};

/// The name of `mark_non_differentiable(t, ...)`, PyTorch's `ctx.mark_non_differentiable`.
pub(crate) const MARK_NON_DIFFERENTIABLE: &str = "mark_non_differentiable";

impl<'a> Lowerer<'a> {
    /// `mark_non_differentiable(t, ...)` in an op's forward block: those outputs
    /// never require grad, and the backward receives zeros for them (E0117 elsewhere).
    pub(crate) fn mark_non_differentiable(&mut self, args: Vec<(Option<Ident>, Value, Span)>, callee_span: Span) -> Value {
        if !self.op_frames.last().is_some_and(|f| f.in_forward) {
            return self.error(
                Diagnostic::new(Code::E0117, "`mark_non_differentiable` outside an op's forward block", callee_span, "not in a forward block")
                    .with_help("call it in the forward block of the op whose outputs it marks, before the `return`"),
            );
        }
        for (_, v, s) in args {
            let Some(t) = self.expect_tensor(v, s, "an argument of `mark_non_differentiable`") else { return Value::Poison };
            if let Some(frame) = self.op_frames.last_mut() {
                frame.non_differentiable.push(t);
            }
        }
        Value::None
    }

    /// Lowers the block of the first branch whose condition is true (or the
    /// `else` block); returns what it returned and saved.
    pub(crate) fn if_stmt(&mut self, i: &IfStmt, scope: &mut Scope, kind: BodyKind) -> Option<BodyResult> {
        let mut taken = None;
        for (k, (cond, block)) in i.branches.iter().enumerate() {
            let v = self.expr(cond, scope);
            if let Some(c) = self.runtime_condition(&v) {
                // A condition computed from constants alone (`t[0] > 0` of a
                // `full` tensor) is decided now, as the run would decide it.
                match self.known_truth(c, cond.span).or_else(|| self.counter_truth(c, cond.span)) {
                    Some(true) => {
                        taken = Some((k, block));
                        break;
                    }
                    Some(false) => continue,
                    None => return self.runtime_if(i, k, c, scope, kind),
                }
            }
            if self.condition(v, cond.span, "an `if`")? {
                taken = Some((k, block));
                break;
            }
        }
        let taken = taken.or_else(|| i.otherwise.as_ref().map(|b| (i.branches.len(), b)));
        // The definition checks have checked the names of every block of an op
        // or fn; at the top level, the blocks not taken are checked here.
        if kind == BodyKind::TopLevel {
            for (k, b) in check::ops::if_blocks(i).enumerate() {
                if taken.map(|(t, _)| t) != Some(k) {
                    let mut diags = check::ops::check_untaken_block(b, scope.names.keys().cloned());
                    self.diags.append(&mut diags);
                }
            }
        }
        taken.map(|(_, b)| self.block(b, scope, kind))
    }

    /// A host bool, or Python's truth of another compile-time value (`if not
    /// mid_channels:` of `None` or of a number, a string, a list or a tuple:
    /// false when zero, `None` or empty), or E0113 (`None` also for an
    /// invalid value, already reported).
    pub(super) fn condition(&mut self, v: Value, span: Span, what: &str) -> Option<bool> {
        if let Some(truth) = super::host_math::python_truth(&v) {
            return Some(truth);
        }
        let help = match &v {
            Value::Poison => return None,
            Value::Tensor(_) => {
                "a tensor's value is known only when the program runs; conditions are host bools decided at compile time \
                 (`b is none`, `needs_grad(x)`, `and`, `or`, `not`)"
            }
            _ => "write a host bool: `true`, `false`, `b is none`, `b is not none`, `needs_grad(x)`, combined with `and`, `or`, `not`",
        };
        self.error(
            Diagnostic::new(Code::E0113, format!("the condition of {what} must be a bool, not {}", v.describe()), span, "not a bool").with_help(help),
        );
        None
    }

    /// `a and b`, `a or b` on host bools, short-circuiting as Python does: the
    /// right operand is not lowered when the left one decides.
    pub(crate) fn logic(&mut self, op: LogicOp, lhs: &Expr, rhs: &Expr, scope: &mut Scope) -> Value {
        let what = format!("`{}`", op.symbol());
        let l = self.expr(lhs, scope);
        // A run-time left operand decides only at run time (`host_values.rs`).
        if let Value::Host { .. } = l {
            let r = self.expr(rhs, scope);
            return self.host_logic(op == LogicOp::And, (l, lhs.span), (r, rhs.span), lhs.span.to(rhs.span));
        }
        // Two one-element tensors (`t.min() >= 0 and t.max() <= 1`): Python
        // returns the left one where it is false (for `and`; true for `or`)
        // and the right one otherwise, which a selection on the left one's
        // truth computes at run time.
        if let Value::Tensor(a) = l {
            if self.shape_of(a).iter().product::<usize>() == 1 {
                let r = self.expr(rhs, scope);
                return self.tensor_logic(op == LogicOp::And, (a, lhs.span), (r, rhs.span), lhs.span.to(rhs.span));
            }
        }
        // Python returns the operand that decides, not a bool: `n or 10_000` is
        // `n` unless it is 0. A number, `None` or a string decides when compiling.
        let truthy = match &l {
            Value::Number(n) => Some(n.f64() != 0.0),
            Value::None => Some(false),
            Value::Str(s) => Some(!s.is_empty()),
            _ => None,
        };
        if let Some(t) = truthy {
            return match (op, t) {
                (LogicOp::Or, true) | (LogicOp::And, false) => l,
                (LogicOp::Or, false) | (LogicOp::And, true) => self.expr(rhs, scope),
            };
        }
        let Some(a) = self.condition(l, lhs.span, &what) else { return Value::Poison };
        match (op, a) {
            (LogicOp::And, false) => Value::Bool(false),
            (LogicOp::Or, true) => Value::Bool(true),
            (LogicOp::And, true) | (LogicOp::Or, false) => {
                let r = self.expr(rhs, scope);
                // Python returns the right operand itself: a run-time value, a number, `None` or a string.
                if let Value::Host { .. } | Value::Number(_) | Value::None | Value::Str(_) = r {
                    return r;
                }
                self.condition(r, rhs.span, &what).map_or(Value::Poison, Value::Bool)
            }
        }
    }

    /// `a and b` / `a or b` of a one-element tensor `a` and a tensor `b` of its
    /// dtype and shape: `where(a, b, a)` / `where(a, a, b)` on `a`'s truth
    /// (nonzero), Python's result, decided when the program runs. Other right
    /// operands would make the result's type depend on the run (E0644).
    fn tensor_logic(&mut self, and: bool, (a, sa): (NodeId, Span), (r, sr): (Value, Span), span: Span) -> Value {
        let b = match r {
            Value::Tensor(b) if self.dtype_of(b) == self.dtype_of(a) && self.shape_of(b) == self.shape_of(a) => b,
            Value::Poison => return Value::Poison,
            other => {
                let word = if and { "and" } else { "or" };
                return self.error(
                    Diagnostic::new(
                        Code::E0644,
                        format!("`{word}` of a one-element tensor needs another of its dtype and shape, not {}", other.describe()),
                        sr,
                        "not such a tensor",
                    )
                    .with_help(format!(
                        "Python's `{word}` returns one of its operands, whose type would be known only at run time; compare both sides (`(x > 0) {} (y > 0)`) or combine them with `&` / `|`",
                        word
                    )),
                );
            }
        };
        let (dt, shape) = (self.dtype_of(a), self.shape_of(a));
        let truth = if dt == DType::Bool {
            a
        } else {
            let zero = self.scalar(0.0, dt, sa);
            self.node(Op::Compare(Cmp::Ne), DType::Bool, shape.clone(), &[a, zero], sa)
        };
        let (yes, no) = if and { (b, a) } else { (a, b) };
        Value::Tensor(self.node(Op::Select, dt, shape, &[truth, yes, no], span))
    }

    /// `not a` on a host bool.
    pub(crate) fn not(&mut self, operand: &Expr, scope: &mut Scope) -> Value {
        let v = self.expr(operand, scope);
        if let Value::Host { .. } = v {
            return self.host_not(v, operand.span);
        }
        self.condition(v, operand.span, "`not`").map_or(Value::Poison, |b| Value::Bool(!b))
    }

    /// `a is b`: identity where it is known at compile time. Anything may be
    /// compared with `none`; two tensors are the same when they are one node; two
    /// bools when they are equal (Python has one `True` and one `False`). Numbers
    /// have no reliable identity in Python, so `is` between them is E0114.
    pub(crate) fn is(&mut self, lhs: &Expr, rhs: &Expr, negated: bool, span: Span, scope: &mut Scope) -> Value {
        let a = self.expr(lhs, scope);
        let b = self.expr(rhs, scope);
        let same = match (&a, &b) {
            (Value::Poison, _) | (_, Value::Poison) => return Value::Poison,
            (Value::None, other) | (other, Value::None) => matches!(other, Value::None),
            (Value::Tensor(x), Value::Tensor(y)) => x == y,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Tensor(_), Value::Bool(_)) | (Value::Bool(_), Value::Tensor(_)) => false,
            _ => {
                return self.error(
                    Diagnostic::new(Code::E0114, format!("`is` between {} and {}", a.describe(), b.describe()), span, "identity unknown here")
                        .with_help("`is` compares with `none` (`b is none`, `b is not none`), or two tensors; compare numbers with `==`"),
                )
            }
        };
        Value::Bool(same != negated)
    }

    /// `needs_grad(p)` in an op's block: whether the argument of parameter `p`
    /// requires grad at this call (PyTorch's `ctx.needs_input_grad`). A
    /// parameter that received a host value needs none.
    pub(crate) fn needs_grad(&mut self, args: &[Arg], span: Span, callee_span: Span) -> Value {
        let Some(frame) = self.op_frames.last() else {
            return self.error(Diagnostic::new(Code::E0112, "`needs_grad` outside an op", callee_span, "not in an op's block").with_help(
                "`needs_grad(p)` asks, inside an op's forward or backward block, whether its parameter `p` requires a gradient at the call",
            ));
        };
        let answer = match needs_grad_param(args, &frame.params, span) {
            Ok(p) => frame.needs.get(&p.name).copied().unwrap_or(false),
            Err(d) => return self.error(d),
        };
        Value::Bool(answer)
    }
}
