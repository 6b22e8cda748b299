//! `prelu(input, weight)` (`F.prelu`) and the `PReLU` module's forward:
//! ATen's composite `prelu`, which reshapes the weight along dimension 1 and
//! calls `_prelu_kernel`, `input > 0 ? input : weight * input`.

use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

impl Lowerer<'_> {
    /// `prelu(input, weight)`: ATen's composite, the weight reshaped to lie
    /// along dimension 1 (`[1, C, 1, ...]`) for an input of two or more
    /// dimensions, then `_prelu_kernel`'s `input > 0 ? input : weight * input`,
    /// whose gradients (`grad` or `weight * grad`; `input * grad` or 0, summed
    /// to the weight's shape) are the derivatives of that selection.
    pub(crate) fn prelu_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let (w, ws) = bound.positional[1].clone().expect("bind guarantees weight");
        let (Some(x), Some(w)) = (self.expect_float_tensor(v, vs, "`prelu`'s input"), self.expect_float_tensor(w, ws, "`prelu`'s weight")) else {
            return Value::Poison;
        };
        let (xs, wsh) = (self.shape_of(x), self.shape_of(w));
        if wsh.len() > 1 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {}", wsh.len()),
                    ws,
                    "not 1-D",
                )
                .with_help("pass one weight, or one per channel"),
            );
        }
        let count: usize = wsh.iter().product();
        let channels = if xs.len() > 1 { xs[1] } else { 1 };
        if count != 1 && (xs.is_empty() || channels != count) {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Mismatch of parameter numbers and input channel size. Found parameter numbers = {count} and channel size = {channels}."),
                    ws,
                    "another count",
                )
                .with_help("give `prelu` one weight, or one per channel of dimension 1"),
            );
        }
        let dt = self.dtype_of(x);
        if self.dtype_of(w) != dt {
            return self.error(
                Diagnostic::new(Code::E0201, format!("`prelu`'s weight is {}, its input {dt}", self.dtype_of(w)), ws, "another dtype")
                    .with_help("give the weight the input's dtype"),
            );
        }
        let weight = if xs.len() > 1 {
            let mut dims = vec![1; xs.len()];
            dims[1] = count;
            self.op_node(Op::Reshape, dt, dims, &[w], ws, "ViewBackward0")
        } else {
            w
        };
        let Value::Tensor(positive) = self.binary(BinOp::Gt, (Value::Tensor(x), vs), (Value::Number(Num::Int(0)), span), span) else {
            return Value::Poison;
        };
        let Value::Tensor(scaled) = self.binary(BinOp::Mul, (Value::Tensor(weight), ws), (Value::Tensor(x), vs), span) else { return Value::Poison };
        let args = vec![(None, Value::Tensor(positive), span), (None, Value::Tensor(x), vs), (None, Value::Tensor(scaled), span)];
        let Value::Tensor(out) = self.call_builtin_named(&Ident { name: "where".to_string(), span }, args, span) else { return Value::Poison };
        if self.requires_grad(out) {
            self.grad_fn.insert(out, "PreluKernelBackward0".to_string());
        }
        Value::Tensor(out)
    }
}
