//! `take(input, index)`: the elements of `input` read as one flat row at the
//! positions `index` holds, in `index`'s shape; a negative position counts
//! from the end. It is the flattened input's integer-tensor subscript, whose
//! gradient adds each position's gradient into its element in index order,
//! as PyTorch's `put_(index, grad, accumulate=True)` does (`TakeBackward0`).

use graphc_runtime::DType;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `take(input, index)`.
    pub(super) fn take_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let [(x, xs), (i, is)] = self.two(bound);
        let Some(x) = self.expect_tensor(x, xs, "`take`'s input") else { return Value::Poison };
        let Some(i) = self.expect_tensor(i, is, "`take`'s index") else { return Value::Poison };
        if self.dtype_of(i) != DType::I64 {
            let got = super::inplace::torch_type_name(self.dtype_of(i));
            return self.error(
                Diagnostic::new(Code::E0204, format!("take(): Expected a long tensor for index, but got {got}"), is, "not i64")
                    .with_help("pass integer positions, as in `tensor([0, 2])`"),
            );
        }
        let numel = self.shape_of(x).iter().product::<usize>();
        let flat = self.call_builtin_values("reshape", vec![(Value::Tensor(x), xs), (Value::Size(vec![numel]), xs)], span);
        let Some(flat) = flat.as_tensor() else { return Value::Poison };
        let out = self.integer_tensor_index(flat, i, is, span);
        self.named_grad_fn(out, "TakeBackward0")
    }
}
