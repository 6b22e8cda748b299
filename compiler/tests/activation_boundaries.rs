//! The gradients of the activations exactly at their bounds, where PyTorch 2.15
//! lets no gradient through `clamp`, and the two places that now use them:
//! `normalize`'s `clamp_min(eps)` and `mish`'s backward through `softplus`.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

fn run(source: &str) -> String {
    let compiled = compile(source, false).unwrap_or_else(|ds| panic!("does not compile: {:?}", ds.iter().map(|d| &d.message).collect::<Vec<_>>()));
    run_capture(&compiled.plan).expect("runs").0
}

/// `x.clamp(min=0.5)` at 0.5 and `x.clamp(max=1.0)` at 1.0 have gradient 0, as
/// PyTorch 2.15 prints for `torch.autograd.grad(f(x).sum(), x)`.
#[test]
fn clamp_blocks_the_gradient_at_its_bounds() {
    let src = "x = tensor([0.5, 1.0], dtype=f64, requires_grad=true)\nprint(grad(x.clamp(min=0.5).sum(), x)[0])\nprint(grad(x.clamp(max=1.0).sum(), x)[0])\nprint(grad(clamp(x, 0.5, 1.0).sum(), x)[0])\n";
    let expected = "tensor([0., 1.], dtype=torch.float64)\ntensor([1., 0.], dtype=torch.float64)\ntensor([0., 0.], dtype=torch.float64)\n";
    assert_eq!(run(src), expected);
}

/// normalize with the norm equal to eps: PyTorch's gradient is [[2., 2.]]
/// (the clamp lets nothing through to the norm); `maximum` gave [[1.5, 2.]].
#[test]
fn normalize_at_norm_equal_to_eps_matches_pytorch() {
    let src = "x = tensor([[0.5, 0.0]], dtype=f64, requires_grad=true)\ny = normalize(x, eps=0.5)\nprint(grad(y.sum(), x)[0])\n";
    assert_eq!(run(src), "tensor([[2., 2.]], dtype=torch.float64)\n");
}

/// mish's gradient through the softplus op, above softplus's threshold too,
/// printed as PyTorch 2.15 prints `torch.autograd.grad(F.mish(z).sum(), z, create_graph=True)`.
#[test]
fn mish_gradient_through_softplus_matches_pytorch() {
    let src = "z = tensor([-2.0, 0.5, 25.0], requires_grad=true)\nprint(grad(mish(z).sum(), z, create_graph=true)[0])\n";
    assert_eq!(run(src), "tensor([-0.1084,  0.8864,  1.0000], grad_fn=<MulBackward0>)\n");
}

/// `clamp_min` and `clamp_max` as functions and methods: PyTorch's own nodes
/// (`ClampMinBackward0`, `ClampMaxBackward0`), integer tensors kept i64, and
/// no gradient exactly at the bound, as the PyTorch 2.15 program prints.
#[test]
fn clamp_min_and_clamp_max_are_pytorchs() {
    // import torch
    // x = torch.tensor([-1.5, 0.0, 0.3, 2.0], requires_grad=True)
    // a = torch.clamp_min(x, 0.0)
    // b = x.clamp_max(0.3)
    // c = torch.clamp_min(torch.tensor([-3, 4]), 0)
    // print(a, b, c)
    // (a * 2 + b * 3).sum().backward()
    // print(x.grad)
    let program = r#"
x = tensor([-1.5, 0.0, 0.3, 2.0], requires_grad=true)
a = clamp_min(x, 0.0)
b = x.clamp_max(0.3)
c = clamp_min(tensor([-3, 4]), 0)
print(a, b, c)
(a * 2 + b * 3).sum().backward()
print(x.grad)
"#;
    assert_eq!(
        run(program),
        r#"tensor([0.0000, 0.0000, 0.3000, 2.0000], grad_fn=<ClampMinBackward0>) tensor([-1.5000,  0.0000,  0.3000,  0.3000], grad_fn=<ClampMaxBackward0>) tensor([0, 4])
tensor([3., 3., 2., 2.])
"#
    );
}
