//! `index_copy(input, dim, index, source)` (also the method): a copy of the
//! input whose slices at positions `index` along `dim` are `source`'s slices
//! in order. It is a `scatter` of `source` at the index spread over
//! `source`'s shape, so the gradients are derivatives.yaml's: `grad` with
//! those slices zeroed for `input` and `grad`'s slices there for `source`
//! (`IndexCopyBackward0`). As in PyTorch, the indices must lie in range (no
//! negative ones) and `source` must have one slice per index.

use graphc_runtime::DType;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `index_copy(input, dim, index, source)`.
    pub(super) fn index_copy_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees four arguments");
        let ((x, xs), (d, ds), (i, is), (src, ss)) = (arg(0), arg(1), arg(2), arg(3));
        let Some(x) = self.expect_tensor(x, xs, "`index_copy`'s input") else { return Value::Poison };
        let Some(src) = self.expect_tensor(src, ss, "`index_copy`'s source") else { return Value::Poison };
        let Some(i) = self.expect_tensor(i, is, "`index_copy`'s index") else { return Value::Poison };
        let Some(dims) = self.int_args(vec![(d, ds)], ds, "`index_copy`'s dimension") else { return Value::Poison };
        let (shape, sshape, ishape) = (self.shape_of(x), self.shape_of(src), self.shape_of(i));
        let Some(dim) = self.checked_dim(dims[0].0, ds, &shape) else { return Value::Poison };
        if self.dtype_of(i) != DType::I64 || ishape.len() > 1 {
            return self.error(
                Diagnostic::new(
                    Code::E0204,
                    "index_copy_(): Index should have dimension 1 or 0 (got a tensor that is not a 1-d i64 tensor)",
                    is,
                    "not a 1-d i64 tensor",
                )
                .with_help("pass the positions as a 1-d integer tensor, as in `tensor([0, 2])`"),
            );
        }
        let count = ishape.first().copied().unwrap_or(1);
        let mut expected = shape.clone();
        expected[dim] = count;
        if sshape.len() != shape.len() || sshape[dim] != count || sshape != expected {
            let message = if sshape.len() == shape.len() && sshape[dim] != count {
                format!("index_copy_(): Number of indices ({count}) should be equal to source.size(dim) ({})", sshape[dim])
            } else {
                format!("index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: {} at dimension {dim} and source slice shape: {} at dimension {dim}.", shapes::show(&shape), shapes::show(&sshape))
            };
            return self.error(Diagnostic::new(Code::E0202, message, ss, format!("shape {}", shapes::show(&sshape))).with_help(format!(
                "pass a source of shape {}: the input's, with one slice per index along dimension {dim}",
                shapes::show(&expected)
            )));
        }
        if self.is_constant(i) && !self.constant_index_fits(i, is, dim, shape[dim]) {
            return Value::Poison;
        }
        let dt = self.dtype_of(x);
        let src = self.cast_to(src, dt, ss);
        // The index along `dim`, spread over the source's shape.
        let mut laid = vec![1; shape.len()];
        laid[dim] = count;
        let lined = self.call_builtin_values("reshape", vec![(Value::Tensor(i), is), (Value::Size(laid), is)], span);
        let spread = self.call_builtin_values("expand", vec![(lined, is), (Value::Size(sshape), is)], span);
        let dimv = Value::Number(Num::Int(dim as i128));
        let out = self.call_builtin_values("scatter", vec![(Value::Tensor(x), xs), (dimv, ds), (spread, is), (Value::Tensor(src), ss)], span);
        self.named_grad_fn(out, "IndexCopyBackward0")
    }
}
