//! Tools that check and measure a program's derivative rules by compiling and
//! running small generated `.act` programs through the whole pipeline:
//! `graphc gradcheck` ([`gradcheck`]) and `graphc compare` ([`compare`]).
//!
//! Both reuse the compiler and interpreter instead of evaluating ops some other
//! way, so what they measure is exactly what `graphc run` would compute.

mod calls;
pub mod compare;
pub mod gradcheck;
mod promote;
mod surrogate;

use std::fmt::Write as _;

use graphc_runtime::tensor::Tensor;

use graphc_compiler::driver::compile;
use graphc_compiler::syntax::ast::{self, Item};

/// What a tool prints and the exit code it asks for; the CLI only forwards them.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

/// Exit code of a usage error (unknown op, malformed option), as for the other subcommands.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when a check fails or the file does not compile.
pub const EXIT_FAIL: u8 = 1;

impl Outcome {
    pub(crate) fn usage(message: impl Into<String>) -> Outcome {
        Outcome { stdout: String::new(), stderr: format!("error: {}\n", message.into()), code: EXIT_USAGE }
    }
}

/// A parsed file with its source: the definitions the tools call.
pub(crate) struct Definitions<'a> {
    pub source: &'a str,
    pub file: ast::File,
}

impl<'a> Definitions<'a> {
    /// Parses `source`, or renders its syntax errors as a failed outcome.
    pub fn parse(source: &'a str, file_name: &str, color: bool) -> Result<Definitions<'a>, Outcome> {
        match graphc_compiler::syntax::parser::parse(source) {
            Ok(file) => Ok(Definitions { source, file }),
            Err(diags) => {
                Err(Outcome { stdout: String::new(), stderr: graphc_compiler::diag::render(&diags, file_name, source, color), code: EXIT_FAIL })
            }
        }
    }

    pub fn ops(&self) -> impl Iterator<Item = &ast::OpDef> {
        self.file.items.iter().filter_map(|i| if let Item::Op(op) = i { Some(op) } else { None })
    }

    /// The parameters of the op or fn called `name`, if the file defines one.
    pub fn params_of(&self, name: &str) -> Option<&[ast::Ident]> {
        self.file.items.iter().find_map(|i| match i {
            Item::Op(op) if op.name.name == name => Some(op.params.as_slice()),
            Item::Fn(f) if f.name.name == name => Some(f.params.as_slice()),
            _ => None,
        })
    }

    /// The file's ops and fns as source text, without its top-level statements
    /// (which would print and write figures). With `strip_backward_of`, that op's
    /// backward block is cut out, so graphc derives its gradient from the forward
    /// block as it does for an op without backward.
    pub fn definitions_text(&self, strip_backward_of: Option<&str>) -> String {
        let mut text = String::new();
        for item in &self.file.items {
            let span = match item {
                Item::Op(op) => op.span,
                Item::Fn(f) => f.span,
                Item::Class(c) => c.span,
                Item::Stmt(_) => continue,
            };
            match item {
                Item::Op(op) if Some(op.name.name.as_str()) == strip_backward_of && op.backward.is_some() => {
                    let b = op.backward.as_ref().expect("checked above");
                    text.push_str(&self.source[span.start..b.span.start]);
                    text.push_str(&self.source[b.body.span.end..span.end]);
                }
                _ => text.push_str(&self.source[span.start..span.end]),
            }
            text.push('\n');
        }
        text
    }
}

/// Compiles and runs a generated program, returning every printed tensor in
/// print order, or the first compile diagnostic's message.
pub(crate) fn run_program(text: &str) -> Result<Vec<Tensor>, String> {
    let compiled = compile(text, false).map_err(|d| d.first().map(|d| d.message.clone()).unwrap_or_default())?;
    let (_, tensors) = graphc_runtime::exec::run_capture(&compiled.plan).map_err(|e| e.message)?;
    Ok(tensors)
}

/// An f64 as a `.act` literal that parses back to the same bits (Rust's `{:?}`
/// prints the shortest round-tripping decimal). Negative values become unary
/// minus, which the compiler folds exactly.
pub(crate) fn number(v: f64) -> String {
    format!("{v:?}")
}

/// `tensor([...], dtype=..., requires_grad=...)` of `values` laid out in `shape`.
pub(crate) fn tensor_literal(values: &[f64], shape: &[usize], dtype: &str, requires_grad: bool) -> String {
    fn nest(out: &mut String, values: &[f64], shape: &[usize]) {
        match shape.split_first() {
            None => out.push_str(&number(values[0])),
            Some((&n, rest)) => {
                let step = rest.iter().product::<usize>();
                out.push('[');
                for i in 0..n {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    nest(out, &values[i * step..(i + 1) * step], rest);
                }
                out.push(']');
            }
        }
    }
    let mut out = String::from("tensor(");
    nest(&mut out, values, shape);
    let _ = write!(out, ", dtype={dtype}");
    if requires_grad {
        out.push_str(", requires_grad=true");
    }
    out.push(')');
    out
}

/// A small seeded generator (SplitMix64): the sample points must be the same on
/// every machine and run, and need no statistical strength.
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
}

/// Parses `LO:HI` into two finite numbers with `LO < HI`.
pub(crate) fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("malformed range `{text}`: write LO:HI with two finite numbers and LO < HI, such as `-100:100`");
    let (lo, hi) = text.split_once(':').ok_or_else(bad)?;
    let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
    let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
    if !lo.is_finite() || !hi.is_finite() || lo >= hi {
        return Err(bad());
    }
    Ok((lo, hi))
}

/// A number in a short, fixed form for tables.
pub(crate) fn sci(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v:.2e}")
    }
}

/// A plain-text table of six columns: each padded to its widest cell, the last
/// left unpadded, the columns listed in `right` right-aligned.
pub(crate) fn table(header: [&str; 6], rows: &[[String; 6]], right: &[usize]) -> String {
    let widths: Vec<usize> = (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0)).collect();
    let line = |cells: [&str; 6]| -> String {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c == 5 {
                s.push_str(cell);
            } else if right.contains(&c) {
                s.push_str(&format!("{cell:>w$}  ", w = widths[c]));
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    for r in rows {
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]));
    }
    out
}

/// Compiles the user's file `path` as a whole, its `load` paths relative to
/// its directory as `graphc run` reads them; its diagnostics, as the compiler
/// prints them, when it does not compile (a tool then has nothing valid to
/// work on).
pub(crate) fn compile_whole(source: &str, path: &std::path::Path, color: bool) -> Result<(), Outcome> {
    let file_name = path.display().to_string();
    let options = graphc_compiler::driver::Options {
        keep_stages: false,
        exports: graphc_compiler::driver::Exports::Names(&[]),
        numerics: graphc_compiler::fuse::Numerics::default(),
        source_dir: Some(path.parent().unwrap_or(std::path::Path::new(""))),
    };
    match graphc_compiler::driver::compile_opts(source, &options) {
        Ok(_) => Ok(()),
        Err(diags) => {
            let n = diags.len();
            let mut stderr = graphc_compiler::diag::render(&diags, &file_name, source, color);
            stderr.push_str(&format!("error: could not compile `{file_name}` due to {n} previous error{}\n", if n == 1 { "" } else { "s" }));
            Err(Outcome { stdout: String::new(), stderr, code: EXIT_FAIL })
        }
    }
}
