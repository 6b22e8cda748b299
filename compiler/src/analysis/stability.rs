//! Stability warnings (W0101): where the range analysis finds that an op can
//! overflow and the infinity becomes NaN further on, one warning at the op that
//! makes the NaN, with the overflowing ops as secondary labels and a help that
//! names a stable form when the expression is a known one.
//!
//! Only hazards in values the program observes (through `print`, `plot`, or a
//! gradient that is printed) are reported: a NaN nobody reads changes nothing,
//! and the optimizer removes such code anyway.

use std::collections::{HashMap, HashSet};

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::{DType, Op};

use super::range::{self, Analysis, HazardKind, Range};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{Graph, NodeId};
use crate::ir::program::Program;
use crate::syntax::ast::Span;

/// The warnings for a program after autodiff. `given` holds the declared intervals
/// of input nodes (see [`range::analyze`]).
pub fn warnings(prog: &Program, given: &HashMap<NodeId, (f64, f64)>) -> Vec<Diagnostic> {
    let analysis = range::analyze(&prog.graph, given);
    let live = live_nodes(prog);
    let mut seen: HashSet<(Span, Vec<Span>)> = HashSet::new();
    let mut out = Vec::new();
    for h in analysis.hazards.iter().filter(|h| live.contains(&h.node)) {
        let g = &prog.graph;
        // An op inlined at several call sites yields one hazard per call; the source
        // place is the same, so it is reported once.
        let mut origin_spans: Vec<Span> = h.origins.iter().map(|&o| g.meta(o).span).collect();
        origin_spans.dedup();
        if !seen.insert((g.meta(h.node).span, origin_spans)) {
            continue;
        }
        out.push(diagnostic(g, &analysis, h.node, h.kind, &h.origins));
    }
    // Topological order is not source order; people read warnings top to bottom.
    out.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    out
}

/// The nodes some effect reads, directly or through operands.
fn live_nodes(prog: &Program) -> HashSet<NodeId> {
    let mut live: HashSet<NodeId> = HashSet::new();
    let mut stack = prog.roots();
    while let Some(n) = stack.pop() {
        if prog.graph.contains(n) && live.insert(n) {
            stack.extend(prog.graph.operands(n));
        }
    }
    live
}

fn diagnostic(g: &Graph, a: &Analysis, node: NodeId, kind: HazardKind, origins: &[NodeId]) -> Diagnostic {
    let op = &g.node(node).op;
    let (what, label) = match kind {
        HazardKind::InfMinusInf if matches!(op, Op::Binary(Binary::Add)) => ("this addition", "`inf + (-inf)` is NaN".to_string()),
        HazardKind::InfMinusInf => ("this subtraction", "`inf - inf` is NaN".to_string()),
        HazardKind::InfOverInf => ("this division", "`inf / inf` is NaN".to_string()),
        HazardKind::ZeroTimesInf if matches!(op, Op::MatMul) => ("this matrix product", "`0 * inf` in a product is NaN".to_string()),
        HazardKind::ZeroTimesInf => ("this product", "`0 * inf` is NaN".to_string()),
        HazardKind::OppositeInfSum => ("this sum", "`inf + (-inf)` is NaN".to_string()),
        HazardKind::NanAtInf => ("this call", format!("`{}` of an infinity is NaN", op.name())),
    };
    let mut d = Diagnostic::warning(Code::W0101, format!("an overflow can make {what} NaN"), g.meta(node).span, label);
    for &o in origins {
        d = d.with_secondary(g.meta(o).span, origin_label(g, a, o));
    }
    d.with_help(help(g, node))
}

/// What the secondary label says about an op that overflows.
fn origin_label(g: &Graph, a: &Analysis, o: NodeId) -> String {
    let node = g.node(o);
    let dt = node.dtype.act_name();
    match &node.op {
        Op::Unary(Unary::Exp | Unary::ExpBlocks) => {
            let arg: &Range = &a.ranges[&g.operands(o)[0]];
            let reach =
                if arg.hi.is_finite() { format!("its argument reaches {}", short(arg.hi)) } else { "its argument has no upper bound".to_string() };
            format!("`exp` overflows to inf in {dt} above {:.2}, and {reach}", range::exp_limit(node.dtype))
        }
        op => {
            let max = match node.dtype {
                DType::F32 => format!("{:e}", f32::MAX),
                DType::F64 | DType::I64 | DType::Bool => format!("{:e}", f64::MAX),
            };
            if matches!(op, Op::Full(_) | Op::Literal(_)) {
                format!("this constant is beyond the largest finite {dt} ({max}) and rounds to inf")
            } else {
                format!("`{}` can exceed the largest finite {dt} ({max}) and round to inf", op.name())
            }
        }
    }
}

/// A bound printed short, as a person would write it.
fn short(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{v:e}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Looks through `detach`, which changes no value.
fn strip(g: &Graph, mut n: NodeId) -> NodeId {
    while matches!(g.node(n).op, Op::Unary(Unary::Detach)) {
        n = g.operands(n)[0];
    }
    n
}

fn is_op(g: &Graph, n: NodeId, f: impl Fn(&Op) -> bool) -> bool {
    f(&g.node(strip(g, n)).op)
}

/// Both operands of `n` are `exp`s.
fn two_exps(g: &Graph, n: NodeId) -> bool {
    g.operands(strip(g, n)).iter().filter(|&&x| is_op(g, x, |o| matches!(o, Op::Unary(Unary::Exp)))).count() == 2
}

/// `node` is log's backward times exp's backward in `log(1 + exp(x))`:
/// `(grad / (1 + exp(x))) * exp(x)`, which is `0 * inf` where `exp(x)` overflows.
fn is_log1pexp_gradient(g: &Graph, node: NodeId) -> bool {
    if !matches!(g.node(node).op, Op::Binary(Binary::Mul)) {
        return false;
    }
    let ops = g.operands(node);
    let (e, q) = if is_op(g, ops[1], |o| matches!(o, Op::Unary(Unary::Exp))) { (ops[1], ops[0]) } else { (ops[0], ops[1]) };
    let (e, q) = (strip(g, e), strip(g, q));
    if !matches!(g.node(e).op, Op::Unary(Unary::Exp)) || !matches!(g.node(q).op, Op::Binary(Binary::Div)) {
        return false;
    }
    let den = strip(g, g.operands(q)[1]);
    matches!(g.node(den).op, Op::Binary(Binary::Add)) && g.operands(den).iter().any(|&x| strip(g, x) == e)
}

/// A stable form for the expressions people write by hand, or general advice.
fn help(g: &Graph, node: NodeId) -> String {
    if is_log1pexp_gradient(g, node) {
        return "this is the gradient of `log(1 + exp(x))`, which is `0 * inf` once `exp(x)` overflows; write it as \
                `log1p(exp(-abs(x))) + relu(x)` (what PyTorch's `softplus` computes), whose gradient stays finite"
            .to_string();
    }
    if matches!(g.node(node).op, Op::Binary(Binary::Div)) {
        let ops = g.operands(node);
        let (num, den) = (ops[0], ops[1]);
        if is_op(g, num, |o| matches!(o, Op::Binary(Binary::Sub)))
            && is_op(g, den, |o| matches!(o, Op::Binary(Binary::Add)))
            && two_exps(g, num)
            && two_exps(g, den)
        {
            return "this is tanh written with exponentials; `tanh(x)` computes (exp(x) - exp(-x)) / (exp(x) + exp(-x)) without overflowing"
                .to_string();
        }
        let den_has_exp = is_op(g, den, |o| matches!(o, Op::Binary(Binary::Add)))
            && g.operands(strip(g, den)).iter().any(|&x| is_op(g, x, |o| matches!(o, Op::Unary(Unary::Exp))));
        if is_op(g, num, |o| matches!(o, Op::Unary(Unary::Exp))) && den_has_exp {
            return "this looks like a sigmoid written with exponentials; `sigmoid(x)` computes exp(x) / (1 + exp(x)) without overflowing"
                .to_string();
        }
    }
    "keep the overflowing op's argument in range (for example with `minimum`), or rewrite the expression so that large values cancel before they are computed (for example `tanh`, `sigmoid`, or subtracting the maximum before `exp`)".to_string()
}
