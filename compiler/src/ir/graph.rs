//! The dataflow graph: nodes are ops with a static dtype and shape; an edge
//! `a -> b` with weight `i` says that `a` is operand `i` of `b`.
//!
//! The graph is a petgraph `StableDiGraph`, so removing a node never renumbers
//! the others (passes hold ids across rewrites). Spans, regions and origins live
//! in a side table ([`NodeMeta`]) beside the op, so that ops stay comparable for CSE.
//!
//! Two things keep every rewrite cheap, even around a constant that thousands of
//! nodes read. First, each node also keeps its operands in order (`operands`),
//! so reading them needs no edge walk. Second, removal is deferred: `remove`
//! marks a node dead, and [`Graph::compact`] drops all dead nodes at once after
//! a pass by rebuilding the petgraph storage with the same indices. Unlinking a
//! single edge from petgraph's singly linked edge lists walks the source's list,
//! so removing readers of a widely shared node one by one would be quadratic.

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use graphc_runtime::{DType, Op};

use crate::span::Span;

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

/// A node's weight in the petgraph storage.
#[derive(Clone, Debug)]
struct Slot {
    node: Node,
    meta: NodeMeta,
    /// The operands in order; always equal to the incoming edges sorted by weight.
    operands: Vec<NodeId>,
}

/// The graph with its side table.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    g: StableDiGraph<Slot, u32, u32>,
    /// Nodes removed since the last compaction; they stay in `g` until then.
    dead: Vec<bool>,
    /// Where each node sits in the program's reading order, for [`Graph::topo_order`]'s
    /// ties: its own index, except for nodes added with [`Graph::add_before`].
    rank: Vec<u32>,
    live: usize,
    edges: usize,
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    fn slot(&self, id: NodeId) -> &Slot {
        assert!(self.contains(id), "node {} was removed", id.0);
        &self.g[NodeIndex::new(id.index())]
    }

    fn slot_mut(&mut self, id: NodeId) -> &mut Slot {
        assert!(self.contains(id), "node {} was removed", id.0);
        &mut self.g[NodeIndex::new(id.index())]
    }

    fn ix(id: NodeId) -> NodeIndex<u32> {
        NodeIndex::new(id.index())
    }

    /// Adds a node whose operands are `args`, in order. Its index is one past every
    /// index used so far (removal only marks nodes until [`Graph::compact`]).
    pub fn add(&mut self, node: Node, args: &[NodeId], meta: NodeMeta) -> NodeId {
        let ix = self.g.add_node(Slot { node, meta, operands: args.to_vec() });
        let id = NodeId(ix.index() as u32);
        debug_assert_eq!(id.index(), self.dead.len(), "new nodes follow creation order");
        for (i, a) in args.iter().enumerate() {
            self.g.add_edge(Self::ix(*a), ix, i as u32);
        }
        self.dead.push(false);
        self.rank.push(id.0);
        self.live += 1;
        self.edges += args.len();
        id
    }

    /// Adds a node as [`Graph::add`] does, but one that the dump and the passes'
    /// walks place as if it had been created just before `reader`: a value a pass
    /// makes for one reader is listed beside that reader, not after the whole program.
    pub fn add_before(&mut self, node: Node, args: &[NodeId], meta: NodeMeta, reader: NodeId) -> NodeId {
        let rank = self.rank[reader.index()];
        let id = self.add(node, args, meta);
        self.rank[id.index()] = rank;
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
        self.dead.get(id.index()).is_some_and(|d| !d) && self.g.contains_node(Self::ix(id))
    }

    pub fn node_count(&self) -> usize {
        self.live
    }

    /// All live nodes in creation order.
    pub fn ids(&self) -> Vec<NodeId> {
        (0..self.dead.len()).map(|i| NodeId(i as u32)).filter(|&n| self.contains(n)).collect()
    }

    /// The operands of `id`, in operand order.
    pub fn operands(&self, id: NodeId) -> Vec<NodeId> {
        self.slot(id).operands.clone()
    }

    /// The operands of `id`, in operand order, without copying them.
    pub fn operand_slice(&self, id: NodeId) -> &[NodeId] {
        &self.slot(id).operands
    }

    /// The live nodes that read `id` (each once, in creation order).
    pub fn users(&self, id: NodeId) -> Vec<NodeId> {
        let mut v: Vec<NodeId> =
            self.g.neighbors_directed(Self::ix(id), Direction::Outgoing).map(|n| NodeId(n.index() as u32)).filter(|&u| self.contains(u)).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The edge list into `id` as (operand index, source) pairs, read from the
    /// petgraph edges (not the operand cache), so the verifier checks the two agree.
    pub fn operand_edges(&self, id: NodeId) -> Vec<(u32, NodeId)> {
        let mut e: Vec<(u32, NodeId)> =
            self.g.edges_directed(Self::ix(id), Direction::Incoming).map(|e| (*e.weight(), NodeId(e.source().index() as u32))).collect();
        e.sort();
        e
    }

    /// Makes every reader of `old` read `new` instead, at the same operand index.
    /// `old` stays in the graph (dead unless something else holds it).
    pub fn replace_uses(&mut self, old: NodeId, new: NodeId) {
        if old == new {
            return;
        }
        // Edges come out in list order, and each removal takes the current head of
        // `old`'s list, so every unlink is constant time.
        let edges: Vec<_> = self.g.edges_directed(Self::ix(old), Direction::Outgoing).map(|e| (e.id(), e.target(), *e.weight())).collect();
        for (eid, target, w) in edges {
            self.g.remove_edge(eid);
            let t = NodeId(target.index() as u32);
            if self.contains(t) {
                self.g.add_edge(Self::ix(new), target, w);
                self.g[target].operands[w as usize] = new;
            }
        }
    }

    /// Makes `user` read `new` wherever it reads `old`; other readers of `old` keep
    /// reading it. Only the edges from `old` are unlinked, so only `old`'s and
    /// `user`'s edge lists are walked, never those of `user`'s other operands (a
    /// constant can have thousands of readers).
    pub fn replace_operand(&mut self, user: NodeId, old: NodeId, new: NodeId) {
        let edges: Vec<_> = self
            .g
            .edges_directed(Self::ix(user), Direction::Incoming)
            .filter(|e| e.source() == Self::ix(old))
            .map(|e| (e.id(), *e.weight()))
            .collect();
        for (eid, w) in edges {
            self.g.remove_edge(eid);
            self.g.add_edge(Self::ix(new), Self::ix(user), w);
            self.slot_mut(user).operands[w as usize] = new;
        }
    }

    /// Replaces the operands of `id` with `args`.
    pub fn set_operands(&mut self, id: NodeId, args: &[NodeId]) {
        let edges: Vec<_> = self.g.edges_directed(Self::ix(id), Direction::Incoming).map(|e| e.id()).collect();
        self.edges -= edges.len();
        for e in edges {
            self.g.remove_edge(e);
        }
        for (i, a) in args.iter().enumerate() {
            self.g.add_edge(Self::ix(*a), Self::ix(id), i as u32);
        }
        self.edges += args.len();
        self.slot_mut(id).operands = args.to_vec();
    }

    /// Marks `id` removed; [`Graph::compact`] frees it. Its readers must have been
    /// rewired first (the verifier checks that no live node or effect reads it).
    pub fn remove(&mut self, id: NodeId) {
        if self.contains(id) {
            self.dead[id.index()] = true;
            self.live -= 1;
            self.edges -= self.g[Self::ix(id)].operands.len();
        }
    }

    /// Drops every removed node from the petgraph storage in one linear pass: the
    /// storage is rebuilt with the same indices (live nodes keep theirs), then the
    /// placeholders standing for removed ones, which have no edges, are deleted.
    /// Petgraph would hand the freed indices to later additions, breaking creation
    /// order, so this runs once, after the optimization passes, when no node is
    /// added any more (`add` asserts it).
    pub fn compact(&mut self) {
        if self.live + self.edges == 0 && self.dead.is_empty() {
            return;
        }
        let old = std::mem::take(&mut self.g);
        let bound = self.dead.len();
        let mut slots: Vec<Option<Slot>> = (0..bound).map(|_| None).collect();
        let (nodes, _) = old.into_nodes_edges_iters();
        for n in nodes {
            let i = n.index.index();
            if i < bound && !self.dead[i] {
                slots[i] = Some(n.weight);
            }
        }
        let mut g: StableDiGraph<Slot, u32, u32> = StableDiGraph::with_capacity(bound, self.edges);
        let filler = || Slot {
            node: Node { op: Op::Full(graphc_runtime::op::Scalar::float(0.0)), dtype: DType::F32, shape: vec![] },
            meta: NodeMeta { span: Span::default(), region: Region::Forward, requires_grad: false, note: None },
            operands: vec![],
        };
        let mut holes = Vec::new();
        for (i, s) in slots.into_iter().enumerate() {
            match s {
                Some(s) => {
                    g.add_node(s);
                }
                None => {
                    g.add_node(filler());
                    holes.push(i);
                }
            }
        }
        for i in 0..bound {
            let ix = NodeIndex::new(i);
            if self.dead[i] {
                continue;
            }
            let ops = g[ix].operands.clone();
            for (k, a) in ops.into_iter().enumerate() {
                g.add_edge(Self::ix(a), ix, k as u32);
            }
        }
        for i in holes {
            g.remove_node(NodeIndex::new(i));
        }
        self.g = g;
    }

    /// A topological order (operands before users), deterministic: among ready
    /// nodes the earliest created goes first (a node added with
    /// [`Graph::add_before`] counts as created just before its reader), so that
    /// the order follows the program's text wherever the dataflow allows. Linear
    /// in nodes + edges (times the logarithm of the ready set's size).
    pub fn topo_order(&self) -> Vec<NodeId> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let bound = self.dead.len();
        let mut indeg = vec![0u32; bound];
        for n in self.ids() {
            indeg[n.index()] = self.slot(n).operands.len() as u32;
        }
        let key = |i: usize| Reverse((self.rank[i], i as u32));
        let mut ready: BinaryHeap<Reverse<(u32, u32)>> = (0..bound).filter(|&i| self.contains(NodeId(i as u32)) && indeg[i] == 0).map(key).collect();
        let mut order = Vec::with_capacity(self.live);
        while let Some(Reverse((_, ix))) = ready.pop() {
            order.push(NodeId(ix));
            for e in self.g.edges_directed(NodeIndex::new(ix as usize), Direction::Outgoing) {
                let t = e.target().index();
                if !self.contains(NodeId(t as u32)) {
                    continue;
                }
                indeg[t] -= 1;
                if indeg[t] == 0 {
                    ready.push(key(t));
                }
            }
        }
        order
    }

    /// One past the largest node index ever used; nodes added later have larger indices.
    pub fn index_bound(&self) -> usize {
        self.dead.len()
    }

    /// The number of edges (for statistics).
    pub fn edge_count(&self) -> usize {
        self.edges
    }
}
