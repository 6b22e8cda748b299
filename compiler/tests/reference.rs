//! The tutorial's numbers against PyTorch's, at full precision.
//!
//! Each program is compiled and run with `run_capture`, which hands back every
//! printed tensor exactly as computed; the values are compared bit for bit with
//! `shared/reference/torch_reference.json` (written by PyTorch 2.15 with
//! `tolist()`, so each f32 value is exactly representable as the f64 in the file).

use std::path::PathBuf;

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use graphc_runtime::{DType, Tensor};
use serde_json::Value;

/// The reference file sits beside the repository checkout, in the shared folder.
const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/torch_reference.json");

fn reference() -> Value {
    let text = std::fs::read_to_string(REFERENCE).unwrap_or_else(|e| {
        panic!(
            "cannot read the PyTorch reference values at {REFERENCE}: {e}\n\
             These tests compare against that file; it lives in the shared folder beside the checkout."
        )
    });
    // serde_json's float_roundtrip feature (enabled in Cargo.toml) parses every
    // number to the nearest f64; the default fast path can be 1 ulp off.
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{REFERENCE} is not valid JSON: {e}"))
}

fn ref_values(r: &Value, path: &[&str]) -> Vec<f64> {
    let mut v = r;
    for key in path {
        v = v.get(key).unwrap_or_else(|| panic!("{REFERENCE} has no `{}`", path.join("/")));
    }
    v.as_array()
        .unwrap_or_else(|| panic!("`{}` in {REFERENCE} is not a list", path.join("/")))
        .iter()
        .map(|x| x.as_f64().unwrap_or_else(|| panic!("`{}` holds a non-number {x}", path.join("/"))))
        .collect()
}

fn run(source: &str) -> (String, Vec<Tensor>) {
    let compiled = match compile(source, false) {
        Ok(c) => c,
        Err(diags) => panic!("the program does not compile:\n{}", graphc_compiler::diag::render(&diags, "test.act", source, false)),
    };
    run_capture(&compiled.plan).unwrap_or_else(|e| panic!("the program fails at run time: {e}"))
}

/// The distance in units in the last place between two values of `dtype`
/// (0 means the same bits; +0 and -0 count as equal).
fn ulps(dtype: DType, a: f64, b: f64) -> u64 {
    fn key32(x: f32) -> i64 {
        let b = x.to_bits() as i32;
        (if b < 0 { i32::MIN.wrapping_sub(b) } else { b }) as i64
    }
    fn key64(x: f64) -> i128 {
        let b = x.to_bits() as i64;
        (if b < 0 { i64::MIN.wrapping_sub(b) } else { b }) as i128
    }
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
    }
    match dtype {
        DType::F32 => (key32(a as f32) - key32(b as f32)).unsigned_abs(),
        DType::F64 => (key64(a) - key64(b)).unsigned_abs() as u64,
        DType::I64 | DType::Bool => unreachable!("the reference values are float"),
    }
}

/// One element that differs from PyTorch.
#[derive(Debug, Clone, PartialEq)]
struct Mismatch {
    what: String,
    index: usize,
    ours: f64,
    torch: f64,
    ulps: u64,
}

/// Compares a captured tensor with a reference list and returns every element that
/// is not bit-identical. The dtype must match too: an f64 result where f32 was
/// expected would otherwise look exact.
fn differences(what: &str, t: &Tensor, dtype: DType, expected: &[f64]) -> Vec<Mismatch> {
    assert_eq!(t.dtype(), dtype, "{what}: dtype");
    assert_eq!(t.numel(), expected.len(), "{what}: element count (shape {:?})", t.shape());
    if dtype == DType::F32 {
        // The reference holds f32 values widened to f64, so each must be exact in f32.
        for (i, &e) in expected.iter().enumerate() {
            assert_eq!(e as f32 as f64, e, "{what}[{i}] in the reference is not an f32 value");
        }
    }
    t.to_f64_vec()
        .into_iter()
        .zip(expected)
        .enumerate()
        .filter(|(_, (ours, torch))| ours.to_bits() != torch.to_bits() && !(*ours == 0.0 && **torch == 0.0))
        .map(|(index, (ours, &torch))| Mismatch { what: what.to_string(), index, ours, torch, ulps: ulps(dtype, ours, torch) })
        .collect()
}

/// The tutorial's three comparisons in f64: the same statements as
/// examples/tanh_demo.act with `dtype=f64` on each `randn`, plus `print(inp)`
/// so the random input itself is checked too.
fn f64_demo() -> String {
    let demo = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/tanh_demo.act"))
        .expect("examples/tanh_demo.act is part of the repository");
    let items_end = demo.find("# self defined\n").expect("tanh_demo.act has a `# self defined` section");
    let mut s = demo[..items_end].to_string();
    for f in ["SelfDefinedTanh", "tanh_sigmoid", "tanh"] {
        s += &format!(
            "manual_seed(0)
inp = randn(5, requires_grad=true, dtype=f64)
print(inp)
out = {f}((inp + 1) ** 2)
print(out)
out.backward(ones_like(inp), retain_graph=true)
print(inp.grad)
out.backward(ones_like(inp), retain_graph=true)
print(inp.grad)
inp.grad.zero_()
out.backward(ones_like(inp), retain_graph=true)
print(inp.grad)
"
        );
    }
    s
}

/// The example file, with the figure saved into a temporary directory instead
/// of the working directory, and the plotted tensors printed so they can be compared.
/// The tutorial saving its figure to a temporary file named after `test`: tests run
/// in parallel, and one must not delete the figure another is about to check.
fn f32_demo(test: &str) -> (String, PathBuf) {
    let demo = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/tanh_demo.act"))
        .expect("examples/tanh_demo.act is part of the repository");
    let png = std::env::temp_dir().join(format!("graphc-reference-{}-{test}.png", std::process::id()));
    assert!(demo.contains("savefig(\"tanh_demo.png\")"), "tanh_demo.act saves tanh_demo.png");
    let path = png.to_str().expect("temp paths are UTF-8 here").replace('\\', "\\\\");
    let mut s = demo.replace("savefig(\"tanh_demo.png\")", &format!("savefig(\"{path}\")"));
    s += "\nprint(x)\nprint(y)\nprint(x.grad)\n";
    (s, png)
}

const SECTIONS: [&str; 3] = ["SelfDefinedTanh", "tanh_sigmoid", "tanh"];
const CALLS: [&str; 4] = ["out", "first_call", "second_call", "after_zeroing"];

/// Collects the mismatches of the three comparisons; `per_section` captured tensors
/// per section, the first `skip` of which are not among CALLS.
fn demo_mismatches(r: &Value, dtype: DType, captured: &[Tensor], skip: usize) -> Vec<Mismatch> {
    let dt_name = match dtype {
        DType::F32 => "float32",
        DType::F64 => "float64",
        DType::I64 | DType::Bool => unreachable!("the tutorial runs in float"),
    };
    let per_section = skip + CALLS.len();
    let mut all = Vec::new();
    for (s, section) in SECTIONS.iter().enumerate() {
        let key = format!("{section}/{dt_name}");
        if skip == 1 {
            let inp = &captured[s * per_section];
            let diffs = differences(&format!("{key}/inp"), inp, dtype, &ref_values(r, &["demo", &key, "inp"]));
            assert!(diffs.is_empty(), "randn must reproduce PyTorch exactly: {diffs:#?}");
        }
        for (c, call) in CALLS.iter().enumerate() {
            let t = &captured[s * per_section + skip + c];
            all.extend(differences(&format!("{key}/{call}"), t, dtype, &ref_values(r, &["demo", &key, call])));
        }
    }
    all
}

/// PyTorch's builtin tanh forward runs Sleef's vectorized tanh, which is not
/// correctly rounded; graphc's kernel uses the system libm, which differs from
/// Sleef by 1 ulp on exactly these elements of the tutorial's input (found by
/// this test). Only these may differ, and only by 1 ulp. The gradients
/// downstream of them (tanh's backward is computed from `out`) happen to round
/// to PyTorch's bits all the same, so they get no allowance.
const SLEEF_TANH_1ULP: &[(&str, usize)] = &[("tanh/float32/out", 4), ("tanh/float64/out", 1)];

fn sleef_tolerated(m: &Mismatch) -> bool {
    m.ulps == 1 && SLEEF_TANH_1ULP.iter().any(|&(what, index)| m.what == what && m.index == index)
}

fn check_demo(dtype: DType, captured: &[Tensor], skip: usize) {
    let r = reference();
    let mismatches = demo_mismatches(&r, dtype, captured, skip);
    let bad: Vec<&Mismatch> = mismatches.iter().filter(|m| !sleef_tolerated(m)).collect();
    assert!(bad.is_empty(), "values that differ from PyTorch 2.15 beyond the Sleef allowance:\n{bad:#?}\nall differences: {mismatches:#?}");
    for m in &mismatches {
        eprintln!("within 1 ulp (Sleef tanh): {} [{}] ours {:e} torch {:e}", m.what, m.index, m.ours, m.torch);
    }
}

#[test]
fn tutorial_f32_matches_pytorch() {
    let (source, png) = f32_demo("f32");
    let (_, captured) = run(&source);
    let _ = std::fs::remove_file(&png);
    // Four printed tensors per comparison, then x, y and x.grad.
    assert_eq!(captured.len(), 3 * 4 + 3, "printed tensors");
    check_demo(DType::F32, &captured[..12], 0);
}

#[test]
fn tutorial_f64_matches_pytorch() {
    let (_, captured) = run(&f64_demo());
    assert_eq!(captured.len(), 3 * 5, "printed tensors");
    check_demo(DType::F64, &captured, 1);
}

#[test]
fn visualization_matches_pytorch() {
    let r = reference();
    let (source, png) = f32_demo("visualization");
    let (_, captured) = run(&source);
    assert!(png.exists(), "savefig wrote the figure");
    let _ = std::fs::remove_file(&png);
    let vis = &captured[12..];
    let mut all = Vec::new();
    for (t, key) in vis.iter().zip(["x", "tanh", "dtanh"]) {
        all.extend(differences(&format!("visualization/{key}"), t, DType::F32, &ref_values(&r, &["visualization", key])));
    }
    assert!(all.is_empty(), "visualization values that differ from PyTorch 2.15:\n{all:#?}");
}

/// The comparison helpers themselves must be able to fail.
#[test]
fn comparisons_detect_one_ulp() {
    let t = Tensor::from_f32(vec![2], vec![1.0, 0.5]);
    let up = f32::from_bits(0.5f32.to_bits() + 1) as f64;
    let d = differences("t", &t, DType::F32, &[1.0, up]);
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].index, d[0].ulps), (1, 1));
    assert!(differences("t", &t, DType::F32, &[1.0, 0.5]).is_empty());
    assert_eq!(ulps(DType::F64, -0.0, 0.0), 0);
    assert_eq!(ulps(DType::F64, 1.0, f64::from_bits(1.0f64.to_bits() + 3)), 3);
    assert_eq!(ulps(DType::F32, -1e-45, 1e-45), 2);
}
