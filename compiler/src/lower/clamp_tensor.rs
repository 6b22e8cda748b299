//! `clamp(input, min, max)` (`clip`, `clamp_min`, `clamp_max`, the methods)
//! with tensor bounds: ATen's `clamp.Tensor`, whose kernel is
//! `minimum(maximum(input, min), max)` with NaN-propagating `maximum` and
//! `minimum` (a NaN anywhere gives NaN; a `min` above `max` gives `max`), the
//! bounds broadcast with the input and the dtype promoted over all three.
//! Number bounds stay one `Op::Activation` (`activation_calls.rs`); PyTorch
//! has no overload that mixes a number bound with a tensor one (E0107).
//!
//! The gradients are derivatives.yaml's `clamp_backward` and
//! `clamp_backward_min_max`, as the backward of a call: `grad` where
//! `min <= input <= max` for the input, where `input < min` (and `min < max`)
//! for `min`, and where `input > max` (or `max < min`) for `max`, each summed
//! to its operand's shape. `grad_fn` is `ClampBackward0`, or
//! `ClampMinBackward1`/`ClampMaxBackward1` for `clamp_min`/`clamp_max`.

use graphc_runtime::op::{Binary, Cmp, Logical};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{ActivationBuiltin, Bound};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// Whether a `clamp` call has a tensor bound (and so is `clamp.Tensor`).
    pub(super) fn clamp_has_tensor_bound(a: ActivationBuiltin, bound: &Bound<Value>) -> bool {
        matches!(a, ActivationBuiltin::Clamp | ActivationBuiltin::ClampMin | ActivationBuiltin::ClampMax)
            && bound.positional[1..].iter().flatten().any(|(v, _)| matches!(v, Value::Tensor(_)))
    }

    /// `clamp(input, min, max)` with tensor bounds.
    pub(super) fn clamp_tensor_call(&mut self, a: ActivationBuiltin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, xs, &format!("the argument of `{name}`")) else { return Value::Poison };
        let mut bounds: Vec<Option<(NodeId, Span)>> = Vec::new();
        for (v, s) in bound.positional[1..].iter().cloned().map(|b| b.unwrap_or((Value::None, span))) {
            match v {
                Value::None => bounds.push(None),
                Value::Tensor(t) => bounds.push(Some((t, s))),
                Value::Poison => return Value::Poison,
                other => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`{name}` takes tensor bounds or number bounds, not a tensor and {}", other.describe()),
                            s,
                            "not a tensor",
                        )
                        .with_help("PyTorch has no `clamp` that mixes them: make this bound a tensor too, as `tensor(0.0)`"),
                    )
                }
            }
        }
        let (lo, hi) = match a {
            ActivationBuiltin::ClampMin => (bounds[0], None),
            ActivationBuiltin::ClampMax => (None, bounds[0]),
            _ => (bounds[0], bounds.get(1).copied().flatten()),
        };
        let mut dt = self.dtype_of(x);
        for &(t, s) in lo.iter().chain(hi.iter()) {
            match crate::check::promotion::tensors(dt, self.dtype_of(t)) {
                Some(d) => dt = d,
                None => {
                    // f32 with f64: `meet` reports it (E0201).
                    self.meet(x, xs, t, s, &format!("`{name}`"));
                    return Value::Poison;
                }
            }
        }
        if dt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, format!("`{name}` does not take bool tensors"), xs, "this is bool")
                    .with_help("convert first, as in `x.float()`"),
            );
        }
        let mut shape = self.shape_of(x);
        for &(t, s) in lo.iter().chain(hi.iter()) {
            let tsh = self.shape_of(t);
            match shapes::broadcast(&shape, &tsh) {
                Ok(sh) => shape = sh,
                Err(_) => {
                    return self.size_error(
                        format!("the bound of shape {} does not broadcast with the input of shape {}", shapes::show(&tsh), shapes::show(&shape)),
                        s,
                        "does not broadcast",
                    )
                }
            }
        }
        let x = self.cast_to(x, dt, xs);
        let lo = lo.map(|(t, s)| self.cast_to(t, dt, s));
        let hi = hi.map(|(t, s)| self.cast_to(t, dt, s));
        let mut out = x;
        if let Some(l) = lo {
            out = self.node(Op::Binary(Binary::Maximum), dt, shape.clone(), &[out, l], span);
        }
        if let Some(h) = hi {
            out = self.node(Op::Binary(Binary::Minimum), dt, shape.clone(), &[out, h], span);
        }
        let grad_fn = match a {
            ActivationBuiltin::ClampMin => "ClampMinBackward1",
            ActivationBuiltin::ClampMax => "ClampMaxBackward1",
            _ => "ClampBackward0",
        };
        let inputs: Vec<NodeId> = [Some(x), lo, hi].into_iter().flatten().collect();
        let out = self.with_backward(grad_fn, &inputs, out, span, |me, grad, saved| {
            let (x, mut rest) = (saved[0], saved[1..].iter().copied());
            let lo = lo.map(|_| rest.next().expect("a saved min"));
            let hi = hi.map(|_| rest.next().expect("a saved max"));
            me.clamp_backward(grad, x, lo, hi, span)
        });
        Value::Tensor(out)
    }

    /// derivatives.yaml's `clamp_backward` (for the input) and
    /// `clamp_backward_min_max` (for the bounds), one gradient per operand given.
    fn clamp_backward(&mut self, grad: NodeId, x: NodeId, lo: Option<NodeId>, hi: Option<NodeId>, span: Span) -> Vec<Option<NodeId>> {
        let shape = self.shape_of(grad);
        let cmp = |me: &mut Self, c: Cmp, a: NodeId, b: NodeId| me.node(Op::Compare(c), DType::Bool, shape.clone(), &[a, b], span);
        let logical = |me: &mut Self, l: Logical, a: NodeId, b: NodeId| me.node(Op::Logical(l), DType::Bool, shape.clone(), &[a, b], span);
        let pick = |me: &mut Self, pred: NodeId| me.masked_gradient(grad, pred, span);
        let mut grads = Vec::new();
        match (lo, hi) {
            (Some(l), Some(h)) => {
                let (ge, le) = (cmp(self, Cmp::Ge, x, l), cmp(self, Cmp::Le, x, h));
                let inside = logical(self, Logical::And, ge, le);
                grads.push(Some(pick(self, inside)));
                let (below, ordered) = (cmp(self, Cmp::Lt, x, l), cmp(self, Cmp::Lt, l, h));
                let to_min = logical(self, Logical::And, below, ordered);
                let g = pick(self, to_min);
                grads.push(Some(self.sum_to_shape_of(g, l, span)));
                let (above, crossed) = (cmp(self, Cmp::Gt, x, h), cmp(self, Cmp::Lt, h, l));
                let to_max = logical(self, Logical::Or, above, crossed);
                let g = pick(self, to_max);
                grads.push(Some(self.sum_to_shape_of(g, h, span)));
            }
            (Some(l), None) => {
                let ge = cmp(self, Cmp::Ge, x, l);
                grads.push(Some(pick(self, ge)));
                let below = cmp(self, Cmp::Lt, x, l);
                let g = pick(self, below);
                grads.push(Some(self.sum_to_shape_of(g, l, span)));
            }
            (None, Some(h)) => {
                let le = cmp(self, Cmp::Le, x, h);
                grads.push(Some(pick(self, le)));
                let above = cmp(self, Cmp::Gt, x, h);
                let g = pick(self, above);
                grads.push(Some(self.sum_to_shape_of(g, h, span)));
            }
            (None, None) => unreachable!("a tensor bound is given"),
        }
        // The input's gradient at the broadcast shape, summed to its own.
        grads[0] = grads[0].map(|g| self.sum_to_shape_of(g, x, span));
        grads
    }

    /// `grad` where `pred` holds, else 0: PyTorch 2.15 shows it as
    /// `MaskedFillBackward0` (a `where` with a zero shows `WhereBackward0`, as the
    /// number-bound `clamp`'s does), and its own gradient is masked alike.
    fn masked_gradient(&mut self, grad: NodeId, pred: NodeId, span: Span) -> NodeId {
        let (dt, shape) = (self.dtype_of(grad), self.shape_of(grad));
        let zero = self.scalar(0.0, dt, span);
        let out = self.node(Op::Select, dt, shape.clone(), &[pred, grad, zero], span);
        // The gradient's gradient is a plain select: a call there would nest without end.
        self.with_backward("MaskedFillBackward0", &[grad, pred], out, span, |me, gg, saved| {
            let zero = me.scalar(0.0, dt, span);
            vec![Some(me.node(Op::Select, dt, shape, &[saved[1], gg, zero], span)), None]
        })
    }
}
