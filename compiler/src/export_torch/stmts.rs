//! Statements in Python: one line or an indented block each, in the scope of the
//! top level, a `fn`, or an op's forward or backward.

use crate::diag::Code;
use crate::syntax::ast::{Block, Expr, ExprKind, Stmt, StmtKind};

use super::kinds::{Kind, Kinds};
use super::Exporter;

/// Where statements are: the kinds of the names bound there, and, inside an op,
/// its parameters and which block.
#[derive(Clone)]
pub struct Scope {
    pub kinds: Kinds,
    /// The op's parameters, inside an op (for `needs_grad(p)`).
    pub op_params: Option<Vec<String>>,
    /// Whether this is an op's forward block, where `save` means `ctx`.
    pub forward: bool,
    /// Whether this is the module's own scope, where a top-level name is bound
    /// only from its first assignment on (a fn reads every global at call time).
    pub module: bool,
    /// Names bound to `partial(f, a, ...)`: `f` and how many positional
    /// arguments the partial binds, so that a scheduler given the name can say
    /// what `f`'s next parameter receives.
    pub partials: std::collections::HashMap<String, (String, usize)>,
}

impl Scope {
    pub fn top() -> Scope {
        Scope { kinds: Kinds::default(), op_params: None, forward: false, module: false, partials: Default::default() }
    }

    /// The scope of the program's top-level statements.
    pub fn module() -> Scope {
        Scope { module: true, ..Scope::top() }
    }

    /// The position of the op parameter `name`.
    pub fn param_position(&self, name: &str) -> Option<usize> {
        self.op_params.as_ref()?.iter().position(|p| p == name)
    }
}

const INDENT: &str = "    ";

/// The targets of the groups of an unpacking, by the hidden name each group
/// was parsed into (`a, (b, c) = v` is `a, __group_N = v` then `b, c =
/// __group_N`; a `for` target's group is a `__for_item_N`).
type Groups = std::collections::HashMap<String, Vec<crate::syntax::ast::Ident>>;

/// Whether `name` is one the parser made for a group of targets.
pub(super) fn hidden(name: &str) -> bool {
    name.starts_with(crate::syntax::ast::UNPACK_GROUP) || name.starts_with(crate::syntax::ast::FOR_ITEM)
}

/// How many of the statements in `rest` unpack the groups among `targets`
/// (and their own groups, which follow them), and those groups.
fn groups_after(rest: &[Stmt], targets: &[crate::syntax::ast::Ident]) -> (usize, Groups) {
    let mut pending: Vec<String> = targets.iter().filter(|t| hidden(&t.name)).map(|t| t.name.clone()).collect();
    let mut groups = Groups::new();
    let mut n = 0;
    while let Some(Stmt { kind: StmtKind::Unpack { targets, value: Expr { kind: ExprKind::Name(name), .. } }, .. }) = rest.get(n) {
        let Some(k) = pending.iter().position(|p| p == name) else { break };
        pending.remove(k);
        pending.extend(targets.iter().filter(|t| hidden(&t.name)).map(|t| t.name.clone()));
        groups.insert(name.clone(), targets.clone());
        n += 1;
    }
    (n, groups)
}

/// Unpacking targets as Python writes them, each group in parentheses; one
/// target alone keeps its comma (`a, = v`, `(a,)`).
fn targets_text(targets: &[crate::syntax::ast::Ident], groups: &Groups) -> String {
    let parts: Vec<String> = targets
        .iter()
        .map(|t| match groups.get(&t.name) {
            Some(inner) => format!("({})", targets_text(inner, groups)),
            None => t.name.clone(),
        })
        .collect();
    if parts.len() == 1 {
        format!("{},", parts[0])
    } else {
        parts.join(", ")
    }
}

impl Exporter<'_> {
    /// Appends the statements of `block` at `depth`, or `pass` when they write nothing.
    pub(super) fn block(&mut self, block: &Block, scope: &mut Scope, depth: usize, out: &mut String) {
        let before = out.len();
        let mut i = 0;
        while i < block.stmts.len() {
            i += 1 + self.stmt_with_groups(&block.stmts[i], &block.stmts[i + 1..], scope, depth, out);
        }
        if out.len() == before {
            line(out, depth, "pass");
        }
    }

    /// Appends statement `s`, which `rest` follows; `a, (b, c) = v` is one
    /// unpacking again, its groups written in. Returns how many statements of
    /// `rest` it took (the groups' own unpackings).
    pub(super) fn stmt_with_groups(&mut self, s: &Stmt, rest: &[Stmt], scope: &mut Scope, depth: usize, out: &mut String) -> usize {
        if let StmtKind::Unpack { targets, value } = &s.kind {
            let (n, groups) = groups_after(rest, targets);
            if n > 0 {
                self.unpack(targets, value, &groups, scope, depth, out);
                for g in &rest[..n] {
                    self.stmt(g, scope, depth, &mut String::new());
                }
                return n;
            }
        }
        self.stmt(s, scope, depth, out);
        0
    }

    /// `targets = value`, with the kinds of the names bound, and `groups`
    /// written into the targets.
    fn unpack(&mut self, targets: &[crate::syntax::ast::Ident], value: &Expr, groups: &Groups, scope: &mut Scope, depth: usize, out: &mut String) {
        let v = self.expr(value, scope);
        for (k, t) in targets.iter().enumerate() {
            let kind = match &value.kind {
                ExprKind::Tuple(items) | ExprKind::List(items) => items.get(k).map_or(Kind::Tensor, |e| scope.kinds.of(e)),
                // `losses, nums = zip(*pairs)`: each name a tuple.
                ExprKind::Call { callee, .. } if callee.name == "zip" => Kind::Other,
                // `n, c, h, w = x.shape` (or `x.size()`): each name an int.
                ExprKind::Field { field, .. } if field.name == "shape" => Kind::Host,
                ExprKind::Method { method, args, .. } if method.name == "size" && args.is_empty() => Kind::Host,
                _ => Kind::Tensor,
            };
            scope.kinds.bind(&t.name, kind);
        }
        line(out, depth, &format!("{} = {v}", targets_text(targets, groups)));
    }

    /// Appends statement `s` at `depth`.
    pub(super) fn stmt(&mut self, s: &Stmt, scope: &mut Scope, depth: usize, out: &mut String) {
        match &s.kind {
            StmtKind::Assign { target, value } => {
                let v = self.expr(value, scope);
                let kind = scope.kinds.of(value);
                scope.kinds.bind(&target.name, kind);
                match &value.kind {
                    ExprKind::Call { callee, args } if callee.name == "partial" => match args.first().map(|a| &a.value.kind) {
                        Some(ExprKind::Name(f)) => {
                            let positional = args[1..].iter().take_while(|a| a.name.is_none()).count();
                            scope.partials.insert(target.name.clone(), (f.clone(), positional));
                        }
                        _ => {
                            scope.partials.remove(&target.name);
                        }
                    },
                    _ => {
                        scope.partials.remove(&target.name);
                    }
                }
                line(out, depth, &format!("{} = {v}", target.name));
            }
            StmtKind::Unpack { targets, value } => self.unpack(targets, value, &Groups::new(), scope, depth, out),
            StmtKind::Expr(e) => match &e.kind {
                ExprKind::Call { callee, args } if callee.name == "surrogate" => {
                    let reason = args.first().map(|a| match &a.value.kind {
                        ExprKind::Str(s) => s.clone(),
                        _ => String::new(),
                    });
                    line(out, depth, &format!("# A deliberate surrogate gradient: {}", reason.unwrap_or_default().replace('\n', " ")));
                }
                _ => {
                    let text = self.expr(e, scope);
                    line(out, depth, &text);
                }
            },
            StmtKind::Save(names) => self.save(names, s, scope, depth, out),
            StmtKind::Jump(j) => line(out, depth, j.keyword()),
            StmtKind::While(w) => {
                let c = self.expr(&w.cond, scope);
                line(out, depth, &format!("while {c}:"));
                self.block(&w.body, scope, depth + 1, out);
            }
            StmtKind::Return(values) => {
                let vs: Vec<String> = values.iter().map(|v| self.expr(v, scope)).collect();
                line(out, depth, &format!("return {}", vs.join(", ")));
            }
            StmtKind::Input(decl) => self.unsupported(
                Code::E0741,
                s.span,
                format!("the input `{}` has no value in an exported script", decl.name.name),
                "not exportable",
                "replace the declaration with the tensor it stands for, e.g. `x = load(\"x.npy\")` of the file you pass to `run --input`",
            ),
            StmtKind::If(ifs) => {
                for (k, (cond, body)) in ifs.branches.iter().enumerate() {
                    let c = self.expr(cond, scope);
                    line(out, depth, &format!("{} {c}:", if k == 0 { "if" } else { "elif" }));
                    self.block(body, scope, depth + 1, out);
                }
                if let Some(body) = &ifs.otherwise {
                    line(out, depth, "else:");
                    self.block(body, scope, depth + 1, out);
                }
            }
            StmtKind::Assert { message, raises: Some(exception), .. } => match message {
                Some(m) => {
                    let m = self.expr(m, scope);
                    line(out, depth, &format!("raise {}({m})", exception.name));
                }
                None => line(out, depth, &format!("raise {}", exception.name)),
            },
            StmtKind::Assert { test, message, raises: None } => {
                let t = self.expr(test, scope);
                match message {
                    Some(m) => {
                        let m = self.expr(m, scope);
                        line(out, depth, &format!("assert {t}, {m}"));
                    }
                    None => line(out, depth, &format!("assert {t}")),
                }
            }
            // A nested fn: `def` at this depth, its body seeing the names around it.
            StmtKind::Def(f) => {
                let mut inner = scope.clone();
                let text = self.nested_fn_def(f, &mut inner);
                for l in text.lines() {
                    line(out, depth, l);
                }
                scope.kinds.bind(&f.name.name, super::kinds::Kind::Other);
            }
            StmtKind::NoGrad(body) => {
                line(out, depth, "with torch.no_grad():");
                self.block(body, scope, depth + 1, out);
            }
            StmtKind::AugAssign { target, op, value } => {
                let t = self.expr(target, scope);
                let v = self.expr(value, scope);
                line(out, depth, &format!("{t} {}= {v}", op.symbol()));
            }
            StmtKind::Store { target, value } => {
                let t = self.expr(target, scope);
                let v = self.expr(value, scope);
                line(out, depth, &format!("{t} = {v}"));
            }
            StmtKind::For(f) => {
                let iter = self.expr(&f.iter, scope);
                let kind = match &f.iter.kind {
                    ExprKind::Call { callee, .. } if callee.name == "range" => Kind::Host,
                    ExprKind::List(items) => items.first().map_or(Kind::Other, |e| scope.kinds.of(e)),
                    _ => Kind::Tensor,
                };
                scope.kinds.bind(&f.var.name, kind);
                // `for a, b in xs`: the parser's hidden variable and unpacking are
                // written back as Python's header (the unpacking still binds the kinds).
                let first = f
                    .body
                    .stmts
                    .first()
                    .filter(|s| matches!(&s.kind, StmtKind::Unpack { value: Expr { kind: ExprKind::Name(n), .. }, .. } if *n == f.var.name));
                if let (true, Some(Stmt { kind: StmtKind::Unpack { targets, .. }, .. })) = (hidden(&f.var.name), first) {
                    // Its groups (`for i, (x, y) in ...`) are written into the header too.
                    let (n, groups) = groups_after(&f.body.stmts[1..], targets);
                    let names = targets_text(targets, &groups);
                    let names = if targets.len() == 1 { format!("({names})") } else { names };
                    line(out, depth, &format!("for {names} in {iter}:"));
                    for s in &f.body.stmts[..1 + n] {
                        self.stmt(s, scope, depth + 1, &mut String::new());
                    }
                    let rest = crate::syntax::ast::Block { stmts: f.body.stmts[1 + n..].to_vec(), span: f.body.span };
                    self.block(&rest, scope, depth + 1, out);
                } else {
                    line(out, depth, &format!("for {} in {iter}:", f.var.name));
                    self.block(&f.body, scope, depth + 1, out);
                }
            }
        }
    }

    /// `save a, b` in a forward block: tensors through `ctx.save_for_backward`,
    /// host values as attributes of `ctx`, as PyTorch's documentation asks.
    fn save(&mut self, names: &[crate::syntax::ast::Ident], s: &Stmt, scope: &Scope, depth: usize, out: &mut String) {
        if !scope.forward {
            // An op without a backward block saves for nobody: Python needs no line.
            return;
        }
        // The first save of tensors is `ctx.save_for_backward`, which PyTorch
        // keeps only one call of; the tensors of later saves are `ctx`
        // attributes, as PyTorch code keeps intermediate tensors (`ctx.sum = sum`).
        let saves_tensor = names.iter().any(|n| scope.kinds.get(&n.name) != Kind::Host);
        if saves_tensor && self.first_tensor_save.is_none() {
            self.first_tensor_save = Some(s.span);
        }
        let first = self.first_tensor_save == Some(s.span);
        let tensors: Vec<&str> = names.iter().filter(|n| first && scope.kinds.get(&n.name) != Kind::Host).map(|n| n.name.as_str()).collect();
        if !tensors.is_empty() {
            line(out, depth, &format!("ctx.save_for_backward({})", tensors.join(", ")));
        }
        for n in names.iter().filter(|n| !first || scope.kinds.get(&n.name) == Kind::Host) {
            line(out, depth, &format!("ctx.{0} = {0}", n.name));
        }
    }

    /// Binds a call's arguments to `params` (positional in order, then keywords
    /// by name) and records the kind of each for the callee `name`; also
    /// whether a positional argument is spread (`*xs`), which records nothing.
    pub(super) fn record_param_kinds<'e>(
        &mut self,
        name: &str,
        params: &[crate::syntax::ast::Ident],
        receiver: Option<&'e Expr>,
        args: &'e [crate::syntax::ast::Arg],
        scope: &Scope,
    ) -> (Vec<Option<&'e Expr>>, bool) {
        let mut bound: Vec<Option<&Expr>> = vec![None; params.len()];
        let positional: Vec<&Expr> = receiver.into_iter().chain(args.iter().filter(|a| a.name.is_none()).map(|a| &a.value)).collect();
        let splat = positional.iter().any(|e| matches!(e.kind, ExprKind::Splat(_)));
        for (k, e) in positional.iter().enumerate() {
            if k < bound.len() {
                bound[k] = Some(e);
            }
        }
        for a in args.iter().filter(|a| a.name.is_some()) {
            if let Some(k) = params.iter().position(|p| Some(&p.name) == a.name.as_ref().map(|n| &n.name)) {
                bound[k] = Some(&a.value);
            }
        }
        if !splat {
            let kinds: Vec<Option<Kind>> = bound.iter().map(|b| b.map(|e| scope.kinds.of(e))).collect();
            let entry = self.param_kinds.entry(name.to_string()).or_insert_with(|| vec![None; kinds.len()]);
            for (slot, k) in entry.iter_mut().zip(kinds) {
                *slot = match (*slot, k) {
                    (None, k) => k,
                    // A number at one call and a dict's or list's item at another
                    // is not known to be a tensor (`Linear(256, 128)` and
                    // `Linear(self["size"], 2)`).
                    (Some(Kind::Host | Kind::Other), Some(Kind::Host | Kind::Other)) if *slot != k => Some(Kind::Other),
                    (Some(a), Some(b)) if a != b => Some(Kind::Tensor),
                    (s, _) => s,
                };
            }
        }
        (bound, splat)
    }

    /// A scheduler whose `lr_lambda` (its second argument) is a user fn, or a
    /// name bound to a `partial` of one, calls it with the epoch, a Python int:
    /// recorded as the kind of the parameter it lands in.
    pub(super) fn scheduler_lambda_kinds(&mut self, args: &[crate::syntax::ast::Arg], scope: &Scope) {
        let Some(ExprKind::Name(n)) = args.get(1).filter(|a| a.name.is_none()).map(|a| &a.value.kind) else { return };
        let (f, slot) = match scope.partials.get(n) {
            Some((f, positional)) => (f.clone(), *positional),
            None => (n.clone(), 0),
        };
        let Some(params) = self.fns.get(f.as_str()).map(|d| d.params.len()) else { return };
        if slot < params {
            let entry = self.param_kinds.entry(f).or_insert_with(|| vec![None; params]);
            if entry[slot].is_none() {
                entry[slot] = Some(Kind::Host);
            }
        }
    }

    /// A call of the user's op or fn `name` (`receiver` first when written as a method).
    /// Records the kind of each argument, which decides how the op saves it.
    pub(super) fn user_call(&mut self, name: &str, receiver: Option<&Expr>, args: &[crate::syntax::ast::Arg], scope: &Scope) -> String {
        let (params, defaults, custom) = match (self.ops.get(name), self.fns.get(name)) {
            (Some(op), _) => (&op.params, &op.defaults, op.backward.is_some()),
            (None, Some(f)) => (&f.params, &f.defaults, false),
            (None, None) => return String::new(),
        };
        let (bound, splat) = self.record_param_kinds(name, params, receiver, args, scope);
        if !custom {
            let mut all: Vec<String> = receiver.map(|r| self.expr(r, scope)).into_iter().collect();
            all.extend(self.args(args, scope));
            return format!("{name}({})", all.join(", "));
        }
        // `Function.apply` takes positional arguments only: keywords go to their
        // places and omitted parameters get their defaults.
        if splat {
            let mut all: Vec<String> = receiver.map(|r| self.expr(r, scope)).into_iter().collect();
            all.extend(self.args(args, scope));
            return format!("{name}.apply({})", all.join(", "));
        }
        let last = bound.iter().rposition(|b| b.is_some()).map_or(0, |k| k + 1);
        let defaults = defaults.clone();
        let mut texts = Vec::new();
        for (k, b) in bound.iter().take(last).enumerate() {
            texts.push(match (b, &defaults[k]) {
                (Some(e), _) => self.expr(e, scope),
                (None, Some(d)) => self.expr(d, &Scope::top()),
                (None, None) => "None".to_string(),
            });
        }
        format!("{name}.apply({})", texts.join(", "))
    }
}

/// Appends `text` as one line at `depth`.
pub(super) fn line(out: &mut String, depth: usize, text: &str) {
    for _ in 0..depth {
        out.push_str(INDENT);
    }
    out.push_str(text);
    out.push('\n');
}
