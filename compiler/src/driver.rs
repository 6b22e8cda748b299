//! The pipeline, end to end: text to plan, keeping each stage for `graphc ir`.

use std::collections::HashMap;

use graphc_runtime::plan::Plan;

use crate::autodiff::{self, AutodiffStats};
use crate::diag::Diagnostic;
use crate::ir::program::Program;
use crate::passes::{self, PassReport};
use crate::{analysis, lower, schedule, syntax};

/// Every stage of one compilation.
pub struct Compiled {
    /// The graph as lowering built it (kept only when asked for).
    pub lowered: Option<Program>,
    /// After autodiff (kept only when asked for).
    pub differentiated: Option<Program>,
    pub autodiff: AutodiffStats,
    pub optimized: Program,
    pub passes: Vec<PassReport>,
    pub plan: Plan,
    /// Warnings (W01xx), in program order of the ops they point at. They never stop
    /// compilation; the command line prints them, or makes them errors with `--deny-warnings`.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles `source`. With `keep_stages`, the lowered and differentiated
/// programs are kept for printing; otherwise only the final ones.
pub fn compile(source: &str, keep_stages: bool) -> Result<Compiled, Vec<Diagnostic>> {
    let file = syntax::parser::parse(source)?;
    let mut prog = lower::lower(&file)?;
    debug_verify(&prog, crate::ir::verify::Stage::Lowered, "lowering");
    let lowered = keep_stages.then(|| prog.clone());
    let stats = autodiff::differentiate(&mut prog)?;
    debug_verify(&prog, crate::ir::verify::Stage::Differentiated, "autodiff");
    let differentiated = keep_stages.then(|| prog.clone());
    // The range analysis runs after autodiff, so that backward graphs are covered,
    // and before the passes, so that every node still points at the source it came
    // from. No node has a declared interval yet: declared `input` ranges go here.
    let warnings = analysis::stability::warnings(&prog, &HashMap::new());
    let reports = passes::optimize(&mut prog);
    let plan = schedule::schedule(&prog);
    Ok(Compiled { lowered, differentiated, autodiff: stats, optimized: prog, passes: reports, plan, warnings })
}

/// In debug builds (and so in every test) a broken invariant stops compilation loudly.
fn debug_verify(prog: &Program, stage: crate::ir::verify::Stage, after: &str) {
    if cfg!(debug_assertions) {
        if let Err(errs) = crate::ir::verify::verify(prog, stage) {
            panic!("{after} broke the IR:\n{}", errs.join("\n"));
        }
    }
}
