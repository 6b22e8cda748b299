//! `polygamma(n, input)` (`torch.polygamma`, `torch.special.polygamma`, the
//! method `x.polygamma(n)`): the `n`-th derivative of `digamma`. ATen's kernel
//! runs `digamma` for `n = 0`, `trigamma` for `n = 1` (two rows of the unary
//! op table) and `calc_polygamma` for higher orders (the `Polygamma`
//! activation, `runtime/src/op/activation.rs`); all three
//! are `PolygammaBackward0` when called through this builtin, whose gradient is
//! `grad * polygamma(n + 1, input)`.

use graphc_runtime::op::{Activation, F64Bits, TypeRule, Unary};
use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `polygamma(n, input)`.
    pub(super) fn polygamma_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let [(mut n, mut ns), (mut x, mut xs)] = self.two(bound);
        // A method call passes its receiver first: `x.polygamma(n)` is
        // `polygamma(n, x)`, as `Tensor.polygamma` is in PyTorch.
        if matches!(n, Value::Tensor(_)) && matches!(x, Value::Number(_)) {
            std::mem::swap(&mut n, &mut x);
            std::mem::swap(&mut ns, &mut xs);
        }
        let n = match n {
            Value::Number(Num::Int(n)) if (0..=1000).contains(&n) => n,
            Value::Number(Num::Int(n)) if n < 0 => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`polygamma` of order {n}"), ns, "a negative order")
                        .with_help("PyTorch raises \"polygamma(n, x) does not support negative n\"; the order is 0 (digamma), 1, 2, ..."),
                );
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`polygamma`'s order `n` must be an integer up to 1000, not {}", other.describe()),
                        ns,
                        "not a small integer",
                    )
                    .with_help("write `polygamma(n, x)` with the derivative's order first, as `polygamma(1, x)` for trigamma"),
                );
            }
        };
        let Some(t) = self.expect_tensor(x, xs, "the input of `polygamma`") else { return Value::Poison };
        let Some(dt) = self.rule_dtype(TypeRule::SameFloat, self.dtype_of(t), "`polygamma`", xs) else { return Value::Poison };
        let t = self.cast_to(t, dt, xs);
        let op = match n {
            0 => Op::Unary(Unary::Digamma),
            1 => Op::Unary(Unary::Trigamma),
            n => Op::Activation(Activation::Polygamma { n: F64Bits::new(n as f64) }),
        };
        let sh = self.shape_of(t);
        Value::Tensor(self.op_node(op, dt, sh, &[t], span, "PolygammaBackward0"))
    }
}
