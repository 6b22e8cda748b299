//! What `Op` derives from the op tables: names, arity, classes, builtin lookup,
//! and which operands a gradient flows to (autodiff's reachability reads it).

use graphc_runtime::op::{Binary, Cmp, F64Bits, Op, OpClass, Scalar, Unary};

#[test]
fn names_and_builtin_names_are_unique_and_read_back() {
    let mut names: Vec<&str> = Unary::ALL.iter().map(|u| u.name()).chain(Binary::ALL.iter().map(|b| b.name())).collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "two rows print the same IR name");
    for &u in Unary::ALL {
        if let Some(b) = u.builtin_name() {
            assert_eq!(Unary::from_builtin_name(b), Some(u), "builtin `{b}`");
        }
        assert_eq!(Op::Unary(u).name(), u.name());
    }
    for &b in Binary::ALL {
        if let Some(name) = b.builtin_name() {
            assert_eq!(Binary::from_builtin_name(name), Some(b), "builtin `{name}`");
        }
    }
    assert_eq!(Unary::from_builtin_name("no_such_op"), None);
}

#[test]
fn families_have_their_arity_and_class() {
    for &u in Unary::ALL {
        let op = Op::Unary(u);
        assert_eq!((op.arity(), op.class(), op.is_elementwise()), (1, OpClass::ElementwiseUnary, true), "{}", u.name());
        assert_eq!(op.cost_ps(), Some(u.cost_ps()));
    }
    for &b in Binary::ALL {
        let op = Op::Binary(b);
        assert_eq!((op.arity(), op.class(), op.is_elementwise()), (2, OpClass::ElementwiseBinary, true), "{}", b.name());
    }
    assert_eq!((Op::Where(Cmp::Lt).arity(), Op::MatMul.arity(), Op::Randn.arity()), (4, 2, 0));
    assert!(!Op::Sum { dim: None }.is_elementwise());
}

#[test]
fn gradients_flow_to_the_declared_operands_only() {
    assert!(!Op::Unary(Unary::Detach).differentiable(0), "detach stops gradients");
    assert!(Op::Unary(Unary::Exp).differentiable(0));
    assert!(!Op::Unary(Unary::Exp).differentiable(1), "exp has no operand 1");
    assert!(Op::Binary(Binary::Mul).differentiable(0) && Op::Binary(Binary::Mul).differentiable(1));
    let w = Op::Where(Cmp::Gt);
    assert_eq!((0..4).map(|i| w.differentiable(i)).collect::<Vec<_>>(), [false, false, true, true], "where's compared operands get no gradient");
    assert!(Op::PowScalar(F64Bits::new(2.0)).differentiable(0));
    assert!(!Op::Full(Scalar::float(1.0)).differentiable(0), "sources have no operands");
}

#[test]
fn grad_fn_names_come_from_the_rows() {
    assert_eq!(Op::Unary(Unary::Exp).grad_fn(), Some("ExpBackward0"));
    assert_eq!(Op::Unary(Unary::Log1p).grad_fn(), Some("Log1PBackward0"));
    assert_eq!(Op::Binary(Binary::TanhBackward).grad_fn(), Some("TanhBackwardBackward0"));
    assert_eq!(Op::Unary(Unary::Detach).grad_fn(), None);
    assert_eq!(Op::Sum { dim: Some(0) }.grad_fn(), Some("SumBackward1"));
}

#[test]
fn the_element_formula_is_the_rows() {
    assert_eq!(Unary::Expm1.apply(1e-10f64), 1e-10f64.exp_m1());
    assert_eq!(Unary::Relu.apply(-0.0f64).to_bits(), (-0.0f64).to_bits(), "relu passes -0.0 through");
    assert!(Binary::Maximum.apply(f32::NAN, 1.0).is_nan());
    assert_eq!(Binary::Sub.apply(3.0f32, 1.0), 2.0);
}
