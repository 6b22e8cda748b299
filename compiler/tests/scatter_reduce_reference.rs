//! `scatter_reduce` and its gradients against PyTorch's, bit for bit, in f64:
//! every reduction with and without `include_self`, along both dimensions, over
//! an index that repeats positions, with zeros and ties in the sources.
//! `data/scatter_reduce_reference.json` was written by
//! `tools/scatter_reduce_reference.py` with PyTorch 2.15 (CPU).

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use serde_json::Value;

const REFERENCE: &str = include_str!("data/scatter_reduce_reference.json");

/// A nested JSON list as an `.act` literal; the numbers have three decimals,
/// so the literal parses to the f64 PyTorch used.
fn literal(v: &Value) -> String {
    match v {
        Value::Array(items) => format!("[{}]", items.iter().map(literal).collect::<Vec<_>>().join(", ")),
        Value::Number(n) if n.is_i64() => n.to_string(),
        Value::Number(n) => format!("{:?}", n.as_f64().expect("a number")),
        other => panic!("not a number or list: {other}"),
    }
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().expect("a list").iter().map(|x| x.as_f64().expect("a number")).collect()
}

#[test]
fn values_and_gradients_are_pytorchs_bit_for_bit() {
    let reference: Value = serde_json::from_str(REFERENCE).expect("valid JSON");
    let cases = reference["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 20);
    for case in cases {
        let (reduce, include_self) = (case["reduce"].as_str().expect("reduce"), case["include_self"].as_bool().expect("flag"));
        let src = format!(
            "x = tensor({}, dtype=f64, requires_grad=true)\ns = tensor({}, dtype=f64, requires_grad=true)\nw = tensor({}, dtype=f64)\n\
             y = scatter_reduce(x, {}, tensor({}), s, \"{reduce}\", include_self={include_self})\nprint(y)\n(y * w).sum().backward()\nprint(x.grad)\nprint(s.grad)\n",
            literal(&case["x"]),
            literal(&case["src"]),
            literal(&case["w"]),
            case["dim"],
            literal(&case["index"]),
        );
        let compiled = compile(&src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
        let (_, printed) = run_capture(&compiled.plan).unwrap_or_else(|e| panic!("run failed: {e}\n{src}"));
        for (k, key) in ["result", "x_grad", "src_grad"].into_iter().enumerate() {
            let want = numbers(&case[key]);
            let got = printed[k].to_f64_vec();
            let same = want.len() == got.len() && want.iter().zip(&got).all(|(a, b)| a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan());
            assert!(same, "{reduce}, include_self={include_self}, dim {}: {key} is\n{got:?}\nbut PyTorch's is\n{want:?}\n{src}", case["dim"]);
        }
    }
}
