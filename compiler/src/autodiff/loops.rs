//! Gradients through `for` loops compiled as regions (backpropagation through time).
//!
//! PyTorch records every iteration of a loop in its autograd graph and walks
//! them back in reverse. graphc compiles the body once, so the backward of a
//! loop is a loop too: it runs the iterations in reverse order (the same loop
//! index, counted down), and each of its iterations runs the forward body again
//! (a copy without its prints, plots, saves and asserts, which already
//! happened) and differentiates it, from the gradients of the body's outputs to
//! the gradients of its inputs.
//!
//! - A value carried from one iteration to the next is what the body recomputes
//!   from, so the forward loop keeps each iteration's value of it on a tape (a
//!   tensor of `trip` rows, written at the iteration's row): only the carried
//!   values the backward body reads, after its derivation, are kept. That is
//!   the memory PyTorch's saved tensors take, traded for running each
//!   iteration's forward a second time.
//! - The numbers the body drew (a dropout's mask, a noise term) go on a tape
//!   too, when the backward body reads them: running the draw again would give
//!   other numbers, so each reverse iteration reads what its iteration drew, as
//!   PyTorch's backward reads the mask it saved. A loop or `if` inside the body
//!   that draws would run again whole, so a backward through it is E0604.
//! - The gradient of a carried input in one reverse iteration is the gradient of
//!   the output that fed it in the iteration before, which the backward loop
//!   carries; after the last reverse iteration it is the gradient of the value
//!   the loop started from.
//! - A value the body reads from outside the loop (a weight) gets one
//!   contribution per iteration. The backward loop carries its sum, started from
//!   the gradient that later uses already gave it, so that the sums come out in
//!   PyTorch's order: the engine runs the uses made after the loop first, then
//!   the iterations from the last to the first.
//!
//! A loop of one iteration (a peeled first iteration) needs no tape: its
//! carried inputs are the values it started from.

use std::collections::{BTreeSet, HashMap, HashSet};

use graphc_runtime::op::{Binary, IndexOp, Scalar};
use graphc_runtime::{DType, Op};

use super::builder::RuleCtx;
use super::{branches, operands};
use crate::ir::graph::{Node, NodeId, NodeMeta, Region};
use crate::ir::program::{BackwardCall, DerivedCall, Effect, LoopRegion, Program, ProgramInput};
use crate::syntax::ast::Span;

/// The index of the `Effect::Loop` whose outputs `n` is one of, if it is one.
pub fn loop_of(prog: &Program, n: NodeId) -> Option<usize> {
    let Op::RegionOutput { region, .. } = prog.graph.node(n).op else { return None };
    prog.effects.iter().position(|e| matches!(e, Effect::Loop { region: r, .. } if *r == region))
}

/// What stops a gradient from crossing a region: a loop or `if` inside it that
/// draws random numbers, which the region's backward would run again whole and
/// which would draw other numbers. (What the region draws itself is kept for
/// its backward.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Obstacle {
    /// A loop or `if` inside a side of a run-time `if` draws (or seeds).
    BranchDraws,
    /// A loop or `if` inside a loop body draws (or seeds).
    LoopDraws,
    /// A `while` loop, whose iterations only the run counts.
    Unbounded,
}

impl Obstacle {
    /// What the obstacle is, as the error message says it.
    pub fn why(self) -> &'static str {
        match self {
            Obstacle::BranchDraws => "a loop or `if` inside it draws random numbers, and the `if`'s backward would run that again",
            Obstacle::LoopDraws => "a loop or `if` inside it draws random numbers, and the loop's backward would run that again",
            Obstacle::Unbounded => "it is a `while` loop (or a loop of more than 2^62 iterations), whose backward would keep each iteration's values for as many iterations as it may run",
        }
    }
}

/// Why a gradient cannot cross region output `n` of `prog` (of a loop or of a
/// run-time `if`): the place that stops it and what it is, or `None` when it can
/// (or when `n` is no region's output).
pub fn crossing_obstacle(prog: &Program, n: NodeId) -> Option<(Span, Obstacle)> {
    let Op::RegionOutput { output, .. } = prog.graph.node(n).op else { return None };
    if let Some(e) = branches::branch_of(prog, n) {
        return branches::obstacle(prog, e, output as usize);
    }
    loop_of(prog, n).and_then(|e| obstacle(prog, e, output as usize))
}

/// The body input slots (slot 0 is the index) that body output `j` reads along
/// `edges` within one iteration.
fn slots_of_output(body: &Program, j: usize, edges: fn(&Program, NodeId) -> Vec<NodeId>) -> Vec<usize> {
    let Some(&out) = body.exports.get(&LoopRegion::output_name(j)) else { return vec![] };
    super::walk(body, out, edges)
        .into_iter()
        .filter_map(|n| match body.graph.node(n).op {
            Op::Input(k) if k > 0 => Some(k as usize),
            _ => None,
        })
        .collect()
}

/// The body input slots that body output `j` depends on across iterations (a
/// carried input depends on the output that fed it in the iteration before),
/// and the body outputs the dependency goes through, `j` included.
fn connected_slots(r: &LoopRegion, j: usize, edges: fn(&Program, NodeId) -> Vec<NodeId>) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let mut slots = BTreeSet::new();
    let mut outs = BTreeSet::new();
    let mut stack = vec![j];
    while let Some(j) = stack.pop() {
        if !outs.insert(j) {
            continue;
        }
        for k in slots_of_output(&r.body, j, edges) {
            if slots.insert(k) && r.trip > 1 {
                stack.extend(r.carried.iter().filter(|(_, c)| *c as usize == k).map(|(o, _)| *o as usize));
            }
        }
    }
    (slots, outs)
}

/// The loop's inputs (outer nodes) that output `j` of loop effect `e` is
/// connected to, following `edges` inside the body and across iterations.
pub(crate) fn connected_inputs(prog: &Program, e: usize, j: usize, edges: fn(&Program, NodeId) -> Vec<NodeId>) -> Vec<NodeId> {
    let Effect::Loop { region, inputs, .. } = &prog.effects[e] else { return vec![] };
    let (slots, _) = connected_slots(&prog.regions[*region as usize], j, edges);
    let mut found: Vec<NodeId> = Vec::new();
    for k in slots {
        if let Some(&i) = inputs.get(k - 1) {
            if prog.graph.meta(i).requires_grad && !found.contains(&i) {
                found.push(i);
            }
        }
    }
    found
}

/// Why a backward cannot go through output `j` of loop effect `e`: the place in
/// the body that stops it and what it is, or `None` when it can.
pub fn obstacle(prog: &Program, e: usize, j: usize) -> Option<(Span, Obstacle)> {
    let Effect::Loop { region, .. } = &prog.effects[e] else { return None };
    let r = &prog.regions[*region as usize];
    // A `while` loop's region (or what is left of it after peeled iterations).
    if r.trip >= crate::ir::program::UNBOUNDED_TRIP / 2 {
        return Some((r.span, Obstacle::Unbounded));
    }
    let body = &r.body;
    let (_, outs) = connected_slots(r, j, operands::gradient_edges);
    for o in outs {
        let Some(&out) = body.exports.get(&LoopRegion::output_name(o)) else { continue };
        let mut crossed: Vec<NodeId> = super::walk(body, out, operands::gradient_edges).into_iter().collect();
        crossed.sort();
        for n in crossed {
            if let Some(found) = crossing_obstacle(body, n) {
                return Some(found);
            }
        }
    }
    // Each iteration runs again for the backward, with the numbers it drew read
    // from a tape; a loop or `if` inside it would run again whole, and draw
    // other numbers.
    branches::first_nested_draw(body).map(|at| {
        let at = if at == Span::default() { r.span } else { at };
        (at, Obstacle::LoopDraws)
    })
}

/// Applies the backward of loop effect `e` at its output `n`, whose gradient is
/// `g`: takes the gradients of its other outputs and the contributions its
/// inputs have so far out of `grads`, emits the backward loop, and returns each
/// input with its whole gradient so far.
pub(super) fn apply(
    ctx: &mut RuleCtx,
    prog: &mut Program,
    e: usize,
    n: NodeId,
    g: NodeId,
    grads: &mut HashMap<NodeId, Vec<NodeId>>,
    span: Span,
) -> Vec<(NodeId, Option<NodeId>)> {
    let Effect::Loop { region, inputs, outputs } = prog.effects[e].clone() else { return vec![] };
    let fwd = prog.regions[region as usize].clone();
    let trip = fwd.trip;
    let cotangents: HashMap<usize, NodeId> = branches::output_cotangents(ctx, prog, &outputs, (n, g), grads).into_iter().collect();
    let mut slots: BTreeSet<usize> = BTreeSet::new();
    let mut through: BTreeSet<usize> = BTreeSet::new();
    for &j in cotangents.keys() {
        let (s, o) = connected_slots(&fwd, j, operands::gradient_edges);
        slots.extend(s);
        through.extend(o);
    }
    if slots.is_empty() {
        return vec![];
    }
    // The backward runs every iteration in reverse, reading each one's tape row:
    // the forward runs them all too (after a `break` they pass their values through).
    prog.regions[region as usize].exit = None;
    // Which output feeds each carried input (in a loop of one iteration, none does).
    let fed_by: HashMap<usize, usize> = if trip > 1 { fwd.carried.iter().map(|&(j, k)| (k as usize, j as usize)).collect() } else { HashMap::new() };
    // The outer values whose gradients the loop gives, and what later uses gave them so far.
    let mut wanted: Vec<NodeId> = Vec::new();
    for &k in &slots {
        let i = inputs[k - 1];
        if prog.graph.meta(i).requires_grad && !wanted.contains(&i) {
            wanted.push(i);
        }
    }
    let mut partials: HashMap<NodeId, NodeId> = HashMap::new();
    for &i in &wanted {
        if let Some(cs) = grads.remove(&i) {
            partials.insert(i, ctx.sum(&mut prog.graph, i, &cs));
        }
    }

    // The backward body: the forward body again, which takes the gradient of each
    // output it runs back from, and the sum so far of each outside value's gradient.
    let mut body = fwd.body.clone();
    branches::strip_effects(&mut body);
    let slot_node = |body: &Program, k: usize| body.inputs[k].node.expect("a lowered body keeps its inputs");
    let mut effect_inputs = inputs.clone();
    let mut seeds: Vec<(NodeId, NodeId)> = Vec::new();
    // Outputs whose gradient the backward loop carries: those the loop's users
    // differentiate and those that feed a carried input the gradient reaches.
    let cot_outputs: BTreeSet<usize> =
        cotangents.keys().copied().chain(slots.iter().filter_map(|k| fed_by.get(k).copied())).filter(|j| through.contains(j)).collect();
    let mut cot_slots: Vec<(usize, usize)> = Vec::new();
    for &j in &cot_outputs {
        let out = body.exports[&LoopRegion::output_name(j)];
        let (c, slot) = add_input(&mut body, out, format!("gradient of out{j}"), span);
        seeds.push((out, c));
        cot_slots.push((j, slot));
        let init = match cotangents.get(&j) {
            Some(&c) => c,
            // The gradient of an output only the next iteration reads starts at zero.
            None => zeros_like(ctx, prog, outputs[j], span),
        };
        effect_inputs.push(init);
    }
    let mut firsts: Vec<(NodeId, NodeId)> = Vec::new();
    let mut acc_slots: HashMap<usize, usize> = HashMap::new();
    let mut seeded: HashSet<NodeId> = HashSet::new();
    for &k in slots.iter().filter(|k| !fed_by.contains_key(k)) {
        let outer = inputs[k - 1];
        let so_far = partials.get(&outer).copied().filter(|_| !seeded.contains(&outer));
        let init = match so_far {
            Some(p) => {
                seeded.insert(outer);
                p
            }
            // A loop of one iteration adds one contribution and needs no sum to carry.
            None if trip == 1 => continue,
            None => {
                let node = prog.graph.node(outer).clone();
                ctx.at(span);
                ctx.full(&mut prog.graph, 0.0, node.dtype, node.shape)
            }
        };
        let i = slot_node(&body, k);
        let name = format!("gradient so far of {}", body.inputs[k].name);
        let (c, slot) = add_input(&mut body, i, name, span);
        firsts.push((i, c));
        acc_slots.insert(k, slot);
        effect_inputs.push(init);
    }
    // An earlier contribution comes first in a value's sum.
    let mut all = firsts;
    all.extend(seeds);
    let targets: HashSet<NodeId> = slots.iter().map(|k| slot_node(&body, *k)).collect();
    let templates = super::templates(&body);
    let mut bctx = RuleCtx::new(Region::Backward(body.backwards.len() as u32));
    let d = super::derive_seeded(&mut body, all.clone(), &mut bctx, &targets, &templates);
    let grad_of = |body: &mut Program, bctx: &mut RuleCtx, k: usize| match d.grads.get(&slot_node(body, k)) {
        Some(&g) => g,
        None => {
            bctx.at(span);
            let node = body.graph.node(slot_node(body, k)).clone();
            bctx.full(&mut body.graph, 0.0, node.dtype, node.shape)
        }
    };
    body.exports.clear();
    let mut carried: Vec<(u32, u32)> = Vec::new();
    let mut result_of_slot: HashMap<usize, usize> = HashMap::new();
    for &(j, cslot) in &cot_slots {
        // What this output's gradient is in the iteration before: the gradient of the input it fed.
        let feeds =
            fwd.carried.iter().find(|(o, _)| *o as usize == j).map(|(_, k)| *k as usize).filter(|k| fed_by.contains_key(k) && slots.contains(k));
        let v = match feeds {
            Some(k) => grad_of(&mut body, &mut bctx, k),
            None => {
                bctx.at(span);
                let out = &fwd.body.graph.node(fwd.body.exports[&LoopRegion::output_name(j)]);
                bctx.full(&mut body.graph, 0.0, out.dtype, out.shape.clone())
            }
        };
        let m = body.exports.len();
        body.exports.insert(LoopRegion::output_name(m), v);
        carried.push((m as u32, cslot as u32));
        if let Some(k) = feeds {
            result_of_slot.insert(k, m);
        }
    }
    for &k in slots.iter().filter(|k| !fed_by.contains_key(k)) {
        let v = grad_of(&mut body, &mut bctx, k);
        let m = body.exports.len();
        body.exports.insert(LoopRegion::output_name(m), v);
        if let Some(&a) = acc_slots.get(&k) {
            carried.push((m as u32, a as u32));
        }
        result_of_slot.insert(k, m);
    }
    // The carried inputs the backward body still reads come from the forward loop's tape.
    let used = used_nodes(&body);
    let mut taped: Vec<usize> =
        fwd.carried.iter().map(|(_, k)| *k as usize).filter(|k| fed_by.contains_key(k) && used.contains(&slot_node(&body, *k))).collect();
    taped.sort();
    taped.dedup();
    // So do the numbers the body drew that the backward body reads (a
    // dropout's mask, a noise term): drawing them again would give others, so
    // the backward reads what each iteration drew, as PyTorch's saved mask.
    let drawn: Vec<NodeId> = fwd
        .body
        .effects
        .iter()
        .filter_map(|ef| match ef {
            Effect::Sample(d) if used.contains(d) => Some(*d),
            _ => None,
        })
        .collect();
    let recorded: Vec<NodeId> = taped.iter().map(|&k| slot_node(&body, k)).chain(drawn).collect();
    for value in recorded {
        let tape = record_tape(prog, e, value, span);
        let (t, _) = add_tape_input(&mut body, value, trip, span);
        let row = read_row(&mut body, &fwd, t, value, span);
        body.replace_value(value, row);
        effect_inputs.push(tape);
    }
    let reads: Vec<NodeId> =
        (1..=inputs.len()).filter(|k| used.contains(&slot_node(&body, *k)) && !taped.contains(k)).map(|k| inputs[k - 1]).collect();
    let holds = !d.holders.is_empty();
    let (root, seed) = all[all.len() - 1];
    let derived = Some(DerivedCall { holders: d.holders, forward_reads: d.forward_reads });
    body.backwards.push(BackwardCall { span, root, seed: Some(seed), retain_graph: true, targets: vec![], derived });

    // The backward loop, after the forward loop and whatever made its inputs.
    let last = fwd.start as i128 + (trip as i128 - 1) * fwd.step as i128;
    let new_region = prog.regions.len() as u32;
    let exported: Vec<(DType, Vec<usize>)> = (0..body.exports.len())
        .map(|m| {
            let node = body.graph.node(body.exports[&LoopRegion::output_name(m)]);
            (node.dtype, node.shape.clone())
        })
        .collect();
    prog.regions.push(LoopRegion { body, trip, start: last as i64, step: -fwd.step, carried, exit: None, span: fwd.span, plan: None });
    ctx.at(prog.graph.meta(n).span);
    let mut outs = Vec::with_capacity(exported.len());
    for (m, (dtype, shape)) in exported.into_iter().enumerate() {
        let out = ctx.add_node(&mut prog.graph, Op::RegionOutput { region: new_region, output: m as u32 }, dtype, shape, &[]);
        outs.push(out);
    }
    let at = branches::insertion_point(prog, e, &effect_inputs);
    prog.effects.insert(at, Effect::Loop { region: new_region, inputs: effect_inputs, outputs: outs.clone() });

    let mut results = Vec::with_capacity(wanted.len());
    for &i in &wanted {
        let mut parts: Vec<NodeId> = partials.get(&i).copied().filter(|_| !seeded.contains(&i)).into_iter().collect();
        parts.extend(slots.iter().filter(|k| inputs[*k - 1] == i).map(|k| outs[result_of_slot[k]]));
        let whole = ctx.sum(&mut prog.graph, i, &parts);
        let name = prog.graph.meta(i).note.clone().unwrap_or_else(|| "an input".to_string());
        for k in slots.iter().filter(|k| inputs[*k - 1] == i) {
            prog.graph.meta_mut(outs[result_of_slot[k]]).note = Some(format!("gradient through the loop for {name}"));
        }
        results.push((i, Some(whole)));
    }
    // The backward keeps what the recomputation reads alive: the loop's inputs
    // (the retain_graph and in-place checks see them).
    if holds {
        for r in reads {
            ctx.fwd(r);
        }
        ctx.reads_forward = true;
    }
    results
}

/// Adds an input like node `like` to `body`; returns its node and its slot.
fn add_input(body: &mut Program, like: NodeId, name: String, span: Span) -> (NodeId, usize) {
    let node = body.graph.node(like).clone();
    add_input_of(body, node.dtype, node.shape, name, span)
}

pub(super) fn add_input_of(body: &mut Program, dtype: DType, shape: Vec<usize>, name: String, span: Span) -> (NodeId, usize) {
    let k = body.inputs.len();
    let meta = NodeMeta { span, region: Region::Forward, requires_grad: false, note: Some(name.clone()) };
    let id = body.graph.add(Node { op: Op::Input(k as u32), dtype, shape: shape.clone() }, &[], meta);
    body.inputs.push(ProgramInput { name, node: Some(id), dtype, shape, requires_grad: false, span });
    (id, k)
}

/// Adds to `body` the input of the tape of its value `input` (a carried input or
/// a draw): `trip` rows of it, flat.
fn add_tape_input(body: &mut Program, input: NodeId, trip: u64, span: Span) -> (NodeId, usize) {
    let node = body.graph.node(input).clone();
    let numel: usize = node.shape.iter().product();
    let what = if node.op.is_random() { "a draw" } else { "a carried value" };
    let name = format!("tape of {}", body.graph.meta(input).note.clone().unwrap_or_else(|| what.to_string()));
    add_input_of(body, node.dtype, vec![trip as usize * numel], name, span)
}

/// The flat positions of this iteration's row of a tape of `numel`-element rows,
/// in `body` of loop `r`: `(index - start) / step * numel + arange(numel)`.
fn row_positions(body: &mut Program, (first, stride): (i64, i64), numel: usize, span: Span) -> NodeId {
    let index = body.inputs[0].node.expect("a loop body has its index");
    let mut add = |op: Op, shape: Vec<usize>, args: &[NodeId]| {
        let meta = NodeMeta { span, region: Region::Forward, requires_grad: false, note: None };
        body.graph.add(Node { op, dtype: DType::I64, shape }, args, meta)
    };
    let start = add(Op::Full(Scalar::Int(first)), vec![], &[]);
    let step = add(Op::Full(Scalar::Int(stride)), vec![], &[]);
    let size = add(Op::Full(Scalar::Int(numel as i64)), vec![], &[]);
    let from_start = add(Op::Binary(Binary::Sub), vec![], &[index, start]);
    let row = add(Op::Binary(Binary::FloorDivide), vec![], &[from_start, step]);
    let base = add(Op::Binary(Binary::Mul), vec![], &[row, size]);
    let offsets = add(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, vec![numel], &[]);
    add(Op::Binary(Binary::Add), vec![numel], &[base, offsets])
}

/// Makes forward loop effect `e` write each iteration's value of `input` (a
/// carried input of its body, or a draw in it) to a tape, a carried tensor of
/// `trip` rows that starts as zeros; returns the node of the tape after the loop.
fn record_tape(prog: &mut Program, e: usize, input: NodeId, span: Span) -> NodeId {
    let Effect::Loop { region, .. } = prog.effects[e] else { unreachable!("`apply` passes a loop effect") };
    let r = &mut prog.regions[region as usize];
    let node = r.body.graph.node(input).clone();
    let numel: usize = node.shape.iter().product();
    let trip = r.trip;
    let (tape, slot) = add_tape_input(&mut r.body, input, trip, span);
    let pos = row_positions(&mut r.body, (r.start, r.step), numel, span);
    let meta = |note: Option<String>| NodeMeta { span, region: Region::Forward, requires_grad: false, note };
    let flat = r.body.graph.add(Node { op: Op::Reshape, dtype: node.dtype, shape: vec![numel] }, &[input], meta(None));
    let op = Op::Index(IndexOp::ScatterInto { dim: 0, add: false });
    let written = r.body.graph.add(Node { op, dtype: node.dtype, shape: vec![trip as usize * numel] }, &[tape, pos, flat], meta(None));
    let Effect::Loop { outputs, .. } = &prog.effects[e] else { unreachable!() };
    let j = outputs.len();
    let r = &mut prog.regions[region as usize];
    r.body.exports.insert(LoopRegion::output_name(j), written);
    r.carried.push((j as u32, slot as u32));
    let tape_note = r.body.inputs[slot].name.clone();
    let zeros =
        prog.graph.add(Node { op: Op::Full(Scalar::of(0.0, node.dtype)), dtype: node.dtype, shape: vec![trip as usize * numel] }, &[], meta(None));
    let out = prog.graph.add(
        Node { op: Op::RegionOutput { region, output: j as u32 }, dtype: node.dtype, shape: vec![trip as usize * numel] },
        &[],
        meta(Some(tape_note)),
    );
    let Effect::Loop { inputs, outputs, .. } = &mut prog.effects[e] else { unreachable!() };
    inputs.push(zeros);
    outputs.push(out);
    out
}

/// In backward body `body` of forward loop `fwd`, this iteration's row of tape
/// `tape`, shaped as the carried input `input` it records.
fn read_row(body: &mut Program, fwd: &LoopRegion, tape: NodeId, input: NodeId, span: Span) -> NodeId {
    let node = body.graph.node(input).clone();
    let numel: usize = node.shape.iter().product();
    let pos = row_positions(body, (fwd.start, fwd.step), numel, span);
    let meta = NodeMeta { span, region: Region::Forward, requires_grad: false, note: body.graph.meta(input).note.clone() };
    let flat = body.graph.add(Node { op: Op::Index(IndexOp::Gather { dim: 0 }), dtype: node.dtype, shape: vec![numel] }, &[tape, pos], meta.clone());
    body.graph.add(Node { op: Op::Reshape, dtype: node.dtype, shape: node.shape }, &[flat], meta)
}

/// The nodes the exports and effects of `prog` read, directly or through operands.
pub(super) fn used_nodes(prog: &Program) -> HashSet<NodeId> {
    let mut seen = HashSet::new();
    let mut stack = prog.roots();
    while let Some(n) = stack.pop() {
        if seen.insert(n) {
            stack.extend(prog.graph.operands(n));
        }
    }
    seen
}

/// A zero gradient shaped as the outer node `like`.
fn zeros_like(ctx: &mut RuleCtx, prog: &mut Program, like: NodeId, span: Span) -> NodeId {
    let node = prog.graph.node(like).clone();
    ctx.at(span);
    ctx.full(&mut prog.graph, 0.0, node.dtype, node.shape)
}
