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
//! that this will change), and so does graphc. `dropout1d` (2-D or 3-D input)
//! and `dropout3d` (4-D or 5-D; another rank is read as unbatched, where
//! PyTorch warns) are `feature_dropout` too, of the input with a batch
//! dimension put in front when it has none and taken off after
//! (`SqueezeBackward1`).
//!
//! `alpha_dropout` and `feature_alpha_dropout` (whose `training` defaults to
//! false, as `F`'s does) keep SELU's mean and variance:
//! from the same mask, `a = 1 / sqrt((alpha^2 p + 1)(1 - p))` with SELU's
//! `alpha`, `b = (noise - 1) * (alpha a) + alpha a p` and the result
//! `input * (noise * a) + b` (`AddBackward0`), ATen's `_dropout_impl` step for step.

use graphc_runtime::op::Cmp;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

/// Which of `F`'s dropouts a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropoutKind {
    /// `dropout`: one draw per element.
    Plain,
    /// `dropout2d`: one draw per channel of the input as it is.
    Feature,
    /// `dropout1d`: per channel of a 2-D (unbatched) or 3-D input.
    Feature1d,
    /// `dropout3d`: per channel of a 4-D (unbatched) or 5-D input.
    Feature3d,
    /// `alpha_dropout`: per element, SELU's moments kept.
    Alpha,
    /// `feature_alpha_dropout`: per channel, SELU's moments kept.
    FeatureAlpha,
}

impl DropoutKind {
    fn name(self) -> &'static str {
        match self {
            DropoutKind::Plain => "dropout",
            DropoutKind::Feature => "dropout2d",
            DropoutKind::Feature1d => "dropout1d",
            DropoutKind::Feature3d => "dropout3d",
            DropoutKind::Alpha => "alpha_dropout",
            DropoutKind::FeatureAlpha => "feature_alpha_dropout",
        }
    }

    fn feature(self) -> bool {
        !matches!(self, DropoutKind::Plain | DropoutKind::Alpha)
    }
}

/// SELU's `alpha`, as ATen's `_dropout_impl` writes it.
const SELU_ALPHA: f64 = 1.758_099_340_847_376_6;

impl Lowerer<'_> {
    /// One of `F`'s dropouts.
    pub(super) fn dropout_call(&mut self, bound: &Bound<Value>, kind: DropoutKind, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let name = kind.name();
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
        // `F.alpha_dropout` and `F.feature_alpha_dropout` default to `training=False`.
        let default_training = !matches!(kind, DropoutKind::Alpha | DropoutKind::FeatureAlpha);
        let Some(training) = flag(self, 2, "training", default_training) else { return Value::Poison };
        let dtype = self.dtype_of(t);
        if !dtype.is_float() {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`{name}` needs a floating-point input, not {dtype}"), vs, "not floating-point")
                    .with_help("convert the input first (`x.float()`): PyTorch cannot divide its integer mask by `1 - p` in place"),
            );
        }
        let shape = self.shape_of(t);
        // `dropout1d` and `dropout3d` take an unbatched input by putting a
        // batch dimension in front for `feature_dropout` and taking it off after.
        let batched = match kind {
            DropoutKind::Feature1d | DropoutKind::Feature3d => {
                let lo = if kind == DropoutKind::Feature1d { 2 } else { 4 };
                if kind == DropoutKind::Feature1d && !(2..=3).contains(&shape.len()) {
                    return self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!(
                                "dropout1d: Expected 2D or 3D input, but received a {}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).",
                                shape.len()
                            ),
                            vs,
                            format!("{}-d", shape.len()),
                        )
                        .with_help("pass (C, L) or (N, C, L)"),
                    );
                }
                shape.len() == lo + 1
            }
            _ => true,
        };
        if !batched {
            let Some(t1) = self.tensor_call("unsqueeze", vec![Value::Tensor(t), Value::Number(Num::Int(0))], span) else { return Value::Poison };
            let inner = self.feature_dropout(t1, vs, kind, p, training, span);
            return self.call_builtin_values("squeeze", vec![(inner, span), (Value::Number(Num::Int(0)), span)], span);
        }
        self.feature_dropout(t, vs, kind, p, training, span)
    }

    /// ATen's `_dropout_impl` of `t` (`feature`: one draw per channel).
    fn feature_dropout(&mut self, t: NodeId, vs: Span, kind: DropoutKind, p: f64, training: bool, span: Span) -> Value {
        let (name, feature) = (kind.name(), kind.feature());
        let dtype = self.dtype_of(t);
        let shape = self.shape_of(t);
        if feature && shape.len() < 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Feature dropout requires at least 2 dimensions in the input, but got {}", shape.len()),
                    vs,
                    format!("{} dimension(s)", shape.len()),
                )
                .with_help(format!("pass (N, C, H, W): `{name}` zeroes whole channels")),
            );
        }
        if p == 0.0 || !training || shape.iter().product::<usize>() == 0 {
            return Value::Tensor(t);
        }
        let keep = 1.0 - p;
        // One draw per channel: PyTorch's `make_feature_noise`, `(N, C, 1, ...)`.
        let shape = if feature { [&shape[..2], &vec![1; shape.len() - 2][..]].concat() } else { shape };
        if p == 1.0 {
            // PyTorch multiplies by a 0-d zero, drawing nothing.
            let zero = self.scalar(0.0, dtype, span);
            return self.binary(BinOp::Mul, (Value::Tensor(t), vs), (Value::Tensor(zero), span), span);
        }
        let u = self.node(Op::Rand, DType::F64, shape.clone(), &[], span);
        let q = self.scalar(keep, DType::F64, span);
        let kept = self.node(Op::Compare(Cmp::Lt), DType::Bool, shape, &[u, q], span);
        let mask = Value::Tensor(self.cast_to(kept, dtype, span));
        let number = |x: f64| (Value::Number(Num::Float(x)), span);
        if !matches!(kind, DropoutKind::Alpha | DropoutKind::FeatureAlpha) {
            let noise = self.binary(BinOp::Div, (mask, span), number(keep), span);
            return self.binary(BinOp::Mul, (Value::Tensor(t), vs), (noise, span), span);
        }
        // `b = noise.add(-1).mul_(alpha * a).add_(alpha * a * p); noise.mul_(a)`,
        // then `input.mul(noise).add_(b)`.
        let a = 1.0 / ((SELU_ALPHA * SELU_ALPHA * p + 1.0) * (1.0 - p)).sqrt();
        let b = self.binary(BinOp::Add, (mask.clone(), span), number(-1.0), span);
        let b = self.binary(BinOp::Mul, (b, span), number(SELU_ALPHA * a), span);
        let b = self.binary(BinOp::Add, (b, span), number(SELU_ALPHA * a * p), span);
        let noise = self.binary(BinOp::Mul, (mask, span), number(a), span);
        let scaled = self.binary(BinOp::Mul, (Value::Tensor(t), vs), (noise, span), span);
        self.binary(BinOp::Add, (scaled, span), (b, span), span)
    }
}

/// A Python number as PyTorch's message prints it.
pub(super) fn python_number(n: Num) -> String {
    match n {
        Num::Int(i) => i.to_string(),
        Num::Float(f) => graphc_runtime::format::python_float_repr(f),
    }
}
