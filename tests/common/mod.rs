//! Helpers the command-line tests share: a scratch directory per test, the
//! graphc binary run in a directory, a failed run described for a message,
//! and the digits training compiled with another trip count.
//! (Each test file is its own crate; a file uses what it needs of these.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// An empty directory `GROUP/NAME` under Cargo's scratch directory for tests.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(group).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the graphc binary with `args` in `cwd`.
pub fn graphc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graphc")).args(args).current_dir(cwd).output().expect("cannot start the graphc binary")
}

/// A run's exit status, stdout and stderr, for an assertion's message.
pub fn describe(out: &Output) -> String {
    format!(
        "exit status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The digits training of `examples/train_digits.act` with its loop's trip count
/// set to `steps`, compiled as the example is (the data read from `examples/data`).
pub fn digits_training(steps: usize) -> graphc_runtime::plan::Plan {
    use graphc_compiler::driver::{compile_opts, Exports, Options};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let source = std::fs::read_to_string(format!("{dir}/train_digits.act")).unwrap();
    assert!(source.contains("range(300)"), "the example trains for 300 steps");
    let source = source.replace("range(300)", &format!("range({steps})"));
    let options =
        Options { keep_stages: false, exports: Exports::All, numerics: graphc_compiler::fuse::Numerics::default(), source_dir: Some(Path::new(dir)) };
    compile_opts(&source, &options).unwrap_or_else(|d| panic!("train_digits.act does not compile: {d:?}")).plan
}
