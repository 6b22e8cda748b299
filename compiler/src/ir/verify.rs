//! The IR verifier: structural invariants that every stage must keep. Tests
//! run it after lowering, after autodiff and after every pass.

use graphc_runtime::Op;

use super::graph::Region;
use super::program::Program;
use crate::check::shapes;

/// Which invariants apply: templates and placeholders exist only before autodiff.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stage {
    Lowered,
    Differentiated,
}

/// Checks the program; returns every broken invariant.
pub fn verify(prog: &Program, stage: Stage) -> Result<(), Vec<String>> {
    let g = &prog.graph;
    let mut errs = Vec::new();
    for n in g.ids() {
        let node = g.node(n);
        let edges = g.operand_edges(n);
        if edges.len() != node.op.arity() {
            errs.push(format!("node {} ({}) has {} operands, expected {}", n.index(), node.op.name(), edges.len(), node.op.arity()));
            continue;
        }
        for (i, (w, _)) in edges.iter().enumerate() {
            if *w as usize != i {
                errs.push(format!(
                    "node {} has operand indices {:?}, expected 0..{}",
                    n.index(),
                    edges.iter().map(|e| e.0).collect::<Vec<_>>(),
                    edges.len()
                ));
                break;
            }
        }
        for (_, a) in &edges {
            // `where` and the conversions take operands of other dtypes than their
            // result, and nll_loss's sum a bool mask of the samples it skips.
            let mixed = matches!(node.op, Op::Where(_) | Op::Reduce { kind: graphc_runtime::op::ReduceKind::NllSumSkipping, .. })
                || node.op.class() == graphc_runtime::op::OpClass::Conversion;
            if g.node(*a).dtype != node.dtype && !mixed {
                errs.push(format!("node {} ({}) is {} but operand {} is {}", n.index(), node.op.name(), node.dtype, a.index(), g.node(*a).dtype));
            }
        }
        if node.op.is_elementwise() {
            let mut sh: Vec<usize> = Vec::new();
            for (_, a) in &edges {
                match shapes::broadcast(&sh, &g.node(*a).shape) {
                    Ok(s) => sh = s,
                    Err(e) => errs.push(format!("node {} ({}): {e}", n.index(), node.op.name())),
                }
            }
            if !edges.is_empty() && sh != node.shape {
                errs.push(format!("node {} ({}) has shape {:?} but its operands broadcast to {:?}", n.index(), node.op.name(), node.shape, sh));
            }
        }
        if stage == Stage::Differentiated {
            if matches!(node.op, Op::Param(_)) {
                errs.push(format!("node {} is a param after autodiff", n.index()));
            }
            if matches!(g.meta(n).region, Region::Template(_)) {
                errs.push(format!("node {} is in a template region after autodiff", n.index()));
            }
        }
    }
    if g.topo_order().len() != g.node_count() {
        errs.push("the graph has a cycle".to_string());
    }
    for e in &prog.effects {
        for n in e.nodes() {
            if !g.contains(n) {
                errs.push(format!("an effect reads node {}, which is not in the graph", n.index()));
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}
