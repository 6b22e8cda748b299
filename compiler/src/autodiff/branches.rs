//! Gradients through an `if` decided at run time.
//!
//! PyTorch differentiates the side that ran. graphc compiles both sides, so the
//! backward of a run-time `if` is a run-time `if` too: on the same condition, each
//! side of the backward branch runs its forward side again (a copy of its body
//! without the prints, plots, saves, asserts and draws, which already happened)
//! and differentiates it, from the gradients of the branch's outputs to the
//! branch's inputs. The numbers the side drew (a dropout's mask) are extra
//! outputs of the forward branch, which the backward side reads in their
//! place. Recomputing the side, rather than exporting what its rules save,
//! keeps the branch's outputs the same on both sides whatever each side saves;
//! the price is running the side's forward twice.
//!
//! The gradient that later uses of an input already gave it (the consumers made
//! after the `if`, which PyTorch's engine runs first) is handed to the side as
//! that input's first contribution, so that the side adds its own after it: the
//! sums come out in PyTorch's order.
//!
//! A side is copied from its lowered body, before autodiff: an op's backward
//! template and the side's own `backward` calls are still there, and the copy is
//! differentiated like any body afterwards (`driver::regions`).

use std::collections::{HashMap, HashSet};

use graphc_runtime::op::Scalar;
use graphc_runtime::Op;

use super::builder::RuleCtx;
use super::operands;
use crate::ir::graph::{Node, NodeId, NodeMeta, Region};
use crate::ir::program::{BackwardCall, DerivedCall, Effect, LoopRegion, Program, ProgramInput};
use crate::syntax::ast::Span;

/// The index of the `Effect::Branch` whose outputs `n` is one of, if it is one.
pub fn branch_of(prog: &Program, n: NodeId) -> Option<usize> {
    let Op::RegionOutput { region, .. } = prog.graph.node(n).op else { return None };
    prog.effects.iter().position(|e| matches!(e, Effect::Branch { then, otherwise, .. } if *then == region || *otherwise == region))
}

/// The branch's inputs (outer nodes) that output `j` of branch effect `e` is
/// connected to through either side, following `edges` inside the sides.
pub(crate) fn connected_inputs(prog: &Program, e: usize, j: usize, edges: fn(&Program, NodeId) -> Vec<NodeId>) -> Vec<NodeId> {
    let Effect::Branch { then, otherwise, inputs, .. } = &prog.effects[e] else { return vec![] };
    let mut found: HashSet<usize> = HashSet::new();
    for r in [*then, *otherwise] {
        let body = &prog.regions[r as usize].body;
        let Some(&out) = body.exports.get(&LoopRegion::output_name(j)) else { continue };
        for n in super::walk(body, out, edges) {
            if let Op::Input(k) = body.graph.node(n).op {
                // Body input 0 is the (unused) iteration index; input `k` is outer input `k - 1`.
                if k > 0 {
                    found.insert(k as usize - 1);
                }
            }
        }
    }
    let mut ks: Vec<usize> = found.into_iter().collect();
    ks.sort();
    ks.into_iter().filter_map(|k| inputs.get(k).copied()).filter(|i| prog.graph.meta(*i).requires_grad).collect()
}

/// Why a backward cannot go through output `j` of branch effect `e`: the place
/// in a side that stops it and what it is, or `None` when it can.
pub fn obstacle(prog: &Program, e: usize, j: usize) -> Option<(Span, super::loops::Obstacle)> {
    let Effect::Branch { then, otherwise, .. } = &prog.effects[e] else { return None };
    for r in [*then, *otherwise] {
        let body = &prog.regions[r as usize].body;
        let Some(&out) = body.exports.get(&LoopRegion::output_name(j)) else { continue };
        let mut crossed: Vec<NodeId> = super::walk(body, out, operands::gradient_edges).into_iter().collect();
        crossed.sort();
        for n in crossed {
            // A loop or another `if` inside the side, which the gradient crosses too.
            if let Some(found) = super::loops::crossing_obstacle(body, n) {
                return Some(found);
            }
        }
        // The side runs again for its backward, with the numbers it drew read
        // from the forward branch; a loop or `if` inside it would run again
        // whole, and draw other numbers.
        if let Some(at) = first_nested_draw(body) {
            let at = if at == Span::default() { body.graph.meta(out).span } else { at };
            return Some((at, super::loops::Obstacle::BranchDraws));
        }
    }
    None
}

/// Where a loop or branch inside `prog` first seeds or draws from the random
/// generator: the backward of `prog`, which runs it again, would draw again.
pub(super) fn first_nested_draw(prog: &Program) -> Option<Span> {
    prog.effects.iter().find_map(|e| match e {
        Effect::Loop { region, .. } => first_draw(&prog.regions[*region as usize].body),
        Effect::Branch { then, otherwise, .. } => {
            first_draw(&prog.regions[*then as usize].body).or_else(|| first_draw(&prog.regions[*otherwise as usize].body))
        }
        _ => None,
    })
}

/// Where `prog` (or a loop or branch inside it) first seeds or draws from the random generator.
fn first_draw(prog: &Program) -> Option<Span> {
    prog.effects.iter().find_map(|e| match e {
        Effect::Sample(n) => Some(prog.graph.meta(*n).span),
        // A seed has no span of its own: the caller points at the value instead.
        Effect::Seed(_) => Some(Span::default()),
        Effect::Loop { region, .. } => first_draw(&prog.regions[*region as usize].body),
        Effect::Branch { then, otherwise, .. } => {
            first_draw(&prog.regions[*then as usize].body).or_else(|| first_draw(&prog.regions[*otherwise as usize].body))
        }
        _ => None,
    })
}

/// Applies the backward of branch effect `e` at its output `n`, whose gradient is
/// `g`: takes the gradients of its other outputs and the contributions its inputs
/// have so far out of `grads`, emits the backward branch, and returns each input
/// with its whole gradient so far.
pub(super) fn apply(
    ctx: &mut RuleCtx,
    prog: &mut Program,
    e: usize,
    n: NodeId,
    g: NodeId,
    grads: &mut HashMap<NodeId, Vec<NodeId>>,
    span: Span,
) -> Vec<(NodeId, Option<NodeId>)> {
    let Effect::Branch { cond, then, otherwise, inputs, outputs } = prog.effects[e].clone() else { return vec![] };
    let cotangents = output_cotangents(ctx, prog, &outputs, (n, g), grads);
    let mut wanted: Vec<NodeId> = Vec::new();
    for &(j, _) in &cotangents {
        for i in connected_inputs(prog, e, j, operands::gradient_edges) {
            if !wanted.contains(&i) {
                wanted.push(i);
            }
        }
    }
    wanted.sort_by_key(|i| inputs.iter().position(|x| x == i));
    let mut partials: Vec<(NodeId, NodeId)> = Vec::new();
    for &i in &wanted {
        if let Some(cs) = grads.remove(&i) {
            partials.push((i, ctx.sum(&mut prog.graph, i, &cs)));
        }
    }
    if wanted.is_empty() {
        return vec![];
    }
    let slot = |i: NodeId| inputs.iter().position(|x| *x == i).expect("a wanted input is an input of the branch") + 1;
    let want: Vec<usize> = wanted.iter().map(|i| slot(*i)).collect();
    let seeded: Vec<usize> = partials.iter().map(|(i, _)| slot(*i)).collect();
    let cots: Vec<usize> = cotangents.iter().map(|(j, _)| *j).collect();
    let mut holds = false;
    let mut reads: Vec<NodeId> = Vec::new();
    let mut sides: Vec<Program> = Vec::with_capacity(2);
    for side in [then, otherwise] {
        let (body, outcome) = backward_side(&prog.regions[side as usize].body, &cots, &want, &seeded, span);
        holds |= outcome.holds;
        reads.extend(outcome.reads.iter().map(|s| inputs[s - 1]));
        sides.push(body);
    }
    let draws = export_draws(prog, e, &mut sides, span);
    let first = prog.regions.len() as u32;
    for (side, body) in [then, otherwise].into_iter().zip(sides) {
        let region =
            LoopRegion { body, trip: 1, start: 0, step: 1, carried: Vec::new(), exit: None, span: prog.regions[side as usize].span, plan: None };
        prog.regions.push(region);
    }
    ctx.at(prog.graph.meta(n).span);
    let mut results = Vec::with_capacity(wanted.len());
    for (j, &i) in wanted.iter().enumerate() {
        let node = prog.graph.node(i).clone();
        let out = ctx.add_node(&mut prog.graph, Op::RegionOutput { region: first, output: j as u32 }, node.dtype, node.shape, &[]);
        prog.graph.meta_mut(out).note =
            Some(format!("gradient through the `if` for {}", prog.graph.meta(i).note.clone().unwrap_or_else(|| "an input".to_string())));
        results.push((i, Some(out)));
    }
    let mut effect_inputs = inputs.clone();
    effect_inputs.extend(cotangents.iter().map(|(_, c)| *c));
    effect_inputs.extend(partials.iter().map(|(_, p)| *p));
    effect_inputs.extend(draws);
    let outs: Vec<NodeId> = results.iter().filter_map(|(_, o)| *o).collect();
    let at = insertion_point(prog, e, &effect_inputs);
    prog.effects.insert(at, Effect::Branch { cond, then: first, otherwise: first + 1, inputs: effect_inputs, outputs: outs });
    // The backward keeps what the sides' rules read alive: the branch's inputs
    // they recompute from (the retain_graph and in-place checks see them).
    if holds {
        for r in reads {
            ctx.fwd(r);
        }
        ctx.reads_forward = true;
    }
    results
}

/// The gradient of each output of a loop or branch effect that has one: `g` for
/// the output `n` the walk met, and for the others the sum of what `grads` holds
/// (taken out of it). Every output's users were made after the outputs, so
/// their contributions are all in.
pub(super) fn output_cotangents(
    ctx: &mut RuleCtx,
    prog: &mut Program,
    outputs: &[NodeId],
    (n, g): (NodeId, NodeId),
    grads: &mut HashMap<NodeId, Vec<NodeId>>,
) -> Vec<(usize, NodeId)> {
    let mut cotangents = Vec::new();
    for (j, &o) in outputs.iter().enumerate() {
        if o == n {
            cotangents.push((j, g));
        } else if let Some(cs) = grads.remove(&o) {
            cotangents.push((j, ctx.sum(&mut prog.graph, o, &cs)));
        }
    }
    cotangents
}

/// Where the backward branch goes among the effects: after the forward branch
/// and after every effect that makes a value it reads (a loop's or branch's
/// output, a random draw), so that it runs when all its inputs exist; the uses
/// of its outputs all come later in program order.
pub(super) fn insertion_point(prog: &Program, forward: usize, reads: &[NodeId]) -> usize {
    let mut made_by: HashMap<NodeId, usize> = HashMap::new();
    for (k, e) in prog.effects.iter().enumerate() {
        match e {
            Effect::Sample(n) => {
                made_by.insert(*n, k);
            }
            Effect::Loop { outputs, .. } | Effect::Branch { outputs, .. } => made_by.extend(outputs.iter().map(|o| (*o, k))),
            _ => {}
        }
    }
    let mut at = forward;
    let mut seen = HashSet::new();
    let mut stack = reads.to_vec();
    while let Some(m) = stack.pop() {
        if !seen.insert(m) {
            continue;
        }
        match made_by.get(&m) {
            // What an effect reads was made before it.
            Some(&k) => at = at.max(k),
            None => stack.extend(prog.graph.operands(m)),
        }
    }
    at + 1
}

/// Makes the forward branch effect `e` give, as outputs after its own, each
/// number a side drew that the side's backward (in `sides`, then's and
/// otherwise's) reads, with zeros from the other side, which drew none; each
/// backward side gets an input for each of them, and reads its own draws from
/// theirs instead of drawing again. Returns the new outputs of the forward branch.
fn export_draws(prog: &mut Program, e: usize, sides: &mut [Program], span: Span) -> Vec<NodeId> {
    let Effect::Branch { then, otherwise, .. } = prog.effects[e] else { unreachable!("`apply` passes a branch effect") };
    let regions = [then, otherwise];
    let mut draws: Vec<(usize, NodeId)> = Vec::new();
    for (k, r) in regions.iter().enumerate() {
        let used = super::loops::used_nodes(&sides[k]);
        for ef in &prog.regions[*r as usize].body.effects {
            if let Effect::Sample(d) = ef {
                if used.contains(d) {
                    draws.push((k, *d));
                }
            }
        }
    }
    let mut outs = Vec::with_capacity(draws.len());
    for (k, d) in draws {
        let Effect::Branch { outputs, .. } = &prog.effects[e] else { unreachable!() };
        let j = outputs.len();
        let node = prog.regions[regions[k] as usize].body.graph.node(d).clone();
        let meta = |note: Option<String>| NodeMeta { span, region: Region::Forward, requires_grad: false, note };
        for (m, r) in regions.iter().enumerate() {
            let body = &mut prog.regions[*r as usize].body;
            let value = if m == k {
                d
            } else {
                // The side that did not draw gives zeros in its place, which nothing reads.
                let zeros = Node { op: Op::Full(Scalar::of(0.0, node.dtype)), dtype: node.dtype, shape: node.shape.clone() };
                body.graph.add(zeros, &[], meta(None))
            };
            body.exports.insert(LoopRegion::output_name(j), value);
        }
        let op = Op::RegionOutput { region: then, output: j as u32 };
        let out = prog.graph.add(Node { op, dtype: node.dtype, shape: node.shape.clone() }, &[], meta(Some("a draw in the `if`".to_string())));
        let Effect::Branch { outputs, .. } = &mut prog.effects[e] else { unreachable!() };
        outputs.push(out);
        outs.push(out);
        for (m, body) in sides.iter_mut().enumerate() {
            let (input, _) = super::loops::add_input_of(body, node.dtype, node.shape.clone(), "a draw of the forward side".to_string(), span);
            if m == k {
                body.replace_value(d, input);
            }
        }
    }
    outs
}

/// What a side's backward read of the branch's inputs.
struct SideOutcome {
    /// Whether its rules read forward values (PyTorch's saved tensors).
    holds: bool,
    /// The body input slots whose values its rules read.
    reads: Vec<usize>,
}

/// The backward of one side: a copy of the side's lowered body `fwd` that takes,
/// after its own inputs, the gradient of each output in `cots`, then the first
/// contribution of each input slot in `seeded`; it exports the gradient of each
/// input slot in `want` as its outputs, in order.
fn backward_side(fwd: &Program, cots: &[usize], want: &[usize], seeded: &[usize], span: Span) -> (Program, SideOutcome) {
    let mut body = fwd.clone();
    strip_effects(&mut body);
    let mut seeds: Vec<(NodeId, NodeId)> = Vec::new();
    let add_input = |body: &mut Program, like: NodeId, name: String| {
        let node = body.graph.node(like).clone();
        let k = body.inputs.len() as u32;
        let meta = NodeMeta { span, region: Region::Forward, requires_grad: false, note: Some(name.clone()) };
        let id = body.graph.add(Node { op: Op::Input(k), dtype: node.dtype, shape: node.shape.clone() }, &[], meta);
        body.inputs.push(ProgramInput { name, node: Some(id), dtype: node.dtype, shape: node.shape, requires_grad: false, span });
        id
    };
    for &j in cots {
        let out = body.exports[&LoopRegion::output_name(j)];
        let c = add_input(&mut body, out, format!("gradient of out{j}"));
        seeds.push((out, c));
    }
    let input_node = |body: &Program, slot: usize| body.inputs[slot].node.expect("a lowered body keeps its inputs");
    let mut firsts = Vec::new();
    for &s in seeded {
        let i = input_node(&body, s);
        let name = format!("gradient so far of {}", body.inputs[s].name);
        let c = add_input(&mut body, i, name);
        firsts.push((i, c));
    }
    // The earlier contribution comes first in the input's sum.
    let mut all = firsts;
    all.extend(seeds);
    let targets: HashSet<NodeId> = want.iter().map(|s| input_node(&body, *s)).collect();
    let k = body.backwards.len() as u32;
    let templates = super::templates(&body);
    let mut ctx = RuleCtx::new(Region::Backward(k));
    let d = super::derive_seeded(&mut body, all.clone(), &mut ctx, &targets, &templates);
    body.exports.clear();
    for (o, s) in want.iter().enumerate() {
        let i = input_node(&body, *s);
        // An input that only the other side uses gets zeros from this one.
        let grad = d.grads.get(&i).copied().unwrap_or_else(|| {
            ctx.at(span);
            let node = body.graph.node(i).clone();
            ctx.full(&mut body.graph, 0.0, node.dtype, node.shape)
        });
        body.exports.insert(LoopRegion::output_name(o), grad);
    }
    let slots: HashMap<NodeId, usize> = want.iter().map(|s| (input_node(&body, *s), *s)).collect();
    let reads = d.forward_reads.iter().filter_map(|n| slots.get(n).copied()).collect();
    let outcome = SideOutcome { holds: !d.holders.is_empty(), reads };
    let (root, seed) = all[all.len() - 1];
    let derived = Some(DerivedCall { holders: d.holders, forward_reads: d.forward_reads });
    body.backwards.push(BackwardCall { span, root, seed: Some(seed), retain_graph: true, targets: vec![], derived });
    (body, outcome)
}

/// Removes what a side already did when it ran forward: its prints, plots,
/// saves, asserts and draws (the backward reads what was drawn, and a loop or
/// `if` inside that draws has no backward: [`obstacle`]), in the side and in the
/// loops and branches inside it.
pub(super) fn strip_effects(body: &mut Program) {
    body.effects.retain(|e| matches!(e, Effect::Loop { .. } | Effect::Branch { .. }));
    for r in &mut body.regions {
        strip_effects(&mut r.body);
    }
}
