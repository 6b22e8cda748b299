//! A `range` loop whose counter subscripts a list, a tuple or a module list
//! (`params[i]`, `layers[i](h)`, `ms[i](x)`, `sizes[i + 1]`): the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them. Such a loop is
//! unrolled, each iteration with its counter a compile-time number; an index
//! known only at run time for another reason, and a loop too long to unroll,
//! are still E0608, reported once at the index.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The loops run as Python runs them: an optimizer step over a list of
/// parameters, layers in a list and in a `ModuleList`, and weights sized by a
/// tuple, with a condition on the counter.
#[test]
fn counter_subscripts_are_pythons() {
    let program = r#"
manual_seed(0)
params = [randn(3, requires_grad=true), randn(3, requires_grad=true)]
opt = SGD(params, lr=0.1)
for step in range(3) {
    loss = 0.0
    for i in range(len(params)) {
        loss = loss + (params[i] * params[i]).sum()
    }
    opt.zero_grad()
    loss.backward()
    opt.step()
}
print(params[0], loss)
layers = [Linear(3, 4), Linear(4, 2)]
h = randn(5, 3)
for i in range(len(layers)) {
    h = layers[i](h)
}
print(h)
ms = ModuleList([Linear(3, 3) for _ in range(3)])
x = randn(2, 3)
for i in range(3) {
    x = ms[i](x).relu()
}
print(x)
sizes = (4, 8, 2)
w = [randn(sizes[i], sizes[i + 1], requires_grad=true) for i in range(2)]
z = randn(3, 4)
for i in range(len(sizes) - 1) {
    z = relu(z @ w[i])
    if i > 0 {
        z = z * 2
    }
}
print(z)
z.sum().backward()
print(w[1].grad)
"#;
    assert_eq!(run(program), "tensor([ 0.7890, -0.1502, -1.1155], requires_grad=True) tensor(4.3677, grad_fn=<AddBackward0>)\ntensor([[-0.6334,  0.4424],\n        [-0.8817,  0.3544],\n        [-1.3319,  0.4956],\n        [-0.9456, -0.0625],\n        [-0.7349,  0.1886]], grad_fn=<AddmmBackward0>)\ntensor([[0.0000, 0.0000, 0.1240],\n        [0.0000, 0.0000, 0.2546]], grad_fn=<ReluBackward0>)\ntensor([[3.5078, 1.6865],\n        [3.0643, 0.0000],\n        [0.0000, 0.0000]], grad_fn=<MulBackward0>)\ntensor([[6.7781, 5.3894],\n        [0.0000, 0.0000],\n        [2.3405, 2.3405],\n        [0.0000, 0.0000],\n        [4.9794, 4.9794],\n        [0.0000, 0.0000],\n        [1.3981, 0.0000],\n        [2.9941, 0.0000]])\n");
}

/// A run-time index that is no counter, and a counter of a loop longer than
/// 512 iterations, cannot pick a list's item.
#[test]
fn other_run_time_subscripts_are_refused() {
    let runtime = "params = [ones(2), ones(2)]\nx = randint(0, 2, (1,))\nfor k in range(3) {\n    i = int(x.item())\n    print(params[i])\n}\n";
    let (code, message, _) = first_error(runtime);
    assert_eq!(code, Code::E0608, "{message}");
    let long = "params = [ones(2), ones(2)]\nfor k in range(600) {\n    print(params[k % 2])\n}\n";
    assert_eq!(first_error(long).0, Code::E0608);
}
