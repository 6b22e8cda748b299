//! `remainder(input, other)` and `fmod(input, other)`: `torch.remainder` is
//! the tensor operator `%` (the remainder with the divisor's sign), and
//! `torch.fmod` C's `fmod` (the dividend's sign), each with a tensor or a
//! number as `other`, lowered by the same path as `//` and `%`
//! (`Lowerer::integer_division`); a Python number known only at run time
//! (`y = t.item()`) divides as a literal one does.

use graphc_runtime::op::Binary;

use super::{HostKind, Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    pub(super) fn remainder_call(&mut self, b: Builtin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let [(a, sa), (o, so)] = self.two(bound);
        let Some(x) = self.expect_tensor(a, sa, &format!("`{name}`'s input")) else { return Value::Poison };
        if b == Builtin::Remainder {
            return self.binary(BinOp::Mod, (Value::Tensor(x), sa), (o, so), span);
        }
        match o {
            Value::Tensor(y) => {
                let Some(dt) = self.promote_tensors(x, sa, y, so, "`fmod`") else { return Value::Poison };
                let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, so));
                self.integer_division(Binary::Fmod, (x, sa), (y, so), true, false, span)
            }
            Value::Number(n) => {
                // `%`'s promotion with a number: an integer tensor stays integral with an int.
                let Some(x) = self.promote_with_number(BinOp::Mod, x, sa, n.is_int()) else { return Value::Poison };
                let dt = self.dtype_of(x);
                if n.f64() == 0.0 && !dt.is_float() {
                    return self.error(
                        Diagnostic::new(Code::E0643, "`fmod` of integers by zero", so, "this is zero")
                            .with_help("PyTorch raises ZeroDivisionError here; divide by a nonzero number"),
                    );
                }
                let c = self.scalar_num(n, dt, so);
                self.integer_division(Binary::Fmod, (x, sa), (c, so), true, true, span)
            }
            // A Python number known at run time (`y = t.item()`), as `%` takes one.
            Value::Host { node, kind } if kind != HostKind::Bool => {
                let Some(x) = self.promote_with_number(BinOp::Mod, x, sa, kind != HostKind::Float) else { return Value::Poison };
                let c = self.cast_to(node, self.dtype_of(x), so);
                self.integer_division(Binary::Fmod, (x, sa), (c, so), true, true, span)
            }
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(Code::E0107, format!("`fmod`'s other must be a tensor or a number, not {}", other.describe()), so, "not a divisor")
                    .with_help("pass a tensor or a number literal"),
            ),
        }
    }
}
