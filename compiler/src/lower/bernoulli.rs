//! `bernoulli(input)` (`torch.bernoulli`): a 1 where a uniform draw in the
//! input's dtype (`rand`'s, in order) is below the element's probability, as
//! PyTorch's `bernoulli_tensor_cpu_kernel` draws; and `bernoulli(input, p)`,
//! PyTorch's scalar overload, shaped as `input` with `rand`'s f64 draws below
//! `p`, as its default kernel draws them (`x.bernoulli_(p)` and dropout's
//! masks draw so too; a PyTorch built with MKL on an Intel processor draws
//! the scalar overload from MKL's stream instead). The result has the
//! input's dtype; when the input requires grad it does too, with the zero
//! gradient of PyTorch's `BernoulliBackward0`.

use graphc_runtime::op::Cmp;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    pub(super) fn bernoulli_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let Some((v, vs)) = arg(0) else { return Value::Poison };
        let Some(x) = self.expect_float_tensor(v, vs, "`bernoulli`'s input") else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let drawn = match arg(1) {
            None => {
                let u = self.node(Op::Rand, dt, shape.clone(), &[], span);
                self.node(Op::Compare(Cmp::Lt), DType::Bool, shape.clone(), &[u, x], span)
            }
            Some((Value::Number(n), ps)) => {
                let p = n.f64();
                if !(0.0..=1.0).contains(&p) {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("bernoulli_ expects p to be in [0, 1], but got p={p}"), ps, "not a probability")
                            .with_help("pass a probability from 0 to 1"),
                    );
                }
                let u = self.node(Op::Rand, DType::F64, shape.clone(), &[], span);
                let q = self.scalar(p, DType::F64, ps);
                self.node(Op::Compare(Cmp::Lt), DType::Bool, shape.clone(), &[u, q], span)
            }
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, ps)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`bernoulli`'s `p` must be a number known at compile time, not {}", other.describe()),
                        ps,
                        "not a number",
                    )
                    .with_help("write `bernoulli(x)` to draw with `x`'s probabilities, or `bernoulli(x, 0.3)`"),
                )
            }
        };
        let sample = self.cast_to(drawn, dt, span);
        if self.requires_grad(x) {
            let carried = self.node(Op::Where(Cmp::Eq), dt, shape, &[x, x, sample, sample], span);
            self.grad_fn.insert(carried, "BernoulliBackward0".to_string());
            return Value::Tensor(carried);
        }
        Value::Tensor(sample)
    }
}
