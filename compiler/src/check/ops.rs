//! Rules on `op` and `fn` definitions that hold whatever the call site:
//! unique names and parameters, `save`/`return` placement, the saved-result rule
//! of a backward block, the number of gradients it returns, names bound before
//! use, and no recursion. They run once per definition, before lowering, so an
//! op that is never called is still checked.

use std::collections::{HashMap, HashSet};

use crate::check::builtins;
use crate::check::flow::always_returns;
use crate::check::flow::returns_of;
pub use crate::check::flow::{if_blocks, needs_grad_param, NEEDS_GRAD};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Arg, Block, ClassDef, Expr, ExprKind, FPiece, File, FnDef, Ident, Item, OpDef, Span, Stmt, StmtKind};

/// The file's ops and fns by name.
#[derive(Default)]
pub struct Defs<'a> {
    pub ops: HashMap<String, &'a OpDef>,
    pub fns: HashMap<String, &'a FnDef>,
    /// The file's classes by name (`lower/objects.rs`).
    pub classes: HashMap<String, &'a ClassDef>,
    /// Later definitions of a fn's name, in file order (a notebook's second
    /// `def model(xb)`): each takes the name over from its place in the file on,
    /// as a Python `def` rebinds it (`lower/mod.rs`).
    pub redefined: Vec<&'a FnDef>,
    /// Definitions on a call cycle (already reported); lowering does not inline them.
    pub recursive: HashSet<String>,
}

/// Collects definitions and checks every rule of this module.
pub fn check_definitions(file: &File) -> (Defs<'_>, Vec<Diagnostic>) {
    let mut defs = Defs::default();
    let mut diags = Vec::new();
    let mut first_span: HashMap<String, Span> = HashMap::new();
    // A fn's defaults may read the top-level names, evaluated where the `fn`
    // stands, as Python evaluates a `def`'s; an op's are constants.
    let top_level = top_level_names(file);
    let no_names = HashMap::new();
    for item in &file.items {
        let visible = if matches!(item, Item::Fn(_)) { &top_level } else { &no_names };
        let (name, params, defaults, by_position) = match item {
            Item::Op(op) => (&op.name, &op.params, &op.defaults, op.params.len()),
            Item::Fn(f) => (&f.name, &f.params, &f.defaults, f.keyword_only),
            Item::Class(c) => {
                if let Some(prev) = first_span.get(&c.name.name) {
                    diags.push(
                        Diagnostic::new(Code::E0105, format!("`{}` is defined twice", c.name.name), c.name.span, "defined again here")
                            .with_secondary(*prev, "first defined here")
                            .with_help("rename one of the two definitions"),
                    );
                    continue;
                }
                first_span.insert(c.name.name.clone(), c.name.span);
                check_class(c, &top_level, &mut diags);
                defs.classes.insert(c.name.name.clone(), c);
                continue;
            }
            Item::Stmt(_) => continue,
        };
        if let Some(prev) = first_span.get(&name.name) {
            // A fn defined again over a fn rebinds the name, as `def` does in Python.
            if let (Item::Fn(f), true) = (item, defs.fns.contains_key(&name.name)) {
                check_params(params, &mut diags);
                check_defaults((params, by_position), defaults, visible, &mut diags);
                defs.redefined.push(f);
                continue;
            }
            diags.push(
                Diagnostic::new(Code::E0105, format!("`{}` is defined twice", name.name), name.span, "defined again here")
                    .with_secondary(*prev, "first defined here")
                    .with_help("rename one of the two definitions"),
            );
            continue;
        }
        first_span.insert(name.name.clone(), name.span);
        check_params(params, &mut diags);
        check_defaults((params, by_position), defaults, visible, &mut diags);
        match item {
            Item::Op(op) => {
                defs.ops.insert(op.name.name.clone(), op);
            }
            Item::Fn(f) => {
                defs.fns.insert(f.name.name.clone(), f);
            }
            Item::Class(_) | Item::Stmt(_) => {}
        }
    }
    // A fn may also name the file's ops and fns as values (`loss_func = nll`).
    let mut globals = top_level_names(file);
    for (name, span) in &first_span {
        globals.entry(name.clone()).or_insert(*span);
    }
    for item in &file.items {
        match item {
            Item::Op(op) if defs.ops.get(&op.name.name).is_some_and(|d| std::ptr::eq(*d, op)) => check_op(op, &mut diags),
            Item::Fn(f) if defs.fns.get(&f.name.name).is_some_and(|d| std::ptr::eq(*d, f)) || defs.redefined.iter().any(|d| std::ptr::eq(*d, f)) => {
                check_fn(f, &globals, &mut diags)
            }
            Item::Class(c) if defs.classes.get(&c.name.name).is_some_and(|d| std::ptr::eq(*d, c)) => {
                c.methods.iter().for_each(|m| check_fn(m, &globals, &mut diags));
            }
            _ => {}
        }
    }
    check_recursion(&mut defs, &mut diags);
    check_top_level(file, &mut diags);
    diags.extend(crate::check::flow::jumps_outside_loops(file));
    (defs, diags)
}

/// `save` and `return` belong in op and fn bodies; at the top level they would be ignored.
fn check_top_level(file: &File, diags: &mut Vec<Diagnostic>) {
    for item in &file.items {
        let Item::Stmt(stmt) = item else { continue };
        check_top_level_stmt(stmt, diags);
    }
}

/// One top-level statement, and the statements of a top-level `if`'s blocks.
fn check_top_level_stmt(stmt: &Stmt, diags: &mut Vec<Diagnostic>) {
    let (what, help) = match &stmt.kind {
        StmtKind::Save(_) => ("`save` outside an op's forward block", "only an op's forward block saves values for its backward"),
        StmtKind::Return(_) => ("`return` outside an op or fn", "the program runs top to bottom; remove the `return`, or put the code in a `fn`"),
        StmtKind::If(i) => {
            for b in if_blocks(i) {
                b.stmts.iter().for_each(|s| check_top_level_stmt(s, diags));
            }
            return;
        }
        StmtKind::NoGrad(b) => {
            b.stmts.iter().for_each(|s| check_top_level_stmt(s, diags));
            return;
        }
        StmtKind::For(f) => {
            f.body.stmts.iter().for_each(|s| check_top_level_stmt(s, diags));
            return;
        }
        StmtKind::While(w) => {
            w.body.stmts.iter().for_each(|s| check_top_level_stmt(s, diags));
            return;
        }
        StmtKind::Assign { .. } | StmtKind::Unpack { .. } | StmtKind::Expr(_) | StmtKind::Input(_) => return,
        StmtKind::AugAssign { .. } | StmtKind::Store { .. } | StmtKind::Assert { .. } => return,
        // A `fn` in a top-level block is a nested fn; its body is checked as one.
        // A jump outside a loop is reported by `flow::jumps_outside_loops`.
        StmtKind::Def(_) | StmtKind::Jump(_) => return,
    };
    diags.push(Diagnostic::new(Code::E0108, what, stmt.span, "not allowed at the top level").with_help(help));
}

/// Checks the names of a top-level block that lowering does not take (an `if`
/// block whose condition is false), given the names bound before it, so that
/// a mistake there is found whichever way the condition goes.
pub fn check_untaken_block(block: &Block, bound: impl Iterator<Item = String>) -> Vec<Diagnostic> {
    let mut scope: HashMap<String, Span> = bound.map(|n| (n, Span::default())).collect();
    let mut diags = Vec::new();
    check_block(block, &mut scope, BlockKind::Fn, &BlockCtx::default(), &mut diags);
    diags
}

fn check_params(params: &[Ident], diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for p in params {
        if let Some(prev) = seen.insert(&p.name, p.span) {
            diags.push(
                Diagnostic::new(Code::E0105, format!("parameter `{}` appears twice", p.name), p.span, "repeated here")
                    .with_secondary(prev, "first here")
                    .with_help("give each parameter its own name"),
            );
        }
    }
}

/// Defaults read only the names in `visible` (a fn's, the top-level names; an
/// op's, none), and, as in Python, a parameter without a default cannot follow
/// one with a default (E0111), unless it is keyword-only (after a bare `*`, at
/// `by_position` or later).
fn check_defaults((params, by_position): (&[Ident], usize), defaults: &[Option<Expr>], visible: &HashMap<String, Span>, diags: &mut Vec<Diagnostic>) {
    let mut first_default: Option<&Ident> = None;
    for (i, (p, d)) in params.iter().zip(defaults).enumerate() {
        match (d, first_default) {
            (None, Some(_)) if i >= by_position => {}
            (Some(d), _) => {
                check_names(d, visible, &BlockCtx::default(), diags);
                first_default = first_default.or(Some(p));
            }
            (None, Some(prev)) => diags.push(
                Diagnostic::new(Code::E0111, format!("parameter `{}` has no default but follows one that has", p.name), p.span, "no default")
                    .with_secondary(prev.span, format!("`{}` has a default", prev.name))
                    .with_help(format!("give `{}` a default, or move it before `{}`", p.name, prev.name)),
            ),
            (None, None) => {}
        }
    }
}

/// Every name the top level binds anywhere (in `if` blocks too), with its first
/// binding: the globals a fn body may read. Whether one is bound before a
/// given call is decided when the call is lowered.
pub(crate) fn top_level_names(file: &File) -> HashMap<String, Span> {
    fn collect(stmt: &Stmt, out: &mut HashMap<String, Span>) {
        match &stmt.kind {
            StmtKind::Assign { target, .. } => {
                out.entry(target.name.clone()).or_insert(target.span);
            }
            StmtKind::Input(decl) => {
                out.entry(decl.name.name.clone()).or_insert(decl.name.span);
            }
            StmtKind::Unpack { targets, .. } => {
                for t in targets {
                    out.entry(t.name.clone()).or_insert(t.span);
                }
            }
            StmtKind::If(i) => if_blocks(i).flat_map(|b| &b.stmts).for_each(|s| collect(s, out)),
            StmtKind::NoGrad(b) => b.stmts.iter().for_each(|s| collect(s, out)),
            StmtKind::For(f) => {
                out.entry(f.var.name.clone()).or_insert(f.var.span);
                f.body.stmts.iter().for_each(|s| collect(s, out));
            }
            StmtKind::While(w) => w.body.stmts.iter().for_each(|s| collect(s, out)),
            StmtKind::Def(f) => {
                out.entry(f.name.name.clone()).or_insert(f.name.span);
            }
            StmtKind::Expr(_) | StmtKind::Save(_) | StmtKind::Return(_) | StmtKind::Assert { .. } => {}
            StmtKind::AugAssign { .. } | StmtKind::Store { .. } | StmtKind::Jump(_) => {}
        }
    }
    let mut out = HashMap::new();
    for item in &file.items {
        if let Item::Stmt(s) = item {
            collect(s, &mut out);
        }
    }
    out
}

fn check_fn(f: &FnDef, globals: &HashMap<String, Span>, diags: &mut Vec<Diagnostic>) {
    // Parameters and the fn's own names hide globals of the same name.
    let mut scope: HashMap<String, Span> = globals.clone();
    scope.extend(f.params.iter().map(|p| (p.name.clone(), p.span)));
    check_block(&f.body, &mut scope, BlockKind::Fn, &BlockCtx::default(), diags);
}

/// A class: methods of distinct names, each taking its object first (`self`),
/// and bases that are `Module` (`nn.Module`) or another class of the file.
fn check_class(c: &ClassDef, visible: &HashMap<String, Span>, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for m in &c.methods {
        if let Some(prev) = seen.insert(&m.name.name, m.name.span) {
            diags.push(
                Diagnostic::new(Code::E0105, format!("`{}.{}` is defined twice", c.name.name, m.name.name), m.name.span, "defined again here")
                    .with_secondary(prev, "first defined here")
                    .with_help("rename one of the two methods"),
            );
        }
        if m.params.is_empty() || m.keyword_only == 0 {
            diags.push(
                Diagnostic::new(Code::E0103, format!("method `{}` takes no object", m.name.name), m.name.span, "no `self` parameter")
                    .with_help(format!("a method receives its object first: write `fn {}(self, ...)`", m.name.name)),
            );
        }
        check_params(&m.params, diags);
        check_defaults((&m.params, m.keyword_only), &m.defaults, visible, diags);
    }
    if c.bases.len() > 1 {
        diags.push(
            Diagnostic::new(Code::E0107, format!("`{}` has {} base classes", c.name.name, c.bases.len()), c.bases[1].span, "a second base")
                .with_help("derive from one class: `Module` (PyTorch's `nn.Module`) or another class of the file"),
        );
    }
}

fn check_op(op: &OpDef, diags: &mut Vec<Diagnostic>) {
    // Forward: parameters and its own names are in scope.
    let mut fwd_scope: HashMap<String, Span> = op.params.iter().map(|p| (p.name.clone(), p.span)).collect();
    let fwd_ctx = BlockCtx { forward_names: None, op_params: Some(&op.params) };
    let saved = check_block(&op.forward, &mut fwd_scope, BlockKind::Forward, &fwd_ctx, diags);
    if !always_returns(&op.forward) {
        diags.push(
            Diagnostic::new(
                Code::E0108,
                format!("the forward block of `{}` does not return", op.name.name),
                op.forward.span,
                "no `return` at the end",
            )
            .with_help("end the forward block with `return <result>`"),
        );
    }
    let Some(bw) = &op.backward else { return };
    // Backward: only the gradient, the saved names and its own names are in scope.
    let mut bw_scope: HashMap<String, Span> = HashMap::new();
    bw_scope.insert(bw.grad.name.clone(), bw.grad.span);
    for g in &bw.extra_grads {
        bw_scope.insert(g.name.clone(), g.span);
    }
    // One incoming gradient per output (E0306).
    let grads = 1 + bw.extra_grads.len();
    for (values, span) in returns_of(&op.forward) {
        if values.len() != grads {
            diags.push(
                Diagnostic::new(
                    Code::E0306,
                    format!(
                        "the forward of `{}` returns {} value{} but its backward takes {grads} gradient{}",
                        op.name.name,
                        values.len(),
                        if values.len() == 1 { "" } else { "s" },
                        if grads == 1 { "" } else { "s" }
                    ),
                    bw.span,
                    format!("{grads} gradient{}", if grads == 1 { "" } else { "s" }),
                )
                .with_secondary(span, format!("{} returned here", values.len()))
                .with_help("give `backward(...)` one gradient name per output, in order (PyTorch's `backward(ctx, grad_a, grad_b)`)"),
            );
        }
    }
    for s in &saved {
        bw_scope.insert(s.name.clone(), s.span);
    }
    let ctx = BlockCtx { forward_names: Some(&fwd_scope), op_params: Some(&op.params) };
    check_block(&bw.body, &mut bw_scope, BlockKind::Backward, &ctx, diags);
    for (values, span) in returns_of(&bw.body) {
        // PyTorch drops gradients past the inputs when every one is `None`
        // (entmax's backwards return one more than their inputs).
        let extra_nones = values.len() > op.params.len() && values[op.params.len()..].iter().all(|v| matches!(v.kind, ExprKind::None));
        if values.len() != op.params.len() && !extra_nones {
            let params_span = op.params.first().map(|p| p.span.to(op.params.last().unwrap().span)).unwrap_or(op.name.span);
            diags.push(
                Diagnostic::new(
                    Code::E0303,
                    format!(
                        "the backward of `{}` returns {} gradient{} but `{}` has {} parameter{}",
                        op.name.name,
                        values.len(),
                        if values.len() == 1 { "" } else { "s" },
                        op.name.name,
                        op.params.len(),
                        if op.params.len() == 1 { "" } else { "s" }
                    ),
                    span,
                    format!("{} returned here", values.len()),
                )
                .with_secondary(params_span, format!("{} parameter{}", op.params.len(), if op.params.len() == 1 { "" } else { "s" }))
                .with_help(
                    "return one gradient per parameter, in order; write `none` for a parameter without one (extra gradients may only be `none`)",
                ),
            );
        }
    }
    if !always_returns(&bw.body) {
        diags.push(
            Diagnostic::new(Code::E0108, format!("the backward block of `{}` does not return", op.name.name), bw.body.span, "no `return` at the end")
                .with_help("end the backward block with `return` and one gradient per parameter"),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Fn,
    Forward,
    Backward,
}

/// What a block's names are checked against besides its scope.
#[derive(Default)]
struct BlockCtx<'a> {
    /// In a backward block: the forward block's names, to tell an unsaved read (E0301).
    forward_names: Option<&'a HashMap<String, Span>>,
    /// In an op's blocks: its parameters, which `needs_grad` names.
    op_params: Option<&'a [Ident]>,
}

/// Checks a block; returns the names it saves (forward blocks only).
fn check_block(block: &Block, scope: &mut HashMap<String, Span>, kind: BlockKind, bw: &BlockCtx, diags: &mut Vec<Diagnostic>) -> Vec<Ident> {
    let mut saved = Vec::new();
    let mut returned: Option<Span> = None;
    for stmt in &block.stmts {
        if let Some(ret) = returned {
            diags.push(
                Diagnostic::new(Code::E0108, "statement after `return`", stmt.span, "never runs")
                    .with_secondary(ret, "the block returns here")
                    .with_help("move this statement before the `return`, or remove it"),
            );
            break;
        }
        match &stmt.kind {
            StmtKind::Assign { target, value } => {
                check_names(value, scope, bw, diags);
                scope.insert(target.name.clone(), target.span);
            }
            StmtKind::Unpack { targets, value } => {
                check_names(value, scope, bw, diags);
                for t in targets {
                    scope.insert(t.name.clone(), t.span);
                }
            }
            StmtKind::Expr(e) => check_names(e, scope, bw, diags),
            // Where a jump may stand is `flow::jumps_outside_loops`'s rule.
            StmtKind::Jump(_) => {}
            StmtKind::Assert { test, message, .. } => {
                check_names(test, scope, bw, diags);
                if let Some(m) = message {
                    check_names(m, scope, bw, diags);
                }
            }
            StmtKind::AugAssign { target, value, .. } | StmtKind::Store { target, value } => {
                check_names(value, scope, bw, diags);
                check_names(target, scope, bw, diags);
            }
            // `no_grad` opens no scope: its names stay bound after it.
            StmtKind::NoGrad(b) => {
                saved.extend(check_block(b, scope, kind, bw, diags));
                if always_returns(b) {
                    returned = Some(stmt.span);
                }
            }
            // The grammar accepts `input` only at the top level, never in a block.
            StmtKind::Input(_) => {}
            // A nested fn: its defaults are constants, as a fn's are; its body
            // sees its parameters and the names bound before it (a closure).
            StmtKind::Def(f) => {
                f.defaults.iter().flatten().for_each(|d| check_names(d, &HashMap::new(), bw, diags));
                scope.insert(f.name.name.clone(), f.name.span);
                let mut inner = scope.clone();
                for p in &f.params {
                    inner.insert(p.name.clone(), p.span);
                }
                check_block(&f.body, &mut inner, BlockKind::Fn, &BlockCtx::default(), diags);
            }
            StmtKind::Save(names) => {
                if kind != BlockKind::Forward {
                    diags.push(
                        Diagnostic::new(Code::E0108, "`save` outside an op's forward block", stmt.span, "not allowed here")
                            .with_help("only an op's forward block saves values for its backward"),
                    );
                    continue;
                }
                for n in names {
                    if scope.contains_key(&n.name) {
                        saved.push(n.clone());
                    } else {
                        diags.push(
                            Diagnostic::new(
                                Code::E0302,
                                format!("cannot save `{}`: the forward block has no such name here", n.name),
                                n.span,
                                "not defined before this `save`",
                            )
                            .with_help("save a parameter, or a name assigned earlier in the forward block"),
                        );
                    }
                }
            }
            StmtKind::If(i) => {
                // Every block is checked, taken or not; a name bound in any of them
                // is known after the `if` (lowering reports one bound only in a
                // block that was not taken).
                let mut bound = HashMap::new();
                for (cond, _) in &i.branches {
                    check_names(cond, scope, bw, diags);
                }
                for b in if_blocks(i) {
                    let mut inner = scope.clone();
                    saved.extend(check_block(b, &mut inner, kind, bw, diags));
                    bound.extend(inner);
                }
                for (name, span) in bound {
                    scope.entry(name).or_insert(span);
                }
                if i.otherwise.is_some() && if_blocks(i).all(always_returns) {
                    returned = Some(stmt.span);
                }
            }
            StmtKind::For(f) => {
                // The body is checked once with the loop variable bound; the names it
                // binds are known after the loop (lowering reports a read of one that
                // a loop of no iterations left unbound).
                check_names(&f.iter, scope, bw, diags);
                let mut inner = scope.clone();
                inner.insert(f.var.name.clone(), f.var.span);
                saved.extend(check_block(&f.body, &mut inner, kind, bw, diags));
                for (name, span) in inner {
                    scope.entry(name).or_insert(span);
                }
            }
            // The condition is read before each iteration, the first included.
            StmtKind::While(w) => {
                check_names(&w.cond, scope, bw, diags);
                let mut inner = scope.clone();
                saved.extend(check_block(&w.body, &mut inner, kind, bw, diags));
                for (name, span) in inner {
                    scope.entry(name).or_insert(span);
                }
            }
            StmtKind::Return(values) => {
                for v in values {
                    if !matches!(v.kind, ExprKind::None) || kind != BlockKind::Backward {
                        check_names(v, scope, bw, diags);
                    }
                }
                // A fn may return a tuple (`return a, b`); a forward block returns one tensor.
                let fits = match kind {
                    BlockKind::Backward => true,
                    BlockKind::Fn => !values.is_empty(),
                    BlockKind::Forward => !values.is_empty(),
                };
                if !fits {
                    diags.push(
                        Diagnostic::new(Code::E0108, format!("`return` of {} values", values.len()), stmt.span, "returns more than one value")
                            .with_help("a forward block returns exactly one value, a fn one value or a tuple (`return a, b`)"),
                    );
                }
                returned = Some(stmt.span);
            }
        }
    }
    saved
}

/// Every name an expression reads must be in scope (callee names are not reads).
/// Whether `e` reads a name that is not a builtin's or a math constant's.
pub(crate) fn reads_names(e: &Expr) -> bool {
    let mut found = Vec::new();
    check_names(e, &HashMap::new(), &BlockCtx::default(), &mut found);
    !found.is_empty()
}

fn check_names(e: &Expr, scope: &HashMap<String, Span>, bw: &BlockCtx, diags: &mut Vec<Diagnostic>) {
    match &e.kind {
        ExprKind::Name(n) => {
            if scope.contains_key(n) || builtins::dtype_name(n).is_some() {
                return;
            }
            if let Some(forward_names) = bw.forward_names {
                if let Some(def) = forward_names.get(n) {
                    diags.push(
                        Diagnostic::new(
                            Code::E0301,
                            format!("the backward block reads `{n}`, which the forward block did not save"),
                            e.span,
                            "not saved",
                        )
                        .with_secondary(*def, format!("`{n}` is defined in the forward block here"))
                        .with_help(format!("add `save {n}` to the forward block, before its `return`")),
                    );
                    return;
                }
            }
            // `pi`, `e`, `inf` and `nan` are Python's `math` constants
            // (`lower/host_values.rs`), unless a forward name of the same name was not saved.
            // A builtin named as a value (`act = relu`) is a function value (`lower/exprs.rs`).
            // So is a `torch.nn` module class (`act=ReLU`, called later as `act()`).
            if !matches!(n.as_str(), "pi" | "e" | "inf" | "nan") && builtins::lookup(n).is_none() && !crate::lower::is_class_name(n) {
                diags.push(unknown_name(n, e.span, scope));
            }
        }
        ExprKind::Number { .. } | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None => {}
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|i| check_names(i, scope, bw, diags)),
        ExprKind::Dict(entries) => entries.iter().flat_map(|(k, v)| [k, v]).for_each(|i| check_names(i, scope, bw, diags)),
        ExprKind::Splat(inner) | ExprKind::SplatKeywords(inner) => check_names(inner, scope, bw, diags),
        ExprKind::Unary { operand, .. } => check_names(operand, scope, bw, diags),
        ExprKind::Binary { lhs, rhs, .. } => {
            check_names(lhs, scope, bw, diags);
            check_names(rhs, scope, bw, diags);
        }
        ExprKind::Call { callee, args } if callee.name == NEEDS_GRAD => check_needs_grad(callee, args, e.span, bw, diags),
        ExprKind::Call { args, .. } => check_args(args, scope, bw, diags),
        ExprKind::Logic { lhs, rhs, .. } | ExprKind::Bitwise { lhs, rhs, .. } | ExprKind::Is { lhs, rhs, .. } | ExprKind::In { lhs, rhs, .. } => {
            check_names(lhs, scope, bw, diags);
            check_names(rhs, scope, bw, diags);
        }
        ExprKind::Not(operand) => check_names(operand, scope, bw, diags),
        ExprKind::Method { receiver, args, .. } | ExprKind::Apply { callee: receiver, args } => {
            check_names(receiver, scope, bw, diags);
            check_args(args, scope, bw, diags);
        }
        ExprKind::Field { receiver, .. } => check_names(receiver, scope, bw, diags),
        ExprKind::Index { receiver, items } => {
            check_names(receiver, scope, bw, diags);
            items.iter().flat_map(|i| i.exprs()).for_each(|e| check_names(e, scope, bw, diags));
        }
        ExprKind::FString(pieces) => pieces.iter().filter_map(FPiece::expr).for_each(|e| check_names(e, scope, bw, diags)),
        // Each clause's iterable sees the names of the clauses before it; the
        // conditions and the element see all of them. They bind nothing outside.
        ExprKind::Comprehension(c) => {
            let mut inner = scope.clone();
            for clause in &c.clauses {
                check_names(&clause.iter, &inner, bw, diags);
                for t in &clause.targets {
                    inner.insert(t.name.clone(), t.span);
                }
                clause.conds.iter().for_each(|e| check_names(e, &inner, bw, diags));
            }
            check_names(&c.elem, &inner, bw, diags);
        }
        // A lambda's defaults are constants, as a fn's are; its body sees its
        // parameters and the names around it.
        ExprKind::Lambda(l) => {
            l.defaults.iter().flatten().for_each(|d| check_names(d, &HashMap::new(), bw, diags));
            let mut inner = scope.clone();
            for p in &l.params {
                inner.insert(p.name.clone(), p.span);
            }
            check_names(&l.body, &inner, bw, diags);
        }
        ExprKind::Chain { first, links } => {
            check_names(first, scope, bw, diags);
            links.iter().for_each(|(_, e)| check_names(e, scope, bw, diags));
        }
        ExprKind::IfElse { then, cond, otherwise } => {
            check_names(cond, scope, bw, diags);
            check_names(then, scope, bw, diags);
            check_names(otherwise, scope, bw, diags);
        }
    }
}

/// `needs_grad(p)` names a parameter of the op whose block it is in; it reads
/// no value, so a backward block may ask about a parameter it did not save.
fn check_needs_grad(callee: &Ident, args: &[Arg], span: Span, bw: &BlockCtx, diags: &mut Vec<Diagnostic>) {
    let Some(params) = bw.op_params else {
        diags.push(
            Diagnostic::new(Code::E0112, "`needs_grad` outside an op", callee.span, "not in an op's block").with_help(
                "`needs_grad(p)` asks, inside an op's forward or backward block, whether its parameter `p` requires a gradient at the call",
            ),
        );
        return;
    };
    if let Err(d) = needs_grad_param(args, params, span) {
        diags.push(d);
    }
}

fn check_args(args: &[Arg], scope: &HashMap<String, Span>, bw: &BlockCtx, diags: &mut Vec<Diagnostic>) {
    for a in args {
        check_names(&a.value, scope, bw, diags);
    }
}

/// E0101 with a suggestion of the closest name in scope.
pub fn unknown_name(name: &str, span: Span, scope: &HashMap<String, Span>) -> Diagnostic {
    // PyTorch's namespaces are not values: a function the table lacks reaches here.
    let listed: Vec<String> = crate::syntax::namespaces::spellings().map(|(s, _)| s).filter(|s| s.starts_with(&format!("{name}."))).collect();
    if !listed.is_empty() && !scope.contains_key(name) {
        return Diagnostic::new(
            Code::E0101,
            format!("`{name}` is PyTorch's namespace `torch.{name}`, and graphc lacks the function called from it"),
            span,
            "a PyTorch namespace",
        )
        .with_help(format!(
            "graphc has these functions of `torch.{name}`: {}; other functions of it are not supported",
            listed.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    let d = Diagnostic::new(Code::E0101, format!("cannot find `{name}` here"), span, "not defined");
    // A PyTorch program ported line by line keeps Python's capitalized constants.
    let lower = match name {
        "None" => Some("none"),
        "True" => Some("true"),
        "False" => Some("false"),
        _ => None,
    };
    if let Some(act) = lower.filter(|_| !scope.contains_key(name)) {
        return d.with_help(format!("`.act` spells Python's `{name}` as `{act}`"));
    }
    match closest(name, scope.keys().map(String::as_str)) {
        Some(s) => d.with_help(format!(
            "did you mean `{s}`? Names must be assigned before they are read; op bodies see only their parameters and their own names, fn bodies also the top-level names bound before the call"
        )),
        None => d.with_help(
            "assign it before this line; op bodies see only their parameters and their own names, fn bodies also the top-level names bound before the call",
        ),
    }
}

/// The candidate within edit distance 2 of `name`, if any. Among equally
/// close candidates the one of `name`'s length wins: `tahn` is a swap in `tanh`,
/// not a letter added to `tan`.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(name, c), c.chars().count().abs_diff(name.chars().count()), c))
        .filter(|(d, _, _)| *d <= 2 && *d < name.len().max(1))
        .min()
        .map(|(_, _, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    // The row before `prev`, for transpositions.
    let mut before: Vec<usize> = prev.clone();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            // Two neighbouring letters swapped count as one edit (optimal string alignment).
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// Ops and fns are inlined, so a call cycle would never end: reject it at the call that closes it.
fn check_recursion(defs: &mut Defs, diags: &mut Vec<Diagnostic>) {
    // Calls made by each definition: (callee, span of the call).
    let mut calls: HashMap<&str, Vec<(String, Span)>> = HashMap::new();
    for (name, op) in &defs.ops {
        let mut v = Vec::new();
        collect_calls_block(&op.forward, &mut v);
        if let Some(bw) = &op.backward {
            collect_calls_block(&bw.body, &mut v);
        }
        calls.insert(name, v);
    }
    for (name, f) in &defs.fns {
        let mut v = Vec::new();
        collect_calls_block(&f.body, &mut v);
        calls.insert(name, v);
    }
    // A name's later definitions add their calls to its own: a cycle through any
    // version of a fn is a cycle.
    for f in &defs.redefined {
        let mut v = Vec::new();
        collect_calls_block(&f.body, &mut v);
        calls.entry(f.name.name.as_str()).or_default().extend(v);
    }
    let mut names: Vec<&str> = calls.keys().copied().collect();
    names.sort();
    let mut reported: HashSet<Span> = HashSet::new();
    let mut recursive: HashSet<String> = HashSet::new();
    for start in names {
        // Depth-first search with an explicit stack, so deep call chains cannot overflow.
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        let mut on_path: Vec<&str> = vec![start];
        let mut done: HashSet<&str> = HashSet::new();
        while let Some((node, i)) = stack.pop() {
            let edges = &calls[node];
            if i >= edges.len() {
                on_path.pop();
                done.insert(node);
                continue;
            }
            stack.push((node, i + 1));
            let (callee, span) = &edges[i];
            let Some((callee_key, _)) = calls.get_key_value(callee.as_str()) else { continue };
            if *callee_key == start {
                recursive.extend(on_path.iter().map(|s| s.to_string()));
                if reported.insert(*span) {
                    diags.push(
                        Diagnostic::new(
                            Code::E0106,
                            format!("`{start}` calls itself (through `{}`)", on_path.join("` -> `")),
                            *span,
                            "this call closes the cycle",
                        )
                        .with_help("ops and fns are inlined into a static graph, so they cannot recurse; unroll the computation"),
                    );
                }
            } else if !on_path.contains(callee_key) && !done.contains(callee_key) {
                on_path.push(callee_key);
                stack.push((callee_key, 0));
            }
        }
    }
    defs.recursive = recursive;
}

fn collect_calls_block(b: &Block, out: &mut Vec<(String, Span)>) {
    for s in &b.stmts {
        match &s.kind {
            StmtKind::Assign { value, .. } | StmtKind::Unpack { value, .. } => collect_calls(value, out),
            StmtKind::Expr(e) => collect_calls(e, out),
            StmtKind::Assert { test, message, .. } => {
                collect_calls(test, out);
                message.iter().for_each(|m| collect_calls(m, out));
            }
            StmtKind::Return(vs) => vs.iter().for_each(|v| collect_calls(v, out)),
            StmtKind::If(i) => {
                i.branches.iter().for_each(|(c, _)| collect_calls(c, out));
                if_blocks(i).for_each(|b| collect_calls_block(b, out));
            }
            StmtKind::For(f) => {
                collect_calls(&f.iter, out);
                collect_calls_block(&f.body, out);
            }
            StmtKind::While(w) => {
                collect_calls(&w.cond, out);
                collect_calls_block(&w.body, out);
            }
            StmtKind::Save(_) | StmtKind::Input(_) | StmtKind::Jump(_) => {}
            StmtKind::NoGrad(b) => collect_calls_block(b, out),
            // A nested fn's calls are made when the enclosing body calls it.
            StmtKind::Def(f) => {
                f.defaults.iter().flatten().for_each(|d| collect_calls(d, out));
                collect_calls_block(&f.body, out);
            }
            StmtKind::AugAssign { target, value, .. } | StmtKind::Store { target, value } => {
                collect_calls(target, out);
                collect_calls(value, out);
            }
        }
    }
}

fn collect_calls(e: &Expr, out: &mut Vec<(String, Span)>) {
    match &e.kind {
        ExprKind::Call { callee, args } => {
            out.push((callee.name.clone(), callee.span));
            args.iter().for_each(|a| collect_calls(&a.value, out));
        }
        ExprKind::Method { receiver, method, args } => {
            // A tensor method is the builtin even where the file defines a fn of
            // its name, and `opt.step()` an optimizer's: such a method calls the
            // file's fn only on other receivers, known when lowering, where
            // `Lowerer::enter` refuses a call of a fn that is being inlined.
            // `nn.Module`'s methods (`model.train()` in a fn `train`) are an
            // object's, and never the file's fn either.
            let module_method = matches!(
                method.name.as_str(),
                "train"
                    | "eval"
                    | "parameters"
                    | "named_parameters"
                    | "children"
                    | "named_children"
                    | "to"
                    | "cpu"
                    | "register_buffer"
                    | "register_parameter"
                    | "add_module"
                    | "append"
            );
            if builtins::lookup(&method.name).is_none() && !matches!(method.name.as_str(), "step" | "zero_grad") && !module_method {
                out.push((method.name.clone(), method.span));
            }
            collect_calls(receiver, out);
            args.iter().for_each(|a| collect_calls(&a.value, out));
        }
        ExprKind::Apply { callee, args } => {
            collect_calls(callee, out);
            args.iter().for_each(|a| collect_calls(&a.value, out));
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|i| collect_calls(i, out)),
        ExprKind::Dict(entries) => entries.iter().flat_map(|(k, v)| [k, v]).for_each(|i| collect_calls(i, out)),
        ExprKind::Splat(inner) | ExprKind::SplatKeywords(inner) => collect_calls(inner, out),
        ExprKind::Unary { operand, .. } => collect_calls(operand, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_calls(lhs, out);
            collect_calls(rhs, out);
        }
        ExprKind::Field { receiver, .. } => collect_calls(receiver, out),
        ExprKind::Index { receiver, items } => {
            collect_calls(receiver, out);
            items.iter().flat_map(|i| i.exprs()).for_each(|e| collect_calls(e, out));
        }
        ExprKind::FString(pieces) => pieces.iter().filter_map(FPiece::expr).for_each(|e| collect_calls(e, out)),
        ExprKind::Comprehension(c) => c.exprs().into_iter().for_each(|e| collect_calls(e, out)),
        ExprKind::Lambda(l) => l.exprs().into_iter().for_each(|e| collect_calls(e, out)),
        ExprKind::Logic { lhs, rhs, .. } | ExprKind::Bitwise { lhs, rhs, .. } | ExprKind::Is { lhs, rhs, .. } | ExprKind::In { lhs, rhs, .. } => {
            collect_calls(lhs, out);
            collect_calls(rhs, out);
        }
        ExprKind::Not(operand) => collect_calls(operand, out),
        ExprKind::Chain { first, links } => {
            collect_calls(first, out);
            links.iter().for_each(|(_, e)| collect_calls(e, out));
        }
        ExprKind::IfElse { then, cond, otherwise } => {
            collect_calls(cond, out);
            collect_calls(then, out);
            collect_calls(otherwise, out);
        }
        ExprKind::Number { .. } | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None | ExprKind::Name(_) => {}
    }
}
