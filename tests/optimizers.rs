//! The optimizers (`SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`, `NAdam`, `RAdam`) against PyTorch 2.15, bit for bit.
//!
//! Each program in `tests/optimizers/` makes four parameters, runs five
//! unrolled steps (`loss.backward(); opt.step(); opt.zero_grad()`) of one
//! optimizer configuration, and binds the final parameters to `w_final`, ...;
//! `make_reference.py` ran the same lines in PyTorch and saved its parameters as
//! `<case>.<param>.npy`, with IEEE square roots where PyTorch's MKL is off by
//! 1 ulp (docs/NUMERICS.md), as graphc's are. Six cases run in f64. RAdam's cases take eight steps, since it rectifies only from the sixth. The parameter `u` takes no part in the loss, so its
//! gradient stays `None` and every step must skip it, as PyTorch's does.

use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The optimizer configurations; each is `tests/optimizers/<case>.act`.
const CASES: &[&str] = &[
    "sgd",
    "sgd_momentum",
    "sgd_dampening",
    "sgd_nesterov",
    "sgd_weight_decay",
    "adam",
    "adam_betas",
    "adam_weight_decay",
    "adam_amsgrad",
    "adamw",
    "adamw_amsgrad",
    "sgd_maximize",
    "adamw_maximize",
    "sgd_nesterov_f64",
    "adam_amsgrad_f64",
    "rmsprop",
    "rmsprop_centered_momentum",
    "rmsprop_maximize_f64",
    "adagrad",
    "adagrad_decay",
    "adagrad_maximize_f64",
    "nadam",
    "nadam_decoupled",
    "nadam_maximize_f64",
    "radam",
    "radam_decoupled",
    "radam_maximize_f64",
    "adamax",
    "adamax_weight_decay",
    "adamax_maximize_f64",
    "adadelta",
    "adadelta_weight_decay",
    "adadelta_maximize_f64",
    "asgd",
    "asgd_averaging",
    "asgd_maximize_f64",
    "rprop",
    "rprop_bounds",
    "rprop_maximize_f64",
];

const PARAMS: &[&str] = &["w", "b", "v", "u"];

fn dir() -> PathBuf {
    Path::new(REPO).join("tests/optimizers")
}

/// The little-endian element bytes of a version 1 `.npy` file, after its header,
/// and the size of one element (f32 or f64).
fn npy_data(path: &Path) -> (Vec<u8>, usize) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..6], b"\x93NUMPY", "{} is not a .npy file", path.display());
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = String::from_utf8_lossy(&bytes[10..10 + header_len]);
    let size = if header.contains("'<f4'") {
        4
    } else {
        assert!(header.contains("'<f8'"), "{}: expected f32 or f64 data, header {header}", path.display());
        8
    };
    (bytes[10 + header_len..].to_vec(), size)
}

#[test]
fn every_case_has_its_program_and_reference() {
    let mut programs: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("act"))
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    programs.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    listed.sort();
    assert_eq!(programs, listed, "tests/optimizers/*.act and CASES must list the same cases");
}

#[test]
fn parameters_after_five_steps_are_bit_identical_to_pytorch() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("optimizers");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    for case in CASES {
        let program = dir().join(format!("{case}.act"));
        let mut args: Vec<String> = vec!["--exact".into(), "run".into(), program.to_str().unwrap().into()];
        for p in PARAMS {
            args.push("--save".into());
            args.push(format!("{p}_final={}", out_dir.join(format!("{case}.{p}.npy")).display()));
        }
        let out = Command::new(env!("CARGO_BIN_EXE_graphc")).args(&args).output().expect("cannot start graphc");
        assert_eq!(out.status.code(), Some(0), "{case}: {}", String::from_utf8_lossy(&out.stderr));
        for p in PARAMS {
            let (ours, size) = npy_data(&out_dir.join(format!("{case}.{p}.npy")));
            let (torch, torch_size) = npy_data(&dir().join(format!("{case}.{p}.npy")));
            assert_eq!((ours.len(), size), (torch.len(), torch_size), "{case}: `{p}` has another size or dtype than PyTorch's");
            let differ = ours.chunks(size).zip(torch.chunks(size)).filter(|(a, b)| a != b).count();
            assert_eq!(differ, 0, "{case}: {differ} elements of `{p}` differ from PyTorch's in their bits");
        }
    }
}

#[test]
fn saving_a_parameter_by_its_own_name_gives_its_value_after_the_steps() {
    // `--save w` exports what the name `w` holds at the end: the tensor the
    // optimizer updated in place, not the value it was created with.
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("optimizers-own-name");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let saved = out_dir.join("w.npy");
    let program = dir().join("adam.act");
    let save = format!("w={}", saved.display());
    let out = Command::new(env!("CARGO_BIN_EXE_graphc"))
        .args(["--exact", "run", program.to_str().unwrap(), "--save", &save])
        .output()
        .expect("cannot start graphc");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(npy_data(&saved), npy_data(&dir().join("adam.w.npy")), "`--save w` must write the updated parameter");
}
