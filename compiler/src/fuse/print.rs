//! Fusion's printer: the fused kernels of `graphc ir --stage opt`, one
//! instruction a line, as the plan runs them.

use std::fmt::Write;

use graphc_runtime::op::{Op, Unary};

use super::Fusion;
use crate::ir::graph::NodeId;
use crate::ir::print::{numbering, op_text};
use crate::ir::program::Program;

/// The fused kernels, one instruction a line, as the plan runs them.
pub fn kernels(prog: &Program, fusion: &Fusion) -> String {
    kernels_of(prog, fusion, "fused kernels")
}

/// [`kernels`] under a heading of `title` (a loop body's kernels name the region).
pub fn kernels_of(prog: &Program, fusion: &Fusion, title: &str) -> String {
    let g = &prog.graph;
    let num = numbering(prog);
    let name = |n: &NodeId| num.get(n).map(|i| format!("%{i}")).unwrap_or_else(|| "%?".to_string());
    let mut out = String::new();
    if fusion.kernels.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\n{title} (each reads its inputs once and writes only its outputs):");
    for (k, kernel) in fusion.kernels.iter().enumerate() {
        let shape = kernel.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
        let labelled = |ns: &[NodeId]| -> String {
            if ns.is_empty() {
                return "nothing".to_string();
            }
            ns.iter()
                .map(|n| {
                    // An exported value is called by the name `--save` takes.
                    let mut exported: Vec<&String> = prog.exports.iter().filter(|(_, e)| *e == n).map(|(name, _)| name).collect();
                    exported.sort();
                    match (exported.first(), &g.meta(*n).note) {
                        (Some(e), _) => format!("{} ({e})", name(n)),
                        (None, Some(note)) => format!("{} ({note})", name(n)),
                        (None, None) => name(n),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut reads: Vec<NodeId> = kernel.inputs.clone();
        reads.extend(&kernel.scalars);
        let _ = writeln!(
            out,
            "  kernel {k}: {}[{shape}], {} op{}; reads {}; writes {}",
            kernel.dtype,
            kernel.members.len(),
            if kernel.members.len() == 1 { "" } else { "s" },
            labelled(&reads),
            labelled(&kernel.outputs)
        );
        for (i, &m) in kernel.members.iter().enumerate() {
            let operands: Vec<String> = kernel
                .operands(g, m)
                .iter()
                .map(|o| match g.node(*o).op {
                    Op::Full(v) => format!("{v}"),
                    _ => name(o),
                })
                .collect();
            let (op, operands) = if kernel.reciprocal.contains_key(&m) {
                ("div".to_string(), format!("1.0, {}", operands.join(", ")))
            } else {
                (op_text(&g.node(m).op), operands.join(", "))
            };
            let mut notes = Vec::new();
            if kernel.reciprocal.contains_key(&m) {
                notes.push("exp(-x) as 1/exp(x)".to_string());
            }
            if g.node(m).op == Op::Unary(Unary::Exp) && !kernel.reciprocal.contains_key(&m) {
                notes.push(if kernel.fast[i] { "vector exp".to_string() } else { "libm exp: printed".to_string() });
            }
            if kernel.outputs.contains(&m) {
                notes.push("stored".to_string());
            }
            let notes = if notes.is_empty() { String::new() } else { format!("  # {}", notes.join(", ")) };
            let _ = writeln!(out, "    {} = {op} {operands}{notes}", name(&m));
        }
    }
    out
}
