//! Lowering of the pools of `torch.nn.functional`, each on a 4-D view of its
//! input (a batch of one for an unbatched input, height 1 for the 1-D pools)
//! after PyTorch's checks, whose messages the errors repeat:
//!
//! - `max_pool1d`/`max_pool2d`: an [`IndexOp::MaxPool`] node finds each
//!   window's position and a `gather` takes the values there, so the gradient
//!   is `gather`'s, the `scatter_add` PyTorch's `max_pool2d_with_indices_backward`
//!   computes.
//! - `adaptive_max_pool1d`/`2d`: the same, with an [`IndexOp::AdaptiveMaxPool`]
//!   node.
//! - `avg_pool1d`/`avg_pool2d` and `adaptive_avg_pool1d`/`2d`: one
//!   [`Op::AvgPool`] node; an adaptive pool to one position per channel is
//!   PyTorch's `mean` over the spatial dimensions, as it computes it.

use graphc_runtime::op::{AvgPool, AvgPoolPart, IndexOp, MaxPool, PoolWindows, ReduceKind};
use graphc_runtime::{DType, Op};

use super::conv_calls::Least;
use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `avg_pool{dims}d(input, kernel_size, stride=none, padding=0,
    /// ceil_mode=false, count_include_pad=true, divisor_override=none)`.
    pub(crate) fn avg_pool(&mut self, name: &str, dims: usize, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some((kernel, stride, padding)) = self.pool_windows(name, dims, bound) else { return Value::Poison };
        let Some(ceil_mode) = self.bool_arg(arg(4), "ceil_mode", false) else { return Value::Poison };
        let Some(count_include_pad) = self.bool_arg(arg(5), "count_include_pad", true) else { return Value::Poison };
        let divisor = match arg(6) {
            None => None,
            Some((Value::Number(Num::Int(d)), _)) if d >= 1 => Some(usize::try_from(d).unwrap_or(usize::MAX)),
            Some((v, s)) => {
                // PyTorch's words for zero; a negative or fractional divisor is refused too.
                let message = match v {
                    Value::Number(Num::Int(0)) => "divisor must be not zero".to_string(),
                    other => format!("`divisor_override` must be a positive integer, not {}", other.describe()),
                };
                return self.error(
                    Diagnostic::new(Code::E0107, message, s, "not a divisor")
                        .with_help("give the number each window's sum is divided by, or leave it out"),
                );
            }
        };
        let xsh = self.shape_of(x);
        let Some(x4) = self.pool_input(name, dims, &xsh, xs) else { return Value::Poison };
        for axis in 2 - dims..2 {
            if padding[axis] > kernel[axis] / 2 {
                let (_, s) = arg(3).expect("a nonzero padding was given");
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("pad should be at most half of effective kernel size, but got pad={}, kernel_size={}", padding[axis], kernel[axis]),
                        s,
                        "too much padding",
                    )
                    .with_help("use a padding of at most half the kernel size"),
                );
            }
        }
        let sizes = |axis: usize, size: usize| AvgPool::output_size(kernel[axis], stride[axis], padding[axis], size, ceil_mode);
        let Some(out4) = self.pool_output(&x4, &xsh, dims, xs, sizes) else { return Value::Poison };
        let windows = PoolWindows::Fixed { kernel, stride, padding, count_include_pad, divisor };
        let label = if dims == 1 { "SqueezeBackward1" } else { "AvgPool2DBackward0" };
        self.pool_node(windows, x, &xsh, &x4, &out4, dims, label, span)
    }

    /// `adaptive_avg_pool{dims}d(input, output_size)`.
    pub(crate) fn adaptive_avg_pool(&mut self, name: &str, dims: usize, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let xsh = self.shape_of(x);
        let Some(x4) = self.pool_input(name, dims, &xsh, xs) else { return Value::Poison };
        let Some(out4) = self.adaptive_output(name, dims, bound, &x4, &xsh, xs) else { return Value::Poison };
        let dt = self.dtype_of(x);
        // PyTorch computes a pool to a single position as the mean.
        if out4[2] == 1 && out4[3] == 1 {
            let spatial: Vec<usize> = (xsh.len() - dims..xsh.len()).collect();
            let mut shape = xsh.clone();
            for &d in &spatial {
                shape[d] = 1;
            }
            let op = Op::Reduce { kind: ReduceKind::Mean, dims: spatial, keepdim: true };
            return Value::Tensor(self.op_node(op, dt, shape, &[x], span, "MeanBackward1"));
        }
        let label = if dims == 1 { "SqueezeBackward1" } else { "AdaptiveAvgPool2DBackward0" };
        self.pool_node(PoolWindows::Adaptive, x, &xsh, &x4, &out4, dims, label, span)
    }

    /// `adaptive_max_pool{dims}d(input, output_size, return_indices=false)`:
    /// the values, or `(values, indices)`. Unlike the average, a pool to one
    /// position is the pool's own kernel in PyTorch too.
    pub(crate) fn adaptive_max_pool(&mut self, name: &str, dims: usize, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(return_indices) = self.bool_arg(arg(2), "return_indices", false) else { return Value::Poison };
        let xsh = self.shape_of(x);
        let Some(x4) = self.pool_input(name, dims, &xsh, xs) else { return Value::Poison };
        let Some(out4) = self.adaptive_output(name, dims, bound, &x4, &xsh, xs) else { return Value::Poison };
        let label = if dims == 1 { "SqueezeBackward1" } else { "AdaptiveMaxPool2DBackward0" };
        self.max_pool_node(IndexOp::AdaptiveMaxPool, x, &xsh, &x4, &out4, dims, label, return_indices, span)
    }

    /// The 4-D result shape of an adaptive pool over the input's 4-D view
    /// `x4`, from `output_size` (argument 1): one size for every spatial
    /// dimension, or one each, `none` keeping the input's.
    fn adaptive_output(&mut self, name: &str, dims: usize, bound: &Bound<Value>, x4: &[usize], xsh: &[usize], xs: Span) -> Option<Vec<usize>> {
        let (ov, os) = bound.positional[1].clone().expect("bind guarantees output_size");
        let items: Vec<Value> = match ov {
            Value::Tuple(items) | Value::List(items) => items.into_iter().map(|(v, _)| v).collect(),
            Value::Size(ds) => ds.into_iter().map(|d| Value::Number(Num::Int(d as i128))).collect(),
            Value::Poison => return None,
            other => vec![other; dims],
        };
        let mut out4 = vec![x4[0], x4[1], 1, 1];
        if items.len() != dims {
            self.error(
                Diagnostic::new(Code::E0107, format!("`{name}`'s output_size must have {dims} elements, not {}", items.len()), os, "wrong length")
                    .with_help(format!("give one size, or {dims}")),
            );
            return None;
        }
        for (k, item) in items.into_iter().enumerate() {
            let axis = k + 2 - dims;
            match item {
                Value::None => out4[2 + axis] = x4[2 + axis],
                Value::Number(Num::Int(d)) if d >= 1 => out4[2 + axis] = usize::try_from(d).unwrap_or(usize::MAX),
                other => {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{name}`'s output_size must hold positive integers or `none`, not {}", other.describe()),
                            os,
                            "not a size",
                        )
                        .with_help("write the output's size, such as `output_size=(1, 1)`"),
                    );
                    return None;
                }
            }
        }
        if x4[2] * x4[3] == 0 {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("{name}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {}", brackets(xsh)),
                    xs,
                    format!("of shape {}", shapes::show(xsh)),
                )
                .with_help("pool an input with at least one position"),
            );
            return None;
        }
        Some(out4)
    }

    /// `max_pool{dims}d(input, kernel_size, stride=none, padding=0, dilation=1,
    /// ceil_mode=false, return_indices=false)`: the values, or `(values, indices)`.
    pub(crate) fn max_pool(&mut self, name: &str, dims: usize, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some((kernel, stride, padding)) = self.pool_windows(name, dims, bound) else { return Value::Poison };
        let Some(dilation) = self.pair_arg(arg(4), name, "dilation", dims, 1, Least::One) else { return Value::Poison };
        let Some(ceil_mode) = self.bool_arg(arg(5), "ceil_mode", false) else { return Value::Poison };
        let Some(return_indices) = self.bool_arg(arg(6), "return_indices", false) else { return Value::Poison };
        let xsh = self.shape_of(x);
        let Some(x4) = self.pool_input(name, dims, &xsh, xs) else { return Value::Poison };
        let p = MaxPool { kernel, stride, padding, dilation };
        for axis in 2 - dims..2 {
            if padding[axis] > kernel[axis] / 2 {
                let (_, s) = arg(3).expect("a nonzero padding was given");
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!(
                            "pad should be at most half of effective kernel size, but got pad={}, kernel_size={} and dilation={}",
                            padding[axis], kernel[axis], dilation[axis]
                        ),
                        s,
                        "too much padding",
                    )
                    .with_help("use a padding of at most half the kernel size"),
                );
            }
        }
        let Some(out4) = self.pool_output(&x4, &xsh, dims, xs, |axis, size| p.output_size(axis, size, ceil_mode)) else { return Value::Poison };
        let label = if dims == 1 { "SqueezeBackward1" } else { "MaxPool2DWithIndicesBackward0" };
        self.max_pool_node(IndexOp::MaxPool(p), x, &xsh, &x4, &out4, dims, label, return_indices, span)
    }

    /// A max pool on the input's 4-D view: `windows` finds each window's
    /// position and a `gather` takes the values there; both reshaped back to
    /// the input's rank.
    #[allow(clippy::too_many_arguments)]
    fn max_pool_node(
        &mut self,
        windows: IndexOp,
        x: crate::ir::graph::NodeId,
        xsh: &[usize],
        x4: &[usize],
        out4: &[usize],
        dims: usize,
        label: &str,
        return_indices: bool,
        span: Span,
    ) -> Value {
        let dt = self.dtype_of(x);
        let x4n = if x4 == xsh { x } else { self.op_node(Op::Reshape, dt, x4.to_vec(), &[x], span, "UnsqueezeBackward0") };
        let idx = self.node(Op::Index(windows), DType::I64, out4.to_vec(), &[x4n], span);
        let (n, c) = (x4[0], x4[1]);
        let planes = self.op_node(Op::Reshape, dt, vec![n, c, x4[2] * x4[3]], &[x4n], span, "ViewBackward0");
        let flat_idx = self.node(Op::Reshape, DType::I64, vec![n, c, out4[2] * out4[3]], &[idx], span);
        let picked =
            self.op_node(Op::Index(IndexOp::Gather { dim: 2 }), dt, vec![n, c, out4[2] * out4[3]], &[planes, flat_idx], span, "GatherBackward0");
        let mut shape = xsh.to_vec();
        let k = shape.len();
        shape[k - dims..].copy_from_slice(&out4[4 - dims..]);
        let values = self.op_node(Op::Reshape, dt, shape.clone(), &[picked], span, label);
        if !return_indices {
            return Value::Tensor(values);
        }
        let indices = if shape == out4 { idx } else { self.node(Op::Reshape, DType::I64, shape, &[idx], span) };
        Value::Tuple(vec![(Value::Tensor(values), span), (Value::Tensor(indices), span)])
    }

    /// A pool's `kernel_size`, `stride` (the kernel size when not given) and
    /// `padding`, arguments 1 to 3, as (height, width).
    fn pool_windows(&mut self, name: &str, dims: usize, bound: &Bound<Value>) -> Option<([usize; 2], [usize; 2], [usize; 2])> {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let kernel = self.pair_arg(arg(1), name, "kernel_size", dims, 1, Least::One)?;
        let stride = match arg(2) {
            None => kernel,
            some => self.pair_arg(some, name, "stride", dims, 1, Least::One)?,
        };
        let padding = self.pair_arg(arg(3), name, "padding", dims, 0, Least::Zero)?;
        Some((kernel, stride, padding))
    }

    /// A boolean argument, `default` when not given (E0107 for another value).
    fn bool_arg(&mut self, arg: Option<(Value, Span)>, what: &str, default: bool) -> Option<bool> {
        match arg {
            None => Some(default),
            Some((Value::Bool(b), _)) => Some(b),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{what}` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help(format!("write `{what}=true`")),
                );
                None
            }
        }
    }

    /// The 4-D shape of a pool's result over the input's 4-D view `x4`, each
    /// spatial size from `sizes(axis, input size)`, or E0202 in PyTorch's words
    /// when a window does not fit.
    fn pool_output(
        &mut self,
        x4: &[usize],
        xsh: &[usize],
        dims: usize,
        xs: Span,
        sizes: impl Fn(usize, usize) -> Option<usize>,
    ) -> Option<Vec<usize>> {
        let mut out4 = vec![x4[0], x4[1], 0, 0];
        for axis in 0..2 {
            match sizes(axis, x4[2 + axis]).filter(|&o| o > 0) {
                Some(o) => out4[2 + axis] = o,
                None => {
                    self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!("Given input size: {}. Calculated output size is too small", brackets(&xsh[xsh.len() - dims - 1..])),
                            xs,
                            format!("of shape {}", shapes::show(xsh)),
                        )
                        .with_help("use a smaller kernel, or more padding"),
                    );
                    return None;
                }
            }
        }
        Some(out4)
    }

    /// The 4-D shape an `{dims}`-D pool sees its input as, or E0202 for a
    /// rank it does not take.
    fn pool_input(&mut self, name: &str, dims: usize, xsh: &[usize], xs: Span) -> Option<Vec<usize>> {
        if xsh.len() != dims + 1 && xsh.len() != dims + 2 {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("{name}: Expected {}D or {}D input, but got input of size: {}", dims + 1, dims + 2, brackets(xsh)),
                    xs,
                    format!("of shape {}", shapes::show(xsh)),
                )
                .with_help(format!("give `{name}` a [batch, channels{}] tensor", if dims == 1 { ", length" } else { ", height, width" })),
            );
            return None;
        }
        let mut x4 = xsh.to_vec();
        if x4.len() == dims + 1 {
            x4.insert(0, 1);
        }
        if dims == 1 {
            x4.insert(2, 1);
        }
        Some(x4)
    }

    /// The pool's node on the 4-D view, reshaped back to the input's rank.
    #[allow(clippy::too_many_arguments)]
    fn pool_node(
        &mut self,
        windows: PoolWindows,
        x: crate::ir::graph::NodeId,
        xsh: &[usize],
        x4: &[usize],
        out4: &[usize],
        dims: usize,
        label: &str,
        span: Span,
    ) -> Value {
        let dt = self.dtype_of(x);
        let x4n = if x4 == xsh { x } else { self.op_node(Op::Reshape, dt, x4.to_vec(), &[x], span, "UnsqueezeBackward0") };
        let pool = AvgPool { windows, part: AvgPoolPart::Forward };
        let mut shape = xsh.to_vec();
        let k = shape.len();
        shape[k - dims..].copy_from_slice(&out4[4 - dims..]);
        if shape == out4 {
            return Value::Tensor(self.op_node(Op::AvgPool(pool), dt, shape, &[x4n], span, label));
        }
        let y = self.op_node(Op::AvgPool(pool), dt, out4.to_vec(), &[x4n], span, pool.grad_fn());
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[y], span, label))
    }
}

/// A shape as PyTorch prints an `IntArrayRef`: `[3, 4]`.
fn brackets(shape: &[usize]) -> String {
    format!("[{}]", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}
