//! Algebraic simplification, exact rewrites only. After this pass no node is
//! `x * 1`, `1 * x`, `x / 1`, `x - 0`, `x + (-0.0)`, `x ** 1`, `-(-x)`,
//! `detach(x)`, a same-shape reshape/expand/sum_to, or a double transpose (when
//! the result has `x`'s shape), and `x ** 2` is `x * x`.
//!
//! `x + 0` is deliberately kept: `-0.0 + 0.0` is `+0.0`, so dropping it could
//! change a printed `-0.` into `0.`. `x * 0` is kept for NaN and infinity.

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::Op;

use super::Change;
use crate::ir::graph::NodeId;
use crate::ir::program::Program;

pub fn run(prog: &mut Program) -> Vec<Change> {
    let mut changes = Vec::new();
    for n in prog.graph.topo_order() {
        if !prog.graph.contains(n) {
            continue;
        }
        if let Some((replacement, what)) = rewrite(prog, n) {
            changes.push(Change { span: prog.graph.meta(n).span, what });
            match replacement {
                Rewrite::Use(x) => {
                    prog.replace_all_uses(n, x);
                    prog.graph.remove(n);
                }
                Rewrite::Square(x) => {
                    prog.graph.node_mut(n).op = Op::Binary(Binary::Mul);
                    prog.graph.set_operands(n, &[x, x]);
                }
            }
        }
    }
    changes
}

enum Rewrite {
    /// Replace the node by an existing one.
    Use(NodeId),
    /// Turn `x ** 2` into `x * x` in place.
    Square(NodeId),
}

/// The constant value of a `Full` node.
fn constant(prog: &Program, n: NodeId) -> Option<f64> {
    match prog.graph.node(n).op {
        Op::Full(v) => Some(v.get()),
        _ => None,
    }
}

fn rewrite(prog: &Program, n: NodeId) -> Option<(Rewrite, String)> {
    let g = &prog.graph;
    let node = g.node(n);
    let ops = g.operand_slice(n);
    let same_shape = |x: NodeId| g.node(x).shape == node.shape;
    let is = |x: NodeId, v: f64| constant(prog, x).is_some_and(|c| c.to_bits() == v.to_bits());
    match &node.op {
        Op::Binary(Binary::Mul) if is(ops[1], 1.0) && same_shape(ops[0]) => Some((Rewrite::Use(ops[0]), "x * 1 -> x".into())),
        Op::Binary(Binary::Mul) if is(ops[0], 1.0) && same_shape(ops[1]) => Some((Rewrite::Use(ops[1]), "1 * x -> x".into())),
        Op::Binary(Binary::Div) if is(ops[1], 1.0) && same_shape(ops[0]) => Some((Rewrite::Use(ops[0]), "x / 1 -> x".into())),
        Op::Binary(Binary::Sub) if is(ops[1], 0.0) && same_shape(ops[0]) => Some((Rewrite::Use(ops[0]), "x - 0 -> x".into())),
        Op::Binary(Binary::Add) if is(ops[1], -0.0) && same_shape(ops[0]) => Some((Rewrite::Use(ops[0]), "x + (-0.0) -> x".into())),
        Op::PowScalar(e) if e.get() == 1.0 => Some((Rewrite::Use(ops[0]), "x ** 1 -> x".into())),
        Op::PowScalar(e) if e.get() == 2.0 => Some((Rewrite::Square(ops[0]), "x ** 2 -> x * x".into())),
        Op::Unary(Unary::Neg) if matches!(g.node(ops[0]).op, Op::Unary(Unary::Neg)) => {
            Some((Rewrite::Use(g.operands(ops[0])[0]), "-(-x) -> x".into()))
        }
        Op::Unary(Unary::Detach) => Some((Rewrite::Use(ops[0]), "detach(x) -> x (gradients were derived already)".into())),
        Op::Reshape | Op::Expand | Op::SumTo if same_shape(ops[0]) => {
            Some((Rewrite::Use(ops[0]), format!("{} to the same shape -> x", node.op.name())))
        }
        Op::Transpose if matches!(g.node(ops[0]).op, Op::Transpose) => {
            Some((Rewrite::Use(g.operands(ops[0])[0]), "transpose(transpose(x)) -> x".into()))
        }
        _ => None,
    }
}
