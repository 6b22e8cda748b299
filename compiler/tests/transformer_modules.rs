//! `TransformerEncoderLayer` and `TransformerEncoder`
//! (`lower/transformer_modules.rs`): reprs, parameter names, deep-copied
//! layers, outputs in training (dropout's draws in PyTorch's order, a
//! batch-first attention output's mask in its memory order), a causal mask,
//! `norm_first` with GELU, and a model trained with Adam, as PyTorch 2.15
//! prints them for the same programs; and the errors.

mod common;

use common::{first_error, run};
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
