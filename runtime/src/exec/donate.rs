//! Scatters that write into the buffer of the tensor they update.
//!
//! `ScatterInto` (`x[i] = v`, `index_put_`, and the tape on which a loop under
//! a backward keeps each iteration's carried values) gives `x` with some
//! elements replaced. Computed into a new buffer, it copies all of `x` first;
//! in a loop that writes one row of a `trip`-row tensor per iteration, those
//! copies make the loop quadratic in its trip count (a 4,000-step RNN under a
//! backward spent 38% of its time in `memmove`). When the scatter is `x`'s last
//! reader, nothing can see `x` again, so the machine writes the new elements
//! into `x`'s buffer, which becomes the result's: the same elements, without
//! the copy. [`donations`] finds these scatters from the plan alone, so that
//! `schedule::peak` counts the same memory as the machine holds.
//!
//! A value that loads one of the plan's inputs gives its buffer back to the
//! binding when it dies, for the next run or iteration to load again; its
//! buffer may be taken only where nothing loads it again: a loop's carried
//! input, whose binding the next iteration's value replaces
//! ([`LoopStep::consumable_inputs`](crate::plan::LoopStep::consumable_inputs)).

use rustc_hash::FxHashMap;

use super::Strided;
use crate::op::{IndexOp, Op};
use crate::plan::{Plan, Step, ValueId};

/// The scatters of a plan that may take their first operand's buffer.
#[derive(Debug, Default)]
pub struct Donations {
    /// `out -> x` for each such `out = scatter_into(x, ...)`.
    operand: FxHashMap<ValueId, ValueId>,
}

impl Donations {
    /// The operand whose buffer value `out` may take, if `out` is such a scatter.
    pub fn operand(&self, out: ValueId) -> Option<ValueId> {
        self.operand.get(&out).copied()
    }
}

/// For each `out = ScatterInto(x, index, src)` that is `x`'s last reader:
/// `out -> x`. The last reader is the step before the plan's `Free(x)` with
/// no read of `x` between them; an exported value, never freed, has none.
/// `x` must end at its own `Free` (not wait for a transpose read through it,
/// `exec/transposed.rs`), not be read through strides itself, and not be the
/// scatter's index or source too.
pub fn donations(plan: &Plan, strided: &Strided) -> Donations {
    let mut found = Donations::default();
    for (i, step) in plan.steps.iter().enumerate() {
        let Step::Compute { out, op: Op::Index(IndexOp::ScatterInto { .. }), args } = step else { continue };
        let x = args[0];
        if args[1..].contains(&x) || strided.contains(x) || strided.frees(x)[0] != Some(x) {
            continue;
        }
        let (vx, vo) = (&plan.values[x.0 as usize], &plan.values[out.0 as usize]);
        if vx.dtype != vo.dtype || vx.shape != vo.shape {
            continue;
        }
        let dies_here = plan.steps[i + 1..].iter().find_map(|s| match s {
            Step::Free(v) if *v == x => Some(true),
            s if s.reads(x) => Some(false),
            _ => None,
        });
        if dies_here == Some(true) {
            found.operand.insert(*out, x);
        }
    }
    found
}
