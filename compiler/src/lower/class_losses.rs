//! Lowering of the losses with class-index targets (docs/act-language.md,
//! section 5): `nll_loss(input, target)` and `cross_entropy(input, target)` with
//! an i64 target, which PyTorch computes as `nll_loss(log_softmax(input, 1))`.
//!
//! `nll_loss` is `-input[i, target[i]]`, reduced: a `gather` of each sample's
//! class, negated, then summed or averaged over the samples. Its gradient comes
//! from those ops' rules (`-grad / N` scattered to the classes), PyTorch's
//! `nll_loss_backward` for unweighted losses; the result carries PyTorch's
//! `NllLossBackward0`. The sum and the mean add the losses up in the order of
//! PyTorch's kernel (`ReduceKind::NllSum`), which is not `sum`'s.

use graphc_runtime::op::{IndexOp, LossReduction, ReduceKind, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// `nll_loss`, or `cross_entropy` with an i64 target.
    pub(crate) fn class_loss(&mut self, b: Builtin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let [(a, sa), (t, st)] = self.two(bound);
        let Some(x) = self.expect_float_tensor(a, sa, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(y) = self.expect_tensor(t, st, &format!("`{name}`'s target")) else { return Value::Poison };
        let Some(reduction) = self.loss_reduction(name, bound) else { return Value::Poison };
        let (dt, sh, ysh) = (self.dtype_of(x), self.shape_of(x), self.shape_of(y));
        let fits = sh.len() == 2 && ysh == [sh[0]] && self.dtype_of(y) == DType::I64;
        if !fits {
            let what = format!("`{name}` with class indices needs a samples x classes input and an i64 target of one class per sample");
            return self.error(
                Diagnostic::new(Code::E0282, what, st, format!("{} target of shape {}", self.dtype_of(y), shapes::show(&ysh)))
                    .with_secondary(sa, format!("input of shape {}", shapes::show(&sh)))
                    .with_help("give a 2-D input [N, C] and an i64 target [N] with values in 0..C"),
            );
        }
        let Some(options) = self.class_loss_options(name, bound, dt, sh[1]) else { return Value::Poison };
        let n = sh[0];
        let x = if b == Builtin::CrossEntropy {
            self.op_node(Op::Softmax { dim: 1, log: true }, dt, sh.clone(), &[x], span, "LogSoftmaxBackward0")
        } else {
            x
        };
        if let Some(o) = options {
            return Value::Tensor(self.class_loss_with(x, y, reduction, &o, b == Builtin::CrossEntropy, span));
        }
        let column = self.node(Op::Reshape, DType::I64, vec![n, 1], &[y], span);
        let picked = self.op_node(Op::Index(IndexOp::Gather { dim: 1 }), dt, vec![n, 1], &[x, column], span, "GatherBackward0");
        let flat = self.op_node(Op::Reshape, dt, vec![n], &[picked], span, "ViewBackward0");
        let neg = self.op_node(Op::Unary(Unary::Neg), dt, vec![n], &[flat], span, "NllLossBackward0");
        // PyTorch's kernel adds the samples' losses up in a cascade of its own.
        let kind = match reduction {
            LossReduction::None => None,
            LossReduction::Mean => Some(ReduceKind::NllMean),
            LossReduction::Sum => Some(ReduceKind::NllSum),
        };
        let out = match kind {
            Some(kind) => self.node(Op::Reduce { kind, dims: vec![0], keepdim: false }, dt, vec![], &[neg], span),
            None => neg,
        };
        // Every form of the loss is one `NllLossBackward0` node in PyTorch.
        self.grad_fn.insert(out, "NllLossBackward0".to_string());
        Value::Tensor(out)
    }
}
