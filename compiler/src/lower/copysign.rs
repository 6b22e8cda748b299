//! `copysign(input, other)` (`torch.copysign`, `x.copysign(other)`):
//! `input`'s magnitude with `other`'s sign, `other` a tensor or a number
//! (docs/act-language.md, section 5). ATen's kernel is C's `copysign`, exact,
//! so graphc's [`Binary::Copysign`] gives its bits; integers compute in f32, a
//! number `other` enters as a Python scalar does. `CopysignBackward0` names
//! the call of two tensors, `CopysignBackward1` a number `other`, as
//! PyTorch's two overloads; the gradients are the op table row's.

use graphc_runtime::op::Binary;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `copysign(input, other)`.
    pub(super) fn copysign_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let [(a, sa), (b, sb)] = self.two(bound);
        let Some(x) = self.expect_tensor(a, sa, "`copysign`'s input") else { return Value::Poison };
        let (y, dt, grad_fn) = match b {
            Value::Tensor(y) => {
                let Some(dt) = self.promote_tensors(x, sa, y, sb, "`copysign`") else { return Value::Poison };
                (y, dt, "CopysignBackward0")
            }
            Value::Number(n) => {
                let Some(t) = self.promote_with_number(BinOp::Mul, x, sa, n.is_int()) else { return Value::Poison };
                let dt = self.dtype_of(t);
                (self.scalar_num(n, dt, sb), dt, "CopysignBackward1")
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`copysign`'s other must be a tensor or a number, not {}", other.describe()),
                        sb,
                        "not a sign source",
                    )
                    .with_help("give the tensor or number whose signs to take"),
                )
            }
        };
        // Integer and bool operands compute in f32, as ATen's float op does.
        let dt = if dt.is_float() { dt } else { DType::F32 };
        let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, sb));
        let Some(shape) = self.meet(x, sa, y, sb, "`copysign`") else { return Value::Poison };
        Value::Tensor(self.op_node(Op::Binary(Binary::Copysign), dt, shape, &[x, y], span, grad_fn))
    }
}
