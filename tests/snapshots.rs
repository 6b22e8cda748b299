//! Snapshot tests of every program in the repository.
//!
//! For each good program (examples/*.act and tests/programs/**/*.act outside
//! tests/programs/errors) the IR at the stages graph, grad and opt and the
//! output of `graphc run` are snapshotted; for each bad program (under
//! tests/programs/errors) the rendered diagnostics are. The snapshots live in
//! the top-level snapshots/ directory, one per (file, stage), named
//! `<dir>__<file stem>__<stage>`. Regenerate them with
//! `INSTA_UPDATE=always cargo test --test all snapshots::` and read the diff before
//! committing; with CI=true a missing snapshot fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use graphc_compiler::diag;
use graphc_compiler::driver::print::{print_stage, IrStage};
use graphc_compiler::driver::{compile_opts, Compiled, Exports, Options};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Every .act file under `dir`, recursively, sorted so the order is stable.
fn act_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            act_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()) == Some("act") {
            out.push(path);
        }
    }
}

/// The repository-relative path with `/` separators, as diagnostics show it.
fn relative(path: &Path) -> String {
    path.strip_prefix(REPO).unwrap().components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

/// A stable snapshot name: the relative path without `.act`, `/` replaced by `__`.
fn snapshot_base(rel: &str) -> String {
    rel.trim_end_matches(".act").replace('/', "__")
}

fn is_bad(rel: &str) -> bool {
    rel.starts_with("tests/programs/errors/")
}

/// Runs the CLI on `path` inside a scratch directory, so figures land there.
fn run_output(path: &Path, base: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("snapshots").join(base);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_graphc")).arg("run").arg(path).current_dir(&dir).output().unwrap();
    let mut files: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    // The exit code and the files written belong to the observable behaviour
    // too; stderr is left out because it names the absolute path.
    format!(
        "exit code: {:?}\nfiles written: {}\n--- stdout ---\n{}",
        out.status.code(),
        if files.is_empty() { "none".to_string() } else { files.join(", ") },
        String::from_utf8_lossy(&out.stdout)
    )
}

/// Compiles the program at `path` as `graphc` does: `load` and `save` paths are
/// relative to its directory.
fn compile(source: &str, keep_stages: bool, path: &Path) -> Result<Compiled, Vec<diag::Diagnostic>> {
    compile_opts(source, &Options { keep_stages, exports: Exports::Names(&[]), numerics: Default::default(), source_dir: path.parent() })
}

#[test]
fn every_program_matches_its_snapshots() {
    let mut files = Vec::new();
    act_files(&Path::new(REPO).join("examples"), &mut files);
    let examples = files.len();
    act_files(&Path::new(REPO).join("tests/programs"), &mut files);
    assert!(examples >= 5 && files.len() > examples + 20, "too few programs found: {} examples, {} in all", examples, files.len());

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(REPO).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();

    for path in &files {
        let rel = relative(path);
        let base = snapshot_base(&rel);
        let source = std::fs::read_to_string(path).unwrap();
        insta::with_settings!({ description => rel.as_str() }, {
            if is_bad(&rel) {
                let diags = match compile(&source, false, path) {
                    // The exporter's errors come from a program that compiles (E0740-E0759).
                    Ok(_) if rel.contains("/e074") || rel.contains("/e075") => {
                        let file = graphc_compiler::syntax::parser::parse(&source).unwrap();
                        graphc_compiler::export_torch::export(&file, &source, &rel).expect_err("an export error program must not export")
                    }
                    Ok(_) => panic!("{rel} is under tests/programs/errors but compiles"),
                    Err(d) => d,
                };
                insta::assert_snapshot!(format!("{base}__diagnostics"), diag::render(&diags, &rel, &source, false));
            } else {
                let compiled = compile(&source, true, path).unwrap_or_else(|d| panic!("{rel} does not compile:\n{}", diag::render(&d, &rel, &source, false)));
                for (stage, name) in [(IrStage::Graph, "graph"), (IrStage::Grad, "grad"), (IrStage::Opt, "opt")] {
                    insta::assert_snapshot!(format!("{base}__{name}"), print_stage(&compiled, stage, &source));
                }
                // A program with `input` declarations cannot run without its inputs, and
                // the benchmark programs are too large to run in a debug test: only
                // their IR is snapshotted.
                if compiled.plan.inputs.is_empty() {
                    insta::assert_snapshot!(format!("{base}__run"), run_output(path, &base));
                }
            }
        });
    }
}

/// Snapshots whose program is gone would otherwise linger unnoticed.
#[test]
fn no_snapshot_is_orphaned() {
    let mut files = Vec::new();
    act_files(&Path::new(REPO).join("examples"), &mut files);
    act_files(&Path::new(REPO).join("tests/programs"), &mut files);
    let bases: Vec<String> = files.iter().map(|p| snapshot_base(&relative(p))).collect();
    let dir = Path::new(REPO).join("snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for entry in entries {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".snap") else { continue };
        let (base, stage) = stem.rsplit_once("__").unwrap_or((stem, ""));
        assert!(["graph", "grad", "opt", "run", "diagnostics"].contains(&stage), "snapshot {name} has an unknown stage");
        assert!(bases.iter().any(|b| b == base), "snapshot {name} belongs to no program");
    }
}
