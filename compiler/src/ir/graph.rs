//! The dataflow graph: nodes are ops with a static dtype and shape; an edge
//! `a -> b` with weight `i` says that `a` is operand `i` of `b`.
//!
//! Ids wrap petgraph's stable indices so that removing a node never renumbers
//! the others (passes hold ids across rewrites). Spans, regions and origins
//! live in a side table ([`NodeMeta`]), kept beside the graph rather than in
//! the op, so that ops stay comparable for CSE.

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, NodeIndexable};
use petgraph::Direction;

use graphc_runtime::{DType, Op};

use crate::syntax::ast::Span;

/// A node of the graph. Ordered by creation, which is also a topological order
/// of the graph as lowering and autodiff build it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub NodeIndex<u32>);

impl NodeId {
    pub fn index(self) -> usize {
        self.0.index()
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

/// The graph with its side table.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    g: StableDiGraph<Node, u32, u32>,
    meta: Vec<Option<NodeMeta>>,
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    /// Adds a node whose operands are `args`, in order.
    pub fn add(&mut self, node: Node, args: &[NodeId], meta: NodeMeta) -> NodeId {
        let id = NodeId(self.g.add_node(node));
        for (i, a) in args.iter().enumerate() {
            self.g.add_edge(a.0, id.0, i as u32);
        }
        let ix = id.index();
        if self.meta.len() <= ix {
            self.meta.resize(ix + 1, None);
        }
        self.meta[ix] = Some(meta);
        id
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.g[id.0]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.g[id.0]
    }

    pub fn meta(&self, id: NodeId) -> &NodeMeta {
        self.meta[id.index()].as_ref().expect("every live node has metadata")
    }

    pub fn meta_mut(&mut self, id: NodeId) -> &mut NodeMeta {
        self.meta[id.index()].as_mut().expect("every live node has metadata")
    }

    pub fn contains(&self, id: NodeId) -> bool {
        self.g.contains_node(id.0)
    }

    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }

    /// All live nodes in creation order.
    pub fn ids(&self) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self.g.node_indices().map(NodeId).collect();
        v.sort();
        v
    }

    /// The operands of `id`, in operand order.
    pub fn operands(&self, id: NodeId) -> Vec<NodeId> {
        let mut e: Vec<(u32, NodeId)> =
            self.g.edges_directed(id.0, Direction::Incoming).map(|e| (*e.weight(), NodeId(e.source()))).collect();
        e.sort();
        e.into_iter().map(|(_, n)| n).collect()
    }

    /// The nodes that read `id` (each once, in creation order).
    pub fn users(&self, id: NodeId) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self.g.neighbors_directed(id.0, Direction::Outgoing).map(NodeId).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The raw edge list into `id` as (operand index, source) pairs, for the verifier.
    pub fn operand_edges(&self, id: NodeId) -> Vec<(u32, NodeId)> {
        let mut e: Vec<(u32, NodeId)> =
            self.g.edges_directed(id.0, Direction::Incoming).map(|e| (*e.weight(), NodeId(e.source()))).collect();
        e.sort();
        e
    }

    /// Makes every reader of `old` read `new` instead, at the same operand index.
    /// `old` stays in the graph (dead unless something else holds it).
    pub fn replace_uses(&mut self, old: NodeId, new: NodeId) {
        if old == new {
            return;
        }
        let edges: Vec<_> =
            self.g.edges_directed(old.0, Direction::Outgoing).map(|e| (e.id(), e.target(), *e.weight())).collect();
        for (eid, target, w) in edges {
            self.g.remove_edge(eid);
            self.g.add_edge(new.0, target, w);
        }
    }

    /// Replaces the operands of `id` with `args`.
    pub fn set_operands(&mut self, id: NodeId, args: &[NodeId]) {
        let edges: Vec<_> = self.g.edges_directed(id.0, Direction::Incoming).map(|e| e.id()).collect();
        for e in edges {
            self.g.remove_edge(e);
        }
        for (i, a) in args.iter().enumerate() {
            self.g.add_edge(a.0, id.0, i as u32);
        }
    }

    pub fn remove(&mut self, id: NodeId) {
        self.g.remove_node(id.0);
        self.meta[id.index()] = None;
    }

    /// A topological order (operands before users), deterministic: among ready
    /// nodes the earliest created goes first, so that the order follows the
    /// program's text wherever the dataflow allows. Linear in nodes + edges.
    pub fn topo_order(&self) -> Vec<NodeId> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let bound = self.g.node_bound();
        let mut indeg = vec![0usize; bound];
        for id in self.g.node_indices() {
            indeg[id.index()] = self.g.edges_directed(id, Direction::Incoming).count();
        }
        let mut ready: BinaryHeap<Reverse<u32>> =
            self.g.node_indices().filter(|n| indeg[n.index()] == 0).map(|n| Reverse(n.index() as u32)).collect();
        let mut order = Vec::with_capacity(self.g.node_count());
        while let Some(Reverse(ix)) = ready.pop() {
            let n = NodeIndex::new(ix as usize);
            order.push(NodeId(n));
            for e in self.g.edges_directed(n, Direction::Outgoing) {
                let t = e.target().index();
                indeg[t] -= 1;
                if indeg[t] == 0 {
                    ready.push(Reverse(t as u32));
                }
            }
        }
        order
    }

    /// One past the largest node index ever used; nodes added later have larger indices
    /// as long as nothing has been removed (true during lowering).
    pub fn index_bound(&self) -> usize {
        self.g.node_bound()
    }

    /// The number of edges (for statistics).
    pub fn edge_count(&self) -> usize {
        self.g.edge_count()
    }
}
