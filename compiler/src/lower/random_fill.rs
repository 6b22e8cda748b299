//! `x.uniform_(from, to)` and `x.normal_(mean, std)`: PyTorch's in-place random
//! fills, which `nn.Linear`'s initialization and `nn.init` use
//! (`torch.empty(out, in).uniform_(-bound, bound)`), with the same draws from
//! the generator and the same rounding, so that a model initialized this way
//! starts from PyTorch's numbers bit for bit; and `x.exponential_(lambd=1)`,
//! the draws of Gumbel noise and of `multinomial` (`DataOp::Exponential`).

use graphc_runtime::op::Cmp;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

impl Lowerer<'_> {
    /// The values `name` (`uniform_` or `normal_`) fills tensor `t` with. When
    /// `t` requires grad the result still does, with a zero gradient for `t`,
    /// as PyTorch's `UniformBackward0` and `NormalBackward0` give.
    pub(super) fn random_fill(&mut self, t: NodeId, name: &str, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Option<NodeId> {
        let (dtype, shape) = (self.dtype_of(t), self.shape_of(t));
        if name == "exponential_" {
            return self.exponential_fill(t, args, span);
        }
        let names = if name == "uniform_" { ["from", "to"] } else { ["mean", "std"] };
        let usage = format!("write `x.{name}({}, {})`, two numbers known at compile time", names[0], names[1]);
        // PyTorch's defaults: `uniform_(0, 1)`, `normal_(0, 1)`.
        let mut values = [(0.0, span), (1.0, span)];
        let mut given = [false; 2];
        let mut next = 0;
        for (k, v, s) in args {
            let slot = match &k {
                None => {
                    next += 1;
                    next - 1
                }
                Some(k) => names.iter().position(|n| *n == k.name).unwrap_or(usize::MAX),
            };
            if slot >= 2 || given[slot] {
                let what = match &k {
                    Some(k) if slot == usize::MAX => format!("`{name}` takes no argument `{}`", k.name),
                    Some(k) => format!("`{name}` got two values for `{}`", k.name),
                    None => format!("`{name}` takes at most 2 arguments"),
                };
                self.error(Diagnostic::new(Code::E0103, what, s, "wrong argument").with_help(usage.clone()));
                return None;
            }
            given[slot] = true;
            match v {
                Value::Number(n) => values[slot] = (n.f64(), s),
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{name}`'s {} must be a number known at compile time, not {}", names[slot], other.describe()),
                            s,
                            "not a compile-time number",
                        )
                        .with_help(usage.clone()),
                    );
                    return None;
                }
            }
        }
        if !dtype.is_float() {
            self.error(
                Diagnostic::new(Code::E0204, format!("`{name}` fills floating-point tensors, not {dtype} ones"), span, format!("this is {dtype}"))
                    .with_help("fill a float tensor, then convert it with `.long()` if needed"),
            );
            return None;
        }
        let ((a, sa), (b, sb)) = (values[0], values[1]);
        let new = if name == "uniform_" {
            // PyTorch's own check and message (`uniform_` in `DistributionTemplates.h`).
            if !a.is_finite() || !b.is_finite() || a > b {
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("uniform_ expects to return a [from, to) range, but found from={a} > to={b}"),
                        sa,
                        "not a range",
                    )
                    .with_help("pass finite bounds with from <= to"),
                );
                return None;
            }
            // PyTorch's kernel converts both bounds to the dtype, then computes
            // `u * (to - from) + from` for each draw `u` of `rand`, in the dtype
            // and rounded once (a fused multiply-add, as GCC contracts it).
            let (from, width) = match dtype {
                DType::F32 => (a as f32 as f64, (b as f32 - a as f32) as f64),
                _ => (a, b - a),
            };
            let u = self.node(Op::Rand, dtype, shape.clone(), &[], span);
            let (w, f) = (self.scalar(width, dtype, sb), self.scalar(from, dtype, sa));
            self.node(Op::Fma, dtype, shape.clone(), &[u, w, f], span)
        } else {
            if b < 0.0 || !b.is_finite() || !a.is_finite() {
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("normal expects std >= 0.0 and a finite mean and std, but found mean {a} and std {b}"),
                        sb,
                        "not a standard deviation",
                    )
                    .with_help("pass a finite mean and a non-negative, finite std"),
                );
                return None;
            }
            self.normal_values((a, sa), (b, sb), shape.clone(), dtype, span)
        };
        if self.requires_grad(t) {
            return Some(self.node(Op::Where(Cmp::Eq), dtype, shape, &[t, t, new, new], span));
        }
        Some(new)
    }

    /// `x.exponential_(lambd=1)`: PyTorch's default CPU kernel's draws (see
    /// [`graphc_runtime::rng::Generator::exponential`]); a tensor that
    /// requires grad gets a zero gradient, as `ExponentialBackward0` gives.
    fn exponential_fill(&mut self, t: NodeId, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Option<NodeId> {
        let (dtype, shape) = (self.dtype_of(t), self.shape_of(t));
        let lambda = match args.as_slice() {
            [] => 1.0,
            [(k, Value::Number(n), s)] if k.as_ref().is_none_or(|k| k.name == "lambd") => {
                let l = n.f64();
                // PyTorch's check (`exponential_` in `DistributionTemplates.h`).
                if l.is_nan() || l <= 0.0 {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("exponential_ expects lambda > 0.0, but found lambda={}", super::dropout::python_number(*n)),
                            *s,
                            "not a rate",
                        )
                        .with_help("pass a positive rate, such as `x.exponential_(1.0)`"),
                    );
                    return None;
                }
                l
            }
            [(_, Value::Poison, _)] => return None,
            _ => {
                let at = args.first().map_or(span, |(_, _, s)| *s);
                self.error(
                    Diagnostic::new(Code::E0107, "`exponential_` takes one rate `lambd`, a number known at compile time", at, "not a rate")
                        .with_help("write `x.exponential_()` or `x.exponential_(lambd=2.0)`"),
                );
                return None;
            }
        };
        if !dtype.is_float() {
            self.error(
                Diagnostic::new(
                    Code::E0204,
                    format!("`exponential_` fills floating-point tensors, not {dtype} ones"),
                    span,
                    format!("this is {dtype}"),
                )
                .with_help("fill a float tensor, then convert it if needed"),
            );
            return None;
        }
        let op = Op::Data(graphc_runtime::op::DataOp::Exponential { lambda: graphc_runtime::op::F64Bits::new(lambda) });
        let new = self.node(op, dtype, shape.clone(), &[], span);
        if self.requires_grad(t) {
            return Some(self.node(Op::Where(Cmp::Eq), dtype, shape, &[t, t, new, new], span));
        }
        Some(new)
    }
}
