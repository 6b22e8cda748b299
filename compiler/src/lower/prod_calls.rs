//! Lowering of `prod(input, dim=none, keepdim=false)`: the product of every
//! element (`ProdBackward0`) or along one dimension (`ProdBackward1`), an
//! `Op::Reduce` of kind `ProdAll` or `Prod`.

use graphc_runtime::op::{reduced_shape, ReduceKind, TypeRule};
use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `prod(x)` or `prod(x, dim, keepdim)`. Integer and bool tensors are refused
    /// (E0204), where PyTorch would multiply them in i64.
    pub(super) fn prod_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, "`prod`'s input") else { return Value::Poison };
        let Some(dt) = self.rule_dtype(TypeRule::FloatOnly, self.dtype_of(x), "`prod`", vs) else { return Value::Poison };
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
