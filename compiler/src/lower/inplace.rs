//! In-place updates: `x -= e` and the other augmented assignments, and the
//! `_` methods (`add_`, `sub_`, `mul_`, `div_`, `copy_`, `zero_`, `fill_`,
//! `clamp_`, `scatter_`, `scatter_reduce_`; `index_put_` is `advanced.rs`'s,
//! `uniform_`, `normal_` and `exponential_` `random_fill.rs`'s).
//!
//! An update computes the new value as an ordinary node and makes it the
//! object's value with [`Lowerer::update_in_place`], which applies PyTorch's
//! rules: the result keeps the target's dtype and shape (E0622, E0623), a leaf
//! that requires grad is updated only under `no_grad` (E0620), and there the
//! new value is still that leaf (a detach-like node marked as a leaf, so that
//! autodiff never differentiates through the update). Each update is recorded
//! in `Program::mutations` for the check that no later backward reads the value
//! it replaced (`autodiff/versions.rs`, E0621).

use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::{DType, Op};

use super::{BodyKind, Lowerer, Scope, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::Mutation;
use crate::syntax::ast::{Arg, AugOp, BinOp, Expr, ExprKind, Ident, IndexItem, Span};

/// The in-place methods this file lowers.
const METHODS: [&str; 18] = [
    "add_",
    "sub_",
    "mul_",
    "div_",
    "copy_",
    "zero_",
    "fill_",
    "clamp_",
    "index_put_",
    "scatter_",
    "scatter_add_",
    "index_add_",
    "masked_fill_",
    "scatter_reduce_",
    "uniform_",
    "normal_",
    "exponential_",
    "bernoulli_",
];

/// The elementwise builtins whose in-place forms (`x.relu_()`, `relu_(x)`
/// for `F.relu_(x)` and `torch.relu_(x)`) this file lowers: the builtin's
/// value made the tensor's, with the builtin's `grad_fn`, as PyTorch's
/// in-place ops have the backward of their out-of-place twins.
const ELEMENTWISE: [&str; 28] = [
    "relu",
    "sigmoid",
    "tanh",
    "exp",
    "log",
    "sqrt",
    "rsqrt",
    "abs",
    "reciprocal",
    "sin",
    "cos",
    "floor",
    "ceil",
    "trunc",
    "sign",
    "pow",
    "leaky_relu",
    "elu",
    "hardtanh",
    "lerp",
    "fmod",
    "remainder",
    "addcmul",
    "addcdiv",
    "erfinv",
    "lgamma",
    "digamma",
    "polygamma",
];

/// The builtin `name` is the in-place form of, if it is one of [`ELEMENTWISE`]'s.
pub(crate) fn elementwise_inplace(name: &str) -> Option<&'static str> {
    let base = name.strip_suffix('_')?;
    ELEMENTWISE.iter().copied().find(|b| *b == base)
}

/// The builtins that PyTorch updates in place only when an `inplace=True`
/// argument asks (`F.silu(x, inplace=True)`, `nn.Dropout(inplace=True)`): their
/// in-place forms have no public name that `.act` could spell, so only the
/// argument reaches them (as `silu_` inside the lowerer).
const ARGUMENT_ONLY: [&str; 7] = ["silu", "mish", "relu6", "hardsigmoid", "hardswish", "dropout", "dropout2d"];

/// The builtin an in-place form `name` reached by an `inplace=true` argument
/// computes: one of [`ELEMENTWISE`] or [`ARGUMENT_ONLY`].
fn inplace_builtin(name: &str) -> Option<&'static str> {
    let base = name.strip_suffix('_')?;
    elementwise_inplace(name).or_else(|| ARGUMENT_ONLY.iter().copied().find(|b| *b == base))
}

/// Whether the builtin `name` has an in-place form that `inplace=true` reaches.
pub(crate) fn has_inplace_form(name: &str) -> bool {
    inplace_builtin(&format!("{name}_")).is_some()
}

/// PyTorch's name of a dtype in its casting error ("result type Float can't be cast ...").
pub(crate) fn torch_type_name(dt: DType) -> &'static str {
    match dt {
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::I64 => "Long",
        DType::Bool => "Bool",
    }
}

/// Whether PyTorch's `can_cast(from, to)` holds: no float to an integer or bool,
/// and nothing but bool to bool.
fn can_cast(from: DType, to: DType) -> bool {
    !(from.is_float() && !to.is_float() || from != DType::Bool && to == DType::Bool)
}

impl Lowerer<'_> {
    /// Makes `new` the value of the tensor object whose value is `old`, with PyTorch's
    /// in-place rules. Returns the node that now holds the object's value.
    pub(crate) fn update_in_place(&mut self, old: NodeId, new: NodeId, grad_fn: &str, span: Span) -> Option<NodeId> {
        let old = self.current(old);
        if self.loop_views.contains(&old) {
            self.loop_view_error(span);
            return None;
        }
        let by = new;
        let new = self.conform(old, new, span)?;
        // A view shares its base's elements: the update is the base's (`views_inplace.rs`).
        if let Some(path) = self.view_path(old) {
            return self.write_through(old, new, path, span);
        }
        let dt = self.dtype_of(old);
        let leaf = self.is_grad_leaf(old);
        if leaf && !self.no_grad {
            let made = self.prog.graph.meta(self.origin(old)).span;
            self.error(
                Diagnostic::new(
                    Code::E0620,
                    "a leaf Variable that requires grad is being used in an in-place operation.",
                    span,
                    "updates a leaf that requires grad",
                )
                .with_secondary(made, "the leaf is created here")
                .with_help("update parameters inside `no_grad { ... }` (PyTorch's `with torch.no_grad():`), or write `x = x - e` for a new tensor"),
            );
            return None;
        }
        let result = if leaf {
            // The updated parameter is still the same leaf: a detach-like node that
            // requires grad, so autodiff stops here and never sees the update.
            let n = self.node(Op::Unary(Unary::Detach), dt, self.shape_of(old), &[new], span);
            let meta = self.prog.graph.meta_mut(n);
            meta.requires_grad = true;
            self.prog.leaves.push(n);
            n
        } else if self.no_grad && self.requires_grad(old) {
            // Inside `no_grad` PyTorch changes the values of a computed tensor
            // that requires grad and keeps its graph: the new values with the
            // old history, which gets the gradient (`x1_norm.clamp_min_(eps)`
            // in `cosine_similarity`).
            let kept = self.node(Op::Binary(Binary::KeepGraph), dt, self.shape_of(old), &[old, new], span);
            self.prog.graph.meta_mut(kept).requires_grad = true;
            if let Some(f) = self.grad_fn.get(&old).cloned() {
                self.grad_fn.insert(kept, f);
            }
            kept
        } else {
            if self.requires_grad(new) {
                self.grad_fn.insert(new, grad_fn.to_string());
            }
            new
        };
        let note = self.prog.graph.meta(old).note.clone();
        let meta = self.prog.graph.meta_mut(result);
        if meta.note.is_none() {
            meta.note = note;
        }
        let backwards_before = self.prog.backwards.len();
        self.prog.mutations.push(Mutation { old, new: result, by, span, backwards_before });
        self.set_version(old, result);
        self.refresh_views(old, result, span);
        Some(result)
    }

    /// `new` as a value for tensor `old`: cast to its dtype where PyTorch casts
    /// (E0622 where it refuses), and of its shape (E0623).
    fn conform(&mut self, old: NodeId, new: NodeId, span: Span) -> Option<NodeId> {
        let (dt, sh) = (self.dtype_of(old), self.shape_of(old));
        let mut new = new;
        if self.dtype_of(new) != dt {
            let from = self.dtype_of(new);
            if !can_cast(from, dt) {
                self.error(
                    Diagnostic::new(
                        Code::E0622,
                        format!("result type {} can't be cast to the desired output type {}", torch_type_name(from), torch_type_name(dt)),
                        span,
                        format!("this update computes {from}, the tensor is {dt}"),
                    )
                    .with_help("an in-place update keeps the tensor's dtype: convert it first (`x = x.float()`) and update the copy"),
                );
                return None;
            }
            new = self.cast_to(new, dt, span);
        }
        if self.shape_of(new) != sh {
            self.error(
                Diagnostic::new(
                    Code::E0623,
                    format!("output with shape {} doesn't match the broadcast shape {}", shapes::show(&sh), shapes::show(&self.shape_of(new))),
                    span,
                    "the other operand makes the result larger",
                )
                .with_help("an in-place update keeps the tensor's shape: the other operand must broadcast to it"),
            );
            return None;
        }
        Some(new)
    }

    /// The node an object's first version was: where a leaf was made.
    pub(crate) fn origin(&self, mut n: NodeId) -> NodeId {
        while let Some((&prev, _)) = self.versions.iter().find(|(_, &next)| next == n) {
            n = prev;
        }
        n
    }

    /// `target OP= value`. A tensor is updated in place; any other value (a
    /// Python number) is rebound to the result, as Python does for immutable values.
    pub(crate) fn aug_assign(&mut self, target: &Expr, op: AugOp, value: &Expr, scope: &mut Scope, kind: BodyKind, span: Span) {
        let op = match op {
            AugOp::Arith(op) => op,
            AugOp::Bit(op) => return self.bit_aug_assign(target, op, value, scope, kind, span),
        };
        if let ExprKind::Index { receiver, items } = &target.kind {
            // A subscript with a boolean mask is evaluated once, by the read,
            // which hands it over instead of reading (`mask_index.rs`).
            self.mask_update_read = true;
            let part = self.expr(target, scope);
            self.mask_update_read = false;
            if let Some((t, subs)) = self.mask_update.take() {
                let v = self.expr(value, scope);
                self.update_through_mask(t, subs, (v, value.span), op, span);
                return;
            }
            let v = self.expr(value, scope);
            let new = self.binary(op, (part, target.span), (v, value.span), span);
            self.store_index(receiver, items, (new, span), scope, span);
            return;
        }
        // `self.calls += 1`: an object's number attribute is rebound, a tensor
        // attribute updated in place.
        if let ExprKind::Field { receiver, field } = &target.kind {
            if self.peek_object(receiver, scope).is_some() {
                if let Some(new) = self.aug_update(target, op, value, scope, span) {
                    let obj = self.expr(receiver, scope);
                    let updated = super::objects::with_attr(obj, &field.name, new, field.span);
                    self.store_path(receiver, updated, scope);
                }
                return;
            }
        }
        // `p.data -= lr * p.grad`: an update through `.data`, the detached view.
        if let ExprKind::Field { .. } = &target.kind {
            self.aug_update(target, op, value, scope, span);
            return;
        }
        let ExprKind::Name(name) = &target.kind else { return };
        if let Some(new) = self.aug_update(target, op, value, scope, span) {
            if kind == BodyKind::TopLevel {
                self.globals.insert(name.clone(), new.clone());
            }
            scope.names.insert(name.clone(), new);
        }
    }

    /// `target OP value` for `target OP= value`: a tensor is updated in place
    /// (`None`); any other value's result is returned, for the caller to rebind.
    fn aug_update(&mut self, target: &Expr, op: BinOp, value: &Expr, scope: &mut Scope, span: Span) -> Option<Value> {
        let (cur, v) = (self.expr(target, scope), self.expr(value, scope));
        match cur {
            Value::Tensor(t) => {
                if let Value::Tensor(new) = self.binary(op, (Value::Tensor(t), target.span), (v, value.span), span) {
                    let grad_fn = self.aug_grad_fn(op, new);
                    self.update_in_place(t, new, &grad_fn, span);
                }
                None
            }
            Value::Poison => None,
            other => Some(self.binary(op, (other, target.span), (v, value.span), span)),
        }
    }

    /// Whether `name` is an in-place method this file lowers (and no user op or fn takes the name).
    pub(crate) fn is_inplace_method(&self, name: &str, receiver: &Expr) -> bool {
        let user_defined = self.defs.ops.contains_key(name) || self.defs.fns.contains_key(name);
        // `x.grad.zero_()` zeroes a leaf's gradient (`exprs.rs`).
        let grad_zero = name == "zero_" && matches!(&receiver.kind, ExprKind::Field { field, .. } if field.name == "grad");
        (METHODS.contains(&name) || elementwise_inplace(name).is_some()) && !user_defined && !grad_zero
    }

    /// `x.add_(y, alpha=a)` and the other in-place methods: returns the updated tensor.
    pub(crate) fn inplace_method(&mut self, receiver: &Expr, method: &Ident, args: &[Arg], scope: &mut Scope, span: Span) -> Value {
        let recv = self.expr(receiver, scope);
        let args = self.args(args, scope);
        let Some(t) = self.expect_tensor(recv, receiver.span, &format!("the receiver of `{}`", method.name)) else { return Value::Poison };
        if method.name == "index_put_" {
            return self.index_put_method(t, args, span);
        }
        let Some((new, grad_fn)) = self.inplace_value(t, receiver.span, method, args, span) else { return Value::Poison };
        if let ExprKind::Index { receiver: base, items } = &receiver.kind {
            // `x[i].add_(1)` updates the elements of `x` that the subscript
            // views; `d["w"].normal_()` and `ws[0].add_(1)` update the tensor a
            // dict or list holds, which every holder of it sees.
            if !self.holds_objects(base, scope) {
                return self.store_index(base, items, (Value::Tensor(new), span), scope, span);
            }
        }
        match self.update_in_place(t, new, &grad_fn, span) {
            Some(n) => Value::Tensor(n),
            None => Value::Poison,
        }
    }

    /// Whether `base`, the receiver of a subscript, is a list, tuple or dict
    /// (whose items are objects) rather than a tensor (whose subscripts are
    /// views). Only names and constant subscripts of them are read, which
    /// evaluate without side effects; any other expression counts as a tensor.
    fn holds_objects(&mut self, base: &Expr, scope: &mut Scope) -> bool {
        fn pure(e: &Expr) -> bool {
            match &e.kind {
                ExprKind::Name(_) => true,
                ExprKind::Index { receiver, items } => {
                    pure(receiver)
                        && items
                            .iter()
                            .all(|i| matches!(i, IndexItem::Expr(Expr { kind: ExprKind::Number { .. } | ExprKind::Str(_) | ExprKind::Name(_), .. })))
                }
                _ => false,
            }
        }
        pure(base) && matches!(self.expr(base, scope), Value::List(_) | Value::Tuple(_) | Value::Named { .. } | Value::Dict { .. })
    }

    /// Applies in-place method `method` to tensor `t` (`p.data = v` is `copy_`).
    pub(super) fn inplace_with(&mut self, t: NodeId, ts: Span, method: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) {
        if let Some((new, grad_fn)) = self.inplace_value(t, ts, method, args, span) {
            // `dropout_` outside training, or with `p=0`, leaves the tensor as it
            // is: PyTorch returns it without an update or a new `grad_fn`.
            if new != self.current(t) {
                self.update_in_place(t, new, &grad_fn, span);
            }
        }
    }

    /// The new value an in-place method computes for tensor `t`, with its `grad_fn`.
    fn inplace_value(
        &mut self,
        t: NodeId,
        ts: Span,
        method: &Ident,
        args: Vec<(Option<Ident>, Value, Span)>,
        span: Span,
    ) -> Option<(NodeId, String)> {
        let name = method.name.as_str();
        if let Some(builtin) = inplace_builtin(name) {
            let mut all = vec![(None, Value::Tensor(t), ts)];
            all.extend(args);
            let call = Ident { name: builtin.to_string(), span: method.span };
            let Value::Tensor(n) = self.call_builtin_named(&call, all, span) else { return None };
            // Each of these is one node of the op table, whose row names PyTorch's
            // `grad_fn`; PyTorch's in-place `leaky_relu_` and `elu_` save their
            // result instead of their input, a backward node of their own.
            // The others keep the name lowering gave the builtin's node
            // (`RemainderBackward0` with a number), else their row's.
            let grad_fn = match builtin {
                "leaky_relu" => "LeakyReluBackward1",
                "elu" => "EluBackward1",
                _ => match self.grad_fn.get(&n) {
                    Some(name) => return Some((n, name.clone())),
                    None => self.prog.graph.node(n).op.grad_fn().unwrap_or(super::builtin_calls::CLONE_GRAD_FN),
                },
            };
            return Some((n, grad_fn.to_string()));
        }
        if name == "clamp_" {
            let mut all = vec![(None, Value::Tensor(t), ts)];
            all.extend(args);
            let clamp = Ident { name: "clamp".to_string(), span: method.span };
            let Value::Tensor(n) = self.call_builtin_named(&clamp, all, span) else { return None };
            // Bounds are numbers here: PyTorch's scalar overload, `ClampBackward1`.
            return Some((n, "ClampBackward1".to_string()));
        }
        if let Some(builtin) = name.strip_suffix('_').filter(|b| matches!(*b, "scatter_add" | "index_add" | "masked_fill")) {
            // `x.scatter_add_(dim, index, src)`, `x.index_add_(dim, index, source)`
            // and `x.masked_fill_(mask, value)` compute what the builtins do, with
            // the same backward.
            let mut all = vec![(None, Value::Tensor(t), ts)];
            all.extend(args);
            let call = Ident { name: builtin.to_string(), span: method.span };
            let Value::Tensor(n) = self.call_builtin_named(&call, all, span) else { return None };
            let grad_fn = match builtin {
                "index_add" => "IndexAddBackward0",
                "scatter_add" => "ScatterAddBackward0",
                _ => "MaskedFillBackward0",
            };
            return Some((n, grad_fn.to_string()));
        }
        if let Some(builtin) = name.strip_suffix('_').filter(|b| matches!(*b, "scatter" | "scatter_reduce")) {
            // `x.scatter_(dim, index, src, reduce=)` computes what `scatter` does
            // and keeps its `grad_fn` (PyTorch's in-place op has the same backward).
            let mut all = vec![(None, Value::Tensor(t), ts)];
            all.extend(args);
            let call = Ident { name: builtin.to_string(), span: method.span };
            let Value::Tensor(n) = self.call_builtin_named(&call, all, span) else { return None };
            let grad_fn = match self.grad_fn.get(&n).map(String::as_str) {
                Some("ScatterReduceBackward0") => "ScatterReduceBackward0",
                Some("ScatterBackward1") => "ScatterBackward1",
                Some(super::scatter_calls::NOT_IMPLEMENTED) => super::scatter_calls::NOT_IMPLEMENTED,
                _ => "ScatterBackward0",
            };
            return Some((n, grad_fn.to_string()));
        }
        // `x.bernoulli_(p=0.5)`: `bernoulli(x, p)`'s draws, PyTorch's scalar overload.
        if name == "bernoulli_" {
            let p = match args.as_slice() {
                [] => Value::Number(super::Num::Float(0.5)),
                [(k, p @ Value::Number(_), _)] if k.as_ref().is_none_or(|k| k.name == "p") => p.clone(),
                _ => {
                    let at = args.first().map_or(span, |(_, _, s)| *s);
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            "`bernoulli_` takes one probability `p`, a number known at compile time",
                            at,
                            "not a probability",
                        )
                        .with_help("write `x.bernoulli_(0.3)`; for probabilities per element write `bernoulli(probs)`"),
                    );
                    return None;
                }
            };
            let call = Ident { name: "bernoulli".to_string(), span: method.span };
            let Value::Tensor(n) = self.call_builtin_named(&call, vec![(None, Value::Tensor(t), ts), (None, p, span)], span) else { return None };
            return Some((n, "BernoulliBackward2".to_string()));
        }
        if matches!(name, "uniform_" | "normal_" | "exponential_") {
            let new = self.random_fill(t, name, args, span)?;
            let grad_fn = match name {
                "uniform_" => "UniformBackward0",
                "normal_" => "NormalBackward0",
                _ => "ExponentialBackward0",
            };
            return Some((new, grad_fn.to_string()));
        }
        let mut alpha = None;
        let mut positional = Vec::new();
        for (k, v, s) in args {
            match k {
                Some(k) if k.name == "alpha" && matches!(name, "add_" | "sub_") => alpha = Some((v, s)),
                Some(k) => {
                    self.error(
                        Diagnostic::new(Code::E0103, format!("`{name}` takes no argument `{}`", k.name), k.span, "unknown keyword")
                            .with_help(if matches!(name, "add_" | "sub_") { "the only keyword is `alpha`" } else { "pass the value positionally" }),
                    );
                    return None;
                }
                None => positional.push((v, s)),
            }
        }
        let want = if name == "zero_" { 0 } else { 1 };
        if positional.len() != want {
            let usage = match name {
                "zero_" => "`x.zero_()`".to_string(),
                "fill_" => "`x.fill_(value)`".to_string(),
                other => format!("`x.{other}(other)`"),
            };
            self.error(
                Diagnostic::new(
                    Code::E0103,
                    format!("`{name}` takes {want} positional argument{}", if want == 1 { "" } else { "s" }),
                    span,
                    "wrong arguments",
                )
                .with_help(format!("write {usage}")),
            );
            return None;
        }
        match name {
            "add_" | "sub_" | "mul_" | "div_" => {
                let op = match name {
                    "add_" => BinOp::Add,
                    "sub_" => BinOp::Sub,
                    "mul_" => BinOp::Mul,
                    _ => BinOp::Div,
                };
                let (other, os) = positional.pop().expect("one argument, checked above");
                let value = match alpha {
                    Some(a) => self.add_scaled(op, (Value::Tensor(t), ts), (other, os), a, span),
                    None => self.binary(op, (Value::Tensor(t), ts), (other, os), span),
                };
                let Value::Tensor(n) = value else { return None };
                let grad_fn = self.aug_grad_fn(op, n);
                Some((n, grad_fn))
            }
            "copy_" => {
                let (src, ss) = positional.pop().expect("one argument, checked above");
                let src = self.expect_tensor(src, ss, "the source of `copy_`")?;
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                let src = self.cast_to(src, dt, ss);
                if shapes::broadcast(&self.shape_of(src), &sh).ok().as_deref() != Some(&sh[..]) {
                    self.error(
                        Diagnostic::new(
                            Code::E0623,
                            format!(
                                "the source of shape {} does not broadcast to the tensor's shape {}",
                                shapes::show(&self.shape_of(src)),
                                shapes::show(&sh)
                            ),
                            ss,
                            "shapes do not fit",
                        )
                        .with_help("copy a tensor of the same shape, or one that broadcasts to it"),
                    );
                    return None;
                }
                // The `grad_fn` is recorded even without gradients: an `Expand` without
                // one would read as a view of `src` (E0624 on the next update).
                Some((self.op_node(Op::Expand, dt, sh, &[src], span, "CopyBackwards"), "CopyBackwards".to_string()))
            }
            "zero_" => Some((self.fill_node(t, Value::Number(super::Num::Int(0)), span, span)?, "ZeroBackward0".to_string())),
            _ => {
                let (v, vs) = positional.pop().expect("one argument, checked above");
                let grad_fn = if matches!(v, Value::Tensor(_)) { "FillBackward3" } else { "FillBackward2" };
                Some((self.fill_node(t, v, vs, span)?, grad_fn.to_string()))
            }
        }
    }

    /// `t` with every element set to `v` (a number or a 0-d tensor). When `t`
    /// requires grad the result still does (PyTorch keeps it in the graph, with a
    /// zero gradient for `t`): a select on `t == t` with the value on both sides.
    fn fill_node(&mut self, t: NodeId, v: Value, vs: Span, span: Span) -> Option<NodeId> {
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        let grad_fn = if matches!(v, Value::Tensor(_)) { "FillBackward3" } else { "FillBackward2" };
        let fill = match v {
            Value::Number(n) => self.scalar_num(n, dt, vs),
            Value::Tensor(f) if self.shape_of(f).is_empty() => self.cast_to(f, dt, vs),
            Value::Host { node, .. } => self.cast_to(node, dt, vs),
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0624,
                        format!("the fill value must be a number or a 0-d tensor, not {}", other.describe()),
                        vs,
                        "not a scalar",
                    )
                    .with_help("fill with one value, such as `x.fill_(1.0)`"),
                );
                return None;
            }
        };
        if self.requires_grad(t) || self.requires_grad(fill) {
            return Some(self.node(Op::Where(Cmp::Eq), dt, sh, &[t, t, fill, fill], span));
        }
        // As for `copy_`, the `grad_fn` says that this `Expand` is no view of the fill value.
        Some(self.op_node(Op::Expand, dt, sh, &[fill], span, grad_fn))
    }
}

impl Lowerer<'_> {
    /// PyTorch's `grad_fn` after `x OP= e`: the in-place op keeps the
    /// out-of-place op's name, which lowering `x OP e` gave its node `new`
    /// (`PowBackward0` or `1`, `RemainderBackward0` or `1` by the operand).
    fn aug_grad_fn(&self, op: BinOp, new: NodeId) -> String {
        if let Some(name) = self.grad_fn.get(&new) {
            return name.clone();
        }
        match op {
            BinOp::Add => "AddBackward0",
            BinOp::Sub => "SubBackward0",
            BinOp::Mul => "MulBackward0",
            _ => "DivBackward0",
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_cast_follows_pytorch() {
        assert!(can_cast(DType::I64, DType::F32));
        assert!(can_cast(DType::Bool, DType::I64));
        assert!(can_cast(DType::F64, DType::F32));
        assert!(!can_cast(DType::F32, DType::I64));
        assert!(!can_cast(DType::I64, DType::Bool));
        assert!(can_cast(DType::Bool, DType::Bool));
    }
}
