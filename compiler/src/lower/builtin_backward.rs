//! Builtins whose backward PyTorch computes with a formula of its own, in an
//! order that differentiating their forward op by op would not round alike:
//!
//! - `glu(input, dim=-1)` (`F.glu`): the halves `a` and `b` of `input` along
//!   `dim`, and `a * sigmoid(b)`, as ATen's `glu_kernel` computes it (its
//!   vector lambda is `sigmoid`'s, times `a`). Its backward is
//!   `glu_backward_cpu_out`'s: `sigmoid(b) * grad` for `a`, and
//!   `(1 - sigmoid(b)) * sigmoid(b) * a * grad`, left to right, for `b`
//!   (`GluBackward0`), where the chain rule through `a * s` and `sigmoid`
//!   would give `(grad * a) * (1 - s) * s`.
//!
//! Each is lowered as an op with a backward block is (`user_calls.rs`): the
//! forward's nodes, then a call record whose template computes PyTorch's
//! formula from the saved inputs, which autodiff applies at the output
//! (`autodiff/custom.rs`), also for a gradient of the gradient.

use graphc_runtime::op::{Binary, Unary};
use graphc_runtime::Op;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{NodeId, Region};
use crate::ir::program::{CustomCall, SavedValue};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `v` under the name PyTorch gives the node that made it, where the
    /// node records one (its result requires grad): a composite that PyTorch
    /// runs as one op of its own (`take` is `TakeBackward0`, not the
    /// subscript's `IndexBackward0`), or ATen's C++ `Scalar` overload
    /// (`t * 0.5` is `MulBackward1` there).
    pub(super) fn named_grad_fn(&mut self, v: Value, grad_fn: &str) -> Value {
        if let Value::Tensor(t) = v {
            if self.grad_fn.contains_key(&t) {
                self.grad_fn.insert(t, grad_fn.to_string());
            }
        }
        v
    }

    /// Makes `backward` the backward of the forward output `out` of a builtin
    /// over the tensors `inputs`: it receives the incoming gradient and the
    /// inputs as template parameters, and returns each input's gradient. The
    /// call is named by PyTorch's `grad_fn`, which `out` gets.
    pub(super) fn with_backward(
        &mut self,
        grad_fn: &str,
        inputs: &[NodeId],
        out: NodeId,
        span: Span,
        backward: impl FnOnce(&mut Self, NodeId, &[NodeId]) -> Vec<Option<NodeId>>,
    ) -> NodeId {
        self.grad_fn.insert(out, grad_fn.to_string());
        // Inside a backward template nothing requires grad yet (autodiff decides
        // for each copy), so a call there is always recorded, as an op's is.
        let in_template = matches!(self.region, Region::Template(_));
        if !in_template && !inputs.iter().any(|i| self.requires_grad(*i)) {
            return out;
        }
        let index = self.prog.custom_calls.len();
        let outer_region = std::mem::replace(&mut self.region, Region::Template(index as u32));
        let outer_no_grad = std::mem::replace(&mut self.no_grad, true);
        let (dt, sh) = (self.dtype_of(out), self.shape_of(out));
        let grad = self.node(Op::Param(0), dt, sh, &[], span);
        let mut saved = Vec::new();
        for (k, &input) in inputs.iter().enumerate() {
            let (idt, ish) = (self.dtype_of(input), self.shape_of(input));
            let param = self.node(Op::Param(k as u32 + 1), idt, ish, &[], span);
            self.prog.graph.meta_mut(param).note = Some(format!("saved input {k}"));
            saved.push(SavedValue { name: format!("input{k}"), forward: input, param });
        }
        let params: Vec<NodeId> = saved.iter().map(|s| s.param).collect();
        self.prog.custom_calls.push(CustomCall {
            op_name: grad_fn.to_string(),
            span,
            inputs: inputs.to_vec(),
            output: out,
            grad_param: grad,
            saved,
            returns: vec![],
            extra_outputs: vec![],
        });
        let returns = backward(self, grad, &params);
        self.no_grad = outer_no_grad;
        self.region = outer_region;
        self.prog.custom_calls[index].returns = returns;
        self.prog.custom_output.insert(out, index);
        out
    }

    /// `x b y` at their broadcast shape, in `x`'s dtype: a product or quotient
    /// in a backward template, whose operands' shapes the forward checked.
    pub(super) fn broadcast_binary(&mut self, b: Binary, x: NodeId, y: NodeId, span: Span) -> NodeId {
        let sh = crate::check::shapes::broadcast(&self.shape_of(x), &self.shape_of(y)).expect("the forward's shapes broadcast");
        self.node(Op::Binary(b), self.dtype_of(x), sh, &[x, y], span)
    }

    /// The gradient `g` summed to the shape of the operand `like` where the
    /// operands broadcast (itself where the shapes agree).
    pub(super) fn sum_to_shape_of(&mut self, g: NodeId, like: NodeId, span: Span) -> NodeId {
        let want = self.shape_of(like);
        if want == self.shape_of(g) {
            g
        } else {
            self.node(Op::SumTo, self.dtype_of(g), want, &[g], span)
        }
    }

    /// The halves of `x` along `dim`: `narrow(x, dim, 0, h)` and `narrow(x, dim, h, h)`.
    fn halves(&mut self, x: NodeId, dim: usize, span: Span) -> (NodeId, NodeId) {
        let (dt, mut shape) = (self.dtype_of(x), self.shape_of(x));
        let h = shape[dim] / 2;
        shape[dim] = h;
        let a = self.node(Op::Slice { dim, start: 0, step: 1 }, dt, shape.clone(), &[x], span);
        let b = self.node(Op::Slice { dim, start: h, step: 1 }, dt, shape, &[x], span);
        (a, b)
    }

    /// `glu(input, dim=-1)`.
    pub(super) fn glu_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`glu`'s input") else { return Value::Poison };
        let shape = self.shape_of(x);
        if shape.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0202, "glu does not support scalars because halving size must be even", vs, "a 0-d tensor")
                    .with_help("pass a tensor with a dimension of even size to halve"),
            );
        }
        let dim_arg = bound.positional.get(1).cloned().flatten();
        let Some(dim) = self.dim_arg(dim_arg.clone(), -1, shape.len(), span) else { return Value::Poison };
        if !shape[dim].is_multiple_of(2) {
            let at = dim_arg.map_or(vs, |(_, s)| s);
            return self.error(
                Diagnostic::new(Code::E0202, format!("Halving dimension must be even, but dimension {dim} is size {}", shape[dim]), at, "odd size")
                    .with_help(format!("`glu` splits dimension {dim} into two halves; its size {} is odd", shape[dim])),
            );
        }
        let (a, b) = self.halves(x, dim, span);
        let s = self.ew1(Unary::Sigmoid, b, span);
        let out = self.ew(Binary::Mul, a, s, span);
        Value::Tensor(self.with_backward("GluBackward0", &[x], out, span, |me, grad, saved| vec![Some(me.glu_backward(grad, saved[0], dim, span))]))
    }

    /// `glu_backward(grad, x, dim)` as an op of its own (`GluBackwardBackward0`),
    /// whose gradients are derivatives.yaml's `glu_double_backward` for `x`
    /// and `glu_double_backward_grad_output` for `grad`.
    fn glu_backward(&mut self, grad: NodeId, x: NodeId, dim: usize, span: Span) -> NodeId {
        let out = self.glu_backward_value(grad, x, dim, span);
        self.with_backward("GluBackwardBackward0", &[grad, x], out, span, |me, gg, saved| {
            let (g_out, x) = (saved[0], saved[1]);
            vec![Some(me.glu_double_backward_grad_output(gg, x, dim, span)), Some(me.glu_double_backward(gg, g_out, x, dim, span))]
        })
    }

    /// `glu_backward_cpu_out`: `cat([s * grad, (1 - s) * s * a * grad], dim)`
    /// with `s = sigmoid(b)`, each product left to right.
    fn glu_backward_value(&mut self, grad: NodeId, x: NodeId, dim: usize, span: Span) -> NodeId {
        let (a, b) = self.halves(x, dim, span);
        let s = self.ew1(Unary::Sigmoid, b, span);
        let one = self.scalar(1.0, self.dtype_of(s), span);
        let rest = self.ew(Binary::Sub, one, s, span);
        let t = self.ew(Binary::Mul, rest, s, span);
        let t = self.ew(Binary::Mul, t, a, span);
        let grad_b = self.ew(Binary::Mul, t, grad, span);
        let grad_a = self.ew(Binary::Mul, s, grad, span);
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        self.node(Op::Cat { dim, n: 2 }, dt, sh, &[grad_a, grad_b], span)
    }

    /// FunctionsManual's `glu_double_backward(grad, grad_output, input, dim)`.
    fn glu_double_backward(&mut self, gg: NodeId, g_out: NodeId, x: NodeId, dim: usize, span: Span) -> NodeId {
        let (first, second) = self.halves(x, dim, span);
        let sig = self.ew1(Unary::Sigmoid, second, span);
        let one = self.scalar(1.0, self.dtype_of(sig), span);
        let one_sub_sig = self.ew(Binary::Sub, one, sig, span);
        let sig_one_sub_sig = self.ew(Binary::Mul, sig, one_sub_sig, span);
        let (gg_first, gg_second) = self.halves(gg, dim, span);
        let gg_second_first = self.ew(Binary::Mul, gg_second, first, span);
        let t = self.ew(Binary::Mul, gg_second, g_out, span);
        let gi_first = self.ew(Binary::Mul, t, sig_one_sub_sig, span);
        let p = self.ew(Binary::Mul, sig_one_sub_sig, one_sub_sig, span);
        let q = self.ew(Binary::Mul, sig, sig_one_sub_sig, span);
        let second_order = self.ew(Binary::Sub, p, q, span);
        let t = self.ew(Binary::Mul, gg_second_first, g_out, span);
        let u = self.ew(Binary::Mul, t, second_order, span);
        let t = self.ew(Binary::Mul, gg_first, g_out, span);
        let v = self.ew(Binary::Mul, t, sig_one_sub_sig, span);
        let gi_second = self.ew(Binary::Add, u, v, span);
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        self.node(Op::Cat { dim, n: 2 }, dt, sh, &[gi_first, gi_second], span)
    }

    /// FunctionsManual's `glu_double_backward_grad_output(grad, input, dim)`:
    /// `grad * glu_backward(ones, input)`, its two halves added. The inner
    /// `glu_backward` is plain ops here, so a third derivative through it is
    /// the chain rule's rather than `glu_double_backward`'s.
    fn glu_double_backward_grad_output(&mut self, gg: NodeId, x: NodeId, dim: usize, span: Span) -> NodeId {
        let (dt, mut sh) = (self.dtype_of(x), self.shape_of(x));
        sh[dim] /= 2;
        let ones = self.node(Op::Full(graphc_runtime::op::Scalar::of(1.0, dt)), dt, sh, &[], span);
        let back = self.glu_backward_value(ones, x, dim, span);
        let tmp = self.ew(Binary::Mul, gg, back, span);
        let (first, second) = self.halves(tmp, dim, span);
        self.ew(Binary::Add, first, second, span)
    }
}
