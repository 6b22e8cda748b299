//! Elementwise builtins that are compositions of graphc's ops, each as ATen
//! computes it:
//!
//! - `sgn(input)`: for real tensors ATen's `sgn` is `sign` (`SgnBackward0`).
//! - `signbit(input)`: whether the sign bit is set, as C's `signbit`
//!   (`-0.0` and a negative NaN included): `copysign(1, input) < 0`, which
//!   reads the bit exactly; `input < 0` for i64, false for bool.
//! - `logical_xor(input, other)`: `bool(input) != bool(other)`, broadcast.
//! - `dist(input, other, p=2)`: ATen's `norm(input - other, p)`, whose node
//!   PyTorch shows as `DistBackward0` (p 1 or 2, as `norm`).
//! - `float_power(input, exponent)`: both converted to f64, then `pow`.

use graphc_runtime::op::{Binary, Cmp};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    pub(super) fn small_elementwise_call(&mut self, b: Builtin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let other = bound.positional.get(1).cloned().flatten();
        match b {
            Builtin::Sgn => {
                let out = self.call_builtin_values("sign", vec![(v, vs)], span);
                self.named_grad_fn(out, "SgnBackward0")
            }
            Builtin::Signbit => {
                let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
                let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
                let out = match dt {
                    // A bool has no sign bit: all false, as PyTorch gives.
                    DType::Bool => {
                        match self.tensor_call_kw("zeros_like", vec![Value::Tensor(x)], vec![("dtype", Value::DType(DType::Bool))], span) {
                            Some(t) => t,
                            None => return Value::Poison,
                        }
                    }
                    d if d.is_float() => {
                        let one = self.scalar(1.0, d, span);
                        let signed = self.node(Op::Binary(Binary::Copysign), d, shape.clone(), &[one, x], span);
                        let zero = self.scalar(0.0, d, span);
                        self.node(Op::Compare(Cmp::Lt), DType::Bool, shape, &[signed, zero], span)
                    }
                    d => {
                        let zero = self.scalar(0.0, d, span);
                        self.node(Op::Compare(Cmp::Lt), DType::Bool, shape, &[x, zero], span)
                    }
                };
                Value::Tensor(out)
            }
            Builtin::LogicalXor => {
                let (ov, os) = other.expect("bind guarantees other");
                let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
                let Some(y) = self.expect_tensor(ov, os, &format!("`{name}`'s other")) else { return Value::Poison };
                let (x, y) = (self.cast_to(x, DType::Bool, vs), self.cast_to(y, DType::Bool, os));
                self.compare(BinOp::Ne, (Value::Tensor(x), vs), (Value::Tensor(y), os), span)
            }
            Builtin::Dist => {
                let (ov, os) = other.expect("bind guarantees other");
                let diff = self.binary(BinOp::Sub, (v, vs), (ov, os), span);
                let p = bound.positional.get(2).cloned().flatten().unwrap_or((Value::Number(Num::Int(2)), span));
                let out = self.call_builtin_values("norm", vec![(diff, span), p], span);
                if let Value::Tensor(t) = out {
                    self.grad_fn.insert(t, "DistBackward0".to_string());
                }
                out
            }
            _ => {
                // `float_power`: both operands in f64.
                let (ev, es) = other.expect("bind guarantees exponent");
                let to_f64 = |me: &mut Self, v: Value, s: Span| match v {
                    Value::Tensor(t) => Value::Tensor(me.cast_to(t, DType::F64, s)),
                    Value::Number(n) => Value::Number(Num::Float(n.f64())),
                    other => other,
                };
                let (x, e) = (to_f64(self, v, vs), to_f64(self, ev, es));
                if !matches!(x, Value::Tensor(_)) && !matches!(e, Value::Tensor(_)) {
                    return self.error(
                        crate::diag::Diagnostic::new(crate::diag::Code::E0107, format!("`{name}` needs a tensor operand"), vs, "no tensor")
                            .with_help("give `input` or `exponent` as a tensor"),
                    );
                }
                self.binary(BinOp::Pow, (x, vs), (e, es), span)
            }
        }
    }
}
