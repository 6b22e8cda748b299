//! `hypot`, `logaddexp2` and `heaviside` (the runtime's rows of those names):
//! the lines of a PyTorch program and what PyTorch 2.15 prints for them, and
//! PyTorch's refusals (no derivative of `heaviside`, no promotion between its
//! operands, no integer `hypot`) as compile-time errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values, `grad_fn`s and gradients of `hypot`, `logaddexp2` and `heaviside` (methods, broadcasting, infinities, NaN, -0.0, i64, f64) as PyTorch 2.15 prints them; the sums times 1000 printed in full compare every bit of 256 values each.
#[test]
fn hypot_logaddexp2_heaviside_are_pytorchs() {
    let program = r#"
x = tensor([[3.0, -4.0, 0.0], [1e20, -2.5, 7.0]], requires_grad=true)
y = tensor([4.0, 3.0, -2.0], requires_grad=true)
h = hypot(x, y)
print(h)
h.sum().backward()
print(x.grad)
print(y.grad)
print(x.hypot(y))
l = logaddexp2(x, y)
print(l)
x.grad = none
y.grad = none
l.sum().backward()
print(x.grad)
print(y.grad)
print(x.logaddexp2(y))
print(logaddexp2(tensor([-inf, inf, 1.0]), tensor([-inf, inf, nan])))
s = tensor([-1.5, 0.0, 2.0, -0.0, nan])
print(heaviside(s, tensor([0.5])))
print(s.heaviside(tensor([1.0, 2.0, 3.0, 4.0, 5.0])))
print(heaviside(tensor([-2, 0, 3]), tensor(7)))
d = tensor([0.5, -1.25], dtype=float64, requires_grad=true)
e = tensor([2.0, 0.125], dtype=float64)
print(hypot(d, e))
print(logaddexp2(d, e))
logaddexp2(d, e).sum().backward()
print(d.grad)
print(heaviside(d, e))
manual_seed(0)
a = randn(4, 64) * 5
b = randn(4, 64)
print((hypot(a, b).double() * 1000).sum().item(), (logaddexp2(a, b).double() * 1000).sum().item())
a64 = randn(64, dtype=float64) * 1e200
print((hypot(a64, a64.flip(0)) / 1e200).sum().item())
"#;
    assert_eq!(run(program), "tensor([[5.0000e+00, 5.0000e+00, 2.0000e+00],\n        [1.0000e+20, 3.9051e+00, 7.2801e+00]], grad_fn=<HypotBackward0>)\ntensor([[ 0.6000, -0.8000,  0.0000],\n        [ 1.0000, -0.6402,  0.9615]])\ntensor([ 0.8000,  1.3682, -1.2747])\ntensor([[5.0000e+00, 5.0000e+00, 2.0000e+00],\n        [1.0000e+20, 3.9051e+00, 7.2801e+00]], grad_fn=<HypotBackward0>)\ntensor([[4.5850e+00, 3.0112e+00, 3.2193e-01],\n        [1.0000e+20, 3.0315e+00, 7.0028e+00]], grad_fn=<Logaddexp2Backward0>)\ntensor([[0.3333, 0.0078, 0.8000],\n        [1.0000, 0.0216, 0.9981]])\ntensor([0.6667, 1.9706, 0.2019])\ntensor([[4.5850e+00, 3.0112e+00, 3.2193e-01],\n        [1.0000e+20, 3.0315e+00, 7.0028e+00]], grad_fn=<Logaddexp2Backward0>)\ntensor([-inf, inf, nan])\ntensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])\ntensor([0., 2., 1., 4., 0.])\ntensor([0, 7, 1])\ntensor([2.0616, 1.2562], dtype=torch.float64, grad_fn=<HypotBackward0>)\ntensor([2.4368, 0.5955], dtype=torch.float64, grad_fn=<Logaddexp2Backward0>)\ntensor([0.2612, 0.2783], dtype=torch.float64)\ntensor([1., 0.], dtype=torch.float64, grad_fn=<NotImplemented>)\n1017899.8845517635 591202.4714135332\n74.01506048925823\n");
}

/// A backward through `heaviside` is E0410 with PyTorch's message; operands of
/// two dtypes are E0201 (ATen does not promote them); integer `hypot` and
/// `logaddexp2` are E0204, and a number operand E0107, as PyTorch refuses them.
#[test]
fn pytorchs_refusals_are_compile_errors() {
    let (code, msg, _) = first_error("x = tensor([-1.5, 0.0, 2.0], requires_grad=true)\ny = heaviside(x, tensor([0.5]))\ny.sum().backward()\n");
    assert_eq!((code, msg.as_str()), (Code::E0410, "derivative for aten::heaviside is not implemented"));
    let (code, msg, _) = first_error("y = heaviside(tensor([-2, 0, 3]), tensor([7.0]))\n");
    assert_eq!((code, msg.as_str()), (Code::E0201, "heaviside is not yet implemented for tensors with different dtypes"));
    assert_eq!(first_error("y = hypot(tensor([3, 4]), tensor([4, 3]))\n").0, Code::E0204);
    assert_eq!(first_error("y = logaddexp2(tensor([3, 4]), tensor([4, 3]))\n").0, Code::E0204);
    assert_eq!(first_error("y = hypot(tensor([3.0]), 4.0)\n").0, Code::E0107);
    assert_eq!(first_error("y = heaviside(tensor([true]), tensor([false]))\n").0, Code::E0204);
}

/// Python's capitalized constants get the `.act` spelling in the help.
#[test]
fn python_constants_are_spelled_for_act() {
    for (source, help) in [
        ("x = tensor([1.0], requires_grad=true)\nx.grad = None\n", "`.act` spells Python's `None` as `none`"),
        ("y = True\n", "`.act` spells Python's `True` as `true`"),
        ("print(False)\n", "`.act` spells Python's `False` as `false`"),
    ] {
        let d = graphc_compiler::driver::compile(source, false).err().expect("does not compile");
        assert_eq!((d[0].code, d[0].help.as_deref()), (Code::E0101, Some(help)), "{source}");
    }
}
