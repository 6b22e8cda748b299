//! `dropout(input, p=0.5, training=true, inplace=false)`: PyTorch's
//! `F.dropout` as its CPU code computes it (`_dropout_impl` in ATen's
//! `Dropout.cpp`): a mask `noise` shaped as the input, `noise.bernoulli_(1 - p)`,
//! then `noise.div_(1 - p)` and `input * noise`, so the gradient is `grad *
//! noise` (`MulBackward0`). With `p == 0`, `training=false` or no elements the
//! input comes back as it is; with `p == 1` it is multiplied by a zero.
//! `inplace=true` (taken out by `lower/builtin_calls.rs`) is `dropout_`,
//! PyTorch's `input.mul_(noise)`: the same product made the input's value,
//! with the same `MulBackward0`.
//!
//! `bernoulli_(q)` on the CPU draws each element as `rand`'s f64 draw `u < q`
//! (two 32-bit numbers of the generator per element, in order): that is
//! PyTorch's default kernel, which it runs on AMD processors and in builds
//! without MKL. On Intel processors a PyTorch built with MKL draws the mask
//! from MKL's own stream instead (`bernoulli_scalar_kernel`), so its masks
//! differ there; docs/act-language.md says so.
//!
//! `dropout2d(input, p=0.5, training=true, inplace=false)` (`F.dropout2d`,
//! `nn.Dropout2d`) is ATen's `feature_dropout`: the same with one draw per
//! channel, a noise of shape `(N, C, 1, 1)` for `(N, C, H, W)`, broadcast over
//! the pixels. PyTorch 2.15 reads a 3-D input as `(N, C, L)` (with a warning
//! that this will change), and so does graphc.

use graphc_runtime::op::Cmp;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `dropout`, or `dropout2d` (`feature`).
    pub(super) fn dropout_call(&mut self, bound: &Bound<Value>, feature: bool, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let name = if feature { "dropout2d" } else { "dropout" };
        let Some(t) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let p = match arg(1) {
            None => 0.5,
            Some((Value::Number(n), ps)) => {
                let p = n.f64();
                if !(0.0..=1.0).contains(&p) {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("dropout probability has to be between 0 and 1, but got {}", python_number(n)),
                            ps,
                            "not a probability",
                        )
                        .with_help("pass the probability of zeroing an element, from 0 to 1"),
                    );
                }
                p
            }
            Some((other, ps)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}`'s `p` must be a number known at compile time, not {}", other.describe()),
                        ps,
                        "not a number",
                    )
                    .with_help("pass the probability as a number (`dropout(x, 0.25)`)"),
                )
            }
        };
        let flag = |this: &mut Self, i: usize, param: &str, default: bool| match arg(i) {
            None => Some(default),
            Some((Value::Bool(b), _)) => Some(b),
            Some((other, s)) => {
                this.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}`'s `{param}` must be a bool known at compile time, not {}", other.describe()),
                        s,
                        "not a bool",
                    )
                    .with_help(format!("pass `{param}=true` or `{param}=false`")),
                );
                None
            }
        };
        let Some(training) = flag(self, 2, "training", true) else { return Value::Poison };
        let dtype = self.dtype_of(t);
        if !dtype.is_float() {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`{name}` needs a floating-point input, not {dtype}"), vs, "not floating-point")
                    .with_help("convert the input first (`x.float()`): PyTorch cannot divide its integer mask by `1 - p` in place"),
            );
        }
        let shape = self.shape_of(t);
        if feature && shape.len() < 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Feature dropout requires at least 2 dimensions in the input, but got {}", shape.len()),
                    vs,
                    format!("{} dimension(s)", shape.len()),
                )
                .with_help("pass (N, C, H, W): `dropout2d` zeroes whole channels"),
            );
        }
        if p == 0.0 || !training || shape.iter().product::<usize>() == 0 {
            return Value::Tensor(t);
        }
        let keep = 1.0 - p;
        // One draw per channel: PyTorch's `make_feature_noise`, `(N, C, 1, ...)`.
        let shape = if feature { [&shape[..2], &vec![1; shape.len() - 2][..]].concat() } else { shape };
        let noise = if p == 1.0 {
            // PyTorch multiplies by a 0-d zero, drawing nothing.
            self.scalar(0.0, dtype, span)
        } else {
            let u = self.node(Op::Rand, DType::F64, shape.clone(), &[], span);
            let q = self.scalar(keep, DType::F64, span);
            let kept = self.node(Op::Compare(Cmp::Lt), DType::Bool, shape, &[u, q], span);
            let mask = self.cast_to(kept, dtype, span);
            match self.binary(BinOp::Div, (Value::Tensor(mask), span), (Value::Number(Num::Float(keep)), span), span) {
                Value::Tensor(n) => n,
                other => return other,
            }
        };
        self.binary(BinOp::Mul, (Value::Tensor(t), vs), (Value::Tensor(noise), span), span)
    }
}

/// A Python number as PyTorch's message prints it.
pub(super) fn python_number(n: Num) -> String {
    match n {
        Num::Int(i) => i.to_string(),
        Num::Float(f) => graphc_runtime::format::python_float_repr(f),
    }
}
