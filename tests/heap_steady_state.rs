//! The digits training loop (`examples/train_digits.act`) makes no heap
//! allocation at all once it runs: not for tensors (the machine's pool, which
//! `steady_state.rs` checks), nor for the machine's own bookkeeping, the
//! kernels' scratch or the threads' jobs. Counted by this binary's global
//! allocator, so this file holds one test: another running beside it would be
//! counted too. On a machine without AVX-512 the products go to
//! `matrixmultiply`, whose packing buffers are allocated on each call: there the
//! test bounds the count a step instead.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use graphc_runtime::exec::Machine;
use graphc_runtime::plan::Plan;

mod common;
use common::digits_training;

/// The system allocator, counting the allocations it makes.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The heap allocations of one run of `plan` on a fresh machine.
fn allocations(plan: &Plan) -> usize {
    let mut m = Machine::new(plan).unwrap();
    let mut out = Vec::with_capacity(1 << 16);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    m.run(plan, &mut out).unwrap();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

/// The most heap allocations a digits step may make on a machine whose products
/// go to `matrixmultiply` (per thread that runs them): its packing buffers.
const MATRIXMULTIPLY_PER_STEP: f64 = 40.0;

#[test]
fn the_digits_training_loop_allocates_nothing_per_step() {
    // Both programs print at steps 0 and 50 only, so 40 more steps may change
    // the count only by what the steps themselves allocate.
    let (short, long) = (digits_training(60), digits_training(100));
    for threads in 1..=3 {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            // A first run, so that each thread's kernel scratch is in place.
            allocations(&short);
            let (a_short, a_long) = (allocations(&short), allocations(&long));
            assert!(a_short > 0, "the count sees the machine's first iteration");
            let per_step = (a_long as f64 - a_short as f64) / 40.0;
            if graphc_runtime::kernels::skinny::available() {
                assert!(
                    a_long <= a_short,
                    "{threads} thread(s): 100 steps made {a_long} heap allocations, 60 steps {a_short}: about {per_step:.2} a step"
                );
            } else {
                // Without AVX-512 the products go to `matrixmultiply`, which packs
                // into buffers it allocates on every call: one or two per product
                // and row block, 35 a step with one thread on an AMD EPYC with
                // AVX2. Everything else still allocates nothing.
                assert!(
                    per_step <= MATRIXMULTIPLY_PER_STEP * threads as f64,
                    "{threads} thread(s) without AVX-512: {per_step:.2} heap allocations a step, more than the products' packing buffers"
                );
            }
        });
    }
}
