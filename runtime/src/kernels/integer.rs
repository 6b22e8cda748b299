//! Kernels for i64 and bool tensors: the ops the compiler lets integer and bool
//! values reach (its type rules reject the rest: see `TypeRule`). Integer
//! arithmetic wraps on overflow, as PyTorch's two's-complement C++ kernels do in
//! practice; sums and products have no rounding, so their order does not matter.

use super::broadcast::{expand, Broadcast};
use super::{integer_more, matmul, shape, slice};
use crate::op::{Activation, Binary, Op, ReduceKind, Unary};
use crate::tensor::{numel, Data, Tensor};

/// PyTorch's integer `arange`: `start + step * i` in int64 (wrapping, where C++
/// would be undefined), into `out`.
pub fn arange_i64_into(start: i64, step: i64, out: &mut [i64]) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = start.wrapping_add(step.wrapping_mul(i as i64));
    }
}

/// Evaluates `op` for an i64 result; operands are i64 (the compiler converts them).
pub fn eval_i64(op: &Op, args: &[&Tensor], out: &[usize]) -> Tensor {
    let n = numel(out);
    let arg = |i: usize| -> &[i64] { args[i].as_i64().unwrap_or_else(|| panic!("`{}` of i64 got a {} operand", op.name(), args[i].dtype())) };
    let data: Vec<i64> = match op {
        Op::Full(v) => vec![v.get_i64(); n],
        Op::Literal(vs) => vs.iter().map(|v| v.get_i64()).collect(),
        // PyTorch's integer arange computes `start + step * i` in int64.
        Op::Arange { start, step } => {
            let mut v = vec![0; n];
            arange_i64_into(start.get_i64(), step.get_i64(), &mut v);
            v
        }
        Op::Unary(Unary::Neg) => arg(0).iter().map(|x| x.wrapping_neg()).collect(),
        Op::Unary(Unary::Abs) => arg(0).iter().map(|x| x.wrapping_abs()).collect(),
        Op::Unary(Unary::Relu) => arg(0).iter().map(|&x| x.max(0)).collect(),
        Op::Unary(Unary::Sign | Unary::Signum) => arg(0).iter().map(|x| x.signum()).collect(),
        // PyTorch's rounding functions leave integers as they are.
        Op::Unary(Unary::Floor | Unary::Ceil | Unary::Round | Unary::Trunc) => arg(0).to_vec(),
        Op::Unary(Unary::Detach) => arg(0).to_vec(),
        // The compiler sends only exponents in 0..=u32::MAX; the power wraps as the product would.
        Op::PowScalar(c) => arg(0).iter().map(|x| x.wrapping_pow(c.get() as u32)).collect(),
        Op::Binary(b) => {
            let mut data = vec![0; n];
            binary_i64_into(*b, args[0], args[1], out, &mut data);
            data
        }
        Op::Sum { dim } => sum_i64(arg(0), args[0].shape(), *dim),
        Op::MatMul => matmul_i64(arg(0), args[0].shape(), arg(1), args[1].shape()),
        Op::Reduce { kind: ReduceKind::Amax | ReduceKind::Amin, dims, .. } => {
            integer_more::extreme(arg(0), args[0].shape(), dims, matches!(op, Op::Reduce { kind: ReduceKind::Amin, .. }))
        }
        Op::Reduce { kind: ReduceKind::Prod | ReduceKind::ProdAll, dims, .. } => integer_more::product(arg(0), args[0].shape(), dims),
        Op::Cumsum { dim, reverse } => integer_more::cumsum(arg(0), args[0].shape(), *dim, *reverse),
        Op::Cumprod { dim } => integer_more::cumprod(arg(0), args[0].shape(), *dim),
        Op::Activation(Activation::Clamp { min, max }) => integer_more::clamp(arg(0), *min, *max),
        _ => return moved(op, args, out, "i64"),
    };
    assert_eq!(data.len(), n, "`{}` of i64 made {} elements for shape {out:?}", op.name(), data.len());
    Tensor::from_i64(out.to_vec(), data)
}

/// `Binary` `b` of i64 operands broadcast to shape `out`, into `dst` (a
/// pooled buffer: a training loop's step arithmetic runs every iteration).
pub fn binary_i64_into(b: Binary, x: &Tensor, y: &Tensor, out: &[usize], dst: &mut [i64]) {
    let f: fn(i64, i64) -> i64 = match b {
        Binary::Add => i64::wrapping_add,
        Binary::Sub => i64::wrapping_sub,
        Binary::Mul => i64::wrapping_mul,
        Binary::Maximum => std::cmp::max,
        Binary::Minimum => std::cmp::min,
        Binary::FloorDivide => floor_divide_i64,
        Binary::Remainder | Binary::PyRemainder => remainder_i64,
        Binary::Fmod => fmod_i64,
        Binary::Heaviside => |a, b| match a.cmp(&0) {
            std::cmp::Ordering::Equal => b,
            std::cmp::Ordering::Greater => 1,
            std::cmp::Ordering::Less => 0,
        },
        Binary::Div
        | Binary::Hypot
        | Binary::Logaddexp2
        | Binary::Pow
        | Binary::PowLibm
        | Binary::PowSleef
        | Binary::TanhBackward
        | Binary::Atan2
        | Binary::Copysign
        | Binary::Logaddexp
        | Binary::KeepGraph
        | Binary::LogSigmoidBackward => unsupported(&Op::Binary(b), "i64"),
    };
    fn arg(b: Binary, t: &Tensor) -> &[i64] {
        t.as_i64().unwrap_or_else(|| panic!("`{}` of i64 got a {} operand", Op::Binary(b).name(), t.dtype()))
    }
    assert_eq!(dst.len(), numel(out), "`{}` of i64 into {} elements for shape {out:?}", Op::Binary(b).name(), dst.len());
    let (x, y) = (Broadcast::new(arg(b, x), x.shape(), out), Broadcast::new(arg(b, y), y.shape(), out));
    for (i, d) in dst.iter_mut().enumerate() {
        *d = f(x.at(i), y.at(i));
    }
}

/// Evaluates `op` for a bool result: only sources and ops that move elements.
pub fn eval_bool(op: &Op, args: &[&Tensor], out: &[usize]) -> Tensor {
    let n = numel(out);
    match op {
        Op::Full(v) => Tensor::from_bool(out.to_vec(), vec![v.get() != 0.0; n]),
        Op::Literal(vs) => Tensor::from_bool(out.to_vec(), vs.iter().map(|v| v.get() != 0.0).collect()),
        Op::Unary(Unary::Detach) => args[0].clone(),
        _ => moved(op, args, out, "bool"),
    }
}

/// The ops that move elements without arithmetic, for i64 and bool tensors.
fn moved(op: &Op, args: &[&Tensor], out: &[usize], dtype: &str) -> Tensor {
    match args.first().map(|a| a.data()) {
        Some(Data::I64(_)) => Tensor::from_i64(out.to_vec(), move_elements(op, args, out, |t| t.as_i64(), dtype)),
        Some(Data::Bool(_)) => Tensor::from_bool(out.to_vec(), move_elements(op, args, out, |t| t.as_bool(), dtype)),
        _ => unsupported(op, dtype),
    }
}

/// The elements of a shape op's result, with the same generic kernels the float
/// dtypes use, so that moving integers can never differ from moving floats.
fn move_elements<'a, T: Copy + Default + 'a>(
    op: &Op,
    args: &[&'a Tensor],
    out: &[usize],
    get: impl Fn(&'a Tensor) -> Option<&'a [T]>,
    dtype: &str,
) -> Vec<T> {
    let arg = |i: usize| get(args[i]).unwrap_or_else(|| panic!("`{}` of {dtype} got a {} operand", op.name(), args[i].dtype()));
    match op {
        Op::Expand => expand(arg(0), args[0].shape(), out).into_owned(),
        Op::Reshape => arg(0).to_vec(),
        Op::Transpose => {
            let &[rows, cols] = args[0].shape() else { panic!("transpose of a {}-d tensor", args[0].shape().len()) };
            shape::transpose(arg(0), rows, cols)
        }
        Op::Permute(dims) => shape::permute(arg(0), args[0].shape(), dims),
        Op::Slice { dim, start, step } => slice::slice(arg(0), args[0].shape(), *dim, *start, *step, out),
        Op::SliceBackward { dim, start, step } => slice::slice_backward(arg(0), args[0].shape(), *dim, *start, *step, out, T::default()),
        Op::Cat { dim, .. } => {
            let parts: Vec<(&[T], &[usize])> = (0..args.len()).map(|i| (arg(i), args[i].shape())).collect();
            slice::cat(&parts, *dim, out)
        }
        _ => unsupported(op, dtype),
    }
}

fn unsupported(op: &Op, dtype: &str) -> ! {
    panic!("`{}` has no {dtype} kernel: the compiler's type rules never send it one", op.name())
}

/// `sum(x)` or `sum(x, dim=d)` of i64 values (exact up to wrapping, so in any order).
fn sum_i64(src: &[i64], shape: &[usize], dim: Option<usize>) -> Vec<i64> {
    let Some(d) = dim else {
        return vec![src.iter().fold(0i64, |a, &b| a.wrapping_add(b))];
    };
    let outer: usize = shape[..d].iter().product();
    let inner: usize = shape[d + 1..].iter().product();
    let len = shape[d];
    let mut out = vec![0i64; outer * inner];
    for o in 0..outer {
        for k in 0..len {
            for i in 0..inner {
                let v = src[(o * len + k) * inner + i];
                out[o * inner + i] = out[o * inner + i].wrapping_add(v);
            }
        }
    }
    out
}

/// PyTorch's `matmul` of i64 operands of any rank, with the float kernel's
/// shape rules and batch broadcasting (exact up to wrapping, so in any order).
fn matmul_i64(a: &[i64], sa: &[usize], b: &[i64], sb: &[usize]) -> Vec<i64> {
    let s = matmul::matmul_shape(sa, sb).unwrap_or_else(|e| panic!("matmul of shapes {sa:?} and {sb:?}: {e}"));
    let (m, k, n) = (s.m, s.k, s.n);
    let a_at = super::broadcast::broadcast_offsets(&s.a_batch, &s.batch);
    let b_at = super::broadcast::broadcast_offsets(&s.b_batch, &s.batch);
    let batches: usize = s.batch.iter().product();
    let mut out = vec![0i64; batches * m * n];
    for (t, c) in out.chunks_mut((m * n).max(1)).enumerate().take(batches) {
        let (a, b) = (&a[a_at[t] * m * k..], &b[b_at[t] * k * n..]);
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).fold(0i64, |acc, p| acc.wrapping_add(a[i * k + p].wrapping_mul(b[p * n + j])));
            }
        }
    }
    out
}

/// Python's `int.__floordiv__` for i64 (a zero divisor gives 0: the compiler
/// refuses a divisor known to be zero, see `docs/act-language.md`).
fn floor_divide_i64(a: i64, b: i64) -> i64 {
    if b == 0 {
        return 0;
    }
    let q = a.wrapping_div(b);
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

/// C's `%` for i64 (`torch.fmod` of integers): the dividend's sign (0 for a zero divisor).
fn fmod_i64(a: i64, b: i64) -> i64 {
    if b == 0 {
        return 0;
    }
    a.wrapping_rem(b)
}

/// Python's `int.__mod__` for i64: the sign of the divisor (0 for a zero divisor).
fn remainder_i64(a: i64, b: i64) -> i64 {
    if b == 0 {
        return 0;
    }
    let r = a.wrapping_rem(b);
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}
