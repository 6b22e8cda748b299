//! `torch.diff` and `torch.frac`, as ATen composes them:
//!
//! - `diff(input, n=1, dim=-1, prepend=none, append=none)`: `prepend`, `input`
//!   and `append` joined along `dim` (`cat`), then `n` times
//!   `narrow(dim, 1, len - 1) - narrow(dim, 0, len - 1)` (`_diff_helper`), so
//!   the gradient is the narrows' and the subtractions';
//! - `frac(input)`: `input - trunc(input)` (the `frac` kernel's formula),
//!   whose gradient is the incoming gradient unchanged (`FracBackward0`,
//!   `self: grad`): the values are computed apart from the graph and carried
//!   by the input's history (`Binary::KeepGraph`).

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::check::shape_builtins::ShapeBuiltin;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `diff(input, n=1, dim=-1, prepend=none, append=none)`.
    pub(crate) fn diff_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (v, vs) = arg(0).expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, "`diff`'s input") else { return Value::Poison };
        if self.dtype_of(x) == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, "`diff` of a bool tensor (PyTorch's `logical_xor` of neighbours) is not supported", vs, "bool")
                    .with_help("convert the tensor first (`x.long()`), or compare neighbours with `!=`"),
            );
        }
        if self.shape_of(x).is_empty() {
            return self.error(
                Diagnostic::new(Code::E0202, "diff expects input to be at least one-dimensional", vs, "0-d")
                    .with_help("pass a tensor of one dimension or more"),
            );
        }
        let n = match arg(1) {
            None => 1,
            Some((Value::Number(Num::Int(n)), _)) if n >= 0 => n as usize,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("order must be non-negative but got {}", other.describe()), s, "not a count")
                        .with_help("pass how many times to take differences, as in `n=2`"),
                )
            }
        };
        let dim = match arg(2) {
            None => self.one_dim(Value::Number(Num::Int(-1)), span, &self.shape_of(x)),
            Some((d, ds)) => self.one_dim(d, ds, &self.shape_of(x)),
        };
        let Some(dim) = dim else { return Value::Poison };
        let mut parts = Vec::new();
        if let Some(p) = arg(3) {
            parts.push(p);
        }
        parts.push((Value::Tensor(x), vs));
        if let Some(a) = arg(4) {
            parts.push(a);
        }
        let mut result = if parts.len() == 1 {
            Value::Tensor(x)
        } else {
            let args = vec![(None, Value::List(parts), span), (None, Value::Number(Num::Int(dim as i128)), span)];
            self.call_builtin(Builtin::Shape(ShapeBuiltin::Cat), "cat", args, span)
        };
        let Value::Tensor(joined) = result else { return Value::Poison };
        let len = self.shape_of(joined)[dim];
        let mut out_len = len.saturating_sub(1);
        for _ in 0..n.min(len) {
            let narrow = |me: &mut Self, v: Value, start: usize| {
                let int = |i: usize| Value::Number(Num::Int(i as i128));
                let args = vec![(None, v, span), (None, int(dim), span), (None, int(start), span), (None, int(out_len), span)];
                me.call_builtin(Builtin::Narrow, "narrow", args, span)
            };
            let hi = narrow(self, result.clone(), 1);
            let lo = narrow(self, result, 0);
            result = self.binary(BinOp::Sub, (hi, span), (lo, span), span);
            out_len = out_len.saturating_sub(1);
        }
        result
    }

    /// `frac(input)`: `input - trunc(input)`, with the gradient passed through.
    pub(crate) fn frac_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`frac`'s input") else { return Value::Poison };
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        let xd = self.node(Op::Unary(Unary::Detach), dt, sh.clone(), &[x], span);
        let t = self.node(Op::Unary(Unary::Trunc), dt, sh.clone(), &[xd], span);
        let f = self.node(Op::Binary(Binary::Sub), dt, sh.clone(), &[xd, t], span);
        if !self.requires_grad(x) {
            return Value::Tensor(f);
        }
        let r = self.node(Op::Binary(Binary::KeepGraph), dt, sh, &[x, f], span);
        self.prog.graph.meta_mut(r).requires_grad = true;
        self.grad_fn.insert(r, "FracBackward0".to_string());
        Value::Tensor(r)
    }
}
