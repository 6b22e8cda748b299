//! The partition of a program's elementwise nodes into kernels, as fusion
//! (`fuse.rs`, which explains the rule) makes it before its own rewrites: each
//! node's phase (the first effect that needs it), whether it is fusable, and its
//! level, and the kernels those three facts make. It is an analysis, not a
//! stage: fusion builds its kernels on it after the passes, and the
//! save-or-recompute pass (`passes/remat.rs`) weighs values on it without running
//! fusion, so that no pass depends on the later stage.
//!
//! Without fusion's `exp(-x)` strength reduction (exact numerics) every member
//! of these kernels is a member of fusion's: the two partitions are the same.

use std::collections::HashMap;

use graphc_runtime::op::Op;
use graphc_runtime::DType;

use crate::ir::graph::{Graph, NodeId};
use crate::ir::node_map::NodeMap;
use crate::ir::program::Program;

/// The nodes of `prog` in the order the scheduler runs them (operands first),
/// each with its phase. Iterative, so that long chains cannot overflow the stack.
pub fn phases(prog: &Program) -> (Vec<NodeId>, NodeMap<usize>) {
    let g = &prog.graph;
    let mut order = Vec::new();
    let mut phase: NodeMap<usize> = NodeMap::with_bound(g.index_bound());
    let mut visit = |root: NodeId, p: usize, order: &mut Vec<NodeId>| {
        let mut stack = vec![(root, false)];
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                if !phase.contains_key(&n) {
                    phase.insert(n, p);
                    order.push(n);
                }
                continue;
            }
            if phase.contains_key(&n) {
                continue;
            }
            stack.push((n, true));
            for &o in g.operand_slice(n).iter().rev() {
                if !phase.contains_key(&o) {
                    stack.push((o, false));
                }
            }
        }
    };
    for (i, e) in prog.effects.iter().enumerate() {
        for n in e.nodes() {
            visit(n, i, &mut order);
        }
    }
    for n in export_order(prog) {
        visit(n, prog.effects.len(), &mut order);
    }
    (order, phase)
}

/// Exported nodes, by name: the scheduler computes them after every effect.
pub fn export_order(prog: &Program) -> Vec<NodeId> {
    let mut exports: Vec<(&String, &NodeId)> = prog.exports.iter().collect();
    exports.sort();
    exports.into_iter().map(|(_, n)| *n).collect()
}

/// A node fusion can put in a kernel: elementwise and float (the fused executor
/// computes in f32 or f64 only), each operand of its shape or one element.
pub fn fusable(g: &Graph, n: NodeId) -> bool {
    let node = g.node(n);
    node.op.is_elementwise()
        && node.dtype.is_float()
        && g.operand_slice(n).iter().all(|&o| {
            let on = g.node(o);
            on.dtype == node.dtype && (on.shape == node.shape || on.shape.iter().product::<usize>() == 1)
        })
}

/// A constant: fused kernels take it as an immediate, never as an operand read from memory.
pub fn is_const(g: &Graph, n: NodeId) -> bool {
    matches!(g.node(n).op, Op::Full(_))
}

/// Moves every fusable node that reads nothing computed in its phase up to the lowest
/// level among its readers, when they are all fusable nodes of its key. Raising a node's
/// level keeps every edge into it legal (its operands are constants, earlier phases or
/// nodes of its key at a level no higher), and no reader's level is passed, so no
/// kernel comes to depend on itself. Readers are settled first (reverse order), so a
/// chain of such nodes moves up together.
fn lift_free_nodes(free: &[NodeId], readers: &NodeMap<Vec<NodeId>>, same_key: &dyn Fn(NodeId, NodeId) -> bool, level: &mut NodeMap<u32>) {
    for &n in free.iter().rev() {
        let Some(rs) = readers.get(&n) else { continue };
        if rs.iter().all(|&r| same_key(n, r)) {
            if let Some(lowest) = rs.iter().map(|r| level[r]).min() {
                level.insert(n, lowest);
            }
        }
    }
}

/// Whether each node is fusable, and its level, in dependency order (`order`).
fn levels(g: &Graph, order: &[NodeId], phase: &NodeMap<usize>) -> (NodeMap<()>, NodeMap<u32>) {
    let bound = g.index_bound();
    // Levels, in dependency order. One walk computes what the node needs (fusable,
    // level, free) while its operands are in cache.
    let mut fus: NodeMap<()> = NodeMap::with_bound(bound);
    let mut level: NodeMap<u32> = NodeMap::with_bound(bound);
    let mut free: Vec<NodeId> = Vec::new();
    let mut is_free: NodeMap<()> = NodeMap::with_bound(bound);
    // Readers are collected only for free nodes, which are few.
    let mut readers: NodeMap<Vec<NodeId>> = NodeMap::with_bound(bound);
    let key_of = |fus: &NodeMap<()>, a: NodeId, b: NodeId| {
        fus.contains_key(&a)
            && fus.contains_key(&b)
            && phase[&a] == phase[&b]
            && g.node(a).shape == g.node(b).shape
            && g.node(a).dtype == g.node(b).dtype
    };
    for &n in order {
        let n_fus = fusable(g, n);
        if n_fus {
            fus.insert(n, ());
        }
        let ops = g.operand_slice(n);
        // A cycle among kernels would stay inside one phase (an earlier phase never
        // reads a later one), so operands from earlier phases cannot close one.
        let l = ops
            .iter()
            .filter(|&&o| !(n_fus && is_const(g, o)) && phase[&o] == phase[&n])
            .map(|&o| level[&o] + u32::from(!key_of(&fus, o, n)))
            .max()
            .unwrap_or(0);
        level.insert(n, l);
        if n_fus && ops.iter().all(|&o| is_const(g, o) || phase[&o] < phase[&n] || (is_free.contains_key(&o) && key_of(&fus, o, n))) {
            is_free.insert(n, ());
            free.push(n);
        }
        for &o in ops {
            if is_free.contains_key(&o) {
                match readers.get_mut(&o) {
                    Some(v) => v.push(n),
                    None => {
                        readers.insert(o, vec![n]);
                    }
                }
            }
        }
    }
    let same_key = |a: NodeId, b: NodeId| key_of(&fus, a, b);
    lift_free_nodes(&free, &readers, &same_key, &mut level);
    (fus, level)
}

/// The kernels of the nodes `order` lists (in the order [`phases`] gives, with its
/// phases): each kernel's members in that order, kernels numbered by their first
/// member, and the kernel of every member.
pub fn kernels(g: &Graph, order: &[NodeId], phase: &NodeMap<usize>) -> (Vec<Vec<NodeId>>, NodeMap<usize>) {
    let (fus, level) = levels(g, order, phase);

    // Group by key and level, kernels numbered in order of their first member.
    type Key = (usize, DType, Vec<usize>, u32);
    let mut by_key: HashMap<Key, usize> = HashMap::new();
    let mut members: Vec<Vec<NodeId>> = Vec::new();
    let mut kernel_of: NodeMap<usize> = NodeMap::with_bound(g.index_bound());
    for &n in order {
        if !fus.contains_key(&n) {
            continue;
        }
        let node = g.node(n);
        let key = (phase[&n], node.dtype, node.shape.clone(), level[&n]);
        let k = *by_key.entry(key).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[k].push(n);
        kernel_of.insert(n, k);
    }
    (members, kernel_of)
}
