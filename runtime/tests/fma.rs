//! The `fma` op rounds `a * b + c` once, in f32 and in f64, and broadcasts its
//! operands (the optimizers pass 0-d scalars).

use graphc_runtime::kernels::eval;
use graphc_runtime::op::Op;
use graphc_runtime::tensor::{DType, Tensor};

#[test]
fn f32_fma_rounds_once_where_a_product_and_a_sum_round_twice() {
    // (1 + 2^-23) * (1 - 2^-23) - 1 is exactly -2^-46; rounding the product to f32 first gives 1, and then 0.
    let e = f32::EPSILON;
    let a = Tensor::from_f32(vec![2], vec![1.0 + e, 2.0]);
    let b = Tensor::from_f32(vec![], vec![1.0 - e]);
    let c = Tensor::from_f32(vec![], vec![-1.0]);
    let out = eval(&Op::Fma, &[&a, &b, &c], DType::F32, &[2]);
    let got = out.as_f32().unwrap();
    assert_eq!(got[0], -(2.0f32).powi(-46));
    assert_eq!((1.0 + e) * (1.0 - e) - 1.0, 0.0, "the unfused expression must round the product away");
    assert_eq!(got[1], 2.0f32.mul_add(1.0 - e, -1.0));
}

#[test]
fn f64_fma_rounds_once() {
    let e = f64::EPSILON;
    let a = Tensor::from_f64(vec![1], vec![1.0 + e]);
    let b = Tensor::from_f64(vec![1], vec![1.0 - e]);
    let c = Tensor::from_f64(vec![1], vec![-1.0]);
    let out = eval(&Op::Fma, &[&a, &b, &c], DType::F64, &[1]);
    assert_eq!(out.as_f64().unwrap(), &[-e * e]);
}

#[test]
fn fma_broadcasts_each_operand_to_the_result_shape() {
    let a = Tensor::from_f32(vec![2, 1], vec![1.0, 2.0]);
    let b = Tensor::from_f32(vec![3], vec![1.0, 10.0, 100.0]);
    let c = Tensor::from_f32(vec![], vec![0.5]);
    let out = eval(&Op::Fma, &[&a, &b, &c], DType::F32, &[2, 3]);
    assert_eq!(out.as_f32().unwrap(), &[1.5, 10.5, 100.5, 2.5, 20.5, 200.5]);
}
