//! The fusion verifier: the invariants of a [`Fusion`] that the scheduler and the
//! fused executor rely on. The driver runs it after fusion in debug builds (and
//! so in every test), beside the IR verifier.

use crate::fuse::Fusion;
use crate::ir::graph::NodeId;
use crate::ir::node_map::NodeMap;
use crate::ir::program::Program;

/// Checks that every kernel member is an elementwise node of the kernel's dtype and
/// shape, listed after the members it reads, in no other kernel, and recorded in
/// `kernel_of`; that streamed inputs have the kernel's shape and scalars one
/// element; and that no kernel depends on itself through nodes outside it, so that
/// kernels can be scheduled like single nodes. Returns every broken invariant.
pub fn verify(prog: &Program, fusion: &Fusion) -> Result<(), Vec<String>> {
    let g = &prog.graph;
    let mut errs = Vec::new();
    let mut member_of: NodeMap<usize> = NodeMap::with_bound(g.index_bound());
    for (k, kernel) in fusion.kernels.iter().enumerate() {
        for &m in &kernel.members {
            if !g.contains(m) {
                errs.push(format!("kernel {k}: member {} is not in the graph", m.index()));
                continue;
            }
            let node = g.node(m);
            if !node.op.is_elementwise() {
                errs.push(format!("kernel {k}: member {} ({}) is not elementwise", m.index(), node.op.name()));
            }
            if node.dtype != kernel.dtype || node.shape != kernel.shape {
                errs.push(format!("kernel {k}: member {} has another dtype or shape than the kernel", m.index()));
            }
            if let Some(other) = member_of.insert(m, k) {
                errs.push(format!("node {} is a member of kernels {other} and {k}", m.index()));
            }
            if fusion.kernel_of.get(&m) != Some(&k) {
                errs.push(format!("kernel {k}: member {} is not recorded as the kernel's", m.index()));
            }
            // Members are in dependency order: an operand inside the kernel was listed
            // (and so recorded in `member_of`) before its reader.
            for o in kernel.operands(g, m) {
                if fusion.kernel_of.get(&o) == Some(&k) && member_of.get(&o) != Some(&k) {
                    errs.push(format!("kernel {k}: member {} reads member {} before it is computed", m.index(), o.index()));
                }
            }
        }
        for &n in &kernel.inputs {
            if g.contains(n) && g.node(n).shape != kernel.shape {
                errs.push(format!("kernel {k}: streamed input {} does not have the kernel's shape", n.index()));
            }
        }
        for &n in &kernel.scalars {
            if g.contains(n) && g.node(n).shape.iter().product::<usize>() != 1 {
                errs.push(format!("kernel {k}: scalar {} has more than one element", n.index()));
            }
        }
    }
    if errs.is_empty() {
        errs.extend(self_dependencies(prog, fusion));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

/// What the scheduler emits as one step: a lone node or a whole kernel.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Node(NodeId),
    Kernel(usize),
}

/// The kernels that depend on themselves: with every kernel contracted to one
/// unit, the units the roots reach must form an acyclic graph. A depth-first
/// walk that meets a unit still on its path has found a cycle.
fn self_dependencies(prog: &Program, fusion: &Fusion) -> Vec<String> {
    let g = &prog.graph;
    let unit = |n: NodeId| match fusion.kernel_of.get(&n) {
        Some(&k) => Unit::Kernel(k),
        None => Unit::Node(n),
    };
    // What a unit reads from outside itself, as the kernel computes it.
    let deps = |u: Unit| -> Vec<NodeId> {
        match u {
            Unit::Node(n) => g.operands(n),
            Unit::Kernel(k) => {
                let kernel = &fusion.kernels[k];
                kernel.members.iter().flat_map(|&m| kernel.operands(g, m)).filter(|o| fusion.kernel_of.get(o) != Some(&k)).collect()
            }
        }
    };
    // 0: unvisited, 1: on the current path, 2: done.
    let mut node_state: NodeMap<u8> = NodeMap::with_bound(g.index_bound());
    let mut kernel_state = vec![0u8; fusion.kernels.len()];
    let mut errs = Vec::new();
    for root in prog.roots() {
        let mut stack: Vec<(Unit, bool)> = vec![(unit(root), false)];
        while let Some((u, expanded)) = stack.pop() {
            let state = match u {
                Unit::Node(n) => node_state.get(&n).copied().unwrap_or(0),
                Unit::Kernel(k) => kernel_state[k],
            };
            let set = |s: u8, node_state: &mut NodeMap<u8>, kernel_state: &mut Vec<u8>| match u {
                Unit::Node(n) => {
                    node_state.insert(n, s);
                }
                Unit::Kernel(k) => kernel_state[k] = s,
            };
            if expanded {
                set(2, &mut node_state, &mut kernel_state);
                continue;
            }
            match state {
                2 => continue,
                1 => {
                    match u {
                        Unit::Kernel(k) => errs.push(format!("kernel {k} depends on itself through nodes outside it")),
                        Unit::Node(n) => errs.push(format!("node {} depends on itself through a kernel", n.index())),
                    }
                    return errs;
                }
                _ => {}
            }
            set(1, &mut node_state, &mut kernel_state);
            stack.push((u, true));
            for o in deps(u) {
                stack.push((unit(o), false));
            }
        }
    }
    errs
}

/// In debug builds (and so in every test) a broken fusion stops compilation loudly.
pub fn debug_verify(prog: &Program, fusion: &Fusion) {
    if cfg!(debug_assertions) {
        if let Err(errs) = verify(prog, fusion) {
            panic!("fusion broke its invariants:\n{}", errs.join("\n"));
        }
    }
}
