//! The derivative rules of the builtins that finished issue 9 (`gelu` in both
//! modes, `relu6`, `round` with `decimals`, `prod`) against central finite
//! differences, in f64, with the checker of `gradients.rs` (`fd/`).

use crate::fd::*;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use proptest::prelude::*;

/// Values at least 0.1 from every integer in [-4, 8), so that a step of h never
/// crosses relu6's kinks at 0 and 6.
fn off_integer_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-4i32..8, 0.1f64..0.9), n).prop_map(|v| v.into_iter().map(|(k, f)| f64::from(k) + f).collect())
}

/// Values at least 0.01 from every rounding boundary of one decimal place
/// (`k / 10 + 0.05`), so that the step never crosses a jump of `round`.
fn off_boundary_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-30i32..30, -0.04f64..0.04), n).prop_map(|v| v.into_iter().map(|(k, f)| f64::from(k) / 10.0 + f).collect())
}

/// Values with exact zeros at the positions `zeros` picks (the others
/// anywhere), so that `prod`'s gradient takes PyTorch's zero-safe path.
fn with_zeros(n: usize) -> impl Strategy<Value = Vec<f64>> {
    (any_vals(n), prop::collection::vec(0..n, 1..3)).prop_map(|(mut v, zeros)| {
        for z in zeros {
            v[z] = 0.0;
        }
        v
    })
}

proptest! {
    #![proptest_config(config())]

    /// Everything, one dimension, and one dimension kept, without zeros.
    #[test]
    fn prod_rule(v in any_vals(6)) {
        check("", &[leaf("x", &[2, 3], v)], &[3], "prod(x) * x[0] + x.prod(1).sum() + prod(x, dim=0, keepdim=true)")?;
    }

    /// With one or two zero elements: the product is a polynomial, so central
    /// differences are exact there too.
    #[test]
    fn prod_rule_at_zeros(v in with_zeros(6)) {
        check("", &[leaf("x", &[2, 3], v)], &[3], "prod(x) * x[0] + x.prod(1).sum() + prod(x, dim=0, keepdim=true)")?;
    }

    /// The exact form, erf's.
    #[test]
    fn gelu_rule(v in any_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "gelu(x)")?; }

    #[test]
    fn gelu_tanh_rule(v in any_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "gelu(x, approximate=\"tanh\")")?; }

    #[test]
    fn relu6_rule(v in off_integer_vals(6)) { check("", &[leaf("x", &[6], v)], &[6], "relu6(x)")?; }

    /// Zero away from the jumps, with positive and negative `decimals`.
    #[test]
    fn round_decimals_rule(v in off_boundary_vals(6)) {
        check("", &[leaf("x", &[6], v)], &[6], "round(x, decimals=1) * x + x.round(decimals=-1)")?;
    }
}

/// The second derivatives of `gelu` in both modes and of `prod`, `grad` of a
/// gradient derived with `create_graph=true` (the backward formulas are graph
/// ops whose own rules differentiate them), against central differences of the
/// first gradient.
#[test]
fn second_derivatives_match_differences_of_the_first() {
    second_derivatives(&[-3.0, -1.2, -0.4, 0.1, 0.9, 2.5], &["gelu(X, approximate=\"none\").sum()", "gelu(X, approximate=\"tanh\").sum()", PRODS]);
}

/// Products over all elements and along a dimension.
const PRODS: &str = "prod(X) * 0.5 + X.reshape(2, 3).prod(1).sum()";

/// `prod`'s second derivative where the input has one zero or two (in one row
/// of the reshaped 2 x 3, or one in each): the first gradient takes PyTorch's
/// zero-safe form there (the products of the others), whose own derivative
/// the differences check. The shifted inputs have no zero, so their gradients
/// come from the quotient form: the two forms must agree to the differences.
#[test]
fn second_derivatives_of_prod_at_zeros_match_differences_of_the_first() {
    for xs in [[-3.0, 0.0, -0.4, 0.1, 0.9, 2.5], [0.0, -1.2, 0.0, 0.1, 0.9, 2.5], [0.0, -1.2, -0.4, 0.0, 0.9, 2.5]] {
        second_derivatives(&xs, &[PRODS]);
    }
}

/// `prod`'s third derivative where the input has zeros: the second takes
/// `prod_others_vjp` there, and its own derivative is the same op with one
/// more direction. Checked against central differences of the second
/// derivative, which the shifted, zero-free inputs take from the quotient
/// form. Before the directions, the third derivative at zeros was zero. The
/// step is 1e-4: the quotient form's second derivative next to two zeros
/// (each shifted to h) carries rounding errors that a step of 1e-6 magnifies
/// to 4e-5, while the truncation error of the polynomial stays below 1e-7.
#[test]
fn third_derivatives_of_prod_at_zeros_match_differences_of_the_second() {
    for xs in [[-3.0, 0.0, -0.4, 0.1, 0.9, 2.5], [0.0, -1.2, 0.0, 0.1, 0.9, 2.5], [0.0, -1.2, -0.4, 0.0, 0.9, 2.5]] {
        let third = derivatives_against_differences(&xs, PRODS, 3, 1e-4);
        assert!(third.iter().any(|&t| t != 0.0), "the third derivative at {xs:?} is not all zeros");
    }
}

/// Checks `grad(grad(f(x), create_graph=true).sum(), x)` for each `f` (with `X`
/// for its argument) at `xs` against central differences of the first gradient.
fn second_derivatives(xs: &[f64; 6], fs: &[&str]) {
    for f in fs {
        derivatives_against_differences(xs, f, 2, H);
    }
}

/// The `order`-th derivative of `f` at `xs` (each gradient summed and
/// differentiated again) against central differences, with step `h`, of the
/// one before it along all elements at once; both sides are the sum over the
/// other indices of the symmetric derivative tensor. Returns the derivative.
fn derivatives_against_differences(xs: &[f64; 6], f: &str, order: usize, h: f64) -> Vec<f64> {
    let list = |d: f64| format!("[{}]", xs.iter().map(|x| format!("{:?}", x + d)).collect::<Vec<_>>().join(", "));
    let mut src = String::new();
    for (name, d) in [("x", 0.0), ("xp", h), ("xm", -h)] {
        src += &format!("{name} = tensor({}, dtype=f64, requires_grad=true)\n", list(d));
        src += &format!("d1_{name} = grad({}, {name}, create_graph=true)[0]\n", f.replace('X', name));
        for k in 2..order {
            src += &format!("d{k}_{name} = grad(d{}_{name}.sum(), {name}, create_graph=true)[0]\n", k - 1);
        }
    }
    let last = order - 1;
    src += &format!("print(grad(d{last}_x.sum(), x)[0])\nprint(d{last}_xp)\nprint(d{last}_xm)\n");
    let c = compile(&src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
    let t = run_capture(&c.plan).expect("runs").1;
    let v = |i: usize| t[i].as_f64().expect("f64").to_vec();
    let (rules, plus, minus) = (v(0), v(1), v(2));
    for i in 0..xs.len() {
        let fd = (plus[i] - minus[i]) / (2.0 * h);
        assert!((rules[i] - fd).abs() <= tolerance(fd), "{f} at {xs:?}, element {i}: {} by the rules, {fd} by differences", rules[i]);
    }
    rules
}

proptest! {
    #![proptest_config(config())]

    /// Below, above and on shifted diagonals, on a batch of matrices.
    #[test]
    fn tril_triu_rule(v in any_vals(12)) {
        check("", &[leaf("x", &[2, 2, 3], v)], &[2, 2, 3], "tril(x) + triu(x, diagonal=1) * 2 + x.tril(-1) * 3")?;
    }

    /// A matrix's diagonals read, and a vector's written into a matrix.
    #[test]
    fn diag_rule(v in any_vals(9), w in any_vals(3)) {
        check("", &[leaf("x", &[3, 3], v), leaf("u", &[3], w)], &[3], "diag(x) + diag(x, 1).sum() + diag(u, -1).sum(1)[1:]")?;
    }

    /// Both operands of each: the input (overwritten where `scatter` writes),
    /// and the source, with an index that hits one position twice.
    #[test]
    fn scatter_rules(v in any_vals(9), s in any_vals(6)) {
        let expr = "scatter(x, 0, tensor([[0, 2, 1], [2, 0, 0]]), s) + scatter_add(x, 1, tensor([[0, 2, 1], [2, 2, 0]]), s) * 2";
        check("", &[leaf("x", &[3, 3], v), leaf("s", &[2, 3], s)], &[3, 3], expr)?;
    }

    /// Rows added at a repeated position.
    #[test]
    fn index_add_rule(v in any_vals(6), s in any_vals(6)) {
        check("", &[leaf("x", &[2, 3], v), leaf("s", &[2, 3], s)], &[2, 3], "index_add(x, 1, tensor([2, 0, 2]), s)")?;
    }
}
