//! `break` and `continue`, rewritten into flags before a loop body is lowered.
//!
//! A `range` loop is compiled once for all its iterations and a list loop is
//! unrolled, so a jump cannot leave the body the way Python's does. As a
//! structured compiler lowers early exits, the body is rewritten instead:
//! - `continue` sets the loop's continue flag, which the body sets to false
//!   first in every iteration;
//! - `break` sets its break flag, false before the loop, and the whole body runs
//!   under `if not` that flag, so the iterations after a `break` do nothing;
//! - the statements after a statement that may jump run under `if not` the
//!   flags it may set; those after the jump itself in its block never run;
//! - with a `break`, the body first keeps the loop variable's value, which the
//!   variable gets back after the loop: the value of the iteration that broke,
//!   as Python leaves it.
//!
//! A flag set under a compile-time condition is a compile-time bool, and the
//! guards fold away; under a run-time condition the guards are run-time `if`s
//! (`branches.rs`), with what those allow. The flags are hidden names (`<...>`,
//! which no program can write), removed from the scope after the loop.

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::UNBOUNDED_TRIP;
use crate::syntax::ast::{Block, Expr, ExprKind, ForStmt, Ident, IfStmt, Jump, LogicOp, Span, Stmt, StmtKind, WhileStmt};

use super::{Lowerer, Scope};

/// The hidden names of one loop's jumps.
pub(super) struct JumpFlags {
    /// Set by `break`; `None` when the body has no `break`.
    pub brk: Option<String>,
    /// Set by `continue`; `None` when the body has no `continue`.
    pub cont: Option<String>,
    /// The loop variable in the last iteration that ran (with a `break`).
    pub at: Option<String>,
}

impl JumpFlags {
    /// The hidden names, to be removed from the scope after the loop.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.brk.iter().chain(&self.cont).chain(&self.at)
    }
}

/// The loop with its jumps rewritten into flags, or `None` when its body has none.
pub(super) fn rewrite_loop(f: &ForStmt) -> Option<(ForStmt, JumpFlags)> {
    let (has_break, has_continue) = jumps_of(&f.body);
    if !has_break && !has_continue {
        return None;
    }
    let at = f.var.span.start;
    let flags = JumpFlags {
        brk: has_break.then(|| format!("{BREAK_PREFIX}{at}>")),
        cont: has_continue.then(|| format!("{CONTINUE_PREFIX}{at}>")),
        at: has_break.then(|| format!("<last {} at {at}>", f.var.name)),
    };
    let span = f.body.span;
    let mut stmts = Vec::new();
    if let Some(at) = &flags.at {
        stmts.push(assign(at, name(&f.var.name, f.var.span), f.var.span));
    }
    if let Some(cont) = &flags.cont {
        stmts.push(assign(cont, boolean(false, span), span));
    }
    guard(&f.body.stmts, &flags, &mut stmts);
    // The guard points at the `break`: what it makes run-time shows there.
    let stmts = match &flags.brk {
        Some(brk) => vec![if_not(&[brk.as_str()], stmts, first_jump(&f.body.stmts, Jump::Break).unwrap_or(span))],
        None => stmts,
    };
    Some((ForStmt { var: f.var.clone(), iter: f.iter.clone(), body: Block { stmts, span } }, flags))
}

/// Appends `stmts` rewritten: a jump sets its flag and ends the block; the
/// statements after one that may jump go under `if not` its flags.
fn guard(stmts: &[Stmt], flags: &JumpFlags, out: &mut Vec<Stmt>) {
    for (k, s) in stmts.iter().enumerate() {
        let (b, c) = match &s.kind {
            StmtKind::Jump(j) => {
                let flag = match j {
                    Jump::Break => &flags.brk,
                    Jump::Continue => &flags.cont,
                };
                let flag = flag.as_deref().expect("a flag exists for every jump the body holds");
                out.push(assign(flag, boolean(true, s.span), s.span));
                return;
            }
            StmtKind::If(_) | StmtKind::NoGrad(_) => jumps_in_stmt(s),
            _ => (false, false),
        };
        if !b && !c {
            out.push(s.clone());
            continue;
        }
        let rewritten = |block: &Block| {
            let mut inner = Vec::new();
            guard(&block.stmts, flags, &mut inner);
            Block { stmts: inner, span: block.span }
        };
        let kind = match &s.kind {
            StmtKind::If(i) => StmtKind::If(IfStmt {
                branches: i.branches.iter().map(|(cond, block)| (cond.clone(), rewritten(block))).collect(),
                otherwise: i.otherwise.as_ref().map(rewritten),
            }),
            StmtKind::NoGrad(block) => StmtKind::NoGrad(rewritten(block)),
            _ => unreachable!("only an `if` or a `no_grad` block holds a jump of this loop"),
        };
        out.push(Stmt { kind, span: s.span });
        let rest = &stmts[k + 1..];
        if !rest.is_empty() {
            let mut inner = Vec::new();
            guard(rest, flags, &mut inner);
            let set: Vec<&str> = [(b, &flags.brk), (c, &flags.cont)].into_iter().filter(|(may, _)| *may).filter_map(|(_, f)| f.as_deref()).collect();
            // The guard points at the jump: what it makes run-time shows there
            // (the `continue` when the statement may take either, as the guard
            // is then a `continue`'s: `guarded_jump`).
            let jump = if c { Jump::Continue } else { Jump::Break };
            out.push(if_not(&set, inner, first_jump(std::slice::from_ref(s), jump).unwrap_or(s.span)));
        }
        return;
    }
}

/// The span of the first `jump` among `stmts` of a loop's body (not in a nested loop or fn).
fn first_jump(stmts: &[Stmt], jump: Jump) -> Option<Span> {
    stmts.iter().find_map(|s| match &s.kind {
        StmtKind::Jump(j) if *j == jump => Some(s.span),
        StmtKind::If(i) => crate::check::flow::if_blocks(i).find_map(|b| first_jump(&b.stmts, jump)),
        StmtKind::NoGrad(inner) => first_jump(&inner.stmts, jump),
        _ => None,
    })
}

/// Which jump a guard this module wrote stands for, when `cond` is one
/// (`not <break ...>`, `not (<break ...> or <continue ...>)`): a `break` when
/// it tests break flags only, whose skipped side runs only after the loop has
/// broken; a `continue` when it tests a continue flag, after which the next
/// iteration runs with what the skipped side holds.
pub(super) fn guarded_jump(cond: &Expr) -> Option<Jump> {
    let ExprKind::Not(inner) = &cond.kind else { return None };
    let mut names = Vec::new();
    let mut stack = vec![inner.as_ref()];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Name(n) => names.push(n.as_str()),
            ExprKind::Logic { op: LogicOp::Or, lhs, rhs } => stack.extend([lhs.as_ref(), rhs.as_ref()]),
            _ => return None,
        }
    }
    if names.iter().all(|n| n.starts_with(BREAK_PREFIX)) {
        Some(Jump::Break)
    } else if names.iter().all(|n| n.starts_with(BREAK_PREFIX) || n.starts_with(CONTINUE_PREFIX)) {
        Some(Jump::Continue)
    } else {
        None
    }
}

const BREAK_PREFIX: &str = "<break at ";
/// The start of the name of a `while` loop's hidden variable.
pub(super) const WHILE_PREFIX: &str = "<while at ";
const CONTINUE_PREFIX: &str = "<continue at ";

/// Whether a block holds a `break`, and whether a `continue`, of the loop
/// whose body it is (those in a nested loop or `fn` are theirs).
fn jumps_of(block: &Block) -> (bool, bool) {
    block.stmts.iter().map(jumps_in_stmt).fold((false, false), |(b, c), (b2, c2)| (b || b2, c || c2))
}

fn jumps_in_stmt(s: &Stmt) -> (bool, bool) {
    match &s.kind {
        StmtKind::Jump(Jump::Break) => (true, false),
        StmtKind::Jump(Jump::Continue) => (false, true),
        StmtKind::If(i) => crate::check::flow::if_blocks(i).map(jumps_of).fold((false, false), |(b, c), (b2, c2)| (b || b2, c || c2)),
        // `no_grad` opens no scope: a `break` in it leaves the loop.
        StmtKind::NoGrad(inner) => jumps_of(inner),
        StmtKind::For(_) | StmtKind::While(_) | StmtKind::Def(_) | StmtKind::AugAssign { .. } | StmtKind::Store { .. } | StmtKind::Assign { .. } => {
            (false, false)
        }
        StmtKind::Unpack { .. } | StmtKind::Expr(_) | StmtKind::Save(_) | StmtKind::Return(_) | StmtKind::Input(_) | StmtKind::Assert { .. } => {
            (false, false)
        }
    }
}

fn name(n: &str, span: Span) -> Expr {
    Expr { kind: ExprKind::Name(n.to_string()), span }
}

fn boolean(b: bool, span: Span) -> Expr {
    Expr { kind: ExprKind::Bool(b), span }
}

fn assign(target: &str, value: Expr, span: Span) -> Stmt {
    Stmt { kind: StmtKind::Assign { target: Ident { name: target.to_string(), span }, value }, span }
}

/// `if not (f1 or f2) { stmts }`.
fn if_not(flags: &[&str], stmts: Vec<Stmt>, span: Span) -> Stmt {
    let any = flags
        .iter()
        .map(|f| name(f, span))
        .reduce(|lhs, rhs| Expr { kind: ExprKind::Logic { op: LogicOp::Or, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span })
        .expect("a guard names at least one flag");
    let cond = Expr { kind: ExprKind::Not(Box::new(any)), span };
    Stmt { kind: StmtKind::If(IfStmt { branches: vec![(cond, Block { stmts, span })], otherwise: None }), span }
}

impl Lowerer<'_> {
    /// `while cond { body }`: `for <while> in range(UNBOUNDED_TRIP) { if cond
    /// {} else { break }; body }`, a loop whose `break` (at the latest, the
    /// condition's) ends it, as Python's `while` runs until its condition is
    /// false. A condition false before the loop folds to a loop that breaks in
    /// its first iteration; `while true` runs until a `break` of the body.
    pub(super) fn while_stmt(&mut self, w: &WhileStmt, scope: &mut Scope, kind: super::BodyKind) -> Option<super::BodyResult> {
        let at = w.cond.span;
        let var = Ident { name: format!("{WHILE_PREFIX}{}>", at.start), span: at };
        let bound = UNBOUNDED_TRIP as i64;
        let number = Expr { kind: ExprKind::Number { value: bound as f64, is_int: true, exact: Some(bound as i128) }, span: at };
        let range = Expr {
            kind: ExprKind::Call {
                callee: Ident { name: "range".to_string(), span: at },
                args: vec![crate::syntax::ast::Arg { name: None, value: number }],
            },
            span: at,
        };
        let stop = Stmt { kind: StmtKind::Jump(Jump::Break), span: at };
        // `if cond {} else { break }`: the condition may be a tensor, as `if`'s may.
        let test = Stmt {
            kind: StmtKind::If(IfStmt {
                branches: vec![(w.cond.clone(), Block { stmts: vec![], span: at })],
                otherwise: Some(Block { stmts: vec![stop], span: at }),
            }),
            span: at,
        };
        let mut stmts = vec![test];
        stmts.extend(w.body.stmts.iter().cloned());
        // `range` is Python's builtin here, whatever the program calls `range`.
        let shadowed = scope.names.remove("range");
        let r = self.for_stmt(&ForStmt { var: var.clone(), iter: range, body: Block { stmts, span: w.body.span } }, scope, kind);
        if let Some(v) = shadowed {
            scope.names.insert("range".to_string(), v);
        }
        scope.names.remove(&var.name);
        self.globals.remove(&var.name);
        r
    }

    /// After a loop with a `break`: the `.grad`s and optimizers whose state a
    /// guard filled with zeros (`branches.rs`, from `break_fills[from..]`)
    /// stand for a `None` if the loop broke before creating them. They are
    /// marked, so that a read of them after the loop is an error.
    pub(super) fn mark_break_fills(&mut self, from: usize, scope: &Scope) {
        let fills: Vec<(String, Span)> = self.break_fills.drain(from..).collect();
        if fills.is_empty() {
            return;
        }
        let places = super::regions::places(scope, &self.globals, &self.grad_state, &self.optim);
        for (key, at) in fills {
            if let Some(k) = key.strip_prefix("optimizer ").and_then(|k| k.parse::<usize>().ok()) {
                self.uncertain_optimizers.entry(k).or_insert(at);
            } else if let Some((_, super::regions::Held::Node(g))) = places.iter().find(|(k, _)| *k == key) {
                self.uncertain_grads.entry(*g).or_insert(at);
            }
        }
    }

    /// E0605 when gradient `g` is one that a loop left `None` if it broke early; returns whether it was.
    pub(super) fn uncertain_grad(&mut self, g: NodeId, span: Span) -> bool {
        let at = self.uncertain_grads.get(&g).copied();
        self.uncertain_read(
            at,
            span,
            ("this gradient is `None` if the loop before broke ahead of its first backward, and a tensor otherwise", "`None` or a tensor"),
            "read the gradient inside the loop, or move the `break` after the `backward()` call, so that it is a tensor whichever way the loop ends",
        )
    }

    /// E0605 when optimizer `k`'s state is one that a loop left empty if it broke early; returns whether it was.
    pub(super) fn uncertain_optimizer(&mut self, k: usize, span: Span) -> bool {
        let at = self.uncertain_optimizers.get(&k).copied();
        self.uncertain_read(
            at,
            span,
            ("this optimizer has no state if the loop before broke ahead of its first `step()`, and state otherwise", "state or none"),
            "use the optimizer inside the loop, or move the `break` after the `step()` call, so that its state exists whichever way the loop ends",
        )
    }

    /// E0605 at a read (`span`) of what the `break` at `at` may have left unset, when there is one.
    fn uncertain_read(&mut self, at: Option<Span>, span: Span, (message, label): (&str, &str), help: &str) -> bool {
        let Some(at) = at else { return false };
        self.error(Diagnostic::new(Code::E0605, message, span, label).with_secondary(at, "the `break`, decided at run time").with_help(help));
        true
    }
}
