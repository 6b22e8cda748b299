//! `nansum`, `nanmean` and `count_nonzero` (`torch.nansum`, ...), written as
//! ATen writes them:
//!
//! - `nansum(input, dim=none, keepdim=false)` is ATen's `nansum_kernel`: the
//!   cascade sum of `sum` with each NaN taken as zero, so it is `sum(where(
//!   isnan(input), 0, input), dim, keepdim)` element for element, integers
//!   summed to i64. The gradient is `nansum_backward`'s, the incoming one
//!   where the input is a number and zero at its NaNs (`NansumBackward0`;
//!   PyTorch multiplies by the mask, so an infinite incoming gradient gives
//!   NaN there where graphc gives zero).
//! - `nanmean(...)` is `nansum(...) / count`, the count of numbers over the
//!   same dimensions (`isnan(input).logical_not().sum(dim, keepdim)`), as ATen's
//!   `nanmean`; float tensors only, as there.
//! - `count_nonzero(input, dim=none)` is `(input != 0).sum(dim)`, an i64 tensor.

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

/// Which of the three a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NanReduction {
    Nansum,
    Nanmean,
    CountNonzero,
}

impl Lowerer<'_> {
    pub(super) fn nan_reduction_call(&mut self, which: NanReduction, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let dt = self.dtype_of(x);
        if which == NanReduction::Nanmean && !dt.is_float() {
            return self.error(
                Diagnostic::new(Code::E0204, format!("`nanmean` expects a floating-point input, not {dt}"), vs, format!("this is {dt}"))
                    .with_help("convert the input first, as in `nanmean(x.float())`, as PyTorch requires"),
            );
        }
        // `dim` and `keepdim` go to `sum` as the call gave them.
        let mut rest = Vec::new();
        for (k, key) in ["dim", "keepdim"].into_iter().enumerate() {
            if let Some((value, s)) = bound.positional.get(k + 1).cloned().flatten() {
                rest.push((Some(Ident { name: key.to_string(), span: s }), value, s));
            }
        }
        let sum = |l: &mut Self, t: Value| {
            let mut args = vec![(None, t, vs)];
            args.extend(rest.iter().cloned());
            l.call_builtin_named(&Ident { name: "sum".to_string(), span }, args, span)
        };
        let tensor = |t| (Value::Tensor(t), vs);
        if which == NanReduction::CountNonzero {
            let nonzero = self.binary(BinOp::Ne, tensor(x), (Value::Number(Num::Int(0)), vs), span);
            return sum(self, nonzero);
        }
        let nan = self.call_builtin_values("isnan", vec![tensor(x)], span);
        let numbers = self.call_builtin_values("where", vec![(nan.clone(), vs), (Value::Number(Num::Int(0)), vs), tensor(x)], span);
        let total = sum(self, numbers);
        if which == NanReduction::Nansum {
            if let Value::Tensor(t) = total {
                if self.dtype_of(t).is_float() {
                    self.grad_fn.insert(t, "NansumBackward0".to_string());
                }
            }
            return total;
        }
        let present = self.call_builtin_values("logical_not", vec![(nan, vs)], span);
        let count = sum(self, present);
        self.binary(BinOp::Div, (total, span), (count, span), span)
    }
}
