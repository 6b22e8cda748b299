//! Lowering of `one_hot(tensor, num_classes=-1)` (docs/act-language.md,
//! section 5): an i64 tensor of shape `tensor.shape + [num_classes]`, 1 where
//! the last coordinate is the class. Shapes are static here, so the class count
//! must be known when compiling: `-1` (PyTorch's "largest class + 1") is taken
//! only when the classes are a constant.

use graphc_runtime::op::{Cmp, Scalar};
use graphc_runtime::{kernels, DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    /// `one_hot(tensor, num_classes=-1)`.
    pub(crate) fn one_hot_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees tensor");
        let Some(t) = self.expect_tensor(v, vs, "`one_hot`'s input") else { return Value::Poison };
        if self.dtype_of(t) != DType::I64 {
            let dt = self.dtype_of(t);
            return self.error(
                Diagnostic::new(Code::E0204, format!("`one_hot` takes an i64 tensor of classes, not {dt}"), vs, format!("this is {dt}"))
                    .with_help("convert the classes with `.long()`"),
            );
        }
        let requested = match bound.positional.get(1).cloned().flatten() {
            None => -1,
            Some((Value::Number(super::Num::Int(i)), _)) => i.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            Some((other, ns)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`num_classes` must be an integer, not {}", other.describe()), ns, "not an integer")
                        .with_help("write `num_classes=3`"),
                )
            }
        };
        let node = self.prog.graph.node(t).clone();
        let constant = matches!(node.op, Op::Full(_) | Op::Literal(_)).then(|| kernels::eval(&node.op, &[], node.dtype, &node.shape));
        let classes: Option<Vec<i64>> = constant.as_ref().and_then(|c| c.as_i64()).map(|v| v.to_vec());
        let n = match (requested, &classes) {
            (-1, Some(cs)) => cs.iter().copied().max().map_or(0, |m| m + 1),
            (-1, None) => {
                return self.error(
                    Diagnostic::new(Code::E0283, "`one_hot` needs `num_classes` when the classes are known only at run time", vs, "computed classes")
                        .with_help("give the class count, as in `one_hot(y, num_classes=10)`: graphc's shapes are fixed when compiling"),
                )
            }
            (n, _) if n < 0 => {
                return self.error(
                    Diagnostic::new(Code::E0283, format!("`num_classes` must be -1 or positive, not {n}"), span, "bad class count")
                        .with_help("write the number of classes"),
                )
            }
            (n, _) => n,
        };
        if let Some(bad) = classes.iter().flatten().find(|&&c| c < 0 || c >= n) {
            return self.error(
                Diagnostic::new(Code::E0283, format!("class {bad} is out of range for {n} classes"), vs, "out of range")
                    .with_help(format!("classes must lie in 0..{n}")),
            );
        }
        let n = n as usize;
        let mut lifted = self.shape_of(t);
        lifted.push(1);
        let mut out = self.shape_of(t);
        out.push(n);
        let column = self.node(Op::Reshape, DType::I64, lifted, &[t], span);
        let range = self.node(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, DType::I64, vec![n], &[], span);
        let hit = self.node(Op::Compare(Cmp::Eq), DType::Bool, out.clone(), &[column, range], span);
        Value::Tensor(self.node(Op::Cast, DType::I64, out, &[hit], span))
    }
}
