//! Fusion takes float nodes only: the fused executor computes in f32 and f64,
//! so i64 and bool nodes (integer arithmetic, comparisons, casts, `where`) run
//! one op at a time, and the float ops around them still fuse.

use std::path::Path;
use std::process::Command;

const PROGRAM: &str = "input l: i64[4]\ninput x: f32[4]\n\
y = (x * 2).exp() * (l > 0)\nprint(y)\nz = (l * 3 + l) * 2\nprint(z)\n";

#[test]
fn integer_and_bool_nodes_stay_out_of_fused_kernels() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fusion_dtypes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.act"), PROGRAM).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_graphc")).args(["ir", "p.act", "--stage", "opt"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let kernels = &text[text.find("fused kernels").expect("the float ops fuse")..];
    let headers: Vec<&str> = kernels.lines().filter(|l| l.trim_start().starts_with("kernel ")).collect();
    assert!(!headers.is_empty(), "{kernels}");
    for h in &headers {
        assert!(h.contains(": f32["), "a kernel of another dtype: {h}\n{text}");
    }
    // `exp` and its multiplication fuse; the i64 arithmetic and the comparison do not.
    assert!(kernels.contains("exp"), "{kernels}");
    assert!(!kernels.contains("compare") && !kernels.contains("cast"), "{kernels}");
}
