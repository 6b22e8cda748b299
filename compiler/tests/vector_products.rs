//! `dot`, `vdot`, `mv`, `inner` and `rsub`: the lines of a PyTorch program and
//! what PyTorch 2.15 prints for them, and the rank and size errors ATen
//! raises, caught before the run.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, `grad_fn`s and gradients of `dot`, `vdot`, `mv`, `inner` and `rsub` as PyTorch 2.15 prints them.
#[test]
fn vector_products_are_pytorchs() {
    let program = r#"
manual_seed(0)
a = randn(2, 3, requires_grad=true)
v = randn(3, requires_grad=true)
w = randn(3)
print(dot(v, w), v.dot(w), vdot(v, w))
print(mv(a, v), a.mv(w))
print(inner(v, w), inner(a, a), inner(a, v), inner(v, tensor(2.0)))
print(rsub(a, 1.0))
print(rsub(a, v, alpha=2))
loss = dot(v, w) * 2 + mv(a, v).sum() + inner(a, a).pow(2).sum() + rsub(a, v, alpha=3).sum()
loss.backward()
print(a.grad)
print(v.grad)
"#;
    assert_eq!(run(program), "tensor(-0.7936, grad_fn=<DotBackward0>) tensor(-0.7936, grad_fn=<DotBackward0>) tensor(-0.7936, grad_fn=<VdotBackward0>)\ntensor([1.9428, 0.3264], grad_fn=<MvBackward0>) tensor([-0.8431,  0.1632], grad_fn=<MvBackward0>)\ntensor(-0.7936, grad_fn=<ViewBackward0>) tensor([[7.2079, 4.2414],\n        [4.2414, 3.4554]], grad_fn=<ViewBackward0>) tensor([1.9428, 0.3264], grad_fn=<ViewBackward0>) tensor([ 0.8067,  1.6761, -1.4385], grad_fn=<MulBackward0>)\ntensor([[-0.5410,  1.2934,  3.1788],\n        [ 0.4316,  2.0845,  2.3986]], grad_fn=<RsubBackward1>)\ntensor([[-2.6786,  1.4249,  3.6383],\n        [-0.7335,  3.0071,  2.0779]], grad_fn=<RsubBackward0>)\ntensor([[ 51.4765, -29.0217, -90.2653],\n        [ 31.4040, -22.1299, -60.0146]])\ntensor([ 3.3027, -0.5712, -1.2133])\n");
}

/// `dot` takes two vectors of one length; `mv` a matrix and a vector that fits it.
#[test]
fn vector_products_check_ranks_and_sizes() {
    assert_eq!(first_error("print(dot(randn(2, 3), randn(3)))\n").0, Code::E0202);
    assert_eq!(first_error("print(dot(randn(3), randn(2)))\n").0, Code::E0202);
    assert_eq!(first_error("print(mv(randn(3), randn(3)))\n").0, Code::E0202);
    assert_eq!(first_error("print(mv(randn(2, 3), randn(2)))\n").0, Code::E0202);
    assert_eq!(first_error("print(inner(randn(2, 3), randn(2)))\n").0, Code::E0202);
}
