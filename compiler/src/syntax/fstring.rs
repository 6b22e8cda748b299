//! f-strings (`f"step {step:3d}  loss {loss.item():.4f}"`): the lexer reads the
//! literal text and cuts out each field's expression, conversion and format spec;
//! the parser then parses each expression with the grammar's own `Expr` rule, with
//! spans that point into the file, so an error inside a field points at it.
//!
//! As in Python 3.11: `{{` and `}}` are literal braces, a field is
//! `{expr}`, `{expr!s}`, `{expr!r}` or `{expr:spec}`, and a field's expression
//! may not contain a backslash or the closing quote. A spec with a nested field
//! (`{x:{w}}`) is not supported (E0642).

use lalrpop_util::ParseError;

use super::ast::{Expr, ExprKind, FPiece, FRaw, Span};
use super::lexer::{LexError, Token};
use crate::diag::Diagnostic;

/// Reads an f-string after its opening `f"` or `f'` (`quote` is its quote).
pub fn lex(lex: &mut logos::Lexer<Token>, quote: char) -> Result<Vec<FRaw>, LexError> {
    let start = lex.span().start;
    let body = lex.span().end;
    let rest = lex.remainder();
    let mut scan = Scan { rest, body, quote, parts: Vec::new(), text: String::new(), i: 0 };
    match scan.run() {
        Ok(len) => {
            lex.bump(len);
            Ok(scan.parts)
        }
        Err(Cut::Error(e)) => {
            // Skip to the end of the line, so lexing stops at this error alone.
            lex.bump(rest.find('\n').unwrap_or(rest.len()));
            Err(e)
        }
        Err(Cut::Unterminated(at)) => {
            lex.bump(at);
            Err(LexError::Unterminated { span: Span::new(start, body + at) })
        }
    }
}

/// Why a scan stopped early.
enum Cut {
    Error(LexError),
    /// The line or file ended at this offset before the closing quote.
    Unterminated(usize),
}

/// The scan of an f-string's body: `i` is the offset in `rest`, `body` the
/// file offset of `rest`.
struct Scan<'a> {
    rest: &'a str,
    body: usize,
    /// The quote that closes the f-string.
    quote: char,
    parts: Vec<FRaw>,
    text: String,
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<char> {
        self.rest[self.i..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }

    fn error(&self, from: usize, to: usize, message: &str, help: &str) -> Cut {
        Cut::Error(LexError::FString { span: Span::new(self.body + from, self.body + to), message: message.to_string(), help: help.to_string() })
    }

    /// Scans to the closing quote; returns the length read, the quote included.
    fn run(&mut self) -> Result<usize, Cut> {
        loop {
            let at = self.i;
            match self.bump() {
                None | Some('\n') => return Err(Cut::Unterminated(at)),
                Some(q) if q == self.quote => {
                    self.flush();
                    return Ok(self.i);
                }
                Some('\\') => self.escape(at)?,
                Some('{') if self.peek() == Some('{') => {
                    self.i += 1;
                    self.text.push('{');
                }
                Some('}') if self.peek() == Some('}') => {
                    self.i += 1;
                    self.text.push('}');
                }
                Some('}') => {
                    return Err(self.error(at, at + 1, "f-string: single `}` is not allowed", "write `}}` for a literal brace"));
                }
                Some('{') => {
                    self.flush();
                    self.field(at)?;
                }
                Some(c) => self.text.push(c),
            }
        }
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.parts.push(FRaw::Text(std::mem::take(&mut self.text)));
        }
    }

    /// The escapes of a string literal (`\n`, `\t`, `\"`, `\\`).
    fn escape(&mut self, at: usize) -> Result<(), Cut> {
        match self.bump() {
            Some('n') => self.text.push('\n'),
            Some('t') => self.text.push('\t'),
            Some(q @ ('"' | '\'')) => self.text.push(q),
            Some('\\') => self.text.push('\\'),
            None | Some('\n') => return Err(Cut::Unterminated(at)),
            Some(c) => {
                let escape = format!("\\{c}");
                return Err(Cut::Error(LexError::UnknownEscape { span: Span::new(self.body + at, self.body + self.i), escape }));
            }
        }
        Ok(())
    }

    /// One field after its `{` (at offset `open`), through its `}`.
    fn field(&mut self, open: usize) -> Result<(), Cut> {
        let start = self.i;
        let mut depth = 0usize;
        let unclosed = |s: &Self, at: usize| s.error(open, at, "f-string: expecting `}`", "close the field with `}`; write `{{` for a literal brace");
        // The expression runs to a `!`, `:` or `}` outside brackets.
        let end = loop {
            let at = self.i;
            match self.bump() {
                None | Some('\n') => return Err(unclosed(self, at)),
                Some(q) if q == self.quote => return Err(unclosed(self, at)),
                Some('\\') => {
                    return Err(self.error(
                        at,
                        at + 1,
                        "f-string: an expression cannot contain a backslash",
                        "compute the value first, in a name of its own",
                    ))
                }
                Some('(' | '[' | '{') => depth += 1,
                Some(')' | ']' | '}') if depth > 0 => depth -= 1,
                Some('!') if depth == 0 && self.peek() != Some('=') => break at,
                Some(':' | '}') if depth == 0 => break at,
                Some(_) => {}
            }
        };
        let source = &self.rest[start..end];
        if source.trim().is_empty() {
            return Err(self.error(open, self.i, "f-string: empty expression not allowed", "write the value to show between the braces"));
        }
        let mut conversion = None;
        let mut last = self.rest[end..].chars().next();
        if last == Some('!') {
            let at = self.i;
            match self.bump() {
                Some(c @ ('r' | 's')) => conversion = Some(c),
                _ => return Err(self.error(at, self.i, "f-string: invalid conversion character", "write `!r` or `!s`")),
            }
            last = self.bump();
            if !matches!(last, Some(':' | '}')) {
                return Err(unclosed(self, self.i));
            }
        }
        let spec_start = self.i;
        if last == Some(':') {
            loop {
                let at = self.i;
                match self.bump() {
                    None | Some('\n') => return Err(unclosed(self, at)),
                    Some(q) if q == self.quote => return Err(unclosed(self, at)),
                    Some('{') => {
                        return Err(self.error(
                            at,
                            at + 1,
                            "f-string: a field inside a format spec is not supported",
                            "write the spec out, such as `{x:8.3f}`",
                        ))
                    }
                    Some('}') => break,
                    Some(_) => {}
                }
            }
        }
        let spec_end = if last == Some(':') { self.i - 1 } else { spec_start };
        self.parts.push(FRaw::Field {
            source: source.to_string(),
            start: self.body + start,
            conversion,
            spec: self.rest[spec_start..spec_end].to_string(),
            spec_span: Span::new(self.body + spec_start, self.body + spec_end),
        });
        Ok(())
    }
}

/// Parses the fields of an f-string spanning `l..r`.
pub fn parse(parts: Vec<FRaw>, l: usize, r: usize) -> Result<Expr, ParseError<usize, Token, Diagnostic>> {
    let mut pieces = Vec::new();
    for part in parts {
        match part {
            FRaw::Text(t) => pieces.push(FPiece::Text(t)),
            FRaw::Field { source, start, conversion, spec, spec_span } => {
                let expr = field_expr(&source, start).map_err(|error| ParseError::User { error })?;
                pieces.push(FPiece::Field { expr, conversion, spec, spec_span });
            }
        }
    }
    Ok(Expr { kind: ExprKind::FString(pieces), span: Span::new(l, r) })
}

/// One field's expression, parsed with spans in the file (`start` is where `source` begins).
fn field_expr(source: &str, start: usize) -> Result<Expr, Diagnostic> {
    let tokens = super::lexer::lex(source).map_err(|d| shifted(d, start))?;
    // Inside the braces line breaks do not end anything (the field is one line).
    let tokens: Vec<(usize, Token, usize)> =
        tokens.into_iter().filter(|(_, t, _)| *t != Token::Newline).map(|(a, t, b)| (a + start, t, b + start)).collect();
    // The parser's messages quote the source by file position: the field's text
    // at its place, and an unexpected end at the end of the field.
    let padded = format!("{}{source}", " ".repeat(start));
    super::parser::parse_expr(tokens, &padded)
}

/// A diagnostic from lexing the field alone, moved to the field's place in the file.
fn shifted(mut d: Diagnostic, by: usize) -> Diagnostic {
    d.primary.span = Span::new(d.primary.span.start + by, d.primary.span.end + by);
    for s in &mut d.secondary {
        s.span = Span::new(s.span.start + by, s.span.end + by);
    }
    d
}
