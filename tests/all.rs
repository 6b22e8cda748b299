//! The `graphc` binary's integration tests, one module per file, linked into one test binary: a
//! binary per file linked the whole compiler into each, which took most of CI's
//! time and more disk than CI had. Only `heap_steady_state.rs`, which installs a counting
//! global allocator, is a binary of its own (see Cargo.toml).
//! Run one file's tests with `cargo test --test all FILE::`.

mod common;
mod onnx_cases;

mod bench_cli;
mod bounds;
mod cli;
mod data_files;
mod double_backward_gradcheck;
mod export_torch;
mod figures;
mod files;
mod front_end_gradcheck;
mod fusion;
mod fusion_dtypes;
mod ir_dot;
mod memory;
mod messages;
mod npy_dtypes;
mod onnx_export;
mod onnx_runtime;
mod optimizers;
mod output;
mod plan_verify;
mod run_errors;
mod scatter_in_place;
mod snapshots;
mod source_text;
mod steady_state;
mod tools;
mod training_examples;
mod warnings;

/// With `autotests = false`, a file in `tests/` that is neither named above nor a
/// `[[test]]` of its own in Cargo.toml would compile into nothing and its tests
/// would silently never run.
#[test]
fn every_test_file_is_a_module_here() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let listed = include_str!("all.rs");
    let manifest = include_str!("../Cargo.toml");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the tests directory lists") {
        let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".rs") else { continue };
        let own_binary = manifest.contains(&format!("path = \"tests/{name}\""));
        if name != "all.rs" && !own_binary && !listed.contains(&format!("\nmod {stem};\n")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "add `mod NAME;` to tests/all.rs for {missing:?}");
}
