//! Kernel tests: the tutorial's three tanh variants composed from graphc's kernels
//! exactly as PyTorch's autograd composes its own, compared bit for bit with
//! PyTorch 2.15 (`shared/reference/torch_reference.json`, key `demo`), plus unit
//! tests of broadcasting, `SumTo`, reductions, matmul shapes and the range sources.

use graphc_runtime::kernels::eval;
use graphc_runtime::op::{Binary, Cmp, F64Bits, Op, Scalar, Unary};
use graphc_runtime::tensor::{DType, Tensor};
use serde_json::Value;

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/torch_reference.json");

fn reference() -> Value {
    let text = std::fs::read_to_string(REFERENCE).unwrap_or_else(|e| {
        panic!("cannot read the PyTorch reference vectors at {REFERENCE}: {e}; the shared/ folder must sit beside the repository checkout")
    });
    serde_json::from_str(&text).expect("torch_reference.json is not valid JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("a list of numbers").iter().map(|x| x.as_f64().expect("a number")).collect()
}

/// Applies `op` to `args`; the result's shape is the first operand's unless given.
fn k(op: Op, args: &[&Tensor], shape: &[usize]) -> Tensor {
    let dtype = args.first().map(|t| t.dtype()).unwrap_or(DType::F32);
    eval(&op, args, dtype, shape)
}

fn full(dtype: DType, shape: &[usize], v: f64) -> Tensor {
    eval(&Op::Full(Scalar::of(v, dtype)), &[], dtype, shape)
}

fn t32(shape: &[usize], v: &[f32]) -> Tensor {
    Tensor::from_f32(shape.to_vec(), v.to_vec())
}

fn t64(shape: &[usize], v: &[f64]) -> Tensor {
    Tensor::from_f64(shape.to_vec(), v.to_vec())
}

/// Bit equality of two tensors of the same dtype, with a readable failure.
fn assert_bits(what: &str, got: &Tensor, want: &[f64]) {
    let g = got.to_f64_vec();
    assert_eq!(g.len(), want.len(), "{what}: length");
    for (i, (&a, &b)) in g.iter().zip(want).enumerate() {
        let same = match got.dtype() {
            DType::F32 => (a as f32).to_bits() == (b as f32).to_bits(),
            DType::F64 => a.to_bits() == b.to_bits(),
            DType::I64 | DType::Bool => a == b,
        };
        assert!(same, "{what}: element {i} is {a:e}, PyTorch {b:e}");
    }
}

/// How the backward of `tanh` computes `g * (1 - y*y)`.
#[derive(Clone, Copy)]
enum TanhGrad {
    /// Three kernels: `y*y`, `1 - _`, `g * _` (each rounded).
    Separate,
    /// `g * fma(-y, y, 1)`: one kernel whose `1 - y*y` is contracted.
    Fused,
}

/// Forward and first backward of `f((inp + 1).pow(2))` for one of the tutorial's
/// functions, op by op as PyTorch runs them. Returns `(out, inp.grad)`.
fn tutorial(func: &str, inp: &Tensor, tanh_grad: TanhGrad) -> (Tensor, Tensor) {
    let dt = inp.dtype();
    let s = inp.shape().to_vec();
    let one = full(dt, &[], 1.0);
    let two = full(dt, &[], 2.0);
    let x = k(Op::Binary(Binary::Add), &[inp, &one], &s);
    let p = k(Op::PowScalar(F64Bits::new(2.0)), &[&x], &s);
    let ones = full(dt, &s, 1.0);
    // `grad_p` is the gradient arriving at `p = x.pow(2)`.
    let (out, grad_p) = match func {
        "SelfDefinedTanh" => {
            let ex = k(Op::Unary(Unary::Exp), &[&p], &s);
            let enx = k(Op::Unary(Unary::Exp), &[&k(Op::Unary(Unary::Neg), &[&p], &s)], &s);
            let out = k(Op::Binary(Binary::Div), &[&k(Op::Binary(Binary::Sub), &[&ex, &enx], &s), &k(Op::Binary(Binary::Add), &[&ex, &enx], &s)], &s);
            // `grad_output * (1 - result.pow(2))`.
            let d = k(Op::Binary(Binary::Sub), &[&one, &k(Op::PowScalar(F64Bits::new(2.0)), &[&out], &s)], &s);
            let g = k(Op::Binary(Binary::Mul), &[&ones, &d], &s);
            (out, g)
        }
        "tanh_sigmoid" => {
            // torch.mul(torch.sigmoid(torch.mul(x, 2)), 2) - 1
            let y = k(Op::Unary(Unary::Sigmoid), &[&k(Op::Binary(Binary::Mul), &[&p, &two], &s)], &s);
            let out = k(Op::Binary(Binary::Sub), &[&k(Op::Binary(Binary::Mul), &[&y, &two], &s), &one], &s);
            // SubBackward passes `ones`; MulBackward multiplies by 2; sigmoid_backward
            // is `(g * (1 - y)) * y`; the inner MulBackward multiplies by 2 again.
            let g = k(Op::Binary(Binary::Mul), &[&ones, &two], &s);
            let g = k(Op::Binary(Binary::Mul), &[&k(Op::Binary(Binary::Mul), &[&g, &k(Op::Binary(Binary::Sub), &[&one, &y], &s)], &s), &y], &s);
            (out, k(Op::Binary(Binary::Mul), &[&g, &two], &s))
        }
        "tanh" => {
            let y = k(Op::Unary(Unary::Tanh), &[&p], &s);
            let d = match tanh_grad {
                TanhGrad::Separate => k(Op::Binary(Binary::Sub), &[&one, &k(Op::Binary(Binary::Mul), &[&y, &y], &s)], &s),
                TanhGrad::Fused => match dt {
                    DType::F32 => t32(&s, &y.as_f32().unwrap().iter().map(|&v| (-v).mul_add(v, 1.0)).collect::<Vec<_>>()),
                    DType::F64 => t64(&s, &y.as_f64().unwrap().iter().map(|&v| (-v).mul_add(v, 1.0)).collect::<Vec<_>>()),
                    DType::I64 | DType::Bool => unreachable!("the reference ops are float"),
                },
            };
            let g = k(Op::Binary(Binary::Mul), &[&ones, &d], &s);
            (y, g)
        }
        other => panic!("unknown tutorial function {other}"),
    };
    // PowBackward0: `grad * (2.0 * self.pow(1.0))`, where `pow(1)` is a copy; then
    // AddBackward0 passes the gradient through to `inp`.
    let grad = k(Op::Binary(Binary::Mul), &[&grad_p, &k(Op::Binary(Binary::Mul), &[&two, &x], &s)], &s);
    (out, grad)
}

fn check_tutorial(func: &str, dtype: DType, tanh_grad: TanhGrad) {
    let reference = reference();
    let key = format!("{func}/{}", if dtype == DType::F32 { "float32" } else { "float64" });
    let case = &reference["demo"][&key];
    assert!(case.is_object(), "reference has no demo case {key}");
    let inp = Tensor::from_f64_values(dtype, vec![5], floats(&case["inp"]));
    let (out, grad) = tutorial(func, &inp, tanh_grad);
    assert_bits(&format!("{key} out"), &out, &floats(&case["out"]));
    assert_bits(&format!("{key} first_call"), &grad, &floats(&case["first_call"]));
    // The second call accumulates the same gradient into `inp.grad`.
    let twice = k(Op::Binary(Binary::Add), &[&grad, &grad], &[5]);
    assert_bits(&format!("{key} second_call"), &twice, &floats(&case["second_call"]));
}

#[test]
fn self_defined_tanh_f32_matches_pytorch_bitwise() {
    check_tutorial("SelfDefinedTanh", DType::F32, TanhGrad::Separate);
}

#[test]
fn self_defined_tanh_f64_matches_pytorch_bitwise() {
    check_tutorial("SelfDefinedTanh", DType::F64, TanhGrad::Separate);
}

#[test]
fn tanh_sigmoid_f32_matches_pytorch_bitwise() {
    check_tutorial("tanh_sigmoid", DType::F32, TanhGrad::Separate);
}

#[test]
fn tanh_sigmoid_f64_matches_pytorch_bitwise() {
    check_tutorial("tanh_sigmoid", DType::F64, TanhGrad::Separate);
}

/// PyTorch's `tanh` kernel goes through `vml::vtanh`, i.e. Sleef's vectorized
/// `tanh` even for a 5-element tensor, while graphc calls libm: the forward values
/// differ in the last bit for some inputs. This checks the distance stays within 1 ulp,
/// and the backward formula on PyTorch's own forward values, where it must be exact.
fn check_tanh(dtype: DType, tanh_grad: TanhGrad) {
    let reference = reference();
    let key = format!("tanh/{}", if dtype == DType::F32 { "float32" } else { "float64" });
    let case = &reference["demo"][&key];
    let inp = Tensor::from_f64_values(dtype, vec![5], floats(&case["inp"]));
    let (out, _) = tutorial("tanh", &inp, tanh_grad);
    let want = floats(&case["out"]);
    for (i, (&a, &b)) in out.to_f64_vec().iter().zip(&want).enumerate() {
        let ulps = match dtype {
            DType::F32 => ((a as f32).to_bits() as i64 - (b as f32).to_bits() as i64).abs(),
            DType::F64 => (a.to_bits() as i64 - b.to_bits() as i64).abs(),
            DType::I64 | DType::Bool => unreachable!("the reference cases are float"),
        };
        assert!(ulps <= 1, "{key} out element {i}: {a:e} vs PyTorch {b:e}");
    }
    // The backward on PyTorch's forward values: `g * (1 - y*y)`, then PowBackward.
    let s = [5];
    let y = Tensor::from_f64_values(dtype, vec![5], want);
    let x = k(Op::Binary(Binary::Add), &[&inp, &full(dtype, &[], 1.0)], &s);
    let d = match tanh_grad {
        TanhGrad::Separate => k(Op::Binary(Binary::Sub), &[&full(dtype, &[], 1.0), &k(Op::Binary(Binary::Mul), &[&y, &y], &s)], &s),
        TanhGrad::Fused => Tensor::from_f64_values(
            dtype,
            vec![5],
            y.to_f64_vec()
                .iter()
                .map(|&v| match dtype {
                    DType::F32 => (-(v as f32)).mul_add(v as f32, 1.0) as f64,
                    DType::F64 => (-v).mul_add(v, 1.0),
                    DType::I64 | DType::Bool => unreachable!("the reference cases are float"),
                })
                .collect(),
        ),
    };
    let g = k(Op::Binary(Binary::Mul), &[&full(dtype, &s, 1.0), &d], &s);
    let grad = k(Op::Binary(Binary::Mul), &[&g, &k(Op::Binary(Binary::Mul), &[&full(dtype, &[], 2.0), &x], &s)], &s);
    assert_bits(&format!("{key} first_call"), &grad, &floats(&case["first_call"]));
}

/// The separate formula is 1 ulp off PyTorch in element 0 of both dtypes: PyTorch's
/// `tanh_backward` kernel (`a * (1 - b * b)`, one scalar lambda) is compiled with
/// the product and subtraction contracted into one fused multiply-add.
#[test]
fn tanh_backward_as_separate_kernels_is_not_pytorch() {
    for dtype in [DType::F32, DType::F64] {
        let r = std::panic::catch_unwind(|| check_tanh(dtype, TanhGrad::Separate));
        assert!(r.is_err(), "the unfused tanh backward now matches PyTorch for {dtype}");
    }
}

#[test]
fn tanh_f32_backward_matches_pytorch_bitwise_fused() {
    check_tanh(DType::F32, TanhGrad::Fused);
}

#[test]
fn tanh_f64_backward_matches_pytorch_bitwise_fused() {
    check_tanh(DType::F64, TanhGrad::Fused);
}

#[test]
fn arange_matches_pytorch_visualization_x() {
    let reference = reference();
    let want = floats(&reference["visualization"]["x"]);
    assert_eq!(want.len(), 160);
    let op = Op::Arange { start: Scalar::float(-8.0), step: Scalar::float(0.1) };
    let x = eval(&op, &[], DType::F32, &[160]);
    assert_bits("arange(-8, 8, 0.1)", &x, &want);
    // Element 80 is -8 + 0.1 * 80 in f64, 2^-51 rather than 0.
    assert_eq!(x.as_f32().unwrap()[80], 2f32.powi(-51));
}

#[test]
fn arange_small_and_f64() {
    let op = Op::Arange { start: Scalar::float(0.0), step: Scalar::float(1.0) };
    assert_eq!(eval(&op, &[], DType::F64, &[5]).to_f64_vec(), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    let op = Op::Arange { start: Scalar::float(1.0), step: Scalar::float(-0.5) };
    assert_eq!(eval(&op, &[], DType::F32, &[3]).to_f64_vec(), vec![1.0, 0.5, 0.0]);
}

#[test]
fn linspace_two_sided_formula() {
    let op = Op::Linspace { start: F64Bits::new(0.0), end: F64Bits::new(1.0) };
    assert_eq!(eval(&op, &[], DType::F64, &[5]).to_f64_vec(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(eval(&op, &[], DType::F32, &[1]).to_f64_vec(), vec![0.0]);
    // The last element is exactly `end`, and the first exactly `start`.
    let op = Op::Linspace { start: F64Bits::new(-3.0), end: F64Bits::new(0.7) };
    let v = eval(&op, &[], DType::F32, &[11]);
    let v = v.as_f32().unwrap();
    assert_eq!((v[0], v[10]), (-3.0, 0.7));
    let step = (0.7f32 - -3.0f32) / 10.0;
    assert_eq!(v[3], step.mul_add(3.0, -3.0));
    assert_eq!(v[8], (-step).mul_add(2.0, 0.7));
}

#[test]
fn broadcasting_follows_numpy_rules() {
    let a = t32(&[2, 1], &[1.0, 2.0]);
    let b = t32(&[3], &[10.0, 20.0, 30.0]);
    let c = eval(&Op::Binary(Binary::Add), &[&a, &b], DType::F32, &[2, 3]);
    assert_eq!(c.to_f64_vec(), vec![11.0, 21.0, 31.0, 12.0, 22.0, 32.0]);
    // A 0-d operand is a wrapped number.
    let c = eval(&Op::Binary(Binary::Sub), &[&full(DType::F32, &[], 1.0), &b], DType::F32, &[3]);
    assert_eq!(c.to_f64_vec(), vec![-9.0, -19.0, -29.0]);
    let e = eval(&Op::Expand, &[&a], DType::F32, &[2, 2, 3]);
    assert_eq!(e.to_f64_vec(), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
}

#[test]
fn sum_to_inverts_broadcasting() {
    let x = t64(&[2, 2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
    assert_eq!(
        eval(&Op::SumTo, &[&x], DType::F64, &[2, 1]).to_f64_vec(),
        vec![1.0 + 2.0 + 3.0 + 7.0 + 8.0 + 9.0, 4.0 + 5.0 + 6.0 + 10.0 + 11.0 + 12.0]
    );
    assert_eq!(eval(&Op::SumTo, &[&x], DType::F64, &[3]).to_f64_vec(), vec![22.0, 26.0, 30.0]);
    assert_eq!(eval(&Op::SumTo, &[&x], DType::F64, &[1, 3]).to_f64_vec(), vec![22.0, 26.0, 30.0]);
    assert_eq!(eval(&Op::SumTo, &[&x], DType::F64, &[]).to_f64_vec(), vec![78.0]);
    assert_eq!(eval(&Op::SumTo, &[&x], DType::F64, &[2, 2, 3]), x);
}

#[test]
fn sum_and_mean() {
    let x = t32(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(eval(&Op::Sum { dim: None }, &[&x], DType::F32, &[]).to_f64_vec(), vec![21.0]);
    assert_eq!(eval(&Op::Sum { dim: Some(0) }, &[&x], DType::F32, &[3]).to_f64_vec(), vec![5.0, 7.0, 9.0]);
    assert_eq!(eval(&Op::Sum { dim: Some(1) }, &[&x], DType::F32, &[2]).to_f64_vec(), vec![6.0, 15.0]);
    assert_eq!(eval(&Op::Mean { dim: Some(1) }, &[&x], DType::F32, &[2]).to_f64_vec(), vec![2.0, 5.0]);
    assert_eq!(eval(&Op::Mean { dim: None }, &[&x], DType::F32, &[]).to_f64_vec(), vec![3.5]);
    // Pairwise summation keeps a long sum of ones exact in f32.
    let ones = full(DType::F32, &[1 << 25], 1.0);
    assert_eq!(eval(&Op::Sum { dim: None }, &[&ones], DType::F32, &[]).to_f64_vec(), vec![(1u64 << 25) as f64]);
}

#[test]
fn matmul_shapes() {
    let a = t64(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let b = t64(&[3, 2], &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    let v = t64(&[3], &[1.0, 1.0, 2.0]);
    let w = t64(&[2], &[1.0, -1.0]);
    assert_eq!(eval(&Op::MatMul, &[&a, &b], DType::F64, &[2, 2]).to_f64_vec(), vec![4.0, 5.0, 10.0, 11.0]);
    assert_eq!(eval(&Op::MatMul, &[&a, &v], DType::F64, &[2]).to_f64_vec(), vec![9.0, 21.0]);
    assert_eq!(eval(&Op::MatMul, &[&w, &a], DType::F64, &[3]).to_f64_vec(), vec![-3.0, -3.0, -3.0]);
    assert_eq!(eval(&Op::MatMul, &[&v, &v], DType::F64, &[]).to_f64_vec(), vec![6.0]);
    let a32 = t32(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let t = eval(&Op::Transpose, &[&a32], DType::F32, &[3, 2]);
    assert_eq!(t.to_f64_vec(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    assert_eq!(eval(&Op::MatMul, &[&a32, &t], DType::F32, &[2, 2]).to_f64_vec(), vec![14.0, 32.0, 32.0, 77.0]);
    let empty = t32(&[2, 0], &[]);
    let empty_t = t32(&[0, 2], &[]);
    assert_eq!(eval(&Op::MatMul, &[&empty, &empty_t], DType::F32, &[2, 2]).to_f64_vec(), vec![0.0; 4]);
}

#[test]
fn pointwise_special_values() {
    let x = t32(&[5], &[f32::NAN, -0.0, -2.0, 0.0, 3.0]);
    let relu = eval(&Op::Unary(Unary::Relu), &[&x], DType::F32, &[5]);
    let r = relu.as_f32().unwrap();
    assert!(r[0].is_nan());
    assert_eq!(r[1..].iter().map(|v| v.to_bits()).collect::<Vec<_>>(), [(-0.0f32).to_bits(), 0, 0, 3.0f32.to_bits()]);
    assert_eq!(eval(&Op::Unary(Unary::Sign), &[&x], DType::F32, &[5]).to_f64_vec(), vec![0.0, 0.0, -1.0, 0.0, 1.0]);
    let m = eval(&Op::Binary(Binary::Maximum), &[&x, &full(DType::F32, &[], 1.0)], DType::F32, &[5]).to_f64_vec();
    assert!(m[0].is_nan());
    assert_eq!(&m[1..], &[1.0, 1.0, 1.0, 3.0]);
    let w = eval(&Op::Where(Cmp::Gt), &[&x, &full(DType::F32, &[], 0.0), &x, &full(DType::F32, &[], -1.0)], DType::F32, &[5]);
    assert_eq!(w.to_f64_vec(), vec![-1.0, -1.0, -1.0, -1.0, 3.0]);
    let p = |c: f64, v: f32| eval(&Op::PowScalar(F64Bits::new(c)), &[&t32(&[1], &[v])], DType::F32, &[1]).as_f32().unwrap()[0];
    assert_eq!(p(0.0, f32::NAN), 1.0);
    assert_eq!(p(-0.5, 4.0), 0.5);
    assert_eq!(p(-2.0, 2.0), 0.25);
    assert_eq!(p(1.5, 1.7), (1.7f32 as f64).powf(1.5) as f32);
}

#[test]
#[should_panic(expected = "must not send them here")]
fn random_ops_are_rejected() {
    eval(&Op::Randn, &[], DType::F32, &[3]);
}

#[test]
fn index_checks_find_both_bounds_and_name_the_first_bad_index() {
    use graphc_runtime::kernels::index::check_values;
    let good: Vec<i64> = (0..1000).map(|i| i % 7).collect();
    assert!(check_values(&good, 0, 7).is_ok());
    assert!(check_values(&[], 0, 0).is_ok());
    // A negative index (a huge unsigned one in the check) and one past the end,
    // anywhere in a long index; the message names the first of them.
    for (at, bad) in [(0, -1i64), (999, 7), (500, i64::MIN), (3, i64::MAX)] {
        let mut idx = good.clone();
        idx[at] = bad;
        if at < 999 {
            idx[999] = 8;
        }
        let err = check_values(&idx, 1, 7).expect_err("an index out of bounds");
        assert_eq!(err, format!("index {bad} is out of bounds for dimension 1 with size 7"));
    }
}
