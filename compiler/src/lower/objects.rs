//! Python classes and their objects, as `torch.nn.Module` subclasses are
//! written (docs/act-language.md, "Classes and modules"):
//!
//! ```text
//! class Net(Module) {
//!     fn __init__(self, n) { super().__init__(); self.fc = Linear(n, 2) }
//!     fn forward(self, x) { return relu(self.fc(x)) }
//! }
//! model = Net(4)
//! y = model(x)
//! ```
//!
//! An object is a compile-time value (`Value::Object`): its class and its
//! attributes in the order they were first set, as a Python object's
//! `__dict__` keeps them. Methods are inlined as fns are, with the object as
//! their first argument; what a method sets on its object goes back to the
//! place the receiver names (a name, or an attribute of an object a name
//! holds), so `model.train()` and `self.fc = ...` change the caller's object
//! as Python's reference semantics do. Tensors are shared as everywhere in
//! graphc: an optimizer's update of a parameter is seen through every object
//! that holds it. A class derives from `Module` (`nn.Module`) or from another
//! class of the file; `super().__init__()` and `super().method(...)` call the
//! base's. The `torch.nn` modules themselves (`Linear`, `ReLU`, `Sequential`,
//! the losses, ...) and `Module`'s own methods are in `nn_modules.rs`.

use std::rc::Rc;

use super::{BodyKind, Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Arg, ClassDef, Expr, ExprKind, FnDef, Ident, Span};

/// The arguments of a call, evaluated: keyword, value, span.
pub(super) type CallArgs = Vec<(Option<Ident>, Value, Span)>;

/// What a class derives from.
pub(super) enum Base<'a> {
    /// `Module` (PyTorch's `nn.Module`), whose `__init__` sets `training`.
    Module,
    /// `Dataset` (`torch.utils.data.Dataset`): an object with `__len__` and
    /// `__getitem__` that a `DataLoader` batches (`data_loader.rs`).
    Dataset,
    /// `object`, Python's own base: an object with its attributes and methods only.
    Object,
    /// Another class of the file.
    Class(&'a ClassDef),
}

/// The attribute `name` of an object's attributes, if it has one.
pub(super) fn attr<'v>(names: &[String], items: &'v [(Value, Span)], name: &str) -> Option<&'v Value> {
    names.iter().position(|n| n == name).map(|i| &items[i].0)
}

/// `obj` with attribute `name` set to `v`: in its place if it had one, last otherwise.
pub(super) fn with_attr(obj: Value, name: &str, v: Value, span: Span) -> Value {
    let Value::Object { class, id, mut names, mut items } = obj else { return obj };
    match names.iter().position(|n| n == name) {
        Some(i) => items[i] = (v, span),
        None => {
            names.push(name.to_string());
            items.push((v, span));
        }
    }
    Value::Object { class, id, names, items }
}

/// Replaces each copy of object `id` within `slot` by `v`; whether there was one.
fn replace_object(slot: &mut Value, id: u32, v: &Value, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    match slot {
        Value::Object { id: k, .. } if *k == id => {
            *slot = v.clone();
            true
        }
        Value::Object { items, .. } | Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } | Value::Dict { items, .. } => {
            let mut any = false;
            for (item, _) in items {
                any |= replace_object(item, id, v, depth + 1);
            }
            any
        }
        Value::Lambda(c) => {
            let mut any = false;
            for (_, item) in &mut c.captured {
                any |= replace_object(item, id, v, depth + 1);
            }
            any
        }
        _ => false,
    }
}

/// Whether an expression names a place an object can be written back to: a
/// name, or an attribute of one (`self.encoder.fc`). Reading it has no effect.
pub(super) fn is_path(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) => true,
        ExprKind::Field { receiver, .. } => is_path(receiver),
        _ => false,
    }
}

impl<'a> Lowerer<'a> {
    /// The class of the file called `name`.
    pub(super) fn class_def(&self, name: &str) -> Option<&'a ClassDef> {
        self.defs.classes.get(name).copied()
    }

    /// What class `c` derives from; E0107 at a base that is neither `Module`
    /// nor a class of the file.
    pub(super) fn base_of(&mut self, c: &'a ClassDef) -> Option<Base<'a>> {
        let Some(b) = c.bases.first() else { return Some(Base::Module) };
        let name = match &b.kind {
            ExprKind::Name(n) => Some(n.as_str()),
            // `nn.Module`, `torch.utils.data.Dataset`, `data.Dataset`.
            ExprKind::Field { field, .. } if matches!(field.name.as_str(), "Module" | "Dataset") => Some(field.name.as_str()),
            _ => None,
        };
        match name {
            Some("Module") => Some(Base::Module),
            Some("Dataset") => Some(Base::Dataset),
            Some("object") => Some(Base::Object),
            Some(n) if self.class_def(n).is_some() && n != c.name.name => Some(Base::Class(self.class_def(n).expect("checked by the guard"))),
            _ => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{}` cannot derive from this", c.name.name), b.span, "not a base graphc knows")
                        .with_help("derive from `Module` (PyTorch's `nn.Module`), `Dataset`, `object` or another class of the file"),
                );
                None
            }
        }
    }

    /// The method `name` of class `class` or of the first base that defines
    /// it, with the class that defines it.
    pub(super) fn find_method(&mut self, class: &str, name: &str) -> Option<(&'a ClassDef, &'a FnDef)> {
        let mut c = self.class_def(class)?;
        for _ in 0..64 {
            if let Some(m) = c.methods.iter().find(|m| m.name.name == name) {
                return Some((c, m));
            }
            match self.base_of(c)? {
                Base::Class(b) => c = b,
                _ => return None,
            }
        }
        None
    }

    /// The root of class `class`'s bases (`Module`, `Dataset` or `object`),
    /// or `None` for a class that is not of the file or whose bases are in error.
    pub(super) fn root_of(&mut self, class: &str) -> Option<Base<'a>> {
        let mut c = self.class_def(class)?;
        for _ in 0..64 {
            match self.base_of(c)? {
                Base::Class(b) => c = b,
                root => return Some(root),
            }
        }
        None
    }

    /// The class attribute `name` of class `class` or of the first base that
    /// sets it (`expansion = 4`), evaluated as the top level would evaluate
    /// it; `None` when no class of the chain sets it. Python evaluates a
    /// class body once, so a tensor there would be one tensor shared by every
    /// read; graphc evaluates the attribute at each read, which is the same
    /// only for values without tensors, and refuses a tensor (E0107).
    pub(super) fn class_attr(&mut self, class: &str, name: &str) -> Option<Value> {
        for c in self.class_chain(class) {
            let def = self.class_def(&c)?;
            if let Some((n, e)) = def.attrs.iter().rev().find(|(n, _)| n.name == name) {
                let mut scope = Scope { reads_globals: true, ..Scope::default() };
                let v = self.expr(e, &mut scope);
                if holds_tensor(&v) {
                    return Some(
                        self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("the class attribute `{c}.{}` holds a tensor", n.name),
                                e.span,
                                "a tensor in a class body",
                            )
                            .with_help(format!(
                                "set it on the object in `__init__` (`self.{} = ...`), or keep numbers, strings and tuples of them in the class body",
                                n.name
                            )),
                        ),
                    );
                }
                return Some(v);
            }
        }
        None
    }

    /// The classes of the file that `class` is or derives from, itself first.
    pub(super) fn class_chain(&mut self, class: &str) -> Vec<String> {
        let mut chain = Vec::new();
        let mut c = self.class_def(class);
        while let Some(d) = c {
            if chain.len() >= 64 || chain.contains(&d.name.name) {
                break;
            }
            chain.push(d.name.name.clone());
            c = match self.base_of(d) {
                Some(Base::Class(b)) => Some(b),
                _ => None,
            };
        }
        chain
    }

    /// `Name(args)` for a class of the file: a new object, set up by its `__init__`.
    pub(crate) fn instantiate(&mut self, c: &'a ClassDef, args: CallArgs, span: Span) -> Value {
        // Only a module has `training`, which `Module.__init__` sets.
        let id = self.new_object_id();
        let class: Rc<str> = Rc::from(c.name.name.as_str());
        let obj = match self.root_of(&c.name.name) {
            Some(Base::Dataset | Base::Object) => Value::Object { class, id, names: Vec::new(), items: Vec::new() },
            _ => Value::Object { class, id, names: vec!["training".to_string()], items: vec![(Value::Bool(true), span)] },
        };
        match self.find_method(&c.name.name, "__init__") {
            Some((owner, init)) => {
                let (r, after) = self.call_method(owner, init, obj, span, args, span);
                if matches!(r, Value::Poison) {
                    return Value::Poison;
                }
                after
            }
            None if args.is_empty() => obj,
            None => self.error(
                Diagnostic::new(Code::E0103, format!("`{}()` takes no arguments", c.name.name), span, "arguments given")
                    .with_secondary(c.name.span, "a class without `__init__`")
                    .with_help("define `fn __init__(self, ...)` to take arguments"),
            ),
        }
    }

    /// Calls method `f` of class `owner` with `receiver` as its object: what it
    /// returns, and the object as the method left it.
    pub(super) fn call_method(&mut self, owner: &'a ClassDef, f: &'a FnDef, receiver: Value, rs: Span, args: CallArgs, span: Span) -> (Value, Value) {
        // A method without its object parameter was reported by the definition checks.
        if f.params.is_empty() || f.keyword_only == 0 {
            return (Value::Poison, receiver);
        }
        let mut all = vec![(None, receiver.clone(), rs)];
        all.extend(args);
        let Some(bound) = self.bind_params(&f.name, (&f.params, f.keyword_only), &f.defaults, all, span) else { return (Value::Poison, receiver) };
        let label = format!("{}.{}", owner.name.name, f.name.name);
        if !self.enter(&label, span) {
            return (Value::Poison, receiver);
        }
        let mut scope = Scope { reads_globals: true, ..Scope::default() };
        let containers = super::user_calls::containers(&bound);
        for (p, (v, _)) in f.params.iter().zip(bound) {
            scope.names.insert(p.name.clone(), v);
        }
        let outer = self.no_grad;
        self.no_grad |= f.no_grad;
        self.class_stack.push((owner, f.params[0].name.clone()));
        let r = self.block(&f.body, &mut scope, BodyKind::Fn);
        self.class_stack.pop();
        self.no_grad = outer;
        self.call_stack.pop();
        // The other objects, lists and dicts the method changed go back to the
        // caller's names, as `call_fn`'s do.
        self.push_mutated(f, &containers, &scope, 1);
        let after = scope.names.get(&f.params[0].name).cloned().unwrap_or(receiver);
        (self.fn_result(r), after)
    }

    /// Writes `v` back to the place `path` names (`is_path`): rebinds the name,
    /// or sets the attribute on the object that holds it and writes that back.
    pub(super) fn store_path(&mut self, path: &Expr, v: Value, scope: &mut Scope) {
        self.share_object(&v, scope);
        match &path.kind {
            ExprKind::Name(n) => {
                if scope.names.contains_key(n) {
                    if self.body_kind == BodyKind::TopLevel {
                        self.globals.insert(n.clone(), v.clone());
                    }
                    scope.names.insert(n.clone(), v);
                } else if self.globals.contains_key(n) {
                    // A global object changed inside a fn: the top level reads it anew.
                    self.globals.insert(n.clone(), v);
                    self.changed_globals.insert(n.clone());
                }
            }
            ExprKind::Field { receiver, field } => {
                let base = self.expr(receiver, scope);
                if matches!(base, Value::Object { .. }) {
                    let updated = with_attr(base, &field.name, v, field.span);
                    self.store_path(receiver, updated, scope);
                }
            }
            _ => {}
        }
    }

    /// Writes object `v`, the receiver's object after a method changed it, to
    /// the place `receiver` names, or, for a receiver that names no place
    /// (`blocks[0].eval()`), to every copy of it the program can reach.
    pub(super) fn store_or_share(&mut self, receiver: &Expr, v: Value, scope: &mut Scope) {
        match is_path(receiver) {
            true => self.store_path(receiver, v, scope),
            false => self.share_object(&v, scope),
        }
    }

    /// A new object's identity.
    pub(super) fn new_object_id(&mut self) -> u32 {
        self.next_object_id += 1;
        self.next_object_id
    }

    /// After object `v` changed, every other copy of it that the program can
    /// reach here (in a name of `scope` or a global, at any depth) is `v`, as
    /// Python's references to one object all see a change (`m = model;
    /// m.eval()`, `for m in model.modules() { m.eval() }`).
    pub(super) fn share_object(&mut self, v: &Value, scope: &mut Scope) {
        let Value::Object { id, .. } = v else { return };
        let mut names: Vec<&String> = scope.names.keys().collect();
        names.sort();
        let names: Vec<String> = names.into_iter().cloned().collect();
        for n in names {
            if let Some(slot) = scope.names.get_mut(&n) {
                replace_object(slot, *id, v, 0);
            }
        }
        let in_fn = self.body_kind != BodyKind::TopLevel;
        let mut globals: Vec<String> = self.globals.keys().cloned().collect();
        globals.sort();
        for n in globals {
            let Some(slot) = self.globals.get_mut(&n) else { continue };
            // A global that held the object changed inside a fn: the top level reads it anew.
            if replace_object(slot, *id, v, 0) && in_fn && !scope.names.contains_key(&n) {
                self.changed_globals.insert(n);
            }
        }
    }

    /// The object a path (`model`, `self.encoder`) holds, read without effects
    /// or errors; `None` for anything else.
    pub(crate) fn peek_object(&self, e: &Expr, scope: &Scope) -> Option<Value> {
        let v = match &e.kind {
            ExprKind::Name(n) => {
                let fresh = !scope.reads_globals && self.changed_globals.contains(n);
                let v = if fresh { None } else { scope.names.get(n) };
                v.or_else(|| if scope.reads_globals || fresh { self.globals.get(n) } else { None })?.clone()
            }
            ExprKind::Field { receiver, field } => match self.peek_object(receiver, scope)? {
                Value::Object { names, items, .. } => attr(&names, &items, &field.name)?.clone(),
                _ => return None,
            },
            _ => return None,
        };
        matches!(v, Value::Object { .. }).then(|| self.current_value(v))
    }

    /// `obj.name = v` where `obj` is an object.
    pub(crate) fn store_attr(&mut self, receiver: &Expr, field: &Ident, value: &Expr, scope: &mut Scope) -> bool {
        if !is_path(receiver) {
            return false;
        }
        let base = self.expr(receiver, scope);
        if !matches!(base, Value::Object { .. }) {
            return false;
        }
        let v = self.expr(value, scope);
        let updated = with_attr(base, &field.name, v, field.span);
        self.store_path(receiver, updated, scope);
        true
    }

    /// `obj.name`: the attribute, or E0102.
    pub(super) fn object_field(&mut self, recv: &Value, field: &Ident) -> Value {
        let Value::Object { class, names, items, .. } = recv else { return Value::Poison };
        if let Some(v) = attr(names, items, &field.name) {
            return v.clone();
        }
        if let Some(m) = self.bound_method(recv, field) {
            return m;
        }
        if let Some(v) = self.class_attr(class, &field.name) {
            return v;
        }
        let known = names.iter().filter(|n| *n != "training").map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        self.error(
            Diagnostic::new(Code::E0102, format!("'{class}' object has no attribute '{}'", field.name), field.span, "no such attribute").with_help(
                if known.is_empty() { "set it first, as `self.name = ...` in `__init__`".to_string() } else { format!("its attributes are {known}") },
            ),
        )
    }

    /// `obj.method(args)` where `receiver` evaluates to object `obj`: a method
    /// of its class, a module held as an attribute (`self.fc(x)`), a function
    /// held as one, or one of `Module`'s methods.
    pub(crate) fn object_method(&mut self, receiver: &Expr, obj: Value, method: &Ident, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        let Value::Object { class, names, items, .. } = &obj else { return Value::Poison };
        let class = class.clone();
        if let Some((owner, f)) = self.find_method(&class, &method.name) {
            let outer = std::mem::take(&mut self.mutated_args);
            let all = self.args(args, scope);
            let (r, after) = self.call_method(owner, f, obj.clone(), receiver.span, all, span);
            let mutated = std::mem::replace(&mut self.mutated_args, outer);
            self.write_back_args(mutated, args, scope);
            self.store_or_share(receiver, after, scope);
            return r;
        }
        if let Some(held) = attr(names, items, &method.name).cloned() {
            let all = self.args(args, scope);
            return match held {
                Value::Object { .. } => {
                    let path = Expr {
                        kind: ExprKind::Field { receiver: Box::new(receiver.clone()), field: method.clone() },
                        span: receiver.span.to(method.span),
                    };
                    self.call_object(held, Some(&path), all, scope, span)
                }
                Value::Func(target, version) => self.call_version(&Ident { name: target, span: method.span }, version, all, span),
                Value::Lambda(c) => self.call_lambda(&c, method, all, span),
                Value::Poison => Value::Poison,
                other => self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("'{}' object is not callable", super::membership::python_type(&other)),
                        method.span,
                        "not callable",
                    )
                    .with_help(format!("`{}` is an attribute of the object, not a method", method.name)),
                ),
            };
        }
        // `Module`'s methods are a module's only.
        if matches!(self.root_of(&class), Some(Base::Dataset | Base::Object)) {
            return self.no_method(&class, method);
        }
        let all = self.args(args, scope);
        let (r, after) = self.module_method(obj.clone(), receiver.span, method, all, span);
        if let Some(after) = after {
            self.store_or_share(receiver, after, scope);
        }
        r
    }

    /// E0102 for a method that an object of a class without `Module`'s methods lacks.
    pub(super) fn no_method(&mut self, class: &str, method: &Ident) -> Value {
        self.error(
            Diagnostic::new(Code::E0102, format!("'{class}' object has no attribute '{}'", method.name), method.span, "no such method")
                .with_help(format!("define `fn {}(self, ...)` in class `{class}`; only a `Module`'s objects have `Module`'s methods", method.name)),
        )
    }

    /// `obj(args)`: its `forward`, as `Module.__call__` runs it; the object as
    /// `forward` left it goes back to `path`.
    pub(crate) fn call_object(&mut self, obj: Value, path: Option<&Expr>, args: CallArgs, scope: &mut Scope, span: Span) -> Value {
        let Value::Object { class, .. } = &obj else { return Value::Poison };
        let class = class.clone();
        if self.class_def(&class).is_none() {
            return self.builtin_forward(&obj, args, span);
        }
        let Some((owner, f)) = self.find_method(&class, "forward") else {
            return self.error(
                Diagnostic::new(Code::E0102, format!("Module [{class}] is missing the required \"forward\" function"), span, "called here")
                    .with_help("define `fn forward(self, ...)` in the class"),
            );
        };
        let (r, after) = self.call_method(owner, f, obj, span, args, span);
        match path {
            Some(p) => self.store_path(p, after, scope),
            None => self.share_object(&after, scope),
        }
        r
    }

    /// `value(args)` for a value made by a call or a subscript: an object's
    /// `forward` (`Softmax(dim=1)(logits)`, `self.layers[0](x)`) or a function.
    pub(crate) fn apply(&mut self, f: Value, fs: Span, args: CallArgs, scope: &mut Scope, span: Span) -> Value {
        match f {
            Value::Object { .. } => self.call_object(f, None, args, scope, span),
            Value::Func(target, version) => self.call_version(&Ident { name: target, span: fs }, version, args, span),
            Value::Lambda(c) => self.call_lambda(&c, &Ident { name: "<lambda>".to_string(), span: fs }, args, span),
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(Code::E0107, format!("'{}' object is not callable", super::membership::python_type(&other)), fs, "not callable")
                    .with_help("call a function, a module or an object of a class with `forward`"),
            ),
        }
    }

    /// `super().method(args)` in a method: the base class's method (or
    /// `Module`'s) on the method's object, which it may change.
    pub(crate) fn super_call(&mut self, method: &Ident, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        let Some((class, self_name)) = self.class_stack.last().cloned() else {
            return self.error(
                Diagnostic::new(Code::E0107, "`super()` outside a method", span, "no class here")
                    .with_help("call `super().__init__()` in a method of a class, such as its `__init__`"),
            );
        };
        let Some(me) = scope.names.get(&self_name).cloned() else { return Value::Poison };
        let Some(base) = self.base_of(class) else { return Value::Poison };
        let all = self.args(args, scope);
        let (r, after) = match base {
            Base::Class(b) => match self.find_method(&b.name.name, &method.name) {
                Some((owner, f)) => {
                    let (r, after) = self.call_method(owner, f, me, span, all, span);
                    (r, Some(after))
                }
                None if method.name == "__init__" => (Value::None, None),
                None => self.module_method(me, span, method, all, span),
            },
            // `Module.__init__` sets `training`, which every module has from the
            // start; `Dataset`'s and `object`'s set nothing.
            Base::Module | Base::Dataset | Base::Object if method.name == "__init__" => (Value::None, None),
            Base::Module => self.module_method(me, span, method, all, span),
            Base::Dataset | Base::Object => (self.no_method(&class.name.name, method), None),
        };
        if let Some(after) = after {
            scope.names.insert(self_name, after);
        }
        r
    }
}

/// Whether `v` is or holds a tensor (in a list, tuple or dict).
fn holds_tensor(v: &Value) -> bool {
    match v {
        Value::Tensor(_) => true,
        Value::List(items) | Value::Tuple(items) => items.iter().any(|(v, _)| holds_tensor(v)),
        Value::Dict { items, .. } => items.iter().any(|(v, _)| holds_tensor(v)),
        _ => false,
    }
}
