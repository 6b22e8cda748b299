//! `graphc export --to onnx`, verified: every program of the repository that
//! exports is run in tract (a Rust ONNX engine) and its outputs, forward values
//! and derived gradients, are compared with graphc's own run of the same plan,
//! with the same inputs. The programs that cannot export must be refused with
//! one of export's errors (never a panic), and the examples the documentation
//! names must export.

use std::path::{Path, PathBuf};

use graphc_compiler::driver::{compile_opts, Compiled, Exports, Options};
use graphc_compiler::fuse::Numerics;
use graphc_runtime::exec::Machine;
use graphc_runtime::plan::Step;
use graphc_runtime::rng::Generator;
use graphc_runtime::{DType, Tensor};
// The prelude brings tract's traits (Framework, InferenceModelExt, IntoRunnable, IntoTValue).
use tract_onnx::prelude::*;
use tract_onnx::prelude::Tensor as TractTensor;

/// The repository root: this crate lives in tools/onnx_check.
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// tract's kernels (exp, tanh, sums in another order) are not PyTorch's: an
/// element agrees when |tract - graphc| <= RTOL * |graphc| + ATOL.
const RTOL: f64 = 1e-5;
const ATOL: f64 = 1e-6;

/// Examples that must export, with every top-level tensor and gradient.
const MUST_EXPORT: &[&str] = &["tanh_demo.act", "bench_tanh_small.act", "linear_function.act", "layer_norm.act", "classifier.act", "attention.act"];

fn compile_file(path: &Path) -> Compiled {
    let source = std::fs::read_to_string(path).unwrap();
    let options = Options { keep_stages: false, exports: Exports::All, numerics: Numerics::Exact, source_dir: path.parent() };
    compile_opts(&source, &options).unwrap_or_else(|d| panic!("{} does not compile: {}", path.display(), d[0].message))
}

/// Every good program of the repository.
fn good_programs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["examples", "tests/programs/good"] {
        for e in std::fs::read_dir(Path::new(REPO).join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "act") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// The program's inputs: randn under seed 7, as `tests/fusion.rs` binds them.
fn inputs(c: &Compiled) -> Vec<Tensor> {
    let mut g = Generator::new();
    g.manual_seed(7);
    c.plan.inputs.iter().map(|i| g.randn(i.dtype, &i.shape)).collect()
}

/// graphc's values of the exports, with figures left out.
fn run_graphc(c: &Compiled, given: &[Tensor]) -> Vec<(String, Tensor)> {
    let mut plan = c.plan.clone();
    plan.steps.retain(|s| !matches!(s, Step::Figure(_) | Step::Save { .. }));
    let mut m = Machine::new(&plan).unwrap();
    for (k, t) in given.iter().enumerate() {
        m.bind_input(&plan, k, t.clone());
    }
    m.run(&plan, &mut std::io::sink()).unwrap();
    plan.exports.iter().map(|(n, v)| (n.clone(), m.value(*v).unwrap().clone())).collect()
}

fn to_tract(t: &Tensor) -> TractTensor {
    match t.dtype() {
        DType::F32 => TractTensor::from_shape(t.shape(), t.as_f32().unwrap()).unwrap(),
        DType::F64 => TractTensor::from_shape(t.shape(), t.as_f64().unwrap()).unwrap(),
        DType::I64 => TractTensor::from_shape(t.shape(), t.as_i64().unwrap()).unwrap(),
        DType::Bool => TractTensor::from_shape(t.shape(), t.as_bool().unwrap()).unwrap(),
    }
}

/// The model run in tract: each output's shape and values (as f64).
fn run_tract(bytes: &[u8], given: &[Tensor]) -> Result<Vec<(Vec<usize>, Vec<f64>)>, String> {
    let model = tract_onnx::onnx().model_for_read(&mut &bytes[..]).map_err(|e| format!("tract cannot read the model: {e:?}"))?;
    let runnable = model.into_optimized().and_then(|m| m.into_runnable()).map_err(|e| format!("tract cannot prepare the model: {e:?}"))?;
    let feeds = given.iter().map(|t| to_tract(t).into_tvalue()).collect();
    let outs = runnable.run(feeds).map_err(|e| format!("tract cannot run the model: {e:?}"))?;
    outs.iter()
        .map(|o| {
            let f = o.cast_to::<f64>().map_err(|e| format!("{e:?}"))?;
            Ok((o.shape().to_vec(), f.as_slice::<f64>().map_err(|e| format!("{e:?}"))?.to_vec()))
        })
        .collect()
}

/// The largest |a - b| / (RTOL |b| + ATOL) over the elements: at most 1 passes.
/// NaNs must match NaNs, infinities the same infinity.
fn worst(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            if x.is_nan() || y.is_nan() || x.is_infinite() || y.is_infinite() {
                let same = (x.is_nan() && y.is_nan()) || x == y;
                return if same { 0.0 } else { f64::INFINITY };
            }
            (x - y).abs() / (RTOL * y.abs() + ATOL)
        })
        .fold(0.0, f64::max)
}

#[test]
fn exported_programs_compute_in_tract_what_graphc_computes() {
    let mut exported = Vec::new();
    let mut refused = Vec::new();
    for path in good_programs() {
        let c = compile_file(&path);
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut names: Vec<String> = c.optimized.exports.keys().cloned().collect();
        names.sort();
        if names.is_empty() {
            continue;
        }
        let bytes = match graphc_compiler::onnx::export(&c.optimized, &names) {
            Ok(b) => b,
            Err(diags) => {
                let code = diags[0].code.as_str();
                assert!(["E0720", "E0721", "E0722", "E0723"].contains(&code), "{file}: export failed with {code}: {}", diags[0].message);
                assert!(!MUST_EXPORT.contains(&file.as_str()), "{file} must export, but: {}", diags[0].message);
                refused.push(format!("{file} ({code})"));
                continue;
            }
        };
        let given = inputs(&c);
        let expected = run_graphc(&c, &given);
        let got = run_tract(&bytes, &given).unwrap_or_else(|e| panic!("{file}: {e}"));
        // tract returns the outputs in the order the model declares them: `names`.
        let mut file_worst = 0.0f64;
        for (name, (shape, values)) in names.iter().zip(&got) {
            let want = &expected.iter().find(|(n, _)| n == name).unwrap().1;
            assert_eq!(shape, want.shape(), "{file}: `{name}` has the wrong shape");
            let w = worst(values, &want.to_f64_vec());
            assert!(w <= 1.0, "{file}: `{name}` differs: tract {values:?}, graphc {:?}", want.to_f64_vec());
            file_worst = file_worst.max(w);
        }
        exported.push(format!("{file} ({} outputs, worst {file_worst:.3} of the tolerance)", names.len()));
    }
    eprintln!("exported and checked in tract:\n  {}\nrefused:\n  {}", exported.join("\n  "), refused.join("\n  "));
    for must in MUST_EXPORT {
        assert!(exported.iter().any(|e| e.starts_with(must)), "{must} was not exported");
    }
}

