//! `graphc export --to onnx`, verified in tract (a pure-Rust ONNX engine): every
//! program of the repository that exports is written with all its outputs
//! (forward values and derived gradients), run by tract on the inputs graphc ran
//! with, and each output compared with graphc's, dtype, shape and elements,
//! within the tolerance `tests/onnx_runtime.rs` holds ONNX Runtime to (the cases
//! and the comparison are `tests/onnx_cases`, compiled here by path).
//!
//! tract 0.23 has no ONNX `Loop` operator, so a model with a `Loop` (a program
//! with a `for` loop) is not run: the test checks instead that tract refuses it
//! naming `Loop`, so that a tract that reads them fails the test until they run.
//!
//! A model one of whose outputs is one of its inputs (a program's input exported
//! unchanged, as `x` in `bench_tanh_small`) is valid ONNX (a graph output is a
//! use of a name, which the graph input defines, ONNX's IR.md), but tract's ONNX
//! reader overwrites the input's type with the output's, which it leaves unknown
//! unless told to read the declared output shapes: such a model must fail with
//! that error, and is then read with `with_ignore_output_shapes(false)`.

#[path = "../../../tests/onnx_cases/mod.rs"]
mod onnx_cases;

use graphc_runtime::{DType, Tensor};
use onnx_cases::{check, export, programs, report_line, Case, Distance, Outcome};
// The prelude brings tract's traits (Framework, InferenceModelExt, IntoRunnable, IntoTValue).
use tract_onnx::prelude::Tensor as TractTensor;
use tract_onnx::prelude::*;

fn to_tract(t: &Tensor) -> TractTensor {
    match t.dtype() {
        DType::F32 => TractTensor::from_shape(t.shape(), t.as_f32().unwrap()).unwrap(),
        DType::F64 => TractTensor::from_shape(t.shape(), t.as_f64().unwrap()).unwrap(),
        DType::I64 => TractTensor::from_shape(t.shape(), t.as_i64().unwrap()).unwrap(),
        DType::Bool => TractTensor::from_shape(t.shape(), t.as_bool().unwrap()).unwrap(),
    }
}

/// The dtype of a tract value, when graphc has it.
fn dtype_of(t: &TractTensor) -> Option<DType> {
    match t.datum_type() {
        DatumType::F32 => Some(DType::F32),
        DatumType::F64 => Some(DType::F64),
        DatumType::I64 => Some(DType::I64),
        DatumType::Bool => Some(DType::Bool),
        // tract's constant folding keeps int64 values it computed itself (a `Cast`
        // to int64 of a folded comparison, say) in its symbolic-dimension type;
        // they are plain integers here, as `run` checks by casting them to i64.
        DatumType::TDim => Some(DType::I64),
        _ => None,
    }
}

/// The model read and optimized by tract, ready to run; with `output_shapes`,
/// tract takes each output's type and shape from the model's declarations too.
fn prepare(model: &[u8], output_shapes: bool) -> TractResult<Arc<TypedRunnableModel>> {
    let model = tract_onnx::onnx().with_ignore_output_shapes(!output_shapes).model_for_read(&mut &model[..])?;
    model.into_optimized()?.into_runnable()
}

/// What tract 0.23.9 says of a model whose output is an input (see the top).
const INPUT_AS_OUTPUT: &str = "Source node without a determined fact";

/// One output as tract computed it: its dtype, shape and elements as f64 (exact
/// for every dtype graphc has).
struct Got {
    dtype: Option<DType>,
    datum: DatumType,
    shape: Vec<usize>,
    values: Vec<f64>,
}

/// The case's model run in tract on graphc's inputs, in the order of the graph's inputs.
fn run(case: &Case, output_shapes: bool) -> TractResult<Vec<Got>> {
    let runnable = prepare(&case.model, output_shapes)?;
    let feeds: TVec<TValue> = case.inputs.iter().map(|(_, t)| to_tract(t).into_tvalue()).collect();
    let outs = runnable.run(feeds)?;
    outs.iter()
        .map(|o| {
            // A TDim that is not a plain integer fails the cast to i64, and the run.
            let plain = if o.datum_type() == DatumType::TDim { o.cast_to::<i64>()?.into_owned().into_tvalue() } else { o.clone() };
            let values = plain.cast_to::<f64>()?.to_plain_array_view::<f64>()?.iter().copied().collect();
            Ok(Got { dtype: dtype_of(o), datum: o.datum_type(), shape: o.shape().to_vec(), values })
        })
        .collect()
}

/// Compares every output of `case` as tract computed it with graphc's: the worst
/// distance, or what differs.
fn compare(case: &Case, got: &[Got]) -> Result<Distance, Vec<String>> {
    if got.len() != case.names.len() {
        return Err(vec![format!("{}: tract gave {} outputs for {}", case.file, got.len(), case.names.len())]);
    }
    let mut worst = Distance::default();
    let mut errors = Vec::new();
    for (k, g) in got.iter().enumerate() {
        let want = case.expected[k].dtype();
        if g.dtype != Some(want) {
            errors.push(format!("{}: `{}` is {:?} in tract, {want:?} in graphc", case.file, case.names[k], g.datum));
            continue;
        }
        match check(case, k, &g.shape, &g.values) {
            Ok(d) => worst = worst.max(d),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(worst)
    } else {
        Err(errors)
    }
}

#[test]
fn exported_programs_compute_in_tract_what_graphc_computes() {
    let mut agree = Vec::new();
    let mut refused = Vec::new();
    let mut loops = Vec::new();
    let mut input_as_output = Vec::new();
    let mut several_ifs = Vec::new();
    let mut failures = Vec::new();
    for path in programs() {
        let exported = match export(&path) {
            Outcome::Exported(e) => e,
            Outcome::Refused { file, code, message } => {
                refused.push(format!("{file}: {code} {message}"));
                continue;
            }
            Outcome::Nothing => continue,
        };
        if exported.has_loop() {
            // Not run: graphc's run of a training loop would be the slowest part of
            // the test, and tract cannot run the model.
            match prepare(&exported.model, false) {
                Ok(_) => failures.push(format!("{}: tract now reads `Loop`: run its programs (remove this exception)", exported.file)),
                Err(e) if format!("{e:#}").contains("Loop") => loops.push(exported.file),
                Err(e) => failures.push(format!("{}: tract refuses it, not for `Loop`: {e:#}", exported.file)),
            }
            continue;
        }
        // tract 0.23.9 names every `If` it wires "If" (`tract-onnx`'s
        // `If::to_typed`), so a model with two fails as a duplicate node.
        let ifs = exported.count_ops("If");
        let case = exported.run();
        let echoes = case.names.iter().any(|n| case.inputs.iter().any(|(i, _)| i == n));
        if ifs > 1 {
            match run(&case, echoes) {
                Err(e) if format!("{e:#}").contains("Duplicate node name: If") => several_ifs.push(case.file.clone()),
                Err(e) => failures.push(format!("{}: tract refuses it, not for its `If`s: {e:#}", case.file)),
                Ok(_) => failures.push(format!("{}: tract now runs a model with {ifs} `If`s: compare it (remove this exception)", case.file)),
            }
            continue;
        }
        let got = match run(&case, false) {
            Err(e) if echoes && format!("{e:#}").contains(INPUT_AS_OUTPUT) => {
                input_as_output.push(case.file.clone());
                run(&case, true)
            }
            Ok(_) if echoes => {
                failures.push(format!("{}: tract now reads a model whose output is an input: remove the exception", case.file));
                continue;
            }
            got => got,
        };
        match got {
            Ok(got) => match compare(&case, &got) {
                Ok(d) => agree.push(report_line(&case, d)),
                Err(e) => failures.extend(e),
            },
            Err(e) => failures.push(format!("{}: tract: {e:#}", case.file)),
        }
    }
    println!(
        "tract-onnx 0.23.9\nagree:\n  {}\nread with the declared output shapes (an output is an input):\n  {}\nnot run (a `Loop`, which tract does not have):\n  {}\nnot run (several `If`s, which tract wires under one name):\n  {}\nrefused by export:\n  {}",
        agree.join("\n  "),
        input_as_output.join("\n  "),
        loops.join("\n  "),
        several_ifs.join("\n  "),
        refused.join("\n  ")
    );
    assert!(failures.is_empty(), "{} program(s) fail in tract:\n{}", failures.len(), failures.join("\n"));
    for must in onnx_cases::MUST_EXPORT {
        assert!(agree.iter().any(|l| l.starts_with(must)), "{must} did not run in tract");
    }
}
