//! What the engine tests of `graphc export --to onnx` share (`tests/onnx_runtime.rs`
//! runs the models in ONNX Runtime, `tools/onnx_check/tests/tract.rs` in tract,
//! which includes this file by path): every program of the repository compiled,
//! exported with all its outputs and run by graphc on the same inputs, and the
//! comparison of an engine's output with graphc's.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use graphc_compiler::driver::{compile_opts, Compiled, Exports, Options};
use graphc_compiler::fuse::Numerics;
use graphc_runtime::exec::Machine;
use graphc_runtime::plan::Step;
use graphc_runtime::rng::Generator;
use graphc_runtime::Tensor;

/// The repository's root: the manifest's directory for the workspace's tests,
/// two levels above it for tools/onnx_check, which compiles this file too.
pub fn repo() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.ancestors().find(|d| d.join("examples").is_dir() && d.join("tests/onnx_cases").is_dir());
    root.unwrap_or_else(|| panic!("no repository root above {}", manifest.display())).to_path_buf()
}

/// An engine's kernels (exp, tanh, summation order) are not PyTorch's, so an
/// element agrees when |engine - graphc| <= RTOL * max(|graphc|, m), m being the
/// largest magnitude of graphc's output: relative to the element, and for
/// elements far smaller than the output's scale (a gradient `1 - tanh(x)^2`
/// where tanh rounds to about 1) relative to that scale, which is where the
/// engines' last-bit differences land.
pub const RTOL: f64 = 1e-5;

/// Programs (`file`) or outputs (`file:name`) that come out of many iterations
/// of training, where the engines' last-bit differences in each step compound:
/// their tolerance, and why.
pub const LOOSER: &[(&str, f64, &str)] = &[
    ("polynomial_custom_function.act:a", 1.0, "fit to 0 (sin is odd): after 2000 steps its value, 3e-10, is rounding noise"),
    ("polynomial_custom_function.act:c", 1.0, "fit to 0 (sin is odd): after 2000 steps its value, 3e-10, is rounding noise"),
    ("polynomial_custom_function.act", 1e-4, "2000 steps of gradient descent on sums of 2000 f32 terms"),
    ("polynomial_tensor.act", 1e-4, "2000 steps of gradient descent on sums of 2000 f32 terms"),
    (
        "two_layer_custom_relu.act",
        1e-2,
        "500 SGD steps through 64x1000x100 f32 matrix products (PyTorch's own run differs from graphc's in the printed digits too)",
    ),
    (
        "spiking_surrogate.act",
        1e-2,
        "10 Adam steps through spike thresholds: a last-bit difference of a matrix product can flip a spike, and with it a \
         surrogate gradient (measured: 3.3e-3 of w1.grad's scale in ONNX Runtime; PyTorch's losses differ in the last digit too)",
    ),
    (
        "entmax.act",
        1e-4,
        "100 SGD steps through 1500x64 f32 matrix products; b.grad, a sum of 1500 terms that nearly cancel, differs most \
         (measured: 0.94e-5 of its scale in ONNX Runtime 1.32)",
    ),
    (
        "lr_schedule.act:b.grad",
        1e-4,
        "the last of eleven trainings (60 SGD steps with momentum, the rate from ReduceLROnPlateau): the bias gradient is a \
         sum of 1400 rows that nearly cancels to 4e-4 (measured: 1.09e-5 of its scale in ONNX Runtime 1.32)",
    ),
    (
        "polynomial_optim.act:loss",
        2e-4,
        "2000 RMSprop steps on sums of 2000 f32 terms; near the minimum each step moves by about lr = 1e-3 whatever the \
         gradient's size (measured: 1.47e-4 in ONNX Runtime 1.32)",
    ),
    (
        "polynomial_optim.act",
        2.5,
        "2000 RMSprop steps: at the minimum the bias and the x^2 coefficient (fit to 0: sin is odd) oscillate around zero \
         by +-5.3e-4, and which side the last step ends on, with the sign of their gradients, flips with the engines' last \
         bits (measured: bias 5.265e-4 in ONNX Runtime against graphc's -5.269e-4); tests/training_examples.rs checks the \
         losses against PyTorch's",
    ),
    (
        "adagrad_mf.act:W.grad",
        4.0,
        "the gradient at the end of 2000 Adagrad steps, at the minimum: entries of about 1e-4 that are rounding noise, whose \
         signs flip with the engines' last bits (measured: 1.88 of its scale in ONNX Runtime 1.32)",
    ),
    ("adagrad_mf.act:H.grad", 4.0, "as W.grad (measured: 1.88 of its scale in ONNX Runtime 1.32)"),
    (
        "adagrad_mf.act",
        2e-3,
        "two runs of 2000 Adagrad steps on a rank-2 factorisation: W and H are determined only up to an invertible 2x2 factor, \
         so along that valley they drift with the engines' last bits (measured: 5.0e-4 for W in ONNX Runtime 1.32); the \
         losses agree with PyTorch's to 1.2e-7 (tests/training_examples.rs)",
    ),
    (
        "one_cycle.act:w3.grad",
        1e-4,
        "the last of three trainings (20 Nesterov SGD steps under OneCycleLR): the gradient at the fit is a mean of 64 terms \
         that nearly cancel (measured: 1.17e-5 of its scale in ONNX Runtime 1.32)",
    ),
    (
        "sorting.act:indices",
        f64::INFINITY,
        "the positions of 24 integers with many ties: ONNX's TopK puts equal values in order of position (a stable sort), \
         PyTorch's sort(stable=False), which graphc repeats, is libstdc++'s introsort (docs/EXPORT.md); the sorted values agree",
    ),
];

/// The tolerance of output `name` of `file`: its entry in LOOSER, the file's, or RTOL.
pub fn tolerance(file: &str, name: &str) -> f64 {
    let output = format!("{file}:{name}");
    LOOSER.iter().find(|l| l.0 == output).or_else(|| LOOSER.iter().find(|l| l.0 == file)).map_or(RTOL, |l| l.1)
}

/// Programs whose valid ONNX model ONNX Runtime cannot load for want of a
/// kernel, and why: the test requires exactly its NOT_IMPLEMENTED error for
/// them. Their operators are checked in ONNX Runtime by the f32 programs named.
pub const RUNTIME_LACKS: &[(&str, &str)] = &[
    ("conv_bn.act", "ONNX Runtime has no f64 Conv kernel on the CPU; tests/programs/good/conv_layers.act runs the convolutions in f32"),
    ("convolutions.act", "ONNX Runtime has no f64 Conv kernel on the CPU; tests/programs/good/conv_layers.act runs the convolutions in f32"),
];

/// Examples that must export, with every top-level tensor and gradient.
pub const MUST_EXPORT: &[&str] = &[
    "tanh_demo.act",
    "bench_tanh_small.act",
    "linear_function.act",
    "layer_norm.act",
    "classifier.act",
    "attention.act",
    "index_put_multi.act",
    "mask_index.act",
    "runtime_if_value.act",
    "conv_layers.act",
    "borders_and_hard_activations.act",
    "group_norm.act",
    "adaptive_max_pools.act",
    "embedding_bags.act",
];

/// Programs with a `Loop` (which tract does not have) that must export and
/// agree in ONNX Runtime.
pub const MUST_EXPORT_WITH_LOOPS: &[&str] = &["loop_grad.act", "branch_grads.act"];

/// A program exported with every output, and what graphc computes for them.
pub struct Case {
    pub file: String,
    /// The model's outputs, in the order the model declares them.
    pub names: Vec<String>,
    pub model: Vec<u8>,
    /// The model's inputs by name, as graphc was given them.
    pub inputs: Vec<(String, Tensor)>,
    /// graphc's value of each output, in the order of `names`.
    pub expected: Vec<Tensor>,
}

/// A program exported with every output, before graphc runs it.
pub struct Export {
    pub file: String,
    /// The model's outputs, in the order the model declares them.
    pub names: Vec<String>,
    pub model: Vec<u8>,
    /// Boxed: a compiled program is large, and [`Outcome`] moves it around.
    compiled: Box<Compiled>,
}

/// What exporting one program gave.
pub enum Outcome {
    Exported(Export),
    /// Refused with one of export's error codes.
    Refused {
        file: String,
        code: String,
        message: String,
    },
    /// The program has no top-level tensor to export.
    Nothing,
}

/// Every good program of the repository: the examples and tests/programs/good.
pub fn programs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["examples", "tests/programs/good"] {
        for e in std::fs::read_dir(repo().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "act") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

fn compile_file(path: &Path) -> Compiled {
    let source = std::fs::read_to_string(path).unwrap();
    let options = Options { keep_stages: false, exports: Exports::All, numerics: Numerics::Exact, source_dir: path.parent() };
    compile_opts(&source, &options).unwrap_or_else(|d| panic!("{} does not compile: {}", path.display(), d[0].message))
}

/// Compiles `path` and exports every output. Panics when export fails with
/// anything but its own error codes, or refuses a program of [`MUST_EXPORT`].
pub fn export(path: &Path) -> Outcome {
    let compiled = compile_file(path);
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut names: Vec<String> = compiled.optimized.exports.keys().cloned().collect();
    names.sort();
    if names.is_empty() {
        return Outcome::Nothing;
    }
    match graphc_compiler::onnx::export(&compiled.optimized, &names) {
        Ok(model) => Outcome::Exported(Export { file, names, model, compiled: Box::new(compiled) }),
        Err(diags) => {
            let code = diags[0].code.as_str().to_string();
            assert!(code.starts_with("E072"), "{file}: export failed with {code}: {}", diags[0].message);
            assert!(!MUST_EXPORT.contains(&file.as_str()), "{file} must export, but: {}", diags[0].message);
            Outcome::Refused { file, code, message: diags[0].message.clone() }
        }
    }
}

impl Export {
    /// Whether the model has an ONNX `Loop` (a `for` loop of the program).
    pub fn has_loop(&self) -> bool {
        self.count_ops("Loop") > 0
    }

    /// How many nodes of the model's top-level graph are `op_type`.
    pub fn count_ops(&self, op_type: &str) -> usize {
        let model = graphc_compiler::onnx::decode(&self.model).expect("an exported model decodes");
        model.graph.map_or(0, |g| g.node.iter().filter(|n| n.op_type == op_type).count())
    }

    /// Runs graphc's plan on the inputs `randn` draws under seed 7 (as
    /// `tests/fusion.rs` binds them): the case an engine's run is compared with.
    pub fn run(self) -> Case {
        let Export { file, names, model, compiled: c } = self;
        let mut g = Generator::new();
        g.manual_seed(7);
        let given: Vec<Tensor> = c.plan.inputs.iter().map(|i| g.randn(i.dtype, &i.shape)).collect();
        let mut plan = c.plan.clone();
        plan.steps.retain(|s| !matches!(s, Step::Figure(_) | Step::Save { .. }));
        let mut m = Machine::new(&plan).unwrap();
        for (k, t) in given.iter().enumerate() {
            m.bind_input(&plan, k, t.clone());
        }
        m.run(&plan, &mut std::io::sink()).unwrap_or_else(|e| panic!("{file}: graphc's run failed: {e:?}"));
        let expected = names
            .iter()
            .map(|n| {
                let v = plan.exports.iter().find(|(e, _)| e == n).unwrap_or_else(|| panic!("{file}: the plan does not export `{n}`")).1;
                m.value(v).unwrap().clone()
            })
            .collect();
        let inputs = c.plan.inputs.iter().map(|i| i.name.clone()).zip(given).collect();
        Case { file, names, model, inputs, expected }
    }
}

/// How far an engine's output is from graphc's: the largest relative difference
/// |a - b| / |b| over the elements where b is not zero, and the largest
/// |a - b| / (tol max(|b|, m)) (at most 1 passes; see [`RTOL`]). NaNs must meet
/// NaNs and infinities the same infinity, else the distance is infinite.
#[derive(Clone, Copy, Debug, Default)]
pub struct Distance {
    pub relative: f64,
    pub of_tolerance: f64,
}

impl Distance {
    pub fn max(self, o: Distance) -> Distance {
        Distance { relative: self.relative.max(o.relative), of_tolerance: self.of_tolerance.max(o.of_tolerance) }
    }
}

/// The distance of one element, given the output's largest finite magnitude `m`.
fn element(a: f64, b: f64, m: f64, tol: f64) -> Distance {
    if !a.is_finite() || !b.is_finite() {
        let same = (a.is_nan() && b.is_nan()) || a == b;
        let d = if same { 0.0 } else { f64::INFINITY };
        return Distance { relative: d, of_tolerance: d };
    }
    let diff = (a - b).abs();
    let relative = if b != 0.0 { diff / b.abs() } else { 0.0 };
    let scale = b.abs().max(m);
    let of_tolerance = if diff == 0.0 { 0.0 } else { diff / (tol * scale) };
    Distance { relative, of_tolerance }
}

pub fn distance(got: &[f64], want: &[f64], tol: f64) -> Distance {
    let m = want.iter().filter(|x| x.is_finite()).fold(0.0f64, |m, x| m.max(x.abs()));
    got.iter().zip(want).map(|(&a, &b)| element(a, b, m, tol)).fold(Distance::default(), Distance::max)
}

/// Compares output `k` of `case` as an engine computed it (its shape and elements
/// as f64) with graphc's value: the distance, or why it does not agree.
pub fn check(case: &Case, k: usize, shape: &[usize], got: &[f64]) -> Result<Distance, String> {
    let (name, want) = (&case.names[k], &case.expected[k]);
    if shape != want.shape() {
        return Err(format!("{}: `{name}` has shape {shape:?}, graphc's {:?}", case.file, want.shape()));
    }
    let want = want.to_f64_vec();
    let tol = tolerance(&case.file, name);
    let d = distance(got, &want, tol);
    if d.of_tolerance > 1.0 {
        let m = want.iter().filter(|x| x.is_finite()).fold(0.0f64, |m, x| m.max(x.abs()));
        let (i, (a, b)) = got
            .iter()
            .zip(&want)
            .enumerate()
            .max_by(|x, y| element(*x.1 .0, *x.1 .1, m, tol).of_tolerance.total_cmp(&element(*y.1 .0, *y.1 .1, m, tol).of_tolerance))
            .expect("a differing output has elements");
        return Err(format!(
            "{}: `{name}` differs ({:.3} of the tolerance {tol:e}; element {i}: engine {a:e}, graphc {b:e})",
            case.file, d.of_tolerance
        ));
    }
    Ok(d)
}

/// One line of the report: the program, its outputs and its worst distance.
pub fn report_line(case: &Case, d: Distance) -> String {
    let tol = tolerance(&case.file, "");
    format!(
        "{} ({} outputs): worst relative difference {:.2e}, {:.3} of the tolerance {tol:e}",
        case.file,
        case.names.len(),
        d.relative,
        d.of_tolerance
    )
}
