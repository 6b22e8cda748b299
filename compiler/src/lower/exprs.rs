//! Expressions: names, literals, arithmetic with PyTorch's wrapped-number and
//! broadcasting rules, `.grad`, and dispatch of calls and methods.

use graphc_runtime::op::{Binary, F64Bits, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Scope, Value};
use crate::check::{aliases, builtins, ops::unknown_name, shapes};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Arg, BinOp, Expr, ExprKind, Ident, Span, UnOp};

/// Whether a builtin records an effect (output, figure, random sample, seed,
/// gradient computation) rather than only computing a value.
fn has_effect(b: builtins::Builtin) -> bool {
    use builtins::Builtin as B;
    matches!(
        b,
        B::Print
            | B::Plot
            | B::Grid
            | B::Legend
            | B::XLabel
            | B::YLabel
            | B::Title
            | B::SaveFig
            | B::Figure(_)
            | B::Randn
            | B::Normal
            | B::Rand
            | B::ManualSeed
            | B::Backward
            | B::Grad
            | B::ZeroGrad
            | B::ClipGrad(_)
            | B::Init(_)
            | B::Dropout
    )
}

/// Python's `+` and `*` of sequences, all known at compile time: lists and
/// tuples concatenate with their own kind (`[1] + [2]`, `x.shape + (4,)`, where a
/// `torch.Size` on either side keeps the result a `torch.Size`), and repeat
/// by an integer (`[0] * 3`), as strs do (`"-" * 59`). `None` for anything else.
fn sequence_binary(op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    let ints = |dims: &[usize]| -> Vec<(Value, Span)> { dims.iter().map(|&d| (Value::Number(Num::Int(d as i128)), Span::default())).collect() };
    let as_dims = |items: &[(Value, Span)]| -> Option<Vec<usize>> {
        items.iter().map(|(v, _)| if let Value::Number(Num::Int(d)) = v { usize::try_from(*d).ok() } else { None }).collect()
    };
    match (op, a, b) {
        (BinOp::Add, Value::List(x), Value::List(y)) => Some(Value::List([x.clone(), y.clone()].concat())),
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => Some(Value::Tuple([x.clone(), y.clone()].concat())),
        (BinOp::Add, Value::Size(x), Value::Size(y)) => Some(Value::Size([x.clone(), y.clone()].concat())),
        (BinOp::Add, Value::Size(x), Value::Tuple(y)) => match as_dims(y) {
            Some(y) => Some(Value::Size([x.clone(), y].concat())),
            None => Some(Value::Tuple([ints(x), y.clone()].concat())),
        },
        (BinOp::Add, Value::Tuple(x), Value::Size(y)) => match as_dims(x) {
            Some(x) => Some(Value::Size([x, y.clone()].concat())),
            None => Some(Value::Tuple([x.clone(), ints(y)].concat())),
        },
        (BinOp::Mul, Value::List(x) | Value::Tuple(x), Value::Number(Num::Int(k)))
        | (BinOp::Mul, Value::Number(Num::Int(k)), Value::List(x) | Value::Tuple(x)) => {
            // A repetition beyond a million items is not a sequence a program writes out.
            let k = usize::try_from(*k).unwrap_or(0);
            if x.len().saturating_mul(k) > 1 << 20 {
                return None;
            }
            let items: Vec<(Value, Span)> = x.iter().cloned().cycle().take(x.len() * k).collect();
            Some(if matches!(a, Value::List(_)) || matches!(b, Value::List(_)) { Value::List(items) } else { Value::Tuple(items) })
        }
        (BinOp::Mul, Value::Str(x), Value::Number(Num::Int(k))) | (BinOp::Mul, Value::Number(Num::Int(k)), Value::Str(x)) => {
            // A negative count gives "", as in Python; a text beyond a million bytes is not one a program prints.
            let k = usize::try_from(*k).unwrap_or(0);
            if x.len().saturating_mul(k) > 1 << 20 {
                return None;
            }
            Some(Value::Str(x.repeat(k)))
        }
        _ => None,
    }
}

impl<'a> Lowerer<'a> {
    pub(crate) fn expr(&mut self, e: &Expr, scope: &mut Scope) -> Value {
        match &e.kind {
            ExprKind::Number { value, is_int, exact } => {
                if !*is_int {
                    return Value::Number(Num::Float(*value));
                }
                // An integer beyond 2^64 - 1 is beyond int64 too, and so an error;
                // its f64 value stands in for it (only messages show it).
                let n = exact.unwrap_or(*value as i128);
                if i64::try_from(n).is_err() {
                    self.big_literals.push(e.span);
                }
                Value::Number(Num::Int(n))
            }
            ExprKind::Str(s) => Value::Str(s.clone()),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::None => Value::None,
            // A global object a fn changed is read anew at the top level (`objects.rs`).
            ExprKind::Name(n) if !scope.reads_globals && self.changed_globals.contains(n) => {
                self.changed_globals.remove(n);
                if let Some(v) = self.globals.get(n).cloned() {
                    scope.names.insert(n.clone(), v);
                }
                self.expr(e, scope)
            }
            ExprKind::Name(n) => match scope.names.get(n).or_else(|| if scope.reads_globals { self.globals.get(n) } else { None }) {
                Some(Value::Appending(list)) => {
                    let list = list.clone();
                    self.appending_read(&list, e.span)
                }
                // A name reads its object's current value: an in-place update since
                // the binding made a new version (`state.rs`).
                Some(v) => self.current_value(v.clone()),
                // The file's own op or fn of that name, before graphc's names (`fn double`).
                None if self.defs.ops.contains_key(n) || self.defs.fns.contains_key(n) => {
                    Value::Func(n.clone(), self.fn_now.get(n).copied().unwrap_or(0))
                }
                None if builtins::dtype_name(n).is_some() => Value::DType(builtins::dtype_name(n).expect("checked by the guard")),
                // `pi`, `e`, `inf`, `nan`: Python's `math` constants, unless a name shadows them.
                None if super::host_values::constant(n).is_some() => super::host_values::constant(n).expect("checked by the guard"),
                // A builtin named as a value (`act = relu`), called later through another name.
                None if builtins::lookup(n).is_some() => Value::Func(n.clone(), 0),
                // A class as a value (`act=ReLU`, `block=Block`), made when called.
                None if self.class_def(n).is_some() || super::nn_modules::is_class_name(n) => Value::Func(n.clone(), 0),
                None if self.split_kinds.contains_key(n) => {
                    let at = self.split_kinds[n];
                    self.error(
                        Diagnostic::new(
                            Code::E0606,
                            format!("`{n}` holds values of different kinds on the two sides of an `if` decided at run time"),
                            e.span,
                            "its kind is known only at run time here",
                        )
                        .with_secondary(at, "the `if` whose sides give it different kinds (a tensor on one, a Python number on the other)")
                        .with_help(format!("read `{n}` inside the `if`, or give it one kind on both sides (`loss.item()` on both, say)")),
                    )
                }
                None if self.one_sided.contains_key(n) => {
                    let (at, jump) = self.one_sided[n];
                    if let Some(jump) = jump {
                        // The rest of an iteration that a `break` or `continue` cut short.
                        let k = jump.keyword();
                        return self.error(
                            Diagnostic::new(
                                Code::E0606,
                                format!("`{n}` is bound only in the iterations this `{k}`, decided at run time, does not cut short"),
                                e.span,
                                "maybe unbound here",
                            )
                            .with_secondary(at, format!("the `{k}`"))
                            .with_help(format!("bind `{n}` before the loop, so that it has a value whichever way the loop runs")),
                        );
                    }
                    self.error(
                        Diagnostic::new(
                            Code::E0606,
                            format!("`{n}` is bound on only one side of an `if` decided at run time"),
                            e.span,
                            "maybe unbound here",
                        )
                        .with_secondary(at, "the `if` whose other side leaves it unbound")
                        .with_help(format!("bind `{n}` before the `if`, or on both sides")),
                    )
                }
                None => {
                    let known: std::collections::HashMap<String, Span> = scope.names.keys().map(|k| (k.clone(), Span::default())).collect();
                    self.error(unknown_name(n, e.span, &known))
                }
            },
            ExprKind::List(items) => Value::List(items.iter().map(|i| (self.expr(i, scope), i.span)).collect()),
            ExprKind::Dict(entries) => self.dict_literal(entries, scope),
            ExprKind::Tuple(items) => Value::Tuple(items.iter().map(|i| (self.expr(i, scope), i.span)).collect()),
            ExprKind::Splat(_) => self.error(
                Diagnostic::new(Code::E0115, "`*` spreads values only into a call's arguments", e.span, "not a call argument")
                    .with_help("write `f(*shape)`, or use the tuple itself"),
            ),
            ExprKind::SplatKeywords(_) => self.error(
                Diagnostic::new(Code::E0115, "`**` spreads a dict only into a call's arguments", e.span, "not a call argument")
                    .with_help("write `f(**options)`, or use the dict itself"),
            ),
            ExprKind::Unary { op: UnOp::Neg, operand } => {
                let v = self.expr(operand, scope);
                self.neg(v, operand.span, e.span)
            }
            ExprKind::Unary { op: UnOp::Invert, operand } => {
                let v = self.expr(operand, scope);
                self.invert(v, operand.span, e.span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.expr(lhs, scope);
                let b = self.expr(rhs, scope);
                self.binary(*op, (a, lhs.span), (b, rhs.span), e.span)
            }
            ExprKind::Logic { op, lhs, rhs } => self.logic(*op, lhs, rhs, scope),
            ExprKind::Bitwise { op, lhs, rhs } => {
                let a = self.expr(lhs, scope);
                let b = self.expr(rhs, scope);
                self.bitwise(*op, (a, lhs.span), (b, rhs.span), e.span)
            }
            ExprKind::Not(operand) => self.not(operand, scope),
            ExprKind::Is { lhs, rhs, negated } => self.is(lhs, rhs, *negated, e.span, scope),
            ExprKind::In { lhs, rhs, negated } => {
                let needle = self.expr(lhs, scope);
                let within = self.expr(rhs, scope);
                self.membership((needle, lhs.span), (within, rhs.span), *negated, e.span)
            }
            // `needs_grad(p)` names a parameter and reads no value, so its argument is not evaluated.
            ExprKind::Call { callee, args } if callee.name == crate::check::ops::NEEDS_GRAD => self.needs_grad(args, e.span, callee.span),
            ExprKind::Call { callee, args } if callee.name == super::conditions::MARK_NON_DIFFERENTIABLE => {
                let args = self.args(args, scope);
                self.mark_non_differentiable(args, callee.span)
            }
            ExprKind::Call { callee, args } => {
                // `relu_(x)` (PyTorch's `F.relu_(x)`, `torch.relu_(x)`) is `x.relu_()`.
                if let Some(first) = args.first().filter(|a| a.name.is_none() && super::inplace::elementwise_inplace(&callee.name).is_some()) {
                    if self.is_inplace_method(&callee.name, &first.value) && !scope.names.contains_key(&callee.name) {
                        return self.inplace_method(&first.value, callee, &args[1..], scope, e.span);
                    }
                }
                // `next(iter(loader))`: a loader's first batch (`data_loader.rs`).
                if let ([arg], "next", false) =
                    (args.as_slice(), callee.name.as_str(), self.defs.fns.contains_key("next") || scope.names.contains_key("next"))
                {
                    if let (ExprKind::Call { callee: inner, args: inner_args }, None) = (&arg.value.kind, &arg.name) {
                        if let ([it], "iter") = (inner_args.as_slice(), inner.name.as_str()) {
                            let v = self.expr(&it.value, scope);
                            return self.first_batch(v, it.value.span, scope, e.span);
                        }
                    }
                }
                // `len(losses)` in the loop that appends to `losses` (`stacked_lists.rs`).
                if let (Some(ExprKind::Name(n)), 1, false) =
                    (args.first().map(|a| &a.value.kind), args.len(), self.defs.fns.contains_key("len") || scope.names.contains_key("len"))
                {
                    if callee.name == "len" && args[0].name.is_none() && matches!(scope.names.get(n), Some(Value::Appending(_))) {
                        return self.appending_len(n, scope, e.span);
                    }
                }
                let args = self.args(args, scope);
                // A name bound to a function (`loss_func = nll`) calls that function.
                let bound = scope.names.get(&callee.name).or_else(|| if scope.reads_globals { self.globals.get(&callee.name) } else { None });
                if let Some(Value::Func(target, version)) = bound {
                    let (target, version) = (Ident { name: target.clone(), span: callee.span }, *version);
                    return self.call_version(&target, version, args, e.span);
                }
                if let Some(Value::Lambda(c)) = bound {
                    let c = c.clone();
                    return self.call_lambda(&c, callee, args, e.span);
                }
                // A name whose value was already reported (a failed `partial`) adds no error of its own.
                if let Some(Value::Poison) = bound {
                    return Value::Poison;
                }
                // `model(x)`: the object's `forward` (`objects.rs`).
                if let Some(obj @ Value::Object { .. }) = bound {
                    let obj = self.current_value(obj.clone());
                    let path = Expr { kind: ExprKind::Name(callee.name.clone()), span: callee.span };
                    return self.call_object(obj, Some(&path), args, scope, e.span);
                }
                let outer = std::mem::take(&mut self.mutated_args);
                let r = self.call(callee, args, e.span);
                let mutated = std::mem::replace(&mut self.mutated_args, outer);
                self.write_back_args(mutated, args_of_call(&e.kind), scope);
                r
            }
            ExprKind::Method { receiver, method, args } => {
                // `super().__init__()` in a method (`objects.rs`).
                if let ExprKind::Call { callee, .. } = &receiver.kind {
                    if callee.name == "super" && !scope.names.contains_key("super") && !self.defs.fns.contains_key("super") {
                        return self.super_call(method, args, scope, e.span);
                    }
                }
                // A method of an object, or a module it holds (`self.fc(x)`).
                if let Some(obj) = self.peek_object(receiver, scope) {
                    return self.object_method(receiver, obj, method, args, scope, e.span);
                }
                if self.is_inplace_method(&method.name, receiver) {
                    return self.inplace_method(receiver, method, args, scope, e.span);
                }
                // `nn.Embedding.from_pretrained(vectors)`: a classmethod of the module.
                if let ExprKind::Name(class) = &receiver.kind {
                    if matches!(class.as_str(), "Embedding" | "EmbeddingBag") && method.name == "from_pretrained" && !scope.names.contains_key(class)
                    {
                        let args = self.args(args, scope);
                        return self.pretrained_embedding(class, args, e.span);
                    }
                }
                let user_defined = self.defs.ops.contains_key(&method.name) || self.defs.fns.contains_key(&method.name);
                match method.name.as_str() {
                    "requires_grad_" if !user_defined => return self.requires_grad_method(receiver, args, scope, e.span),
                    "retain_grad" if !user_defined => return self.retain_grad_method(receiver, args, scope, e.span),
                    "clone" if !user_defined => return self.clone_method(receiver, args, scope, e.span),
                    "contiguous" if !user_defined => return self.contiguous_method(receiver, args, scope, e.span),
                    _ => {}
                }
                if method.name == "zero_" {
                    return self.zero_method(receiver, args, scope, e.span);
                }
                if method.name == "append" {
                    return self.list_append(receiver, args, scope, e.span);
                }
                if super::tuples::is_shape_method(&method.name)
                    && !self.defs.ops.contains_key(&method.name)
                    && !self.defs.fns.contains_key(&method.name)
                {
                    let recv = self.expr(receiver, scope);
                    let args = self.args(args, scope);
                    return self.shape_method(recv, receiver.span, method, args, e.span);
                }
                let recv = self.expr(receiver, scope);
                if matches!(recv, Value::Poison) {
                    // The receiver's error was reported; a method of it would only repeat it.
                    self.args(args, scope);
                    if method.name == "backward" && !user_defined {
                        return self.backward_of_poison();
                    }
                    return Value::Poison;
                }
                // `z.grad_fn.name()`: the backward node's name, as PyTorch's `Node.name()`.
                if let Value::GradFn(name) = &recv {
                    if method.name == "name" && args.is_empty() {
                        // The nodes autograd defines by hand, rather than
                        // generates from derivatives.yaml, answer with their
                        // C++ name (a tensor prints the short one).
                        if name == "CopySlices" {
                            return Value::Str(format!("torch::autograd::{name}"));
                        }
                        return Value::Str(name.clone());
                    }
                    return self.error(
                        Diagnostic::new(Code::E0102, format!("a `grad_fn` has no method `{}` in .act", method.name), method.span, "unknown method")
                            .with_help("`.name()` gives the backward node's name (`AddBackward0`)"),
                    );
                }
                // A method of `None` (`ones(2).grad_fn.name()`): Python's AttributeError.
                if matches!(recv, Value::None) && !user_defined {
                    self.args(args, scope);
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`none` has no method `{}`", method.name), receiver.span, "this is `None`").with_help(format!(
                            "Python raises AttributeError: 'NoneType' object has no attribute '{}'; the `grad_fn` of a leaf or of a tensor that does not require grad is `None`",
                            method.name
                        )),
                    );
                }
                // `Transformer.generate_square_subsequent_mask(sz)`, a static method.
                if matches!(&recv, Value::Func(c, _) if c == "Transformer") && method.name == "generate_square_subsequent_mask" {
                    let args = self.args(args, scope);
                    return self.square_subsequent_mask(args, e.span);
                }
                if let Value::Optimizer(k) = recv {
                    let args = self.args(args, scope);
                    return self.optimizer_method(k, method, args, e.span);
                }
                // A method of an object made by a call (`Net().to(device)`).
                if matches!(recv, Value::Object { .. }) {
                    return self.object_method(receiver, recv, method, args, scope, e.span);
                }
                if let Value::Scheduler(k) = recv {
                    let args = self.args(args, scope);
                    return self.scheduler_method(k, method, args, e.span);
                }
                if let Value::Generator(k) = recv {
                    let args = self.args(args, scope);
                    return self.generator_method(k, method, args, e.span);
                }
                // A string's methods (`"{:.4f}".format(loss)`, `", ".join(names)`).
                if let Value::Str(s) = &recv {
                    let (s, all) = (s.clone(), self.args(args, scope));
                    return match self.str_method(&s, receiver.span, method, all, e.span) {
                        Some(v) => v,
                        None => self.error(
                            Diagnostic::new(Code::E0102, format!("a string has no method `{}` in .act", method.name), method.span, "unknown method").with_help(
                                "a string's methods here are `format`, `join`, `upper`, `lower`, `strip`, `lstrip`, `rstrip`, `startswith`, `endswith`, `replace` and `split`, with Python's arguments",
                            ),
                        ),
                    };
                }
                if let Value::Dict { keys, items, ordered } = recv {
                    let args = self.args(args, scope);
                    return self.dict_method(receiver, (keys, items, ordered), method, args, scope, e.span);
                }
                // `t.item()`: the Python number a one-element tensor holds.
                if method.name == "item" && args.is_empty() && !self.defs.fns.contains_key("item") && !self.defs.ops.contains_key("item") {
                    return match recv {
                        Value::Tensor(t) => self.item(t, receiver.span, None, e.span),
                        Value::Poison => Value::Poison,
                        other => self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("`.item()` needs a tensor, not {}", other.describe()),
                                receiver.span,
                                "not a tensor",
                            )
                            .with_help("`.item()` converts a one-element tensor to a Python number"),
                        ),
                    };
                }
                // `t.tolist()`: the elements as nested lists of Python numbers.
                if method.name == "tolist" && args.is_empty() && !user_defined {
                    return match recv {
                        Value::Tensor(t) => self.tolist(t, receiver.span, e.span),
                        Value::Poison => Value::Poison,
                        other => self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("`.tolist()` needs a tensor, not {}", other.describe()),
                                receiver.span,
                                "not a tensor",
                            )
                            .with_help("`.tolist()` converts a tensor to (nested) lists of Python numbers"),
                        ),
                    };
                }
                let mut all = vec![(None, recv, receiver.span)];
                all.extend(self.args(args, scope));
                // A conversion method, unless the program defines a function of that name.
                let user_defined = self.defs.ops.contains_key(&method.name) || self.defs.fns.contains_key(&method.name);
                if let (Some(b), false) = (builtins::cast_method(&method.name), user_defined) {
                    return self.call_builtin(b, &method.name, all, e.span);
                }
                // A tensor method is the builtin even where the file defines a
                // function of that name, as in Python; other names call the file's op or fn.
                if builtins::lookup(&method.name).is_some() {
                    return self.call_builtin_named(method, all, e.span);
                }
                self.call(method, all, e.span)
            }
            ExprKind::Field { receiver, field } => {
                let recv = self.expr(receiver, scope);
                self.field(recv, receiver.span, field)
            }
            ExprKind::Apply { callee, args } => {
                let f = self.expr(callee, scope);
                let all = self.args(args, scope);
                self.apply(f, callee.span, all, scope, e.span)
            }
            ExprKind::Index { receiver, items } => {
                // `losses[-1]` in the loop that appends to `losses` (`stacked_lists.rs`).
                if let (ExprKind::Name(n), [crate::syntax::ast::IndexItem::Expr(i)]) = (&receiver.kind, &items[..]) {
                    if matches!(scope.names.get(n), Some(Value::Appending(_))) {
                        return match self.expr(i, scope) {
                            Value::Number(Num::Int(back)) if back < 0 => self.appending_item(n, -back, scope, e.span),
                            _ => self.appending_read(n, receiver.span),
                        };
                    }
                }
                self.index(receiver, items, scope, e.span)
            }
            ExprKind::FString(pieces) => self.fstring(pieces, scope),
            ExprKind::Comprehension(c) => self.comprehension(c, e.span, scope),
            ExprKind::Lambda(def) => self.lambda(def, e.span, scope),
            ExprKind::IfElse { then, cond, otherwise } => self.if_else(then, cond, otherwise, scope),
            ExprKind::Chain { first, links } => self.chain(first, links, e.span, scope),
        }
    }

    /// Evaluates a call's arguments; `*t` spreads a tuple's or list's items.
    pub(crate) fn args(&mut self, args: &[Arg], scope: &mut Scope) -> Vec<(Option<Ident>, Value, Span)> {
        let mut out = Vec::new();
        for a in args {
            match &a.value.kind {
                ExprKind::Splat(inner) => {
                    let v = self.expr(inner, scope);
                    out.extend(self.splat(v, inner.span).into_iter().map(|(v, s)| (None, v, s)));
                }
                ExprKind::SplatKeywords(inner) => {
                    let v = self.expr(inner, scope);
                    out.extend(self.splat_keywords(v, inner.span));
                }
                _ => out.push((a.name.clone(), self.expr(&a.value, scope), a.value.span)),
            }
        }
        out
    }

    /// Calls a builtin, an op or a fn by name.
    pub(crate) fn call(&mut self, callee: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        if self.defs.recursive.contains(&callee.name) {
            // The cycle was reported by the definition checks; inlining it would never end.
            return Value::Poison;
        }
        if let Some(op) = self.defs.ops.get(&callee.name).copied() {
            return self.call_op(op, args, span);
        }
        if let Some(f) = self.fn_def(&callee.name, self.fn_now.get(&callee.name).copied().unwrap_or(0)) {
            return self.call_fn(f, args, span);
        }
        // A class of the file, a `torch.nn` module, or `nn.Parameter` (`objects.rs`, `nn_modules.rs`).
        if let Some(c) = self.class_def(&callee.name) {
            return self.instantiate(c, args, span);
        }
        if super::nn_modules::is_module_class(&callee.name) {
            return self.builtin_module(&callee.name, args, span);
        }
        if callee.name == "Parameter" {
            return self.parameter_call(args, span);
        }
        self.call_builtin_named(callee, args, span)
    }

    /// Calls a function value: definition `version` of a fn (see [`Value::Func`]),
    /// or the op or builtin of that name.
    pub(crate) fn call_version(&mut self, callee: &Ident, version: usize, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        if self.defs.recursive.contains(&callee.name) {
            return Value::Poison;
        }
        match self.fn_def(&callee.name, version) {
            Some(f) => self.call_fn(f, args, span),
            None => self.call(callee, args, span),
        }
    }

    /// Definition `version` of the fn `name` (0 the first), if the file defines one.
    fn fn_def(&self, name: &str, version: usize) -> Option<&'a crate::syntax::ast::FnDef> {
        match version {
            0 => self.defs.fns.get(name).copied(),
            k => self.defs.redefined.get(k - 1).copied(),
        }
    }

    /// A builtin applied to positional values, as if the program had called
    /// it: for builtins written as compositions of others (`closeness.rs`).
    pub(super) fn call_builtin_values(&mut self, name: &str, args: Vec<(Value, Span)>, span: Span) -> Value {
        let callee = Ident { name: name.to_string(), span };
        self.call_builtin_named(&callee, args.into_iter().map(|(v, s)| (None, v, s)).collect(), span)
    }

    /// Calls the builtin (or optimizer, or Python function) of that name, even
    /// where the file defines an op or fn of the same name: a method call
    /// (`x.softmax(dim=1)`) and graphc's own calls always mean the builtin.
    pub(crate) fn call_builtin_named(&mut self, callee: &Ident, mut args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        if let Some(v) = self.call_with_out(callee, &mut args, span) {
            return v;
        }
        // `einsum` takes its operands spread or in one list (`lower/einsum.rs`).
        if callee.name == "einsum" {
            return self.einsum_call(args, span);
        }
        if let Some(kind) = super::optim::Kind::lookup(&callee.name) {
            return self.make_optimizer(kind, callee, args, span);
        }
        if let Some(name) = super::optim::schedulers::lookup(&callee.name) {
            return self.make_scheduler(name, callee, args, span);
        }
        // `torch.utils.data` (`data_loader.rs`).
        match callee.name.as_str() {
            "TensorDataset" => return self.tensor_dataset(args, span),
            "DataLoader" => return self.data_loader(args, span),
            "random_split" => return self.random_split(args, span),
            "meshgrid" => return self.meshgrid_call(args, span),
            "Generator" => return self.generator_call(args),
            _ => {}
        }
        // `functools.partial` (`lambdas.rs`).
        if callee.name == "partial" {
            return self.partial_call(args, span);
        }
        // Python's `copy.deepcopy` (`module_state.rs`).
        if callee.name == "deepcopy" {
            return match args.as_slice() {
                [(None, v, vs)] => self.deepcopy(v.clone(), *vs, span),
                _ => self.error(
                    Diagnostic::new(Code::E0103, "`deepcopy` takes one value", span, "not one value")
                        .with_help("write `deepcopy(model.state_dict())`"),
                ),
            };
        }
        if let Some(v) = self.arith_call(&callee.name, &args, span) {
            return v;
        }
        // `float(t)`, `len(xs)`, `round(x)`, `max(a, b)` of Python values.
        if let Some(v) = self.host_call(&callee.name, &args, span) {
            return v;
        }
        // Python's own functions of an argument already reported (`len(range(10**9))`)
        // add no error of their own.
        if matches!(
            callee.name.as_str(),
            "len" | "list" | "tuple" | "dict" | "OrderedDict" | "range" | "reversed" | "enumerate" | "zip" | "float" | "int" | "bool" | "round"
        ) && args.iter().any(|(_, v, _)| matches!(v, Value::Poison))
        {
            return Value::Poison;
        }
        if let Some(b) = builtins::lookup(&callee.name) {
            let b = builtins::figure_scatter(b, &args);
            // A backward block is a template that autodiff copies into each
            // backward pass; an effect inside it (a print, a figure, a sample, a
            // nested backward) has no single place in the program, and used to
            // reach the optimizer as a dangling node.
            if matches!(self.region, crate::ir::graph::Region::Template(_)) && has_effect(b) {
                return self.error(
                    Diagnostic::new(
                        Code::E0108,
                        format!("`{}` inside a backward block", callee.name),
                        callee.span,
                        "not allowed in a backward block",
                    )
                    .with_help("a backward block computes gradients only; print or plot them at the top level, from `x.grad` or `grad(...)`"),
                );
            }
            // `sqrt(d)` of a host number is Python's `math.sqrt(d)`, a host number.
            if let [(None, Value::Number(n), arg_span)] = args.as_slice() {
                if super::host_math::applies(&callee.name) {
                    return self.host_math(&callee.name, *n, *arg_span, span);
                }
            }
            return self.call_builtin(b, &callee.name, args, span);
        }
        let mut candidates: Vec<&str> = builtins::names();
        candidates.extend(self.defs.ops.keys().map(String::as_str));
        candidates.extend(self.defs.fns.keys().map(String::as_str));
        let d = Diagnostic::new(Code::E0102, format!("there is no function `{}`", callee.name), callee.span, "unknown function");
        // A PyTorch name with a known equivalent beats a spelling neighbour: `max` is not a typo of `mean`.
        let d = match (aliases::pytorch_help(&callee.name), crate::check::ops::closest(&callee.name, candidates.into_iter())) {
            (Some(help), _) => d.with_help(help),
            (None, Some(s)) => d.with_help(format!("did you mean `{s}`?")),
            (None, None) => d.with_help("call a builtin (docs/act-language.md, section 5), or define it with `fn` or `op`"),
        };
        self.error(d)
    }

    /// Requires a tensor; numbers are not accepted here.
    pub(crate) fn expect_tensor(&mut self, v: Value, span: Span, what: &str) -> Option<NodeId> {
        match v {
            Value::Tensor(n) => Some(n),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("{what} must be a tensor, not {}", other.describe()), span, "not a tensor")
                        .with_help("make a tensor with `tensor([...])`, `full(...)` or another creation builtin"),
                );
                None
            }
        }
    }

    pub(super) fn neg(&mut self, v: Value, operand_span: Span, span: Span) -> Value {
        match v {
            Value::Number(Num::Float(v)) => Value::Number(Num::Float(-v)),
            Value::Number(Num::Int(i)) => self.int_result(i.checked_neg(), span, &[operand_span]),
            Value::Host { node, kind } => self.host_neg(node, kind, span),
            Value::Tensor(n) => {
                let Some(dt) = self.rule_dtype(Unary::Neg.result_type(), self.dtype_of(n), "unary `-`", operand_span) else { return Value::Poison };
                let sh = self.shape_of(n);
                Value::Tensor(self.op_node(Op::Unary(Unary::Neg), dt, sh, &[n], span, "NegBackward0"))
            }
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(Code::E0107, format!("cannot negate {}", other.describe()), operand_span, "not a number or tensor")
                    .with_help("unary `-` applies to numbers and tensors"),
            ),
        }
    }

    /// `~v`, PyTorch's `bitwise_not`: logical not of a bool tensor (`~mask`),
    /// `-1 - x` of an integer one (two's complement, as the runtime's wrapping
    /// subtraction computes it), and Python's `-n - 1` of an int.
    fn invert(&mut self, v: Value, operand_span: Span, span: Span) -> Value {
        match v {
            Value::Number(Num::Int(i)) => self.int_result((-1i128).checked_sub(i), span, &[operand_span]),
            Value::Host { node, kind: super::HostKind::Int } => {
                let minus_one = Value::Number(Num::Int(-1));
                let x = Value::Host { node, kind: super::HostKind::Int };
                self.binary(BinOp::Sub, (minus_one, span), (x, operand_span), span)
            }
            Value::Tensor(n) => {
                let (dt, sh) = (self.dtype_of(n), self.shape_of(n));
                match dt {
                    DType::Bool => Value::Tensor(self.node(Op::Logical(graphc_runtime::op::Logical::Not), DType::Bool, sh, &[n], span)),
                    DType::I64 => {
                        let minus_one = self.node(Op::Full(graphc_runtime::op::Scalar::Int(-1)), DType::I64, vec![], &[], span);
                        Value::Tensor(self.node(Op::Binary(Binary::Sub), DType::I64, sh, &[minus_one, n], span))
                    }
                    DType::F32 | DType::F64 => self.error(
                        Diagnostic::new(Code::E0204, format!("`~` does not take {dt} tensors"), operand_span, format!("this is {dt}"))
                            .with_help("`~` inverts bool and integer tensors (PyTorch's `bitwise_not`); for a mask of floats write `x == 0`"),
                    ),
                }
            }
            Value::Poison => Value::Poison,
            Value::Bool(_) | Value::Host { kind: super::HostKind::Bool, .. } => self.error(
                Diagnostic::new(Code::E0107, "`~` of a bool", operand_span, "a Python bool")
                    .with_help("write `not b`: Python's `~True` is the int -2, deprecated since Python 3.12"),
            ),
            other => self.error(
                Diagnostic::new(Code::E0107, format!("cannot invert {}", other.describe()), operand_span, "not an integer or tensor")
                    .with_help("`~` applies to ints and to bool or integer tensors"),
            ),
        }
    }

    /// Checks that two tensors may meet: same dtype, broadcastable shapes. Returns the result shape.
    pub(crate) fn meet(&mut self, a: NodeId, sa: Span, b: NodeId, sb: Span, what: &str) -> Option<Vec<usize>> {
        let (da, db) = (self.dtype_of(a), self.dtype_of(b));
        if da != db {
            self.error(
                Diagnostic::new(Code::E0201, format!("{what} mixes {da} and {db}"), sa, format!("this is {da}"))
                    .with_secondary(sb, format!("this is {db}"))
                    .with_help("graphc never converts dtypes implicitly; create both tensors with the same `dtype=`"),
            );
            return None;
        }
        match shapes::broadcast(&self.shape_of(a), &self.shape_of(b)) {
            Ok(s) => Some(s),
            Err(msg) => {
                let (sha, shb) = (shapes::show(&self.shape_of(a)), shapes::show(&self.shape_of(b)));
                self.error(
                    Diagnostic::new(Code::E0202, format!("{what}: {msg}"), sa, format!("shape {sha}"))
                        .with_secondary(sb, format!("shape {shb}"))
                        .with_help("make the shapes equal, or 1 where one side should be repeated (NumPy broadcasting)"),
                );
                None
            }
        }
    }

    /// `a OP b` for any mix of numbers and tensors.
    pub(crate) fn binary(&mut self, op: BinOp, (a, sa): (Value, Span), (b, sb): (Value, Span), span: Span) -> Value {
        use Value::{Number, Poison, Tensor};
        if op.is_comparison() {
            return self.compare(op, (a, sa), (b, sb), span);
        }
        // PyTorch refuses `-` with a bool tensor on either side, whatever the other operand.
        if op == BinOp::Sub {
            for (v, s) in [(&a, sa), (&b, sb)] {
                if matches!(v, Tensor(t) if self.dtype_of(*t) == DType::Bool) {
                    return self.error(
                        Diagnostic::new(Code::E0204, "`-` does not take bool tensors", s, "this is bool")
                            .with_help("to invert a mask use `logical_not(mask)`; to count, convert first with `.long()`"),
                    );
                }
            }
        }
        // `template % args`: Python's printf-style formatting of a str.
        if let (BinOp::Mod, Value::Str(template)) = (op, &a) {
            return self.percent_format(template, sa, (b, sb), span);
        }
        // `"loss " + str(loss.item())`: Python's concatenation of strs, a
        // run-time text when a side is one.
        if let (BinOp::Add, Value::Str(_) | Value::Text(_), Value::Str(_) | Value::Text(_)) = (op, &a, &b) {
            let piece = |v: Value| match v {
                Value::Str(s) => crate::ir::program::PrintArg::Text(s),
                Value::Text(pieces) => crate::ir::program::PrintArg::Concat(pieces),
                _ => unreachable!("matched as a str or a text above"),
            };
            return super::fstrings::text_value(super::output_calls::concat(vec![piece(a), piece(b)]));
        }
        let what = format!("`{}`", op.symbol());
        if let Some(v) = sequence_binary(op, &a, &b) {
            return v;
        }
        if let Some(v) = self.host_binary(op, (&a, sa), (&b, sb), span) {
            return v;
        }
        match (a, b) {
            (Poison, _) | (_, Poison) => Poison,
            (Value::Host { node, kind }, Tensor(t)) => self.host_tensor(op, (t, sb), (node, kind, sa), false, span),
            (Tensor(t), Value::Host { node, kind }) => self.host_tensor(op, (t, sa), (node, kind, sb), true, span),
            (Number(x), Number(y)) => self.fold_numbers(op, (x, sa), (y, sb), span),
            (Tensor(t), Number(Num::Int(value))) if op == BinOp::Pow && !self.dtype_of(t).is_float() => {
                self.integer_pow(t, sa, value as f64, sb, span)
            }
            (Tensor(t), Number(n)) => match self.promote_with_number(op, t, sa, n.is_int()) {
                Some(t) => self.tensor_number(op, t, n, sb, span),
                None => Poison,
            },
            (Number(n), Tensor(t)) => match self.promote_with_number(op, t, sb, n.is_int()) {
                Some(t) => self.number_tensor(op, n, sa, t, span),
                None => Poison,
            },
            (Tensor(x), Tensor(y)) => {
                let (o, name) = match op {
                    BinOp::Add => (Op::Binary(Binary::Add), "AddBackward0"),
                    BinOp::Sub => (Op::Binary(Binary::Sub), "SubBackward0"),
                    BinOp::Mul => (Op::Binary(Binary::Mul), "MulBackward0"),
                    BinOp::Div => (Op::Binary(Binary::Div), "DivBackward0"),
                    BinOp::Pow => (Op::Binary(Binary::Pow), "PowBackward1"),
                    BinOp::FloorDiv | BinOp::Mod => {
                        let Some(dt) = self.promote_tensors(x, sa, y, sb, &what) else { return Poison };
                        let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, sb));
                        return self.integer_division(super::host_values::division_row(op), (x, sa), (y, sb), true, false, span);
                    }
                    BinOp::MatMul => return self.matmul(x, sa, y, sb, span),
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => unreachable!("comparisons return above"),
                };
                let Op::Binary(row) = o else { unreachable!("arithmetic operators are rows of the binary table") };
                let Some(dt) = self.promote_tensors(x, sa, y, sb, &what) else { return Poison };
                let Some(dt) = self.rule_dtype(row.result_type(), dt, &what, span) else { return Poison };
                let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, sb));
                let Some(shape) = self.meet(x, sa, y, sb, &what) else { return Poison };
                Tensor(self.op_node(o, dt, shape, &[x, y], span, name))
            }
            (x, y) => {
                let (bad, bad_span) = if matches!(x, Number(_) | Tensor(_)) { (y, sb) } else { (x, sa) };
                self.error(
                    Diagnostic::new(Code::E0107, format!("{what} cannot take {}", bad.describe()), bad_span, "not a number or tensor")
                        .with_help("arithmetic applies to numbers and tensors"),
                )
            }
        }
    }

    /// Arithmetic on two literals happens at compile time, with Python's rules:
    /// exactly for two ints (`int_arith`), in f64 when either is a float.
    fn fold_numbers(&mut self, op: BinOp, (x, sa): (Num, Span), (y, sb): (Num, Span), span: Span) -> Value {
        if let (Num::Int(a), Num::Int(b)) = (x, y) {
            return self.int_arith(op, a, b, (sa, sb), span);
        }
        // An int beyond int64 met by a float becomes a float, as in Python.
        self.big_literals.retain(|s| *s != sa && *s != sb);
        let (x, y) = (x.f64(), y.f64());
        let value = match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div => {
                if y == 0.0 {
                    return self.division_by_zero(sb);
                }
                x / y
            }
            BinOp::Pow => x.powf(y),
            BinOp::FloorDiv | BinOp::Mod => {
                if y == 0.0 {
                    return self.zero_divisor(op, sb);
                }
                return super::host_math::fold_division(op, x, y);
            }
            BinOp::MatMul => {
                return self.error(Diagnostic::new(Code::E0107, "`@` needs tensors, not numbers", sb, "a number").with_help("use `*` for numbers"))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => unreachable!("comparisons are lowered by `compare`"),
        };
        Value::Number(Num::Float(value))
    }

    /// `a OP b` of two ints, exactly, as Python computes it: `/` and `**` with a
    /// negative exponent give floats, `//` and `%` round toward negative infinity.
    fn int_arith(&mut self, op: BinOp, a: i128, b: i128, (sa, sb): (Span, Span), span: Span) -> Value {
        let exact = match op {
            BinOp::Add => a.checked_add(b),
            BinOp::Sub => a.checked_sub(b),
            BinOp::Mul => a.checked_mul(b),
            BinOp::Div => {
                if b == 0 {
                    return self.division_by_zero(sb);
                }
                return self.fold_numbers(op, (Num::Float(a as f64), sa), (Num::Float(b as f64), sb), span);
            }
            BinOp::Pow if b < 0 => return self.fold_numbers(op, (Num::Float(a as f64), sa), (Num::Float(b as f64), sb), span),
            BinOp::Pow => match u32::try_from(b) {
                Ok(e) => a.checked_pow(e),
                // Only 0, 1 and -1 have a power this high within 128 bits.
                Err(_) => match a {
                    0 | 1 => Some(a),
                    -1 => Some(if b % 2 == 0 { 1 } else { -1 }),
                    _ => None,
                },
            },
            BinOp::FloorDiv | BinOp::Mod => {
                if b == 0 {
                    return self.zero_divisor(op, sb);
                }
                super::host_math::int_division(op, a, b)
            }
            BinOp::MatMul => {
                return self.error(Diagnostic::new(Code::E0107, "`@` needs tensors, not numbers", sb, "a number").with_help("use `*` for numbers"))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => unreachable!("comparisons are lowered by `compare`"),
        };
        self.int_result(exact, span, &[sa, sb])
    }

    /// An int computed at compile time (`None` when it overflowed 128 bits) from
    /// the ints written at `operands`. One beyond int64 is kept, for `manual_seed`
    /// (whose seeds reach 2^64 - 1), and reported as E0665 at the end unless a
    /// seed took it (`data_calls.rs`). One within int64 clears its operands: an
    /// int beyond int64 that arithmetic brings back (`-(2**63)`, `2**64 // 2`)
    /// never reached anything that holds int64, as in Python.
    pub(crate) fn int_result(&mut self, exact: Option<i128>, span: Span, operands: &[Span]) -> Value {
        match exact {
            Some(n) => {
                if i64::try_from(n).is_err() {
                    self.big_literals.push(span);
                } else {
                    self.big_literals.retain(|s| !operands.contains(s));
                }
                Value::Number(Num::Int(n))
            }
            // This error covers the operands' own, if they were beyond int64 too.
            None => {
                self.big_literals.retain(|s| !(span.start <= s.start && s.end <= span.end));
                self.int_overflow(span)
            }
        }
    }

    /// E0665 for an int that overflowed even the 128 bits compile-time ints have.
    fn int_overflow(&mut self, span: Span) -> Value {
        self.error(
            Diagnostic::new(Code::E0665, "this integer is far beyond int64", span, "too large for int64").with_help(
                "integers are int64, as PyTorch's are (-2^63 to 2^63 - 1): compute a smaller integer, or use a float (`2.0 ** 100`) if an approximate value is meant",
            ),
        )
    }

    /// `x / 0` of two compile-time numbers.
    fn division_by_zero(&mut self, sb: Span) -> Value {
        self.error(
            Diagnostic::new(Code::E0107, "division by zero in a constant expression", sb, "this is zero")
                .with_help("Python raises ZeroDivisionError here; divide a tensor to get inf"),
        )
    }

    /// `tensor OP number`: the number is wrapped to the tensor's dtype.
    fn tensor_number(&mut self, op: BinOp, t: NodeId, c: Num, sc: Span, span: Span) -> Value {
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        let (o, name) = match op {
            // PyTorch dispatches `x ** c` to pow(Tensor, Scalar), with its own fast paths.
            BinOp::Pow => return Value::Tensor(self.op_node(Op::PowScalar(F64Bits::new(c.f64())), dt, sh, &[t], span, "PowBackward0")),
            BinOp::Add => (Op::Binary(Binary::Add), "AddBackward0"),
            BinOp::Sub => (Op::Binary(Binary::Sub), "SubBackward0"),
            BinOp::Mul => (Op::Binary(Binary::Mul), "MulBackward0"),
            BinOp::Div => (Op::Binary(Binary::Div), "DivBackward0"),
            BinOp::FloorDiv | BinOp::Mod => {
                if c.f64() == 0.0 && !dt.is_float() {
                    return self.zero_divisor(op, sc);
                }
                let c = self.scalar_num(c, dt, sc);
                return self.integer_division(super::host_values::division_row(op), (t, span), (c, sc), true, true, span);
            }
            BinOp::MatMul => {
                return self.error(Diagnostic::new(Code::E0107, "`@` needs two tensors", sc, "a number").with_help("use `*` to scale a tensor"))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => unreachable!("comparisons are lowered by `compare`"),
        };
        let c = self.scalar_num(c, dt, sc);
        Value::Tensor(self.op_node(o, dt, sh, &[t, c], span, name))
    }

    /// `number OP tensor`, with the reflected operators PyTorch uses.
    fn number_tensor(&mut self, op: BinOp, c: Num, sc: Span, t: NodeId, span: Span) -> Value {
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        match op {
            BinOp::Add => {
                let c = self.scalar_num(c, dt, sc);
                Value::Tensor(self.op_node(Op::Binary(Binary::Add), dt, sh, &[c, t], span, "AddBackward0"))
            }
            BinOp::Mul => {
                let c = self.scalar_num(c, dt, sc);
                Value::Tensor(self.op_node(Op::Binary(Binary::Mul), dt, sh, &[c, t], span, "MulBackward0"))
            }
            // `c - x` is `torch.rsub(x, c)`.
            BinOp::Sub => {
                let c = self.scalar_num(c, dt, sc);
                Value::Tensor(self.op_node(Op::Binary(Binary::Sub), dt, sh, &[c, t], span, "RsubBackward1"))
            }
            // `c / x` is `x.reciprocal() * c` in torch/_tensor.py (`__rdiv__`).
            BinOp::Div => {
                let r = self.op_node(Op::PowScalar(F64Bits::new(-1.0)), dt, sh.clone(), &[t], span, "ReciprocalBackward0");
                let c = self.scalar_num(c, dt, sc);
                Value::Tensor(self.op_node(Op::Binary(Binary::Mul), dt, sh, &[r, c], span, "MulBackward0"))
            }
            // `c ** x` is `torch.pow(c, x)` (pow.Scalar).
            BinOp::Pow => {
                let c = self.scalar_num(c, dt, sc);
                Value::Tensor(self.op_node(Op::Binary(Binary::Pow), dt, sh, &[c, t], span, "PowBackward2"))
            }
            BinOp::FloorDiv | BinOp::Mod => {
                let c = self.scalar_num(c, dt, sc);
                self.integer_division(super::host_values::division_row(op), (t, span), (c, sc), false, true, span)
            }
            BinOp::MatMul => self.error(Diagnostic::new(Code::E0107, "`@` needs two tensors", sc, "a number").with_help("use `*` to scale a tensor")),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => unreachable!("comparisons are lowered by `compare`"),
        }
    }

    /// A tensor meeting a host number under `op`: converted to the dtype they
    /// meet in (PyTorch's wrapped-number rule), then to the dtype the op
    /// computes in (its `TypeRule`; `**` with a number is float-only).
    pub(super) fn promote_with_number(&mut self, op: BinOp, t: NodeId, st: Span, is_int: bool) -> Option<NodeId> {
        let dt = crate::check::promotion::with_number(self.dtype_of(t), crate::check::promotion::number_category(is_int));
        let rule = match op {
            BinOp::Add => Binary::Add.result_type(),
            BinOp::Sub => Binary::Sub.result_type(),
            BinOp::Mul => Binary::Mul.result_type(),
            BinOp::Div => Binary::Div.result_type(),
            BinOp::Pow => Binary::Pow.result_type(),
            BinOp::FloorDiv => Binary::FloorDivide.result_type(),
            BinOp::Mod => Binary::Remainder.result_type(),
            // These report their own errors, so the tensor passes unchanged.
            BinOp::MatMul | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => return Some(t),
        };
        let dt = self.rule_dtype(rule, dt, &format!("`{}`", op.symbol()), st)?;
        Some(self.cast_to(t, dt, st))
    }

    pub(crate) fn matmul(&mut self, a: NodeId, sa: Span, b: NodeId, sb: Span, span: Span) -> Value {
        let (da, db) = (self.dtype_of(a), self.dtype_of(b));
        if da != db {
            return self.error(
                Diagnostic::new(Code::E0201, format!("matmul mixes {da} and {db}"), sa, format!("this is {da}"))
                    .with_secondary(sb, format!("this is {db}"))
                    .with_help("create both tensors with the same `dtype=`"),
            );
        }
        if da == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, "matmul does not take bool tensors", sa, "this is bool")
                    .with_help("convert first, for example with `.long()` or `.float()`"),
            );
        }
        let (sha, shb) = (self.shape_of(a), self.shape_of(b));
        match shapes::matmul(&sha, &shb) {
            Ok(shape) => {
                // PyTorch's matmul dispatches by rank, and the grad_fn shows which kernel ran.
                let name = self.matmul_grad_fn(a, b);
                Value::Tensor(self.op_node(Op::MatMul, da, shape, &[a, b], span, name))
            }
            Err(msg) => self.error(
                Diagnostic::new(Code::E0202, msg, sa, format!("shape {}", shapes::show(&sha)))
                    .with_secondary(sb, format!("shape {}", shapes::show(&shb)))
                    .with_help("the last dimension of the left operand must equal the first of the right one"),
            ),
        }
    }

    /// Whether `n` is a leaf created with `requires_grad=true`.
    pub(crate) fn is_grad_leaf(&self, n: NodeId) -> bool {
        self.grad_state.contains_key(&n)
    }

    /// E0401 for `.grad` (or `zero_grad`) of something that is not a requires-grad leaf.
    pub(crate) fn not_a_leaf(&mut self, n: NodeId, span: Span) -> Value {
        let why = if self.requires_grad(n) { "it is computed from other tensors, so it is not a leaf" } else { "it does not require grad" };
        self.error(
            Diagnostic::new(Code::E0401, format!("this tensor has no `.grad`: {why}"), span, "not a requires-grad leaf")
                .with_help("read `.grad` of a tensor created with `requires_grad=true` (for example `x = randn(3, requires_grad=true)`), or call `.retain_grad()` on this one before the backward"),
        )
    }

    fn field(&mut self, recv: Value, span: Span, field: &Ident) -> Value {
        if matches!(recv, Value::Poison) {
            return Value::Poison;
        }
        if matches!(recv, Value::Object { .. }) {
            return self.object_field(&recv, field);
        }
        // `type(m).__name__`, `f.__name__`: a class's or function's name.
        if let (Value::Func(name, _), "__name__") = (&recv, field.name.as_str()) {
            return Value::Str(name.clone());
        }
        // `Block.expansion`: a class attribute read through the class.
        if let Value::Func(name, _) = &recv {
            if let Some(v) = self.class_attr(name, &field.name) {
                return v;
            }
        }
        if let Some(v) = self.shape_field(&recv, span, field) {
            return v;
        }
        if field.name == "T" {
            // PyTorch 2.15 records `.T` of a matrix as a permute.
            return self.matrix_transpose(recv, span, span.to(field.span), "T", "PermuteBackward0");
        }
        if field.name == "mT" {
            return self.mt_field(recv, span);
        }
        // `x.max(dim=1).indices`: a named tuple's field.
        if let Value::Named { kind, fields, items } = &recv {
            return match fields.iter().position(|f| *f == field.name) {
                Some(k) => items[k].0.clone(),
                None => self.error(
                    Diagnostic::new(Code::E0102, format!("`torch.return_types.{kind}` has no field `{}`", field.name), field.span, "unknown field")
                        .with_help(format!("its fields are {}", fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(" and "))),
                ),
            };
        }
        // `opt.param_groups`: one value for each group (`optim/groups.rs`).
        if let (Value::Optimizer(k), "param_groups") = (&recv, field.name.as_str()) {
            let at = span.to(field.span);
            return Value::List(self.optimizer_groups(*k).into_iter().map(|g| (Value::ParamGroup { optimizer: g, defaults: false }, at)).collect());
        }
        if let Some(v) = self.loader_field(&recv, field) {
            return v;
        }
        if let (Value::Optimizer(k), "defaults") = (&recv, field.name.as_str()) {
            return Value::ParamGroup { optimizer: *k, defaults: true };
        }
        if let (Value::Optimizer(k), "state") = (&recv, field.name.as_str()) {
            return Value::OptimizerState { optimizer: *k, param: None };
        }
        if let (Value::Tensor(n), "dtype") = (&recv, field.name.as_str()) {
            return Value::DType(self.dtype_of(*n));
        }
        // Whether a tensor requires grad and is a leaf are known at compile time.
        match (&recv, field.name.as_str()) {
            (Value::Tensor(n), "requires_grad") => return Value::Bool(self.requires_grad(*n)),
            (Value::Tensor(n), "is_leaf") => return Value::Bool(self.is_grad_leaf(*n) || !self.requires_grad(*n)),
            // Every tensor lives in the host's memory: PyTorch's `device(type='cpu')`,
            // which prints and formats as `cpu`.
            (Value::Tensor(_), "device") => return Value::Str("cpu".to_string()),
            // `x.data`: the tensor's elements without its autograd history, a view
            // that updates write through, as `x.detach()` is (PyTorch's also keeps
            // its own version counter, which graphc does not).
            (Value::Tensor(n), "data") => {
                let (dt, sh) = (self.dtype_of(*n), self.shape_of(*n));
                return Value::Tensor(self.node(Op::Unary(graphc_runtime::op::Unary::Detach), dt, sh, &[*n], span.to(field.span)));
            }
            (Value::Tensor(n), "grad_fn") => {
                return match self.suffix(*n).grad_fn {
                    Some(name) => Value::GradFn(name),
                    None => Value::None,
                }
            }
            _ => {}
        }
        // A string's or a dict's method named without its call (`"{}".format`).
        if field.name != "grad" && matches!(recv, Value::Str(_) | Value::Dict { .. }) {
            let what = if matches!(recv, Value::Str(_)) { "a string" } else { "a dict" };
            return self.error(
                Diagnostic::new(Code::E0102, format!("{what} has no field `{}` in .act", field.name), field.span, "unknown field")
                    .with_help(format!("call its methods: `x.{}(...)`", field.name)),
            );
        }
        if field.name != "grad" {
            return self
                .error(Diagnostic::new(Code::E0102, format!("tensors have no field `{}`", field.name), field.span, "unknown field").with_help(
                    aliases::pytorch_help(&field.name).unwrap_or("the only field is `.grad`; call functions as methods with `x.f(...)`"),
                ));
        }
        match recv {
            Value::Tensor(n) if self.is_grad_leaf(n) => match Some(self.grad_state[&n]).flatten() {
                Some(g) if self.uncertain_grad(g, span) => Value::Poison,
                Some(g) => Value::Tensor(g),
                // The backward of a value in error may have been the one to set it.
                None if self.poisoned_backward => Value::Poison,
                None => Value::None,
            },
            // A tensor that does not require grad is a leaf without a gradient in
            // PyTorch (a frozen parameter's `.grad`): `None`, without a warning.
            Value::Tensor(n) if !self.requires_grad(n) => Value::None,
            Value::Tensor(n) if self.retained.contains_key(&n) => self.retained[&n].map_or(Value::None, Value::Tensor),
            Value::Tensor(n) => self.not_a_leaf(n, span),
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(Code::E0401, format!("{} has no `.grad`", other.describe()), span, "not a tensor")
                    .with_help("read `.grad` of a tensor created with `requires_grad=true`"),
            ),
        }
    }

    /// `x.grad.zero_()`: the gradient of leaf `x` becomes zeros.
    fn zero_method(&mut self, receiver: &Expr, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        if let Some(a) = args.first() {
            return self.error(
                Diagnostic::new(Code::E0103, "`zero_` takes no arguments", a.value.span, "unexpected argument").with_help("write `x.grad.zero_()`"),
            );
        }
        let ExprKind::Field { receiver: leaf_expr, field } = &receiver.kind else {
            return self.error(
                Diagnostic::new(Code::E0107, "`zero_()` applies to a gradient", receiver.span, "not `.grad`")
                    .with_help("tensors are immutable; write `x.grad.zero_()` to zero a leaf's gradient, or `zeros_like(x)` for a new tensor"),
            );
        };
        let leaf = self.expr(leaf_expr, scope);
        if field.name != "grad" {
            return self.field(leaf, leaf_expr.span, field);
        }
        match leaf {
            Value::Tensor(n) => self.zero_grad_of(n, leaf_expr.span, span),
            Value::Poison => Value::Poison,
            other => self.field(other, leaf_expr.span, field),
        }
    }

    /// Sets the gradient of leaf `n` to zeros (E0404 if it is still `None`).
    pub(crate) fn zero_grad_of(&mut self, n: NodeId, leaf_span: Span, span: Span) -> Value {
        if !self.is_grad_leaf(n) {
            return self.not_a_leaf(n, leaf_span);
        }
        if self.grad_state[&n].is_none() {
            return self.error(
                Diagnostic::new(Code::E0404, "the gradient is still `None` here: no backward has reached this tensor", span, "nothing to zero")
                    .with_help("call `backward` first, or remove this line (PyTorch raises AttributeError on `None.zero_()`)"),
            );
        }
        let (dt, sh) = (self.dtype_of(n), self.shape_of(n));
        let z = self.node(Op::Full(graphc_runtime::op::Scalar::of(0.0, dt)), dt, sh, &[], span);
        self.prog.graph.meta_mut(z).note = Some("zeroed grad".to_string());
        self.grad_state.insert(n, Some(z));
        Value::None
    }
}

/// The argument expressions of a call expression.
fn args_of_call(kind: &ExprKind) -> &[crate::syntax::ast::Arg] {
    match kind {
        ExprKind::Call { args, .. } => args,
        _ => &[],
    }
}
