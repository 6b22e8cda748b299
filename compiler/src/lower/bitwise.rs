//! `a & b`, `a | b` and `a ^ b`, Python's bitwise operators, as PyTorch programs
//! use them: on bool tensors they combine masks elementwise (`(x > 0) & (x < 1)`:
//! `logical_and`, `logical_or`, and `!=` for `^`), broadcasting as PyTorch does;
//! on Python ints and bools they are Python's, computed when compiling; on
//! run-time bools (`flag & (loss < 1.0).item()`) they are the host's logical ops.
//! PyTorch's bitwise ops on integer tensors have no kernel in the runtime: they
//! are E0204, with the mask spelling as help. `&=`, `|=` and `^=` update in place.

use graphc_runtime::op::{Cmp, Logical};
use graphc_runtime::{DType, Op};

use super::{BodyKind, HostKind, Lowerer, Num, Scope, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BitOp, Expr, ExprKind, Span};

/// Python's operator on two ints (a bool counts as 0 or 1).
fn on_ints(op: BitOp, x: i128, y: i128) -> i128 {
    match op {
        BitOp::And => x & y,
        BitOp::Or => x | y,
        BitOp::Xor => x ^ y,
    }
}

impl Lowerer<'_> {
    /// `a OP b` for a bitwise operator.
    pub(super) fn bitwise(&mut self, op: BitOp, (a, sa): (Value, Span), (b, sb): (Value, Span), span: Span) -> Value {
        let int_of = |v: &Value| match v {
            Value::Bool(b) => Some(i128::from(*b)),
            Value::Number(Num::Int(i)) => Some(*i),
            _ => None,
        };
        match (&a, &b) {
            (Value::Poison, _) | (_, Value::Poison) => return Value::Poison,
            // Python: bool OP bool is a bool, and an int with either is an int.
            (Value::Bool(x), Value::Bool(y)) => return Value::Bool(on_ints(op, i128::from(*x), i128::from(*y)) != 0),
            _ => {}
        }
        if let (Some(x), Some(y)) = (int_of(&a), int_of(&b)) {
            return Value::Number(Num::Int(on_ints(op, x, y)));
        }
        let tensors = matches!(a, Value::Tensor(_)) || matches!(b, Value::Tensor(_));
        let Some(x) = self.bitwise_operand(op, a, sa) else { return Value::Poison };
        let Some(y) = self.bitwise_operand(op, b, sb) else { return Value::Poison };
        let node_op = match op {
            BitOp::And => Op::Logical(Logical::And),
            BitOp::Or => Op::Logical(Logical::Or),
            BitOp::Xor => Op::Compare(Cmp::Ne),
        };
        if !tensors {
            return Value::Host { node: self.node(node_op, DType::Bool, vec![], &[x, y], span), kind: HostKind::Bool };
        }
        let (shx, shy) = (self.shape_of(x), self.shape_of(y));
        match shapes::broadcast(&shx, &shy) {
            Ok(shape) => Value::Tensor(self.node(node_op, DType::Bool, shape, &[x, y], span)),
            Err(msg) => self.error(
                Diagnostic::new(Code::E0202, format!("`{}`: {msg}", op.symbol()), sa, format!("shape {}", shapes::show(&shx)))
                    .with_secondary(sb, format!("shape {}", shapes::show(&shy)))
                    .with_help("make the shapes equal, or 1 where one side should be repeated (NumPy broadcasting)"),
            ),
        }
    }

    /// `m &= v`, `m |= v`, `m ^= v`: a bool tensor is updated in place (every
    /// name holding it sees the result, as with PyTorch's `__iand__`), keeping
    /// its shape; a Python value is rebound; a subscript (`m[i] |= v`) is read,
    /// combined and stored back.
    pub(super) fn bit_aug_assign(&mut self, target: &Expr, op: BitOp, value: &Expr, scope: &mut Scope, kind: BodyKind, span: Span) {
        let cur = self.expr(target, scope);
        let v = self.expr(value, scope);
        let new = self.bitwise(op, (cur.clone(), target.span), (v, value.span), span);
        match (&target.kind, cur, new) {
            (_, _, Value::Poison) | (_, Value::Poison, _) => {}
            (ExprKind::Index { receiver, items }, _, new) => {
                self.store_index(receiver, items, (new, span), scope, span);
            }
            (ExprKind::Name(_), Value::Tensor(t), Value::Tensor(n)) => {
                let (old, grown) = (self.shape_of(t), self.shape_of(n));
                if old != grown {
                    // PyTorch: "output with shape [3] doesn't match the broadcast shape [2, 3]".
                    self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!("output with shape {} doesn't match the broadcast shape {}", shapes::show(&old), shapes::show(&grown)),
                            value.span,
                            "the result would be larger",
                        )
                        .with_help(format!(
                            "an in-place `{}=` keeps the tensor's shape; write `m = m {} v` for a new tensor",
                            op.symbol(),
                            op.symbol()
                        )),
                    );
                    return;
                }
                self.update_in_place(t, n, "", span);
            }
            (ExprKind::Name(name), _, new) => {
                if kind == BodyKind::TopLevel {
                    self.globals.insert(name.clone(), new.clone());
                }
                scope.names.insert(name.clone(), new);
            }
            (_, _, _) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{}=` updates a name or a subscript", op.symbol()), target.span, "not a name or subscript")
                        .with_help(format!("write `m {}= v` or `m[i] {}= v`", op.symbol(), op.symbol())),
                );
            }
        }
    }

    /// One operand as a bool node: a bool tensor, a Python bool, or a run-time bool.
    fn bitwise_operand(&mut self, op: BitOp, v: Value, s: Span) -> Option<NodeId> {
        let sym = op.symbol();
        match v {
            Value::Tensor(n) if self.dtype_of(n) == DType::Bool => Some(n),
            Value::Tensor(n) => {
                let dt = self.dtype_of(n);
                self.error(Diagnostic::new(Code::E0204, format!("`{sym}` of {dt} tensors is not supported"), s, format!("this is {dt}")).with_help(
                    format!("graphc's `{sym}` combines bool masks; compare first, as `(x > 0) {sym} (x < 1)`, or convert with `.bool()`"),
                ));
                None
            }
            Value::Bool(b) => Some(self.scalar(if b { 1.0 } else { 0.0 }, DType::Bool, s)),
            Value::Host { node, kind: HostKind::Bool } => Some(node),
            Value::Poison => None,
            other => {
                self.error(Diagnostic::new(Code::E0107, format!("`{sym}` of {}", other.describe()), s, "not a bool or a mask").with_help(format!(
                    "`{sym}` combines bool tensors, bools and ints; for a comparison write parentheses, as `(x > 0) {sym} (x < 1)`"
                )));
                None
            }
        }
    }
}
