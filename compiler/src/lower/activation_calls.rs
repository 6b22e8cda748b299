//! Calls of the builtins with scalar parameters (`clamp`/`clip`, `hardtanh`,
//! `leaky_relu`, `elu`, `softplus`, `softshrink`, `hardshrink`, `threshold`):
//! the parameters are host numbers known at
//! compile time, so each call becomes one `Op::Activation` holding them.

use graphc_runtime::op::{Activation, F64Bits, TypeRule};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{ActivationBuiltin, Bound};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `NAME(input, params...)`: the input converted to a float dtype rule of
    /// its own (integer tensors are refused, E0204, where PyTorch's `clamp`
    /// would keep i64), then one node.
    pub(super) fn activation_call(&mut self, a: ActivationBuiltin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        if Self::clamp_has_tensor_bound(a, bound) {
            return self.clamp_tensor_call(a, name, bound, span);
        }
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
        // clamp of an i64 tensor stays i64 with integer bounds and becomes f32
        // with a float bound, as PyTorch's type promotion makes it.
        let int_clamp =
            matches!(a, ActivationBuiltin::Clamp | ActivationBuiltin::ClampMin | ActivationBuiltin::ClampMax) && self.dtype_of(t) == DType::I64;
        let int_bounds = bound.positional[1..].iter().flatten().all(|(v, _)| matches!(v, Value::Number(super::Num::Int(_)) | Value::None));
        let (t, dt) = match (int_clamp, int_bounds) {
            (true, true) => (t, DType::I64),
            (true, false) => (self.cast_to(t, DType::F32, vs), DType::F32),
            (false, _) => match self.rule_dtype(TypeRule::FloatOnly, self.dtype_of(t), &format!("`{name}`"), vs) {
                Some(dt) => (t, dt),
                None => return Value::Poison,
            },
        };
        let mut values = Vec::new();
        for (i, default) in a.defaults().iter().enumerate() {
            let what = format!("`{}` of `{name}`", a.params()[i + 1]);
            let value = match bound.positional.get(i + 1).cloned().flatten() {
                None | Some((Value::None, _)) => *default,
                Some((v, s)) => match self.number(&v, s, &what) {
                    Some(x) => Some(x),
                    None => return Value::Poison,
                },
            };
            values.push(value.map(F64Bits::new));
        }
        let f = match (a, values.as_slice()) {
            (ActivationBuiltin::Clamp, [None, None]) => {
                return self.error(
                    Diagnostic::new(Code::E0270, format!("`{name}` needs at least one of `min` and `max`"), span, "neither bound given")
                        .with_help(format!("give a bound, as `{name}(x, min=0.0)`; without one the call would change nothing")),
                );
            }
            (ActivationBuiltin::Clamp, &[min, max]) => Activation::Clamp { min, max },
            (ActivationBuiltin::ClampMin, &[Some(min)]) => Activation::Clamp { min: Some(min), max: None },
            (ActivationBuiltin::ClampMax, &[Some(max)]) => Activation::Clamp { min: None, max: Some(max) },
            (ActivationBuiltin::Hardtanh, &[Some(min), Some(max)]) => Activation::Hardtanh { min, max },
            (ActivationBuiltin::LeakyRelu, &[Some(slope)]) => Activation::LeakyRelu { slope },
            (ActivationBuiltin::Elu, &[Some(alpha)]) => Activation::Elu { alpha },
            (ActivationBuiltin::Softplus, &[Some(beta), Some(threshold)]) => Activation::Softplus { beta, threshold },
            (ActivationBuiltin::Relu6, []) => Activation::Hardtanh { min: F64Bits::new(0.0), max: F64Bits::new(6.0) },
            (ActivationBuiltin::Hardsigmoid, []) => Activation::Hardsigmoid,
            (ActivationBuiltin::Selu, []) => Activation::Selu,
            (ActivationBuiltin::Celu, &[Some(alpha)]) => Activation::Celu { alpha },
            (ActivationBuiltin::Hardswish, []) => Activation::Hardswish,
            (ActivationBuiltin::Softshrink, &[Some(lambd)]) if lambd.get() < 0.0 => {
                let at = bound.positional.get(1).cloned().flatten().map_or(span, |(_, s)| s);
                return self.error(
                    Diagnostic::new(
                        Code::E0270,
                        format!("lambda must be in range [0, 3.40282e+38] for input dtype Float, but found {}", lambd.get()),
                        at,
                        "negative",
                    )
                    .with_help("`softshrink` moves values toward 0 by `lambd`: give it a non-negative `lambd`"),
                );
            }
            (ActivationBuiltin::Softshrink, &[Some(lambd)]) => Activation::Softshrink { lambd },
            (ActivationBuiltin::Hardshrink, &[Some(lambd)]) => Activation::Hardshrink { lambd },
            (ActivationBuiltin::Threshold, &[Some(threshold), Some(value)]) => Activation::Threshold { threshold, value },
            (ActivationBuiltin::Threshold, _) => {
                return self.error(
                    Diagnostic::new(Code::E0270, "`threshold` needs `threshold` and `value`", span, "missing an argument")
                        .with_help("give both, as in `threshold(x, 0.1, 0.0)`: elements at most `threshold` become `value`"),
                );
            }
            _ => unreachable!("`{name}`: one value per parameter, each with a default"),
        };
        let sh = self.shape_of(t);
        let op = Op::Activation(f);
        // PyTorch's `clamp_min`/`clamp_max` are kernels of their own, with their own nodes.
        let grad_fn = match a {
            ActivationBuiltin::ClampMin => "ClampMinBackward0",
            ActivationBuiltin::ClampMax => "ClampMaxBackward0",
            _ => f.grad_fn(),
        };
        Value::Tensor(self.op_node(op, dt, sh, &[t], span, grad_fn))
    }
}
