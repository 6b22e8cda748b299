//! The help lines of unknown calls, methods and fields: a PyTorch name with a
//! graphc equivalent suggests it (`x.mT` suggests `transpose`), and other names fall
//! back to the closest builtin by spelling.

use graphc_compiler::diag::{Code, Diagnostic};
use graphc_compiler::driver::compile;

/// The single diagnostic of a program that must not compile.
fn only_error(src: &str) -> Diagnostic {
    let mut diags = compile(src, false).err().unwrap_or_else(|| panic!("compiles:\n{src}"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    diags.remove(0)
}

/// The help line of the error for `call`, evaluated with a 2x2 tensor `x`.
fn help_for(call: &str) -> (Code, String) {
    let d = only_error(&format!("x = ones(2, 2)\ny = {call}\n"));
    (d.code, d.help.unwrap_or_default())
}

#[test]
fn pytorch_transposes_suggest_transpose() {
    // `x.t()`, `t(x)` and `x.T` are builtins now (`compiler/tests/matrix_aliases.rs`),
    // and `x.mT` is a field of its own (any rank), so they are not among them.
    for call in ["x.mH", "x.H"] {
        let (code, help) = help_for(call);
        assert_eq!(code, Code::E0102, "{call}");
        assert!(help.contains("`transpose(x)`"), "{call}: {help}");
    }
}

#[test]
fn vector_products_are_builtins_now() {
    // The gap these names once reported is closed (`compiler/tests/vector_products.rs`).
    for call in ["x.mv(x[0])", "dot(x[0], x[1])", "inner(x, x)", "x[0].vdot(x[1])"] {
        let src = format!("x = ones(2, 2)\nprint({call})\n");
        assert!(compile(&src, false).is_ok(), "{call} does not compile");
    }
}

#[test]
fn max_and_min_are_builtins_now() {
    // The gap these names once reported is closed (`compiler/tests/index_gradients.rs`).
    for call in ["x.max(dim=1)[0]", "x.max()", "max(x, x)", "x.min(dim=0)[1]", "x.argmax()"] {
        let src = format!("x = ones(2, 2)\ny = {call}\n");
        assert!(compile(&src, false).is_ok(), "{call} does not compile");
    }
}

#[test]
fn other_pytorch_names_point_at_their_spelling_here() {
    let cases = [("x.neg()", "unary `-`")];
    for (call, expected) in cases {
        let (_, help) = help_for(call);
        assert!(help.contains(expected), "{call}: {help}");
    }
    // PyTorch's function forms of the operators are the operators themselves.
    for call in ["x.mul(x)", "divide(x, x)", "add(x, 1)", "x.sub(x)"] {
        assert!(compile(&format!("x = ones(2)\nprint({call})\n"), false).is_ok(), "{call}");
    }
}

#[test]
fn typos_still_get_the_closest_builtin_and_unknowns_the_docs() {
    assert_eq!(help_for("x.tahn()").1, "did you mean `tanh`?");
    let (_, help) = help_for("frobnicate(x)");
    assert!(help.contains("docs/act-language.md, section 5") && !help.contains("spec section"), "{help}");
    // A PyTorch spelling that graphc has is no error at all: `pow` is a builtin, so a method too.
    assert!(compile("x = ones(2)\nprint(x.pow(2))\n", false).is_ok());
    assert!(compile("x = ones(2)\nprint(x.square())\n", false).is_ok(), "`square` is a builtin, so a method too");
}
