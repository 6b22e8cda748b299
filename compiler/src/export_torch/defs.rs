//! Definitions in Python: an `op` with a backward block as a
//! `torch.autograd.Function`, an op without one and a `fn` as a function.

use crate::syntax::ast::{Expr, FnDef, Ident, OpDef, StmtKind};

use super::kinds::{Kind, Kinds};
use super::stmts::{line, Scope};
use super::Exporter;

impl Exporter<'_> {
    /// `def name(params):` and the body.
    pub(super) fn fn_def(&mut self, f: &FnDef) -> String {
        let mut scope = self.param_scope(&f.name.name, &f.params, &f.defaults, None);
        let mut out = String::new();
        if f.no_grad {
            line(&mut out, 0, "@torch.no_grad()");
        }
        line(&mut out, 0, &format!("def {}({}):", f.name.name, self.fn_params(f)));
        self.block(&f.body, &mut scope, 1, &mut out);
        out
    }

    /// A class: `class Name(nn.Module):` (or its base of the file) with its
    /// class attributes as written and its methods as `def`s.
    pub(super) fn class_def(&mut self, c: &crate::syntax::ast::ClassDef) -> String {
        let base = match c.bases.first().map(|b| &b.kind) {
            Some(crate::syntax::ast::ExprKind::Name(n)) if n == "Dataset" => "torch.utils.data.Dataset".to_string(),
            Some(crate::syntax::ast::ExprKind::Name(n)) if n != "Module" => n.clone(),
            _ => {
                self.imports.nn = true;
                "nn.Module".to_string()
            }
        };
        let mut out = String::new();
        line(&mut out, 0, &format!("class {}({base}):", c.name.name));
        for (name, e) in &c.attrs {
            let value = self.expr(e, &Scope::top());
            line(&mut out, 1, &format!("{} = {value}", name.name));
        }
        for (i, m) in c.methods.iter().enumerate() {
            if i > 0 || !c.attrs.is_empty() {
                out.push('\n');
            }
            let text = self.fn_def(m);
            for l in text.lines() {
                if l.is_empty() {
                    out.push('\n');
                } else {
                    line(&mut out, 1, l);
                }
            }
        }
        out
    }

    /// A nested `def`: its parameters bound in `scope` (the names around it), as
    /// the kinds its defaults or the calls of its name give them.
    pub(super) fn nested_fn_def(&mut self, f: &FnDef, scope: &mut Scope) -> String {
        let params = self.param_scope(&f.name.name, &f.params, &f.defaults, None);
        for p in &f.params {
            scope.kinds.bind(&p.name, params.kinds.get(&p.name));
        }
        scope.module = false;
        let mut out = String::new();
        if f.no_grad {
            line(&mut out, 0, "@torch.no_grad()");
        }
        line(&mut out, 0, &format!("def {}({}):", f.name.name, self.fn_params(f)));
        self.block(&f.body, scope, 1, &mut out);
        out
    }

    /// A custom Function, or a function for an op whose gradient graphc derives.
    pub(super) fn op_def(&mut self, op: &OpDef) -> String {
        let params = self.params(&op.params, &op.defaults);
        let Some(backward) = &op.backward else {
            let mut scope = self.param_scope(&op.name.name, &op.params, &op.defaults, None);
            let mut out = String::new();
            line(&mut out, 0, &format!("def {}({params}):", op.name.name));
            self.block(&op.forward, &mut scope, 1, &mut out);
            return out;
        };
        let mut fwd = self.param_scope(&op.name.name, &op.params, &op.defaults, Some(op));
        fwd.forward = true;
        let mut out = String::new();
        line(&mut out, 0, &format!("class {}(torch.autograd.Function):", op.name.name));
        line(&mut out, 1, "@staticmethod");
        line(&mut out, 1, &format!("def forward(ctx, {params}):"));
        // The first save of tensors the block writes is `ctx.save_for_backward`
        // (`stmts.rs`), which PyTorch allows once.
        self.first_tensor_save = None;
        self.block(&op.forward, &mut fwd, 2, &mut out);
        let first = self.first_tensor_save.take();
        out.push('\n');
        // The backward sees the saved values under their names, with their kinds.
        let saved: Vec<&Ident> =
            op.forward.stmts.iter().filter_map(|s| if let StmtKind::Save(n) = &s.kind { Some(n) } else { None }).flatten().collect();
        let mut bwd =
            Scope { kinds: Default::default(), op_params: fwd.op_params.clone(), forward: false, module: false, partials: Default::default() };
        let grads: Vec<&str> = std::iter::once(&backward.grad).chain(&backward.extra_grads).map(|g| g.name.as_str()).collect();
        line(&mut out, 1, "@staticmethod");
        line(&mut out, 1, &format!("def backward(ctx, {}):", grads.join(", ")));
        // The first save's tensors come back from `ctx.saved_tensors`; a later
        // save's, like host numbers, are attributes of `ctx`.
        let in_first = |n: &Ident| {
            first.is_some_and(|f| {
                op.forward.stmts.iter().any(|s| s.span == f && matches!(&s.kind, StmtKind::Save(ns) if ns.iter().any(|m| std::ptr::eq(m, n))))
            })
        };
        let tensors: Vec<&str> = saved.iter().filter(|n| fwd.kinds.get(&n.name) != Kind::Host && in_first(n)).map(|n| n.name.as_str()).collect();
        match tensors.len() {
            0 => {}
            1 => line(&mut out, 2, &format!("{}, = ctx.saved_tensors", tensors[0])),
            _ => line(&mut out, 2, &format!("{} = ctx.saved_tensors", tensors.join(", "))),
        }
        for n in &saved {
            let kind = fwd.kinds.get(&n.name);
            bwd.kinds.bind(&n.name, kind);
            if kind == Kind::Host || !in_first(n) {
                line(&mut out, 2, &format!("{0} = ctx.{0}", n.name));
            }
        }
        for g in &grads {
            bwd.kinds.bind(g, Kind::Tensor);
        }
        self.block(&backward.body, &mut bwd, 2, &mut out);
        out
    }

    /// A parameter list with its defaults (`x, eps=1e-05`).
    /// A `fn`'s parameter list, with the bare `*` before its keyword-only ones.
    fn fn_params(&mut self, f: &FnDef) -> String {
        let mut items = self.param_list(&f.params, &f.defaults);
        if f.keyword_only < f.params.len() {
            items.insert(f.keyword_only, "*".to_string());
        }
        items.join(", ")
    }

    fn params(&mut self, params: &[Ident], defaults: &[Option<Expr>]) -> String {
        self.param_list(params, defaults).join(", ")
    }

    /// Each parameter as Python writes it, with its default.
    fn param_list(&mut self, params: &[Ident], defaults: &[Option<Expr>]) -> Vec<String> {
        let top = Scope::top();
        params
            .iter()
            .zip(defaults)
            .map(|(p, d)| match d {
                Some(d) => format!("{}={}", p.name, self.expr(d, &top)),
                None => p.name.clone(),
            })
            .collect()
    }

    /// The scope of a body: each parameter with the kind its calls passed (or its default's).
    fn param_scope(&self, name: &str, params: &[Ident], defaults: &[Option<Expr>], op: Option<&OpDef>) -> Scope {
        let mut scope = Scope { kinds: Kinds::with_returns(self.returns.clone()), ..Scope::top() };
        scope.kinds.read_globals(&self.global_kinds);
        let seen = self.param_kinds.get(name);
        for (k, p) in params.iter().enumerate() {
            let from_calls = seen.and_then(|v| v.get(k).copied().flatten());
            let from_default = defaults[k].as_ref().map(|d| Scope::top().kinds.of(d));
            scope.kinds.bind(&p.name, from_calls.or(from_default).unwrap_or(Kind::Tensor));
        }
        scope.op_params = op.map(|o| o.params.iter().map(|p| p.name.clone()).collect());
        scope
    }
}

/// `nn.Module`'s methods, and `nn.Transformer`'s static method, which the
/// exporter keeps as written on any receiver.
pub(super) const MODULE_METHODS: &[&str] = &[
    "generate_square_subsequent_mask",
    "parameters",
    "named_parameters",
    "buffers",
    "named_buffers",
    "children",
    "named_children",
    "train",
    "eval",
    "register_buffer",
    "register_parameter",
    "add_module",
    "forward",
    "modules",
    "named_modules",
    "apply",
    "state_dict",
    "load_state_dict",
];

/// The attributes a method body sets on an object (`self.fc = Linear(4, 2)`).
pub(super) fn attributes_set(b: &crate::syntax::ast::Block, out: &mut std::collections::HashSet<String>) {
    use crate::syntax::ast::{ExprKind, StmtKind};
    for s in &b.stmts {
        match &s.kind {
            StmtKind::Store { target, .. } | StmtKind::AugAssign { target, .. } => {
                if let ExprKind::Field { field, .. } = &target.kind {
                    out.insert(field.name.clone());
                }
            }
            StmtKind::If(i) => crate::check::flow::if_blocks(i).for_each(|b| attributes_set(b, out)),
            StmtKind::For(f) => attributes_set(&f.body, out),
            StmtKind::NoGrad(b) => attributes_set(b, out),
            _ => {}
        }
    }
}
