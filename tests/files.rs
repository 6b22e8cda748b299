//! Issue 13's file cases: `--save` and `savefig` write through symbolic links, into
//! devices and FIFOs rather than over them, leave no temporary file when SIGINT or
//! SIGTERM interrupts them, and bad figure paths are compile errors. The tests run
//! as root, so every failure they provoke is one that permissions cannot cause.
#![cfg(unix)]

use crate::common;
use crate::common::{describe, graphc};

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PROGRAM: &str = "y = linspace(0, 1, 4)\nprint(y)\n";

/// The first bytes of every .npy file.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

fn scratch(name: &str) -> PathBuf {
    common::scratch("files", name)
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("cannot run mkfifo");
    assert!(status.success(), "mkfifo failed");
}

#[test]
fn save_writes_through_a_symlink_and_keeps_the_link() {
    let dir = scratch("symlink");
    std::fs::write(dir.join("p.act"), PROGRAM).unwrap();
    std::fs::create_dir(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/y.npy"), "old").unwrap();
    std::os::unix::fs::symlink("data/y.npy", dir.join("link.npy")).unwrap();
    let out = graphc(&["run", "p.act", "--save", "y=link.npy"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(std::fs::symlink_metadata(dir.join("link.npy")).unwrap().file_type().is_symlink(), "the link was replaced");
    assert!(std::fs::read(dir.join("data/y.npy")).unwrap().starts_with(NPY_MAGIC), "the target was not written");
    assert_eq!(names(&dir.join("data")), ["y.npy"], "a temporary file was left beside the target");
}

#[test]
fn save_to_dev_null_keeps_the_device() {
    let dir = scratch("devnull");
    std::fs::write(dir.join("p.act"), PROGRAM).unwrap();
    let out = graphc(&["run", "p.act", "--save", "y=/dev/null"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null became a regular file");
}

#[test]
fn save_streams_into_a_fifo() {
    let dir = scratch("fifo");
    std::fs::write(dir.join("p.act"), PROGRAM).unwrap();
    mkfifo(&dir.join("pipe.npy"));
    let reader = Command::new("sh").arg("-c").arg("cat pipe.npy > got.npy").current_dir(&dir).spawn().unwrap();
    let out = graphc(&["run", "p.act", "--save", "y=pipe.npy"], &dir);
    let status = wait_for(reader, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(status.success());
    assert!(std::fs::read(dir.join("got.npy")).unwrap().starts_with(NPY_MAGIC), "the reader did not get the .npy");
    let meta = std::fs::symlink_metadata(dir.join("pipe.npy")).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()), "the FIFO was replaced");
}

#[test]
fn savefig_through_a_symlink_to_dev_null_keeps_both() {
    let dir = scratch("figure-devnull");
    std::fs::write(dir.join("p.act"), "x = linspace(0, 1, 5)\nplot(x, x)\nsavefig(\"fig.png\")\n").unwrap();
    std::os::unix::fs::symlink("/dev/null", dir.join("fig.png")).unwrap();
    let out = graphc(&["run", "p.act"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(std::fs::symlink_metadata(dir.join("fig.png")).unwrap().file_type().is_symlink(), "the link was replaced");
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file(), "/dev/null became a regular file");
    assert_eq!(names(&dir), ["fig.png", "p.act"]);
}

/// Waits for `child`, killing it after `limit` so that a hung test fails instead of hanging.
fn wait_for(mut child: std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the child did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A save into a FIFO with no reader blocks after its contents are made in a
/// temporary file: the signal arrives while that file exists, and must remove it.
fn interrupted_save_leaves_no_temporary(signal: &str, number: i32) {
    let dir = scratch(&format!("signal-{signal}"));
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    std::fs::write(dir.join("p.act"), PROGRAM).unwrap();
    mkfifo(&dir.join("pipe.npy"));
    let child = Command::new(env!("CARGO_BIN_EXE_graphc"))
        .args(["run", "p.act", "--save", "y=pipe.npy"])
        .current_dir(&dir)
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while names(&tmp).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(30), "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
    assert!(kill.success());
    let status = wait_for(child, Duration::from_secs(30));
    assert_eq!(status.signal(), Some(number), "the process must end by the signal: {status:?}");
    assert!(names(&tmp).is_empty(), "temporary files left: {:?}", names(&tmp));
}

#[test]
fn sigterm_during_a_save_removes_the_temporary_file() {
    interrupted_save_leaves_no_temporary("TERM", 15);
}

#[test]
fn sigint_during_a_save_removes_the_temporary_file() {
    interrupted_save_leaves_no_temporary("INT", 2);
}

#[test]
fn bad_figure_paths_are_compile_errors_at_the_path() {
    let dir = scratch("figure-paths");
    std::fs::write(dir.join("plain"), "a file, not a directory").unwrap();
    for (path, code, says) in [
        (".png", "E0504", "no file name"),
        ("sub/.svg", "E0504", "no file name"),
        ("no_such_dir/f.png", "E0504", "`no_such_dir` does not exist"),
        ("plain/f.png", "E0504", "`plain` is not a directory"),
        ("f.jpg", "E0107", "cannot save a figure"),
    ] {
        let source = format!("x = linspace(0, 1, 5)\nplot(x, x)\nprint(\"never\")\nsavefig(\"{path}\")\n");
        std::fs::write(dir.join("p.act"), source).unwrap();
        let out = graphc(&["run", "p.act"], &dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{path}: {}", describe(&out));
        assert!(out.stdout.is_empty(), "{path}: the program must not run\n{}", describe(&out));
        assert!(stderr.starts_with(&format!("error[{code}]")) && stderr.contains(says), "{path}: {stderr}");
        assert!(stderr.contains("--> p.act:4:9") && stderr.contains("= help: "), "{path}: {stderr}");
    }
    assert_eq!(names(&dir), ["p.act", "plain"]);
}
