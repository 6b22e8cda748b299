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
            StmtKind::While(w) => out.extend(returns_of(&w.body)),
            StmtKind::Assign { .. } | StmtKind::Unpack { .. } | StmtKind::Expr(_) | StmtKind::Save(_) | StmtKind::Input(_) => {}
            StmtKind::AugAssign { .. } | StmtKind::Store { .. } | StmtKind::Assert { .. } => {}
            // A nested fn's `return`s are its own.
            StmtKind::Def(_) | StmtKind::Jump(_) => {}
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

/// E0601 for each `break` or `continue` that no loop of its own body encloses
/// (Python's "'break' outside loop"): at the top level, in a `fn` or an op's
/// blocks outside their `for` loops (a nested `fn` starts outside any loop).
pub fn jumps_outside_loops(file: &crate::syntax::ast::File) -> Vec<Diagnostic> {
    use crate::syntax::ast::Item;
    let mut diags = Vec::new();
    for item in &file.items {
        match item {
            Item::Op(op) => {
                jumps_in(&op.forward, false, &mut diags);
                if let Some(b) = &op.backward {
                    jumps_in(&b.body, false, &mut diags);
                }
            }
            Item::Fn(f) => jumps_in(&f.body, false, &mut diags),
            Item::Class(c) => c.methods.iter().for_each(|m| jumps_in(&m.body, false, &mut diags)),
            Item::Stmt(s) => jumps_in_stmt(s, false, &mut diags),
        }
    }
    diags
}

fn jumps_in(block: &Block, in_loop: bool, diags: &mut Vec<Diagnostic>) {
    for s in &block.stmts {
        jumps_in_stmt(s, in_loop, diags);
    }
}

fn jumps_in_stmt(s: &crate::syntax::ast::Stmt, in_loop: bool, diags: &mut Vec<Diagnostic>) {
    match &s.kind {
        StmtKind::Jump(j) if !in_loop => diags.push(
            Diagnostic::new(Code::E0601, format!("`{}` outside a loop", j.keyword()), s.span, "no loop around it")
                .with_help("`break` and `continue` belong in the body of a `for` loop of the same fn or block"),
        ),
        StmtKind::If(i) => if_blocks(i).for_each(|b| jumps_in(b, in_loop, diags)),
        StmtKind::NoGrad(b) => jumps_in(b, in_loop, diags),
        StmtKind::For(f) => jumps_in(&f.body, true, diags),
        StmtKind::While(w) => jumps_in(&w.body, true, diags),
        StmtKind::Def(f) => jumps_in(&f.body, false, diags),
        StmtKind::Jump(_) | StmtKind::Assign { .. } | StmtKind::Unpack { .. } | StmtKind::Expr(_) | StmtKind::Save(_) | StmtKind::Input(_) => {}
        StmtKind::Return(_) | StmtKind::AugAssign { .. } | StmtKind::Store { .. } | StmtKind::Assert { .. } => {}
    }
}
