//! `dot`, `vdot`, `mv` and `inner`: the products that PyTorch's `matmul`
//! dispatches to by rank, called by their own names, with the rank checks
//! and messages of their ATen functions. `dot` and `mv` are the `matmul` of
//! those ranks (`DotBackward0`, `MvBackward0`); `vdot` of real tensors is
//! `dot` (`VdotBackward0`); `inner` is ATen's `tensordot` over the last
//! dimension of each, or a product when either is 0-d.

use super::{Lowerer, Num, Value};
use crate::check::builtins::{Bound, VecProduct};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

impl Lowerer<'_> {
    pub(super) fn vec_product_call(&mut self, p: VecProduct, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let [(av, sa), (bv, sb)] = self.two(bound);
        let Some(a) = self.expect_tensor(av, sa, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(b) = self.expect_tensor(bv, sb, &format!("`{name}`'s other")) else { return Value::Poison };
        let (sha, shb) = (self.shape_of(a), self.shape_of(b));
        if p == VecProduct::Inner {
            if sha.is_empty() || shb.is_empty() {
                return self.binary(BinOp::Mul, (Value::Tensor(a), sa), (Value::Tensor(b), sb), span);
            }
            let (la, lb) = (sha[sha.len() - 1], shb[shb.len() - 1]);
            if la != lb {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!(
                            "inner() the last dimension must match on both input tensors but got shapes {} and {}",
                            shapes::show(&sha),
                            shapes::show(&shb)
                        ),
                        sb,
                        format!("last dimension {lb}"),
                    )
                    .with_secondary(sa, format!("last dimension {la}"))
                    .with_help("`inner` sums over the last dimension of each tensor; give them the same size"),
                );
            }
            let last = |s: Span| (Value::List(vec![(Value::Number(Num::Int(-1)), s)]), s);
            let dims = Value::Tuple(vec![last(sa), last(sb)]);
            let callee = Ident { name: "tensordot".to_string(), span };
            let args = vec![(None, Value::Tensor(a), sa), (None, Value::Tensor(b), sb), (None, dims, span)];
            return self.call_builtin_named(&callee, args, span);
        }
        let ranks_fit = match p {
            VecProduct::Mv => sha.len() == 2 && shb.len() == 1,
            _ => sha.len() == 1 && shb.len() == 1,
        };
        if !ranks_fit {
            let (msg, help) = match p {
                VecProduct::Mv => (
                    format!("vector + matrix @ vector expected, got a {}-D input and a {}-D vec", sha.len(), shb.len()),
                    "`mv` multiplies a matrix by a vector; use `matmul` for other ranks",
                ),
                _ => (
                    format!("1D tensors expected, but got {}D and {}D tensors", sha.len(), shb.len()),
                    "`dot` takes two vectors; use `matmul` or `inner` for other ranks",
                ),
            };
            return self.error(Diagnostic::new(Code::E0202, msg, span, "wrong ranks").with_help(help));
        }
        if sha[sha.len() - 1] != shb[0] {
            let msg = match p {
                VecProduct::Mv => format!("size mismatch, got mat ({}x{}), vec ({})", sha[0], sha[1], shb[0]),
                _ => format!("inconsistent tensor size: {} and {} elements", sha[0], shb[0]),
            };
            return self.error(
                Diagnostic::new(Code::E0202, msg, sb, format!("of shape {}", shapes::show(&shb)))
                    .with_secondary(sa, format!("of shape {}", shapes::show(&sha)))
                    .with_help("the vector's length must be the matrix's (or the other vector's) last size"),
            );
        }
        let out = self.matmul(a, sa, b, sb, span);
        if let (VecProduct::Vdot, Value::Tensor(t)) = (p, &out) {
            self.grad_fn.insert(*t, "VdotBackward0".to_string());
        }
        out
    }
}
