//! Run-time integers as affine forms `c + a*i + b*j + ...` of the run-time
//! values they are computed from (a loop counter, `len` of a tensor read at run
//! time, ...).
//!
//! A slice with run-time bounds has a static length only when its stop minus
//! its start is the same number in every iteration: `x[i:i+k]` and
//! `x[i*bs:(i+1)*bs]` do, `x[i:n]` does not. Reading the host arithmetic that
//! lowering built (adds, subtractions, negations and products by a constant)
//! back into a form proves it without a table of its own: every other node is
//! an unknown of the form.

use std::collections::BTreeMap;

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::{DType, Op};

use super::{HostKind, Lowerer, Value};
use crate::ir::graph::NodeId;

/// How deep the reading of a form goes before a node counts as an unknown; host
/// arithmetic written by people is a few operations deep.
const MAX_DEPTH: usize = 32;

/// `constant + Σ coefficient * unknown`, with no zero coefficients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Affine {
    pub constant: i64,
    pub terms: BTreeMap<NodeId, i64>,
}

impl Affine {
    fn number(c: i64) -> Affine {
        Affine { constant: c, terms: BTreeMap::new() }
    }

    fn unknown(n: NodeId) -> Affine {
        Affine { constant: 0, terms: BTreeMap::from([(n, 1)]) }
    }

    /// `self + k * other`, or `None` on overflow.
    fn add_scaled(mut self, other: &Affine, k: i64) -> Option<Affine> {
        self.constant = self.constant.checked_add(other.constant.checked_mul(k)?)?;
        for (&n, &c) in &other.terms {
            let sum = self.terms.get(&n).copied().unwrap_or(0).checked_add(c.checked_mul(k)?)?;
            if sum == 0 {
                self.terms.remove(&n);
            } else {
                self.terms.insert(n, sum);
            }
        }
        Some(self)
    }

    fn scaled(&self, k: i64) -> Option<Affine> {
        Affine::number(0).add_scaled(self, k)
    }

    /// The form as `(value in iteration 0, change per iteration)` of the loop
    /// `counter`, when the counter is its only unknown (or it has none).
    pub fn along(&self, counter: &super::Counter) -> Option<(i128, i128)> {
        let k = match self.terms.len() {
            0 => 0,
            1 => *self.terms.get(&counter.node)? as i128,
            _ => return None,
        };
        Some((self.constant as i128 + k * counter.first as i128, k * counter.step as i128))
    }

    /// The number `self - other` when it does not depend on any unknown.
    pub fn constant_difference(&self, other: &Affine) -> Option<i64> {
        let d = self.clone().add_scaled(other, -1)?;
        d.terms.is_empty().then_some(d.constant)
    }
}

impl Lowerer<'_> {
    /// The affine form of an integer index value: a compile-time int or a run-time int.
    pub(super) fn affine_of(&self, v: &Value) -> Option<Affine> {
        match v {
            Value::Number(n) if n.i64().is_some() => Some(Affine::number(n.i64().expect("checked by the guard"))),
            Value::Host { node, kind: HostKind::Int } => Some(self.affine_node(*node, 0)),
            _ => None,
        }
    }

    /// The affine form of a one-element i64 node (a host int, or the tensor a
    /// slice bound was read from: `x[i:i+k]` for `i` in an index tensor),
    /// reading back host and tensor arithmetic.
    pub(super) fn affine_node(&self, n: NodeId, depth: usize) -> Affine {
        let g = &self.prog.graph;
        let node = g.node(n);
        if depth >= MAX_DEPTH || node.dtype != DType::I64 || node.shape.iter().product::<usize>() != 1 {
            return Affine::unknown(n);
        }
        let ops = g.operands(n);
        let form = match &node.op {
            // One element keeps its value through a reshape or a broadcast.
            Op::Reshape | Op::Expand => Some(self.affine_node(ops[0], depth + 1)),
            Op::Full(v) if v.get().fract() == 0.0 && v.get().abs() < 9.0e15 => Some(Affine::number(v.get() as i64)),
            Op::Binary(b @ (Binary::Add | Binary::Sub)) => {
                let (p, q) = (self.affine_node(ops[0], depth + 1), self.affine_node(ops[1], depth + 1));
                p.add_scaled(&q, if *b == Binary::Add { 1 } else { -1 })
            }
            Op::Binary(Binary::Mul) => {
                let (p, q) = (self.affine_node(ops[0], depth + 1), self.affine_node(ops[1], depth + 1));
                match (p.terms.is_empty(), q.terms.is_empty()) {
                    (true, _) => q.scaled(p.constant),
                    (_, true) => p.scaled(q.constant),
                    (false, false) => None,
                }
            }
            Op::Unary(Unary::Neg) => self.affine_node(ops[0], depth + 1).scaled(-1),
            _ => None,
        };
        form.unwrap_or_else(|| Affine::unknown(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(i + 1) * 4 - i * 4` is the constant 4; `i - j` is not a constant.
    #[test]
    fn differences_of_forms_are_constant_only_without_unknowns() {
        let (i, j) = (Affine::unknown(NodeId(1)), Affine::unknown(NodeId(2)));
        let start = i.scaled(4).unwrap();
        let stop = i.clone().add_scaled(&Affine::number(1), 1).unwrap().scaled(4).unwrap();
        assert_eq!(stop.constant_difference(&start), Some(4));
        assert_eq!(i.constant_difference(&j), None);
        assert_eq!(i.constant_difference(&i), Some(0));
    }
}
