//! Transposes that only feed matrix products are never copied.
//!
//! A backward reads `x.T @ g` and `g @ w.T` (`Op::Transpose` then
//! `Op::MatMul`). `matrixmultiply` reads its operands through row and column
//! strides and packs them into the same panels whatever the strides, so the
//! product of `x` read column-major is bit for bit the product of the copied
//! transpose (`runtime/tests/into_kernels.rs` checks this), without the copy.
//! [`strided_transposes`] finds the transposes where this is safe; the machine
//! skips computing them and hands their operand to `kernels::matmul::matmul_2d_into`.
//! When the plan frees `x` while `x.T` is still to be read (the backward's
//! `h.T @ g` is the last reader of `h`), `x` is freed with `x.T` instead, once.

use rustc_hash::FxHashMap;

use crate::op::Op;
use crate::plan::{Plan, PrintItem, Step, ValueId};

/// The transposes of a plan that are read through strides, never computed.
#[derive(Debug, Default)]
pub struct Strided {
    /// `t -> x` for each such `t = x.T`.
    operand: FxHashMap<ValueId, ValueId>,
    /// `x -> t` where the plan frees `x` before `t`: `x` is freed when `t` is.
    freed_with: FxHashMap<ValueId, ValueId>,
}

impl Strided {
    /// The value `t` reads through strides, if `t` is such a transpose.
    pub fn operand(&self, t: ValueId) -> Option<ValueId> {
        self.operand.get(&t).copied()
    }

    /// Whether `t` is a transpose that is never computed.
    pub fn contains(&self, t: ValueId) -> bool {
        self.operand.contains_key(&t)
    }

    /// The values a `Free(v)` step of the plan ends: `v`, unless its end waits
    /// for a transpose read through it, and the operand whose end waited for `v`.
    pub fn frees(&self, v: ValueId) -> [Option<ValueId>; 2] {
        let own = (!self.freed_with.contains_key(&v)).then_some(v);
        let waiting = self.operand(v).filter(|x| self.freed_with.get(x) == Some(&v));
        [own, waiting]
    }
}

/// For each 2-D transpose `t = x.T` whose every reader is a product of two 2-D
/// operands, and which is not exported: `t -> x`. `x` stays alive until `t`'s
/// end (its own `Free` is moved there when it comes first, for one `t` per `x`).
/// The machine never computes these values; `schedule::peak` counts no memory for them.
pub fn strided_transposes(plan: &Plan) -> Strided {
    let mut found = Strided::default();
    let exported: Vec<ValueId> = plan.exports.iter().map(|(_, v)| *v).collect();
    for (i, step) in plan.steps.iter().enumerate() {
        let Step::Compute { out: t, op: Op::Transpose, args } = step else { continue };
        let x = args[0];
        let rank2 = |v: ValueId| plan.values[v.0 as usize].shape.len() == 2;
        // Integer products run their own kernel (`kernels::integer`), without strides.
        if !rank2(x) || !plan.values[x.0 as usize].dtype.is_float() || exported.contains(t) {
            continue;
        }
        let life = || plan.steps[i + 1..].iter().take_while(|s| !matches!(s, Step::Free(v) if v == t));
        if !life().all(|s| fits(s, *t, &rank2)) {
            continue;
        }
        if life().any(|s| matches!(s, Step::Free(v) if *v == x)) {
            if found.freed_with.contains_key(&x) {
                continue;
            }
            found.freed_with.insert(x, *t);
        }
        found.operand.insert(*t, x);
    }
    found
}

/// Whether step `s`, between `t = x.T` and `t`'s end, leaves `t` uncopied
/// possible: it reads `t` only as an operand of a 2-D product.
fn fits(s: &Step, t: ValueId, rank2: &impl Fn(ValueId) -> bool) -> bool {
    match s {
        Step::Compute { op: Op::MatMul, args, .. } => !args.contains(&t) || args.iter().all(|&a| rank2(a)),
        // Only a printed tensor reads `t` element by element in row-major order.
        Step::Print(items) | Step::Write(items) | Step::Assert { message: items, .. } => {
            !items.iter().any(|item| matches!(item, PrintItem::Tensor { value, .. } if *value == t))
        }
        // Everything else (a loop or branch body among them) reads whole tensors.
        _ => !s.reads(t),
    }
}
