//! A module's tree and state, as training scripts walk and keep them:
//! `model.modules()`, `named_modules()`, `apply(init_weights)`,
//! `state_dict()`, `load_state_dict(sd)`, `double()`/`float()`,
//! `requires_grad_(false)`, and Python's `copy.deepcopy` (`deepcopy(x)`),
//! with which a script keeps its best weights:
//!
//! ```text
//! best = deepcopy(model.state_dict())
//! ...
//! model.load_state_dict(best)
//! ```
//!
//! A state dict holds, for each module in `named_modules` order, its
//! parameters and then its persistent buffers, each `detach()`ed: a view of
//! the tensor, as PyTorch's is, so a later update of the parameter shows
//! through it (and a loop that updates a parameter a state dict made before
//! the loop views is refused, E0703, as for any such view). `load_state_dict`
//! copies each value into its tensor in place, under `no_grad`, as
//! PyTorch's `param.copy_(input_param)` does.

use graphc_runtime::op::Unary;
use graphc_runtime::{DType, Op};

use super::objects::CallArgs;
use super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// How deep a module tree may nest, for the walks below.
const MAX_DEPTH: usize = 64;

impl Lowerer<'_> {
    /// Every module of the tree at `obj`, itself first, each with its
    /// dotted name (`""` for `obj`), as `named_modules` lists them.
    pub(super) fn modules_of(obj: &Value, prefix: &str, out: &mut Vec<(String, Value)>, depth: usize) {
        let Value::Object { names, items, .. } = obj else { return };
        if depth > MAX_DEPTH {
            return;
        }
        out.push((prefix.trim_end_matches('.').to_string(), obj.clone()));
        for (n, (v, _)) in names.iter().zip(items) {
            if matches!(v, Value::Object { .. }) {
                Self::modules_of(v, &format!("{prefix}{n}."), out, depth + 1);
            }
        }
    }

    /// The tensors of a state dict of `obj`: each module's parameters, then its
    /// persistent buffers, then its children's, with their dotted names.
    pub(super) fn state_of(&self, obj: &Value, prefix: &str, out: &mut Vec<(String, NodeId)>, depth: usize) {
        let Value::Object { names, items, .. } = obj else { return };
        if depth > MAX_DEPTH {
            return;
        }
        let tensors = || names.iter().zip(items).filter_map(|(n, (v, _))| if let Value::Tensor(t) = v { Some((n, *t)) } else { None });
        for (n, t) in tensors() {
            if self.param_origins.contains(&self.origin(t)) {
                out.push((format!("{prefix}{n}"), self.current(t)));
            }
        }
        for (n, t) in tensors() {
            if self.buffer_origins.contains(&self.origin(t)) {
                out.push((format!("{prefix}{n}"), self.current(t)));
            }
        }
        for (n, (v, _)) in names.iter().zip(items) {
            if matches!(v, Value::Object { .. }) {
                self.state_of(v, &format!("{prefix}{n}."), out, depth + 1);
            }
        }
    }

    /// `model.state_dict()`: a dict of each name to its tensor, detached.
    pub(super) fn state_dict(&mut self, obj: &Value, span: Span) -> Value {
        let mut state = Vec::new();
        self.state_of(obj, "", &mut state, 0);
        let (mut keys, mut items) = (Vec::new(), Vec::new());
        for (name, t) in state {
            let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
            let view = self.node(Op::Unary(Unary::Detach), dt, sh, &[t], span);
            self.note_view(view);
            keys.push(Value::Str(name));
            items.push((Value::Tensor(view), span));
        }
        // PyTorch's `state_dict()` is an `OrderedDict`, and prints as one.
        Value::Dict { keys, items, ordered: true }
    }

    /// `model.load_state_dict(state_dict, strict=true)`: copies each value into
    /// the tensor of its name. With `strict`, a missing or unexpected key is
    /// PyTorch's error; without, the keys are reported in the result, as
    /// PyTorch's `_IncompatibleKeys` prints them.
    pub(super) fn load_state_dict(&mut self, obj: &Value, args: CallArgs, span: Span) -> Value {
        let mut dict = None;
        let mut strict = true;
        for (k, (name, v, vs)) in args.into_iter().enumerate() {
            match (name.as_ref().map(|n| n.name.as_str()), k, v) {
                (None, 0, v) | (Some("state_dict"), _, v) => dict = Some((v, vs)),
                (None, 1, Value::Bool(b)) | (Some("strict"), _, Value::Bool(b)) => strict = b,
                (_, _, Value::Poison) => return Value::Poison,
                (_, _, other) => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`load_state_dict` does not take {} here", other.describe()), vs, "unexpected argument")
                            .with_help("pass the state dict and, if needed, `strict=false`"),
                    )
                }
            }
        }
        let (keys, values, ds) = match dict {
            Some((Value::Dict { keys, items, .. }, ds)) => (keys, items, ds),
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, ds)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`load_state_dict` takes a dict, not {}", other.describe()), ds, "not a state dict")
                        .with_help("pass what `state_dict()` gave, as in `model.load_state_dict(best)`"),
                )
            }
            None => {
                return self.error(
                    Diagnostic::new(Code::E0103, "`load_state_dict` needs the state dict", span, "no state dict")
                        .with_help("pass what `state_dict()` gave, as in `model.load_state_dict(best)`"),
                )
            }
        };
        let mut own = Vec::new();
        self.state_of(obj, "", &mut own, 0);
        let key_of = |k: &Value| if let Value::Str(s) = k { Some(s.clone()) } else { None };
        let given: Vec<Option<String>> = keys.iter().map(key_of).collect();
        let missing: Vec<String> = own.iter().filter(|(n, _)| !given.iter().any(|g| g.as_deref() == Some(n))).map(|(n, _)| n.clone()).collect();
        let unexpected: Vec<String> = keys
            .iter()
            .filter(|k| !own.iter().any(|(n, _)| key_of(k).as_deref() == Some(n)))
            .map(|k| key_of(k).unwrap_or_else(|| super::dicts::keys_text(std::slice::from_ref(k)).trim_matches(['[', ']']).to_string()))
            .collect();
        let quoted = |names: &[String]| names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        if strict && (!missing.is_empty() || !unexpected.is_empty()) {
            let class = match obj {
                Value::Object { class, .. } => class.to_string(),
                _ => String::new(),
            };
            let mut msg = format!("Error(s) in loading state_dict for {class}:");
            if !missing.is_empty() {
                msg += &format!(" Missing key(s) in state_dict: {}.", quoted(&missing));
            }
            if !unexpected.is_empty() {
                msg += &format!(" Unexpected key(s) in state_dict: {}.", quoted(&unexpected));
            }
            return self.error(
                Diagnostic::new(Code::E0107, msg, ds, "does not match the model")
                    .with_help("load a state dict of a model of the same class, or pass `strict=false` to load the keys that match"),
            );
        }
        let outer = std::mem::replace(&mut self.no_grad, true);
        for (name, t) in own {
            let Some(i) = given.iter().position(|g| g.as_deref() == Some(name.as_str())) else { continue };
            let src = match &values[i].0 {
                Value::Tensor(s) => self.current(*s),
                Value::Poison => continue,
                other => {
                    let what = other.describe();
                    self.error(
                        Diagnostic::new(Code::E0107, format!("the state dict's `{name}` is {what}, not a tensor"), ds, "not a state dict")
                            .with_help("pass what `state_dict()` gave"),
                    );
                    continue;
                }
            };
            let (want, got) = (self.shape_of(t), self.shape_of(src));
            if want != got {
                let size = |s: &[usize]| format!("torch.Size([{}])", s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "));
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!(
                            "size mismatch for {name}: copying a param with shape {} from checkpoint, the shape in current model is {}.",
                            size(&got),
                            size(&want)
                        ),
                        ds,
                        "another shape",
                    )
                    .with_help("load a state dict of a model with the same layer sizes"),
                );
                continue;
            }
            let copy = Ident { name: "copy_".to_string(), span };
            self.inplace_with(self.current(t), span, &copy, vec![(None, Value::Tensor(src), span)], span);
        }
        self.no_grad = outer;
        // What `print` shows of PyTorch's `_IncompatibleKeys`.
        Value::Str(match missing.is_empty() && unexpected.is_empty() {
            true => "<All keys matched successfully>".to_string(),
            false => format!("_IncompatibleKeys(missing_keys=[{}], unexpected_keys=[{}])", quoted_single(&missing), quoted_single(&unexpected)),
        })
    }

    /// `model.double()` / `model.float()`: every floating-point parameter and
    /// buffer cast to f64 / f32; a parameter stays a requires-grad leaf.
    pub(super) fn module_to_dtype(&mut self, obj: Value, dt: DType, span: Span, depth: usize) -> Value {
        let Value::Object { class, id, names, items } = obj else { return obj };
        if depth > MAX_DEPTH {
            return Value::Object { class, id, names, items };
        }
        let mut out = Vec::new();
        for (v, s) in items {
            let v = match v {
                Value::Tensor(t) => {
                    let t = self.current(t);
                    let o = self.origin(t);
                    let (param, buffer) = (self.param_origins.contains(&o), self.buffer_origins.contains(&o));
                    if (param || buffer) && self.dtype_of(t).is_float() && self.dtype_of(t) != dt {
                        let outer = std::mem::replace(&mut self.no_grad, true);
                        let cast = self.cast_to(t, dt, span);
                        let n = self.new_leaf(cast, param && self.requires_grad(t), span);
                        self.no_grad = outer;
                        if param {
                            self.param_origins.insert(n);
                        } else {
                            self.buffer_origins.insert(n);
                        }
                        Value::Tensor(n)
                    } else {
                        Value::Tensor(t)
                    }
                }
                o @ Value::Object { .. } => self.module_to_dtype(o, dt, span, depth + 1),
                other => other,
            };
            out.push((v, s));
        }
        Value::Object { class, id, names, items: out }
    }

    /// `model.requires_grad_(flag)`: each parameter's flag.
    pub(super) fn module_requires_grad(&mut self, obj: Value, flag: bool, span: Span) -> Value {
        let mut state = Vec::new();
        self.state_of(&obj, "", &mut state, 0);
        for (_, t) in state {
            if self.param_origins.contains(&self.origin(t)) && self.dtype_of(t).is_float() {
                self.set_requires_grad(t, flag, span);
            }
        }
        self.current_value(obj)
    }

    /// `model.apply(fn)`: `fn` called on each child's tree, then on the
    /// module itself, as PyTorch's `Module.apply` recurses; what `fn` changes
    /// in an object goes back into the tree.
    pub(super) fn module_apply(&mut self, obj: Value, f: &Value, fs: Span, span: Span, depth: usize) -> Value {
        let Value::Object { class, id, names, items } = obj else { return obj };
        if depth > MAX_DEPTH {
            return Value::Object { class, id, names, items };
        }
        let mut kids = Vec::new();
        for (v, s) in items {
            let v = match v {
                o @ Value::Object { .. } => self.module_apply(o, f, fs, span, depth + 1),
                other => other,
            };
            kids.push((v, s));
        }
        let me = self.current_value(Value::Object { class, id, names, items: kids });
        let outer = std::mem::take(&mut self.mutated_args);
        self.call_value(f, &Ident { name: "fn".to_string(), span: fs }, vec![(None, me.clone(), span)], span);
        let mutated = std::mem::replace(&mut self.mutated_args, outer);
        let after = mutated.into_iter().rev().find(|(s, _)| *s == span).map_or(me, |(_, v)| v);
        self.current_value(after)
    }

    /// Python's `copy.deepcopy(v)`: a value of its own. Tensors are cloned (a
    /// requires-grad leaf into a new leaf, a parameter into a parameter);
    /// lists, tuples, dicts and objects are copied item by item.
    pub(crate) fn deepcopy(&mut self, v: Value, vs: Span, span: Span) -> Value {
        self.deepcopy_with(v, vs, &mut Vec::new(), span)
    }

    /// `deepcopy` with `memo`, each object copied so far with its copy's id.
    fn deepcopy_with(&mut self, v: Value, vs: Span, memo: &mut Vec<(u32, u32)>, span: Span) -> Value {
        match v {
            Value::Tensor(t) => {
                let t = self.current(t);
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                let leaf = self.is_grad_leaf(t);
                if self.requires_grad(t) && !leaf {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.",
                            vs,
                            "computed from other tensors",
                        )
                        .with_help("deepcopy `x.detach()`, or the leaves the tensor is computed from"),
                    );
                }
                let outer = std::mem::replace(&mut self.no_grad, true);
                let copy = self.node(Op::Reshape, dt, sh, &[t], span);
                let n = self.new_leaf(copy, leaf, span);
                self.no_grad = outer;
                let o = self.origin(t);
                if self.param_origins.contains(&o) {
                    self.param_origins.insert(n);
                }
                if self.buffer_origins.contains(&o) {
                    self.buffer_origins.insert(n);
                }
                Value::Tensor(n)
            }
            Value::List(items) => Value::List(self.deepcopy_items(items, memo, span)),
            Value::Tuple(items) => Value::Tuple(self.deepcopy_items(items, memo, span)),
            Value::Dict { keys, items, ordered } => Value::Dict { keys, items: self.deepcopy_items(items, memo, span), ordered },
            // A new object, the same one for each copy of one object inside `v` (Python's memo).
            Value::Object { class, id, names, items } => {
                let copy = match memo.iter().find(|(old, _)| *old == id) {
                    Some(&(_, new)) => new,
                    None => {
                        let new = self.new_object_id();
                        memo.push((id, new));
                        new
                    }
                };
                Value::Object { class, id: copy, names, items: self.deepcopy_items(items, memo, span) }
            }
            Value::Named { kind, fields, items } => Value::Named { kind, fields, items: self.deepcopy_items(items, memo, span) },
            v @ (Value::Number(_)
            | Value::Str(_)
            | Value::Bool(_)
            | Value::None
            | Value::DType(_)
            | Value::Size(_)
            | Value::Func(..)
            | Value::Host { .. }
            | Value::Text(_)
            | Value::Lambda(_)
            | Value::GradFn(_)
            | Value::Poison) => v,
            other @ (Value::Optimizer(_)
            | Value::ParamGroup { .. }
            | Value::OptimizerState { .. }
            | Value::Scheduler(_)
            | Value::Generator(_)
            | Value::Dataset(_)
            | Value::Loader(_)
            | Value::Appending(_)) => self.error(
                Diagnostic::new(Code::E0107, format!("`deepcopy` of {} is not supported", other.describe()), vs, "not copied")
                    .with_help("deepcopy tensors, lists, dicts and modules (a model, its `state_dict()`)"),
            ),
        }
    }

    fn deepcopy_items(&mut self, items: Vec<(Value, Span)>, memo: &mut Vec<(u32, u32)>, span: Span) -> Vec<(Value, Span)> {
        items.into_iter().map(|(v, s)| (self.deepcopy_with(v, s, memo, span), s)).collect()
    }

    /// `self.method` read as a value (`self.apply(self._init_weights)`): the
    /// method bound to the object as it is now.
    pub(super) fn bound_method(&mut self, obj: &Value, name: &Ident) -> Option<Value> {
        let Value::Object { class, .. } = obj else { return None };
        self.find_method(&class.clone(), &name.name)?;
        Some(Value::Lambda(super::lambdas::Closure {
            def: super::lambdas::Def::Method { class: class.clone(), name: name.name.clone() },
            span: name.span,
            captured: vec![("self".to_string(), obj.clone())],
            reads_globals: true,
        }))
    }
}

/// Names as Python's list repr quotes strings.
fn quoted_single(names: &[String]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}
