//! `surrogate("reason")`: a statement of a backward block that declares its
//! gradient a deliberate surrogate (a straight-through estimator, a gradient
//! reversal, a clipped gradient), so that `graphc gradcheck` reports the
//! difference from the forward's derivative as intended instead of as G0001.
//! It computes nothing; lowering only checks where it stands and that the
//! reason is a string, and gradcheck reads it from the syntax tree.

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::Region;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    pub(super) fn surrogate(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        if !matches!(self.region, Region::Template(_)) {
            return self.error(
                Diagnostic::new(
                    Code::E0260,
                    "`surrogate(...)` declares a backward block's gradient, but it is outside one",
                    span,
                    "not in a backward block",
                )
                .with_help("move it into the backward block of the op whose gradient is a deliberate surrogate, or remove it"),
            );
        }
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees the reason");
        if !matches!(v, Value::Str(_)) {
            return self.error(
                Diagnostic::new(Code::E0261, format!("`surrogate` takes the reason as a string, not {}", v.describe()), vs, "not a string")
                    .with_help("name the estimator in quotes, such as `surrogate(\"straight-through estimator\")`"),
            );
        }
        Value::None
    }
}
