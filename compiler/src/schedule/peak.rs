//! The plan's peak memory, computed from the plan alone before it runs.
//!
//! The count follows the interpreter's own accounting (`exec::Machine`): a value
//! computed by an op or a fused kernel takes the place of a freed buffer of its
//! dtype and length when there is one (an op that writes into a buffer,
//! `kernels::into::writes_into`, reuses it; one that allocates its own result
//! drops it), else it adds a buffer; a transpose read only
//! through strides (`exec::strided_transposes`) holds nothing (and its operand is
//! held until the transpose ends), nor does a product computed at its bias
//! addition's step (`exec::bias_epilogues`); a chain of row-wise kernels
//! (`exec::row_chains`) frees the values from before it after its last kernel; a
//! scatter that is its operand's last reader (`exec::donations`) takes the
//! operand's buffer, even a loop's carried input's, and adds none; a freed buffer stays
//! held (in the machine's pool, for the next run) except an input's, which goes
//! back to its binding. The fused kernels' per-thread scratch (a chunk of
//! elements per register) is left out: it is small and depends on `--threads`.
//! A loop holds, while it runs, what its body holds at the body's own peak on
//! top of what the plan around it holds: the body keeps its pool from one
//! iteration to the next, trimmed to what it held after the first, and a run
//! that starts with that pool allocates, if at all, only where the first run did
//! (`exec/loops.rs`).

use std::collections::{HashMap, HashSet};

use graphc_runtime::exec::Role;
use graphc_runtime::plan::{LoopStep, Plan, Step, ValueId};
use graphc_runtime::DType;

/// The most bytes the plan holds at once, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peak {
    pub bytes: u128,
    /// The largest value alive at the peak (`None` for a plan without tensors).
    pub largest: Option<ValueId>,
}

/// The bytes of value `v`; saturating, since lowering already refused tensors past its limits.
pub fn value_bytes(plan: &Plan, v: ValueId) -> u128 {
    let info = &plan.values[v.0 as usize];
    info.shape.iter().fold(info.dtype.size() as u128, |n, &d| n.saturating_mul(d as u128))
}

/// Replays the plan's allocations. The first pass finds the peak's step, the
/// second stops there and picks the largest value then alive: one linear pass each.
pub fn peak(plan: &Plan) -> Peak {
    let mut replay = Replay::new(plan, &[]);
    let (mut bytes, mut at) = (0u128, None);
    let mut i = 0;
    while i < plan.steps.len() {
        let next = replay.advance(i);
        let held = replay.held.max(replay.spike);
        if held > bytes {
            (bytes, at) = (held, Some(i));
        }
        i = next;
    }
    let Some(at) = at else { return Peak { bytes: 0, largest: None } };
    let mut replay = Replay::new(plan, &[]);
    let mut i = 0;
    while i <= at {
        i = replay.advance(i);
    }
    let largest = replay.alive.iter().copied().max_by_key(|&v| (value_bytes(plan, v), std::cmp::Reverse(v)));
    Peak { bytes, largest }
}

/// The most a loop body holds over its iterations. The machine keeps the body's
/// pool from one iteration to the next (`exec/loops.rs`): after the first, every
/// buffer the body still held, except its inputs', is pooled, so the second
/// iteration starts with that pool and may hold more than the first at its peak
/// (an input loaded while the pool is full). The pool is then the same after every
/// later iteration, so two replays give the peak of any trip count; a loop of
/// one iteration (a peeled first iteration) has no second. A carried input whose
/// buffer a scatter consumed leaves no buffer to pool when the next value
/// replaces it (`exec/loops.rs`), so the one the replay pools for that value is
/// taken back.
fn body_peak(l: &LoopStep) -> u128 {
    let (body, trip) = (&l.body, l.trip);
    let consumable = l.consumable_inputs();
    let mut first = Replay::new(body, &consumable);
    let mut bytes = 0u128;
    let mut i = 0;
    while i < body.steps.len() {
        i = first.advance(i);
        bytes = bytes.max(first.held.max(first.spike));
    }
    if trip <= 1 {
        return bytes;
    }
    let mut pool = std::mem::take(&mut first.pool);
    for &v in &first.alive {
        if !first.inputs.contains(&v) {
            *pool.entry(first.key(v)).or_default() += 1;
        }
    }
    for key in std::mem::take(&mut first.consumed) {
        if let Some(n) = pool.get_mut(&key) {
            *n = n.saturating_sub(1);
        }
    }
    let mut second = Replay::new(body, &consumable);
    second.held = pool.iter().map(|(&(dtype, n), &count)| (dtype.size() as u128).saturating_mul(n).saturating_mul(count as u128)).sum();
    second.pool = pool;
    bytes = bytes.max(second.held);
    let mut i = 0;
    while i < body.steps.len() {
        i = second.advance(i);
        bytes = bytes.max(second.held.max(second.spike));
    }
    bytes
}

/// The interpreter's memory between steps.
struct Replay<'a> {
    plan: &'a Plan,
    /// Values computed and not yet freed.
    alive: HashSet<ValueId>,
    /// Freed buffers kept for reuse, by dtype and element count.
    pool: HashMap<(DType, u128), usize>,
    /// The values that load an input.
    inputs: HashSet<ValueId>,
    /// The values that load an input whose buffer a scatter may consume.
    consumable: HashSet<ValueId>,
    /// The dtype and length of each input buffer a scatter consumed.
    consumed: Vec<(DType, u128)>,
    /// Scatters that take their operand's buffer.
    donations: graphc_runtime::exec::Donations,
    /// Bytes of the alive values and the pool.
    held: u128,
    /// What a loop step held while it ran, on top of `held` before it: zero for other steps.
    spike: u128,
    /// Transposes the machine never computes.
    strided: graphc_runtime::exec::Strided,
    /// Products the machine computes only at their bias addition's step.
    epilogues: graphc_runtime::exec::Epilogues,
    /// Chains of row-wise kernels the machine runs as one step.
    chains: graphc_runtime::exec::RowChains,
}

impl<'a> Replay<'a> {
    /// A replay of `plan`, whose inputs `k` with `consumable[k]` a scatter may
    /// consume (`LoopStep::consumable_inputs`; none for a plan's own inputs).
    fn new(plan: &'a Plan, consumable: &[bool]) -> Replay<'a> {
        let inputs = plan.inputs.iter().filter_map(|i| i.value).collect();
        let consumable = plan.inputs.iter().zip(consumable).filter(|(_, &c)| c).filter_map(|(i, _)| i.value).collect();
        let strided = graphc_runtime::exec::strided_transposes(plan);
        let epilogues = graphc_runtime::exec::bias_epilogues(plan, &strided);
        Replay {
            plan,
            alive: HashSet::new(),
            pool: HashMap::new(),
            inputs,
            consumable,
            consumed: Vec::new(),
            donations: graphc_runtime::exec::donations(plan, &strided),
            held: 0,
            spike: 0,
            chains: graphc_runtime::exec::row_chains(plan, &strided, &epilogues),
            epilogues,
            strided,
        }
    }

    /// Replays step `i`, or the chain of row-wise kernels starting there as the
    /// machine runs it (`exec/rows.rs`): its steps in order but the frees of
    /// values from before the chain, the peak, then those frees. Returns the
    /// next step.
    fn advance(&mut self, i: usize) -> usize {
        let plan = self.plan;
        let chains = std::mem::take(&mut self.chains);
        let Some(chain) = chains.starting_at(i) else {
            self.chains = chains;
            self.step(&plan.steps[i]);
            return i + 1;
        };
        for (step, role) in chain.steps(plan) {
            if role != Role::Free {
                self.step(step);
            }
        }
        let held = self.held;
        for (step, role) in chain.steps(plan) {
            if role == Role::Free {
                self.step(step);
            }
        }
        self.spike = held;
        let end = chain.end;
        self.chains = chains;
        end
    }

    fn key(&self, v: ValueId) -> (DType, u128) {
        let info = &self.plan.values[v.0 as usize];
        (info.dtype, info.shape.iter().fold(1u128, |n, &d| n.saturating_mul(d as u128)))
    }

    /// Value `v` takes a pooled buffer of its dtype and length, or a new one.
    fn reuse_or_hold(&mut self, v: ValueId) {
        match self.pool.get_mut(&self.key(v)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => self.held += value_bytes(self.plan, v),
        }
        self.alive.insert(v);
    }

    /// The operand whose buffer value `out` takes, as the machine decides it
    /// (`Machine::may_consume`): a scatter's last read of a live value that
    /// loads no input, or loads one a scatter may consume.
    fn donated(&self, out: ValueId) -> Option<ValueId> {
        let x = self.donations.operand(out)?;
        (self.alive.contains(&x) && (!self.inputs.contains(&x) || self.consumable.contains(&x))).then_some(x)
    }

    fn step(&mut self, step: &Step) {
        self.spike = 0;
        match step {
            Step::Compute { out, .. } if self.strided.contains(*out) || self.epilogues.deferred(*out) => {}
            Step::Compute { out, .. } if self.donated(*out).is_some() => {
                let x = self.donated(*out).expect("checked by the guard");
                // `out` takes `x`'s buffer: nothing is added, nothing pooled.
                self.alive.remove(&x);
                self.alive.insert(*out);
                if self.inputs.contains(&x) {
                    self.consumed.push(self.key(x));
                }
            }
            Step::Compute { out, op, .. } => {
                if let graphc_runtime::op::Op::Input(_) = op {
                    // The input's binding is the caller's memory, counted while the plan holds it.
                    self.held += value_bytes(self.plan, *out);
                    self.alive.insert(*out);
                } else {
                    // An op that allocates its own result drops a pooled buffer of its
                    // size in its place (`exec/compute.rs`), which holds what reusing it would.
                    self.reuse_or_hold(*out);
                }
            }
            Step::Fused(k) => {
                for &v in &k.outputs {
                    self.reuse_or_hold(v);
                }
            }
            Step::Free(v) => {
                // An operand read through a strided transpose ends with it, as on the machine.
                for v in self.strided.frees(*v).into_iter().flatten() {
                    if self.alive.remove(&v) {
                        if self.inputs.contains(&v) {
                            self.held -= value_bytes(self.plan, v);
                        } else {
                            *self.pool.entry(self.key(v)).or_default() += 1;
                        }
                    }
                }
            }
            Step::Seed(_) | Step::Print(_) | Step::Write(_) | Step::Assert { .. } | Step::Figure(_) | Step::Save { .. } => {}
            Step::Branch(b) => {
                self.spike = self.held + body_peak(&b.then).max(body_peak(&b.otherwise));
                for &v in &b.then.outputs {
                    self.held += value_bytes(self.plan, v);
                    self.alive.insert(v);
                }
            }
            Step::Loop(l) => {
                self.spike = self.held + body_peak(l);
                for &v in &l.outputs {
                    self.held += value_bytes(self.plan, v);
                    self.alive.insert(v);
                }
            }
        }
    }
}
