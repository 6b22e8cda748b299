//! The kernels of the i64 and bool dtypes and of the conversions between dtypes,
//! checked against values printed by PyTorch 2.15 for the same inputs (each
//! test's comment gives the PyTorch expression).

use graphc_runtime::kernels::eval;
use graphc_runtime::op::{Binary, Cmp, F64Bits, FloatTest, Logical, Scalar, Unary};
use graphc_runtime::{DType, Op, Tensor};

fn f32s(v: &[f32]) -> Tensor {
    Tensor::from_f32(vec![v.len()], v.to_vec())
}

fn i64s(v: &[i64]) -> Tensor {
    Tensor::from_i64(vec![v.len()], v.to_vec())
}

fn bools(v: &[bool]) -> Tensor {
    Tensor::from_bool(vec![v.len()], v.to_vec())
}

/// `x.long()`, `x.bool()`: truncation toward zero, and nonzero (NaN included) is true.
#[test]
fn casts_convert_as_static_cast() {
    let x = f32s(&[-2.7, -0.5, 0.0, 0.5, 2.7, f32::NAN]);
    let long = eval(&Op::Cast, &[&f32s(&[-2.7, -0.5, 0.0, 0.5, 2.7])], DType::I64, &[5]);
    assert_eq!(long.as_i64(), Some(&[-2, 0, 0, 0, 2][..]));
    let b = eval(&Op::Cast, &[&x], DType::Bool, &[6]);
    assert_eq!(b.as_bool(), Some(&[true, true, false, true, true, true][..]));
    // torch.tensor([True, False]).float(), torch.tensor([3, -4]).bool()
    assert_eq!(eval(&Op::Cast, &[&bools(&[true, false])], DType::F32, &[2]).as_f32(), Some(&[1.0, 0.0][..]));
    assert_eq!(eval(&Op::Cast, &[&i64s(&[3, -4])], DType::Bool, &[2]).as_bool(), Some(&[true, true][..]));
    // An i64 beyond 2^24 rounds to the nearest f32.
    assert_eq!(eval(&Op::Cast, &[&i64s(&[16777217])], DType::F32, &[1]).as_f32(), Some(&[16777216.0][..]));
}

/// `a CMP b` for a = [1, nan, 3] and a 0-d b = 2: NaN compares false except with `!=`.
#[test]
fn comparisons_broadcast_and_treat_nan_as_pytorch() {
    let a = f32s(&[1.0, f32::NAN, 3.0]);
    let b = Tensor::from_f32(vec![], vec![2.0]);
    let want = [
        (Cmp::Lt, [true, false, false]),
        (Cmp::Le, [true, false, false]),
        (Cmp::Eq, [false, false, false]),
        (Cmp::Gt, [false, false, true]),
        (Cmp::Ge, [false, false, true]),
        (Cmp::Ne, [true, true, true]),
    ];
    for (cmp, w) in want {
        assert_eq!(eval(&Op::Compare(cmp), &[&a, &b], DType::Bool, &[3]).as_bool(), Some(&w[..]), "{}", cmp.symbol());
    }
    let i = eval(&Op::Compare(Cmp::Ge), &[&i64s(&[1, 2, 3]), &Tensor::from_i64(vec![], vec![2])], DType::Bool, &[3]);
    assert_eq!(i.as_bool(), Some(&[false, true, true][..]));
}

/// `torch.where(c, x, y)` with a broadcast condition and a 0-d `y`.
#[test]
fn select_picks_x_where_the_condition_holds() {
    let c = Tensor::from_bool(vec![2, 1], vec![true, false]);
    let x = Tensor::from_f32(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]);
    let y = Tensor::from_f32(vec![], vec![-1.0]);
    let r = eval(&Op::Select, &[&c, &x, &y], DType::F32, &[2, 2]);
    assert_eq!(r.as_f32(), Some(&[1.0, 2.0, -1.0, -1.0][..]));
    let ri = eval(&Op::Select, &[&bools(&[false, true]), &i64s(&[1, 2]), &i64s(&[7, 8])], DType::I64, &[2]);
    assert_eq!(ri.as_i64(), Some(&[7, 2][..]));
}

#[test]
fn logical_ops_and_float_tests() {
    let (p, q) = (bools(&[true, true, false, false]), bools(&[true, false, true, false]));
    assert_eq!(eval(&Op::Logical(Logical::And), &[&p, &q], DType::Bool, &[4]).as_bool(), Some(&[true, false, false, false][..]));
    assert_eq!(eval(&Op::Logical(Logical::Or), &[&p, &q], DType::Bool, &[4]).as_bool(), Some(&[true, true, true, false][..]));
    assert_eq!(eval(&Op::Logical(Logical::Not), &[&p], DType::Bool, &[4]).as_bool(), Some(&[false, false, true, true][..]));
    let x = f32s(&[1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY]);
    assert_eq!(eval(&Op::FloatTest(FloatTest::IsNan), &[&x], DType::Bool, &[4]).as_bool(), Some(&[false, true, false, false][..]));
    assert_eq!(eval(&Op::FloatTest(FloatTest::IsFinite), &[&x], DType::Bool, &[4]).as_bool(), Some(&[true, false, false, false][..]));
    assert_eq!(eval(&Op::FloatTest(FloatTest::IsFinite), &[&i64s(&[5])], DType::Bool, &[1]).as_bool(), Some(&[true][..]));
}

/// `torch.nan_to_num(x)` in float32: NaN to 0, the infinities to float32's extremes.
#[test]
fn nan_to_num_replaces_in_the_dtype() {
    let x = f32s(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1.5]);
    let op = Op::NanToNum { nan: F64Bits::new(0.0), posinf: F64Bits::new(f32::MAX as f64), neginf: F64Bits::new(f32::MIN as f64) };
    assert_eq!(eval(&op, &[&x], DType::F32, &[4]).as_f32(), Some(&[0.0, f32::MAX, f32::MIN, 1.5][..]));
}

/// `torch.tensor([2**62]) * 4` wraps to 0; abs, neg, maximum, sum(0) and matmul of int64.
#[test]
fn integer_arithmetic_is_exact_and_wraps() {
    let k = |op: Op, args: &[&Tensor], shape: &[usize]| eval(&op, args, DType::I64, shape);
    assert_eq!(k(Op::Binary(Binary::Mul), &[&i64s(&[1 << 62]), &Tensor::from_i64(vec![], vec![4])], &[1]).as_i64(), Some(&[0][..]));
    assert_eq!(k(Op::Unary(Unary::Abs), &[&i64s(&[5, -7])], &[2]).as_i64(), Some(&[5, 7][..]));
    assert_eq!(k(Op::Unary(Unary::Neg), &[&i64s(&[5])], &[1]).as_i64(), Some(&[-5][..]));
    // torch.tensor([3, -2, 0]) ** 3 and torch.tensor([3]) ** 40, which wraps
    assert_eq!(k(Op::PowScalar(F64Bits::new(3.0)), &[&i64s(&[3, -2, 0])], &[3]).as_i64(), Some(&[27, -8, 0][..]));
    assert_eq!(k(Op::PowScalar(F64Bits::new(40.0)), &[&i64s(&[3])], &[1]).as_i64(), Some(&[-6289078614652622815][..]));
    // torch.relu(torch.tensor([3, -2, 0])), torch.sign(...)
    assert_eq!(k(Op::Unary(Unary::Relu), &[&i64s(&[3, -2, 0])], &[3]).as_i64(), Some(&[3, 0, 0][..]));
    assert_eq!(k(Op::Unary(Unary::Sign), &[&i64s(&[3, -2, 0])], &[3]).as_i64(), Some(&[1, -1, 0][..]));
    assert_eq!(k(Op::Binary(Binary::Maximum), &[&i64s(&[1, 5]), &i64s(&[3, 2])], &[2]).as_i64(), Some(&[3, 5][..]));
    let m = Tensor::from_i64(vec![2, 2], vec![1, 2, 3, 4]);
    assert_eq!(k(Op::Sum { dim: Some(0) }, &[&m], &[2]).as_i64(), Some(&[4, 6][..]));
    let e = Tensor::from_i64(vec![2, 2], vec![1, 0, 1, 1]);
    assert_eq!(k(Op::MatMul, &[&m, &e], &[2, 2]).as_i64(), Some(&[3, 2, 7, 4][..]));
    assert_eq!(k(Op::Arange { start: Scalar::Int(-2), step: Scalar::Int(3) }, &[], &[3]).as_i64(), Some(&[-2, 1, 4][..]));
}

/// The fused executor computes in f32 and f64 only, so a kernel of i64 or bool is
/// refused by the instruction check that `Plan::verify` and `fused::run` share.
#[test]
fn fused_kernels_of_integer_or_bool_dtype_are_refused() {
    use graphc_runtime::plan::{check_instrs, Dst, FusedKernel, Instr, PlanErrorKind, Src, ValueId};
    for dtype in [DType::I64, DType::Bool] {
        let k = FusedKernel {
            dtype,
            len: 4,
            inputs: vec![ValueId(0)],
            scalars: vec![],
            outputs: vec![ValueId(1)],
            instrs: vec![Instr { op: Op::Unary(Unary::Neg), args: vec![Src::In(0)], dst: Dst::Out(0), fast: false }],
            regs: 0,
        };
        let e = check_instrs(&k).expect_err("a non-float kernel passed the check");
        assert_eq!(e.kind, PlanErrorKind::KernelNotFloat { dtype });
        assert!(e.to_string().contains("fused kernels compute f32 or f64 only"), "{e}");
    }
}
