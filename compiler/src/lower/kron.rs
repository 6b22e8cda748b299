//! `kron(input, other)` (`torch.kron`): the Kronecker product, each element of
//! `input` times the whole of `other`, in blocks (docs/act-language.md,
//! section 5).
//!
//! It is ATen's `KronImpl`, view for view: both operands padded with leading
//! ones to one rank `n`, `input` viewed as `[a0, 1, a1, 1, ...]` and `other`
//! as `[1, b0, 1, b1, ...]` (`_unsafe_view`), their broadcast product, and
//! that viewed as `[a0 * b0, a1 * b1, ...]`. So the values, the
//! `grad_fn`s (`UnsafeViewBackward0` over `MulBackward0`) and the gradients
//! (the product's, summed over the broadcast dimensions) are PyTorch's.

use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `kron(input, other)`.
    pub(super) fn kron_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let [(a, sa), (b, sb)] = self.two(bound);
        let Some(x) = self.expect_tensor(a, sa, "`kron`'s input") else { return Value::Poison };
        let Some(y) = self.expect_tensor(b, sb, "`kron`'s other") else { return Value::Poison };
        let (xs, ys) = (self.shape_of(x), self.shape_of(y));
        let n = xs.len().max(ys.len());
        let (pad_x, pad_y) = (n - xs.len(), n - ys.len());
        let size = |sh: &[usize], pad: usize, i: usize| if i >= pad { sh[i - pad] } else { 1 };
        let mut a_shape = Vec::with_capacity(2 * n);
        let mut b_shape = Vec::with_capacity(2 * n);
        let mut result = Vec::with_capacity(n);
        for i in 0..n {
            let (ai, bi) = (size(&xs, pad_x, i), size(&ys, pad_y, i));
            a_shape.extend([ai, 1]);
            b_shape.extend([1, bi]);
            result.push(ai * bi);
        }
        let xv = self.unsafe_view(x, a_shape, span);
        let yv = self.unsafe_view(y, b_shape, span);
        let Value::Tensor(product) = self.binary(BinOp::Mul, (Value::Tensor(xv), sa), (Value::Tensor(yv), sb), span) else { return Value::Poison };
        Value::Tensor(self.unsafe_view(product, result, span))
    }

    /// ATen's `_unsafe_view(t, shape)`: the same elements in `shape`, `UnsafeViewBackward0`.
    fn unsafe_view(&mut self, t: NodeId, shape: Vec<usize>, span: Span) -> NodeId {
        let dt = self.dtype_of(t);
        self.op_node(Op::Reshape, dt, shape, &[t], span, "UnsafeViewBackward0")
    }
}
