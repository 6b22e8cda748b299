//! Lowering of `sort`, `argsort`, `topk`, `cummax` and `cummin`
//! (docs/act-language.md, section 5).
//!
//! Each is an [`IndexOp::Sort`] or [`IndexOp::TopK`] node that finds the
//! positions, and for `sort` and `topk` a `gather` of the input at them for
//! the values: PyTorch's named tuples `torch.return_types.sort` and
//! `torch.return_types.topk` (`.values`, `.indices`). The values' gradient is
//! `gather`'s, the incoming gradient put back where each value came from,
//! which is PyTorch's `SortBackward0` and `TopkBackward0`
//! (`value_selecting_reduction_backward`), and `CummaxBackward0`
//! (`cummaxmin_backward`, a `scatter_add` into zeros).

use graphc_runtime::op::{IndexOp, TypeRule};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// A call of `sort(input, dim=-1, descending=false, *, stable=false)`,
    /// `argsort` (the same parameters) or `topk(input, k, dim=-1, largest=true,
    /// sorted=true)`.
    pub(crate) fn sort_call(&mut self, b: Builtin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        // PyTorch sorts bool tensors too, but its `topk` has no bool kernel;
        // `rule_dtype` names what else it refuses.
        let topk = b == Builtin::Topk;
        if self.dtype_of(x) == DType::Bool && topk {
            return self.error(
                Diagnostic::new(Code::E0204, "`topk` does not take bool tensors", vs, "this is bool")
                    .with_help("convert the input first, as in `topk(x.long(), k)` (PyTorch: \"topk_cpu\" not implemented for 'Bool')"),
            );
        }
        if self.dtype_of(x) != DType::Bool && self.rule_dtype(TypeRule::SameNumber, self.dtype_of(x), &format!("`{name}`"), vs).is_none() {
            return Value::Poison;
        }
        let shape = self.shape_of(x);
        if shape.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0288, format!("`{name}` of a 0-d tensor"), vs, "a 0-d tensor has no dimension to order")
                    .with_help("give a tensor of at least one dimension (`x.reshape(1)`)"),
            );
        }
        let dim_at = if topk { 2 } else { 1 };
        let dim = match bound.positional.get(dim_at).cloned().flatten() {
            None | Some((Value::None, _)) => shape.len() - 1,
            Some((dv, ds)) => match self.one_dim(dv, ds, &shape) {
                Some(d) => d,
                None => return Value::Poison,
            },
        };
        let Some(first_flag) = self.flag_param(bound, dim_at + 1, if topk { "largest" } else { "descending" }, topk) else { return Value::Poison };
        let (op, grad_fn, kind) = if topk {
            let Some(sorted) = self.flag_param(bound, 4, "sorted", true) else { return Value::Poison };
            let Some(k) = self.topk_k(bound, shape[dim], dim) else { return Value::Poison };
            (IndexOp::TopK { dim, k, largest: first_flag, sorted }, "TopkBackward0", "topk")
        } else {
            let Some(stable) = self.flag(bound, "stable", false) else { return Value::Poison };
            (IndexOp::Sort { dim, descending: first_flag, stable }, "SortBackward0", "sort")
        };
        let mut out = shape.clone();
        if let IndexOp::TopK { k, .. } = op {
            out[dim] = k;
        }
        let indices = self.node(Op::Index(op), DType::I64, out.clone(), &[x], span);
        if b == Builtin::Argsort {
            return Value::Tensor(indices);
        }
        let values = self.sorted_values(x, indices, dim, out, grad_fn, span);
        Value::Named { kind, fields: &["values", "indices"], items: vec![(Value::Tensor(values), span), (Value::Tensor(indices), span)] }
    }

    /// `cummax(input, dim)` or `cummin(input, dim)`: `torch.return_types.cummax`
    /// of the running extremes along `dim` and their positions (an
    /// [`IndexOp::CumExtreme`] node, the values a `gather` at it). A 0-d input
    /// is scanned as one element, as PyTorch does.
    pub(crate) fn cum_extreme_call(&mut self, min: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let [(v, vs), (d, ds)] = self.two(bound);
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let shape = self.shape_of(x);
        // A 0-d tensor takes dim 0 or -1, as a 1-element line.
        let line = if shape.is_empty() { vec![1] } else { shape.clone() };
        let Some(dim) = self.one_dim(d, ds, &line) else { return Value::Poison };
        let dt = self.dtype_of(x);
        let input = if shape.is_empty() { self.node(Op::Reshape, dt, line.clone(), &[x], span) } else { x };
        let indices = self.node(Op::Index(IndexOp::CumExtreme { dim, min }), DType::I64, line.clone(), &[input], span);
        let grad_fn = if min { "CumminBackward0" } else { "CummaxBackward0" };
        let mut values = self.sorted_values(input, indices, dim, line, grad_fn, span);
        let mut indices = indices;
        if shape.is_empty() {
            values = self.op_node(Op::Reshape, dt, vec![], &[values], span, grad_fn);
            indices = self.node(Op::Reshape, DType::I64, vec![], &[indices], span);
        }
        let kind = if min { "cummin" } else { "cummax" };
        Value::Named { kind, fields: &["values", "indices"], items: vec![(Value::Tensor(values), span), (Value::Tensor(indices), span)] }
    }

    /// The input's elements at the positions `indices` found along `dim`.
    fn sorted_values(&mut self, x: NodeId, indices: NodeId, dim: usize, shape: Vec<usize>, grad_fn: &str, span: Span) -> NodeId {
        let dt = self.dtype_of(x);
        self.op_node(Op::Index(IndexOp::Gather { dim }), dt, shape, &[x, indices], span, grad_fn)
    }

    /// A boolean parameter at position `at`, given by position or keyword.
    fn flag_param(&mut self, bound: &Bound<Value>, at: usize, name: &str, default: bool) -> Option<bool> {
        match bound.positional.get(at).cloned().flatten() {
            None => Some(default),
            Some((Value::Bool(b), _)) => Some(b),
            Some((Value::Poison, _)) => None,
            Some((other, s)) => {
                self.not_bool(name, &other, s);
                None
            }
        }
    }

    /// `topk`'s `k`: an integer from 0 to the size of `dim`, as PyTorch checks
    /// it ("selected index k out of range").
    fn topk_k(&mut self, bound: &Bound<Value>, size: usize, dim: usize) -> Option<usize> {
        let (kv, ks) = bound.positional[1].clone().expect("bind guarantees k");
        let k = match kv {
            Value::Number(super::Num::Int(k)) => k,
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`k` must be an integer, not {}", other.describe()), ks, "not an integer")
                        .with_help("write `topk(x, 3)`"),
                );
                return None;
            }
        };
        if (0..=size as i128).contains(&k) {
            return Some(k as usize);
        }
        self.error(
            Diagnostic::new(Code::E0288, format!("`topk`'s k = {k} is out of range for dimension {dim} of size {size}"), ks, "out of range")
                .with_help(format!("take from 0 to {size} elements along dimension {dim}")),
        );
        None
    }
}
