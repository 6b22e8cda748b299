//! The kernels that write into a pooled buffer (`kernels::into`) must compute
//! exactly what the allocating kernels (`kernels::eval`) compute, whatever the
//! buffer held before (a pooled buffer holds a dead value's elements), and the
//! parallel matrix product must not depend on the thread count.

use graphc_runtime::kernels::matmul::{matmul_2d_into, matmul_bias_into};
use graphc_runtime::kernels::{eval, into::eval_into};
use graphc_runtime::op::{Binary, Cmp, IndexOp, Logical, Op, ReduceKind, Scalar, Unary};
use graphc_runtime::rng::Generator;
use graphc_runtime::tensor::Data;
use graphc_runtime::{DType, Tensor};

/// Bit patterns, so that NaN and -0.0 compare as themselves.
fn bits(t: &Tensor) -> Vec<u64> {
    match t.dtype() {
        DType::F32 => t.as_f32().unwrap().iter().map(|v| v.to_bits() as u64).collect(),
        DType::F64 => t.as_f64().unwrap().iter().map(|v| v.to_bits()).collect(),
        DType::I64 => t.as_i64().unwrap().iter().map(|&v| v as u64).collect(),
        DType::Bool => t.as_bool().unwrap().iter().map(|&v| v as u64).collect(),
    }
}

/// `op` evaluated both ways into a buffer full of NaN; asserts the same bits
/// and that the op has a kernel that writes into the buffer.
fn same_both_ways(op: Op, args: &[&Tensor], dtype: DType, shape: &[usize]) {
    let expected = eval(&op, args, dtype, shape);
    let mut buffer = Tensor::full(dtype, shape.to_vec(), f64::NAN);
    assert!(eval_into(&op, args, shape, &mut buffer), "`{}` has a kernel that writes into a buffer", op.name());
    assert_eq!(bits(&buffer), bits(&expected), "`{}` on shapes {:?}", op.name(), args.iter().map(|a| a.shape().to_vec()).collect::<Vec<_>>());
}

#[test]
fn the_training_step_ops_write_what_eval_returns() {
    let mut g = Generator::new();
    g.manual_seed(3);
    for dtype in [DType::F32, DType::F64] {
        let x = g.randn(dtype, &[1500, 64]);
        let w = g.randn(dtype, &[64, 32]);
        let bias = g.randn(dtype, &[32]);
        let h = g.randn(dtype, &[1500, 32]);
        let col = g.randn(dtype, &[1500, 1]);
        let logits = g.randn(dtype, &[1500, 10]);
        let one = Tensor::full(dtype, vec![], 0.5);
        same_both_ways(Op::MatMul, &[&x, &w], dtype, &[1500, 32]);
        same_both_ways(Op::Transpose, &[&x], dtype, &[64, 1500]);
        for b in [Binary::Add, Binary::Sub, Binary::Mul, Binary::Div] {
            same_both_ways(Op::Binary(b), &[&h, &bias], dtype, &[1500, 32]);
            same_both_ways(Op::Binary(b), &[&bias, &h], dtype, &[1500, 32]);
            same_both_ways(Op::Binary(b), &[&logits, &col], dtype, &[1500, 10]);
            same_both_ways(Op::Binary(b), &[&one, &h], dtype, &[1500, 32]);
            same_both_ways(Op::Binary(b), &[&h, &h], dtype, &[1500, 32]);
        }
        same_both_ways(Op::Unary(Unary::Neg), &[&h], dtype, &[1500, 32]);
        same_both_ways(Op::SumTo, &[&h], dtype, &[32]);
        same_both_ways(Op::SumTo, &[&h], dtype, &[1500, 1]);
        same_both_ways(Op::Sum { dim: None }, &[&h], dtype, &[]);
        same_both_ways(Op::Sum { dim: Some(0) }, &[&h], dtype, &[32]);
        same_both_ways(Op::Mean { dim: None }, &[&h], dtype, &[]);
        same_both_ways(Op::Mean { dim: Some(1) }, &[&h], dtype, &[1500]);
        same_both_ways(Op::Reduce { kind: ReduceKind::Sum, dims: vec![1], keepdim: true }, &[&logits], dtype, &[1500, 1]);
        same_both_ways(Op::Reduce { kind: ReduceKind::Mean, dims: vec![0], keepdim: false }, &[&logits], dtype, &[10]);
        same_both_ways(Op::Softmax { dim: 1, log: true }, &[&logits], dtype, &[1500, 10]);
        same_both_ways(Op::Softmax { dim: 1, log: false }, &[&logits], dtype, &[1500, 10]);
        same_both_ways(Op::Softmax { dim: 0, log: true }, &[&logits], dtype, &[1500, 10]);
        // The softmax gradients of a training step (grad, out): last dimension and another.
        let out = eval(&Op::Softmax { dim: 1, log: true }, &[&logits], dtype, &[1500, 10]);
        let grad = g.randn(dtype, &[1500, 10]);
        for (dim, log) in [(1, true), (1, false), (0, true), (0, false)] {
            same_both_ways(Op::SoftmaxBackward { dim, log }, &[&grad, &out], dtype, &[1500, 10]);
        }
        same_both_ways(Op::Full(Scalar::float(-0.25)), &[], dtype, &[1500, 1]);
        same_both_ways(Op::Reshape, &[&col], dtype, &[1500]);
        let labels = Tensor::from_i64(vec![1500, 1], (0..1500).map(|i| (i * 7 % 10) as i64).collect());
        same_both_ways(Op::Index(IndexOp::Gather { dim: 1 }), &[&logits, &labels], dtype, &[1500, 1]);
        same_both_ways(Op::Index(IndexOp::ScatterAdd { dim: 1 }), &[&col, &labels], dtype, &[1500, 10]);
    }
}

#[test]
fn an_op_without_such_a_kernel_says_so() {
    let x = Tensor::from_f32(vec![3], vec![1.0, 5.0, 2.0]);
    let mut buffer = Tensor::full(DType::I64, vec![], 0.0);
    let argmax = Op::Index(IndexOp::Arg { dim: None, min: false, keepdim: false });
    assert!(!eval_into(&argmax, &[&x], &[], &mut buffer), "argmax is evaluated by `eval`");
}

#[test]
fn matrix_products_do_not_depend_on_the_thread_count() {
    let mut g = Generator::new();
    g.manual_seed(5);
    // The step's products, forward and backward, odd sizes that split unevenly,
    // and long `k`s that split along it (a partial last panel, one just past two
    // panels, rows fewer than a tile).
    let shapes =
        [(1500, 64, 32), (1500, 32, 10), (32, 1500, 10), (64, 1500, 32), (1500, 10, 32), (517, 33, 19), (20, 513, 7), (5, 3000, 64), (64, 2048, 17)];
    for (m, k, n) in shapes {
        let a = g.randn(DType::F32, &[m, k]);
        let b = g.randn(DType::F32, &[k, n]);
        let with = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| eval(&Op::MatMul, &[&a, &b], DType::F32, &[m, n]))
        };
        let one = bits(&with(1));
        for threads in [2, 3, 4] {
            assert_eq!(bits(&with(threads)), one, "{m}x{k} @ {k}x{n} on {threads} threads");
        }
    }
}

#[test]
fn a_product_read_through_strides_equals_the_product_of_the_copied_transpose() {
    let mut g = Generator::new();
    g.manual_seed(9);
    // The backward's x.T @ g and g @ w.T, and uneven sizes; on 1 and 2 threads.
    for (m, k, n) in [(64, 1500, 32), (32, 1500, 10), (1500, 10, 32), (1500, 32, 64), (37, 101, 23), (3, 2, 5)] {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for (a_t, b_t) in [(true, false), (false, true), (true, true)] {
                // `a` holds the left operand (m x k), or its transpose when `a_t`.
                let (a_shape, b_shape) = (if a_t { [k, m] } else { [m, k] }, if b_t { [n, k] } else { [k, n] });
                let a = g.randn(DType::F32, &a_shape);
                let b = g.randn(DType::F32, &b_shape);
                let copied = |t: &Tensor, transposed: bool, shape: [usize; 2]| {
                    if transposed {
                        eval(&Op::Transpose, &[t], DType::F32, &shape)
                    } else {
                        t.clone()
                    }
                };
                let (ac, bc) = (copied(&a, a_t, [m, k]), copied(&b, b_t, [k, n]));
                let expected = pool.install(|| eval(&Op::MatMul, &[&ac, &bc], DType::F32, &[m, n]));
                let mut c = vec![f32::NAN; m * n];
                pool.install(|| matmul_2d_into(m, k, n, a.as_f32().unwrap(), a_t, b.as_f32().unwrap(), b_t, &mut c));
                let got = Tensor::from_f32(vec![m, n], c);
                assert_eq!(bits(&got), bits(&expected), "{m}x{k} @ {k}x{n}, transposed {a_t}/{b_t}, {threads} threads");
            }
        }
    }
}

#[test]
fn kernels_split_by_rows_do_not_depend_on_the_thread_count() {
    // Every kernel that splits its rows among the threads (`kernels/parts.rs`):
    // the softmaxes and their gradients along the last dimension, broadcast
    // arithmetic with a bias row, a per-row column and a same-shape operand,
    // and the gather and scatter of a cross-entropy.
    // Rows that split on a panel (1500), near the middle (600), unevenly (517)
    // and into parts of fewer rows than a softmax group (40, on 3 and 4 threads);
    // columns fewer than a vector (10, 19: groups of four and the rest), two
    // vectors (32) and many (3000); and 9000 rows, enough for the gather and
    // scatter of a label per row to split (`kernels/index.rs`, SPLIT_INDEX).
    let mut g = Generator::new();
    g.manual_seed(11);
    for dtype in [DType::F32, DType::F64] {
        for (rows, cols) in [(1500, 10), (600, 32), (517, 19), (40, 3000), (1500, 32), (9000, 10)] {
            let x = g.randn(dtype, &[rows, cols]);
            let grad = g.randn(dtype, &[rows, cols]);
            let bias = g.randn(dtype, &[cols]);
            let col = g.randn(dtype, &[rows, 1]);
            let out = eval(&Op::Softmax { dim: 1, log: true }, &[&x], dtype, &[rows, cols]);
            // A label per row, and the gradient of the picked entries.
            let labels = Tensor::from_i64(vec![rows, 1], (0..rows).map(|r| ((r * 7 + 3) % cols) as i64).collect());
            let probs = eval(&Op::Softmax { dim: 1, log: false }, &[&x], dtype, &[rows, cols]);
            let full = vec![rows, cols];
            let cases: Vec<(Op, Vec<&Tensor>, Vec<usize>)> = vec![
                (Op::Softmax { dim: 1, log: true }, vec![&x], full.clone()),
                (Op::Softmax { dim: 1, log: false }, vec![&x], full.clone()),
                (Op::SoftmaxBackward { dim: 1, log: true }, vec![&grad, &out], full.clone()),
                (Op::SoftmaxBackward { dim: 1, log: false }, vec![&grad, &probs], full.clone()),
                (Op::Binary(Binary::Add), vec![&x, &bias], full.clone()),
                (Op::Binary(Binary::Div), vec![&bias, &x], full.clone()),
                (Op::Binary(Binary::Sub), vec![&x, &col], full.clone()),
                (Op::Binary(Binary::Mul), vec![&x, &grad], full.clone()),
                // A cross-entropy's gather and its gradient's scatter along the rows.
                (Op::Index(IndexOp::Gather { dim: 1 }), vec![&x, &labels], vec![rows, 1]),
                (Op::Index(IndexOp::ScatterAdd { dim: 1 }), vec![&col, &labels], full.clone()),
                // Column sums (a bias gradient) run on the caller.
                (Op::SumTo, vec![&x], vec![cols]),
                (Op::Sum { dim: Some(0) }, vec![&grad], vec![cols]),
            ];
            for (op, args, shape) in cases {
                let with = |threads: usize| {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    let mut buffer = Tensor::full(dtype, shape.clone(), f64::NAN);
                    assert!(pool.install(|| eval_into(&op, &args, &shape, &mut buffer)));
                    bits(&buffer)
                };
                let one = with(1);
                for threads in [2, 3, 4] {
                    assert_eq!(with(threads), one, "`{}` of {rows}x{cols} {dtype:?} on {threads} threads", op.name());
                }
            }
        }
    }
}

#[test]
fn a_product_with_its_bias_has_the_bits_of_the_two_ops() {
    // `matmul_bias_into` (the machine's step for `x @ w + b`, exec/epilogue.rs)
    // against the product and then the broadcast addition, both operand
    // orders, on 1-3 threads: the digits layers, blocks of rows that end
    // inside a tile, two panels along `k` (the bias added after the second),
    // more columns than the narrow path takes, and a long `k` that splits
    // along `k`.
    let mut g = Generator::new();
    g.manual_seed(13);
    for dtype in [DType::F32, DType::F64] {
        for (m, k, n) in [(1500, 64, 32), (1500, 32, 10), (197, 7, 3), (600, 300, 20), (300, 20, 100), (40, 3000, 8)] {
            let (a, b, bias) = (g.randn(dtype, &[m, k]), g.randn(dtype, &[k, n]), g.randn(dtype, &[n]));
            let product = eval(&Op::MatMul, &[&a, &b], dtype, &[m, n]);
            for bias_first in [false, true] {
                let args = if bias_first { [&bias, &product] } else { [&product, &bias] };
                let expected = bits(&eval(&Op::Binary(Binary::Add), &args, dtype, &[m, n]));
                for threads in [1, 2, 3] {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    let mut out = Tensor::full(dtype, vec![m, n], f64::NAN);
                    pool.install(|| match out.data_mut() {
                        Data::F32(c) => matmul_bias_into(m, k, n, a.as_f32().unwrap(), b.as_f32().unwrap(), bias.as_f32().unwrap(), bias_first, c),
                        Data::F64(c) => matmul_bias_into(m, k, n, a.as_f64().unwrap(), b.as_f64().unwrap(), bias.as_f64().unwrap(), bias_first, c),
                        _ => unreachable!("float tensors"),
                    });
                    assert_eq!(bits(&out), expected, "{m}x{k} @ {k}x{n} {dtype:?}, bias first {bias_first}, {threads} threads");
                }
            }
        }
    }
}

/// `op` evaluated both ways, into a buffer holding `old` (a dead value's
/// elements, as a pooled buffer holds): the same elements, and a kernel that
/// writes into the buffer.
fn same_into_old(op: Op, args: &[&Tensor], old: Tensor) {
    let (dtype, shape) = (old.dtype(), old.shape().to_vec());
    let expected = eval(&op, args, dtype, &shape);
    let mut buffer = old;
    assert!(eval_into(&op, args, &shape, &mut buffer), "`{}` of {dtype} has a kernel that writes into a buffer", op.name());
    assert_eq!(bits(&buffer), bits(&expected), "`{}` on shapes {:?}", op.name(), args.iter().map(|a| a.shape().to_vec()).collect::<Vec<_>>());
}

#[test]
fn a_loops_host_values_write_what_eval_returns() {
    // A training loop's `step % 50 == 0 or step == 299` and its constants, 0-d
    // and broadcast, into buffers that held other values.
    let step = Tensor::from_i64(vec![], vec![250]);
    let fifty = Tensor::from_i64(vec![], vec![50]);
    let v = Tensor::from_i64(vec![5], vec![-7, 0, 3, 299, i64::MAX]);
    let old_i64 = |shape: Vec<usize>| {
        let n = shape.iter().product();
        Tensor::from_i64(shape, vec![-1; n])
    };
    for b in [Binary::Add, Binary::Sub, Binary::Mul, Binary::Maximum, Binary::Minimum, Binary::FloorDivide, Binary::Remainder] {
        same_into_old(Op::Binary(b), &[&step, &fifty], old_i64(vec![]));
        same_into_old(Op::Binary(b), &[&v, &fifty], old_i64(vec![5]));
        same_into_old(Op::Binary(b), &[&fifty, &v], old_i64(vec![5]));
    }
    same_into_old(Op::Full(Scalar::Int(299)), &[], old_i64(vec![]));
    same_into_old(Op::Full(Scalar::Int(-3)), &[], old_i64(vec![2, 3]));
    let old_bool = |shape: Vec<usize>, b: bool| {
        let n = shape.iter().product();
        Tensor::from_bool(shape, vec![b; n])
    };
    same_into_old(Op::Full(Scalar::float(1.0)), &[], old_bool(vec![3], false));
    same_into_old(Op::Full(Scalar::float(0.0)), &[], old_bool(vec![3], true));
    let x = Tensor::from_f32(vec![5], vec![-1.0, 0.0, f32::NAN, 2.5, -0.0]);
    let zero = Tensor::from_f32(vec![], vec![0.0]);
    for cmp in Cmp::ALL {
        same_into_old(Op::Compare(cmp), &[&step, &fifty], old_bool(vec![], true));
        same_into_old(Op::Compare(cmp), &[&v, &step], old_bool(vec![5], true));
        same_into_old(Op::Compare(cmp), &[&x, &zero], old_bool(vec![5], false));
        same_into_old(Op::Compare(cmp), &[&zero, &x], old_bool(vec![5], true));
    }
    let p = Tensor::from_bool(vec![4], vec![true, true, false, false]);
    let q = Tensor::from_bool(vec![4], vec![true, false, true, false]);
    let t = Tensor::from_bool(vec![], vec![true]);
    for l in [Logical::And, Logical::Or] {
        same_into_old(Op::Logical(l), &[&p, &q], old_bool(vec![4], true));
        same_into_old(Op::Logical(l), &[&p, &t], old_bool(vec![4], false));
    }
    same_into_old(Op::Logical(Logical::Not), &[&p], old_bool(vec![4], true));
}

#[test]
fn an_optimizers_casts_and_fused_multiply_adds_write_what_eval_returns() {
    // Adam's step count cast to a float, `addcmul`/`lerp` with a 0-d weight, and
    // a cast between every pair of dtypes, into buffers that held other values.
    let mut g = Generator::new();
    g.manual_seed(5);
    let ints = Tensor::from_i64(vec![2, 3], vec![-4, 0, 7, i64::MAX, 1 << 53, -1]);
    let bools = Tensor::from_bool(vec![2, 3], vec![true, false, false, true, true, false]);
    for src in [g.randn(DType::F32, &[2, 3]), g.randn(DType::F64, &[2, 3]), ints, bools] {
        for dtype in [DType::F32, DType::F64, DType::I64, DType::Bool] {
            same_into_old(Op::Cast, &[&src], Tensor::full(dtype, vec![2, 3], 3.0));
        }
    }
    let step = Tensor::from_i64(vec![], vec![12]);
    same_into_old(Op::Cast, &[&step], Tensor::full(DType::F64, vec![], -1.0));
    for dtype in [DType::F32, DType::F64] {
        let (p, q, r) = (g.randn(dtype, &[32, 10]), g.randn(dtype, &[32, 10]), g.randn(dtype, &[10]));
        let w = Tensor::full(dtype, vec![], 0.001);
        let old = || Tensor::full(dtype, vec![32, 10], f64::NAN);
        same_into_old(Op::Fma, &[&p, &q, &r], old());
        same_into_old(Op::Fma, &[&p, &w, &q], old());
        same_into_old(Op::Fma, &[&w, &p, &q], old());
        same_into_old(Op::Fma, &[&r, &p, &w], old());
    }
}

#[test]
fn where_writes_what_eval_returns() {
    // `where(cond, x, y)` with a broadcast condition and 0-d values, of each dtype.
    let mut g = Generator::new();
    g.manual_seed(9);
    let cond = Tensor::from_bool(vec![3, 1], vec![true, false, true]);
    let full_cond = Tensor::from_bool(vec![3, 4], (0..12).map(|i| i % 5 < 2).collect());
    for dtype in [DType::F32, DType::F64, DType::I64, DType::Bool] {
        let x = Tensor::full(dtype, vec![3, 4], 1.0);
        let y = match dtype {
            DType::F32 | DType::F64 => g.randn(dtype, &[4]),
            _ => Tensor::full(dtype, vec![4], 0.0),
        };
        let zero = Tensor::full(dtype, vec![], 0.0);
        let old = || Tensor::full(dtype, vec![3, 4], 7.0);
        same_into_old(Op::Select, &[&cond, &x, &y], old());
        same_into_old(Op::Select, &[&full_cond, &zero, &x], old());
        same_into_old(Op::Select, &[&full_cond, &y, &zero], old());
    }
}

/// The element of an operand of shape `src` that broadcasting reads at flat
/// position `flat` of a result of shape `out`, straight from NumPy's rule
/// (dimensions aligned at the right, a size-1 dimension read at index 0).
fn broadcast_source(src: &[usize], out: &[usize], mut flat: usize) -> usize {
    let mut index = vec![0; out.len()];
    for k in (0..out.len()).rev() {
        index[k] = flat % out[k];
        flat /= out[k];
    }
    let lead = out.len() - src.len();
    src.iter().enumerate().fold(0, |offset, (k, &s)| offset * s + if s == 1 { 0 } else { index[lead + k] })
}

#[test]
fn expand_writes_every_element_where_broadcasting_reads_it() {
    // A gather's row index widened to the rows' length (`x[idx]` in a
    // mini-batch loop), a bias row, a middle and a leading size-1 dimension,
    // a 0-d value, an empty result, and the same shape; each dtype.
    let cases: [(&[usize], &[usize]); 9] = [
        (&[100, 1], &[100, 64]),
        (&[64], &[3, 64]),
        (&[3, 1, 4], &[2, 3, 5, 4]),
        (&[1, 5], &[4, 5]),
        (&[], &[2, 3]),
        (&[1], &[7]),
        (&[2, 1], &[2, 0]),
        (&[2, 3], &[2, 3]),
        (&[], &[]),
    ];
    for (src, out) in cases {
        let n: usize = src.iter().product();
        let m: usize = out.iter().product();
        let reference = |flat: usize| broadcast_source(src, out, flat) as i64 * 3 - 5;
        let tensors = [
            (Tensor::from_i64(src.to_vec(), (0..n as i64).map(|i| i * 3 - 5).collect()), Tensor::from_i64(out.to_vec(), vec![9; m])),
            (Tensor::from_f32(src.to_vec(), (0..n).map(|i| i as f32 * 3.0 - 5.0).collect()), Tensor::full(DType::F32, out.to_vec(), f64::NAN)),
            (Tensor::from_f64(src.to_vec(), (0..n).map(|i| i as f64 * 3.0 - 5.0).collect()), Tensor::full(DType::F64, out.to_vec(), f64::NAN)),
        ];
        for (x, old) in tensors {
            let dtype = x.dtype();
            let mut buffer = old;
            assert!(eval_into(&Op::Expand, &[&x], out, &mut buffer), "expand of {dtype} writes into a buffer");
            let allocated = eval(&Op::Expand, &[&x], dtype, out);
            for t in [&buffer, &allocated] {
                let got: Vec<i64> = (0..m).map(|i| t.f64_at(i).expect("a number") as i64).collect();
                let want: Vec<i64> = (0..m).map(reference).collect();
                assert_eq!(got, want, "expand {src:?} -> {out:?} of {dtype}");
            }
        }
        // Bools: the operand's parity.
        let x = Tensor::from_bool(src.to_vec(), (0..n).map(|i| i % 2 == 1).collect());
        let mut buffer = Tensor::from_bool(out.to_vec(), vec![true; m]);
        assert!(eval_into(&Op::Expand, &[&x], out, &mut buffer));
        let want: Vec<bool> = (0..m).map(|i| broadcast_source(src, out, i) % 2 == 1).collect();
        assert_eq!(buffer.as_bool().unwrap(), &want[..], "expand {src:?} -> {out:?} of bool");
    }
}

#[test]
fn arange_writes_what_eval_returns() {
    // Integer and float ranges, the float ones long enough for the vector
    // blocks of PyTorch's kernel and a tail, into buffers that held other values.
    same_into_old(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, &[], Tensor::from_i64(vec![1500], vec![-1; 1500]));
    same_into_old(Op::Arange { start: Scalar::Int(7), step: Scalar::Int(-3) }, &[], Tensor::from_i64(vec![5], vec![-1; 5]));
    for dtype in [DType::F32, DType::F64] {
        for n in [0, 1, 15, 16, 37, 160] {
            same_into_old(Op::Arange { start: Scalar::float(-8.0), step: Scalar::float(0.1) }, &[], Tensor::full(dtype, vec![n], 3.0));
        }
    }
}
