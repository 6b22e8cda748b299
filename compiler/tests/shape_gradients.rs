//! The derivative rules of the shape ops and of batched matrix products against
//! central finite differences, in f64, over random inputs: the method of
//! `gradients.rs`, with its harness (`fd/`), on operands of rank 3 and 4. The
//! harness names its result `y`, so leaves here are never called `y`.
//!
//! Tolerance: |fd - g| <= 1e-6 + 1e-5·|g|, as in `gradients.rs`, whose module
//! comment derives it.

use crate::fd::*;
use proptest::prelude::*;

/// Half of `fd::config`'s cases: the operands here are rank 3 and 4.
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
