//! The op table against what is derived from it elsewhere: the language
//! documentation's builtin list, and the `grad_fn` names PyTorch prints for the
//! table's ops (checked against PyTorch 2.15's own output).

use graphc_compiler::check::builtins;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

/// Section 5 of `docs/act-language.md`, the builtin list.
fn builtin_section() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/act-language.md");
    let doc = std::fs::read_to_string(path).expect("docs/act-language.md is readable");
    let start = doc.find("## 5. Builtins").expect("the doc has a section 5, Builtins");
    let end = doc[start..].find("## 6.").map_or(doc.len(), |e| start + e);
    doc[start..end].to_string()
}

#[test]
fn the_language_doc_lists_every_builtin() {
    let section = builtin_section();
    let words: Vec<&str> = section.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
    for name in builtins::names() {
        assert!(words.contains(&name), "docs/act-language.md section 5 does not mention the builtin `{name}`");
    }
    // The one-argument elementwise builtins are listed together, as one code span.
    let line = section.lines().find(|l| l.contains("(one argument, `input`)")).expect("the doc lists the one-argument builtins");
    let listed: Vec<&str> = line.split('`').nth(1).unwrap_or("").split_whitespace().collect();
    let table: Vec<&str> = builtins::unary_names().collect();
    assert_eq!(listed, table, "the one-argument builtins in docs/act-language.md, in the op table's order");
}

/// Runs a program and returns what it prints.
fn run(source: &str) -> String {
    let compiled = compile(source, false).unwrap_or_else(|ds| panic!("does not compile: {:?}", ds.iter().map(|d| &d.message).collect::<Vec<_>>()));
    run_capture(&compiled.plan).expect("runs").0
}

/// The program PyTorch ran for the expected outputs below: `f(x)` of a leaf that
/// requires grad, and its gradient derived with `create_graph=true`.
fn forward_and_gradient(f: &str) -> String {
    run(&format!("x = tensor([0.5, -0.25, 1.5], requires_grad=true)\ny = {f}(x)\nprint(y)\nd = grad(y.sum(), x, create_graph=true)\nprint(d)\n"))
}

#[test]
fn log1p_prints_pytorchs_grad_fn_names() {
    let expected = "tensor([ 0.4055, -0.2877,  0.9163], grad_fn=<Log1PBackward0>)\ntensor([0.6667, 1.3333, 0.4000], grad_fn=<DivBackward0>)\n";
    assert_eq!(forward_and_gradient("log1p"), expected);
}

#[test]
fn expm1_prints_pytorchs_grad_fn_names() {
    let expected = "tensor([ 0.6487, -0.2212,  3.4817], grad_fn=<Expm1Backward0>)\ntensor([1.6487, 0.7788, 4.4817], grad_fn=<MulBackward0>)\n";
    assert_eq!(forward_and_gradient("expm1"), expected);
}

#[test]
fn sinh_prints_pytorchs_grad_fn_names() {
    let expected = "tensor([ 0.5211, -0.2526,  2.1293], grad_fn=<SinhBackward0>)\ntensor([1.1276, 1.0314, 2.3524], grad_fn=<MulBackward0>)\n";
    assert_eq!(forward_and_gradient("sinh"), expected);
}

#[test]
fn cosh_prints_pytorchs_grad_fn_names() {
    let expected = "tensor([1.1276, 1.0314, 2.3524], grad_fn=<CoshBackward0>)\ntensor([ 0.5211, -0.2526,  2.1293], grad_fn=<MulBackward0>)\n";
    assert_eq!(forward_and_gradient("cosh"), expected);
}
