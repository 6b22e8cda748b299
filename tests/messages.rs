//! User-facing messages are sentences, never Rust's debug formatting: a figure
//! that cannot be written names the path and the OS error, and a `.npy` file of
//! an unsupported dtype is described in words.

use crate::common;
use crate::common::graphc;

use std::path::{Path, PathBuf};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn scratch(name: &str) -> PathBuf {
    common::scratch("messages", name)
}

/// No debug-formatted enum or struct (`IoError(Os { code: 13, .. })`, `Record([Field { .. }])`).
fn assert_no_debug(stderr: &str) {
    for marker in ["Os {", "kind:", "Record(", "Field {", "ImageError", "IoError", "Plain("] {
        assert!(!stderr.contains(marker), "debug formatting (`{marker}`) in:\n{stderr}");
    }
}

#[test]
fn a_figure_that_cannot_be_written_names_the_path_and_the_os_error() {
    let program = format!("{REPO}/examples/tanh_demo.act");
    // /proc accepts no new files even for root, so this fails where the file is created.
    for plot in ["/proc/graphc-messages-test.png", "/proc/graphc-messages-test.svg"] {
        let out = graphc(&["compare", &program, "--ops", "tanh", "--points", "11", "--plot", plot], &scratch("proc"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains(plot) && stderr.contains("cannot create a file in `/proc`"), "{stderr}");
        assert!(stderr.contains("(os error"), "the OS error is missing:\n{stderr}");
        assert_no_debug(&stderr);
    }
    // A path that is a directory fails when the finished figure is moved into place.
    let dir = scratch("directory");
    std::fs::create_dir(dir.join("taken.png")).unwrap();
    let out = graphc(&["compare", &program, "--ops", "tanh", "--points", "11", "--plot", "taken.png"], &dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("taken.png") && stderr.contains("(os error"), "{stderr}");
    assert_no_debug(&stderr);
}

/// A `.npy` file with a hand-written header: NumPy's format 1.0, padded to 64 bytes.
fn npy(path: &Path, descr: &str, shape: &str, data: &[u8]) {
    let mut header = format!("{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn an_unsupported_npy_dtype_is_described_in_words() {
    let dir = scratch("npy");
    std::fs::write(dir.join("p.act"), "input x: f32[3]\nprint(x * 2)\n").unwrap();
    npy(&dir.join("record.npy"), "[('a', '<f4'), ('b', '<i4')]", "(3,)", &[0; 24]);
    npy(&dir.join("int.npy"), "'<i4'", "(3,)", &[0; 12]);
    let out = graphc(&["run", "p.act", "--input", "x=record.npy"], &dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a structured dtype with fields `a` (dtype `<f4`), `b` (dtype `<i4`) of shape [3]"), "{stderr}");
    assert!(stderr.contains("declared f32[3]"), "{stderr}");
    assert_no_debug(&stderr);
    let out = graphc(&["run", "p.act", "--input", "x=int.npy"], &dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("holds dtype `<i4` of shape [3]"), "{stderr}");
    assert_no_debug(&stderr);
}
