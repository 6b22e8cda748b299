//! Warnings on the command line: they go to stderr only, never change stdout or
//! the exit code, and `--deny-warnings` turns them into errors (exit 1, nothing
//! on stdout, nothing run).

use crate::common;
use crate::common::{describe, graphc};

use std::path::{Path, PathBuf};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// PyTorch's output of the tutorial (see tests/cli.rs).
const SEED_DEMO_STDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/seed_demo.torch-2.15.stdout");

fn scratch(name: &str) -> PathBuf {
    common::scratch("warnings", name)
}

fn tutorial() -> String {
    Path::new(REPO).join("examples/tanh_demo.act").to_str().unwrap().to_string()
}

#[test]
fn the_tutorial_warns_on_stderr_and_its_stdout_is_unchanged() {
    let dir = scratch("tutorial");
    let path = tutorial();
    let out = graphc(&["run", &path], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("warning[W0101]: an overflow can make this division NaN\n"), "{stderr}");
    assert!(stderr.contains(&format!("--> {path}:12:18")), "{stderr}");
    assert!(stderr.contains("= help: this is tanh written with exponentials; `tanh(x)`"), "{stderr}");
    assert!(stderr.contains(&format!("warning: `{path}` generated 1 warning\n")), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("warning"), "{}", describe(&out));
    if let Ok(expected) = std::fs::read(SEED_DEMO_STDOUT) {
        assert!(out.stdout == expected, "stdout differs from PyTorch's\n{}", describe(&out));
    }
}

#[test]
fn check_shows_warnings_and_succeeds() {
    let dir = scratch("check");
    let out = graphc(&["check", &tutorial()], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[W0101]"), "{stderr}");
    assert!(stderr.trim_end().ends_with("after optimization)"), "the ok line comes last:\n{stderr}");
}

#[test]
fn deny_warnings_makes_them_errors_on_run_check_and_ir() {
    for cmd in ["run", "check", "ir"] {
        let dir = scratch(&format!("deny_{cmd}"));
        let out = graphc(&[cmd, "--deny-warnings", &tutorial()], &dir);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {}", describe(&out));
        assert!(out.stdout.is_empty(), "{cmd}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error[W0101]: "), "{cmd}: {stderr}");
        assert!(stderr.contains("due to 1 previous error"), "{cmd}: {stderr}");
        assert!(std::fs::read_dir(&dir).unwrap().next().is_none(), "{cmd}: nothing may run, so no figure is written");
    }
}

#[test]
fn deny_warnings_without_warnings_changes_nothing() {
    let dir = scratch("deny_clean");
    std::fs::write(dir.join("small.act"), "x = arange(-8, 8, 0.1)\nprint((exp(x) - exp(-x)).sum())\nprint(tanh(randn(3)))\n").unwrap();
    let plain = graphc(&["run", "small.act"], &dir);
    let denied = graphc(&["run", "--deny-warnings", "small.act"], &dir);
    assert_eq!(plain.status.code(), Some(0), "{}", describe(&plain));
    assert_eq!(denied.status.code(), Some(0), "{}", describe(&denied));
    assert!(plain.stderr.is_empty() && denied.stderr.is_empty(), "{}", describe(&plain));
    assert_eq!(plain.stdout, denied.stdout);
}

#[test]
fn a_warning_points_at_its_line_and_column() {
    let dir = scratch("line_col");
    std::fs::write(dir.join("big.act"), "x = arange(0, 200, 1)\nprint(\"sum\")\nprint((exp(x) - exp(x)).sum())\n").unwrap();
    let out = graphc(&["run", "big.act"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "sum\ntensor(nan)\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[W0101]: an overflow can make this subtraction NaN\n  --> big.act:3:7\n"), "{stderr}");
}

/// JAX's `log(1 + exp(x))` example (tests/warnings/log1pexp_overflow.act): the
/// gradient is `0 * inf` where `exp` overflows, PyTorch prints `nan` for it, and
/// W0101 says why and names the stable form; the stable form in the same file
/// does not warn. The stdout is what PyTorch 2.15 prints for the same program.
#[test]
fn the_gradient_of_log_one_plus_exp_warns_with_the_stable_form() {
    let rel = "tests/warnings/log1pexp_overflow.act";
    let out = graphc(&["run", rel], Path::new(REPO));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "tensor([ 0.6931, 10.0000,     inf], grad_fn=<LogBackward0>)\ntensor([0.5000, 1.0000,    nan])\n\
         tensor([  0.6931,  10.0000, 100.0000], grad_fn=<AddBackward0>)\ntensor([0.0000, 1.0000, 1.0000])\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("warning[W0101]: an overflow can make this product NaN\n  --> {rel}:6:13\n")), "{stderr}");
    assert!(stderr.contains("`log1p(exp(-abs(x))) + relu(x)`"), "{stderr}");
    assert!(stderr.contains("generated 1 warning"), "only the unstable form warns: {stderr}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(REPO).join("snapshots").join("warnings"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("log1pexp_overflow", stderr));
}
