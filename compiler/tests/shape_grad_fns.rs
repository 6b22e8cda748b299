//! The `grad_fn` names of shape ops whose name depends on the layout PyTorch
//! would hold, and the `view` errors that layout causes. Every expected name
//! was printed by PyTorch 2.15 for the same expression.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

/// What `print(EXPR)` shows after `x = randn(SHAPE, requires_grad=true)`: its `grad_fn=<...>`.
fn grad_fn(shape: &str, expr: &str) -> String {
    let source = format!("x = randn({shape}, requires_grad=true)\nprint({expr})\n");
    let compiled = compile(&source, false).unwrap_or_else(|d| panic!("{expr}: {}", d[0].message));
    let (text, _) = run_capture(&compiled.plan).expect("runs");
    let start = text.find("grad_fn=<").unwrap_or_else(|| panic!("{expr} printed no grad_fn: {text}")) + "grad_fn=<".len();
    text[start..start + text[start..].find('>').expect("a closing >")].to_string()
}

#[test]
fn reshape_views_aliases_or_copies_as_pytorch_does() {
    assert_eq!(grad_fn("2, 3, 4", "x.reshape(6, 4)"), "ViewBackward0");
    assert_eq!(grad_fn("2, 3, 4", "x.mT.reshape(-1)"), "UnsafeViewBackward0");
    assert_eq!(grad_fn("2, 3, 4", "x.permute(1, 0, 2).reshape(3, 2, 4)"), "ReshapeAliasBackward0");
    assert_eq!(grad_fn("2, 3, 4", "x.permute(1, 0, 2).flatten(1)"), "UnsafeViewBackward0");
    assert_eq!(grad_fn("2, 3, 4", "x[:, ::2].reshape(2, 2, 2, 2)"), "ReshapeAliasBackward0");
    assert_eq!(grad_fn("2, 3, 4", "x.unsqueeze(0).expand(2, 2, 3, 4)[0].reshape(6, 4)"), "ViewBackward0");
    assert_eq!(grad_fn("2, 3", "transpose(x).reshape(-1)"), "UnsafeViewBackward0");
    assert_eq!(grad_fn("2, 3", "transpose(x).flatten()"), "UnsafeViewBackward0");
    assert_eq!(grad_fn("1", "x.reshape([])"), "ViewBackward0");
}

#[test]
fn view_of_a_layout_without_that_view_is_e0222() {
    for expr in ["transpose(x).view(-1)", "x.mT.view(6)", "x.expand(2, 2, 3).view(12)"] {
        let source = format!("x = randn(2, 3)\ny = {expr}\n");
        match compile(&source, false) {
            Ok(_) => panic!("{expr} compiles"),
            Err(d) => assert_eq!(d[0].code, Code::E0222, "{expr}: {}", d[0].message),
        }
    }
}
