//! `special.entr(input)`: the elementwise entropy `-x * ln(x)`, `0` at `0`,
//! `-inf` below it and NaN for NaN, as ATen's `entr_kernel` computes each
//! element (`std::log`, the C library's, which is graphc's `log`). Its
//! gradient is derivatives.yaml's `grad * (-(1 + self.log()))`
//! (`SpecialEntrBackward0`). An integer input computes in `f32`.

use graphc_runtime::op::{Binary, Cmp, FloatTest, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `special.entr(input)`.
    pub(super) fn entr_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, s) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, s, "`special.entr`'s input") else { return Value::Poison };
        let dt = if self.dtype_of(t).is_float() { self.dtype_of(t) } else { DType::F32 };
        let x = self.cast_to(t, dt, s);
        let shape = self.shape_of(x);
        let node = |me: &mut Self, op: Op, dtype: DType, args: &[NodeId]| me.node(op, dtype, shape.clone(), args, span);
        // `isnan(x) ? x : x > 0 ? -x * log(x) : x == 0 ? 0 : -inf`
        let log = node(self, Op::Unary(Unary::Log), dt, &[x]);
        let neg = node(self, Op::Unary(Unary::Neg), dt, &[x]);
        let value = node(self, Op::Binary(Binary::Mul), dt, &[neg, log]);
        let (zero, minus_inf) = (self.scalar(0.0, dt, span), self.scalar(f64::NEG_INFINITY, dt, span));
        // The negative side is tested on its own, so that the range analysis
        // drops its `-inf` when the input cannot be negative (`rand`).
        let nonnegative = node(self, Op::Where(Cmp::Eq), dt, &[x, zero, zero, value]);
        let all = node(self, Op::Where(Cmp::Lt), dt, &[x, zero, minus_inf, nonnegative]);
        let nan = node(self, Op::FloatTest(FloatTest::IsNan), DType::Bool, &[x]);
        let out = node(self, Op::Select, dt, &[nan, x, all]);
        let out = self.with_backward("SpecialEntrBackward0", &[x], out, span, |me, grad, p| {
            let x = p[0];
            let shape = me.shape_of(x);
            let log = me.node(Op::Unary(Unary::Log), dt, shape.clone(), &[x], span);
            let one = me.scalar(1.0, dt, span);
            let plus = me.node(Op::Binary(Binary::Add), dt, shape.clone(), &[one, log], span);
            let neg = me.node(Op::Unary(Unary::Neg), dt, shape, &[plus], span);
            vec![Some(me.broadcast_binary(Binary::Mul, grad, neg, span))]
        });
        Value::Tensor(out)
    }
}
