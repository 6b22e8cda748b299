//! `multinomial(input, num_samples, replacement=false)` (`torch.multinomial`),
//! as PyTorch's CPU code samples without replacement (and with it for one
//! sample): the exponential trick of `multinomial_out` in ATen's
//! `Distributions.cpp`. It draws `q = empty_like(input).exponential_(1)`,
//! divides, `input / q`, and takes the index of the largest quotient of each
//! row (`argmax(dim=-1, keepdim=true)`) for one sample, or the indices of the
//! `num_samples` largest (`topk`) for more. So a language model's sampling
//! step (`idx_next = multinomial(probs, num_samples=1)`) draws PyTorch's
//! tokens. Sampling several with replacement, PyTorch's other kernel, is
//! refused (E0687). PyTorch's run-time check that the probabilities are
//! finite, non-negative and not all zero has no compile-time counterpart:
//! such rows give whatever index the quotients give.

use graphc_runtime::op::{Binary, DataOp, F64Bits};
use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Ident, Span};

impl Lowerer<'_> {
    pub(super) fn multinomial_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let Some((v, vs)) = arg(0) else { return Value::Poison };
        let Some(p) = self.expect_float_tensor(v, vs, "`multinomial`'s probabilities") else { return Value::Poison };
        let shape = self.shape_of(p);
        if !(1..=2).contains(&shape.len()) {
            return self.error(
                Diagnostic::new(Code::E0202, "prob_dist must be 1 or 2 dim", vs, format!("{}-d", shape.len()))
                    .with_help("pass one distribution (1-d) or one per row (2-d)"),
            );
        }
        let categories = shape[shape.len() - 1];
        let n = match arg(1) {
            Some((Value::Number(Num::Int(n)), ns)) => {
                if n <= 0 {
                    return self.error(
                        Diagnostic::new(Code::E0107, "cannot sample n_sample <= 0 samples", ns, "not a count").with_help("draw at least one sample"),
                    );
                }
                (n as usize, ns)
            }
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, ns)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`multinomial`'s `num_samples` must be an integer known at compile time, not {}", other.describe()),
                        ns,
                        "not a count",
                    )
                    .with_help("write `multinomial(probs, num_samples=1)`"),
                )
            }
            None => return Value::Poison,
        };
        let replacement = match arg(2) {
            None | Some((Value::Bool(false), _)) => false,
            Some((Value::Bool(true), rs)) if n.0 > 1 => {
                return self.error(
                    Diagnostic::new(
                        Code::E0687,
                        "`multinomial` with `replacement=true` and more than one sample is not supported",
                        rs,
                        "not supported",
                    )
                    .with_help("draw one sample at a time, or sample without replacement"),
                )
            }
            Some((Value::Bool(true), _)) => true,
            Some((other, rs)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`multinomial`'s `replacement` must be a bool, not {}", other.describe()), rs, "not a bool")
                        .with_help("write `replacement=false` or `replacement=true`"),
                )
            }
        };
        if !replacement && n.0 > categories {
            return self.error(
                Diagnostic::new(Code::E0107, "cannot sample n_sample > prob_dist.size(-1) samples without replacement", n.1, "too many samples")
                    .with_help(format!("draw at most {categories} samples, one per category")),
            );
        }
        let dt = self.dtype_of(p);
        let q = self.node(Op::Data(DataOp::Exponential { lambda: F64Bits::new(1.0) }), dt, shape.clone(), &[], span);
        let r = self.node(Op::Binary(Binary::Div), dt, shape, &[p, q], span);
        // The draws and the quotients are PyTorch's own work, not the program's:
        // nothing here requires grad, as PyTorch's sample never does.
        self.prog.graph.meta_mut(r).requires_grad = false;
        let kw = |name: &str, v: Value| (Some(Ident { name: name.to_string(), span }), v, span);
        let int = |i: i128| Value::Number(Num::Int(i));
        if n.0 == 1 {
            let args = vec![(None, Value::Tensor(r), span), kw("dim", int(-1)), kw("keepdim", Value::Bool(true))];
            return self.call_builtin_named(&Ident { name: "argmax".to_string(), span }, args, span);
        }
        let args = vec![(None, Value::Tensor(r), span), (None, int(n.0 as i128), span)];
        match self.call_builtin_named(&Ident { name: "topk".to_string(), span }, args, span) {
            Value::Tuple(mut parts) | Value::Named { items: mut parts, .. } if parts.len() == 2 => parts.remove(1).0,
            other => other,
        }
    }
}
