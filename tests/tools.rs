//! Tests of `graphc gradcheck` and `graphc compare`: verdicts, exit codes,
//! diagnostics, usage errors, and snapshots of their output in snapshots/tools/
//! (a directory of their own, since tests/snapshots.rs expects every file in
//! snapshots/ to belong to a program), named `<command>__<case>`; regenerate with
//! `INSTA_UPDATE=always cargo test --test all tools::` and read the diff.

use std::path::Path;
use std::process::{Command, Output};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Runs the binary from the repository root, so paths in the output are the relative ones given.
fn graphc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graphc")).args(args).current_dir(REPO).output().expect("cannot start the graphc binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code, stdout and stderr together, which is what a user sees.
fn transcript(out: &Output) -> String {
    format!("exit code: {:?}\n--- stdout ---\n{}--- stderr ---\n{}", out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn snapshot(name: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(REPO).join("snapshots").join("tools"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, value));
}

/// The table row of one op.
fn row<'a>(stdout: &'a str, op: &str) -> &'a str {
    stdout.lines().find(|l| l.starts_with(&format!("{op} "))).unwrap_or_else(|| panic!("no row for {op} in:\n{stdout}"))
}

#[test]
fn gradcheck_passes_the_tutorial_op() {
    let out = graphc(&["gradcheck", "examples/tanh_demo.act"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = text(&out.stdout);
    assert!(row(&stdout, "SelfDefinedTanh").ends_with("pass"), "{stdout}");
    assert!(out.stderr.is_empty());
    snapshot("gradcheck__tanh_demo", &transcript(&out));
}

#[test]
fn gradcheck_fails_a_wrong_backward_and_names_its_parameter() {
    let out = graphc(&["gradcheck", "tests/gradcheck/wrong_backward.act"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(row(&stdout, "Cube").ends_with("pass"), "{stdout}");
    assert!(row(&stdout, "Mul").ends_with("FAIL: gradient of `y`"), "{stdout}");
    // The error points at the second returned expression, on the `return` line.
    assert!(stderr.contains("error[G0001]: the backward block of `Mul` returns a wrong gradient for `y`"), "{stderr}");
    assert!(stderr.contains("--> tests/gradcheck/wrong_backward.act:20:27"), "{stderr}");
    assert!(!stderr.contains("for `x`"), "{stderr}");
    snapshot("gradcheck__wrong_backward", &transcript(&out));
}

/// An op with several outputs is checked through every output: one that adds
/// each output's gradient passes, one that drops an output's gradient fails
/// (they used to be skipped with a message about printing tuples).
#[test]
fn gradcheck_weighs_every_output_of_an_op_with_several() {
    let out = graphc(&["gradcheck", "tests/gradcheck/several_outputs.act"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stdout = text(&out.stdout);
    assert!(row(&stdout, "SinhParts").ends_with("pass"), "{stdout}");
    assert!(row(&stdout, "ForgetsOne").ends_with("FAIL: gradient of `x`"), "{stdout}");
    assert!(text(&out.stderr).contains("over the 2 outputs of ForgetsOne(...)"), "{}", transcript(&out));
}

#[test]
fn gradcheck_reports_skipped_and_non_differentiable_ops_without_failing() {
    let out = graphc(&["gradcheck", "tests/gradcheck/kinds.act"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = text(&out.stdout);
    assert!(row(&stdout, "NegSqrt").ends_with("not differentiable at the sampled points"), "{stdout}");
    assert!(row(&stdout, "Gram").contains("skipped: the forward does not compile at these shapes"), "{stdout}");
    assert!(row(&stdout, "Log").ends_with("pass"), "{stdout}");
    assert!(row(&stdout, "Abs").ends_with("pass"), "{stdout}");
    snapshot("gradcheck__kinds", &transcript(&out));

    // At a 2-D shape the matrix op is checked too.
    let out = graphc(&["gradcheck", "tests/gradcheck/kinds.act", "--shape", "m=3,4"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(row(&text(&out.stdout), "Gram").ends_with("pass"), "{}", transcript(&out));
}

#[test]
fn gradcheck_does_not_check_a_none_gradient() {
    let out = graphc(&["gradcheck", "examples/two_params_none.act"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(text(&out.stdout).contains("note: Scale: the gradient of `s` is not checked"), "{}", transcript(&out));
}

#[test]
fn gradcheck_finds_a_wrong_backward_written_here() {
    // A file the checker has never seen: the derivative of sin written as -cos.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tools");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sine.act");
    std::fs::write(
        &path,
        "op Sine(t) {\n    forward {\n        save t\n        return sin(t)\n    }\n    backward(g) {\n        return -g * cos(t)\n    }\n}\n",
    )
    .unwrap();
    let out = graphc(&["gradcheck", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert!(text(&out.stderr).contains("wrong gradient for `t`"), "{}", transcript(&out));
}

#[test]
fn compare_reports_the_nan_intervals_of_the_exp_based_tanh_in_f32() {
    let out = graphc(&["compare", "examples/tanh_demo.act", "--ops", "SelfDefinedTanh,tanh_sigmoid,tanh", "--range", "-100:100"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("reference: tanh in f64"), "{stdout}");
    let custom = row(&stdout, "SelfDefinedTanh");
    // exp overflows f32 above ln(f32::MAX) = 88.7228...
    assert!(custom.contains("NaN on [-100, -88.72") && custom.contains("NaN on [88.72"), "{stdout}");
    assert!(row(&stdout, "tanh_sigmoid").ends_with("none"), "{stdout}");
    assert!(row(&stdout, "tanh").ends_with("none"), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.contains(" gradient ")).count(), 3, "{stdout}");
    snapshot("compare__tanh_demo", &transcript(&out));
}

#[test]
fn compare_near_the_tutorials_first_input_shows_the_gradient_error() {
    // The tutorial's first input (inp + 1) ** 2 is about 6.457: this is the README's puzzle.
    let out = graphc(&["compare", "examples/tanh_demo.act", "--ops", "SelfDefinedTanh,tanh_sigmoid,tanh", "--range", "6:7"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    snapshot("compare__tanh_demo_6_7", &transcript(&out));
    // In f64 the same implementations agree to a few f64 ulps of the reference's scale.
    let out = graphc(&["compare", "examples/tanh_demo.act", "--ops", "SelfDefinedTanh,tanh", "--range", "6:7", "--dtype", "f64", "--points", "101"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    snapshot("compare__tanh_demo_6_7_f64", &transcript(&out));
}

#[test]
fn compare_draws_the_errors() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tools");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("errors.png");
    let _ = std::fs::remove_file(&png);
    let out = graphc(&["compare", "examples/tanh_demo.act", "--ops", "SelfDefinedTanh,tanh", "--points", "201", "--plot", png.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["compare", "examples/tanh_demo.act", "--ops", "SelfDefinedTanh,nope"], "unknown op `nope`"),
        (&["compare", "examples/tanh_demo.act", "--ops", "tanh", "--range", "1:-1"], "malformed range `1:-1`"),
        (&["compare", "examples/tanh_demo.act", "--ops", "tanh", "--range", "-1..1"], "malformed range `-1..1`"),
        (&["compare", "examples/tanh_demo.act", "--ops", "tanh", "--dtype", "f16"], "unknown dtype `f16`"),
        (&["compare", "examples/tanh_demo.act", "--ops", "tanh", "--reference", "nope"], "unknown op `nope`"),
        (&["compare", "examples/tanh_demo.act", "--ops", "tanh", "--plot", "x.jpg"], "must end in .png or .svg"),
        (&["compare", "examples/two_params_none.act", "--ops", "Scale"], "`Scale` takes 2 arguments"),
        (&["compare", "examples/tanh_demo.act"], "--ops"),
        (&["gradcheck", "examples/tanh_demo.act", "--shape", "3,x"], "malformed shape `3,x`"),
        (&["gradcheck", "examples/tanh_demo.act", "--range", "2:2"], "malformed range `2:2`"),
        (&["gradcheck", "examples/tanh_demo.act", "--shape", "q=3"], "`q`, which is no parameter"),
        (&["gradcheck", "no/such/file.act"], "cannot read"),
    ];
    for (args, expected) in cases {
        let out = graphc(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", transcript(&out));
        assert!(text(&out.stderr).contains(expected), "{args:?}: expected {expected:?}\n{}", transcript(&out));
        assert!(out.stdout.is_empty(), "{args:?}\n{}", transcript(&out));
    }
}

#[test]
fn a_file_that_does_not_compile_is_a_compile_error() {
    let out = graphc(&["gradcheck", "tests/programs/errors/e0301_unsaved_read.act"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert!(text(&out.stderr).contains("error[E0301]"), "{}", transcript(&out));
}

#[test]
fn help_describes_both_commands() {
    for cmd in ["gradcheck", "compare"] {
        let out = graphc(&[cmd, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        snapshot(&format!("{cmd}__help"), &text(&out.stdout));
    }
}

#[test]
fn gradcheck_evaluates_f32_constants_in_f64_and_says_so() {
    let out = graphc(&["gradcheck", "tests/gradcheck/f32_constants.act"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stdout = text(&out.stdout);
    // Both ops are checked, not skipped: the f32 constants no longer stop them.
    assert!(row(&stdout, "Scale").ends_with("pass"), "{stdout}");
    assert!(row(&stdout, "Shift").ends_with("FAIL: gradient of `x`"), "{stdout}");
    assert!(stdout.contains("note: f32 constants evaluated in f64, as the points are (the calls at 7:13, 9:24, 18:13)"), "{stdout}");
    assert!(text(&out.stderr).contains("--> tests/gradcheck/f32_constants.act:23:16"), "{}", transcript(&out));
    snapshot("gradcheck__f32_constants", &transcript(&out));
}

#[test]
fn gradcheck_reports_a_declared_surrogate_as_declared_and_an_undeclared_one_as_g0001() {
    let out = graphc(&["gradcheck", "tests/gradcheck/surrogate.act"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(row(&stdout, "RoundSTE").ends_with("surrogate gradient, as declared at 10:9"), "{stdout}");
    assert!(stdout.contains("note: RoundSTE: the backward block declares a surrogate gradient (\"straight-through estimator\") at 10:9"), "{stdout}");
    assert!(row(&stdout, "RoundPlain").ends_with("FAIL: gradient of `x`"), "{stdout}");
    assert!(stderr.contains("error[G0001]: the backward block of `RoundPlain`"), "{stderr}");
    assert!(!stderr.contains("`RoundSTE`"), "the declared surrogate is no error: {stderr}");
    snapshot("gradcheck__surrogate", &transcript(&out));
}

#[test]
fn gradcheck_passes_a_file_whose_only_difference_is_a_declared_surrogate() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tools");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("reversal.act");
    std::fs::write(
        &path,
        "op Reverse(x) {\n    forward {\n        return x * 1\n    }\n    backward(g) {\n        surrogate(\"gradient reversal\")\n        return -g\n    }\n}\n",
    )
    .unwrap();
    let out = graphc(&["gradcheck", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(row(&text(&out.stdout), "Reverse").ends_with("surrogate gradient, as declared at 6:9"), "{}", transcript(&out));
}
