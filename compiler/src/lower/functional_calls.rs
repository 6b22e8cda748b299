//! Lowering of `linear` and `normalize` (`torch.nn.functional`), as the
//! composites PyTorch computes: `linear` is `input @ weight.t()` plus the bias
//! (`addmm` for a 2-D input, whose result PyTorch shows as `AddmmBackward0`;
//! `addmm` itself is in `add_products.rs`), and `normalize` is `input / norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)`.

use graphc_runtime::op::{reduced_shape, Activation, Binary, F64Bits, ReduceKind};
use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl<'a> Lowerer<'a> {
    /// `linear(input, weight, bias=none)`.
    pub(crate) fn linear(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let [(a, sa), (w, sw)] = self.two(bound);
        let (Some(x), Some(w)) = (self.expect_float_tensor(a, sa, "`linear`'s input"), self.expect_float_tensor(w, sw, "`linear`'s weight")) else {
            return Value::Poison;
        };
        let wsh = self.shape_of(w);
        if wsh.len() != 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("`linear`'s weight must be 2-D (out_features, in_features), not of shape {}", shapes::show(&wsh)),
                    sw,
                    "not 2-D",
                )
                .with_help("pass the weight as PyTorch's nn.Linear stores it: (out_features, in_features)"),
            );
        }
        let dt = self.dtype_of(w);
        let wt = self.op_node(Op::Transpose, dt, vec![wsh[1], wsh[0]], &[w], sw, "TBackward0");
        let Value::Tensor(y) = self.matmul(x, sa, wt, sw, span) else { return Value::Poison };
        let Some((b, sb)) = bound.positional.get(2).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None)) else {
            return Value::Tensor(y);
        };
        let rank = self.shape_of(x).len();
        let Value::Tensor(out) = self.binary(BinOp::Add, (Value::Tensor(y), span), (b, sb), span) else { return Value::Poison };
        // A 2-D input goes through addmm, and a 1-D one through addmm on a
        // one-row view, viewed back: the grad_fn names PyTorch 2.15 prints for them.
        match rank {
            2 => self.grad_fn.insert(out, "AddmmBackward0".to_string()),
            1 => self.grad_fn.insert(out, "UnsafeViewBackward0".to_string()),
            _ => None,
        };
        Value::Tensor(out)
    }

    /// `normalize(input, p=2, dim=1, eps=1e-12)`.
    pub(crate) fn normalize(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`normalize`'s input") else { return Value::Poison };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let number = |me: &mut Self, i: usize, default: f64, what: &str| match arg(i) {
            None => Some(default),
            Some((v, s)) => me.number(&v, s, what),
        };
        let Some(p) = number(self, 1, 2.0, "`p`") else { return Value::Poison };
        let Some(eps) = number(self, 3, 1e-12, "`eps`") else { return Value::Poison };
        if p != 1.0 && p != 2.0 {
            let ps = arg(1).map_or(span, |(_, s)| s);
            return self.error(
                Diagnostic::new(Code::E0243, format!("`normalize` supports p=1 and p=2, not p={p}"), ps, "unsupported order")
                    .with_help("write `normalize(x)` for the 2-norm or `normalize(x, p=1)`"),
            );
        }
        let sh = self.shape_of(x);
        let dim = match arg(2) {
            None => self.one_dim(Value::Number(super::Num::Int(1)), span, &sh),
            Some((dv, ds)) => self.one_dim(dv, ds, &sh),
        };
        let Some(dim) = dim else { return Value::Poison };
        let dt = self.dtype_of(x);
        let kind = ReduceKind::Norm(F64Bits::new(p));
        let kept = reduced_shape(&sh, &[dim], true);
        let norm = self.op_node(Op::Reduce { kind, dims: vec![dim], keepdim: true }, dt, kept.clone(), &[x], span, kind.grad_fn());
        // PyTorch's `clamp_min(eps)`: its gradient passes where norm >= eps,
        // so also at norm == eps, where `maximum`'s would be split in halves.
        let clamp = Op::Activation(Activation::Clamp { min: Some(F64Bits::new(eps)), max: None });
        let clamped = self.op_node(clamp, dt, kept, &[norm], span, "ClampMinBackward0");
        let denom = self.op_node(Op::Expand, dt, sh.clone(), &[clamped], span, "ExpandBackward0");
        Value::Tensor(self.op_node(Op::Binary(Binary::Div), dt, sh, &[x, denom], span, "DivBackward0"))
    }
}
