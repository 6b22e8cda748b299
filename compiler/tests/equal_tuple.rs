//! `equal(input, other)` (`torch.equal`, `lower/all_any.rs`) and Python's
//! `tuple(xs)` (`lower/host_math.rs`), as PyTorch 2.15 prints them for the
//! same lines: shapes that differ, NaN, promoted dtypes, empty tensors, a
//! run-time bool in an `if`; a tuple of a shape, a list, a range, a tuple and
//! a tensor's rows.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn equal_and_tuple_give_pythons_values() {
    let program = r#"
a = tensor([1.0, 2.0])
b = tensor([1, 2])
print(tuple(a.shape), tuple([1, 2]), tuple(range(3)), tuple(), tuple((4, 5)))
print(equal(a, tensor([1.0, 2.0])), equal(a, b), equal(a, tensor([1.0, 2.0, 3.0])), a.equal(a * 2))
print(equal(tensor([nan]), tensor([nan])), equal(a, a.unsqueeze(0)), equal(zeros(0), zeros(0)), equal(a, a.double()))
if equal(a, a) {
    print("same")
}
x = randn(3, requires_grad=true)
print(equal(x, x), type(equal(x, x * 1)))
print(tuple(a))
"#;
    assert_eq!(
        run(program),
        "(2,) (1, 2) (0, 1, 2) () (4, 5)\nTrue True False False\nFalse False True True\nsame\nTrue <class 'bool'>\n(tensor(1.), tensor(2.))\n"
    );
}

#[test]
fn a_tuple_of_a_number_is_pythons_error() {
    let (code, message, _) = first_error("print(tuple(5))\n");
    assert_eq!(code, Code::E0107);
    assert_eq!(message, "'int' object is not iterable");
}
