//! Helpers on the shape of bodies that both the definition checks and lowering
//! use: the blocks of an `if`, whether a block always returns, every `return`
//! of a block, and the parameter that `needs_grad(p)` names.

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Arg, Block, Expr, ExprKind, Ident, IfStmt, Span, StmtKind};

/// The blocks of an `if`, in source order.
pub fn if_blocks(i: &IfStmt) -> impl Iterator<Item = &Block> {
    i.branches.iter().map(|(_, b)| b).chain(i.otherwise.iter())
}

/// Whether every path through a block ends in `return`: its last statement is a
/// `return`, or an `if` with an `else` whose blocks all end so.
pub fn always_returns(block: &Block) -> bool {
    match block.stmts.last().map(|s| &s.kind) {
        Some(StmtKind::Return(_)) => true,
        Some(StmtKind::If(i)) => i.otherwise.is_some() && if_blocks(i).all(always_returns),
        Some(StmtKind::NoGrad(b)) => always_returns(b),
        _ => false,
    }
}

/// Every `return` statement of a block, including those inside `if` blocks.
pub fn returns_of(block: &Block) -> Vec<(&[Expr], Span)> {
    let mut out = Vec::new();
    for s in &block.stmts {
        match &s.kind {
            StmtKind::Return(values) => out.push((values.as_slice(), s.span)),
            StmtKind::If(i) => if_blocks(i).for_each(|b| out.extend(returns_of(b))),
            StmtKind::NoGrad(b) => out.extend(returns_of(b)),
            StmtKind::For(f) => out.extend(returns_of(&f.body)),
            StmtKind::Assign { .. } | StmtKind::Unpack { .. } | StmtKind::Expr(_) | StmtKind::Save(_) | StmtKind::Input(_) => {}
            StmtKind::AugAssign { .. } | StmtKind::Store { .. } | StmtKind::Assert { .. } => {}
            // A nested fn's `return`s are its own.
            StmtKind::Def(_) => {}
        }
    }
    out
}

/// The name of the compile-time query `needs_grad(p)`.
pub const NEEDS_GRAD: &str = "needs_grad";

/// The parameter `needs_grad`'s arguments name: exactly one, a parameter of the op (E0112).
pub fn needs_grad_param<'p>(args: &[Arg], params: &'p [Ident], span: Span) -> Result<&'p Ident, Diagnostic> {
    let named = match args {
        [Arg { name: None, value: Expr { kind: ExprKind::Name(n), .. } }] => params.iter().find(|p| p.name == *n),
        _ => None,
    };
    named.ok_or_else(|| {
        let at = args.first().map_or(span, |a| a.value.span);
        Diagnostic::new(Code::E0112, "`needs_grad` takes one parameter of the op", at, "not a parameter of this op")
            .with_help(format!("write `needs_grad(p)` with one of {}", params.iter().map(|p| format!("`{}`", p.name)).collect::<Vec<_>>().join(", ")))
    })
}
