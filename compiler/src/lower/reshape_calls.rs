//! Lowering of the builtins that keep the elements in order and change the
//! shape: `reshape`, `view`, `flatten`, `squeeze`, `unsqueeze`, `expand`,
//! `expand_as` and `repeat`. All but `repeat` are views in PyTorch; graphc
//! computes them as `reshape` or `expand` nodes and records the `grad_fn`
//! PyTorch shows, which for `reshape` and `flatten` depends on whether PyTorch
//! could view or had to copy ([`super::views`]).

use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// `reshape(input, *shape)` (`view` when `view` is true).
    pub(super) fn reshape_call(&mut self, t: NodeId, sizes: Vec<(Value, Span)>, span: Span, view: bool) -> Value {
        let Some(sizes) = self.int_args(sizes, span, "the sizes") else { return Value::Poison };
        let Some(shape) = self.infer_shape(t, &sizes, span) else { return Value::Poison };
        if view {
            if !self.viewable(t, &shape) {
                return self.error(
                    Diagnostic::new(
                        Code::E0222,
                        format!(
                            "`view` to {} needs a tensor laid out contiguously, but this one is a transposed, permuted or expanded view",
                            shapes::show(&shape)
                        ),
                        span,
                        "no view of this layout",
                    )
                    .with_help("use `reshape`, which copies when it must (or `.contiguous()` first in PyTorch)"),
                );
            }
            return self.reshape_node(t, shape, span, "ViewBackward0");
        }
        let grad_fn = self.reshape_grad_fn(t, &shape);
        self.reshape_node(t, shape, span, grad_fn)
    }

    /// `flatten(input, start_dim=0, end_dim=-1)`: dimensions `start_dim` to
    /// `end_dim` merged into one. As in PyTorch, a 0-d tensor becomes `[1]` and
    /// merging a single dimension returns the input itself.
    pub(super) fn flatten_call(&mut self, t: NodeId, start: Option<(Value, Span)>, end: Option<(Value, Span)>, span: Span) -> Value {
        let shape = self.shape_of(t);
        let Some(s) = self.dim_arg(start, 0, shape.len(), span) else { return Value::Poison };
        let Some(e) = self.dim_arg(end, -1, shape.len(), span) else { return Value::Poison };
        if shape.is_empty() {
            return self.reshape_node(t, vec![1], span, "ViewBackward0");
        }
        if s > e {
            return self.error(
                Diagnostic::new(Code::E0220, format!("flatten's start_dim {s} comes after its end_dim {e}"), span, "empty range of dimensions")
                    .with_help("give `start_dim` <= `end_dim`"),
            );
        }
        if s == e {
            return Value::Tensor(t);
        }
        let mut out: Vec<usize> = shape[..s].to_vec();
        out.push(shape[s..=e].iter().product());
        out.extend_from_slice(&shape[e + 1..]);
        let grad_fn = self.reshape_grad_fn(t, &out);
        self.reshape_node(t, out, span, grad_fn)
    }

    /// `squeeze(input)` (every dimension of size 1 removed) or `squeeze(input, dim)`
    /// (that one, if its size is 1; otherwise the shape is kept, as in PyTorch).
    pub(super) fn squeeze_call(&mut self, t: NodeId, dim: Option<(Value, Span)>, span: Span) -> Value {
        let shape = self.shape_of(t);
        let given = dim.as_ref().is_some_and(|(v, _)| !matches!(v, Value::None));
        if !given {
            let out: Vec<usize> = shape.iter().copied().filter(|&d| d != 1).collect();
            return self.reshape_node(t, out, span, "SqueezeBackward0");
        }
        let Some(d) = self.dim_arg(dim, 0, shape.len(), span) else { return Value::Poison };
        let mut out = shape.clone();
        if !shape.is_empty() && shape[d] == 1 {
            out.remove(d);
        }
        self.reshape_node(t, out, span, "SqueezeBackward1")
    }

    /// `unsqueeze(input, dim)`: a dimension of size 1 inserted at `dim`
    /// (from `-rank - 1` to `rank`).
    pub(super) fn unsqueeze_call(&mut self, t: NodeId, dim: Option<(Value, Span)>, span: Span) -> Value {
        let shape = self.shape_of(t);
        let Some(d) = self.dim_arg(dim, 0, shape.len() + 1, span) else { return Value::Poison };
        let mut out = shape;
        out.insert(d, 1);
        self.reshape_node(t, out, span, "UnsqueezeBackward0")
    }

    /// `expand(input, *sizes)`: broadcast to the sizes (`-1` keeps a size; new
    /// dimensions may be added in front, not with `-1`).
    pub(super) fn expand_call(&mut self, t: NodeId, sizes: Vec<(Value, Span)>, span: Span) -> Value {
        let Some(sizes) = self.int_args(sizes, span, "the sizes") else { return Value::Poison };
        let shape = self.shape_of(t);
        let at = sizes.first().map_or(span, |(_, a)| a.to(sizes[sizes.len() - 1].1));
        if sizes.len() < shape.len() {
            return self.size_error(
                format!("expand needs at least one size per dimension: {} sizes for shape {}", sizes.len(), shapes::show(&shape)),
                at,
                "too few sizes",
            );
        }
        let lead = sizes.len() - shape.len();
        let mut out = Vec::with_capacity(sizes.len());
        for (i, &(s, _)) in sizes.iter().enumerate() {
            let size = match (i.checked_sub(lead).map(|k| shape[k]), s) {
                (None, -1) => return self.size_error(format!("expand cannot infer the new leading dimension {i} from -1"), at, "-1 here"),
                (Some(old), -1) => old,
                (_, s) if s < 0 => return self.size_error(format!("expand got the negative size {s}"), at, "negative size"),
                (Some(old), s) if old != 1 && old as i64 != s => {
                    return self.size_error(
                        format!("expand cannot change dimension {i} from {old} to {s}: only dimensions of size 1 expand"),
                        at,
                        "size does not fit",
                    )
                }
                (_, s) => s as usize,
            };
            out.push(size);
        }
        self.expand_node(t, out, span)
    }

    /// `expand_as(input, other)`: `expand` to `other`'s shape.
    pub(super) fn expand_as_call(&mut self, t: NodeId, other: (Value, Span), span: Span) -> Value {
        let (v, os) = other;
        let Some(o) = self.expect_tensor(v, os, "expand_as's `other`") else { return Value::Poison };
        let (from, to) = (self.shape_of(t), self.shape_of(o));
        if !shapes::broadcasts_to(&from, &to) {
            return self.size_error(format!("shape {} does not expand to {}", shapes::show(&from), shapes::show(&to)), os, "target shape");
        }
        self.expand_node(t, to, span)
    }

    /// `repeat(input, *sizes)`: the tensor tiled `sizes[i]` times along dimension
    /// `i` (leading sizes add dimensions). Computed as an expand of the input
    /// with a size-1 dimension before each of its own, then a reshape, so its
    /// gradient sums over the copies as PyTorch's `repeat_backward` does.
    pub(super) fn repeat_call(&mut self, t: NodeId, sizes: Vec<(Value, Span)>, span: Span) -> Value {
        let Some(sizes) = self.int_args(sizes, span, "the repeat counts") else { return Value::Poison };
        let shape = self.shape_of(t);
        let at = sizes.first().map_or(span, |(_, a)| a.to(sizes[sizes.len() - 1].1));
        if sizes.len() < shape.len() {
            return self.size_error(
                format!("repeat needs at least one count per dimension: {} counts for shape {}", sizes.len(), shapes::show(&shape)),
                at,
                "too few counts",
            );
        }
        if let Some((s, _)) = sizes.iter().find(|(s, _)| *s < 0) {
            return self.size_error(format!("repeat got the negative count {s}"), at, "negative count");
        }
        let lead = sizes.len() - shape.len();
        let padded: Vec<usize> = std::iter::repeat_n(1, lead).chain(shape.iter().copied()).collect();
        let (mut split, mut tiled, mut out) = (Vec::new(), Vec::new(), Vec::new());
        for (&(r, _), &s) in sizes.iter().zip(&padded) {
            split.extend([1, s]);
            tiled.extend([r as usize, s]);
            out.push(r as usize * s);
        }
        if !self.fits(&out, at) {
            return Value::Poison;
        }
        let dt = self.dtype_of(t);
        let spread = self.node(Op::Reshape, dt, split, &[t], span);
        let copies = self.node(Op::Expand, dt, tiled, &[spread], span);
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[copies], span, "RepeatBackward0"))
    }

    /// The shape that `sizes` (with at most one `-1`) give a tensor's elements.
    fn infer_shape(&mut self, t: NodeId, sizes: &[(i64, Span)], span: Span) -> Option<Vec<usize>> {
        let numel: usize = self.shape_of(t).iter().product();
        let at = sizes.first().map(|(_, s)| s.to(sizes[sizes.len() - 1].1)).unwrap_or(span);
        let inferred: Vec<usize> = (0..sizes.len()).filter(|&i| sizes[i].0 == -1).collect();
        if inferred.len() > 1 {
            self.size_error("only one dimension can be inferred from -1".to_string(), at, "several -1");
            return None;
        }
        if let Some((s, _)) = sizes.iter().find(|(s, _)| *s < -1) {
            self.size_error(format!("invalid size {s}: sizes are non-negative, or -1 for one inferred size"), at, "negative size");
            return None;
        }
        let known: u128 = sizes.iter().filter(|(s, _)| *s >= 0).map(|(s, _)| *s as u128).product();
        let mut shape: Vec<usize> = sizes.iter().map(|(s, _)| (*s).max(0) as usize).collect();
        let fits = match inferred.first() {
            Some(&i) if known != 0 && (numel as u128).is_multiple_of(known) => {
                shape[i] = (numel as u128 / known) as usize;
                true
            }
            Some(_) => false,
            None => known == numel as u128,
        };
        if !fits {
            let shown: Vec<String> = sizes.iter().map(|(s, _)| s.to_string()).collect();
            self.size_error(format!("shape [{}] is invalid for a tensor of {numel} elements", shown.join(", ")), at, "sizes do not fit");
            return None;
        }
        Some(shape)
    }

    fn reshape_node(&mut self, t: NodeId, shape: Vec<usize>, span: Span, grad_fn: &str) -> Value {
        let dt = self.dtype_of(t);
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[t], span, grad_fn))
    }

    fn expand_node(&mut self, t: NodeId, shape: Vec<usize>, span: Span) -> Value {
        let dt = self.dtype_of(t);
        Value::Tensor(self.op_node(Op::Expand, dt, shape, &[t], span, "ExpandBackward0"))
    }

    /// A dimension argument (default `default`), normalized for `rank` dimensions.
    pub(super) fn dim_arg(&mut self, arg: Option<(Value, Span)>, default: i64, rank: usize, span: Span) -> Option<usize> {
        let (d, at) = match arg {
            None | Some((Value::None, _)) => (default, span),
            Some((Value::Number(super::Num::Int(i)), s)) if i.abs() < 1_000_000_000_000_000 => (i as i64, s),
            Some((Value::Poison, _)) => return None,
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("a dimension must be an integer, not {}", other.describe()), s, "not a dimension")
                        .with_help("write an integer such as `0` or `-1`"),
                );
                return None;
            }
        };
        match shapes::dim_index(d, rank) {
            Ok(d) => Some(d),
            Err(msg) => {
                self.error(Diagnostic::new(Code::E0220, msg, at, "no such dimension").with_help("dimensions count from 0, or from -1 at the end"));
                None
            }
        }
    }

    /// E0221 for sizes that do not fit.
    pub(super) fn size_error(&mut self, msg: String, at: Span, label: &str) -> Value {
        self.error(Diagnostic::new(Code::E0221, msg, at, label).with_help("the sizes must keep the element count, and follow the op's rules"))
    }

    /// False (with E0202) when a shape has more elements than a tensor may.
    pub(super) fn fits(&mut self, shape: &[usize], at: Span) -> bool {
        let n = shape.iter().try_fold(1u128, |n, &d| n.checked_mul(d as u128));
        if n.is_some_and(|n| n <= super::builtin_calls::MAX_ELEMENTS) {
            return true;
        }
        self.error(
            Diagnostic::new(Code::E0202, format!("a result of shape {} has more than 2^31 elements", shapes::show(shape)), at, "too large")
                .with_help("use smaller sizes"),
        );
        false
    }
}
