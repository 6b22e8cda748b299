//! Kernels that write into a buffer the machine hands them, so that running a
//! plan again reuses the buffers of the run before instead of allocating.
//!
//! [`eval_into`] covers the one-op kernels of a training step (matrix products,
//! broadcast arithmetic, reductions to a shape, softmax and its gradient, gather and its
//! gradient, transposes, reshapes, `expand`, constants and `arange`; an
//! optimizer's casts, `where` and fused multiply-adds; and the host values of a
//! loop's condition: i64 arithmetic, comparisons and logical ops); each computes exactly what
//! [`super::eval`] computes, through the same kernel code. For any other op, or
//! a broadcast this file has no loop for, it returns `false` and the machine
//! falls back to `eval`, which allocates the result.

use smallvec::SmallVec;

use super::elementwise::{activation_into, binary_compiled, map2, pow_scalar_into, unary_into, Arg};
use super::float::Float;
use super::matmul::{matmul_into, Gemm};
use super::{broadcast, dtypes, fma, index, integer, reduce, shape, softmax, sources};
use crate::op::{Binary, ElementFn2, IndexOp, Op, ReduceKind};
use crate::tensor::{DType, Data, Tensor};

/// Whether [`eval_into`] writes `op` of operands of these dtypes and shapes into
/// a buffer of `dtype` and `shape`. Known from the plan alone, so that the
/// machine takes a buffer only for such ops and the compile-time peak
/// (`compiler/src/schedule/peak.rs`) counts memory as the machine holds it.
pub fn writes_into(op: &Op, args: &[(DType, &[usize])], dtype: DType, shape: &[usize]) -> bool {
    let float = dtype.is_float();
    let same_shape = || args[0].1 == shape;
    match op {
        Op::Index(IndexOp::Gather { .. } | IndexOp::ScatterAdd { .. }) => args[0].0 == dtype && dtype != DType::Bool,
        Op::Reshape => true,
        Op::Full(_) => true,
        Op::SumTo | Op::Sum { .. } | Op::Mean { .. } | Op::Softmax { .. } | Op::MatMul => float,
        Op::SoftmaxBackward { .. } => float && same_shape() && args[1].1 == shape,
        Op::Reduce { kind: ReduceKind::Sum | ReduceKind::Mean, .. } => float,
        Op::Reduce { kind: ReduceKind::NllSum | ReduceKind::NllMean, .. } => float && args[0].1.len() == 1 && shape.is_empty(),
        Op::Unary(_) | Op::Activation(_) | Op::PowScalar(_) => float && same_shape(),
        Op::Transpose => float && args[0].1.len() == 2,
        Op::Binary(b) => (float && rows_into(*b, args[0].1, shape) && rows_into(*b, args[1].1, shape)) || dtype == DType::I64,
        Op::Compare(_) | Op::Logical(_) | Op::Cast | Op::Select => true,
        Op::Expand => args[0].0 == dtype,
        Op::Arange { .. } => dtype != DType::Bool,
        Op::Fma => float,
        _ => false,
    }
}

/// Whether [`binary_broadcast_into`] takes an operand of shape `s` of `op`: an
/// op whose bits depend on the position in PyTorch's rows
/// ([`Binary::by_position`]) only when the result is one row.
fn rows_into(op: Binary, s: &[usize], out: &[usize]) -> bool {
    match row_kind(s, out) {
        Some(RowKind::Full | RowKind::Scalar) => true,
        Some(RowKind::Row | RowKind::Column) => !op.by_position(),
        None => false,
    }
}

/// Evaluates `op` into `out`, a buffer of the node's dtype and `shape` whose
/// contents are unspecified. Returns `false`, leaving `out` unspecified, when
/// the op has no kernel that writes into a buffer ([`writes_into`] says which).
pub fn eval_into(op: &Op, args: &[&Tensor], shape: &[usize], out: &mut Tensor) -> bool {
    assert_eq!(out.shape(), shape, "the result buffer of `{}` has another shape than the node", op.name());
    let operands: SmallVec<[(DType, &[usize]); 4]> = args.iter().map(|a| (a.dtype(), a.shape())).collect();
    writes_into(op, &operands, out.dtype(), shape) && write_into(op, args, shape, out)
}

/// [`eval_into`] for a caller that has asked [`writes_into`] already, with the
/// same operands (the machine asks once per step, before it takes the buffer).
/// Returns `false`, leaving `out` unspecified, for an op it has no kernel for.
pub fn write_into(op: &Op, args: &[&Tensor], shape: &[usize], out: &mut Tensor) -> bool {
    debug_assert_eq!(out.shape(), shape, "the result buffer of `{}` has another shape than the node", op.name());
    match op {
        Op::Index(i) => return index::eval_into(*i, args, out),
        Op::Reshape => return copy_into(args[0], out),
        Op::Expand => return expand_into(args[0], out),
        Op::Compare(cmp) => {
            dtypes::compare_into(*cmp, args[0], args[1], out);
            return true;
        }
        Op::Logical(l) => {
            dtypes::logical_into(*l, args, out);
            return true;
        }
        Op::Cast => {
            dtypes::cast_into(args[0], out);
            return true;
        }
        Op::Select => {
            dtypes::select_into(args[0], args[1], args[2], out);
            return true;
        }
        _ => {}
    }
    match out.data_mut() {
        Data::F32(v) => typed_into::<f32>(op, args, shape, v),
        Data::F64(v) => typed_into::<f64>(op, args, shape, v),
        // As `integer::eval_i64` and `eval_bool` compute them.
        Data::I64(v) => match op {
            Op::Binary(b) => {
                integer::binary_i64_into(*b, args[0], args[1], shape, v);
                true
            }
            Op::Full(c) => {
                v.fill(c.get_i64());
                true
            }
            Op::Arange { start, step } => {
                integer::arange_i64_into(start.get_i64(), step.get_i64(), v);
                true
            }
            _ => false,
        },
        Data::Bool(v) => match op {
            Op::Full(c) => {
                v.fill(c.get() != 0.0);
                true
            }
            _ => false,
        },
    }
}

fn typed_into<T: Gemm>(op: &Op, args: &[&Tensor], shape: &[usize], out: &mut [T]) -> bool {
    // The operands of these ops have the result's dtype (`eval` dispatches the
    // others before its typed kernels, and they fall to the last arm here).
    let x = |i: usize| T::slice(args[i]);
    match op {
        Op::Full(v) => out.fill(T::from_f64(v.get())),
        Op::Arange { start, step } => sources::arange_into(start.get(), step.get(), out),
        Op::Fma => fma::fma_into([0, 1, 2].map(|i| (x(i), args[i].shape())), shape, out),
        Op::Unary(u) if args[0].shape() == shape => unary_into(*u, Arg::Slice(x(0)), out),
        Op::Activation(f) if args[0].shape() == shape => activation_into(*f, Arg::Slice(x(0)), out),
        Op::PowScalar(c) if args[0].shape() == shape => pow_scalar_into(Arg::Slice(x(0)), c.get(), out),
        Op::Binary(b) => return binary_broadcast_into(*b, (x(0), args[0].shape()), (x(1), args[1].shape()), shape, out),
        Op::SumTo => broadcast::sum_to_into(x(0), args[0].shape(), shape, out),
        Op::Sum { dim } | Op::Mean { dim } => {
            let s = args[0].shape();
            let reduced: SmallVec<[bool; 8]> = (0..s.len()).map(|d| dim.is_none_or(|k| k == d)).collect();
            sum_then_divide(x(0), s, &reduced, matches!(op, Op::Mean { .. }), out);
        }
        Op::Reduce { kind: kind @ (ReduceKind::Sum | ReduceKind::Mean), dims, .. } => {
            let s = args[0].shape();
            let reduced: SmallVec<[bool; 8]> = (0..s.len()).map(|d| dims.contains(&d)).collect();
            sum_then_divide(x(0), s, &reduced, *kind == ReduceKind::Mean, out);
        }
        Op::Reduce { kind: kind @ (ReduceKind::NllSum | ReduceKind::NllMean), .. } => {
            let src = x(0);
            let sum = super::reduce_dims::nll_cascade(src, None);
            out[0] = if *kind == ReduceKind::NllMean { sum / T::from_usize(src.len()) } else { sum };
        }
        Op::Softmax { dim, log } => softmax::softmax_into(x(0), args[0].shape(), *dim, *log, out),
        Op::SoftmaxBackward { dim, log } => softmax::softmax_backward_into(x(0), x(1), shape, *dim, *log, out),
        Op::MatMul => matmul_into(x(0), args[0].shape(), x(1), args[1].shape(), out),
        Op::Transpose => match *args[0].shape() {
            [rows, cols] => shape::transpose_into(x(0), rows, cols, out),
            _ => return false,
        },
        _ => return false,
    }
    true
}

/// `expand` of any dtype: the operand broadcast to the result's shape.
fn expand_into(src: &Tensor, out: &mut Tensor) -> bool {
    let shape: SmallVec<[usize; 8]> = out.shape().into();
    match (src.data(), out.data_mut()) {
        (Data::F32(x), Data::F32(o)) => broadcast::expand_into(x, src.shape(), &shape, o),
        (Data::F64(x), Data::F64(o)) => broadcast::expand_into(x, src.shape(), &shape, o),
        (Data::I64(x), Data::I64(o)) => broadcast::expand_into(x, src.shape(), &shape, o),
        (Data::Bool(x), Data::Bool(o)) => broadcast::expand_into(x, src.shape(), &shape, o),
        _ => return false,
    }
    true
}

/// `reshape` of any dtype: the elements in order.
fn copy_into(src: &Tensor, out: &mut Tensor) -> bool {
    if src.dtype() != out.dtype() {
        return false;
    }
    out.copy_from(src);
    true
}

/// The sum over the `reduced` dimensions, divided by their element count for a
/// mean: `sum(...).div_(count)` as `reduce::mean` computes it.
fn sum_then_divide<T: Gemm>(src: &[T], shape: &[usize], reduced: &[bool], mean: bool, out: &mut [T]) {
    reduce::sum_dims_into(src, shape, reduced, out);
    if mean {
        let count: usize = shape.iter().zip(reduced).filter(|(_, &r)| r).map(|(s, _)| s).product();
        let c = T::from_usize(count);
        for o in out.iter_mut() {
            *o = *o / c;
        }
    }
}

/// How an operand of shape `s` broadcasts along the rows of a result of shape
/// `out`, or `None` for a broadcast without a row loop here.
#[derive(Clone, Copy, PartialEq)]
enum RowKind {
    Full,
    Scalar,
    Row,
    Column,
}

fn row_kind(s: &[usize], out: &[usize]) -> Option<RowKind> {
    if s == out {
        return Some(RowKind::Full);
    }
    let cols = *out.last()?;
    let r = out.len();
    if s.iter().product::<usize>() == 1 {
        Some(RowKind::Scalar)
    } else if s.last() == Some(&cols) && s[..s.len() - 1].iter().all(|&d| d == 1) {
        Some(RowKind::Row)
    } else if s.len() == r && s[r - 1] == 1 && s[..r - 1] == out[..r - 1] {
        Some(RowKind::Column)
    } else {
        None
    }
}

/// How one operand of a broadcast binary op is read along one row of the result
/// (its last dimension).
#[derive(Clone, Copy)]
enum RowOperand<'a, T> {
    /// The operand has the result's shape: its own row.
    Full(&'a [T]),
    /// One element (a wrapped number): the same value everywhere.
    Scalar(T),
    /// Only the last dimension (a bias `[C]` or `[1, C]`): the same row for every row.
    Row(&'a [T]),
    /// The last dimension is 1 and the others are the result's (`[N, 1]`): one value per row.
    Column(&'a [T]),
}

impl<'a, T: Copy> RowOperand<'a, T> {
    fn classify(data: &'a [T], s: &[usize], out: &[usize]) -> Option<Self> {
        Some(match row_kind(s, out)? {
            RowKind::Full => RowOperand::Full(data),
            RowKind::Scalar => RowOperand::Scalar(data[0]),
            RowKind::Row => RowOperand::Row(data),
            RowKind::Column => RowOperand::Column(data),
        })
    }

    /// The operand for the result as one flat row, when it does not broadcast along rows.
    fn whole(self) -> Option<Arg<'a, T>> {
        match self {
            RowOperand::Full(d) => Some(Arg::Slice(d)),
            RowOperand::Scalar(v) => Some(Arg::Scalar(v)),
            RowOperand::Row(_) | RowOperand::Column(_) => None,
        }
    }

    fn at_row(self, i: usize, cols: usize) -> Arg<'a, T> {
        match self {
            RowOperand::Full(d) => Arg::Slice(&d[i * cols..(i + 1) * cols]),
            RowOperand::Scalar(v) => Arg::Scalar(v),
            RowOperand::Row(d) => Arg::Slice(d),
            RowOperand::Column(d) => Arg::Scalar(d[i]),
        }
    }
}

/// A binary op whose operands broadcast to `out_shape`: the same element formula
/// as `elementwise::binary`, applied row by row without expanding the operands.
fn binary_broadcast_into<T: Gemm>(op: Binary, a: (&[T], &[usize]), b: (&[T], &[usize]), out_shape: &[usize], out: &mut [T]) -> bool {
    if out.is_empty() {
        return true;
    }
    let (Some(x), Some(y)) = (RowOperand::classify(a.0, a.1, out_shape), RowOperand::classify(b.0, b.1, out_shape)) else {
        return false;
    };
    let total = out.len();
    // A 0-d result is one row of one element.
    let cols = out_shape.last().copied().unwrap_or(1);
    debug_assert_eq!(out.len() % cols, 0);
    // The threads take parts of the rows, as every kernel of a step does (`parts.rs`).
    super::parts::for_row_parts(out, cols, out.len() >= super::parts::SPLIT_ELEMENTS, &|rows, out| {
        if let (Some(x), Some(y)) = (x.whole(), y.whole()) {
            // Neither operand changes from row to row: one loop over the part.
            let elements = rows.start * cols..rows.end * cols;
            let start = elements.start;
            return binary_compiled(op, x.part(elements.clone()), y.part(elements), out, start, total);
        }
        // The op's formula is looked up once for all the rows: a bias row of ten
        // or thirty-two elements costs less than the lookup.
        op.with_element(Rows2 { x, y, rows, cols, out })
    });
    true
}

/// Rows `rows` of a broadcast binary op, written to `out` (those rows only).
struct Rows2<'a, 'b, T> {
    x: RowOperand<'a, T>,
    y: RowOperand<'a, T>,
    rows: std::ops::Range<usize>,
    cols: usize,
    out: &'b mut [T],
}

impl<T: Float> ElementFn2<T> for Rows2<'_, '_, T> {
    type Output = ();
    #[inline(always)]
    fn call(self, f: impl Fn(T, T) -> T + Copy) {
        let (x, y, cols) = (self.x, self.y, self.cols);
        for (i, row) in self.rows.zip(self.out.chunks_mut(cols)) {
            map2(x.at_row(i, cols), y.at_row(i, cols), row, f);
        }
    }
}
