//! `torch.nn.functional` and `torch` functions that PyTorch itself writes as
//! compositions of other ops, written with the same ops in the same order so
//! that their values and gradients are PyTorch's bit for bit:
//!
//! - `embedding(input, weight, padding_idx=none)`: `weight.index_select(0,
//!   input.reshape(-1)).view(*input.shape, -1)` (ATen's `embedding`); its
//!   gradient adds each position's gradient into its row of zeros in index
//!   order, as `embedding_dense_backward_cpu` does, and leaves the row of
//!   `padding_idx` at zero.
//! - `outer(input, vec2)`: `input.reshape(n, 1) * vec2` (ATen's `outer`).
//! - `softsign(input)`: `input / (input.abs() + 1)`; `tanhshrink(input)`:
//!   `input - input.tanh()`; `softmin(input, dim)`: `(-input).softmax(dim)`
//!   (`torch/nn/functional.py`).

use graphc_runtime::op::IndexOp;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// A call of one of this file's builtins.
    pub(super) fn nn_composite_call(&mut self, b: Builtin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        match b {
            Builtin::Embedding => self.embedding(x, vs, bound, span),
            Builtin::Outer => self.outer(x, vs, bound, span),
            Builtin::Softsign => {
                let abs = self.op_node(Op::Unary(graphc_runtime::op::Unary::Abs), self.dtype_of(x), self.shape_of(x), &[x], span, "AbsBackward0");
                let one = Value::Number(Num::Int(1));
                let den = self.binary(BinOp::Add, (Value::Tensor(abs), span), (one, span), span);
                self.binary(BinOp::Div, (Value::Tensor(x), vs), (den, span), span)
            }
            Builtin::Tanhshrink => {
                let t = self.op_node(Op::Unary(graphc_runtime::op::Unary::Tanh), self.dtype_of(x), self.shape_of(x), &[x], span, "TanhBackward0");
                self.binary(BinOp::Sub, (Value::Tensor(x), vs), (Value::Tensor(t), span), span)
            }
            Builtin::Softmin => {
                let Some((dv, ds)) = bound.positional.get(1).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None)) else {
                    return self.error(
                        Diagnostic::new(Code::E0241, "`softmin` needs `dim`", span, "no dimension given")
                            .with_help("name the dimension, as in `softmin(x, dim=-1)`"),
                    );
                };
                let Some(dim) = self.one_dim(dv, ds, &self.shape_of(x)) else { return Value::Poison };
                let Value::Tensor(neg) = self.neg(Value::Tensor(x), vs, span) else { return Value::Poison };
                Value::Tensor(self.same_shape(Op::Softmax { dim, log: false }, neg, span))
            }
            _ => unreachable!("`nn_composite_call` is called for this file's builtins"),
        }
    }

    /// `embedding(input, weight, padding_idx=none, max_norm=none, norm_type=2.0,
    /// scale_grad_by_freq=false, sparse=false)`.
    fn embedding(&mut self, ids: crate::ir::graph::NodeId, is: Span, bound: &Bound<Value>, span: Span) -> Value {
        let (wv, ws) = bound.positional[1].clone().expect("bind guarantees weight");
        let Some(w) = self.expect_float_tensor(wv, ws, "`embedding`'s weight") else { return Value::Poison };
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None | Value::Bool(false)));
        // The options that change what PyTorch computes beyond a lookup.
        for (i, what) in [(3, "max_norm"), (5, "scale_grad_by_freq"), (6, "sparse")] {
            if let Some((_, s)) = arg(i) {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`embedding`'s `{what}` is not supported"), s, "not supported")
                        .with_help("leave it at its default: a plain lookup of the weight's rows, whose gradient is dense"),
                );
            }
        }
        let wsh = self.shape_of(w);
        if wsh.len() != 2 {
            return self.error(
                Diagnostic::new(Code::E0202, format!("'weight' must be 2-D, but got a tensor of shape {}", shapes::show(&wsh)), ws, "not 2-D")
                    .with_help("pass the weight as nn.Embedding stores it: (num_embeddings, embedding_dim)"),
            );
        }
        if self.dtype_of(ids) != DType::I64 {
            let dt = self.dtype_of(ids);
            return self.error(
                Diagnostic::new(Code::E0281, format!("`embedding`'s indices must be an i64 tensor, not {dt}"), is, "not i64")
                    .with_help("convert them first (`ids.long()`)"),
            );
        }
        let padding = match arg(2) {
            None => None,
            Some((Value::Number(Num::Int(p)), ps)) => {
                let n = wsh[0] as i128;
                if p >= n || p < -n {
                    return self.error(
                        Diagnostic::new(Code::E0107, "Padding_idx must be within num_embeddings", ps, "out of range").with_help(format!(
                            "pass a row of the weight, from {} to {}",
                            -n,
                            n - 1
                        )),
                    );
                }
                Some(if p < 0 { p + n } else { p })
            }
            Some((other, ps)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`padding_idx` must be an integer, not {}", other.describe()), ps, "not an integer")
                        .with_help("pass the row whose gradient stays zero, as in `padding_idx=0`"),
                )
            }
        };
        if !self.constant_index_fits(ids, is, 0, wsh[0]) {
            return Value::Poison;
        }
        let ishape = self.shape_of(ids);
        let k = ishape.iter().product::<usize>();
        let dt = self.dtype_of(w);
        let lined = self.node(Op::Reshape, DType::I64, vec![k, 1], &[ids], span);
        let spread = self.node(Op::Expand, DType::I64, vec![k, wsh[1]], &[lined], span);
        let mut rows = self.op_node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![k, wsh[1]], &[w, spread], span, "EmbeddingBackward0");
        if let Some(p) = padding {
            // The rows looked up at `padding_idx` pass no gradient: PyTorch's
            // backward skips them, so that row of the gradient stays zero.
            let pad = self.scalar(p as f64, DType::I64, span);
            let at_pad = self.node(Op::Compare(graphc_runtime::op::Cmp::Eq), DType::Bool, vec![k, 1], &[lined, pad], span);
            let kept = self.node(Op::Unary(graphc_runtime::op::Unary::Detach), dt, vec![k, wsh[1]], &[rows], span);
            rows = self.node(Op::Select, dt, vec![k, wsh[1]], &[at_pad, kept, rows], span);
            self.grad_fn.insert(rows, "EmbeddingBackward0".to_string());
        }
        let mut out = ishape;
        out.push(wsh[1]);
        if out == vec![k, wsh[1]] {
            return Value::Tensor(rows);
        }
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[rows], span, "EmbeddingBackward0"))
    }

    /// `outer(input, vec2)`: two 1-D tensors.
    fn outer(&mut self, a: crate::ir::graph::NodeId, sa: Span, bound: &Bound<Value>, span: Span) -> Value {
        let (bv, sb) = bound.positional[1].clone().expect("bind guarantees vec2");
        let Some(b) = self.expect_tensor(bv, sb, "`outer`'s vec2") else { return Value::Poison };
        for (t, s, what) in [(a, sa, "self"), (b, sb, "vec2")] {
            let rank = self.shape_of(t).len();
            if rank != 1 {
                return self.error(
                    Diagnostic::new(Code::E0202, format!("outer: Expected 1-D argument {what}, but got {rank}-D"), s, "not 1-D")
                        .with_help("pass two vectors; flatten a tensor first (`x.flatten()`)"),
                );
            }
        }
        let n = self.shape_of(a)[0];
        let column = self.op_node(Op::Reshape, self.dtype_of(a), vec![n, 1], &[a], sa, "ViewBackward0");
        self.binary(BinOp::Mul, (Value::Tensor(column), sa), (Value::Tensor(b), sb), span)
    }
}
