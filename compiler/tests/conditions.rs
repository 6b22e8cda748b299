//! Default and keyword parameters of ops and fns, compile-time `if`, `and`,
//! `or`, `not`, `is`, and `needs_grad`: what compiles, and each misuse's code.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_compiler::syntax::ast::{Item, StmtKind};
use graphc_compiler::syntax::parser::parse;

fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

/// The number of graph nodes lowering makes for a program that compiles.
fn nodes(src: &str) -> usize {
    let file = parse(src).unwrap_or_else(|d| panic!("{src}: {d:?}"));
    match graphc_compiler::lower::lower(&file) {
        Ok(prog) => prog.graph.index_bound(),
        Err(d) => panic!("{src}: {d:?}"),
    }
}

const LAYER: &str = "fn layer(x, scale=2, shift=none) {\n    if shift is none {\n        return x * scale\n    }\n    return x * scale + shift\n}\n";

#[test]
fn defaults_fill_missing_arguments_and_keywords_name_parameters() {
    for call in ["layer(ones(2))", "layer(ones(2), 3)", "layer(ones(2), shift=1.0)", "layer(x=ones(2), shift=1.0, scale=0.5)"] {
        assert_eq!(codes(&format!("{LAYER}print({call})\n")), vec![], "{call}");
    }
}

#[test]
fn the_branch_not_taken_makes_no_nodes() {
    // With `shift` none the `+ shift` is not lowered: one node fewer (the add) and
    // no constant for the shift.
    let without = nodes(&format!("{LAYER}y = layer(ones(2))\n"));
    let with = nodes(&format!("{LAYER}y = layer(ones(2), shift=1.0)\n"));
    assert_eq!(with, without + 2, "the call with a shift adds its constant and the add");
}

#[test]
fn call_binding_errors_have_their_codes() {
    let cases = [
        ("layer(ones(2), 1, 2, 3)", Code::E0103),
        ("layer()", Code::E0103),
        ("layer(ones(2), scale=1, scale=2)", Code::E0104),
        ("layer(ones(2), 1, scale=2)", Code::E0104),
        ("layer(ones(2), bias=2)", Code::E0104),
    ];
    for (call, code) in cases {
        assert_eq!(codes(&format!("{LAYER}print({call})\n")), vec![code], "{call}");
    }
}

#[test]
fn a_default_after_a_required_parameter_is_e0111_and_a_default_reads_no_name() {
    assert_eq!(codes("fn f(a=1, b) {\n    return b\n}\n"), vec![Code::E0111]);
    assert_eq!(codes("fn f(a, b=c) {\n    return b\n}\n"), vec![Code::E0101]);
}

#[test]
fn logic_short_circuits_and_needs_bools() {
    // The right operand of a decided `and`/`or` is not lowered, so `b * 2` of a none `b` is never computed.
    assert_eq!(codes("b = none\nprint(b is not none and b * 2)\nprint(b is none or b * 2)\n"), vec![]);
    // A number decides `and`/`or`, `not` and `if` as Python's truth test does
    // (`1 and true` is `True`, `not 2` is `False`); a tensor's truth is known
    // only at run time: a one-element tensor's `and` needs a tensor like it on
    // the right (E0644), a larger tensor has no truth (E0113).
    assert_eq!(codes("print(1 and true)"), vec![]);
    assert_eq!(codes("print(ones(1) and true)"), vec![Code::E0644]);
    assert_eq!(codes("print(ones(2) and true)"), vec![Code::E0113]);
    assert_eq!(codes("print(not 2)"), vec![]);
    assert_eq!(codes("if 1 {\n    print(1)\n}\n"), vec![]);
    assert_eq!(codes("if ones(2) {\n    print(1)\n}\n"), vec![Code::E0113]);
    assert_eq!(codes("x = ones(2)\ny = x\nprint(x is y, x is not ones(2), true is true, none is not none)\n"), vec![]);
    assert_eq!(codes("print(2.5 is 2.5)"), vec![Code::E0114]);
}

#[test]
fn a_name_bound_only_in_the_branch_not_taken_is_unknown_after_it() {
    assert_eq!(codes("if false {\n    q = 1\n}\nprint(q)\n"), vec![Code::E0101]);
    assert_eq!(codes("if true {\n    q = 1\n} elif false {\n    q = 2\n} else {\n    q = 3\n}\nprint(q)\n"), vec![]);
}

#[test]
fn the_block_not_taken_is_still_checked_for_names() {
    assert_eq!(codes("if false {\n    print(undefined_name)\n}\n"), vec![Code::E0101]);
}

#[test]
fn elif_and_else_if_parse_to_the_same_branches() {
    for src in ["if a {\n} elif b {\n} else {\n}\n", "if a {\n} else if b {\n} else {\n}\n"] {
        let file = parse(src).unwrap_or_else(|d| panic!("{src}: {d:?}"));
        let Item::Stmt(stmt) = &file.items[0] else { panic!("not a statement") };
        let StmtKind::If(i) = &stmt.kind else { panic!("not an if") };
        assert_eq!(i.branches.len(), 2, "{src}");
        assert!(i.otherwise.is_some(), "{src}");
    }
}

#[test]
fn returns_inside_both_branches_end_a_forward() {
    let src = "op F(x, b=none) {\n    forward {\n        if b is none {\n            return x * 2\n        } else {\n            return x * 2 + b\n        }\n    }\n    backward(g) {\n        return g * 2, none\n    }\n}\nprint(F(ones(2)))\n";
    assert_eq!(codes(src), vec![]);
    let only_if = src.replace("        } else {\n            return x * 2 + b\n        }\n", "        }\n");
    assert_eq!(codes(&only_if), vec![Code::E0108], "a forward whose return is only in an `if` does not always return");
}

const NEEDS: &str = "op F(x, w) {\n    forward {\n        save x, w\n        return x * w\n    }\n    backward(g) {\n        both = needs_grad(x) and needs_grad(w)\n        gx = none\n        if needs_grad(x) {\n            gx = g * w\n        }\n        return gx, g * x\n    }\n}\n";

#[test]
fn needs_grad_answers_per_call_site() {
    let src = format!("{NEEDS}a = ones(2)\nb = ones(2, requires_grad=true)\nF(a, b).sum().backward()\nF(b, b).sum().backward()\n");
    assert_eq!(codes(&src), vec![]);
}

#[test]
fn needs_grad_misuse_is_e0112() {
    assert_eq!(codes("print(needs_grad(x))"), vec![Code::E0112]);
    let bad = NEEDS.replace("both = needs_grad(x) and needs_grad(w)", "both = needs_grad(g)");
    assert_eq!(codes(&format!("{bad}print(F(ones(2), ones(2)))\n")), vec![Code::E0112]);
}

#[test]
fn blocks_nested_too_deeply_are_a_syntax_error() {
    let depth = 100;
    let src = format!("{}{}", "if true {\n".repeat(depth), "}\n".repeat(depth));
    let diags = parse(&src).expect_err("too deep");
    assert_eq!(diags[0].code, Code::E0003);
}

/// Python's precedence: `or` below `and` below `not` below `is` below arithmetic.
#[test]
fn logic_operators_bind_as_in_python() {
    use graphc_compiler::syntax::ast::{Expr, ExprKind, LogicOp};
    fn shape(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Logic { op: LogicOp::And, lhs, rhs } => format!("(and {} {})", shape(lhs), shape(rhs)),
            ExprKind::Logic { op: LogicOp::Or, lhs, rhs } => format!("(or {} {})", shape(lhs), shape(rhs)),
            ExprKind::Not(o) => format!("(not {})", shape(o)),
            ExprKind::Is { lhs, rhs, negated } => format!("({} {} {})", if *negated { "isnot" } else { "is" }, shape(lhs), shape(rhs)),
            ExprKind::Name(n) => n.clone(),
            ExprKind::None => "none".to_string(),
            ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.symbol(), shape(lhs), shape(rhs)),
            _ => "?".to_string(),
        }
    }
    let cases = [
        ("a or b and c", "(or a (and b c))"),
        ("not a and b", "(and (not a) b)"),
        ("a is not none or not b is none", "(or (isnot a none) (not (is b none)))"),
        ("a + b is none", "(is (+ a b) none)"),
        ("a and b and c", "(and (and a b) c)"),
    ];
    for (src, want) in cases {
        let file = parse(src).unwrap_or_else(|d| panic!("{src}: {d:?}"));
        let Item::Stmt(stmt) = &file.items[0] else { panic!("not a statement") };
        let StmtKind::Expr(e) = &stmt.kind else { panic!("not an expression") };
        assert_eq!(shape(e), want, "{src}");
    }
}
