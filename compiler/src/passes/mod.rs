//! The optimization pipeline: plain functions over the program, run in one
//! explicit order. Each pass reports what it changed, for `graphc ir --stage opt`.
//!
//! Every rewrite here is exact: the optimized program computes the same bits as
//! the unoptimized one, so optimization can never change what a program prints.
//! (A value recomputed in a backward is computed by the same ops in the same
//! order; only fusion's numerics, for values never printed, may differ.)

mod const_fold;
mod cse;
mod dce;
pub mod remat;
mod simplify;

use crate::ir::program::Program;
use crate::syntax::ast::Span;

/// One rewrite a pass made, at the source it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub span: Span,
    pub what: String,
}

/// What one pass did.
#[derive(Clone, Debug, PartialEq)]
pub struct PassReport {
    pub name: &'static str,
    pub nodes_before: usize,
    pub nodes_after: usize,
    pub changes: Vec<Change>,
}

/// A pass: rewrites the program, returns its changes.
pub type Pass = fn(&mut Program) -> Vec<Change>;

/// The pipeline, in order. Simplification runs before constant folding so that
/// folded seeds and unit factors disappear first, and dead-code elimination runs
/// to sweep up what the others made unreachable. Save-or-recompute weighs the
/// program as it will run, so it comes after that sweep; it adds nodes, so it
/// runs here rather than after the graph is compacted, and a last sweep drops
/// the forward values it made unread.
pub const PIPELINE: &[(&str, Pass)] = &[
    ("simplify", simplify::run),
    ("const-fold", const_fold::run),
    ("cse", cse::run),
    ("simplify", simplify::run),
    ("dce", dce::run),
    ("remat", remat::run),
    ("dce", dce::run),
];

/// The pass that [`PIPELINE`] calls `name`, for running one pass alone (the filetests do).
pub fn by_name(name: &str) -> Option<Pass> {
    PIPELINE.iter().find(|(n, _)| *n == name).map(|(_, pass)| *pass)
}

/// Runs the pipeline. In debug builds (and so in tests) the verifier runs after every pass.
pub fn optimize(prog: &mut Program) -> Vec<PassReport> {
    let mut reports = Vec::new();
    let mut timer = crate::driver::StageTimer::from_env();
    for (name, pass) in PIPELINE {
        let nodes_before = prog.graph.node_count();
        let changes = pass(prog);
        timer.lap(name);
        if cfg!(debug_assertions) {
            if let Err(errs) = crate::ir::verify::verify(prog, crate::ir::verify::Stage::Differentiated) {
                panic!("pass `{name}` broke the IR:\n{}", errs.join("\n"));
            }
        }
        reports.push(PassReport { name, nodes_before, nodes_after: prog.graph.node_count(), changes });
    }
    // Removed nodes were only marked; free them in one linear rebuild.
    prog.graph.compact();
    reports
}
