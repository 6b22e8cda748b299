//! Tests of the front end's errors: parse errors (E0001-E0004) with their spans
//! and rendering, proptest fuzzing that no input panics the parser, and deep
//! nesting. The grammar itself is tested in `syntax.rs`.

use graphc_compiler::diag::{Code, Diagnostic};
use graphc_compiler::syntax::ast::*;
use graphc_compiler::syntax::lexer::lex;
use graphc_compiler::syntax::parser::parse;
use proptest::prelude::*;

fn parse_ok(source: &str) -> File {
    match parse(source) {
        Ok(file) => file,
        Err(diags) => panic!("parse failed for {source:?}: {diags:#?}"),
    }
}

fn parse_err(source: &str) -> Diagnostic {
    match parse(source) {
        Ok(file) => panic!("expected an error for {source:?}, got {file:#?}"),
        Err(mut diags) => {
            assert_eq!(diags.len(), 1, "{diags:#?}");
            diags.remove(0)
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

fn text(source: &str, span: Span) -> &str {
    &source[span.start..span.end]
}

// ------------------------------------------------------------------ errors

#[test]
fn e0001_invalid_character() {
    let source = "x = 1\ny = $z\n";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0001);
    assert_eq!(line_col(source, d.primary.span.start), (2, 5));
    assert_eq!(text(source, d.primary.span), "$");

    // A non-ASCII character is rejected whole, never half a code point.
    let source = "é = 1";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0001);
    assert_eq!(text(source, d.primary.span), "é");
    assert!(d.message.contains('é'));
}

#[test]
fn e0002_bad_strings() {
    let source = "print(\"a\\qb\")";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0002);
    assert_eq!(text(source, d.primary.span), "\\q");
    assert_eq!(line_col(source, d.primary.span.start), (1, 9));

    let source = "x = 1\nprint(\"abc\ny = 2\n";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0002);
    assert_eq!(text(source, d.primary.span), "\"abc");
    assert_eq!(line_col(source, d.primary.span.start), (2, 7));

    let source = "print(\"abc";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0002);
    assert_eq!(text(source, d.primary.span), "\"abc");

    let source = "print(\"abc\\";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0002);
}

#[test]
fn e0003_unexpected_token() {
    let source = "x = f(a,, b)";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0003);
    assert_eq!(d.message, "unexpected `,`");
    assert_eq!(text(source, d.primary.span), ",");
    assert_eq!(line_col(source, d.primary.span.start), (1, 9));
    assert_eq!(d.help.as_deref(), Some("expected an expression or `)`"));

    let source = "fn f(x) {\n  return x\n}\ny = 1 2\n";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0003);
    assert_eq!(d.message, "unexpected number `2`");
    assert_eq!(line_col(source, d.primary.span.start), (4, 7));
    let help = d.help.unwrap();
    assert!(help.contains("an operator") && help.contains("a newline"), "{help}");

    let source = "x = )";
    let d = parse_err(source);
    assert_eq!(d.message, "unexpected `)`");
    assert_eq!(d.help.as_deref(), Some("expected an expression"));

    // `save` takes names only, so the newline after `save` is dropped and `x` joins it.
    let source = "save\nx = 1";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0003);
    assert_eq!(d.message, "unexpected `=`");
    assert_eq!(line_col(source, d.primary.span.start), (2, 3));

    let source = "op A(x) {\n  forward {\n    return x\n  }\n  y = 1\n}\n";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0003);
    assert_eq!(line_col(source, d.primary.span.start), (5, 3));

    // `:` is a token of the language that no rule uses yet.
    let source = "x = a:b";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0003);
    assert_eq!(d.message, "unexpected `:`");

    // A set literal, which `.act` does not have, says so; a missing condition does not.
    let d = parse_err("x = {\"a\", 1}\n");
    assert_eq!(d.message, "unexpected `,`");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("no sets")), "{:?}", d.help);
    let d = parse_err("if {\n}\n");
    assert!(!d.help.as_deref().is_some_and(|h| h.contains("no sets")), "{:?}", d.help);

    // Two statements on one line need a `;`.
    let source = "f(x) g(x)";
    let d = parse_err(source);
    assert_eq!(d.message, "unexpected name `g`");

    // The opening brace must stay on the header's line.
    let source = "fn f(x)\n{\n return x\n}\n";
    let d = parse_err(source);
    assert_eq!(d.code, Code::E0003);
    assert_eq!(d.message, "unexpected newline");
    assert_eq!(line_col(source, d.primary.span.start), (1, 8));
}

#[test]
fn e0004_unexpected_end_of_file() {
    for source in ["x = ", "x = f(1,\n  2", "fn f(x) {\n  return x\n", "op A(x) {\n  forward {\n", "op A", "x = [1, 2", "x = 1 +\n# end\n"] {
        let d = parse_err(source);
        assert_eq!(d.code, Code::E0004, "{source:?}: {d:#?}");
        assert_eq!(d.primary.span, Span::new(source.len(), source.len()), "{source:?}");
        assert_eq!(d.message, "unexpected end of file");
    }
    let d = parse_err("x = y.");
    assert_eq!(d.help.as_deref(), Some("expected a name"));
    let d = parse_err("fn f(x) {\n  return x\n");
    assert_eq!(d.help.as_deref(), Some("expected an expression, a newline, `save`, `return`, `for` or `}`"));
}

#[test]
fn errors_render() {
    let source = "x = f(a,, b)";
    let d = parse_err(source);
    let out = graphc_compiler::diag::render(&[d], "t.act", source, false);
    assert!(out.contains("error[E0003]: unexpected `,`"), "{out}");
    assert!(out.contains("t.act:1:9"), "{out}");
}

// ------------------------------------------------------------------ fuzzing

/// Pieces of the language's text, so that random mixes reach deep into the grammar.
const PIECES: &[&str] = &[
    "op",
    "fn",
    "forward",
    "backward",
    "save",
    "return",
    "true",
    "false",
    "none",
    "x",
    "grad",
    "f",
    "_a1",
    "3",
    "0.1",
    "1e-3",
    "2.5E+2",
    ".5",
    "\"s\"",
    "\"a\\nb\"",
    "\"bad\\q\"",
    "\"open",
    "+",
    "-",
    "*",
    "/",
    "**",
    "@",
    "=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    ":",
    ";",
    "\n",
    "# c\n",
    " ",
    "\t",
    "\r\n",
    "é",
    "$",
    "\\",
];

/// Tokens of the language as text, each of which lexes on its own.
const VALID_TOKENS: &[&str] = &[
    "op", "fn", "forward", "backward", "save", "return", "true", "false", "none", "x", "y", "grad", "print", "3", "0.5", "1e-3", "\"s\"", "+", "-",
    "*", "/", "**", "@", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", ";",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(source in "\\PC*") {
        let _ = parse(&source);
    }

    #[test]
    fn random_unicode_with_newlines_never_panics(source in "[\\x00-\\x7f\\u{80}-\\u{10ffff}\\n]{0,64}") {
        let _ = parse(&source);
    }

    #[test]
    fn random_mix_of_language_text_never_panics(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..48)) {
        let source: String = pieces.concat();
        let _ = parse(&source);
    }

    #[test]
    fn random_valid_tokens_never_panic(
        tokens in prop::collection::vec(
            (prop::sample::select(VALID_TOKENS), prop::sample::select(&[" ", "\n", " \n "][..])),
            0..64,
        )
    ) {
        let source: String = tokens.iter().flat_map(|(t, sep)| [*t, *sep]).collect();
        let lexed = lex(&source);
        prop_assert!(lexed.is_ok(), "{:?}", lexed);
        match parse(&source) {
            Ok(file) => {
                // Every statement's span lies in the file.
                for item in &file.items {
                    if let Item::Stmt(s) = item {
                        prop_assert!(s.span.start <= s.span.end && s.span.end <= source.len());
                    }
                }
            }
            Err(diags) => {
                for d in &diags {
                    prop_assert!(d.primary.span.start <= d.primary.span.end && d.primary.span.end <= source.len());
                }
            }
        }
    }
}

#[test]
fn pathological_nesting_is_an_error_not_a_stack_overflow() {
    for n in [1_000usize, 100_000] {
        for source in [
            format!("x = {}1", "-".repeat(n)),
            format!("x = {}1{}", "(".repeat(n), ")".repeat(n)),
            format!("x = {}", "[".repeat(n)),
            format!("x = 1{}", "+1".repeat(n)),
            format!("x = 2{}", " ** 2".repeat(n)),
            format!("x = y{}", ".f()".repeat(n)),
        ] {
            let d = parse_err(&source);
            assert_eq!(d.code, Code::E0003);
            assert_eq!(d.message, "expression is nested too deeply");
        }
    }
    // Moderate nesting parses, and a large tensor literal is wide, not deep.
    parse_ok(&format!("x = {}1{}", "(".repeat(100), ")".repeat(100)));
    parse_ok(&format!("x = -{}", "-".repeat(100) + "1"));
    let row = format!("[{}]", vec!["-1.5"; 200].join(", "));
    parse_ok(&format!("x = tensor([{}])\ny = 1", vec![row.as_str(); 200].join(",\n")));
}

/// Comparisons chain as Python's do: `0 < x <= 1` is one chain of two links
/// over three operands, while a parenthesized comparison is an operand.
/// (What a chain of tensors refuses, E0005, is `compiler/tests/chained_comparisons.rs`.)
#[test]
fn comparisons_chain_unless_parenthesized() {
    for op in [">", "<", ">=", "<=", "==", "!="] {
        parse_ok(&format!("x = ones(3)\ny = x * (x {op} 0)\n"));
        let source = format!("y = 0 {op} x <= 1 {op} 2\n");
        let file = parse_ok(&source);
        let Item::Stmt(Stmt { kind: StmtKind::Assign { value, .. }, .. }) = &file.items[0] else { panic!("not an assignment") };
        let ExprKind::Chain { first, links } = &value.kind else { panic!("not a chain: {value:?}") };
        assert_eq!(text(&source, first.span), "0");
        let ops: Vec<BinOp> = links.iter().map(|(o, _)| *o).collect();
        assert_eq!(ops.len(), 3, "{op}");
        assert_eq!(ops[1], BinOp::Le);
        assert_eq!(text(&source, value.span), format!("0 {op} x <= 1 {op} 2"));
        let source = format!("y = (1 {op} 2) == (3 {op} 4)\n");
        let file = parse_ok(&source);
        let Item::Stmt(Stmt { kind: StmtKind::Assign { value, .. }, .. }) = &file.items[0] else { panic!("not an assignment") };
        assert!(matches!(&value.kind, ExprKind::Binary { op: BinOp::EqEq, .. }), "{value:?}");
    }
    // `=` alone is still assignment and `!` alone still starts no token.
    parse_ok("x = 1\n");
    assert_eq!(parse_err("x = !y\n").code, Code::E0001);
}
