//! Calls of user `fn`s and `op`s, inlined at the call site.
//!
//! A `fn` body is lowered with its parameters bound to the arguments. An `op`
//! with a backward block is lowered in two parts: its forward block inline,
//! with the output marked as the op's; and its backward block
//! as a template in its own region, with `Param` nodes for the incoming
//! gradient and each saved value. Autodiff later copies the template into every
//! backward that passes through the call, wiring the saved params to the
//! forward nodes that made them, so saved values are reused, never recomputed.

use graphc_runtime::Op;

use super::{BodyKind, Lowerer, Scope, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{NodeId, Region};
use crate::ir::program::{CustomCall, SavedValue};
use crate::syntax::ast::{Backward, Expr, FnDef, Ident, OpDef, Span};

/// Inlining depth at which lowering gives up; recursion is rejected before
/// lowering, so only absurdly deep (but finite) call chains reach this.
const MAX_DEPTH: usize = 256;

impl<'a> Lowerer<'a> {
    /// Binds a call's arguments to parameters as Python does: positional ones in
    /// order, keyword ones by name, then defaults for the rest. Unknown and
    /// repeated keywords are E0104, too many or missing arguments E0103.
    pub(super) fn bind_params(
        &mut self,
        name: &Ident,
        (params, by_position): (&[Ident], usize),
        defaults: &[Option<Expr>],
        args: Vec<(Option<Ident>, Value, Span)>,
        span: Span,
    ) -> Option<Vec<(Value, Span)>> {
        let usage = || {
            let mut shown: Vec<String> =
                params.iter().zip(defaults).map(|(p, d)| if d.is_some() { format!("{}=...", p.name) } else { p.name.clone() }).collect();
            if by_position < params.len() {
                shown.insert(by_position, "*".to_string());
            }
            format!("call it as `{}({})`", name.name, shown.join(", "))
        };
        // Every keyword must name a parameter, not only the first one.
        let unknown = args.iter().filter_map(|(k, _, _)| k.as_ref()).find(|k| !params.iter().any(|p| p.name == k.name));
        if let Some(kw) = unknown {
            let kw = kw.clone();
            self.error(
                Diagnostic::new(Code::E0104, format!("`{}` has no parameter `{}`", name.name, kw.name), kw.span, "unknown keyword argument")
                    .with_secondary(name.span, "defined here")
                    .with_help(format!("its parameters are {}", params.iter().map(|p| format!("`{}`", p.name)).collect::<Vec<_>>().join(", "))),
            );
            return None;
        }
        // Positional arguments fill the first slots; keywords then name theirs.
        let mut slots: Vec<Option<(Value, Span)>> = vec![None; params.len()];
        let (positional, keywords): (Vec<_>, Vec<_>) = args.into_iter().partition(|(k, _, _)| k.is_none());
        if positional.len() > by_position && by_position < params.len() {
            // Python's "takes 1 positional argument but 2 were given".
            let (n, given) = (by_position, positional.len());
            let required = defaults[..by_position].iter().filter(|d| d.is_none()).count();
            let takes = match (required == n, n) {
                (true, 1) => "1 positional argument".to_string(),
                (true, n) => format!("{n} positional arguments"),
                (false, n) => format!("from {required} to {n} positional arguments"),
            };
            let keywords: Vec<String> = params[by_position..].iter().map(|p| format!("`{}=`", p.name)).collect();
            self.error(
                Diagnostic::new(
                    Code::E0103,
                    format!("`{}` takes {takes} but {given} were given", name.name),
                    positional[by_position].2,
                    "passed by position",
                )
                .with_secondary(name.span, "defined here")
                .with_help(format!(
                    "the parameters after `*` are keyword-only: pass them by name, as {}; {}",
                    keywords.join(", "),
                    usage()
                )),
            );
            return None;
        }
        if positional.len() > params.len() {
            let at_most = if defaults.iter().any(Option::is_some) { "at most " } else { "" };
            self.error(
                Diagnostic::new(
                    Code::E0103,
                    format!("`{}` takes {at_most}{} argument{}", name.name, params.len(), if params.len() == 1 { "" } else { "s" }),
                    span,
                    "too many arguments",
                )
                .with_secondary(name.span, "defined here")
                .with_help(usage()),
            );
            return None;
        }
        for (slot, (_, v, s)) in slots.iter_mut().zip(positional) {
            *slot = Some((v, s));
        }
        for (kw, v, s) in keywords {
            // Every keyword names a parameter (checked above).
            let Some(kw) = kw else { continue };
            let Some(i) = params.iter().position(|p| p.name == kw.name) else { continue };
            if slots[i].is_some() {
                self.error(
                    Diagnostic::new(Code::E0104, format!("`{}` got two values for parameter `{}`", name.name, kw.name), kw.span, "given again here")
                        .with_secondary(name.span, "defined here")
                        .with_help("pass each parameter once, by position or by keyword"),
                );
                return None;
            }
            slots[i] = Some((v, s));
        }
        // A default that reads a name was evaluated where its `fn` stands
        // (`bind_defaults`); the others are constants, evaluated at each call as
        // literals are.
        for ((slot, d), p) in slots.iter_mut().zip(defaults).zip(params) {
            if let (None, Some(d)) = (&slot, d) {
                let v = match self.globals.get(&default_key(name, p)) {
                    Some(v) => v.clone(),
                    None => self.expr(d, &mut Scope::default()),
                };
                *slot = Some((v, p.span));
            }
        }
        if let Some(i) = slots.iter().position(Option::is_none) {
            let given = slots.iter().filter(|s| s.is_some()).count();
            let message = if defaults.iter().any(Option::is_some) {
                format!("`{}` is missing argument `{}`", name.name, params[i].name)
            } else {
                format!("`{}` takes {} argument{} but {given} were given", name.name, params.len(), if params.len() == 1 { "" } else { "s" })
            };
            self.error(Diagnostic::new(Code::E0103, message, span, "missing arguments").with_secondary(name.span, "defined here").with_help(usage()));
            return None;
        }
        Some(slots.into_iter().flatten().collect())
    }

    /// Evaluates the defaults of `f` that read names, where the `fn` stands,
    /// as Python evaluates a `def`'s defaults once: `fn plot(data=X_train)`
    /// keeps the tensor `X_train` is bound to here. Each is held under a hidden
    /// global (`@` keeps it out of the program's names), so that loops carry it
    /// as they carry any global.
    pub(super) fn bind_defaults(&mut self, f: &FnDef, scope: &mut Scope) {
        for (p, d) in f.params.iter().zip(&f.defaults) {
            let Some(d) = d else { continue };
            if !reads_a_name(d) {
                continue;
            }
            let v = self.expr(d, scope);
            self.globals.insert(default_key(&f.name, p), v);
        }
    }

    pub(super) fn enter(&mut self, name: &str, span: Span) -> bool {
        // Once the graph is full (reported by `budget.rs`), inlining more only grows it.
        if !self.graph_has_room() {
            return false;
        }
        if self.call_stack.len() >= MAX_DEPTH {
            self.error(
                Diagnostic::new(Code::E0106, format!("calls nest more than {MAX_DEPTH} deep at `{name}`"), span, "too deep")
                    .with_help("flatten the chain of calls"),
            );
            return false;
        }
        // A call the file's check could not see as one (a method whose receiver
        // decides whether it is the file's fn) closes a cycle here.
        if self.call_stack.iter().any(|f| f == name) {
            self.error(
                Diagnostic::new(Code::E0106, format!("`{name}` calls itself"), span, "this call closes the cycle")
                    .with_help("ops and fns are inlined into a static graph, so they cannot recurse; unroll the computation"),
            );
            return false;
        }
        self.call_stack.push(name.to_string());
        true
    }

    pub(crate) fn call_fn(&mut self, f: &FnDef, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let Some(args) = self.bind_params(&f.name, (&f.params, f.keyword_only), &f.defaults, args, span) else { return Value::Poison };
        if !self.enter(&f.name.name, span) {
            return Value::Poison;
        }
        let mut scope = Scope { reads_globals: true, ..Scope::default() };
        let containers = containers(&args);
        for (p, (v, _)) in f.params.iter().zip(args) {
            scope.names.insert(p.name.clone(), v);
        }
        // `@no_grad()`: as if the body were inside `no_grad { ... }`.
        let outer = self.no_grad;
        self.no_grad |= f.no_grad;
        let r = self.block(&f.body, &mut scope, BodyKind::Fn);
        self.no_grad = outer;
        self.call_stack.pop();
        self.push_mutated(f, &containers, &scope, 0);
        self.fn_result(r)
    }

    /// A list, dict or object the body of `f` changed in place (`d["n"] += 1`,
    /// `xs.append(v)`, `model.eval()`) is the caller's: its new value goes back
    /// to the argument the caller named (`write_back_args`). The first `skip`
    /// parameters are left out (a method's object, which goes back to its receiver).
    pub(super) fn push_mutated(&mut self, f: &FnDef, containers: &[(bool, Span)], scope: &Scope, skip: usize) {
        for (p, &(container, s)) in f.params.iter().zip(containers).skip(skip) {
            if container && !rebinds(&f.body, &p.name) {
                if let Some(after) = scope.names.get(&p.name) {
                    self.mutated_args.push((s, after.clone()));
                }
            }
        }
    }

    /// Rebinds each argument that is a name (or an object's attribute), whose
    /// list, dict or object the callee changed in place, to the value it has
    /// after the call, as Python's caller sees its object changed (`mutated`
    /// holds the argument spans and values, from [`Lowerer::call_fn`]).
    pub(super) fn write_back_args(&mut self, mutated: Vec<(Span, Value)>, args: &[crate::syntax::ast::Arg], scope: &mut Scope) {
        for (at, v) in mutated {
            let Some(arg) = args.iter().find(|a| a.value.span == at) else { continue };
            self.store_or_share(&arg.value, v, scope);
        }
    }

    /// What a fn body's `return` gives its caller.
    pub(crate) fn fn_result(&mut self, r: super::BodyResult) -> Value {
        match r.returned {
            Some(mut vals) if vals.len() == 1 => vals.remove(0).0,
            // `return a, b` returns a tuple, as in Python.
            Some(vals) if !vals.is_empty() => Value::Tuple(vals),
            Some(_) => Value::Poison, // reported by the definition checks
            None => Value::None,
        }
    }

    pub(crate) fn call_op(&mut self, op: &OpDef, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let Some(args) = self.bind_params(&op.name, (&op.params, op.params.len()), &op.defaults, args, span) else { return Value::Poison };
        // A parameter receives a tensor or a host value (a number, a bool or `none`,
        // as a Python `Function.apply` receives any object); only tensors get gradients.
        let mut params = Vec::new();
        for (p, (v, s)) in op.params.iter().zip(args) {
            match v {
                Value::Tensor(_) | Value::Number(_) | Value::Bool(_) | Value::None => params.push((v, s)),
                Value::Poison => return Value::Poison,
                other => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("argument `{}` of op `{}` must be a tensor or a number, not {}", p.name, op.name.name, other.describe()),
                            s,
                            "not a tensor or a number",
                        )
                        .with_help("pass a tensor, a number, a bool or `none`"),
                    )
                }
            }
        }
        if !self.enter(&op.name.name, span) {
            return Value::Poison;
        }
        // Inside a backward template nothing requires grad yet: autodiff decides
        // that for each copy, after lowering. There every tensor argument counts
        // as needing a gradient, so that a gradient of the gradient is never lost.
        let needs = op
            .params
            .iter()
            .zip(&params)
            .map(|(p, (v, _))| (p.name.clone(), matches!(v, Value::Tensor(n) if self.no_grad || self.requires_grad(*n))))
            .collect();
        self.op_frames.push(super::OpFrame { params: op.params.clone(), needs, non_differentiable: Vec::new(), in_forward: true });
        let result = match &op.backward {
            Some(bw) => self.custom_call(op, bw, &params, span),
            // Without a backward block the op is differentiated like a fn, but its
            // output still prints as the op's (spec 2.1), when the op computed it.
            None => {
                let first_new = self.prog.graph.index_bound();
                let mut scope = Scope::default();
                for (p, (v, _)) in op.params.iter().zip(&params) {
                    scope.names.insert(p.name.clone(), v.clone());
                }
                let r = self.block(&op.forward, &mut scope, BodyKind::Forward);
                match r.returned {
                    Some(mut vals) if vals.len() == 1 => {
                        let v = vals.remove(0).0;
                        if let Value::Tensor(n) = v {
                            if n.index() >= first_new {
                                self.grad_fn.insert(n, format!("{}Backward", op.name.name));
                            }
                        }
                        v
                    }
                    // Several outputs and no backward block: a tuple, as a fn returns.
                    Some(vals) if !vals.is_empty() => Value::Tuple(vals),
                    _ => Value::Poison,
                }
            }
        };
        self.op_frames.pop();
        self.call_stack.pop();
        result
    }

    fn custom_call(&mut self, op: &OpDef, bw: &Backward, params: &[(Value, Span)], span: Span) -> Value {
        let first_new = self.prog.graph.index_bound();
        // The call's tensor arguments, in parameter order: the inputs of its record.
        let inputs: Vec<NodeId> = params.iter().filter_map(|(v, _)| if let Value::Tensor(n) = v { Some(*n) } else { None }).collect();
        // Forward. Unlike PyTorch, which runs `Function.forward` under no_grad, the
        // op's intermediate values keep track of what they depend on: first-order
        // gradients still go through the backward block (autodiff stops at the
        // op's output), but a gradient of that gradient differentiates the saved
        // values through the forward nodes that computed them instead of
        // treating them as constants (PyTorch's silent double-backward bug).
        let mut scope = Scope::default();
        for (p, (v, _)) in op.params.iter().zip(params) {
            scope.names.insert(p.name.clone(), v.clone());
        }
        let r = self.block(&op.forward, &mut scope, BodyKind::Forward);
        let Some(rets) = r.returned else { return Value::Poison };
        if rets.is_empty() || rets.len() != 1 + bw.extra_grads.len() {
            return Value::Poison; // E0108 or E0306, reported by the definition checks
        }
        // Each output is a node of its own, marked as the op's.
        let mut outputs: Vec<NodeId> = Vec::new();
        for (ret, ret_span) in rets {
            let Some(out) = self.expect_tensor(ret, ret_span, &format!("the result of op `{}`", op.name.name)) else { return Value::Poison };
            let out = self.op_output(op, out, &inputs, first_new, ret_span, &outputs);
            outputs.push(out);
        }
        let Some((saved_nodes, saved_host)) = self.saved_values(r.saved) else { return Value::Poison };

        // The call's index is taken before its backward block is lowered, since
        // that block may call other ops, whose calls are numbered after it: the
        // index names the call's template region.
        let index = self.prog.custom_calls.len();
        let saved_region = std::mem::replace(&mut self.region, Region::Template(index as u32));
        let was_no_grad = std::mem::replace(&mut self.no_grad, true);
        if let Some(frame) = self.op_frames.last_mut() {
            frame.in_forward = false;
        }
        let (mut bscope, grad_params, saved) = self.template_params(bw, &outputs, &saved_nodes);
        // Saved host values are compile-time constants: the backward reads them as
        // they are, as PyTorch's backward reads `ctx.constant`.
        for (name, v) in saved_host {
            bscope.names.insert(name, v);
        }
        self.prog.custom_calls.push(CustomCall {
            op_name: op.name.name.clone(),
            span,
            inputs: inputs.clone(),
            output: outputs[0],
            grad_param: grad_params[0],
            saved,
            returns: vec![],
            extra_outputs: outputs[1..].iter().copied().zip(grad_params[1..].iter().copied()).collect(),
        });
        let br = self.block(&bw.body, &mut bscope, BodyKind::Backward);
        self.no_grad = was_no_grad;
        self.region = saved_region;
        let Some(mut grads) = br.returned else { return Value::Poison };
        // Trailing `none`s past the parameters are dropped, as PyTorch drops them.
        if grads.len() > op.params.len() && grads[op.params.len()..].iter().all(|(g, _)| matches!(g, Value::None)) {
            grads.truncate(op.params.len());
        }
        if grads.len() != op.params.len() {
            return Value::Poison; // E0303, reported by the definition checks
        }
        let Some(returns) = self.returned_gradients(op, grads, params, span) else { return Value::Poison };
        self.prog.custom_calls[index].returns = returns;
        for o in &outputs {
            self.prog.custom_output.insert(*o, index);
        }
        match outputs.as_slice() {
            [one] => Value::Tensor(*one),
            many => Value::Tuple(many.iter().map(|o| (Value::Tensor(*o), self.prog.graph.meta(*o).span)).collect()),
        }
    }

    /// Marks `out` as the op's output and returns the node that holds it. The
    /// output must be a node of its own, so that autodiff can apply the op's
    /// backward there; a forward that returns an input (or another op's output)
    /// gets a copy.
    fn op_output(&mut self, op: &OpDef, mut out: NodeId, inputs: &[NodeId], first_new: usize, ret_span: Span, earlier: &[NodeId]) -> NodeId {
        let original = out;
        if out.index() < first_new || self.prog.custom_output.contains_key(&out) || earlier.contains(&out) {
            let (dt, sh) = (self.dtype_of(out), self.shape_of(out));
            out = self.node(Op::Reshape, dt, sh, &[out], ret_span);
        }
        // An output the forward marked non-differentiable never requires grad,
        // nor does an integer or bool one (PyTorch's rule for every tensor).
        let marked = self.op_frames.last().is_some_and(|f| f.non_differentiable.contains(&original));
        let float = self.dtype_of(out).is_float();
        let requires_grad = float && !marked && !self.no_grad && inputs.iter().any(|i| self.requires_grad(*i));
        let meta = self.prog.graph.meta_mut(out);
        meta.requires_grad = requires_grad;
        meta.note = Some(match meta.note.take() {
            Some(name) => format!("{name}, {} output", op.name.name),
            None => format!("{} output", op.name.name),
        });
        self.grad_fn.insert(out, format!("{}Backward", op.name.name));
        out
    }

    /// The forward's saved values, split into tensors (which become template
    /// parameters) and host values (numbers, bools, `none`), which stay constants.
    #[allow(clippy::type_complexity)]
    fn saved_values(&mut self, saved: Vec<(String, Value, Span)>) -> Option<(Vec<(String, NodeId)>, Vec<(String, Value)>)> {
        let mut nodes = Vec::new();
        let mut host = Vec::new();
        for (name, v, s) in saved {
            match v {
                Value::Tensor(n) => nodes.push((name, n)),
                Value::Number(_) | Value::Bool(_) | Value::None => host.push((name, v)),
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("`save` keeps tensors and numbers, and `{name}` is {}", other.describe()),
                            s,
                            "not a tensor or a number",
                        )
                        .with_help("save tensors, numbers, bools or `none`; literals can be written directly in the backward block"),
                    );
                    return None;
                }
            }
        }
        Some((nodes, host))
    }

    /// The `Param` nodes of a backward template, in the current (template) region:
    /// the incoming gradient, shaped as the op's output `out`, and one per saved value.
    fn template_params(&mut self, bw: &Backward, outputs: &[NodeId], saved_nodes: &[(String, NodeId)]) -> (Scope, Vec<NodeId>, Vec<SavedValue>) {
        let mut bscope = Scope::default();
        let mut grad_params = Vec::new();
        // The first output's gradient is `Param(0)`, the saved values follow, then
        // the further outputs' gradients.
        let grads = std::iter::once(&bw.grad).chain(&bw.extra_grads);
        for (k, (g, out)) in grads.zip(outputs).enumerate() {
            let index = if k == 0 { 0 } else { saved_nodes.len() + k };
            let (dt, sh) = (self.dtype_of(*out), self.shape_of(*out));
            let p = self.node(Op::Param(index as u32), dt, sh, &[], g.span);
            self.prog.graph.meta_mut(p).note = Some(g.name.clone());
            bscope.names.insert(g.name.clone(), Value::Tensor(p));
            grad_params.push(p);
        }
        let mut saved = Vec::new();
        for (i, (name, node)) in saved_nodes.iter().enumerate() {
            let (sdt, ssh) = (self.dtype_of(*node), self.shape_of(*node));
            let p = self.node(Op::Param(i as u32 + 1), sdt, ssh, &[], bw.span);
            self.prog.graph.meta_mut(p).note = Some(format!("saved {name}"));
            bscope.names.insert(name.clone(), Value::Tensor(p));
            saved.push(SavedValue { name: name.clone(), forward: *node, param: p });
        }
        (bscope, grad_params, saved)
    }

    /// Checks the gradients a backward block returns: each is `none` or a tensor
    /// of its parameter's dtype and shape at this call (E0304); a parameter that
    /// received a host value gets `none` (E0305). Returns one entry per tensor argument.
    fn returned_gradients(&mut self, op: &OpDef, grads: Vec<(Value, Span)>, params: &[(Value, Span)], span: Span) -> Option<Vec<Option<NodeId>>> {
        let mut returns = Vec::new();
        for ((g, gs), (p, (arg, arg_span))) in grads.into_iter().zip(op.params.iter().zip(params)) {
            let Value::Tensor(input) = arg else {
                match g {
                    Value::None | Value::Poison => continue,
                    other => {
                        self.error(
                            Diagnostic::new(
                                Code::E0305,
                                format!("the backward returns {} for `{}`, which received {} at this call", other.describe(), p.name, arg.describe()),
                                gs,
                                "a gradient for a value without one",
                            )
                            .with_secondary(*arg_span, format!("`{}` is {} here", p.name, arg.describe()))
                            .with_help("only tensors get gradients: return `none` for this parameter (PyTorch's `return grad * c, None`)"),
                        );
                        return None;
                    }
                }
            };
            let input = *input;
            let (pdt, psh) = (self.dtype_of(input), self.shape_of(input));
            match g {
                Value::None => returns.push(None),
                Value::Tensor(n) => {
                    let (gdt, gsh) = (self.dtype_of(n), self.shape_of(n));
                    if gdt != pdt || gsh != psh {
                        let what = if gdt != pdt { format!("dtype {gdt}") } else { format!("shape {}", shapes::show(&gsh)) };
                        let want = if gdt != pdt { format!("dtype {pdt}") } else { format!("shape {}", shapes::show(&psh)) };
                        self.error(
                            Diagnostic::new(
                                Code::E0304,
                                format!("the gradient for `{}` has {what}, but `{}` has {want} at this call", p.name, p.name),
                                gs,
                                what.clone(),
                            )
                            .with_secondary(p.span, format!("`{}` has {want}", p.name))
                            .with_secondary(span, "called here")
                            .with_help(format!(
                                "return a gradient of the parameter's {}",
                                if gdt != pdt { "dtype" } else { "shape (sum over broadcast dimensions if needed)" }
                            )),
                        );
                        return None;
                    }
                    returns.push(Some(n));
                }
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(
                            Code::E0304,
                            format!("the gradient for `{}` must be a tensor or `none`, not {}", p.name, other.describe()),
                            gs,
                            "not a gradient",
                        )
                        .with_secondary(p.span, "for this parameter")
                        .with_help("return a tensor of the parameter's shape, or `none`"),
                    );
                    return None;
                }
            }
        }
        Some(returns)
    }
}

/// The hidden global that holds a default evaluated where its fn stands; the
/// definition's span tells a fn defined again from the first.
fn default_key(name: &Ident, param: &Ident) -> String {
    format!("{}@{}@default@{}", name.name, name.span.start, param.name)
}

/// Whether an expression reads a name of the program (not a builtin's, nor a
/// math constant's).
fn reads_a_name(e: &Expr) -> bool {
    crate::check::ops::reads_names(e)
}

/// Whether `body` binds `name` anew (an assignment, an unpacking, a loop
/// variable, a nested `fn`): then the object the name held on entry is no
/// longer the one it holds, and what the body did to the name is not the
/// caller's object's change. Changes in place (`d[k] = v`, `xs.append(v)`,
/// `xs += [v]`) keep the object.
pub(super) fn rebinds(body: &crate::syntax::ast::Block, name: &str) -> bool {
    use crate::syntax::ast::StmtKind;
    body.stmts.iter().any(|s| match &s.kind {
        StmtKind::Assign { target, .. } => target.name == name,
        StmtKind::Unpack { targets, .. } => targets.iter().any(|t| t.name == name),
        StmtKind::For(f) => f.var.name == name || rebinds(&f.body, name),
        StmtKind::While(w) => rebinds(&w.body, name),
        StmtKind::Def(f) => f.name.name == name,
        StmtKind::If(i) => crate::check::flow::if_blocks(i).any(|b| rebinds(b, name)),
        StmtKind::NoGrad(b) => rebinds(b, name),
        StmtKind::Expr(_) | StmtKind::Save(_) | StmtKind::Return(_) | StmtKind::Input(_) | StmtKind::Assert { .. } => false,
        StmtKind::AugAssign { .. } | StmtKind::Store { .. } | StmtKind::Jump(_) => false,
    })
}

/// Which arguments are lists, dicts or objects, which a callee may change in
/// place (`push_mutated`), with their spans.
pub(super) fn containers(args: &[(Value, Span)]) -> Vec<(bool, Span)> {
    args.iter().map(|(v, s)| (matches!(v, Value::List(_) | Value::Dict { .. } | Value::Object { .. }), *s)).collect()
}
