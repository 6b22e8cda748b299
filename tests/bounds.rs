//! Every bounded flag rejects a value outside its range as a usage error (exit 2)
//! whose message states the allowed range, before any work starts.

use std::process::{Command, Output};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn graphc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graphc")).args(args).current_dir(REPO).output().expect("cannot start the graphc binary")
}

/// Asserts exit 2, no panic, and that stderr contains `says`.
fn rejected(args: &[&str], says: &str) {
    let out = graphc(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}:\n{stderr}");
    assert!(stderr.contains(says), "{args:?} should say `{says}`:\n{stderr}");
    assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
}

#[test]
fn threads_are_1_to_1024() {
    rejected(&["--threads", "1025", "check", "examples/tanh_demo.act"], "1..=1024");
    rejected(&["--threads", "4294967295", "check", "examples/tanh_demo.act"], "1..=1024");
    rejected(&["--threads", "0", "check", "examples/tanh_demo.act"], "1..=1024");
}

#[test]
fn bench_runs_are_bounded_so_nothing_overflows() {
    rejected(&["bench", "examples/tanh_demo.act", "--warmup", "4294967295", "--iters", "1"], "0..=1000000");
    rejected(&["bench", "examples/tanh_demo.act", "--iters", "4294967295"], "1..=1000000");
    rejected(&["bench", "examples/tanh_demo.act", "--iters", "0"], "1..=1000000");
}

#[test]
fn gradcheck_shapes_have_no_zero_dimension_and_at_most_1024_elements() {
    rejected(&["gradcheck", "examples/tanh_demo.act", "--shape", "4096"], "at most 1024 elements");
    rejected(&["gradcheck", "examples/tanh_demo.act", "--shape", "4294967296,4294967296"], "at most 1024 elements");
    rejected(&["gradcheck", "examples/tanh_demo.act", "--shape", "0,3"], "every dimension must be at least 1");
    rejected(&["gradcheck", "examples/tanh_demo.act", "--shape", "inp=3,0"], "every dimension must be at least 1");
}

#[test]
fn gradcheck_samples_are_1_to_1000() {
    rejected(&["gradcheck", "examples/tanh_demo.act", "--samples", "0"], "1..=1000");
    rejected(&["gradcheck", "examples/tanh_demo.act", "--samples", "1001"], "1..=1000");
}

#[test]
fn compare_points_and_range_are_bounded() {
    let compare = |extra: &[&str], says: &str| {
        let mut args = vec!["compare", "examples/tanh_demo.act", "--ops", "tanh"];
        args.extend_from_slice(extra);
        rejected(&args, says);
    };
    compare(&["--points", "1"], "between 2 and 1000000");
    compare(&["--points", "1000001"], "between 2 and 1000000");
    compare(&["--range=-3e38:3e38"], "HI - LO must be at most 3.4028235e38");
    compare(&["--range=0:1e39"], "within ±3.4028235e38");
    compare(&["--range=-1e308:1e308", "--dtype", "f64"], "HI - LO must be at most 1.7976931348623157e308");
    compare(&["--range=1:1"], "LO < HI");
    compare(&["--range=0:inf"], "two finite numbers");
}
