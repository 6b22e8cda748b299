//! `kernels::group_norm` against the bits PyTorch 2.15 computed
//! (`data/group_norm_ref.py` made `data/group_norm_ref.json`): the forward and
//! the gradients for `x`, the weight and the bias, in f32 and f64, for planes
//! shorter than a vector, with a partial last vector and of whole vectors,
//! groups of fewer channels than a vector and with channels past the last
//! whole one, and a row long enough for the moments' cascade; with and
//! without the weight and the bias. Every element must agree bit for bit.

use std::path::PathBuf;

use graphc_runtime::kernels::float::Float;
use graphc_runtime::kernels::group_norm::{bias_grad, group_norm, input_grad, weight_grad, Layout};

const EPS: f64 = 1e-5;

/// The script's inputs: exact f64 formulas of the index, rounded to the dtype.
fn inputs<T: Float>(numel: usize, channels: usize) -> [Vec<T>; 4] {
    let of = |len: usize, f: &dyn Fn(i64) -> f64| (0..len as i64).map(|i| T::from_f64(f(i))).collect::<Vec<T>>();
    [
        of(numel, &|i| ((i * 7919) % 1009) as f64 / 97.0 - 5.0),
        of(numel, &|i| ((i * 104729) % 1013) as f64 / 211.0 - 2.4),
        of(channels, &|j| ((j * 31) % 17) as f64 / 8.0 - 0.9),
        of(channels, &|j| ((j * 13) % 11) as f64 / 4.0 - 1.3),
    ]
}

/// Compares `got` with the case's hex bit patterns under `key`; returns a line per mismatch.
fn compare<T: Float>(case: &serde_json::Value, key: &str, got: &[T], bits: impl Fn(T) -> u64) -> Vec<String> {
    let want: Vec<u64> = case[key]
        .as_array()
        .unwrap_or_else(|| panic!("case has no {key}"))
        .iter()
        .map(|v| u64::from_str_radix(v.as_str().unwrap(), 16).unwrap())
        .collect();
    assert_eq!(want.len(), got.len(), "{key}: length");
    let label = format!("{} {} groups={} {}", case["dtype"], case["shape"], case["groups"], case["mode"]);
    let bad: Vec<usize> = (0..got.len()).filter(|&i| bits(got[i]) != want[i]).collect();
    if bad.is_empty() {
        return vec![];
    }
    let i = bad[0];
    vec![format!("{label} {key}: {} of {} elements differ, first at {i}: got {:x}, PyTorch {:x}", bad.len(), got.len(), bits(got[i]), want[i])]
}

fn check<T: Float>(case: &serde_json::Value, bits: impl Fn(T) -> u64 + Copy) -> Vec<String> {
    let shape: Vec<usize> = case["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
    let groups = case["groups"].as_u64().unwrap() as usize;
    let mode = case["mode"].as_str().unwrap();
    let layout = Layout::of(&shape, groups);
    let [x, g, w, b] = inputs::<T>(shape.iter().product(), shape[1]);
    let weight = matches!(mode, "weight" | "both").then_some(&w[..]);
    let bias = matches!(mode, "bias" | "both").then_some(&b[..]);
    let mut out = compare(case, "y", &group_norm(&x, layout, weight, bias, EPS), bits);
    out.extend(compare(case, "dx", &input_grad(&g, &x, layout, weight, EPS), bits));
    if weight.is_some() {
        out.extend(compare(case, "dw", &weight_grad(&g, &x, layout, EPS), bits));
    }
    if bias.is_some() {
        out.extend(compare(case, "db", &bias_grad(&g, layout), bits));
    }
    out
}

#[test]
fn group_norm_matches_pytorch_bit_for_bit() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/group_norm_ref.json");
    let text = std::fs::read_to_string(&path).expect("tests/data/group_norm_ref.json is missing");
    let data: serde_json::Value = serde_json::from_str(&text).expect("group_norm_ref.json is not valid JSON");
    let cases = data["cases"].as_array().unwrap();
    assert!(cases.len() >= 88, "the reference lists every length class in both dtypes");
    let mut failures = vec![];
    for case in cases {
        failures.extend(match case["dtype"].as_str().unwrap() {
            "float32" => check::<f32>(case, |v| v.to_bits() as u64),
            "float64" => check::<f64>(case, |v| v.to_bits()),
            other => panic!("unknown dtype {other}"),
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
