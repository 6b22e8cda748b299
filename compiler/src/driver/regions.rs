//! The pipeline on loop bodies: every stage that runs on a program runs on the
//! body of each of its loop regions first (recursively, for nested loops), so
//! that a body is differentiated, optimized, fused and scheduled as any program
//! is. The body's plan is stored in its region, where the scheduler of the
//! program around it reads it.

use crate::diag::Diagnostic;
use crate::fuse::{self, Numerics};
use crate::ir::program::Program;
use crate::ir::verify::Stage;
use crate::{analysis, autodiff, schedule};

/// Derives the backward graphs of every loop body. The program around a body
/// is differentiated first: a backward through a run-time `if` copies the
/// branch's sides as they were lowered (`autodiff::branches`), adding regions
/// that are then differentiated here with the rest.
pub fn differentiate(prog: &mut Program) -> Result<(), Vec<Diagnostic>> {
    for r in &mut prog.regions {
        autodiff::differentiate(&mut r.body)?;
        differentiate(&mut r.body)?;
        super::debug_verify(&r.body, Stage::Differentiated, "autodiff of a loop body");
    }
    Ok(())
}

/// The range analysis' warnings for every loop body, in program order.
pub fn warnings(prog: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in &prog.regions {
        out.extend(warnings(&r.body));
        out.extend(analysis::stability::warnings(&r.body, &r.body.input_ranges));
    }
    out
}

/// Runs the pass pipeline on every loop body.
pub fn optimize(prog: &mut Program) {
    for r in &mut prog.regions {
        optimize(&mut r.body);
        let mut timer = super::StageTimer { last: None };
        super::optimize(&mut r.body, &mut timer);
        r.body.forget_removed_inputs();
    }
}

/// The fused kernels of one loop body, and of the loop bodies inside it, in
/// the order of [`Program::regions`]: what `graphc ir --stage opt` lists.
#[derive(Debug)]
pub struct BodyFusion {
    pub fusion: fuse::Fusion,
    pub regions: Vec<BodyFusion>,
}

/// Fuses and schedules every loop body into its region's plan. A body's values
/// flow into later iterations and out of the loop, where any of them may be
/// printed, so a body uses PyTorch's scalar libm throughout (`Numerics::Exact`)
/// unless exactness was given up for the whole program. Returns each body's
/// fusion, for the IR printer.
pub fn plan(prog: &mut Program, numerics: Numerics) -> Vec<BodyFusion> {
    let numerics = match numerics {
        Numerics::PrintedExact | Numerics::Exact => Numerics::Exact,
    };
    let mut fusions = Vec::with_capacity(prog.regions.len());
    for r in &mut prog.regions {
        let regions = plan(&mut r.body, numerics);
        let fusion = fuse::fuse(&r.body, numerics);
        fuse::verify::debug_verify(&r.body, &fusion);
        let body_plan = schedule::schedule(&r.body, &fusion);
        schedule::debug_verify(&body_plan);
        r.plan = Some(body_plan);
        fusions.push(BodyFusion { fusion, regions });
    }
    fusions
}

/// Verifies every loop body at `stage` in debug builds.
pub fn debug_verify(prog: &Program, stage: Stage, after: &str) {
    for r in &prog.regions {
        debug_verify(&r.body, stage, after);
        super::debug_verify(&r.body, stage, after);
    }
}
