//! Lowering of `pad(input, pad, mode="constant", value=none)`
//! (`torch.nn.functional.pad`) in its constant mode, as ATen's
//! `constant_pad_nd` computes it: `pad` gives (before, after) for the last
//! dimension, then the one before it, and so on; a negative amount crops.
//! Each dimension is cropped with a `slice` and grown with a `slice_backward`
//! (zeros around the values), and a nonzero `value` is selected outside the
//! values, so every value is copied exactly (`-0.0` included)
//! and the gradient is the slices'.

use graphc_runtime::op::Cmp;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// PyTorch's `grad_fn` of the result.
const GRAD_FN: &str = "ConstantPadNdBackward0";

impl Lowerer<'_> {
    /// `pad(input, pad, mode="constant", value=none)`.
    pub(crate) fn pad(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(xv, xs, "`pad`'s input") else { return Value::Poison };
        let (pv, ps) = bound.positional[1].clone().expect("bind guarantees pad");
        let Some(amounts) = self.pad_amounts(pv, ps) else { return Value::Poison };
        if let Some((mode, s)) = arg(2) {
            match mode {
                Value::Str(m) if m == "constant" => {}
                Value::Str(m) => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("graphc pads with mode=\"constant\" only, not \"{m}\""), s, "unsupported mode")
                            .with_help("pad with a constant, or build the reflected or replicated border with `cat` of slices"),
                    )
                }
                other => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`mode` must be a string, not {}", other.describe()), s, "not a mode")
                            .with_help("write `mode=\"constant\"`"),
                    )
                }
            }
        }
        let value = match arg(3) {
            None => None,
            Some((v, s)) => match self.number(&v, s, "`value`") {
                Some(n) => Some((n, v)),
                None => return Value::Poison,
            },
        };
        let shape = self.shape_of(x);
        if amounts.len() % 2 != 0 {
            return self.error(
                Diagnostic::new(Code::E0202, "Padding length must be divisible by 2", ps, "an odd length")
                    .with_help("give (before, after) for each padded dimension"),
            );
        }
        if amounts.len() > 2 * shape.len() {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "Padding length should be less than or equal to two times the input dimension but got padding length {} and input of dimension {}",
                        amounts.len(),
                        shape.len()
                    ),
                    ps,
                    "too many amounts",
                )
                .with_help("pad at most every dimension, the last one first"),
            );
        }
        let dt = self.dtype_of(x);
        let mut t = x;
        let mut cur = shape.clone();
        // The values' place in the result, per dimension, for the `value` fill.
        let mut placed: Vec<(usize, usize, usize)> = Vec::new();
        for (k, pair) in amounts.chunks(2).enumerate() {
            let dim = shape.len() - 1 - k;
            let (before, after) = (pair[0], pair[1]);
            let size = cur[dim] as i128;
            let out = size + before + after;
            if out < 0 {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!(
                            "The input size {size}, plus negative padding {before} and {after} resulted in a negative output size, which is invalid. Check dimension {dim} of your input."
                        ),
                        ps,
                        "crops more than the dimension",
                    )
                    .with_help("crop less than the dimension's size"),
                );
            }
            // Crop first: what a negative amount removes.
            let (lo, hi) = ((-before).max(0), (-after).max(0));
            if lo > 0 || hi > 0 {
                let kept = (size - lo - hi).max(0) as usize;
                cur[dim] = kept;
                t = self.op_node(Op::Slice { dim, start: lo as usize, step: 1 }, dt, cur.clone(), &[t], span, GRAD_FN);
            }
            let (grow_lo, grow_hi) = (before.max(0) as usize, after.max(0) as usize);
            placed.push((dim, grow_lo, cur[dim]));
            if grow_lo > 0 || grow_hi > 0 {
                cur[dim] += grow_lo + grow_hi;
                t = self.op_node(Op::SliceBackward { dim, start: grow_lo, step: 1 }, dt, cur.clone(), &[t], span, GRAD_FN);
            }
        }
        let Some((v, vv)) = value.filter(|(v, _)| *v != 0.0 && cur != shape) else {
            return Value::Tensor(if t == x { self.op_node(Op::Expand, dt, cur, &[x], span, GRAD_FN) } else { t });
        };
        // Ones where the values are, zeros in the padding: `where` picks the value there.
        let mut inside: NodeId = self.scalar(1.0, dt, span);
        let mut ishape = vec![1; shape.len()];
        for &(dim, start, len) in placed.iter().rev() {
            ishape[dim] = len;
            inside = self.node(Op::Expand, dt, ishape.clone(), &[inside], span);
            ishape[dim] = cur[dim];
            inside = self.node(Op::SliceBackward { dim, start, step: 1 }, dt, ishape.clone(), &[inside], span);
        }
        let one = self.scalar(1.0, dt, span);
        let fill = match vv {
            Value::Number(n) => self.scalar_num(n, dt, span),
            _ => self.scalar(v, dt, span),
        };
        let cond = self.node(Op::Compare(Cmp::Eq), DType::Bool, ishape, &[inside, one], span);
        Value::Tensor(self.op_node(Op::Select, dt, cur, &[cond, t, fill], span, GRAD_FN))
    }

    /// `pad`'s amounts: a tuple or list of integers.
    fn pad_amounts(&mut self, v: Value, s: Span) -> Option<Vec<i128>> {
        let items = match v {
            Value::Tuple(items) | Value::List(items) => items,
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`pad` must be a tuple of integers, not {}", other.describe()), s, "not a padding")
                        .with_help("give (before, after) for the last dimension, then the one before it, such as `(1, 1)`"),
                );
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (item, is) in items {
            match item {
                Value::Number(Num::Int(n)) if n.abs() < 1 << 40 => out.push(n),
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(Code::E0107, format!("a padding amount must be an integer, not {}", other.describe()), is, "not an amount")
                            .with_help("write whole numbers of positions, such as `(1, 1)`"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }
}
