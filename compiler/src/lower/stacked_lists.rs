//! Lists that a `range` loop appends to in every iteration
//! (`losses.append(loss.item())` once per epoch).
//!
//! Such a list is one item longer after every iteration, so the loop's state
//! never settles and the body could not be compiled once. But the loop appends
//! the same kind of item the same number of times in every iteration, and its
//! trip count is known: the list's new items fit a tensor of `trip * k` rows,
//! allocated before the loop. While the body is lowered the list is a
//! [`Value::Appending`]: `append` writes the next row of that tensor and counts
//! (both carried by the loop like any other value), `len(xs)` reads the count,
//! and `xs[-1]` after an append in the same iteration reads that row; anything
//! else that reads the list is refused, since the body would see it with no
//! new items. After the
//! loop the list holds its items from before it, then one row of the tensor for
//! each item appended, as Python's list holds them.
//!
//! An append in a run-time `if` of the body is counted by its condition, when
//! that depends on the counter alone (`conditional_appends.rs`): the tensor
//! then has the rows the whole loop appends, and the list after the loop the
//! rows written.
//!
//! Only run-time numbers (`loss.item()`) and tensors that do not require grad
//! are kept so, tensors and compile-time numbers only in loops too long to
//! unroll; other items (a tensor
//! whose backward runs through the list, a tuple) and a body that reads the
//! list leave the loop to be unrolled as before (`loops.rs`).

use graphc_runtime::op::Scalar;
use graphc_runtime::{DType, Op};

use super::conditional_appends::{has_constants, uniform_kind, CondGrowth};
use super::counter_conditions::CounterCondition;
use super::dyn_index::Sub;
use super::regions::{Held, LoweredBody};
use super::{HostKind, Lowerer, Num, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Span};

/// How many items one loop may append to one list this way: each becomes a
/// node after the loop, so the bound keeps compile time in check.
pub(super) const MAX_STACKED: usize = 65_536;

/// What a list's appended items are.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum ItemKind {
    Host(HostKind),
    Tensor { dtype: DType, shape: Vec<usize> },
}

/// A list the first lowering grew: its name, whether the globals hold it too,
/// its items before the loop, and the kind and number of items the loop appends.
struct Plan {
    name: String,
    global: bool,
    entry: Vec<(Value, Span)>,
    item: ItemKind,
    rows: u64,
    /// Whether an item is a compile-time number.
    constant: bool,
}

/// One list being filled by the loop whose body is being lowered.
pub(super) struct Stacking {
    name: String,
    /// Whether the name is also a global (a list bound at the top level).
    global: bool,
    /// The items it held before the loop.
    entry: Vec<(Value, Span)>,
    item: ItemKind,
    /// Rows of the tensor, and rows the lowered iterations fill.
    allocated: usize,
    written: usize,
    /// Appends in the lowering under way, in every iteration.
    appended: usize,
    /// Appends in the lowering under way under a condition on the counter:
    /// how many an iteration makes when it holds, and when it does not.
    conditional: Vec<(CounterCondition, usize, usize)>,
    /// `Lowerer::body_depth` inside the loop's body.
    depth: usize,
    /// While the iterations a slice clamps are lowered one by one, outside the body.
    in_tail: bool,
    /// The span of the first append, which the items after the loop carry.
    append_span: Option<Span>,
    /// Why the list cannot be kept so (a read of it in the body).
    pub misuse: Option<Diagnostic>,
}

/// The hidden names of the tensor of items and of the count; `@` keeps them out
/// of every program's names.
fn items_name(name: &str) -> String {
    format!("{name}@items")
}

fn count_name(name: &str) -> String {
    format!("{name}@count")
}

impl Lowerer<'_> {
    /// Starts keeping every list the first lowering of `body` grew as a tensor
    /// of `trip` iterations' items, with the lists that one side of a run-time
    /// `if` grew (`grown`, `conditional_appends.rs`); `false`, and nothing
    /// changed, when one of them cannot be.
    pub(super) fn stack_lists(&mut self, body: &LoweredBody, grown: &[CondGrowth], trip: u64, scope: &mut Scope, span: Span) -> bool {
        let length = |h: &Held| match h {
            Held::Const(c) => c.strip_prefix("list of ").and_then(|n| n.parse::<usize>().ok()),
            Held::Node(_) => None,
        };
        let mut plans: Vec<Plan> = Vec::new();
        for (key, held) in &body.entry_places {
            let Some(before) = length(held) else { continue };
            let Some(after) = body.exit_places.iter().find(|(k, _)| k == key).and_then(|(_, h)| length(h)) else { continue };
            if after <= before {
                continue;
            }
            // `append` grows a list bound to a name in the scope; at the top level
            // the globals hold the same list, and are updated with it.
            if key.starts_with("global ") {
                continue;
            }
            let name = key.as_str();
            // A list inside another value (`history[0]`) is not appended to by name.
            if name.contains(['[', '.', ' ']) {
                return false;
            }
            let (Some(Value::List(entry)), Some(Value::List(items))) = (scope.names.get(name), body.exit.names.get(name)) else { return false };
            if entry.len() != before || items.len() != after {
                return false;
            }
            let Some(item) = uniform_kind(body, &items[before..]) else { return false };
            let Some(rows) = ((after - before) as u64).checked_mul(trip) else { return false };
            let global = self.call_stack.is_empty() && self.globals.contains_key(name);
            let constant = has_constants(&items[before..]);
            plans.push(Plan { name: name.to_string(), global, entry: entry.clone(), item, rows, constant });
        }
        // Items appended under a condition on the counter add the rows it counted.
        for g in grown {
            let (Some(item), Some(rows)) = (g.item.clone(), g.rows) else { return false };
            match plans.iter_mut().find(|p| p.name == g.name) {
                Some(p) if p.item == item => match p.rows.checked_add(rows) {
                    Some(total) => {
                        p.rows = total;
                        p.constant |= g.constant;
                    }
                    None => return false,
                },
                Some(_) => return false,
                None => {
                    let Some(Value::List(entry)) = scope.names.get(&g.name) else { return false };
                    let global = self.call_stack.is_empty() && self.globals.contains_key(&g.name);
                    plans.push(Plan { name: g.name.clone(), global, entry: entry.clone(), item, rows, constant: g.constant });
                }
            }
        }
        // A tensor may come to require grad in a later iteration (a state that
        // starts as zeros), which is found only after a first iteration was
        // emitted, and compile-time numbers (`dims.append(64)`) may be read as
        // shapes after the loop: a loop short enough to unroll is unrolled instead.
        let unroll = |p: &Plan| p.constant || matches!(p.item, ItemKind::Tensor { .. });
        if plans.iter().any(unroll) && trip <= super::loops::MAX_UNROLL as u64 {
            return false;
        }
        // Each list's tensor must fit graphc's element limit, as any tensor must.
        let fits = |p: &Plan| {
            let per_item: u128 = match &p.item {
                ItemKind::Host(_) => 1,
                ItemKind::Tensor { shape, .. } => shape.iter().map(|&d| d as u128).product(),
            };
            p.rows <= MAX_STACKED as u64 && p.rows as u128 * per_item <= super::builtin_calls::MAX_ELEMENTS
        };
        if plans.is_empty() || !plans.iter().all(fits) {
            return false;
        }
        for Plan { name, global, entry, item, rows, .. } in plans {
            // A condition that never holds appends nothing; the tensor keeps one
            // row all the same, so that the append its body writes has a place.
            let rows = (rows as usize).max(1);
            let (dtype, mut shape) = match &item {
                ItemKind::Host(kind) => (super::host_values::host_dtype(*kind), Vec::new()),
                ItemKind::Tensor { dtype, shape } => (*dtype, shape.clone()),
            };
            shape.insert(0, rows);
            let zero = if dtype == DType::I64 || dtype == DType::Bool { Scalar::Int(0) } else { Scalar::float(0.0) };
            let buf = self.node(Op::Full(zero), dtype, shape, &[], span);
            let count = self.node(Op::Full(Scalar::Int(0)), DType::I64, vec![], &[], span);
            scope.names.insert(items_name(&name), Value::Tensor(buf));
            scope.names.insert(count_name(&name), Value::Host { node: count, kind: HostKind::Int });
            scope.names.insert(name.clone(), Value::Appending(name.clone()));
            if global {
                self.globals.insert(name.clone(), Value::Appending(name.clone()));
            }
            self.stacking.push(Stacking {
                name,
                global,
                entry,
                item,
                allocated: rows,
                written: 0,
                appended: 0,
                conditional: Vec::new(),
                depth: self.body_depth + 1,
                in_tail: false,
                append_span: None,
                misuse: None,
            });
        }
        true
    }

    /// `name.append(v)` in the body of the loop that fills `name`: the next row
    /// of its tensor.
    pub(super) fn stacked_append(&mut self, name: &str, (item, vs): (Value, Span), scope: &mut Scope, span: Span) -> Value {
        let Some(k) = self.stacking.iter().rposition(|s| s.name == name) else { return Value::Poison };
        // A compile-time number (`xs.append(0.0)`) is kept as the run-time number
        // it would be in a list of them.
        let item = match item {
            Value::Number(Num::Int(i)) if i64::try_from(i).is_ok() => {
                let node = self.node(Op::Full(Scalar::Int(i as i64)), DType::I64, vec![], &[], vs);
                Value::Host { node, kind: HostKind::Int }
            }
            Value::Number(Num::Float(v)) => {
                Value::Host { node: self.node(Op::Full(Scalar::float(v)), DType::F64, vec![], &[], vs), kind: HostKind::Float }
            }
            Value::Bool(b) => {
                Value::Host { node: self.node(Op::Full(Scalar::Int(i64::from(b))), DType::Bool, vec![], &[], vs), kind: HostKind::Bool }
            }
            other => other,
        };
        let s = &self.stacking[k];
        // Directly in the loop's body, in a clamped iteration lowered outside
        // it, or directly in a side of a run-time `if` of the body, whose appends
        // `settle_branch_appends` counts.
        let in_branch = self.body_depth == s.depth + 1 && self.if_depths.last() == Some(&s.depth);
        let nested = self.body_depth != s.depth && !(s.in_tail && self.body_depth + 1 == s.depth) && !in_branch;
        let kind = match &item {
            Value::Host { kind, .. } => Some(ItemKind::Host(*kind)),
            Value::Tensor(t) if !self.prog.graph.meta(*t).requires_grad => {
                Some(ItemKind::Tensor { dtype: self.dtype_of(*t), shape: self.shape_of(*t) })
            }
            _ => None,
        };
        let why = if nested {
            Some(format!("`{name}` is appended to in a nested loop, or in an `if` inside a run-time `if`, of the loop that fills it"))
        } else if kind.as_ref() != Some(&s.item) {
            Some(format!("`{name}` gets items of different kinds in this loop"))
        } else {
            None
        };
        if let Some(why) = why {
            self.stack_misuse(k, Diagnostic::new(Code::E0602, why, span, "this append"));
            return Value::Poison;
        }
        let (Some(Value::Tensor(buf)), Some(count @ Value::Host { node: at, .. })) =
            (scope.names.get(&items_name(name)).cloned(), scope.names.get(&count_name(name)).cloned())
        else {
            return Value::Poison;
        };
        let buf = self.current(buf);
        let at = Sub::Dyn { start: at, len: 1, step: 1, keep: false, span, cap: None };
        let Value::Tensor(written) = self.store_dynamic(buf, vec![at], (item, vs), false, span) else { return Value::Poison };
        let next = self.binary(BinOp::Add, (count, span), (Value::Number(Num::Int(1)), span), span);
        scope.names.insert(items_name(name), Value::Tensor(written));
        scope.names.insert(count_name(name), next);
        let s = &mut self.stacking[k];
        s.appended += 1;
        s.append_span.get_or_insert(vs);
        Value::None
    }

    /// `len(xs)` in the loop that fills `xs`: its items before the loop and the
    /// count so far, a run-time integer.
    pub(super) fn appending_len(&mut self, name: &str, scope: &Scope, span: Span) -> Value {
        let (Some(k), Some(count @ Value::Host { .. })) =
            (self.stacking.iter().rposition(|s| s.name == name), scope.names.get(&count_name(name)).cloned())
        else {
            return self.appending_read(name, span);
        };
        match self.stacking[k].entry.len() {
            0 => count,
            n => self.binary(BinOp::Add, (count, span), (Value::Number(Num::Int(n as i128)), span), span),
        }
    }

    /// `xs[-k]` in the loop that fills `xs`, after at least `k` appends in the
    /// same iteration (so that the item is one of them): row `count - k`.
    pub(super) fn appending_item(&mut self, name: &str, back: i128, scope: &Scope, span: Span) -> Value {
        let k = self.stacking.iter().rposition(|s| s.name == name);
        let hidden = (scope.names.get(&items_name(name)).cloned(), scope.names.get(&count_name(name)).cloned());
        let (Some(k), (Some(Value::Tensor(buf)), Some(count @ Value::Host { .. }))) = (k, hidden) else {
            return self.appending_read(name, span);
        };
        if back < 1 || back > self.stacking[k].appended as i128 {
            return self.appending_read(name, span);
        }
        let Value::Host { node: at, .. } = self.binary(BinOp::Sub, (count, span), (Value::Number(Num::Int(back)), span), span) else {
            return Value::Poison;
        };
        let buf = self.current(buf);
        let row = Sub::Dyn { start: at, len: 1, step: 1, keep: false, span, cap: None };
        match (self.index_dynamic(buf, vec![row], span), &self.stacking[k].item) {
            (Value::Tensor(node), ItemKind::Host(kind)) => Value::Host { node, kind: *kind },
            (v, _) => v,
        }
    }

    /// A read of a list while the loop that fills it is lowered.
    pub(super) fn appending_read(&mut self, name: &str, span: Span) -> Value {
        let d = Diagnostic::new(Code::E0602, format!("`{name}` is read in the loop that appends to it in every iteration"), span, "read here");
        match self.stacking.iter().rposition(|s| s.name == name) {
            Some(k) => {
                self.stack_misuse(k, d);
                Value::Poison
            }
            // A value that outlived its loop (a lambda that closed over the list
            // in the body): reported at once, since no loop will.
            None => self.error(d.with_help("read the list after the loop")),
        }
    }

    fn stack_misuse(&mut self, k: usize, d: Diagnostic) {
        let d = d.with_help(format!(
            "a loop body is compiled once, so a list it appends to is kept as a tensor of the items and can be read after the loop only; read the value appended instead, or preallocate a tensor (`out = zeros({}, ...)`, then `out[i] = ...`)",
            self.stacking[k].allocated
        ));
        self.stacking[k].misuse.get_or_insert(d);
    }

    /// The first misuse of a list the loop fills since `from`, taken.
    pub(super) fn take_stack_misuse(&mut self, from: usize) -> Option<Diagnostic> {
        self.stacking[from..].iter_mut().find_map(|s| s.misuse.take())
    }

    /// An error in the use of list `k`, reported unless the loop is unrolled instead.
    pub(super) fn stack_error(&mut self, k: usize, d: Diagnostic) {
        let d = if d.help.is_some() {
            d
        } else {
            d.with_help("decide with the loop counter alone (`if epoch % 100 == 0`), or append on both sides of the `if`, so that graphc can count the items when compiling")
        };
        self.stacking[k].misuse.get_or_insert(d);
    }

    /// How many appends the lowering under way made to each list kept as a tensor.
    pub(super) fn stacked_appends(&self) -> Vec<usize> {
        self.stacking.iter().map(|s| s.appended).collect()
    }

    /// Sets the appends counted so far back, for the other side of an `if`.
    pub(super) fn restore_stacked_appends(&mut self, counts: &[usize]) {
        for (s, &n) in self.stacking.iter_mut().zip(counts) {
            s.appended = n;
        }
    }

    /// Sets the appends list `k` gets in every iteration so far.
    pub(super) fn set_stacked_appends(&mut self, k: usize, n: usize) {
        self.stacking[k].appended = n;
    }

    /// Adds appends list `k` gets in the iterations where `c` holds (`ya` each)
    /// and where it does not (`yb` each).
    pub(super) fn add_conditional_appends(&mut self, k: usize, c: CounterCondition, ya: usize, yb: usize) {
        self.stacking[k].conditional.push((c, ya, yb));
    }

    /// The body depth and the name of list `k`.
    pub(super) fn stacking_depth(&self, k: usize) -> usize {
        self.stacking[k].depth
    }

    pub(super) fn stacking_name(&self, k: usize) -> String {
        self.stacking[k].name.clone()
    }

    /// Starts a lowering of the body (`tail`: of a clamped iteration, outside it).
    pub(super) fn stack_begin(&mut self, from: usize, tail: bool) {
        for s in &mut self.stacking[from..] {
            s.appended = 0;
            s.conditional.clear();
            s.in_tail = tail;
        }
    }

    /// The lowering just made runs `trip` times, the counter from `first` by
    /// `step`: the items it appends under a condition are counted now. A count
    /// beyond the rows allocated is reported by `finish_stacking`.
    pub(super) fn stack_runs(&mut self, from: usize, trip: u64, first: i128, step: i128) {
        for s in &mut self.stacking[from..] {
            let mut n = (s.appended as u64).saturating_mul(trip);
            for (c, ya, yb) in &s.conditional {
                let hits = c.count(first, step, trip).unwrap_or(u64::MAX);
                let more = hits.saturating_mul(*ya as u64).saturating_add((trip.saturating_sub(hits)).saturating_mul(*yb as u64));
                n = n.saturating_add(more);
            }
            s.written = s.written.saturating_add(usize::try_from(n).unwrap_or(usize::MAX));
            s.appended = 0;
            s.conditional.clear();
        }
    }

    /// Gives the lists back as they were before the loop (to unroll it instead).
    pub(super) fn unstack(&mut self, from: usize, scope: &mut Scope) {
        for s in self.stacking.drain(from..).collect::<Vec<_>>() {
            scope.names.remove(&items_name(&s.name));
            scope.names.remove(&count_name(&s.name));
            scope.names.insert(s.name.clone(), Value::List(s.entry.clone()));
            if s.global {
                self.globals.insert(s.name.clone(), Value::List(s.entry));
            }
        }
    }

    /// After the loop: each list holds its items from before the loop, then the
    /// rows of its tensor. `ok` is false when the loop was given up with an error.
    pub(super) fn finish_stacking(&mut self, from: usize, ok: bool, span: Span, scope: &mut Scope) {
        for s in self.stacking.drain(from..).collect::<Vec<_>>() {
            let buf = scope.names.remove(&items_name(&s.name));
            scope.names.remove(&count_name(&s.name));
            let list = match buf {
                Some(Value::Tensor(buf)) if ok && s.written <= s.allocated => {
                    let buf = self.current(buf);
                    let at = s.append_span.unwrap_or(span);
                    let mut items = s.entry.clone();
                    items.reserve(s.written);
                    for j in 0..s.written {
                        let row = match self.select_row(buf, j as i64, at) {
                            Value::Tensor(row) => row,
                            _ => return,
                        };
                        let v = match s.item {
                            ItemKind::Host(kind) => Value::Host { node: row, kind },
                            ItemKind::Tensor { .. } => Value::Tensor(row),
                        };
                        items.push((v, at));
                    }
                    Value::List(items)
                }
                _ => {
                    if ok {
                        self.error(
                            Diagnostic::new(
                                Code::E0602,
                                format!("the loop appends a different number of items to `{}` in different iterations", s.name),
                                span,
                                "the loop's state never settles",
                            )
                            .with_help("append the same number of items in every iteration, or preallocate a tensor and write `out[i] = ...`"),
                        );
                    }
                    Value::Poison
                }
            };
            scope.names.insert(s.name.clone(), list.clone());
            if s.global {
                self.globals.insert(s.name, list);
            }
        }
    }
}
