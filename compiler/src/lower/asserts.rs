//! `assert test, message`: Python's assertion. A test known when compiling is
//! decided then, so a failing one is an error before anything runs (E0646); a
//! test on run-time values (`assert train_loss < 0.5`, `assert (x > 0).all()`)
//! becomes an `assert` effect, which stops the run with Python's
//! `AssertionError: <message>` at the statement when the test is false.
//!
//! `raise ValueError("message")` is an assertion whose test is `false`, with
//! the exception's name: where the statement always runs it is an error before
//! anything runs (E0647); in a loop body or a side of a run-time `if`, which
//! may never run it, it stops the run with `ValueError: message`.

use super::{Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::program::{Effect, PrintArg};
use crate::span::Span;
use crate::syntax::ast::{Expr, Ident};

/// The exceptions `raise` takes: Python's built-in ones that programs raise
/// to reject their input.
const EXCEPTIONS: &[&str] = &[
    "Exception",
    "ValueError",
    "TypeError",
    "RuntimeError",
    "NotImplementedError",
    "AssertionError",
    "IndexError",
    "KeyError",
    "LookupError",
    "ArithmeticError",
    "ZeroDivisionError",
    "OverflowError",
    "FloatingPointError",
    "AttributeError",
];

impl Lowerer<'_> {
    pub(crate) fn assert_stmt(&mut self, test: &Expr, message: Option<&Expr>, raises: Option<&Ident>, scope: &mut Scope, span: Span) {
        let exception = match raises {
            None => "AssertionError",
            Some(e) => match EXCEPTIONS.iter().find(|n| **n == e.name) {
                Some(n) => n,
                None => {
                    let help = match crate::check::ops::closest(&e.name, EXCEPTIONS.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`? `raise` takes Python's built-in exceptions: {}", EXCEPTIONS.join(", ")),
                        None => format!("`raise` takes Python's built-in exceptions: {}", EXCEPTIONS.join(", ")),
                    };
                    self.error(
                        Diagnostic::new(Code::E0647, format!("`{}` is not an exception graphc knows", e.name), e.span, "unknown exception")
                            .with_help(help),
                    );
                    return;
                }
            },
        };
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
                    Some(false) if raises.is_some() => {
                        let shown = message.map(|m| self.expr(m, scope)).map(|m| self.print_arg(m));
                        let text = match shown {
                            Some(PrintArg::Text(t)) => format!("this `raise` runs: {exception}: {t}"),
                            _ => format!("this `raise` runs: {exception}"),
                        };
                        self.error(Diagnostic::new(Code::E0647, text, span, "runs when the program does").with_help(
                            "the program would stop here whatever its input: the conditions around the `raise` are known when compiling (shapes, dtypes, numbers), so fix what they check",
                        ));
                        return;
                    }
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
        self.prog.effects.push(Effect::Assert { cond, message, exception: exception.to_string(), span });
    }
}
