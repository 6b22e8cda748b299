//! `vander(x, N=none, increasing=false)`: the Vandermonde matrix of a 1-d
//! tensor, as ATen's `vander` builds it: a matrix of ones whose columns after
//! the first take `x` and then their own `cumprod` along the row, so that
//! column `k` is `x` multiplied by itself `k` times in order; flipped
//! (`FlipBackward0`) unless `increasing`, where PyTorch's node is the slice
//! copy (`CopySlices`). An integer `x` gives an `i64` matrix, as `cumprod`
//! promotes it. ATen's second copy overwrites the slice `cumprod` saved, so
//! PyTorch's backward through `vander` (of more than one column) fails its
//! version check; graphc records that update, and such a backward is E0621.

use graphc_runtime::DType;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::program::Mutation;
use crate::syntax::ast::{Ident, Span};

impl Lowerer<'_> {
    /// `vander(x, N=none, increasing=false)`.
    pub(super) fn vander_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let (v, s) = bound.positional[0].clone().expect("bind guarantees x");
        let Some(x) = self.expect_tensor(v, s, "`vander`'s `x`") else { return Value::Poison };
        let shape = self.shape_of(x);
        if shape.len() != 1 {
            return self.error(
                Diagnostic::new(Code::E0202, "x must be a one-dimensional tensor.", s, format!("{}-d", shape.len()))
                    .with_help("pass the 1-d tensor of points"),
            );
        }
        let rows = shape[0];
        let columns = match bound.positional.get(1).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None)) {
            None => rows as i64,
            Some((v, ns)) => match self.int_args(vec![(v, ns)], ns, "`N`") {
                Some(n) if n[0].0 < 0 => {
                    return self.error(
                        Diagnostic::new(Code::E0107, "N must be non-negative.", ns, "negative").with_help("pass the number of columns, 0 or more"),
                    )
                }
                Some(n) => n[0].0,
                None => return Value::Poison,
            },
        };
        let increasing = match bound.positional.get(2).cloned().flatten() {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, bs)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`vander`'s `increasing` must be a bool, not {}", other.describe()), bs, "not a bool")
                        .with_help("write `increasing=true` or `increasing=false`"),
                )
            }
        };
        let dt = if self.dtype_of(x).is_float() { self.dtype_of(x) } else { DType::I64 };
        let x = self.cast_to(x, dt, s);
        let int = |v: i64| Value::Number(Num::Int(v as i128));
        let kw = |name: &str, v: Value| (Some(Ident { name: name.to_string(), span }), v, span);
        let ones = |me: &mut Self, cols: i64| {
            let args = vec![(None, Value::Size(vec![rows, cols as usize]), span), kw("dtype", Value::DType(dt))];
            me.call_builtin_named(&Ident { name: "ones".to_string(), span }, args, span)
        };
        let result = if columns <= 1 {
            ones(self, columns)
        } else {
            let first = ones(self, 1);
            let column = self.call_builtin_values("unsqueeze", vec![(Value::Tensor(x), s), (int(1), span)], span);
            let size = Value::Tuple(vec![(int(rows as i64), span), (int(columns - 1), span)]);
            let repeated = self.call_builtin_values("expand", vec![(column, span), (size, span)], span);
            let powers = self.call_builtin_values("cumprod", vec![(repeated.clone(), span), (int(1), span)], span);
            let both = Value::List(vec![(first, span), (powers, span)]);
            let joined = self.call_builtin_values("cat", vec![(both, span), (int(1), span)], span);
            let joined = self.named_grad_fn(joined, "CopySlices");
            if let (Value::Tensor(t), Value::Tensor(r)) = (&joined, &repeated) {
                // ATen writes the `cumprod` over the very slice it read, which
                // `cumprod` saved for its backward: a backward through `vander`
                // fails in PyTorch with the version check, and here with E0621.
                let backwards_before = self.prog.backwards.len();
                self.prog.mutations.push(Mutation { old: *r, new: *t, by: *t, span, backwards_before });
            }
            joined
        };
        if increasing {
            return result;
        }
        let dims = Value::List(vec![(int(1), span)]);
        self.call_builtin_values("flip", vec![(result, span), (dims, span)], span)
    }
}
