//! The save-or-recompute pass's printer: the residual table of `graphc ir --stage opt`,
//! every forward value a backward reads, whether it is stored between them, never
//! leaves a kernel's registers, or is recomputed where the backward reads it, and why.
//!
//! Whether a value is stored depends on the final partition into kernels, which
//! fusion makes after the passes; this module sees it through [`Partition`], so
//! that the passes import nothing from the later stage.

use std::collections::HashMap;
use std::fmt::Write;

use graphc_runtime::op::Op;

use super::remat::{self, Weighed};
use crate::ir::graph::{NodeId, Region};
use crate::ir::node_map::NodeMap;
use crate::ir::print::numbering;
use crate::ir::program::{Effect, Program};

/// What the residual table needs of the final partition into kernels.
pub struct Partition<'a> {
    /// The kernel of every fused node.
    pub kernel_of: &'a NodeMap<usize>,
    /// The phase of every scheduled node (effect index; `effects.len()` for exports).
    pub phase: &'a NodeMap<usize>,
    /// Whether kernel `k` stores node `n` (reads after the kernel need it in memory).
    pub stores: &'a dyn Fn(usize, NodeId) -> bool,
}

/// The program, the partition and the pass's decisions, with the dump's names.
struct Table<'a> {
    prog: &'a Program,
    part: &'a Partition<'a>,
    num: HashMap<NodeId, usize>,
    weighed: HashMap<NodeId, &'a Weighed>,
}

/// One row: the dump position it sorts by, then value, shape, bytes, decision, reason.
type Row = (usize, [String; 5]);

impl Table<'_> {
    fn name(&self, n: NodeId) -> String {
        self.num.get(&n).map(|i| format!("%{i}")).unwrap_or_else(|| "%?".to_string())
    }

    fn label(&self, n: NodeId) -> String {
        match &self.prog.graph.meta(n).note {
            Some(note) => format!("{} ({note})", self.name(n)),
            None => self.name(n),
        }
    }

    /// The value column: the node's name and its note.
    fn value(&self, n: NodeId) -> String {
        match &self.prog.graph.meta(n).note {
            Some(note) => format!("{} {note}", self.name(n)),
            None => self.name(n),
        }
    }

    fn shape_of(&self, n: NodeId) -> String {
        let node = self.prog.graph.node(n);
        format!("{}[{}]", node.dtype, node.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
    }

    fn recomputed(&self, n: NodeId) -> bool {
        self.weighed.get(&n).is_some_and(|w| remat::decide(&w.facts).recompute)
    }

    fn reason(&self, w: &Weighed) -> String {
        remat::reason(w, &|n| self.name(n), &|n| self.label(n))
    }

    fn position(&self, n: NodeId) -> usize {
        self.num.get(&n).copied().unwrap_or(usize::MAX)
    }
}

/// The residual table, or nothing when no backward reads a forward value.
pub fn print(prog: &Program, weighed: &[Weighed], part: &Partition) -> String {
    let t = Table { prog, part, num: numbering(prog), weighed: weighed.iter().map(|w| (w.value, w)).collect() };
    let reads = backward_reads(&t);
    if reads.is_empty() && !weighed.iter().any(|w| t.recomputed(w.value)) {
        return String::new();
    }
    let mut rows: Vec<Row> = Vec::new();
    for w in weighed.iter().filter(|w| t.recomputed(w.value)) {
        // The original may be gone when only backward readers read it; its first copy stands for it.
        let shown = if prog.graph.contains(w.value) { w.value } else { w.copies[0] };
        rows.push((t.position(shown), [t.value(shown), t.shape_of(shown), "0".to_string(), "recompute".to_string(), t.reason(w)]));
    }
    for (f, readers) in &reads {
        rows.push(kept_row(&t, *f, readers));
    }
    rows.sort_by_key(|(i, _)| *i);
    layout(&rows)
}

/// Every forward value a backward node reads, with its backward readers; a recomputed
/// value's own row says where its readers went.
fn backward_reads(t: &Table) -> HashMap<NodeId, Vec<NodeId>> {
    let g = &t.prog.graph;
    let mut reads: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for n in g.ids() {
        if !matches!(g.meta(n).region, Region::Backward(_)) {
            continue;
        }
        for o in g.operands(n) {
            if g.meta(o).region == Region::Forward && !matches!(g.node(o).op, Op::Full(_)) && !t.recomputed(o) {
                reads.entry(o).or_default().push(n);
            }
        }
    }
    reads
}

/// The row of a value that is not recomputed: fused into its readers' kernel, or kept.
fn kept_row(t: &Table, f: NodeId, readers: &[NodeId]) -> Row {
    let node = t.prog.graph.node(f);
    let bytes = node.shape.iter().product::<usize>() * node.dtype.size();
    let kernel = t.part.kernel_of.get(&f).copied();
    let stored = kernel.is_none_or(|k| (t.part.stores)(k, f));
    let (decision, kept, reason) = if !stored {
        // Readers outside the kernel would make it stored, so every reader that
        // runs is in its kernel (the others were folded away by the strength reduction).
        ("fused", 0, format!("forward and backward run in kernel {}: it stays in registers", kernel.unwrap_or(0)))
    } else {
        ("keep", bytes, keep_reason(t, f, kernel, readers))
    };
    (t.position(f), [t.value(f), t.shape_of(f), kept.to_string(), decision.to_string(), reason])
}

/// Why a value a backward reads is stored between the forward and the backward.
fn keep_reason(t: &Table, f: NodeId, kernel: Option<usize>, readers: &[NodeId]) -> String {
    let (prog, part, g) = (t.prog, t.part, &t.prog.graph);
    let node = g.node(f);
    let name = |n: &NodeId| t.name(*n);
    let exported: Vec<&String> = prog.exports.iter().filter(|(_, n)| **n == f).map(|(name, _)| name).collect();
    let shown = prog
        .effects
        .iter()
        .find(|e| matches!(e, Effect::Print(_) | Effect::Write(_) | Effect::Assert { .. } | Effect::Figure(_)) && e.nodes().contains(&f));
    let separated = readers.iter().any(|r| part.phase.get(r) != part.phase.get(&f));
    // A reader that makes the kernel store the value whatever the save-or-recompute
    // pass decides: anything outside the kernel but a fused backward of its shape
    // in a later phase, which would read a copy instead.
    let weighable = |u: &NodeId| {
        matches!(g.meta(*u).region, Region::Backward(_))
            && part.kernel_of.contains_key(u)
            && node.shape == g.node(*u).shape
            && part.phase.get(u) > part.phase.get(&f)
    };
    let blocker = g.users(f).into_iter().find(|u| part.kernel_of.get(u) != kernel.as_ref() && !weighable(u));
    if let Some(w) = t.weighed.get(&f) {
        t.reason(w)
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
        format!("{} reads it outside its kernel: stored anyway", t.label(u))
    } else if separated {
        let at = match part.phase.get(&f).and_then(|p| prog.effects.get(*p)) {
            Some(e) => format!("`{}`", effect_text(e, &name)),
            None => "the end".to_string(),
        };
        format!("the forward runs for {at}, the backward later")
    } else {
        "read by ops outside the kernel that makes it".to_string()
    }
}

/// The table's text: a title, a header, columns padded to their widest cell (bytes
/// right-aligned), the reason last and unpadded.
fn layout(rows: &[Row]) -> String {
    let mut out = String::from("\nresiduals (forward values a backward reads; bytes = bytes stored between them):\n");
    let headers = ["value", "shape", "bytes", "decision", "reason"];
    let mut widths = headers.map(str::len);
    for (_, r) in rows {
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
    for (_, r) in rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    out
}

/// An effect in a few words, for the residual table.
fn effect_text(e: &Effect, name: &dyn Fn(&NodeId) -> String) -> String {
    let nodes: Vec<String> = e.nodes().iter().map(name).collect();
    match e {
        Effect::Print(_) | Effect::Write(_) => format!("print {}", nodes.join(", ")),
        Effect::Assert { .. } => format!("assert {}", nodes.join(", ")),
        Effect::Figure(_) => format!("plot {}", nodes.join(", ")),
        Effect::Sample(_) => format!("sample {}", nodes.join(", ")),
        Effect::Seed(s) => format!("manual_seed({s})"),
        Effect::Save { .. } => format!("save {}", nodes.join(", ")),
        Effect::Loop { region, .. } => format!("loop {region}"),
        Effect::Branch { then, otherwise, .. } => format!("branch {then} or {otherwise}"),
    }
}
