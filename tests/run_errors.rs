//! Failures that only the data can show (an index a program computes, out of
//! bounds) stop the run with exit 3 and an error that points at the expression
//! that failed, with what the run printed before it kept on stdout.

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
fn a_loop_counter_past_the_end_points_at_the_subscript() {
    let out = run("read", "x = randn(5)\nfor i in range(7) {\n    print(x[i])\n}\n");
    assert_stopped_at(&out, "index 5 is out of bounds for dimension 0 with size 5", "prog.act:3:13", 5);
}

#[test]
fn the_failing_dimension_and_its_subscript_are_named() {
    let out = run("second", "x = randn(3, 4)\nfor i in range(5) {\n    print(x[1, i])\n}\n");
    assert_stopped_at(&out, "index 4 is out of bounds for dimension 1 with size 4", "prog.act:3:16", 4);
}

#[test]
fn a_store_at_a_counter_past_the_end_points_at_the_subscript() {
    let out = run("store", "x = zeros(3, 2)\nfor i in range(4) {\n    print(i)\n    x[i] = 1.0\n}\n");
    assert_stopped_at(&out, "index 3 is out of bounds for dimension 0 with size 3", "prog.act:4:7", 4);
}

#[test]
fn a_computed_gather_index_out_of_range_points_at_the_gather() {
    // The index is computed from a loop counter, so only the run sees its values.
    let source = "x = arange(6.0)\nfor i in range(3) {\n    ids = arange(3) + i * 2\n    print(x.gather(0, ids))\n}\n";
    let out = run("gather", source);
    assert_stopped_at(&out, "index 6 is out of bounds for dimension 0 with size 6", "prog.act:4:11", 2);
}
