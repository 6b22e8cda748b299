//! `graphc ir --format dot`: snapshots for a few examples, a structural check of
//! every example at every stage (balanced braces, unique node ids, every edge's
//! endpoints declared), and, where Graphviz is installed, `dot -Tsvg` on each.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

const STAGES: &[&str] = &["graph", "grad", "opt"];

fn graphc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graphc")).args(args).current_dir(REPO).output().expect("cannot start the graphc binary")
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(REPO).join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("act"))
        .collect();
    v.sort();
    v
}

/// The DOT text of `file` at `stage`.
fn dot_of(file: &Path, stage: &str) -> String {
    let out = graphc(&["ir", file.to_str().unwrap(), "--format", "dot", "--stage", stage]);
    assert_eq!(out.status.code(), Some(0), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Checks the structure of a DOT graph as graphc writes it (one statement a line):
/// braces balance outside quoted strings, each node is declared once, each cluster
/// name is used once, and each edge joins declared nodes. Returns the counts of
/// nodes and edges.
fn check_structure(dot: &str, what: &str) -> (usize, usize) {
    let (mut depth, mut in_quote, mut escaped) = (0i64, false, false);
    for ch in dot.chars() {
        match (in_quote, escaped, ch) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => in_quote = !in_quote,
            (false, _, '{') => depth += 1,
            (false, _, '}') => {
                depth -= 1;
                assert!(depth >= 0, "{what}: a `}}` closes nothing");
            }
            _ => {}
        }
    }
    assert!(!in_quote, "{what}: an unterminated string");
    assert_eq!(depth, 0, "{what}: unbalanced braces");
    let mut nodes = HashSet::new();
    let mut clusters = HashSet::new();
    let mut edges = Vec::new();
    for line in dot.lines().map(str::trim) {
        if line.starts_with("label=") {
            // A cluster's attributes; its label may hold any source text.
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let name = rest.trim_end_matches('{').trim();
            assert!(clusters.insert(name.to_string()), "{what}: cluster {name} twice");
        } else if let Some((a, rest)) = line.split_once(" -> ") {
            let b = rest.split([' ', ';']).next().unwrap();
            edges.push((a.to_string(), b.to_string()));
        } else if let Some((id, _)) = line.split_once(" [") {
            if !["graph", "node", "edge"].contains(&id) {
                assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{what}: odd node id `{id}`");
                assert!(nodes.insert(id.to_string()), "{what}: node {id} declared twice");
            }
        }
    }
    for (a, b) in &edges {
        assert!(nodes.contains(a) && nodes.contains(b), "{what}: edge {a} -> {b} joins an undeclared node");
    }
    (nodes.len(), edges.len())
}

#[test]
fn every_example_at_every_stage_is_well_formed_dot() {
    let dot_tool = Command::new("dot").arg("-V").stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false);
    if !dot_tool {
        println!("Graphviz `dot` is not installed: only the structural check runs, not `dot -Tsvg`");
    }
    for file in examples() {
        for stage in STAGES {
            let what = format!("{} at {stage}", file.display());
            let dot = dot_of(&file, stage);
            let (nodes, _) = check_structure(&dot, &what);
            // After optimization a program that prints nothing may have no node left.
            assert!(nodes > 0 || *stage == "opt", "{what}: no nodes");
            if dot_tool {
                let mut child = Command::new("dot").arg("-Tsvg").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
                use std::io::Write;
                child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success() && out.stderr.is_empty(), "{what}: dot -Tsvg says {}", String::from_utf8_lossy(&out.stderr));
                assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"), "{what}: no SVG");
            }
        }
    }
}

/// The tutorial at stage opt: the saved value is a red edge into backward 0, and
/// the forward's fused kernel is a cluster inside the forward cluster.
#[test]
fn saved_values_and_kernels_are_marked() {
    let dot = dot_of(&Path::new(REPO).join("examples/tanh_demo.act"), "opt");
    assert!(dot.contains("subgraph cluster_o_backward_0 {"));
    assert!(dot.contains("subgraph cluster_o_kernel_0 {"));
    assert!(dot.lines().any(|l| l.contains(" -> ") && l.contains("#d62728")), "no saved-value edge");
    // A structural error is caught: an edge to a node never declared.
    let broken = dot.replacen("}\n", "  o_n0 -> nowhere;\n}\n", 1);
    assert!(std::panic::catch_unwind(|| check_structure(&broken, "broken")).is_err());
}

/// The digits training at stage opt: the fused kernels of the loop body that
/// runs the step (region 1) are clusters inside that region's cluster.
#[test]
fn a_loop_bodys_kernels_are_clusters_in_its_region() {
    let dot = dot_of(&Path::new(REPO).join("examples/train_digits.act"), "opt");
    let region = dot.find("subgraph cluster_o_r1 {").expect("region 1 is a cluster");
    let kernel = dot.find("subgraph cluster_o_r1_kernel_0 {").expect("the body's first kernel is a cluster");
    assert!(kernel > region, "the kernel's cluster is inside the region's");
}

#[test]
fn dot_matches_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(REPO).join("snapshots/ir_dot"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    for name in ["tanh_demo", "saves_input", "loop_state"] {
        let out = graphc(&["ir", &format!("examples/{name}.act"), "--format", "dot"]);
        assert_eq!(out.status.code(), Some(0));
        let dot = String::from_utf8(out.stdout).unwrap();
        check_structure(&dot, name);
        insta::assert_snapshot!(name, dot);
    }
}
