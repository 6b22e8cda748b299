//! Warnings on the command line: they go to stderr only, never change stdout or
//! the exit code, and `--deny-warnings` turns them into errors (exit 1, nothing
//! on stdout, nothing run).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// PyTorch's output of the tutorial (see tests/cli.rs).
const SEED_DEMO_STDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/seed_demo.torch-2.15.stdout");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("warnings").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn graphc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graphc")).args(args).current_dir(cwd).output().expect("cannot start the graphc binary")
}

fn describe(out: &Output) -> String {
    format!(
        "exit status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
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
