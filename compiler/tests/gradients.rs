//! Every derivative rule against central finite differences, in f64, over random inputs.
//!
//! Each case writes one `.act` program that builds f64 leaves from random values,
//! computes `y = sum(f(leaves) * w)` with a fixed pseudo-random weight `w` (so the
//! gradient is not trivially ones, and every output element matters), calls
//! `y.backward()` and prints each leaf's `.grad`. The same program then rebinds
//! the leaves to copies with one element moved by ±h and prints `y` again, once
//! for every element and sign, so one compilation yields both the gradient and
//! the finite differences.
//!
//! Tolerance: with h = 1e-6 the central difference has truncation error
//! h²/6·|f'''| (about 1e-12 for the input ranges used here) and rounding error
//! about ε·|y|/h (2e-16·|y|/1e-6, about 1e-9 for |y| near 10). We accept
//! |fd - g| <= 1e-6 + 1e-5·|g|, which is far above both, yet far below what a
//! wrong rule produces (a wrong sign, factor or broadcast reduction is off by O(|g|)).

use crate::fd::*;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use proptest::prelude::*;

// ------------------------------------------------------------------ elementwise unary

proptest! {
    #![proptest_config(config())]

    #[test]
    fn exp_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "exp(x)")?; }

    #[test]
    fn log_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "log(x)")?; }

    #[test]
    fn sqrt_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "sqrt(x)")?; }

    #[test]
    fn sin_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "sin(x)")?; }

    #[test]
    fn cos_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "cos(x)")?; }

    #[test]
    fn tanh_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "tanh(x)")?; }

    #[test]
    fn sigmoid_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "sigmoid(x)")?; }

    #[test]
    fn relu_rule(v in nonzero_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "relu(x)")?; }

    #[test]
    fn abs_rule(v in nonzero_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "abs(x)")?; }

    #[test]
    fn log1p_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "log1p(x)")?; }

    #[test]
    fn expm1_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "expm1(x)")?; }

    #[test]
    fn sinh_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "sinh(x)")?; }

    #[test]
    fn cosh_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "cosh(x)")?; }

    #[test]
    fn neg_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "-x")?; }

    #[test]
    fn method_syntax_rule(v in any_vals(4)) { check("", &[leaf("x", &[4], v)], &[4], "x.sin().exp()")?; }

    #[test]
    fn name_used_twice_accumulates(v in any_vals(4)) {
        check("", &[leaf("x", &[4], v)], &[4], "x * sin(x) + exp(-x) - x")?;
    }

    #[test]
    fn detach_inside_expression(v in any_vals(4)) {
        // A detached term times zero contributes nothing to either side, so this
        // checks that a detach node in the graph leaves the rest of the gradient intact.
        check("", &[leaf("x", &[4], v)], &[4], "x * 2 + detach(x) * 0")?;
    }
}

// ------------------------------------------------------------------ powers

proptest! {
    #![proptest_config(config())]

    #[test]
    fn pow_2_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "x ** 2")?; }

    #[test]
    fn pow_3_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "x ** 3")?; }

    #[test]
    fn pow_half_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "x ** 0.5")?; }

    #[test]
    fn pow_minus_1_rule(v in nonzero_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "x ** -1")?; }

    #[test]
    fn pow_minus_2_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "x ** -2")?; }

    #[test]
    fn pow_1_7_rule(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "x ** 1.7")?; }

    #[test]
    fn pow_builtin_scalar_exponent(v in pos_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "pow(x, 1.7)")?; }

    #[test]
    fn scalar_base_pow_rule(v in any_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "1.5 ** x")?; }

    #[test]
    fn scalar_over_tensor_rule(v in nonzero_vals(5)) { check("", &[leaf("x", &[5], v)], &[5], "2 / x")?; }

    #[test]
    fn pow_tensor_tensor_rule(a in pos_vals(5), e in any_vals(5)) {
        check("", &[leaf("a", &[5], a), leaf("e", &[5], e)], &[5], "pow(a, e)")?;
    }

    #[test]
    fn pow_tensor_tensor_broadcast(a in pos_vals(3), e in any_vals(4)) {
        check("", &[leaf("a", &[3, 1], a), leaf("e", &[4], e)], &[3, 4], "a ** e")?;
    }
}

// ------------------------------------------------------------------ binary, with broadcasting

proptest! {
    #![proptest_config(config())]

    #[test]
    fn maximum_rule((a, b) in distinct_pair(6)) {
        check("", &[leaf("a", &[6], a), leaf("b", &[6], b)], &[6], "maximum(a, b)")?;
    }

    #[test]
    fn minimum_rule((a, b) in distinct_pair(6)) {
        check("", &[leaf("a", &[6], a), leaf("b", &[6], b)], &[6], "minimum(a, b)")?;
    }

    #[test]
    fn add_broadcast(a in any_vals(3), b in any_vals(4)) {
        check("", &[leaf("a", &[3, 1], a), leaf("b", &[4], b)], &[3, 4], "a + b")?;
    }

    #[test]
    fn sub_broadcast(a in any_vals(3), b in any_vals(4)) {
        check("", &[leaf("a", &[3, 1], a), leaf("b", &[4], b)], &[3, 4], "a - b")?;
    }

    #[test]
    fn mul_broadcast(a in any_vals(3), b in any_vals(4)) {
        check("", &[leaf("a", &[3, 1], a), leaf("b", &[4], b)], &[3, 4], "a * b")?;
    }

    #[test]
    fn div_broadcast(a in any_vals(3), b in nonzero_vals(4)) {
        check("", &[leaf("a", &[3, 1], a), leaf("b", &[4], b)], &[3, 4], "a / b")?;
    }

    #[test]
    fn div_broadcast_row_by_matrix(a in any_vals(3), b in nonzero_vals(6)) {
        check("", &[leaf("a", &[3], a), leaf("b", &[2, 3], b)], &[2, 3], "a / b")?;
    }

    #[test]
    fn mul_by_scalar_tensor(a in any_vals(6), s in any_vals(1)) {
        check("", &[leaf("a", &[2, 3], a), leaf("s", &[], s)], &[2, 3], "a * s - s")?;
    }

    #[test]
    fn literal_operands(a in nonzero_vals(4)) {
        check("", &[leaf("a", &[4], a)], &[4], "3 - 2 * a + a / 4 - 1 / a")?;
    }
}

// ------------------------------------------------------------------ reductions and linear algebra

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sum_all(v in any_vals(12)) { check("", &[leaf("x", &[3, 4], v)], &[], "sum(x * x)")?; }

    #[test]
    fn sum_dim0(v in any_vals(12)) { check("", &[leaf("x", &[3, 4], v)], &[4], "sum(x * x, dim=0)")?; }

    #[test]
    fn sum_dim1(v in any_vals(12)) { check("", &[leaf("x", &[3, 4], v)], &[3], "x.sin().sum(dim=1)")?; }

    #[test]
    fn mean_all(v in any_vals(12)) { check("", &[leaf("x", &[3, 4], v)], &[], "mean(x * x)")?; }

    #[test]
    fn mean_dim0(v in any_vals(12)) { check("", &[leaf("x", &[3, 4], v)], &[4], "mean(x * x, dim=0)")?; }

    #[test]
    fn mean_dim1(v in any_vals(12)) { check("", &[leaf("x", &[3, 4], v)], &[3], "mean(exp(x), 1)")?; }

    #[test]
    fn matmul_1d_1d(a in any_vals(4), b in any_vals(4)) {
        check("", &[leaf("a", &[4], a), leaf("b", &[4], b)], &[], "a @ b")?;
    }

    #[test]
    fn matmul_1d_2d(a in any_vals(4), b in any_vals(12)) {
        check("", &[leaf("a", &[4], a), leaf("b", &[4, 3], b)], &[3], "a @ b")?;
    }

    #[test]
    fn matmul_2d_1d(a in any_vals(8), b in any_vals(4)) {
        check("", &[leaf("a", &[2, 4], a), leaf("b", &[4], b)], &[2], "matmul(a, b)")?;
    }

    #[test]
    fn matmul_2d_2d(a in any_vals(8), b in any_vals(12)) {
        check("", &[leaf("a", &[2, 4], a), leaf("b", &[4, 3], b)], &[2, 3], "a @ b")?;
    }

    #[test]
    fn matmul_one_side_needs_grad(a in any_vals(8), b in any_vals(12)) {
        // Only `a` requires grad: the rule must still give a's gradient alone.
        check("c = tensor([1.0, -2.0, 0.5], dtype=f64)", &[leaf("a", &[2, 4], a)], &[2], &format!("a @ (tensor({}, dtype=f64) @ c)", literal(&[4, 3], &b)))?;
    }

    #[test]
    fn transpose_rule(v in any_vals(6)) {
        check("", &[leaf("x", &[2, 3], v)], &[3, 2], "transpose(x) * transpose(x).sin()")?;
    }

    #[test]
    fn transpose_in_matmul(a in any_vals(6), b in any_vals(6)) {
        check("", &[leaf("a", &[2, 3], a), leaf("b", &[2, 3], b)], &[3, 3], "transpose(a) @ b")?;
    }
}

// ------------------------------------------------------------------ selection and masks

proptest! {
    #![proptest_config(config())]

    // `where` sends the gradient to `input` where the mask holds and to `other`
    // elsewhere, summed back over the broadcast (b is a row).
    #[test]
    fn where_rule(x in nonzero_vals(6), b in any_vals(3)) {
        check("", &[leaf("x", &[2, 3], x), leaf("b", &[3], b)], &[2, 3], "where(x > 0, x * b, b.exp())")?;
    }

    #[test]
    fn masked_fill_rule(x in nonzero_vals(6)) {
        check("", &[leaf("x", &[6], x)], &[6], "x.masked_fill(x < 0, 0.5) * x.sin()")?;
    }

    #[test]
    fn nan_to_num_rule(x in any_vals(5)) {
        check("", &[leaf("x", &[5], x)], &[5], "nan_to_num(x * x, nan=0.0)")?;
    }

    // A bool mask cast to f64 carries no gradient; the product's gradient is the mask.
    #[test]
    fn mask_cast_rule(x in nonzero_vals(5)) {
        check("", &[leaf("x", &[5], x)], &[5], "x * (x > 0).double()")?;
    }
}

// ------------------------------------------------------------------ user ops and fns

const OP_WITH_BACKWARD: &str = "
op Cube(a) {
    forward {
        r = a * a * a
        save a
        return r
    }
    backward(g) {
        return g * 3 * a ** 2
    }
}
op MulAdd(a, b) {
    forward {
        save a, b
        return a * b + a
    }
    backward(g) {
        return g * (b + 1), g * a
    }
}
";

const OP_WITHOUT_BACKWARD: &str = "
op SoftPlus(a) {
    forward {
        e = exp(a)
        return log(1 + e)
    }
}
";

const FN: &str = "
fn mix(a, b) {
    t = sin(a) * b
    return t + exp(b) / (1 + a * a)
}
";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn op_with_backward(v in any_vals(5)) {
        check(OP_WITH_BACKWARD, &[leaf("x", &[5], v)], &[5], "Cube(x)")?;
    }

    #[test]
    fn op_with_backward_two_inputs(a in any_vals(4), b in any_vals(4)) {
        check(OP_WITH_BACKWARD, &[leaf("a", &[4], a), leaf("b", &[4], b)], &[4], "MulAdd(a, b)")?;
    }

    #[test]
    fn op_with_backward_composed(v in any_vals(5)) {
        check(OP_WITH_BACKWARD, &[leaf("x", &[5], v)], &[5], "Cube(sin(x)) + MulAdd(x, Cube(x))")?;
    }

    #[test]
    fn op_without_backward(v in any_vals(5)) {
        check(OP_WITHOUT_BACKWARD, &[leaf("x", &[5], v)], &[5], "SoftPlus(x * 2)")?;
    }

    #[test]
    fn fn_rule(a in any_vals(4), b in any_vals(4)) {
        check(FN, &[leaf("a", &[4], a), leaf("b", &[4], b)], &[4], "mix(a, b)")?;
    }

    #[test]
    fn fn_broadcast(a in any_vals(3), b in any_vals(4)) {
        check(FN, &[leaf("a", &[3, 1], a), leaf("b", &[4], b)], &[3, 4], "mix(a, b)")?;
    }
}

// ------------------------------------------------------------------ the checker can fail

/// A deliberately wrong "gradient" must be caught: an op whose backward returns
/// twice the true derivative. If this passed, the checks above would prove nothing.
#[test]
fn wrong_backward_is_detected() {
    let wrong = "
op Twice(a) {
    forward {
        save a
        return sin(a)
    }
    backward(g) {
        return g * 2 * cos(a)
    }
}
";
    let r = check(wrong, &[leaf("x", &[3], vec![0.1, -0.7, 1.2])], &[3], "Twice(x)");
    // The failure must come from the comparison itself, not from the program failing to compile.
    let err = r.expect_err("a backward off by a factor of 2 passed the finite-difference check");
    assert!(err.to_string().contains("central difference"), "unexpected failure: {err}");
}

#[test]
fn literal_reads_back_exactly() {
    assert_eq!(literal(&[2, 1], &[0.1, -1e-7]), "[[0.1], [-1e-7]]");
    assert_eq!(literal(&[], &[2.5]), "2.5");
    assert!(weights(20).iter().all(|w| (0.5..=1.5).contains(&w.abs())));
}

// ------------------------------------------------------------------ points where finite differences say nothing

/// Runs `body` after defining x = [0, -1, 2] (f64, requires grad) and returns the
/// printed tensors.
fn printed(body: &str) -> Vec<Vec<f64>> {
    let source = format!("x = tensor([0.0, -1.0, 2.0], dtype=f64, requires_grad=true)\n{body}");
    let compiled = compile(&source, false).unwrap_or_else(|d| panic!("{}", graphc_compiler::diag::render(&d, "kink.act", &source, false)));
    let (_, printed) = run_capture(&compiled.plan).expect("runs");
    printed.iter().map(|t| t.to_f64_vec()).collect()
}

/// At kinks and ties the gradient is a convention, not a limit, so it is checked
/// against the values PyTorch 2.15 gives for the same inputs (confirmed with
/// torch: relu'(0) = 0, abs'(0) = 0, d/dx x**0 = 0, ties in maximum/minimum split
/// the gradient in half, and pow's gradients at a zero base).
#[test]
fn kinks_and_ties_follow_pytorch() {
    let cases: &[(&str, Vec<f64>)] = &[
        ("relu(x)", vec![0.0, 0.0, 1.0]),
        ("abs(x)", vec![0.0, -1.0, 1.0]),
        ("x ** 0", vec![0.0, 0.0, 0.0]),
        ("maximum(x, tensor([0.0, -1.0, 1.0], dtype=f64))", vec![0.5, 0.5, 1.0]),
        ("minimum(x, tensor([0.0, -1.0, 1.0], dtype=f64))", vec![0.5, 0.5, 0.0]),
    ];
    for (expr, expected) in cases {
        let got = printed(&format!("sum({expr}).backward()\nprint(x.grad)\n"));
        assert_eq!(&got[0], expected, "gradient of sum({expr}) at x = [0, -1, 2]");
    }
    let got = printed(
        "b = tensor([0.0, 0.0, 2.0], dtype=f64, requires_grad=true)
e = tensor([0.0, 2.0, -1.0], dtype=f64, requires_grad=true)
sum(pow(b, e)).backward()
print(b.grad, e.grad)
",
    );
    assert_eq!(got[0], vec![0.0, 0.0, -0.25], "pow's base gradient at a zero base");
    assert_eq!(got[1][..2], [0.0, 0.0], "pow's exponent gradient at a zero base with e >= 0");
    assert!((got[1][2] - 0.34657359027997264).abs() < 1e-15, "pow's exponent gradient 2**-1 * ln 2: {}", got[1][2]);
}

// ------------------------------------------------------------------ random compositions

/// A random smooth expression of shape [3] (`matrix` false) or [2, 3] over the
/// leaves `v` [3] and `m` [2, 3], driven by a stream of choices. Only bounded or
/// slowly growing functions are used so that finite differences stay accurate;
/// the point is the plumbing between rules: shared subexpressions, broadcasting,
/// reductions feeding elementwise ops, user ops and fns inside larger graphs.
fn composite(c: &mut impl Iterator<Item = u32>, matrix: bool, depth: u32) -> String {
    let mut pick = |n: u32| c.next().unwrap_or(0) % n;
    let leaf = if matrix { "m" } else { "v" };
    if depth == 0 {
        return leaf.to_string();
    }
    let choice = pick(8);
    let unary = ["sin", "cos", "tanh", "sigmoid", "Cube", "twice"][pick(6) as usize];
    let bin = ["+", "-", "*"][pick(3) as usize];
    let d = depth - 1;
    match (matrix, choice) {
        (_, 0) => leaf.to_string(),
        (_, 1 | 2) => format!("{unary}({})", composite(c, matrix, d)),
        (_, 3 | 4) => format!("({} {bin} {})", composite(c, matrix, d), composite(c, matrix, d)),
        (_, 5) => format!("mix({}, {})", composite(c, matrix, d), composite(c, matrix, d)),
        (true, 6) => format!("({} {bin} {})", composite(c, true, d), composite(c, false, d)),
        (true, _) => format!("transpose(sin(transpose({})))", composite(c, true, d)),
        (false, 6) => format!("{}({}, dim=0)", ["sum", "mean"][pick(2) as usize], composite(c, true, d)),
        (false, _) => format!("(sin({}) @ (transpose({}) @ sin({})))", composite(c, false, d), composite(c, true, d), composite(c, true, d)),
    }
}

const COMPOSITE_ITEMS: &str = "
op Cube(a) {
    forward {
        save a
        return a * a * a
    }
    backward(g) {
        return g * (3 * a ** 2)
    }
}
fn twice(a) {
    return a + a
}
fn mix(a, b) {
    return sin(a) * b + a
}
";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_compositions(choices in prop::collection::vec(any::<u32>(), 0..40), v in prop::collection::vec(-1.0f64..1.0, 3), m in prop::collection::vec(-1.0f64..1.0, 6), matrix in any::<bool>()) {
        let expr = composite(&mut choices.into_iter(), matrix, 3);
        let out: &[usize] = if matrix { &[2, 3] } else { &[3] };
        // Leaves that the expression does not use get no gradient; always use both.
        let expr = format!("{expr} + sum(m * m) * 0 + sum(v * v) * 0");
        check(COMPOSITE_ITEMS, &[leaf("v", &[3], v), leaf("m", &[2, 3], m)], out, &expr)?;
    }
}
