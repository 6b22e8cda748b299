//! Gradient clipping as published training code writes it: in-place updates
//! of a leaf's `.grad` (`p.grad[:] *= s`, `p.grad.mul_(s)`, `p.grad.clamp_(...)`)
//! that the next `backward` accumulates into, and d2l's `grad_clipping` (a run-time
//! `if` over the gradients' norm with a `for` over the parameters in it) in a
//! training loop. The expected text is what PyTorch 2.15 prints for the same lines.

use crate::common::run;
use graphc_compiler::driver::compile;

/// An update of `.grad` in place is the leaf's gradient from then on, at the top
/// level, in a run-time `if` and through a loop variable, and `backward` adds to it.
#[test]
fn updates_of_a_gradient_in_place_are_the_leafs_gradient() {
    let program = "W = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=true)
l = (W * W).sum()
l.backward()
print(W.grad)
norm = sqrt(sum(W.grad ** 2))
W.grad[:] *= 1 / norm
print(W.grad)
l = (W * W).sum()
l.backward()
print(W.grad)
if norm > 1 {
    W.grad[:] *= 1 / norm
}
print(W.grad)
for p in [W] {
    if norm > 1 {
        p.grad[:] *= 1 / norm
    }
}
print(W.grad)
p = W
if norm > 1 {
    p.grad[:] *= 1 / norm
}
print(W.grad)
W.grad.mul_(2)
print(W.grad)
W.grad.clamp_(-0.01, 0.01)
print(W.grad)
l = (W * W).sum()
l.backward()
print(W.grad)
";
    assert_eq!(
        run(program),
        "tensor([[2., 4.],
        [6., 8.]])
tensor([[0.1826, 0.3651],
        [0.5477, 0.7303]])
tensor([[2.1826, 4.3651],
        [6.5477, 8.7303]])
tensor([[0.1992, 0.3985],
        [0.5977, 0.7970]])
tensor([[0.0182, 0.0364],
        [0.0546, 0.0728]])
tensor([[0.0017, 0.0033],
        [0.0050, 0.0066]])
tensor([[0.0033, 0.0066],
        [0.0100, 0.0133]])
tensor([[0.0033, 0.0066],
        [0.0100, 0.0100]])
tensor([[2.0033, 4.0066],
        [6.0100, 8.0100]])
"
    );
}

/// d2l's `grad_clipping` (chapter 9.5) in a five-step training loop: the norm of
/// all gradients, a run-time `if`, and `param.grad[:] *= theta / norm` for each
/// parameter, the loop variable bound on one side of the `if` only.
#[test]
fn d2l_grad_clipping_trains_as_pytorch_does() {
    let program = "manual_seed(0)
fn grad_clipping(params, theta) {
    norm = sqrt(sum(sum((p.grad ** 2)) for p in params))
    if norm > theta {
        for param in params {
            param.grad[:] *= theta / norm
        }
    }
}
W = normal(0, 0.5, (4, 3), requires_grad=true)
b = zeros(3, requires_grad=true)
X = randn(16, 4)
y = randn(16, 3) * 10
params = [W, b]
for step in range(5) {
    l = ((X @ W + b - y) ** 2).mean()
    l.backward()
    grad_clipping(params, 1)
    no_grad {
        for p in params {
            p -= 0.5 * p.grad
            p.grad.zero_()
        }
    }
    print(step, l.item())
}
print(W)
";
    assert_eq!(
        run(program),
        "0 69.61298370361328
1 67.3864974975586
2 65.33404541015625
3 63.449886322021484
4 61.72800827026367
tensor([[ 0.7061,  0.3864, -0.1160],
        [ 0.2721,  0.1825, -0.7587],
        [ 0.6560, -0.4344,  0.2470],
        [-0.0780, -1.6825, -0.9434]], requires_grad=True)
"
    );
}

/// A name bound on one side of a run-time `if` only is unbound after it, as
/// Python leaves it when the other side ran: reading it is E0606 at the read.
#[test]
fn a_name_bound_on_one_side_is_an_error_only_where_it_is_read() {
    // `x` requires grad, so the condition is decided at run time (one on
    // constants alone would be decided when compiling, and `y` simply unbound).
    let source = "x = tensor([1.0, -2.0], requires_grad=true)\nif x.sum() > 0 {\n    y = x * 2\n}\nprint(x)\nprint(y)\n";
    let d = compile(source, false).err().expect("y may be unbound");
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].code.as_str(), &source[d[0].primary.span.start..d[0].primary.span.end]), ("E0606", "y"));
    assert_eq!(d[0].message, "`y` is bound on only one side of an `if` decided at run time");
    // Not read afterwards, it is no error.
    assert_eq!(
        run("x = tensor([1.0, -2.0], requires_grad=true)\nif x.sum() > 0 {\n    y = x * 2\n}\nprint(x)\n"),
        "tensor([ 1., -2.], requires_grad=True)\n"
    );
}

/// A loss in error (here an unknown function) makes its `backward` unknown too:
/// the clipping that reads the gradients after it adds no error of its own
/// (before, each `p.grad` read as `None` and `p.grad ** 2` was a second error).
#[test]
fn a_backward_of_a_value_in_error_adds_no_errors_after_it() {
    let program = "W = ones(3, requires_grad=true)
params = [W]
for step in range(3) {
    loss = undefined_loss(W)
    loss.backward()
    norm = sqrt(sum(sum((p.grad ** 2)) for p in params))
    print(norm)
}
";
    let d = compile(program, false).err().expect("an unknown function");
    let codes: Vec<String> = d.iter().filter(|d| d.is_error()).map(|d| d.code.as_str().to_string()).collect();
    assert_eq!(codes, ["E0102"], "{:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>());
}
