//! Lowering of `pad(input, pad, mode="constant", value=none)`
//! (`torch.nn.functional.pad`). `pad` gives (before, after) for the last
//! dimension, then the one before it, and so on; a negative amount crops.
//!
//! The constant mode is ATen's `constant_pad_nd`: each dimension is cropped
//! with a `slice` and grown with a `slice_backward` (zeros around the values),
//! and a nonzero `value` is selected outside the values, so every value is
//! copied exactly (`-0.0` included) and the gradient is the slices'.
//!
//! The reflect, replicate and circular modes pad the last one, two or three
//! dimensions with copies of the input's own elements. Reflect and replicate
//! are one `gather` of the padded dimensions flattened, at the positions
//! PyTorch's kernels read (`PaddingKernel.cpp`); its gradient adds each output
//! position's gradient into the input position it read, in the output's
//! row-major order, as PyTorch's backward kernels do. Circular is
//! `_pad_circular`'s copies one by one (`Lowerer::pad_circular`), so that its
//! gradient adds the borders back in PyTorch's order.

use graphc_runtime::op::{Cmp, IndexOp};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
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
                Value::Str(m) if m == "reflect" || m == "replicate" || m == "circular" => {
                    if let Some((_, vs)) = arg(3) {
                        return self.error(
                            Diagnostic::new(Code::E0107, format!("Padding mode \"{m}\" doesn't take in value argument"), vs, "a fill value")
                                .with_help("leave `value` out: the border repeats the input's own elements"),
                        );
                    }
                    let border = match m.as_str() {
                        "reflect" => Border::Reflect,
                        "replicate" => Border::Replicate,
                        _ => Border::Circular,
                    };
                    return self.pad_border(x, xs, &amounts, ps, border, span);
                }
                Value::Str(m) => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`pad` has no mode \"{m}\""), s, "unknown mode")
                            .with_help("the modes are \"constant\", \"reflect\", \"replicate\" and \"circular\""),
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

/// The most elements the padded dimensions of a reflect or replicate `pad`
/// may have (a 4096 x 4096 image): one position each is built when compiling.
const MAX_POSITIONS: i128 = 1 << 24;

/// The border of a non-constant `pad`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Border {
    Reflect,
    Replicate,
    Circular,
}

impl Border {
    /// PyTorch's kernel name (in its dtype error) and `grad_fn` for `k` padded dimensions.
    fn names(self, k: usize) -> (String, String) {
        match self {
            Border::Reflect => (format!("reflection_pad{k}d"), format!("ReflectionPad{k}DBackward0")),
            Border::Replicate => (format!("replication_pad{k}d"), format!("ReplicationPad{k}DBackward0")),
            Border::Circular => ("_pad_circular".to_string(), "CopySlices".to_string()),
        }
    }

    /// The input position output `o` reads along a dimension of `size` padded
    /// by `before` in front when reflected or replicated, once the amounts
    /// were checked.
    fn source(self, o: i128, size: i128, before: i128) -> i128 {
        let i = o - before;
        match self {
            Border::Reflect if i < 0 => -i,
            Border::Reflect if i >= size => 2 * (size - 1) - i,
            Border::Reflect => i,
            Border::Replicate => i.clamp(0, size - 1),
            Border::Circular => unreachable!("the circular pad copies its borders (`pad_circular`)"),
        }
    }
}

impl Lowerer<'_> {
    /// `pad(x, amounts, mode)` for a reflect, replicate or circular `mode`:
    /// PyTorch's checks, then the positions every output element reads.
    fn pad_border(&mut self, x: NodeId, xs: Span, amounts: &[i128], ps: Span, border: Border, span: Span) -> Value {
        let shape = self.shape_of(x);
        let dt = self.dtype_of(x);
        let (n, len) = (shape.len(), amounts.len());
        if len % 2 != 0 {
            return self.error(
                Diagnostic::new(Code::E0202, "Padding length must be divisible by 2", ps, "an odd length")
                    .with_help("give (before, after) for each padded dimension"),
            );
        }
        let k = len / 2;
        if !(1..=3).contains(&k) || !(n == k + 1 || n == k + 2) {
            return self.error(
                Diagnostic::new(Code::E0202, format!("Padding size {len} is not supported for {n}D input tensor."), ps, "this many amounts")
                    .with_help(
                        "pad a [C, W] or [N, C, W] input by (left, right), a [C, H, W] or [N, C, H, W] one by (left, right, top, bottom), or a 4-D or 5-D one by six amounts",
                    ),
            );
        }
        let (kernel, grad_fn) = border.names(k);
        if dt == DType::Bool && border != Border::Circular {
            return self.error(
                Diagnostic::new(Code::E0204, format!("\"{kernel}\" not implemented for 'Bool'"), xs, "this is bool")
                    .with_help("convert the input first, as in `x.long()`, or pad with mode=\"circular\""),
            );
        }
        let first = n - k;
        if border != Border::Circular && shape[usize::from(n == k + 2)..].contains(&0) {
            let message = format!(
                "Expected {}D or {}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {}",
                k + 1,
                k + 2,
                shapes::show(&shape)
            );
            return self.error(Diagnostic::new(Code::E0202, message, xs, "an empty dimension").with_help("only the batch dimension may be empty"));
        }
        let mut out_dims = Vec::with_capacity(k);
        for d in first..n {
            let j = n - 1 - d;
            let (size, before, after) = (shape[d] as i128, amounts[2 * j], amounts[2 * j + 1]);
            let problem = match border {
                Border::Reflect if before >= size || after >= size => Some(format!(
                    "Argument #{}: Padding size should be less than the corresponding input dimension, but got: padding ({before}, {after}) at dimension {d} of input {}",
                    4 + 2 * j,
                    shapes::show(&shape)
                )),
                Border::Circular if before > size || after > size => Some("Padding value causes wrapping around more than once.".to_string()),
                Border::Circular if size - (-before).max(0) - (-after).max(0) < 0 => {
                    Some("Negative padding value is resulting in an empty dimension".to_string())
                }
                // PyTorch copies the border from the cropped input, and reads
                // elements it never wrote when the border is wider than that.
                Border::Circular if before.max(after) > size - (-before).max(0) - (-after).max(0) => Some(format!(
                    "the padding ({before}, {after}) of dimension {d} wraps around the {} elements left after cropping more than once",
                    size - (-before).max(0) - (-after).max(0)
                )),
                _ => None,
            };
            if let Some(message) = problem {
                return self.error(Diagnostic::new(Code::E0202, message, ps, "too much padding").with_help(match border {
                    Border::Reflect => "reflect by less than the dimension's size",
                    _ => "wrap around at most the elements the dimension keeps",
                }));
            }
            out_dims.push(size + before + after);
        }
        if border != Border::Circular && out_dims.iter().any(|&o| o < 1) {
            let names = &["D", "H", "W"][3 - k..];
            let sizes: Vec<String> = names.iter().zip(&shape[first..]).map(|(name, s)| format!("{name}: {s}")).collect();
            let outs: Vec<String> = names.iter().zip(&out_dims).map(|(name, o)| format!("{name}: {o}")).collect();
            let message = format!("input ({}) is too small. Calculated output {}", sizes.join(", "), outs.join(", "));
            return self
                .error(Diagnostic::new(Code::E0202, message, ps, "crops the whole dimension").with_help("crop less than the dimension's size"));
        }
        // The positions are built here, when compiling: their count is bounded
        // before anything is allocated (a replicated border may be any width).
        let positions = out_dims.iter().try_fold(1i128, |n, &o| n.checked_mul(o.max(0)));
        if border != Border::Circular && positions.is_none_or(|n| n > MAX_POSITIONS) {
            let message = format!(
                "the padded dimensions would have {} elements; graphc builds the positions a {} pad reads when compiling, at most {MAX_POSITIONS}",
                positions.map_or_else(|| "more than 2^127".to_string(), |n| n.to_string()),
                kernel
            );
            return self.error(Diagnostic::new(Code::E0501, message, ps, "too wide a border").with_help("pad by less"));
        }
        let out_dims: Vec<usize> = out_dims.into_iter().map(|o| o.max(0) as usize).collect();
        if border == Border::Circular {
            return self.pad_circular(x, amounts, &out_dims, span);
        }
        // The flat position in the padded dimensions each output element
        // reads, in the output's row-major order.
        let in_strides: Vec<usize> = (first..n).map(|d| shape[d + 1..].iter().product()).collect();
        let inner_out: usize = out_dims.iter().product();
        let mut index = Vec::with_capacity(inner_out);
        let mut at = vec![0usize; k];
        for _ in 0..inner_out {
            let mut flat = 0usize;
            for (j, d) in (first..n).enumerate() {
                let before = amounts[2 * (n - 1 - d)];
                flat += border.source(at[j] as i128, shape[d] as i128, before) as usize * in_strides[j];
            }
            index.push(graphc_runtime::op::Scalar::Int(flat as i64));
            for j in (0..k).rev() {
                at[j] += 1;
                if at[j] < out_dims[j] {
                    break;
                }
                at[j] = 0;
            }
        }
        let batch = &shape[..first];
        let with = |last: usize| batch.iter().copied().chain([last]).collect::<Vec<usize>>();
        let inner_in: usize = shape[first..].iter().product();
        let flat_x = self.node(Op::Reshape, dt, with(inner_in), &[x], span);
        let index = self.node(Op::Literal(index), DType::I64, vec![inner_out], &[], span);
        let mut lined = vec![1; first];
        lined.push(inner_out);
        let lined = self.node(Op::Reshape, DType::I64, lined, &[index], span);
        let spread = self.node(Op::Expand, DType::I64, with(inner_out), &[lined], span);
        let gathered = self.node(Op::Index(IndexOp::Gather { dim: first }), dt, with(inner_out), &[flat_x, spread], span);
        let out: Vec<usize> = batch.iter().copied().chain(out_dims).collect();
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[gathered], span, &grad_fn))
    }

    /// The circular `pad` as `_pad_circular` makes it, copy by copy: the
    /// cropped input placed in the middle, then for each padded dimension
    /// from the last, its left border copied from the middle's end and its
    /// right border from its start. Each copy is a `where` between the
    /// result so far and a slice of it moved into place, so the gradient
    /// takes the copies back in the reverse order, adding each border's
    /// gradient into the positions it was copied from one at a time, as
    /// PyTorch's `CopySlices` do: the same sums in the same order.
    fn pad_circular(&mut self, x: NodeId, amounts: &[i128], out_dims: &[usize], span: Span) -> Value {
        let shape = self.shape_of(x);
        let dt = self.dtype_of(x);
        let (n, k) = (shape.len(), out_dims.len());
        let first = n - k;
        let mut out: Vec<usize> = shape[..first].to_vec();
        out.extend_from_slice(out_dims);
        let pads = |d: usize| (amounts[2 * (n - 1 - d)], amounts[2 * (n - 1 - d) + 1]);
        // The input cropped by the negative amounts, placed between the borders.
        let mut t = x;
        let mut cur = shape.clone();
        for d in first..n {
            let (before, after) = pads(d);
            let (lo, hi) = ((-before).max(0) as usize, (-after).max(0) as usize);
            if lo > 0 || hi > 0 {
                cur[d] -= lo + hi;
                t = self.node(Op::Slice { dim: d, start: lo, step: 1 }, dt, cur.clone(), &[t], span);
            }
        }
        for d in first..n {
            let start = pads(d).0.max(0) as usize;
            if cur[d] != out[d] {
                cur[d] = out[d];
                t = self.node(Op::SliceBackward { dim: d, start, step: 1 }, dt, cur.clone(), &[t], span);
            }
        }
        if t == x {
            return Value::Tensor(self.op_node(Op::Expand, dt, out, &[x], span, "CopySlices"));
        }
        for d in (first..n).rev() {
            let (before, after) = pads(d);
            let (l, r) = (before.max(0) as usize, after.max(0) as usize);
            let size = out[d];
            // (the border's first position, its width, where it is copied from)
            for (at, width, from) in [(0, l, size - l - r), (size - r, r, l)] {
                if width == 0 {
                    continue;
                }
                let mut part = out.clone();
                part[d] = width;
                let source = self.node(Op::Slice { dim: d, start: from, step: 1 }, dt, part, &[t], span);
                let moved = self.node(Op::SliceBackward { dim: d, start: at, step: 1 }, dt, out.clone(), &[source], span);
                let mut line = vec![1; n];
                line[d] = size;
                let mask = (0..size).map(|p| graphc_runtime::op::Scalar::float(if (at..at + width).contains(&p) { 1.0 } else { 0.0 })).collect();
                let mask = self.node(Op::Literal(mask), DType::Bool, line, &[], span);
                t = self.op_node(Op::Select, dt, out.clone(), &[mask, moved, t], span, "CopySlices");
            }
        }
        Value::Tensor(t)
    }
}
