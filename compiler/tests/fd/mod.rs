//! The finite-difference checker that `gradients.rs` and `gradients_elementwise.rs`
//! share (see `gradients.rs` for what it checks and its tolerance). Each test
//! crate uses a part of it, so unused items are allowed here.
#![allow(dead_code)]

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use graphc_runtime::{DType, Tensor};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

pub const H: f64 = 1e-6;

pub fn tolerance(g: f64) -> f64 {
    1e-6 + 1e-5 * g.abs()
}

/// A leaf of the program: a name, a shape and its row-major values.
#[derive(Clone, Debug)]
pub struct Leaf {
    pub name: &'static str,
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
}

pub fn leaf(name: &'static str, shape: &[usize], values: Vec<f64>) -> Leaf {
    assert_eq!(shape.iter().product::<usize>(), values.len(), "leaf {name}");
    Leaf { name, shape: shape.to_vec(), values }
}

/// A nested `.act` list literal. `{:?}` prints the shortest text that reads back
/// to the same f64, so the program sees exactly these values.
pub fn literal(shape: &[usize], values: &[f64]) -> String {
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
pub fn weights(n: usize) -> Vec<f64> {
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
pub fn program(items: &str, leaves: &[Leaf], out_shape: &[usize], expr: &str) -> String {
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
pub fn check(items: &str, leaves: &[Leaf], out_shape: &[usize], expr: &str) -> Result<(), TestCaseError> {
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

pub fn scalar(t: &Tensor) -> f64 {
    assert_eq!(t.numel(), 1, "y is one element");
    assert_eq!(t.dtype(), DType::F64, "y is f64");
    t.to_f64_vec()[0]
}

// ------------------------------------------------------------------ strategies

/// Values anywhere in [-2, 2].
pub fn any_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-2.0f64..2.0, n)
}

/// Values in [0.5, 2]: the domain of log, sqrt and non-integer powers, kept away
/// from 0 where their derivatives blow up and finite differences lose accuracy.
pub fn pos_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.5f64..2.0, n)
}

/// Values with 0.1 <= |v| <= 2, for relu, abs and divisors: h never crosses the kink or pole.
pub fn nonzero_vals(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((0.1f64..2.0, any::<bool>()).prop_map(|(m, neg)| if neg { -m } else { m }), n)
}

/// Two vectors whose elements differ by at least 0.1 everywhere, for maximum and minimum.
pub fn distinct_pair(n: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (any_vals(n), nonzero_vals(n)).prop_map(|(a, d)| {
        let b = a.iter().zip(&d).map(|(x, d)| x + d).collect();
        (a, b)
    })
}

pub fn config() -> ProptestConfig {
    ProptestConfig { cases: 32, ..ProptestConfig::default() }
}
