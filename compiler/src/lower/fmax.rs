//! `fmax(input, other)` and `fmin(input, other)`: the larger (smaller) of two
//! elements, ignoring a NaN (NaN only where both are), as C's `fmax` that
//! ATen's scalar loop calls: `isnan(a) ? b : isnan(b) ? a : a >= b ? a : b`
//! (`<=` for `fmin`), so of two equal elements the first (`fmax(-0.0, 0.0)`
//! is `-0.0`). The gradient goes to the operand whose value was taken, half
//! to each where they are equal (as PyTorch 2.15's are, measured), to
//! `input` where `other` is NaN, each summed to its operand's shape
//! (`FmaxBackward0`, `FminBackward0`).

use graphc_runtime::op::{Binary, Cmp, FloatTest, Logical};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    pub(super) fn fmax_call(&mut self, min: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let [(a, sa), (c, sc)] = self.two(bound);
        let (Some(x), Some(y)) = (self.expect_tensor(a, sa, &format!("`{name}`'s input")), self.expect_tensor(c, sc, &format!("`{name}`'s other")))
        else {
            return Value::Poison;
        };
        let Some(dt) = self.promote_tensors(x, sa, y, sc, &format!("`{name}`")) else { return Value::Poison };
        let Some(dt) = self.rule_dtype(graphc_runtime::op::TypeRule::SameNumber, dt, &format!("`{name}`"), span) else { return Value::Poison };
        let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, sc));
        let Some(shape) = self.meet(x, sa, y, sc, &format!("`{name}`")) else { return Value::Poison };
        let first = self.first_wins(x, y, min, &shape, span);
        let out = self.node(Op::Select, dt, shape, &[first, x, y], span);
        let grad_fn = if min { "FminBackward0" } else { "FmaxBackward0" };
        Value::Tensor(self.with_backward(grad_fn, &[x, y], out, span, |me, grad, saved| {
            let (x, y) = (saved[0], saved[1]);
            let (gdt, shape) = (me.dtype_of(grad), me.shape_of(grad));
            // Equal operands share the gradient, half each.
            let equal = me.node(Op::Compare(Cmp::Eq), DType::Bool, shape.clone(), &[x, y], span);
            let two = me.scalar(2.0, gdt, span);
            let half = me.node(Op::Binary(Binary::Div), gdt, shape.clone(), &[grad, two], span);
            let shared = me.node(Op::Select, gdt, shape.clone(), &[equal, half, grad], span);
            let zero = me.scalar(0.0, gdt, span);
            // `input` where it won or tied; `other` where it won or tied.
            let to_input = me.first_wins(x, y, min, &shape, span);
            let input_strictly = me.input_strictly_wins(x, y, min, &shape, span);
            let gx = me.node(Op::Select, gdt, shape.clone(), &[to_input, shared, zero], span);
            let gy = me.node(Op::Select, gdt, shape, &[input_strictly, zero, shared], span);
            vec![Some(me.sum_to_shape_of(gx, x, span)), Some(me.sum_to_shape_of(gy, y, span))]
        }))
    }

    /// Where `other` gets no gradient: `input > other` (`<` for `fmin`) or `other` NaN.
    fn input_strictly_wins(&mut self, x: NodeId, y: NodeId, min: bool, shape: &[usize], span: Span) -> NodeId {
        let cmp = if min { Cmp::Lt } else { Cmp::Gt };
        let ordered = self.node(Op::Compare(cmp), DType::Bool, shape.to_vec(), &[x, y], span);
        if !self.dtype_of(x).is_float() {
            return ordered;
        }
        let y_nan = self.node(Op::FloatTest(FloatTest::IsNan), DType::Bool, self.shape_of(y), &[y], span);
        self.node(Op::Logical(Logical::Or), DType::Bool, shape.to_vec(), &[ordered, y_nan], span)
    }

    /// Where the value is `input`'s: `isnan(other)`, or `input` not NaN and
    /// `input >= other` (`<=` for `fmin`).
    fn first_wins(&mut self, x: NodeId, y: NodeId, min: bool, shape: &[usize], span: Span) -> NodeId {
        let cmp = if min { Cmp::Le } else { Cmp::Ge };
        let ordered = self.node(Op::Compare(cmp), DType::Bool, shape.to_vec(), &[x, y], span);
        if !self.dtype_of(x).is_float() {
            return ordered;
        }
        let y_nan = self.node(Op::FloatTest(FloatTest::IsNan), DType::Bool, self.shape_of(y), &[y], span);
        self.node(Op::Logical(Logical::Or), DType::Bool, shape.to_vec(), &[ordered, y_nan], span)
    }
}
