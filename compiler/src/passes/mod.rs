//! The optimization pipeline: plain functions over the program, run in one
//! explicit order. Each pass reports what it changed, for `graphc ir --stage opt`.
//!
//! Every rewrite here is exact: the optimized program computes the same bits as
//! the unoptimized one, so optimization can never change what a program prints.
//! (A value recomputed in a backward is computed by the same ops in the same
//! order; only fusion's numerics, for values never printed, may differ.)

pub(crate) mod const_fold;
mod cse;
mod dce;
mod hoist;
pub mod remat;
pub mod report;
pub mod residuals;
mod simplify;

use crate::ir::program::Program;
use crate::span::Span;

/// One rewrite a pass made, at the source it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub span: Span,
    pub what: String,
}

/// What a pass found beyond its rewrites, typed by pass, for that pass's printer.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Detail {
    #[default]
    None,
    /// Every forward value the save-or-recompute pass weighed, kept or recomputed,
    /// with the facts it decided on, for the residual table ([`residuals`]).
    Remat(Vec<remat::Weighed>),
}

/// What one run of a pass returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub detail: Detail,
}

impl From<Vec<Change>> for Outcome {
    fn from(changes: Vec<Change>) -> Outcome {
        Outcome { changes, detail: Detail::None }
    }
}

/// What one pass did. The driver, which runs the pipeline, makes one per pass.
#[derive(Clone, Debug, PartialEq)]
pub struct PassReport {
    pub name: &'static str,
    pub nodes_before: usize,
    pub nodes_after: usize,
    pub changes: Vec<Change>,
    pub detail: Detail,
}

/// A pass: rewrites the program, returns its changes and what else it found.
pub type Pass = fn(&mut Program) -> Outcome;

/// The pipeline, in order; the driver runs it, timing and verifying each pass.
/// Loop bodies were optimized already (the driver runs the pipeline on them
/// first), so hoisting their invariant work comes first, and the other passes
/// then treat the hoisted ops as any of this program's. Simplification runs
/// before constant folding so that
/// folded seeds and unit factors disappear first, and dead-code elimination runs
/// to sweep up what the others made unreachable. Save-or-recompute weighs the
/// program as it will run, so it comes after that sweep; it adds nodes, so it
/// runs here rather than after the graph is compacted, and a last sweep drops
/// the forward values it made unread.
pub const PIPELINE: &[(&str, Pass)] = &[
    ("hoist", |p| hoist::run(p).into()),
    ("simplify", |p| simplify::run(p).into()),
    ("const-fold", |p| const_fold::run(p).into()),
    ("cse", |p| cse::run(p).into()),
    ("simplify", |p| simplify::run(p).into()),
    ("dce", |p| dce::run(p).into()),
    ("remat", remat::run),
    ("dce", |p| dce::run(p).into()),
];

/// The weighed values in the remat pass's report, if it ran.
pub fn weighed(reports: &[PassReport]) -> &[remat::Weighed] {
    reports
        .iter()
        .find_map(|r| match &r.detail {
            Detail::Remat(w) => Some(w.as_slice()),
            Detail::None => None,
        })
        .unwrap_or(&[])
}
