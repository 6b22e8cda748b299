//! `nn.MultiheadAttention`: its constructor (PyTorch's parameters, draws and
//! repr) and its forward, written as `F.multi_head_attention_forward` writes
//! the path that returns the attention weights: the packed in-projection,
//! the heads as a batch, `softmax(mask + q * sqrt(1 / head_dim) @ k^T)`,
//! dropout in training, the weights times the values, and the
//! out-projection; the weights averaged over the heads when asked.
//!
//! PyTorch takes two other paths for the same values: without
//! `need_weights` its fused `scaled_dot_product_attention`, and in
//! evaluation without gradients (and `batch_first`) its native fast path.
//! graphc computes both as the path above, whose values differ from theirs
//! in the last bits (docs/act-language.md says where).

use super::objects::{attr, with_attr, CallArgs};
use super::{Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};
use graphc_runtime::DType;

fn int(i: usize) -> Value {
    Value::Number(Num::Int(i as i128))
}

impl Lowerer<'_> {
    /// `MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=true,
    /// add_bias_kv=false, add_zero_attn=false, kdim=none, vdim=none,
    /// batch_first=false)`: `in_proj_weight` (3E, E) (or, with other key or
    /// value sizes, `q_proj_weight`, `k_proj_weight` and `v_proj_weight`),
    /// `in_proj_bias` (zeros) and `out_proj`, a `Linear(E, E)` whose draws
    /// come first and whose bias is then zeroed, as `_reset_parameters` does
    /// after `xavier_uniform_`.
    pub(super) fn attention_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let params = ["embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim", "vdim", "batch_first", "device", "dtype"];
        let Some(g) = self.bind_options("MultiheadAttention", &params, args, span) else { return Value::Poison };
        let (Some(e), Some(heads)) = (
            self.module_int("MultiheadAttention", "embed_dim", g[0].clone(), None, span),
            self.module_int("MultiheadAttention", "num_heads", g[1].clone(), None, span),
        ) else {
            return Value::Poison;
        };
        if e <= 0 || heads <= 0 {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("embed_dim and num_heads must be greater than 0, got embed_dim={e} and num_heads={heads} instead"),
                    span,
                    "not positive",
                )
                .with_help("give the embedding size and the number of heads, such as `MultiheadAttention(64, 8)`"),
            );
        }
        if e % heads != 0 {
            let at = g[1].as_ref().map_or(span, |(_, s)| *s);
            return self.error(
                Diagnostic::new(Code::E0107, "embed_dim must be divisible by num_heads", at, format!("{e} is not a multiple of {heads}"))
                    .with_help("pick a number of heads that divides the embedding size"),
            );
        }
        let Some(p) = self.number_or(g[2].clone(), 0.0, "`dropout`") else { return Value::Poison };
        let Some(bias) = self.module_bool("MultiheadAttention", "bias", g[3].clone(), true) else { return Value::Poison };
        let Some(batch_first) = self.module_bool("MultiheadAttention", "batch_first", g[8].clone(), false) else { return Value::Poison };
        for (i, what) in [(4, "add_bias_kv"), (5, "add_zero_attn")] {
            if let Some((v, s)) = g[i].clone() {
                if !matches!(v, Value::Bool(false)) {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`MultiheadAttention`'s `{what}` is not supported"), s, "not supported")
                            .with_help(format!("leave `{what}` at false")),
                    );
                }
            }
        }
        // `kdim` and `vdim` other than `embed_dim` give the keys and values
        // projections of their own (`_qkv_same_embed_dim` false).
        let mut dims = [e, e];
        for (k, (i, what)) in [(6, "kdim"), (7, "vdim")].into_iter().enumerate() {
            match g[i].clone() {
                None | Some((Value::None, _)) => {}
                Some((Value::Number(Num::Int(d)), _)) if d > 0 && d <= i64::MAX as i128 => dims[k] = d as i64,
                Some((other, s)) => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`MultiheadAttention`'s `{what}` must be a positive integer, not {}", other.describe()),
                            s,
                            "not a size",
                        )
                        .with_help(format!(
                            "give the size of the {} features, or leave `{what}` out for `embed_dim`",
                            if k == 0 { "keys'" } else { "values'" }
                        )),
                    );
                }
            }
        }
        let same_dims = dims == [e, e];
        let e = e as usize;
        let (kdim, vdim) = (dims[0] as usize, dims[1] as usize);
        let mut obj = with_attr(obj, "embed_dim", int(e), span);
        obj = with_attr(obj, "kdim", int(kdim), span);
        obj = with_attr(obj, "vdim", int(vdim), span);
        obj = with_attr(obj, "_qkv_same_embed_dim", Value::Bool(same_dims), span);
        obj = with_attr(obj, "num_heads", int(heads as usize), span);
        obj = with_attr(obj, "dropout", Value::Number(Num::Float(p)), span);
        obj = with_attr(obj, "batch_first", Value::Bool(batch_first), span);
        obj = with_attr(obj, "head_dim", int(e / heads as usize), span);
        // The weights in `__init__`'s order, which is `named_parameters`'.
        let mut weights = Vec::new();
        if same_dims {
            let Some(w) = self.new_parameter_of(&[3 * e, e], self.param_dtype, span) else { return Value::Poison };
            obj = with_attr(obj, "in_proj_weight", Value::Tensor(w), span);
            weights.push(w);
            for name in ["q_proj_weight", "k_proj_weight", "v_proj_weight"] {
                obj = with_attr(obj, name, Value::None, span);
            }
        } else {
            for (name, cols) in [("q_proj_weight", e), ("k_proj_weight", kdim), ("v_proj_weight", vdim)] {
                let Some(w) = self.new_parameter_of(&[e, cols], self.param_dtype, span) else { return Value::Poison };
                obj = with_attr(obj, name, Value::Tensor(w), span);
                weights.push(w);
            }
            obj = with_attr(obj, "in_proj_weight", Value::None, span);
        }
        let b = if bias { self.new_parameter_of(&[3 * e], self.param_dtype, span) } else { None };
        obj = with_attr(obj, "in_proj_bias", b.map_or(Value::None, Value::Tensor), span);
        // `NonDynamicallyQuantizableLinear(E, E, bias=bias)`: `Linear`'s constructor and draws.
        let mut linear_args =
            vec![(None, int(e), span), (None, int(e), span), (Some(Ident { name: "bias".to_string(), span }), Value::Bool(bias), span)];
        linear_args.push((Some(Ident { name: "dtype".to_string(), span }), Value::DType(self.param_dtype), span));
        let out_proj = self.builtin_module("NonDynamicallyQuantizableLinear", linear_args, span);
        if matches!(out_proj, Value::Poison) {
            return Value::Poison;
        }
        // `_reset_parameters`: the in-projection's xavier draws, then zeros for both biases.
        for w in weights {
            if !self.init_call("xavier_uniform_", w, span) {
                return Value::Poison;
            }
        }
        let mut out_proj = out_proj;
        if bias {
            let Some(b) = b else { return Value::Poison };
            if !self.init_call("zeros_", b, span) {
                return Value::Poison;
            }
            if let Value::Object { names, items, .. } = &out_proj {
                if let Some(Value::Tensor(ob)) = attr(names, items, "bias").cloned() {
                    if !self.init_call("zeros_", ob, span) {
                        return Value::Poison;
                    }
                }
            }
            out_proj = self.current_value(out_proj);
        }
        let obj = self.current_value(obj);
        with_attr(obj, "out_proj", out_proj, span)
    }

    /// `torch.nn.init.NAME(t)`, in place under `no_grad`; false after an error.
    fn init_call(&mut self, name: &str, t: NodeId, span: Span) -> bool {
        let t = self.current(t);
        !matches!(self.call_builtin_named(&Ident { name: name.to_string(), span }, vec![(None, Value::Tensor(t), span)], span), Value::Poison)
    }

    /// `attention(query, key, value, key_padding_mask=none, need_weights=true,
    /// attn_mask=none, average_attn_weights=true, is_causal=false)`: the
    /// output and the attention weights (`None` without `need_weights`).
    pub(super) fn attention_forward(&mut self, obj: &Value, args: CallArgs, span: Span) -> Value {
        self.attention_call(obj, args, false, span)
    }

    /// [`Self::attention_forward`]; with `seq_first`, a batch-first output is
    /// left as (L, N, E), the layout of the transposed view PyTorch returns,
    /// for a caller whose next draws follow that layout (a dropout's mask).
    pub(super) fn attention_call(&mut self, obj: &Value, args: CallArgs, seq_first: bool, span: Span) -> Value {
        let Value::Object { names, items, .. } = obj else { return Value::Poison };
        let get = |name: &str| attr(names, items, name).cloned().unwrap_or(Value::None);
        let sig = crate::check::builtins::Signature {
            params: &["query", "key", "value", "key_padding_mask", "need_weights", "attn_mask", "average_attn_weights", "is_causal"],
            min: 3,
            max: Some(8),
            keywords: &[],
        };
        let bound = match crate::check::builtins::bind("MultiheadAttention", &sig, args, span) {
            Ok(b) => b,
            Err(d) => return self.error(d),
        };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let flag = |me: &mut Self, i: usize, name: &str, default: bool| -> Option<bool> {
            match arg(i) {
                None => Some(default),
                Some((Value::Bool(b), _)) => Some(b),
                Some((other, s)) => {
                    me.error(
                        Diagnostic::new(Code::E0107, format!("`{name}` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                            .with_help(format!("write `{name}=false`")),
                    );
                    None
                }
            }
        };
        let (Some(need_weights), Some(average), Some(is_causal)) =
            (flag(self, 4, "need_weights", true), flag(self, 6, "average_attn_weights", true), flag(self, 7, "is_causal", false))
        else {
            return Value::Poison;
        };
        let mut qkv = Vec::new();
        for (i, what) in [(0, "query"), (1, "key"), (2, "value")] {
            let (v, s) = bound.positional[i].clone().expect("bind guarantees query, key and value");
            let Some(t) = self.expect_float_tensor(v, s, &format!("`MultiheadAttention`'s {what}")) else { return Value::Poison };
            qkv.push((self.current(t), s));
        }
        let iget = |name: &str| if let Value::Number(Num::Int(i)) = get(name) { i as usize } else { 0 };
        let (e, heads, hd) = (iget("embed_dim"), iget("num_heads"), iget("head_dim"));
        let separate = matches!(get("_qkv_same_embed_dim"), Value::Bool(false));
        let (kdim, vdim) = (iget("kdim"), iget("vdim"));
        let Value::Tensor(w_in) = get(if separate { "q_proj_weight" } else { "in_proj_weight" }) else { return Value::Poison };
        let dt = self.dtype_of(self.current(w_in));
        let (qs, ks) = (self.shape_of(qkv[0].0), self.shape_of(qkv[1].0));
        let batched = qs.len() == 3;
        // `_mha_shape_check`: batched (3-D) or unbatched (2-D) query, key and value alike.
        for (i, (&(t, s), features)) in qkv.iter().zip([e, kdim, vdim]).enumerate() {
            let sh = self.shape_of(t);
            let bad = if batched { sh.len() != 3 } else { sh.len() != 2 };
            if bad || sh[sh.len() - 1] != features || self.dtype_of(t) != dt {
                let message = if !(2..=3).contains(&qs.len()) {
                    format!("query should be unbatched 2D or batched 3D tensor but received {}-D query tensor", qs.len())
                } else if bad {
                    format!(
                        "For {} `query`, expected `key` and `value` to be {}-D but found {}-D tensor",
                        if batched { "batched (3-D)" } else { "unbatched (2-D)" },
                        qs.len(),
                        sh.len()
                    )
                } else if self.dtype_of(t) != dt {
                    format!("expected the inputs to be {}, as the module's parameters, but found {}", dt.torch_name(), self.dtype_of(t).torch_name())
                } else if i > 0 && separate {
                    // `_in_projection`'s check of the keys' or the values' weights.
                    let what = if i == 1 { "key" } else { "value" };
                    format!("expecting {what} weights shape of ({e}, {}), but got torch.Size([{e}, {features}])", sh[sh.len() - 1])
                } else {
                    format!("was expecting embedding dimension of {e}, but got {}", sh[sh.len() - 1])
                };
                return self.error(Diagnostic::new(Code::E0202, message, s, format!("of shape {}", crate::check::shapes::show(&sh))).with_help(
                    "pass (L, N, E) query, key and value (or (N, L, E) with `batch_first`, or unbatched (L, E)), E the module's embed_dim",
                ));
            }
        }
        let batch_first = matches!(get("batch_first"), Value::Bool(true)) && batched;
        // The inputs as (L, N, E): unbatched ones get a batch of 1 (dimension 1).
        let same_qk = qkv[0].0 == qkv[1].0;
        let same_kv = qkv[1].0 == qkv[2].0;
        let mut ins = Vec::new();
        for &(t, _) in &qkv {
            let t = if batch_first {
                or_poison!(self.tensor_call("transpose", vec![Value::Tensor(t), int(1), int(0)], span))
            } else if !batched {
                or_poison!(self.tensor_call("unsqueeze", vec![Value::Tensor(t), int(1)], span))
            } else {
                t
            };
            ins.push(t);
        }
        let (l, n) = (self.shape_of(ins[0])[0], self.shape_of(ins[0])[1]);
        let s_len = self.shape_of(ins[1])[0];
        // With projections of their own, keys and values agree in their sequence and batch only.
        let compared = if separate { 2 } else { 3 };
        if self.shape_of(ins[1])[..compared] != self.shape_of(ins[2])[..compared] || self.shape_of(ins[1])[1] != n {
            let vs = self.shape_of(qkv[2].0);
            let message = if separate {
                let lead = |sh: &[usize]| format!("torch.Size({})", super::layer_norm_calls::brackets(&sh[..2]));
                let (kl, vl) = (self.shape_of(ins[1]), self.shape_of(ins[2]));
                format!("key's sequence and batch dims {} do not match value's {}", lead(&kl), lead(&vl))
            } else {
                format!("key shape {} does not match value shape {}", crate::check::shapes::show(&ks), crate::check::shapes::show(&vs))
            };
            return self.error(
                Diagnostic::new(Code::E0202, message, qkv[2].1, "another shape")
                    .with_help("give keys and values of one shape, and the query's batch"),
            );
        }
        // The masks, as `_canonical_mask` makes them: a bool mask becomes 0 and -inf.
        let want: Vec<usize> = if batched { vec![n, s_len] } else { vec![s_len] };
        let Some(mut kpm) = self.attention_mask(arg(3), "key_padding_mask", &want, (dt, need_weights), span) else { return Value::Poison };
        if let (false, Some((m, ms))) = (batched, kpm) {
            kpm = Some((or_poison!(self.tensor_call("unsqueeze", vec![Value::Tensor(m), int(0)], span)), ms));
        }
        let Some(mask) = self.attention_mask(arg(5), "attn_mask", &[], (dt, need_weights), span) else { return Value::Poison };
        if is_causal && mask.is_none() {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.",
                    span,
                    "no mask",
                )
                .with_help("pass the causal mask as `attn_mask`"),
            );
        }
        let mut mask = match mask {
            None => None,
            Some((m, ms)) => {
                let sh = self.shape_of(m);
                let ok = match sh.len() {
                    2 => sh == [l, s_len],
                    3 => sh == [n * heads, l, s_len],
                    _ => false,
                };
                if !ok {
                    let want = if sh.len() == 3 { format!("({}, {l}, {s_len})", n * heads) } else { format!("({l}, {s_len})") };
                    return self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!(
                                "The shape of the {}D attn_mask is torch.Size({}), but should be {want}.",
                                sh.len(),
                                super::layer_norm_calls::brackets(&sh)
                            ),
                            ms,
                            "another shape",
                        )
                        .with_help("give a (L, S) mask, or (N * num_heads, L, S)"),
                    );
                }
                Some(if sh.len() == 2 { or_poison!(self.tensor_call("unsqueeze", vec![Value::Tensor(m), int(0)], span)) } else { m })
            }
        };
        // The in-projection (`_in_projection_packed`).
        let b_in = get("in_proj_bias");
        let proj = |me: &mut Self, x: NodeId, from: usize, count: usize| -> Option<NodeId> {
            let w = me.narrowed(get("in_proj_weight"), 0, from * e, count * e, span)?;
            let b = match &b_in {
                Value::Tensor(_) => Value::Tensor(me.narrowed(b_in.clone(), 0, from * e, count * e, span)?),
                _ => Value::None,
            };
            me.tensor_call("linear", vec![Value::Tensor(x), Value::Tensor(w), b], span)
        };
        let (q, k, v) = if separate {
            // `_in_projection`: one product per input, the bias in thirds.
            let mut out = Vec::new();
            for (i, name) in ["q_proj_weight", "k_proj_weight", "v_proj_weight"].into_iter().enumerate() {
                let b = match &b_in {
                    Value::Tensor(_) => Value::Tensor(or_poison!(self.narrowed(b_in.clone(), 0, i * e, e, span))),
                    _ => Value::None,
                };
                out.push(or_poison!(self.tensor_call("linear", vec![Value::Tensor(ins[i]), get(name), b], span)));
            }
            (out[0], out[1], out[2])
        } else if same_qk && same_kv {
            let p = or_poison!(self.tensor_call("linear", vec![Value::Tensor(ins[0]), get("in_proj_weight"), b_in.clone()], span));
            let part = |me: &mut Self, i: usize| me.narrowed(Value::Tensor(p), 2, i * e, e, span);
            (or_poison!(part(self, 0)), or_poison!(part(self, 1)), or_poison!(part(self, 2)))
        } else if same_kv {
            let q = or_poison!(proj(self, ins[0], 0, 1));
            let kv = or_poison!(proj(self, ins[1], 1, 2));
            (q, or_poison!(self.narrowed(Value::Tensor(kv), 2, 0, e, span)), or_poison!(self.narrowed(Value::Tensor(kv), 2, e, e, span)))
        } else {
            (or_poison!(proj(self, ins[0], 0, 1)), or_poison!(proj(self, ins[1], 1, 1)), or_poison!(proj(self, ins[2], 2, 1)))
        };
        // The heads as a batch: (N * heads, L, head_dim).
        let heads_first = |me: &mut Self, t: NodeId, len: usize| -> Option<NodeId> {
            let viewed = me.tensor_call("reshape", vec![Value::Tensor(t), int(len), int(n * heads), int(hd)], span)?;
            me.tensor_call("transpose", vec![Value::Tensor(viewed), int(0), int(1)], span)
        };
        let q = or_poison!(heads_first(self, q, l));
        let k = or_poison!(heads_first(self, k, s_len));
        let v = or_poison!(heads_first(self, v, s_len));
        if let Some((kp, _)) = kpm {
            let kp = or_poison!(self.tensor_call("view", vec![Value::Tensor(kp), int(n), int(1), int(1), int(s_len)], span));
            let kp = or_poison!(self.tensor_call("expand", vec![Value::Tensor(kp), int(n), int(heads), int(1), int(s_len)], span));
            let kp = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(kp), int(n * heads), int(1), int(s_len)], span));
            mask = Some(match mask {
                None => kp,
                Some(m) => match self.binary(crate::syntax::ast::BinOp::Add, (Value::Tensor(m), span), (Value::Tensor(kp), span), span) {
                    Value::Tensor(t) => t,
                    _ => return Value::Poison,
                },
            });
        }
        // Without weights PyTorch calls `scaled_dot_product_attention`, whose
        // composite path (the one training with dropout takes on the CPU)
        // multiplies both the queries and the keys by the square root of the
        // scale; the path with weights multiplies the queries by the scale.
        let scale = (1.0 / hd as f64).sqrt();
        let (q_factor, k_factor) = if need_weights { (scale, None) } else { (scale.sqrt(), Some(scale.sqrt())) };
        let mul = |me: &mut Self, t: NodeId, f: f64| match me.binary(
            crate::syntax::ast::BinOp::Mul,
            (Value::Tensor(t), span),
            (Value::Number(Num::Float(f)), span),
            span,
        ) {
            Value::Tensor(t) => Some(t),
            _ => None,
        };
        let q_scaled = or_poison!(mul(self, q, q_factor));
        let mut kt = or_poison!(self.tensor_call("transpose", vec![Value::Tensor(k), int(1), int(2)], span));
        if let Some(f) = k_factor {
            kt = or_poison!(mul(self, kt, f));
        }
        let scores = or_poison!(self.tensor_call("bmm", vec![Value::Tensor(q_scaled), Value::Tensor(kt)], span));
        let scores = match mask {
            None => scores,
            // `baddbmm(mask, q, k^T)`: PyTorch's small-batch kernel adds the product to the mask.
            Some(m) => match self.binary(crate::syntax::ast::BinOp::Add, (Value::Tensor(m), span), (Value::Tensor(scores), span), span) {
                Value::Tensor(t) => t,
                _ => return Value::Poison,
            },
        };
        let mut weights = or_poison!(self.tensor_call("softmax", vec![Value::Tensor(scores), int(2)], span));
        let p = if let Value::Number(p) = get("dropout") { p.f64() } else { 0.0 };
        if p > 0.0 && matches!(get("training"), Value::Bool(true)) {
            weights = or_poison!(self.tensor_call("dropout", vec![Value::Tensor(weights), Value::Number(Num::Float(p)), Value::Bool(true)], span));
        }
        let out = or_poison!(self.tensor_call("bmm", vec![Value::Tensor(weights), Value::Tensor(v)], span));
        let out = or_poison!(self.tensor_call("transpose", vec![Value::Tensor(out), int(0), int(1)], span));
        let out = or_poison!(self.tensor_call("reshape", vec![Value::Tensor(out), int(l * n), int(e)], span));
        let Value::Object { names: pn, items: pi, .. } = get("out_proj") else { return Value::Poison };
        let pget = |name: &str| attr(&pn, &pi, name).cloned().unwrap_or(Value::None);
        let out = or_poison!(self.tensor_call("linear", vec![Value::Tensor(out), pget("weight"), pget("bias")], span));
        let mut out = or_poison!(self.tensor_call("view", vec![Value::Tensor(out), int(l), int(n), int(e)], span));
        let mut weights = Some(or_poison!(self.tensor_call("view", vec![Value::Tensor(weights), int(n), int(heads), int(l), int(s_len)], span)));
        if average {
            weights = weights.and_then(|w| self.tensor_call("mean", vec![Value::Tensor(w), int(1)], span));
            if weights.is_none() {
                return Value::Poison;
            }
        }
        if !batched {
            out = or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(out), int(1)], span));
            weights = weights.and_then(|w| self.tensor_call("squeeze", vec![Value::Tensor(w), int(0)], span));
        }
        if batch_first && !seq_first {
            out = or_poison!(self.tensor_call("transpose", vec![Value::Tensor(out), int(1), int(0)], span));
        }
        let weights = if need_weights { weights.map_or(Value::Poison, Value::Tensor) } else { Value::None };
        Value::Tuple(vec![(Value::Tensor(out), span), (weights, span)])
    }

    /// `t.narrow(dim, start, len)` of a tensor value.
    fn narrowed(&mut self, t: Value, dim: usize, start: usize, len: usize, span: Span) -> Option<NodeId> {
        self.tensor_call("narrow", vec![t, int(dim), int(start), int(len)], span)
    }

    /// A mask argument as `_canonical_mask` makes it: a float mask as it is
    /// (of the query's dtype `dt`), a bool one as 0 where false and -inf
    /// where true. `want`, when not empty, is the shape it must have;
    /// `need_weights` is the path the attention takes. `Some(None)` when
    /// there is none; `None` after an error.
    fn attention_mask(
        &mut self,
        arg: Option<(Value, Span)>,
        name: &str,
        want: &[usize],
        (dt, need_weights): (DType, bool),
        span: Span,
    ) -> Option<Option<(NodeId, Span)>> {
        let Some((v, s)) = arg else { return Some(None) };
        let m = self.expect_tensor(v, s, &format!("`{name}`"))?;
        let md = self.dtype_of(m);
        if md != DType::Bool && !md.is_float() {
            self.error(
                Diagnostic::new(Code::E0201, format!("only bool and floating types of {name} are supported"), s, format!("{md}"))
                    .with_help("pass a bool mask (true where attention is masked) or a float one added to the scores"),
            );
            return None;
        }
        let sh = self.shape_of(m);
        if !want.is_empty() && sh != want {
            // `_check_key_padding_mask`'s messages: the batch first, then the keys.
            let message = match sh.len() {
                2 if sh[0] != want[0] => format!("Expected key_padded_mask.shape[0] to be {}, but got {}", want[0], sh[0]),
                2 => format!("Expected key_padded_mask.shape[1] to be {}, but got {}", want[1], sh[1]),
                k => format!("Expected a {}-D key_padding_mask of shape {}, but got a {k}-D one", want.len(), crate::check::shapes::show(want)),
            };
            self.error(Diagnostic::new(Code::E0202, message, s, "another shape").with_help("give one flag per (batch element, key position)"));
            return None;
        }
        if md.is_float() {
            // `scaled_dot_product_attention` (the path without weights) adds
            // an f32 mask to scores of any dtype: the mask is converted,
            // exactly for the 0 and -inf of a causal mask.
            if md == DType::F32 && md != dt && name == "attn_mask" && !need_weights {
                return Some(Some((self.cast_to(m, dt, span), s)));
            }
            if md != dt {
                self.error(
                    Diagnostic::new(Code::E0201, format!("`{name}` is {md} but the attention computes in {dt}"), s, format!("{md}"))
                        .with_help(format!("convert the mask, such as `{name}.to({dt})`")),
                );
                return None;
            }
            return Some(Some((m, s)));
        }
        let zeros = self.tensor_call_kw("zeros_like", vec![Value::Tensor(m)], vec![("dtype", Value::DType(dt))], span)?;
        let filled =
            self.tensor_call("masked_fill", vec![Value::Tensor(zeros), Value::Tensor(m), Value::Number(Num::Float(f64::NEG_INFINITY))], span)?;
        Some(Some((filled, s)))
    }

    /// A builtin call with keyword arguments, for a tensor result.
    pub(super) fn tensor_call_kw(&mut self, name: &str, args: Vec<Value>, kw: Vec<(&str, Value)>, span: Span) -> Option<NodeId> {
        let mut all: CallArgs = args.into_iter().map(|v| (None, v, span)).collect();
        all.extend(kw.into_iter().map(|(k, v)| (Some(Ident { name: k.to_string(), span }), v, span)));
        match self.call_builtin_named(&Ident { name: name.to_string(), span }, all, span) {
            Value::Tensor(t) => Some(t),
            _ => None,
        }
    }
}
