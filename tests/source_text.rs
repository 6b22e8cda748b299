//! Issue 13's message cases: a UTF-8 byte order mark at the start of a file is
//! skipped, and every diagnostic's column stays right (line 1 included); a seed
//! outside PyTorch's range says so in words, and a negative seed is PyTorch's.

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    common::scratch("source_text", name)
}

/// Writes `source` to `dir/p.act` and runs `graphc SUB p.act`.
fn graphc(sub: &str, name: &str, source: &[u8]) -> Output {
    let dir = scratch(name);
    std::fs::write(dir.join("p.act"), source).unwrap();
    Command::new(env!("CARGO_BIN_EXE_graphc")).args([sub, "p.act"]).current_dir(&dir).output().expect("cannot start graphc")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn with_bom(text: &str) -> Vec<u8> {
    let mut bytes = "\u{FEFF}".as_bytes().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

#[test]
fn a_byte_order_mark_is_skipped_and_the_output_is_unchanged() {
    let program = "manual_seed(0)\nprint(randn(2))\n";
    let plain = graphc("run", "bom-plain", program.as_bytes());
    let marked = graphc("run", "bom-marked", &with_bom(program));
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert_eq!(marked.status.code(), Some(0), "{}", stderr(&marked));
    assert_eq!(marked.stdout, plain.stdout);
}

#[test]
fn after_a_byte_order_mark_diagnostics_keep_their_columns() {
    for (program, arrow, underline) in [
        ("x = randn(3) + zz\n", "--> p.act:1:16", "1 | x = randn(3) + zz\n  |                ^^ not defined"),
        ("x = randn(3)\ny = x + qq\n", "--> p.act:2:9", "2 | y = x + qq\n  |         ^^ not defined"),
        // A lexical error on line 1, where the mark was.
        ("x = $\n", "--> p.act:1:5", "1 | x = $\n  |     ^"),
    ] {
        let out = graphc("check", "bom-columns", &with_bom(program));
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains(arrow), "{program:?}: expected {arrow}\n{text}");
        assert!(text.contains(underline), "{program:?}: the caret is misplaced\n{text}");
        assert!(!text.contains('\u{FEFF}'), "the mark must not be printed\n{text}");
    }
}

#[test]
fn a_seed_out_of_range_says_the_range() {
    let out = graphc("check", "seed-range", b"manual_seed(99999999999999999999)\n");
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.starts_with("error[E0107]: this seed is out of range: a seed must be an integer from -2^63 to 2^64 - 1"), "{text}");
    assert!(text.contains("--> p.act:1:13"), "{text}");
    let low = graphc("check", "seed-low", b"manual_seed(-9223372036854777856)\n");
    assert!(stderr(&low).contains("out of range"), "{}", stderr(&low));
}

#[test]
fn a_seed_just_beyond_either_end_is_refused_with_its_exact_value() {
    // Computed seeds are exact: 2**64 and -2**63 - 1 are just outside PyTorch's
    // range, which an f64 would have rounded into it.
    for (seed, shown) in [("2**64", "18446744073709551616"), ("-(2**63) - 1", "-9223372036854775809")] {
        let out = graphc("check", "seed-edge", format!("manual_seed({seed})\n").as_bytes());
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.starts_with("error[E0107]: this seed is out of range"), "{seed}: {text}");
        assert!(text.contains("Overflow when unpacking long long"), "{seed}: {text}");
        assert!(text.contains(&format!("it is {shown}")), "{seed}: {text}");
        assert!(text.contains("--> p.act:1:13"), "{seed}: {text}");
        assert!(!text.contains("E0665"), "{seed}: the seed's own error replaces E0665\n{text}");
    }
    let ok = graphc("check", "seed-ends", b"manual_seed(2**64 - 1)\nmanual_seed(-(2**63))\n");
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn a_negative_seed_is_pytorchs_twos_complement() {
    // torch 2.15: `torch.manual_seed(-1); print(torch.randn(2))`, the same as seed 2**64 - 1.
    let out = graphc("run", "seed-negative", b"manual_seed(-1)\nprint(randn(2))\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tensor([ 1.2198, -0.3930])\n");
}
