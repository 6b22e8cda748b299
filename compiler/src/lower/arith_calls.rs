//! PyTorch's function forms of the arithmetic operators: `torch.add(a, b)`,
//! `sub`/`subtract`, `mul`/`multiply`, `div`/`divide`/`true_divide`. Each is the
//! operator itself (the same op, `grad_fn` and rounding), so `divide(a, b)` in a
//! ported `autograd.Function` prints what `a / b` prints.

use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Ident, Span};

/// The operator a function form stands for.
fn operator(name: &str) -> Option<BinOp> {
    Some(match name {
        "add" => BinOp::Add,
        "sub" | "subtract" => BinOp::Sub,
        "mul" | "multiply" => BinOp::Mul,
        "div" | "divide" | "true_divide" => BinOp::Div,
        _ => return None,
    })
}

impl Lowerer<'_> {
    /// `add(a, b)` and the other function forms, or `None` for any other name.
    pub(super) fn arith_call(&mut self, name: &str, args: &[(Option<Ident>, Value, Span)], span: Span) -> Option<Value> {
        let op = operator(name)?;
        if let Some((Some(kw), _, _)) = args.iter().find(|a| a.0.is_some()) {
            return Some(
                self.error(
                    Diagnostic::new(Code::E0103, format!("`{name}` takes no keyword `{}` in graphc", kw.name), kw.span, "unsupported keyword")
                        .with_help("write the operator with its operands (`a + alpha * b` for `add(a, b, alpha=alpha)`)"),
                ),
            );
        }
        if args.len() != 2 {
            return Some(
                self.error(
                    Diagnostic::new(Code::E0103, format!("`{name}` takes two arguments, not {}", args.len()), span, "wrong number of arguments")
                        .with_help(format!("write `{name}(a, b)`")),
                ),
            );
        }
        let ((_, a, sa), (_, b, sb)) = (args[0].clone(), args[1].clone());
        Some(self.binary(op, (a, sa), (b, sb), span))
    }
}
