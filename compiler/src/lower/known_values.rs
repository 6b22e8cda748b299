//! The values of tensors that are known when compiling: a node computed by pure
//! ops from literals and constants only (`A = tensor([...]); A[0, 0] = nan;
//! mask = ~isnan(A)`), evaluated now with the runtime's own kernels, as the
//! constant-folding pass later would (`passes/const_fold.rs`).
//!
//! A read through a boolean mask has the number of true elements in its shape
//! (E0225 when only the run knows it); when the mask's values are known here,
//! that number is too, and the read is lowered as the index tensors PyTorch
//! makes of a mask, the columns of `mask.nonzero()`.

use std::collections::{HashMap, HashSet};

use graphc_runtime::op::Scalar;
use graphc_runtime::{DType, Op, Tensor};

use super::Lowerer;
use crate::ir::graph::NodeId;
use crate::ir::program::Program;
use crate::passes::const_fold::MAX_FOLD_ELEMENTS;
use crate::syntax::ast::Span;

/// The most nodes one evaluation visits: a mask is a few ops over a literal,
/// and anything longer is left to the run rather than slowing the compiler.
const MAX_NODES: usize = 256;

/// The value of node `n` of `prog`, when every node it depends on is a
/// constant, a body input in `known`, or a pure op of them, within the size
/// limits of constant folding; with the inputs it read.
pub(super) fn known_value(prog: &Program, known: &HashMap<NodeId, Tensor>, n: NodeId) -> Option<(Tensor, Vec<NodeId>)> {
    let g = &prog.graph;
    let mut order: Vec<NodeId> = Vec::new();
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut inputs_read = Vec::new();
    let mut stack = vec![(n, false)];
    while let Some((m, expanded)) = stack.pop() {
        if expanded {
            order.push(m);
            continue;
        }
        if !seen.insert(m) {
            continue;
        }
        if seen.len() > MAX_NODES {
            return None;
        }
        let node = g.node(m);
        let elements = node.shape.iter().fold(1u128, |a, &d| a.saturating_mul(d as u128));
        if elements > MAX_FOLD_ELEMENTS || node.op.is_random() || matches!(node.op, Op::Param(_)) {
            return None;
        }
        let operands = g.operands(m);
        if operands.is_empty() {
            match node.op {
                Op::Full(_) | Op::Literal(_) => {}
                Op::Input(_) if known.contains_key(&m) => inputs_read.push(m),
                _ => return None,
            }
        }
        stack.push((m, true));
        stack.extend(operands.into_iter().map(|o| (o, false)));
    }
    let mut values: HashMap<NodeId, Tensor> = HashMap::new();
    for m in order {
        let node = g.node(m);
        if let Some(v) = known.get(&m) {
            values.insert(m, v.clone());
            continue;
        }
        let inputs: Vec<&Tensor> = g.operands(m).iter().map(|o| values.get(o)).collect::<Option<Vec<_>>>()?;
        let v = crate::passes::const_fold::evaluate(node, &inputs)?;
        values.insert(m, v);
    }
    Some((values.remove(&n)?, inputs_read))
}

impl Lowerer<'_> {
    /// Python's truth of the one-element condition `cond` when its value is
    /// known when compiling. A condition computed from a tensor that requires
    /// grad stays a run-time branch, whose backward follows the side taken:
    /// such a tensor is a model's value, which a program changes as it trains.
    pub(super) fn known_truth(&mut self, cond: NodeId, span: Span) -> Option<bool> {
        if self.requires_grad_below(cond) {
            return None;
        }
        let (value, inputs) = known_value(&self.prog, &self.known_inputs, cond)?;
        if value.shape().iter().product::<usize>() != 1 {
            return None;
        }
        self.used_known.extend(inputs.into_iter().map(|i| (i, span)));
        Some(value.to_f64_vec()[0] != 0.0)
    }

    /// Whether `n` or a node it is computed from requires grad (within the
    /// nodes a known value may visit; past them, as if one did).
    fn requires_grad_below(&self, n: NodeId) -> bool {
        let g = &self.prog.graph;
        let mut seen = HashSet::new();
        let mut stack = vec![n];
        while let Some(m) = stack.pop() {
            if !seen.insert(m) {
                continue;
            }
            if seen.len() > MAX_NODES || g.meta(m).requires_grad {
                return true;
            }
            stack.extend(g.operands(m));
        }
        false
    }

    /// The index tensors a boolean mask with known values stands for in a read:
    /// one i64 tensor per mask dimension, the positions of its true elements in
    /// row-major order (the columns of `mask.nonzero()`).
    pub(super) fn known_mask_indices(&mut self, mask: NodeId, span: Span) -> Option<Vec<NodeId>> {
        let (value, inputs) = known_value(&self.prog, &self.known_inputs, mask)?;
        self.used_known.extend(inputs.into_iter().map(|i| (i, span)));
        let shape = value.shape().to_vec();
        if shape.is_empty() {
            return None;
        }
        let truth: Vec<bool> = match value.as_bool() {
            Some(b) => b.to_vec(),
            None if value.dtype() == DType::Bool => value.to_f64_vec().iter().map(|v| *v != 0.0).collect(),
            None => return None,
        };
        let mut columns: Vec<Vec<Scalar>> = vec![Vec::new(); shape.len()];
        for (flat, _) in truth.iter().enumerate().filter(|(_, t)| **t) {
            let mut rest = flat;
            for d in (0..shape.len()).rev() {
                columns[d].push(Scalar::Int((rest % shape[d]) as i64));
                rest /= shape[d];
            }
        }
        Some(
            columns
                .into_iter()
                .map(|c| {
                    let count = c.len();
                    self.node(Op::Literal(c), DType::I64, vec![count], &[], span)
                })
                .collect(),
        )
    }
}
