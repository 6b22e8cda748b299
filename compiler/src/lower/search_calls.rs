//! `searchsorted(sorted_sequence, input, *, right=false, side=none,
//! sorter=none)` and `bucketize(input, boundaries, *, right=false)`
//! (docs/act-language.md, section 5): for each value, the position in the
//! sorted boundaries where it would be inserted to keep them sorted, as an
//! i64 tensor of the values' shape (0-d for a number), as PyTorch's CPU
//! kernel finds it with its binary search ([`IndexOp::Search`]).
//!
//! The boundaries are 1-D (one sequence for every value) or, for
//! `searchsorted`, N-D with the values' leading sizes (one sequence per row).
//! The two sides take their common dtype (a number takes the boundaries'
//! kind, as a Python scalar does); bool tensors are refused, as PyTorch's
//! kernel has none for them, and so is `out_int32=true`, since graphc's
//! integers are i64. The positions carry no gradient.

use graphc_runtime::op::{IndexOp, Op};
use graphc_runtime::DType;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::{promotion, shapes};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `searchsorted(sorted_sequence, input, ...)`, or `bucketize(input,
    /// boundaries, ...)` (`bucketize`: the operands the other way round, 1-D
    /// boundaries, no `side` or `sorter`).
    pub(super) fn search_call(&mut self, bucketize: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees two operands");
        let ((bv, bs), (vv, vs)) = if bucketize { (arg(1), arg(0)) } else { (arg(0), arg(1)) };
        let Some(boundaries) = self.expect_tensor(bv, bs, &format!("`{name}`'s boundaries")) else { return Value::Poison };
        let Some(right) = self.search_side(name, bound) else { return Value::Poison };
        if let Some((v, s)) = bound.keywords.get("out_int32").cloned() {
            match v {
                Value::Bool(false) => {}
                Value::Bool(true) => {
                    return self.error(
                        Diagnostic::new(Code::E0204, format!("`{name}` with `out_int32=true`: graphc's integer tensors are i64"), s, "no int32")
                            .with_help("leave `out_int32` out: the positions are i64, which `.long()` code expects anyway"),
                    )
                }
                other => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`out_int32` must be true or false, not {}", other.describe()), s, "not a bool")
                            .with_help("write `out_int32=false`, or leave it out"),
                    )
                }
            }
        }
        let bdt = self.dtype_of(boundaries);
        let bshape = self.shape_of(boundaries);
        // The values: a tensor, or a number searched as a 0-d tensor.
        let (values, dt) = match vv {
            Value::Tensor(t) => {
                let Some(dt) = self.promote_tensors(boundaries, bs, t, vs, &format!("`{name}`")) else { return Value::Poison };
                (t, dt)
            }
            Value::Number(n) => {
                let dt = promotion::with_number(bdt, promotion::number_category(n.is_int()));
                (self.scalar_num(n, dt, vs), dt)
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}`'s values must be a tensor or a number, not {}", other.describe()),
                        vs,
                        "not values",
                    )
                    .with_help("give the values to place among the boundaries"),
                )
            }
        };
        if dt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, format!("\"{name}\" not implemented for 'Bool'"), bs, "bool")
                    .with_help("convert the boundaries and values first, as in `.long()`"),
            );
        }
        let vshape = self.shape_of(values);
        let fits = match bshape.len() {
            0 => false,
            1 => true,
            _ => !bucketize && bshape.len() == vshape.len() && bshape[..bshape.len() - 1] == vshape[..vshape.len() - 1],
        };
        if !fits {
            let msg = if bucketize {
                format!("`bucketize`: boundaries tensor must be 1 dimension, but got shape {}", shapes::show(&bshape))
            } else {
                format!(
                    "`searchsorted`: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor {} and input value tensor {}",
                    shapes::show(&bshape),
                    shapes::show(&vshape)
                )
            };
            return self.error(
                Diagnostic::new(Code::E0202, msg, bs, format!("shape {}", shapes::show(&bshape)))
                    .with_secondary(vs, format!("shape {}", shapes::show(&vshape)))
                    .with_help("give one sorted sequence for all values (1-D), or one per row of values along the last dimension"),
            );
        }
        let mut operands = vec![self.cast_to(boundaries, dt, bs), self.cast_to(values, dt, vs)];
        let sorter = bound.keywords.get("sorter").cloned().filter(|(v, _)| !matches!(v, Value::None));
        if let Some((sv, ss)) = sorter {
            let Some(s) = self.expect_tensor(sv, ss, "`searchsorted`'s sorter") else { return Value::Poison };
            if self.dtype_of(s) != DType::I64 || self.shape_of(s) != bshape {
                let what = format!("one of dtype {} and shape {}", self.dtype_of(s), shapes::show(&self.shape_of(s)));
                return self.error(
                    Diagnostic::new(
                        Code::E0281,
                        format!("`searchsorted`'s sorter must be an i64 tensor of the boundaries' shape {}, not {what}", shapes::show(&bshape)),
                        ss,
                        "not a sorter",
                    )
                    .with_help("pass the positions that sort the boundaries, as in `sorter=argsort(seq)`"),
                );
            }
            operands.push(s);
        }
        let op = Op::Index(IndexOp::Search { right, sorter: operands.len() == 3 });
        Value::Tensor(self.node(op, DType::I64, vshape, &operands, span))
    }

    /// `right=` and `side=` together: whether to search for the last place (`right`).
    fn search_side(&mut self, name: &str, bound: &Bound<Value>) -> Option<bool> {
        let right = match bound.keywords.get("right").cloned() {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`right` must be true or false, not {}", other.describe()), s, "not a bool")
                        .with_help("write `right=true` for the last place among equal boundaries"),
                );
                return None;
            }
        };
        match bound.keywords.get("side").cloned() {
            None | Some((Value::None, _)) => Some(right),
            Some((Value::Str(side), s)) => match side.as_str() {
                "right" => Some(true),
                "left" if !right => Some(false),
                "left" => {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{name}`: side and right can't be set to opposites, got side of left while right was true"),
                            s,
                            "opposite sides",
                        )
                        .with_help("give one of them"),
                    );
                    None
                }
                other => {
                    self.error(
                        Diagnostic::new(Code::E0107, format!("`{name}`: side can only be 'left' or 'right' but got {other}"), s, "not a side")
                            .with_help("write `side=\"left\"` or `side=\"right\"`"),
                    );
                    None
                }
            },
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`side` must be \"left\" or \"right\", not {}", other.describe()), s, "not a side")
                        .with_help("write `side=\"right\"`"),
                );
                None
            }
        }
    }
}
