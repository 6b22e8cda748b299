//! `narrow(input, dim, start, length)`: `length` consecutive indices of
//! dimension `dim` from `start`, PyTorch's `torch.narrow` (a slice, whose
//! `grad_fn` is `SliceBackward0`).
//!
//! The length sets the result's shape, so it must be known at compile time;
//! the start may be a run-time integer (a loop counter), in which case the
//! slice is read at run time (`dyn_index.rs`) and must lie inside the dimension.
//! A compile-time start may be negative and counts from the end, as in PyTorch.

use graphc_runtime::Op;

use super::dyn_index::Sub;
use super::index::Item;
use super::{HostKind, Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    pub(crate) fn narrow_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees four arguments");
        let ((xv, xs), (dv, ds), (sv, ss), (lv, ls)) = (arg(0), arg(1), arg(2), arg(3));
        let Some(x) = self.expect_tensor(xv, xs, "`narrow`'s input") else { return Value::Poison };
        let shape = self.shape_of(x);
        if shape.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0609, "`narrow` needs a tensor with at least one dimension", xs, "a 0-d tensor")
                    .with_help("narrow a tensor of one or more dimensions, or reshape this one first"),
            );
        }
        let Some(dim) = self.one_dim(dv, ds, &shape) else { return Value::Poison };
        let n = shape[dim] as i64;
        let length = match lv {
            Value::Number(super::Num::Int(i)) if (0..=n as i128).contains(&i) => i as i64,
            Value::Poison => return Value::Poison,
            other => {
                let what = match other {
                    Value::Number(super::Num::Int(i)) => format!("`narrow`'s length {i} does not fit a dimension of size {n}"),
                    o => format!("`narrow`'s length must be an integer known at compile time, not {}", o.describe()),
                };
                return self.error(
                    Diagnostic::new(Code::E0609, what, ls, "not a static length")
                        .with_help(format!("the length sets the result's shape: write a number from 0 to {n}")),
                );
            }
        };
        let mut subs: Vec<Sub> = (0..dim).map(|_| Sub::Static(Item::Slice { start: None, stop: None, step: 1 })).collect();
        match sv {
            Value::Host { node, kind: HostKind::Int } => {
                subs.push(Sub::Dyn { start: node, len: length as usize, step: 1, keep: true, span: ss, cap: None });
                self.index_dynamic(x, subs, span)
            }
            Value::Number(super::Num::Int(i)) if (-(n as i128)..=n as i128).contains(&i) => {
                let start = if i < 0 { i as i64 + n } else { i as i64 };
                if start + length > n {
                    return self.error(
                        Diagnostic::new(
                            Code::E0609,
                            format!("start ({start}) + length ({length}) exceeds dimension size ({n})"),
                            span,
                            "does not fit",
                        )
                        .with_help(format!("narrow at most {} elements from {start}", n - start)),
                    );
                }
                let mut out = shape.clone();
                out[dim] = length as usize;
                let dt = self.dtype_of(x);
                Value::Tensor(self.op_node(Op::Slice { dim, start: start as usize, step: 1 }, dt, out, &[x], span, "SliceBackward0"))
            }
            Value::Poison => Value::Poison,
            other => {
                let what = match other {
                    Value::Number(super::Num::Int(i)) => format!("`narrow`'s start {i} is out of range for a dimension of size {n}"),
                    o => format!("`narrow`'s start must be an integer, not {}", o.describe()),
                };
                self.error(
                    Diagnostic::new(Code::E0609, what, ss, "not a valid start")
                        .with_help(format!("the start of this dimension runs from {} to {n}", -n)),
                )
            }
        }
    }
}
