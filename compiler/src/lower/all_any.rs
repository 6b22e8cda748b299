//! `all(input, dim=none, keepdim=false)` and `any(...)`: whether every (some)
//! element is nonzero, a bool tensor, as PyTorch's. NaN is nonzero, so it
//! counts as true. They are written with the op table's rows: each element's
//! truth (`input != 0`) as 0.0 or 1.0, its `amin` (`all`) or `amax` (`any`)
//! over the dimensions, and that as a bool, which is exact for zeros and ones.
//!
//! `equal(input, other)` (`torch.equal`) is false when the shapes differ
//! (known when compiling, as PyTorch does not broadcast here), and else
//! `(input == other).all().item()`, a Python bool known when the program
//! runs: NaN equals nothing, and the dtypes are promoted as `==` promotes them.

use graphc_runtime::op::{reduced_shape, ReduceKind};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    pub(super) fn all_any_call(&mut self, any: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let shape = self.shape_of(x);
        let arg = |i: usize| match bound.positional.get(i).cloned().flatten() {
            None | Some((Value::None, _)) => None,
            some => some,
        };
        let dims = match arg(1) {
            None => (0..shape.len()).collect(),
            Some((dv, ds)) => match self.dim_list(dv, ds, &shape) {
                Some(d) => d,
                None => return Value::Poison,
            },
        };
        let keepdim = match arg(2) {
            None => false,
            Some((Value::Bool(k), _)) => k,
            Some((other, ks)) => return self.not_bool("keepdim", &other, ks),
        };
        if dims.iter().any(|&d| shape[d] == 0) {
            // PyTorch's answer for no elements (true for `all`, false for `any`)
            // would need a constant of the output's shape; nothing reduces over nothing here.
            return self.error(
                Diagnostic::new(Code::E0645, format!("`{name}` over a dimension of size 0"), vs, "no elements to test")
                    .with_help(format!("`{name}` of no elements is {}; write that value instead", if any { "false" } else { "true" })),
            );
        }
        let truth = if self.dtype_of(x) == DType::Bool {
            x
        } else {
            match self.compare(BinOp::Ne, (Value::Tensor(x), vs), (Value::Number(Num::Int(0)), vs), span) {
                Value::Tensor(t) => t,
                other => return other,
            }
        };
        let ones = self.cast_to(truth, DType::F32, span);
        let kind = if any { ReduceKind::Amax } else { ReduceKind::Amin };
        let out = reduced_shape(&shape, &dims, keepdim);
        let r = self.node(Op::Reduce { kind, dims, keepdim }, DType::F32, out, &[ones], span);
        Value::Tensor(self.cast_to(r, DType::Bool, span))
    }

    /// `equal(input, other)`: a Python bool.
    pub(super) fn equal_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let mut ts = Vec::new();
        for (i, what) in [(0, "input"), (1, "other")] {
            let (v, vs) = bound.positional[i].clone().expect("bind guarantees both tensors");
            let Some(t) = self.expect_tensor(v, vs, &format!("`equal`'s {what}")) else { return Value::Poison };
            ts.push((t, vs));
        }
        if self.shape_of(ts[0].0) != self.shape_of(ts[1].0) {
            return Value::Bool(false);
        }
        if self.shape_of(ts[0].0).contains(&0) {
            return Value::Bool(true);
        }
        // Two float dtypes meet in the wider, as PyTorch promotes them (`==`
        // refuses f32 with f64, which is a mistake in arithmetic, not here).
        let (da, db) = (self.dtype_of(ts[0].0), self.dtype_of(ts[1].0));
        if da != db && da.is_float() && db.is_float() {
            let wide = if da.size() >= db.size() { da } else { db };
            for (t, ts_span) in ts.iter_mut() {
                *t = self.cast_to(*t, wide, *ts_span);
            }
        }
        let Value::Tensor(same) = self.binary(BinOp::EqEq, (Value::Tensor(ts[0].0), ts[0].1), (Value::Tensor(ts[1].0), ts[1].1), span) else {
            return Value::Poison;
        };
        let all =
            self.call_builtin_named(&crate::syntax::ast::Ident { name: "all".to_string(), span }, vec![(None, Value::Tensor(same), span)], span);
        match all {
            Value::Tensor(t) => self.item(t, span, None, span),
            _ => Value::Poison,
        }
    }
}
