//! Surrogate gradients for `graphc gradcheck`: a backward block that states
//! `surrogate("reason")` declares that its gradient deliberately differs from
//! the forward's derivative (a straight-through estimator, a gradient reversal,
//! a clipped gradient). gradcheck still measures the difference, but reports it
//! as declared instead of as a wrong gradient (G0001). The compiler checks that
//! the call stands in a backward block and that the reason is a string.

use graphc_compiler::diag::LineIndex;
use graphc_compiler::syntax::ast::{ExprKind, OpDef, StmtKind};

/// Where an op's backward block declares a surrogate, and why.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Declared {
    /// `line:col` of the `surrogate(...)` call.
    pub at: String,
    pub reason: String,
}

/// The first `surrogate("...")` statement of `op`'s backward block, if any.
pub(crate) fn declared(op: &OpDef, lines: &LineIndex) -> Option<Declared> {
    let body = &op.backward.as_ref()?.body;
    body.stmts.iter().find_map(|s| {
        let StmtKind::Expr(e) = &s.kind else { return None };
        let ExprKind::Call { callee, args } = &e.kind else { return None };
        if callee.name != "surrogate" {
            return None;
        }
        let reason = match args.first().map(|a| &a.value.kind) {
            Some(ExprKind::Str(r)) => r.clone(),
            _ => return None,
        };
        let (l, c) = lines.line_col(e.span.start);
        Some(Declared { at: format!("{l}:{c}"), reason })
    })
}

/// The note under the table for an op whose declared surrogate differs from the derivative.
pub(crate) fn note(op: &str, d: &Declared) -> String {
    format!(
        "{op}: the backward block declares a surrogate gradient (\"{}\") at {}, so its difference from the forward's derivative is reported, not failed",
        d.reason, d.at
    )
}
