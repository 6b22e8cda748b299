//! `torch.nn.init`'s functions, as `torch/nn/init.py` writes them: each computes
//! a bound or a standard deviation from the tensor's fans in Python floats, then
//! fills the tensor in place under `no_grad` (`uniform_`, `normal_`, `fill_`,
//! `zero_`), so that a parameter initialized with `xavier_uniform_(w)` or
//! nn.Linear's `kaiming_uniform_(w, a=sqrt(5))` holds PyTorch's numbers and
//! stays a leaf. Each returns the tensor, as PyTorch's do.

use graphc_runtime::op::{DataOp, F64Bits};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::{Bound, InitFn};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

impl Lowerer<'_> {
    /// A call of `torch.nn.init`'s function `f` (`name`).
    pub(super) fn nn_init_call(&mut self, f: InitFn, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees tensor");
        let Some(t) = self.expect_float_tensor(v, vs, &format!("`{name}`'s tensor")) else { return Value::Poison };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let number = |me: &mut Self, i: usize, default: f64, what: &str| match arg(i) {
            None => Some(default),
            Some((v, s)) => me.number(&v, s, what),
        };
        let (method, args): (&str, Vec<Arg>) = match f {
            InitFn::XavierUniform | InitFn::XavierNormal => {
                let Some(gain) = number(self, 1, 1.0, "`gain`") else { return Value::Poison };
                let Some((fan_in, fan_out)) = self.fans(t, vs, name) else { return Value::Poison };
                let std = gain * (2.0 / (fan_in + fan_out) as f64).sqrt();
                if f == InitFn::XavierUniform {
                    let a = 3.0_f64.sqrt() * std;
                    ("uniform_", vec![float(-a, span), float(a, span)])
                } else {
                    ("normal_", vec![float(0.0, span), float(std, span)])
                }
            }
            InitFn::KaimingUniform | InitFn::KaimingNormal => {
                if self.shape_of(t).contains(&0) {
                    // PyTorch warns that initializing no elements does nothing.
                    return Value::Tensor(t);
                }
                let Some(std) = self.kaiming_std(t, vs, name, bound) else { return Value::Poison };
                if f == InitFn::KaimingUniform {
                    let b = 3.0_f64.sqrt() * std;
                    ("uniform_", vec![float(-b, span), float(b, span)])
                } else {
                    ("normal_", vec![(None, Value::Number(Num::Int(0)), span), float(std, span)])
                }
            }
            InitFn::Constant => {
                let Some((val, s)) = arg(1) else { unreachable!("bind guarantees val") };
                ("fill_", vec![(None, val, s)])
            }
            InitFn::Zeros => ("zero_", vec![]),
            InitFn::Ones => ("fill_", vec![(None, Value::Number(Num::Float(1.0)), span)]),
            InitFn::Uniform => {
                let (Some(a), Some(b)) = (number(self, 1, 0.0, "`a`"), number(self, 2, 1.0, "`b`")) else { return Value::Poison };
                ("uniform_", vec![float(a, span), float(b, span)])
            }
            InitFn::Normal => {
                let (Some(mean), Some(std)) = (number(self, 1, 0.0, "`mean`"), number(self, 2, 1.0, "`std`")) else { return Value::Poison };
                ("normal_", vec![float(mean, span), float(std, span)])
            }
            InitFn::TruncNormal => {
                let (Some(mean), Some(std)) = (number(self, 1, 0.0, "`mean`"), number(self, 2, 1.0, "`std`")) else { return Value::Poison };
                let (Some(a), Some(b)) = (number(self, 3, -2.0, "`a`"), number(self, 4, 2.0, "`b`")) else { return Value::Poison };
                return self.trunc_normal(t, (mean, std, a, b), span);
            }
        };
        // `torch.nn.init` fills under `torch.no_grad()`: a parameter stays a leaf.
        let saved = std::mem::replace(&mut self.no_grad, true);
        let method = Ident { name: method.to_string(), span };
        self.inplace_with(t, vs, &method, args, span);
        self.no_grad = saved;
        Value::Tensor(self.current(t))
    }

    /// `trunc_normal_(tensor, mean, std, a, b)` as PyTorch 2.15's
    /// `_no_grad_trunc_normal_` draws it where the bounds keep more than 30%
    /// of the normal distribution (`p`, from the normal's CDF in Python floats
    /// with the C library's `erf`, as `math.erf`): normal draws, those outside
    /// the bounds redrawn at run time (`DataOp::TruncNormal`). Narrower bounds
    /// take PyTorch's other sampler (uniform draws accepted by the density),
    /// which graphc does not have (E0107).
    fn trunc_normal(&mut self, t: NodeId, (mean, std, a, b): (f64, f64, f64, f64), span: Span) -> Value {
        let norm_cdf = |x: f64| (1.0 + graphc_runtime::kernels::float::c_erf(x / 2.0_f64.sqrt())) / 2.0;
        let p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std);
        if p.is_nan() || p <= 0.3 {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`trunc_normal_` with bounds that keep {:.1}% of the distribution is not supported", 100.0 * p),
                    span,
                    "bounds too narrow",
                )
                .with_help("graphc draws as PyTorch does where `[a, b]` keeps more than 30% of the normal distribution (about 0.39 `std` on each side of `mean`); widen the bounds"),
            );
        }
        let dt = self.dtype_of(t);
        // `tensor.new_tensor(a).item()`: the bounds as the dtype holds them.
        let bound = |v: f64| graphc_runtime::op::F64Bits::new(if dt == DType::F32 { f64::from(v as f32) } else { v });
        let op = DataOp::TruncNormal { mean: F64Bits::new(mean), std: F64Bits::new(std), lo: bound(a), hi: bound(b) };
        let new = self.node(Op::Data(op), dt, self.shape_of(t), &[], span);
        let saved = std::mem::replace(&mut self.no_grad, true);
        self.update_in_place(t, new, "NormalBackward0", span);
        self.no_grad = saved;
        Value::Tensor(self.current(t))
    }

    /// `_calculate_fan_in_and_fan_out`: `size(1)` and `size(0)`, each times the
    /// product of the dimensions after the first two.
    fn fans(&mut self, t: NodeId, ts: Span, name: &str) -> Option<(usize, usize)> {
        let shape = self.shape_of(t);
        if shape.len() < 2 {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
                    ts,
                    "fewer than 2 dimensions",
                )
                .with_help(format!("`{name}` initializes a weight of shape (out_features, in_features, ...)")),
            );
            return None;
        }
        let receptive: usize = shape[2..].iter().product();
        Some((shape[1] * receptive, shape[0] * receptive))
    }

    /// `kaiming_*`'s standard deviation, `calculate_gain(nonlinearity, a) /
    /// sqrt(fan)`, with `a=0`, `mode="fan_in"` and `nonlinearity="leaky_relu"`
    /// by default.
    fn kaiming_std(&mut self, t: NodeId, ts: Span, name: &str, bound: &Bound<Value>) -> Option<f64> {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let text = |me: &mut Self, i: usize, default: &str, what: &str| match arg(i) {
            None => Some(default.to_string()),
            Some((Value::Str(s), _)) => Some(s),
            Some((other, s)) => {
                me.error(
                    Diagnostic::new(Code::E0107, format!("`{what}` must be a string, not {}", other.describe()), s, "not a string")
                        .with_help(format!("pass `{what}` as PyTorch does, as in `{name}(w, {what}=\"...\")`")),
                );
                None
            }
        };
        let mode = text(self, 2, "fan_in", "mode")?;
        let nonlinearity = text(self, 3, "leaky_relu", "nonlinearity")?;
        let (fan_in, fan_out) = self.fans(t, ts, name)?;
        let fan = match mode.as_str() {
            "fan_in" => fan_in,
            "fan_out" => fan_out,
            other => {
                let at = arg(2).map_or(ts, |(_, s)| s);
                self.error(
                    Diagnostic::new(Code::E0107, format!("Mode {other} not supported, please use one of fan_in, fan_out"), at, "unknown mode")
                        .with_help("pass `mode=\"fan_in\"` or `mode=\"fan_out\"`"),
                );
                return None;
            }
        };
        let a = match arg(1) {
            None => None,
            Some((Value::Number(n), _)) => Some(n.f64()),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("negative_slope {} not a valid number", other.describe()), s, "not a number")
                        .with_help("pass the negative slope as a number, as in `a=sqrt(5)`"),
                );
                return None;
            }
        };
        let gain = match nonlinearity.as_str() {
            "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d" | "sigmoid" => 1.0,
            "tanh" => 5.0 / 3.0,
            "relu" => 2.0_f64.sqrt(),
            "leaky_relu" => {
                // `kaiming_*`'s `a` defaults to 0, which `calculate_gain` takes as the slope.
                let slope = a.unwrap_or(0.0);
                (2.0 / (1.0 + slope * slope)).sqrt()
            }
            "selu" => 3.0 / 4.0,
            other => {
                let at = arg(3).map_or(ts, |(_, s)| s);
                self.error(
                    Diagnostic::new(Code::E0107, format!("Unsupported nonlinearity {other}"), at, "unknown nonlinearity")
                        .with_help("pass one of \"linear\", \"sigmoid\", \"tanh\", \"relu\", \"leaky_relu\", \"selu\""),
                );
                return None;
            }
        };
        Some(gain / (fan as f64).sqrt())
    }
}

/// An argument of a call: its keyword, its value and its place.
type Arg = (Option<Ident>, Value, Span);

/// A Python float argument.
fn float(v: f64, span: Span) -> Arg {
    (None, Value::Number(Num::Float(v)), span)
}
