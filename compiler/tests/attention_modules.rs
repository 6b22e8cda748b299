//! `MultiheadAttention` (`lower/attention_modules.rs`): its repr, parameter
//! names and draws, outputs, attention weights (averaged or per head) and
//! gradients with masks (bool causal and key padding), batch-first, unbatched
//! and evaluation, and a block trained with Adam, as PyTorch 2.15 prints them
//! for the same programs; and PyTorch's errors. Values are printed to
//! PyTorch's 4 digits: the in- and out-projections are matrix products whose
//! last bits are MKL's (docs/NUMERICS.md).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn attention_gives_pytorchs_outputs_weights_and_gradients() {
    let program = r#"
manual_seed(0)
mha = MultiheadAttention(8, 2)
print(mha)
print([(n, list(p.shape)) for n, p in mha.named_parameters()])
print(mha.out_proj.bias, mha.in_proj_weight[0, :4])
x = randn(5, 3, 8)
out, w = mha(x, x, x)
print(out.shape, w.shape, out.grad_fn.name(), w.grad_fn.name())
print(out[0], w[0])
out.sum().backward()
print(mha.in_proj_weight.grad[0, :4], mha.out_proj.weight.grad[0, :4])
m2 = MultiheadAttention(4, 4, batch_first=true, dropout=0.0)
q = randn(2, 3, 4)
kv = randn(2, 6, 4)
pad = tensor([[false, false, false, false, true, true], [false] * 6])
o2, w2 = m2(q, kv, kv, key_padding_mask=pad, average_attn_weights=false)
print(o2.shape, w2.shape)
print(w2[0, 0])
causal = triu(ones(5, 5), diagonal=1).bool()
o3, w3 = mha(x, x, x, attn_mask=causal, need_weights=true)
print(w3[1])
o4, w4 = mha(x[:, 0], x[:, 0], x[:, 0])
print(o4.shape, w4.shape, w4 is none)
o5, w5 = mha(x[:, 1], x[:, 1], x[:, 1], key_padding_mask=tensor([false, false, true, false, false]))
print(w5)
mha.eval()
o6, _ = mha(x, x, x)
print(o6[4, 2])
"#;
    assert_eq!(run(program), "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)\n[('in_proj_weight', [24, 8]), ('in_proj_bias', [24]), ('out_proj.weight', [8, 8]), ('out_proj.bias', [8])]\nParameter containing:\ntensor([0., 0., 0., 0., 0., 0., 0., 0.], requires_grad=True) tensor([0.1702, 0.3588, 0.3768, 0.3821], grad_fn=<SliceBackward0>)\ntorch.Size([5, 3, 8]) torch.Size([3, 5, 5]) ViewBackward0 MeanBackward1\ntensor([[-0.3340, -0.1310, -0.3775,  0.0746,  0.0389,  0.0910,  0.3647, -0.3151],\n        [ 0.1002,  0.0180,  0.0177,  0.0481,  0.3222,  0.0567,  0.0218,  0.0052],\n        [ 0.1270, -0.1705,  0.3987, -0.0659, -0.0917, -0.2742, -0.1072,  0.2282]],\n       grad_fn=<SelectBackward0>) tensor([[0.2729, 0.1597, 0.1188, 0.2078, 0.2408],\n        [0.1717, 0.2528, 0.2611, 0.1633, 0.1511],\n        [0.1128, 0.1477, 0.4453, 0.2298, 0.0644],\n        [0.1869, 0.1557, 0.3209, 0.2523, 0.0842],\n        [0.2549, 0.1328, 0.1083, 0.1895, 0.3145]], grad_fn=<SelectBackward0>)\ntensor([ 0.3229, -0.4309,  0.7401, -0.8402]) tensor([-1.6256,  0.0364,  3.9009, -0.8260])\ntorch.Size([2, 3, 4]) torch.Size([2, 4, 3, 6])\ntensor([[0.2528, 0.2494, 0.2498, 0.2480, 0.0000, 0.0000],\n        [0.2897, 0.2409, 0.2457, 0.2237, 0.0000, 0.0000],\n        [0.2567, 0.2485, 0.2494, 0.2454, 0.0000, 0.0000]],\n       grad_fn=<SelectBackward0>)\ntensor([[1.0000, 0.0000, 0.0000, 0.0000, 0.0000],\n        [0.5772, 0.4228, 0.0000, 0.0000, 0.0000],\n        [0.3038, 0.3094, 0.3868, 0.0000, 0.0000],\n        [0.2102, 0.2605, 0.2751, 0.2542, 0.0000],\n        [0.2753, 0.1636, 0.1044, 0.1894, 0.2673]], grad_fn=<SelectBackward0>)\ntorch.Size([5, 8]) torch.Size([5, 5]) False\ntensor([[0.2236, 0.2690, 0.0000, 0.2689, 0.2385],\n        [0.3154, 0.2308, 0.0000, 0.2432, 0.2105],\n        [0.2373, 0.2492, 0.0000, 0.2119, 0.3016],\n        [0.2378, 0.2945, 0.0000, 0.2874, 0.1803],\n        [0.3059, 0.1839, 0.0000, 0.2128, 0.2974]], grad_fn=<SqueezeBackward1>)\ntensor([-0.0193, -0.2643,  0.2687, -0.1797,  0.0047, -0.3747,  0.1081,  0.1420],\n       grad_fn=<SelectBackward0>)\n");
}

#[test]
fn a_causal_attention_block_trains_as_pytorch_does() {
    let program = r#"
class Block(Module) {
    fn __init__(self, d, heads) {
        super().__init__()
        self.attn = MultiheadAttention(d, heads, batch_first=true)
        self.norm = LayerNorm(d)
        self.head = Linear(d, 1)
    }

    fn forward(self, x, mask) {
        a, _ = self.attn(x, x, x, attn_mask=mask, need_weights=false)
        return self.head(self.norm(x + a)).squeeze(-1)
    }
}

manual_seed(0)
model = Block(16, 4)
print(model)
mask = triu(ones(6, 6), diagonal=1).bool()
x = randn(32, 6, 16)
y = x.cumsum(1)[:, :, 0]
opt = Adam(model.parameters(), lr=1e-2)
for step in range(30) {
    opt.zero_grad()
    loss = mse_loss(model(x, mask), y)
    loss.backward()
    opt.step()
    if step % 5 == 0 {
        print(f"step {step}: loss {loss.item():.4f}")
    }
}
"#;
    assert_eq!(run(program), "Block(\n  (attn): MultiheadAttention(\n    (out_proj): NonDynamicallyQuantizableLinear(in_features=16, out_features=16, bias=True)\n  )\n  (norm): LayerNorm((16,), eps=1e-05, elementwise_affine=True, bias=True)\n  (head): Linear(in_features=16, out_features=1, bias=True)\n)\nstep 0: loss 5.0635\nstep 5: loss 3.6537\nstep 10: loss 2.3533\nstep 15: loss 1.4122\nstep 20: loss 1.0977\nstep 25: loss 0.8311\n");
}

/// `kdim` and `vdim` other than `embed_dim`: three weights of their own
/// (`q_proj_weight`, `k_proj_weight`, `v_proj_weight`, each drawn by
/// `xavier_uniform_`), projected one by one as `_in_projection` does, batched,
/// batch-first and unbatched, with PyTorch 2.15's printed values.
#[test]
fn keys_and_values_of_other_sizes_get_projections_of_their_own() {
    let program = r#"


manual_seed(0)
m = MultiheadAttention(8, 2, kdim=6, vdim=5)
print(m)
print([(n, tuple(p.shape)) for n, p in m.named_parameters()])
print(m.in_proj_weight, m._qkv_same_embed_dim, m.kdim, m.vdim)
q = randn(5, 3, 8)
k = randn(7, 3, 6)
v = randn(7, 3, 5)
out, w = m(q, k, v)
print(out[2] * 10)
print(w[1])
out2, _ = m(q, k, v, need_weights=false)
print(out2[4])
out.sum().backward()
print(m.k_proj_weight.grad[0])
print(m.in_proj_bias.grad[:8], m.in_proj_bias.grad[16:])
mb = MultiheadAttention(8, 2, kdim=6, vdim=6, batch_first=true, bias=false)
print([n for n, _ in mb.named_parameters()])
x = randn(2, 4, 8)
mem = randn(2, 3, 6)
print(mb(x, mem, mem)[0][1])
un = m(q[:, 0], k[:, 0], v[:, 0])[0]
print(un[2])
"#;
    assert_eq!(run(program), "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)\n[('q_proj_weight', (8, 8)), ('k_proj_weight', (8, 6)), ('v_proj_weight', (8, 5)), ('in_proj_bias', (24,)), ('out_proj.weight', (8, 8)), ('out_proj.bias', (8,))]\nNone False 6 5\ntensor([[-2.9840, -1.7829, -1.4612, -2.0071, -3.0818, -1.2741,  2.6861, -1.6802],\n        [ 0.2479, -0.2512,  0.5310, -2.8662,  0.3374, -0.8856, -0.0565,  0.1854],\n        [ 3.6609,  2.0555,  2.7255, -2.3147,  0.6263, -1.4316, -1.2717, -1.0224]],\n       grad_fn=<MulBackward0>)\ntensor([[0.2961, 0.0562, 0.1007, 0.0836, 0.1173, 0.1230, 0.2231],\n        [0.1650, 0.1216, 0.1474, 0.1204, 0.1301, 0.1391, 0.1764],\n        [0.1970, 0.1017, 0.1838, 0.1696, 0.1494, 0.1049, 0.0937],\n        [0.1964, 0.1097, 0.1477, 0.1144, 0.1466, 0.1237, 0.1615],\n        [0.2961, 0.0800, 0.1824, 0.0895, 0.0883, 0.1069, 0.1568]],\n       grad_fn=<SelectBackward0>)\ntensor([[-0.1242,  0.1738, -0.2677,  0.3286,  0.1277,  0.2006, -0.0931,  0.0703],\n        [-0.0759, -0.1027,  0.0221, -0.2011, -0.0306, -0.0982,  0.0212,  0.0624],\n        [ 0.3602,  0.1580,  0.2864, -0.3886,  0.0430, -0.2037, -0.0442, -0.1769]],\n       grad_fn=<SelectBackward0>)\ntensor([ 0.1262, -0.1092, -0.3491, -1.2604,  1.0598, -0.9291])\ntensor([-0.1601,  0.1965,  2.4345,  0.2113,  0.6166,  0.3983, -3.3546,  0.5482]) tensor([ -3.7909,  -1.4717,  -7.8526, -19.5604, -10.9448,   5.6449,   0.6770,\n         17.1113])\n['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'out_proj.weight']\ntensor([[-0.3010, -0.1041, -0.3434, -0.3332,  0.0261,  0.0085, -0.1609,  0.6175],\n        [-0.5369,  0.2384, -0.2028,  0.4207, -0.0498, -0.2136,  0.0034, -0.0312],\n        [-0.4088,  0.2033, -0.3396,  0.2092, -0.0201, -0.1531, -0.0345,  0.1595],\n        [-0.3906, -0.1924, -0.4085, -0.5436,  0.0717,  0.0947, -0.2434,  0.8309]],\n       grad_fn=<SelectBackward0>)\ntensor([-0.2984, -0.1783, -0.1461, -0.2007, -0.3082, -0.1274,  0.2686, -0.1680],\n       grad_fn=<SelectBackward0>)\n");
}

#[test]
fn shapes_masks_and_options_pytorch_refuses_are_errors() {
    let x = "x = randn(5, 3, 8)\n";
    let cases = [
        ("m = MultiheadAttention(8, 3)".to_string(), Code::E0107, "embed_dim must be divisible by num_heads"),
        ("m = MultiheadAttention(8, 2, kdim=0)".to_string(), Code::E0107, "`kdim` must be a positive integer"),
        (
            "m = MultiheadAttention(8, 2, kdim=6, vdim=5)\ny = m(randn(5, 3, 8), randn(7, 3, 4), randn(7, 3, 5))".to_string(),
            Code::E0202,
            "expecting key weights shape of (8, 4), but got torch.Size([8, 6])",
        ),
        (
            "m = MultiheadAttention(8, 2, kdim=6, vdim=5)\ny = m(randn(5, 3, 8), randn(7, 3, 6), randn(6, 3, 5))".to_string(),
            Code::E0202,
            "key's sequence and batch dims torch.Size([7, 3]) do not match value's torch.Size([6, 3])",
        ),
        (
            format!("m = MultiheadAttention(8, 2)\n{x}o, w = m(x, x, x, attn_mask=ones(4, 5).bool())"),
            Code::E0202,
            "The shape of the 2D attn_mask is torch.Size([4, 5]), but should be (5, 5).",
        ),
        (
            format!("m = MultiheadAttention(8, 2)\n{x}o, w = m(x, x, x, key_padding_mask=zeros(3, 4).bool())"),
            Code::E0202,
            "Expected key_padded_mask.shape[1] to be 5, but got 4",
        ),
        (
            "m = MultiheadAttention(8, 2)\nx = randn(5, 3, 6)\no, w = m(x, x, x)".to_string(),
            Code::E0202,
            "was expecting embedding dimension of 8, but got 6",
        ),
        (
            format!("m = MultiheadAttention(8, 2)\n{x}o, w = m(x, x, x, is_causal=true)"),
            Code::E0107,
            "Need attn_mask if specifying the is_causal hint",
        ),
        (
            format!("m = MultiheadAttention(8, 2)\n{x}o, w = m(x, x, x, attn_mask=zeros(5, 5).long())"),
            Code::E0201,
            "only bool and floating types of attn_mask are supported",
        ),
    ];
    for (program, code, expected) in cases {
        let (got, message, _) = first_error(&format!("{program}\n"));
        assert_eq!(got, code, "{program}: {message}");
        assert!(message.contains(expected), "{program}: {message}");
    }
}

#[test]
fn a_bool_causal_mask_from_triu_is_pytorchs() {
    let program = "m = triu(ones(4, 4, dtype=bool), diagonal=1)\nprint(m, tril(ones(2, 3).bool(), diagonal=-1))\n";
    assert_eq!(
        run(program),
        "tensor([[False,  True,  True,  True],\n        [False, False,  True,  True],\n        [False, False, False,  True],\n        [False, False, False, False]]) tensor([[False, False, False],\n        [ True, False, False]])\n"
    );
}
