//! Pass filetests, in the style of Cranelift's: each file under `tests/filetests/`
//! holds one pass's input program in IR text and the expected text after the pass.
//!
//! A file reads, in order: comment lines starting with `;` (what the test checks),
//! a line `test PASS` naming the pass (`hoist`, `simplify`, `const-fold`, `cse`,
//! `dce`, `remat`, or `fuse` for fusion), the input program as `graphc ir` prints it, a
//! line `=== expected ===`, and the expected output. For a pass that is the pass's
//! report as `graphc ir --stage opt` shows it (`pass NAME: N changes, A -> B
//! nodes` and one line per change) followed by the program after the pass; for
//! `fuse` it is the fused-kernel listing of `graphc ir --stage opt`. The IR
//! verifier runs on the result. `GRAPHC_BLESS=1 cargo test -p graphc-compiler --test all filetests::`
//! rewrites the expected part of every file from what the pass does now: read the
//! diff before committing.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use graphc_compiler::diag::LineIndex;
use graphc_compiler::fuse::print::kernels;
use graphc_compiler::fuse::{fuse, Numerics};
use graphc_compiler::ir::parse::{parse, print_program};
use graphc_compiler::ir::verify::{verify, Stage};
use graphc_compiler::passes::{self, PassReport};

const SEPARATOR: &str = "=== expected ===";

/// One filetest, split into its parts.
struct FileTest {
    /// The comment lines and the `test` line, kept as written.
    header: String,
    pass: String,
    input: String,
    expected: String,
}

fn split(path: &Path, text: &str) -> FileTest {
    let (head, expected) = text.split_once(&format!("\n{SEPARATOR}\n")).unwrap_or_else(|| panic!("{}: no `{SEPARATOR}` line", path.display()));
    let mut header = String::new();
    let mut pass = None;
    let mut rest = head;
    while let Some((line, after)) = rest.split_once('\n') {
        if line.starts_with(';') {
            header.push_str(line);
            header.push('\n');
        } else if let Some(name) = line.strip_prefix("test ") {
            header.push_str(line);
            header.push('\n');
            pass = Some(name.trim().to_string());
        } else if !line.is_empty() || pass.is_some() {
            break;
        }
        rest = after;
    }
    let pass = pass.unwrap_or_else(|| panic!("{}: no `test PASS` line before the program", path.display()));
    FileTest { header, pass, input: format!("{}\n", rest.trim_matches('\n')), expected: expected.to_string() }
}

/// Runs the test's pass on its input; returns the text to compare with the expectation.
fn run(path: &Path, t: &FileTest) -> String {
    let mut parsed = parse(&t.input).unwrap_or_else(|d| {
        let at = &t.input[d.primary.span.start..d.primary.span.end];
        panic!("{}: the input does not read back: {} (at `{at}`)", path.display(), d.message)
    });
    let prog = &mut parsed.program;
    // The lowered stage's invariants, the weaker set: an input may still hold templates.
    if let Err(errs) = verify(prog, Stage::Lowered) {
        panic!("{}: the input breaks the IR's invariants:\n{}", path.display(), errs.join("\n"));
    }
    if t.pass == "fuse" {
        let listing = kernels(prog, &fuse(prog, Numerics::default()));
        return listing.trim_start_matches('\n').to_string();
    }
    let &(name, pass) =
        passes::PIPELINE.iter().find(|(n, _)| *n == t.pass).unwrap_or_else(|| panic!("{}: no pass called `{}`", path.display(), t.pass));
    let nodes_before = prog.graph.node_count();
    let outcome = pass(prog);
    if let Err(errs) = verify(prog, Stage::Differentiated) {
        panic!("{}: `{}` broke the IR:\n{}", path.display(), t.pass, errs.join("\n"));
    }
    // The report is printed by the passes' own printer, as `graphc ir --stage opt` shows it.
    let report = PassReport { name, nodes_before, nodes_after: prog.graph.node_count(), changes: outcome.changes, detail: outcome.detail };
    let mut out = passes::report::print(&[report], &LineIndex::new(&parsed.source));
    out.push('\n');
    let after = print_program(prog, &parsed.source, parsed.calls_listed);
    // What a pass makes reads back too, so a filetest's output can be the next one's input.
    let again = parse(&after).map(|p| p.print());
    assert_eq!(again.as_ref().ok(), Some(&after), "{}: the program after `{}` does not read back", path.display(), t.pass);
    out.push_str(&after);
    out
}

/// A line diff (longest common subsequence), `-` for expected lines, `+` for actual ones.
fn diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "  {}", a[i]);
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "- {}", a[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+ {}", b[j]);
            j += 1;
        }
    }
    out
}

fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/filetests");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "ir")).collect();
    files.sort();
    files
}

#[test]
fn every_pass_filetest_gives_its_expected_output() {
    let bless = std::env::var_os("GRAPHC_BLESS").is_some_and(|v| v == "1");
    let files = files();
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let t = split(path, &text);
        let actual = run(path, &t);
        if actual == t.expected {
            continue;
        }
        if bless {
            std::fs::write(path, format!("{}\n{}\n{SEPARATOR}\n{actual}", t.header, t.input)).unwrap();
        } else {
            failures.push(format!("{} (`-` expected, `+` actual):\n{}", path.display(), diff(&t.expected, &actual)));
        }
    }
    assert!(failures.is_empty(), "{} filetest(s) failed; GRAPHC_BLESS=1 rewrites the expectations\n\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_pass_has_a_filetest() {
    let tested: Vec<String> = files().iter().map(|p| split(p, &std::fs::read_to_string(p).unwrap()).pass).collect();
    // Every pass of the pipeline, read from it, so that a new pass needs a filetest.
    for pass in passes::PIPELINE.iter().map(|(name, _)| *name).chain(["fuse"]) {
        assert!(tested.iter().any(|t| t == pass), "no filetest runs `{pass}`");
    }
}

#[test]
fn the_diff_marks_what_differs() {
    assert_eq!(diff("a\nb\nc\n", "a\nx\nc\n"), "  a\n- b\n+ x\n  c\n");
    assert_eq!(diff("a\n", "a\nb\n"), "  a\n+ b\n");
}
