//! A backward inside a run-time `if` of values computed before the `if`.
//!
//! A run-time `if`'s sides are bodies of their own (`regions.rs`), whose inputs
//! are the values the state holds. A backward inside a side whose loss was
//! computed before the `if` (the rest of a training step after a `break`
//! decided on `loss.item()`, guarded by `jumps.rs`; `if loss.item() > t {
//! loss.backward() }`) meets the loss as a body input, which stands for a graph
//! the body cannot walk back. Since the `if` runs in the same iteration as the
//! statements before it, that graph is computed again inside the side, from
//! the values it was computed from, which the side reads as its inputs: the
//! same operations on the same operands, so the same bits, and the backward
//! then runs inside the side as PyTorch's runs when the side is taken. The
//! price is the forward computed twice in an iteration that takes the side.
//!
//! What cannot be computed again is left as it is, and E0604 reports it as
//! before: random draws (a second draw differs), the output of a loop or of
//! another `if`, a custom op's result (its backward is the op's own), a value
//! the enclosing body itself received from outside (a loop's carried value),
//! or one the state no longer holds in its version (changed in place since).

use std::collections::HashMap;

use graphc_runtime::Op;

use crate::ir::graph::{Node, NodeId, NodeMeta, Region};
use crate::ir::program::Program;

use super::Lowerer;

/// The program around a body being lowered, and which body input stands for
/// each of its nodes the state holds.
pub(super) struct Enclosing {
    pub prog: Program,
    pub to_body: HashMap<NodeId, NodeId>,
    /// Whether the body is a side of a run-time `if` (else a loop's body).
    pub branch: bool,
}

impl Lowerer<'_> {
    /// `root` with every body input it depends on through gradients that is
    /// not a leaf computed again in this side of an `if`, when it can be;
    /// otherwise `root` itself.
    pub(super) fn rematerialize(&mut self, root: NodeId) -> NodeId {
        let Some(enclosing) = self.enclosing.last() else { return root };
        if !enclosing.branch {
            return root;
        }
        let from_body: HashMap<NodeId, NodeId> = enclosing.to_body.iter().map(|(&o, &b)| (b, o)).collect();
        let leaves: std::collections::HashSet<NodeId> = self.prog.leaves.iter().copied().collect();
        // The body inputs to compute again, with the outer nodes they stand for.
        let mut replace: HashMap<NodeId, NodeId> = HashMap::new();
        let mut stack = vec![root];
        let mut seen = std::collections::HashSet::new();
        while let Some(n) = stack.pop() {
            if !self.prog.graph.meta(n).requires_grad || leaves.contains(&n) || !seen.insert(n) {
                continue;
            }
            match self.prog.graph.node(n).op {
                Op::Input(k) if k > 0 => match from_body.get(&n) {
                    Some(&outer) => {
                        replace.insert(n, outer);
                    }
                    None => return root,
                },
                _ => stack.extend(self.prog.graph.operands(n)),
            }
        }
        if replace.is_empty() {
            return root;
        }
        let enclosing = self.enclosing.pop().expect("checked above");
        let copied = self.copy_outer(&enclosing, &replace);
        self.enclosing.push(enclosing);
        let Some(copied) = copied else { return root };
        self.rebuild(root, &copied, &mut HashMap::new()).unwrap_or(root)
    }

    /// The outer nodes of `replace` computed again in this body: the body node
    /// of each body input in `replace`, or `None` when one cannot be.
    fn copy_outer(&mut self, enclosing: &Enclosing, replace: &HashMap<NodeId, NodeId>) -> Option<HashMap<NodeId, NodeId>> {
        let mut memo: HashMap<NodeId, NodeId> = HashMap::new();
        let mut out = HashMap::new();
        let mut order: Vec<(&NodeId, &NodeId)> = replace.iter().collect();
        order.sort();
        for (&input, &outer) in order {
            let n = self.copy_node(enclosing, outer, true, &mut memo)?;
            out.insert(input, n);
        }
        Some(out)
    }

    /// The body node computing outer node `n` (`top`: the node a body input
    /// stands for, which is computed again even though the input holds it).
    fn copy_node(&mut self, enc: &Enclosing, n: NodeId, top: bool, memo: &mut HashMap<NodeId, NodeId>) -> Option<NodeId> {
        if let Some(&b) = memo.get(&n) {
            return Some(b);
        }
        let outer = &enc.prog;
        let meta = outer.graph.meta(n);
        let leaf = outer.leaves.contains(&n);
        // A value the body receives as it is: what does not require grad, and leaves.
        if !top && (!meta.requires_grad || leaf) {
            if let Some(&b) = enc.to_body.get(&n) {
                return Some(b);
            }
        }
        let node = outer.graph.node(n).clone();
        let computable = meta.region == Region::Forward
            && !leaf
            && !node.op.is_random()
            && !outer.custom_output.contains_key(&n)
            && !matches!(node.op, Op::Input(_) | Op::Param(_) | Op::RegionOutput { .. });
        if !computable {
            return None;
        }
        let mut args = Vec::new();
        for a in outer.graph.operands(n) {
            args.push(self.copy_node(enc, a, false, memo)?);
        }
        let meta = NodeMeta { span: meta.span, region: self.region, requires_grad: meta.requires_grad, note: meta.note.clone() };
        let b = self.prog.graph.add(Node { op: node.op, dtype: node.dtype, shape: node.shape }, &args, meta);
        memo.insert(n, b);
        Some(b)
    }

    /// `n` with the body inputs of `copied` replaced by their recomputations,
    /// the nodes between rebuilt; `None` when one of those cannot be (a
    /// custom op's result, whose backward is the op's own).
    fn rebuild(&mut self, n: NodeId, copied: &HashMap<NodeId, NodeId>, memo: &mut HashMap<NodeId, NodeId>) -> Option<NodeId> {
        if let Some(&c) = copied.get(&n).or_else(|| memo.get(&n)) {
            return Some(c);
        }
        if !self.prog.graph.meta(n).requires_grad {
            return Some(n);
        }
        let operands = self.prog.graph.operands(n);
        let mut args = Vec::with_capacity(operands.len());
        for &a in &operands {
            args.push(self.rebuild(a, copied, memo)?);
        }
        if args == operands {
            memo.insert(n, n);
            return Some(n);
        }
        let node = self.prog.graph.node(n).clone();
        if node.op.is_random() || self.prog.custom_output.contains_key(&n) || matches!(node.op, Op::RegionOutput { .. }) {
            return None;
        }
        let meta = self.prog.graph.meta(n).clone();
        let b = self.prog.graph.add(node, &args, meta);
        memo.insert(n, b);
        Some(b)
    }
}
