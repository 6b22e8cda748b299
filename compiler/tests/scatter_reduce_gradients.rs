//! The derivatives of `scatter_reduce` (PyTorch's `scatter_reduce_backward`)
//! against central finite differences in f64, with the checker of
//! `gradients.rs` (`fd/`): every reduction with and without `include_self`,
//! indices that repeat positions, zeros in products (one or two at a
//! position), and ties of two for `amax`/`amin`, where the central difference
//! is exactly the half that PyTorch's even split gives each.

use crate::fd::*;
use proptest::prelude::*;

/// Along dimension 0 of a 3 x 3 input: positions 0 and 1 of each column get
/// several sources, position 2 of column 1 none.
const ROWS: &str = "tensor([[0, 1, 2], [1, 0, 0], [0, 0, 1], [1, 0, 2]])";

/// `n` distinct values, 0.3 apart, in a random order, shifted by `offset`: no
/// ties unless a test makes them. The input's values are shifted off the
/// sources', since PyTorch counts an input element equal to the result as a tie
/// even without `include_self` (its gradient is then zeroed, and the sources get
/// a share less than the derivative); `examples/scatter_reduce.act` prints that.
fn distinct(n: usize, offset: f64) -> impl Strategy<Value = Vec<f64>> {
    Just((0..n).collect::<Vec<usize>>()).prop_shuffle().prop_map(move |p| p.into_iter().map(|k| k as f64 * 0.3 - 1.7 + offset).collect())
}

/// Both operands, both settings of `include_self`, along a dimension that repeats positions.
fn both(reduce: &str) -> String {
    format!(
        "scatter_reduce(x, 0, {ROWS}, s, \"{reduce}\") + x.scatter_reduce(1, {ROWS}.t()[0:3, 0:3], s[0:3, 0:3], \"{reduce}\", include_self=false) * 2"
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sum_rule(x in any_vals(9), s in any_vals(12)) {
        check("", &[leaf("x", &[3, 3], x), leaf("s", &[4, 3], s)], &[3, 3], &both("sum"))?;
    }

    #[test]
    fn mean_rule(x in any_vals(9), s in any_vals(12)) {
        check("", &[leaf("x", &[3, 3], x), leaf("s", &[4, 3], s)], &[3, 3], &both("mean"))?;
    }

    #[test]
    fn prod_rule(x in any_vals(9), s in any_vals(12)) {
        check("", &[leaf("x", &[3, 3], x), leaf("s", &[4, 3], s)], &[3, 3], &both("prod"))?;
    }

    /// Zeros in the input and in the sources: one zero source at a position
    /// takes PyTorch's masked path, two make the product's gradient zero there.
    #[test]
    fn prod_rule_at_zeros(x in any_vals(9), s in any_vals(12), zx in 0..9usize, zs in prop::collection::vec(0..12usize, 1..4)) {
        let (mut x, mut s) = (x, s);
        x[zx] = 0.0;
        for z in zs {
            s[z] = 0.0;
        }
        check("", &[leaf("x", &[3, 3], x), leaf("s", &[4, 3], s)], &[3, 3], &both("prod"))?;
    }

    #[test]
    fn amax_rule(x in distinct(9, 0.15), s in distinct(12, 0.0)) {
        check("", &[leaf("x", &[3, 3], x), leaf("s", &[4, 3], s)], &[3, 3], &both("amax"))?;
    }

    #[test]
    fn amin_rule(x in distinct(9, 0.15), s in distinct(12, 0.0)) {
        check("", &[leaf("x", &[3, 3], x), leaf("s", &[4, 3], s)], &[3, 3], &both("amin"))?;
    }

    /// Ties of two at the extreme: two sources at position 0, and the input's
    /// element with one source at position 2.
    #[test]
    fn amax_amin_ties(x in distinct(3, 0.15), s in distinct(4, 0.0)) {
        let (mut x, mut s) = (x, s);
        s[0] = 5.0;
        s[2] = 5.0;
        x[2] = 5.0;
        s[3] = 5.0;
        let expr = "scatter_reduce(x, 0, tensor([0, 1, 0, 2]), s, \"amax\")";
        check("", &[leaf("x", &[3], x.clone()), leaf("s", &[4], s.clone())], &[3], expr)?;
        for v in x.iter_mut().chain(s.iter_mut()) {
            *v = -*v;
        }
        let expr = "scatter_reduce(x, 0, tensor([0, 1, 0, 2]), s, \"amin\")";
        check("", &[leaf("x", &[3], x), leaf("s", &[4], s)], &[3], expr)?;
    }
}

/// A backward through `scatter(reduce=)` is E0410 at the backward, pointing at
/// the scatter too; the forward alone compiles, as PyTorch runs it.
#[test]
fn scatter_with_reduce_has_no_derivative() {
    let fwd = "w = tensor([1.0, 2.0], requires_grad=true)\ny = scatter(w, 0, tensor([1]), tensor([3.0]), reduce=\"add\")\nprint(y)\n";
    assert!(graphc_compiler::driver::compile(fwd, false).is_ok());
    for tail in ["y.sum().backward()\n", "print(grad(y.sum(), w)[0])\n"] {
        let src = format!("{fwd}{tail}");
        let diags = match graphc_compiler::driver::compile(&src, false) {
            Ok(_) => panic!("compiles:\n{src}"),
            Err(d) => d,
        };
        assert_eq!(diags[0].code.as_str(), "E0410", "{diags:?}");
        assert_eq!(diags[0].secondary.len(), 1, "{diags:?}");
    }
    // scatter_reduce itself, and scatter(reduce=) of values that need no grad, differentiate.
    let ok = "w = tensor([1.0, 2.0], requires_grad=true)\ny = scatter_reduce(w, 0, tensor([1]), tensor([3.0]), \"sum\") * scatter(ones(2), 0, tensor([0]), 2.0, reduce=\"multiply\")\ny.sum().backward()\nprint(w.grad)\n";
    assert!(graphc_compiler::driver::compile(ok, false).is_ok());
}
