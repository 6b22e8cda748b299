//! `TransformerEncoderLayer`, `TransformerEncoder`, their decoder
//! counterparts and `Transformer` (`lower/transformer_modules.rs`): reprs,
//! parameter names, deep-copied layers, outputs in training (dropout's draws in PyTorch's order, a
//! batch-first attention output's mask in its memory order), a causal mask,
//! `norm_first` with GELU, and a model trained with Adam, as PyTorch 2.15
//! prints them for the same programs; and the errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn encoder_layers_give_pytorchs_reprs_and_outputs() {
    let program = r#"
manual_seed(0)
layer = TransformerEncoderLayer(8, 2, dim_feedforward=16)
print(layer)
print([n for n, _ in layer.named_parameters()])
enc = TransformerEncoder(layer, 2)
print(enc)
print(len(list(enc.parameters())), (enc.layers[0].linear1.weight == enc.layers[1].linear1.weight).all().item())
x = randn(5, 3, 8)
y = layer(x)
print(y[0])
z = enc(x, mask=triu(full((5, 5), -inf), diagonal=1))
print(z[4])
pre = TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", batch_first=true, norm_first=true)
print(pre(x)[0, 0])
"#;
    assert_eq!(run(program), "TransformerEncoderLayer(\n  (self_attn): MultiheadAttention(\n    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n  )\n  (linear1): Linear(in_features=8, out_features=16, bias=True)\n  (dropout): Dropout(p=0.1, inplace=False)\n  (linear2): Linear(in_features=16, out_features=8, bias=True)\n  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n  (dropout1): Dropout(p=0.1, inplace=False)\n  (dropout2): Dropout(p=0.1, inplace=False)\n)\n['self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias', 'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias']\nTransformerEncoder(\n  (layers): ModuleList(\n    (0-1): 2 x TransformerEncoderLayer(\n      (self_attn): MultiheadAttention(\n        (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n      )\n      (linear1): Linear(in_features=8, out_features=16, bias=True)\n      (dropout): Dropout(p=0.1, inplace=False)\n      (linear2): Linear(in_features=16, out_features=8, bias=True)\n      (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n      (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n      (dropout1): Dropout(p=0.1, inplace=False)\n      (dropout2): Dropout(p=0.1, inplace=False)\n    )\n  )\n)\n24 True\ntensor([[ 1.6318,  1.2491, -0.7445, -0.3661, -0.2097, -1.6276,  0.4769, -0.4099],\n        [-0.6591,  1.0895, -0.2395, -0.2600, -0.6212,  2.1764, -0.6279, -0.8583],\n        [ 0.3010, -0.8516,  0.8882,  0.2552, -1.3858,  1.4359, -1.3561,  0.7131]],\n       grad_fn=<SelectBackward0>)\ntensor([[ 0.2994, -0.8893,  0.4366, -1.0369,  0.1465,  1.7249,  0.8051, -1.4862],\n        [-0.6644, -0.6465,  0.6039,  2.3455, -0.6738, -0.1501,  0.0756, -0.8901],\n        [ 1.3596, -1.0667, -0.6136, -0.9807, -1.2215,  1.0260,  0.6770,  0.8199]],\n       grad_fn=<SelectBackward0>)\ntensor([ 1.1118,  1.0319, -0.4137, -1.2982, -0.5954, -2.4139,  0.2926,  0.0392],\n       grad_fn=<SelectBackward0>)\n");
}

#[test]
fn a_pre_norm_gelu_encoder_trains_as_pytorch_does() {
    let program = r#"
class Model(Module) {
    fn __init__(self, d=16, heads=4, layers=2) {
        super().__init__()
        self.embed = Linear(1, d)
        layer = TransformerEncoderLayer(d, heads, dim_feedforward=32, batch_first=true, norm_first=true, activation="gelu")
        self.encoder = TransformerEncoder(layer, layers, norm=LayerNorm(d))
        self.head = Linear(d, 1)
    }

    fn forward(self, x, mask) {
        h = self.encoder(self.embed(x.unsqueeze(-1)), mask=mask)
        return self.head(h).squeeze(-1)
    }
}

manual_seed(0)
model = Model()
print(sum(p.numel() for p in model.parameters()))
mask = triu(full((8, 8), -inf), diagonal=1)
x = randn(16, 8)
y = x.cumsum(1)
opt = Adam(model.parameters(), lr=3e-3)
for step in range(20) {
    opt.zero_grad()
    loss = mse_loss(model(x, mask), y)
    loss.backward()
    opt.step()
    if step % 4 == 0 {
        print(f"step {step}: loss {loss.item():.4f}")
    }
}
model.eval()
no_grad {
    print(model(x[:2], mask))
}
"#;
    assert_eq!(run(program), "4529\nstep 0: loss 4.2222\nstep 4: loss 3.2452\nstep 8: loss 2.5193\nstep 12: loss 1.9737\nstep 16: loss 1.6695\ntensor([[ 1.8436,  1.8891,  1.7681,  1.8043,  1.1364, -0.0936, -0.7381, -0.2700],\n        [-2.3653, -1.7708, -0.2479, -0.9246, -1.0272, -0.3180, -1.0197, -1.7333]])\n");
}

#[test]
fn options_and_layers_pytorch_refuses_are_errors() {
    let cases = [
        ("m = TransformerEncoderLayer(8, 3)", Code::E0107, "embed_dim must be divisible by num_heads"),
        ("m = TransformerEncoderLayer(8, 2, activation=\"tanh\")", Code::E0107, "activation must be \"relu\" or \"gelu\", not \"tanh\""),
        ("m = TransformerEncoder(Linear(2, 2), 2)", Code::E0107, "encoder_layer must be a `TransformerEncoderLayer`"),
        ("m = TransformerEncoderLayer(8, 2)\ny = m(randn(4, 2, 6))", Code::E0202, "was expecting embedding dimension of 8, but got 6"),
    ];
    for (program, code, expected) in cases {
        let (got, message, _) = first_error(&format!("{program}\n"));
        assert_eq!(got, code, "{program}: {message}");
        assert!(message.contains(expected), "{program}: {message}");
    }
}

#[test]
fn decoder_layers_and_the_transformer_give_pytorchs_reprs_and_outputs() {
    let program = r#"
manual_seed(0)
layer = TransformerDecoderLayer(8, 2, dim_feedforward=16)
print(layer)
print([n for n, _ in layer.named_parameters()])
dec = TransformerDecoder(layer, 2)
print(len(list(dec.parameters())), (dec.layers[0].linear1.weight == dec.layers[1].linear1.weight).all().item())
mem = randn(6, 3, 8)
x = randn(5, 3, 8)
y = layer(x, mem)
print(y[0])
mask = Transformer.generate_square_subsequent_mask(5)
print(mask)
z = dec(x, mem, tgt_mask=mask)
print(z[4])
pre = TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation="gelu", batch_first=true, norm_first=true)
print(pre(x.transpose(0, 1), mem.transpose(0, 1))[0, 0])
t = Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, dropout=0.1)
print(t)
print(t.encoder.layers[0].linear1.weight[0])
print(t.decoder.layers[0].self_attn.in_proj_weight[0])
print(t.generate_square_subsequent_mask(3))
out = t(mem, x, tgt_mask=mask)
print(out[1])
"#;
    assert_eq!(run(program), "TransformerDecoderLayer(\n  (self_attn): MultiheadAttention(\n    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n  )\n  (multihead_attn): MultiheadAttention(\n    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n  )\n  (linear1): Linear(in_features=8, out_features=16, bias=True)\n  (dropout): Dropout(p=0.1, inplace=False)\n  (linear2): Linear(in_features=16, out_features=8, bias=True)\n  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n  (norm3): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n  (dropout1): Dropout(p=0.1, inplace=False)\n  (dropout2): Dropout(p=0.1, inplace=False)\n  (dropout3): Dropout(p=0.1, inplace=False)\n)\n['self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias', 'multihead_attn.in_proj_weight', 'multihead_attn.in_proj_bias', 'multihead_attn.out_proj.weight', 'multihead_attn.out_proj.bias', 'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias', 'norm3.weight', 'norm3.bias']\n36 True\ntensor([[-0.6023, -1.5617,  1.0438,  1.2984,  0.9636, -0.7450,  0.4576, -0.8543],\n        [ 1.4026, -0.3742, -0.3600, -0.1086, -0.0070, -0.7243, -1.5285,  1.7000],\n        [ 0.1773,  0.6546,  0.9369,  0.1948, -2.0043,  1.3315, -0.6219, -0.6689]],\n       grad_fn=<SelectBackward0>)\ntensor([[0., -inf, -inf, -inf, -inf],\n        [0., 0., -inf, -inf, -inf],\n        [0., 0., 0., -inf, -inf],\n        [0., 0., 0., 0., -inf],\n        [0., 0., 0., 0., 0.]])\ntensor([[-0.1136, -0.9551,  0.4688, -0.6768, -1.0762,  2.2554,  0.3200, -0.2224],\n        [ 0.0648,  1.0268, -1.4024, -0.5210,  0.2115,  1.7887,  0.0391, -1.2074],\n        [-0.9729,  1.7368, -1.7154, -0.0660,  0.4889,  0.3395, -0.5045,  0.6936]],\n       grad_fn=<SelectBackward0>)\ntensor([ 0.0040, -0.7569,  1.7786,  2.1501,  1.5033, -0.4422,  0.6816,  0.1405],\n       grad_fn=<SelectBackward0>)\nTransformer(\n  (encoder): TransformerEncoder(\n    (layers): ModuleList(\n      (0-1): 2 x TransformerEncoderLayer(\n        (self_attn): MultiheadAttention(\n          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n        )\n        (linear1): Linear(in_features=8, out_features=16, bias=True)\n        (dropout): Dropout(p=0.1, inplace=False)\n        (linear2): Linear(in_features=16, out_features=8, bias=True)\n        (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n        (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n        (dropout1): Dropout(p=0.1, inplace=False)\n        (dropout2): Dropout(p=0.1, inplace=False)\n      )\n    )\n    (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n  )\n  (decoder): TransformerDecoder(\n    (layers): ModuleList(\n      (0): TransformerDecoderLayer(\n        (self_attn): MultiheadAttention(\n          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n        )\n        (multihead_attn): MultiheadAttention(\n          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n        )\n        (linear1): Linear(in_features=8, out_features=16, bias=True)\n        (dropout): Dropout(p=0.1, inplace=False)\n        (linear2): Linear(in_features=16, out_features=8, bias=True)\n        (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n        (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n        (norm3): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n        (dropout1): Dropout(p=0.1, inplace=False)\n        (dropout2): Dropout(p=0.1, inplace=False)\n        (dropout3): Dropout(p=0.1, inplace=False)\n      )\n    )\n    (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)\n  )\n)\ntensor([ 0.2569, -0.2431,  0.4620, -0.3319, -0.2879,  0.3325,  0.4306,  0.2214],\n       grad_fn=<SelectBackward0>)\ntensor([ 0.2695,  0.2636, -0.1984, -0.0970, -0.0905, -0.1761, -0.2970,  0.1363],\n       grad_fn=<SelectBackward0>)\ntensor([[0., -inf, -inf],\n        [0., 0., -inf],\n        [0., 0., 0.]])\ntensor([[-0.4466, -1.1186,  1.0923, -0.9533,  0.9189, -0.1976, -0.9351,  1.6400],\n        [-0.9354,  0.8853,  2.0554, -1.0670, -0.1652, -0.2095, -0.8933,  0.3296],\n        [-0.4579,  2.2525,  0.0829, -0.6276, -1.4468, -0.0980,  0.4384, -0.1435]],\n       grad_fn=<SelectBackward0>)\n");
}

/// `Transformer`'s checks of its inputs, and the decoder's arguments.
#[test]
fn decoder_inputs_pytorch_refuses_are_errors() {
    let cases = [
        ("t = Transformer(8, 2, 1, 1, 16)\ny = t(randn(5, 3, 8), randn(4, 2, 8))", Code::E0202, "the batch number of src and tgt must be equal"),
        (
            "t = Transformer(8, 2, 1, 1, 16)\ny = t(randn(5, 3, 8), randn(4, 3, 6))",
            Code::E0202,
            "the feature number of src and tgt must be equal to d_model",
        ),
        ("m = TransformerDecoder(TransformerEncoderLayer(8, 2), 2)", Code::E0107, "decoder_layer must be a `TransformerDecoderLayer`"),
        ("m = TransformerDecoderLayer(8, 2)\ny = m(randn(4, 2, 8))", Code::E0103, "`TransformerDecoderLayer` takes 2 to 8 arguments but 1 was given"),
        (
            "m = TransformerDecoderLayer(8, 2)\ny = m(randn(4, 2, 8), randn(3, 2, 6))",
            Code::E0202,
            "was expecting embedding dimension of 8, but got 6",
        ),
    ];
    for (program, code, expected) in cases {
        let (got, message, _) = first_error(&format!("{program}\n"));
        assert_eq!(got, code, "{program}: {message}");
        assert!(message.contains(expected), "{program}: {message}");
    }
}
