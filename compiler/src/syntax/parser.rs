//! The parser: the lexer's tokens through the LR grammar generated from
//! `grammar.lalrpop`, with lalrpop's errors translated into [`Diagnostic`]s that
//! speak the language of the source (`expected an expression or `)``), not of
//! the grammar's terminal names.

use lalrpop_util::{lalrpop_mod, ParseError};

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{self, BinOp, BitOp, Expr, ExprKind, Span};
use crate::syntax::lexer::{self, Token};

lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, unused_imports, dead_code)]
    grammar,
    "/syntax/grammar.rs"
);

/// Parses a whole `.act` file. Lexing stops at the first bad token and parsing at
/// the first unexpected one, so the error list holds one diagnostic today; it is a
/// list so that error recovery can be added without changing callers.
pub fn parse(source: &str) -> Result<ast::File, Vec<Diagnostic>> {
    let tokens = lexer::lex(source).map_err(|d| vec![d])?;
    check_nesting(&tokens).map_err(|d| vec![d])?;
    grammar::FileParser::new().parse(tokens.into_iter().map(Ok::<_, Diagnostic>)).map_err(|e| vec![convert(e, source)])
}

/// Parses the tokens of one expression (an f-string's field): `source` is the
/// field's text, and the tokens' spans are already positions in the file.
pub(crate) fn parse_expr(tokens: Vec<(usize, Token, usize)>, source: &str) -> Result<Expr, Diagnostic> {
    check_nesting(&tokens)?;
    grammar::ExprParser::new().parse(tokens.into_iter().map(Ok::<_, Diagnostic>)).map_err(|e| convert(e, source))
}

/// `receiver.method(args)`: a method call, or, where the receiver is the bare
/// name of one of PyTorch's function namespaces and the table lists the
/// function (`linalg.cross(a, b)`, `special.expit(x)`), a call of the builtin
/// it names (`namespaces.rs`), whose callee spans the whole dotted name.
pub(crate) fn method_call(receiver: Expr, method: ast::Ident, args: Vec<ast::Arg>, span: Span) -> Expr {
    if let ExprKind::Name(namespace) = &receiver.kind {
        if let Some(builtin) = super::namespaces::resolve(namespace, &method.name) {
            let callee = ast::Ident { name: builtin.to_string(), span: Span::new(receiver.span.start, method.span.end) };
            return Expr { kind: ExprKind::Call { callee, args }, span };
        }
    }
    Expr { kind: ExprKind::Method { receiver: Box::new(receiver), method, args }, span }
}

/// Builds a binary expression node; the grammar's actions call it for every operator.
pub(crate) fn binary(op: BinOp, lhs: Expr, rhs: Expr, start: usize, end: usize) -> Expr {
    Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span: Span::new(start, end) }
}

/// Builds `a & b`, `a | b` or `a ^ b`.
pub(crate) fn bitwise(op: BitOp, lhs: Expr, rhs: Expr, start: usize, end: usize) -> Expr {
    Expr { kind: ExprKind::Bitwise { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span: Span::new(start, end) }
}

/// `a in b` or `a not in b`, where `word` must be `in`: the grammar reads it as a
/// name so that `in` stays a name elsewhere.
pub(crate) fn membership(
    word: &str,
    at: Span,
    negated: bool,
    lhs: Expr,
    rhs: Expr,
    start: usize,
    end: usize,
) -> Result<Expr, ParseError<usize, Token, Diagnostic>> {
    if word != "in" {
        let help = if negated {
            "write `a not in b`"
        } else {
            "write an operator between the two values (`a * b`, `a in b`), or start a new statement on its own line or after a `;`"
        };
        return Err(ParseError::User {
            error: Diagnostic::new(Code::E0003, format!("unexpected name `{word}`"), at, "expected an operator here").with_help(help),
        });
    }
    Ok(Expr { kind: ExprKind::In { lhs: Box::new(lhs), rhs: Box::new(rhs), negated }, span: Span::new(start, end) })
}

/// Builds a comparison. As in Python, an unparenthesized comparison on the left
/// makes a chain (`a < b < c`, which means `a < b and b < c`); a parenthesized
/// one is the inner node with its span widened to the parentheses, so its right
/// operand ends before it does, which tells the two apart: `(a < b) == c`
/// compares a bool with `c`.
pub(crate) fn comparison(op: &str, lhs: Expr, rhs: Expr, start: usize, end: usize) -> Expr {
    let op = match op {
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "==" => BinOp::EqEq,
        _ => BinOp::Ne,
    };
    let span = Span::new(start, end);
    match lhs.kind {
        ExprKind::Binary { op: inner, lhs: first, rhs: second } if inner.is_comparison() && second.span.end == lhs.span.end => {
            Expr { kind: ExprKind::Chain { first, links: vec![(inner, *second), (op, rhs)] }, span }
        }
        ExprKind::Chain { first, mut links } if links.last().is_some_and(|(_, e)| e.span.end == lhs.span.end) => {
            links.push((op, rhs));
            Expr { kind: ExprKind::Chain { first, links }, span }
        }
        kind => binary(op, Expr { kind, span: lhs.span }, rhs, start, end),
    }
}

/// A modifier after an input declaration's shape.
pub(crate) enum InputModifier {
    RequiresGrad(Span),
    /// `in [LO, HI]`: the bounds and the span of the whole modifier.
    Range(f64, f64, Span),
}

/// Checks a modifier word after `input NAME: DTYPE[DIMS]`: `requires_grad`, or `in`
/// followed by `[LO, HI]` with `LO <= HI`.
/// The names of an unpacking's targets (`a, (b, c) = v`). A parenthesized
/// group is a hidden name ([`ast::UNPACK_GROUP`] and where the group starts)
/// whose own unpacking is pushed to `groups`, to run right after, as a `for`
/// target's group is unpacked; groups nest. Anything else is E0003.
pub(crate) fn unpack_targets(targets: Vec<Expr>, groups: &mut Vec<ast::Stmt>) -> Result<Vec<ast::Ident>, ParseError<usize, Token, Diagnostic>> {
    let mut names = Vec::new();
    for e in targets {
        match e.kind {
            ExprKind::Name(name) => names.push(ast::Ident { name, span: e.span }),
            ExprKind::Tuple(items) if !items.is_empty() => {
                let hidden = ast::Ident { name: format!("{}_{}", ast::UNPACK_GROUP, e.span.start), span: e.span };
                let at = groups.len();
                let inner = unpack_targets(items, groups)?;
                let value = Expr { kind: ExprKind::Name(hidden.name.clone()), span: e.span };
                groups.insert(at, ast::Stmt { kind: ast::StmtKind::Unpack { targets: inner, value }, span: e.span });
                names.push(hidden);
            }
            _ => {
                return Err(ParseError::User {
                    error: Diagnostic::new(Code::E0003, "only names can be assigned to", e.span, "not a name")
                        .with_help("write names on the left of `=`: `a, b = f(x)`, `out, (h, c) = lstm(x)`"),
                })
            }
        }
    }
    Ok(names)
}

pub(crate) fn input_modifier(word: &str, bounds: Option<(f64, f64)>, span: Span) -> Result<InputModifier, ParseError<usize, Token, Diagnostic>> {
    let error = |message: String, label: &str, help: &str| {
        Err(ParseError::User { error: Diagnostic::new(Code::E0003, message, span, label).with_help(help) })
    };
    match (word, bounds) {
        ("requires_grad", None) => Ok(InputModifier::RequiresGrad(span)),
        ("in", Some((lo, hi))) if lo <= hi => Ok(InputModifier::Range(lo, hi, span)),
        ("in", Some((lo, hi))) => {
            error(format!("the input's range [{lo}, {hi}] is empty"), "empty range", "write the lower bound first: `in [LO, HI]`")
        }
        ("in", None) => error("`in` needs a range".to_string(), "no range", "write `in [LO, HI]`"),
        _ => error(
            format!("unexpected `{word}` after an input declaration"),
            "not a modifier",
            "an input declaration may end with `requires_grad` and `in [LO, HI]`",
        ),
    }
}

/// The deepest expression tree the parser accepts. The AST and every pass over it
/// recurse, and dropping a tree is recursive too, so a pathological input such as
/// 100,000 unary minuses would overflow the stack; Python's parser has a similar
/// limit. Real programs stay far below it.
pub const MAX_NESTING: usize = 200;

/// The deepest nesting of braced blocks the parser accepts (an item's own
/// braces count), for the same reason as [`MAX_NESTING`].
pub const MAX_BLOCK_NESTING: usize = 64;

/// Rejects token streams whose expressions could nest deeper than [`MAX_NESTING`],
/// before any tree is built. The bound is conservative but tight for lists: within
/// one comma-separated element every operator or `.` may add a level (left-deep
/// chains such as `a + a + ...` do), and each bracket adds one more, while siblings
/// separated by commas do not add up, so a large tensor literal passes.
fn check_nesting(tokens: &[(usize, Token, usize)]) -> Result<(), Diagnostic> {
    // One frame per open bracket (and one for the statement): the operators counted
    // in the current element, the deepest bracket nested in it, and the deepest
    // element closed so far.
    struct Frame {
        ops: usize,
        child: usize,
        widest: usize,
    }
    impl Frame {
        fn new() -> Frame {
            Frame { ops: 0, child: 0, widest: 0 }
        }
        fn element(&self) -> usize {
            self.ops + self.child
        }
        fn bound(&self) -> usize {
            self.widest.max(self.element())
        }
    }
    let mut stack = vec![Frame::new()];
    // Blocks (`if` inside `if`) recurse in every pass too, on top of the
    // expressions inside them, so their depth has a bound of its own.
    let mut blocks: usize = 0;
    for (start, token, end) in tokens {
        match token {
            Token::LBrace => blocks += 1,
            Token::RBrace => blocks = blocks.saturating_sub(1),
            _ => {}
        }
        if blocks > MAX_BLOCK_NESTING {
            return Err(Diagnostic::new(
                Code::E0003,
                "blocks are nested too deeply",
                Span::new(*start, *end),
                format!("nesting passes {MAX_BLOCK_NESTING} blocks here"),
            )
            .with_help("move the inner blocks into a `fn`, or combine conditions with `and`"));
        }
        match token {
            Token::LParen | Token::LBracket | Token::DictOpen => stack.push(Frame::new()),
            Token::RParen | Token::RBracket | Token::DictClose if stack.len() > 1 => {
                let inner = stack.pop().map_or(0, |f| f.bound()) + 1;
                if let Some(outer) = stack.last_mut() {
                    outer.child = outer.child.max(inner);
                }
            }
            Token::Comma => {
                if let Some(frame) = stack.last_mut() {
                    frame.widest = frame.bound();
                    frame.ops = 0;
                    frame.child = 0;
                }
            }
            Token::Plus
            | Token::Minus
            | Token::Tilde
            | Token::Amp
            | Token::Pipe
            | Token::Caret
            | Token::Star
            | Token::Slash
            | Token::SlashSlash
            | Token::Percent
            | Token::StarStar
            | Token::At
            | Token::Dot
            | Token::And
            | Token::Or
            | Token::Not
            | Token::Is => {
                if let Some(frame) = stack.last_mut() {
                    frame.ops += 1;
                }
            }
            // A statement boundary outside brackets starts afresh; inside brackets the
            // parser will reject it anyway.
            Token::Newline | Token::Semi | Token::LBrace | Token::RBrace if stack.len() == 1 => {
                stack[0] = Frame::new();
            }
            _ => {}
        }
        let depth: usize = stack.len() + stack.iter().map(Frame::element).sum::<usize>();
        if depth > MAX_NESTING {
            return Err(Diagnostic::new(
                Code::E0003,
                "expression is nested too deeply",
                Span::new(*start, *end),
                format!("nesting passes {MAX_NESTING} levels here"),
            )
            .with_help("split the expression into several statements with intermediate names"));
        }
    }
    Ok(())
}

fn convert(error: ParseError<usize, Token, Diagnostic>, source: &str) -> Diagnostic {
    let eof = Span::new(source.len(), source.len());
    match error {
        ParseError::InvalidToken { location } => {
            // The lexer has already rejected every invalid character, so this is a guard.
            Diagnostic::new(Code::E0001, "invalid token", Span::new(location, location), "here")
        }
        ParseError::UnrecognizedEof { expected, .. } => unexpected_eof(eof, &expected),
        // The newline that the lexer adds at the end of the file has an empty span
        // there; when the grammar rejects it, the file simply ended too early.
        ParseError::UnrecognizedToken { token: (start, Token::Newline, end), expected } if start == end && start == source.len() => {
            unexpected_eof(eof, &expected)
        }
        ParseError::UnrecognizedToken { token: (start, token, end), expected } => {
            let span = Span::new(start, end);
            let what = describe(&token, source.get(start..end).unwrap_or(""));
            let mut d = Diagnostic::new(Code::E0003, format!("unexpected {what}"), span, "unexpected here");
            // A dict's item without its `:` is most likely a Python set, which `.act` does not have.
            let colon_expected = expected.iter().any(|e| e.trim_matches('"') == ":");
            if colon_expected && matches!(token, Token::Comma | Token::DictClose) {
                return d.with_help("a dict's items are `key: value`; `.act` has no sets: use a list (`[1, 2]`) and `in`");
            }
            if let Some(help) = expected_help(&expected) {
                d = d.with_help(help);
            }
            d
        }
        ParseError::ExtraToken { token: (start, token, end) } => {
            let what = describe(&token, source.get(start..end).unwrap_or(""));
            Diagnostic::new(Code::E0003, format!("unexpected {what}"), Span::new(start, end), "unexpected here")
                .with_help("expected the end of the file")
        }
        ParseError::User { error } => error,
    }
}

fn unexpected_eof(eof: Span, expected: &[String]) -> Diagnostic {
    let mut d = Diagnostic::new(Code::E0004, "unexpected end of file", eof, "the file ends here");
    if let Some(help) = expected_help(expected) {
        d = d.with_help(help);
    }
    d
}

/// How an unexpected token is named in a message.
fn describe(token: &Token, text: &str) -> String {
    match token {
        Token::Newline => "newline".to_string(),
        Token::Str(_) => "string literal".to_string(),
        Token::FStr(_) => "f-string".to_string(),
        Token::Ident(_) => format!("name `{text}`"),
        Token::Number(_) => format!("number `{text}`"),
        _ => format!("`{text}`"),
    }
}

/// Tokens that can start an expression; when a number is expected, all of them are,
/// and the help says "an expression" instead of listing them.
const EXPR_START: &[&str] =
    &["ident", "number", "string", "fstring", "true", "false", "none", "(", "[", "dict{", "-", "~", "backward", "not", "lambda"];
/// Binary operators; when `+` and `*` are both expected, so are the rest
/// (comparisons and the word operators `is`, `in`, `and`, `or` included).
const BIN_OPS: &[&str] = &["+", "-", "*", "/", "**", "@", "cmp", "is", "and", "or", "//", "%", "&", "|", "^"];
/// The most alternatives a help line lists before it gives a general hint instead.
const MAX_ALTERNATIVES: usize = 6;

/// Translates lalrpop's expected terminals (written as the grammar's quoted names,
/// such as `"\")\""`) into a short help line, or `None` when nothing is expected.
fn expected_help(expected: &[String]) -> Option<String> {
    let mut names: Vec<&str> = expected.iter().map(|e| e.trim_matches('"')).collect();
    let mut alternatives: Vec<String> = Vec::new();
    let has = |names: &[&str], n: &str| names.contains(&n);

    if has(&names, "number") {
        // Where an expression statement may start, so may an `if`, a `while`,
        // an `assert`, a `raise`, a `with` and a nested `fn` (or its decorator), and where a
        // call argument may, so may a `*` or `**` splat (no binary operator,
        // since `+` is not expected with it); the help line stays short
        // and says "an expression" for all of them.
        let splat = !has(&names, "+");
        // `save` starts a call of the builtin wherever an expression may start; it is
        // worth naming only where a statement may start (as `return` may), since
        // there it also starts the forward block's `save a, b`.
        if !has(&names, "return") {
            names.retain(|n| *n != "save");
        }
        names.retain(|n| {
            !(EXPR_START.contains(n)
                || matches!(*n, "if" | "while" | "assert" | "raise" | "with" | "fn" | "@")
                || (splat && matches!(*n, "*" | "**")))
        });
        alternatives.push("an expression".to_string());
    }
    // Where any name fits, so do the soft keywords `forward` and `backward` (after
    // a `.`); "a name" already says it.
    if has(&names, "ident") {
        names.retain(|n| *n != "forward" && *n != "backward");
    }
    if has(&names, "+") && has(&names, "*") {
        // Where the operators fit, so do `in` and `not in`, which the grammar
        // reads as a name (and `not`) so that `in` stays a name elsewhere, and
        // the `if` of a conditional expression (`a if c else b`).
        names.retain(|n| !BIN_OPS.contains(n) && *n != "ident" && *n != "not" && *n != "if");
        alternatives.push("an operator".to_string());
    }
    if has(&names, "newline") {
        names.retain(|n| *n != "newline" && *n != ";");
        alternatives.push("a newline".to_string());
    }
    for name in names {
        alternatives.push(match name {
            "ident" => "a name".to_string(),
            "number" => "a number".to_string(),
            "string" => "a string".to_string(),
            "newline" => "a newline".to_string(),
            // The lexer's names for a dict's braces are the braces in the source.
            "dict{" => "`{`".to_string(),
            "}dict" => "`}`".to_string(),
            other => format!("`{other}`"),
        });
    }
    match alternatives.len() {
        0 => None,
        n if n > MAX_ALTERNATIVES => Some("this token does not fit here; check for a missing operator, comma or bracket before it".to_string()),
        1 => Some(format!("expected {}", alternatives[0])),
        n => Some(format!("expected {} or {}", alternatives[..n - 1].join(", "), alternatives[n - 1])),
    }
}
