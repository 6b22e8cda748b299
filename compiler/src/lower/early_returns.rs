//! `return` inside an `if` of a fn body (`if step < warmup { return step / warmup }`),
//! when the condition is known only at run time: the `if` is rewritten so that
//! every path ends in it, and the value is returned once, after it.
//!
//! ```text
//! S1; if c { A; return x }; S2; return y
//!   becomes
//! S1; if c { A; <return value> = x } else { S2; <return value> = y }; return <return value>
//! ```
//!
//! The statements after the `if` join the branches that do not return, as
//! Python runs them only on those paths, so the rewrite means the same for any
//! condition. A run-time `if` then joins the hidden name as it joins any name
//! both sides bind (`branches.rs`), and a compile-time one binds it on the side
//! it takes. A body where some path falls off the end, or whose `return`s give
//! different numbers of values, is left as written; a `return` inside a loop is
//! not moved (E0601 when the loop is compiled).

use crate::syntax::ast::{Block, Expr, ExprKind, Ident, IfStmt, Span, Stmt, StmtKind};

/// The hidden name the `k`-th returned value is bound to. It is not a name a
/// program can write, so it never clashes with one.
fn hidden(k: usize, of: usize) -> String {
    if of == 1 {
        "<return value>".to_string()
    } else {
        format!("<return value {k}>")
    }
}

/// Whether a block returns anywhere outside a loop (in nested `if`s included).
fn returns_in(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Return(_) => true,
        StmtKind::If(i) => if_returns(i),
        _ => false,
    })
}

fn if_returns(i: &IfStmt) -> bool {
    i.branches.iter().any(|(_, b)| returns_in(&b.stmts)) || i.otherwise.as_ref().is_some_and(|b| returns_in(&b.stmts))
}

/// The statements of a fn body with its first `if` that returns rewritten so
/// that the body ends in its only `return`; `None` when there is no such `if`
/// or the rewrite does not apply.
pub(crate) fn hoist(stmts: &[Stmt]) -> Option<Vec<Stmt>> {
    let at = stmts.iter().position(|s| matches!(&s.kind, StmtKind::If(i) if if_returns(i)))?;
    let StmtKind::If(i) = &stmts[at].kind else { return None };
    let span = stmts[at].span;
    let rest = &stmts[at + 1..];
    let mut blocks: Vec<Block> = i.branches.iter().map(|(_, b)| b.clone()).collect();
    blocks.push(i.otherwise.clone().unwrap_or(Block { stmts: Vec::new(), span }));
    let mut arity = None;
    let mut returns: Vec<Span> = Vec::new();
    for b in &mut blocks {
        if !matches!(b.stmts.last(), Some(Stmt { kind: StmtKind::Return(_), .. })) {
            b.stmts.extend(rest.iter().cloned());
        }
        if let Some(s) = hoist(&b.stmts) {
            b.stmts = s;
        }
        // The rewrite applies when every path now ends in a `return` of the same
        // number of values, and no other `return` is left in the branch.
        let Some(Stmt { kind: StmtKind::Return(values), span: at }) = b.stmts.last() else { return None };
        if arity.is_some_and(|n| n != values.len()) || returns_in(&b.stmts[..b.stmts.len() - 1]) {
            return None;
        }
        arity = Some(values.len());
        returns.push(*at);
    }
    let arity = arity?;
    for b in &mut blocks {
        let Some(Stmt { kind: StmtKind::Return(values), span: at }) = b.stmts.pop() else { return None };
        for (k, value) in values.into_iter().enumerate() {
            let target = Ident { name: hidden(k, arity), span: value.span };
            b.stmts.push(Stmt { kind: StmtKind::Assign { target, value }, span: at });
        }
    }
    let otherwise = blocks.pop();
    let branches = i.branches.iter().zip(blocks).map(|((c, _), b)| (c.clone(), b)).collect();
    let mut out = stmts[..at].to_vec();
    out.push(Stmt { kind: StmtKind::If(IfStmt { branches, otherwise }), span });
    let last = returns.last().copied().unwrap_or(span);
    let values = (0..arity).map(|k| Expr { kind: ExprKind::Name(hidden(k, arity)), span: last }).collect();
    out.push(Stmt { kind: StmtKind::Return(values), span: last });
    Some(out)
}
