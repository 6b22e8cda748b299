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

/// A fn's default that reads a top-level name is evaluated where the `fn`
/// stands, as Python evaluates a `def`'s defaults: rebinding the name later
/// changes nothing, and a loop that calls the fn carries the value. PyTorch
/// 2.15 prints the same for the same lines.
#[test]
fn a_default_reading_a_global_keeps_its_value_where_the_fn_stands() {
    let src = "\
X = arange(4.0)
scale = 2.0
fn f(x=X, k=scale, n=3) {
    return x * k + n
}
X = zeros(4)
scale = 10.0
print(f(), f(k=1.0), f(ones(2)))
total = zeros(4)
for i in range(600) {
    total = total + f(n=i)
}
print(total)
";
    let c = compile(src, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let out = graphc_runtime::exec::run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0;
    assert_eq!(out, "tensor([3., 5., 7., 9.]) tensor([3., 4., 5., 6.]) tensor([5., 5.])\ntensor([179700., 180900., 182100., 183300.])\n");
    // A name bound only after the `fn` is not there yet, as Python's NameError says.
    let late = "fn g(x=Y) {\n    return x\n}\nY = ones(2)\nprint(g())\n";
    let diags = compile(late, false).err().unwrap_or_else(|| panic!("compiles:\n{late}"));
    assert_eq!(diags[0].code, Code::E0101, "{diags:?}");
    assert_eq!(diags[0].primary.span.start, late.find("Y)").unwrap(), "{diags:?}");
    // An op's defaults stay constants.
    let op = "W = ones(2)\nop h(x, w=W) {\n    forward {\n        return x * w\n    }\n}\nprint(h(ones(2)))\n";
    let diags = compile(op, false).err().unwrap_or_else(|| panic!("compiles:\n{op}"));
    assert_eq!(diags[0].code, Code::E0101, "{diags:?}");
}

/// Parameters after a bare `*` are keyword-only, as in Python's `def f(x, *,
/// scale=1.0)`: they take keywords, may lack a default after one that has
/// one, and a positional argument for one is E0103 at that argument, in the
/// words of Python's TypeError. Python prints the same for the same lines.
#[test]
fn parameters_after_a_bare_star_are_keyword_only() {
    let src = "\
fn scaled(x, bias=0.0, *, scale, shift=1.0) {
    return x * scale + bias + shift
}
t = arange(3.0)
print(scaled(t, scale=2.0), scaled(t, 1.0, shift=0.0, scale=3.0))
";
    let c = compile(src, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let out = graphc_runtime::exec::run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0;
    assert_eq!(out, "tensor([1., 3., 5.]) tensor([1., 4., 7.])\n");
    let by_position = src.replace("scaled(t, scale=2.0)", "scaled(t, 1.0, 2.0)");
    let diags = compile(&by_position, false).err().unwrap_or_else(|| panic!("compiles:\n{by_position}"));
    assert_eq!(diags[0].code, Code::E0103, "{diags:?}");
    assert_eq!(diags[0].message, "`scaled` takes from 1 to 2 positional arguments but 3 were given");
    assert_eq!(diags[0].primary.span.start, by_position.find("2.0)").unwrap(), "{diags:?}");
    // A keyword-only parameter without a default must still be given.
    let missing = src.replace("scaled(t, scale=2.0)", "scaled(t)");
    let diags = compile(&missing, false).err().unwrap_or_else(|| panic!("compiles:\n{missing}"));
    assert_eq!(diags[0].code, Code::E0103, "{diags:?}");
    // A bare `*` with nothing after it, or two of them, is a syntax error.
    for bad in ["fn f(x, *) {\n    return x\n}\n", "fn f(x, *, a=1, *, b=2) {\n    return x\n}\n"] {
        let diags = compile(bad, false).err().unwrap_or_else(|| panic!("compiles:\n{bad}"));
        assert_eq!(diags[0].code, Code::E0003, "{diags:?}");
    }
}
