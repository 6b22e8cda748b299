//! `exec::on_pool`: a plan runs on a worker of rayon's global pool while the
//! pool's other threads wait for work by spinning; this checks that the spin
//! ends, with the plan's result or its panic, and leaves the pool usable.

use graphc_runtime::exec::on_pool;
use std::sync::mpsc;
use std::time::Duration;

/// Two threads, so that `on_pool` starts a helper (with one it runs `f` alone).
fn two_threads() {
    // Another test of this binary may have built the pool already.
    let _ = rayon::ThreadPoolBuilder::new().num_threads(2).build_global();
    assert_eq!(rayon::current_num_threads(), 2);
}

/// Runs `f` on a thread of its own and waits at most a minute for it: a
/// helper that never stops would keep `on_pool` from returning.
fn within_a_minute<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(f()));
    rx.recv_timeout(Duration::from_secs(60)).expect("on_pool did not return within a minute")
}

#[test]
fn the_plan_runs_on_a_worker_and_its_forks_finish() {
    two_threads();
    let (on_worker, sums) = within_a_minute(|| {
        on_pool(|| {
            let on_worker = rayon::current_thread_index().is_some();
            // Many small forks, as a training loop makes: each half either
            // stolen by the helper or run by the caller, never lost.
            let sums: Vec<u64> = (0..2000u64)
                .map(|i| {
                    let (a, b) = rayon::join(|| i, || i * 2);
                    a + b
                })
                .collect();
            (on_worker, sums)
        })
    });
    assert!(on_worker, "the plan should run on a thread of the pool");
    assert_eq!(sums, (0..2000u64).map(|i| 3 * i).collect::<Vec<_>>());
}

#[test]
fn a_panic_in_the_plan_reaches_the_caller_and_the_helpers_stop() {
    two_threads();
    let caught = within_a_minute(|| std::panic::catch_unwind(|| on_pool(|| -> u32 { panic!("a kernel failed") })));
    let payload = caught.expect_err("the panic should reach on_pool's caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"a kernel failed"));
    // The helpers stopped, so the pool runs the next plan.
    assert_eq!(within_a_minute(|| on_pool(|| rayon::join(|| 1, || 2))), (1, 2));
}
