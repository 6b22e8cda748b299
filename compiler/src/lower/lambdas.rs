//! `lambda`: an anonymous fn of one expression (`net = lambda X: linreg(X, w, b)`,
//! as d2l writes a model over parameters a function made); and a `fn` nested in
//! a body (`fn lr_lambda(step) { ... }` inside the fn that makes a schedule),
//! which is a named lambda whose body is a block.
//!
//! A lambda written at the top level reads the top-level names when it is
//! called, as a fn does (Python's module globals, late-bound). One written in a
//! fn or an op closes over the names of that body: it keeps their values as they
//! were when it was made, and reads each object's current version when called,
//! so an in-place update (`w -= lr * w.grad`) is seen, as Python's closure cells
//! see it. A name of that body rebound after the lambda was made is not (Python
//! would read the new binding); the language reference says so.
//!
//! `partial(f, *args, **keywords)` (Python's `functools.partial`) is a closure
//! too: it captures the function and the arguments it was given, as places of
//! the state, and calling it calls `f` with them before the new ones, the new
//! keywords replacing bound ones of the same name.

use std::rc::Rc;

use super::{BodyKind, Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{FnDef, Ident, Lambda, Span};

/// What a closure runs: a `lambda`'s expression, a nested `fn`'s block, or
/// another function with arguments bound (`partial`).
#[derive(Clone, Debug)]
pub enum Def {
    Lambda(Rc<Lambda>),
    Fn(Rc<FnDef>),
    /// `partial`: the closure's captured values are the function, then the
    /// `positional` bound positional arguments, then one per bound keyword.
    Partial {
        positional: usize,
        keywords: Vec<String>,
    },
    /// A method read from an object (`self._init_weights`): the closure's one
    /// captured value is the object, as it was when the method was read.
    Method {
        class: Rc<str>,
        name: String,
    },
}

/// A lambda's (or a nested fn's) function value.
#[derive(Clone, Debug)]
pub struct Closure {
    pub def: Def,
    /// Where the lambda is written: its identity, and the name its errors give it.
    pub span: Span,
    /// The names of the enclosing fn or op body, as the lambda was made; empty at
    /// the top level, where the body reads the top-level names when called.
    pub captured: Vec<(String, Value)>,
    /// Whether the body reads top-level names (written at the top level or in a fn).
    pub reads_globals: bool,
}

impl Closure {
    /// Where the lambda starts in the file, which names it in a region's signature.
    pub fn at(&self) -> usize {
        self.span.start
    }
}

impl Lowerer<'_> {
    /// The function value a `lambda` expression makes.
    pub(crate) fn lambda(&mut self, def: &Rc<Lambda>, span: Span, scope: &Scope) -> Value {
        self.closure(Def::Lambda(def.clone()), span, scope)
    }

    /// The function value a nested `fn` binds its name to.
    pub(crate) fn nested_fn(&mut self, def: &Rc<FnDef>, scope: &Scope) -> Value {
        self.closure(Def::Fn(def.clone()), def.span, scope)
    }

    fn closure(&mut self, def: Def, span: Span, scope: &Scope) -> Value {
        let top_level = !scope.reads_globals && self.op_frames.is_empty();
        let mut captured: Vec<(String, Value)> =
            if top_level { Vec::new() } else { scope.names.iter().map(|(k, v)| (k.clone(), v.clone())).collect() };
        // A fixed order keeps the places a loop carries the same in every iteration.
        captured.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Lambda(Closure { def, span, captured, reads_globals: scope.reads_globals || top_level })
    }

    /// Calls a lambda or a nested fn: its parameters bound as a fn's are, its
    /// body lowered with the names it closes over.
    pub(crate) fn call_lambda(&mut self, c: &Closure, callee: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        // A lambda's body is an expression, a nested fn's a block.
        let (name, params, defaults, body, by_position) = match &c.def {
            Def::Lambda(l) => (Ident { name: "<lambda>".to_string(), span: c.span }, &l.params, &l.defaults, Ok(&l.body), l.params.len()),
            Def::Fn(f) => (f.name.clone(), &f.params, &f.defaults, Err(&f.body), f.keyword_only),
            Def::Partial { positional, keywords } => return self.call_partial(c, (*positional, keywords), callee, args, span),
            Def::Method { class, name } => {
                let Some((owner, f)) = self.find_method(class, name) else { return Value::Poison };
                let me = self.current_value(c.captured[0].1.clone());
                return self.call_method(owner, f, me, c.span, args, span).0;
            }
        };
        let Some(args) = self.bind_params(&name, (params, by_position), defaults, args, span) else { return Value::Poison };
        if !self.enter(&callee.name, span) {
            return Value::Poison;
        }
        let mut scope = Scope { reads_globals: c.reads_globals, ..Scope::default() };
        for (k, v) in &c.captured {
            let v = self.current_value(v.clone());
            scope.names.insert(k.clone(), v);
        }
        for (p, (v, _)) in params.iter().zip(args) {
            scope.names.insert(p.name.clone(), v);
        }
        let v = match body {
            // A lambda's body is a fn's body, for the statements a run-time
            // `a if c else b` in it lowers (`conditional_exprs.rs`).
            Ok(e) => {
                let outer = std::mem::replace(&mut self.body_kind, BodyKind::Fn);
                let v = self.expr(e, &mut scope);
                self.body_kind = outer;
                v
            }
            Err(b) => {
                // A nested fn decorated `@no_grad()` runs its body with recording off.
                let outer = self.no_grad;
                self.no_grad |= matches!(&c.def, Def::Fn(f) if f.no_grad);
                let r = self.block(b, &mut scope, BodyKind::Fn);
                self.no_grad = outer;
                self.fn_result(r)
            }
        };
        self.call_stack.pop();
        v
    }

    /// Calls a function value: a fn, op or builtin by name, or a closure.
    pub(crate) fn call_value(&mut self, f: &Value, callee: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        match f {
            Value::Func(name, version) => self.call_version(&Ident { name: name.clone(), span: callee.span }, *version, args, span),
            Value::Lambda(c) => self.call_lambda(c, callee, args, span),
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(Code::E0107, format!("{} is not callable", other.describe()), callee.span, "not a function")
                    .with_help("call a fn, a lambda or a builtin"),
            ),
        }
    }

    /// `partial(func, *args, **keywords)`: a closure that calls `func` with these
    /// arguments first.
    pub(crate) fn partial_call(&mut self, mut args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let func = match args.first() {
            Some((None, f @ (Value::Func(..) | Value::Lambda(_)), _)) => f.clone(),
            Some((None, Value::Poison, _)) => return Value::Poison,
            Some((_, other, at)) => {
                let what = other.describe();
                return self.error(
                    Diagnostic::new(Code::E0107, format!("the first argument of `partial` must be callable, not {what}"), *at, "not a function")
                        .with_help("pass the function first: `partial(f, 1, k=2)`"),
                );
            }
            None => {
                return self.error(
                    Diagnostic::new(Code::E0107, "`partial` needs the function to call", span, "no function")
                        .with_help("pass the function first: `partial(f, 1, k=2)`"),
                );
            }
        };
        args.remove(0);
        let mut captured = vec![("<func>".to_string(), func)];
        let positional = args.iter().take_while(|(k, _, _)| k.is_none()).count();
        if let Some((_, _, at)) = args.iter().skip(positional).find(|(k, _, _)| k.is_none()) {
            return self.error(
                Diagnostic::new(Code::E0107, "a positional argument after a keyword argument", *at, "positional")
                    .with_help("give the positional arguments first, as Python requires"),
            );
        }
        let mut keywords = Vec::new();
        for (i, (k, v, _)) in args.into_iter().enumerate() {
            match k {
                None => captured.push((format!("<arg{i}>"), v)),
                Some(k) => {
                    captured.push((format!("<kw:{}>", k.name), v));
                    keywords.push(k.name);
                }
            }
        }
        Value::Lambda(Closure { def: Def::Partial { positional, keywords }, span, captured, reads_globals: false })
    }

    /// Calls `partial` closure `c`: its function with the bound arguments, then
    /// `args`; a keyword of `args` replaces the bound one of that name.
    fn call_partial(
        &mut self,
        c: &Closure,
        (positional, keywords): (usize, &[String]),
        callee: &Ident,
        args: Vec<(Option<Ident>, Value, Span)>,
        span: Span,
    ) -> Value {
        let values: Vec<Value> = c.captured.iter().map(|(_, v)| self.current_value(v.clone())).collect();
        let (given_kw, given_pos): (Vec<_>, Vec<_>) = args.into_iter().partition(|(k, _, _)| k.is_some());
        let mut all: Vec<(Option<Ident>, Value, Span)> = values[1..=positional].iter().map(|v| (None, v.clone(), c.span)).collect();
        all.extend(given_pos);
        for (k, v) in keywords.iter().zip(&values[1 + positional..]) {
            if !given_kw.iter().any(|(g, _, _)| g.as_ref().is_some_and(|g| &g.name == k)) {
                all.push((Some(Ident { name: k.clone(), span: c.span }), v.clone(), c.span));
            }
        }
        all.extend(given_kw);
        self.call_value(&values[0], callee, all, span)
    }
}
