//! Lowering of `tril`, `triu`, `diag`, `diagonal` and `trace`
//! (docs/act-language.md, section 5).
//!
//! Each is a composite of ops whose gradients are PyTorch's for these
//! builtins, bit for bit: `tril(x, k)` selects `x` under a constant mask of the
//! last two dimensions (its gradient, `grad.tril(k)`, is the same selection of
//! the gradient); `diag` of a matrix and `diagonal` gather the diagonal from
//! the flattened input, and `diag` of a vector scatters it into flattened
//! zeros, with constant positions. `diagonal` is a view, as in PyTorch: an
//! in-place update of it writes its base (`view_map.rs` reads the gather's
//! constant positions). `trace` is ATen's `trace_cpu`: the diagonal added in
//! order in the accumulate type (f64 for floats, i64 for integers, a running
//! sum whose last element is the total), and its gradient `trace_backward`'s,
//! the incoming gradient on the diagonal and zeros elsewhere. The result
//! carries PyTorch's `grad_fn`.

use graphc_runtime::op::{IndexOp, Op, Scalar};
use graphc_runtime::DType;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// The input tensor (float or i64) and the integer `diagonal` of a call.
    fn triangle_args(&mut self, name: &str, bound: &Bound<Value>) -> Option<(crate::ir::graph::NodeId, Span, i64)> {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let x = self.expect_tensor(v, vs, &format!("`{name}`'s input"))?;
        // `triu` and `tril` of a bool tensor are PyTorch's causal-mask idiom;
        // `diag` of one is refused.
        if self.dtype_of(x) == DType::Bool && name == "diag" {
            self.error(
                Diagnostic::new(Code::E0204, format!("`{name}` does not take bool tensors"), vs, "this is bool")
                    .with_help(format!("convert the input first, as in `{name}(x.long())`")),
            );
            return None;
        }
        let k = match bound.positional.get(1).cloned().flatten() {
            None | Some((Value::None, _)) => 0,
            Some((Value::Number(super::Num::Int(i)), _)) if i.abs() < 1_000_000_000_000_000 => i as i64,
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`diagonal` of `{name}` must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help("write the diagonal's offset: 0 the main one, 1 above it, -1 below"),
                );
                return None;
            }
        };
        Some((x, vs, k))
    }

    /// `tril(input, diagonal=0)` (`upper`: `triu`): the elements on and below
    /// (above) the diagonal `k` of the last two dimensions, zeros elsewhere.
    pub(super) fn triangle_call(&mut self, upper: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let Some((x, vs, k)) = self.triangle_args(name, bound) else { return Value::Poison };
        let shape = self.shape_of(x);
        if shape.len() < 2 {
            let msg = format!("`{name}` needs a tensor of at least 2 dimensions, not one of shape {}", shapes::show(&shape));
            return self.error(Diagnostic::new(Code::E0202, msg, vs, "fewer than 2 dimensions").with_help("give it a matrix or a batch of matrices"));
        }
        let (rows, cols) = (shape[shape.len() - 2], shape[shape.len() - 1]);
        let keep = |r: usize, c: usize| {
            let d = c as i64 - r as i64;
            if upper {
                d >= k
            } else {
                d <= k
            }
        };
        let mask: Vec<Scalar> = (0..rows * cols).map(|p| Scalar::float(if keep(p / cols, p % cols) { 1.0 } else { 0.0 })).collect();
        let mask = self.node(Op::Literal(mask), DType::Bool, vec![rows, cols], &[], span);
        let dt = self.dtype_of(x);
        if dt == DType::Bool {
            return Value::Tensor(self.node(Op::Logical(graphc_runtime::op::Logical::And), dt, shape, &[x, mask], span));
        }
        let zero = self.scalar(0.0, dt, span);
        let grad_fn = if upper { "TriuBackward0" } else { "TrilBackward0" };
        Value::Tensor(self.op_node(Op::Select, dt, shape, &[mask, x, zero], span, grad_fn))
    }

    /// `diag(input, diagonal=0)`: a vector's elements on diagonal `k` of a
    /// square matrix of zeros (`DiagEmbedBackward0`), or a matrix's diagonal `k`
    /// as a vector (`DiagonalBackward0_copy`, as PyTorch 2.15 prints it).
    pub(super) fn diag_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let Some((x, vs, k)) = self.triangle_args("diag", bound) else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let (down, right) = (if k < 0 { k.unsigned_abs() as usize } else { 0 }, if k > 0 { k as usize } else { 0 });
        let positions = |n: usize, width: usize| -> Vec<Scalar> { (0..n).map(|i| Scalar::Int(((i + down) * width + i + right) as i64)).collect() };
        match shape[..] {
            [n] => {
                let m = n + down + right;
                let idx = self.node(Op::Literal(positions(n, m)), DType::I64, vec![n], &[], span);
                let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![m * m], &[], span);
                let op = Op::Index(IndexOp::ScatterInto { dim: 0, add: false });
                let flat = self.node(op, dt, vec![m * m], &[zeros, idx, x], span);
                Value::Tensor(self.op_node(Op::Reshape, dt, vec![m, m], &[flat], span, "DiagEmbedBackward0"))
            }
            [r, c] => {
                let n = r.saturating_sub(down).min(c.saturating_sub(right));
                let idx = self.node(Op::Literal(positions(n, c)), DType::I64, vec![n], &[], span);
                let flat = self.node(Op::Reshape, dt, vec![r * c], &[x], span);
                Value::Tensor(self.op_node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![n], &[flat, idx], span, "DiagonalBackward0_copy"))
            }
            _ => {
                let msg = format!("`diag` takes a 1-D or 2-D tensor, not one of shape {}", shapes::show(&shape));
                self.error(
                    Diagnostic::new(Code::E0202, msg, vs, "not 1-D or 2-D")
                        .with_help("give it a vector (to build a diagonal matrix) or a matrix (to read its diagonal)"),
                )
            }
        }
    }

    /// `diagonal(input, offset=0, dim1=0, dim2=1)`: the elements whose indices
    /// along `dim1` and `dim2` differ by `offset`, that pair of dimensions
    /// removed and the diagonal appended as the last one.
    pub(super) fn diagonal_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, "`diagonal`'s input") else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        if shape.len() < 2 {
            let msg = format!("`diagonal` needs a tensor of at least 2 dimensions, not one of shape {}", shapes::show(&shape));
            return self.error(Diagnostic::new(Code::E0202, msg, vs, "fewer than 2 dimensions").with_help("give it a matrix or a batch of matrices"));
        }
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let offset = match arg(1) {
            None => 0,
            Some((Value::Number(Num::Int(i)), _)) if i.abs() < 1_000_000_000_000_000 => i as i64,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`offset` must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help("write the diagonal's offset: 0 the main one, 1 above it, -1 below"),
                )
            }
        };
        let mut dims = [0, 1];
        for (k, default) in [(2, 0), (3, 1)] {
            dims[k - 2] = match arg(k) {
                None => default,
                Some((d, ds)) => match self.one_dim(d, ds, &shape) {
                    Some(d) => d,
                    None => return Value::Poison,
                },
            };
        }
        let [d1, d2] = dims;
        if d1 == d2 {
            let at = arg(3).map(|(_, s)| s).unwrap_or(span);
            return self.error(
                Diagnostic::new(Code::E0202, format!("`diagonal`'s dim1 and dim2 are both dimension {d1}"), at, "the same dimension")
                    .with_help("name two different dimensions, such as `dim1=-2, dim2=-1` for the last two"),
            );
        }
        let (down, right) = (if offset < 0 { offset.unsigned_abs() as usize } else { 0 }, if offset > 0 { offset as usize } else { 0 });
        let n = shape[d1].saturating_sub(down).min(shape[d2].saturating_sub(right));
        let rest: Vec<usize> = (0..shape.len()).filter(|&d| d != d1 && d != d2).collect();
        let mut out: Vec<usize> = rest.iter().map(|&d| shape[d]).collect();
        out.push(n);
        let strides = super::views::contiguous(&shape);
        let count: usize = out.iter().product();
        // Each output element's flat position in the input, row-major over `out`.
        let mut positions = Vec::with_capacity(count);
        for e in 0..count {
            let (mut r, mut at) = (e, 0);
            let k = r % n.max(1);
            r /= n.max(1);
            for (j, &d) in rest.iter().enumerate().rev() {
                at += (r % out[j]) * strides[d];
                r /= out[j];
            }
            positions.push(Scalar::Int((at + (k + down) * strides[d1] + (k + right) * strides[d2]) as i64));
        }
        let idx = self.node(Op::Literal(positions), DType::I64, vec![count], &[], span);
        let flat = self.node(Op::Reshape, dt, vec![shape.iter().product()], &[x], span);
        let picked = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![count], &[flat, idx], span);
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[picked], span, "DiagonalBackward0"))
    }

    /// `trace(input)` of a matrix: its main diagonal summed in order in the
    /// accumulate type, an i64 for integer (and bool) matrices.
    pub(super) fn trace_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, "`trace`'s input") else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let [r, c] = shape[..] else {
            let msg = format!("`trace` expects a matrix, not a tensor of shape {}", shapes::show(&shape));
            return self.error(
                Diagnostic::new(Code::E0202, msg, vs, format!("{} dimensions", shape.len()))
                    .with_help("give it a 2-D tensor; for a batch of matrices write `diagonal(x, dim1=-2, dim2=-1).sum(-1)`"),
            );
        };
        let n = r.min(c);
        let (out_dt, acc) = if dt.is_float() { (dt, DType::F64) } else { (DType::I64, DType::I64) };
        let out = if n == 0 {
            self.node(Op::Full(Scalar::of(0.0, out_dt)), out_dt, vec![], &[], span)
        } else {
            let positions = (0..n).map(|i| Scalar::Int((i * (c + 1)) as i64)).collect();
            let idx = self.node(Op::Literal(positions), DType::I64, vec![n], &[], span);
            let flat = self.node(Op::Reshape, dt, vec![r * c], &[x], span);
            let diagonal = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![n], &[flat, idx], span);
            let wide = self.cast_to(diagonal, acc, span);
            let running = self.node(Op::Cumsum { dim: 0, reverse: false }, acc, vec![n], &[wide], span);
            let last = self.node(Op::Slice { dim: 0, start: n - 1, step: 1 }, acc, vec![1], &[running], span);
            let total = self.node(Op::Reshape, acc, vec![], &[last], span);
            self.cast_to(total, out_dt, span)
        };
        if !dt.is_float() {
            return Value::Tensor(out);
        }
        let out = self.with_backward("TraceBackward0", &[x], out, span, |l, grad, _| {
            let on_diagonal = (0..r * c).map(|p| Scalar::float(if p % (c + 1) == 0 && p / c < n { 1.0 } else { 0.0 })).collect();
            let mask = l.node(Op::Literal(on_diagonal), DType::Bool, vec![r, c], &[], span);
            let zero = l.scalar(0.0, dt, span);
            vec![Some(l.node(Op::Select, dt, vec![r, c], &[mask, grad, zero], span))]
        });
        Value::Tensor(out)
    }
}
