//! `x[ids] = v` with an i64 tensor of indices: PyTorch's `index_put_` along the
//! first dimension. `ids` may have any shape; the rows it names are written in
//! row-major order of `ids`, so with a repeated index the last write wins, as on
//! PyTorch's CPU. `x[ids] += v` reads the rows, adds and writes them back (a
//! repeated index does not accumulate, as in PyTorch).
//!
//! It lowers to one [`IndexOp::ScatterInto`] along dimension 0, the index
//! spread over the rows' other dimensions: its gradient is `index_put`'s
//! (the input's gradient is zero at the written rows, the value's is the
//! output gradient gathered at them). A constant index is checked here, and a
//! negative constant counts from the end; a computed index is checked when it
//! runs, after its entries in `-n..0` are counted from the end (as for reading
//! `x[ids]`).
//! A tensor value must have `x`'s dtype, as PyTorch's `index_put_` requires;
//! a number is PyTorch's `index_fill_` (`IndexFillBackward0`). Several index
//! tensors, or index tensors among other items, are `advanced.rs`'s.

use graphc_runtime::op::{IndexOp, Op};
use graphc_runtime::{kernels, DType};

use super::{Lowerer, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `t[ids] = v` for an i64 tensor `ids`: the updated tensor.
    pub(super) fn store_ids(&mut self, t: NodeId, (ids, is): (NodeId, Span), (v, vs): (Value, Span), span: Span) -> Value {
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        if sh.is_empty() || dt == DType::Bool {
            let why = if dt == DType::Bool { "a bool tensor" } else { "a 0-d tensor" };
            return self.error(
                Diagnostic::new(
                    Code::E0700,
                    format!("a store through an index tensor needs a tensor with dimensions, not {why}"),
                    is,
                    "index tensor",
                )
                .with_help("store into a float or i64 tensor of at least one dimension"),
            );
        }
        let Some(ids) = self.constant_ids_wrapped(ids, is, sh[0]) else { return Value::Poison };
        let ishape = self.shape_of(ids);
        let k: usize = ishape.iter().product();
        // The shape `x[ids]` has, which the value broadcasts to.
        let mut selected = ishape.clone();
        selected.extend_from_slice(&sh[1..]);
        let mut rows = vec![k];
        rows.extend_from_slice(&sh[1..]);
        // A number is PyTorch's `index_fill_`, a tensor its `index_put_`, which
        // takes values of the tensor's dtype only.
        let number = matches!(v, Value::Number { .. } | Value::Bool(_) | Value::Host { .. });
        let src = match v {
            Value::Tensor(n) if self.dtype_of(n) != dt => return self.dtype_mismatch(dt, self.dtype_of(n), vs),
            Value::Number(n) => self.scalar_num(n, dt, vs),
            Value::Bool(b) => self.scalar(if b { 1.0 } else { 0.0 }, dt, vs),
            Value::Host { node, .. } => self.cast_to(node, dt, vs),
            Value::Tensor(n) => self.cast_to(n, dt, vs),
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0700, format!("cannot store {} into a tensor", other.describe()), vs, "not a number or tensor")
                        .with_help("store a number or a tensor that broadcasts to the selected rows"),
                )
            }
        };
        let vsh = self.shape_of(src);
        if shapes::broadcast(&vsh, &selected).ok().as_deref() != Some(&selected[..]) {
            let msg = format!("a value of shape {} does not broadcast to the selected shape {}", shapes::show(&vsh), shapes::show(&selected));
            return self.error(
                Diagnostic::new(Code::E0700, msg, vs, "shapes do not fit")
                    .with_secondary(is, format!("selects {}", shapes::show(&selected)))
                    .with_help("store a value of the shape `x[ids]` has, or one that broadcasts to it"),
            );
        }
        let spread = if vsh == selected { src } else { self.node(Op::Expand, dt, selected.clone(), &[src], vs) };
        let src = if selected == rows { spread } else { self.node(Op::Reshape, dt, rows.clone(), &[spread], vs) };
        let mut column = vec![1; sh.len()];
        column[0] = k;
        let lined = self.node(Op::Reshape, DType::I64, column, &[ids], span);
        let index = self.node(Op::Expand, DType::I64, rows, &[lined], span);
        let new = self.node(Op::Index(IndexOp::ScatterInto { dim: 0, add: false }), dt, sh, &[t, index, src], span);
        let grad_fn = if number { "IndexFillBackward0" } else { "IndexPutBackward0" };
        match self.update_in_place(t, new, grad_fn, span) {
            Some(n) => Value::Tensor(n),
            None => Value::Poison,
        }
    }

    /// Whether `ids` is a constant the compiler can check and wrap itself.
    pub(super) fn is_constant(&self, ids: NodeId) -> bool {
        matches!(self.prog.graph.node(ids).op, Op::Full(_) | Op::Literal(_))
    }

    /// An index with its negative entries counted from the end: a constant one
    /// checked now (E0701 for one out of bounds), a computed one wrapped by a
    /// `where` that the scatter's check then reads (`wrap_computed_ids`).
    fn constant_ids_wrapped(&mut self, ids: NodeId, is: Span, size: usize) -> Option<NodeId> {
        let node = self.prog.graph.node(ids).clone();
        if !matches!(node.op, Op::Full(_) | Op::Literal(_)) {
            return Some(self.wrap_computed_ids(ids, size, is));
        }
        let values = kernels::eval(&node.op, &[], node.dtype, &node.shape);
        let n = size as i64;
        if let Some(bad) = values.as_i64().expect("an i64 constant holds i64 values").iter().find(|&&i| i < -n || i >= n) {
            self.error(
                Diagnostic::new(Code::E0701, format!("index {bad} is out of bounds for dimension 0 with size {size}"), is, "out of bounds")
                    .with_help(format!("indices lie in -{size}..{size} (a negative one counts from the end)")),
            );
            return None;
        }
        Some(self.negative_ids_wrapped(ids, size))
    }

    /// A constant index whose entries in `-size..0` are replaced by the
    /// positions they count from the end, as PyTorch's advanced indexing reads
    /// them; any other index as it is (its bounds are checked elsewhere).
    pub(super) fn negative_ids_wrapped(&mut self, ids: NodeId, size: usize) -> NodeId {
        let node = self.prog.graph.node(ids).clone();
        if !matches!(node.op, Op::Full(_) | Op::Literal(_)) {
            return ids;
        }
        let values = kernels::eval(&node.op, &[], node.dtype, &node.shape);
        let values = values.as_i64().expect("an i64 constant holds i64 values");
        let n = size as i64;
        if !values.iter().any(|&i| (-n..0).contains(&i)) {
            return ids;
        }
        let wrapped = values.iter().map(|&i| graphc_runtime::op::Scalar::Int(if (-n..0).contains(&i) { i + n } else { i })).collect();
        let span = self.prog.graph.meta(ids).span;
        self.node(Op::Literal(wrapped), DType::I64, node.shape.clone(), &[], span)
    }
}
