//! `cosine_similarity(x1, x2, dim=1, eps=1e-8)` (`torch.nn.functional`), as
//! ATen's `cosine_similarity` composes it: the operands broadcast to one
//! shape, each divided by a clone of its 2-norm along `dim` that is clamped
//! below at `eps` inside `no_grad`, then the product summed along `dim`:
//! `((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)`. The clamp changes the
//! clone's values and not its graph (`Binary::KeepGraph`), so the gradient
//! reaches the norm as PyTorch's does, also where the clamp acted.

use graphc_runtime::op::{reduced_shape, Activation, Binary, F64Bits, ReduceKind};
use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

impl Lowerer<'_> {
    /// `cosine_similarity(x1, x2, dim=1, eps=1e-8)`.
    pub(crate) fn cosine_similarity(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let ((a, sa), (b, sb)) = (arg(0).expect("bind guarantees x1"), arg(1).expect("bind guarantees x2"));
        let (Some(x1), Some(x2)) =
            (self.expect_float_tensor(a, sa, "`cosine_similarity`'s x1"), self.expect_float_tensor(b, sb, "`cosine_similarity`'s x2"))
        else {
            return Value::Poison;
        };
        let (d1, d2) = (self.dtype_of(x1), self.dtype_of(x2));
        if d1 != d2 {
            return self.error(
                Diagnostic::new(Code::E0201, format!("`cosine_similarity`'s x1 is {d1} but its x2 is {d2}"), sb, format!("{d2}"))
                    .with_help(format!("convert one of them, such as `x2.to({d1})`")),
            );
        }
        let (s1, s2) = (self.shape_of(x1), self.shape_of(x2));
        let shape = match shapes::broadcast(&s1, &s2) {
            Ok(s) => s,
            Err(why) => {
                return self.error(
                    Diagnostic::new(Code::E0202, why, span, "shapes do not broadcast")
                        .with_secondary(sa, format!("x1 of shape {}", shapes::show(&s1)))
                        .with_secondary(sb, format!("x2 of shape {}", shapes::show(&s2)))
                        .with_help("give x1 and x2 shapes that broadcast, as PyTorch requires"),
                )
            }
        };
        let dim = match arg(2) {
            None => self.one_dim(Value::Number(super::Num::Int(1)), span, &shape),
            Some((v, s)) => self.one_dim(v, s, &shape),
        };
        let Some(dim) = dim else { return Value::Poison };
        let eps = match arg(3) {
            None => 1e-8,
            Some((v, s)) => match self.number(&v, s, "`eps`") {
                Some(e) => e,
                None => return Value::Poison,
            },
        };
        // `expand_outplace`: each operand at the common shape.
        let x1 = self.expanded(x1, &shape, sa);
        let x2 = self.expanded(x2, &shape, sb);
        let n1 = self.clamped_norm(x1, dim, eps, sa);
        let n2 = self.clamped_norm(x2, dim, eps, sb);
        let q1 = self.binary(BinOp::Div, (Value::Tensor(x1), sa), (Value::Tensor(n1), sa), span);
        let q2 = self.binary(BinOp::Div, (Value::Tensor(x2), sb), (Value::Tensor(n2), sb), span);
        let Value::Tensor(p) = self.binary(BinOp::Mul, (q1, span), (q2, span), span) else { return Value::Poison };
        let out = reduced_shape(&shape, &[dim], false);
        Value::Tensor(self.op_node(Op::Sum { dim: Some(dim) }, self.dtype_of(p), out, &[p], span, "SumBackward1"))
    }

    /// `x` broadcast to `shape` (itself when it has that shape).
    fn expanded(&mut self, x: NodeId, shape: &[usize], s: Span) -> NodeId {
        if self.shape_of(x) == shape {
            return x;
        }
        self.op_node(Op::Expand, self.dtype_of(x), shape.to_vec(), &[x], s, "ExpandBackward0")
    }

    /// `linalg_vector_norm(x, 2, dim, keepdim=True).clone()`, then
    /// `clamp_min_(eps)` inside `no_grad`: the clamped values with the clone's history.
    fn clamped_norm(&mut self, x: NodeId, dim: usize, eps: f64, s: Span) -> NodeId {
        let dt = self.dtype_of(x);
        let kind = ReduceKind::Norm(F64Bits::new(2.0));
        let kept = reduced_shape(&self.shape_of(x), &[dim], true);
        let norm = self.op_node(Op::Reduce { kind, dims: vec![dim], keepdim: true }, dt, kept.clone(), &[x], s, kind.grad_fn());
        let clone = self.op_node(Op::Reshape, dt, kept.clone(), &[norm], s, "CloneBackward0");
        let clamp = Op::Activation(Activation::Clamp { min: Some(F64Bits::new(eps)), max: None });
        let clamped = self.node(clamp, dt, kept.clone(), &[clone], s);
        self.prog.graph.meta_mut(clamped).requires_grad = false;
        if !self.requires_grad(clone) {
            return clamped;
        }
        let result = self.node(Op::Binary(Binary::KeepGraph), dt, kept, &[clone, clamped], s);
        self.prog.graph.meta_mut(result).requires_grad = true;
        self.grad_fn.insert(result, "CloneBackward0".to_string());
        result
    }
}
