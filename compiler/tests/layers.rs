//! The compiler's layers only look down, and the partition the passes weigh on is
//! the one fusion makes.

use std::path::{Path, PathBuf};

use graphc_compiler::analysis::partition;
use graphc_compiler::driver::{compile_opts, Exports, Options};
use graphc_compiler::fuse::{self, Numerics};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Every `.rs` file under `dir` (a directory of `compiler/src`), or `dir.rs` itself.
fn sources(dir: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let file = Path::new(SRC).join(format!("{dir}.rs"));
    if file.exists() {
        files.push(file);
    }
    let mut stack = vec![Path::new(SRC).join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    assert!(!files.is_empty(), "no sources for `{dir}`");
    files
}

/// The lines of `dir`'s sources that name one of `forbidden` as `crate::NAME`.
fn imports_of(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in sources(dir) {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for name in forbidden {
                if line.contains(&format!("crate::{name}")) {
                    found.push(format!("{}:{}: {line}", f.display(), i + 1));
                }
            }
        }
    }
    found
}

#[test]
fn ir_imports_no_stage() {
    let found = imports_of("ir", &["passes", "fuse", "driver", "tools", "schedule", "lower", "autodiff", "analysis"]);
    assert!(found.is_empty(), "ir imports a later stage:\n{}", found.join("\n"));
}

#[test]
fn passes_import_neither_the_driver_nor_fusion() {
    let found = imports_of("passes", &["driver", "tools", "fuse", "schedule"]);
    assert!(found.is_empty(), "passes import a later stage:\n{}", found.join("\n"));
}

#[test]
fn the_bottom_layer_imports_nothing() {
    assert!(imports_of("span", &[""]).is_empty());
    let found = imports_of("diag", &["syntax", "ir", "lower", "autodiff", "passes", "fuse", "driver"]);
    assert!(found.is_empty(), "diag imports a stage:\n{}", found.join("\n"));
}

/// Every good program of the repository (examples and tests/programs/good).
fn good_programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut v = Vec::new();
    for dir in ["examples", "tests/programs/good"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "act") {
                v.push(p);
            }
        }
    }
    assert!(!v.is_empty());
    v.sort();
    v
}

#[test]
fn the_partition_remat_weighs_on_is_fusions_with_exact_numerics() {
    for path in good_programs() {
        let source = std::fs::read_to_string(&path).unwrap();
        for exports in [Exports::Names(&[]), Exports::All] {
            let c = compile_opts(&source, &Options { keep_stages: false, exports, numerics: Numerics::Exact, source_dir: path.parent() })
                .unwrap_or_else(|d| panic!("{} does not compile: {d:?}", path.display()));
            let prog = &c.optimized;
            let (order, phase) = partition::phases(prog);
            let (members, _) = partition::kernels(&prog.graph, &order, &phase);
            let fused: Vec<_> = fuse::fuse(prog, Numerics::Exact).kernels.into_iter().map(|k| k.members).collect();
            assert_eq!(members, fused, "{}: the partition differs from fusion's kernels", path.display());
        }
    }
}
