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
        // A namespaced name (`linalg.cross`) is one code span, dot included.
        let listed = if name.contains('.') { section.contains(&format!("`{name}")) } else { words.contains(&name) };
        assert!(listed, "docs/act-language.md section 5 does not mention the builtin `{name}`");
    }
    // Each namespaced spelling is listed, and names a builtin that exists.
    for (spelling, builtin) in graphc_compiler::syntax::namespaces::spellings() {
        assert!(section.contains(&format!("`{spelling}`")), "docs/act-language.md section 5 does not list `{spelling}`");
        assert!(builtins::names().contains(&builtin), "`{spelling}` names `{builtin}`, which is not a builtin");
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
    run(&format!("x = tensor([0.5, -0.25, 1.5], requires_grad=true)\ny = {f}(x)\nprint(y)\nd = grad(y.sum(), x, create_graph=true)[0]\nprint(d)\n"))
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

/// `forward_and_gradient` at chosen values, for ops whose domain excludes the default ones.
fn forward_and_gradient_at(f: &str, values: &str) -> String {
    run(&format!("x = tensor({values}, requires_grad=true)\ny = {f}(x)\nprint(y)\nd = grad(y.sum(), x, create_graph=true)[0]\nprint(d)\n"))
}

/// The elementwise builtins of issue 9, each with the two lines PyTorch 2.15
/// printed for `torch.OP(x)` and its gradient (`tests/programs/torch/` style,
/// copied from `torch.autograd.grad(y.sum(), x, create_graph=True)`).
#[test]
fn elementwise_builtins_print_pytorchs_values_and_grad_fn_names() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "square",
            "[0.5, -0.25, 1.5]",
            "tensor([0.2500, 0.0625, 2.2500], grad_fn=<PowBackward0>)",
            "tensor([ 1.0000, -0.5000,  3.0000], grad_fn=<MulBackward0>)",
        ),
        (
            "reciprocal",
            "[0.5, -0.25, 1.5]",
            "tensor([ 2.0000, -4.0000,  0.6667], grad_fn=<ReciprocalBackward0>)",
            "tensor([ -4.0000, -16.0000,  -0.4444], grad_fn=<MulBackward0>)",
        ),
        (
            "rsqrt",
            "[0.5, 0.25, 1.5]",
            "tensor([1.4142, 2.0000, 0.8165], grad_fn=<RsqrtBackward0>)",
            "tensor([-1.4142, -4.0000, -0.2722], grad_fn=<MulBackward0>)",
        ),
        (
            "exp2",
            "[0.5, -0.25, 1.5]",
            "tensor([1.4142, 0.8409, 2.8284], grad_fn=<Exp2Backward0>)",
            "tensor([0.9803, 0.5829, 1.9605], grad_fn=<MulBackward1>)",
        ),
        (
            "log2",
            "[0.5, 0.25, 1.5]",
            "tensor([-1.0000, -2.0000,  0.5850], grad_fn=<Log2Backward0>)",
            "tensor([2.8854, 5.7708, 0.9618], grad_fn=<DivBackward0>)",
        ),
        (
            "log10",
            "[0.5, 0.25, 1.5]",
            "tensor([-0.3010, -0.6021,  0.1761], grad_fn=<Log10Backward0>)",
            "tensor([0.8686, 1.7372, 0.2895], grad_fn=<DivBackward0>)",
        ),
        (
            "tan",
            "[0.5, -0.25, 1.5]",
            "tensor([ 0.5463, -0.2553, 14.1014], grad_fn=<TanBackward0>)",
            "tensor([  1.2984,   1.0652, 199.8501], grad_fn=<MulBackward0>)",
        ),
        (
            "asin",
            "[0.5, -0.25, 0.75]",
            "tensor([ 0.5236, -0.2527,  0.8481], grad_fn=<AsinBackward0>)",
            "tensor([1.1547, 1.0328, 1.5119], grad_fn=<MulBackward0>)",
        ),
        (
            "acos",
            "[0.5, -0.25, 0.75]",
            "tensor([1.0472, 1.8235, 0.7227], grad_fn=<AcosBackward0>)",
            "tensor([-1.1547, -1.0328, -1.5119], grad_fn=<MulBackward0>)",
        ),
        (
            "atan",
            "[0.5, -0.25, 1.5]",
            "tensor([ 0.4636, -0.2450,  0.9828], grad_fn=<AtanBackward0>)",
            "tensor([0.8000, 0.9412, 0.3077], grad_fn=<DivBackward0>)",
        ),
        (
            "asinh",
            "[0.5, -0.25, 1.5]",
            "tensor([ 0.4812, -0.2475,  1.1948], grad_fn=<AsinhBackward0>)",
            "tensor([0.8944, 0.9701, 0.5547], grad_fn=<MulBackward0>)",
        ),
        (
            "acosh",
            "[1.5, 1.25, 3.0]",
            "tensor([0.9624, 0.6931, 1.7627], grad_fn=<AcoshBackward0>)",
            "tensor([0.8944, 1.3333, 0.3536], grad_fn=<MulBackward0>)",
        ),
        (
            "atanh",
            "[0.5, -0.25, 0.75]",
            "tensor([ 0.5493, -0.2554,  0.9730], grad_fn=<AtanhBackward0>)",
            "tensor([1.3333, 1.0667, 2.2857], grad_fn=<DivBackward0>)",
        ),
        ("floor", "[0.5, -0.25, 1.5]", "tensor([ 0., -1.,  1.], grad_fn=<FloorBackward0>)", "tensor([0., 0., 0.])"),
        ("ceil", "[0.5, -0.25, 1.5]", "tensor([1., -0., 2.], grad_fn=<CeilBackward0>)", "tensor([0., 0., 0.])"),
        ("round", "[0.5, -0.25, 1.5]", "tensor([0., -0., 2.], grad_fn=<RoundBackward0>)", "tensor([0., 0., 0.])"),
        ("trunc", "[0.5, -0.25, 1.5]", "tensor([0., -0., 1.], grad_fn=<TruncBackward0>)", "tensor([0., 0., 0.])"),
        ("sign", "[0.5, -0.25, 1.5]", "tensor([ 1., -1.,  1.], grad_fn=<SignBackward0>)", "tensor([0., 0., 0.])"),
        (
            "silu",
            "[0.5, -0.25, 1.5]",
            "tensor([ 0.3112, -0.1095,  1.2264], grad_fn=<SiluBackward0>)",
            "tensor([0.7400, 0.3763, 1.0413], grad_fn=<MulBackward0>)",
        ),
        (
            "mish",
            "[0.5, -0.25, 1.5]",
            "tensor([ 0.3752, -0.1299,  1.4034], grad_fn=<MishBackward0>)",
            "tensor([0.8864, 0.4398, 1.0885], grad_fn=<MulBackward0>)",
        ),
        (
            "erf",
            "[0.5, -0.25, 1.5]",
            "tensor([ 0.5205, -0.2763,  0.9661], grad_fn=<ErfBackward0>)",
            "tensor([0.8788, 1.0600, 0.1189], grad_fn=<MulBackward0>)",
        ),
        (
            "erfc",
            "[0.5, -0.25, 1.5]",
            "tensor([0.4795, 1.2763, 0.0339], grad_fn=<ErfcBackward0>)",
            "tensor([-0.8788, -1.0600, -0.1189], grad_fn=<MulBackward0>)",
        ),
    ];
    for (op, values, y, d) in cases {
        assert_eq!(forward_and_gradient_at(op, values), format!("{y}\n{d}\n"), "{op}({values}) and its gradient");
    }
}

/// `atan2(y, x)` and the gradients of both operands, as PyTorch 2.15 printed them.
#[test]
fn atan2_prints_pytorchs_values_and_grad_fn_names() {
    let out = run("y = tensor([0.5, -0.25, 1.5], requires_grad=true)\nx = tensor([1.0, -2.0, -0.5], requires_grad=true)\na = atan2(y, x)\nprint(a)\nprint(grad(a.sum(), y, create_graph=true)[0])\nprint(grad(a.sum(), x, create_graph=true)[0])\n");
    let expected = "tensor([ 0.4636, -3.0172,  1.8925], grad_fn=<Atan2Backward0>)\n\
                    tensor([ 0.8000, -0.4923, -0.2000], grad_fn=<MulBackward0>)\n\
                    tensor([-0.4000,  0.0615, -0.6000], grad_fn=<MulBackward0>)\n";
    assert_eq!(out, expected);
}
