//! The pipeline, end to end: text to plan, keeping each stage for `graphc ir`.
//! The driver owns what every stage shares: it times each stage and pass
//! (`GRAPHC_TIME_STAGES`), runs the IR verifier after each in debug builds, and
//! assembles the stages' printers for `graphc ir` ([`print`]).

pub mod budget;
pub mod dot;
pub mod print;
pub mod regions;

use graphc_runtime::plan::Plan;

use crate::autodiff::{self, AutodiffStats};
use crate::diag::Diagnostic;
use crate::fuse::{self, Fusion, Numerics};
use crate::ir::program::Program;
use crate::passes::{self, PassReport};
use crate::{analysis, lower, schedule, syntax};

pub use budget::Budget;

/// Every stage of one compilation.
pub struct Compiled {
    /// The graph as lowering built it (kept only when asked for).
    pub lowered: Option<Program>,
    /// After autodiff (kept only when asked for).
    pub differentiated: Option<Program>,
    pub autodiff: AutodiffStats,
    pub optimized: Program,
    pub passes: Vec<PassReport>,
    /// The optimized graph's partition into fused kernels, which the plan runs.
    pub fusion: Fusion,
    /// The same for each loop body, in the order of `optimized.regions`.
    pub region_fusions: Vec<regions::BodyFusion>,
    pub plan: Plan,
    /// Warnings (W01xx), in program order of the ops they point at. They never stop
    /// compilation; the command line prints them, or makes them errors with `--deny-warnings`.
    pub warnings: Vec<Diagnostic>,
    /// Every name `compile_with` could have exported (`name` and `name.grad`), sorted,
    /// for error messages about an unknown name.
    pub exportable: Vec<String>,
}

/// Compiles `source`. With `keep_stages`, the lowered and differentiated
/// programs are kept for printing; otherwise only the final ones.
pub fn compile(source: &str, keep_stages: bool) -> Result<Compiled, Vec<Diagnostic>> {
    compile_with(source, keep_stages, Exports::Names(&[]))
}

/// Which top-level tensors a compilation keeps alive to the end of the run.
#[derive(Clone, Copy, Debug)]
pub enum Exports<'a> {
    /// These names (`name` or `name.grad`), for `graphc run --save`.
    Names(&'a [String]),
    /// Every top-level tensor and leaf gradient, for `graphc bench`: a program that
    /// prints nothing would otherwise be optimized away entirely.
    All,
}

/// Compiles `source`, keeping the top-level tensors chosen by `exports` alive to
/// the end of the run; `plan.exports` says where each is.
/// Names the program does not bind are left out of the plan: the caller checks
/// against `Compiled::exportable`.
pub fn compile_with(source: &str, keep_stages: bool, exports: Exports) -> Result<Compiled, Vec<Diagnostic>> {
    compile_opts(source, &Options { keep_stages, exports, numerics: Numerics::default(), source_dir: None })
}

/// Everything a compilation can be asked for.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Keep the lowered and differentiated programs for printing.
    pub keep_stages: bool,
    pub exports: Exports<'a>,
    /// Whether values that are never printed may use fast vector math.
    pub numerics: Numerics,
    /// The directory of the `.act` file: `load` and `save` paths are relative to it
    /// (`None`: to the working directory).
    pub source_dir: Option<&'a std::path::Path>,
}

/// Compiles `source` as `options` say, within the default [`Budget`] (three
/// quarters of the machine's memory).
pub fn compile_opts(source: &str, options: &Options) -> Result<Compiled, Vec<Diagnostic>> {
    compile_within(source, options, Budget::default())
}

/// Compiles `source` as `options` say, refusing a program that needs more than
/// `budget`: a tensor too large (lowering, E0501/E0502), a graph too large (E0503),
/// or more bytes alive at once than the budget when the plan runs (E0502).
pub fn compile_within(source: &str, options: &Options, budget: Budget) -> Result<Compiled, Vec<Diagnostic>> {
    let (keep_stages, exports) = (options.keep_stages, options.exports);
    let mut timer = StageTimer::from_env();
    let file = syntax::parser::parse(source)?;
    timer.lap("parse");
    let mut prog = lower::lower_in(&file, budget, options.source_dir)?;
    timer.lap("lower");
    let mut exportable: Vec<String> = prog.exports.keys().cloned().collect();
    exportable.sort();
    if let Exports::Names(names) = exports {
        prog.exports.retain(|name, _| names.contains(name));
    }
    drop(file);
    timer.lap("drop ast");
    debug_verify(&prog, crate::ir::verify::Stage::Lowered, "lowering");
    regions::debug_verify(&prog, crate::ir::verify::Stage::Lowered, "lowering");
    let lowered = keep_stages.then(|| prog.clone());
    let stats = autodiff::differentiate(&mut prog)?;
    regions::differentiate(&mut prog)?;
    timer.lap("autodiff");
    debug_verify(&prog, crate::ir::verify::Stage::Differentiated, "autodiff");
    let differentiated = keep_stages.then(|| prog.clone());
    // The range analysis runs after autodiff, so that backward graphs are covered,
    // and before the passes, so that every node still points at the source it came
    // from. Declared `input ... in [LO, HI]` ranges replace the unbounded default.
    let mut warnings = regions::warnings(&prog);
    warnings.extend(analysis::stability::warnings(&prog, &prog.input_ranges));
    // A loop's first iteration is compiled apart from the rest (peeling), so the
    // same source can be analysed more than once: report each place once.
    let mut seen = std::collections::HashSet::new();
    warnings.retain(|w| seen.insert((w.code, w.primary.span)));
    timer.lap("range analysis");
    regions::optimize(&mut prog);
    let reports = optimize(&mut prog, &mut timer);
    prog.forget_removed_inputs();
    let region_fusions = regions::plan(&mut prog, options.numerics);
    let fusion = fuse::fuse(&prog, options.numerics);
    timer.lap("fuse");
    fuse::verify::debug_verify(&prog, &fusion);
    let (plan, value_nodes) = schedule::schedule_traced(&prog, &fusion);
    timer.lap("schedule");
    schedule::debug_verify(&plan);
    budget::check_peak(&plan, &value_nodes, &prog, budget).map_err(|d| vec![d])?;
    Ok(Compiled { lowered, differentiated, autodiff: stats, optimized: prog, passes: reports, fusion, region_fusions, plan, warnings, exportable })
}

/// Runs the pass pipeline ([`passes::PIPELINE`]), timing each pass and, in debug
/// builds (and so in tests), verifying the IR after each.
fn optimize(prog: &mut Program, timer: &mut StageTimer) -> Vec<PassReport> {
    let mut reports = Vec::new();
    for (name, pass) in passes::PIPELINE {
        let nodes_before = prog.graph.node_count();
        let passes::Outcome { changes, detail } = pass(prog);
        timer.lap(name);
        debug_verify(prog, crate::ir::verify::Stage::Differentiated, &format!("pass `{name}`"));
        reports.push(PassReport { name, nodes_before, nodes_after: prog.graph.node_count(), changes, detail });
    }
    // Removed nodes were only marked; free them in one linear rebuild.
    prog.graph.compact();
    timer.lap("compact");
    reports
}

/// In debug builds (and so in every test) a broken invariant stops compilation loudly.
fn debug_verify(prog: &Program, stage: crate::ir::verify::Stage, after: &str) {
    if cfg!(debug_assertions) {
        if let Err(errs) = crate::ir::verify::verify(prog, stage) {
            panic!("{after} broke the IR:\n{}", errs.join("\n"));
        }
    }
}

/// Prints how long each stage took to stderr when `GRAPHC_TIME_STAGES` is set, so
/// that compile-time regressions can be located without a profiler.
struct StageTimer {
    last: Option<std::time::Instant>,
}

impl StageTimer {
    fn from_env() -> StageTimer {
        StageTimer { last: std::env::var_os("GRAPHC_TIME_STAGES").map(|_| std::time::Instant::now()) }
    }

    fn lap(&mut self, stage: &str) {
        if let Some(last) = self.last {
            let now = std::time::Instant::now();
            eprintln!("graphc: {stage}: {:.1} ms", (now - last).as_secs_f64() * 1e3);
            self.last = Some(now);
        }
    }
}
