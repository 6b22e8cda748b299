//! The `graphc` command line: `run`, `check`, `ir` and `bench`. It only wires the
//! compiler to the runtime; every decision lives in those crates.

mod npy;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use graphc_compiler::diag;
use graphc_compiler::driver::{compile_with, Compiled, Exports};
use graphc_compiler::ir::print::{print_stage, IrStage};

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
        /// to a .npy file (repeatable). The file is written atomically.
        #[arg(long = "save", value_name = "NAME=PATH", value_parser = name_path)]
        saves: Vec<(String, PathBuf)>,
    },
    /// Time a program: compile once, fill every input with randn (seed 0), run it
    /// WARMUP + ITERS times with printed output discarded, and print one JSON line.
    Bench {
        /// The .act program.
        file: PathBuf,
        /// Timed runs.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
        iters: u32,
        /// Untimed runs before the timed ones.
        #[arg(long, default_value_t = 3)]
        warmup: u32,
        /// Reported in the JSON line only: the interpreter is single-threaded today.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        threads: u32,
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
        /// graph: after lowering; grad: after autodiff; opt: after the passes, with what each changed.
        #[arg(long, value_enum)]
        stage: Option<Stage>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    Graph,
    Grad,
    Opt,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { file, inputs, saves } => {
            let export_names: Vec<String> = saves.iter().map(|(n, _)| n.clone()).collect();
            with_compiled_exports(&file, false, Exports::Names(&export_names), |c, source| run(c, source, &file, &inputs, &saves))
        }
        Command::Bench { file, iters, warmup, threads } => {
            with_compiled_exports(&file, false, Exports::All, |c, source| bench(c, source, &file, iters, warmup, threads))
        }
        Command::Check { file } => with_compiled(&file, false, |c, _| {
            let nodes = c.optimized.graph.node_count();
            eprintln!("{}: ok ({} backward call(s), {nodes} node(s) after optimization)", file.display(), c.autodiff.per_backward.len());
            ExitCode::SUCCESS
        }),
        Command::Ir { file, stage } => with_compiled(&file, true, |c, source| {
            let stages: Vec<IrStage> = match stage {
                Some(Stage::Graph) => vec![IrStage::Graph],
                Some(Stage::Grad) => vec![IrStage::Grad],
                Some(Stage::Opt) => vec![IrStage::Opt],
                None => vec![IrStage::Graph, IrStage::Grad, IrStage::Opt],
            };
            let text: Vec<String> = stages.into_iter().map(|s| print_stage(c, s, source)).collect();
            print!("{}", text.join("\n"));
            ExitCode::SUCCESS
        }),
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
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Checks the command line's inputs against the plan's and loads them, in the plan's order.
/// Every problem is a usage error: the program compiled, the command line does not fit it.
fn load_inputs(plan: &graphc_runtime::plan::Plan, given: &[(String, PathBuf)]) -> Result<Vec<graphc_runtime::Tensor>, String> {
    let declared = || {
        let list: Vec<String> = plan.inputs.iter().map(|i| format!("{}: {}{:?}", i.name, i.dtype, i.shape)).collect();
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
                "missing input `{}`: the program declares `input {}: {}{:?}`; pass `--input {}=PATH.npy`",
                d.name, d.name, d.dtype, d.shape, d.name
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
    let mut machine = graphc_runtime::exec::Machine::new(&c.plan);
    for (k, t) in tensors.into_iter().enumerate() {
        machine.bind_input(&c.plan, k, t);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = machine.run(&c.plan, &mut out) {
        let _ = out.flush();
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
            };
            report_run_error(&e, file, source);
            return ExitCode::from(EXIT_RUNTIME);
        }
    }
    ExitCode::SUCCESS
}

/// `graphc bench`: inputs are drawn once, outside the timing; each run starts from
/// fresh value slots and gets its own copy of the inputs (copied outside the timing).
/// Every top-level tensor and leaf gradient is computed, as if each were `--save`d
/// (without writing them). Printed output goes to a sink; figures are written as in `run`.
fn bench(c: &Compiled, source: &str, file: &Path, iters: u32, warmup: u32, threads: u32) -> ExitCode {
    use graphc_runtime::exec::Machine;
    let mut generator = graphc_runtime::rng::Generator::new();
    generator.manual_seed(0);
    let inputs: Vec<graphc_runtime::Tensor> = c.plan.inputs.iter().map(|i| generator.randn(i.dtype, &i.shape)).collect();
    let mut machine = Machine::new(&c.plan);
    let total = warmup + iters;
    let terminal = std::io::stderr().is_terminal();
    if !terminal {
        eprintln!("graphc bench: {}: {warmup} warmup + {iters} timed runs", file.display());
    }
    let mut times_ms: Vec<f64> = Vec::with_capacity(iters as usize);
    for i in 0..total {
        if terminal {
            eprint!("\rgraphc bench: {}: run {}/{total}{}", file.display(), i + 1, if i < warmup { " (warmup)" } else { "         " });
        }
        machine.reset_values();
        for (k, t) in inputs.iter().enumerate() {
            machine.bind_input(&c.plan, k, t.clone());
        }
        let start = std::time::Instant::now();
        let result = machine.run(&c.plan, &mut std::io::sink());
        let elapsed = start.elapsed().as_secs_f64() * 1e3;
        if let Err(e) = result {
            if terminal {
                eprintln!();
            }
            report_run_error(&e, file, source);
            return ExitCode::from(EXIT_RUNTIME);
        }
        if i >= warmup {
            times_ms.push(elapsed);
        }
    }
    if terminal {
        eprintln!();
    }
    times_ms.sort_by(f64::total_cmp);
    let n = times_ms.len();
    let median = if n % 2 == 1 { times_ms[n / 2] } else { (times_ms[n / 2 - 1] + times_ms[n / 2]) / 2.0 };
    println!(
        "{{\"file\": {}, \"iters\": {iters}, \"threads\": {threads}, \"median_ms\": {median:.6}, \"min_ms\": {:.6}, \"max_ms\": {:.6}, \"peak_bytes\": {}}}",
        json_string(&file.display().to_string()),
        times_ms[0],
        times_ms[n - 1],
        machine.peak_bytes()
    );
    ExitCode::SUCCESS
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
            eprint!("{}", diag::render(&[d], &file.display().to_string(), source, color));
        }
        None => eprintln!("error[{}]: {}\n  = help: {}", diag::Code::R0002.as_str(), e.message, e.help),
    }
    eprintln!("error: `{}` stopped at run time", file.display());
}

/// Reads and compiles `file`; on errors prints the diagnostics and exits 1 with nothing on stdout.
fn with_compiled(file: &Path, keep_stages: bool, then: impl FnOnce(&Compiled, &str) -> ExitCode) -> ExitCode {
    with_compiled_exports(file, keep_stages, Exports::Names(&[]), then)
}

/// As [`with_compiled`], keeping the named top-level tensors alive for `--save`.
fn with_compiled_exports(file: &Path, keep_stages: bool, exports: Exports, then: impl FnOnce(&Compiled, &str) -> ExitCode) -> ExitCode {
    let source = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", file.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match compile_with(&source, keep_stages, exports) {
        Ok(c) => then(&c, &source),
        Err(diags) => {
            let color = std::io::stderr().is_terminal();
            eprint!("{}", diag::render(&diags, &file.display().to_string(), &source, color));
            let n = diags.len();
            eprintln!("error: could not compile `{}` due to {n} previous error{}", file.display(), if n == 1 { "" } else { "s" });
            ExitCode::from(EXIT_COMPILE)
        }
    }
}
