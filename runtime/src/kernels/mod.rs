//! PyTorch-exact CPU kernels for every non-random [`Op`].
//!
//! `eval` checks the dtype once and hands typed slices to generic kernels, split
//! by concern: [`elementwise`] (one and two operands, `where`), [`broadcast`]
//! (`Expand`, `SumTo` and operand broadcasting), [`reduce`] (`Sum`, `Mean`),
//! [`matmul`], [`shape`] (`Transpose`, `Permute`), [`slice`] (`Slice`, `SliceBackward`, `Cat`) and [`sources`] (`Full`, `Literal`,
//! `Arange`, `Linspace`), [`layer_norm`]. Each kernel's doc says which PyTorch kernel it follows.
//! The conversions between dtypes (casts, comparisons, `select`, logical ops,
//! float tests) dispatch on their operands in [`dtypes`], and i64 and bool
//! results run the kernels of [`integer`].
//! [`vmath`] is the exception: fast vector math within an ulp or two of exact,
//! for values that are not printed at PyTorch precision.

pub mod avg_pool;
pub mod batch_norm;
pub mod broadcast;
pub mod conv;
pub mod cpu;
pub mod dtypes;
pub mod elementwise;
pub mod float;
pub mod fma;
pub mod glibc_exp;
pub mod grid_sample;
pub mod group_norm;
pub mod index;
pub mod integer;
pub mod integer_more;
pub mod into;
pub mod layer_norm;
pub mod loss;
pub mod matmul;
pub mod parts;
pub mod pool;
pub mod prod;
pub mod prod_reduce;
pub mod reduce;
pub mod reduce_dims;
pub mod scan;
pub mod shape;
pub mod skinny;
#[cfg(target_arch = "x86_64")]
mod skinny_avx2;
pub mod sleef;
pub mod slice;
pub mod softmax;
pub mod softmax_narrow;
pub mod sort;
pub mod sources;
pub mod stl;
pub mod upsample;
pub mod vmath;

use crate::op::{Conv, ConvPart, GroupNorm, LayerNorm, LayerNormPart, Op, ReduceKind};
use crate::tensor::{numel, DType, Tensor};
use matmul::Gemm;

/// Evaluates a pure op on its operands, producing a tensor of `dtype` and `shape`
/// (the node's static type). Panics on `Randn`, `Rand` and `Param`, which are not
/// pure: the compiler never asks for them here.
pub fn eval(op: &Op, args: &[&Tensor], dtype: DType, shape: &[usize]) -> Tensor {
    assert_eq!(args.len(), op.arity(), "{} takes {} operands, got {}", op.name(), op.arity(), args.len());
    // The ops whose operands have other dtypes than the result dispatch on their own.
    match op {
        Op::Cast => return dtypes::cast(args[0], dtype),
        Op::Compare(cmp) => return dtypes::compare(*cmp, args[0], args[1], shape),
        Op::Select => return dtypes::select(args[0], args[1], args[2], shape),
        Op::Logical(l) => return dtypes::logical(*l, args, shape),
        Op::FloatTest(t) => return dtypes::float_test(*t, args[0]),
        Op::Index(i) => return index::eval(*i, args, shape),
        _ => {}
    }
    match dtype {
        DType::F32 => eval_typed::<f32>(op, args, shape),
        DType::F64 => eval_typed::<f64>(op, args, shape),
        DType::I64 => integer::eval_i64(op, args, shape),
        DType::Bool => integer::eval_bool(op, args, shape),
    }
}

/// One op of the `layer_norm` family: its rows are the last `dims`
/// dimensions of `x` (the operand after `grad` for the gradients).
fn layer_norm_part<T: Gemm>(ln: &LayerNorm, args: &[&Tensor], shape: &[usize]) -> Vec<T> {
    let row_len = |x: &Tensor| numel(&x.shape()[x.shape().len() - ln.dims..]);
    let eps = ln.eps.get();
    match ln.part {
        LayerNormPart::Forward { weight, bias } => {
            let w = weight.then(|| T::slice(args[1]));
            let b = bias.then(|| T::slice(args[1 + weight as usize]));
            layer_norm::layer_norm(T::slice(args[0]), row_len(args[0]), w, b, eps)
        }
        LayerNormPart::InputGrad { weight } => {
            let w = weight.then(|| T::slice(args[2]));
            layer_norm::input_grad(T::slice(args[0]), T::slice(args[1]), row_len(args[1]), w, eps)
        }
        LayerNormPart::WeightGrad => layer_norm::weight_grad(T::slice(args[0]), T::slice(args[1]), numel(shape), eps),
        LayerNormPart::BiasGrad => layer_norm::bias_grad(T::slice(args[0]), numel(shape)),
    }
}

/// One op of the `group_norm` family: `x` (the operand after `grad` for the
/// gradients) is `(N, C, *)`.
fn group_norm_part<T: Gemm>(gn: &GroupNorm, args: &[&Tensor]) -> Vec<T> {
    let eps = gn.eps.get();
    match gn.part {
        LayerNormPart::Forward { weight, bias } => {
            let w = weight.then(|| T::slice(args[1]));
            let b = bias.then(|| T::slice(args[1 + weight as usize]));
            group_norm::group_norm(T::slice(args[0]), group_norm::Layout::of(args[0].shape(), gn.groups), w, b, eps)
        }
        LayerNormPart::InputGrad { weight } => {
            let w = weight.then(|| T::slice(args[2]));
            group_norm::input_grad(T::slice(args[0]), T::slice(args[1]), group_norm::Layout::of(args[1].shape(), gn.groups), w, eps)
        }
        LayerNormPart::WeightGrad => {
            group_norm::weight_grad(T::slice(args[0]), T::slice(args[1]), group_norm::Layout::of(args[1].shape(), gn.groups), eps)
        }
        LayerNormPart::BiasGrad => group_norm::bias_grad(T::slice(args[0]), group_norm::Layout::of(args[0].shape(), gn.groups)),
    }
}

/// One op of the convolution family; the operands are `[N, C, H, W]` and
/// the result's shape gives its spatial size.
fn conv_part<T: Gemm>(c: &Conv, args: &[&Tensor], shape: &[usize]) -> Vec<T> {
    let bias = |has: bool| has.then(|| T::slice(args[2]));
    let (x, w) = (T::slice(args[0]), T::slice(args[1]));
    match c.part {
        ConvPart::Forward { bias: b } => conv::conv2d(c, x, args[0].shape(), w, args[1].shape(), bias(b), shape),
        ConvPart::Transposed { bias: b } => conv::conv_transpose2d(c, x, args[0].shape(), w, args[1].shape(), bias(b), shape),
        ConvPart::WeightGrad => conv::weight_grad(c, x, args[0].shape(), w, args[1].shape(), shape),
    }
}

fn eval_typed<T: Gemm>(op: &Op, args: &[&Tensor], shape: &[usize]) -> Tensor {
    let out = shape.to_vec();
    let n = numel(shape);
    let data: Vec<T> = match op {
        Op::Randn | Op::Rand | Op::Param(_) | Op::Input(_) | Op::Data(_) | Op::RegionOutput { .. } => panic!(
            "kernels::eval got `{}`: random ops are run by the generator, params are bound by autodiff and inputs by the machine; the compiler must not send them here",
            op.name()
        ),
        Op::Full(v) => vec![T::from_f64(v.get()); n],
        Op::Literal(vs) => {
            let vs: Vec<f64> = vs.iter().map(|v| v.get()).collect();
            assert_eq!(vs.len(), n, "literal with {} values for shape {shape:?}", vs.len());
            sources::literal(&vs)
        }
        Op::Arange { start, step } => sources::arange(start.get(), step.get(), n),
        Op::Linspace { start, end } => sources::linspace(start.get(), end.get(), n),
        Op::Unary(u) => {
            assert_eq!(args[0].shape(), shape, "{} must keep its operand's shape", op.name());
            elementwise::unary(*u, T::slice(args[0]))
        }
        Op::PowScalar(c) => {
            assert_eq!(args[0].shape(), shape, "{} must keep its operand's shape", op.name());
            elementwise::pow_scalar(c.get(), T::slice(args[0]))
        }
        Op::Activation(f) => {
            assert_eq!(args[0].shape(), shape, "{} must keep its operand's shape", op.name());
            elementwise::activation(*f, T::slice(args[0]))
        }
        Op::Binary(b) => elementwise::binary(*b, T::slice(args[0]), args[0].shape(), T::slice(args[1]), args[1].shape(), shape),
        Op::Where(cmp) => {
            let ops = [0, 1, 2, 3].map(|i| (T::slice(args[i]), args[i].shape()));
            elementwise::select(*cmp, ops, shape)
        }
        Op::Expand => broadcast::expand(T::slice(args[0]), args[0].shape(), shape).into_owned(),
        Op::SumTo => broadcast::sum_to(T::slice(args[0]), args[0].shape(), shape),
        Op::Reshape => {
            assert_eq!(args[0].numel(), n, "reshape of {:?} to {shape:?}", args[0].shape());
            T::slice(args[0]).to_vec()
        }
        Op::Transpose => match *args[0].shape() {
            [rows, cols] => {
                assert_eq!(shape, [cols, rows], "transpose of {:?} to {shape:?}", args[0].shape());
                shape::transpose(T::slice(args[0]), rows, cols)
            }
            ref s => panic!("transpose of a {}-d tensor (shape {s:?})", s.len()),
        },
        Op::Permute(dims) => {
            let expected: Vec<usize> = dims.iter().map(|&d| args[0].shape()[d]).collect();
            assert_eq!(shape, expected, "permute of {:?} by {dims:?} to {shape:?}", args[0].shape());
            shape::permute(T::slice(args[0]), args[0].shape(), dims)
        }
        Op::Slice { dim, start, step } => slice::slice(T::slice(args[0]), args[0].shape(), *dim, *start, *step, shape),
        Op::SliceBackward { dim, start, step } => {
            slice::slice_backward(T::slice(args[0]), args[0].shape(), *dim, *start, *step, shape, T::ZERO)
        }
        Op::Cat { dim, .. } => {
            let parts: Vec<(&[T], &[usize])> = args.iter().map(|a| (T::slice(a), a.shape())).collect();
            slice::cat(&parts, *dim, shape)
        }
        Op::Sum { dim } => reduce::sum(T::slice(args[0]), args[0].shape(), *dim),
        Op::Mean { dim } => reduce::mean(T::slice(args[0]), args[0].shape(), *dim),
        Op::Reduce { kind: ReduceKind::NllSumSkipping, .. } => {
            vec![reduce_dims::nll_cascade(T::slice(args[0]), Some(args[1].as_bool().expect("the skipped samples are a bool mask")))]
        }
        Op::Reduce { kind, dims, .. } => reduce_dims::reduce(*kind, T::slice(args[0]), args[0].shape(), dims),
        Op::Cumsum { dim, reverse } => scan::cumsum(T::slice(args[0]), args[0].shape(), *dim, *reverse),
        Op::Logcumsumexp { dim, reverse } => scan::logcumsumexp(T::slice(args[0]), args[0].shape(), *dim, *reverse),
        Op::Cumprod { dim } => scan::cumprod(T::slice(args[0]), args[0].shape(), *dim),
        Op::Loss { kind, reduction } => loss::loss(*kind, *reduction, T::slice(args[0]), T::slice(args[1])),
        Op::Softmax { dim, log } => softmax::softmax(T::slice(args[0]), args[0].shape(), *dim, *log),
        Op::LayerNorm(ln) => layer_norm_part(ln, args, shape),
        Op::GroupNorm(gn) => group_norm_part(gn, args),
        Op::Conv(c) => conv_part(c, args, shape),
        Op::AvgPool(p) => match p.part {
            crate::op::AvgPoolPart::Forward => avg_pool::forward(p, T::slice(args[0]), args[0].shape(), shape),
            crate::op::AvgPoolPart::Backward => avg_pool::backward(p, T::slice(args[0]), args[0].shape(), shape),
        },
        Op::Upsample(u) => match u.part {
            crate::op::UpsamplePart::Forward => upsample::forward(u, T::slice(args[0]), args[0].shape(), shape),
            crate::op::UpsamplePart::Backward => upsample::backward(u, T::slice(args[0]), args[0].shape(), shape),
        },
        Op::GridSample(g) => match g.part {
            crate::op::GridSamplePart::Forward => grid_sample::forward(g, T::slice(args[0]), args[0].shape(), T::slice(args[1]), shape),
            crate::op::GridSamplePart::InputGrad => grid_sample::input_grad(g, T::slice(args[0]), T::slice(args[1]), shape),
            crate::op::GridSamplePart::GridGrad => grid_sample::grid_grad(g, T::slice(args[0]), T::slice(args[1]), args[1].shape(), T::slice(args[2])),
        },
        Op::ProdOthers { dim } => prod::prod_others(T::slice(args[0]), args[0].shape(), *dim),
        Op::SoftmaxBackward { dim, log } => softmax::softmax_backward(T::slice(args[0]), T::slice(args[1]), args[0].shape(), *dim, *log),
        Op::ProdOthersVjp { dim, .. } => {
            let dirs: Vec<&[T]> = args[1..].iter().map(|a| T::slice(a)).collect();
            prod::prod_others_vjp(T::slice(args[0]), &dirs, args[0].shape(), *dim)
        }
        Op::MatMul => {
            let (c, c_shape) = matmul::matmul(T::slice(args[0]), args[0].shape(), T::slice(args[1]), args[1].shape());
            assert_eq!(c_shape, shape, "matmul result shape");
            c
        }
        Op::NanToNum { nan, posinf, neginf } => dtypes::nan_to_num(T::slice(args[0]), nan.get(), posinf.get(), neginf.get()),
        Op::Fma => fma::fma([0, 1, 2].map(|i| (T::slice(args[i]), args[i].shape())), shape),
        Op::Cast | Op::Compare(_) | Op::Select | Op::Logical(_) | Op::FloatTest(_) | Op::Index(_) => {
            unreachable!("`{}` is dispatched by `eval`", op.name())
        }
    };
    T::tensor(out, data)
}
