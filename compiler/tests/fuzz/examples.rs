//! The repository's programs as bases for mutants: `examples/*.act` (but the
//! benchmarks, whose size is the point) and `tests/programs/good/*.act`, with their
//! relative `load` paths made absolute and their `save`/`savefig` paths moved to a
//! temporary directory, so that a mutant reads the data it needs and writes nothing
//! into the repository.

use std::path::{Path, PathBuf};

use crate::gen::Program;

fn programs() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in ["examples", "tests/programs/good"] {
        let Ok(entries) = std::fs::read_dir(repo.join(dir)) else { continue };
        out.extend(entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(".act") && !name.starts_with("bench")
        }));
    }
    out.sort();
    out
}

/// The program that case `seed` mutates, if there is one.
pub fn pick(seed: u64) -> Option<Program> {
    let files = programs();
    let path = files.get((seed / 8) as usize % files.len().max(1))?;
    let text = std::fs::read_to_string(path).ok()?;
    let dir = path.parent()?.to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"");
    let out = crate::blocks::npy_dir().to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"");
    let source = text
        .replace("load(\"", &format!("load(\"{dir}/"))
        .replace("savefig(\"", &format!("savefig(\"{out}/ex-{seed}-"))
        .replace("save(", "save_disabled(");
    // `save(t, path)` is dropped rather than moved: its path may be any expression.
    let source = source.replace("save_disabled(", "print(");
    let has_inputs = source.lines().any(|l| l.trim_start().starts_with("input "));
    Some(Program { source, has_inputs, files: Vec::new(), saves: Vec::new() })
}
