//! `mvlgamma(input, p)` (`special.multigammaln`, `x.mvlgamma(p)`): the log of
//! the multivariate gamma function, which ATen composes as
//! `(arange(-p / 2 + 1/2, 1/2, 1/2) + input.unsqueeze(-1)).lgamma().sum(-1)
//! + p (p - 1) / 4 * log(pi)`, and graphc with the same ops in that order.
//! Its gradient is `mvlgamma_backward`'s, the backward of a call
//! (`MvlgammaBackward0`): `grad * (args + input.unsqueeze(-1)).digamma().sum(-1)`.
//! An integer input computes in `f32`; `p` must be at least 1.

use graphc_runtime::op::{Binary, Scalar, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `mvlgamma(input, p)`.
    pub(super) fn mvlgamma_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let (pv, ps) = bound.positional[1].clone().expect("bind guarantees p");
        let Some(t) = self.expect_tensor(xv, xs, "`mvlgamma`'s input") else { return Value::Poison };
        let Some(p) = self.int_arg(&pv, ps, "`p`") else { return Value::Poison };
        if self.dtype_of(t) == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, "The input tensor may not be a boolean tensor.", xs, "a bool tensor").with_help("pass a float tensor"),
            );
        }
        // Past 2^20 terms the `[..., p]` intermediate is no longer a sensible size.
        let p = match usize::try_from(p) {
            Ok(p) if (1..=1 << 20).contains(&p) => p,
            _ => {
                let message = if p < 1 { "p has to be greater than or equal to 1".to_string() } else { format!("p = {p} is too large") };
                return self
                    .error(Diagnostic::new(Code::E0107, message, ps, "not a valid p").with_help("give the dimension p, an integer of at least 1"));
            }
        };
        let dt = if self.dtype_of(t).is_float() { self.dtype_of(t) } else { DType::F32 };
        let x = self.cast_to(t, dt, xs);
        let out = self.mvlgamma_terms(x, p, Unary::Lgamma, span);
        let constant = (p * (p - 1)) as f64 * std::f64::consts::PI.ln() * 0.25;
        let c = self.scalar(constant, dt, span);
        let shape = self.shape_of(out);
        let out = self.node(Op::Binary(Binary::Add), dt, shape, &[out, c], span);
        let out = self.with_backward("MvlgammaBackward0", &[x], out, span, |me, grad, ins| {
            let d = me.mvlgamma_terms(ins[0], p, Unary::Digamma, span);
            vec![Some(me.broadcast_binary(Binary::Mul, grad, d, span))]
        });
        Value::Tensor(out)
    }

    /// `f(args + x.unsqueeze(-1)).sum(-1)` with `args` = `-p/2 + 1/2, ..., 0`
    /// (ATen's `arange(-p * 0.5 + 0.5, 0.5, 0.5)`, exact halves).
    fn mvlgamma_terms(&mut self, x: NodeId, p: usize, f: Unary, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        let halves: Vec<f64> = (0..p).map(|i| -(p as f64) * 0.5 + 0.5 + 0.5 * i as f64).collect();
        let args = self.node(Op::Literal(halves.iter().map(|&h| Scalar::of(h, dt)).collect()), dt, vec![p], &[], span);
        let mut wide = sh.clone();
        wide.push(1);
        let col = self.node(Op::Reshape, dt, wide.clone(), &[x], span);
        *wide.last_mut().expect("pushed") = p;
        let sum = self.node(Op::Binary(Binary::Add), dt, wide.clone(), &[args, col], span);
        let g = self.node(Op::Unary(f), dt, wide, &[sum], span);
        let last = sh.len();
        self.node(Op::Sum { dim: Some(last) }, dt, sh, &[g], span)
    }
}
