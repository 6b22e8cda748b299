//! Running a [`LoopStep`]: the body plan, once per iteration, on a machine of
//! its own that shares the random generator, the figure and the captured
//! prints with the machine around it.
//!
//! After each iteration the body's outputs are taken out and its other values
//! freed into its buffer pool, which the next iteration draws from, so that a
//! training loop's steady state allocates nothing. A carried value is moved from
//! the body's output slot to its input binding, without a copy, and the buffer
//! it replaces joins the pool (the next iteration computes the same value into
//! it); only buffers that left the body's slots join it, so the pool never
//! holds more than the body did. An op that allocates its own result drops a
//! pooled buffer of its size in its place (`exec/compute.rs`), and the pool is
//! trimmed after every iteration to what it held after the first, so nothing
//! piles up: from the second iteration on, every iteration holds what the
//! second did, which the compile-time peak (`schedule/peak.rs`) computes by
//! replaying the body twice, whatever the trip count. Loop-invariant inputs are
//! bound once and only read, lent from the slots of the machine around (moved
//! out and back, not copied); inputs the body never reads are not bound at
//! all. A loop body's machine keeps the machines of the loops and branch sides
//! inside it, with their pools, from one iteration to the next. A loop with
//! an exit (a `break` flag) stops after the iteration that sets it.

use rustc_hash::FxHashMap;
use std::io::Write;

use super::{profile, Machine, RunError};
use crate::plan::{LoopStep, Plan, ValueId};
use crate::tensor::{DType, Data, Tensor};

impl Machine {
    /// Runs the loop `l`; its inputs are this machine's values, its outputs become them.
    pub(super) fn run_loop(&mut self, l: &LoopStep, out: &mut dyn Write) -> Result<(), RunError> {
        let body = &l.body;
        if body.steps.is_empty() && l.outputs.is_empty() {
            // Nothing to run and nothing to bind (the empty side of a branch, in
            // every iteration of a training loop that prints now and then).
            return Ok(());
        }
        // `Plan::verify` checked the body with the plan around it. Inside a loop
        // body, a nested loop's or a branch side's machine is kept for the next
        // iteration, so that its pool is not filled again each time (a guard
        // around a training step, an epoch loop's batch loop).
        let key = body as *const Plan as usize;
        let mut m = match self.bodies.as_mut().and_then(|b| b.remove(&key)) {
            Some(m) => m,
            None => {
                let mut m = Machine::unverified(body);
                if l.trip > 1 {
                    m.bodies = Some(FxHashMap::default());
                }
                m
            }
        };
        let (allocations, allocated_bytes) = (m.allocations, m.allocated_bytes);
        m.consumable = l.consumable_inputs();
        std::mem::swap(&mut m.generator, &mut self.generator);
        std::mem::swap(&mut m.figure, &mut self.figure);
        std::mem::swap(&mut m.captured, &mut self.captured);
        // Only the inputs the body reads are bound: a branch inside a training
        // loop would otherwise copy every value in scope (the whole data set)
        // on each iteration of the loop around it. An input no carried value
        // replaces is only read, so its tensor is lent: moved out of this
        // machine's slot and back after the loop (`lent`), not copied.
        let mut lent: Vec<(usize, ValueId)> = Vec::new();
        for (k, &v) in l.inputs.iter().enumerate() {
            let k = k + 1;
            if body.inputs[k].value.is_none() {
                continue;
            }
            let carried = l.carried.iter().any(|&(_, c)| c as usize == k);
            m.inputs[k] = match lent.iter().find(|(_, u)| *u == v) {
                // Lent already, to another input.
                Some(&(first, _)) => m.inputs[first].clone(),
                None if !carried => {
                    lent.push((k, v));
                    self.slots[v.0 as usize].take()
                }
                None => Some(self.get(v).clone()),
            };
        }
        // Kept across iterations (cleared, not dropped), as are the index's tensor
        // and the copies of outputs that are inputs (the loop variable, which
        // Python leaves bound after the loop), so that an iteration allocates
        // nothing the one before did not free.
        let mut results: Vec<Option<Tensor>> = Vec::with_capacity(l.body_outputs.len());
        let mut spare: Vec<Option<Tensor>> = Vec::with_capacity(l.body_outputs.len());
        let mut from_slot: Vec<bool> = Vec::with_capacity(l.body_outputs.len());
        let mut failure = None;
        let mut progress = super::progress::Progress::start(l.trip, l.exit.is_some());
        // How many buffers of each dtype and length the pool held after the first iteration.
        // A kept machine trims to what its pool held after its first iteration
        // ever, so that the buffers each run adds (its carried inputs' first
        // copies) do not pile up from one run to the next.
        let mut cap: Option<FxHashMap<(DType, usize), usize>> = m.pool_cap.take();
        for it in 0..l.trip {
            progress.tick(it);
            let index = l.start as i128 + it as i128 * l.step as i128;
            match m.inputs[0].as_mut().map(Tensor::data_mut) {
                Some(Data::I64(i)) if i.len() == 1 => i[0] = index as i64,
                _ => m.inputs[0] = Some(Tensor::from_i64(vec![], vec![index as i64])),
            }
            if let Err(e) = m.run_steps(body, out) {
                failure = Some(e);
                break;
            }
            // The passes may merge two outputs into one value (two `zero_()`
            // gradients are the same constant): the later ones get copies.
            // The last iteration's outputs still here are copies, which this one's
            // copies overwrite; the others were carried or pooled.
            spare.clear();
            spare.append(&mut results);
            // Whether each output's buffer came out of the body's slots (counted as
            // held until now), rather than being a copy of an input or of another output.
            from_slot.clear();
            for (j, &v) in l.body_outputs.iter().enumerate() {
                let t = match l.body_outputs[..j].iter().position(|&u| u == v) {
                    Some(first) => results[first].clone(),
                    None => Some(m.take_output(v, spare.get_mut(j).and_then(Option::take))),
                };
                results.push(t);
                from_slot.push(!m.input_of.contains_key(&v) && !l.body_outputs[..j].contains(&v));
            }
            m.reset_values();
            // A `break` ran: the iterations left would do nothing.
            let stop =
                l.exit.is_some_and(|j| matches!(results[j as usize].as_ref().map(Tensor::data), Some(Data::Bool(b)) if b.first() == Some(&true)));
            if it + 1 < l.trip && !stop {
                // A buffer joins the pool only in place of one that left the slots, so
                // that the pool holds no more than the body held at its peak.
                for &(j, k) in &l.carried {
                    if body.inputs[k as usize].value.is_none() {
                        // Not bound: the body never reads it, and the loop's outputs come from `results`.
                        continue;
                    }
                    let t = results[j as usize].take().unwrap_or_else(|| m.inputs[k as usize].clone().expect("carried values are bound"));
                    let old = m.inputs[k as usize].replace(t);
                    if let (Some(old), true) = (old, from_slot[j as usize]) {
                        m.pool_buffer(old);
                    }
                }
                // Outputs that are not carried are read only after the last iteration.
                // (Copies stay, for the next iteration's copies.)
                for (t, _) in results.iter_mut().zip(&from_slot).filter(|(_, &slot)| slot) {
                    if let Some(t) = t.take() {
                        m.pool_buffer(t);
                    }
                }
            }
            match &cap {
                None => cap = Some(m.pool.iter().map(|(&key, buffers)| (key, buffers.len())).collect()),
                Some(cap) => m.trim_pool(cap),
            }
            if stop {
                break;
            }
        }
        progress.finish();
        for &(k, v) in &lent {
            self.slots[v.0 as usize] = m.inputs[k].take();
        }
        std::mem::swap(&mut m.generator, &mut self.generator);
        std::mem::swap(&mut m.figure, &mut self.figure);
        std::mem::swap(&mut m.captured, &mut self.captured);
        self.peak_bytes = self.peak_bytes.max(self.live_bytes + m.peak_bytes);
        self.allocations += m.allocations - allocations;
        self.allocated_bytes += m.allocated_bytes - allocated_bytes;
        if let Some(e) = failure {
            return Err(e);
        }
        for (&v, t) in l.outputs.iter().zip(results) {
            self.set(v, t.expect("a loop of at least one iteration has its outputs"));
        }
        if let Some(bodies) = self.bodies.as_mut() {
            // The inputs are bound anew by the next run; the pool stays.
            m.inputs.iter_mut().for_each(|i| *i = None);
            if let Some(cap) = &cap {
                m.trim_pool(cap);
            }
            m.pool_cap = cap;
            bodies.insert(key, m);
        }
        Ok(())
    }

    /// A machine for a plan already verified: a loop body, which the outer
    /// plan's verification covered, or the plan `Machine::new` just verified.
    pub(super) fn unverified(plan: &Plan) -> Machine {
        let strided = super::transposed::strided_transposes(plan);
        let epilogues = super::epilogue::bias_epilogues(plan, &strided);
        let chains = super::rows::row_chains(plan, &strided, &epilogues);
        let donations = super::donate::donations(plan, &strided);
        Machine {
            slots: vec![None; plan.values.len()],
            generator: crate::rng::Generator::new(),
            figure: crate::plot::Figure::new(),
            captured: None,
            live_bytes: 0,
            peak_bytes: 0,
            inputs: vec![None; plan.inputs.len()],
            input_of: plan.inputs.iter().enumerate().filter_map(|(k, i)| i.value.map(|v| (v, k))).collect(),
            pool: FxHashMap::default(),
            allocations: 0,
            allocated_bytes: 0,
            epilogues,
            chains,
            strided,
            donations,
            consumable: vec![false; plan.inputs.len()],
            bodies: None,
            pool_cap: None,
        }
    }

    /// Runs the steps of `plan` without flushing the output, each chain of
    /// row-wise kernels as one (`exec/rows.rs`).
    pub(super) fn run_steps(&mut self, plan: &Plan, out: &mut dyn Write) -> Result<(), RunError> {
        // Held apart while the steps run, so that a chain runs borrowed, not copied.
        let chains = std::mem::take(&mut self.chains);
        let mut i = 0;
        let mut result = Ok(());
        while i < plan.steps.len() && result.is_ok() {
            (result, i) = match chains.starting_at(i) {
                Some(chain) => (profile::timed(|| profile::chain_label(plan, chain), || self.run_chain(plan, chain, out)), chain.end),
                None => {
                    let step = &plan.steps[i];
                    (profile::timed(|| profile::step_label(plan, step), || self.step(plan, step, out)), i + 1)
                }
            };
        }
        self.chains = chains;
        result
    }

    /// Puts a buffer the machine no longer needs into the pool (counted as held).
    fn pool_buffer(&mut self, t: Tensor) {
        self.live_bytes += t.numel() * t.dtype().size();
        self.peak_bytes = self.peak_bytes.max(self.live_bytes);
        self.pool.entry((t.dtype(), t.numel())).or_default().push(t);
    }

    /// Drops pooled buffers beyond `cap` buffers of each dtype and length.
    fn trim_pool(&mut self, cap: &FxHashMap<(DType, usize), usize>) {
        for (key, buffers) in self.pool.iter_mut() {
            let keep = cap.get(key).copied().unwrap_or(0);
            while buffers.len() > keep {
                if let Some(t) = buffers.pop() {
                    self.live_bytes -= t.numel() * t.dtype().size();
                }
            }
        }
    }

    /// Takes an exported value out of its slot; a value that loads an input is
    /// copied instead (into `spare`, the last iteration's copy, when it fits),
    /// so that the input stays bound for the next iteration.
    fn take_output(&mut self, v: ValueId, spare: Option<Tensor>) -> Tensor {
        if self.input_of.contains_key(&v) {
            let src = self.get(v);
            return match spare {
                Some(mut t) if t.dtype() == src.dtype() && t.shape() == src.shape() => {
                    t.copy_from(src);
                    t
                }
                _ => src.clone(),
            };
        }
        let t = self.slots[v.0 as usize].take().unwrap_or_else(|| panic!("loop output {} is not alive after the body", v.0));
        self.live_bytes -= t.numel() * t.dtype().size();
        t
    }
}
