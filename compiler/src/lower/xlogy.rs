//! `xlogy(input, other)` (`torch.xlogy`, `torch.special.xlogy`): `input *
//! log(other)`, with `0` where `input` is zero (so that `0 * log(0)` is `0`, as
//! entropies and KL divergences need) and NaN where `other` is NaN. The value
//! is ATen's `xlogy_kernel` per element: `isnan(y) ? NaN : x == 0 ? 0 : x *
//! std::log(y)`; integer operands compute in the default float dtype, and a
//! number on either side enters as a Python float does (in the tensor's dtype).
//!
//! The gradients are derivatives.yaml's, the backward of a call so that they
//! round alike (`builtin_backward.rs`): `xlogy(grad, other)` with zeros where
//! `input == 0 and other <= 0` for `input` (for a number `other`, wherever
//! `input == 0` unless `other > 0`), and `grad * input / other` for `other`,
//! each summed to its operand's shape where the operands broadcast.
//! `XlogyBackward0` names the call of two tensors, `XlogyBackward1` a number
//! input and `XlogyBackward2` a number other, as PyTorch's three overloads.
//!
//! `special.xlog1py(input, other)` is the same with `log1p(other)` (the C
//! library's, as ATen's `xlog1py_kernel` calls it), zeros for `input` where
//! `input == 0 and other <= -1`, `grad * input / (other + 1)` for `other`,
//! and `SpecialXlog1PyBackward0`/`1`/`2`.

use graphc_runtime::op::{Binary, Cmp, Logical, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

/// One operand: a tensor, or a number (a Python scalar).
#[derive(Clone, Copy)]
enum Operand {
    Tensor(NodeId),
    Number(Num),
}

impl Lowerer<'_> {
    /// `xlogy(input, other)`, or with `log1p` `special.xlog1py(input, other)`.
    pub(super) fn xlogy_call(&mut self, name: &str, log1p: bool, bound: &Bound<Value>, span: Span) -> Value {
        let [(a, sa), (b, sb)] = self.two(bound);
        let mut operands = Vec::new();
        for (v, s, what) in [(a, sa, "input"), (b, sb, "other")] {
            operands.push(match v {
                Value::Tensor(t) => Operand::Tensor(t),
                Value::Number(n) => Operand::Number(n),
                Value::Poison => return Value::Poison,
                other => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{name}`'s {what} must be a tensor or a number, not {}", other.describe()),
                            s,
                            "not a tensor",
                        )
                        .with_help("pass a tensor, or a number with a tensor on the other side"),
                    )
                }
            });
        }
        // The common dtype, then the default float for integers (ATen's float op).
        let promoted = match (operands[0], operands[1]) {
            (Operand::Tensor(x), Operand::Tensor(y)) => self.promote_tensors(x, sa, y, sb, &format!("`{name}`")),
            (Operand::Tensor(t), Operand::Number(n)) => self.promote_with_number(BinOp::Mul, t, sa, n.is_int()).map(|t| self.dtype_of(t)),
            (Operand::Number(n), Operand::Tensor(t)) => self.promote_with_number(BinOp::Mul, t, sb, n.is_int()).map(|t| self.dtype_of(t)),
            (Operand::Number(_), Operand::Number(_)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`{name}` needs a tensor operand"), span, "two numbers")
                        .with_help("make one side a tensor, as in `xlogy(tensor(x), y)`"),
                )
            }
        };
        let Some(promoted) = promoted else { return Value::Poison };
        let dt = if promoted.is_float() { promoted } else { DType::F32 };
        let node = |l: &mut Self, o: Operand, s: Span| match o {
            Operand::Tensor(t) => l.cast_to(t, dt, s),
            Operand::Number(n) => l.scalar_num(n, dt, s),
        };
        let (x, y) = (node(self, operands[0], sa), node(self, operands[1], sb));
        let shape = match shapes::broadcast(&self.shape_of(x), &self.shape_of(y)) {
            Ok(s) => s,
            Err(message) => {
                return self.error(
                    Diagnostic::new(Code::E0202, format!("`{name}`: {message}"), sb, format!("shape {}", shapes::show(&self.shape_of(y))))
                        .with_secondary(sa, format!("shape {}", shapes::show(&self.shape_of(x))))
                        .with_help("make the shapes equal, or 1 where one side should be repeated (NumPy broadcasting)"),
                )
            }
        };
        let out = self.xlogy_nodes(x, y, log1p, &shape, span);
        let overload = match (operands[0], operands[1]) {
            (Operand::Tensor(_), Operand::Tensor(_)) => 0,
            (Operand::Number(_), _) => 1,
            (_, Operand::Number(_)) => 2,
        };
        let grad_fn = format!("{}{overload}", if log1p { "SpecialXlog1PyBackward" } else { "XlogyBackward" });
        // The pole of the log: 0 for `log`, -1 for `log1p`.
        let pole = if log1p { -1.0 } else { 0.0 };
        let number_other = match operands[1] {
            Operand::Number(n) => Some(n.f64()),
            Operand::Tensor(_) => None,
        };
        let number_input = matches!(operands[0], Operand::Number(_));
        // A number operand is a constant node among the inputs, whose gradient is `None`.
        let out = self.with_backward(&grad_fn, &[x, y], out, span, |l, grad, p| {
            let (x, y) = (p[0], p[1]);
            let op = |l: &mut Self, b: Binary, u: NodeId, v: NodeId| l.broadcast_binary(b, u, v, span);
            let to = |l: &mut Self, g: NodeId, like: NodeId| l.sum_to_shape_of(g, like, span);
            // grad * input / other (or / (other + 1)), left to right.
            let scaled = op(l, Binary::Mul, grad, x);
            let divisor = if log1p {
                let one = l.scalar(1.0, dt, span);
                op(l, Binary::Add, y, one)
            } else {
                y
            };
            let g_other = op(l, Binary::Div, scaled, divisor);
            let g_other = to(l, g_other, y);
            if number_input {
                return vec![None, Some(g_other)];
            }
            let gsh = l.shape_of(grad);
            let g = l.xlogy_nodes(grad, y, log1p, &gsh, span);
            let zero = l.scalar(0.0, dt, span);
            let pole_node = l.scalar(pole, dt, span);
            let xsh = l.shape_of(x);
            let input_zero = l.node(Op::Compare(Cmp::Eq), DType::Bool, xsh, &[x, zero], span);
            let mask = match number_other {
                Some(o) if o > pole => None,
                Some(_) => Some(input_zero),
                None => {
                    let ysh = l.shape_of(y);
                    let nonpositive = l.node(Op::Compare(Cmp::Le), DType::Bool, ysh, &[y, pole_node], span);
                    let both = shapes::broadcast(&l.shape_of(input_zero), &l.shape_of(nonpositive)).expect("the forward's shapes broadcast");
                    Some(l.node(Op::Logical(Logical::And), DType::Bool, both, &[input_zero, nonpositive], span))
                }
            };
            let g_input = match mask {
                None => g,
                Some(m) => {
                    let sh = shapes::broadcast(&l.shape_of(g), &l.shape_of(m)).expect("the forward's shapes broadcast");
                    l.node(Op::Select, dt, sh, &[m, zero, g], span)
                }
            };
            let g_input = to(l, g_input, x);
            if number_other.is_some() {
                vec![Some(g_input), None]
            } else {
                vec![Some(g_input), Some(g_other)]
            }
        });
        Value::Tensor(out)
    }

    /// The kernel's value at `shape`: `isnan(y) ? y : x == 0 ? 0 : x * log(y)`
    /// (`log1p(y)` with `log1p`).
    fn xlogy_nodes(&mut self, x: NodeId, y: NodeId, log1p: bool, shape: &[usize], span: Span) -> NodeId {
        let dt = self.dtype_of(x);
        let log_op = if log1p { Unary::Log1pLibm } else { Unary::Log };
        let log = self.node(Op::Unary(log_op), dt, self.shape_of(y), &[y], span);
        let product = self.node(Op::Binary(Binary::Mul), dt, shape.to_vec(), &[x, log], span);
        let zero = self.scalar(0.0, dt, span);
        let input_zero = self.node(Op::Compare(Cmp::Eq), DType::Bool, self.shape_of(x), &[x, zero], span);
        let zeroed = self.node(Op::Select, dt, shape.to_vec(), &[input_zero, zero, product], span);
        let nan = self.node(Op::FloatTest(graphc_runtime::op::FloatTest::IsNan), DType::Bool, self.shape_of(y), &[y], span);
        self.node(Op::Select, dt, shape.to_vec(), &[nan, y, zeroed], span)
    }
}
