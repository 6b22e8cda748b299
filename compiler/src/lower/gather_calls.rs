//! Lowering of `gather(input, dim, index)` (docs/act-language.md, section 5):
//! an [`IndexOp::Gather`] node whose result has the index's shape, with
//! `GatherBackward0`, whose derivative scatter-adds into zeros.
//!
//! The index must be an i64 tensor of the input's rank, no larger than the
//! input outside `dim` (PyTorch's rule), all checked here (E0281). Whether its
//! values lie within the dimension only the data says: a constant index is
//! checked here, any other by the machine when it runs.

use graphc_runtime::op::{IndexOp, Op};
use graphc_runtime::{kernels, DType};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// `gather(input, dim, index)`.
    pub(crate) fn gather_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees three arguments");
        let ((xv, xs), (dv, ds), (iv, is)) = (arg(0), arg(1), arg(2));
        let Some(x) = self.expect_tensor(xv, xs, "`gather`'s input") else { return Value::Poison };
        let Some(index) = self.expect_tensor(iv, is, "`gather`'s index") else { return Value::Poison };
        let (dt, xshape, ishape) = (self.dtype_of(x), self.shape_of(x), self.shape_of(index));
        let Some(dim) = self.one_dim(dv, ds, &xshape) else { return Value::Poison };
        if dt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, "`gather` does not take bool tensors", xs, "this is bool")
                    .with_help("convert the input first, as in `gather(x.long(), dim, index)`"),
            );
        }
        let bad = |me: &mut Self, msg: String, label: &str, help: String| me.error(Diagnostic::new(Code::E0281, msg, is, label).with_help(help));
        if self.dtype_of(index) != DType::I64 {
            let found = self.dtype_of(index);
            return bad(self, format!("`gather`'s index must be i64, not {found}"), "not i64", "convert it with `.long()`".to_string());
        }
        let fits = ishape.len() == xshape.len() && (0..xshape.len()).all(|k| k == dim || ishape[k] <= xshape[k]);
        if !fits {
            return bad(
                self,
                format!("an index of shape {} does not fit an input of shape {} along dimension {dim}", shapes::show(&ishape), shapes::show(&xshape)),
                "index of another shape",
                "the index needs the input's rank and no larger size in any other dimension".to_string(),
            );
        }
        if !self.constant_index_fits(index, is, dim, xshape[dim]) {
            return Value::Poison;
        }
        Value::Tensor(self.op_node(Op::Index(IndexOp::Gather { dim }), dt, ishape, &[x, index], span, "GatherBackward0"))
    }

    /// `index_select(input, dim, index)`: the slices of `input` along `dim` that
    /// the 1-D i64 `index` names, in its order. It is a `gather` with the index
    /// broadcast over the other dimensions, so its gradient adds each slice's
    /// gradient back at its position (PyTorch's `index_add` into zeros).
    pub(crate) fn index_select_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees three arguments");
        let ((xv, xs), (dv, ds), (iv, is)) = (arg(0), arg(1), arg(2));
        let Some(x) = self.expect_tensor(xv, xs, "`index_select`'s input") else { return Value::Poison };
        let Some(index) = self.expect_tensor(iv, is, "`index_select`'s index") else { return Value::Poison };
        let (dt, xshape, ishape) = (self.dtype_of(x), self.shape_of(x), self.shape_of(index));
        let Some(dim) = self.one_dim(dv, ds, &xshape) else { return Value::Poison };
        if dt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, "`index_select` does not take bool tensors", xs, "this is bool")
                    .with_help("convert the input first, as in `index_select(x.long(), dim, index)`"),
            );
        }
        if self.dtype_of(index) != DType::I64 || ishape.len() > 1 {
            let what =
                format!("`index_select`'s index must be a 1-D i64 tensor, not a {} tensor of shape {}", self.dtype_of(index), shapes::show(&ishape));
            return self
                .error(Diagnostic::new(Code::E0281, what, is, "not a 1-D i64 index").with_help("pass a list of positions, as in `tensor([2, 0])`"));
        }
        if !self.constant_index_fits(index, is, dim, xshape[dim]) {
            return Value::Poison;
        }
        let k = ishape.iter().product::<usize>();
        let mut column = vec![1; xshape.len()];
        column[dim] = k;
        let mut out = xshape.clone();
        out[dim] = k;
        let lined = self.node(Op::Reshape, DType::I64, column, &[index], span);
        let spread = self.node(Op::Expand, DType::I64, out.clone(), &[lined], span);
        Value::Tensor(self.op_node(Op::Index(IndexOp::Gather { dim }), dt, out, &[x, spread], span, "IndexSelectBackward0"))
    }

    /// False (with E0281) when `index` is a constant with a value outside `0..size`.
    pub(super) fn constant_index_fits(&mut self, index: NodeId, span: Span, dim: usize, size: usize) -> bool {
        let node = self.prog.graph.node(index).clone();
        if !matches!(node.op, Op::Full(_) | Op::Literal(_)) {
            return true;
        }
        let idx = kernels::eval(&node.op, &[], node.dtype, &node.shape);
        let values = idx.as_i64().expect("an i64 constant holds i64 values");
        match kernels::index::check_values(values, dim, size) {
            Ok(()) => true,
            Err(msg) => {
                self.error(
                    Diagnostic::new(Code::E0281, msg, span, "out of bounds")
                        .with_help(format!("indices along dimension {dim} must lie in 0..{size}")),
                );
                false
            }
        }
    }
}

impl<'a> Lowerer<'a> {
    /// `x[ids]` with an i64 tensor `ids`: the rows of `x` that `ids` names, of
    /// shape `ids.shape + x.shape[1:]` (PyTorch's advanced indexing of the first
    /// dimension, `IndexBackward0`): an `index_select` of the flattened index,
    /// reshaped. Its values are checked as `gather`'s (E0281, or when running),
    /// after negative ones are counted from the end.
    pub(crate) fn integer_tensor_index(&mut self, x: NodeId, ids: NodeId, is: Span, span: Span) -> Value {
        let (dt, xshape, ishape) = (self.dtype_of(x), self.shape_of(x), self.shape_of(ids));
        if xshape.is_empty() || dt == DType::Bool {
            let why = if dt == DType::Bool { "a bool tensor" } else { "a 0-d tensor" };
            return self.error(
                Diagnostic::new(Code::E0281, format!("an integer-tensor index needs a tensor with dimensions, not {why}"), is, "index tensor")
                    .with_help("index a float or i64 tensor of at least one dimension"),
            );
        }
        // A negative index counts from the end, as in PyTorch; a computed one
        // below `-n` stays as it is, for the gather's check to name it.
        let ids = if self.is_constant(ids) { self.negative_ids_wrapped(ids, xshape[0]) } else { self.wrap_computed_ids(ids, xshape[0], is) };
        if !self.constant_index_fits(ids, is, 0, xshape[0]) {
            return Value::Poison;
        }
        let k = ishape.iter().product::<usize>();
        let rest = &xshape[1..];
        let mut spread_shape = vec![k];
        spread_shape.extend(rest.iter().map(|_| 1));
        let mut picked_shape = vec![k];
        picked_shape.extend_from_slice(rest);
        let mut out: Vec<usize> = ishape.clone();
        out.extend_from_slice(rest);
        let lined = self.node(Op::Reshape, DType::I64, spread_shape, &[ids], span);
        let spread = self.node(Op::Expand, DType::I64, picked_shape.clone(), &[lined], span);
        let picked = self.op_node(Op::Index(IndexOp::Gather { dim: 0 }), dt, picked_shape.clone(), &[x, spread], span, "IndexBackward0");
        if out == picked_shape {
            return Value::Tensor(picked);
        }
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[picked], span, "IndexBackward0"))
    }
}
