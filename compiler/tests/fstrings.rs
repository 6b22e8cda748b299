//! The front end of f-strings and of `//` and `%`: how `f"..."` splits into
//! text and fields, where each field's expression and spec point in the file,
//! and the errors of a malformed f-string (E0642).

use graphc_compiler::syntax::ast::*;
use graphc_compiler::syntax::parser::parse;

/// The expression of the single statement `source`.
fn only_expr(source: &str) -> Expr {
    let file = parse(source).unwrap_or_else(|d| panic!("{source:?} does not parse: {d:#?}"));
    match &file.items[..] {
        [Item::Stmt(Stmt { kind: StmtKind::Expr(e), .. })] => e.clone(),
        other => panic!("expected one expression statement, got {other:#?}"),
    }
}

fn pieces(e: &Expr) -> &[FPiece] {
    match &e.kind {
        ExprKind::FString(p) => p,
        other => panic!("not an f-string: {other:#?}"),
    }
}

#[test]
fn fields_split_the_text_and_keep_their_specs() {
    let e = only_expr(r#"f"step {step:3d}  loss {loss.item():.4f}\n""#);
    let p = pieces(&e);
    assert_eq!(p.len(), 5, "{p:#?}");
    assert_eq!(p[0], FPiece::Text("step ".to_string()));
    assert_eq!(p[2], FPiece::Text("  loss ".to_string()));
    assert_eq!(p[4], FPiece::Text("\n".to_string()));
    let FPiece::Field { expr, spec, conversion, .. } = &p[3] else { panic!("{:#?}", p[3]) };
    assert!(matches!(&expr.kind, ExprKind::Method { method, .. } if method.name == "item"));
    assert_eq!(spec, ".4f");
    assert_eq!(*conversion, None);
}

#[test]
fn field_expressions_and_specs_point_into_the_file() {
    let source = r#"f"a {x + y[1:2]!r:>8} b""#;
    let e = only_expr(source);
    assert_eq!((e.span.start, e.span.end), (0, source.len()));
    let FPiece::Field { expr, spec, spec_span, conversion } = &pieces(&e)[1] else { panic!() };
    assert_eq!(&source[expr.span.start..expr.span.end], "x + y[1:2]");
    assert!(matches!(expr.kind, ExprKind::Binary { op: BinOp::Add, .. }));
    assert_eq!(*conversion, Some('r'));
    assert_eq!(spec, ">8");
    assert_eq!(&source[spec_span.start..spec_span.end], ">8");
}

#[test]
fn doubled_braces_are_literal_and_an_all_text_fstring_has_one_piece() {
    let e = only_expr(r#"f"{{x}} = {{}}""#);
    assert_eq!(pieces(&e), &[FPiece::Text("{x} = {}".to_string())]);
}

#[test]
fn floor_division_and_modulo_bind_as_multiplication() {
    let e = only_expr("a + b // c % d");
    let ExprKind::Binary { op: BinOp::Add, rhs, .. } = &e.kind else { panic!("{e:#?}") };
    let ExprKind::Binary { op: BinOp::Mod, lhs, .. } = &rhs.kind else { panic!("{rhs:#?}") };
    assert!(matches!(lhs.kind, ExprKind::Binary { op: BinOp::FloorDiv, .. }));
}

#[test]
fn malformed_fstrings_are_e0642_at_the_fault() {
    for (source, at, message) in [
        (r#"f"a } b""#, 4, "single `}`"),
        (r#"f"a {x b""#, 4, "expecting `}`"),
        (r#"f"a { } b""#, 4, "empty expression"),
        (r#"f"{x!q}""#, 5, "invalid conversion"),
        (r#"f"{x:{w}}""#, 5, "inside a format spec"),
    ] {
        let d = parse(source).expect_err(source);
        assert_eq!(d[0].code.as_str(), "E0642", "{source}: {d:#?}");
        assert_eq!(d[0].primary.span.start, at, "{source}: {d:#?}");
        assert!(d[0].message.contains(message), "{source}: {}", d[0].message);
    }
}

#[test]
fn a_syntax_error_inside_a_field_points_at_it() {
    let source = r#"f"value {x +* 2}""#;
    let d = parse(source).expect_err(source);
    let at = d[0].primary.span.start;
    assert!((9..15).contains(&at), "the error points at {at}, outside the field: {d:#?}");
}

/// String literals written next to each other are one (an f-string if one of
/// them is), over lines inside parentheses, and `*` by an integer repeats a
/// string on either side: what Python 3.11 prints for the same lines.
#[test]
fn adjacent_literals_join_and_strings_repeat() {
    let out = crate::common::run(
        "print(\"-\" * 5 + \"|\", 3 * \"ab\", \"x\" * 0)\nprint((\"| epoch {:3d} \"\n       \"| accuracy {:8.3f}\").format(3, 0.5), f\"{1 + 1}\" \" and \" f'{2:3d}')\n",
    );
    assert_eq!(out, "-----| ababab \n| epoch   3 | accuracy    0.500 2 and   2\n");
}
