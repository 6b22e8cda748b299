//! `embedding`, `outer`, `softsign`, `tanhshrink` and `softmin`
//! (`lower/nn_composites.rs`), which PyTorch writes as compositions of other
//! ops: the same ops in the same order give PyTorch 2.15's values, gradients
//! and `grad_fn` names, which the Python beside the program prints.

use crate::common;

use crate::common::run;
use graphc_compiler::diag::Code;

/// Lookups with repeated rows (their gradients add up in index order) and a
/// `padding_idx` whose row keeps a zero gradient; an outer product; the three
/// activations and their gradients together.
#[test]
fn the_composites_match_pytorch_bit_for_bit() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // w = torch.randn(5, 3, requires_grad=True)
    // ids = torch.tensor([[1, 0, 4], [1, 1, 2]])
    // e = F.embedding(ids, w)
    // print(e.shape, e.grad_fn.name())
    // (e * torch.arange(18.0).reshape(2, 3, 3)).sum().backward()
    // print(w.grad)
    // w.grad = None
    // e = F.embedding(ids, w, padding_idx=1)
    // (e * e).sum().backward()
    // print(w.grad)
    // a = torch.randn(3, requires_grad=True)
    // b = torch.randn(4, requires_grad=True)
    // o = torch.outer(a, b)
    // print(o, o.grad_fn.name())
    // o.sum().backward()
    // print(a.grad, b.grad)
    // x = torch.randn(2, 4, requires_grad=True)
    // y = F.softsign(x) + F.tanhshrink(x) * 2 + F.softmin(x, dim=1)
    // print(y)
    // y.sum().backward()
    // print(x.grad)
    // print(F.softmin(x, 0).grad_fn.name(), F.softsign(x).grad_fn.name(), F.tanhshrink(x).grad_fn.name())
    let program = r#"
manual_seed(0)
w = randn(5, 3, requires_grad=true)
ids = tensor([[1, 0, 4], [1, 1, 2]])
e = embedding(ids, w)
print(e.shape, e.grad_fn.name())
(e * arange(18.0).reshape(2, 3, 3)).sum().backward()
print(w.grad)
w.grad = none
e = embedding(ids, w, padding_idx=1)
(e * e).sum().backward()
print(w.grad)
a = randn(3, requires_grad=true)
b = randn(4, requires_grad=true)
o = outer(a, b)
print(o, o.grad_fn.name())
o.sum().backward()
print(a.grad, b.grad)
x = randn(2, 4, requires_grad=true)
y = softsign(x) + tanhshrink(x) * 2 + softmin(x, dim=1)
print(y)
y.sum().backward()
print(x.grad)
print(softmin(x, 0).grad_fn.name(), softsign(x).grad_fn.name(), tanhshrink(x).grad_fn.name())
"#;
    let want = "\
torch.Size([2, 3, 3]) EmbeddingBackward0
tensor([[ 3.,  4.,  5.],
        [21., 24., 27.],
        [15., 16., 17.],
        [ 0.,  0.,  0.],
        [ 6.,  7.,  8.]])
tensor([[ 3.0820, -0.5869, -4.3576],
        [ 0.0000,  0.0000,  0.0000],
        [ 0.8067,  1.6761, -1.4385],
        [ 0.0000,  0.0000,  0.0000],
        [-1.7133,  2.2012, -2.1424]])
tensor([[-0.1094, -0.1852,  0.0454,  0.1787],
        [ 0.5052,  0.8546, -0.2098, -0.8248],
        [-0.3328, -0.5631,  0.1382,  0.5434]], grad_fn=<MulBackward0>) MulBackward0
tensor([-0.5742, -0.5742, -0.5742]) tensor([-0.0705, -0.0705, -0.0705, -0.0705])
tensor([[ 1.0932,  0.9219,  0.5869,  1.5259],
        [-1.0180, -0.4583,  0.0941, -0.3930]], grad_fn=<AddBackward0>)
tensor([[1.3466, 1.1618, 0.7758, 1.6473],
        [1.6672, 1.1804, 0.9604, 1.0974]])
SoftmaxBackward0 DivBackward0 SubBackward0
";
    assert_eq!(run(program), want);
}

/// PyTorch's refusals, at the argument.
#[test]
fn what_the_composites_refuse_is_an_error_at_the_argument() {
    let first = common::first_error;
    let pad = "w = ones(5, 3)\ne = embedding(tensor([0]), w, padding_idx=5)\n";
    assert_eq!(first(pad), (Code::E0107, "Padding_idx must be within num_embeddings".to_string(), pad.find("5)").unwrap()));
    let floats = "w = ones(5, 3)\ne = embedding(tensor([0.0]), w)\n";
    assert_eq!(first(floats).0, Code::E0281);
    let range = "w = ones(5, 3)\ne = embedding(tensor([5]), w)\n";
    assert_eq!(first(range).0, Code::E0281);
    let max_norm = "w = ones(5, 3)\ne = embedding(tensor([0]), w, max_norm=1.0)\n";
    assert_eq!(first(max_norm).0, Code::E0107);
    let matrix = "o = outer(ones(2, 2), ones(3))\n";
    assert_eq!(first(matrix), (Code::E0202, "outer: Expected 1-D argument self, but got 2-D".to_string(), matrix.find("ones(2, 2)").unwrap()));
    assert_eq!(first("y = softmin(ones(3))\n").0, Code::E0241);
}
