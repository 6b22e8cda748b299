//! `graphc ir --format dot`: the stages of a compilation as one Graphviz graph.
//!
//! Each stage is a cluster; inside it the forward graph, each backward graph and
//! each op's backward template are clusters, and loop and branch regions are
//! clusters nested in their program's. Edges go from an operand to its user; an
//! edge from a forward value into a backward graph is a saved value (what the
//! backward keeps alive) and is drawn bold red. At stage `opt` the nodes of each
//! fused kernel are a cluster of their own, in loop and branch bodies too. Node ids are the text dump's `%i`
//! numbers behind a prefix naming the stage and region, so the output is
//! deterministic and every id is unique.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use graphc_runtime::op::Op;

use super::print::IrStage;
use super::regions::BodyFusion;
use super::Compiled;
use crate::diag::LineIndex;
use crate::fuse::Fusion;
use crate::ir::graph::{NodeId, Region};
use crate::ir::print::op_text;
use crate::ir::program::{Effect, Program};

/// The colour of a saved-value edge (matplotlib's red).
const SAVED_COLOR: &str = "#d62728";

/// The stages in one `digraph`.
pub fn dot(c: &Compiled, stages: &[IrStage], source: &str) -> String {
    let lines = LineIndex::new(source);
    let mut out = String::from("digraph graphc {\n");
    out.push_str("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, newrank=true];\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [color=\"#555555\", arrowsize=0.6];\n");
    for stage in stages {
        let (prefix, title, prog, fusion) = match stage {
            IrStage::Graph => ("g", "stage graph: after lowering", c.lowered.as_ref(), None),
            IrStage::Grad => ("d", "stage grad: after autodiff", c.differentiated.as_ref(), None),
            IrStage::Opt => ("o", "stage opt: after optimization", Some(&c.optimized), Some(Fused { fusion: &c.fusion, regions: &c.region_fusions })),
        };
        let _ = writeln!(out, "  subgraph cluster_{prefix} {{");
        let _ = writeln!(out, "    label={};", quote(title));
        match prog {
            Some(p) => program(&mut out, p, fusion, &lines, prefix, 2),
            None => {
                let _ = writeln!(out, "    {prefix}_missing [label=\"not kept (compile with keep_stages)\"];");
            }
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// A label or name as a DOT string: in double quotes, with `"` and `\` escaped and
/// line breaks as DOT's `\n`.
fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c if c.is_control() => q.push(' '),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn pad(depth: usize) -> String {
    "  ".repeat(depth)
}

/// The cluster name and label of a region of `prog`'s graph.
fn region_cluster(prog: &Program, lines: &LineIndex, region: Region) -> (String, String, &'static str) {
    match region {
        Region::Forward => ("forward".to_string(), "forward".to_string(), "#eef4fb"),
        Region::Backward(k) => {
            let label = match prog.backwards.get(k as usize) {
                Some(b) => {
                    let (l, c) = lines.line_col(b.span.start);
                    format!("backward {k} ({l}:{c}: {})", lines.snippet(b.span, 48))
                }
                None => format!("backward {k}"),
            };
            (format!("backward_{k}"), label, "#fdf0e6")
        }
        Region::Template(k) => {
            let label = match prog.custom_calls.get(k as usize) {
                Some(cc) => {
                    let (l, c) = lines.line_col(cc.span.start);
                    format!("template: backward block of {} for the call at {l}:{c}", cc.op_name)
                }
                None => format!("template {k}"),
            };
            (format!("template_{k}"), label, "#f3eefa")
        }
    }
}

/// One node's label: `%i op`, then `dtype[shape]`, then the name or rule that made it.
fn node_label(prog: &Program, n: NodeId, i: usize) -> String {
    let (node, meta) = (prog.graph.node(n), prog.graph.meta(n));
    let shape = node.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
    let mut label = format!("%{i} {}\n{}[{shape}]", op_text(&node.op), node.dtype);
    if let Some(note) = &meta.note {
        label.push('\n');
        label.push_str(note);
    }
    label
}

/// A program's fused kernels and those of its loop and branch bodies (stage opt).
#[derive(Clone, Copy)]
struct Fused<'a> {
    fusion: &'a Fusion,
    regions: &'a [BodyFusion],
}

/// Appends `prog` (its region clusters, kernels, edges, effects and nested loop
/// regions) with ids behind `prefix`, indented `depth` levels.
fn program(out: &mut String, prog: &Program, fused: Option<Fused>, lines: &LineIndex, prefix: &str, depth: usize) {
    let fusion = fused.map(|f| f.fusion);
    let g = &prog.graph;
    let order = g.topo_order();
    let num: HashMap<NodeId, usize> = order.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let id = |n: &NodeId| format!("{prefix}_n{}", num.get(n).copied().unwrap_or(usize::MAX));
    // Nodes by region (in the dump's order of first appearance), and at stage opt
    // each region's fused kernels: a kernel goes with its first member's region.
    let mut regions: Vec<Region> = Vec::new();
    let mut loose: BTreeMap<usize, Vec<NodeId>> = BTreeMap::new();
    let mut kernels: BTreeMap<usize, BTreeMap<usize, Vec<NodeId>>> = BTreeMap::new();
    let mut kernel_home: HashMap<usize, usize> = HashMap::new();
    for n in &order {
        let r = g.meta(*n).region;
        let ri = regions.iter().position(|x| *x == r).unwrap_or_else(|| {
            regions.push(r);
            regions.len() - 1
        });
        match fusion.and_then(|f| f.kernel_of.get(n).copied()) {
            Some(k) => {
                // The first member's region may come later in the dump's order
                // than this node's; the kernel then goes with the region of its
                // member met first, decided once so that it is one cluster.
                let first = fusion.map(|f| f.kernels[k].members.first().copied().unwrap_or(*n)).unwrap_or(*n);
                let home = *kernel_home.entry(k).or_insert_with(|| regions.iter().position(|x| *x == g.meta(first).region).unwrap_or(ri));
                kernels.entry(home).or_default().entry(k).or_default().push(*n);
            }
            None => loose.entry(ri).or_default().push(*n),
        }
    }
    let p = pad(depth);
    for (ri, r) in regions.iter().enumerate() {
        let (name, label, fill) = region_cluster(prog, lines, *r);
        let _ = writeln!(out, "{p}subgraph cluster_{prefix}_{name} {{");
        let _ = writeln!(out, "{p}  label={}; style=filled; fillcolor=\"{fill}\"; color=\"#999999\";", quote(&label));
        for n in loose.get(&ri).into_iter().flatten() {
            let _ = writeln!(out, "{p}  {} [label={}];", id(n), quote(&node_label(prog, *n, num[n])));
        }
        for (k, members) in kernels.get(&ri).into_iter().flatten() {
            let kernel = &fusion.expect("kernels exist only with a fusion").kernels[*k];
            let shape = kernel.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
            let _ = writeln!(out, "{p}  subgraph cluster_{prefix}_kernel_{k} {{");
            let _ = writeln!(
                out,
                "{p}    label={}; style=\"filled,dashed\"; fillcolor=\"#fff7d6\"; color=\"#b8860b\";",
                quote(&format!("kernel {k}: {}[{shape}]", kernel.dtype))
            );
            for n in members {
                let _ = writeln!(out, "{p}    {} [label={}];", id(n), quote(&node_label(prog, *n, num[n])));
            }
            let _ = writeln!(out, "{p}  }}");
        }
        let _ = writeln!(out, "{p}}}");
    }
    for n in &order {
        let user_region = g.meta(*n).region;
        for o in g.operands(*n) {
            let saved = matches!(user_region, Region::Backward(_)) && g.meta(o).region == Region::Forward && !matches!(g.node(o).op, Op::Full(_));
            let style = if saved { format!(" [color=\"{SAVED_COLOR}\", penwidth=2.5, tooltip=\"saved for backward\"]") } else { String::new() };
            let _ = writeln!(out, "{p}{} -> {}{style};", id(&o), id(n));
        }
    }
    effects(out, prog, &id, prefix, depth);
    for (k, r) in prog.regions.iter().enumerate() {
        let (l, c) = lines.line_col(r.span.start);
        let inner = format!("{prefix}_r{k}");
        let _ = writeln!(out, "{p}subgraph cluster_{inner} {{");
        let label = format!("region {k}: loop at {l}:{c}, {} iterations from {} by {}", r.trip, r.start, r.step);
        let _ = writeln!(out, "{p}  label={}; style=\"filled\"; fillcolor=\"#eefaf0\"; color=\"#2ca02c\";", quote(&label));
        let _ = writeln!(out, "{p}  {inner}_entry [label={}, shape=cds, fillcolor=\"#d5f0da\"];", quote(&format!("region {k}")));
        // A body's kernels are clusters inside its region, as the program's are inside it.
        let body = fused.and_then(|f| f.regions.get(k)).map(|b| Fused { fusion: &b.fusion, regions: &b.regions });
        program(out, &r.body, body, lines, &inner, depth + 1);
        let _ = writeln!(out, "{p}}}");
    }
}

/// The program's effects, in order, as notes with dotted edges from what each reads;
/// a loop or branch effect also points at its region's cluster entry.
fn effects(out: &mut String, prog: &Program, id: &dyn Fn(&NodeId) -> String, prefix: &str, depth: usize) {
    let p = pad(depth);
    for (i, e) in prog.effects.iter().enumerate() {
        let what = match e {
            Effect::Seed(s) => format!("manual_seed({s})"),
            Effect::Sample(_) => "sample".to_string(),
            Effect::Print(_) => "print".to_string(),
            Effect::Write(_) => "write".to_string(),
            Effect::Assert { .. } => "assert".to_string(),
            Effect::Figure(_) => "figure".to_string(),
            Effect::Save { path, .. } => format!("save {path}"),
            Effect::Loop { region, .. } => format!("loop {region}"),
            Effect::Branch { then, otherwise, .. } => format!("branch: then {then} else {otherwise}"),
        };
        let eid = format!("{prefix}_e{i}");
        let _ = writeln!(out, "{p}{eid} [label={}, shape=note, fillcolor=\"#f2f2f2\"];", quote(&format!("effect {i}: {what}")));
        let reads: Vec<NodeId> = match e {
            Effect::Loop { inputs, .. } | Effect::Branch { inputs, .. } => inputs.clone(),
            other => other.nodes(),
        };
        for n in reads.iter().filter(|n| prog.graph.contains(**n)) {
            let _ = writeln!(out, "{p}{} -> {eid} [style=dotted];", id(n));
        }
        let regions: Vec<u32> = match e {
            Effect::Loop { region, .. } => vec![*region],
            Effect::Branch { then, otherwise, .. } => vec![*then, *otherwise],
            _ => vec![],
        };
        for r in regions.into_iter().filter(|r| (*r as usize) < prog.regions.len()) {
            let _ = writeln!(out, "{p}{eid} -> {prefix}_r{r}_entry [style=dashed];");
        }
    }
}
