//! Range analysis: for every node, an interval that holds all the finite values it
//! can take, whether it can be +inf or -inf (and why), and whether it can be NaN.
//!
//! The analysis is one pass over the graph in topological order, so it covers
//! whatever graph it is given; the driver runs it after autodiff, so that backward
//! graphs are covered too, and before the passes, so that every node still has the
//! span of the source it came from.
//!
//! Intervals come from what the program says: `arange`/`linspace` bounds, `rand` in
//! [0, 1), constants and literals exactly, values given in a side table (an `input`
//! declared `in [LO, HI]`), and nothing for `randn` and everything else, which is
//! unbounded. An infinite bound means "no bound known"; it does not mean that the
//! value can be infinite. That is tracked apart, as a list of [`Cause`]s, because
//! the warnings are about infinities that an op *creates* by overflowing.
//!
//! An op "can overflow" when the real result for operands in their intervals can
//! exceed the dtype's largest finite value (rounding to infinity). With bounded
//! operands this is decided exactly from the bounds. With an unbounded operand it is
//! claimed only for `exp` and `pow`, which overflow on ordinary inputs (`exp` of
//! f32 above 88.72); linear arithmetic on an unbounded value is assumed not to
//! overflow, since otherwise every `randn(5) + 1` would be reported.
//!
//! Bounds are computed in f64 without outward rounding, so they are accurate to a
//! few ulps, which is enough to find overflow thresholds, not to prove bit-exact
//! bounds.
//!
//! To avoid reporting `exp(x) - exp(-x)` as `inf - inf` (both exps overflow, but
//! never for the same x), an infinity caused by `exp` carries a condition on the
//! element it depends on: `exp(a*r + b)` can be inf only where `r > t` (or `r < t`).
//! Two infinities whose conditions on the same root exclude each other never meet.
//! Conditions hold elementwise, so they are dropped wherever elements are moved
//! (broadcast, reshape, transpose, reductions).

use std::collections::HashMap;

use graphc_runtime::op::{Binary, Cmp, ConvPart, IndexOp, ReduceKind, ScatterReduce, Unary};
use graphc_runtime::{DType, Op};

use crate::ir::graph::{Graph, NodeId};

mod activation;
mod binary;
mod fma;
mod unary;

/// Which side of a threshold an element of a root must be on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    Above,
    Below,
}

/// "Only where the element of `root` at the same position is above (below) `t`".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cond {
    pub root: NodeId,
    pub side: Side,
    pub t: f64,
}

/// True unless the two conditions cannot hold for the same element.
fn compatible(a: Option<Cond>, b: Option<Cond>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a.root == b.root => match (a.side, b.side) {
            (Side::Above, Side::Below) => a.t < b.t,
            (Side::Below, Side::Above) => b.t < a.t,
            _ => true,
        },
        _ => true,
    }
}

/// One way a value can be infinite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cause {
    /// The op whose result is first infinite.
    pub origin: NodeId,
    /// True for an overflow (a finite result too large for the dtype); false for an
    /// exact infinity such as `x / 0` or `log(0)`, which is not what W0101 is about.
    pub overflow: bool,
    /// When the infinity can happen, if known.
    pub cond: Option<Cond>,
}

/// What the analysis knows about one node's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// Lower bound of the finite values (`-inf`: no bound known).
    pub lo: f64,
    /// Upper bound of the finite values (`+inf`: no bound known).
    pub hi: f64,
    /// Why the value can be +inf (empty: it cannot).
    pub pos_inf: Vec<Cause>,
    /// Why the value can be -inf (empty: it cannot).
    pub neg_inf: Vec<Cause>,
    /// The value can be NaN.
    pub nan: bool,
    /// A NaN that reaches this value was already reported as a hazard upstream, so
    /// that the consequences of one NaN are not reported again and again.
    pub nan_reported: bool,
    /// Why the value can be an exact zero that `lo..hi` does not show: a finite
    /// value divided by an overflowed infinity (`g / (1 + exp(x))` at large `x`),
    /// which is a hazard only where it meets that infinity again (`0 * inf`). The
    /// causes are the infinities' own, conditions included; empty: no such zero.
    pub zero_from_inf: Vec<Cause>,
}

impl Range {
    pub fn new(lo: f64, hi: f64) -> Range {
        Range { lo, hi, pos_inf: Vec::new(), neg_inf: Vec::new(), nan: false, nan_reported: false, zero_from_inf: Vec::new() }
    }

    pub fn unbounded() -> Range {
        Range::new(f64::NEG_INFINITY, f64::INFINITY)
    }

    /// Both bounds are known.
    pub fn bounded(&self) -> bool {
        self.lo.is_finite() && self.hi.is_finite()
    }

    pub fn may_be_inf(&self) -> bool {
        !self.pos_inf.is_empty() || !self.neg_inf.is_empty()
    }

    fn may_be_zero(&self) -> bool {
        self.lo <= 0.0 && 0.0 <= self.hi
    }

    fn may_be_positive(&self) -> bool {
        self.hi > 0.0 || !self.pos_inf.is_empty()
    }

    fn may_be_negative(&self) -> bool {
        self.lo < 0.0 || !self.neg_inf.is_empty()
    }

    /// The same range with the conditions dropped, for an operand whose elements
    /// do not line up with the result's.
    fn unaligned(&self) -> Range {
        let strip = |v: &[Cause]| v.iter().map(|c| Cause { cond: None, ..*c }).collect();
        Range { pos_inf: strip(&self.pos_inf), neg_inf: strip(&self.neg_inf), zero_from_inf: strip(&self.zero_from_inf), ..self.clone() }
    }

    /// A range holding the values of both (a result that gathers elements of
    /// several operands, such as `cat`).
    fn join(&self, other: &Range) -> Range {
        let mut r = Range::new(self.lo.min(other.lo), self.hi.max(other.hi));
        r.pos_inf = self.pos_inf.iter().chain(&other.pos_inf).copied().collect();
        r.neg_inf = self.neg_inf.iter().chain(&other.neg_inf).copied().collect();
        r.nan = self.nan || other.nan;
        r.nan_reported = self.nan_reported || other.nan_reported;
        r
    }

    fn all_inf(&self) -> Vec<Cause> {
        self.pos_inf.iter().chain(&self.neg_inf).copied().collect()
    }
}

/// What kind of NaN an overflow can turn into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HazardKind {
    /// `inf - inf` in an add or subtract.
    InfMinusInf,
    /// `inf / inf`.
    InfOverInf,
    /// `0 * inf` in a multiplication (or in `tanh_backward`, or a matmul's products).
    ZeroTimesInf,
    /// `+inf` and `-inf` summed by a reduction or a matmul.
    OppositeInfSum,
    /// A function that is NaN at an infinity (`sin`, `cos`, `log(-inf)`, `sqrt(-inf)`).
    NanAtInf,
}

/// A place where an overflow can become NaN.
#[derive(Clone, Debug, PartialEq)]
pub struct Hazard {
    pub node: NodeId,
    pub kind: HazardKind,
    /// The ops whose overflow can lead here, nearest first as found.
    pub origins: Vec<NodeId>,
}

/// The ranges of all nodes and the hazards found.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub ranges: HashMap<NodeId, Range>,
    pub hazards: Vec<Hazard>,
}

/// The largest finite value of a dtype.
pub fn max_finite(dt: DType) -> f64 {
    match dt {
        DType::F32 => f32::MAX as f64,
        // Integers wrap rather than overflow to infinity, and bools are 0 or 1:
        // they take f64's bounds, which nothing reaches.
        DType::F64 | DType::I64 | DType::Bool => f64::MAX,
    }
}

/// The smallest magnitude that rounds to infinity: the largest finite value plus
/// half an ulp (f32: 2^128 - 2^103). For f64 it is not representable, so an f64
/// result overflows exactly when f64 arithmetic gives infinity.
fn overflow_threshold(dt: DType) -> f64 {
    match dt {
        DType::F32 => 2f64.powi(128) - 2f64.powi(103),
        DType::F64 | DType::I64 | DType::Bool => f64::INFINITY,
    }
}

/// The argument above which `exp` overflows in a dtype (88.72 for f32, 709.78 for f64).
pub fn exp_limit(dt: DType) -> f64 {
    match dt {
        DType::F32 => overflow_threshold(dt).ln(),
        DType::F64 | DType::I64 | DType::Bool => f64::MAX.ln(),
    }
}

/// Magnitudes below half the smallest subnormal round to zero.
fn flush(v: f64, dt: DType) -> f64 {
    let tiny = match dt {
        DType::F32 => 2f64.powi(-150),
        DType::F64 | DType::I64 | DType::Bool => 0.0,
    };
    if v.abs() <= tiny {
        0.0
    } else {
        v
    }
}

/// A product of bounds where 0 times an unknown bound is 0: the finite values are
/// multiplied, never an infinity.
fn mul_b(a: f64, b: f64) -> f64 {
    if a == 0.0 || b == 0.0 {
        0.0
    } else {
        a * b
    }
}

/// The hull of some candidate bounds, ignoring NaN (an `inf / inf` of two unknown bounds).
fn hull(points: &[f64]) -> (f64, f64) {
    let finite: Vec<f64> = points.iter().copied().filter(|v| !v.is_nan()).collect();
    if finite.is_empty() {
        return (f64::NEG_INFINITY, f64::INFINITY);
    }
    (finite.iter().copied().fold(f64::INFINITY, f64::min), finite.iter().copied().fold(f64::NEG_INFINITY, f64::max))
}

/// Adds causes without repeating one.
fn extend(into: &mut Vec<Cause>, from: &[Cause]) {
    for c in from {
        if !into.contains(c) {
            into.push(*c);
        }
    }
}

/// The overflow origins of every pair of causes that can happen together, or none.
fn clash(a: &[Cause], b: &[Cause]) -> Vec<NodeId> {
    let mut origins = Vec::new();
    for x in a {
        for y in b {
            if (x.overflow || y.overflow) && compatible(x.cond, y.cond) {
                for c in [x, y] {
                    if c.overflow && !origins.contains(&c.origin) {
                        origins.push(c.origin);
                    }
                }
            }
        }
    }
    origins
}

/// The overflow origins among some causes.
fn overflow_origins(causes: &[Cause]) -> Vec<NodeId> {
    let mut v = Vec::new();
    for c in causes.iter().filter(|c| c.overflow) {
        if !v.contains(&c.origin) {
            v.push(c.origin);
        }
    }
    v
}

/// `x = a * root + b`, elementwise, for the conditions of `exp`.
#[derive(Clone, Copy, Debug)]
struct Affine {
    root: NodeId,
    a: f64,
    b: f64,
}

/// The affine form of `f op c` (the constant on the right) or `c op f`, where
/// that is affine in `f`'s root; every other op is not.
fn with_constant(op: Binary, f: Affine, c: f64, right: bool) -> Option<Affine> {
    match (op, right) {
        (Binary::Add, _) => Some(Affine { b: f.b + c, ..f }),
        (Binary::Sub, true) => Some(Affine { b: f.b - c, ..f }),
        (Binary::Sub, false) => Some(Affine { a: -f.a, b: c - f.b, ..f }),
        (Binary::Mul, _) => Some(Affine { a: f.a * c, b: f.b * c, ..f }),
        (Binary::Div, true) => Some(Affine { a: f.a / c, b: f.b / c, ..f }),
        _ => None,
    }
}

/// The state of one run: ranges so far and hazards found.
struct Run<'g> {
    graph: &'g Graph,
    ranges: HashMap<NodeId, Range>,
    affine: HashMap<NodeId, Affine>,
    hazards: Vec<Hazard>,
}

/// Analyzes every node of `graph`. `given` holds intervals for nodes whose values
/// the program declares (an `input` with `in [LO, HI]`); they replace what the
/// node's op would say.
pub fn analyze(graph: &Graph, given: &HashMap<NodeId, (f64, f64)>) -> Analysis {
    let mut run = Run { graph, ranges: HashMap::new(), affine: HashMap::new(), hazards: Vec::new() };
    for id in graph.topo_order() {
        let r = match given.get(&id) {
            Some(&(lo, hi)) => Range::new(lo, hi),
            None => run.transfer(id),
        };
        let aff = run.affine_of(id);
        run.affine.insert(id, aff);
        run.ranges.insert(id, r);
    }
    Analysis { ranges: run.ranges, hazards: run.hazards }
}

impl Run<'_> {
    /// The range of operand `x` as seen by node `n`: conditions dropped unless the
    /// operand has the node's shape.
    fn operand(&self, n: NodeId, x: NodeId) -> Range {
        let r = &self.ranges[&x];
        if self.graph.node(x).shape == self.graph.node(n).shape {
            r.clone()
        } else {
            r.unaligned()
        }
    }

    /// The value of a node whose elements are all one known constant.
    fn constant(&self, id: NodeId) -> Option<f64> {
        match &self.graph.node(id).op {
            Op::Full(v) => Some(v.get()),
            Op::Literal(vs) if vs.len() == 1 => Some(vs[0].get()),
            Op::Expand | Op::Unary(Unary::Detach) => self.constant(self.graph.operands(id)[0]),
            Op::Literal(_)
            | Op::Unary(_)
            | Op::Binary(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_)
            | Op::RegionOutput { .. }
            | Op::PowScalar(_)
            | Op::Activation(_)
            | Op::Where(_)
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
            | Op::Cumprod { .. }
            | Op::Logcumsumexp { .. }
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
            | Op::GridSample(_)
            | Op::Cast
            | Op::Compare(_)
            | Op::Select
            | Op::Logical(_)
            | Op::FloatTest(_)
            | Op::NanToNum { .. }
            | Op::Index(_)
            | Op::Fma => None,
        }
    }

    /// The affine form of a node in terms of a root, through negation, detach and
    /// arithmetic with constants on operands of the node's shape.
    fn affine_of(&self, id: NodeId) -> Affine {
        let own = Affine { root: id, a: 1.0, b: 0.0 };
        let node = self.graph.node(id);
        let ops = self.graph.operands(id);
        let aligned = |x: NodeId| self.graph.node(x).shape == node.shape;
        let form = |x: NodeId| self.affine.get(&x).copied().filter(|_| aligned(x));
        match &node.op {
            Op::Unary(Unary::Neg) => form(ops[0]).map(|f| Affine { a: -f.a, b: -f.b, ..f }).unwrap_or(own),
            Op::Unary(Unary::Detach) => form(ops[0]).unwrap_or(own),
            Op::Binary(op) => {
                let (l, r) = (ops[0], ops[1]);
                let res = match (self.constant(l), self.constant(r)) {
                    (None, Some(c)) => form(l).and_then(|f| with_constant(*op, f, c, true)),
                    (Some(c), None) => form(r).and_then(|f| with_constant(*op, f, c, false)),
                    _ => None,
                };
                res.filter(|f| f.a.is_finite() && f.b.is_finite() && f.a != 0.0).unwrap_or(own)
            }
            Op::Unary(_)
            | Op::Full(_)
            | Op::Literal(_)
            | Op::Expand
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_)
            | Op::RegionOutput { .. }
            | Op::PowScalar(_)
            | Op::Activation(_)
            | Op::Where(_)
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
            | Op::Cumprod { .. }
            | Op::Logcumsumexp { .. }
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
            | Op::GridSample(_)
            | Op::Cast
            | Op::Compare(_)
            | Op::Select
            | Op::Logical(_)
            | Op::FloatTest(_)
            | Op::NanToNum { .. }
            | Op::Index(_)
            | Op::Fma => own,
        }
    }

    fn hazard(&mut self, node: NodeId, kind: HazardKind, origins: Vec<NodeId>, out: &mut Range) {
        // Some NaN is possible here whatever the origins say; whether it is worth a
        // warning depends on an overflow being among them.
        out.nan = true;
        if origins.is_empty() {
            return;
        }
        out.nan_reported = true;
        self.hazards.push(Hazard { node, kind, origins });
    }

    /// The range of node `n` from its operands' ranges.
    fn transfer(&mut self, n: NodeId) -> Range {
        let node = self.graph.node(n).clone();
        let dt = node.dtype;
        let ops = self.graph.operands(n);
        let args: Vec<Range> = ops.iter().map(|&x| self.operand(n, x)).collect();
        let numel = |s: &[usize]| s.iter().product::<usize>();
        let mut out = match &node.op {
            // ---- sources ----
            Op::Full(v) => constant_range(&[v.get()], n, dt),
            Op::Literal(vs) => constant_range(&vs.iter().map(|v| v.get()).collect::<Vec<_>>(), n, dt),
            Op::Arange { start, step } => {
                let count = node.shape.first().copied().unwrap_or(1).max(1);
                let last = start.get() + step.get() * (count - 1) as f64;
                Range::new(start.get().min(last), start.get().max(last))
            }
            Op::Linspace { start, end } => Range::new(start.get().min(end.get()), start.get().max(end.get())),
            Op::Rand => Range::new(0.0, 1.0),
            // Normals and values bound from outside have no bound the program states.
            // An input without a declared range may hold anything; a declared one comes from `given`.
            Op::Randn | Op::Param(_) | Op::Input(_) | Op::Data(_) | Op::RegionOutput { .. } => Range::unbounded(),

            // ---- elementwise: the op tables name each op's rule ----
            Op::Unary(u) => self.unary(n, *u, ops[0], &args[0], dt),
            Op::PowScalar(c) => self.pow_scalar(n, &args[0], c.get()),
            Op::Activation(f) => activation::activation(*f, &args[0]),
            Op::Binary(b) => self.binary(n, *b, &ops, &args, dt),

            // ---- selection ----
            Op::Where(cmp) => {
                // `where(a <= c, a, y)` with a constant `c` selects `a` only
                // where it is at most `c` (and `where(a >= c, a, y)` where it is
                // at least `c`): the backward of `elu` caps its exponent so.
                let refined = where_refined(*cmp, &ops, &args);
                let (x, y) = (refined.as_ref().unwrap_or(&args[2]), &args[3]);
                // A comparison the operands' ranges decide keeps one branch
                // (`where(x < 0, -inf, ...)` of a `rand` never takes the `-inf`).
                either(x, y, decided(*cmp, &args[0], &args[1]))
            }

            // ---- dtype conversions: a cast keeps the values (a bool result is 0 or 1) ----
            Op::Cast if dt == DType::Bool => Range::new(0.0, 1.0),
            Op::Cast => args[0].clone(),
            Op::Compare(_) | Op::Logical(_) | Op::FloatTest(_) => Range::new(0.0, 1.0),
            Op::Select => {
                // `where(a <= c, a, y)` written by the user: the condition is a
                // comparison node, refined and decided as `Op::Where` is.
                let cond = self.graph.node(ops[0]);
                let (refined, decision) = match cond.op {
                    Op::Compare(cmp) => {
                        let cmp_ops = self.graph.operands(ops[0]);
                        let (a, b) = (&self.ranges[&cmp_ops[0]], &self.ranges[&cmp_ops[1]]);
                        let cmp_args = [a.clone(), b.clone(), args[1].clone()];
                        (where_refined(cmp, &[cmp_ops[0], cmp_ops[1], ops[1]], &cmp_args), decided(cmp, a, b))
                    }
                    _ => (None, None),
                };
                either(refined.as_ref().unwrap_or(&args[1]), &args[2], decision)
            }
            Op::Fma => fma::fma(&args[0], &args[1], &args[2]),
            // Finite values pass; NaN and the infinities become the (finite) replacements.
            Op::NanToNum { nan, posinf, neginf } => {
                let a = &args[0];
                let vals = [a.lo, a.hi, nan.get(), posinf.get(), neginf.get()];
                Range::new(vals.iter().copied().fold(f64::INFINITY, f64::min), vals.iter().copied().fold(f64::NEG_INFINITY, f64::max))
            }

            // Positions lie within their dimension; gathered values are the
            // input's, and a scatter into zeros may also sum several of them.
            Op::Index(IndexOp::Arg { dim, .. }) => {
                let sh = &self.graph.node(ops[0]).shape;
                let n = dim.map_or_else(|| numel(sh), |d| sh[d]);
                Range::new(0.0, n.saturating_sub(1) as f64)
            }
            Op::Index(IndexOp::Sort { dim, .. } | IndexOp::TopK { dim, .. } | IndexOp::Kth { dim, .. } | IndexOp::CumExtreme { dim, .. }) => {
                let n = self.graph.node(ops[0]).shape[*dim];
                Range::new(0.0, n.saturating_sub(1) as f64)
            }
            // A search's position lies anywhere from before the first boundary to past the last.
            Op::Index(IndexOp::Search { .. }) => {
                let sh = &self.graph.node(ops[0]).shape;
                Range::new(0.0, sh.last().copied().unwrap_or(0) as f64)
            }
            Op::Index(IndexOp::MaxPool(_) | IndexOp::AdaptiveMaxPool) => {
                let sh = &self.graph.node(ops[0]).shape;
                Range::new(0.0, (sh[2] * sh[3]).saturating_sub(1) as f64)
            }
            Op::Index(IndexOp::Gather { .. }) => args[0].unaligned(),
            Op::Index(IndexOp::ScatterAdd { .. }) => {
                let count = numel(&self.graph.node(ops[0]).shape);
                self.reduce(n, &args[0], count, false, dt).join(&Range::new(0.0, 0.0))
            }
            // The input's values and the source's written over them; sums into
            // the input are not bounded by a rule yet.
            Op::Index(IndexOp::ScatterInto { add: false, .. }) => args[0].unaligned().join(&args[2].unaligned()),
            Op::Index(IndexOp::ScatterInto { add: true, .. } | IndexOp::ScatterFma { .. }) => Range::unbounded(),
            // `amax` and `amin` pick one of the values combined (each position the
            // index names gets a source value, so no identity survives); sums,
            // products and means are not bounded by a rule yet.
            Op::Index(IndexOp::ScatterReduce { reduce: ScatterReduce::Amax | ScatterReduce::Amin, .. }) => {
                args[0].unaligned().join(&args[2].unaligned())
            }
            Op::Index(IndexOp::ScatterReduce { .. }) => Range::unbounded(),

            // ---- shape: same values, possibly moved ----
            Op::Expand | Op::Reshape => args[0].clone(),
            Op::Transpose | Op::Permute(_) | Op::Slice { .. } => args[0].unaligned(),
            // The operand's values and the zeros written around them.
            Op::SliceBackward { .. } => args[0].unaligned().join(&Range::new(0.0, 0.0)),
            Op::Cat { .. } => args.iter().skip(1).fold(args[0].unaligned(), |r, a| r.join(&a.unaligned())),

            // ---- reductions ----
            Op::SumTo | Op::Sum { .. } => {
                let count = numel(&self.graph.node(ops[0]).shape) / numel(&node.shape).max(1);
                self.reduce(n, &args[0], count, false, dt)
            }
            Op::Mean { .. } => {
                let count = numel(&self.graph.node(ops[0]).shape) / numel(&node.shape).max(1);
                self.reduce(n, &args[0], count, true, dt)
            }

            // Sums and means of a set of dimensions bound like `sum`; extremes keep the
            // operand's bounds; softmax lies in [0, 1]. The statistics (var, std,
            // logsumexp, norm) are left unbounded: no rule states them yet; log_softmax is at most 0.
            Op::Reduce { kind, .. } => {
                let count = numel(&self.graph.node(ops[0]).shape) / numel(&node.shape).max(1);
                match kind {
                    ReduceKind::Sum | ReduceKind::SeqSum | ReduceKind::NllSum | ReduceKind::NllSumSkipping => {
                        self.reduce(n, &args[0], count, false, dt)
                    }
                    ReduceKind::Mean | ReduceKind::VarMeanMean | ReduceKind::BatchMean | ReduceKind::NllMean => {
                        self.reduce(n, &args[0], count, true, dt)
                    }
                    ReduceKind::BatchVarSum => Range::unbounded(),
                    ReduceKind::Amax | ReduceKind::Amin => args[0].unaligned(),
                    ReduceKind::Var(_) | ReduceKind::Std(_) | ReduceKind::VarMeanVar(_) | ReduceKind::LogSumExp | ReduceKind::Norm(_) => {
                        Range::unbounded()
                    }
                    // A product of many elements can overflow: no rule states it yet.
                    ReduceKind::Prod | ReduceKind::ProdAll => Range::unbounded(),
                }
            }
            Op::Cumsum { dim, .. } => {
                let count = self.graph.node(ops[0]).shape[*dim];
                self.reduce(n, &args[0], count, false, dt)
            }
            // Each prefix lies between its largest element and that plus
            // `ln(count)`; the infinities and NaNs of the input pass on.
            Op::Logcumsumexp { dim, .. } => {
                let a = &args[0];
                let count = self.graph.node(ops[0]).shape[*dim].max(1) as f64;
                Range { lo: a.lo, hi: a.hi + count.ln(), ..a.clone() }
            }
            // Products of factors in [0, 1] stay in [lo^n, hi] (n factors at
            // most; a little below lo^n for the rounding of each stored
            // prefix), of factors in [-1, 1] in [-1, 1]; others can overflow.
            Op::Cumprod { dim } => {
                let a = &args[0];
                let finite = a.pos_inf.is_empty() && a.neg_inf.is_empty();
                let count = self.graph.node(ops[0]).shape[*dim] as i32;
                let mut r = if finite && a.lo >= 0.0 && a.hi <= 1.0 {
                    Range::new(a.lo.powi(count) * 0.999, a.hi)
                } else if finite && a.lo >= -1.0 && a.hi <= 1.0 {
                    Range::new(-1.0, 1.0)
                } else {
                    Range::unbounded()
                };
                r.nan = a.nan;
                r.nan_reported = a.nan_reported;
                r
            }
            Op::Softmax { log: false, .. } => {
                let mut r = Range::new(0.0, 1.0);
                r.nan = args[0].nan;
                r.nan_reported = args[0].nan_reported;
                r
            }
            Op::Softmax { log: true, .. } => {
                let mut r = Range::new(f64::NEG_INFINITY, 0.0);
                r.nan = args[0].nan;
                r.nan_reported = args[0].nan_reported;
                r
            }

            // Products of the other elements, as `prod`: no rule yet.
            Op::ProdOthers { .. } | Op::ProdOthersVjp { .. } => Range::unbounded(),

            // A softmax gradient scales the incoming gradient by the outputs: no rule yet.
            Op::SoftmaxBackward { .. } => Range::unbounded(),

            // Losses are not bounded by a rule yet.
            Op::Loss { .. } => Range::unbounded(),

            // A normalized row is bounded by sqrt(row length) before the weight
            // and bias, which no rule uses yet.
            Op::LayerNorm(_) | Op::GroupNorm(_) => Range::unbounded(),

            // ---- linear algebra ----
            Op::MatMul => {
                let k = self.graph.node(ops[0]).shape.last().copied().unwrap_or(1);
                let p = self.mul(n, &args[0].unaligned(), &args[1].unaligned(), HazardKind::ZeroTimesInf);
                self.reduce(n, &p, k, false, dt)
            }
            // An average lies within its operand's values (or is 0 over an
            // empty window); a gradient spreads sums of divided values.
            Op::AvgPool(p) => match p.part {
                graphc_runtime::op::AvgPoolPart::Forward => args[0].unaligned().join(&Range::new(0.0, 0.0)),
                graphc_runtime::op::AvgPoolPart::Backward => Range::unbounded(),
            },
            // An interpolated pixel is a weighted mean of its operand's values; a
            // gradient adds weighted gradients.
            Op::Upsample(u) => match u.part {
                graphc_runtime::op::UpsamplePart::Forward => args[0].unaligned(),
                graphc_runtime::op::UpsamplePart::Backward => Range::unbounded(),
            },
            // A sampled pixel is a weighted mean of its operand's values and the
            // zeros outside the image; the gradients add weighted gradients.
            Op::GridSample(g) => match g.part {
                graphc_runtime::op::GridSamplePart::Forward => args[0].unaligned().join(&Range::new(0.0, 0.0)),
                graphc_runtime::op::GridSamplePart::InputGrad | graphc_runtime::op::GridSamplePart::GridGrad => Range::unbounded(),
            },
            // Each element sums at most `terms` products of an element of each
            // tensor operand (fewer, or zeros, where a patch meets the padding).
            Op::Conv(conv) => {
                let (w, x) = (&self.graph.node(ops[1]).shape, &self.graph.node(ops[0]).shape);
                let terms = match conv.part {
                    ConvPart::Forward { .. } => w[1..].iter().product::<usize>(),
                    ConvPart::Transposed { .. } => w[0] / conv.groups * w[2] * w[3],
                    ConvPart::WeightGrad => x[0] * x[2] * x[3],
                };
                let p = self.mul(n, &args[0].unaligned(), &args[1].unaligned(), HazardKind::ZeroTimesInf);
                let sum = self.reduce(n, &p.join(&Range::new(0.0, 0.0)), terms, false, dt);
                match conv.part {
                    ConvPart::Forward { bias: true } | ConvPart::Transposed { bias: true } => {
                        self.binary(n, Binary::Add, &[ops[0], ops[2]], &[sum, args[2].unaligned()], dt)
                    }
                    ConvPart::Forward { bias: false } | ConvPart::Transposed { bias: false } | ConvPart::WeightGrad => sum,
                }
            }
        };
        out.lo = flush(out.lo, dt);
        out.hi = flush(out.hi, dt);
        // An i64 or bool value is never infinite or NaN (integer arithmetic wraps),
        // so nothing computed from one can meet an overflow.
        if !dt.is_float() {
            out.pos_inf.clear();
            out.neg_inf.clear();
            out.nan = false;
            out.nan_reported = false;
        }
        out
    }

    /// Records an overflow of node `n` when its operands were bounded and its finite
    /// bounds reach the dtype's overflow threshold; the bounds are then clamped.
    fn overflow_check(&mut self, n: NodeId, r: &mut Range, bounded: bool, dt: DType) {
        let thr = overflow_threshold(dt);
        let max = max_finite(dt);
        // Unbounded operands give unknown bounds, not an overflow; a bound between the
        // largest finite value and the threshold rounds down to the largest finite value.
        // When an operand can already overflow in the same direction, the finite
        // values near the top are the edge of that overflow (exp(x) + exp(-x) is
        // large only where one exp already overflows), so this op is not a new origin.
        let upstream = |causes: &[Cause]| causes.iter().any(|c| c.overflow);
        if bounded && r.hi >= thr && !upstream(&r.pos_inf) {
            r.pos_inf.push(Cause { origin: n, overflow: true, cond: None });
        }
        if bounded && r.lo <= -thr && !upstream(&r.neg_inf) {
            r.neg_inf.push(Cause { origin: n, overflow: true, cond: None });
        }
        if bounded || r.hi.is_finite() {
            r.hi = r.hi.min(max);
        }
        if bounded || r.lo.is_finite() {
            r.lo = r.lo.max(-max);
        }
    }

    /// A sum (or mean) of `count` elements of range `a`.
    fn reduce(&mut self, n: NodeId, a: &Range, count: usize, mean: bool, dt: DType) -> Range {
        if count <= 1 {
            return a.clone();
        }
        let a = a.unaligned();
        let k = count as f64;
        let mut r = Range::new(mul_b(a.lo, k), mul_b(a.hi, k));
        r.pos_inf = a.pos_inf.clone();
        r.neg_inf = a.neg_inf.clone();
        r.nan = a.nan;
        r.nan_reported = a.nan_reported;
        if !r.nan_reported && !a.pos_inf.is_empty() && !a.neg_inf.is_empty() {
            let origins = clash(&a.pos_inf, &a.neg_inf);
            self.hazard(n, HazardKind::OppositeInfSum, origins, &mut r);
        }
        // The sum can overflow even when the mean is in range: PyTorch's mean sums first.
        self.overflow_check(n, &mut r, a.bounded(), dt);
        if mean {
            r.lo = if r.neg_inf.iter().any(|c| c.origin == n) { r.lo } else { a.lo };
            r.hi = if r.pos_inf.iter().any(|c| c.origin == n) { r.hi } else { a.hi };
        }
        r
    }
}

/// The range of a constant: its values, or an overflow where one rounds to infinity.
fn constant_range(values: &[f64], n: NodeId, dt: DType) -> Range {
    let thr = overflow_threshold(dt);
    let max = max_finite(dt);
    let mut r = Range::new(f64::INFINITY, f64::NEG_INFINITY);
    for &v in values {
        if v.is_nan() {
            r.nan = true;
        } else if v >= thr {
            r.pos_inf = vec![Cause { origin: n, overflow: v.is_finite(), cond: None }];
        } else if v <= -thr {
            r.neg_inf = vec![Cause { origin: n, overflow: v.is_finite(), cond: None }];
        } else {
            let v = v.clamp(-max, max);
            r.lo = r.lo.min(v);
            r.hi = r.hi.max(v);
        }
    }
    if r.lo > r.hi {
        // Only infinities and NaN: no finite value at all; an empty interval would
        // confuse the products, so use a single zero-free point.
        r.lo = if r.pos_inf.is_empty() { -max } else { max };
        r.hi = r.lo;
    }
    r
}

/// The range of `where`'s first choice when it is the compared value itself
/// and the other compared value a finite constant `c`: only values that pass
/// the comparison are selected, so a `<=`/`<` bounds them above by `c`, a
/// `>=`/`>` below, and none of them is NaN. `None` otherwise.
/// The range of a choice between `x` and `y`: one of them when the condition
/// is decided, both otherwise.
fn either(x: &Range, y: &Range, decision: Option<bool>) -> Range {
    match decision {
        Some(true) => return x.clone(),
        Some(false) => return y.clone(),
        None => {}
    }
    let mut r = Range::new(x.lo.min(y.lo), x.hi.max(y.hi));
    extend(&mut r.pos_inf, &x.pos_inf);
    extend(&mut r.pos_inf, &y.pos_inf);
    extend(&mut r.neg_inf, &x.neg_inf);
    extend(&mut r.neg_inf, &y.neg_inf);
    r.nan = x.nan || y.nan;
    r.nan_reported = x.nan_reported || y.nan_reported;
    r
}

/// Whether `a cmp b` holds for every pair of values the operands' ranges
/// allow, infinities included (`Some(true)`), for none (`Some(false)`), or
/// depends on the element (`None`). A NaN compares false, except by `!=`.
fn decided(cmp: Cmp, a: &Range, b: &Range) -> Option<bool> {
    let lo = |r: &Range| if r.neg_inf.is_empty() { r.lo } else { f64::NEG_INFINITY };
    let hi = |r: &Range| if r.pos_inf.is_empty() { r.hi } else { f64::INFINITY };
    let (alo, ahi, blo, bhi) = (lo(a), hi(a), lo(b), hi(b));
    let nan = a.nan || b.nan;
    let apart = ahi < blo || alo > bhi;
    let (always, never) = match cmp {
        Cmp::Lt => (ahi < blo && !nan, alo >= bhi),
        Cmp::Le => (ahi <= blo && !nan, alo > bhi),
        Cmp::Gt => (alo > bhi && !nan, ahi <= blo),
        Cmp::Ge => (alo >= bhi && !nan, ahi < blo),
        Cmp::Eq => (false, apart),
        Cmp::Ne => (apart, false),
    };
    if never {
        Some(false)
    } else if always {
        Some(true)
    } else {
        None
    }
}

fn where_refined(cmp: Cmp, ops: &[NodeId], args: &[Range]) -> Option<Range> {
    let (c, x) = (&args[1], &args[2]);
    let constant = c.lo == c.hi && c.lo.is_finite() && !c.nan && c.pos_inf.is_empty() && c.neg_inf.is_empty();
    if ops[2] != ops[0] || !constant {
        return None;
    }
    let mut r = x.clone();
    r.nan = false;
    match cmp {
        Cmp::Le | Cmp::Lt => {
            r.hi = r.hi.min(c.lo);
            r.lo = r.lo.min(r.hi);
            r.pos_inf.clear();
        }
        Cmp::Ge | Cmp::Gt => {
            r.lo = r.lo.max(c.lo);
            r.hi = r.hi.max(r.lo);
            r.neg_inf.clear();
        }
        Cmp::Eq | Cmp::Ne => return None,
    }
    Some(r)
}
