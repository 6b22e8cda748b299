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

use std::rc::Rc;

use super::{BodyKind, Lowerer, Scope, Value};
use crate::syntax::ast::{FnDef, Ident, Lambda, Span};

/// What a closure runs: a `lambda`'s expression or a nested `fn`'s block.
#[derive(Clone, Debug)]
pub enum Def {
    Lambda(Rc<Lambda>),
    Fn(Rc<FnDef>),
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
        let (name, params, defaults) = match &c.def {
            Def::Lambda(l) => (Ident { name: "<lambda>".to_string(), span: c.span }, &l.params, &l.defaults),
            Def::Fn(f) => (f.name.clone(), &f.params, &f.defaults),
        };
        let Some(args) = self.bind_params(&name, params, defaults, args, span) else { return Value::Poison };
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
        let v = match &c.def {
            Def::Lambda(l) => self.expr(&l.body, &mut scope),
            Def::Fn(f) => {
                let r = self.block(&f.body, &mut scope, BodyKind::Fn);
                self.fn_result(r)
            }
        };
        self.call_stack.pop();
        v
    }
}
