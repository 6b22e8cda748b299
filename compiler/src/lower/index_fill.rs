//! `index_fill(input, dim, index, value)` (also the method): a copy of the
//! input with the slices at positions `index` along `dim` set to `value` (a
//! number, or a 0-d tensor). The positions become a mask along `dim`, whether
//! each equals one of the (wrapped) indices, and the result is `where(mask,
//! value, input)`, so the gradient is derivatives.yaml's: `grad` with the
//! filled slices zeroed for `input`, and the sum of `grad` over them for a
//! tensor `value` (`IndexFillBackward0`, `IndexFillBackward1`). A constant
//! index out of range is PyTorch's IndexError (E0281); a computed one fills
//! nothing there.

use graphc_runtime::DType;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `index_fill(input, dim, index, value)`.
    pub(super) fn index_fill_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees four arguments");
        let ((x, xs), (d, ds), (i, is), (v, vs)) = (arg(0), arg(1), arg(2), arg(3));
        let Some(x) = self.expect_tensor(x, xs, "`index_fill`'s input") else { return Value::Poison };
        let Some(dims) = self.int_args(vec![(d, ds)], ds, "`index_fill`'s dimension") else { return Value::Poison };
        let shape = self.shape_of(x);
        // A 0-d input has one position along its "dimension" 0, as in PyTorch.
        let view = if shape.is_empty() { vec![1] } else { shape.clone() };
        let Some(dim) = self.checked_dim(dims[0].0, ds, &view) else { return Value::Poison };
        let Some(i) = self.expect_tensor(i, is, "`index_fill`'s index") else { return Value::Poison };
        if self.dtype_of(i) != DType::I64 || self.shape_of(i).len() > 1 {
            return self.error(
                Diagnostic::new(Code::E0204, "index_fill_(): Expected a long tensor for index of at most one dimension", is, "not a 1-d i64 tensor")
                    .with_help("pass the positions as a 1-d integer tensor, as in `tensor([0, 2])`"),
            );
        }
        let tensor_value = match &v {
            Value::Tensor(t) if !self.shape_of(*t).is_empty() => {
                let n = self.shape_of(*t).len();
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!("index_fill_ only supports a 0-dimensional value tensor, but got tensor with {n} dimension(s)."),
                        vs,
                        format!("{n}-d"),
                    )
                    .with_help("pass a number or a 0-d tensor"),
                );
            }
            Value::Tensor(_) => true,
            Value::Number(_) | Value::Bool(_) => false,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`index_fill`'s value must be a number or a 0-d tensor, not {}", other.describe()),
                        vs,
                        "not a value",
                    )
                    .with_help("pass the value the slices take"),
                )
            }
        };
        let n = view[dim];
        if self.is_constant(i) {
            let wrapped = self.negative_ids_wrapped(i, n);
            if !self.constant_index_fits(wrapped, is, dim, n) {
                return Value::Poison;
            }
        }
        let int = |v: i64| Value::Number(Num::Int(v as i128));
        // Positions along `dim`, each compared with every (wrapped) index.
        let along = self.call_builtin_values("arange", vec![(int(n as i64), span)], span);
        let negative = self.binary(BinOp::Lt, (Value::Tensor(i), is), (int(0), is), span);
        let shifted = self.binary(BinOp::Add, (Value::Tensor(i), is), (int(n as i64), is), span);
        let wrapped = self.call_builtin_values("where", vec![(negative, is), (shifted, is), (Value::Tensor(i), is)], span);
        let hit = self.call_builtin_values("isin", vec![(along, span), (wrapped, is)], span);
        let mut laid = vec![1; shape.len()];
        if !shape.is_empty() {
            laid[dim] = n;
        }
        let mask = self.call_builtin_values("reshape", vec![(hit, span), (Value::Size(laid), span)], span);
        // The value takes the input's dtype (`value.to<scalar_t>()`).
        let dt = self.dtype_of(x);
        let value = match v {
            Value::Tensor(t) => Value::Tensor(self.cast_to(t, dt, vs)),
            Value::Bool(b) => Value::Tensor(self.scalar_num(Num::Int(i128::from(b)), dt, vs)),
            Value::Number(n) => Value::Tensor(self.scalar_num(n, dt, vs)),
            other => other,
        };
        let out = self.call_builtin_values("where", vec![(mask, span), (value, vs), (Value::Tensor(x), xs)], span);
        self.named_grad_fn(out, if tensor_value { "IndexFillBackward1" } else { "IndexFillBackward0" })
    }
}
