//! `assert test, message`: Python's assertion. A test known when compiling is
//! decided then, so a failing one is an error before anything runs (E0646); a
//! test on run-time values (`assert train_loss < 0.5`, `assert (x > 0).all()`)
//! becomes an `assert` effect, which stops the run with Python's
//! `AssertionError: <message>` at the statement when the test is false.

use super::{Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::program::{Effect, PrintArg};
use crate::span::Span;
use crate::syntax::ast::Expr;

impl Lowerer<'_> {
    pub(crate) fn assert_stmt(&mut self, test: &Expr, message: Option<&Expr>, scope: &mut Scope, span: Span) {
        let v = self.expr(test, scope);
        let cond = match self.runtime_condition(&v) {
            Some(node) => Some(node),
            None => match v {
                Value::Host { .. } => self.truth(v, test.span),
                other => match self.condition(other, test.span, "an `assert`") {
                    None | Some(true) => return,
                    // A loop or run-time `if` body may never run, so there the
                    // failure waits for the run (`assert false, "diverged"`
                    // under `if loss > 1e3` is Python's way to stop a run).
                    Some(false) if self.in_loop_body => Some(self.scalar(0.0, graphc_runtime::DType::Bool, test.span)),
                    Some(false) => {
                        let shown = message.map(|m| self.expr(m, scope)).map(|m| self.print_arg(m));
                        let text = match shown {
                            Some(PrintArg::Text(t)) => format!("this assertion fails: AssertionError: {t}"),
                            _ => "this assertion fails".to_string(),
                        };
                        self.error(Diagnostic::new(Code::E0646, text, test.span, "false when compiling").with_help(
                            "the test is known before the program runs, and Python would stop here; fix what it checks, or remove the `assert`",
                        ));
                        return;
                    }
                },
            },
        };
        let Some(cond) = cond else { return };
        // Python evaluates the message only when the test fails; graphc's
        // messages have no effects, so computing it always shows the same text.
        let message = match message {
            Some(m) => {
                let v = self.expr(m, scope);
                if matches!(v, Value::Poison) {
                    return;
                }
                vec![self.print_arg(v)]
            }
            None => Vec::new(),
        };
        self.prog.effects.push(Effect::Assert { cond, message, span });
    }
}
