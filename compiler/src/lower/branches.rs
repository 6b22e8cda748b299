//! Run-time `if`: a condition known only when the program runs (a run-time
//! bool, or a 0-d or one-element bool tensor: Python's `if tensor:`).
//!
//! Both sides are lowered as regions from the same state (`regions.rs`): the
//! `if` block, and the rest (the `elif`s as a nested `if`, or the `else` block,
//! or nothing). A place that either side changes becomes an output of both
//! sides (the side that leaves it alone exports its input), so that the values
//! after the `if` do not depend on which side ran; both sides must agree on its
//! dtype, shape and kind (E0605). A name first bound on one side only (a loop
//! variable, a temporary) is unbound after the `if`, as Python leaves it when
//! the other side ran; reading it later is E0606 there. `Lowerer::runtime_if`
//! is the one entry point,
//! which `conditions.rs` calls for a condition that is not a compile-time bool.

use std::collections::HashMap;

use graphc_runtime::op::Scalar;
use graphc_runtime::{DType, Op};

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{Node, NodeId, NodeMeta, Region};
use crate::ir::program::{Effect, LoopRegion};
use crate::syntax::ast::{Block, IfStmt, Span, Stmt, StmtKind};

use super::conditional_exprs::HIDDEN;
use super::counter_conditions::CounterCondition;
use super::regions::{Held, LoweredBody};
use super::{BodyKind, BodyResult, HostKind, Lowerer, Num, Scope, Value};

impl Lowerer<'_> {
    /// The bool node of a condition decided at run time, if `v` is one.
    pub(crate) fn runtime_condition(&self, v: &Value) -> Option<NodeId> {
        match v {
            Value::Host { node, kind: HostKind::Bool } => Some(*node),
            Value::Tensor(n) if self.dtype_of(*n) == graphc_runtime::DType::Bool && self.shape_of(*n).iter().product::<usize>() == 1 => Some(*n),
            _ => None,
        }
    }

    /// Lowers `if` branch `from` of `i` (whose condition is the run-time bool
    /// `cond`) and everything after it as a run-time branch.
    pub(crate) fn runtime_if(&mut self, i: &IfStmt, from: usize, cond: NodeId, scope: &mut Scope, kind: BodyKind) -> Option<BodyResult> {
        let (cond_expr, then_block) = &i.branches[from];
        let span = cond_expr.span;
        if matches!(kind, BodyKind::Forward | BodyKind::Backward) || !self.op_frames.is_empty() {
            self.error(
                Diagnostic::new(
                    Code::E0603,
                    "an `if` on a run-time value inside an op's block is not supported",
                    span,
                    "run-time condition in an op",
                )
                .with_help("decide the condition at compile time (`needs_grad(x)`, `b is none`), or move the `if` out of the op"),
            );
            return None;
        }
        let rest = match i.branches.get(from + 1) {
            Some((next, _)) => Block {
                stmts: vec![Stmt {
                    kind: StmtKind::If(IfStmt { branches: i.branches[from + 1..].to_vec(), otherwise: i.otherwise.clone() }),
                    span: next.span,
                }],
                span: next.span,
            },
            None => i.otherwise.clone().unwrap_or(Block { stmts: Vec::new(), span }),
        };
        // What each side appends to a list the loop keeps as a tensor is counted
        // side by side (`conditional_appends.rs`).
        let mut appends = self.branch_appends_begin(cond);
        let a = self.lower_body(then_block, None, None, span, scope, kind);
        self.branch_appends_side(&mut appends);
        let b = self.lower_body(&rest, None, None, span, scope, kind);
        self.branch_appends_side(&mut appends);
        // Lists that only the iterations before a `break` (or without a
        // `continue`) append to are reported as the jump's (`jumps.rs`).
        let outer = std::mem::replace(&mut self.jump_guard, super::jumps::guarded_jump(cond_expr));
        let condition = self.settle_branch_appends(appends, span);
        if let (Some(a), Some(b)) = (a, b) {
            self.join(a, b, (cond, condition), span, scope);
        }
        self.jump_guard = outer;
        None
    }

    /// Emits the two sides of a branch and rebinds the state to what it is after it.
    /// `cond` is the condition's node, with what the loop counter says of it
    /// when it alone decides the condition.
    fn join(&mut self, mut a: LoweredBody, mut b: LoweredBody, (cond, condition): (NodeId, Option<CounterCondition>), span: Span, scope: &mut Scope) {
        promote_numbers(&mut a, &mut b, span);
        rename_one_sided_grads(&mut a, &b);
        rename_one_sided_grads(&mut b, &a);
        self.fill_break_state(&a, &mut b, span);
        let entry: HashMap<&String, &Held> = a.entry_places.iter().map(|(k, h)| (k, h)).collect();
        let exit_a: HashMap<&String, &Held> = a.exit_places.iter().map(|(k, h)| (k, h)).collect();
        let exit_b: HashMap<&String, &Held> = b.exit_places.iter().map(|(k, h)| (k, h)).collect();
        let in_body = |side: &LoweredBody, h: &Held| match h {
            Held::Node(n) => Held::Node(side.to_body[n]),
            Held::Const(c) => Held::Const(c.clone()),
        };
        // A list one side appends to, in a loop's body, is left to the loop.
        let grown = self.grown_on_one_side(&a, &b, condition, span);
        let before: HashMap<String, (Option<Value>, Option<Value>)> =
            grown.iter().map(|n| (n.clone(), (scope.names.get(n).cloned(), self.globals.get(n).cloned()))).collect();
        let mut keys: Vec<&String> = a.exit_places.iter().map(|(k, _)| k).collect();
        keys.extend(b.exit_places.iter().map(|(k, _)| k).filter(|k| !exit_a.contains_key(k)));
        keys.retain(|k| !grown.contains(&root_of(k).1));
        // What each node place holds after the branch: an outer node, or output `j`.
        let mut target: HashMap<String, Result<NodeId, usize>> = HashMap::new();
        let mut pairs: Vec<(NodeId, NodeId)> = Vec::new();
        let mut failed = false;
        // The names whose join failed, to leave in error after the `if`.
        let mut failed_keys: Vec<String> = Vec::new();
        let mut poisoned: Vec<(String, String)> = Vec::new();
        let mut one_sided: Vec<String> = Vec::new();
        // A name that one side makes a Python number and the other leaves a
        // tensor (the tutorials' `loss = loss.item()` under `if batch % 100 ==
        // 0`) is left unbound after the `if`, an error only where it is read, as
        // Python would run it either way.
        let split: Vec<String> = keys
            .iter()
            .filter_map(|k| k.strip_suffix(" (kind)"))
            .filter(|root| {
                let kind = format!("{root} (kind)");
                exit_a.contains_key(&kind) != exit_b.contains_key(&kind)
                    && !entry.contains_key(&kind)
                    && exit_a.contains_key(&root.to_string())
                    && exit_b.contains_key(&root.to_string())
                    && !root.starts_with(HIDDEN)
                    && !root.starts_with('<')
                    && !root.contains(['[', '.'])
            })
            .map(str::to_string)
            .collect();
        for key in keys {
            if split.contains(&root_of(key).0) {
                continue;
            }
            let before = entry.get(key);
            let (ha, hb) = match (exit_a.get(key), exit_b.get(key), before) {
                (Some(x), Some(y), _) => ((*x).clone(), (*y).clone()),
                (Some(x), None, Some(e)) => ((*x).clone(), in_body(&b, e)),
                (None, Some(y), Some(e)) => (in_body(&a, e), (*y).clone()),
                _ => {
                    // A name that neither the state before the `if` nor the other
                    // side holds is bound on this side only; anything else (an item
                    // a list gained on one side) is a place the sides disagree on.
                    let (root, name) = root_of(key);
                    let both_sides = exit_a.contains_key(&root) && exit_b.contains_key(&root);
                    if !entry.contains_key(&root) && !both_sides {
                        one_sided.push(name);
                        continue;
                    }
                    self.error(
                        Diagnostic::new(
                            Code::E0606,
                            format!("`{name}` is bound on only one side of an `if` decided at run time"),
                            span,
                            "condition known only at run time",
                        )
                        .with_help(format!("bind `{name}` before the `if`, or on both sides")),
                    );
                    failed = true;
                    failed_keys.push(key.clone());
                    continue;
                }
            };
            let unchanged = before.is_some_and(|e| in_body(&a, e) == ha && in_body(&b, e) == hb);
            if unchanged {
                if let Some(Held::Node(n)) = before {
                    target.insert(key.clone(), Ok(*n));
                }
                continue;
            }
            let (Held::Node(na), Held::Node(nb)) = (&ha, &hb) else {
                // A compile-time value both sides leave the same (a list both append
                // an item to, whose items are places of their own; the kind of the
                // run-time number appended) is that value after the `if`.
                if ha == hb {
                    continue;
                }
                let lists = [&ha, &hb].iter().all(|h| matches!(h, Held::Const(c) if c.starts_with("list of ")));
                if lists {
                    poisoned.push(root_of(key));
                    // Python's list would have a length only the run knows.
                    self.error(
                        Diagnostic::new(Code::E0605, format!("`{key}` gets items on one side only of an `if` decided at run time"), span, "condition known only at run time")
                            .with_help("append on both sides; in a `range` loop, decide with the loop counter alone (`if epoch % 100 == 0`), so that graphc can count the items when compiling"),
                    );
                    failed = true;
                    failed_keys.push(key.clone());
                    continue;
                }
                self.branch_mismatch(key, "a compile-time value (or a `.grad` that is `None`) that differs between the sides", span, true);
                failed = true;
                failed_keys.push(key.clone());
                continue;
            };
            let describe = |side: &LoweredBody, n: NodeId| {
                let (node, meta) = (side.program.graph.node(n), side.program.graph.meta(n));
                (node.dtype, node.shape.clone(), meta.requires_grad, side.exit.grad_state.contains_key(&n))
            };
            if describe(&a, *na) != describe(&b, *nb) {
                self.branch_mismatch(key, "a value whose dtype, shape or gradient tracking differs between the sides", span, false);
                failed = true;
                failed_keys.push(key.clone());
                continue;
            }
            let j = pairs.iter().position(|p| *p == (*na, *nb)).unwrap_or_else(|| {
                pairs.push((*na, *nb));
                pairs.len() - 1
            });
            target.insert(key.clone(), Err(j));
        }
        if failed {
            // A list of a length only the run knows is left unknown, so that its
            // later uses add no errors; in a loop body it is left as it was, for
            // the loop to see the growth (`conditional_appends.rs`).
            // A name whose sides disagree is in error after the `if` (a hidden
            // return value too), so that its uses add no "cannot find" errors.
            for key in failed_keys.iter().filter(|k| !k.contains(['[', '.', ' ']) || k.starts_with("<return value") || k.starts_with(HIDDEN)) {
                if !scope.names.contains_key(key) {
                    scope.names.insert(key.clone(), Value::Poison);
                }
            }
            // A name bound on one side only is in error too, not unknown.
            for name in one_sided {
                scope.names.entry(name).or_insert(Value::Poison);
            }
            for (_, name) in poisoned.into_iter().filter(|_| !self.in_loop_body) {
                scope.names.insert(name.clone(), Value::Poison);
                if self.globals.contains_key(&name) {
                    self.globals.insert(name, Value::Poison);
                }
            }
            return;
        }
        let (ra, rb) = (self.prog.regions.len() as u32, self.prog.regions.len() as u32 + 1);
        let mut outputs = Vec::new();
        for (j, &(na, _)) in pairs.iter().enumerate() {
            let (node, meta) = (a.program.graph.node(na), a.program.graph.meta(na));
            let op = Op::RegionOutput { region: ra, output: j as u32 };
            let out = self.prog.graph.add(
                Node { op, dtype: node.dtype, shape: node.shape.clone() },
                &[],
                NodeMeta { span, region: self.region, requires_grad: meta.requires_grad, note: meta.note.clone() },
            );
            if let Some(g) = a.grad_fn.get(&na).or_else(|| b.grad_fn.get(&pairs[j].1)) {
                self.grad_fn.insert(out, g.clone());
            }
            outputs.push(out);
        }
        let node_of = |key: &str| target.get(key).map(|t| t.map_or_else(|j| outputs[j], |n| n));
        self.rebind_keys(&mut a, &node_of, scope);
        self.restore_grown(&grown, &before, scope);
        for name in one_sided {
            scope.names.remove(&name);
            self.globals.remove(&name);
            self.one_sided.insert(name, (span, self.jump_guard));
        }
        for root in split {
            let name = root.trim_start_matches("global ").to_string();
            scope.names.remove(&name);
            self.globals.remove(&name);
            self.split_kinds.insert(name, span);
        }
        self.prog.effects.push(Effect::Branch { cond, then: ra, otherwise: rb, inputs: a.inputs.clone(), outputs });
        for (side, pick) in [(&mut a, 0), (&mut b, 1)] {
            let mut program = std::mem::take(&mut side.program);
            for (j, p) in pairs.iter().enumerate() {
                program.exports.insert(LoopRegion::output_name(j), if pick == 0 { p.0 } else { p.1 });
            }
            self.prog.regions.push(LoopRegion { body: program, trip: 1, start: 0, step: 1, carried: Vec::new(), exit: None, span, plan: None });
        }
    }

    /// Rebinds the state to `side`'s exit state, with the node at each place
    /// replaced by `node_of(key)`; leaves keep their `.grad`.
    fn rebind_keys(&mut self, side: &mut LoweredBody, node_of: &dyn Fn(&str) -> Option<NodeId>, scope: &mut Scope) {
        let mut names = std::mem::take(&mut side.exit.names);
        for (name, v) in names.iter_mut() {
            rekey(name.clone(), v, &node_of);
        }
        scope.names = names;
        let mut globals = std::mem::take(&mut side.exit.globals);
        for (name, v) in globals.iter_mut() {
            rekey(format!("global {name}"), v, &node_of);
        }
        self.globals = globals;
        self.optim = std::mem::take(&mut side.exit.optim);
        self.optim.rekey(&node_of);
        let mut seen = std::collections::HashSet::new();
        for (key, held) in &side.exit_places {
            let Held::Node(n) = held else { continue };
            // A place the branch leaves unbound (a name bound on one side only) has no node after it.
            let Some(leaf) = node_of(key) else { continue };
            if side.exit.params.contains(n) {
                self.param_origins.insert(leaf);
            }
            if side.exit.buffers.contains(n) {
                self.buffer_origins.insert(leaf);
            }
            if !side.exit.grad_state.contains_key(n) || !seen.insert(*n) {
                continue;
            }
            if !self.prog.leaves.contains(&leaf) {
                self.prog.leaves.push(leaf);
            }
            self.grad_state.insert(leaf, node_of(&format!("{key}.grad")));
        }
    }

    /// At the guard of the iterations before a `break` (`jumps.rs`), state the
    /// taken side creates where the other side leaves none: a `.grad` that
    /// was `None` before the first backward of a training loop that may break
    /// before it, an optimizer's state before its first `step()`. The other
    /// side runs only once the loop has broken, so no later iteration reads
    /// what it holds there: zeros, so that the loop's state keeps one kind.
    /// After the loop they stand for a `None`, so the places are recorded
    /// (`break_fills`), and reading them there is an error (`jumps.rs`).
    fn fill_break_state(&mut self, a: &LoweredBody, b: &mut LoweredBody, span: Span) {
        if self.jump_guard != Some(crate::syntax::ast::Jump::Break) {
            return;
        }
        let zeros_like = |b: &mut LoweredBody, n: NodeId, note: String| {
            let node = a.program.graph.node(n);
            let (dtype, shape) = (node.dtype, node.shape.clone());
            b.program.graph.add(
                Node { op: Op::Full(Scalar::of(0.0, dtype)), dtype, shape },
                &[],
                NodeMeta { span, region: Region::Forward, requires_grad: false, note: Some(note) },
            )
        };
        let in_a: HashMap<&String, NodeId> =
            a.exit_places.iter().filter_map(|(k, h)| if let Held::Node(n) = h { Some((k, *n)) } else { None }).collect();
        let mut places = std::mem::take(&mut b.exit_places);
        for (key, held) in places.iter_mut() {
            let (Some(&na), Held::Const(_), true) = (in_a.get(key), &held, key.ends_with(".grad")) else { continue };
            *held = Held::Node(zeros_like(b, na, key.clone()));
            self.break_fills.push((key.clone(), span));
        }
        for (k, opt) in a.exit.optim.optimizers.iter().enumerate() {
            for (i, state) in opt.state.iter().enumerate() {
                let (Some(sa), Some(None)) = (state, b.exit.optim.optimizers.get(k).and_then(|o| o.state.get(i))) else { continue };
                let mut sb = sa.clone();
                let mut fields = Vec::new();
                for (j, n) in sb.nodes_mut().into_iter().enumerate() {
                    if let Some(na) = *n {
                        *n = Some(zeros_like(b, na, format!("optimizer {k} state {i}")));
                    }
                    fields.push((format!("optimizer {k} state {i} field {j}"), n.map_or(Held::Const("none".to_string()), Held::Node)));
                }
                b.exit.optim.optimizers[k].state[i] = Some(sb);
                let key = format!("optimizer {k} state {i}");
                if let Some(at) = places.iter().position(|(p, _)| *p == key) {
                    places.splice(at..at + 1, fields);
                }
                self.break_fills.push((format!("optimizer {k}"), span));
            }
        }
        b.exit_places = places;
    }

    /// `constant`: the sides hold different compile-time values (strings, `none`).
    fn branch_mismatch(&mut self, key: &str, what: &str, span: Span, constant: bool) {
        // The rest of an iteration that a `continue` (or `break`) decided at run
        // time skips, where the first backward or `step()` would create the state.
        if let (Some(jump), true) = (self.jump_guard, key.ends_with(".grad") || key.starts_with("optimizer ")) {
            let k = jump.keyword();
            let (what, first) = if key.ends_with(".grad") {
                (
                    format!(
                        "`{}` is `None` when this `{k}` skips the rest of the iteration, and a tensor when it does not",
                        key.trim_start_matches("global ")
                    ),
                    "backward",
                )
            } else {
                (format!("an optimizer has no state yet when this `{k}` skips the rest of the iteration, and state when it does not"), "`step()`")
            };
            self.error(
                Diagnostic::new(Code::E0605, what, span, format!("`{k}` known only at run time"))
                    .with_help(format!("graphc carries one kind of value from one iteration to the next: run the first {first} before the loop, or decide the `{k}` after the {first}")),
            );
            return;
        }
        // A fn's value returned inside the `if` is bound to a hidden name (`early_returns.rs`).
        let (name, help) = match key.strip_prefix("<return value") {
            Some(_) => (
                "the value the fn returns".to_string(),
                "return values of the same dtype, shape and kind on every path (both sides are compiled, and either may run)",
            ),
            None if key.starts_with(HIDDEN) && constant => (
                "the value of `a if c else b`".to_string(),
                "graphc knows `none` and other values that are not numbers, tensors or strings only when compiling, so a run-time condition cannot pick one \
                 (it picks between strings and f-strings written in the expression, `\"a\" if c else f\"{x}\"`): \
                 write an `if` statement and use each value on its own side (`if c { print(\"a\") } else { print(\"b\") }`)",
            ),
            None if key.starts_with(HIDDEN) => (
                "the value of `a if c else b`".to_string(),
                "give `a` and `b` the same dtype, shape and kind (both sides are compiled, and either may run); for tensors of different shapes, `where(c, a, b)` broadcasts",
            ),
            None => (format!("`{key}`"), "give the value the same dtype, shape and kind on both sides (both sides are compiled, and either may run)"),
        };
        self.error(
            Diagnostic::new(Code::E0605, format!("{name} is {what} of an `if` decided at run time"), span, "condition known only at run time")
                .with_help(help),
        );
    }
}

/// A name that holds a Python number of one type on both sides, known when
/// compiling on one side and only at run time on the other (`lr = 1.0` against
/// `lr = step / warmup`), or two different compile-time numbers, is a run-time
/// number after the `if`: the side that knows it holds it in a constant node.
/// So is such a number inside a list, tuple or dict both sides hold
/// (`best["loss"] = loss.item()` on one side). An int on one side and a float
/// on the other stay different (E0605), as Python's value would have a type
/// only the run knows.
fn promote_numbers(a: &mut LoweredBody, b: &mut LoweredBody, span: Span) {
    let mut names: Vec<(String, bool)> = a.exit.names.keys().map(|k| (k.clone(), false)).collect();
    names.extend(a.exit.globals.keys().map(|k| (k.clone(), true)));
    names.sort();
    for (name, global) in names {
        let get = |side: &LoweredBody| if global { side.exit.globals.get(&name) } else { side.exit.names.get(&name) }.cloned();
        let (Some(va), Some(vb)) = (get(a), get(b)) else { continue };
        let mut found = Vec::new();
        promotable(&va, &vb, String::new(), &mut found);
        let key = if global { format!("global {name}") } else { name.clone() };
        for (path, kind) in found {
            for side in [&mut *a, &mut *b] {
                let slot = if global { side.exit.globals.get_mut(&name) } else { side.exit.names.get_mut(&name) };
                let Some(slot) = slot.and_then(|v| super::loops::value_at(v, &path)) else { continue };
                let (dtype, scalar) = match slot {
                    Value::Number(n) => (if n.is_int() { DType::I64 } else { DType::F64 }, n.scalar()),
                    Value::Bool(v) => (DType::Bool, Scalar::of(if *v { 1.0 } else { 0.0 }, DType::Bool)),
                    _ => continue,
                };
                let node = side.program.graph.add(
                    Node { op: Op::Full(scalar), dtype, shape: vec![] },
                    &[],
                    NodeMeta { span, region: Region::Forward, requires_grad: false, note: None },
                );
                *slot = Value::Host { node, kind };
                let place = format!("{key}{path}");
                if let Some(at) = side.exit_places.iter().position(|(k, _)| *k == place) {
                    side.exit_places[at].1 = Held::Node(node);
                    side.exit_places.insert(at, (format!("{place} (kind)"), Held::Const(format!("host {kind:?}"))));
                }
            }
        }
    }
}

/// The paths (`""` the value itself, `[1]` an item, as `regions::walk` names
/// places) at which `a` and `b` hold numbers of one type that become one
/// run-time number, looking into lists, tuples and dicts of one length.
fn promotable(a: &Value, b: &Value, path: String, out: &mut Vec<(String, HostKind)>) {
    fn kind_of(v: &Value) -> Option<(HostKind, bool)> {
        match v {
            Value::Number(Num::Int(_)) => Some((HostKind::Int, false)),
            Value::Number(Num::Float(_)) => Some((HostKind::Float, false)),
            Value::Bool(_) => Some((HostKind::Bool, false)),
            Value::Host { kind, .. } => Some((*kind, true)),
            _ => None,
        }
    }
    if let (Some((ka, run_a)), Some((kb, run_b))) = (kind_of(a), kind_of(b)) {
        let same_constant = match (a, b) {
            (Value::Number(x), Value::Number(y)) => x == y,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            _ => false,
        };
        if ka == kb && !(run_a && run_b) && !same_constant {
            out.push((path, ka));
        }
        return;
    }
    let items = |v: &Value| match v {
        Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } | Value::Dict { items, .. } | Value::Object { items, .. } => {
            Some(items.clone())
        }
        _ => None,
    };
    if let (Some(x), Some(y)) = (items(a), items(b)) {
        if x.len() == y.len() {
            for (i, ((p, _), (q, _))) in x.iter().zip(&y).enumerate() {
                promotable(p, q, format!("{path}[{i}]"), out);
            }
        }
    }
}

/// The name a place belongs to, as a place key (`global w` for a global) and as
/// the bare name: `params[1].grad` belongs to `params`.
fn root_of(key: &str) -> (String, String) {
    let global = key.starts_with("global ");
    let name = key.trim_start_matches("global ").split(['[', '.', ' ']).next().unwrap_or(key).to_string();
    (if global { format!("global {name}") } else { name.clone() }, name)
}

/// A leaf's `.grad` is keyed by the first place that holds the leaf (`regions::places`).
/// When that place is a name `side` binds and the other side does not (`param`
/// of a `for param in params` in the branch), the gradient is renamed after
/// another place holding the leaf (`params[1].grad`), which the state before
/// the `if` and the other side also know it by.
fn rename_one_sided_grads(side: &mut LoweredBody, other: &LoweredBody) {
    let known = |root: &str| side.entry_places.iter().chain(&other.exit_places).any(|(k, _)| k == root);
    let one_sided = |key: &str| !known(&root_of(key).0);
    let holder: HashMap<NodeId, String> = side
        .exit_places
        .iter()
        .rev()
        .filter(|(k, _)| !one_sided(k) && !k.ends_with(".grad") && !k.ends_with(" (kind)"))
        .filter_map(|(k, h)| if let Held::Node(n) = h { Some((*n, k.clone())) } else { None })
        .collect();
    let node_at: HashMap<String, NodeId> =
        side.exit_places.iter().filter_map(|(k, h)| if let Held::Node(n) = h { Some((k.clone(), *n)) } else { None }).collect();
    for (key, _) in side.exit_places.iter_mut() {
        let Some(base) = key.strip_suffix(".grad") else { continue };
        if !one_sided(base) {
            continue;
        }
        if let Some(place) = node_at.get(base).and_then(|n| holder.get(n)) {
            *key = format!("{place}.grad");
        }
    }
}

/// Replaces the node at each place of `v` (keyed as `regions::walk` keys them) by `node_of(key)`.
fn rekey(key: String, v: &mut Value, node_of: &dyn Fn(&str) -> Option<NodeId>) {
    match v {
        Value::Tensor(n) | Value::Host { node: n, .. } => {
            if let Some(m) = node_of(&key) {
                *n = m;
            }
        }
        Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } | Value::Dict { items, .. } | Value::Object { items, .. } => {
            for (i, (item, _)) in items.iter_mut().enumerate() {
                rekey(format!("{key}[{i}]"), item, node_of);
            }
        }
        Value::Lambda(c) => {
            for (name, item) in &mut c.captured {
                rekey(format!("{key}.{name}"), item, node_of);
            }
        }
        Value::Dataset(tensors) | Value::Loader(super::data_loader::Loader { tensors, .. }) => {
            for (i, n) in tensors.iter_mut().enumerate() {
                if let Some(m) = node_of(&format!("{key}[{i}]")) {
                    *n = m;
                }
            }
            if let Value::Loader(super::data_loader::Loader { object: Some(obj), .. }) = v {
                rekey(format!("{key}.dataset"), obj, node_of);
            }
        }
        Value::Text(pieces) => {
            let mut i = 0;
            for p in pieces {
                p.map_nodes(&mut |n| {
                    let m = node_of(&format!("{key}{{{i}}}")).unwrap_or(n);
                    i += 1;
                    m
                });
            }
        }
        Value::Number(_)
        | Value::Str(_)
        | Value::Bool(_)
        | Value::None
        | Value::DType(_)
        | Value::Size(_)
        | Value::Optimizer(_)
        | Value::ParamGroup { .. }
        | Value::OptimizerState { .. }
        | Value::Scheduler(_)
        | Value::Generator(_)
        | Value::Func(..)
        | Value::GradFn(_)
        | Value::Appending(_)
        | Value::Poison => {}
    }
}
