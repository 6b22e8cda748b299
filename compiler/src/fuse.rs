//! Elementwise fusion: the optimized graph is partitioned into kernels, each a
//! maximal set of elementwise nodes that run in one pass over memory.
//!
//! Three facts decide the partition, all computed in one walk of the graph in
//! the order the scheduler will run it:
//! - the *phase* of a node: the first effect (print, plot, sample, or the end of
//!   the program for exported values) that needs it. Nodes of one phase are
//!   computed together, so only they can share a kernel; a value made in one
//!   phase and read in a later one is stored in between.
//! - whether a node is *fusable*: elementwise, with every operand either of the
//!   node's shape or a single element (broadcast from a register-free scalar).
//! - its *level*: the number of times a path to it from the start of its phase
//!   leaves a fusable region of one key (phase, dtype, shape). Nodes with equal
//!   key and level form one kernel. A path out of a kernel and back into it
//!   would raise the level, so no kernel ever depends on itself, and kernels can
//!   be ordered like single nodes. Values of earlier phases are in memory before
//!   the phase starts, like constants, so reading them adds no level. Nodes of
//!   one key and level that are not connected share a kernel too (horizontal
//!   fusion), so shared inputs are read once. A node that reads nothing computed
//!   in its own phase (only constants, values of earlier phases, and other such
//!   nodes of its key) could run at any level up to its readers', so it is moved
//!   up to the lowest level among them when they all share its key: it joins
//!   their kernel instead of being stored for them. Values recomputed in a
//!   backward (passes/remat.rs) are such nodes, and since the values they replace
//!   came from an earlier phase, recomputing them changes no other node's level.
//!
//! Forward and backward nodes have the same phase when no effect separates
//! them (a `backward` is not an effect), so they fuse into one kernel, and the
//! values the backward reads from the forward live in registers, never in memory.
//!
//! The only rewrite fusion makes is a strength reduction on values that are
//! never printed (the only ones allowed to leave PyTorch's bits): `exp(-a)`
//! becomes `1 / exp(a)` when the kernel already computes `exp(a)` and the range
//! analysis proves `exp(a)` a normal number. There the division is within 1 ulp
//! of libm's `exp(-a)` (runtime/tests/vmath.rs checks every f32).

pub mod print;
pub mod verify;

use std::collections::HashMap;

use graphc_runtime::op::{Op, Unary};
use graphc_runtime::DType;

use crate::analysis::partition::{self, is_const, phases};
use crate::analysis::range::Analysis;
use crate::ir::graph::{Graph, NodeId};
use crate::ir::node_map::NodeMap;
use crate::ir::program::{Effect, Program};

/// How much freedom fused kernels have with rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Numerics {
    /// Values that are printed or plotted use PyTorch's scalar libm; every other
    /// value may use the vector math library (within 2 ulp) and the strength reduction.
    #[default]
    PrintedExact,
    /// Every value uses PyTorch's scalar libm (`--exact`).
    Exact,
}

/// The partition of the graph into fused kernels.
#[derive(Clone, Debug, Default)]
pub struct Fusion {
    pub kernels: Vec<Kernel>,
    /// The kernel of every fused node.
    pub kernel_of: NodeMap<usize>,
    /// The phase of every scheduled node (effect index; `effects.len()` for exports).
    pub phase: NodeMap<usize>,
}

/// One fused kernel.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub dtype: DType,
    pub shape: Vec<usize>,
    /// The nodes computed, in dependency order. Nodes made redundant by the
    /// strength reduction are left out.
    pub members: Vec<NodeId>,
    /// Values from outside read element by element.
    pub inputs: Vec<NodeId>,
    /// One-element values from outside, broadcast.
    pub scalars: Vec<NodeId>,
    /// Members read after the kernel (by other ops, effects or exports): the only ones stored.
    pub outputs: Vec<NodeId>,
    /// Members that may use fast math (never printed).
    /// For each member (same index): whether it may use fast math (never printed).
    pub fast: Vec<bool>,
    /// `exp(-a)` members computed as `1 / exp(a)`: member -> the `exp(a)` member.
    pub reciprocal: HashMap<NodeId, NodeId>,
}

impl Kernel {
    /// Every operand of a member, as the kernel computes it (after the strength reduction).
    pub fn operands(&self, g: &Graph, m: NodeId) -> Vec<NodeId> {
        match self.reciprocal.get(&m) {
            Some(e) => vec![*e],
            None => g.operands(m),
        }
    }
}

/// The nodes whose values reach a print or a plot, directly or through other ops.
/// A loop or run-time branch counts as printing its inputs (its body, computed
/// exactly, may print them or values made from them), and a branch its condition
/// (which decides what runs).
pub fn printed(prog: &Program) -> NodeMap<()> {
    let g = &prog.graph;
    let mut seen = NodeMap::with_bound(g.index_bound());
    let roots = |e: &Effect| match e {
        Effect::Print(_) | Effect::Write(_) | Effect::Assert { .. } | Effect::Figure(_) => e.nodes(),
        Effect::Loop { inputs, .. } => inputs.clone(),
        Effect::Branch { cond, inputs, .. } => std::iter::once(*cond).chain(inputs.iter().copied()).collect(),
        Effect::Seed(_) | Effect::Sample(_) | Effect::Save { .. } => vec![],
    };
    let mut stack: Vec<NodeId> = prog.effects.iter().flat_map(roots).collect();
    while let Some(n) = stack.pop() {
        if seen.insert(n, ()).is_none() {
            stack.extend(g.operand_slice(n).iter().copied());
        }
    }
    seen
}

/// Whether `exp(x)` is a normal number wherever it is finite: only there is
/// `1 / exp(x)` within 1 ulp of `exp(-x)` (runtime/tests/vmath.rs measured every
/// f32: 1 ulp for x >= -87.336, up to 4 ulp where exp(x) is subnormal; f64: 1 ulp
/// for x >= -708.39). The bound is checked with a margin, since the range analysis
/// is accurate to a few ulps. The analysis runs once, and only when a kernel has
/// a candidate for the reduction.
fn exp_is_normal(ranges: &mut Option<Analysis>, prog: &Program, x: NodeId) -> bool {
    let analysis = ranges.get_or_insert_with(|| crate::analysis::range::analyze(&prog.graph, &prog.input_ranges));
    let limit = match prog.graph.node(x).dtype {
        DType::F32 => -87.0,
        DType::F64 => -708.0,
        // Fused kernels are float-only, so no integer `exp` reaches here.
        DType::I64 | DType::Bool => return false,
    };
    analysis.ranges.get(&x).is_some_and(|r| r.lo >= limit)
}

/// Partitions the program's elementwise nodes into kernels.
pub fn fuse(prog: &Program, numerics: Numerics) -> Fusion {
    let g = &prog.graph;
    let (order, phase) = phases(prog);
    let bound = g.index_bound();
    let (members, kernel_of) = partition::kernels(g, &order, &phase);
    let mut fusion = Fusion { kernel_of, ..Fusion::default() };
    let mut b = KernelBuilder {
        prog,
        numerics,
        printed: printed(prog),
        ranges: None,
        pos: NodeMap::with_bound(bound),
        read_outside: read_outside(prog, &order, &fusion.kernel_of),
        needed: NodeMap::with_bound(bound),
        seen: NodeMap::with_bound(bound),
    };
    for (i, n) in order.iter().enumerate() {
        b.pos.insert(*n, i);
    }
    for (k, ms) in members.into_iter().enumerate() {
        let kernel = b.build(k, &ms, &mut fusion.kernel_of);
        fusion.kernels.push(kernel);
    }
    fusion.phase = phase;
    fusion
}

/// What outlives each kernel: members read by another kernel, a lone op, an effect or an export.
fn read_outside(prog: &Program, order: &[NodeId], kernel_of: &NodeMap<usize>) -> NodeMap<()> {
    let g = &prog.graph;
    let mut read_outside: NodeMap<()> = NodeMap::with_bound(g.index_bound());
    for &n in order {
        for &o in g.operand_slice(n) {
            if kernel_of.contains_key(&o) && kernel_of.get(&o) != kernel_of.get(&n) {
                read_outside.insert(o, ());
            }
        }
    }
    for r in prog.roots() {
        read_outside.insert(r, ());
    }
    read_outside
}

/// What building each kernel from its members needs, shared by all kernels.
struct KernelBuilder<'a> {
    prog: &'a Program,
    numerics: Numerics,
    printed: NodeMap<()>,
    /// The range analysis, run on the first candidate for the strength reduction.
    ranges: Option<Analysis>,
    /// Each node's position in the schedule order.
    pos: NodeMap<usize>,
    read_outside: NodeMap<()>,
    /// Scratch, cleared after each kernel, so that a kernel costs its own size: the
    /// members still needed, and the operands already listed as inputs or scalars.
    needed: NodeMap<()>,
    seen: NodeMap<()>,
}

impl KernelBuilder<'_> {
    /// Builds kernel `k` from its members `ms`, dropping from the kernel (and from
    /// `kernel_of`) the members the strength reduction leaves unread.
    fn build(&mut self, k: usize, ms: &[NodeId], kernel_of: &mut NodeMap<usize>) -> Kernel {
        let g = &self.prog.graph;
        let first = g.node(ms[0]);
        let mut kernel = Kernel {
            dtype: first.dtype,
            shape: first.shape.clone(),
            members: Vec::new(),
            inputs: Vec::new(),
            scalars: Vec::new(),
            outputs: Vec::new(),
            fast: Vec::new(),
            reciprocal: self.reciprocals(k, ms, kernel_of),
        };
        // Members still needed once the reduction has bypassed some `neg` nodes.
        for &m in ms {
            if self.read_outside.contains_key(&m) {
                self.needed.insert(m, ());
            }
        }
        for &m in ms.iter().rev() {
            if self.needed.contains_key(&m) {
                for o in kernel.operands(g, m) {
                    if kernel_of.get(&o) == Some(&k) {
                        self.needed.insert(o, ());
                    }
                }
            }
        }
        // `seen` marks the inputs already listed, so that a kernel reading thousands
        // of values (a long chain's backward) does not scan its list once per operand.
        for &m in ms {
            if !self.needed.contains_key(&m) {
                kernel_of.remove(&m);
                continue;
            }
            kernel.members.push(m);
            kernel.fast.push(self.fast(m));
            if self.read_outside.contains_key(&m) {
                kernel.outputs.push(m);
            }
            for &o in g.operand_slice(m) {
                let o = if kernel.reciprocal.contains_key(&m) { kernel.reciprocal[&m] } else { o };
                if kernel_of.get(&o) == Some(&k) || is_const(g, o) || self.seen.insert(o, ()).is_some() {
                    continue;
                }
                if g.node(o).shape != kernel.shape {
                    kernel.scalars.push(o);
                } else {
                    kernel.inputs.push(o);
                }
            }
        }
        for &m in ms {
            self.needed.remove(&m);
            for o in g.operand_slice(m) {
                self.seen.remove(o);
            }
        }
        for o in kernel.reciprocal.values() {
            self.seen.remove(o);
        }
        kernel
    }

    /// Whether member `m` may use fast math: it is never printed, and numerics allow it.
    fn fast(&self, m: NodeId) -> bool {
        self.numerics == Numerics::PrintedExact && !self.printed.contains_key(&m)
    }

    /// The strength reduction: `exp(neg(a))` after an `exp(a)` of the same kernel,
    /// where the range analysis proves `exp(a)` normal. Returns member -> `exp(a)`.
    fn reciprocals(&mut self, k: usize, ms: &[NodeId], kernel_of: &NodeMap<usize>) -> HashMap<NodeId, NodeId> {
        let g = &self.prog.graph;
        let mut reciprocal = HashMap::new();
        let mut exp_of: HashMap<NodeId, NodeId> = HashMap::new();
        for &m in ms {
            if g.node(m).op == Op::Unary(Unary::Exp) {
                let a = g.operand_slice(m)[0];
                exp_of.entry(a).or_insert(m);
                let neg_of = (g.node(a).op == Op::Unary(Unary::Neg) && kernel_of.get(&a) == Some(&k)).then(|| g.operand_slice(a)[0]);
                if let Some(e) = neg_of.and_then(|x| exp_of.get(&x)) {
                    let x = g.operand_slice(*e)[0];
                    if self.fast(m) && self.pos[e] < self.pos[&m] && exp_is_normal(&mut self.ranges, self.prog, x) {
                        reciprocal.insert(m, *e);
                    }
                }
            }
        }
        reciprocal
    }
}
