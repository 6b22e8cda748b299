//! `embedding_bag` and `EmbeddingBag` (`lower/embedding_bag.rs`): the lines of
//! PyTorch programs and what PyTorch 2.15 prints for them, and the checks made
//! before anything runs. Measured with `save`: every bit of PyTorch's values
//! and gradients for each mode, with and without `padding_idx`,
//! `per_sample_weights` and `include_last_offset`, in f32 and f64, with NaN
//! weights for `"max"` (44 calls, 180,652 numbers).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The three modes over constant offsets, their gradients, per-sample weights
/// and theirs, a 2-D input with `padding_idx` and `include_last_offset` with an
/// empty bag, as PyTorch 2.15 prints them.
#[test]
fn embedding_bag_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
w = randn(10, 3, requires_grad=true)
x = tensor([1, 2, 4, 5, 4, 3, 2, 9])
offsets = tensor([0, 4])
s = embedding_bag(x, w, offsets, mode="sum")
print(s)
m = embedding_bag(x, w, offsets)
print(m)
mx = embedding_bag(x, w, offsets, mode="max")
print(mx)
(s.sum() + (m * m).sum() + mx.sum()).backward()
print(w.grad)
w.grad = none
p = randn(8, requires_grad=true)
ps = embedding_bag(x, w, offsets, mode="sum", per_sample_weights=p)
print(ps)
ps.pow(2).sum().backward()
print(w.grad)
print(p.grad)
x2 = tensor([[0, 2, 0, 5], [4, 3, 0, 9]])
pm = embedding_bag(x2, w, padding_idx=0)
print(pm)
e = embedding_bag(tensor([1, 2, 3]), w, tensor([0, 1, 1, 3]), include_last_offset=true, mode="sum")
print(e)
"#;
    assert_eq!(run(program), "tensor([[-0.7417, -0.6424,  0.9024],\n        [-1.4070, -0.0047,  2.7891]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[-0.1854, -0.1606,  0.2256],\n        [-0.3517, -0.0012,  0.6973]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[0.1198, 1.2377, 0.6920],\n        [0.1198, 1.2377, 2.3022]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[0.0000, 0.0000, 0.0000],\n        [0.9073, 0.9197, 2.1128],\n        [1.7314, 1.9191, 2.4614],\n        [0.8241, 0.9994, 1.3486],\n        [3.7314, 3.9191, 2.4614],\n        [0.9073, 0.9197, 1.1128],\n        [0.0000, 0.0000, 0.0000],\n        [0.0000, 0.0000, 0.0000],\n        [0.0000, 0.0000, 0.0000],\n        [0.8241, 0.9994, 2.3486]])\ntensor([[ 0.2450, -1.6215, -0.3609],\n        [ 1.8335, -0.9717,  3.8706]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[  0.0000,   0.0000,   0.0000],\n        [ -0.3468,   2.2957,   0.5110],\n        [  0.8828,  -0.1504,   2.0507],\n        [ -5.5192,   2.9250, -11.6515],\n        [ -3.1241,   5.3632,  -4.4127],\n        [ -0.2333,   1.5444,   0.3437],\n        [  0.0000,   0.0000,   0.0000],\n        [  0.0000,   0.0000,   0.0000],\n        [  0.0000,   0.0000,   0.0000],\n        [  6.6160,  -3.5063,  13.9669]])\ntensor([-3.4645,  6.4723, -3.8515,  1.9124, -3.0764, -2.9274,  5.4466, 16.9980])\ntensor([[-0.2138, -1.3644,  0.1769],\n        [-0.3637,  0.7035,  0.8223]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[-0.4339,  0.8487,  0.6920],\n        [ 0.0000,  0.0000,  0.0000],\n        [-1.5793, -1.7652,  0.6304]], grad_fn=<EmbeddingBagBackward0>)\n");
}

/// Bags of 37 columns with repeated rows, whose gradients PyTorch accumulates
/// with fused multiply-adds in the order of `indices.sort()`, and the
/// gradient of per-sample weights in MKL's `sdot` order (`ddot` for 70 f64
/// columns with padding): every bit, through Python's `repr` of `tolist()`.
/// Rounding each product before adding changes the second to fourth lines.
#[test]
fn embedding_bag_gradients_are_pytorchs_bits() {
    let program = r#"
manual_seed(0)
w = randn(12, 37, requires_grad=true)
ids = randint(0, 12, (90,))
offsets = tensor([0, 7, 7, 30, 52, 80])
p = randn(90, requires_grad=true)
m = embedding_bag(ids, w, offsets, mode="mean")
s = embedding_bag(ids, w, offsets, mode="sum", per_sample_weights=p)
g = randn(6, 37)
((m + s) * g).sum().backward()
print(m[3, :4].tolist())
print(s[4, :4].tolist())
print(w.grad[ids[0], :6].tolist())
print(w.grad.sum().item(), w.grad.abs().sum().item())
print(p.grad[:6].tolist())
print(p.grad.sum().item())
d = randn(12, 70, dtype=float64, requires_grad=true)
q = randn(90, dtype=float64, requires_grad=true)
e = embedding_bag(ids, d, offsets, mode="sum", per_sample_weights=q, padding_idx=2)
e.pow(2).sum().backward()
print(q.grad[:5].tolist())
print(d.grad.sum().item())
"#;
    assert_eq!(run(program), "[-0.6537296772003174, 0.5931219458580017, -0.6122764348983765, 0.2728842794895172]\n[-10.56580638885498, 0.7773478031158447, -9.076086044311523, 8.729079246520996]\n[-3.6019461154937744, 1.7775012254714966, -7.551763534545898, -3.4063968658447266, 2.614469289779663, -2.036109209060669]\n-75.59844970703125 1045.4970703125\n[1.354519248008728, -7.691860198974609, 7.547941207885742, 6.916173934936523, -9.330066680908203, 0.8321948051452637]\n176.7122802734375\n[0.0, -151.47865059519523, 155.56359835335502, 14.619640765428798, 11.228741769397233]\n1011.5099943069905\n");
}

/// `EmbeddingBag` modules: their repr, the weight (`padding_idx` counted from
/// the end and zeroed), a call with offsets and with per-sample weights, a
/// `"max"` bag with `include_last_offset` and its gradient, and a 2-D call.
#[test]
fn embedding_bag_modules_print_as_pytorch() {
    let program = r#"
manual_seed(0)
bag = EmbeddingBag(10, 3, mode="sum", padding_idx=-1)
print(bag)
print(bag.weight)
ids = tensor([1, 9, 4, 4, 3, 9])
print(bag(ids, tensor([0, 2, 5])))
print(bag(ids, tensor([0, 2, 5]), per_sample_weights=arange(6.0)))
mx = EmbeddingBag(10, 3, mode="max", include_last_offset=true)
print(mx)
out = mx(ids, tensor([0, 3, 6]))
print(out)
out.sum().backward()
print(mx.weight.grad)
mean = EmbeddingBag(5, 2)
print(mean(tensor([[0, 1, 2], [4, 4, 3]])))
print(len(list(mean.parameters())), mean.mode, mean.include_last_offset, mean.padding_idx)
"#;
    assert_eq!(run(program), "EmbeddingBag(10, 3, mode='sum', padding_idx=9)\nParameter containing:\ntensor([[-1.1258, -1.1524, -0.2506],\n        [-0.4339,  0.8487,  0.6920],\n        [-0.3160, -2.1152,  0.3223],\n        [-1.2633,  0.3500,  0.3081],\n        [ 0.1198,  1.2377, -0.1435],\n        [-0.1116, -0.6136,  0.0316],\n        [-0.4927,  0.2484,  0.4397],\n        [ 0.1124, -0.8411, -2.3160],\n        [-0.1023,  0.7924, -0.2897],\n        [ 0.0000,  0.0000,  0.0000]], requires_grad=True)\ntensor([[-0.4339,  0.8487,  0.6920],\n        [-1.0237,  2.8253,  0.0212],\n        [ 0.0000,  0.0000,  0.0000]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[ 0.0000,  0.0000,  0.0000],\n        [-4.4541,  7.5882,  0.5152],\n        [ 0.0000,  0.0000,  0.0000]], grad_fn=<EmbeddingBagBackward0>)\nEmbeddingBag(10, 3, mode='max')\ntensor([[2.3025, 3.4105, 0.1778],\n        [2.3025, 3.4105, 0.7440]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[0., 0., 0.],\n        [0., 0., 1.],\n        [0., 0., 0.],\n        [0., 0., 1.],\n        [0., 2., 0.],\n        [0., 0., 0.],\n        [0., 0., 0.],\n        [0., 0., 0.],\n        [0., 0., 0.],\n        [2., 0., 0.]])\ntensor([[ 0.7699, -0.3403],\n        [ 0.4833,  0.2978]], grad_fn=<EmbeddingBagBackward0>)\n1 mean False None\n");
}

/// Wrong offsets, modes, weights, ranks, dtypes and indices are compile
/// errors in PyTorch's words where it has them.
#[test]
fn bad_embedding_bag_calls_are_compile_errors() {
    let cases: &[(&str, Code, &str)] = &[
        ("o = embedding_bag(tensor([0, 1]), randn(4, 2))\n", Code::E0107, "offsets has to be a 1D Tensor but got None"),
        (
            "o = embedding_bag(tensor([[0, 1]]), randn(4, 2), tensor([0]))\n",
            Code::E0107,
            "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type <class 'torch.Tensor'>",
        ),
        (
            "o = embedding_bag(tensor([0, 1]), randn(4, 2), tensor([1]))\n",
            Code::E0107,
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got 1",
        ),
        (
            "o = embedding_bag(tensor([0, 1]), randn(4, 2), tensor([0, 3]))\n",
            Code::E0107,
            "offsets[-1] can not be greater than input's length 2 but got offsets[-1] of 3",
        ),
        ("o = embedding_bag(tensor([0, 1, 2]), randn(4, 2), tensor([0, 2, 1]))\n", Code::E0107, "offsets must not decrease"),
        (
            "o = embedding_bag(tensor([0, 1, 2]), randn(4, 2), tensor([0, 2]), include_last_offset=true)\n",
            Code::E0107,
            "with include_last_offset=true the last offset ends the last bag, and must be the input's length 3, not 2",
        ),
        ("o = embedding_bag(tensor([0, 1]), randn(4, 2), tensor([0]), mode=\"median\")\n", Code::E0107, "mode has to be one of sum, mean or max"),
        (
            "o = embedding_bag(tensor([0, 1]), randn(4, 2), tensor([0]), per_sample_weights=ones(2))\n",
            Code::E0107,
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='mean'). Please open a feature request on GitHub.",
        ),
        (
            "o = embedding_bag(tensor([0, 1]), randn(4, 2), tensor([0]), mode=\"sum\", per_sample_weights=ones(3))\n",
            Code::E0202,
            "embedding_bag: If per_sample_weights ([3]) is not None, then it must have the same shape as the input ([2])",
        ),
        ("o = embedding_bag(tensor([0, 7]), randn(4, 2), tensor([0]))\n", Code::E0281, "index 7 is out of bounds for dimension 0 with size 4"),
        ("o = embedding_bag(tensor([0, 1]), randn(4, 2), tensor([0]), max_norm=1.0)\n", Code::E0107, "`embedding_bag`'s `max_norm` is not supported"),
        ("o = embedding_bag(zeros(2, 2, 2).long(), randn(4, 2))\n", Code::E0202, "input has to be 1D or 2D Tensor, but got Tensor of dimension 3"),
        ("o = embedding_bag(tensor([0.0, 1.0]), randn(4, 2), tensor([0]))\n", Code::E0281, "`embedding_bag`'s input must be an i64 tensor, not f32"),
        (
            "o = embedding_bag(tensor([0, 1]), randn(4, 2), tensor([0]), padding_idx=4)\n",
            Code::E0107,
            "padding_idx must be within the number of embeddings, -4 through 3, but got 4",
        ),
        ("m = EmbeddingBag(4, 2, sparse=true)\n", Code::E0107, "this option of `EmbeddingBag` is not supported"),
        ("m = EmbeddingBag(4, 2, mode=\"min\")\n", Code::E0107, "mode has to be one of sum, mean or max"),
    ];
    for (source, code, message) in cases {
        let (c, m, _) = first_error(source);
        assert_eq!((c, m.as_str()), (*code, *message), "{source}");
    }
}

/// `Embedding.from_pretrained` and `EmbeddingBag.from_pretrained`: the
/// vectors as the weight (frozen by default), no random draw (the `randn`
/// after them gives PyTorch's numbers) and no padding row zeroed, trained a
/// step by SGD, as PyTorch 2.15 prints it.
#[test]
fn from_pretrained_modules_print_as_pytorch() {
    let program = r#"

manual_seed(0)
weight = tensor([[1, 2.3, 3], [4, 5.1, 6.3]])
embedding = Embedding.from_pretrained(weight)
print(embedding)
print(embedding(tensor([1])))
print(embedding.weight.requires_grad, len(list(embedding.parameters())))
vectors = randn(6, 4)
bag = EmbeddingBag.from_pretrained(vectors, freeze=false, mode="sum", padding_idx=2)
print(bag)
out = bag(tensor([[0, 2, 5], [1, 1, 3]]))
print(out)
out.sum().backward()
print(bag.weight.grad)
print(randn(2))
e2 = Embedding.from_pretrained(vectors, freeze=false, padding_idx=0)
print(e2.weight[0])
opt = SGD(e2.parameters(), lr=0.1)
e2(tensor([0, 3])).sum().backward()
opt.step()
print(e2.weight[:4])

"#;
    assert_eq!(run(program), "Embedding(2, 3)\ntensor([[4.0000, 5.1000, 6.3000]])\nFalse 1\nEmbeddingBag(6, 4, mode='sum', padding_idx=2)\ntensor([[-0.5078, -1.5652, -1.0916, -2.7499],\n        [ 1.8639,  2.2584, -0.7755, -4.3420]], grad_fn=<EmbeddingBagBackward0>)\ntensor([[1., 1., 1., 1.],\n        [2., 2., 2., 2.],\n        [0., 0., 0., 0.],\n        [1., 1., 1., 1.],\n        [0., 0., 0., 0.],\n        [1., 1., 1., 1.]])\ntensor([0.3704, 1.4565])\ntensor([-1.1258, -1.1524, -0.2506, -0.4339], grad_fn=<SelectBackward0>)\ntensor([[-1.1258, -1.1524, -0.2506, -0.4339],\n        [ 0.8487,  0.6920, -0.3160, -2.1152],\n        [ 0.4681, -0.1577,  1.4437,  0.2660],\n        [ 0.0665,  0.7744, -0.2435, -0.2116]], grad_fn=<SliceBackward0>)\n");
    let (code, msg, _) = first_error("e = Embedding.from_pretrained(randn(4))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "Embeddings parameter is expected to be 2-dimensional"));
}
