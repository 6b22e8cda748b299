//! `graphc export --to torch`: writes the PyTorch translation of a program that
//! compiled (`graphc_compiler::export_torch` makes the text).

use std::path::Path;
use std::process::ExitCode;

use std::io::IsTerminal;

use graphc_compiler::diag;

use crate::output::{self, errln};

/// Translates the checked program `source` (from `file`) and writes it to `out`
/// atomically; exit 1 with the errors when a construct cannot be exported.
pub fn write(file: &Path, source: &str, out: &Path) -> ExitCode {
    let parsed = match graphc_compiler::syntax::parser::parse(source) {
        Ok(f) => f,
        Err(diags) => return report(&diags, file, source),
    };
    let origin = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let text = match graphc_compiler::export_torch::export(&parsed, source, &origin) {
        Ok(t) => t,
        Err(diags) => return report(&diags, file, source),
    };
    let written = graphc_runtime::files::write_via(out, ".py", |tmp| std::fs::write(tmp, &text).map_err(|e| e.to_string()), |m| m);
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            errln!("error: cannot write `{}`: {message}", out.display());
            ExitCode::from(super::EXIT_RUNTIME)
        }
    }
}

fn report(diags: &[diag::Diagnostic], file: &Path, source: &str) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    output::err(&diag::render(diags, &file.display().to_string(), source, color));
    let n = diags.len();
    errln!("error: could not export `{}` due to {n} previous error{}", file.display(), if n == 1 { "" } else { "s" });
    ExitCode::from(super::EXIT_COMPILE)
}
