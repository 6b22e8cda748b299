//! Reverse-mode differentiation at compile time.
//!
//! For each `backward` call, in program order, autodiff walks the forward graph
//! from the differentiated tensor back to the leaves, applying one derivative
//! rule per node ([`rules`]): a builtin's rule from the table, or, at the
//! output of a user `op`, a copy of that op's backward template with its saved
//! values wired to the forward nodes that computed them. The gradient that
//! reaches each leaf replaces the placeholder lowering left for it, so the
//! `.grad` values the program reads become ordinary nodes.
//!
//! Nodes are visited in reverse creation order, which is the order PyTorch's
//! engine runs them (by sequence number), so gradients that meet at a node are
//! summed in PyTorch's order. The retain_graph rule is checked here too: a
//! backward that reaches a node whose saved values an earlier backward
//! released is an error pointing at both calls.
//!
//! After autodiff no `Param` node and no `Template` region remains.

mod builder;
mod rules;

use std::collections::{HashMap, HashSet};

use graphc_runtime::Op;

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{NodeId, Region};
use crate::ir::program::Program;

pub use builder::RuleCtx;

/// What autodiff did, for the IR dump.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AutodiffStats {
    /// Per backward call: nodes created and forward values read (the saved set).
    pub per_backward: Vec<(usize, Vec<NodeId>)>,
}

/// The requires-grad leaves that a backward from `root` reaches, in creation order.
/// A path through an `op` argument whose gradient the op returns as `none` does not count.
pub fn reachable_leaves(prog: &Program, root: NodeId) -> Vec<NodeId> {
    let order = backward_order(prog, root);
    let leaves: HashSet<NodeId> = prog.leaves.iter().copied().collect();
    let mut v: Vec<NodeId> = order.into_iter().filter(|n| leaves.contains(n)).collect();
    v.sort();
    v
}

/// The nodes a backward from `root` passes through (requires-grad ancestors,
/// crossing user ops at their boundary), in reverse creation order.
fn backward_order(prog: &Program, root: NodeId) -> Vec<NodeId> {
    let g = &prog.graph;
    let leaves: HashSet<NodeId> = prog.leaves.iter().copied().collect();
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if !g.meta(n).requires_grad || !seen.insert(n) || leaves.contains(&n) {
            continue;
        }
        match prog.custom_output.get(&n) {
            Some(&c) => {
                let call = &prog.custom_calls[c];
                for (input, ret) in call.inputs.iter().zip(&call.returns) {
                    if ret.is_some() {
                        stack.push(*input);
                    }
                }
            }
            None => {
                if !matches!(g.node(n).op, Op::Detach) {
                    stack.extend(g.operands(n));
                }
            }
        }
    }
    let mut v: Vec<NodeId> = seen.into_iter().filter(|n| g.meta(*n).requires_grad).collect();
    v.sort_by(|a, b| b.cmp(a));
    v
}

/// Derives every backward graph of the program, in place.
pub fn differentiate(prog: &mut Program) -> Result<AutodiffStats, Vec<Diagnostic>> {
    let mut stats = AutodiffStats::default();
    // Which backward released each node's saved values.
    let mut released: HashMap<NodeId, usize> = HashMap::new();
    let mut diags = Vec::new();
    let templates = template_nodes(prog);
    // Nodes are removed only at the end, so that `index_bound` counts the nodes
    // each backward creates.
    let mut dead = Vec::new();
    for k in 0..prog.backwards.len() {
        let call = prog.backwards[k].clone();
        let order = backward_order(prog, call.root);
        let leaves: HashSet<NodeId> = prog.leaves.iter().copied().collect();
        let mut grads: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        let before = prog.graph.index_bound();
        let mut ctx = RuleCtx::new(Region::Backward(k as u32));
        let seed = match call.seed {
            Some(s) => s,
            None => {
                ctx.at(call.span);
                let root = prog.graph.node(call.root).clone();
                let s = ctx.full(&mut prog.graph, 1.0, root.dtype, root.shape);
                prog.graph.meta_mut(s).note = Some("seed".to_string());
                s
            }
        };
        grads.insert(call.root, vec![seed]);
        let mut holders: Vec<NodeId> = Vec::new();
        let mut conflict: Option<(NodeId, usize)> = None;
        let mut final_grads: HashMap<NodeId, NodeId> = HashMap::new();
        for n in order {
            let Some(contribs) = grads.remove(&n) else { continue };
            let g = ctx.sum(&mut prog.graph, n, &contribs);
            if leaves.contains(&n) {
                final_grads.insert(n, g);
                continue;
            }
            ctx.reads_forward = false;
            let input_grads = match prog.custom_output.get(&n) {
                Some(&c) => {
                    let inputs = prog.custom_calls[c].inputs.clone();
                    let out = rules::custom(&mut ctx, prog, c, g, &templates);
                    inputs.into_iter().zip(out).collect::<Vec<_>>()
                }
                None => {
                    let operands = prog.graph.operands(n);
                    let needs: Vec<bool> = operands.iter().map(|o| prog.graph.meta(*o).requires_grad).collect();
                    let out = rules::builtin(&mut ctx, &mut prog.graph, n, g, &needs);
                    operands.into_iter().zip(out).collect()
                }
            };
            if ctx.reads_forward {
                holders.push(n);
                if conflict.is_none() {
                    if let Some(&j) = released.get(&n) {
                        conflict = Some((n, j));
                    }
                }
            }
            for (input, grad) in input_grads {
                if let Some(grad) = grad {
                    if prog.graph.meta(input).requires_grad {
                        grads.entry(input).or_default().push(grad);
                    }
                }
            }
        }
        if let Some((n, j)) = conflict {
            let first = &prog.backwards[j];
            diags.push(
                Diagnostic::new(
                    Code::E0403,
                    "this backward goes through values that an earlier backward already released",
                    call.span,
                    "needs the released values",
                )
                .with_secondary(first.span, "released here: this backward ran without `retain_graph=true`")
                .with_secondary(prog.graph.meta(n).span, "the saved values belong to this computation")
                .with_help("pass retain_graph=true to the first backward"),
            );
            continue;
        }
        if !call.retain_graph {
            for h in &holders {
                released.entry(*h).or_insert(k);
            }
        }
        for (leaf, placeholder) in &call.targets {
            let grad = final_grads.get(leaf).copied().expect("reachable_leaves and backward_order agree on the leaves");
            prog.replace_all_uses(*placeholder, grad);
            dead.push(*placeholder);
        }
        // Nothing is removed inside this loop, so the new indices are exactly the new nodes.
        let created = prog.graph.index_bound() - before;
        let mut saved: Vec<NodeId> = ctx.forward_reads.iter().copied().collect();
        saved.sort();
        stats.per_backward.push((created, saved));
    }
    // Templates have been copied wherever they were needed.
    for n in dead {
        prog.graph.remove(n);
    }
    for nodes in templates.values() {
        for n in nodes {
            prog.graph.remove(*n);
        }
    }
    if diags.is_empty() {
        Ok(stats)
    } else {
        Err(diags)
    }
}

/// The nodes of each op call's backward template, in creation order.
fn template_nodes(prog: &Program) -> HashMap<u32, Vec<NodeId>> {
    let mut m: HashMap<u32, Vec<NodeId>> = HashMap::new();
    for n in prog.graph.ids() {
        if let Region::Template(k) = prog.graph.meta(n).region {
            m.entry(k).or_default().push(n);
        }
    }
    m
}
