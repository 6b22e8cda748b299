//! `scaled_dot_product_attention(query, key, value, attn_mask=none,
//! dropout_p=0.0, is_causal=false, *, scale=none, enable_gqa=false)`
//! (`torch.nn.functional`), written as ATen's composite
//! `_scaled_dot_product_attention_math` writes it: the queries and the keys
//! each multiplied by the square root of the scale (`1 / sqrt(E)` unless
//! given; a negative scale negates the queries' factor), `q @ k^T`, the mask
//! added (a bool mask, or `is_causal`'s lower triangle, made 0 where true and
//! -inf where false), `_safe_softmax` over the keys (a row with every score
//! -inf gives zeros, not NaN), `dropout(p, train=true)` when `dropout_p` is
//! above 0, and the weights times the values. With `enable_gqa` the keys and
//! values are repeated over the heads (dimension -3) to the queries' count.
//!
//! On the CPU, PyTorch computes 3-d and 4-d inputs without dropout with its
//! fused flash-attention kernel (blocked products, a running softmax with its
//! own `exp`), whose values differ from the composite path's in the last
//! bits; graphc computes those on the composite path too and shows the fused
//! kernel's `grad_fn` (`ScaledDotProductFlashAttentionForCpuBackward0`, and
//! `SqueezeBackward1` for 3-d inputs, which PyTorch views as 4-d). The
//! difference is measured in `docs/act-language.md`.

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};
use graphc_runtime::DType;

fn int(i: i64) -> Value {
    Value::Number(Num::Int(i as i128))
}

impl Lowerer<'_> {
    pub(super) fn sdpa_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let name = "scaled_dot_product_attention";
        let scale_kw = bound.keyword("scale");
        let Some(gqa) = self.flag(bound, "enable_gqa", false) else { return Value::Poison };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let mut qkv = Vec::with_capacity(3);
        for (i, what) in ["query", "key", "value"].iter().enumerate() {
            let (v, s) = arg(i).expect("bind guarantees query, key and value");
            let Some(t) = self.expect_float_tensor(v, s, &format!("`{name}`'s {what}")) else { return Value::Poison };
            if self.shape_of(t).len() < 2 {
                return self.size_error(
                    format!(
                        "`{name}` needs a {what} of at least 2 dimensions (..., length, features), got shape {}",
                        shapes::show(&self.shape_of(t))
                    ),
                    s,
                    "fewer than 2 dimensions",
                );
            }
            qkv.push((t, s));
        }
        let [(q, qs), (mut k, ks), (mut v, vs)] = [qkv[0], qkv[1], qkv[2]];
        let dt = self.dtype_of(q);
        for &(t, s) in &[(k, ks), (v, vs)] {
            if self.dtype_of(t) != dt {
                self.meet(q, qs, t, s, &format!("`{name}`"));
                return Value::Poison;
            }
        }
        let Some(dropout_p) = self.number_or(arg(4), 0.0, "`dropout_p`") else { return Value::Poison };
        let is_causal = match arg(5) {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`is_causal` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help("write `is_causal=true` for a causal mask"),
                )
            }
        };
        let scale = match scale_kw {
            None | Some((Value::None, _)) => None,
            Some((v, s)) => match self.number(&v, s, "`scale`") {
                Some(x) => Some(x),
                None => return Value::Poison,
            },
        };
        let mask_arg = arg(3).filter(|(v, _)| !matches!(v, Value::None));
        if is_causal && mask_arg.is_some() {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    "Explicit attn_mask should not be set when is_causal=True",
                    mask_arg.map_or(span, |(_, s)| s),
                    "a mask too",
                )
                .with_help("give either `attn_mask` or `is_causal=true`, not both"),
            );
        }
        if !(0.0..1.0).contains(&dropout_p) {
            let at = arg(4).map_or(span, |(_, s)| s);
            return self.error(
                Diagnostic::new(Code::E0270, format!("dropout probability has to be between 0 and 1, but got {dropout_p}"), at, "out of range")
                    .with_help("give `dropout_p` in [0, 1)"),
            );
        }
        let (sq, sk, sv) = (self.shape_of(q), self.shape_of(k), self.shape_of(v));
        let (l, e) = (sq[sq.len() - 2], sq[sq.len() - 1]);
        let s_len = sk[sk.len() - 2];
        if sk[sk.len() - 1] != e || sv[sv.len() - 2] != s_len {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "`{name}` needs keys with the queries' {e} features and values with the keys' {s_len} positions, got query {}, key {}, value {}",
                        shapes::show(&sq),
                        shapes::show(&sk),
                        shapes::show(&sv)
                    ),
                    ks,
                    "does not fit",
                )
                .with_help("query is (..., L, E), key (..., S, E), value (..., S, Ev)"),
            );
        }
        // `enable_gqa`: each key and value head serves `q_heads / kv_heads` query heads.
        if gqa && sq.len() >= 3 && sk.len() >= 3 {
            let (hq, hk, hv) = (sq[sq.len() - 3], sk[sk.len() - 3], sv[sv.len() - 3]);
            if hk == 0 || hv == 0 || !hq.is_multiple_of(hk) || !hq.is_multiple_of(hv) {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!("enable_gqa needs the query's {hq} heads to be a multiple of the key's {hk} and the value's {hv}"),
                        ks,
                        "heads do not divide",
                    )
                    .with_help("give keys and values a number of heads that divides the queries'"),
                );
            }
            if hq != hk {
                k = or_poison!(self.tensor_call_kw("repeat_interleave", vec![Value::Tensor(k), int((hq / hk) as i64)], vec![("dim", int(-3))], span));
            }
            if hq != hv {
                v = or_poison!(self.tensor_call_kw("repeat_interleave", vec![Value::Tensor(v), int((hq / hv) as i64)], vec![("dim", int(-3))], span));
            }
        }
        // `sdp::calculate_scale(...).sqrt()`, in double as ATen's SymFloat.
        let factor = scale.map_or(1.0 / (e as f64).sqrt(), f64::abs).sqrt();
        let q_factor = if scale.is_some_and(|x| x < 0.0) { 0.0 - factor } else { factor };
        let mul = |me: &mut Self, t: NodeId, f: f64| match me.binary(BinOp::Mul, (Value::Tensor(t), span), (Value::Number(Num::Float(f)), span), span)
        {
            Value::Tensor(t) => Some(t),
            _ => None,
        };
        let q = or_poison!(mul(self, q, q_factor));
        let kt = or_poison!(self.tensor_call("transpose", vec![Value::Tensor(k), int(-2), int(-1)], span));
        let kt = or_poison!(mul(self, kt, factor));
        let Value::Tensor(mut scores) = self.matmul(q, qs, kt, ks, span) else { return Value::Poison };
        let mask = match mask_arg {
            Some((mv, ms)) => {
                let Some(m) = self.expect_tensor(mv, ms, "`attn_mask`") else { return Value::Poison };
                Some((m, ms))
            }
            None if is_causal => {
                let ones =
                    or_poison!(self.tensor_call_kw("ones", vec![int(l as i64), int(s_len as i64)], vec![("dtype", Value::DType(DType::Bool))], span));
                Some((or_poison!(self.tensor_call("tril", vec![Value::Tensor(ones)], span)), span))
            }
            None => None,
        };
        if let Some((m, ms)) = mask {
            let md = self.dtype_of(m);
            let additive = if md == DType::Bool {
                // `convert_boolean_attn_mask`: 0 where attention is allowed, -inf elsewhere.
                let zeros = or_poison!(self.tensor_call_kw("zeros_like", vec![Value::Tensor(m)], vec![("dtype", Value::DType(dt))], span));
                let blocked = or_poison!(self.tensor_call("logical_not", vec![Value::Tensor(m)], span));
                or_poison!(self.tensor_call(
                    "masked_fill",
                    vec![Value::Tensor(zeros), Value::Tensor(blocked), Value::Number(Num::Float(f64::NEG_INFINITY))],
                    span
                ))
            } else if md == dt {
                m
            } else {
                return self.error(
                    Diagnostic::new(Code::E0201, format!("`attn_mask` is {md} but the attention computes in {dt}"), ms, format!("{md}"))
                        .with_help("pass a bool mask (true where attention is allowed) or one of the query's dtype, added to the scores"),
                );
            };
            let (ssh, msh) = (self.shape_of(scores), self.shape_of(additive));
            if shapes::broadcast(&ssh, &msh).ok().as_deref() != Some(&ssh[..]) {
                return self.size_error(
                    format!("`attn_mask` of shape {} does not broadcast to the scores' shape {}", shapes::show(&msh), shapes::show(&ssh)),
                    ms,
                    "does not broadcast",
                );
            }
            // `attn.add_(mask)`: the scores first.
            scores = match self.binary(BinOp::Add, (Value::Tensor(scores), span), (Value::Tensor(additive), ms), span) {
                Value::Tensor(t) => t,
                _ => return Value::Poison,
            };
        }
        let mut weights = or_poison!(self.safe_softmax(scores, span));
        if dropout_p > 0.0 {
            weights =
                or_poison!(self.tensor_call("dropout", vec![Value::Tensor(weights), Value::Number(Num::Float(dropout_p)), Value::Bool(true)], span));
        }
        let Value::Tensor(out) = self.matmul(weights, span, v, vs, span) else { return Value::Poison };
        // The fused kernel PyTorch runs for 3-d and 4-d inputs without dropout names the output.
        let rank = sq.len().max(sk.len()).max(sv.len());
        if dropout_p == 0.0 && (rank == 3 || rank == 4) {
            let grad_fn = if rank == 4 { "ScaledDotProductFlashAttentionForCpuBackward0" } else { "SqueezeBackward1" };
            self.grad_fn.insert(out, grad_fn.to_string());
        }
        Value::Tensor(out)
    }

    /// ATen's `_safe_softmax(x, -1)`: `softmax`, with zeros in the rows whose
    /// every element is -inf (where `softmax` gives NaN). Those rows enter the
    /// softmax as zeros, so that their gradient is 0 as `_safe_softmax`'s is.
    fn safe_softmax(&mut self, x: NodeId, span: Span) -> Option<NodeId> {
        let neg_inf = Value::Number(Num::Float(f64::NEG_INFINITY));
        let is_inf = self.tensor_call("eq", vec![Value::Tensor(x), neg_inf], span)?;
        let dead = self.tensor_call_kw("all", vec![Value::Tensor(is_inf), int(-1)], vec![("keepdim", Value::Bool(true))], span)?;
        let zero = Value::Number(Num::Float(0.0));
        let safe = self.tensor_call("masked_fill", vec![Value::Tensor(x), Value::Tensor(dead), zero.clone()], span)?;
        let y = self.tensor_call("softmax", vec![Value::Tensor(safe), int(-1)], span)?;
        self.tensor_call("masked_fill", vec![Value::Tensor(y), Value::Tensor(dead), zero], span)
    }
}
