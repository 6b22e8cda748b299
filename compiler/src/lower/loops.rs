//! `for` loops.
//!
//! `for i in range(...)` with compile-time bounds is compiled once: the body is
//! lowered into a program of its own (a [`LoopRegion`]) whose inputs are the
//! values the lowering state holds when the loop starts, and whose outputs are
//! the values that changed (`regions.rs` builds it). The runtime runs it `trip`
//! times, feeding each carried output to the next iteration's input. When the
//! state after the body differs in kind from the state before it (a `.grad`
//! that was `None`, a name first bound in the body and read by the next
//! iteration, a dtype that changes), the first iteration is peeled off as a
//! region of one iteration and the body is lowered again from the new state.
//!
//! A `range` loop whose body subscripts a list, tuple or module list with a
//! run-time integer (the counter: `params[i]`, `layers[i](h)`) is unrolled
//! when it is short, each iteration with the counter a compile-time number.
//!
//! `for x in [a, b]` over a list (or tuple) known at compile time is unrolled:
//! the body is lowered once per item, with the name bound to the item itself.
//! So is `for row in x` over a tensor of at most 512 rows (each row a compile-time
//! subscript); a longer tensor's rows are read at run time in a region
//! (`row_loops.rs`).

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::{Effect, LoopRegion};
use crate::syntax::ast::{ExprKind, ForStmt, Span};

use super::regions::LoweredBody;
use super::{BodyKind, BodyResult, Lowerer, Scope, Value};

/// How many iterations may be peeled off before the loop before graphc gives up
/// on finding a state that the body keeps.
const MAX_PEELS: usize = 3;

/// How many compile-time numbers one loop may turn into run-time values
/// (`n += 1` in the body: see [`Lowerer::promote_number`]); each costs one more
/// lowering of the body.
const MAX_PROMOTIONS: usize = 16;

/// How many iterations at the end of a `range` loop may be lowered one by one
/// because a slice in them runs past the end of its dimension and Python
/// gives a shorter tensor (the last, partial mini-batch). Few loops clamp in
/// more than one iteration; a bound keeps compile time independent of the trip count.
pub(super) const MAX_CLAMPED_TAIL: usize = 4;

/// Lists longer than this are not unrolled.
pub(super) const MAX_UNROLL: usize = 512;

impl Lowerer<'_> {
    /// Lowers a `for` statement; returns what a `return` in an unrolled body returned.
    pub(crate) fn for_stmt(&mut self, f: &ForStmt, scope: &mut Scope, kind: BodyKind) -> Option<BodyResult> {
        // The break flag of this loop, if it has one; nested loops have their own.
        let exit = self.pending_exit.take();
        if matches!(kind, BodyKind::Forward | BodyKind::Backward) || !self.op_frames.is_empty() {
            self.error(
                Diagnostic::new(Code::E0603, "a `for` loop inside an op's block is not supported", f.var.span, "loop in an op")
                    .with_help("move the loop into a `fn` or to the top level, and call the op inside the loop"),
            );
            return None;
        }
        if let Some((rewritten, flags)) = super::jumps::rewrite_loop(f) {
            if let Some(brk) = &flags.brk {
                self.bind(brk, Value::Bool(false), scope, kind);
            }
            self.pending_exit = flags.brk.clone();
            let fills = self.break_fills.len();
            let r = self.for_stmt(&rewritten, scope, kind);
            self.mark_break_fills(fills, scope);
            // The loop variable keeps its value from the iteration that broke.
            if let Some(last) = flags.at.as_ref().and_then(|at| scope.names.get(at)).cloned() {
                self.bind(&f.var.name, last, scope, kind);
            }
            for n in flags.names() {
                scope.names.remove(n);
                self.globals.remove(n);
            }
            return r;
        }
        if let ExprKind::Call { callee, args } = &f.iter.kind {
            if callee.name == "range" && !scope.names.contains_key("range") {
                let (start, stop, step) = self.range_bounds(args, f.iter.span, scope)?;
                let trip = trip_count(start, stop, step);
                self.range_loop(f, scope, kind, (start, step, trip), exit.as_deref());
                return None;
            }
            // `for t in reversed(range(...))` (a diffusion sampler's loop over
            // the time steps): the same range walked from its last value back,
            // compiled once as the range is.
            if let (true, [arg]) = (callee.name == "reversed" && !scope.names.contains_key("reversed"), args.as_slice()) {
                if let ExprKind::Call { callee: inner, args: range_args } = &arg.value.kind {
                    if inner.name == "range" && arg.name.is_none() && !scope.names.contains_key("range") {
                        let (start, stop, step) = self.range_bounds(range_args, arg.value.span, scope)?;
                        let trip = trip_count(start, stop, step);
                        let last = (start as i128 + (trip.max(1) as i128 - 1) * step as i128) as i64;
                        self.range_loop(f, scope, kind, (last, -step, trip), exit.as_deref());
                        return None;
                    }
                }
            }
        }
        // `for i, (xb, yb) in enumerate(loader)`: the loader's loop, counted.
        // Only a name bound to a loader is taken here; anything else is left
        // to the general path, which evaluates (and reports) it once.
        if let ExprKind::Call { callee, args } = &f.iter.kind {
            if let (true, [first, rest @ ..]) = (callee.name == "enumerate" && !scope.names.contains_key("enumerate"), args.as_slice()) {
                let names_loader = match &first.value.kind {
                    ExprKind::Name(n) => {
                        let bound = scope.names.get(n).or_else(|| if scope.reads_globals { self.globals.get(n) } else { None });
                        matches!(bound, Some(Value::Loader(_)))
                    }
                    _ => false,
                };
                if names_loader && first.name.is_none() && rest.len() <= 1 {
                    if let Value::Loader(l) = self.expr(&first.value, scope) {
                        let start = match rest.first().map(|a| (a.name.as_ref().map(|n| n.name.as_str()), self.expr(&a.value, scope), a.value.span)) {
                            None => 0,
                            Some((None | Some("start"), super::Value::Number(super::Num::Int(s)), _)) if i64::try_from(s).is_ok() => s as i64,
                            Some((_, v, s)) => {
                                self.error(
                                    Diagnostic::new(
                                        Code::E0600,
                                        format!("`enumerate`'s start must be an integer known when compiling, not {}", v.describe()),
                                        s,
                                        "not a start",
                                    )
                                    .with_help("count from a literal, as in `enumerate(loader, 1)`"),
                                );
                                return None;
                            }
                        };
                        self.pending_exit = exit;
                        self.loader_loop(f, l, Some(start), scope, kind);
                        return None;
                    }
                }
            }
        }
        let v = self.expr(&f.iter, scope);
        let items = match v {
            Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } if items.len() <= MAX_UNROLL => items,
            // `for k in d`: a dict's keys, in order.
            Value::Dict { keys, .. } if keys.len() <= MAX_UNROLL => keys.into_iter().map(|k| (k, f.iter.span)).collect(),
            // `for layer in self.layers`: a `ModuleList`'s or `Sequential`'s modules.
            Value::Object { .. } if super::nn_modules::container_items(&v).is_some() => super::nn_modules::container_items(&v).unwrap_or_default(),
            // `for row in x`: the rows of a tensor, unrolled.
            Value::Tensor(t) if self.shape_of(t).first().is_some_and(|&n| n <= MAX_UNROLL) => {
                let n = self.shape_of(t)[0];
                (0..n).map(|i| (self.select_row(t, i as i64, f.iter.span), f.iter.span)).collect()
            }
            // Longer tensors: a region that reads `x[i]` at run time (`row_loops.rs`).
            Value::Tensor(t) if !self.shape_of(t).is_empty() => {
                let n = self.shape_of(t)[0];
                self.pending_exit = exit;
                self.row_loop(f, t, n, scope, kind);
                return None;
            }
            // `for xb, yb in loader`: a region over the batches (`data_loader.rs`).
            Value::Loader(l) => {
                self.pending_exit = exit;
                self.loader_loop(f, l, None, scope, kind);
                return None;
            }
            Value::Poison => return None,
            other => {
                let what = match other {
                    Value::List(_) | Value::Tuple(_) | Value::Named { .. } => format!("a list of more than {MAX_UNROLL} items"),
                    Value::Dict { .. } => format!("a dict of more than {MAX_UNROLL} keys"),
                    Value::Tensor(_) => "a 0-d tensor".to_string(),
                    o => o.describe().to_string(),
                };
                self.error(
                    Diagnostic::new(Code::E0600, format!("a `for` loop cannot iterate over {what}"), f.iter.span, "not a range or a list")
                        .with_help("iterate over `range(n)` with `n` known at compile time, or over a list such as `[w1, b1]`"),
                );
                return None;
            }
        };
        for (item, _) in items {
            self.bind(&f.var.name, item, scope, kind);
            if let Some(r) = self.block(&f.body, scope, kind).returned {
                return Some(BodyResult { returned: Some(r), saved: Vec::new() });
            }
        }
        None
    }

    /// Binds a name as an assignment does.
    pub(super) fn bind(&mut self, name: &str, v: Value, scope: &mut Scope, kind: BodyKind) {
        if kind == BodyKind::TopLevel {
            self.globals.insert(name.to_string(), v.clone());
        }
        scope.names.insert(name.to_string(), v);
    }

    /// `range(stop)`, `range(start, stop)` or `range(start, stop, step)` with
    /// compile-time integer bounds.
    fn range_bounds(&mut self, args: &[crate::syntax::ast::Arg], span: Span, scope: &mut Scope) -> Option<(i64, i64, i64)> {
        let help = "write `range(n)`, `range(a, b)` or `range(a, b, step)` with integers known at compile time (numbers, shape queries such as `x.shape[0]`)";
        if args.is_empty() || args.len() > 3 || args.iter().any(|a| a.name.is_some()) {
            self.error(Diagnostic::new(Code::E0600, "`range` takes one to three integers", span, "wrong arguments").with_help(help));
            return None;
        }
        let mut bounds = Vec::new();
        for a in args {
            match self.expr(&a.value, scope) {
                Value::Number(n) if n.i64().is_some() => bounds.push(n.i64().expect("checked by the guard")),
                Value::Poison => return None,
                v => {
                    self.error(
                        Diagnostic::new(
                            Code::E0600,
                            format!("a bound of `range` must be an integer known at compile time, not {}", v.describe()),
                            a.value.span,
                            "not a compile-time integer",
                        )
                        .with_help(help),
                    );
                    return None;
                }
            }
        }
        let (start, stop, step) = match bounds[..] {
            [stop] => (0, stop, 1),
            [start, stop] => (start, stop, 1),
            [start, stop, step] => (start, stop, step),
            _ => unreachable!("one to three bounds were checked above"),
        };
        if step == 0 {
            self.error(Diagnostic::new(Code::E0600, "the step of `range` must not be zero", args[2].value.span, "zero step").with_help(help));
            return None;
        }
        Some((start, stop, step))
    }

    /// A loop over `range`: regions of one iteration while the state keeps
    /// changing in kind, then one region for the remaining iterations, then the
    /// iterations whose slices Python clamps, lowered one by one.
    /// `exit` is the loop's break flag (`jumps.rs`).
    fn range_loop(&mut self, f: &ForStmt, scope: &mut Scope, kind: BodyKind, (start, step, trip): (i64, i64, u64), exit: Option<&str>) {
        let from = self.stacking.len();
        let errors = self.diags.iter().filter(|d| d.is_error()).count();
        // The conditions this loop splits at are decided in its parts only.
        let decided = self.decided_by_counter.clone();
        self.range_loop_parts(f, scope, kind, (start, step, trip), exit);
        self.decided_by_counter = decided;
        let ok = self.diags.iter().filter(|d| d.is_error()).count() == errors;
        self.finish_stacking(from, ok, f.span_of_header(), scope);
    }

    /// The regions, unrolled iterations and clamped tail of a `range` loop.
    fn range_loop_parts(&mut self, f: &ForStmt, scope: &mut Scope, kind: BodyKind, (mut start, step, trip): (i64, i64, u64), exit: Option<&str>) {
        let from = self.stacking.len();
        let mut stacked = false;
        let mut remaining = trip;
        let mut peels = 0;
        let mut promotions = 0;
        let mut bonus_peels = 0;
        // Iterations split off the end because a slice runs past its dimension in
        // them, and the counter's value in the first of them (in i128: the range's
        // end may lie beyond i64, as `range(0, 2**63 - 1, 2**62)`'s does).
        let mut tail = 0;
        let tail_start: i128;
        // The iterations of the part being lowered, when the loop splits where
        // a condition on its counter changes (all that remain otherwise).
        let mut limit: Option<u64> = None;
        loop {
            // A `break` under a compile-time condition has run in a peeled
            // iteration: the iterations left do nothing (a `while` loop's
            // would never end).
            if exit.is_some_and(|flag| matches!(scope.names.get(flag), Some(Value::Bool(true)))) {
                tail = 0;
                tail_start = start as i128;
                break;
            }
            let count = limit.unwrap_or(remaining);
            let values = Some((start, step, count));
            let diags_before = self.diags.len();
            let splits_mark = self.counter_splits.len();
            let outer_tail = self.clamped_tail.take();
            self.stack_begin(from, false);
            let growth_mark = self.cond_growth.len();
            let body = self.lower_body(&f.body, Some(&f.var), values, f.span_of_header(), scope, kind);
            let clamped = std::mem::replace(&mut self.clamped_tail, outer_tail);
            // Lists one side of a run-time `if` in the body made longer (`conditional_appends.rs`).
            let grown: Vec<_> = self.cond_growth.drain(growth_mark..).collect();
            let splits: Vec<_> = self.counter_splits.drain(splits_mark..).collect();
            let Some(body) = body else { return };
            // A run-time `if` on the counter alone whose sides leave a value of
            // different kinds (`variance = 0`, then a tensor when `t > 0`) is
            // decided when compiling instead: the loop is lowered again in
            // parts, each up to where the condition changes, and in each part
            // the condition has one value (`counter_conditions.rs`).
            if exit.is_none() && clamped.is_none() {
                let new_diags = &self.diags[diags_before..];
                let split = splits.iter().find(|s| new_diags.iter().any(|d| d.code == Code::E0605 && d.primary.span == s.0));
                // Where the condition first changes (`None` past the iterations
                // counted, or when it never changes).
                let split = split.map(|(span, c, first, step, trip)| (*span, c.first_change(*first as i128, *step as i128, *trip).flatten()));
                if let Some((span, change)) = split {
                    if self.decided_by_counter.insert(span) || change.is_some() {
                        self.diags.truncate(diags_before);
                        limit = change.or(limit);
                        continue;
                    }
                }
            }
            let first = peels == 0 && promotions == 0 && tail == 0;
            // A list, tuple or module list subscripted with the counter
            // (`params[i]`, `layers[i](h)`) holds compile-time values, so the
            // body cannot compile once for every `i`: a short loop is unrolled,
            // each iteration with its `i` known, which is what Python runs.
            // (An index known only at run time for another reason fails again
            // in the unrolled body, once per place.)
            let list_index = self.diags[diags_before..].iter().any(|d| d.code == Code::E0608);
            if first && list_index && remaining <= MAX_UNROLL as u64 {
                self.diags.truncate(diags_before);
                self.unstack(from, scope);
                self.unroll_range(f, scope, kind, start, step, remaining);
                return;
            }
            // A list that grows in every iteration (`losses.append(loss.item())`,
            // `outputs.append(Y)` in an RNN's time loop) never lets the state
            // settle. Before anything is emitted, its items are kept in a tensor
            // when they can be (`stacked_lists.rs`) and the body is lowered again;
            // else a short loop is unrolled, which is what Python runs. The body
            // lowered first is dropped with its diagnostics, which the next
            // lowerings repeat.
            let grows_here = body.changed_place.is_some() && grows(&body);
            if first && !stacked && (grows_here || !grown.is_empty()) {
                if self.stack_lists(&body, &grown, remaining, scope, f.span_of_header()) {
                    self.diags.truncate(diags_before);
                    stacked = true;
                    continue;
                }
                if remaining <= MAX_UNROLL as u64 {
                    self.diags.truncate(diags_before);
                    self.unroll_range(f, scope, kind, start, step, remaining);
                    return;
                }
            }
            // A list appended to on one side of an `if` that could not be kept as
            // a tensor is the error the branch would have reported.
            if let Some(g) = grown.first() {
                self.error(g.error.clone());
                // The lists are left unknown, so that their later uses add no errors.
                for g in &grown {
                    scope.names.insert(g.name.clone(), Value::Poison);
                    if self.globals.contains_key(&g.name) {
                        self.globals.insert(g.name.clone(), Value::Poison);
                    }
                }
                return;
            }
            // The body reads a list it fills: unrolled after all when nothing was
            // emitted yet and the loop is short, else the read is the error.
            if let Some(misuse) = self.take_stack_misuse(from) {
                self.diags.truncate(diags_before);
                if first && remaining <= MAX_UNROLL as u64 {
                    self.unstack(from, scope);
                    self.unroll_range(f, scope, kind, start, step, remaining);
                } else {
                    self.error(misuse);
                }
                return;
            }
            if let Some((t, error)) = clamped {
                let body_errors = self.diags[diags_before..].iter().any(|d| d.is_error());
                if !body_errors && remaining - t + tail <= MAX_CLAMPED_TAIL as u64 {
                    // Lowered again for the iterations before `t`; its warnings come again.
                    self.diags.truncate(diags_before);
                    tail += remaining - t;
                    remaining = t;
                    continue;
                }
                // With other errors in the body the clamped iterations would have
                // been split off once those are mended: only they are reported.
                if !body_errors {
                    self.error(error);
                }
            }
            if remaining == 0 {
                // The body was lowered for its diagnostics only; the state stays as it was.
                tail_start = start as i128;
                break;
            }
            if body.changed_place.is_none() || count == 1 {
                self.stack_runs(from, count, start as i128, step as i128);
                if count < remaining {
                    // One part of a loop split at a condition: the next part follows.
                    self.emit_region(body, f.span_of_header(), (count, start, step), None, scope);
                    remaining -= count;
                    start += step * count as i64;
                    limit = None;
                    continue;
                }
                self.emit_region(body, f.span_of_header(), (remaining, start, step), exit, scope);
                tail_start = start as i128 + step as i128 * remaining as i128;
                break;
            }
            // After a promotion, what the run-time number decides may change kind
            // once more (a `break` flag a condition on it sets: `jumps.rs`): one
            // more peel for each promotion.
            // An iteration that breaks under a compile-time condition is the last
            // to lower, however many were peeled before it.
            let breaks_here = exit.is_some_and(|flag| matches!(body.exit.names.get(flag).or(body.exit.globals.get(flag)), Some(Value::Bool(true))));
            if peels == MAX_PEELS + bonus_peels && !breaks_here {
                let place = body.changed_place.clone().unwrap_or_default();
                if promotions < MAX_PROMOTIONS && self.promote_number(&place, &body, f.span_of_header(), scope) {
                    promotions += 1;
                    continue;
                }
                if bonus_peels < promotions {
                    bonus_peels += 1;
                } else {
                    // A value that changes kind in every iteration (a sequence
                    // that grows by a token in each step of greedy decoding)
                    // is what Python runs: a short loop is unrolled instead,
                    // with its clamped tail, when no list is kept as a tensor
                    // and the loop has at most `MAX_UNROLL` iterations.
                    let body_errors = self.diags[diags_before..].iter().any(|d| d.is_error());
                    if !stacked && self.stacking.len() == from && !body_errors && trip <= MAX_UNROLL as u64 {
                        self.diags.truncate(diags_before);
                        self.unroll_range(f, scope, kind, start, step, remaining + tail);
                        return;
                    }
                    self.state_never_settles(f, &place, &body);
                    return;
                }
            }
            self.stack_runs(from, 1, start as i128, step as i128);
            self.emit_region(body, f.span_of_header(), (1, start, step), None, scope);
            remaining -= 1;
            start += step;
            peels += 1;
            limit = limit.filter(|&l| l > 1).map(|l| l - 1);
        }
        // The clamped iterations, each with the counter a compile-time number, so
        // that each slice has the length Python gives it.
        for k in 0..tail {
            let i = tail_start + k as i128 * step as i128;
            self.bind(&f.var.name, Value::Number(super::Num::Int(i)), scope, kind);
            self.stack_begin(from, true);
            self.block(&f.body, scope, kind);
            self.stack_runs(from, 1, i, step as i128);
        }
        if let Some(misuse) = self.take_stack_misuse(from) {
            self.error(misuse);
        }
    }

    /// E0602 at a loop whose body changes `place` in kind in every iteration.
    fn state_never_settles(&mut self, f: &ForStmt, place: &str, body: &LoweredBody) {
        let grows = body.entry_places.iter().any(|(k, h)| *k == place && matches!(h, super::regions::Held::Const(c) if c.starts_with("list of")));
        if grows {
            self.error(
                        Diagnostic::new(Code::E0602, format!("the list `{place}` grows in every iteration of this loop"), f.var.span, "the loop's state never settles")
                            .with_help("a loop body is compiled once, for lists of one length: write into a preallocated tensor instead (`out = zeros(n, ...)`, then `out[i] = ...`), or loop over a list to unroll"),
                    );
            return;
        }
        self.error(
            Diagnostic::new(
                Code::E0602,
                format!("`{place}` changes its type (or its compile-time value) in every iteration of this loop"),
                f.var.span,
                "the loop's state never settles",
            )
            .with_help(format!(
                "a loop body is compiled once, for values of one kind: give `{place}` its final dtype, shape and kind before the loop (a loop of at most {MAX_UNROLL} iterations is unrolled instead)"
            )),
        );
    }

    /// The iterations of a `range` loop, each lowered with the counter a
    /// compile-time number, as a loop over a list is.
    fn unroll_range(&mut self, f: &ForStmt, scope: &mut Scope, kind: BodyKind, start: i64, step: i64, trip: u64) {
        for k in 0..trip {
            let i = start as i128 + k as i128 * step as i128;
            self.bind(&f.var.name, Value::Number(super::Num::Int(i)), scope, kind);
            if self.block(&f.body, scope, kind).returned.is_some() {
                self.error(
                    Diagnostic::new(Code::E0601, "`return` inside a loop is not supported", f.var.span, "a loop with a `return`")
                        .with_help("compute the value in the loop and return it after it"),
                );
                return;
            }
        }
    }

    /// A compile-time number that the body changes in every iteration, as a
    /// counter (`n += 1`, `total = total + float(k)`) does, becomes a run-time
    /// Python number of its kind from here on, holding the value it has now, so
    /// that the body compiles once, as it would for `loss.item()`. Python's
    /// number is one object whatever the loop does with it, so nothing a program
    /// prints changes. `false` when the place is not such a number.
    fn promote_number(&mut self, place: &str, body: &LoweredBody, span: Span, scope: &mut Scope) -> bool {
        use super::regions::Held;
        let held = |places: &[(String, Held)]| {
            places.iter().find(|(k, _)| k == place).and_then(|(_, h)| if let Held::Const(c) = h { Some(c.clone()) } else { None })
        };
        let (Some(before), Some(after)) = (held(&body.entry_places), held(&body.exit_places)) else { return false };
        let same = |kind: &str| before.starts_with(kind) && after.starts_with(kind);
        if !same("number Int(") && !same("number Float(") {
            return false;
        }
        let path = place.strip_prefix("global ").unwrap_or(place);
        let root_end = path.find(['[', '.']).unwrap_or(path.len());
        let (root, rest) = path.split_at(root_end);
        let current = scope.names.get_mut(root).or_else(|| self.globals.get_mut(root)).and_then(|v| value_at(v, rest));
        let Some(Value::Number(n)) = current.map(|v| v.clone()) else { return false };
        let (op, dtype, kind) = match n {
            super::Num::Int(i) => match i64::try_from(i) {
                Ok(i) => (graphc_runtime::op::Scalar::Int(i), graphc_runtime::DType::I64, super::HostKind::Int),
                Err(_) => return false,
            },
            super::Num::Float(v) => (graphc_runtime::op::Scalar::float(v), graphc_runtime::DType::F64, super::HostKind::Float),
        };
        let node = self.node(graphc_runtime::Op::Full(op), dtype, vec![], &[], span);
        let host = Value::Host { node, kind };
        // At the top level a name is both in the scope and a global: one object, one node.
        for v in [scope.names.get_mut(root), self.globals.get_mut(root)].into_iter().flatten() {
            if let Some(slot @ Value::Number(_)) = value_at(v, rest) {
                *slot = host.clone();
            }
        }
        true
    }

    /// Adds the region, its effect and its output nodes to the program, and
    /// rebinds the state to the values it has after the region. The loop stops
    /// once the name `exit` (its break flag) holds true, when the body carries it.
    fn emit_region(&mut self, mut body: LoweredBody, span: Span, (trip, start, step): (u64, i64, i64), exit: Option<&str>, scope: &mut Scope) {
        let region = self.prog.regions.len() as u32;
        // Body input 0 counts the iterations from 0: bounding it lets the range
        // analysis bound the loop variable too, so that `beta2 ** step` of a
        // hand-written Adam is not reported as a possible overflow.
        if let Some(index) = body.program.inputs.first().and_then(|i| i.node) {
            body.program.input_ranges.insert(index, (0.0, trip.saturating_sub(1) as f64));
        }
        let exit = exit.and_then(|flag| {
            let global = format!("global {flag}");
            let node = body.exit_places.iter().find_map(|(k, h)| match h {
                super::regions::Held::Node(n) if *k == flag || *k == global => Some(*n),
                _ => None,
            })?;
            let j = body.outputs.iter().position(|&o| o == node)? as u32;
            body.carried.iter().any(|&(o, _)| o == j).then_some(j)
        });
        let mut outputs = Vec::new();
        for (j, &n) in body.outputs.iter().enumerate() {
            let node = body.program.graph.node(n);
            let meta = body.program.graph.meta(n);
            let (dtype, shape, rg, note) = (node.dtype, node.shape.clone(), meta.requires_grad, meta.note.clone());
            let op = graphc_runtime::Op::RegionOutput { region, output: j as u32 };
            let out = self.prog.graph.add(
                crate::ir::graph::Node { op, dtype, shape },
                &[],
                crate::ir::graph::NodeMeta { span, region: self.region, requires_grad: rg, note },
            );
            if let Some(g) = body.grad_fn.get(&n) {
                self.grad_fn.insert(out, g.clone());
            }
            outputs.push(out);
        }
        self.prog.effects.push(Effect::Loop { region, inputs: body.inputs.clone(), outputs: outputs.clone() });
        // A region of one iteration (a peeled first iteration) feeds nothing to a
        // next one, and there a carried value may change its shape or dtype
        // (`h = zeros(1)` before a loop whose body binds `h = zeros(2)`): such a
        // pair is dropped, as the plan requires a carried pair to match.
        let carried: Vec<(u32, u32)> = body
            .carried
            .iter()
            .copied()
            .filter(|&(j, k)| {
                let out = body.program.graph.node(body.outputs[j as usize]);
                let input = &body.program.inputs[k as usize];
                trip > 1 || (out.dtype == input.dtype && out.shape == input.shape)
            })
            .collect();
        // A leaf that the body passes through unchanged (in a loop of one
        // iteration, or as an input nothing carries into) is the leaf from
        // before the loop: later statements read that one, whose `.grad` a
        // backward through the loop sets. (Other values keep the loop's output,
        // so that the next region's inputs stay as they were.)
        let unchanged: Vec<NodeId> = body
            .outputs
            .iter()
            .enumerate()
            .map(|(j, &n)| match body.program.graph.node(n).op {
                graphc_runtime::Op::Input(k) if k > 0 && body.program.leaves.contains(&n) && (trip == 1 || !carried.iter().any(|&(_, c)| c == k)) => {
                    body.inputs[k as usize - 1]
                }
                _ => outputs[j],
            })
            .collect();
        self.rebind_after(body.exit, &unchanged, scope);
        let mut program = body.program;
        for (j, &n) in body.outputs.iter().enumerate() {
            program.exports.insert(LoopRegion::output_name(j), n);
        }
        self.prog.regions.push(LoopRegion { body: program, trip, start, step, carried, exit, span, plan: None });
    }
}

impl ForStmt {
    /// The `for NAME in EXPR` part, where a loop's nodes point.
    /// (A `while` loop's hidden variable stands at its condition, after `while `.)
    fn span_of_header(&self) -> Span {
        let keyword = if self.var.name.starts_with(super::jumps::WHILE_PREFIX) { "while " } else { "for " };
        Span::new(self.var.span.start.saturating_sub(keyword.len()), self.iter.span.end)
    }
}

/// The value at a place's path inside a value (`[2]` an item of a list or
/// tuple, `.name` a name a lambda closes over), as `regions::walk` names places.
pub(super) fn value_at<'v>(v: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    if path.is_empty() {
        return Some(v);
    }
    if let Some(rest) = path.strip_prefix('[') {
        let close = rest.find(']')?;
        let i: usize = rest[..close].parse().ok()?;
        let items = match v {
            Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } | Value::Dict { items, .. } | Value::Object { items, .. } => items,
            _ => return None,
        };
        return value_at(&mut items.get_mut(i)?.0, &rest[close + 1..]);
    }
    let rest = path.strip_prefix('.')?;
    let end = rest.find(['[', '.']).unwrap_or(rest.len());
    let Value::Lambda(c) = v else { return None };
    let (_, item) = c.captured.iter_mut().find(|(k, _)| k == &rest[..end])?;
    value_at(item, &rest[end..])
}

/// The number of values `range(start, stop, step)` yields.
pub(super) fn trip_count(start: i64, stop: i64, step: i64) -> u64 {
    let (span, step) = if step > 0 { (stop as i128 - start as i128, step as i128) } else { (start as i128 - stop as i128, -(step as i128)) };
    if span <= 0 {
        0
    } else {
        ((span + step - 1) / step) as u64
    }
}

/// Whether the body makes a list longer than it found it.
fn grows(body: &LoweredBody) -> bool {
    let length = |h: &super::regions::Held| match h {
        super::regions::Held::Const(c) => c.strip_prefix("list of ").and_then(|n| n.parse::<usize>().ok()),
        super::regions::Held::Node(_) => None,
    };
    body.entry_places.iter().any(|(key, held)| {
        length(held).is_some_and(|before| body.exit_places.iter().any(|(k, h)| k == key && length(h).is_some_and(|after| after > before)))
    })
}

#[cfg(test)]
mod tests {
    use super::trip_count;

    /// The trip count is Python's `len(range(start, stop, step))`.
    #[test]
    fn trip_count_is_pythons_len_of_range() {
        assert_eq!(trip_count(0, 5, 1), 5);
        assert_eq!(trip_count(2, 5, 1), 3);
        assert_eq!(trip_count(5, 2, 1), 0);
        assert_eq!(trip_count(0, 10, 3), 4);
        assert_eq!(trip_count(10, 0, -3), 4);
        assert_eq!(trip_count(0, 10, -1), 0);
    }
}
