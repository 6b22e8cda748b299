//! The optimization pipeline: plain functions over the program, run in one
//! explicit order. Each pass reports what it changed, for `graphc ir --stage opt`.
//!
//! Every rewrite here is exact: the optimized program computes the same bits as
//! the unoptimized one, so optimization can never change what a program prints.

mod const_fold;
mod cse;
mod dce;
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
/// last to sweep up what the others made unreachable.
pub const PIPELINE: &[(&str, Pass)] = &[
    ("simplify", simplify::run),
    ("const-fold", const_fold::run),
    ("cse", cse::run),
    ("simplify", simplify::run),
    ("dce", dce::run),
];

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
