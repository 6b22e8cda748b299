//! Printing of int64 and bool tensors, checked against `str(tensor)` recorded from
//! PyTorch 2.15 (`data/format_int.py` made `data/format_int.json`): column widths,
//! negative numbers, 0-d, 2-D and 3-D, summarized tensors of more than 1000
//! elements, integers beyond 2^53, and empty tensors (whose dtype is named).

use std::path::PathBuf;

use graphc_runtime::format::tensor_str;
use graphc_runtime::plan::TensorSuffix;
use graphc_runtime::Tensor;

fn cases() -> Vec<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/format_int.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("format_int.json is not valid JSON")
}

fn tensor(case: &serde_json::Value) -> Tensor {
    let shape: Vec<usize> = case["shape"].as_array().expect("shape").iter().map(|d| d.as_u64().expect("size") as usize).collect();
    let values: Vec<i64> = case["values"].as_array().expect("values").iter().map(|v| v.as_i64().expect("an integer value")).collect();
    match case["dtype"].as_str() {
        Some("i64") => Tensor::from_i64(shape, values),
        Some("bool") => Tensor::from_bool(shape, values.iter().map(|&v| v != 0).collect()),
        other => panic!("unknown dtype {other:?} in format_int.json"),
    }
}

#[test]
fn integer_and_bool_tensors_print_as_pytorch_prints_them() {
    let cases = cases();
    assert!(cases.len() >= 20, "the reference file lost its cases");
    for case in &cases {
        let want = case["str"].as_str().expect("str");
        assert_eq!(tensor_str(&tensor(case), &TensorSuffix::default()), want, "shape {}", case["shape"]);
    }
}

#[test]
fn dtypes_print_pytorch_names() {
    use graphc_runtime::DType;
    let names: Vec<&str> = [DType::F32, DType::F64, DType::I64, DType::Bool].iter().map(|d| d.torch_name()).collect();
    assert_eq!(names, ["torch.float32", "torch.float64", "torch.int64", "torch.bool"]);
}
