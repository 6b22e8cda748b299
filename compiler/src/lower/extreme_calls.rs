//! Lowering of `max`, `min`, `argmax` and `argmin` (docs/act-language.md,
//! section 5), which take PyTorch's three forms:
//! - `max(x)`: the largest element, 0-d (`MaxBackward1`, the gradient shared
//!   evenly among equal maxima, as the `amax` reduction it lowers to);
//! - `max(x, dim=d, keepdim=false)`: the values and the i64 indices of the first
//!   maxima along `d`, as PyTorch's named tuple `torch.return_types.max`
//!   (`.values`, `.indices`) (`MaxBackward0`: the gradient goes to the
//!   index only, which `gather`'s derivative does);
//! - `max(a, b)` with a tensor `b`: the elementwise `maximum`.
//!
//! `argmax(x, dim=None, keepdim=false)` is the index part alone.

use graphc_runtime::op::{reduced_shape, IndexOp, ReduceKind, TypeRule};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// A call of `max`, `min`, `argmax` or `argmin`.
    pub(crate) fn extreme_call(&mut self, b: Builtin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| match bound.positional.get(i).cloned().flatten() {
            None | Some((Value::None, _)) => None,
            some => some,
        };
        let min = matches!(b, Builtin::Min | Builtin::Argmin);
        let index_only = matches!(b, Builtin::Argmax | Builtin::Argmin);
        if let (false, Some((Value::Tensor(_), _))) = (index_only, arg(1)) {
            if let Some((_, ks)) = arg(2) {
                return self.keepdim_without_dim(name, ks, "the elementwise form of two tensors has no `keepdim`");
            }
            let pair = if min { Builtin::Minimum } else { Builtin::Maximum };
            return self.min_max(pair, name, bound, span);
        }
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        if self.rule_dtype(TypeRule::SameNumber, self.dtype_of(x), &format!("`{name}`"), vs).is_none() {
            return Value::Poison;
        }
        let shape = self.shape_of(x);
        let keepdim = match arg(2) {
            None => false,
            Some((Value::Bool(k), _)) => k,
            Some((other, ks)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`keepdim` must be `true` or `false`, not {}", other.describe()), ks, "not a boolean")
                        .with_help("write `keepdim=true`"),
                )
            }
        };
        let dim = match arg(1) {
            None => None,
            Some((dv, ds)) => match self.one_dim(dv, ds, &shape) {
                Some(d) => Some(d),
                None => return Value::Poison,
            },
        };
        match (dim, index_only) {
            (None, false) => {
                if let Some((_, ks)) = arg(2) {
                    return self.keepdim_without_dim(name, ks, "the largest element of everything is 0-d");
                }
                Value::Tensor(self.extreme_of_all(x, min, span))
            }
            (None, true) => {
                let arg = self.node(Op::Index(IndexOp::Arg { dim: None, keepdim: false, min }), DType::I64, vec![], &[x], span);
                if !keepdim {
                    return Value::Tensor(arg);
                }
                Value::Tensor(self.node(Op::Reshape, DType::I64, vec![1; shape.len()], &[arg], span))
            }
            (Some(d), _) => {
                let (values, indices) = self.extreme_along(x, d, keepdim, min, index_only, span);
                match values {
                    None => Value::Tensor(indices),
                    Some(values) => Value::Named {
                        kind: if min { "min" } else { "max" },
                        fields: &["values", "indices"],
                        items: vec![(Value::Tensor(values), span), (Value::Tensor(indices), span)],
                    },
                }
            }
        }
    }

    /// `max(x)`: a float input reduces with `amax` (whose gradient is
    /// `MaxBackward1`'s); an i64 one, which has no gradient, gathers at the
    /// flattened `argmax`.
    fn extreme_of_all(&mut self, x: NodeId, min: bool, span: Span) -> NodeId {
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        if dt.is_float() {
            let kind = if min { ReduceKind::Amin } else { ReduceKind::Amax };
            let op = Op::Reduce { kind, dims: (0..shape.len()).collect(), keepdim: false };
            return self.op_node(op, dt, vec![], &[x], span, if min { "MinBackward1" } else { "MaxBackward1" });
        }
        let n = shape.iter().product::<usize>();
        let flat = self.node(Op::Reshape, dt, vec![n], &[x], span);
        let at = self.node(Op::Index(IndexOp::Arg { dim: Some(0), keepdim: true, min }), DType::I64, vec![1], &[flat], span);
        let one = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![1], &[flat, at], span);
        self.node(Op::Reshape, dt, vec![], &[one], span)
    }

    /// The values (unless `index_only`) and indices of the extremes along `dim`.
    fn extreme_along(&mut self, x: NodeId, dim: usize, keepdim: bool, min: bool, index_only: bool, span: Span) -> (Option<NodeId>, NodeId) {
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let kept = reduced_shape(&shape, &[dim], true);
        let out = reduced_shape(&shape, &[dim], keepdim);
        let at = self.node(Op::Index(IndexOp::Arg { dim: Some(dim), keepdim: true, min }), DType::I64, kept.clone(), &[x], span);
        let squeeze = |me: &mut Self, n: NodeId, dt: DType, grad_fn: &str| {
            if keepdim {
                n
            } else {
                me.op_node(Op::Reshape, dt, out.clone(), &[n], span, grad_fn)
            }
        };
        let indices = squeeze(self, at, DType::I64, "ViewBackward0");
        if index_only {
            return (None, indices);
        }
        let grad_fn = if min { "MinBackward0" } else { "MaxBackward0" };
        let values = self.op_node(Op::Index(IndexOp::Gather { dim }), dt, kept, &[x, at], span, grad_fn);
        (Some(squeeze(self, values, dt, grad_fn)), indices)
    }

    fn keepdim_without_dim(&mut self, name: &str, span: Span, why: &str) -> Value {
        self.error(
            Diagnostic::new(Code::E0280, format!("`keepdim` given to `{name}` without `dim`"), span, why)
                .with_help(format!("name the dimension, as in `{name}(x, dim=1, keepdim=true)`")),
        )
    }
}
