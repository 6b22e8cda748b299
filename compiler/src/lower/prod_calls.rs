//! Lowering of `prod(input, dim=none, keepdim=false)`: the product of every
//! element (`ProdBackward0`) or along one dimension (`ProdBackward1`), an
//! `Op::Reduce` of kind `ProdAll` or `Prod`.

use graphc_runtime::op::{reduced_shape, ReduceKind};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `prod(x)` or `prod(x, dim, keepdim)`; an integer or bool tensor's product is i64.
    pub(super) fn prod_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, "`prod`'s input") else { return Value::Poison };
        // Integer and bool tensors multiply in i64, wrapping on overflow, as in PyTorch.
        let dt = if self.dtype_of(x).is_float() { self.dtype_of(x) } else { DType::I64 };
        let x = self.cast_to(x, dt, vs);
        let shape = self.shape_of(x);
        let arg = |i: usize| match bound.positional.get(i).cloned().flatten() {
            None | Some((Value::None, _)) => None,
            some => some,
        };
        let keepdim = match arg(2) {
            None => None,
            Some((Value::Bool(k), ks)) => Some((k, ks)),
            Some((other, ks)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`keepdim` must be `true` or `false`, not {}", other.describe()), ks, "not a boolean")
                        .with_help("write `keepdim=true`"),
                );
            }
        };
        let (kind, dims, keep) = match (arg(1), keepdim) {
            (None, Some((_, ks))) => {
                return self.error(
                    Diagnostic::new(Code::E0280, "`keepdim` given to `prod` without `dim`", ks, "no dimension to keep")
                        .with_help("name the dimension, as in `prod(x, dim=1, keepdim=true)`"),
                );
            }
            (None, None) => (ReduceKind::ProdAll, (0..shape.len()).collect::<Vec<_>>(), false),
            (Some((dv, ds)), k) => {
                let Some(dim) = self.one_dim(dv, ds, &shape) else { return Value::Poison };
                (ReduceKind::Prod, vec![dim], k.is_some_and(|(k, _)| k))
            }
        };
        let out = reduced_shape(&shape, &dims, keep);
        Value::Tensor(self.op_node(Op::Reduce { kind, dims, keepdim: keep }, dt, out, &[x], span, kind.grad_fn()))
    }
}
