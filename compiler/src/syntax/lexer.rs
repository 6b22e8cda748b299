//! The `.act` lexer: logos turns text into raw tokens, then [`lex`] applies the
//! Go-style newline rule so that the grammar only ever sees significant newlines.
//!
//! Choices the spec leaves open, written down here:
//! - Numbers are `3`, `0.1`, `1.`, `.5`, `1e-3`, `2.5E+2`, `1.e5` (Python's float
//!   forms). `.5` is accepted because PyTorch users write it; it cannot clash with
//!   field access, since a field name never starts with a digit.
//! - Strings take either quote, as in Python (`"a"`, `'a'`, `f'{x}'`), and `\"`
//!   and `\'` escape either. A raw line break inside a string literal is an error
//!   (E0002, unterminated string): a string must be closed on the line it starts,
//!   and `\n` writes a newline.
//! - A newline ends a statement after an identifier, a number, a string, `)`, `]`,
//!   `}`, `none`, `true`, `false` or `return`. The spec's list does not name `}`; it
//!   is added so that a line closing a block (or an `op`/`fn` item) ends that item.
//!   As in Go, an opening brace must therefore stay on the line of its header.
//! - The end of the file also ends a statement under the same rule, so the last
//!   line needs no trailing newline. That terminator has the empty span at the end
//!   of the file.
//! - `input` is a keyword only where a statement starts with `input NAME`, which
//!   can only be a declaration; everywhere else it is a name, because `input` is
//!   the parameter name of most PyTorch code and of the builtins' first argument.
//!   `raise` is a keyword the same way, where a statement starts with `raise NAME`.

use logos::Logos;

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

/// A number literal's value and whether it was written as an integer (`3`, not `3.0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumLit {
    pub value: f64,
    pub is_int: bool,
    /// An integer literal's exact value, which the f64 rounds beyond 2^53
    /// (`None` beyond 2^64 - 1, the largest integer any consumer takes: a
    /// seed; 64 bits keep the token small).
    pub exact: Option<u64>,
}

/// What went wrong inside logos. Errors that come from a callback carry their own
/// span, because the part at fault (one escape) can be narrower than the token.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LexError {
    /// A character that starts no token; its span is the one logos reports.
    #[default]
    InvalidChar,
    /// `\q` inside a string: the span covers the backslash and the character after it.
    UnknownEscape { span: Span, escape: String },
    /// A malformed f-string (`{` without `}`, a single `}`, an empty field).
    FString { span: Span, message: String, help: String },
    /// A string cut by the end of its line or of the file: the span runs from the
    /// opening quote to where the string was cut.
    Unterminated { span: Span },
}

/// A token of `.act`. [`lex`] returns them with byte spans.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\f]+")]
// A comment runs to the end of its line by design, so its greedy regex is intended.
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum Token {
    #[token("op")]
    Op,
    #[token("fn")]
    Fn,
    /// `class`, a Python keyword, so never a name.
    #[token("class")]
    Class,
    /// `forward` where it starts an op's forward block (`forward {`); [`lex`]
    /// makes it from a name by context, so `fn forward(x, params)` and
    /// `forward(x)` keep the name, as PyTorch code uses it.
    Forward,
    #[token("backward")]
    Backward,
    #[token("save")]
    Save,
    /// `input` where it starts a declaration; [`lex`] makes it from a name by context.
    Input,
    /// `raise` where it starts a statement before a name (`raise ValueError(...)`);
    /// [`lex`] makes it from a name by context, as `input`.
    Raise,
    /// `with` where it starts a statement before a name (`with no_grad() { ... }`);
    /// [`lex`] makes it from a name by context, as `input`.
    With,
    #[token("return")]
    Return,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("none")]
    None,
    #[token("if")]
    If,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("while")]
    While,
    #[token("is")]
    Is,
    #[token("not")]
    Not,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("lambda")]
    Lambda,
    #[token("assert")]
    Assert,

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),

    // Digits may be grouped with single underscores between them (`10_000`), as in Python.
    #[regex(r"[0-9](_?[0-9])*", number)]
    #[regex(r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?", number)]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?", number)]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*", number)]
    Number(NumLit),

    #[token("\"", |lex| string(lex, '"'))]
    #[token("'", |lex| string(lex, '\''))]
    #[token("\"\"\"", |lex| triple_string(lex, '"'))]
    #[token("\'\'\'", |lex| triple_string(lex, '\''))]
    Str(String),
    /// `f"..."`: the text and the fields, whose expressions the parser reads.
    #[token("f\"", |lex| crate::syntax::fstring::lex(lex, '"'))]
    #[token("f'", |lex| crate::syntax::fstring::lex(lex, '\''))]
    FStr(Vec<crate::syntax::ast::FRaw>),

    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    /// `~`, Python's bitwise inversion (`~mask`).
    #[token("~")]
    Tilde,
    /// `&`, `|` and `^`: Python's bitwise operators (`(x > 0) & (x < 1)`).
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("^=")]
    CaretEq,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("@")]
    At,
    #[token("=")]
    Eq,
    /// `+=`, `-=`, `*=`, `/=`: an in-place update's operator.
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    /// `//=`, `%=`, `**=`: Python's other arithmetic updates.
    #[token("//=")]
    SlashSlashEq,
    #[token("%=")]
    PercentEq,
    #[token("**=")]
    StarStarEq,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    /// A `{` that opens a dict (`{"lr": 0.1}`), never a block: [`lex`] turns a
    /// `{` into this where a value goes (see `opens_value`), where a block's `{`
    /// cannot stand.
    DictOpen,
    /// The `}` that closes a [`Token::DictOpen`].
    DictClose,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    /// `...` in a subscript (`x[..., 0]`).
    #[token("...")]
    Ellipsis,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    /// A comparison operator (`>`, `<`, `>=`, `<=`, `==`, `!=`).
    #[regex(r"[<>]=?|[=!]=", |lex| lex.slice().to_string())]
    Comparison(String),
    /// A line break. After [`lex`], only the significant ones remain.
    #[token("\n")]
    Newline,
}

impl Token {
    /// Whether a newline right after this token ends the statement.
    fn ends_statement(&self) -> bool {
        matches!(
            self,
            Token::Ident(_)
                | Token::Number(_)
                | Token::Str(_)
                | Token::FStr(_)
                | Token::RParen
                | Token::RBracket
                | Token::RBrace
                | Token::DictClose
                | Token::None
                | Token::True
                | Token::False
                | Token::Return
        )
    }
}

/// Reads a number literal. Every form the regexes accept is one that Rust's float
/// parser accepts too, so the fallback to infinity is only a guard.
fn number(lex: &mut logos::Lexer<Token>) -> NumLit {
    let text = lex.slice().replace('_', "");
    let text = text.as_str();
    let is_int = text.bytes().all(|b| b.is_ascii_digit());
    let exact = if is_int { text.parse::<u64>().ok() } else { None };
    NumLit { value: text.parse::<f64>().unwrap_or(f64::INFINITY), is_int, exact }
}

/// Reads a string literal after its opening `quote` (`"` or `'`, as in Python),
/// resolving escapes. The body is scanned by hand because the error for a bad
/// escape must point at the escape.
fn string(lex: &mut logos::Lexer<Token>, quote: char) -> Result<String, LexError> {
    let start = lex.span().start;
    let body_start = lex.span().end;
    let rest = lex.remainder();
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => {
                lex.bump(i + 1);
                return Ok(out);
            }
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, q @ ('"' | '\''))) => out.push(q),
                Some((_, '\\')) => out.push('\\'),
                // A backslash before the line break or the end of the file leaves the
                // string unterminated; that is the more useful thing to say.
                Some((_, '\n')) | None => break,
                Some((j, other)) => {
                    let end = j + other.len_utf8();
                    lex.bump(end);
                    return Err(LexError::UnknownEscape { span: Span::new(body_start + i, body_start + end), escape: rest[i..end].to_string() });
                }
            },
            _ => out.push(c),
        }
    }
    // The string is cut at the end of the line (or file); the error spans what was written.
    let cut = rest.find('\n').unwrap_or(rest.len());
    let cut = rest[..cut].trim_end_matches('\r').len();
    lex.bump(cut);
    Err(LexError::Unterminated { span: Span::new(start, body_start + cut) })
}

/// Reads a triple-quoted string literal (`"""..."""` or `\'\'\'...\'\'\'`, a docstring
/// in Python) after its opening quotes: the text up to the same three quotes,
/// line breaks included, with the escapes of [`string`] (a backslash before a
/// line break joins the lines, as in Python).
fn triple_string(lex: &mut logos::Lexer<Token>, quote: char) -> Result<String, LexError> {
    let start = lex.span().start;
    let body_start = lex.span().end;
    let rest = lex.remainder();
    let close: String = std::iter::repeat_n(quote, 3).collect();
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote && rest[i..].starts_with(&close) => {
                lex.bump(i + 3);
                return Ok(out);
            }
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, q @ ('"' | '\''))) => out.push(q),
                Some((_, '\\')) => out.push('\\'),
                Some((_, '\n')) => {}
                None => break,
                Some((j, other)) => {
                    let end = j + other.len_utf8();
                    lex.bump(end);
                    return Err(LexError::UnknownEscape { span: Span::new(body_start + i, body_start + end), escape: rest[i..end].to_string() });
                }
            },
            '\r' => {}
            _ => out.push(c),
        }
    }
    // Unterminated: the error spans the opening quotes' line.
    let cut = rest.find('\n').unwrap_or(rest.len());
    let cut = rest[..cut].trim_end_matches('\r').len();
    lex.bump(rest.len());
    Err(LexError::Unterminated { span: Span::new(start, body_start + cut) })
}

/// What an open bracket is, for the newline rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// `(` or `[`: newlines inside are not significant.
    Bracket,
    /// A dict's `{`: newlines inside are not significant either.
    Dict,
    /// A block's `{`: its statements end at newlines.
    Block,
}

/// Turns source text into tokens with byte spans, keeping only the newlines that end
/// a statement: those outside `( )`, `[ ]` and a dict's `{ }` (directly in a block
/// or at the top level) that follow a token that can end a statement. A `{` where
/// a value goes opens a dict ([`Token::DictOpen`]); any other opens a block. The
/// first lexical error stops lexing.
pub fn lex(source: &str) -> Result<Vec<(usize, Token, usize)>, Diagnostic> {
    let mut out: Vec<(usize, Token, usize)> = Vec::new();
    // The open brackets; unbalanced closers pop nothing, so that the parser, not
    // the lexer, reports them.
    let mut open: Vec<Open> = Vec::new();
    let mut lexer = Token::lexer(source);
    // A UTF-8 byte order mark (editors on Windows write one) is not part of the
    // program, as in Python; spans keep counting from the file's first byte.
    if source.starts_with(crate::diag::BOM) {
        lexer.bump(crate::diag::BOM.len_utf8());
    }
    let significant = |open: &[Open]| open.last().is_none_or(|o| *o == Open::Block);
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let mut token = match result {
            Ok(token) => token,
            Err(error) => return Err(lex_error(error, Span::new(range.start, range.end), source)),
        };
        match token {
            Token::LParen | Token::LBracket => open.push(Open::Bracket),
            Token::LBrace if opens_value(&out) => {
                token = Token::DictOpen;
                open.push(Open::Dict);
            }
            Token::LBrace => open.push(Open::Block),
            Token::RBrace => {
                // A `}` closes what is open: a dict's `{` makes it the dict's close.
                token = if open.pop() == Some(Open::Dict) { Token::DictClose } else { Token::RBrace };
            }
            Token::RParen | Token::RBracket => {
                open.pop();
            }
            Token::Newline => {
                let keep = significant(&open) && out.last().is_some_and(|(_, last, _)| last.ends_statement());
                if keep {
                    out.push((range.start, Token::Newline, range.end));
                }
                continue;
            }
            _ => {}
        }
        out.push((range.start, token, range.end));
        declaration_keyword(&mut out);
        forward_block(&mut out);
        adjacent_strings(&mut out);
    }
    // The end of the file ends the last statement as a newline would.
    if significant(&open) && out.last().is_some_and(|(_, last, _)| last.ends_statement()) {
        out.push((source.len(), Token::Newline, source.len()));
    }
    Ok(out)
}

/// Whether a value, not a block, follows the tokens so far, so that a `{`
/// after them opens a dict: `x = {`, `f({`, `f(**{`, `[{`, `, {`, `"k": {`,
/// `return {`, an operand of `%` (`"%(k)s" % {`), `+`, `not`, `and`, `or`,
/// and the `else {` of a conditional expression (`a if c else {}`), which
/// unlike a statement's `else` does not follow a `}`.
fn opens_value(out: &[(usize, Token, usize)]) -> bool {
    let n = out.len();
    match out.last().map(|(_, t, _)| t) {
        Some(Token::Else) => n >= 2 && out[n - 2].1 != Token::RBrace,
        Some(last) => matches!(
            last,
            Token::Eq
                | Token::LParen
                | Token::LBracket
                | Token::Comma
                | Token::Colon
                | Token::Return
                | Token::StarStar
                | Token::Percent
                | Token::Plus
                | Token::Not
                | Token::And
                | Token::Or
        ),
        None => false,
    }
}

/// Joins a string literal to the one right before it, as Python does with
/// `"| epoch {:3d} " "| accuracy {:8.3f}"` (a long format string written over
/// lines in parentheses): one literal spanning both, an f-string if either is.
fn adjacent_strings(out: &mut Vec<(usize, Token, usize)>) {
    let n = out.len();
    if n < 2 || !matches!(out[n - 1].1, Token::Str(_) | Token::FStr(_)) || !matches!(out[n - 2].1, Token::Str(_) | Token::FStr(_)) {
        return;
    }
    let (_, second, end) = out.pop().expect("two tokens");
    let (start, first, _) = out.pop().expect("two tokens");
    use crate::syntax::ast::FRaw;
    let raw = |t: Token| match t {
        Token::Str(s) => vec![FRaw::Text(s)],
        Token::FStr(parts) => parts,
        _ => unreachable!("both are strings"),
    };
    let joined = match (first, second) {
        (Token::Str(a), Token::Str(b)) => Token::Str(a + &b),
        (a, b) => Token::FStr(raw(a).into_iter().chain(raw(b)).collect()),
    };
    out.push((start, joined, end));
}

/// Once a name follows `input` (or `raise`, or `with`), turns that `input` into
/// the declaration keyword (that `raise` or `with` into the statement's) if it
/// starts a statement: two names in a row are otherwise never valid, so no
/// program that uses `input`, `raise` or `with` as a name changes meaning.
fn declaration_keyword(out: &mut [(usize, Token, usize)]) {
    let n = out.len();
    if n < 2 || !matches!(out[n - 1].1, Token::Ident(_)) {
        return;
    }
    let keyword = match &out[n - 2].1 {
        Token::Ident(name) if name == "input" => Token::Input,
        Token::Ident(name) if name == "raise" => Token::Raise,
        Token::Ident(name) if name == "with" => Token::With,
        _ => return,
    };
    let starts_statement = n == 2 || matches!(out[n - 3].1, Token::Newline | Token::Semi | Token::LBrace | Token::RBrace);
    if starts_statement {
        out[n - 2].1 = keyword;
    }
}

/// Once a `{` follows `forward`, turns that `forward` into the keyword of an
/// op's forward block if it starts a statement: a name followed by `{` is never
/// valid there otherwise, so `forward` stays a name everywhere else.
fn forward_block(out: &mut [(usize, Token, usize)]) {
    let n = out.len();
    if n < 2 || out[n - 1].1 != Token::LBrace || !matches!(&out[n - 2].1, Token::Ident(name) if name == "forward") {
        return;
    }
    let starts_statement = n == 2 || matches!(out[n - 3].1, Token::Newline | Token::Semi | Token::LBrace | Token::RBrace);
    if starts_statement {
        out[n - 2].1 = Token::Forward;
    }
}

fn lex_error(error: LexError, span: Span, source: &str) -> Diagnostic {
    match error {
        LexError::InvalidChar => {
            let text = source.get(span.start..span.end).unwrap_or("");
            let shown = text.chars().next().map(|c| c.escape_debug().to_string()).unwrap_or_default();
            Diagnostic::new(Code::E0001, format!("invalid character `{shown}`"), span, "no token starts with this character")
                .with_help("identifiers use ASCII letters, digits and `_`; strings go in quotes, `\"...\"` or `'...'`")
        }
        LexError::UnknownEscape { span, escape } => {
            Diagnostic::new(Code::E0002, format!("unknown escape `{}` in string", escape.escape_debug()), span, "unknown escape")
                .with_help(r#"the escapes are \n, \t, \" and \\"#)
        }
        LexError::FString { span, message, help } => Diagnostic::new(Code::E0642, message, span, "in this f-string").with_help(help),
        LexError::Unterminated { span } => Diagnostic::new(Code::E0002, "unterminated string", span, "this string is not closed")
            .with_help(r#"close the string with `"` on the same line; write a line break as \n"#),
    }
}
