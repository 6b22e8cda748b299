//! `scaled_dot_product_attention` (`F.scaled_dot_product_attention`): the
//! lines of a PyTorch program and what PyTorch 2.15 prints for them, and the
//! calls PyTorch refuses. The full-precision differences from PyTorch's fused
//! kernel are measured in docs/act-language.md, not here.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Outputs (4-d, causal, bool and float masks with a scale, 3-d, 2-d, fully masked rows), gradients and dropout as PyTorch 2.15 prints them.
#[test]
fn sdpa_prints_pytorchs_values() {
    let program = r#"
manual_seed(0)
q = randn(2, 3, 5, 4, requires_grad=true)
k = randn(2, 3, 6, 4, requires_grad=true)
v = randn(2, 3, 6, 4, requires_grad=true)
out = scaled_dot_product_attention(q, k, v)
print(out[0, 0])
causal = scaled_dot_product_attention(q, k[:, :, :5], v[:, :, :5], is_causal=true)
print(causal[1, 2])
mask = rand(5, 6) > 0.3
masked = scaled_dot_product_attention(q, k, v, attn_mask=mask)
print(masked[0, 1])
bias = randn(5, 6)
biased = scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=0.25)
print(biased[1, 0])
x = scaled_dot_product_attention(q[0], k[0], v[0])
print(x[2])
y = scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0])
print(y)
dead = zeros(5, 6, dtype=bool)
dead[0, :] = true
dead[1:, 0] = true
z = scaled_dot_product_attention(q[0], k[0], v[0], attn_mask=dead.logical_not())
print(z[0])
loss = out.pow(2).sum() + causal.sum() + masked.sum() + (biased * 2).sum() + z.sum()
loss.backward()
print(q.grad[0, 0])
print(k.grad[1, 2])
print(v.grad[0, 1])
manual_seed(1)
d = scaled_dot_product_attention(q, k, v, dropout_p=0.5)
print(d[0, 0])
"#;
    assert_eq!(run(program), "tensor([[-0.7415, -0.5454, -0.1749, -0.7998],\n        [-0.7060, -0.4335,  0.2275, -0.7141],\n        [-0.9909, -0.3352, -0.4296, -0.3130],\n        [-0.7504, -1.2537, -0.2673,  0.2395],\n        [-1.1397, -0.2287, -0.7510, -0.4447]], grad_fn=<SelectBackward0>)\ntensor([[-0.6353, -0.1629,  0.4930, -0.4781],\n        [-1.5060,  0.4672,  0.0857, -1.1410],\n        [-1.1524, -0.0893, -0.0400, -0.5163],\n        [-1.8665,  0.3146, -0.3594, -0.4359],\n        [-1.1928,  0.0994, -0.2700, -0.2474]], grad_fn=<SelectBackward0>)\ntensor([[-1.3185, -0.4807,  0.5512, -1.5200],\n        [-0.7131,  0.1081,  0.3115, -0.5381],\n        [-1.1969,  0.0943, -0.3067, -1.1039],\n        [-0.3059,  0.4879, -0.3454, -0.6741],\n        [-0.9427, -0.1922,  0.2444, -1.1580]], grad_fn=<SelectBackward0>)\ntensor([[ 0.6565, -0.7188,  0.6401, -0.9239],\n        [ 0.7471, -0.6386,  0.7670, -0.4775],\n        [ 0.5916, -0.8232,  0.5894, -1.1321],\n        [ 0.8487, -0.2727,  0.6928, -0.3422],\n        [ 0.7163, -0.3882,  0.7654, -0.3919]], grad_fn=<SelectBackward0>)\ntensor([[-0.4529,  0.0061, -0.0599, -0.4876],\n        [-1.1329, -0.3197,  0.2928, -0.6829],\n        [ 0.0484,  0.3596, -0.0861, -0.5927],\n        [-0.1110,  0.1741, -0.0419, -0.6081],\n        [ 0.0578,  0.5065, -0.1726, -0.5557]], grad_fn=<SelectBackward0>)\ntensor([[-0.7415, -0.5454, -0.1749, -0.7998],\n        [-0.7060, -0.4335,  0.2275, -0.7141],\n        [-0.9909, -0.3352, -0.4296, -0.3130],\n        [-0.7504, -1.2537, -0.2673,  0.2395],\n        [-1.1397, -0.2287, -0.7510, -0.4447]], grad_fn=<MmBackward0>)\ntensor([[ 0.0000,  0.0000,  0.0000,  0.0000],\n        [-0.3625, -0.1629,  0.3586, -0.1549],\n        [-1.0063, -0.2882, -0.5360, -0.1795],\n        [-0.7304, -1.3383, -0.3207,  0.4030],\n        [-1.1443, -0.2215, -0.7689, -0.4329]], grad_fn=<SelectBackward0>)\ntensor([[ 0.0521,  0.0110, -0.5516, -0.1373],\n        [ 2.2225,  0.5677, -0.2092,  0.1998],\n        [ 1.1694,  0.7172, -1.2149,  0.3817],\n        [ 2.6684,  0.8404, -0.7978,  0.6752],\n        [ 0.7518, -0.0641, -0.2344,  0.0301]])\ntensor([[-0.1719,  0.0417, -0.0090, -0.4228],\n        [ 0.8979,  0.3071,  0.1521,  0.1222],\n        [-0.0163,  0.1370,  0.0030,  0.4655],\n        [ 0.3908, -0.0475,  0.2491,  0.1105],\n        [-0.4402, -0.4207, -0.1800,  0.2085],\n        [-0.6604, -0.0176, -0.2151, -0.4838]])\ntensor([[3.3748, 5.0379, 5.2535, 3.6867],\n        [4.1050, 5.7933, 6.0303, 4.4420],\n        [2.8869, 4.5530, 5.2921, 2.9605],\n        [3.3850, 4.1627, 4.3876, 3.2644],\n        [1.0558, 2.3192, 2.7280, 1.0336],\n        [1.5820, 2.4683, 2.5107, 1.6589]])\ntensor([[-0.3690, -1.3458,  0.6062, -1.4533],\n        [-1.5223, -0.7966,  0.4284, -0.9724],\n        [-0.3954, -0.7858,  0.2143, -0.1320],\n        [ 0.0000,  0.0000,  0.0000,  0.0000],\n        [-0.1953, -0.9022,  0.2339, -0.5959]], grad_fn=<SelectBackward0>)\n");
}

/// A mask together with `is_causal`, a dropout probability of 1 or more,
/// keys of other features and queries of one dimension are PyTorch's errors.
#[test]
fn sdpa_refuses_what_pytorch_refuses() {
    let qkv = "q = randn(2, 5, 4)\nk = randn(2, 6, 4)\nv = randn(2, 6, 3)\n";
    let err = |call: &str| first_error(&format!("{qkv}print({call})\n")).0;
    assert_eq!(err("scaled_dot_product_attention(q, k, v, attn_mask=ones(5, 6) > 0, is_causal=true)"), Code::E0107);
    assert_eq!(err("scaled_dot_product_attention(q, k, v, dropout_p=1.0)"), Code::E0270);
    assert_eq!(err("scaled_dot_product_attention(q, randn(2, 6, 3), v)"), Code::E0202);
    assert_eq!(err("scaled_dot_product_attention(q, k, v, attn_mask=ones(4, 6) > 0)"), Code::E0221);
    assert_eq!(err("scaled_dot_product_attention(randn(4), k, v)"), Code::E0221);
}
/// `enable_gqa` repeats the keys' and values' heads, and a negative scale negates the queries' factor, as PyTorch 2.15 does.
#[test]
fn grouped_query_attention_is_pytorchs() {
    let program = r#"
manual_seed(0)
q = randn(1, 4, 3, 2)
k = randn(1, 2, 5, 2)
v = randn(1, 2, 5, 2)
print(scaled_dot_product_attention(q, k, v, enable_gqa=true)[0, 3])
print(scaled_dot_product_attention(q, k, v, scale=-0.5, enable_gqa=true)[0, 1])
"#;
    assert_eq!(run(program), "tensor([[-0.0035,  0.2297],\n        [ 0.2888, -0.1594],\n        [ 0.4741, -0.6227]])\ntensor([[ 0.0999, -1.1151],\n        [-0.6865, -0.6816],\n        [-0.9918, -0.6726]])\n");
}
