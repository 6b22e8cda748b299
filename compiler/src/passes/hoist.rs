//! Loop-invariant code motion: work in a loop body that computes the same value
//! in every iteration runs once, before the loop.
//!
//! A body value is invariant when it depends only on body inputs that are not
//! carried (they keep their outer value through every iteration) and on
//! constants, through ops that neither draw from the random generator nor read
//! a file nor depend on a nested loop or branch. The cross-entropy's gradient
//! of a full-batch training loop is one: `scatter_add` of `-1/N` at the labels
//! gives the same tensor in all 300 steps of `examples/train_digits.act`.
//!
//! Each invariant value that the rest of the body reads (or that an effect or a
//! body output reads), and whose computation does real work (more than
//! constants and views), becomes a new body input: its node turns into that
//! input in place, and the ops that computed it are copied into the program
//! around the loop, where they feed the loop's new input. The body's other
//! readers are untouched, so every value keeps its bits; the nodes left
//! unread in the body are removed.
//!
//! Only loops of two or more iterations are rewritten (one iteration gains
//! nothing; a loop's trip count is static). The hoisted ops run even if an
//! earlier statement of the first iteration would have failed, and an error of
//! their own (an index out of range) stops the program before that iteration's
//! prints instead of after: the error and its location are the same.
//!
//! The pipeline runs on every body before the program around it
//! (`driver::regions::optimize`), so a value invariant in two nested loops is
//! hoisted out of the inner one into the outer body, then out of that.

use std::collections::HashSet;

use graphc_runtime::op::OpClass;
use graphc_runtime::Op;

use super::{dce, Change};
use crate::ir::graph::{NodeId, NodeMeta};
use crate::ir::node_map::NodeMap;
use crate::ir::program::{Effect, Program, ProgramInput};

pub fn run(prog: &mut Program) -> Vec<Change> {
    let mut changes = Vec::new();
    for e in 0..prog.effects.len() {
        let Effect::Loop { region, .. } = prog.effects[e] else { continue };
        let r = region as usize;
        if prog.regions[r].trip < 2 {
            continue;
        }
        let mut body = std::mem::take(&mut prog.regions[r].body);
        let carried: HashSet<u32> = prog.regions[r].carried.iter().map(|&(_, k)| k).collect();
        changes.extend(hoist(prog, e, &mut body, &carried));
        prog.regions[r].body = body;
    }
    changes
}

/// Moves the invariant work of `body`, the body of loop effect `e` of `prog`
/// whose carried inputs are `carried`, into `prog`.
fn hoist(prog: &mut Program, e: usize, body: &mut Program, carried: &HashSet<u32>) -> Vec<Change> {
    let order = body.graph.topo_order();
    let bound = body.graph.index_bound();
    // Invariant nodes, and among them those whose computation does real work.
    let mut invariant = vec![false; bound];
    let mut working = vec![false; bound];
    for &n in &order {
        let g = &body.graph;
        let op = &g.node(n).op;
        let args = g.operand_slice(n);
        invariant[n.index()] = match op {
            // Input 0 is the loop index.
            Op::Input(k) => *k != 0 && !carried.contains(k),
            Op::Param(_) | Op::RegionOutput { .. } => false,
            _ if op.is_random() => false,
            _ => args.iter().all(|a| invariant[a.index()]),
        };
        working[n.index()] = invariant[n.index()] && (does_work(op) || args.iter().any(|a| working[a.index()]));
    }
    // The values to hoist: invariant work that something variant or a root reads.
    let roots: HashSet<NodeId> = body.roots().into_iter().collect();
    let hoisted: Vec<NodeId> = order
        .iter()
        .copied()
        .filter(|&n| working[n.index()] && (roots.contains(&n) || body.graph.users(n).iter().any(|u| !invariant[u.index()])))
        .collect();
    if hoisted.is_empty() {
        return Vec::new();
    }
    let Effect::Loop { inputs, outputs, .. } = &prog.effects[e] else { unreachable!("effect {e} is a loop") };
    let (mut inputs, outputs) = (inputs.clone(), outputs.clone());
    // Copy the cones of the hoisted values into `prog`, in the body's order. The
    // dump lists the copies among the loop's results, not after the whole program.
    let mut needed = vec![false; bound];
    let mut stack = hoisted.clone();
    while let Some(n) = stack.pop() {
        if !std::mem::replace(&mut needed[n.index()], true) {
            stack.extend_from_slice(body.graph.operand_slice(n));
        }
    }
    let mut outer: NodeMap<NodeId> = NodeMap::with_bound(bound);
    for &n in order.iter().filter(|n| needed[n.index()]) {
        let node = body.graph.node(n).clone();
        let copy = match node.op {
            Op::Input(k) => inputs[k as usize - 1],
            _ => {
                let args: Vec<NodeId> = body.graph.operand_slice(n).iter().map(|a| outer[a]).collect();
                let meta = NodeMeta { region: crate::ir::graph::Region::Forward, ..body.graph.meta(n).clone() };
                match outputs.first() {
                    Some(&first) => prog.graph.add_before(node, &args, meta, first),
                    None => prog.graph.add(node, &args, meta),
                }
            }
        };
        outer.insert(n, copy);
    }
    // Each hoisted node becomes a new body input, fed by its copy.
    let mut changes = Vec::new();
    for &n in &hoisted {
        let k = body.inputs.len() as u32;
        let (node, meta) = (body.graph.node(n).clone(), body.graph.meta(n).clone());
        changes.push(Change {
            span: meta.span,
            what: format!("{} computes the same value in every iteration -> computed once before the loop, read as input({k})", node.op.name()),
        });
        let name = meta.note.clone().unwrap_or_else(|| node.op.name().to_string());
        body.inputs.push(ProgramInput::of_node(name, n, &node, &meta));
        body.graph.node_mut(n).op = Op::Input(k);
        body.graph.set_operands(n, &[]);
        let note = match &meta.note {
            Some(note) => format!("{note}, hoisted {}", node.op.name()),
            None => format!("hoisted {}", node.op.name()),
        };
        body.graph.meta_mut(n).note = Some(note);
        inputs.push(outer[&n]);
    }
    if let Effect::Loop { inputs: effect_inputs, .. } = &mut prog.effects[e] {
        *effect_inputs = inputs;
    }
    // What computed the hoisted values in the body is read by nothing now.
    dce::run(body);
    body.graph.compact();
    body.forget_removed_inputs();
    changes
}

/// Whether computing `op` does work worth moving: everything but sources
/// (constants, which the kernels read as immediates, and inputs) and the shape
/// ops that only relabel their operand's elements.
fn does_work(op: &Op) -> bool {
    op.class() != OpClass::Source && !matches!(op, Op::Reshape | Op::Transpose | Op::Expand | Op::Permute(_))
}
