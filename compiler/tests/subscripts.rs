//! Subscripts `x[...]`: how they parse, the shapes they give, and their errors
//! (code and the source they point at). Values and `grad_fn` names are checked
//! against PyTorch by `examples/shapes.act`, gradients by `shape_gradients.rs`.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_compiler::syntax::ast::{ExprKind, IndexItem, Item, StmtKind};
use graphc_compiler::syntax::parser::parse;
use graphc_runtime::exec::run_capture;

/// The items of the subscript in `y = SUBSCRIPT`.
fn items(source: &str) -> Vec<IndexItem> {
    let file = parse(source).unwrap_or_else(|d| panic!("{source} does not parse: {}", d[0].message));
    let Some(Item::Stmt(stmt)) = file.items.last() else { panic!("no statement") };
    let StmtKind::Assign { value, .. } = &stmt.kind else { panic!("not an assignment") };
    let ExprKind::Index { items, .. } = &value.kind else { panic!("not a subscript: {value:?}") };
    items.clone()
}

#[test]
fn items_parse_as_written() {
    let parsed = items("y = x[0, 1:, :-1:2, ::3, ..., none, -1]");
    assert_eq!(parsed.len(), 7);
    assert!(matches!(&parsed[0], IndexItem::Expr(e) if matches!(e.kind, ExprKind::Number { value, .. } if value == 0.0)));
    assert!(matches!(&parsed[1], IndexItem::Slice { start: Some(_), stop: None, step: None, .. }));
    assert!(matches!(&parsed[2], IndexItem::Slice { start: None, stop: Some(_), step: Some(_), .. }));
    assert!(matches!(&parsed[3], IndexItem::Slice { start: None, stop: None, step: Some(_), .. }));
    assert!(matches!(&parsed[4], IndexItem::Ellipsis(_)));
    assert!(matches!(&parsed[5], IndexItem::Expr(e) if e.kind == ExprKind::None));
    assert!(matches!(&parsed[6], IndexItem::Expr(e) if matches!(e.kind, ExprKind::Unary { .. })));
}

#[test]
fn subscripts_chain_with_calls_and_methods() {
    let parsed = items("y = f(x).exp()[1][:, 2]");
    assert_eq!(parsed.len(), 2, "the outer subscript holds two items");
    assert!(parse("y = x[1:2:3:4]").is_err(), "a slice has at most three parts");
    assert!(parse("y = x[0\n, 1]").is_ok(), "newlines inside brackets are ignored");
}

/// The shape of `y` after `x = ones(SHAPE)` and `y = EXPR`.
fn shape_of(shape: &str, expr: &str) -> Vec<usize> {
    let source = format!("x = ones({shape})\ny = {expr}\nprint(y)\n");
    let compiled = compile(&source, false).unwrap_or_else(|d| panic!("{expr}: {}", d[0].message));
    let (_, printed) = run_capture(&compiled.plan).expect("runs");
    printed[0].shape().to_vec()
}

#[test]
fn result_shapes_follow_pytorch() {
    // Each expected shape is what PyTorch 2.15 gives for the same subscript.
    assert_eq!(shape_of("2, 3, 4", "x[0]"), vec![3, 4]);
    assert_eq!(shape_of("2, 3, 4", "x[0, 1, 2]"), Vec::<usize>::new());
    assert_eq!(shape_of("2, 3, 4", "x[:, 1:]"), vec![2, 2, 4]);
    assert_eq!(shape_of("2, 3, 4", "x[..., 1]"), vec![2, 3]);
    assert_eq!(shape_of("2, 3, 4", "x[1:, none, 0]"), vec![1, 1, 4]);
    assert_eq!(shape_of("2, 3, 4", "x[:, :, ::3]"), vec![2, 3, 2]);
    assert_eq!(shape_of("2, 3, 4", "x[5:]"), vec![0, 3, 4]);
    assert_eq!(shape_of("2, 3, 4", "x[-10:1]"), vec![1, 3, 4]);
    assert_eq!(shape_of("2, 3, 4", "x[..., none]"), vec![2, 3, 4, 1]);
    assert_eq!(shape_of("2, 3, 4", "x[:, -1:-3]"), vec![2, 0, 4]);
    assert_eq!(shape_of("5", "x.split(2)[-1]"), vec![1]);
}

/// Compiles `x = ones(SHAPE)` and `y = EXPR`: the first diagnostic's code and the text it points at.
fn error(shape: &str, expr: &str) -> (Code, String) {
    let source = format!("x = ones({shape})\ny = {expr}\n");
    let d = match compile(&source, false) {
        Ok(_) => panic!("{expr} compiles"),
        Err(d) => d,
    };
    let s = d[0].primary.span;
    (d[0].code, source[s.start..s.end].to_string())
}

#[test]
fn bad_subscripts_are_reported_where_they_are() {
    assert_eq!(error("4, 3", "x[::-1]"), (Code::E0223, "::-1".to_string()));
    assert_eq!(error("4, 3", "x[1:2:0]"), (Code::E0223, "1:2:0".to_string()));
    assert_eq!(error("4, 3", "x[0.5]"), (Code::E0223, "0.5".to_string()));
    assert_eq!(error("4, 3", "x[..., 0, ...]").0, Code::E0223);
    assert_eq!(error("4, 3", "x[]").0, Code::E0223);
    assert_eq!(error("4, 3", "x[4]"), (Code::E0224, "4".to_string()));
    assert_eq!(error("4, 3", "x[-5]"), (Code::E0224, "-5".to_string()));
    assert_eq!(error("4, 3", "x[0, 0, 0]").0, Code::E0224);
    assert_eq!(error("4, 3", "x.split(2)[2]"), (Code::E0224, "2".to_string()));
    assert_eq!(error("4, 3", "(1)[0]").0, Code::E0223);
}

/// Python's sequences as the tiny-diffusion example uses them, against what
/// the PyTorch 2.15 program in the comment prints: lists, tuples and shapes
/// sliced backwards, `cat` and `stack` of tuples, and `if`s on tensors whose
/// values follow from constants (decided when compiling, so each side may
/// bind a value of another kind, as in Python where the other side never runs).
#[test]
fn backward_slices_tuples_and_known_conditions_are_pythons() {
    // import torch
    // steps = list(range(6))[::-1]
    // print(steps, steps[4:1:-2], steps[-2::-3], (1, 2, 3)[::-1], torch.zeros(2, 3, 4).shape[::-1])
    // a, b = torch.ones(2), torch.zeros(2)
    // print(torch.cat((a, b)), torch.stack((a, b), dim=1))
    // t = torch.full((3,), 5, dtype=torch.long)
    // y = torch.tensor(1.0)
    // if t[0] > 4:
    //     y = y * 2
    // else:
    //     y = "never"
    // if (t == 0).any():
    //     z = "never"
    // else:
    //     z = torch.tensor([3, 4])
    // print(y, z)
    let program = r#"
steps = list(range(6))[::-1]
print(steps, steps[4:1:-2], steps[-2::-3], (1, 2, 3)[::-1], zeros(2, 3, 4).shape[::-1])
a, b = ones(2), zeros(2)
print(cat((a, b)), stack((a, b), dim=1))
t = full((3,), 5, dtype=i64)
y = tensor(1.0)
if t[0] > 4 {
    y = y * 2
} else {
    y = "never"
}
if (t == 0).any() {
    z = "never"
} else {
    z = tensor([3, 4])
}
print(y, z)
"#;
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let (printed, _) = run_capture(&c.plan).unwrap();
    assert_eq!(
        printed,
        r#"[5, 4, 3, 2, 1, 0] [1, 3] [1, 4] (3, 2, 1) torch.Size([4, 3, 2])
tensor([1., 1., 0., 0.]) tensor([[1., 0.],
        [1., 0.]])
tensor(2.) tensor([3, 4])
"#
    );
    // A tensor's slice still may not step backwards, as in PyTorch.
    let err = compile("x = ones(4)\ny = x[::-1]\n", false).err().expect("a tensor's negative step is refused");
    assert_eq!(err[0].code, Code::E0223);
}
