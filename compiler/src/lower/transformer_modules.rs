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

/// The arguments of the `LayerNorm(d_model, eps=..., bias=..., dtype=...)`
/// that the transformer modules make.
fn layer_norm_args(d: Value, eps: f64, bias: bool, dtype: &Value, span: Span) -> CallArgs {
    vec![(None, d, span), kw("eps", Value::Number(Num::Float(eps)), span), kw("bias", Value::Bool(bias), span), kw("dtype", dtype.clone(), span)]
}

/// A keyword argument of a call the compiler makes.
fn kw(name: &str, v: Value, span: Span) -> (Option<Ident>, Value, Span) {
    (Some(Ident { name: name.to_string(), span }), v, span)
}

impl Lowerer<'_> {
    /// `TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048,
    /// dropout=0.1, activation="relu", layer_norm_eps=1e-5,
    /// batch_first=false, norm_first=false, bias=true)`, and
    /// `TransformerDecoderLayer` with the same parameters (`decoder`), which
    /// adds the cross-attention `multihead_attn`, `norm3` and `dropout3`.
    pub(super) fn transformer_layer_module(&mut self, obj: Value, class: &str, args: CallArgs, span: Span) -> Value {
        let decoder = class == "TransformerDecoderLayer";
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
                .with_help(format!("give the model size, the number of heads and the feed-forward size, such as `{class}(64, 4, 128)`")),
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
        let attention = || -> CallArgs {
            vec![
                (None, int(d), span),
                (None, int(heads), span),
                kw("dropout", Value::Number(Num::Float(p)), span),
                kw("bias", Value::Bool(bias), span),
                kw("batch_first", Value::Bool(batch_first), span),
                kw("dtype", dtype.clone(), span),
            ]
        };
        let linear = |from: usize, to: usize| -> CallArgs {
            vec![(None, int(from), span), (None, int(to), span), kw("bias", Value::Bool(bias), span), kw("dtype", dtype.clone(), span)]
        };
        let norm = || layer_norm_args(int(d), eps, bias, &dtype, span);
        let dropout = || -> CallArgs { vec![(None, Value::Number(Num::Float(p)), span)] };
        // The children in `__init__`'s order, which is the order of their draws.
        let mut children: Vec<(&str, &str, CallArgs)> = vec![("self_attn", "MultiheadAttention", attention())];
        if decoder {
            children.push(("multihead_attn", "MultiheadAttention", attention()));
        }
        children.extend([
            ("linear1", "Linear", linear(d, ff)),
            ("dropout", "Dropout", dropout()),
            ("linear2", "Linear", linear(ff, d)),
            ("norm1", "LayerNorm", norm()),
            ("norm2", "LayerNorm", norm()),
        ]);
        if decoder {
            children.push(("norm3", "LayerNorm", norm()));
        }
        children.extend([("dropout1", "Dropout", dropout()), ("dropout2", "Dropout", dropout())]);
        if decoder {
            children.push(("dropout3", "Dropout", dropout()));
        }
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
    /// enable_nested_tensor=true)` and `TransformerDecoder(decoder_layer,
    /// num_layers, norm=none)`: `layers`, a `ModuleList` of deep copies.
    pub(super) fn transformer_stack_module(&mut self, obj: Value, class: &str, args: CallArgs, span: Span) -> Value {
        let (layer_param, layer_class, params): (&str, &str, &[&str]) = if class == "TransformerDecoder" {
            ("decoder_layer", "TransformerDecoderLayer", &["decoder_layer", "num_layers", "norm"])
        } else {
            ("encoder_layer", "TransformerEncoderLayer", &["encoder_layer", "num_layers", "norm", "enable_nested_tensor", "mask_check"])
        };
        let Some(g) = self.bind_options(class, params, args, span) else { return Value::Poison };
        let Some((layer, ls)) = g[0].clone() else {
            return self.error(
                Diagnostic::new(Code::E0103, format!("`{class}` is missing argument `{layer_param}`"), span, "missing argument")
                    .with_help(format!("pass the layer to copy, such as `{class}({layer_class}(64, 4), 2)`")),
            );
        };
        if !matches!(&layer, Value::Object { class, .. } if &**class == layer_class) {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`{class}`'s {layer_param} must be a `{layer_class}`, not {}", layer.describe()),
                    ls,
                    "not a layer",
                )
                .with_help(format!("pass a `{layer_class}(d_model, nhead)`")),
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

    /// One encoder layer on `x` with its masks.
    fn encoder_layer_apply(&mut self, obj: &Value, x: Value, masks: &Masks, span: Span) -> Value {
        let norm = |me: &mut Self, n: &str, x: Value| me.call_object_value(child(obj, n), vec![(None, x, span)], span);
        let add = |me: &mut Self, a: Value, b: Value| me.binary(BinOp::Add, (a, span), (b, span), span);
        if matches!(child(obj, "norm_first"), Value::Bool(true)) {
            let n1 = norm(self, "norm1", x.clone());
            let a = self.attention_block(obj, ("self_attn", "dropout1"), n1.clone(), n1, masks, span);
            let x = add(self, x, a);
            let n2 = norm(self, "norm2", x.clone());
            let f = self.feed_forward_block(obj, "dropout2", n2, span);
            add(self, x, f)
        } else {
            let a = self.attention_block(obj, ("self_attn", "dropout1"), x.clone(), x.clone(), masks, span);
            let s = add(self, x, a);
            let x = norm(self, "norm1", s);
            let f = self.feed_forward_block(obj, "dropout2", x.clone(), span);
            let s = add(self, x, f);
            norm(self, "norm2", s)
        }
    }

    /// One decoder layer on `x` and the encoder's output `memory`, with the
    /// masks of its self-attention and of its attention over the memory.
    fn decoder_layer_apply(&mut self, obj: &Value, x: Value, memory: Value, masks: (&Masks, &Masks), span: Span) -> Value {
        let norm = |me: &mut Self, n: &str, x: Value| me.call_object_value(child(obj, n), vec![(None, x, span)], span);
        let add = |me: &mut Self, a: Value, b: Value| me.binary(BinOp::Add, (a, span), (b, span), span);
        if matches!(child(obj, "norm_first"), Value::Bool(true)) {
            let n1 = norm(self, "norm1", x.clone());
            let a = self.attention_block(obj, ("self_attn", "dropout1"), n1.clone(), n1, masks.0, span);
            let x = add(self, x, a);
            let n2 = norm(self, "norm2", x.clone());
            let m = self.attention_block(obj, ("multihead_attn", "dropout2"), n2, memory, masks.1, span);
            let x = add(self, x, m);
            let n3 = norm(self, "norm3", x.clone());
            let f = self.feed_forward_block(obj, "dropout3", n3, span);
            add(self, x, f)
        } else {
            let a = self.attention_block(obj, ("self_attn", "dropout1"), x.clone(), x.clone(), masks.0, span);
            let s = add(self, x, a);
            let x = norm(self, "norm1", s);
            let m = self.attention_block(obj, ("multihead_attn", "dropout2"), x.clone(), memory, masks.1, span);
            let s = add(self, x, m);
            let x = norm(self, "norm2", s);
            let f = self.feed_forward_block(obj, "dropout3", x.clone(), span);
            let s = add(self, x, f);
            norm(self, "norm3", s)
        }
    }

    /// `_sa_block` and `_mha_block`: the attention `names.0` of `x` over
    /// `memory` (`x` itself for self-attention), without weights, then the
    /// dropout `names.1`.
    fn attention_block(&mut self, obj: &Value, names: (&str, &str), x: Value, memory: Value, masks: &Masks, span: Span) -> Value {
        let causal = if matches!(masks.causal, Value::None) { Value::Bool(false) } else { masks.causal.clone() };
        let batch_first = matches!(&x, Value::Tensor(t) if self.shape_of(*t).len() == 3) && matches!(child(obj, "batch_first"), Value::Bool(true));
        let args = vec![
            (None, x, span),
            (None, memory.clone(), span),
            (None, memory, span),
            kw("attn_mask", masks.mask.clone(), span),
            kw("key_padding_mask", masks.padding.clone(), span),
            kw("need_weights", Value::Bool(false), span),
            kw("is_causal", causal, span),
        ];
        // PyTorch's batch-first attention output is a transposed view of
        // (L, N, E), and the dropout after it draws its mask in that memory
        // order: the mask is drawn on (L, N, E) here too, then transposed.
        let out = match self.attention_call(&child(obj, names.0), args, true, span) {
            Value::Tuple(items) if !items.is_empty() => items[0].0.clone(),
            _ => return Value::Poison,
        };
        let dropped = self.call_object_value(child(obj, names.1), vec![(None, out, span)], span);
        if !batch_first {
            return dropped;
        }
        match dropped {
            Value::Tensor(t) => self.tensor_call("transpose", vec![Value::Tensor(t), int(0), int(1)], span).map_or(Value::Poison, Value::Tensor),
            _ => Value::Poison,
        }
    }

    /// `_ff_block`: `linear2(dropout(activation(linear1(x))))`, then the dropout `last`.
    fn feed_forward_block(&mut self, obj: &Value, last: &str, x: Value, span: Span) -> Value {
        let call = |me: &mut Self, m: &str, x: Value| me.call_object_value(child(obj, m), vec![(None, x, span)], span);
        let h = call(self, "linear1", x);
        let act = if matches!(child(obj, "activation"), Value::Str(a) if &*a == "gelu") { "gelu" } else { "relu" };
        let h = self.call_builtin_named(&Ident { name: act.to_string(), span }, vec![(None, h, span)], span);
        let h = call(self, "dropout", h);
        let h = call(self, "linear2", h);
        call(self, last, h)
    }

    /// `Transformer(d_model=512, nhead=8, num_encoder_layers=6,
    /// num_decoder_layers=6, dim_feedforward=2048, dropout=0.1,
    /// activation="relu", custom_encoder=none, custom_decoder=none,
    /// layer_norm_eps=1e-5, batch_first=false, norm_first=false, bias=true)`:
    /// an encoder and a decoder built as `__init__` builds them (so the same
    /// draws), then `_reset_parameters`' `xavier_uniform_` of every
    /// parameter of more than one dimension, in `parameters()`' order.
    pub(super) fn transformer_module(&mut self, obj: Value, args: CallArgs, span: Span) -> Value {
        let class = "Transformer";
        let params = [
            "d_model",
            "nhead",
            "num_encoder_layers",
            "num_decoder_layers",
            "dim_feedforward",
            "dropout",
            "activation",
            "custom_encoder",
            "custom_decoder",
            "layer_norm_eps",
            "batch_first",
            "norm_first",
            "bias",
            "device",
            "dtype",
        ];
        let Some(g) = self.bind_options(class, &params, args, span) else { return Value::Poison };
        let (Some(d), Some(heads), Some(n_enc), Some(n_dec)) = (
            self.module_int(class, "d_model", g[0].clone(), Some(512), span),
            self.module_int(class, "nhead", g[1].clone(), Some(8), span),
            self.module_int(class, "num_encoder_layers", g[2].clone(), Some(6), span),
            self.module_int(class, "num_decoder_layers", g[3].clone(), Some(6), span),
        ) else {
            return Value::Poison;
        };
        let Some(eps) = self.number_or(g[9].clone(), 1e-5, "`layer_norm_eps`") else { return Value::Poison };
        let Some(bias) = self.module_bool(class, "bias", g[12].clone(), true) else { return Value::Poison };
        let Some(batch_first) = self.module_bool(class, "batch_first", g[10].clone(), false) else { return Value::Poison };
        // The layers' own options, passed on as given (their constructors check them).
        let number = |i: i64| Value::Number(Num::Int(i as i128));
        let mut layer_args: CallArgs = vec![(None, number(d), span), (None, number(heads), span)];
        for i in [4, 5, 6, 9, 10, 11, 12] {
            if let Some((v, s)) = g[i].clone() {
                layer_args.push(kw(params[i], v, s));
            }
        }
        let dtype = Value::DType(self.param_dtype);
        layer_args.push(kw("dtype", dtype.clone(), span));
        let mut obj = obj;
        for (name, custom, layer, stack, layers) in [
            ("encoder", 7, "TransformerEncoderLayer", "TransformerEncoder", n_enc),
            ("decoder", 8, "TransformerDecoderLayer", "TransformerDecoder", n_dec),
        ] {
            let part = match g[custom].clone() {
                Some((m @ Value::Object { .. }, _)) => m,
                Some((Value::None, _)) | None => {
                    let l = self.builtin_module(layer, layer_args.clone(), span);
                    if matches!(l, Value::Poison) {
                        return Value::Poison;
                    }
                    let norm = self.builtin_module("LayerNorm", layer_norm_args(number(d), eps, bias, &dtype, span), span);
                    self.builtin_module(stack, vec![(None, l, span), (None, number(layers), span), (None, norm, span)], span)
                }
                Some((other, s)) => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{class}`'s {} must be a module, not {}", params[custom], other.describe()),
                            s,
                            "not a module",
                        )
                        .with_help(format!("pass a `{stack}`, or leave it out")),
                    )
                }
            };
            if matches!(part, Value::Poison) {
                return Value::Poison;
            }
            obj = with_attr(obj, name, part, span);
        }
        // `_reset_parameters`.
        let mut ps = Vec::new();
        self.named_parameters_of(&obj, "", &mut ps);
        for (_, p) in ps {
            let p = self.current(p);
            if self.shape_of(p).len() > 1
                && matches!(
                    self.call_builtin_named(&Ident { name: "xavier_uniform_".to_string(), span }, vec![(None, Value::Tensor(p), span)], span),
                    Value::Poison
                )
            {
                return Value::Poison;
            }
        }
        let obj = self.current_value(obj);
        let obj = with_attr(obj, "d_model", int(d as usize), span);
        let obj = with_attr(obj, "nhead", int(heads as usize), span);
        with_attr(obj, "batch_first", Value::Bool(batch_first), span)
    }

    /// `Transformer.generate_square_subsequent_mask(sz, device=none,
    /// dtype=none)`, a static method called on the class or a model: the
    /// causal mask, `triu(full((sz, sz), -inf), diagonal=1)`.
    pub(crate) fn square_subsequent_mask(&mut self, args: CallArgs, span: Span) -> Value {
        let sig = crate::check::builtins::Signature { params: &["sz", "device", "dtype"], min: 1, max: Some(3), keywords: &[] };
        let bound = match crate::check::builtins::bind("generate_square_subsequent_mask", &sig, args, span) {
            Ok(b) => b,
            Err(d) => return self.error(d),
        };
        let (sz, at) = bound.positional[0].clone().expect("bind guarantees sz");
        let call = |me: &mut Self, name: &str, args: CallArgs| me.call_builtin_named(&Ident { name: name.to_string(), span }, args, span);
        let size = Value::Tuple(vec![(sz.clone(), at), (sz, at)]);
        let mut full_args = vec![(None, size, at), (None, Value::Number(Num::Float(f64::NEG_INFINITY)), span)];
        if let Some((dt, ds)) = bound.positional.get(2).cloned().flatten() {
            full_args.push(kw("dtype", dt, ds));
        }
        let full = call(self, "full", full_args);
        if matches!(full, Value::Poison) {
            return Value::Poison;
        }
        call(self, "triu", vec![(None, full, span), kw("diagonal", int(1), span)])
    }

    /// The forward of the five transformer modules, with PyTorch's
    /// parameters: `layer(src, src_mask, src_key_padding_mask, is_causal)`,
    /// `encoder(src, mask, src_key_padding_mask, is_causal)`,
    /// `decoder_layer(tgt, memory, tgt_mask, memory_mask,
    /// tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal,
    /// memory_is_causal)` and `decoder(...)` alike, and `transformer(src,
    /// tgt, src_mask, tgt_mask, memory_mask, src_key_padding_mask,
    /// tgt_key_padding_mask, memory_key_padding_mask, src_is_causal,
    /// tgt_is_causal, memory_is_causal)`: each layer in turn, then the norm
    /// of a stack when it has one.
    pub(super) fn transformer_forward(&mut self, obj: &Value, class: &str, args: CallArgs, span: Span) -> Value {
        const DECODER: &[&str] =
            &["tgt", "memory", "tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask", "tgt_is_causal", "memory_is_causal"];
        let params: &[&str] = match class {
            "TransformerEncoderLayer" => &["src", "src_mask", "src_key_padding_mask", "is_causal"],
            "TransformerEncoder" => &["src", "mask", "src_key_padding_mask", "is_causal"],
            "Transformer" => &[
                "src",
                "tgt",
                "src_mask",
                "tgt_mask",
                "memory_mask",
                "src_key_padding_mask",
                "tgt_key_padding_mask",
                "memory_key_padding_mask",
                "src_is_causal",
                "tgt_is_causal",
                "memory_is_causal",
            ],
            _ => DECODER,
        };
        let inputs = if params[1] == "memory" || class == "Transformer" { 2 } else { 1 };
        let sig = crate::check::builtins::Signature { params, min: inputs, max: Some(params.len()), keywords: &[] };
        let bound = match crate::check::builtins::bind(class, &sig, args, span) {
            Ok(b) => b,
            Err(d) => return self.error(d),
        };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().map_or(Value::None, |(v, _)| v);
        // The masks of one attention, by the positions of its three parameters.
        let masks = |at: [usize; 3]| Masks { mask: arg(at[0]), padding: arg(at[1]), causal: arg(at[2]) };
        match class {
            "TransformerEncoderLayer" => self.encoder_layer_apply(obj, arg(0), &masks([1, 2, 3]), span),
            "TransformerEncoder" => self.encoder_stack(obj, arg(0), &masks([1, 2, 3]), span),
            "TransformerDecoderLayer" => self.decoder_layer_apply(obj, arg(0), arg(1), (&masks([2, 4, 6]), &masks([3, 5, 7])), span),
            "TransformerDecoder" => self.decoder_stack(obj, arg(0), arg(1), (&masks([2, 4, 6]), &masks([3, 5, 7])), span),
            _ => {
                let (src, tgt) =
                    (bound.positional[0].clone().expect("bind guarantees src"), bound.positional[1].clone().expect("bind guarantees tgt"));
                if !self.transformer_inputs_agree(obj, &src, &tgt) {
                    return Value::Poison;
                }
                let src_masks = masks([2, 5, 8]);
                let memory = self.encoder_stack(&child(obj, "encoder"), src.0, &src_masks, span);
                if matches!(memory, Value::Poison) {
                    return Value::Poison;
                }
                self.decoder_stack(&child(obj, "decoder"), tgt.0, memory, (&masks([3, 6, 9]), &masks([4, 7, 10])), span)
            }
        }
    }

    /// `Transformer.forward`'s checks: the batch of `src` and `tgt` alike,
    /// and both of `d_model` features; false after an error.
    fn transformer_inputs_agree(&mut self, obj: &Value, src: &(Value, Span), tgt: &(Value, Span)) -> bool {
        if matches!(src.0, Value::Poison) || matches!(tgt.0, Value::Poison) {
            return false;
        }
        let (Value::Tensor(s), Value::Tensor(t)) = (&src.0, &tgt.0) else {
            let (v, at) = if matches!(src.0, Value::Tensor(_)) { tgt } else { src };
            self.error(
                Diagnostic::new(Code::E0107, format!("`Transformer` takes tensors, not {}", v.describe()), *at, "not a tensor")
                    .with_help("pass the source and target sequences as tensors"),
            );
            return false;
        };
        let (ss, ts) = (self.shape_of(*s), self.shape_of(*t));
        let d_model = if let Value::Number(Num::Int(d)) = child(obj, "d_model") { d as usize } else { 0 };
        let batch_at = if matches!(child(obj, "batch_first"), Value::Bool(true)) { 0 } else { 1 };
        let message = if ss.len() == 3 && ts.len() > batch_at && ss[batch_at] != ts[batch_at] {
            "the batch number of src and tgt must be equal"
        } else if ss.last() != Some(&d_model) || ts.last() != Some(&d_model) {
            "the feature number of src and tgt must be equal to d_model"
        } else {
            return true;
        };
        self.error(
            Diagnostic::new(
                Code::E0202,
                message,
                tgt.1,
                format!("src {} and tgt {}", crate::check::shapes::show(&ss), crate::check::shapes::show(&ts)),
            )
            .with_help(format!(
                "pass (S, N, {d_model}) and (T, N, {d_model}) sequences, or (N, S, {d_model}) and (N, T, {d_model}) with `batch_first`"
            )),
        );
        false
    }

    /// `TransformerEncoder.forward`: each layer in turn, then the norm.
    fn encoder_stack(&mut self, obj: &Value, mut x: Value, masks: &Masks, span: Span) -> Value {
        for (layer, _) in super::nn_modules::container_items(&child(obj, "layers")).unwrap_or_default() {
            x = self.encoder_layer_apply(&layer, x, masks, span);
            if matches!(x, Value::Poison) {
                return Value::Poison;
            }
        }
        self.final_norm(obj, x, span)
    }

    /// `TransformerDecoder.forward`: each layer in turn over the memory, then the norm.
    fn decoder_stack(&mut self, obj: &Value, mut x: Value, memory: Value, masks: (&Masks, &Masks), span: Span) -> Value {
        for (layer, _) in super::nn_modules::container_items(&child(obj, "layers")).unwrap_or_default() {
            x = self.decoder_layer_apply(&layer, x, memory.clone(), masks, span);
            if matches!(x, Value::Poison) {
                return Value::Poison;
            }
        }
        self.final_norm(obj, x, span)
    }

    /// A stack's optional `norm` applied to its output.
    fn final_norm(&mut self, obj: &Value, x: Value, span: Span) -> Value {
        match child(obj, "norm") {
            m @ Value::Object { .. } => self.call_object_value(m, vec![(None, x, span)], span),
            _ => x,
        }
    }
}

/// The masks of one attention: `attn_mask`, `key_padding_mask` and the
/// `is_causal` hint (`Value::None` where absent).
struct Masks {
    mask: Value,
    padding: Value,
    causal: Value,
}

/// The attribute `name` of module `obj`, or `None`.
fn child(obj: &Value, name: &str) -> Value {
    match obj {
        Value::Object { names, items, .. } => attr(names, items, name).cloned().unwrap_or(Value::None),
        _ => Value::None,
    }
}
