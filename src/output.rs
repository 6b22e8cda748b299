//! Writing the CLI's output without panicking: `print!` and `eprint!` panic when
//! stdout or stderr fails (a closed pipe, a full disk), so every write goes
//! through these functions, which return or absorb the error instead.

use std::io::Write;
use std::process::ExitCode;

use crate::EXIT_RUNTIME;

/// Writes `text` to stdout and flushes it, so that a failure shows here and not
/// silently at exit.
pub fn out(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush())
}

/// Writes `text` to stderr. A failure is ignored: stderr is where it would be
/// reported, and the exit code still tells what happened.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
}

/// The exit code after stdout failed. A closed pipe (`graphc ir x.act | head`)
/// ends quietly with `closed`, as other Unix tools do; any other failure (a full
/// disk) is a run-time failure, reported on stderr.
pub fn failed(e: &std::io::Error, closed: u8) -> ExitCode {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return ExitCode::from(closed);
    }
    err(&format!("error: cannot write to standard output: {e}\n  = help: check that standard output is writable (a full disk stops the output)\n"));
    ExitCode::from(EXIT_RUNTIME)
}

/// Writes `text` to stdout and returns `code`, or the code of a failed write.
pub fn out_then(text: &str, code: u8) -> ExitCode {
    match out(text) {
        Ok(()) => ExitCode::from(code),
        Err(e) => failed(&e, code),
    }
}

/// `eprintln!` that cannot panic.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::err(&format!("{}\n", format_args!($($arg)*))) };
}
pub(crate) use errln;
