//! `nn.TransformerEncoderLayer` and `nn.TransformerEncoder`, built from the
//! modules PyTorch builds them from, in its order (so the same draws), and
//! run as their `forward` runs them in training: self-attention without
//! weights, dropout, the residual and the layer norm (before or after, by
//! `norm_first`), then the feed-forward block. `TransformerEncoder` holds
//! `num_layers` deep copies of its layer (equal parameters, as PyTorch's
//! `_get_clones` makes them) and an optional final norm.
//!
//! PyTorch's fast paths (evaluation without gradients, nested tensors) give
//! the same values through fused kernels, whose last bits graphc does not
//! reproduce (see `attention_modules.rs`).

use super::objects::{attr, with_attr, CallArgs};
use super::{Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

fn int(i: usize) -> Value {
    Value::Number(Num::Int(i as i128))
}

/// A keyword argument of a call the compiler makes.
fn kw(name: &str, v: Value, span: Span) -> (Option<Ident>, Value, Span) {
    (Some(Ident { name: name.to_string(), span }), v, span)
}

impl Lowerer<'_> {
    /// `TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048,
    /// dropout=0.1, activation="relu", layer_norm_eps=1e-5,
    /// batch_first=false, norm_first=false, bias=true)`.
    pub(super) fn encoder_layer_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let params = [
            "d_model",
            "nhead",
            "dim_feedforward",
            "dropout",
            "activation",
            "layer_norm_eps",
            "batch_first",
            "norm_first",
            "bias",
            "device",
            "dtype",
        ];
        let class = "TransformerEncoderLayer";
        let Some(g) = self.bind_options(class, &params, args, span) else { return Value::Poison };
        let (Some(d), Some(heads), Some(ff)) = (
            self.module_int(class, "d_model", g[0].clone(), None, span),
            self.module_int(class, "nhead", g[1].clone(), None, span),
            self.module_int(class, "dim_feedforward", g[2].clone(), Some(2048), span),
        ) else {
            return Value::Poison;
        };
        if d <= 0 || heads <= 0 || ff <= 0 {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`{class}`'s sizes must be positive, got d_model={d}, nhead={heads}, dim_feedforward={ff}"),
                    span,
                    "not positive",
                )
                .with_help("give the model size, the number of heads and the feed-forward size, such as `TransformerEncoderLayer(64, 4, 128)`"),
            );
        }
        let (Some(p), Some(eps)) = (self.number_or(g[3].clone(), 0.1, "`dropout`"), self.number_or(g[5].clone(), 1e-5, "`layer_norm_eps`")) else {
            return Value::Poison;
        };
        let activation = match g[4].clone() {
            None => "relu".to_string(),
            Some((Value::Str(a), _)) if a == "relu" || a == "gelu" => a.to_string(),
            Some((other, s)) => {
                let shown = if let Value::Str(a) = &other { format!("{a:?}") } else { other.describe().to_string() };
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`{class}`'s activation must be \"relu\" or \"gelu\", not {shown}"), s, "not supported")
                        .with_help("write activation=\"relu\" (the default) or activation=\"gelu\""),
                );
            }
        };
        let (Some(batch_first), Some(norm_first), Some(bias)) = (
            self.module_bool(class, "batch_first", g[6].clone(), false),
            self.module_bool(class, "norm_first", g[7].clone(), false),
            self.module_bool(class, "bias", g[8].clone(), true),
        ) else {
            return Value::Poison;
        };
        let dtype = Value::DType(self.param_dtype);
        let (d, heads, ff) = (d as usize, heads as usize, ff as usize);
        // The children in `__init__`'s order, which is the order of their draws.
        let children: [(&str, &str, CallArgs); 8] = [
            (
                "self_attn",
                "MultiheadAttention",
                vec![
                    (None, int(d), span),
                    (None, int(heads), span),
                    kw("dropout", Value::Number(Num::Float(p)), span),
                    kw("bias", Value::Bool(bias), span),
                    kw("batch_first", Value::Bool(batch_first), span),
                    kw("dtype", dtype.clone(), span),
                ],
            ),
            (
                "linear1",
                "Linear",
                vec![(None, int(d), span), (None, int(ff), span), kw("bias", Value::Bool(bias), span), kw("dtype", dtype.clone(), span)],
            ),
            ("dropout", "Dropout", vec![(None, Value::Number(Num::Float(p)), span)]),
            (
                "linear2",
                "Linear",
                vec![(None, int(ff), span), (None, int(d), span), kw("bias", Value::Bool(bias), span), kw("dtype", dtype.clone(), span)],
            ),
            (
                "norm1",
                "LayerNorm",
                vec![
                    (None, int(d), span),
                    kw("eps", Value::Number(Num::Float(eps)), span),
                    kw("bias", Value::Bool(bias), span),
                    kw("dtype", dtype.clone(), span),
                ],
            ),
            (
                "norm2",
                "LayerNorm",
                vec![
                    (None, int(d), span),
                    kw("eps", Value::Number(Num::Float(eps)), span),
                    kw("bias", Value::Bool(bias), span),
                    kw("dtype", dtype, span),
                ],
            ),
            ("dropout1", "Dropout", vec![(None, Value::Number(Num::Float(p)), span)]),
            ("dropout2", "Dropout", vec![(None, Value::Number(Num::Float(p)), span)]),
        ];
        let mut obj = obj;
        for (name, child, args) in children {
            let m = self.builtin_module(child, args, span);
            if matches!(m, Value::Poison) {
                return Value::Poison;
            }
            obj = with_attr(obj, name, m, span);
        }
        obj = with_attr(obj, "norm_first", Value::Bool(norm_first), span);
        obj = with_attr(obj, "batch_first", Value::Bool(batch_first), span);
        with_attr(obj, "activation", Value::Str(activation), span)
    }

    /// `TransformerEncoder(encoder_layer, num_layers, norm=none,
    /// enable_nested_tensor=true)`: `layers`, a `ModuleList` of deep copies.
    pub(super) fn encoder_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let class = "TransformerEncoder";
        let params = ["encoder_layer", "num_layers", "norm", "enable_nested_tensor", "mask_check"];
        let Some(g) = self.bind_options(class, &params, args, span) else { return Value::Poison };
        let Some((layer, ls)) = g[0].clone() else {
            return self.error(
                Diagnostic::new(Code::E0103, format!("`{class}` is missing argument `encoder_layer`"), span, "missing argument")
                    .with_help("pass the layer to copy, such as `TransformerEncoder(TransformerEncoderLayer(64, 4), 2)`"),
            );
        };
        if !matches!(&layer, Value::Object { class, .. } if &**class == "TransformerEncoderLayer") {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`{class}`'s encoder_layer must be a `TransformerEncoderLayer`, not {}", layer.describe()),
                    ls,
                    "not a layer",
                )
                .with_help("pass a `TransformerEncoderLayer(d_model, nhead)`"),
            );
        }
        let Some(n) = self.module_int(class, "num_layers", g[1].clone(), None, span) else { return Value::Poison };
        if !(1..=1024).contains(&n) {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`{class}`'s num_layers must be 1 to 1024, not {n}"), span, "out of range")
                    .with_help("give the number of layers, such as 2"),
            );
        }
        let mut copies = Vec::new();
        for _ in 0..n {
            let copy = self.deepcopy(layer.clone(), ls, span);
            if matches!(copy, Value::Poison) {
                return Value::Poison;
            }
            copies.push((copy, ls));
        }
        let list = Value::List(copies);
        let layers = self.builtin_module("ModuleList", vec![(None, list, span)], span);
        if matches!(layers, Value::Poison) {
            return Value::Poison;
        }
        let obj = with_attr(obj, "layers", layers, span);
        let norm = match g[2].clone() {
            None | Some((Value::None, _)) => Value::None,
            Some((m @ Value::Object { .. }, _)) => m,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`{class}`'s norm must be a module, not {}", other.describe()), s, "not a module")
                        .with_help("pass a `LayerNorm(d_model)`, or leave it out"),
                )
            }
        };
        with_attr(obj, "norm", norm, span)
    }

    /// `layer(src, src_mask=none, src_key_padding_mask=none, is_causal=false)`.
    pub(super) fn encoder_layer_forward(&mut self, obj: &Value, args: CallArgs, span: Span) -> Value {
        let sig = crate::check::builtins::Signature {
            params: &["src", "src_mask", "src_key_padding_mask", "is_causal"],
            min: 1,
            max: Some(4),
            keywords: &[],
        };
        let bound = match crate::check::builtins::bind("TransformerEncoderLayer", &sig, args, span) {
            Ok(b) => b,
            Err(d) => return self.error(d),
        };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().map_or(Value::None, |(v, _)| v);
        let (src, _) = bound.positional[0].clone().expect("bind guarantees src");
        self.encoder_layer_apply(obj, src, arg(1), arg(2), arg(3), span)
    }

    /// One encoder layer on `x` with its masks (`Value::None` when absent).
    fn encoder_layer_apply(&mut self, obj: &Value, x: Value, mask: Value, padding: Value, causal: Value, span: Span) -> Value {
        let Value::Object { names, items, .. } = obj else { return Value::Poison };
        let get = |name: &str| attr(names, items, name).cloned().unwrap_or(Value::None);
        let call = |me: &mut Self, m: &str, args: CallArgs| me.call_object_value(get(m), args, span);
        let add = |me: &mut Self, a: Value, b: Value| me.binary(BinOp::Add, (a, span), (b, span), span);
        let causal = if matches!(causal, Value::None) { Value::Bool(false) } else { causal };
        let x_value_rank = if let Value::Tensor(t) = &x { Some(self.shape_of(*t).len()) } else { None };
        // `_sa_block`: self-attention without weights, then `dropout1`.
        let sa_block = |me: &mut Self, x: Value| -> Value {
            let args = vec![
                (None, x.clone(), span),
                (None, x.clone(), span),
                (None, x, span),
                kw("attn_mask", mask.clone(), span),
                kw("key_padding_mask", padding.clone(), span),
                kw("need_weights", Value::Bool(false), span),
                kw("is_causal", causal.clone(), span),
            ];
            // PyTorch's batch-first attention output is a transposed view of
            // (L, N, E), and `dropout1` draws its mask in that memory order:
            // the mask is drawn on (L, N, E) here too, then transposed.
            let batch_first = matches!(&x_value_rank, Some(3)) && matches!(get("batch_first"), Value::Bool(true));
            let out = match me.attention_call(&get("self_attn"), args, true, span) {
                Value::Tuple(items) if !items.is_empty() => items[0].0.clone(),
                _ => return Value::Poison,
            };
            let dropped = call(me, "dropout1", vec![(None, out, span)]);
            if !batch_first {
                return dropped;
            }
            match dropped {
                Value::Tensor(t) => me.tensor_call("transpose", vec![Value::Tensor(t), int(0), int(1)], span).map_or(Value::Poison, Value::Tensor),
                _ => Value::Poison,
            }
        };
        // `_ff_block`: linear2(dropout(activation(linear1(x)))), then `dropout2`.
        let ff_block = |me: &mut Self, x: Value| -> Value {
            let h = call(me, "linear1", vec![(None, x, span)]);
            let act = if matches!(get("activation"), Value::Str(a) if &*a == "gelu") { "gelu" } else { "relu" };
            let h = me.call_builtin_named(&Ident { name: act.to_string(), span }, vec![(None, h, span)], span);
            let h = call(me, "dropout", vec![(None, h, span)]);
            let h = call(me, "linear2", vec![(None, h, span)]);
            call(me, "dropout2", vec![(None, h, span)])
        };
        if matches!(get("norm_first"), Value::Bool(true)) {
            let n1 = call(self, "norm1", vec![(None, x.clone(), span)]);
            let a = sa_block(self, n1);
            let x = add(self, x, a);
            let n2 = call(self, "norm2", vec![(None, x.clone(), span)]);
            let f = ff_block(self, n2);
            add(self, x, f)
        } else {
            let a = sa_block(self, x.clone());
            let s = add(self, x, a);
            let x = call(self, "norm1", vec![(None, s, span)]);
            let f = ff_block(self, x.clone());
            let s = add(self, x, f);
            call(self, "norm2", vec![(None, s, span)])
        }
    }

    /// `encoder(src, mask=none, src_key_padding_mask=none, is_causal=none)`:
    /// each layer in turn, then the norm when there is one.
    pub(super) fn encoder_forward(&mut self, obj: &Value, args: CallArgs, span: Span) -> Value {
        let sig =
            crate::check::builtins::Signature { params: &["src", "mask", "src_key_padding_mask", "is_causal"], min: 1, max: Some(4), keywords: &[] };
        let bound = match crate::check::builtins::bind("TransformerEncoder", &sig, args, span) {
            Ok(b) => b,
            Err(d) => return self.error(d),
        };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().map_or(Value::None, |(v, _)| v);
        let Value::Object { names, items, .. } = obj else { return Value::Poison };
        let get = |name: &str| attr(names, items, name).cloned().unwrap_or(Value::None);
        let (mut x, _) = bound.positional[0].clone().expect("bind guarantees src");
        let layers = super::nn_modules::container_items(&get("layers")).unwrap_or_default();
        for (layer, _) in layers {
            x = self.encoder_layer_apply(&layer, x, arg(1), arg(2), arg(3), span);
            if matches!(x, Value::Poison) {
                return Value::Poison;
            }
        }
        match get("norm") {
            m @ Value::Object { .. } => self.call_object_value(m, vec![(None, x, span)], span),
            _ => x,
        }
    }
}
