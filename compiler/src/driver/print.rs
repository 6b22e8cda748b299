//! `graphc ir`: one stage of a compilation as text. The IR printer
//! (`ir/print.rs`) prints the programs; each later stage's own printer adds what
//! that stage decided (the passes' reports and residual table, fusion's kernels).

use crate::diag::LineIndex;
use crate::fuse;
use crate::ir::graph::NodeId;
use crate::ir::print::program;
use crate::ir::program::Program;
use crate::passes::{self, report, residuals};

use super::regions::BodyFusion;
use super::Compiled;

/// Which stage to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrStage {
    /// After lowering: the forward graph, backward templates and gradient placeholders.
    Graph,
    /// After autodiff: every backward graph derived.
    Grad,
    /// After the optimization passes, with what each pass changed.
    Opt,
}

/// Prints one stage of a compilation. The graph and grad stages need a compilation
/// with `keep_stages`; without it they print a line saying so.
pub fn print_stage(c: &Compiled, stage: IrStage, source: &str) -> String {
    let lines = LineIndex::new(source);
    match stage {
        IrStage::Graph => match &c.lowered {
            Some(prog) => format!("== stage graph: after lowering ==\n{}", program(prog, &lines, Some(prog))),
            None => "== stage graph: not kept (compile with keep_stages) ==\n".to_string(),
        },
        IrStage::Grad => match &c.differentiated {
            Some(prog) => format!("== stage grad: after autodiff ==\n{}", program(prog, &lines, c.lowered.as_ref())),
            None => "== stage grad: not kept (compile with keep_stages) ==\n".to_string(),
        },
        IrStage::Opt => {
            let mut out = String::from("== stage opt: after optimization ==\n");
            out.push_str(&report::print(&c.passes, &lines));
            out.push('\n');
            out.push_str(&program(&c.optimized, &lines, None));
            out.push_str(&fuse::print::kernels(&c.optimized, &c.fusion));
            region_kernels(&c.optimized, &c.region_fusions, "", &mut out);
            let stores = |k: usize, n: NodeId| c.fusion.kernels[k].outputs.contains(&n);
            let partition = residuals::Partition { kernel_of: &c.fusion.kernel_of, phase: &c.fusion.phase, stores: &stores };
            out.push_str(&residuals::print(&c.optimized, passes::weighed(&c.passes), &partition));
            out
        }
    }
}

/// The fused kernels of each loop body, after the program's own, headed by the
/// region's place: `region 1` for the program's region 1, `region 1.0` for
/// region 0 of that region's body.
fn region_kernels(prog: &Program, fusions: &[BodyFusion], prefix: &str, out: &mut String) {
    for (k, (r, f)) in prog.regions.iter().zip(fusions).enumerate() {
        let place = format!("{prefix}{k}");
        out.push_str(&fuse::print::kernels_of(&r.body, &f.fusion, &format!("fused kernels of region {place}")));
        region_kernels(&r.body, &f.regions, &format!("{place}."), out);
    }
}
