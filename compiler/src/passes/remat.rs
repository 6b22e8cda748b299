//! Save or recompute: a forward value that a backward reads after an effect
//! (a print, a plot, a draw) is stored in memory from the forward's kernel until
//! the backward's, because fusion puts the two on either side of the effect.
//! When computing the value again inside the backward's kernel, from values that
//! are in memory then anyway, is cheaper than storing it and reading it back, the
//! backward gets its own copy of the computation and the forward stores nothing.
//!
//! # Which values are weighed
//!
//! On the partition into kernels that fusion will make (`analysis/partition.rs`,
//! without fusion's strength reduction), a forward value `f` is weighed when
//! - it is a member of a kernel (elementwise), and
//! - every reader outside its kernel is a fused backward node of `f`'s shape in a
//!   later phase (so the copy fuses into that reader's kernel), and there is one, and
//! - nothing else makes the kernel store it: it is not printed, plotted, sampled
//!   or exported, and no forward node of another kernel or lone op reads it.
//!
//! Readers inside `f`'s kernel keep reading it from registers. The *cone* of `f`
//! is what the copy recomputes: `f` and the members of its kernel it depends on,
//! stopping at leaves that are in memory anyway (constants, the kernel's inputs
//! and scalars, and members the kernel stores for another reason). Values are
//! weighed in the order the scheduler computes them, and each decision is final
//! before the next value: a value kept is stored, so later cones stop at it; a
//! value recomputed is not, so later cones go through it.
//!
//! # The cost model
//!
//! Costs are per element of `f`, in time on one core, and err toward keeping:
//! - *keep*: the forward kernel writes `f` and each backward kernel that reads it
//!   reads it back: `(1 + readers) x` the dtype's size in bytes, at 0.07 ns a byte.
//! - *recompute*: each reading kernel redoes the cone's ops ([`op_ps`]) and reads
//!   every cone leaf it would not read anyway, at the same 0.07 ns a byte (a leaf of
//!   one element is broadcast from a register and costs nothing per element). An
//!   op shared with the cone of a value recomputed earlier is counted again,
//!   although the copy is shared.
//! - *memory*: recomputing must never hold more memory than keeping. A leaf that
//!   would be freed before the backward (no reader in the backward's phase or
//!   later, not exported, not a program input, whose buffer the caller holds
//!   anyway) is held until the backward instead, and counts in full. A randn leaf
//!   or a printed value counts too: the scheduler frees both after their last read.
//!
//! `f` is recomputed when recomputing costs strictly less time than keeping it,
//! and the leaves it holds longer add up to at most `f`'s own bytes. Cones of more
//! than [`CONE_LIMIT`] ops are kept without costing them. For f32, keeping costs
//! 0.56 ns per element with one reader: an add from a value the backward reads
//! anyway (0.1 ns) or from one it does not (0.38 ns) is recomputed; an add of two
//! values it does not read (0.66 ns) or any `exp` (3 ns) is not.
//!
//! The numbers were measured with `graphc bench --threads 1 --exact` (minimum of 15
//! runs) on one-line programs over an f32 input, on the project's shared 2-core
//! machine under load from other sessions: `y = x + 1.0` and `y = x + z` at 10 and
//! 40 million elements for the byte cost (0.67 and 0.85-0.91 ns per element, so
//! 0.06-0.07 ns a byte); chains of eight cheap ops and sums of eight
//! transcendental ones at 4 million elements for the ops (docs/PERFORMANCE.md,
//! "Save or recompute"). Arrays that fit in the cache move faster (about 0.02 ns
//! a byte at a million elements), but there both choices cost little.
//! Transcendental ops are charged PyTorch's scalar libm, which printed values
//! must use; a copy that no printed value depends on may use vector math, so
//! this too errs toward keeping.
//!
//! The copy runs the same ops in the same order on the same operands, so with
//! `--exact` it is bit-identical to the stored value. By default a copy that no
//! printed value depends on may use vector math, within the 2 ulp every unprinted
//! value is allowed (`fuse::Numerics`); printed values are unchanged.

use std::collections::{HashMap, HashSet};

use graphc_runtime::{DType, Op};

use super::{Change, Detail, Outcome};
use crate::analysis::partition;
use crate::ir::graph::{Graph, NodeId, NodeMeta, Region};
use crate::ir::node_map::NodeMap;
use crate::ir::program::Program;

/// Time to move one byte between memory and a core, in picoseconds: about 14 GB/s,
/// what one core of the project's machine streams through a fused kernel.
pub const PS_PER_BYTE: u64 = 70;

/// Cones with more ops than this are kept without costing them: no cone that
/// large can win (every op costs at least 0.1 ns, keeping at most 1.12 ns per
/// reading kernel for f64), and the bound keeps the pass linear on long chains.
pub const CONE_LIMIT: usize = 64;

/// The time one element of `op` takes in a fused kernel, in picoseconds; `None`
/// for ops that never run in a kernel (sources, shape ops, reductions, matmul),
/// which no cone contains.
pub fn op_ps(op: &Op) -> Option<u64> {
    match op {
        // The op tables hold each row's measured cost.
        Op::Unary(_) | Op::Binary(_) | Op::Activation(_) => op.cost_ps(),
        // A compare and a select: 0.1 ns measured.
        Op::Where(_) => Some(100),
        // Conversions never run in a kernel: fusion leaves them out.
        Op::Cast | Op::Compare(_) | Op::Select | Op::Logical(_) | Op::FloatTest(_) | Op::NanToNum { .. } | Op::Index(_) | Op::Fma => None,
        // PyTorch's special exponents are a copy, multiplies, a division or a
        // square root; any other exponent goes through f64 `pow`.
        Op::PowScalar(e) => Some(match e.get() {
            e if e == 0.0 || e == 1.0 => 100,
            e if e == 2.0 || e == 3.0 || e == -1.0 => 200,
            e if e == -2.0 || e == 0.5 => 300,
            -0.5 => 500,
            _ => 15000,
        }),
        Op::Full(_)
        | Op::Literal(_)
        | Op::Arange { .. }
        | Op::Linspace { .. }
        | Op::Randn
        | Op::Rand
        | Op::Param(_)
        | Op::Input(_)
        | Op::Data(_)
        | Op::RegionOutput { .. }
        | Op::Expand
        | Op::SumTo
        | Op::Reshape
        | Op::Transpose
        | Op::Permute(_)
        | Op::Slice { .. }
        | Op::SliceBackward { .. }
        | Op::Cat { .. }
        | Op::Sum { .. }
        | Op::Mean { .. }
        | Op::Reduce { .. }
        | Op::Cumsum { .. }
        | Op::Logcumsumexp { .. }
        | Op::Cumprod { .. }
        | Op::Softmax { .. }
        | Op::ProdOthers { .. }
        | Op::ProdOthersVjp { .. }
        | Op::SoftmaxBackward { .. }
        | Op::Loss { .. }
        | Op::LayerNorm(_)
        | Op::GroupNorm(_)
        | Op::MatMul
        | Op::Conv(_)
        | Op::AvgPool(_)
        | Op::Upsample(_)
        | Op::GridSample(_) => None,
    }
}

/// What the cost model weighs for one value.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    pub dtype: DType,
    /// The value's element count.
    pub elems: usize,
    /// The ops a copy redoes, the value's own op first (at most [`CONE_LIMIT`]).
    pub ops: Vec<Op>,
    /// Set when the cone has more than [`CONE_LIMIT`] ops.
    pub truncated: bool,
    /// The backward kernels that read the value; each would recompute it.
    pub readers: usize,
    /// Bytes per element of cone leaves that the reading kernels would not read
    /// otherwise, summed over those kernels.
    pub leaf_bytes: usize,
    /// Bytes of leaves that recomputing would hold until the backward although
    /// they would be freed before it.
    pub extra_bytes: usize,
}

/// The cost model's verdict on one value, with the numbers it compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub recompute: bool,
    /// Picoseconds per element to store the value and read it back in every reading kernel.
    pub keep_ps: u64,
    /// Picoseconds per element to recompute it in every reading kernel (the ops
    /// counted so far, when the cone was truncated).
    pub recompute_ps: u64,
    /// Bytes the value occupies when kept.
    pub bytes: usize,
    /// Bytes recomputing would hold longer instead.
    pub extra_bytes: usize,
}

/// The cost model (see the module documentation). Both the pass and the IR dump's
/// residual table call it, so the table quotes the numbers the pass compared.
pub fn decide(facts: &Facts) -> Decision {
    let size = facts.dtype.size() as u64;
    let keep_ps = PS_PER_BYTE * size * (1 + facts.readers as u64);
    let per_copy: Option<u64> = facts.ops.iter().map(op_ps).sum();
    let recompute_ps = per_copy.map_or(u64::MAX, |ops| ops * facts.readers as u64 + PS_PER_BYTE * facts.leaf_bytes as u64);
    let bytes = facts.elems * facts.dtype.size();
    let recompute = !facts.truncated && recompute_ps < keep_ps && facts.extra_bytes <= bytes;
    Decision { recompute, keep_ps, recompute_ps, bytes, extra_bytes: facts.extra_bytes }
}

/// A value the pass weighed, reported in [`Detail::Remat`] for the residual table.
#[derive(Clone, Debug, PartialEq)]
pub struct Weighed {
    /// The forward value. Once every reader outside its kernel reads a copy, it
    /// stays only if its own kernel still reads it.
    pub value: NodeId,
    pub facts: Facts,
    /// The values in memory that the cone is recomputed from, in schedule order.
    pub leaves: Vec<NodeId>,
    /// The copies the backward readers read instead, one per reading kernel; empty when kept.
    pub copies: Vec<NodeId>,
}

/// The residual table's reason for a weighed value. `name` shows a node as the dump
/// numbers it, `label` with the name it is bound to.
pub fn reason(w: &Weighed, name: &dyn Fn(NodeId) -> String, label: &dyn Fn(NodeId) -> String) -> String {
    let d = decide(&w.facts);
    let ops: Vec<&str> = w.facts.ops.iter().map(Op::name).collect();
    let from = if w.leaves.is_empty() { "constants".to_string() } else { w.leaves.iter().map(|l| label(*l)).collect::<Vec<_>>().join(", ") };
    let store = if w.facts.readers == 1 {
        format!("{} ns/elem to store and reload", ns(d.keep_ps))
    } else {
        format!("{} ns/elem to store and reload in {} kernels", ns(d.keep_ps), w.facts.readers)
    };
    if d.recompute {
        let copies: Vec<String> = w.copies.iter().map(|c| name(*c)).collect();
        let held = if d.extra_bytes > 0 {
            format!(", and holds {} bytes of leaves until the backward instead of {}", d.extra_bytes, d.bytes)
        } else {
            String::new()
        };
        format!("{} from {from} as {}: {} ns/elem < {store}{held}", ops.join(", "), copies.join(", "), ns(d.recompute_ps))
    } else if w.facts.truncated {
        format!("recomputing would redo more than {CONE_LIMIT} ops ({}, ...)", ops.iter().take(3).copied().collect::<Vec<_>>().join(", "))
    } else if d.recompute_ps >= d.keep_ps {
        let cmp = if d.recompute_ps > d.keep_ps { ">" } else { "=" };
        format!("recomputing {} from {from}: {} ns/elem {cmp} {store}", ops.join(", "), ns(d.recompute_ps))
    } else {
        format!(
            "recomputing {} from {from} costs {} ns/elem < {store}, but would hold {} bytes of leaves until the backward to save {}",
            ops.join(", "),
            ns(d.recompute_ps),
            d.extra_bytes,
            d.bytes
        )
    }
}

/// Picoseconds as the dump shows them: nanoseconds with two decimals, exact for
/// the model's multiples of 10 ps.
fn ns(ps: u64) -> String {
    format!("{:.2}", ps as f64 / 1000.0)
}

/// One weighed value with what the rewrite needs.
struct Weighing {
    record: Weighed,
    /// The cone in schedule order (the value last).
    cone: Vec<NodeId>,
    /// The readers outside the value's kernel, grouped by their kernel.
    groups: Vec<(usize, Vec<NodeId>)>,
}

/// The pass: weighs every candidate, rewrites the readers of those recomputed, and
/// reports every weighed value in [`Detail::Remat`] for the residual table.
pub fn run(prog: &mut Program) -> Outcome {
    let weighings = weigh(prog);
    let mut changes = Vec::new();
    let mut weighed = Vec::new();
    // One copy of each cone node per reading kernel, shared by every cone that needs it there.
    let mut copies: HashMap<(NodeId, usize), NodeId> = HashMap::new();
    for mut w in weighings {
        let d = decide(&w.record.facts);
        if !d.recompute {
            weighed.push(w.record);
            continue;
        }
        let f = w.record.value;
        for (k, readers) in &w.groups {
            let first = readers[0];
            let region = prog.graph.meta(first).region;
            for &m in &w.cone {
                if copies.contains_key(&(m, *k)) {
                    continue;
                }
                let g = &prog.graph;
                let args: Vec<NodeId> = g.operand_slice(m).iter().map(|o| copies.get(&(*o, *k)).copied().unwrap_or(*o)).collect();
                let meta = g.meta(m);
                let what = meta.note.clone().unwrap_or_else(|| g.node(m).op.name().to_string());
                let meta = NodeMeta { span: meta.span, region, requires_grad: meta.requires_grad, note: Some(format!("recomputed {what}")) };
                let node = g.node(m).clone();
                let c = prog.graph.add_before(node, &args, meta, first);
                copies.insert((m, *k), c);
            }
            let c = copies[&(f, *k)];
            for &r in readers {
                prog.graph.replace_operand(r, f, c);
            }
            w.record.copies.push(c);
        }
        let g = &prog.graph;
        let what = match &g.meta(f).note {
            Some(note) => format!("{} ({note})", g.node(f).op.name()),
            None => g.node(f).op.name().to_string(),
        };
        changes.push(Change {
            span: g.meta(f).span,
            what: format!("{what} recomputed in the backward instead of stored: {} < {} ns/elem", ns(d.recompute_ps), ns(d.keep_ps)),
        });
        weighed.push(w.record);
    }
    Outcome { changes, detail: Detail::Remat(weighed) }
}

/// Weighs every candidate value, in schedule order, on the partition fusion will make.
fn weigh(prog: &Program) -> Vec<Weighing> {
    let g = &prog.graph;
    // Exact numerics leave out the `exp(-x)` strength reduction, so no member is
    // bypassed and every operand of a member is a member, an input, a scalar or a
    // constant: cones follow the graph. The kernels and what they store are the
    // same either way; only the members the reduction bypasses differ.
    let (order, phase) = partition::phases(prog);
    // Most programs run each backward in its forward's phase and have nothing to
    // weigh; they skip partitioning, which costs as much as fusion.
    let separated = order.iter().any(|&n| {
        matches!(g.meta(n).region, Region::Backward(_))
            && g.operand_slice(n).iter().any(|o| g.meta(*o).region == Region::Forward && phase[o] < phase[&n] && g.node(*o).op.is_elementwise())
    });
    if !separated {
        return Vec::new();
    }
    let (members, kernel_of) = partition::kernels(g, &order, &phase);
    let mut readers: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for &n in &order {
        for &o in g.operand_slice(n) {
            let rs = readers.entry(o).or_default();
            if rs.last() != Some(&n) {
                rs.push(n);
            }
        }
    }
    let mut state = State::new(prog, &order, &phase, &members, &kernel_of, &readers);
    let ctx = Context { prog, phase: &phase, kernel_of: &kernel_of, readers: &readers };
    let pos: HashMap<NodeId, usize> = order.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let roots: HashSet<NodeId> = prog.roots().into_iter().collect();
    let mut weighings = Vec::new();
    for &f in &order {
        if kernel_of.contains_key(&f) && g.meta(f).region == Region::Forward && !roots.contains(&f) {
            weighings.extend(weigh_value(&ctx, &mut state, &pos, f));
        }
    }
    weighings
}

/// What the weighing reads and never changes: the program, its phases, its kernels
/// and every node's readers.
struct Context<'a> {
    prog: &'a Program,
    phase: &'a NodeMap<usize>,
    kernel_of: &'a NodeMap<usize>,
    readers: &'a HashMap<NodeId, Vec<NodeId>>,
}

/// What each decision to recompute changes for the values weighed after it.
struct State {
    /// The kernel members stored: read after their kernel, by other ops, effects or exports.
    stored: HashSet<NodeId>,
    /// The values from outside each kernel that it reads.
    kernel_reads: Vec<HashSet<NodeId>>,
    /// The last phase that reads each value (exports live to the end).
    last_read: HashMap<NodeId, usize>,
}

impl State {
    /// What the kernels store and read, and the last phase that reads each value, before any decision.
    fn new(
        prog: &Program,
        order: &[NodeId],
        phase: &NodeMap<usize>,
        members: &[Vec<NodeId>],
        kernel_of: &NodeMap<usize>,
        readers: &HashMap<NodeId, Vec<NodeId>>,
    ) -> State {
        let g = &prog.graph;
        let mut stored: HashSet<NodeId> = prog.roots().into_iter().filter(|r| kernel_of.contains_key(r)).collect();
        for &n in order {
            for &o in g.operand_slice(n) {
                if kernel_of.get(&o).is_some_and(|k| kernel_of.get(&n) != Some(k)) {
                    stored.insert(o);
                }
            }
        }
        let kernel_reads = members
            .iter()
            .enumerate()
            .map(|(k, ms)| {
                ms.iter()
                    .flat_map(|m| g.operand_slice(*m))
                    .filter(|o| kernel_of.get(o) != Some(&k) && !partition::is_const(g, **o))
                    .copied()
                    .collect()
            })
            .collect();
        let mut last_read: HashMap<NodeId, usize> = HashMap::new();
        for (o, rs) in readers {
            last_read.insert(*o, rs.iter().map(|r| phase[r]).max().unwrap_or(0));
        }
        for (i, e) in prog.effects.iter().enumerate() {
            for n in e.nodes() {
                let l = last_read.entry(n).or_insert(i);
                *l = (*l).max(i);
            }
        }
        for n in prog.exports.values() {
            last_read.insert(*n, usize::MAX);
        }
        State { stored, kernel_reads, last_read }
    }
}

/// Weighs the forward value `f`, a kernel member that no effect or export reads,
/// if every reader outside its kernel is a fused backward node of its shape in a
/// later phase; a decision to recompute updates `state`.
fn weigh_value(ctx: &Context, state: &mut State, pos: &HashMap<NodeId, usize>, f: NodeId) -> Option<Weighing> {
    let (g, phase, kernel_of) = (&ctx.prog.graph, ctx.phase, ctx.kernel_of);
    let k = kernel_of[&f];
    let outside: Vec<NodeId> = ctx.readers.get(&f).into_iter().flatten().copied().filter(|r| kernel_of.get(r) != Some(&k)).collect();
    let later_backward = |r: &NodeId| {
        matches!(g.meta(*r).region, Region::Backward(_)) && kernel_of.contains_key(r) && phase[r] > phase[&f] && g.node(*r).shape == g.node(f).shape
    };
    if outside.is_empty() || !outside.iter().all(later_backward) {
        return None;
    }
    let mut groups: Vec<(usize, Vec<NodeId>)> = Vec::new();
    for &r in &outside {
        let kr = kernel_of[&r];
        match groups.iter_mut().find(|(k, _)| *k == kr) {
            Some((_, rs)) => rs.push(r),
            None => groups.push((kr, vec![r])),
        }
    }
    for (_, rs) in &mut groups {
        rs.sort();
    }
    let backward_phase = outside.iter().map(|r| phase[r]).max().unwrap_or(0);
    let (mut cone, mut leaves, truncated) = cone(g, kernel_of, &state.stored, f);
    cone.sort_by_key(|n| pos[n]);
    leaves.sort_by_key(|n| pos[n]);

    let node = g.node(f);
    let size = node.dtype.size();
    let numel = |n: NodeId| g.node(n).shape.iter().product::<usize>();
    let leaf_bytes = groups
        .iter()
        .map(|(kr, _)| leaves.iter().filter(|l| !state.kernel_reads[*kr].contains(l) && g.node(**l).shape == node.shape).count() * size)
        .sum();
    let held_anyway = |l: &NodeId| matches!(g.node(*l).op, Op::Input(_)) || state.last_read.get(l).is_some_and(|p| *p >= backward_phase);
    let extra_bytes = leaves.iter().filter(|l| !held_anyway(l)).map(|l| numel(*l) * size).sum();
    let facts = Facts {
        dtype: node.dtype,
        elems: numel(f),
        ops: cone.iter().rev().map(|m| g.node(*m).op.clone()).collect(),
        truncated,
        readers: groups.len(),
        leaf_bytes,
        extra_bytes,
    };
    if decide(&facts).recompute {
        state.stored.remove(&f);
        for l in &leaves {
            let p = state.last_read.entry(*l).or_insert(backward_phase);
            *p = (*p).max(backward_phase);
            for (kr, _) in &groups {
                state.kernel_reads[*kr].insert(*l);
            }
        }
    }
    Some(Weighing { record: Weighed { value: f, facts, leaves, copies: Vec::new() }, cone, groups })
}

/// The cone of `f`: `f` and the members of its kernel it depends on through values
/// not stored, breadth first; the leaves it stops at (constants aside); and whether
/// it stopped at [`CONE_LIMIT`] ops.
fn cone(g: &Graph, kernel_of: &NodeMap<usize>, stored: &HashSet<NodeId>, f: NodeId) -> (Vec<NodeId>, Vec<NodeId>, bool) {
    let k = kernel_of[&f];
    let mut cone = vec![f];
    let mut leaves: Vec<NodeId> = Vec::new();
    let mut seen: HashSet<NodeId> = HashSet::from([f]);
    let mut truncated = false;
    let mut i = 0;
    while i < cone.len() && !truncated {
        for &o in g.operand_slice(cone[i]) {
            if !seen.insert(o) || matches!(g.node(o).op, Op::Full(_)) {
                continue;
            }
            if kernel_of.get(&o) == Some(&k) && !stored.contains(&o) {
                if cone.len() == CONE_LIMIT {
                    truncated = true;
                    break;
                }
                cone.push(o);
            } else {
                leaves.push(o);
            }
        }
        i += 1;
    }
    (cone, leaves, truncated)
}

#[cfg(test)]
mod tests {
    use graphc_runtime::op::{Binary, Unary};

    use super::*;

    fn facts(ops: Vec<Op>, leaf_bytes: usize, extra_bytes: usize) -> Facts {
        Facts { dtype: DType::F32, elems: 5, ops, truncated: false, readers: 1, leaf_bytes, extra_bytes }
    }

    #[test]
    fn a_cheap_op_from_a_value_in_memory_is_recomputed() {
        // The tutorial's `inp + 1`: an add and a read of `inp` against a write and a read.
        let d = decide(&facts(vec![Op::Binary(Binary::Add)], 4, 20));
        assert_eq!(d, Decision { recompute: true, keep_ps: 560, recompute_ps: 380, bytes: 20, extra_bytes: 20 });
    }

    #[test]
    fn a_transcendental_op_is_kept() {
        // The tutorial's `sigmoid(2 * (inp + 1) ** 2)`, from `inp`, which the backward reads anyway.
        let d = decide(&facts(vec![Op::Unary(Unary::Sigmoid), Op::Binary(Binary::Mul), Op::Binary(Binary::Mul), Op::Binary(Binary::Add)], 0, 0));
        assert!(!d.recompute);
        assert_eq!((d.keep_ps, d.recompute_ps), (560, 3600));
    }

    #[test]
    fn two_new_leaves_cost_more_than_they_save() {
        let d = decide(&facts(vec![Op::Binary(Binary::Add)], 8, 0));
        assert_eq!((d.recompute, d.recompute_ps, d.keep_ps), (false, 660, 560));
    }

    #[test]
    fn recomputing_never_holds_more_memory() {
        // Cheap enough, but a leaf of f's size and a one-element leaf would outlive the forward instead of f.
        let d = decide(&facts(vec![Op::Binary(Binary::Mul)], 4, 24));
        assert!(!d.recompute && d.recompute_ps < d.keep_ps);
        assert!(decide(&facts(vec![Op::Binary(Binary::Mul)], 4, 20)).recompute);
    }

    #[test]
    fn each_reading_kernel_pays_its_own_copy() {
        let mut f = facts(vec![Op::Binary(Binary::Mul), Op::Binary(Binary::Add)], 0, 0);
        f.dtype = DType::F64;
        f.readers = 2;
        let d = decide(&f);
        // Keeping: one write and two reads of 8 bytes; recomputing: 0.2 ns in each kernel.
        assert_eq!((d.recompute, d.keep_ps, d.recompute_ps), (true, 1680, 400));
    }

    #[test]
    fn a_truncated_cone_is_kept() {
        let mut f = facts(vec![Op::Binary(Binary::Add)], 0, 0);
        f.truncated = true;
        assert!(!decide(&f).recompute);
    }

    #[test]
    fn ops_outside_kernels_cannot_be_recomputed() {
        let d = decide(&facts(vec![Op::MatMul], 0, 0));
        assert!(!d.recompute);
        assert_eq!(d.recompute_ps, u64::MAX);
    }
}
