//! The IR as text, for people and for snapshot tests.
//!
//! Nodes are renumbered `%0, %1, ...` in a deterministic topological order, so
//! removed nodes leave no holes and the same program always prints the same
//! text. One node a line: `%id = op operands : dtype[shape]`, then a comment
//! with the name it is bound to (or the rule that made it) and its source
//! position. Lines are grouped under headers that say which part of the
//! program they belong to (forward, the k-th backward, an op's backward
//! template). After the graph come the backward calls with the saved values
//! each reads, and the program's effects in order.

use std::collections::HashMap;
use std::fmt::Write;

use graphc_runtime::op::{Cmp, Op};

use super::graph::{NodeId, Region};
use super::program::{Effect, FigureEffect, PrintArg, Program};
use crate::diag::LineIndex;
use crate::driver::Compiled;
use crate::fuse::Fusion;
use crate::passes::remat::{self, Weighed};

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

/// Prints one stage of a compilation (compiled with `keep_stages`).
pub fn print_stage(c: &Compiled, stage: IrStage, source: &str) -> String {
    let lines = LineIndex::new(source);
    match stage {
        IrStage::Graph => {
            let prog = c.lowered.as_ref().expect("compiled with keep_stages");
            format!("== stage graph: after lowering ==\n{}", program(prog, &lines, Some(prog)))
        }
        IrStage::Grad => {
            let prog = c.differentiated.as_ref().expect("compiled with keep_stages");
            format!("== stage grad: after autodiff ==\n{}", program(prog, &lines, c.lowered.as_ref()))
        }
        IrStage::Opt => {
            let mut out = String::from("== stage opt: after optimization ==\n");
            for r in &c.passes {
                let _ = writeln!(
                    out,
                    "pass {}: {} change{}, {} -> {} nodes",
                    r.name,
                    r.changes.len(),
                    if r.changes.len() == 1 { "" } else { "s" },
                    r.nodes_before,
                    r.nodes_after
                );
                // Identical rewrites on one line are counted, not repeated.
                let mut grouped: Vec<(String, usize)> = Vec::new();
                for ch in &r.changes {
                    let (l, col) = lines.line_col(ch.span.start);
                    let text = format!("{}:{}: {}", l, col, ch.what);
                    match grouped.iter_mut().find(|(t, _)| *t == text) {
                        Some((_, n)) => *n += 1,
                        None => grouped.push((text, 1)),
                    }
                }
                for (text, n) in grouped {
                    if n == 1 {
                        let _ = writeln!(out, "  {text}");
                    } else {
                        let _ = writeln!(out, "  {text} (x{n})");
                    }
                }
            }
            out.push('\n');
            out.push_str(&program(&c.optimized, &lines, None));
            out.push_str(&kernels(&c.optimized, &c.fusion));
            out.push_str(&residuals(&c.optimized, &c.fusion));
            out
        }
    }
}

/// The dump's names: `%i` by position in the deterministic topological order.
fn numbering(prog: &Program) -> HashMap<NodeId, usize> {
    prog.graph.topo_order().iter().enumerate().map(|(i, n)| (*n, i)).collect()
}

/// The fused kernels, one instruction a line, as the plan runs them.
pub fn kernels(prog: &Program, fusion: &Fusion) -> String {
    let g = &prog.graph;
    let num = numbering(prog);
    let name = |n: &NodeId| num.get(n).map(|i| format!("%{i}")).unwrap_or_else(|| "%?".to_string());
    let mut out = String::new();
    if fusion.kernels.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nfused kernels (each reads its inputs once and writes only its outputs):");
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
            if g.node(m).op == Op::Exp && !kernel.reciprocal.contains_key(&m) {
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

/// The residual table: every forward value a backward reads, whether it is stored
/// between them, never leaves a kernel's registers, or is recomputed where the
/// backward reads it, and why.
fn residuals(prog: &Program, fusion: &Fusion) -> String {
    let g = &prog.graph;
    let num = numbering(prog);
    let name = |n: &NodeId| num.get(n).map(|i| format!("%{i}")).unwrap_or_else(|| "%?".to_string());
    let label = |n: NodeId| match &g.meta(n).note {
        Some(note) => format!("{} ({note})", name(&n)),
        None => name(&n),
    };
    let weighed: HashMap<NodeId, &Weighed> = prog.weighed.iter().map(|w| (w.value, w)).collect();
    let recomputed = |n: &NodeId| weighed.get(n).is_some_and(|w| remat::decide(&w.facts).recompute);
    let mut reads: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for n in g.ids() {
        if !matches!(g.meta(n).region, Region::Backward(_)) {
            continue;
        }
        for o in g.operands(n) {
            // A recomputed value's own row says where its readers went.
            if g.meta(o).region == Region::Forward && !matches!(g.node(o).op, Op::Full(_)) && !recomputed(&o) {
                reads.entry(o).or_default().push(n);
            }
        }
    }
    if reads.is_empty() && !prog.weighed.iter().any(|w| recomputed(&w.value)) {
        return String::new();
    }
    let mut rows: Vec<(usize, [String; 5])> = Vec::new();
    let shape_of = |n: NodeId| {
        let node = g.node(n);
        format!("{}[{}]", node.dtype, node.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
    };
    for w in prog.weighed.iter().filter(|w| recomputed(&w.value)) {
        // The original may be gone when only backward readers read it; its first copy stands for it.
        let shown = if g.contains(w.value) { w.value } else { w.copies[0] };
        let value = match &g.meta(shown).note {
            Some(note) => format!("{} {note}", name(&shown)),
            None => name(&shown),
        };
        let reason = remat::reason(w, &|n| name(&n), &label);
        rows.push((num.get(&shown).copied().unwrap_or(usize::MAX), [value, shape_of(shown), "0".to_string(), "recompute".to_string(), reason]));
    }
    for (f, readers) in &reads {
        let node = g.node(*f);
        let bytes = node.shape.iter().product::<usize>() * node.dtype.size();
        let shape = shape_of(*f);
        let value = match &g.meta(*f).note {
            Some(note) => format!("{} {note}", name(f)),
            None => name(f),
        };
        let kernel = fusion.kernel_of.get(f).copied();
        let stored = kernel.is_none_or(|k| fusion.kernels[k].outputs.contains(f));
        let (decision, kept, reason) = if !stored {
            // Readers outside the kernel would make it stored, so every reader that
            // runs is in its kernel (the others were folded away by the strength reduction).
            ("fused", 0, format!("forward and backward run in kernel {}: it stays in registers", kernel.unwrap_or(0)))
        } else {
            let exported: Vec<&String> = prog.exports.iter().filter(|(_, n)| *n == f).map(|(name, _)| name).collect();
            let shown = prog.effects.iter().find(|e| matches!(e, Effect::Print(_) | Effect::Figure(_)) && e.nodes().contains(f));
            let separated = readers.iter().any(|r| fusion.phase.get(r) != fusion.phase.get(f));
            // A reader that makes the kernel store the value whatever the save-or-recompute
            // pass decides: anything outside the kernel but a fused backward of its shape
            // in a later phase, which would read a copy instead.
            let weighable = |u: &NodeId| {
                matches!(g.meta(*u).region, Region::Backward(_))
                    && fusion.kernel_of.contains_key(u)
                    && node.shape == g.node(*u).shape
                    && fusion.phase.get(u) > fusion.phase.get(f)
            };
            let blocker = g.users(*f).into_iter().find(|u| fusion.kernel_of.get(u) != kernel.as_ref() && !weighable(u));
            let reason = if let Some(w) = weighed.get(f) {
                remat::reason(w, &|n| name(&n), &label)
            } else if matches!(node.op, Op::Input(_)) {
                "a program input: held anyway".to_string()
            } else if kernel.is_none() && node.op.is_elementwise() {
                format!("made by `{}` with a broadcast operand, which runs alone", node.op.name())
            } else if kernel.is_none() {
                format!("made by `{}`, which is not elementwise", node.op.name())
            } else if let Some(e) = shown {
                format!("read by `{}`: stored anyway", effect_text(e, &name))
            } else if let Some(name) = exported.iter().min() {
                format!("exported as `{name}`: stored anyway")
            } else if let Some(u) = blocker {
                format!("{} reads it outside its kernel: stored anyway", label(u))
            } else if separated {
                let at = match fusion.phase.get(f).and_then(|p| prog.effects.get(*p)) {
                    Some(e) => format!("`{}`", effect_text(e, &name)),
                    None => "the end".to_string(),
                };
                format!("the forward runs for {at}, the backward later")
            } else {
                "read by ops outside the kernel that makes it".to_string()
            };
            ("keep", bytes, reason)
        };
        rows.push((num.get(f).copied().unwrap_or(usize::MAX), [value, shape, kept.to_string(), decision.to_string(), reason]));
    }
    rows.sort_by_key(|(i, _)| *i);
    let mut out = String::from("\nresiduals (forward values a backward reads; bytes = bytes stored between them):\n");
    let headers = ["value", "shape", "bytes", "decision", "reason"];
    let mut widths = headers.map(str::len);
    for (_, r) in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: [&str; 5]| -> String {
        let mut l = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            if i == 4 {
                let _ = write!(l, " {c}");
            } else if i == 2 {
                let _ = write!(l, " {c:>w$}", w = widths[i]);
            } else {
                let _ = write!(l, " {c:<w$}", w = widths[i]);
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(headers));
    for (_, r) in &rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    out
}

/// An effect in a few words, for the residual table.
fn effect_text(e: &Effect, name: &dyn Fn(&NodeId) -> String) -> String {
    let nodes: Vec<String> = e.nodes().iter().map(name).collect();
    match e {
        Effect::Print(_) => format!("print {}", nodes.join(", ")),
        Effect::Figure(_) => format!("plot {}", nodes.join(", ")),
        Effect::Sample(_) => format!("sample {}", nodes.join(", ")),
        Effect::Seed(s) => format!("manual_seed({s})"),
    }
}

/// Prints a program: graph, backward calls, effects. `lowered` (when given) supplies
/// the backward calls' roots and seeds as lowering recorded them.
pub fn program(prog: &Program, lines: &LineIndex, lowered: Option<&Program>) -> String {
    let g = &prog.graph;
    let order = g.topo_order();
    let num: HashMap<NodeId, usize> = order.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let name = |n: &NodeId| num.get(n).map(|i| format!("%{i}")).unwrap_or_else(|| "%?".to_string());
    let mut out = String::new();
    let mut region: Option<Region> = None;
    for n in &order {
        let meta = g.meta(*n);
        if region != Some(meta.region) {
            region = Some(meta.region);
            let header = match meta.region {
                Region::Forward => "forward".to_string(),
                Region::Backward(k) => match prog.backwards.get(k as usize) {
                    Some(b) => {
                        let (l, c) = lines.line_col(b.span.start);
                        format!("backward {k} ({l}:{c}: {})", lines.snippet(b.span, 48))
                    }
                    None => format!("backward {k}"),
                },
                Region::Template(k) => match prog.custom_calls.get(k as usize) {
                    Some(cc) => {
                        let (l, c) = lines.line_col(cc.span.start);
                        format!("template: backward block of {} for the call at {l}:{c}", cc.op_name)
                    }
                    None => format!("template {k}"),
                },
            };
            let _ = writeln!(out, "{header}:");
        }
        let node = g.node(*n);
        let operands: Vec<String> = g.operands(*n).iter().map(name).collect();
        let shape = node.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
        let mut line = format!("  {} = {}", name(n), op_text(&node.op));
        if !operands.is_empty() {
            let _ = write!(line, " {}", operands.join(", "));
        }
        let _ = write!(line, " : {}[{}]", node.dtype, shape);
        let (l, c) = lines.line_col(meta.span.start);
        let mut comment = Vec::new();
        if meta.requires_grad && meta.region == Region::Forward {
            comment.push("requires_grad".to_string());
        }
        if let Some(note) = &meta.note {
            comment.push(note.clone());
        }
        comment.push(format!("@{l}:{c}"));
        let _ = writeln!(out, "{line}  # {}", comment.join(", "));
    }
    let _ = writeln!(out, "({} nodes, {} edges)", g.node_count(), g.edge_count());

    // Backward calls and the forward values each keeps alive.
    let calls = lowered.map(|l| &l.backwards).unwrap_or(&prog.backwards);
    if !calls.is_empty() && lowered.is_some() {
        out.push('\n');
        for (k, b) in calls.iter().enumerate() {
            let (l, c) = lines.line_col(b.span.start);
            let _ = writeln!(
                out,
                "backward {k} at {l}:{c}: d({}) with seed {}{}",
                name(&b.root),
                b.seed.map(|s| name(&s)).unwrap_or_else(|| "ones".to_string()),
                if b.retain_graph { ", retain_graph" } else { "" }
            );
            let saved = saved_reads(prog, k as u32);
            if saved.is_empty() && !has_region(prog, Region::Backward(k as u32)) {
                continue;
            }
            if saved.is_empty() {
                let _ = writeln!(out, "  saved: none");
            }
            for (s, users) in saved {
                let node = g.node(s);
                let bytes = node.shape.iter().product::<usize>() * node.dtype.size();
                // A value an op saved is named as the op's forward named it.
                let saved_as: Vec<String> = prog
                    .custom_calls
                    .iter()
                    .flat_map(|cc| cc.saved.iter().filter(|sv| sv.forward == s).map(move |sv| format!("`{}` saved by {}", sv.name, cc.op_name)))
                    .collect();
                let what =
                    if saved_as.is_empty() { g.meta(s).note.clone().unwrap_or_else(|| node.op.name().to_string()) } else { saved_as.join(", ") };
                let users: Vec<String> = users.iter().map(name).collect();
                let _ = writeln!(
                    out,
                    "  saved {} ({what}): {}[{}], {bytes} bytes, read by {}",
                    name(&s),
                    node.dtype,
                    node.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                    users.join(", ")
                );
            }
        }
    }

    if !prog.effects.is_empty() {
        out.push_str("\neffects:\n");
        for e in &prog.effects {
            let text = match e {
                Effect::Seed(s) => format!("manual_seed({s})"),
                Effect::Sample(n) => format!("sample {}", name(n)),
                Effect::Print(args) => {
                    let parts: Vec<String> = args
                        .iter()
                        .map(|a| match a {
                            PrintArg::Text(t) => format!("{t:?}"),
                            PrintArg::None => "None".to_string(),
                            PrintArg::Tensor { node, suffix } => match &suffix.grad_fn {
                                Some(f) => format!("{} <{f}>", name(node)),
                                None => name(node),
                            },
                        })
                        .collect();
                    format!("print {}", parts.join(", "))
                }
                Effect::Figure(f) => match f {
                    FigureEffect::Plot { x, y, label, alpha } => {
                        format!("plot {}, {} label={:?} alpha={}", name(x), name(y), label.clone().unwrap_or_default(), alpha)
                    }
                    FigureEffect::Grid => "grid".to_string(),
                    FigureEffect::Legend => "legend".to_string(),
                    FigureEffect::XLabel(t) => format!("xlabel {t:?}"),
                    FigureEffect::YLabel(t) => format!("ylabel {t:?}"),
                    FigureEffect::Title(t) => format!("title {t:?}"),
                    FigureEffect::SaveFig { path, .. } => format!("savefig {path:?}"),
                },
            };
            let _ = writeln!(out, "  {text}");
        }
    }
    out
}

fn has_region(prog: &Program, r: Region) -> bool {
    prog.graph.ids().iter().any(|n| prog.graph.meta(*n).region == r)
}

/// The forward nodes that backward `k`'s nodes read, with the backward nodes reading each.
fn saved_reads(prog: &Program, k: u32) -> Vec<(NodeId, Vec<NodeId>)> {
    let g = &prog.graph;
    let mut m: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for n in g.ids() {
        if g.meta(n).region != Region::Backward(k) {
            continue;
        }
        for o in g.operands(n) {
            let om = g.meta(o);
            // Constants are not saved values: they are part of the formula.
            if om.region == Region::Forward && !matches!(g.node(o).op, Op::Full(_)) {
                m.entry(o).or_default().push(n);
            }
        }
    }
    let mut v: Vec<(NodeId, Vec<NodeId>)> = m.into_iter().collect();
    v.sort();
    for (_, users) in &mut v {
        users.sort();
        users.dedup();
    }
    v
}

/// The op with its parameters, as the dump shows it.
fn op_text(op: &Op) -> String {
    match op {
        Op::Full(v) => format!("full({v})"),
        Op::Literal(vs) => {
            let shown: Vec<String> = vs.iter().take(6).map(|v| format!("{v}")).collect();
            if vs.len() > 6 {
                format!("literal([{}, ... {} values])", shown.join(", "), vs.len())
            } else {
                format!("literal([{}])", shown.join(", "))
            }
        }
        Op::Arange { start, step } => format!("arange(start={start}, step={step})"),
        Op::Linspace { start, end } => format!("linspace({start}, {end})"),
        Op::Param(k) => format!("param({k})"),
        Op::Input(k) => format!("input({k})"),
        Op::PowScalar(e) => format!("pow_scalar({e})"),
        Op::Where(c) => format!(
            "where({})",
            match c {
                Cmp::Lt => "<",
                Cmp::Le => "<=",
                Cmp::Eq => "==",
                Cmp::Gt => ">",
                Cmp::Ge => ">=",
            }
        ),
        Op::Sum { dim: Some(d) } => format!("sum(dim={d})"),
        Op::Mean { dim: Some(d) } => format!("mean(dim={d})"),
        other => other.name().to_string(),
    }
}
