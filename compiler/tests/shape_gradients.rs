//! The derivative rules of the shape ops and of batched matrix products against
//! central finite differences, in f64, over random inputs: the method of
//! `gradients.rs` (whose harness is copied here, so that file, which other work
//! extends, stays under the size limit), with operands of rank 3 and 4. The
//! harness names its result `y`, so leaves here are never called `y`.
//!
//! Tolerance: |fd - g| <= 1e-6 + 1e-5·|g|, as in `gradients.rs`, whose module
//! comment derives it.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use graphc_runtime::{DType, Tensor};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const H: f64 = 1e-6;

fn tolerance(g: f64) -> f64 {
    1e-6 + 1e-5 * g.abs()
}

/// A leaf of the program: a name, a shape and its row-major values.
#[derive(Clone, Debug)]
struct Leaf {
    name: &'static str,
    shape: Vec<usize>,
    values: Vec<f64>,
}

fn leaf(name: &'static str, shape: &[usize], values: Vec<f64>) -> Leaf {
    assert_eq!(shape.iter().product::<usize>(), values.len(), "leaf {name}");
    Leaf { name, shape: shape.to_vec(), values }
}

/// A nested `.act` list literal. `{:?}` prints the shortest text that reads back
/// to the same f64, so the program sees exactly these values.
fn literal(shape: &[usize], values: &[f64]) -> String {
    match shape.split_first() {
        None => format!("{:?}", values[0]),
        Some((&n, rest)) => {
            let step = rest.iter().product::<usize>();
            let items: Vec<String> = (0..n).map(|i| literal(rest, &values[i * step..(i + 1) * step])).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// A fixed pseudo-random weight for an output of `n` elements, each of magnitude
/// in [0.5, 1.5] so that no output element is weighted (near) zero, which would
/// hide a wrong gradient contribution from it.
fn weights(n: usize) -> Vec<f64> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let m = 0.5 + u;
            if s & 1 == 0 {
                m
            } else {
                -m
            }
        })
        .collect()
}

/// Builds the program described in the module comment. `items` are `op`/`fn`
/// declarations; `expr` is `f` written over the leaves' names; `out_shape` is f's shape.
fn program(items: &str, leaves: &[Leaf], out_shape: &[usize], expr: &str) -> String {
    let w = weights(out_shape.iter().product());
    let mut s = format!("{items}\nw = tensor({}, dtype=f64)\n", literal(out_shape, &w));
    for l in leaves {
        s += &format!("{} = tensor({}, dtype=f64, requires_grad=true)\n", l.name, literal(&l.shape, &l.values));
    }
    s += &format!("y = sum(({expr}) * w)\ny.backward()\n");
    for l in leaves {
        s += &format!("print({}.grad)\n", l.name);
    }
    for (i, l) in leaves.iter().enumerate() {
        for j in 0..l.values.len() {
            for sign in [1.0, -1.0] {
                for (k, other) in leaves.iter().enumerate() {
                    let mut v = other.values.clone();
                    if k == i {
                        v[j] += sign * H;
                    }
                    s += &format!("{} = tensor({}, dtype=f64)\n", other.name, literal(&other.shape, &v));
                }
                s += &format!("print(sum(({expr}) * w))\n");
            }
        }
    }
    s
}

/// Compiles and runs the program, then checks every gradient element against
/// its central difference.
fn check(items: &str, leaves: &[Leaf], out_shape: &[usize], expr: &str) -> Result<(), TestCaseError> {
    let source = program(items, leaves, out_shape, expr);
    let compiled = match compile(&source, false) {
        Ok(c) => c,
        Err(d) => {
            return Err(TestCaseError::fail(format!(
                "does not compile:\n{}\n{source}",
                graphc_compiler::diag::render(&d, "grad.act", &source, false)
            )))
        }
    };
    let (_, printed) = run_capture(&compiled.plan).map_err(|e| TestCaseError::fail(format!("run failed: {e}")))?;
    let n_fd: usize = leaves.iter().map(|l| 2 * l.values.len()).sum();
    prop_assert_eq!(printed.len(), leaves.len() + n_fd, "printed tensors of\n{}", source);
    let (grads, ys) = printed.split_at(leaves.len());
    let ys: Vec<f64> = ys.iter().map(scalar).collect();
    let mut k = 0;
    for (l, g) in leaves.iter().zip(grads) {
        prop_assert_eq!(g.dtype(), DType::F64, "{}.grad dtype", l.name);
        prop_assert_eq!(g.shape(), &l.shape[..], "{}.grad shape", l.name);
        let g = g.to_f64_vec();
        for (j, &x) in l.values.iter().enumerate() {
            // The actual step after rounding x ± h, not 2h, is the divisor.
            let step = (x + H) - (x - H);
            let fd = (ys[k] - ys[k + 1]) / step;
            k += 2;
            prop_assert!(
                (fd - g[j]).abs() <= tolerance(g[j]),
                "{}.grad[{}] = {:e} but the central difference is {:e} for `{}` at {:?}\n{}",
                l.name,
                j,
                g[j],
                fd,
                expr,
                leaves,
                source
            );
        }
    }
    Ok(())
}

fn scalar(t: &Tensor) -> f64 {
    assert_eq!(t.numel(), 1, "y is one element");
    assert_eq!(t.dtype(), DType::F64, "y is f64");
    t.to_f64_vec()[0]
}

// ------------------------------------------------------------------ strategies

/// Values anywhere in [-2, 2].
fn any_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-2.0f64..2.0, n)
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 16, ..ProptestConfig::default() }
}

// ------------------------------------------------------------------ batched matmul

proptest! {
    #![proptest_config(config())]

    #[test]
    fn matmul_3d_2d_folds(a in any_vals(24), b in any_vals(8)) {
        check("", &[leaf("a", &[2, 3, 4], a), leaf("b", &[4, 2], b)], &[2, 3, 2], "a @ b")?;
    }

    #[test]
    fn matmul_2d_3d(a in any_vals(6), b in any_vals(24)) {
        check("", &[leaf("a", &[2, 3], a), leaf("b", &[4, 3, 2], b)], &[4, 2, 2], "a @ b")?;
    }

    #[test]
    fn matmul_batches_broadcast(a in any_vals(12), b in any_vals(18)) {
        check("", &[leaf("a", &[2, 1, 2, 3], a), leaf("b", &[3, 3, 2], b)], &[2, 3, 2, 2], "matmul(a, b)")?;
    }

    #[test]
    fn matmul_vector_and_batch(a in any_vals(3), b in any_vals(24), c in any_vals(4)) {
        check("", &[leaf("a", &[3], a), leaf("b", &[2, 3, 4], b), leaf("c", &[4], c)], &[2], "(a @ b) @ c")?;
    }

    #[test]
    fn bmm_rule(a in any_vals(12), b in any_vals(12)) {
        check("", &[leaf("a", &[2, 2, 3], a), leaf("b", &[2, 3, 2], b)], &[2, 2, 2], "bmm(a, b)")?;
    }
}

// ------------------------------------------------------------------ permutations

proptest! {
    #![proptest_config(config())]

    #[test]
    fn permute_rule(v in any_vals(24)) {
        check("", &[leaf("x", &[2, 3, 4], v)], &[4, 2, 3], "x.permute(2, 0, 1) * x.permute([2, 0, 1]).sin()")?;
    }

    #[test]
    fn transpose_dims_rule(v in any_vals(24)) {
        check("", &[leaf("x", &[2, 3, 4], v)], &[4, 3, 2], "transpose(x, 0, -1).exp()")?;
    }

    #[test]
    fn mt_rule(a in any_vals(12), b in any_vals(12)) {
        check("", &[leaf("a", &[2, 2, 3], a), leaf("b", &[2, 2, 3], b)], &[2, 2, 2], "a @ b.mT")?;
    }
}

// ------------------------------------------------------------------ shape ops

proptest! {
    #![proptest_config(config())]

    #[test]
    fn reshape_and_view_rule(v in any_vals(24)) {
        check("", &[leaf("x", &[2, 3, 4], v)], &[6, 4], "x.reshape(6, -1) * x.view([6, 4]).sin()")?;
    }

    #[test]
    fn reshape_of_a_transpose_rule(v in any_vals(24)) {
        check("", &[leaf("x", &[2, 3, 4], v)], &[24], "x.mT.reshape(-1).exp() + x.mT.flatten()")?;
    }

    #[test]
    fn squeeze_unsqueeze_flatten_rule(v in any_vals(6)) {
        check("", &[leaf("x", &[2, 1, 3], v)], &[6], "x.squeeze(1).unsqueeze(0).flatten().sin() * x.squeeze().flatten(0, 1).flatten()")?;
    }

    #[test]
    fn expand_rule(v in any_vals(3)) {
        check("", &[leaf("u", &[3, 1], v)], &[2, 3, 4], "u.expand(2, -1, 4).sin() * u.expand_as(ones(2, 3, 4))")?;
    }

    #[test]
    fn repeat_rule(v in any_vals(6)) {
        check("", &[leaf("u", &[2, 3], v)], &[2, 4, 6], "u.repeat(2, 2, 2).sin()")?;
    }

    #[test]
    fn cat_rule(a in any_vals(6), b in any_vals(9)) {
        check("", &[leaf("a", &[3, 2], a), leaf("b", &[3, 3], b)], &[3, 7], "cat([a.sin(), b, a], -1)")?;
    }

    #[test]
    fn stack_rule(a in any_vals(6), b in any_vals(6)) {
        check("", &[leaf("a", &[2, 3], a), leaf("b", &[2, 3], b)], &[2, 3, 2], "stack([a.exp(), b], 2)")?;
    }

    #[test]
    fn split_and_chunk_rule(v in any_vals(20)) {
        check("", &[leaf("x", &[4, 5], v)], &[4, 5], "cat(x.split([2, 3], 1), 1).sin() + cat(x.chunk(3, 0), 0) * cat(x.split(2, 0), 0)")?;
    }
}

// ------------------------------------------------------------------ subscripts

proptest! {
    #![proptest_config(config())]

    #[test]
    fn select_rule(v in any_vals(24)) {
        check("", &[leaf("x", &[2, 3, 4], v)], &[4], "x[0, -1].exp() * x[1, 1]")?;
    }

    #[test]
    fn slice_rule(v in any_vals(24)) {
        check("", &[leaf("x", &[2, 3, 4], v)], &[2, 2, 2], "x[:, 1:, ::2].sin() + x[..., 1:3][:, -2:]")?;
    }

    #[test]
    fn new_axis_and_ellipsis_rule(v in any_vals(12)) {
        check("", &[leaf("x", &[3, 4], v)], &[3, 1, 4], "x[:, none].exp() * x[..., none, :]")?;
    }

    #[test]
    fn list_subscript_rule(v in any_vals(12)) {
        check("", &[leaf("x", &[3, 4], v)], &[3, 2], "x.split(2, 1)[1].sin() * x.chunk(2, -1)[0]")?;
    }
}
