//! The invariants checked on each program, in-process:
//!
//! - no stage panics (compile, diagnostic rendering, run);
//! - a rejected program has at least one diagnostic, and every label of every
//!   diagnostic (and warning) lies inside the source;
//! - a compiled program runs without error, and prints the same text whether it
//!   is compiled with fast math or `--exact`, with no exports or every one, and
//!   run on one thread or four; on one plan, 1 and 4 threads give the same bits
//!   for every exported tensor;
//! - the IR text printed at the graph, grad and opt stages (loop and branch regions
//!   included) reads back into a program that prints the same text;
//! - compiling runs nothing: no file that a `save` writes exists after compiling
//!   (`graphc check` compiles only), and each does after a run.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

use std::path::{Path, PathBuf};

use graphc_compiler::diag::{render, Diagnostic, LineIndex};
use graphc_compiler::driver::{compile_opts, Compiled, Exports, Options};
use graphc_compiler::fuse::Numerics;
use graphc_compiler::ir::parse::parse;
use graphc_compiler::ir::print;
use graphc_runtime::exec::run_capture;
use graphc_runtime::tensor::Tensor;
use rayon::ThreadPool;

/// What happened to a program that broke no invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Rejected with these diagnostic codes.
    Rejected(Vec<String>),
    /// Compiled but not run (it declares inputs).
    Compiled,
    Ran,
}

/// The worker pools the runs use.
pub struct Pools {
    pub one: ThreadPool,
    pub four: ThreadPool,
}

impl Pools {
    pub fn new() -> Pools {
        let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("cannot start worker threads");
        Pools { one: pool(1), four: pool(4) }
    }
}

/// The message and place of the last panic, recorded by the hook that `install_panic_hook` sets.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// Replaces the panic hook, process-wide, with one that records the panic for the report
/// instead of printing it, since expected panics would flood the output of a long run.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = info.to_string();
    }));
}

/// Runs `f`, turning a panic into an error that says which stage panicked and where.
fn guarded<T>(stage: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| format!("{stage} panicked: {}", LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner())))
}

fn spans_inside(diags: &[Diagnostic], source: &str) -> Result<(), String> {
    for d in diags {
        for l in std::iter::once(&d.primary).chain(&d.secondary) {
            if l.span.start > l.span.end || l.span.end > source.len() {
                return Err(format!(
                    "{} `{}` has a label at {}..{}, outside the {}-byte source",
                    d.code.as_str(),
                    d.message,
                    l.span.start,
                    l.span.end,
                    source.len()
                ));
            }
        }
    }
    // Rendering reads the source at every label, so it must not panic either.
    guarded("rendering diagnostics", || render(diags, "fuzz.act", source, false)).map(|_| ())
}

fn compile(source: &str, numerics: Numerics, exports: Exports, keep_stages: bool) -> Result<Result<Compiled, Vec<Diagnostic>>, String> {
    guarded("compile", || compile_opts(source, &Options { keep_stages, exports, numerics, source_dir: None }))
}

/// The IR text of each kept stage reads back and prints the same again.
fn ir_reads_back(c: &Compiled, source: &str) -> Result<(), String> {
    let lines = LineIndex::new(source);
    let (Some(lowered), Some(differentiated)) = (&c.lowered, &c.differentiated) else {
        return Err("the stages were not kept".into());
    };
    let stages = [("graph", lowered, Some(lowered)), ("grad", differentiated, Some(lowered)), ("opt", &c.optimized, None)];
    for (stage, prog, calls) in stages {
        let text = guarded("printing the IR", || print::program(prog, &lines, calls))?;
        let parsed = guarded("reading the IR back", || parse(&text))?.map_err(|d| {
            format!("the IR text at the {stage} stage does not read back: {} at {}..{}\n{text}", d.message, d.primary.span.start, d.primary.span.end)
        })?;
        let again = guarded("printing the IR read back", || parsed.print())?;
        if again != text {
            return Err(diff(&format!("IR text at the {stage} stage"), &text, "the same read back and printed", &again));
        }
    }
    Ok(())
}

/// The first file of `saves` that exists.
fn existing(saves: &[PathBuf]) -> Option<&Path> {
    saves.iter().map(PathBuf::as_path).find(|p| p.exists())
}

fn run(pool: &ThreadPool, c: &Compiled, what: &str) -> Result<(String, Vec<Tensor>), String> {
    pool.install(|| guarded(what, || run_capture(&c.plan)))?.map_err(|e| format!("{what} failed: {e}"))
}

/// Whether `error` (from [`check`]) is a run that stopped with an error message of
/// its own, rather than a panic or a broken invariant.
pub fn is_run_error(error: &str) -> bool {
    error.starts_with("run (") && error.lines().next().is_some_and(|l| l.contains(") failed: "))
}

/// Whether two runs exported the same tensors, bit for bit (NaNs included).
fn same_bits(a: &[Tensor], b: &[Tensor]) -> bool {
    let bits = |t: &Tensor| (t.dtype(), t.shape().to_vec(), t.to_f64_vec().iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| bits(x) == bits(y))
}

/// Checks every invariant on `source`; an error describes the first broken one.
pub fn check(source: &str, has_inputs: bool, pools: &Pools) -> Result<Outcome, String> {
    check_files(source, has_inputs, &[], &[], pools)
}

/// As [`check`], for a program that loads `files` (written first) and saves to `saves`.
pub fn check_files(source: &str, has_inputs: bool, files: &[(PathBuf, Vec<u8>)], saves: &[PathBuf], pools: &Pools) -> Result<Outcome, String> {
    for (path, bytes) in files {
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|_| std::fs::write(path, bytes));
        written.map_err(|e| format!("cannot write the input file {}: {e}", path.display()))?;
    }
    for path in saves {
        // A file left by an earlier case or run would hide a save at compile time.
        let _ = std::fs::remove_file(path);
    }
    let result = check_program(source, has_inputs, saves, pools);
    for path in saves.iter().chain(files.iter().map(|f| &f.0)) {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn check_program(source: &str, has_inputs: bool, saves: &[PathBuf], pools: &Pools) -> Result<Outcome, String> {
    let fast = match compile(source, Numerics::PrintedExact, Exports::Names(&[]), true)? {
        Err(diags) if diags.is_empty() => return Err("compilation failed without a diagnostic".into()),
        Err(diags) => {
            spans_inside(&diags, source)?;
            return Ok(Outcome::Rejected(diags.iter().map(|d| d.code.as_str().to_string()).collect()));
        }
        Ok(c) => c,
    };
    spans_inside(&fast.warnings, source)?;
    ir_reads_back(&fast, source)?;
    let exact = match compile(source, Numerics::Exact, Exports::All, false)? {
        Ok(c) => c,
        Err(diags) => return Err(format!("compiles by default but not with --exact and every export: {}", diags[0].message)),
    };
    if let Some(path) = existing(saves) {
        return Err(format!("compiling wrote {}: compilation ran a `save`", path.display()));
    }
    if has_inputs {
        return Ok(Outcome::Compiled);
    }
    let (out1, tensors1) = run(&pools.one, &fast, "run (fast math, 1 thread)")?;
    if let Some(missing) = saves.iter().find(|p| !p.exists()) {
        // A mutant may have moved the save behind a branch not taken, or changed its path.
        let path = missing.to_string_lossy();
        let plain = source.lines().any(|l| l.starts_with("save(") && l.contains(&*path));
        if plain && !source.contains("if ") && !source.contains("for ") {
            return Err(format!("the run did not write {}", missing.display()));
        }
    }
    let (out4, tensors4) = run(&pools.four, &fast, "run (fast math, 4 threads)")?;
    if out1 != out4 {
        return Err(diff("1 thread", &out1, "4 threads", &out4));
    }
    if !same_bits(&tensors1, &tensors4) {
        return Err("fast math: exported tensors differ between 1 and 4 threads".into());
    }
    let (exact1, all1) = run(&pools.one, &exact, "run (--exact, every export, 1 thread)")?;
    let (exact4, all4) = run(&pools.four, &exact, "run (--exact, every export, 4 threads)")?;
    if out1 != exact1 {
        return Err(diff("fast math", &out1, "--exact with every export", &exact1));
    }
    if exact1 != exact4 {
        return Err(diff("--exact, 1 thread", &exact1, "--exact, 4 threads", &exact4));
    }
    if !same_bits(&all1, &all4) {
        return Err("--exact: exported tensors differ between 1 and 4 threads".into());
    }
    Ok(Outcome::Ran)
}

/// The first differing line of two outputs, with both texts in full.
fn diff(a_name: &str, a: &str, b_name: &str, b: &str) -> String {
    let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(b.lines().count()));
    format!("stdout differs at line {}:\n--- {a_name}\n{a}\n--- {b_name}\n{b}", line + 1)
}
