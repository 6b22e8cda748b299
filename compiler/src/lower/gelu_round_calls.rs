//! Calls of `gelu(input, approximate=...)` and `round(input, decimals=...)`:
//! builtins whose keyword picks the op, so they are not plain rows of the
//! op table's builtin lookup.

use graphc_runtime::op::{Activation, F64Bits, TypeRule, Unary};
use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `gelu(x)` is the `gelu` row, `gelu(x, approximate="tanh")` the
    /// `gelu_tanh` row; both are `GeluBackward0` in PyTorch.
    pub(super) fn gelu_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let u = match bound.keyword("approximate") {
            None => Unary::Gelu,
            Some((Value::Str(s), _)) if s == "none" => Unary::Gelu,
            Some((Value::Str(s), _)) if s == "tanh" => Unary::GeluTanh,
            Some((Value::Str(s), ss)) => {
                return self.error(
                    Diagnostic::new(Code::E0284, format!("`gelu` has no approximation \"{s}\""), ss, "unknown approximation")
                        .with_help("write `approximate=\"none\"` (the exact erf form, the default) or `approximate=\"tanh\"`"),
                );
            }
            Some((other, ss)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`approximate` must be a string, not {}", other.describe()), ss, "not a string")
                        .with_help("write `approximate=\"tanh\"` or `approximate=\"none\"`"),
                );
            }
        };
        self.float_elementwise(Op::Unary(u), "gelu", bound, span)
    }

    /// `round(x, decimals=d)`: an integer `d` known when compiling. Without
    /// `decimals` the call is the op table's `round`, lowered elsewhere.
    pub(super) fn round_decimals_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let (v, ds) = bound.keyword("decimals").expect("called only with `decimals`");
        let d = match v {
            Value::Number(super::Num::Int(i)) if i.abs() <= 308 => i as f64,
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`decimals` of `round` must be an integer, not {}", other.describe()), ds, "not an integer")
                        .with_help("write a whole number of decimal places, as `decimals=2` (negative rounds to tens, hundreds, ...)"),
                );
            }
        };
        self.float_elementwise(Op::Activation(Activation::RoundDecimals { decimals: F64Bits::new(d) }), "round", bound, span)
    }

    /// One elementwise node of a float op on the call's `input`: integer
    /// tensors are refused (E0204), as PyTorch refuses them for these kernels.
    fn float_elementwise(&mut self, op: Op, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
        let Some(dt) = self.rule_dtype(TypeRule::FloatOnly, self.dtype_of(t), &format!("`{name}`"), vs) else { return Value::Poison };
        let sh = self.shape_of(t);
        let grad_fn = op.grad_fn().expect("gelu and round have a backward node");
        Value::Tensor(self.op_node(op, dt, sh, &[t], span, grad_fn))
    }
}
