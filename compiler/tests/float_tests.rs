//! `isinf`, `isposinf`, `isneginf` and `isclose`/`allclose` (`torch.isinf`,
//! `torch.isclose`, ...): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them. Infinities of both signs, NaN, -0.0 and integer inputs;
//! closeness with NaN on either side and `equal_nan`, zero tolerances (an
//! equality test), infinities (close only when equal), integer operands
//! (compared in f32), broadcasting, and `allclose` as a Python bool.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The tests and closeness as PyTorch computes them, element for element.
#[test]
fn float_tests_and_closeness_are_pytorchs() {
    let program = r#"
x = tensor([1.0, inf, -inf, nan, -0.0])
print(isinf(x))
print(isposinf(x))
print(x.isneginf())
print(isinf(tensor([1, 2])))
a = tensor([1.0, 1.00001, nan, inf, 2.0, -inf, 1e-9])
b = tensor([1.0, 1.0, nan, inf, 2.0001, inf, 0.0])
print(isclose(a, b))
print(isclose(a, b, equal_nan=true))
print(isclose(a, b, rtol=0.001, atol=0.0))
print(isclose(a, b, 0.0, 0.0))
print(a.isclose(b, atol=1e-4))
print(allclose(a[:2], b[:2]))
print(allclose(a, b))
print(allclose(a, b, equal_nan=true, atol=1.0))
i = tensor([3, 4, 5])
j = tensor([3, 5, 5])
print(isclose(i, j), isclose(i, j, atol=1))
x = tensor([[0.1, 0.2], [0.3, 0.4]], dtype=f64)
y = x * 3 / 3 + 1e-12
print(isclose(x, y, rtol=0, atol=1e-13))
print(isclose(x, y[0]))
"#;
    assert_eq!(run(program), "tensor([False,  True,  True, False, False])\ntensor([False,  True, False, False, False])\ntensor([False, False,  True, False, False])\ntensor([False, False])\ntensor([ True, False, False,  True, False, False,  True])\ntensor([ True, False,  True,  True, False, False,  True])\ntensor([ True,  True, False,  True,  True, False, False])\ntensor([ True, False, False,  True, False, False, False])\ntensor([ True,  True, False,  True,  True, False,  True])\nFalse\nFalse\nFalse\ntensor([ True, False,  True]) tensor([True, True, True])\ntensor([[False, False],\n        [False, False]])\ntensor([[ True,  True],\n        [False, False]])\n");
}

/// Both operands must have one dtype and the tolerances must not be negative,
/// as PyTorch requires.
#[test]
fn isclose_checks_its_arguments() {
    assert_eq!(first_error("a = isclose(ones(2), ones(2, dtype=f64))\n").0, Code::E0201);
    assert_eq!(first_error("a = isclose(ones(2), ones(2), rtol=-1.0)\n").0, Code::E0107);
    assert_eq!(first_error("a = allclose(ones(2), ones(2), equal_nan=1)\n").0, Code::E0107);
}
