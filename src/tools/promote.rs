//! f32 constants promoted to f64 for `graphc gradcheck`.
//!
//! gradcheck evaluates ops in f64, but a tensor an op creates in its own body
//! (`tensor([1, 2])`, `full(3, 0.5)`, `randn(3)`) is f32 unless it says
//! otherwise, and `.act` never mixes dtypes implicitly, so such an op would not
//! compile at f64 points. gradcheck therefore rewrites the definitions it runs
//! so that every creation call in an op or fn body makes f64: `dtype=f32` becomes
//! `dtype=f64`, and a creation call without `dtype` gets `dtype=f64`, as if
//! PyTorch's default dtype were `float64` (`torch.set_default_dtype`). The
//! constants' values are then the f64 values written, not their f32 roundings,
//! which is what a check of the op's mathematics in f64 wants.

use graphc_compiler::diag::LineIndex;
use graphc_compiler::span::Span;
use graphc_compiler::syntax::ast::{Arg, Block, Expr, ExprKind, FPiece, Item, StmtKind};

/// The builtins that create a tensor of the default dtype when given no `dtype`.
const CREATION: &[&str] = &["randn", "rand", "zeros", "ones", "full", "arange", "linspace", "tensor"];

/// One text edit: replace `span` of the source with `text`, in the call that starts at `call`.
struct Edit {
    span: Span,
    text: &'static str,
    call: usize,
}

/// The source with every f32 creation in an op or fn body made f64, and the byte
/// offsets where the calls that changed start (for the report).
pub(crate) fn promote_f32_constants(source: &str, items: &[Item]) -> (String, Vec<usize>) {
    let mut edits = Vec::new();
    for item in items {
        match item {
            Item::Op(op) => {
                block(source, &op.forward, &mut edits);
                if let Some(b) = &op.backward {
                    block(source, &b.body, &mut edits);
                }
            }
            Item::Fn(f) => block(source, &f.body, &mut edits),
            Item::Class(c) => c.methods.iter().for_each(|m| block(source, &m.body, &mut edits)),
            // Top-level statements are not part of what gradcheck runs.
            Item::Stmt(_) => {}
        }
    }
    edits.sort_by_key(|e| e.span.start);
    let mut out = String::with_capacity(source.len() + 12 * edits.len());
    let mut at = 0;
    let mut changed = Vec::new();
    for e in &edits {
        out.push_str(&source[at..e.span.start]);
        out.push_str(e.text);
        at = e.span.end;
        changed.push(e.call);
    }
    out.push_str(&source[at..]);
    (out, changed)
}

/// The note under gradcheck's table that lists the promoted calls, if any.
pub(crate) fn note(lines: &LineIndex, promoted_at: &[usize]) -> Option<String> {
    if promoted_at.is_empty() {
        return None;
    }
    let at: Vec<String> = promoted_at
        .iter()
        .map(|&b| {
            let (l, c) = lines.line_col(b);
            format!("{l}:{c}")
        })
        .collect();
    Some(format!("f32 constants evaluated in f64, as the points are (the calls at {})", at.join(", ")))
}

fn block(source: &str, b: &Block, edits: &mut Vec<Edit>) {
    for s in &b.stmts {
        match &s.kind {
            StmtKind::Assign { value, .. } | StmtKind::Unpack { value, .. } => expr(source, value, edits),
            StmtKind::Expr(e) => expr(source, e, edits),
            StmtKind::Assert { test, message, .. } => {
                expr(source, test, edits);
                message.iter().for_each(|m| expr(source, m, edits));
            }
            StmtKind::If(i) => {
                for (cond, body) in &i.branches {
                    expr(source, cond, edits);
                    block(source, body, edits);
                }
                if let Some(otherwise) = &i.otherwise {
                    block(source, otherwise, edits);
                }
            }
            StmtKind::For(f) => {
                expr(source, &f.iter, edits);
                block(source, &f.body, edits);
            }
            StmtKind::While(w) => {
                expr(source, &w.cond, edits);
                block(source, &w.body, edits);
            }
            StmtKind::Return(es) => es.iter().for_each(|e| expr(source, e, edits)),
            StmtKind::Save(_) | StmtKind::Input(_) | StmtKind::Jump(_) => {}
            StmtKind::NoGrad(body) => block(source, body, edits),
            StmtKind::Def(f) => block(source, &f.body, edits),
            StmtKind::AugAssign { target, value, .. } | StmtKind::Store { target, value } => {
                expr(source, target, edits);
                expr(source, value, edits);
            }
        }
    }
}

fn expr(source: &str, e: &Expr, edits: &mut Vec<Edit>) {
    match &e.kind {
        ExprKind::Number { .. } | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None | ExprKind::Name(_) => {}
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|i| expr(source, i, edits)),
        ExprKind::Dict(entries) => entries.iter().flat_map(|(k, v)| [k, v]).for_each(|i| expr(source, i, edits)),
        ExprKind::Unary { operand, .. } | ExprKind::Splat(operand) | ExprKind::SplatKeywords(operand) | ExprKind::Not(operand) => {
            expr(source, operand, edits)
        }
        ExprKind::Binary { lhs, rhs, .. }
        | ExprKind::Logic { lhs, rhs, .. }
        | ExprKind::Bitwise { lhs, rhs, .. }
        | ExprKind::Is { lhs, rhs, .. }
        | ExprKind::In { lhs, rhs, .. } => {
            expr(source, lhs, edits);
            expr(source, rhs, edits);
        }
        ExprKind::Call { callee, args } => {
            call(source, e.span, CREATION.contains(&callee.name.as_str()), args, edits);
        }
        ExprKind::Method { receiver, args, .. } | ExprKind::Apply { callee: receiver, args } => {
            expr(source, receiver, edits);
            call(source, e.span, false, args, edits);
        }
        ExprKind::Field { receiver, .. } => expr(source, receiver, edits),
        ExprKind::Index { receiver, items } => {
            expr(source, receiver, edits);
            items.iter().flat_map(|i| i.exprs()).for_each(|i| expr(source, i, edits));
        }
        ExprKind::FString(pieces) => pieces.iter().filter_map(FPiece::expr).for_each(|i| expr(source, i, edits)),
        ExprKind::Comprehension(c) => c.exprs().into_iter().for_each(|i| expr(source, i, edits)),
        ExprKind::Lambda(l) => l.exprs().into_iter().for_each(|i| expr(source, i, edits)),
        ExprKind::Chain { first, links } => std::iter::once(&**first).chain(links.iter().map(|(_, e)| e)).for_each(|i| expr(source, i, edits)),
        ExprKind::IfElse { then, cond, otherwise } => [then, cond, otherwise].into_iter().for_each(|i| expr(source, i, edits)),
    }
}

/// A call's arguments, and its dtype: `dtype=f32` becomes `dtype=f64`; a
/// creation call without `dtype` gets one before its closing parenthesis.
fn call(source: &str, span: Span, creation: bool, args: &[Arg], edits: &mut Vec<Edit>) {
    let mut has_dtype = false;
    for a in args {
        if a.name.as_ref().is_some_and(|n| n.name == "dtype") {
            has_dtype = true;
            if matches!(&a.value.kind, ExprKind::Name(n) if n == "f32") {
                edits.push(Edit { span: a.value.span, text: "f64", call: span.start });
            }
        } else {
            expr(source, &a.value, edits);
        }
    }
    if creation && !has_dtype {
        // The call's text ends with `)`; a trailing comma or no argument at all
        // decides whether a comma goes before the new keyword.
        let close = span.end.saturating_sub(1);
        let before = source[span.start..close].trim_end();
        let text = if args.is_empty() || before.ends_with(',') { "dtype=f64" } else { ", dtype=f64" };
        edits.push(Edit { span: Span { start: close, end: close }, text, call: span.start });
    }
}
