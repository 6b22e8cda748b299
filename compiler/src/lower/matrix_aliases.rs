//! PyTorch's matrix spellings as thin aliases of `matmul` and `transpose` for
//! 2-D tensors: `mm(a, b)` / `a.mm(b)` (`MmBackward0`), `t(x)` / `x.t()`
//! (`TBackward0`) and `x.T` (`PermuteBackward0`, which is what PyTorch 2.15
//! records for `.T`). They compute the same nodes as `matmul` and `transpose`
//! and differ only in the `grad_fn` name that `print` shows. Other ranks are
//! left to the general shape ops.

use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// `mm(a, b)`: both operands must be matrices, as for `torch.mm`.
    pub(crate) fn mm(&mut self, a: Value, sa: Span, b: Value, sb: Span, span: Span) -> Value {
        let (Some(x), Some(y)) = (self.expect_tensor(a, sa, "mm's input"), self.expect_tensor(b, sb, "mm's mat2")) else {
            return Value::Poison;
        };
        for (n, s) in [(x, sa), (y, sb)] {
            let sh = self.shape_of(n);
            if sh.len() != 2 {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!("`mm` multiplies matrices, and this is {}-D", sh.len()),
                        s,
                        format!("shape {}", shapes::show(&sh)),
                    )
                    .with_help("use `matmul(a, b)` or `a @ b` for vectors"),
                );
            }
        }
        self.matmul(x, sa, y, sb, span)
    }

    /// The transpose of a matrix under the `grad_fn` name of its spelling.
    pub(crate) fn matrix_transpose(&mut self, v: Value, vs: Span, span: Span, what: &str, grad_fn: &str) -> Value {
        let Some(t) = self.expect_tensor(v, vs, &format!("`{what}`'s input")) else { return Value::Poison };
        // PyTorch's `t()` takes a tensor of at most two dimensions, and one of
        // fewer is itself (a view, with `TBackward0`).
        let shape = self.shape_of(t);
        if what == "t" && shape.len() < 2 {
            let dt = self.dtype_of(t);
            return Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[t], span, grad_fn));
        }
        match shapes::transpose(&shape) {
            Ok(sh) => {
                let dt = self.dtype_of(t);
                Value::Tensor(self.op_node(Op::Transpose, dt, sh, &[t], span, grad_fn))
            }
            Err(msg) => {
                self.error(Diagnostic::new(Code::E0202, msg, vs, "not 2-D").with_help(format!("`{what}` swaps the two dimensions of a matrix")))
            }
        }
    }
}
