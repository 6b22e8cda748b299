//! The `graphc` command line: `run`, `check` and `ir`. It only wires the
//! compiler to the runtime; every decision lives in those crates.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use graphc_compiler::diag;
use graphc_compiler::driver::{compile, Compiled};
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
    /// Treat warnings as errors: print them as errors, run nothing, exit 1.
    #[arg(long, global = true)]
    deny_warnings: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a program and run it: print its output and write its figures.
    Run {
        /// The .act program.
        file: PathBuf,
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
        /// Random points per op.
        #[arg(long, default_value_t = 2)]
        samples: usize,
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
        /// Number of points.
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
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    Graph,
    Grad,
    Opt,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let deny = cli.deny_warnings;
    match cli.command {
        Command::Run { file } => with_compiled(&file, false, deny, |c, source| {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match graphc_runtime::exec::run(&c.plan, &mut out) {
                Ok(()) => ExitCode::SUCCESS,
                // Like other command-line tools, stop quietly when the reader of our output is gone.
                Err(e) if e.broken_pipe => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = out.flush();
                    report_run_error(&e, &file, source);
                    ExitCode::from(EXIT_RUNTIME)
                }
            }
        }),
        Command::Check { file } => with_compiled(&file, false, deny, |c, _| {
            let nodes = c.optimized.graph.node_count();
            eprintln!("{}: ok ({} backward call(s), {nodes} node(s) after optimization)", file.display(), c.autodiff.per_backward.len());
            ExitCode::SUCCESS
        }),
        Command::Ir { file, stage } => with_compiled(&file, true, deny, |c, source| {
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
        // With --deny-warnings the tools first refuse a file that warns, as `check` would.
        Command::Gradcheck { file, .. } | Command::Compare { file, .. } if deny && !warning_free(&file) => ExitCode::from(EXIT_COMPILE),
        Command::Gradcheck { file, shapes, range, seed, samples } => {
            use graphc_compiler::tools::gradcheck;
            let opts = gradcheck::Options { shapes, range, seed, samples };
            finish(gradcheck::run(&file, &opts, std::io::stderr().is_terminal()))
        }
        Command::Compare { file, ops, range, points, dtype, reference, plot } => {
            use graphc_compiler::tools::compare;
            let opts = compare::Options { ops, range, points, dtype, reference, plot };
            finish(compare::run(&file, &opts, std::io::stderr().is_terminal()))
        }
    }
}

/// Compiles `file` with warnings denied; false (after printing why) if it has errors or warnings.
fn warning_free(file: &Path) -> bool {
    with_compiled(file, false, true, |_, _| ExitCode::SUCCESS) == ExitCode::SUCCESS
}

/// Prints what a tool produced and exits with its code.
fn finish(outcome: graphc_compiler::tools::Outcome) -> ExitCode {
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    ExitCode::from(outcome.code)
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
/// Warnings go to stderr before `then` runs, or, with `deny`, count as errors.
fn with_compiled(file: &Path, keep_stages: bool, deny: bool, then: impl FnOnce(&Compiled, &str) -> ExitCode) -> ExitCode {
    let source = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", file.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let result = compile(&source, keep_stages).and_then(|c| {
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
                eprint!("{}", diag::render(&c.warnings, &file.display().to_string(), &source, color));
                eprintln!("warning: `{}` generated {n} warning{}", file.display(), if n == 1 { "" } else { "s" });
            }
            then(&c, &source)
        }
        Err(diags) => {
            let color = std::io::stderr().is_terminal();
            eprint!("{}", diag::render(&diags, &file.display().to_string(), &source, color));
            let n = diags.len();
            eprintln!("error: could not compile `{}` due to {n} previous error{}", file.display(), if n == 1 { "" } else { "s" });
            ExitCode::from(EXIT_COMPILE)
        }
    }
}
