//! PyTorch's tensor printing and Python's float repr, checked against output
//! recorded from PyTorch, against expectations copied from PyTorch's own
//! `test_torch.py::test_print`, and against cases derived line by line from
//! `torch/_tensor_str.py` under the default print options.

use std::path::PathBuf;

use graphc_runtime::format::{python_float_repr, tensor_str};
use graphc_runtime::plan::TensorSuffix;
use graphc_runtime::Tensor;

fn plain() -> TensorSuffix {
    TensorSuffix::default()
}

fn grad_fn(name: &str) -> TensorSuffix {
    TensorSuffix { grad_fn: Some(name.to_string()), requires_grad: true }
}

fn leaf_requiring_grad() -> TensorSuffix {
    TensorSuffix { grad_fn: None, requires_grad: true }
}

fn f32s(values: &[f64]) -> Tensor {
    Tensor::from_f32(vec![values.len()], values.iter().map(|&v| v as f32).collect())
}

fn f64s(values: &[f64]) -> Tensor {
    Tensor::from_f64(vec![values.len()], values.to_vec())
}

fn shared_reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference").join(name)
}

/// Reads a float32 vector of the `demo` section; the JSON holds f32 values widened exactly to f64.
fn demo_f32(demo: &serde_json::Value, variant: &str, key: &str) -> Tensor {
    let values: Vec<f64> = demo[variant][key]
        .as_array()
        .unwrap_or_else(|| panic!("torch_reference.json has no demo.{variant}.{key}"))
        .iter()
        .map(|v| v.as_f64().expect("reference values are numbers"))
        .collect();
    // serde_json (without its float_roundtrip feature) may parse a number one ulp off;
    // rounding to float32 absorbs that, and the widened value must then be within an ulp.
    let t = f32s(&values);
    for (w, v) in t.to_f64_vec().iter().zip(&values) {
        assert!((w - v).abs() <= v.abs() * 1e-15, "demo.{variant}.{key} is not float32: {v}");
    }
    t
}

/// The whole of seed_demo.py's stdout under PyTorch 2.15, rebuilt byte for byte
/// from the float32 values it printed: the two-line `grad_fn` form for the
/// long custom-function name, the one-line form for short names, and the
/// scientific form the gradients take because their smallest entry is below 1e-4.
#[test]
fn seed_demo_stdout_is_reproduced_byte_for_byte() {
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(shared_reference("torch_reference.json")).unwrap()).unwrap();
    let demo = &json["demo"];
    let expected = std::fs::read_to_string(shared_reference("seed_demo.torch-2.15.stdout")).unwrap();
    let mut out = String::new();
    for (variant, backward) in
        [("SelfDefinedTanh/float32", "SelfDefinedTanhBackward"), ("tanh_sigmoid/float32", "SubBackward0"), ("tanh/float32", "TanhBackward0")]
    {
        out += &format!("Out is\n{}\n", tensor_str(&demo_f32(demo, variant, "out"), &grad_fn(backward)));
        out += &format!("\nFirst call\n{}\n", tensor_str(&demo_f32(demo, variant, "first_call"), &plain()));
        out += &format!("\nSecond call\n{}\n", tensor_str(&demo_f32(demo, variant, "second_call"), &plain()));
        out += &format!("\nCall after zeroing gradients\n{}\n", tensor_str(&demo_f32(demo, variant, "after_zeroing"), &plain()));
    }
    assert_eq!(out, expected);
}

/// The individual demo lines, so a failure points at the form that broke.
#[test]
fn seed_demo_lines() {
    let out = f32s(&[0.9999949932098389, 0.46152135729789734, 0.8830705881118774, 0.9855068922042847, 0.007143911439925432]);
    assert_eq!(
        tensor_str(&out, &grad_fn("SelfDefinedTanhBackward")),
        "tensor([1.0000, 0.4615, 0.8831, 0.9855, 0.0071],\n       grad_fn=<SelfDefinedTanhBackward>)"
    );
    assert_eq!(tensor_str(&out, &grad_fn("SubBackward0")), "tensor([1.0000, 0.4615, 0.8831, 0.9855, 0.0071], grad_fn=<SubBackward0>)");
    let first_call = f32s(&[5.088893522042781e-05, 1.11214017868042, -0.5191066861152649, 0.0902668833732605, -0.1690361052751541]);
    assert_eq!(tensor_str(&first_call, &plain()), "tensor([ 5.0889e-05,  1.1121e+00, -5.1911e-01,  9.0267e-02, -1.6904e-01])");
}

/// Expectations from PyTorch's own test_print that concern float32/float64 tensors.
#[test]
fn pytorch_test_print_cases() {
    // Scientific notation when max / min > 1000, with Python's two-digit exponent.
    assert_eq!(tensor_str(&f32s(&[1e28, 1e-28]), &plain()), "tensor([1.0000e+28, 1.0000e-28])");
    // nan and inf do not take part in choosing the width; they are right-aligned in it.
    let inf = f64::INFINITY;
    assert_eq!(
        tensor_str(&f32s(&[4.0, inf, 1.5, -inf, 0.0, f64::NAN, 1.0]), &plain()),
        "tensor([4.0000,    inf, 1.5000,   -inf, 0.0000,    nan, 1.0000])"
    );
    // float64 is named; the wrapped line is indented under the first element, and a
    // zero (excluded from the width) is padded to the widest element.
    assert_eq!(
        tensor_str(&f64s(&[1e-324, 1e-323, 1e-322, 1e307, 1e308, inf]), &plain()),
        "tensor([ 0.0000e+00, 9.8813e-324, 9.8813e-323, 1.0000e+307, 1.0000e+308,\n                inf], dtype=torch.float64)"
    );
    // Summary of a long vector of zeros: int mode, three items at each end.
    assert_eq!(tensor_str(&Tensor::full(graphc_runtime::DType::F32, vec![10000], 0.0), &plain()), "tensor([0., 0., 0.,  ..., 0., 0., 0.])");
    // An integral float leaf that requires grad.
    assert_eq!(tensor_str(&f32s(&[123.0]), &leaf_requiring_grad()), "tensor([123.], requires_grad=True)");
    // A summarized 3-D tensor: "..." rows, blank lines between 2-D blocks.
    let ones = Tensor::full(graphc_runtime::DType::F32, vec![100, 2, 10], 1.0);
    let block = "[[1., 1., 1.,  ..., 1., 1., 1.],\n         [1., 1., 1.,  ..., 1., 1., 1.]]";
    let expected =
        format!("tensor([{b},\n\n        {b},\n\n        {b},\n\n        ...,\n\n        {b},\n\n        {b},\n\n        {b}])", b = block);
    assert_eq!(tensor_str(&ones, &plain()), expected);
    // 0-d tensors print the bare element; below 1e-4 forces scientific form.
    assert_eq!(tensor_str(&Tensor::from_f32(vec![], vec![0.00002]), &plain()), "tensor(2.0000e-05)");
    assert_eq!(tensor_str(&f32s(&[0.00002]), &plain()), "tensor([2.0000e-05])");
    // max > 1e8 forces scientific form.
    assert_eq!(tensor_str(&f32s(&[123456789.0]), &plain()), "tensor([1.2346e+08])");
    assert_eq!(tensor_str(&f32s(&[0.01, 11.0]), &plain()), "tensor([1.0000e-02, 1.1000e+01])");
    // Int mode: width of the widest integer plus its '.'; a ratio above 1000 switches to scientific.
    assert_eq!(tensor_str(&f32s(&[1.0, 1000.0]), &plain()), "tensor([   1., 1000.])");
    assert_eq!(tensor_str(&f32s(&[1.0, 1010.0]), &plain()), "tensor([1.0000e+00, 1.0100e+03])");
}

/// Int mode: every nonzero finite element is an integer, so each prints with a
/// trailing '.' and no digits; negatives widen every column.
#[test]
fn int_mode() {
    assert_eq!(tensor_str(&f32s(&[1.0, 2.0]), &plain()), "tensor([1., 2.])");
    assert_eq!(tensor_str(&f32s(&[1.0, -2.0, 30.0]), &plain()), "tensor([ 1., -2., 30.])");
    // Non-finite values get no '.', and may overflow the width without padding.
    assert_eq!(tensor_str(&f32s(&[1.0, f64::NAN, f64::INFINITY, -2.0]), &plain()), "tensor([ 1., nan, inf, -2.])");
    // Only finite values set the width, so -inf does not push "1." to the right.
    assert_eq!(tensor_str(&f32s(&[1.0, f64::NEG_INFINITY]), &plain()), "tensor([1., -inf])");
    // With no nonzero finite element the formatter keeps int mode and width 1.
    assert_eq!(tensor_str(&f32s(&[0.0, f64::NAN]), &plain()), "tensor([0., nan])");
    assert_eq!(tensor_str(&f32s(&[f64::NAN, f64::NAN]), &plain()), "tensor([nan, nan])");
}

/// Negative zero keeps its sign, as Python's format does, and never sets the width.
#[test]
fn negative_zero() {
    assert_eq!(tensor_str(&f32s(&[0.0, -0.0]), &plain()), "tensor([0., -0.])");
    assert_eq!(tensor_str(&f32s(&[-0.0, 1.5]), &plain()), "tensor([-0.0000, 1.5000])");
    assert_eq!(tensor_str(&Tensor::from_f32(vec![], vec![-0.0]), &plain()), "tensor(-0.)");
}

/// The widest element sets the column width, so positives get a leading space
/// when some element is negative.
#[test]
fn negative_values_width() {
    assert_eq!(tensor_str(&f32s(&[-1.5, 2.25, -0.125]), &plain()), "tensor([-1.5000,  2.2500, -0.1250])");
    assert_eq!(tensor_str(&f32s(&[10.5, -0.25]), &plain()), "tensor([10.5000, -0.2500])");
}

/// Python rounds the exact binary value with ties to even: 0.03125 -> 0.0312,
/// 0.09375 -> 0.0938, and in scientific form 1.03125 -> 1.0312e+00.
#[test]
fn rounding_ties_to_even() {
    assert_eq!(tensor_str(&f32s(&[0.03125, 0.09375, 0.5]), &plain()), "tensor([0.0312, 0.0938, 0.5000])");
    assert_eq!(tensor_str(&f32s(&[1.03125, 1e-5]), &plain()), "tensor([1.0312e+00, 1.0000e-05])");
    // A value just below a tie rounds down once widened from f32 (0.1f32 is 0.100000001...).
    assert_eq!(tensor_str(&f32s(&[0.1, 0.25]), &plain()), "tensor([0.1000, 0.2500])");
}

/// 0-d tensors: no brackets, same formatter rules.
#[test]
fn zero_dim() {
    assert_eq!(tensor_str(&Tensor::from_f32(vec![], vec![1.5]), &plain()), "tensor(1.5000)");
    assert_eq!(tensor_str(&Tensor::from_f32(vec![], vec![3.0]), &plain()), "tensor(3.)");
    assert_eq!(tensor_str(&Tensor::from_f32(vec![], vec![0.0]), &plain()), "tensor(0.)");
    assert_eq!(
        tensor_str(&Tensor::from_f64(vec![], vec![2.5]), &grad_fn("SumBackward0")),
        "tensor(2.5000, dtype=torch.float64, grad_fn=<SumBackward0>)"
    );
    assert_eq!(tensor_str(&Tensor::from_f32(vec![], vec![f32::NAN]), &plain()), "tensor(nan)");
}

/// Empty tensors print `[]`; the shape is added unless it is (0,), and float64 is named.
#[test]
fn empty() {
    assert_eq!(tensor_str(&f32s(&[]), &plain()), "tensor([])");
    assert_eq!(tensor_str(&f64s(&[]), &plain()), "tensor([], dtype=torch.float64)");
    assert_eq!(tensor_str(&Tensor::from_f32(vec![2, 0], vec![]), &plain()), "tensor([], size=(2, 0))");
    assert_eq!(
        tensor_str(&Tensor::from_f64(vec![0, 3, 1], vec![]), &leaf_requiring_grad()),
        "tensor([], size=(0, 3, 1), dtype=torch.float64, requires_grad=True)"
    );
}

/// float64 adds `dtype=torch.float64` before grad_fn; the grad_fn then no longer
/// fits and moves to its own line, indented by len("tensor(").
#[test]
fn f64_dtype_suffix() {
    assert_eq!(tensor_str(&f64s(&[1.5, 2.25]), &plain()), "tensor([1.5000, 2.2500], dtype=torch.float64)");
    let out = f64s(&[0.9999950700303624, 0.46152138082946537, 0.8830706139962992, 0.9855068495185368, 0.007143904834498116]);
    assert_eq!(
        tensor_str(&out, &grad_fn("SubBackward0")),
        "tensor([1.0000, 0.4615, 0.8831, 0.9855, 0.0071], dtype=torch.float64,\n       grad_fn=<SubBackward0>)"
    );
    // requires_grad is only printed without a grad_fn.
    assert_eq!(tensor_str(&f64s(&[1.0]), &leaf_requiring_grad()), "tensor([1.], dtype=torch.float64, requires_grad=True)");
}

/// PyTorch measures the last line as its length plus two (the `rfind` quirk), so a
/// suffix that would exactly end at column 80 still moves to a new line.
#[test]
fn suffix_line_width_quirk() {
    let t = f32s(&[0.5, 0.25, 0.125, 0.75, 0.375]);
    // 47 + 2 (quirk) + 29 + 2 = 80: stays, making a 79-character line.
    let same_line = tensor_str(&t, &grad_fn("NineteenCFnBackward"));
    assert_eq!(same_line, "tensor([0.5000, 0.2500, 0.1250, 0.7500, 0.3750], grad_fn=<NineteenCFnBackward>)");
    assert_eq!(same_line.len(), 79);
    // 47 + 2 + 30 + 2 = 81: moves, although the line would have been exactly 80 characters.
    assert_eq!(
        tensor_str(&t, &grad_fn("TwentyCharFnBackward")),
        "tensor([0.5000, 0.2500, 0.1250, 0.7500, 0.3750],\n       grad_fn=<TwentyCharFnBackward>)"
    );
}

/// A long vector wraps at floor((80 - 7) / (width + 2)) elements per line, continuation
/// lines indented under the first element; a suffix measures only the last line.
#[test]
fn long_vector_wraps() {
    let arange: Vec<f64> = (0..30).map(|i| i as f64).collect();
    assert_eq!(
        tensor_str(&f32s(&arange), &leaf_requiring_grad()),
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n        28., 29.], requires_grad=True)"
    );
    // Tenths computed in float32, as torch.arange(100) * 0.1 does: 9 per line of width 6.
    let tenths = Tensor::from_f32(vec![100], (0..100).map(|i| i as f32 * 0.1f32).collect());
    let mut expected = String::from("tensor([");
    for i in 0..100 {
        if i > 0 {
            expected += if i % 9 == 0 { ",\n        " } else { ", " };
        }
        expected += &format!("{}.{}000", i / 10, i % 10);
    }
    expected += "])";
    assert_eq!(tensor_str(&tenths, &plain()), expected);
    assert!(expected.lines().all(|l| l.len() <= 80));
}

/// More than 1000 elements: three at each end with " ..." between, and the formatter
/// sees only the kept elements (here 0..2 and 1997..1999, a ratio above 1000).
#[test]
fn summarized_vector() {
    let t = Tensor::from_f32(vec![2000], (0..2000).map(|i| i as f32).collect());
    assert_eq!(tensor_str(&t, &plain()), "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])");
    // Exactly 1000 elements is not summarized.
    let t = Tensor::from_f32(vec![1000], vec![0.0; 1000]);
    assert_eq!(tensor_str(&t, &plain()).matches("0.").count(), 1000);
    // The elements dropped by summarizing do not affect the formatter: 0.5 in the middle
    // would force fixed notation, but only the integral ends are seen.
    let mut v = vec![1.0f32; 2000];
    v[1000] = 0.5;
    assert_eq!(tensor_str(&Tensor::from_f32(vec![2000], v), &plain()), "tensor([1., 1., 1.,  ..., 1., 1., 1.])");
}

/// A summarized matrix: rows summarized, "..." as a row, each row wrapped with one more
/// space of indent.
#[test]
fn summarized_matrix() {
    let t = Tensor::from_f32(vec![50, 40], (0..2000).map(|i| i as f32).collect());
    let row = |r: usize| {
        let b = r * 40;
        format!(
            "[{:.4e}, {:.4e}, {:.4e},  ..., {:.4e}, {:.4e},\n         {:.4e}]",
            b as f64,
            (b + 1) as f64,
            (b + 2) as f64,
            (b + 37) as f64,
            (b + 38) as f64,
            (b + 39) as f64
        )
        .replace("e0", "e+00")
        .replace("e1", "e+01")
        .replace("e2", "e+02")
        .replace("e3", "e+03")
    };
    let expected = format!(
        "tensor([{},\n        {},\n        {},\n        ...,\n        {},\n        {},\n        {}])",
        row(0),
        row(1),
        row(2),
        row(47),
        row(48),
        row(49)
    );
    assert_eq!(tensor_str(&t, &plain()), expected);
    assert!(expected.starts_with("tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 3.7000e+01, 3.8000e+01,\n         3.9000e+01],\n"));
    assert!(expected.ends_with("\n        [1.9600e+03, 1.9610e+03, 1.9620e+03,  ..., 1.9970e+03, 1.9980e+03,\n         1.9990e+03]])"));
}

/// Small 2-D and 3-D tensors: one shared width, rows indented by one more space,
/// a blank line between 2-D blocks of a 3-D tensor.
#[test]
fn matrices() {
    let m = Tensor::from_f32(vec![2, 2], vec![1.0, -2.0, 3.5, 4.0]);
    assert_eq!(tensor_str(&m, &plain()), "tensor([[ 1.0000, -2.0000],\n        [ 3.5000,  4.0000]])");
    let c = Tensor::from_f32(vec![2, 2, 2], (0..8).map(|i| i as f32).collect());
    assert_eq!(tensor_str(&c, &plain()), "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])");
    let col = Tensor::from_f64(vec![3, 1], vec![0.5, 1.0, 2.0]);
    assert_eq!(
        tensor_str(&col, &grad_fn("MulBackward0")),
        "tensor([[0.5000],\n        [1.0000],\n        [2.0000]], dtype=torch.float64, grad_fn=<MulBackward0>)"
    );
}

/// Python's repr(float): shortest round-trip digits, positional for exponents in
/// [-4, 16), scientific with a signed two-digit exponent otherwise.
#[test]
fn python_float_repr_cases() {
    let cases: &[(f64, &str)] = &[
        (0.1, "0.1"),
        (250.0, "250.0"),
        (1.0, "1.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (0.00012345, "0.00012345"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (9999999999999998.0, "9999999999999998.0"),
        (1.5e300, "1.5e+300"),
        (1e22, "1e+22"),
        (123456789012345678.0, "1.2345678901234568e+17"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1.0 / 3.0, "0.3333333333333333"),
        (-2.5, "-2.5"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e+308"),
        (5.088893522042781e-05, "5.088893522042781e-05"),
        (0.1f32 as f64, "0.10000000149011612"),
        (f64::NAN, "nan"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        // Two 17-digit strings are equally close to this f32 value; Python rounds
        // the tie to even (the polynomial tutorial's loss at step 199).
        (f32::from_bits(0x4310a902) as f64, "144.66018676757812"),
    ];
    for &(v, want) in cases {
        assert_eq!(python_float_repr(v), want, "repr({v:e})");
    }
}
