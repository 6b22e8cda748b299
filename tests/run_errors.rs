//! Failures that only the data can show (an index a program computes, out of
//! bounds) stop the run with exit 3 and an error that points at the expression
//! that failed, with what the run printed before it kept on stdout. (An index
//! that is a sum of multiples of a loop's counter is checked when compiling
//! instead, E0610: these indices are not.)

use crate::common::{describe, graphc, scratch};

/// Runs `source` as `prog.act` and returns the run's output.
fn run(name: &str, source: &str) -> std::process::Output {
    let dir = scratch("run_errors", name);
    std::fs::write(dir.join("prog.act"), source).unwrap();
    graphc(&["run", "prog.act"], &dir)
}

/// Asserts a run stopped at run time with `message` at `location` (`prog.act:L:C`)
/// under a caret line, and printed `printed_lines` lines before.
fn assert_stopped_at(out: &std::process::Output, message: &str, location: &str, printed_lines: usize) {
    assert_stopped_with(out, message, location, printed_lines, "= help: indices along a dimension of size n must lie in 0..n");
}

/// As [`assert_stopped_at`], with the help line `help`.
fn assert_stopped_with(out: &std::process::Output, message: &str, location: &str, printed_lines: usize, help: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{}", describe(out));
    assert!(stderr.starts_with(&format!("error[R0001]: {message}\n")), "{}", describe(out));
    assert!(stderr.contains(&format!("--> {location}\n")), "the error does not point at {location}: {}", describe(out));
    assert!(stderr.contains("^ failed here"), "{}", describe(out));
    assert!(stderr.contains(help), "{}", describe(out));
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

const ASSERT_HELP: &str = "= help: the program's `assert` found its test false";

#[test]
fn a_run_time_assertion_stops_the_run_with_its_message() {
    // The loss halves each step; the assertion holds for 0.5 and 0.25 and fails for 0.125.
    let source = "loss = tensor(1.0)\nfor i in range(6) {\n    loss = loss / 2\n    print(i)\n    assert loss.item() > 0.2, f\"loss {loss.item()} at {i}\"\n}\n";
    let out = run("assert_loop", source);
    assert_stopped_with(&out, "AssertionError: loss 0.125 at 2", "prog.act:5:5", 3, ASSERT_HELP);
}

#[test]
fn an_assertion_on_a_one_element_bool_tensor_runs_when_it_holds() {
    // Both assertions hold, so every line is printed.
    let out = run("assert_holds", "x = randn(4).abs() + 1\nassert (x > 0).all()\nassert x.sum().item() >= 4, x\nprint(x.min() >= 1)\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tensor(True)\n");
}

#[test]
fn a_raise_in_a_run_time_if_stops_the_run_with_its_exception() {
    // The loss grows past 4 at i = 2, where the program raises, as a training
    // script stops a diverging run.
    let source = "loss = 1.0\nfor i in range(5) {\n    loss = loss * 2.5\n    print(i)\n    if loss > 4 {\n        raise RuntimeError(f\"diverged at step {i}: loss {loss}\")\n    }\n}\n";
    let out = run("raise_branch", source);
    let help = "= help: the program raised `RuntimeError` here";
    assert_stopped_with(&out, "RuntimeError: diverged at step 1: loss 6.25", "prog.act:6:9", 2, help);
}

#[test]
fn a_raise_that_always_runs_is_an_error_before_anything_runs() {
    // A shape check written as published code writes it, in a fn: the shapes are
    // known when compiling, so a call with the wrong shape fails there, with
    // the exception's message, and a call with the right one compiles.
    let source = "fn check(x) {\n    if x.dim() != 2 {\n        raise ValueError(f\"expected a matrix, got {x.dim()} dimensions\")\n    }\n    return x\n}\nprint(check(ones(2, 2)).sum())\nprint(check(ones(3)).sum())\n";
    let out = run("raise_compile", source);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error[E0647]: this `raise` runs: ValueError: expected a matrix, got 1 dimensions\n"), "{}", describe(&out));
    assert!(stderr.contains("--> prog.act:3:9\n"), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "nothing runs: {}", describe(&out));
}

#[test]
fn raise_is_a_name_where_it_does_not_start_a_raise() {
    // `raise` is a keyword only before a name at the start of a statement.
    let out = run("raise_name", "raise = 3\nprint(raise + 1)\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4\n");
}

#[test]
fn assert_false_in_a_run_time_if_waits_for_the_branch_to_run() {
    // Python's way to stop a diverging run: the branch runs at i = 3 only.
    let source = "for i in range(5) {\n    print(i)\n    if float(i) > 2.5 {\n        assert false\n    }\n}\n";
    let out = run("assert_branch", source);
    assert_stopped_with(&out, "AssertionError", "prog.act:4:9", 4, ASSERT_HELP);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error[R0001]: AssertionError\n"), "{}", describe(&out));
}

/// Dividing by a run-time number that is zero is Python's ZeroDivisionError,
/// with its message for the operand types, where PyTorch's script would stop;
/// the divisions before it ran and printed.
#[test]
fn a_division_by_a_run_time_zero_stops_the_run_as_python_does() {
    let help = "= help: the program raised `ZeroDivisionError` here";
    let head =
        "t = tensor([2.0, 0.0])\nfor i in range(2) {\n    n = t[i].item()\n    k = int(n)\n    print(1.5 / (n + 1), 7 // (k + 1), 7 % (k + 1))\n";
    for (line, message) in [
        ("    print(1 / n)\n", "float division by zero"),
        ("    print(1 / k)\n", "division by zero"),
        ("    print(7 // k)\n", "integer division or modulo by zero"),
        ("    print(7.0 // k)\n", "float floor division by zero"),
        ("    print(7 % k)\n", "integer modulo by zero"),
        ("    print(n % n)\n", "float modulo"),
    ] {
        let out = run("zero_division", &format!("{head}{line}}}\n"));
        assert_stopped_with(&out, &format!("ZeroDivisionError: {message}"), "prog.act:6:11", 3, help);
    }
}
