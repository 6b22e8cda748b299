//! `max_unpool1d`/`max_unpool2d(input, indices, kernel_size, stride=none,
//! padding=0, output_size=none)`, the partial inverse of the max pools: each
//! value written at its index within its plane of a zero output, as ATen's
//! `max_unpool2d` kernel writes them in order (a repeated index keeps the
//! last), which is graphc's `scatter` into zeros; the gradient is
//! `max_pool_double_backward`'s `gather` at the indices, the scatter's own.
//! The output size is `functional.py`'s `_unpool_output_size`: `(in - 1) *
//! stride - 2 * padding + kernel` per spatial dimension, or `output_size`
//! (its last `dims` entries) within a stride of that. The 1-D form is the 2-D
//! one on a height of 1 (`SqueezeBackward1`, as `functional.py` writes it).

use graphc_runtime::op::IndexOp;
use graphc_runtime::{DType, Op};

use super::conv_calls::Least;
use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `max_unpool{dims}d(...)`.
    pub(super) fn max_unpool_call(&mut self, name: &str, dims: usize, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let (iv, is) = bound.positional[1].clone().expect("bind guarantees indices");
        let Some(x) = self.expect_float_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(idx) = self.expect_tensor(iv, is, &format!("`{name}`'s indices")) else { return Value::Poison };
        let Some(kernel) = self.pair_arg(arg(2), name, "kernel_size", dims, 1, Least::One) else { return Value::Poison };
        let stride = match arg(3) {
            None => kernel,
            some => match self.pair_arg(some, name, "stride", dims, 1, Least::One) {
                Some(s) => s,
                None => return Value::Poison,
            },
        };
        let Some(padding) = self.pair_arg(arg(4), name, "padding", dims, 0, Least::Zero) else { return Value::Poison };
        let (xsh, ish) = (self.shape_of(x), self.shape_of(idx));
        if xsh.len() != dims + 1 && xsh.len() != dims + 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("{name}: Expected {}D or {}D input, but got input of size: {}", dims + 1, dims + 2, shapes::show(&xsh)),
                    xs,
                    format!("of shape {}", shapes::show(&xsh)),
                )
                .with_help("unpool what the max pool of the same dimension gave"),
            );
        }
        if self.dtype_of(idx) != DType::I64 || ish != xsh {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "Expected shape of indices to be same as that of the input tensor ({}) but got indices tensor with shape: {}",
                        shapes::show(&xsh),
                        shapes::show(&ish)
                    ),
                    is,
                    format!("of shape {}", shapes::show(&ish)),
                )
                .with_help("pass the indices the max pool returned with `return_indices=true`"),
            );
        }
        // The default size of each spatial dimension, in (height, width) slots.
        let spatial = &xsh[xsh.len() - dims..];
        let mut out_hw = [1usize, 1];
        for (k, &in_size) in spatial.iter().enumerate() {
            let axis = 2 - dims + k;
            let size = (in_size.saturating_sub(1) * stride[axis] + kernel[axis]).checked_sub(2 * padding[axis]);
            let Some(size) = size.filter(|&s| s > 0) else {
                return self.error(
                    Diagnostic::new(Code::E0202, format!("`{name}`: the padding leaves no output"), span, "no output").with_help("use less padding"),
                );
            };
            out_hw[axis] = size;
        }
        if let Some((ov, os)) = arg(5) {
            let tuple = matches!(ov, Value::Tuple(_));
            let items: Vec<Value> = match ov {
                Value::Tuple(items) | Value::List(items) => items.into_iter().map(|(v, _)| v).collect(),
                Value::Size(ds) => ds.into_iter().map(|d| Value::Number(Num::Int(d as i128))).collect(),
                Value::Poison => return Value::Poison,
                other => vec![other],
            };
            let given: Option<Vec<usize>> =
                items.iter().map(|v| if let Value::Number(Num::Int(d)) = v { usize::try_from(*d).ok() } else { None }).collect();
            let Some(mut given) = given.filter(|g| g.len() == dims || g.len() == dims + 2) else {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!(
                            "output_size should be a sequence containing {dims} or {} elements, but it has a length of '{}'",
                            dims + 2,
                            items.len()
                        ),
                        os,
                        "not a size",
                    )
                    .with_help("give the spatial sizes the max pool's input had"),
                );
            };
            // As Python prints the sequence given: `"(7, 7)"`.
            let shown = {
                let inner = given.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
                if tuple {
                    format!("\"({inner}{})\"", if given.len() == 1 { "," } else { "" })
                } else {
                    format!("\"[{inner}]\"")
                }
            };
            if given.len() == dims + 2 {
                given.drain(..2);
            }
            for (k, &size) in given.iter().enumerate() {
                let axis = 2 - dims + k;
                let (default, st) = (out_hw[axis], stride[axis]);
                if size + st <= default || size >= default + st {
                    let defaults: Vec<usize> = (0..dims).map(|k| out_hw[2 - dims + k]).collect();
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("invalid output_size {shown} (dim {k} must be between {} and {})", default.saturating_sub(st), default + st),
                            os,
                            format!("the default is {defaults:?}"),
                        )
                        .with_help("give the spatial sizes the max pool's input had"),
                    );
                }
                out_hw[axis] = size;
            }
        }
        let dt = self.dtype_of(x);
        let lead = &xsh[..xsh.len() - dims];
        let (n, c) = if lead.len() == 2 { (lead[0], lead[1]) } else { (1, lead[0]) };
        let plane_in: usize = spatial.iter().product();
        let plane_out = out_hw[0] * out_hw[1];
        let flat_x = self.op_node(Op::Reshape, dt, vec![n, c, plane_in], &[x], span, "ViewBackward0");
        let flat_i = self.node(Op::Reshape, DType::I64, vec![n, c, plane_in], &[idx], span);
        let zeros = self.scalar(0.0, dt, span);
        let zeros = self.node(Op::Expand, dt, vec![n, c, plane_out], &[zeros], span);
        let scattered = self.op_node(
            Op::Index(IndexOp::ScatterInto { dim: 2, add: false }),
            dt,
            vec![n, c, plane_out],
            &[zeros, flat_i, flat_x],
            span,
            "ScatterBackward0",
        );
        let mut shape = lead.to_vec();
        shape.extend_from_slice(&out_hw[2 - dims..]);
        let label = if dims == 1 { "SqueezeBackward1" } else { "MaxUnpool2DBackward0" };
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[scattered], span, label))
    }
}
