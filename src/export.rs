//! `graphc export FILE --to FORMAT -o OUT`: the compiled program written for
//! another engine. Each format is one arm of [`ExportFormat`]; the work of each
//! lives in the compiler (`graphc_compiler::onnx`), this file only wires the
//! command line to it and writes the file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use graphc_compiler::diag;
use graphc_compiler::driver::{Compiled, Exports};

use crate::output::errln;
use crate::{usage_error, with_compiled_exports, CliOpts, EXIT_COMPILE, EXIT_RUNTIME};

/// A format `graphc export` writes.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// An ONNX model (opset 17): forward and derived backward in one graph.
    Onnx,
    /// Readable PyTorch code (`.py`), made from the checked program's syntax.
    Torch,
}

/// What `graphc export` was asked for.
pub struct ExportArgs {
    pub file: PathBuf,
    pub to: ExportFormat,
    pub output: PathBuf,
    /// `--export NAME` (empty: every top-level tensor and leaf gradient).
    pub names: Vec<String>,
}

/// Compiles the program with the requested outputs kept alive, converts it and
/// writes the file atomically; nothing is written when anything fails.
pub fn export(args: &ExportArgs, opts: CliOpts) -> ExitCode {
    match args.to {
        ExportFormat::Onnx => onnx(args, opts),
        ExportFormat::Torch => torch(args, opts),
    }
}

/// `--to torch`: the PyTorch script is the whole program, so it has no outputs to choose.
fn torch(args: &ExportArgs, opts: CliOpts) -> ExitCode {
    if !args.names.is_empty() {
        return usage_error("`--export NAME` chooses the outputs of an ONNX model; `--to torch` writes the whole program");
    }
    let (file, output) = (&args.file, &args.output);
    with_compiled_exports(file, false, opts, Exports::Names(&[]), |_, source| crate::export_torch::write(file, source, output))
}

/// `--to onnx`: the chosen outputs of the compiled program as one ONNX graph.
fn onnx(args: &ExportArgs, opts: CliOpts) -> ExitCode {
    let exports = if args.names.is_empty() { Exports::All } else { Exports::Names(&args.names) };
    with_compiled_exports(&args.file, false, opts, exports, |c, source| {
        let names = match chosen_names(c, &args.names) {
            Ok(n) => n,
            Err(message) => return usage_error(&message),
        };
        let bytes = graphc_compiler::onnx::export(&c.optimized, &names);
        match bytes {
            Ok(bytes) => write(&args.output, &bytes, &names),
            Err(diags) => {
                let color = std::io::stderr().is_terminal();
                crate::output::err(&diag::render(&diags, &args.file.display().to_string(), source, color));
                let n = diags.len();
                errln!("error: could not export `{}` due to {n} previous error{}", args.file.display(), if n == 1 { "" } else { "s" });
                ExitCode::from(EXIT_COMPILE)
            }
        }
    })
}

/// The outputs: the names asked for, each checked, or by default every name the
/// program can export, sorted.
fn chosen_names(c: &Compiled, asked: &[String]) -> Result<Vec<String>, String> {
    for (i, name) in asked.iter().enumerate() {
        if !c.exportable.contains(name) {
            let list = if c.exportable.is_empty() { "none".to_string() } else { c.exportable.join(", ") };
            return Err(format!(
                "`--export {name}`: the program has no top-level tensor `{name}` (NAME.grad exists only for a requires-grad leaf that a backward reached); it has: {list}"
            ));
        }
        if asked[..i].contains(name) {
            return Err(format!("`--export {name}` is given twice"));
        }
    }
    let mut names: Vec<String> = if asked.is_empty() { c.optimized.exports.keys().cloned().collect() } else { asked.to_vec() };
    if asked.is_empty() {
        names.sort();
    }
    if names.is_empty() {
        return Err("the program has no top-level tensor to export: bind a result to a name at the top level".to_string());
    }
    Ok(names)
}

/// Writes the file atomically (a temporary file renamed over the target).
fn write(path: &Path, bytes: &[u8], names: &[String]) -> ExitCode {
    let result = graphc_runtime::files::write_via(path, ".onnx", |tmp| std::fs::write(tmp, bytes).map_err(|e| e.to_string()), |m| m);
    match result {
        Ok(()) => {
            errln!("wrote `{}`: {} output(s): {}", path.display(), names.len(), names.join(", "));
            ExitCode::SUCCESS
        }
        Err(e) => {
            errln!("error: cannot write `{}`: {e}\n  = help: choose a path in an existing, writable directory; nothing was written", path.display());
            ExitCode::from(EXIT_RUNTIME)
        }
    }
}
