//! The binary never panics on a failing stdout or stderr: stdout to `/dev/full`
//! is exit 3 with a message on stderr, a pipe closed by its reader ends quietly
//! with the command's documented code, and a failing stderr changes nothing.

use std::process::{Command, Stdio};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// One command line of each subcommand, each of which prints on stdout (except `check`).
const COMMANDS: &[&[&str]] = &[
    &["run", "examples/tanh_demo.act"],
    &["ir", "examples/tanh_demo.act"],
    &["check", "examples/tanh_demo.act"],
    &["gradcheck", "examples/tanh_demo.act", "--samples", "1"],
    &["compare", "examples/tanh_demo.act", "--ops", "SelfDefinedTanh,tanh", "--points", "11"],
    &["bench", "examples/bench_tanh_small.act", "--iters", "1", "--warmup", "0"],
];

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_graphc"));
    // The working directory is a scratch one, so that `savefig` never writes into the checkout.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("output");
    std::fs::create_dir_all(&dir).unwrap();
    c.args(args).current_dir(dir).args(["--threads", "1"]);
    c
}

/// Rewrites the program path to an absolute one.
fn absolute(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| if a.ends_with(".act") { format!("{REPO}/{a}") } else { a.to_string() }).collect()
}

fn full() -> std::fs::File {
    std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full exists on Linux")
}

#[test]
fn stdout_on_a_full_disk_is_exit_3_with_a_message() {
    for args in COMMANDS {
        let args = absolute(args);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = command(&args).stdout(full()).stderr(Stdio::piped()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
        if args[0] == "check" {
            // `check` prints nothing on stdout, so a full stdout does not concern it.
            assert_eq!(out.status.code(), Some(0), "{args:?}:\n{stderr}");
        } else {
            assert_eq!(out.status.code(), Some(3), "{args:?}:\n{stderr}");
            assert!(stderr.contains("No space left on device"), "{args:?} does not say why:\n{stderr}");
        }
    }
}

#[test]
fn a_pipe_closed_by_its_reader_ends_quietly() {
    for args in COMMANDS {
        let args = absolute(args);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The read end is closed before the program starts, so every write fails
        // with EPIPE. (Closing it after the spawn raced a fast run on a busy
        // machine, which could write everything into the pipe's buffer first.)
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = command(&args).stdout(writer).stderr(Stdio::piped()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
        assert!(!stderr.contains("error"), "{args:?} is not quiet:\n{stderr}");
        // `run` documents exit 3 for output it could not deliver; the listings end with their own code.
        let expected = if args[0] == "run" { 3 } else { 0 };
        assert_eq!(out.status.code(), Some(expected), "{args:?}:\n{stderr}");
    }
}

#[test]
fn a_failing_stderr_does_not_panic() {
    for args in COMMANDS {
        let args = absolute(args);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = command(&args).stdout(Stdio::null()).stderr(full()).output().unwrap();
        // A panic exits 101; the commands succeed without a place for warnings and progress.
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}
