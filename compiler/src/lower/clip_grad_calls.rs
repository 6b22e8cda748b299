//! Gradient clipping from `torch.nn.utils` (torch/nn/utils/clip_grad.py,
//! PyTorch 2.15): `clip_grad_norm_`, `clip_grad_value_`, and the two halves of
//! the first, `get_total_norm` and `clip_grads_with_norm_`. PyTorch's operations
//! are written in its order, so that the clipped gradients have its bits:
//!
//! ```text
//! grads = [p.grad for p in parameters if p.grad is not None]
//! norms = [vector_norm(g, norm_type) for g in grads]  # _foreach_norm: per tensor on CPU
//! total_norm = vector_norm(stack(norms), norm_type)
//! clip_coef = max_norm / (total_norm + 1e-6)           # Tensor.__rdiv__: reciprocal() * max_norm
//! clip_coef_clamped = clamp(clip_coef, max=1.0)
//! for g in grads: g.mul_(clip_coef_clamped)            # _foreach_mul_
//! ```
//!
//! `clip_grad_value_` clamps each gradient to `[-clip_value, clip_value]`
//! (`_foreach_clamp_min_` then `_foreach_clamp_max_`, which round as one
//! clamp). All of it runs under `no_grad`, as PyTorch's `_no_grad` wrapper
//! does, and each gradient is updated in place: it stays its leaf's `.grad`,
//! which the next `backward` accumulates into.

use graphc_runtime::op::{Activation, F64Bits, ReduceKind, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::{Bound, ClipGrad};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

/// Argument `name` of a call of `c`, by its place in `c`'s parameters; `None`
/// where it was not given or given as `none`.
fn arg(c: ClipGrad, bound: &Bound<Value>, name: &str) -> Option<(Value, Span)> {
    let at = c.params().iter().position(|p| *p == name)?;
    match bound.positional.get(at).cloned().flatten() {
        None | Some((Value::None, _)) => None,
        given => given,
    }
}

/// The vector norms clipping computes: PyTorch's `norm_type`, as graphc's
/// `norm` kernels compute them.
#[derive(Clone, Copy)]
enum Order {
    /// `norm_type=1` or `2`.
    P(f64),
    /// `norm_type=inf`: the largest magnitude.
    Inf,
}

impl Lowerer<'_> {
    /// A call of one of the four clipping builtins.
    pub(super) fn clip_grad_call(&mut self, c: ClipGrad, bound: &Bound<Value>, span: Span) -> Value {
        // `foreach` picks PyTorch's implementation, not its numbers: on CPU both
        // run the same kernel per tensor.
        if let Some((v, s)) = arg(c, bound, "foreach") {
            if !matches!(v, Value::None | Value::Bool(_)) {
                return self.not_bool("foreach", &v, s);
            }
        }
        let (list, ls) = bound.positional[0].clone().expect("bind guarantees parameters");
        let Some(tensors) = self.clip_tensors(c, list, ls) else { return Value::Poison };
        let saved_no_grad = std::mem::replace(&mut self.no_grad, true);
        let result = match c {
            ClipGrad::Norm | ClipGrad::TotalNorm => self.clip_by_norm(c, &tensors, bound, span),
            ClipGrad::WithNorm => self.clip_with_norm(&tensors, bound, span),
            ClipGrad::Value => self.clip_by_value(&tensors, bound, span),
        };
        self.no_grad = saved_no_grad;
        result
    }

    /// The tensors of a call's first argument (a tensor, or a list or tuple of
    /// them), each with the span to blame, in order; `get_total_norm` takes the
    /// tensors themselves, the others their leaves' gradients, skipping those
    /// that are `None`. A tensor that requires grad but is not a leaf is an
    /// error: it has no `.grad` (PyTorch warns and skips it, which leaves its
    /// gradients unclipped).
    fn clip_tensors(&mut self, c: ClipGrad, list: Value, ls: Span) -> Option<Vec<(NodeId, Span)>> {
        let name = c.name();
        let items = match list {
            Value::List(items) | Value::Tuple(items) => items,
            Value::Tensor(t) => vec![(Value::Tensor(t), ls)],
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0686,
                        format!("`{name}` takes a tensor or a list of tensors, not {}", other.describe()),
                        ls,
                        "not tensors",
                    )
                    .with_help(format!("pass the parameters, as in `{name}([w, b], ...)`")),
                );
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (v, s) in items {
            let t = self.expect_tensor(v, s, &format!("each tensor given to `{name}`"))?;
            let t = self.current(t);
            if c == ClipGrad::TotalNorm {
                out.push((t, s));
                continue;
            }
            if !self.is_grad_leaf(t) {
                if self.requires_grad(t) {
                    self.not_a_leaf(t, s);
                    return None;
                }
                // A tensor that does not require grad has no gradient to clip.
                continue;
            }
            let grad = self.grad_state[&t];
            match grad {
                Some(g) if self.uncertain_grad(g, s) => return None,
                Some(g) => out.push((g, s)),
                None if self.poisoned_backward => return None,
                None => {}
            }
        }
        if let Some(&(first, fs)) = out.first() {
            let dt = self.dtype_of(first);
            if let Some(&(other, s)) = out.iter().find(|&&(t, _)| self.dtype_of(t) != dt) {
                let od = self.dtype_of(other);
                self.error(
                    Diagnostic::new(Code::E0686, format!("`{name}` of gradients of two dtypes, {dt} and {od}"), s, format!("this gradient is {od}"))
                        .with_secondary(fs, format!("this gradient is {dt}"))
                        .with_help(format!(
                            "clip each dtype's parameters with a call of its own: `{name}` groups them by dtype, and graphc does not"
                        )),
                );
                return None;
            }
            if !dt.is_float() {
                self.error(
                    Diagnostic::new(Code::E0686, format!("`{name}` of {dt} tensors"), fs, format!("this is {dt}"))
                        .with_help("norms and clipping are defined for floating-point tensors: convert with `.float()`"),
                );
                return None;
            }
        }
        Some(out)
    }

    /// `clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=false)`
    /// or `get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=false)`: the
    /// total norm, and for the first the gradients scaled by it.
    fn clip_by_norm(&mut self, c: ClipGrad, grads: &[(NodeId, Span)], bound: &Bound<Value>, span: Span) -> Value {
        let max_norm = match arg(c, bound, "max_norm") {
            Some((v, s)) => match self.number(&v, s, "`max_norm`") {
                Some(m) => Some(m),
                None => return Value::Poison,
            },
            None => None,
        };
        let Some(order) = self.clip_order(arg(c, bound, "norm_type")) else { return Value::Poison };
        match arg(c, bound, "error_if_nonfinite") {
            None | Some((Value::Bool(false), _)) => {}
            // PyTorch raises a RuntimeError at run time here; graphc's run-time
            // stops are Python's `assert`, which the program can write itself.
            Some((Value::Bool(true), s)) => return self.error(
                Diagnostic::new(Code::E0686, "`error_if_nonfinite=true` is not supported", s, "not supported").with_help(
                    "leave it out, and stop the run yourself where it matters: `total = clip_grad_norm_(params, 1.0)` then `assert total.isfinite().item(), \"non-finite gradient norm\"`",
                ),
            ),
            Some((other, s)) => return self.not_bool("error_if_nonfinite", &other, s),
        }
        let Some(total) = self.total_norm(grads, order, span) else { return Value::Poison };
        if let Some(max_norm) = max_norm {
            self.clip_grads(grads, max_norm, total, span);
        }
        Value::Tensor(total)
    }

    /// `clip_grads_with_norm_(parameters, max_norm, total_norm)`.
    fn clip_with_norm(&mut self, grads: &[(NodeId, Span)], bound: &Bound<Value>, span: Span) -> Value {
        let (v, s) = arg(ClipGrad::WithNorm, bound, "max_norm").expect("bind guarantees max_norm");
        let Some(max_norm) = self.number(&v, s, "`max_norm`") else { return Value::Poison };
        let (v, ts) = arg(ClipGrad::WithNorm, bound, "total_norm").expect("bind guarantees total_norm");
        let Some(total) = self.expect_tensor(v, ts, "`total_norm`") else { return Value::Poison };
        if let Some(&(g, _)) = grads.first() {
            let (dt, gt) = (self.dtype_of(total), self.dtype_of(g));
            if !self.shape_of(total).is_empty() || dt != gt {
                return self.error(
                    Diagnostic::new(Code::E0686, format!("`total_norm` must be a 0-d {gt} tensor, as the gradients' norm is"), ts, "not their norm")
                        .with_help("pass what `get_total_norm` of the same gradients returned"),
                );
            }
        }
        self.clip_grads(grads, max_norm, total, span);
        Value::None
    }

    /// `clip_grad_value_(parameters, clip_value)`.
    fn clip_by_value(&mut self, grads: &[(NodeId, Span)], bound: &Bound<Value>, span: Span) -> Value {
        let (v, s) = arg(ClipGrad::Value, bound, "clip_value").expect("bind guarantees clip_value");
        let Some(clip) = self.number(&v, s, "`clip_value`") else { return Value::Poison };
        for &(g, _) in grads {
            let f = Activation::Clamp { min: Some(F64Bits::new(-clip)), max: Some(F64Bits::new(clip)) };
            let (dt, sh) = (self.dtype_of(g), self.shape_of(g));
            let clamped = self.op_node(Op::Activation(f), dt, sh, &[g], span, f.grad_fn());
            self.update_in_place(g, clamped, "", span);
        }
        Value::None
    }

    /// `norm_type`: 1, 2 (the default) or `inf`.
    fn clip_order(&mut self, given: Option<(Value, Span)>) -> Option<Order> {
        let Some((v, s)) = given else { return Some(Order::P(2.0)) };
        match v {
            Value::Number(n) if n.f64() == f64::INFINITY => Some(Order::Inf),
            Value::Number(n) if n.f64() == 1.0 || n.f64() == 2.0 => Some(Order::P(n.f64())),
            other => {
                let what = match other {
                    Value::Number(n) => format!("norm_type={}", n.f64()),
                    other => other.describe().to_string(),
                };
                self.error(
                    Diagnostic::new(Code::E0686, format!("gradient clipping supports `norm_type` 1, 2 and inf, not {what}"), s, "unsupported order")
                        .with_help("write `norm_type=2.0` (the default), `1.0` or `inf`"),
                );
                None
            }
        }
    }

    /// `vector_norm(stack([vector_norm(g) for g in grads]))`, or PyTorch's
    /// `torch.tensor(0.0)` when there is no gradient.
    fn total_norm(&mut self, grads: &[(NodeId, Span)], order: Order, span: Span) -> Option<NodeId> {
        if grads.is_empty() {
            return Some(self.scalar(0.0, DType::F32, span));
        }
        let norms: Vec<(Value, Span)> = grads.iter().map(|&(g, s)| (Value::Tensor(self.vector_norm(g, order, s)), s)).collect();
        let Value::Tensor(stacked) = self.join_call((Value::List(norms), span), None, span, true) else { return None };
        Some(self.vector_norm(stacked, order, span))
    }

    /// `torch.linalg.vector_norm(x, ord)` over every element, as a 0-d tensor.
    fn vector_norm(&mut self, x: NodeId, order: Order, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        let dims: Vec<usize> = (0..sh.len()).collect();
        match order {
            Order::P(p) => {
                let kind = ReduceKind::Norm(F64Bits::new(p));
                self.op_node(Op::Reduce { kind, dims, keepdim: false }, dt, vec![], &[x], span, kind.grad_fn())
            }
            Order::Inf => {
                let abs = self.op_node(Op::Unary(Unary::Abs), dt, sh, &[x], span, "AbsBackward0");
                let kind = ReduceKind::Amax;
                self.op_node(Op::Reduce { kind, dims, keepdim: false }, dt, vec![], &[abs], span, kind.grad_fn())
            }
        }
    }

    /// Each gradient times `clamp(max_norm / (total + 1e-6), max=1.0)`, in place.
    fn clip_grads(&mut self, grads: &[(NodeId, Span)], max_norm: f64, total: NodeId, span: Span) {
        let t = |n: NodeId| (Value::Tensor(n), span);
        let Value::Tensor(shifted) = self.binary(BinOp::Add, t(total), (Value::Number(Num::Float(1e-6)), span), span) else { return };
        let Value::Tensor(coef) = self.binary(BinOp::Div, (Value::Number(Num::Float(max_norm)), span), t(shifted), span) else { return };
        let f = Activation::Clamp { min: None, max: Some(F64Bits::new(1.0)) };
        let dt = self.dtype_of(coef);
        let clamped = self.op_node(Op::Activation(f), dt, vec![], &[coef], span, f.grad_fn());
        for &(g, _) in grads {
            let Value::Tensor(scaled) = self.binary(BinOp::Mul, t(g), t(clamped), span) else { return };
            self.update_in_place(g, scaled, "", span);
        }
    }
}
