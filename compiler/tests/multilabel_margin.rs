//! `multilabel_margin_loss` and `MultiLabelMarginLoss`
//! (`lower/multilabel_margin.rs`): the lines of a PyTorch program and what
//! PyTorch 2.15 prints for them, and the checks made before anything runs.
//! Measured with `save`: every bit of PyTorch's losses and input gradients on
//! [300, 17] inputs with random targets, for each reduction in f32 and f64
//! (31,204 numbers).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The module on the documentation's example, each reduction over targets
/// that end early, repeat a class or end at once, a 1-D input (0-d loss even
/// without reduction), and 64 rows in f64 and f32 whose sums show every bit
/// through Python's `repr`, as PyTorch 2.15 prints them.
#[test]
fn multilabel_margin_loss_prints_as_pytorch() {
    let program = r#"
manual_seed(0)
loss = MultiLabelMarginLoss()
x = tensor([[0.1, 0.2, 0.4, 0.8]], requires_grad=true)
y = tensor([[3, 0, -1, 1]])
out = loss(x, y)
print(loss)
print(out)
out.backward()
print(x.grad)
z = randn(5, 6, requires_grad=true)
t = tensor([[1, 4, -1, 0, 0, 0], [0, 1, 2, 3, 4, 5], [2, 2, -1, 3, 3, 3], [-1, 0, 0, 0, 0, 0], [5, 0, 3, -1, 2, 2]])
l = multilabel_margin_loss(z, t, reduction="none")
print(l)
(l * arange(5.0)).sum().backward()
print(z.grad)
z.grad = none
s = multilabel_margin_loss(z, t, reduction="sum")
print(s)
s.backward()
print(z.grad)
v = randn(4, requires_grad=true)
u = multilabel_margin_loss(v, tensor([2, 0, -1, 1]), reduction="none")
print(u)
u.backward()
print(v.grad)
big = randn(64, 10, dtype=float64, requires_grad=true)
bt = randint(-1, 10, (64, 10))
b = multilabel_margin_loss(big, bt)
print(b.item())
b.backward()
print(big.grad.sum().item(), big.grad.abs().sum().item())
f = randn(64, 10)
print(multilabel_margin_loss(f, bt).item(), multilabel_margin_loss(f, bt, reduction="none")[:4].tolist())
"#;
    assert_eq!(run(program), "MultiLabelMarginLoss()\ntensor(0.8500, grad_fn=<MultilabelMarginLossBackward0>)\ntensor([[-0.5000,  0.5000,  0.5000, -0.5000]])\ntensor([1.3891, 0.0000, 2.1271, 0.0000, 1.3668],\n       grad_fn=<MultilabelMarginLossBackward0>)\ntensor([[ 0.0000, -0.0000,  0.0000,  0.0000, -0.0000,  0.0000],\n        [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [ 0.6667,  0.6667, -3.3333,  0.6667,  0.6667,  0.6667],\n        [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [-2.0000,  1.3333,  1.3333, -2.0000,  1.3333,  0.0000]])\ntensor(4.8829, grad_fn=<MultilabelMarginLossBackward0>)\ntensor([[ 0.1667, -0.6667,  0.1667,  0.1667, -0.1667,  0.3333],\n        [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [ 0.3333,  0.3333, -1.6667,  0.3333,  0.3333,  0.3333],\n        [ 0.0000,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000],\n        [-0.5000,  0.3333,  0.3333, -0.5000,  0.3333,  0.0000]])\ntensor(1.6840, grad_fn=<MultilabelMarginLossBackward0>)\ntensor([-0.5000,  0.5000, -0.5000,  0.5000])\n3.384428117070727\n-8.326672684688674e-17 4.371875\n3.7632875442504883 [2.3537912368774414, 5.716490745544434, 1.7313745021820068, 7.892516136169434]\n");
}

/// A target of another size, a class out of range, a float target and an
/// input of rank 3 are compile errors in PyTorch's words.
#[test]
fn bad_multilabel_margin_calls_are_compile_errors() {
    let cases: &[(&str, Code, &str)] = &[
        ("l = multilabel_margin_loss(randn(3, 4), zeros(3).long())\n", Code::E0202, "inconsistent target size: [3] for input of size: [3, 4]"),
        (
            "l = multilabel_margin_loss(randn(3, 4), tensor([[0, 1, 2, 5], [0, 1, 2, 3], [0, 1, 2, 3]]))\n",
            Code::E0281,
            "argument #2 'target' is out of range",
        ),
        ("l = multilabel_margin_loss(randn(3, 4), zeros(3, 4))\n", Code::E0204, "expected scalar type Long but found Float"),
        (
            "l = multilabel_margin_loss(randn(2, 3, 4), zeros(2, 3, 4).long())\n",
            Code::E0202,
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 3, 4]",
        ),
    ];
    for (source, code, message) in cases {
        let (c, m, _) = first_error(source);
        assert_eq!((c, m.as_str()), (*code, *message), "{source}");
    }
}
