//! Calls of user `fn`s and `op`s with keyword arguments: every keyword is
//! checked, so a bad one is a diagnostic at its span, never a panic.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

/// Lowering used to check only the first keyword and panic on a later unknown one.
#[test]
fn an_unknown_keyword_after_a_known_one_is_e0104() {
    for callee in ["fn f(x, y) {\n    return x + y\n}\n", "op f(x, y) {\n    forward {\n        return x + y\n    }\n}\n"] {
        let src = format!("{callee}t = ones(3)\nprint(f(x=t, zz=t))\n");
        let diags = compile(&src, false).err().unwrap_or_else(|| panic!("compiles:\n{src}"));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, Code::E0104, "{diags:?}");
        let zz = src.find("zz").expect("the source names zz");
        assert_eq!(diags[0].primary.span.start, zz, "{diags:?}");
    }
}
