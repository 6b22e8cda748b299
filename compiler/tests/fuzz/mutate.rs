//! Mutated programs for the error paths: a well-formed program with a few tokens
//! deleted, duplicated, swapped, replaced or inserted. Unlike random text, a mutant is
//! mostly well-formed, so its errors come from deep in the parser, checker and autodiff.

use crate::rng::Rng;

/// Tokens that, inserted anywhere, make interesting errors: keywords, brackets, strings,
/// extreme numbers and the names of builtins in the wrong place.
const FRAGMENTS: &[&str] = &[
    "op",
    "fn",
    "forward",
    "backward",
    "save",
    "return",
    "input",
    "none",
    "true",
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
    "=",
    "@",
    "**",
    "-",
    "\"",
    "#",
    "\n",
    "1e400",
    "0",
    "-1",
    "99999999999",
    "grad",
    "x.grad",
    ".zero_()",
    "requires_grad=true",
    "dim=5",
    "f64",
    "g",
    "sum",
    "create_graph=true",
    "retain_graph=false",
    "randn(0)",
    "tensor([])",
];

/// Splits `src` into tokens that cover it: whitespace runs, words (names and numbers),
/// string literals, and single other characters.
fn pieces(src: &str) -> Vec<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let c = chars[i];
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' && chars[i] != '\n' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
        } else {
            i += 1;
        }
        out.push(chars[start..i].iter().collect());
    }
    out
}

/// `src` with one to three token edits.
pub fn mutate(rng: &mut Rng, src: &str) -> String {
    let mut toks = pieces(src);
    for _ in 0..rng.range(1, 3) {
        let solid: Vec<usize> = (0..toks.len()).filter(|&i| !toks[i].trim().is_empty()).collect();
        if solid.is_empty() {
            break;
        }
        let i = *rng.pick(&solid);
        match rng.below(5) {
            0 => toks[i].clear(),
            1 => {
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            2 => {
                let j = *rng.pick(&solid);
                toks.swap(i, j);
            }
            3 => {
                let j = *rng.pick(&solid);
                toks[i] = toks[j].clone();
            }
            _ => toks.insert(i, rng.pick(FRAGMENTS).to_string()),
        }
    }
    toks.concat()
}
