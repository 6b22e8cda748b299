//! `graphc gradcheck` on the double-backward tutorial: every op's backward
//! block, including Cube's, whose backward calls CubeBackward, agrees with the
//! derived gradient and with finite differences.

use std::process::Command;

#[test]
fn gradcheck_passes_every_op_of_the_double_backward_tutorial() {
    let out = Command::new(env!("CARGO_BIN_EXE_graphc"))
        .args(["gradcheck", "examples/double_backward.act"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot start the graphc binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for op in ["Square", "Exp", "Cube", "CubeBackward"] {
        let row = stdout.lines().find(|l| l.starts_with(&format!("{op} "))).unwrap_or_else(|| panic!("no row for {op} in:\n{stdout}"));
        assert!(row.trim_end().ends_with("pass"), "{op}: {row}");
    }
}
