//! `graphc bench --profile`: where a run's time goes, step by step, grouped
//! as PyTorch's profiler groups its table (`key_averages`): by what the step
//! computes (an op's name and result shape, a fused kernel's ops, a chain of
//! row-wise kernels), with the calls and the time of each group.
//!
//! The clock is read around each step the plan runs (a loop or a branch is
//! not a step of its own: the steps of its body are), and only while
//! profiling is on: otherwise a step costs one relaxed load more. The table
//! is process-wide, because a loop body runs in a machine of its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use super::rows::{Chain, Role};
use crate::plan::{Plan, Step};

static ON: AtomicBool = AtomicBool::new(false);

/// Time and calls per group since profiling was last turned on.
static TABLE: Mutex<Option<FxHashMap<String, Group>>> = Mutex::new(None);

/// One row of the profile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    pub calls: u64,
    pub time: Duration,
}

/// Starts (or restarts) profiling, with an empty table.
pub fn start() {
    *TABLE.lock().unwrap_or_else(|e| e.into_inner()) = Some(FxHashMap::default());
    ON.store(true, Ordering::Relaxed);
}

/// Stops profiling and returns its table, largest time first (ties by name).
pub fn finish() -> Vec<(String, Group)> {
    ON.store(false, Ordering::Relaxed);
    let table = TABLE.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
    let mut rows: Vec<(String, Group)> = table.into_iter().collect();
    rows.sort_by(|a, b| b.1.time.cmp(&a.1.time).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// Runs `f`, adding its time to the group `label` names when profiling is on.
#[inline]
pub(super) fn timed<R>(label: impl FnOnce() -> Option<String>, f: impl FnOnce() -> R) -> R {
    if !ON.load(Ordering::Relaxed) {
        return f();
    }
    let start = Instant::now();
    let result = f();
    let time = start.elapsed();
    if let Some(label) = label() {
        let mut table = TABLE.lock().unwrap_or_else(|e| e.into_inner());
        let group = table.get_or_insert_with(FxHashMap::default).entry(label).or_default();
        group.calls += 1;
        group.time += time;
    }
    result
}

/// The group of a step: `None` for a loop or a branch, whose body's steps
/// are timed one by one, and for a free, which takes no measurable time.
pub(super) fn step_label(plan: &Plan, step: &Step) -> Option<String> {
    Some(match step {
        Step::Compute { out, op, .. } => format!("{} {}", op.name(), shape_text(&plan.values[out.0 as usize].shape)),
        Step::Fused(k) => {
            let names: Vec<&str> = k.instrs.iter().map(|i| i.op.name()).collect();
            format!("fused [{}] {} elements", names.join(", "), k.len)
        }
        Step::Loop(_) | Step::Branch(_) | Step::Free(_) => return None,
        Step::Print(_) | Step::Write(_) => "print".to_string(),
        Step::Seed(_) => "manual_seed".to_string(),
        Step::Assert { .. } => "assert".to_string(),
        Step::Figure(_) => "figure".to_string(),
        Step::Save { .. } => "save".to_string(),
    })
}

/// `[2, 3]` for a shape, `[]` for a 0-d one.
fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", dims.join(", "))
}

/// The group of a chain of row-wise kernels: its kernels' ops and rows.
pub(super) fn chain_label(plan: &Plan, chain: &Chain) -> Option<String> {
    let names: Vec<&str> = chain
        .steps(plan)
        .filter(|(_, role)| *role == Role::Kernel)
        .flat_map(|(step, _)| match step {
            Step::Compute { op, .. } => vec![op.name()],
            Step::Fused(k) => k.instrs.iter().map(|i| i.op.name()).collect(),
            _ => Vec::new(),
        })
        .collect();
    Some(format!("row chain [{}] {} rows", names.join(", "), chain.rows))
}
