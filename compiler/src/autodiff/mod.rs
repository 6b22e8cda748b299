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

mod branches;
mod builder;
mod custom;
mod loops;
mod operands;
mod rules;
mod versions;

use std::collections::{HashMap, HashSet};

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{NodeId, Region};
use crate::ir::program::Program;

pub use branches::branch_of;
pub use loops::{crossing_obstacle, loop_of, Obstacle};

/// The outer values a gradient at region output `n` (of a loop or a run-time
/// `if`) flows into; empty for any other node.
pub fn region_gradient_inputs(prog: &Program, n: NodeId) -> Vec<NodeId> {
    match prog.graph.node(n).op {
        graphc_runtime::Op::RegionOutput { .. } => operands::gradient_edges(prog, n),
        _ => vec![],
    }
}
pub use builder::RuleCtx;

/// What autodiff did, for the IR dump.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AutodiffStats {
    /// Per backward call: nodes created and forward values read (the saved set).
    pub per_backward: Vec<(usize, Vec<NodeId>)>,
}

/// The requires-grad leaves that a backward from `root` sets the `.grad` of, in
/// creation order: those connected to it in the autograd graph. A path through
/// an `op` argument whose gradient the op returns as `none` does not count; a
/// leaf connected only through operands that get a zero gradient counts (and
/// gets zeros), as in PyTorch.
pub fn reachable_leaves(prog: &Program, root: NodeId) -> Vec<NodeId> {
    let leaves: HashSet<NodeId> = prog.leaves.iter().copied().collect();
    let mut v: Vec<NodeId> = walk(prog, root, operands::graph_edges).into_iter().filter(|n| leaves.contains(n)).collect();
    v.sort();
    v
}

/// The requires-grad nodes reached from `root` by following `edges`, stopping at leaves.
fn walk(prog: &Program, root: NodeId, edges: fn(&Program, NodeId) -> Vec<NodeId>) -> HashSet<NodeId> {
    walk_from(prog, vec![root], edges)
}

/// [`walk`] from several roots.
fn walk_from(prog: &Program, roots: Vec<NodeId>, edges: fn(&Program, NodeId) -> Vec<NodeId>) -> HashSet<NodeId> {
    let leaves: HashSet<NodeId> = prog.leaves.iter().copied().collect();
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut stack = roots;
    while let Some(n) = stack.pop() {
        if !prog.graph.meta(n).requires_grad || !seen.insert(n) || leaves.contains(&n) {
            continue;
        }
        stack.extend(edges(prog, n));
    }
    seen
}

/// The nodes a gradient from `root` flows through (requires-grad ancestors along
/// the operands the derivative rules differentiate, crossing user ops at their
/// boundary), in reverse creation order.
fn backward_order(prog: &Program, roots: Vec<NodeId>) -> Vec<NodeId> {
    let mut v: Vec<NodeId> = walk_from(prog, roots, operands::gradient_edges).into_iter().collect();
    v.sort_by(|a, b| b.cmp(a));
    v
}

/// One derivation: the gradient reaching each target (zeros for a target no
/// gradient reaches, so every target has one), and the forward nodes
/// whose rules read saved values (what a release would free).
pub struct Derivation {
    pub grads: HashMap<NodeId, NodeId>,
    pub holders: Vec<NodeId>,
    /// Forward values the derived graph reads (for the IR dump's saved list).
    pub forward_reads: Vec<NodeId>,
    /// PyTorch's `grad_fn` name of derived nodes that their op does not name.
    pub grad_fns: Vec<(NodeId, String)>,
    /// Each holder with the forward values its rule read.
    pub reads_by: Vec<(NodeId, Vec<NodeId>)>,
}

/// Derives the gradients of `root` (seeded with `seed`, or ones) with respect to
/// `targets`, adding the nodes to `region`. With `create_graph`, derived nodes
/// require grad where their operands do, so that they can be differentiated again.
#[allow(clippy::too_many_arguments)]
pub fn derive(
    prog: &mut Program,
    root: NodeId,
    seed: Option<NodeId>,
    span: crate::syntax::ast::Span,
    region: Region,
    targets: &HashSet<NodeId>,
    create_graph: bool,
    templates: &HashMap<u32, Vec<NodeId>>,
) -> Derivation {
    let mut ctx = RuleCtx::new(region);
    ctx.create_graph = create_graph;
    let seed = match seed {
        Some(s) => s,
        None => {
            ctx.at(span);
            let r = prog.graph.node(root).clone();
            let s = ctx.full(&mut prog.graph, 1.0, r.dtype, r.shape);
            prog.graph.meta_mut(s).note = Some("seed".to_string());
            s
        }
    };
    let mut d = derive_seeded(prog, vec![(root, seed)], &mut ctx, targets, templates);
    // A target connected to the root only through operands whose gradient is
    // zero (or through nothing at all) gets zeros, as PyTorch's engine gives.
    let mut missing: Vec<NodeId> = targets.iter().filter(|t| !d.grads.contains_key(t)).copied().collect();
    missing.sort();
    for t in missing {
        ctx.at(span);
        let node = prog.graph.node(t).clone();
        let z = ctx.full(&mut prog.graph, 0.0, node.dtype, node.shape);
        prog.graph.meta_mut(z).note = Some("zeros: no gradient flows here".to_string());
        d.grads.insert(t, z);
    }
    d.forward_reads = ctx.forward_reads.iter().copied().collect();
    d.grad_fns = std::mem::take(&mut ctx.grad_fns);
    d
}

/// Derives the gradients that `seeds` (each a node with the first gradient
/// contribution it gets) give `targets`, with `ctx`. A target no gradient
/// reaches has none in the result.
pub(crate) fn derive_seeded(
    prog: &mut Program,
    seeds: Vec<(NodeId, NodeId)>,
    ctx: &mut RuleCtx,
    targets: &HashSet<NodeId>,
    templates: &HashMap<u32, Vec<NodeId>>,
) -> Derivation {
    let mut order = backward_order(prog, seeds.iter().map(|(n, _)| *n).collect());
    // A gradient with respect to a tensor that is not a leaf needs only the
    // nodes on paths from the root to it, and stops there unless another
    // target lies beyond it (`grad(out, [y, x])` with `y` computed from `x`).
    let leaves: HashSet<NodeId> = prog.leaves.iter().copied().collect();
    let mut reach = None;
    if targets.iter().any(|t| !leaves.contains(t)) {
        let r = reaching(prog, &order, targets);
        order.retain(|n| r.contains(n));
        reach = Some(r);
    }
    let mut grads: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for (n, s) in seeds {
        grads.entry(n).or_default().push(s);
    }
    let mut holders = Vec::new();
    let mut reads_by = Vec::new();
    let mut final_grads = HashMap::new();
    for n in order {
        let Some(contribs) = grads.remove(&n) else { continue };
        let g = ctx.sum(&mut prog.graph, n, &contribs);
        if targets.contains(&n) {
            final_grads.insert(n, g);
            let beyond = reach.as_ref().is_some_and(|r| operands::gradient_edges(prog, n).iter().any(|p| r.contains(p)));
            if !beyond {
                continue;
            }
        }
        if leaves.contains(&n) {
            continue;
        }
        ctx.reads_forward = false;
        let mark = ctx.read_log.len();
        // The region whose output `n` is, if any: a run-time `if`, or a loop.
        let branch = branches::branch_of(prog, n);
        let region_loop = if branch.is_none() { loops::loop_of(prog, n) } else { None };
        let input_grads: Vec<(NodeId, Option<NodeId>)> = match (branch, region_loop, prog.custom_output.get(&n)) {
            (Some(e), _, _) => {
                let span = prog.graph.meta(n).span;
                branches::apply(ctx, prog, e, n, g, &mut grads, span)
            }
            (None, Some(e), _) => {
                let span = prog.graph.meta(n).span;
                loops::apply(ctx, prog, e, n, g, &mut grads, span)
            }
            (None, None, Some(&c)) => {
                // An op with several outputs runs its backward once, at the first of
                // its outputs that the walk meets, with every output's gradient:
                // their users all come later in creation order, so every
                // contribution is in; an output with none gets zeros, as PyTorch
                // materializes them.
                let outputs = custom::outputs(prog, c);
                let mut gs = Vec::with_capacity(outputs.len());
                for o in outputs {
                    let go = if o == n {
                        g
                    } else if let Some(cs) = grads.remove(&o) {
                        ctx.sum(&mut prog.graph, o, &cs)
                    } else {
                        let node = prog.graph.node(o).clone();
                        ctx.full(&mut prog.graph, 0.0, node.dtype, node.shape)
                    };
                    gs.push(go);
                }
                custom::apply(ctx, prog, c, &gs, templates)
            }
            (None, None, None) => {
                let operands = prog.graph.operands(n);
                let needs: Vec<bool> = operands.iter().map(|o| prog.graph.meta(*o).requires_grad).collect();
                let out = rules::builtin(ctx, &mut prog.graph, n, g, &needs);
                operands.into_iter().zip(out).collect()
            }
        };
        if ctx.reads_forward {
            holders.push(n);
            reads_by.push((n, ctx.read_log[mark..].to_vec()));
        }
        for (input, grad) in input_grads {
            if let Some(grad) = grad {
                if prog.graph.meta(input).requires_grad {
                    grads.entry(input).or_default().push(grad);
                }
            }
        }
    }
    prog.input_ranges.extend(ctx.known_ranges.drain(..));
    Derivation { grads: final_grads, holders, forward_reads: ctx.forward_reads.iter().copied().collect(), grad_fns: Vec::new(), reads_by }
}

/// The nodes of `order` from which a backward walk reaches one of `targets`.
fn reaching(prog: &Program, order: &[NodeId], targets: &HashSet<NodeId>) -> HashSet<NodeId> {
    // `order` is in reverse creation order, so operands come after their users:
    // walking it backwards visits every node after everything it reads.
    let mut reach: HashSet<NodeId> = targets.clone();
    for &n in order.iter().rev() {
        if reach.contains(&n) {
            continue;
        }
        if operands::gradient_edges(prog, n).iter().any(|p| reach.contains(p)) {
            reach.insert(n);
        }
    }
    reach
}

/// The nodes a backward from `root` runs the derivative of: those a gradient
/// flows through, as [`derive`] walks them.
pub fn backward_nodes(prog: &Program, root: NodeId) -> HashSet<NodeId> {
    walk(prog, root, operands::gradient_edges)
}

/// Whether `root` is connected to `x` in the autograd graph, so that a gradient
/// of `root` with respect to `x` exists, possibly zeros (E0405 when it does not).
pub fn reaches(prog: &Program, root: NodeId, x: NodeId) -> bool {
    walk(prog, root, operands::graph_edges).contains(&x)
}

/// The nodes of each op call's backward template, in creation order.
pub fn templates(prog: &Program) -> HashMap<u32, Vec<NodeId>> {
    template_nodes(prog)
}

/// Derives every backward graph of the program that lowering left for later, in
/// place, and checks the retain_graph rule over all of them in program order.
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
        let before = prog.graph.index_bound();
        let (holders, saved, reads_by) = match &call.derived {
            // Derived already, during lowering (create_graph): only the rule is checked.
            Some(d) => (d.holders.clone(), d.forward_reads.clone(), versions::approximate_reads(prog, &d.holders, &d.forward_reads)),
            None => {
                let targets: HashSet<NodeId> = call.targets.iter().map(|(t, _)| *t).collect();
                let d = derive(prog, call.root, call.seed, call.span, Region::Backward(k as u32), &targets, false, &templates);
                for (target, placeholder) in &call.targets {
                    // `derive` gives every target a gradient, zeros when none flows.
                    if let Some(&grad) = d.grads.get(target) {
                        prog.replace_value(*placeholder, grad);
                        dead.push(*placeholder);
                    }
                }
                (d.holders, d.forward_reads, d.reads_by)
            }
        };
        versions::check(prog, k, &reads_by, &mut diags);
        if let Some((n, j)) = holders.iter().find_map(|h| released.get(h).map(|j| (*h, *j))) {
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
        // Nothing is removed inside this loop, so the new indices are exactly the new nodes.
        let created = prog.graph.index_bound() - before;
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
