//! Where a plan runs: on a thread of rayon's global pool, with the pool's other
//! threads kept awake while it runs.
//!
//! A kernel that splits its work (a matrix product's row blocks, a fused
//! kernel's chunks, a chain of row-wise kernels) forks with `rayon::join` from
//! the thread that runs the plan, and a second thread helps only if it steals
//! the other half before the caller gets back to it. An idle rayon worker spins
//! for a few dozen yields and then sleeps on a futex; waking it takes longer
//! (tens of microseconds under a hypervisor) than most kernels of a training
//! step run, so between two kernels the helper fell asleep and the next fork
//! ran alone: the digits training took 0.19 ms a step on two threads and 0.20
//! on one. While a plan runs, every other thread of the pool now waits for work
//! by spinning, as OpenMP runtimes do under an active wait policy, and goes
//! back to sleeping in short naps once it has found nothing for a millisecond,
//! so a long serial stretch (printing, a file) costs a core only that long.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a helper spins without finding work before it naps between looks.
const SPIN: Duration = Duration::from_millis(1);

/// How long a helper naps between looks once it has stopped spinning. A fork
/// made meanwhile is not delayed: the caller runs both halves itself.
const NAP: Duration = Duration::from_micros(100);

/// Runs `f` on a thread of rayon's global pool (the calling thread when it is
/// one, or when the pool has a single thread), and returns what it returns.
///
/// From a thread outside the pool every fork would be two hand-offs between
/// threads: the job goes to the pool's queue, and the caller sleeps until a
/// worker has finished it. On a worker the caller runs its own share, and a
/// share no other thread has picked up by then it runs itself, so a second
/// thread can only help. The other threads spin for work while `f` runs.
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() || rayon::current_num_threads() < 2 {
        return f();
    }
    let done = AtomicBool::new(false);
    let done = &done;
    rayon::scope(|s| {
        let runner = rayon::current_thread_index();
        s.spawn_broadcast(move |_, ctx| {
            // The thread that runs `f` picks up its own copy whenever it looks
            // for work (waiting in a join inside `f`, or for the scope after
            // it); that copy returns at once.
            if Some(ctx.index()) != runner {
                help_until(done);
            }
        });
        // Set on the way out even when `f` panics, so the helpers stop and the
        // scope can finish and pass the panic on.
        let _stop = Stop(done);
        f()
    })
}

/// Runs the pool's pending jobs on this thread until `done` is set.
fn help_until(done: &AtomicBool) {
    // Looks without finding work since the last job; the clock is read once
    // every `CHECK` looks, which keeps it out of the spin.
    const CHECK: u32 = 64;
    let mut idle = 0u32;
    let mut since = Instant::now();
    while !done.load(Ordering::Acquire) {
        if let Some(rayon::Yield::Executed) = rayon::yield_now() {
            idle = 0;
            continue;
        }
        if idle == 0 {
            since = Instant::now();
        }
        idle = idle.saturating_add(1);
        if !idle.is_multiple_of(CHECK) {
            std::hint::spin_loop();
        } else if since.elapsed() < SPIN {
            // Another process that waits for this core gets it now and then.
            std::thread::yield_now();
        } else {
            std::thread::sleep(NAP);
        }
    }
}

/// Sets its flag when dropped.
struct Stop<'a>(&'a AtomicBool);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}
