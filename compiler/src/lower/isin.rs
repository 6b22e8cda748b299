//! `isin(elements, test_elements, *, assume_unique=false, invert=false)`:
//! for each element, whether it equals any of the test elements (a number on
//! either side is a one-element tensor), negated with `invert`. ATen picks
//! between comparing every pair and a sort by size; both give the same bools,
//! so graphc compares every pair: `(elements.unsqueeze(-1) ==
//! test_elements.flatten()).any(-1)`, the operands in their common dtype.
//! `assume_unique` only lets ATen's sort skip work, and changes nothing here.

use graphc_runtime::DType;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

/// The most pairs `isin` compares: a bool each.
const MAX_PAIRS: usize = 1 << 26;

impl Lowerer<'_> {
    /// `isin(elements, test_elements, ...)`.
    pub(super) fn isin_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let [(e, es), (t, ts)] = self.two(bound);
        let invert = match bound.keyword("invert") {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`isin`'s `invert` must be a bool, not {}", other.describe()), s, "not a bool")
                        .with_help("write `invert=true` or `invert=false`"),
                )
            }
        };
        if let Some((v, s)) = bound.keyword("assume_unique") {
            if !matches!(v, Value::Bool(_)) {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`isin`'s `assume_unique` must be a bool, not {}", v.describe()), s, "not a bool")
                        .with_help("write `assume_unique=true` or `assume_unique=false`"),
                );
            }
        }
        if matches!((&e, &t), (Value::Number(_), Value::Number(_))) {
            return self.error(
                Diagnostic::new(Code::E0107, "`isin` needs a tensor on one side", span, "two numbers")
                    .with_help("make one side a tensor, as in `isin(tensor(x), y)`"),
            );
        }
        let count = |me: &Self, v: &Value| match v {
            Value::Tensor(n) => me.shape_of(*n).iter().product::<usize>(),
            _ => 1,
        };
        let pairs = count(self, &e).saturating_mul(count(self, &t));
        if pairs > MAX_PAIRS {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`isin` would compare {pairs} pairs; graphc compares every pair, at most {MAX_PAIRS}"),
                    span,
                    "too many pairs",
                )
                .with_help("test fewer elements at a time"),
            );
        }
        let int = |v: i64| Value::Number(Num::Int(v as i128));
        if count(self, &t) == 0 {
            // Nothing to find: every answer is `invert` (`any` of no pairs is false).
            let shape = match e {
                Value::Tensor(n) => self.shape_of(n),
                _ => vec![],
            };
            let dtype = Some(Ident { name: "dtype".to_string(), span });
            let args = vec![(None, Value::Size(shape), span), (dtype, Value::DType(DType::Bool), span)];
            let name = if invert { "ones" } else { "zeros" };
            return self.call_builtin_named(&Ident { name: name.to_string(), span }, args, span);
        }
        let column = match e {
            Value::Tensor(_) => self.call_builtin_values("unsqueeze", vec![(e, es), (int(-1), es)], span),
            number => number,
        };
        let flat = match t {
            Value::Tensor(_) => self.call_builtin_values("flatten", vec![(t, ts)], span),
            number => number,
        };
        let equal = self.binary(BinOp::EqEq, (column, es), (flat, ts), span);
        let found = self.call_builtin_values("any", vec![(equal, span), (int(-1), span)], span);
        if invert {
            self.call_builtin_values("logical_not", vec![(found, span)], span)
        } else {
            found
        }
    }
}
