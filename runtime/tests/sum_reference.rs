//! `Sum` and `Mean` against real PyTorch 2.15 (CPU, AVX2 kernels, one thread),
//! bit for bit. The vectors in `data/sum_reference.json` were made by real PyTorch
//! with `data/sum_reference.py`: full sums of 1..70, 100, 1000, 5000 and 32768
//! elements, sums and means over each dimension of 2-d and 3-d shapes (inner and
//! outer reductions, with and without whole vectors of columns), multi-dimension
//! sums as `sum_to` uses them, and a sum of negative zeros. Inputs are stored as
//! float64; the float32 cases round them to float32 first, as `.float()` did.

use graphc_runtime::kernels::broadcast::sum_to;
use graphc_runtime::kernels::float::Float;
use graphc_runtime::kernels::reduce::{mean, sum, sum_dims};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sum_reference.json");

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("a list of numbers").iter().map(|x| x.as_f64().expect("a number")).collect()
}

/// Compares bits, so a +0.0 where PyTorch has -0.0 (or the reverse) also fails.
fn check<T: Float>(what: &str, got: &[T], want: &[f64], failures: &mut Vec<String>) {
    let same = got.len() == want.len() && got.iter().zip(want).all(|(g, &w)| g.to_f64().to_bits() == T::from_f64(w).to_f64().to_bits());
    if !same {
        let got: Vec<f64> = got.iter().map(|g| g.to_f64()).collect();
        let n = got.len().min(4);
        failures.push(format!("{what}: got {:?}.. want {:?}..", &got[..n], &want[..n.min(want.len())]));
    }
}

fn check_case<T: Float>(dtype: &str, case: &Value, failures: &mut Vec<String>) {
    let shape: Vec<usize> = case["shape"].as_array().unwrap().iter().map(|s| s.as_u64().unwrap() as usize).collect();
    let x: Vec<T> = floats(&case["x"]).into_iter().map(T::from_f64).collect();
    let r = &case[dtype];
    let tag = format!("{dtype} {shape:?}");
    check(&format!("{tag} sum"), &sum(&x, &shape, None), &[r["sum"].as_f64().unwrap()], failures);
    check(&format!("{tag} mean"), &mean(&x, &shape, None), &[r["mean"].as_f64().unwrap()], failures);
    // sum_to to a scalar is the full sum too (the gradient of a broadcast scalar).
    check(&format!("{tag} sum_to []"), &sum_to(&x, &shape, &[]), &[r["sum"].as_f64().unwrap()], failures);
    for (d, dr) in r["dims"].as_array().unwrap().iter().enumerate() {
        check(&format!("{tag} sum dim {d}"), &sum(&x, &shape, Some(d)), &floats(&dr["sum"]), failures);
        check(&format!("{tag} mean dim {d}"), &mean(&x, &shape, Some(d)), &floats(&dr["mean"]), failures);
    }
    for m in r["multi"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let dims: Vec<usize> = m["dims"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
        let reduced: Vec<bool> = (0..shape.len()).map(|k| dims.contains(&k)).collect();
        let want = floats(&m["sum"]);
        check(&format!("{tag} sum dims {dims:?}"), &sum_dims(&x, &shape, &reduced), &want, failures);
        let target: Vec<usize> = shape.iter().zip(&reduced).map(|(&s, &r)| if r { 1 } else { s }).collect();
        check(&format!("{tag} sum_to {target:?}"), &sum_to(&x, &shape, &target), &want, failures);
    }
}

#[test]
fn sum_and_mean_match_pytorch_bit_for_bit() {
    let text = std::fs::read_to_string(DATA).unwrap_or_else(|e| panic!("cannot read {DATA}: {e}"));
    let data: Value = serde_json::from_str(&text).expect("sum_reference.json is not valid JSON");
    let cases = data["cases"].as_array().expect("`cases` must be a list");
    assert!(cases.len() > 80, "the reference file lost its cases");
    let mut failures = Vec::new();
    for case in cases {
        check_case::<f32>("f32", case, &mut failures);
        check_case::<f64>("f64", case, &mut failures);
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
