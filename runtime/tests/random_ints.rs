//! `randperm` and `randint` against the values PyTorch 2.15 draws on CPU
//! (`data/random_ints.torch-2.15.json`, written by `data/make_random_ints.py`):
//! several seeds and sizes, both of `randint`'s paths (ranges below and from 2^32),
//! and one seeded generator shared with `randn` and its cached normal sample.

use graphc_runtime::rng::Generator;
use graphc_runtime::tensor::{DType, Tensor};
use serde_json::Value;

const REFERENCE: &str = include_str!("data/random_ints.torch-2.15.json");

/// The digest `make_random_ints.py` stores for a long result: the sum of
/// `v[i] * (2i + 1)` modulo 2^64.
fn digest(v: &[i64]) -> String {
    let sum = v.iter().enumerate().fold(0u64, |s, (i, &x)| s.wrapping_add((x as u64).wrapping_mul(2 * i as u64 + 1)));
    format!("{sum:016x}")
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

/// Runs one call on `g` and checks its result against PyTorch's.
fn check_call(g: &mut Generator, call: &[Value], want: &Value, case: &str) {
    let got: Tensor = match call[0].as_str().unwrap() {
        "randperm" => g.randperm(call[1].as_u64().unwrap() as usize),
        "randint" => {
            let shape: Vec<usize> = ints(&call[3]).into_iter().map(|d| d as usize).collect();
            g.randint(call[1].as_i64().unwrap(), call[2].as_i64().unwrap(), &shape)
        }
        "randn" => {
            let t = g.randn(DType::F64, &[call[1].as_u64().unwrap() as usize]);
            let want: Vec<f64> = want["floats"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            assert_eq!(t.as_f64().unwrap(), want.as_slice(), "{case}");
            return;
        }
        other => panic!("unknown call {other}"),
    };
    assert_eq!(got.dtype(), DType::I64, "{case}");
    let v = got.as_i64().unwrap();
    match want.get("values") {
        Some(values) => assert_eq!(v, ints(values).as_slice(), "{case}"),
        None => {
            assert_eq!(v.len() as u64, want["numel"].as_u64().unwrap(), "{case}");
            assert_eq!(&v[..8], ints(&want["head"]).as_slice(), "{case}: first values");
            assert_eq!(&v[v.len() - 8..], ints(&want["tail"]).as_slice(), "{case}: last values");
            assert_eq!(digest(v), want["digest"].as_str().unwrap(), "{case}: digest");
        }
    }
}

fn check_cases(max_numel: u64) -> usize {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let mut checked = 0;
    for case in reference["cases"].as_array().unwrap() {
        let calls = case["calls"].as_array().unwrap();
        let results = case["results"].as_array().unwrap();
        let big = results.iter().any(|r| r.get("numel").and_then(Value::as_u64).is_some_and(|n| n > max_numel));
        if big {
            continue;
        }
        let mut g = Generator::new();
        g.manual_seed(case["seed"].as_u64().unwrap());
        let name = format!("seed {} {}", case["seed"], Value::Array(calls.clone()));
        for (call, want) in calls.iter().zip(results) {
            check_call(&mut g, call.as_array().unwrap(), want, &name);
        }
        checked += 1;
    }
    checked
}

#[test]
fn randperm_and_randint_match_pytorch() {
    let checked = check_cases(1 << 20);
    assert!(checked >= 35, "only {checked} cases were checked");
}

/// `randperm` of u32::MAX / 20 - 1 and u32::MAX / 20 elements, on both sides of
/// the size where PyTorch's algorithm changes (1.7 GB each; run with
/// `cargo test --release -p graphc-runtime --test random_ints -- --ignored`).
#[test]
#[ignore]
fn randperm_matches_pytorch_where_its_algorithm_changes() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let big = reference["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["results"][0].get("numel").and_then(Value::as_u64).is_some_and(|n| n > 1 << 20))
        .count();
    assert_eq!(big, 2, "the reference lacks the two large cases");
    check_cases(u64::MAX);
}
