//! Failures that only the data can show (an index a program computes, out of
//! bounds) stop the run with exit 3 and an error that points at the expression
//! that failed, with what the run printed before it kept on stdout. (An index
//! that is a sum of multiples of a loop's counter is checked when compiling
//! instead, E0610: these indices are not.)

mod common;

use common::{describe, graphc, scratch};

/// Runs `source` as `prog.act` and returns the run's output.
fn run(name: &str, source: &str) -> std::process::Output {
    let dir = scratch("run_errors", name);
    std::fs::write(dir.join("prog.act"), source).unwrap();
    graphc(&["run", "prog.act"], &dir)
}

/// Asserts a run stopped at run time with `message` at `location` (`prog.act:L:C`)
/// under a caret line, and printed `printed_lines` lines before.
fn assert_stopped_at(out: &std::process::Output, message: &str, location: &str, printed_lines: usize) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{}", describe(out));
    assert!(stderr.starts_with(&format!("error[R0001]: {message}\n")), "{}", describe(out));
    assert!(stderr.contains(&format!("--> {location}\n")), "the error does not point at {location}: {}", describe(out));
    assert!(stderr.contains("^ failed here"), "{}", describe(out));
    assert!(stderr.contains("= help: indices along a dimension of size n must lie in 0..n"), "{}", describe(out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), printed_lines, "{}", describe(out));
}

#[test]
fn a_computed_index_past_the_end_points_at_the_subscript() {
    // 0, 1, 4, then 9 of 5 elements.
    let out = run("read", "x = randn(5)\nfor i in range(7) {\n    print(x[i * i])\n}\n");
    assert_stopped_at(&out, "index 9 is out of bounds for dimension 0 with size 5", "prog.act:3:13", 3);
}

#[test]
fn the_failing_dimension_and_its_subscript_are_named() {
    let out = run("second", "x = randn(3, 4)\nfor i in range(5) {\n    print(x[1, i * i])\n}\n");
    assert_stopped_at(&out, "index 4 is out of bounds for dimension 1 with size 4", "prog.act:3:16", 2);
}

#[test]
fn a_store_in_a_run_time_branch_past_the_end_points_at_the_subscript() {
    // The `if` runs in some iterations only, so the store is checked by the run.
    let out = run("store", "x = zeros(3, 2)\nfor i in range(4) {\n    print(i)\n    if i % 2 == 1 {\n        x[i] = 1.0\n    }\n}\n");
    assert_stopped_at(&out, "index 3 is out of bounds for dimension 0 with size 3", "prog.act:5:11", 4);
}

#[test]
fn a_computed_gather_index_out_of_range_points_at_the_gather() {
    // The index is computed from a loop counter, so only the run sees its values.
    let source = "x = arange(6.0)\nfor i in range(3) {\n    ids = arange(3) + i * 2\n    print(x.gather(0, ids))\n}\n";
    let out = run("gather", source);
    assert_stopped_at(&out, "index 6 is out of bounds for dimension 0 with size 6", "prog.act:4:11", 2);
}
