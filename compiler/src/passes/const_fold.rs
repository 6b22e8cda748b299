//! Constant folding: a pure node whose operands are all constants is evaluated
//! now, with the runtime's own kernels (so the folded bits are the bits the
//! runtime would compute), and becomes a constant. After this pass no pure
//! node has only constant operands, unless its result would be a large
//! non-uniform tensor (kept as code rather than bloating the program), or its
//! result or an operand has more than [`MAX_FOLD_ELEMENTS`] elements: folding
//! evaluates the node now, so without that limit `graphc check`, which promises to
//! run nothing, would build tensors of gigabytes (such nodes run at run time, within
//! the memory budget).

use graphc_runtime::op::Scalar;
use graphc_runtime::{kernels, Op, Tensor};

use super::Change;
use crate::ir::graph::NodeId;
use crate::ir::program::Program;

/// Non-uniform results up to this many elements are stored as literals.
const MAX_LITERAL: usize = 64;

/// Nodes whose result or operands have more elements than this are not folded:
/// 65,536 elements (512 KiB in f64) keep folding within milliseconds per node, a
/// matmul included (at most about 17 million multiply-adds).
pub const MAX_FOLD_ELEMENTS: u128 = 1 << 16;

/// The elements of a tensor of `shape`, without overflow.
fn elements(shape: &[usize]) -> u128 {
    shape.iter().fold(1u128, |n, &d| n.saturating_mul(d as u128))
}

pub fn run(prog: &mut Program) -> Vec<Change> {
    let mut changes = Vec::new();
    for n in prog.graph.topo_order() {
        let node = prog.graph.node(n).clone();
        let ops = prog.graph.operands(n);
        if ops.is_empty() || node.op.is_random() || matches!(node.op, Op::Param(_)) {
            continue;
        }
        if elements(&node.shape) > MAX_FOLD_ELEMENTS || ops.iter().any(|o| elements(&prog.graph.node(*o).shape) > MAX_FOLD_ELEMENTS) {
            continue;
        }
        let Some(inputs) = ops.iter().map(|o| constant_tensor(prog, *o)).collect::<Option<Vec<Tensor>>>() else { continue };
        let refs: Vec<&Tensor> = inputs.iter().collect();
        let Some(folded) = evaluate(&node, &refs) else { continue };
        // An i64 result is kept as its integers, exactly; the rest as f64s.
        let result: Vec<Scalar> = match folded.as_i64() {
            Some(ints) => ints.iter().map(|&i| Scalar::Int(i)).collect(),
            None => folded.to_f64_vec().into_iter().map(Scalar::float).collect(),
        };
        let new_op = if !result.is_empty() && result.iter().all(|v| *v == result[0]) {
            Op::Full(result[0])
        } else if result.len() <= MAX_LITERAL {
            Op::Literal(result)
        } else {
            continue;
        };
        changes.push(Change { span: prog.graph.meta(n).span, what: format!("{} of constants -> {}", node.op.name(), describe(&new_op)) });
        prog.graph.set_operands(n, &[]);
        prog.graph.node_mut(n).op = new_op;
    }
    changes
}

/// The value of pure node `node` of the constant `inputs`, with the runtime's
/// kernels; `None` for an index out of bounds, which is left for the run to
/// report, never folded. `lower/known_values.rs` evaluates masks with it too.
pub fn evaluate(node: &crate::ir::graph::Node, inputs: &[&Tensor]) -> Option<Tensor> {
    if let Op::Index(i) = &node.op {
        kernels::index::check(*i, inputs, &node.shape).ok()?;
    }
    Some(kernels::eval(&node.op, inputs, node.dtype, &node.shape))
}

/// The value of a constant node, materialized.
fn constant_tensor(prog: &Program, n: NodeId) -> Option<Tensor> {
    let node = prog.graph.node(n);
    match &node.op {
        Op::Full(_) | Op::Literal(_) => Some(kernels::eval(&node.op, &[], node.dtype, &node.shape)),
        _ => None,
    }
}

fn describe(op: &Op) -> String {
    match op {
        Op::Full(v) => format!("full({v})"),
        Op::Literal(vs) => format!("literal of {} values", vs.len()),
        other => other.name().to_string(),
    }
}
