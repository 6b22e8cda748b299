//! The dataflow graph: nodes are ops with a static dtype and shape; node `b`
//! reads node `a` as its operand `i` when `a` is the `i`-th entry of `b`'s
//! operand list.
//!
//! Nodes live in a vector indexed by [`NodeId`], and a removed node leaves a hole,
//! so removing a node never renumbers the others (passes hold ids across
//! rewrites) and ids always follow creation order. Spans, regions and origins
//! live in a side table ([`NodeMeta`]), kept beside the graph rather than in the
//! op, so that ops stay comparable for CSE.
//!
//! Each node keeps its operands in order and a list of its readers. The reader
//! lists are maintained lazily: rewrites append to them but never search them,
//! and a stale entry (a removed reader, or one that no longer reads the node) is
//! skipped when the list is read. A linked edge list, as petgraph's, must walk
//! a node's readers to unlink one, which made rewrites around a shared constant
//! with many readers quadratic in the graph's size.

use graphc_runtime::{DType, Op};

use crate::syntax::ast::Span;

/// A node of the graph. Ordered by creation, which is also a topological order
/// of the graph as lowering and autodiff build it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An op with its static result type.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub op: Op,
    pub dtype: DType,
    pub shape: Vec<usize>,
}

/// Which part of the program a node belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// Computed by the program's statements (including op forward blocks).
    Forward,
    /// Derived by autodiff for the k-th `backward` call of the program (0-based),
    /// including the `.grad` accumulation it performs.
    Backward(u32),
    /// An op's backward block, lowered once per call site with `Param` nodes for
    /// its gradient and saved values; autodiff copies it into a backward region
    /// and then removes it.
    Template(u32),
}

/// Everything about a node that is not needed to compute it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeMeta {
    /// The source the node comes from (for a derived node: the forward expression it differentiates).
    pub span: Span,
    pub region: Region,
    /// True when gradients flow through the node (PyTorch's `requires_grad`).
    pub requires_grad: bool,
    /// A short note for the IR dump: the name bound to the node, or the rule that made it.
    pub note: Option<String>,
}

/// One live node: what it computes, what it reads, who may read it.
#[derive(Clone, Debug)]
struct Slot {
    node: Node,
    meta: NodeMeta,
    operands: Vec<NodeId>,
    /// Every node that has read this one since it was added (possibly stale, possibly
    /// repeated); see the module comment.
    readers: Vec<NodeId>,
}

/// The graph with its side table.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    slots: Vec<Option<Slot>>,
    live: usize,
    edges: usize,
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    fn slot(&self, id: NodeId) -> &Slot {
        self.slots[id.index()].as_ref().unwrap_or_else(|| panic!("node {} was removed", id.0))
    }

    fn slot_mut(&mut self, id: NodeId) -> &mut Slot {
        self.slots[id.index()].as_mut().unwrap_or_else(|| panic!("node {} was removed", id.0))
    }

    /// Adds a node whose operands are `args`, in order.
    pub fn add(&mut self, node: Node, args: &[NodeId], meta: NodeMeta) -> NodeId {
        let id = NodeId(u32::try_from(self.slots.len()).expect("fewer than 2^32 nodes"));
        for &a in args {
            self.slot_mut(a).readers.push(id);
        }
        self.slots.push(Some(Slot { node, meta, operands: args.to_vec(), readers: Vec::new() }));
        self.live += 1;
        self.edges += args.len();
        id
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.slot(id).node
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.slot_mut(id).node
    }

    pub fn meta(&self, id: NodeId) -> &NodeMeta {
        &self.slot(id).meta
    }

    pub fn meta_mut(&mut self, id: NodeId) -> &mut NodeMeta {
        &mut self.slot_mut(id).meta
    }

    pub fn contains(&self, id: NodeId) -> bool {
        self.slots.get(id.index()).is_some_and(Option::is_some)
    }

    pub fn node_count(&self) -> usize {
        self.live
    }

    /// All live nodes in creation order.
    pub fn ids(&self) -> Vec<NodeId> {
        self.slots.iter().enumerate().filter(|(_, s)| s.is_some()).map(|(i, _)| NodeId(i as u32)).collect()
    }

    /// The operands of `id`, in operand order.
    pub fn operands(&self, id: NodeId) -> Vec<NodeId> {
        self.slot(id).operands.clone()
    }

    /// The operands of `id`, in operand order, without copying them.
    pub fn operand_slice(&self, id: NodeId) -> &[NodeId] {
        &self.slot(id).operands
    }

    /// The nodes that read `id` (each once, in creation order).
    pub fn users(&self, id: NodeId) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self
            .slot(id)
            .readers
            .iter()
            .copied()
            .filter(|&u| self.slots[u.index()].as_ref().is_some_and(|s| s.operands.contains(&id)))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The edge list into `id` as (operand index, source) pairs, for the verifier.
    pub fn operand_edges(&self, id: NodeId) -> Vec<(u32, NodeId)> {
        self.slot(id).operands.iter().enumerate().map(|(i, &n)| (i as u32, n)).collect()
    }

    /// Makes every reader of `old` read `new` instead, at the same operand index.
    /// `old` stays in the graph (dead unless something else holds it).
    pub fn replace_uses(&mut self, old: NodeId, new: NodeId) {
        if old == new {
            return;
        }
        let readers = std::mem::take(&mut self.slot_mut(old).readers);
        for &u in &readers {
            // A stale or repeated entry finds nothing to rewrite.
            let Some(slot) = self.slots[u.index()].as_mut() else { continue };
            let mut rewired = false;
            for o in slot.operands.iter_mut().filter(|o| **o == old) {
                *o = new;
                rewired = true;
            }
            if rewired {
                self.slot_mut(new).readers.push(u);
            }
        }
    }

    /// Replaces the operands of `id` with `args`.
    pub fn set_operands(&mut self, id: NodeId, args: &[NodeId]) {
        for &a in args {
            self.slot_mut(a).readers.push(id);
        }
        let slot = self.slot_mut(id);
        let before = slot.operands.len();
        slot.operands = args.to_vec();
        self.edges = self.edges - before + args.len();
    }

    pub fn remove(&mut self, id: NodeId) {
        if let Some(slot) = self.slots[id.index()].take() {
            self.live -= 1;
            self.edges -= slot.operands.len();
        }
    }

    /// A topological order (operands before users), deterministic: among ready
    /// nodes the earliest created goes first, so that the order follows the
    /// program's text wherever the dataflow allows. Linear in nodes + edges
    /// (times the logarithm of the ready set's size).
    pub fn topo_order(&self) -> Vec<NodeId> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let bound = self.slots.len();
        // The edges out of each node, in compressed rows: one entry per operand
        // position, so an operand read twice is counted twice, as in `indeg`.
        let mut indeg = vec![0u32; bound];
        let mut start = vec![0usize; bound + 1];
        for s in self.slots.iter().flatten() {
            for o in &s.operands {
                start[o.index() + 1] += 1;
            }
        }
        for i in 0..bound {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut targets = vec![0u32; start[bound]];
        for (i, s) in self.slots.iter().enumerate() {
            let Some(s) = s else { continue };
            indeg[i] = s.operands.len() as u32;
            for o in &s.operands {
                targets[fill[o.index()]] = i as u32;
                fill[o.index()] += 1;
            }
        }
        let mut ready: BinaryHeap<Reverse<u32>> = (0..bound)
            .filter(|&i| self.slots[i].is_some() && indeg[i] == 0)
            .map(|i| Reverse(i as u32))
            .collect();
        let mut order = Vec::with_capacity(self.live);
        while let Some(Reverse(ix)) = ready.pop() {
            order.push(NodeId(ix));
            for &t in &targets[start[ix as usize]..start[ix as usize + 1]] {
                indeg[t as usize] -= 1;
                if indeg[t as usize] == 0 {
                    ready.push(Reverse(t));
                }
            }
        }
        order
    }

    /// One past the largest node index ever used; nodes added later have larger indices.
    pub fn index_bound(&self) -> usize {
        self.slots.len()
    }

    /// The number of edges (for statistics).
    pub fn edge_count(&self) -> usize {
        self.edges
    }
}
