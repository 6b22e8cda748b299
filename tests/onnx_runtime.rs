//! Exported ONNX models run in ONNX Runtime compute what graphc computes: every
//! program of the repository that exports is written with all its outputs
//! (forward values and derived gradients), run by `tools/onnx_runtime_run.py` on
//! the inputs graphc ran with, and each output compared with graphc's within
//! `onnx_cases::RTOL` relative. Programs that cannot export must be refused with
//! one of export's error codes, and the examples `MUST_EXPORT` names must export.
//!
//! The Python is `GRAPHC_ONNX_PYTHON`, else `~/peers/bin/python`, else `python3`,
//! whichever first imports onnxruntime and numpy. Without one the test is skipped
//! with the reason printed; with one, any model it cannot load or run fails it.

use crate::onnx_cases;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::onnx_cases::{check, export, programs, report_line, Distance, Outcome};
use graphc_runtime::npy;

/// A Python that imports onnxruntime and numpy, or why there is none.
fn onnx_python() -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("GRAPHC_ONNX_PYTHON") {
        candidates.push(PathBuf::from(p));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join("peers/bin/python"));
    }
    candidates.push(PathBuf::from("python3"));
    let mut reasons = Vec::new();
    for c in candidates {
        match Command::new(&c).args(["-c", "import onnxruntime, numpy"]).output() {
            Ok(o) if o.status.success() => return Ok(c),
            Ok(o) => reasons.push(format!("{} cannot import onnxruntime: {}", c.display(), String::from_utf8_lossy(&o.stderr).trim())),
            Err(e) => reasons.push(format!("cannot start {}: {e}", c.display())),
        }
    }
    Err(reasons.join("; "))
}

#[test]
fn exported_programs_compute_in_onnx_runtime_what_graphc_computes() {
    let python = match onnx_python() {
        Ok(p) => p,
        Err(reason) => {
            println!("skipped: no Python with onnxruntime ({reason}); set GRAPHC_ONNX_PYTHON");
            return;
        }
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("onnx_runtime");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();

    // Every program exported, with its inputs and graphc's outputs.
    let mut cases = Vec::new();
    let mut refused = Vec::new();
    let mut manifest = Vec::new();
    for path in programs() {
        let case = match export(&path) {
            Outcome::Exported(e) => e.run(),
            Outcome::Refused { file, code, message } => {
                refused.push(format!("{file}: {code} {message}"));
                continue;
            }
            Outcome::Nothing => continue,
        };
        let dir = root.join(case.file.trim_end_matches(".act"));
        std::fs::create_dir_all(&dir).unwrap();
        let model = dir.join("model.onnx");
        std::fs::write(&model, &case.model).unwrap();
        let mut inputs = serde_json::Map::new();
        for (k, (name, t)) in case.inputs.iter().enumerate() {
            let file = dir.join(format!("in{k}.npy"));
            npy::save(&file, t).unwrap();
            inputs.insert(name.clone(), file.to_string_lossy().into_owned().into());
        }
        manifest.push(serde_json::json!({
            "model": model.to_string_lossy(),
            "inputs": inputs,
            "outputs": case.names,
            "dir": dir.to_string_lossy(),
        }));
        cases.push((case, dir));
    }
    let manifest_path = root.join("manifest.json");
    std::fs::write(&manifest_path, serde_json::to_string(&manifest).unwrap()).unwrap();

    let runner = onnx_cases::repo().join("tools/onnx_runtime_run.py");
    let out = Command::new(&python).arg(&runner).arg(&manifest_path).output().expect("cannot start python");
    assert!(out.status.success(), "{} failed: {}", runner.display(), String::from_utf8_lossy(&out.stderr));
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();

    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for (case, dir) in &cases {
        let lacks = onnx_cases::RUNTIME_LACKS.iter().find(|(file, _)| *file == case.file);
        match (std::fs::read_to_string(dir.join("error.txt")), lacks) {
            (Ok(e), Some((_, why))) if e.contains("NOT_IMPLEMENTED") && e.contains("Conv") => {
                lines.push(format!("{}: not run ({why})", case.file));
                continue;
            }
            (Ok(e), _) => {
                failures.push(format!("{}: ONNX Runtime: {e}", case.file));
                continue;
            }
            (Err(_), Some(_)) => {
                failures.push(format!("{}: ONNX Runtime now runs it: take it out of RUNTIME_LACKS", case.file));
                continue;
            }
            (Err(_), None) => {}
        }
        let mut worst = Distance::default();
        let mut ok = true;
        for (k, want) in case.expected.iter().enumerate() {
            let file = dir.join(format!("out{k}.npy"));
            let got = match npy::load_as(&file, want.dtype(), want.shape()) {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!("{}: `{}`: {}", case.file, case.names[k], e.message()));
                    ok = false;
                    continue;
                }
            };
            match check(case, k, got.shape(), &got.to_f64_vec()) {
                Ok(d) => worst = worst.max(d),
                Err(e) => {
                    failures.push(e);
                    ok = false;
                }
            }
        }
        if ok {
            lines.push(report_line(case, worst));
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    println!("{version}\nagree:\n  {}\nrefused:\n  {}", lines.join("\n  "), refused.join("\n  "));
    assert!(failures.is_empty(), "{} program(s) differ in ONNX Runtime:\n{}", failures.len(), failures.join("\n"));
    for must in onnx_cases::MUST_EXPORT.iter().chain(onnx_cases::MUST_EXPORT_WITH_LOOPS) {
        assert!(lines.iter().any(|l| l.starts_with(must)), "{must} was not exported");
    }
}
