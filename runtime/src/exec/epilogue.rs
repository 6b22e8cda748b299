//! A bias added to a matrix product is added as the product's rows are
//! written, not in a pass of its own.
//!
//! A layer is `x @ w + b`: a product, then a broadcast addition that reads the
//! whole product back and writes it again. When the product's only reader is
//! that addition, the machine skips the product's step and computes both at
//! the addition's step (`kernels::matmul::matmul_bias_into`), a block of rows
//! at a time while they are in cache. The sum is still rounded after the
//! product, as two ops round, so every element has its bits. The product's
//! value is never held; `schedule::peak` counts it the same way.

use std::collections::HashSet;

use rustc_hash::{FxHashMap, FxHashSet};

use super::Strided;
use crate::op::{Binary, Op};
use crate::plan::{Plan, Step, ValueId};

/// A product `a @ b` whose sum with `bias` is computed in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BiasProduct {
    pub a: ValueId,
    pub b: ValueId,
    pub bias: ValueId,
    /// The addition is `bias + a @ b` (the order its operands round in).
    pub bias_first: bool,
}

/// The products of a plan computed at their bias addition's step.
#[derive(Debug, Default)]
pub struct Epilogues {
    /// The products never computed on their own.
    deferred: FxHashSet<ValueId>,
    /// For each such addition's value, the product and bias it computes.
    at: FxHashMap<ValueId, BiasProduct>,
}

impl Epilogues {
    /// Whether `v` is a product the machine never computes on its own.
    pub fn deferred(&self, v: ValueId) -> bool {
        self.deferred.contains(&v)
    }

    /// The product and bias that value `v`'s step computes, if `v` is such an addition.
    pub fn at(&self, v: ValueId) -> Option<BiasProduct> {
        self.at.get(&v).copied()
    }
}

/// Finds each 2-D float product `p = a @ b` (neither operand a strided
/// transpose) whose only reader is a later `p + bias` or `bias + p` of `p`'s
/// shape, `bias` of shape `[n]` or `[1, n]` and `p`'s dtype, when `p` is not
/// exported and the plan frees neither `a` nor `b` between the two steps.
pub fn bias_epilogues(plan: &Plan, strided: &Strided) -> Epilogues {
    let mut found = Epilogues::default();
    let exported: HashSet<ValueId> = plan.exports.iter().map(|(_, v)| *v).collect();
    let info = |v: ValueId| &plan.values[v.0 as usize];
    for (i, step) in plan.steps.iter().enumerate() {
        let Step::Compute { out: p, op: Op::MatMul, args } = step else { continue };
        let (a, b) = (args[0], args[1]);
        let shape = &info(*p).shape;
        let plain = |v: ValueId| info(v).shape.len() == 2 && !strided.contains(v);
        if shape.len() != 2 || !info(*p).dtype.is_float() || !plain(a) || !plain(b) || exported.contains(p) {
            continue;
        }
        let mut readers = plan.steps[i + 1..].iter().enumerate().filter(|(_, s)| s.reads(*p));
        let (Some((j, add)), None) = (readers.next(), readers.next()) else { continue };
        let Step::Compute { out: s, op: Op::Binary(Binary::Add), args: operands } = add else { continue };
        let (bias, bias_first) = match operands[..] {
            [x, y] if x == *p && y != *p => (y, false),
            [x, y] if y == *p && x != *p => (x, true),
            _ => continue,
        };
        let n = shape[1];
        let row = matches!(info(bias).shape[..], [c] | [1, c] if c == n);
        if !row || info(bias).dtype != info(*p).dtype || info(*s).shape != *shape {
            continue;
        }
        let between = &plan.steps[i + 1..i + 1 + j];
        if between.iter().any(|s| matches!(s, Step::Free(v) if *v == a || *v == b)) {
            continue;
        }
        found.deferred.insert(*p);
        found.at.insert(*s, BiasProduct { a, b, bias, bias_first });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PrintItem, ValueInfo};
    use crate::tensor::DType;

    fn value(shape: &[usize]) -> ValueInfo {
        ValueInfo { dtype: DType::F32, shape: shape.to_vec() }
    }

    /// `x @ w + b`: values 0 (x), 1 (w), 2 (b), 3 (the product), 4 (the sum).
    fn layer(extra: Vec<Step>) -> Plan {
        let mut steps = vec![Step::Compute { out: ValueId(3), op: Op::MatMul, args: vec![ValueId(0), ValueId(1)] }];
        steps.extend(extra);
        steps.push(Step::Compute { out: ValueId(4), op: Op::Binary(Binary::Add), args: vec![ValueId(3), ValueId(2)] });
        Plan { values: vec![value(&[5, 3]), value(&[3, 4]), value(&[4]), value(&[5, 4]), value(&[5, 4])], steps, ..Plan::default() }
    }

    #[test]
    fn a_bias_added_to_a_product_joins_it() {
        let plan = layer(vec![]);
        let e = bias_epilogues(&plan, &Strided::default());
        assert!(e.deferred(ValueId(3)));
        assert_eq!(e.at(ValueId(4)), Some(BiasProduct { a: ValueId(0), b: ValueId(1), bias: ValueId(2), bias_first: false }));
    }

    #[test]
    fn a_product_read_twice_or_an_operand_freed_before_the_sum_stays_apart() {
        let print = Step::Print(vec![PrintItem::Tensor { value: ValueId(3), suffix: Default::default() }]);
        for extra in [vec![print], vec![Step::Free(ValueId(0))]] {
            let plan = layer(extra);
            let e = bias_epilogues(&plan, &Strided::default());
            assert!(!e.deferred(ValueId(3)) && e.at(ValueId(4)).is_none());
        }
    }
}
