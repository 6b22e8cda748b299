//! The `graphc` command line: `run`, `check`, `ir` and `bench`, and the tools
//! `gradcheck` and `compare` ([`tools`]). It wires the compiler to the runtime;
//! every decision about compiling and running lives in those crates.

mod export;
mod export_torch;
mod npy;
mod output;
mod source;
mod tools;

use output::errln;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use graphc_compiler::diag;
use graphc_compiler::driver::print::{print_stage, IrStage};
use graphc_compiler::driver::{compile_opts, Compiled, Exports, Options};
use graphc_compiler::fuse::Numerics;

/// Exit codes: 0 success, 1 compile error, 2 usage error, 3 run-time failure.
const EXIT_COMPILE: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_RUNTIME: u8 = 3;

/// graphc: a static-graph compiler and interpreter for automatic differentiation.
///
/// Write custom differentiable ops in `.act` (forward and backward blocks, as a
/// torch.autograd.Function), see every graph the compiler makes of them, and run
/// them with the numbers PyTorch gives.
#[derive(Parser)]
#[command(name = "graphc", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Treat warnings as errors: print them as errors, run nothing, exit 1.
    #[arg(long, global = true)]
    deny_warnings: bool,
    /// Threads that run fused kernels, 1 to 1024 (default: every core). Results do not depend on it.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Compute every value with PyTorch's scalar libm, bit for bit. By default only
    /// printed and plotted values are; the others (--save, bench) may use vector math
    /// within 2 ulp and exp(-x) as 1/exp(x).
    #[arg(long, global = true)]
    exact: bool,
    /// The memory a program may use: no tensor, and no set of tensors alive at once,
    /// may need more (a compile error otherwise). SIZE is bytes with an optional K, M,
    /// G or T suffix (binary): `512M`, `4G`. Default: three quarters of physical memory.
    #[arg(long, global = true, value_name = "SIZE", value_parser = graphc_compiler::driver::budget::parse_size)]
    max_memory: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a program and run it: print its output and write its figures.
    Run {
        /// The .act program.
        file: PathBuf,
        /// Bind the program's `input NAME: ...` to a .npy file (repeat for each input).
        /// The file must hold exactly the declared dtype (f4 or f8) and shape.
        #[arg(long = "input", value_name = "NAME=PATH", value_parser = name_path)]
        inputs: Vec<(String, PathBuf)>,
        /// After the run, write a top-level tensor NAME (or a leaf's gradient NAME.grad)
        /// to a .npy file (repeatable). The file is replaced atomically;
        /// a symbolic link is written through, a device or FIFO written into.
        #[arg(long = "save", value_name = "NAME=PATH", value_parser = name_path)]
        saves: Vec<(String, PathBuf)>,
    },
    /// Time a program: compile once, fill every input with randn (seed 0) or bind them
    /// all with --input, run it WARMUP + ITERS times with printed output discarded,
    /// and print one JSON line.
    Bench {
        /// The .act program.
        file: PathBuf,
        /// Bind input NAME to a .npy file, as `run` does; when any is given, every input must be.
        #[arg(long = "input", value_name = "NAME=PATH", value_parser = name_path)]
        inputs: Vec<(String, PathBuf)>,
        /// Timed runs, 1 to 1000000.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        iters: u32,
        /// Untimed runs before the timed ones, 0 to 1000000.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
        warmup: u32,
        /// Also print, on stderr, where the timed runs' time went: each op (by name and result
        /// shape), fused kernel and chain of row-wise kernels, with its calls and time per run,
        /// largest first. The clock read around every step adds a little to the times
        #[arg(long)]
        profile: bool,
    },
    /// Compile a program completely (parse, check, autodiff, passes) without running it.
    Check {
        /// The .act program.
        file: PathBuf,
    },
    /// Print the intermediate representation at one stage or all of them.
    Ir {
        /// The .act program.
        file: PathBuf,
        /// graph: after lowering; grad: after autodiff; opt: after the passes, with what each
        /// changed, the fused kernels and the residuals (values a backward reads).
        #[arg(long, value_enum)]
        stage: Option<Stage>,
        /// Compile as `run --save NAME` would: keep top-level tensor NAME (or NAME.grad)
        /// alive to the end (repeatable).
        #[arg(long = "export", value_name = "NAME")]
        exports: Vec<String>,
        /// Compile as `bench` does: keep every top-level tensor and leaf gradient alive.
        #[arg(long, conflicts_with = "exports")]
        export_all: bool,
        /// text: the dump; dot: Graphviz (each stage a cluster, forward and backward graphs,
        /// saved values as bold red edges, fused kernels and loop regions as nested clusters).
        #[arg(long, value_enum, default_value = "text")]
        format: IrFormat,
    },
    /// Check every op's backward block against its forward: the gradient graphc derives and finite differences.
    ///
    /// For each op with a backward block, at seeded random f64 points of each
    /// parameter's shape, the backward's gradient of sum(op(x) * w) (w a seeded
    /// random weight) is compared with the gradient graphc derives from the forward
    /// block alone and with central finite differences (h = 1e-6). An element passes
    /// when |backward - reference| <= 1e-5 + 1e-3 * |reference| (PyTorch's gradcheck
    /// tolerances). Points where the forward is not differentiable are left out and
    /// reported. Exits 1 when any op fails, with an error at its backward's `return`.
    Gradcheck {
        /// The .act program.
        file: PathBuf,
        /// Parameter shape: `3,4` for every parameter, or `NAME=3,4` for one (repeatable; default 5).
        #[arg(long = "shape", value_name = "SHAPE")]
        shapes: Vec<String>,
        /// Draw the random points uniformly from LO:HI (default -2:2).
        #[arg(long, value_name = "LO:HI", allow_hyphen_values = true)]
        range: Option<String>,
        /// Seed of the random points and weights.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Random points per op, 1 to 1000.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1000))]
        samples: u32,
    },
    /// Compare implementations of one function over a range: errors in ulps, NaN and infinite intervals.
    ///
    /// Each named op, fn or one-argument builtin is evaluated, with its gradient, at
    /// N evenly spaced points (linspace in the chosen dtype) and compared with the
    /// reference evaluated in f64 at the same points.
    Compare {
        /// The .act program that defines the ops and fns.
        file: PathBuf,
        /// Comma-separated names of ops, fns of one tensor argument, or builtins such as `tanh`.
        #[arg(long, value_name = "A,B,...", required = true)]
        ops: String,
        /// The interval of the points.
        #[arg(long, value_name = "LO:HI", allow_hyphen_values = true, default_value = "-10:10")]
        range: String,
        /// Number of points, 2 to 1000000.
        #[arg(long, value_name = "N", default_value_t = 1001)]
        points: usize,
        /// The dtype the implementations are evaluated in.
        #[arg(long, value_name = "f32|f64", default_value = "f32")]
        dtype: String,
        /// The reference (default: the builtin of the same name if listed, else the first op); always evaluated in f64.
        #[arg(long, value_name = "NAME")]
        reference: Option<String>,
        /// Also draw the errors against x into this PNG or SVG file.
        #[arg(long, value_name = "PATH")]
        plot: Option<PathBuf>,
    },
    /// Write the compiled program (after autodiff and the passes) for another engine.
    ///
    /// `--to torch`: readable PyTorch code (each op a torch.autograd.Function, each fn a
    /// function, the program a script printing what graphc prints).
    /// `--to onnx`: an ONNX model (opset 17) whose inputs are the program's `input`
    /// declarations and whose outputs are the exported tensors, forward and derived
    /// backward in one graph. See docs/EXPORT.md.
    Export {
        /// The .act program.
        file: PathBuf,
        /// The format to write.
        #[arg(long, value_enum)]
        to: export::ExportFormat,
        /// The file to write; it is replaced atomically, and left as it was on any error.
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
        /// Make top-level tensor NAME (or a leaf's gradient NAME.grad) an output, as
        /// `run --save` spells it (repeatable; default: every one `run --save` could save).
        #[arg(long = "export", value_name = "NAME")]
        exports: Vec<String>,
    },
}

/// How `graphc ir` prints the stages.
#[derive(Clone, Copy, ValueEnum)]
enum IrFormat {
    Text,
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    Graph,
    Grad,
    Opt,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `--save` and `savefig` write temporary files; an interrupt must not leave them behind.
    graphc_runtime::files::cleanup::remove_temporaries_on_signals();
    let deny = cli.deny_warnings;
    let numerics = if cli.exact { Numerics::Exact } else { Numerics::PrintedExact };
    let threads = cli.threads.map(|t| t as usize).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // The global pool is built before anything runs, so a failure here is a
    // system problem (no threads), reported as such.
    // Programs run on a worker of this pool (`exec::on_pool`), so workers get the
    // stack a main thread has on Linux rather than rayon's default 2 MiB.
    if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(threads).stack_size(8 << 20).build_global() {
        errln!("error: cannot start {threads} worker threads: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    if let Some(bytes) = cli.max_memory {
        // Set before anything compiles, so every compilation of this process follows it.
        graphc_compiler::driver::Budget::set_process_max_bytes(bytes);
    }
    let opts = CliOpts { deny, numerics };
    match cli.command {
        Command::Run { file, inputs, saves } => {
            let export_names: Vec<String> = saves.iter().map(|(n, _)| n.clone()).collect();
            with_compiled_exports(&file, false, opts, Exports::Names(&export_names), |c, source| run(c, source, &file, &inputs, &saves))
        }
        Command::Bench { file, inputs, iters, warmup, profile } => {
            let runs = BenchRuns { iters, warmup, threads, profile };
            with_compiled_exports(&file, false, opts, Exports::All, |c, source| bench(c, source, &file, &inputs, runs))
        }
        Command::Check { file } => with_compiled_exports(&file, false, opts, Exports::Names(&[]), |c, _| {
            let nodes = c.optimized.graph.node_count();
            errln!("{}: ok ({} backward call(s), {nodes} node(s) after optimization)", file.display(), c.autodiff.per_backward.len());
            ExitCode::SUCCESS
        }),
        Command::Ir { file, stage, exports, export_all, format } => {
            let exports = if export_all { Exports::All } else { Exports::Names(&exports) };
            with_compiled_exports(&file, true, opts, exports, |c, source| {
                let stages: Vec<IrStage> = match stage {
                    Some(Stage::Graph) => vec![IrStage::Graph],
                    Some(Stage::Grad) => vec![IrStage::Grad],
                    Some(Stage::Opt) => vec![IrStage::Opt],
                    None => vec![IrStage::Graph, IrStage::Grad, IrStage::Opt],
                };
                let text = match format {
                    IrFormat::Text => stages.into_iter().map(|s| print_stage(c, s, source)).collect::<Vec<String>>().join("\n"),
                    IrFormat::Dot => graphc_compiler::driver::dot::dot(c, &stages, source),
                };
                output::out_then(&text, 0)
            })
        }
        Command::Export { file, to, output, exports } => export::export(&export::ExportArgs { file, to, output, names: exports }, opts),
        // With --deny-warnings the tools first refuse a file that warns, as `check` would.
        Command::Gradcheck { file, .. } | Command::Compare { file, .. } if deny && !warning_free(&file) => ExitCode::from(EXIT_COMPILE),
        Command::Gradcheck { file, shapes, range, seed, samples } => {
            use crate::tools::gradcheck;
            let opts = gradcheck::Options { shapes, range, seed, samples: samples as usize };
            finish(gradcheck::run(&file, &opts, std::io::stderr().is_terminal()))
        }
        Command::Compare { file, ops, range, points, dtype, reference, plot } => {
            use crate::tools::compare;
            let opts = compare::Options { ops, range, points, dtype, reference, plot };
            finish(compare::run(&file, &opts, std::io::stderr().is_terminal()))
        }
    }
}

/// Compiles `file` with warnings denied; false (after printing why) if it has errors or warnings.
fn warning_free(file: &Path) -> bool {
    let opts = CliOpts { deny: true, numerics: Numerics::default() };
    with_compiled_exports(file, false, opts, Exports::Names(&[]), |_, _| ExitCode::SUCCESS) == ExitCode::SUCCESS
}

/// The global options every compilation follows.
#[derive(Clone, Copy)]
struct CliOpts {
    /// `--deny-warnings`.
    deny: bool,
    /// `--exact` or not.
    numerics: Numerics,
}

/// Prints what a tool produced and exits with its code.
fn finish(outcome: crate::tools::Outcome) -> ExitCode {
    let written = output::out(&outcome.stdout);
    output::err(&outcome.stderr);
    match written {
        Ok(()) => ExitCode::from(outcome.code),
        Err(e) => output::failed(&e, outcome.code),
    }
}

/// Parses a `NAME=PATH` command-line value.
fn name_path(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok((name.to_string(), PathBuf::from(path))),
        _ => Err(format!("expected NAME=PATH, got `{s}`")),
    }
}

/// Prints a usage error about the command line and returns exit code 2.
fn usage_error(message: &str) -> ExitCode {
    errln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Checks the command line's inputs against the plan's and loads them, in the plan's order.
/// Every problem is a usage error: the program compiled, the command line does not fit it.
fn load_inputs(plan: &graphc_runtime::plan::Plan, given: &[(String, PathBuf)]) -> Result<Vec<graphc_runtime::Tensor>, String> {
    let declared = || {
        let list: Vec<String> = plan.inputs.iter().map(|i| format!("{}: {}{}", i.name, i.dtype, npy::shape_text(&i.shape))).collect();
        if list.is_empty() {
            "the program declares no inputs".to_string()
        } else {
            format!("the program declares: {}", list.join(", "))
        }
    };
    for (i, (name, _)) in given.iter().enumerate() {
        if !plan.inputs.iter().any(|d| &d.name == name) {
            return Err(format!("`--input {name}=...`: the program has no input `{name}`; {}", declared()));
        }
        if given[..i].iter().any(|(n, _)| n == name) {
            return Err(format!("`--input {name}=...` is given twice"));
        }
    }
    plan.inputs
        .iter()
        .map(|d| match given.iter().find(|(n, _)| *n == d.name) {
            Some((_, path)) => npy::load(path, d),
            None => Err(format!(
                "missing input `{}`: the program declares `input {}: {}{}`; pass `--input {}=PATH.npy`",
                d.name,
                d.name,
                d.dtype,
                npy::shape_text(&d.shape),
                d.name
            )),
        })
        .collect()
}

fn run(c: &Compiled, source: &str, file: &Path, inputs: &[(String, PathBuf)], saves: &[(String, PathBuf)]) -> ExitCode {
    for (name, _) in saves {
        if !c.exportable.contains(name) {
            let list = if c.exportable.is_empty() { "none".to_string() } else { c.exportable.join(", ") };
            return usage_error(&format!(
                "`--save {name}=...`: the program has no top-level tensor `{name}` (NAME.grad exists only for a requires-grad leaf that a backward reached); it has: {list}"
            ));
        }
    }
    let tensors = match load_inputs(&c.plan, inputs) {
        Ok(t) => t,
        Err(message) => return usage_error(&message),
    };
    let mut machine = match graphc_runtime::exec::Machine::new(&c.plan) {
        Ok(m) => m,
        Err(e) => {
            report_run_error(&e.into(), file, source);
            return ExitCode::from(EXIT_RUNTIME);
        }
    };
    for (k, t) in tensors.into_iter().enumerate() {
        machine.bind_input(&c.plan, k, t);
    }
    let result = graphc_runtime::exec::on_pool(|| machine.run(&c.plan, &mut std::io::stdout().lock()));
    if let Err(e) = result {
        // When the reader of the output is gone the run stops quietly, but with
        // exit 3: the program's output was cut off, and the figures and saves after
        // the failed statement were not written.
        if e.broken_pipe {
            return ExitCode::from(EXIT_RUNTIME);
        }
        report_run_error(&e, file, source);
        return ExitCode::from(EXIT_RUNTIME);
    }
    for (name, path) in saves {
        let value = c.plan.exports.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
        let t = value.and_then(|v| machine.value(v)).expect("the scheduler keeps every export alive to the end");
        if let Err(e) = npy::save(path, t) {
            let e = graphc_runtime::exec::RunError {
                message: format!("cannot save `{name}` to `{}`: {e}", path.display()),
                help: "choose a path in an existing, writable directory; nothing was written".to_string(),
                source: None,
                broken_pipe: false,
            };
            report_run_error(&e, file, source);
            return ExitCode::from(EXIT_RUNTIME);
        }
    }
    ExitCode::SUCCESS
}

/// How many runs `graphc bench` makes, and on how many threads.
#[derive(Clone, Copy)]
struct BenchRuns {
    iters: u32,
    warmup: u32,
    threads: usize,
    /// Whether to print the timed runs' profile (`--profile`).
    profile: bool,
}

/// The tensors `graphc bench` binds: the `--input` files when any is given (then all
/// must be), else randn under seed 0 for every input, which only float inputs can take.
fn bench_inputs(plan: &graphc_runtime::plan::Plan, given: &[(String, PathBuf)]) -> Result<Vec<graphc_runtime::Tensor>, String> {
    if !given.is_empty() {
        return load_inputs(plan, given);
    }
    if let Some(d) = plan.inputs.iter().find(|d| !d.dtype.is_float()) {
        return Err(format!(
            "bench fills inputs with randn, which cannot make the {} input `{}`; bind every input with `--input NAME=PATH.npy`",
            d.dtype, d.name
        ));
    }
    let mut generator = graphc_runtime::rng::Generator::new();
    generator.manual_seed(0);
    Ok(plan.inputs.iter().map(|i| generator.randn(i.dtype, &i.shape)).collect())
}

/// `graphc bench`: inputs are drawn (or loaded) once and bound once, outside the
/// timing; each run starts from fresh value slots, reusing the buffers of the run
/// before. Every top-level tensor and leaf gradient is computed, as if each were
/// `--save`d (without writing them). Printed output goes to a sink; figures are
/// written as in `run`. The JSON line also gives the tensor buffers the last run
/// allocated (0 once the machine's pool holds every size the plan needs).
fn bench(c: &Compiled, source: &str, file: &Path, given: &[(String, PathBuf)], runs: BenchRuns) -> ExitCode {
    use graphc_runtime::exec::Machine;
    let BenchRuns { iters, warmup, threads, profile } = runs;
    let inputs = match bench_inputs(&c.plan, given) {
        Ok(t) => t,
        Err(message) => return usage_error(&message),
    };
    let mut machine = match Machine::new(&c.plan) {
        Ok(m) => m,
        Err(e) => {
            report_run_error(&e.into(), file, source);
            return ExitCode::from(EXIT_RUNTIME);
        }
    };
    for (k, t) in inputs.into_iter().enumerate() {
        machine.bind_input(&c.plan, k, t);
    }
    let total = warmup + iters;
    let terminal = std::io::stderr().is_terminal();
    if !terminal {
        errln!("graphc bench: {}: {warmup} warmup + {iters} timed runs", file.display());
    }
    let mut times_ms: Vec<f64> = Vec::with_capacity(iters as usize);
    let mut allocations_before = 0;
    for i in 0..total {
        if terminal {
            output::err(&format!("\rgraphc bench: {}: run {}/{total}{}", file.display(), i + 1, if i < warmup { " (warmup)" } else { "         " }));
        }
        machine.reset_run();
        allocations_before = machine.allocations();
        if profile && i == warmup {
            graphc_runtime::exec::profile::start();
        }
        // Timed on the worker that runs the plan, without the hand-off to it.
        let (result, elapsed) = graphc_runtime::exec::on_pool(|| {
            let start = std::time::Instant::now();
            let result = machine.run(&c.plan, &mut std::io::sink());
            (result, start.elapsed().as_secs_f64() * 1e3)
        });
        if let Err(e) = result {
            if terminal {
                errln!("");
            }
            report_run_error(&e, file, source);
            return ExitCode::from(EXIT_RUNTIME);
        }
        if i >= warmup {
            times_ms.push(elapsed);
        }
    }
    if terminal {
        errln!("");
    }
    if profile {
        print_profile(graphc_runtime::exec::profile::finish(), times_ms.iter().sum::<f64>(), iters);
    }
    times_ms.sort_by(f64::total_cmp);
    let n = times_ms.len();
    let median = if n % 2 == 1 { times_ms[n / 2] } else { (times_ms[n / 2 - 1] + times_ms[n / 2]) / 2.0 };
    let line = format!(
        "{{\"file\": {}, \"iters\": {iters}, \"threads\": {threads}, \"median_ms\": {median:.6}, \"min_ms\": {:.6}, \"max_ms\": {:.6}, \"peak_bytes\": {}, \"last_run_allocations\": {}}}\n",
        json_string(&file.display().to_string()),
        times_ms[0],
        times_ms[n - 1],
        machine.peak_bytes(),
        machine.allocations() - allocations_before
    );
    output::out_then(&line, 0)
}

/// Prints `graphc bench --profile`'s table on stderr: per timed run, each
/// group's share of the run, time, calls and time per call, largest first,
/// then what no step accounts for (a loop's carried values, frees).
fn print_profile(rows: Vec<(String, graphc_runtime::exec::profile::Group)>, total_ms: f64, iters: u32) {
    let runs = f64::from(iters);
    let per_run = total_ms / runs;
    errln!("graphc bench: profile of the {iters} timed run(s), per run ({per_run:.3} ms):");
    errln!("{:>7} {:>11} {:>9} {:>12}  step", "share", "ms", "calls", "us/call");
    let mut timed_ms = 0.0;
    for (label, group) in &rows {
        let ms = group.time.as_secs_f64() * 1e3 / runs;
        timed_ms += ms;
        let calls = group.calls as f64 / runs;
        let share = if per_run > 0.0 { 100.0 * ms / per_run } else { 0.0 };
        errln!("{share:>6.1}% {ms:>11.3} {calls:>9.1} {:>12.2}  {label}", 1e3 * ms / calls.max(f64::MIN_POSITIVE));
    }
    let rest = (per_run - timed_ms).max(0.0);
    let share = if per_run > 0.0 { 100.0 * rest / per_run } else { 0.0 };
    errln!("{share:>6.1}% {rest:>11.3} {:>9} {:>12}  outside the steps (loops' carried values, frees, the profiler's clock)", "", "");
}

/// A JSON string literal (quotes, backslashes and control characters escaped).
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Prints a run-time failure like a compile error: at the statement that failed, with help.
fn report_run_error(e: &graphc_runtime::exec::RunError, file: &Path, source: &str) {
    let color = std::io::stderr().is_terminal();
    match e.source {
        Some((start, end)) => {
            let d = diag::Diagnostic::new(diag::Code::R0001, &e.message, graphc_compiler::syntax::ast::Span::new(start, end), "failed here")
                .with_help(&e.help);
            output::err(&diag::render(&[d], &file.display().to_string(), source, color));
        }
        None => errln!("error[{}]: {}\n  = help: {}", diag::Code::R0002.as_str(), e.message, e.help),
    }
    errln!("error: `{}` stopped at run time", file.display());
}

/// The directory `load` and `save` paths in `file` are relative to: the file's own
/// (empty for a file in the working directory, which leaves such paths as they are).
fn source_dir(file: &Path) -> &Path {
    file.parent().unwrap_or(Path::new(""))
}

/// Reads and compiles `file`, keeping the top-level tensors `exports` names alive;
/// on errors prints the diagnostics and exits 1 with nothing on stdout. Warnings go
/// to stderr before `then` runs, or, with `--deny-warnings`, count as errors.
fn with_compiled_exports(
    file: &Path,
    keep_stages: bool,
    opts: CliOpts,
    exports: Exports,
    then: impl FnOnce(&Compiled, &str) -> ExitCode,
) -> ExitCode {
    let deny = opts.deny;
    let source = match source::read(file) {
        Ok(s) => s,
        Err(source::ReadError::TooLarge(message)) => {
            output::err(&message);
            return ExitCode::from(EXIT_COMPILE);
        }
        Err(source::ReadError::Unreadable(message)) => {
            errln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let result =
        compile_opts(&source, &Options { keep_stages, exports, numerics: opts.numerics, source_dir: Some(source_dir(file)) }).and_then(|c| {
            if deny && !c.warnings.is_empty() {
                Err(c.warnings.into_iter().map(|w| w.denied()).collect())
            } else {
                Ok(c)
            }
        });
    match result {
        Ok(c) => {
            let n = c.warnings.len();
            if n > 0 {
                let color = std::io::stderr().is_terminal();
                output::err(&diag::render(&c.warnings, &file.display().to_string(), &source, color));
                errln!("warning: `{}` generated {n} warning{}", file.display(), if n == 1 { "" } else { "s" });
            }
            then(&c, &source)
        }
        Err(diags) => {
            let color = std::io::stderr().is_terminal();
            output::err(&diag::render(&diags, &file.display().to_string(), &source, color));
            let n = diags.len();
            errln!("error: could not compile `{}` due to {n} previous error{}", file.display(), if n == 1 { "" } else { "s" });
            ExitCode::from(EXIT_COMPILE)
        }
    }
}
