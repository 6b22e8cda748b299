//! `x[mask] = y[mask]`: the elements of `y` where the mask holds copied into
//! `x`, as custom-op backwards write their gradients (`grad_input[mask] =
//! grad_output[mask]`). The read `y[mask]` alone has a shape only the run
//! knows (E0225), but the pair keeps `x`'s shape: with one mask over the
//! leading dimensions of two tensors of one shape, the store is
//! `where(mask, y, x)`, PyTorch's `index_put_` (`IndexPutBackward0`): `x`'s
//! gradient is zero where the mask wrote and `y`'s is the output's gradient
//! there, zero elsewhere, as `index_put_`'s and `index`'s backwards give.
//! The mask and both tensors must be names, so that reading them here and
//! again on the general path (when the pattern does not fit) does nothing twice.

use graphc_runtime::{DType, Op};

use super::{Lowerer, Scope, Value};
use crate::syntax::ast::{Expr, ExprKind, IndexItem, Span};

impl Lowerer<'_> {
    /// Lowers `target = value` when it is `x[m] = y[m]` of that form and
    /// returns true; false leaves the statement to the general store.
    pub(super) fn mask_copy(&mut self, target: &Expr, value: &Expr, scope: &mut Scope, span: Span) -> bool {
        let (ExprKind::Index { receiver: to, items: to_items }, ExprKind::Index { receiver: from, items: from_items }) = (&target.kind, &value.kind)
        else {
            return false;
        };
        let ([IndexItem::Expr(to_mask)], [IndexItem::Expr(from_mask)]) = (&to_items[..], &from_items[..]) else { return false };
        let names = [&to_mask.kind, &from_mask.kind, &to.kind, &from.kind];
        let [ExprKind::Name(a), ExprKind::Name(b), ExprKind::Name(_), ExprKind::Name(_)] = names else { return false };
        if a != b {
            return false;
        }
        let (m, x, y) = (self.expr(to_mask, scope), self.expr(to, scope), self.expr(from, scope));
        if [&m, &x, &y].iter().any(|v| matches!(v, Value::Poison)) {
            return true;
        }
        let (Value::Tensor(m), Value::Tensor(x), Value::Tensor(y)) = (m, x, y) else { return false };
        let (msh, xsh) = (self.shape_of(m), self.shape_of(x));
        let k = msh.len();
        let fits = self.dtype_of(m) == DType::Bool && k >= 1 && k <= xsh.len() && xsh[..k] == msh[..] && self.shape_of(y) == xsh;
        if !fits {
            return false;
        }
        let dt = self.dtype_of(x);
        if self.dtype_of(y) != dt {
            self.dtype_mismatch(dt, self.dtype_of(y), value.span);
            return true;
        }
        let laid: Vec<usize> = msh.iter().copied().chain(std::iter::repeat_n(1, xsh.len() - k)).collect();
        let mask = if laid == msh { m } else { self.node(Op::Reshape, DType::Bool, laid, &[m], to_mask.span) };
        let new = self.node(Op::Select, dt, xsh, &[mask, y, x], span);
        self.update_in_place(x, new, "IndexPutBackward0", span);
        true
    }
}
