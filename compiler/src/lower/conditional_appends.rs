//! Appends under a run-time `if` in a `range` loop's body, as training loops
//! log: `if epoch % 100 == 0: losses.append(loss.item())`.
//!
//! The two sides of such an `if` leave the list with different lengths, which
//! a run-time branch cannot merge (E0605). But when the condition depends on
//! the loop counter alone, graphc counts at compile time the iterations it
//! holds in (`counter_conditions.rs`), so the list's length after the loop is
//! known, and the list is kept as a tensor of its items as a list appended to
//! in every iteration is (`stacked_lists.rs`): an append writes the next row
//! and advances a count, on the side that runs.
//!
//! The first lowering of the body finds such lists ([`Lowerer::grown_on_one_side`]),
//! leaves them as they were before the `if`, and records how many items the
//! loop will append; the loop then keeps them as tensors and lowers the body
//! again. There, [`Lowerer::settle_branch_appends`] adds up what each side
//! appended, for the count of items the lowering's iterations write.

use std::collections::HashMap;

use super::counter_conditions::CounterCondition;
use super::regions::{Held, LoweredBody};
use super::stacked_lists::ItemKind;
use super::{Lowerer, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// A list that one side of a run-time `if` in a loop body made longer.
pub(super) struct CondGrowth {
    pub name: String,
    /// The kind of the items appended, when it is one kind a tensor can keep.
    pub item: Option<ItemKind>,
    /// Whether an item is a compile-time number, which a loop short enough to
    /// unroll keeps as one.
    pub constant: bool,
    /// How many items the whole loop appends this way, when the condition
    /// depends on the counter alone.
    pub rows: Option<u64>,
    /// The error to report when the list cannot be kept as a tensor.
    pub error: Diagnostic,
}

/// What the lowerings of the two sides of a run-time `if` appended to each list
/// being kept as a tensor, and the condition, when it depends on the counter.
pub(super) struct BranchAppends {
    before: Vec<usize>,
    sides: Vec<Vec<usize>>,
    condition: Option<CounterCondition>,
    depth: usize,
}

impl Lowerer<'_> {
    /// Before the sides of a run-time `if` on `cond` are lowered.
    pub(super) fn branch_appends_begin(&mut self, cond: NodeId) -> BranchAppends {
        let condition = self.counter.as_ref().and_then(|c| CounterCondition::extract(&self.prog, cond, c.node));
        self.if_depths.push(self.body_depth);
        BranchAppends { before: self.stacked_appends(), sides: Vec::new(), condition, depth: self.body_depth }
    }

    /// After one side is lowered: its appends are set aside, and the counts
    /// restored for the other side.
    pub(super) fn branch_appends_side(&mut self, b: &mut BranchAppends) {
        b.sides.push(self.stacked_appends());
        self.restore_stacked_appends(&b.before);
    }

    /// After both sides: an append that both sides make runs in every
    /// iteration; one that only one side makes is counted by the condition, when
    /// the `if` is in the loop's body itself and the condition depends on its
    /// counter alone, and is an error otherwise.
    /// Returns the condition as the counter decides it, for the join.
    pub(super) fn settle_branch_appends(&mut self, b: BranchAppends, span: Span) -> Option<CounterCondition> {
        self.if_depths.pop();
        let (Some(then), Some(other)) = (b.sides.first(), b.sides.get(1)) else {
            return b.condition;
        };
        for (k, &before) in b.before.iter().enumerate() {
            let (ya, yb) = (then[k].saturating_sub(before), other[k].saturating_sub(before));
            let both = ya.min(yb);
            self.set_stacked_appends(k, before + both);
            if ya == yb {
                continue;
            }
            match &b.condition {
                Some(c) if self.stacking_depth(k) == b.depth => self.add_conditional_appends(k, c.clone(), ya - both, yb - both),
                _ => {
                    let name = self.stacking_name(k);
                    let d = match self.jump_guard {
                        Some(jump) => jump_appends_error(&name, jump, span),
                        None => Diagnostic::new(
                            Code::E0602,
                            format!("`{name}` is appended to under a condition that graphc cannot count at compile time"),
                            span,
                            "condition known only at run time",
                        ),
                    };
                    self.stack_error(k, d);
                }
            }
        }
        b.condition
    }

    /// In a loop body's first lowering: the lists that one side of the `if`
    /// lowered as `a` and `b` makes longer than the other. Each is recorded for
    /// the loop (`cond_growth`), and left as it was before the `if`; the
    /// returned names are the places the join leaves alone. Outside a `range`
    /// loop's body, none. `condition` is the `if`'s, when the counter decides it.
    pub(super) fn grown_on_one_side(&mut self, a: &LoweredBody, b: &LoweredBody, condition: Option<CounterCondition>, span: Span) -> Vec<String> {
        let Some(counter) = self.counter.clone() else { return Vec::new() };
        let length = |places: &[(String, Held)], key: &str| {
            places.iter().find(|(k, _)| k == key).and_then(|(_, h)| match h {
                Held::Const(c) => c.strip_prefix("list of ").and_then(|n| n.parse::<usize>().ok()),
                Held::Node(_) => None,
            })
        };
        let mut grown = Vec::new();
        for (key, _) in &a.entry_places {
            // A list bound at the top level is a name and a global: the name stands for both.
            if key.contains(['[', '.', ' ']) {
                continue;
            }
            let (Some(e), Some(na), Some(nb)) = (length(&a.entry_places, key), length(&a.exit_places, key), length(&b.exit_places, key)) else {
                continue;
            };
            if na == nb || na.min(nb) != e {
                continue;
            }
            let longer = if na > nb { a } else { b };
            let (item, constant) = match longer.exit.names.get(key) {
                Some(Value::List(items)) => (uniform_kind(longer, &items[e..]), has_constants(&items[e..])),
                _ => (None, false),
            };
            let rows = condition.as_ref().and_then(|c| {
                let hits = c.count(counter.first as i128, counter.step as i128, counter.trip)?;
                let (ya, yb) = ((na - e) as u64, (nb - e) as u64);
                hits.checked_mul(ya)?.checked_add((counter.trip - hits).checked_mul(yb)?)
            });
            let too_long = condition.is_some() && counter.trip > super::counter_conditions::MAX_ITERATIONS;
            let why = if condition.is_none() {
                format!("`{key}` gets items on one side only of an `if` decided at run time, whose condition depends on more than the loop counter")
            } else if too_long {
                format!(
                    "`{key}` gets items on one side only of an `if` in a loop of {} iterations, more than the {} graphc counts when compiling",
                    counter.trip,
                    super::counter_conditions::MAX_ITERATIONS
                )
            } else {
                format!("`{key}` gets items on one side only of an `if` decided at run time")
            };
            let help = if too_long {
                "split the loop into shorter ones, or preallocate a tensor and write `out[k] = ...`".to_string()
            } else {
                format!(
                    "append on both sides, or decide with the loop counter alone (`if {} % 100 == 0`), so that graphc can count the items when compiling",
                    counter.name
                )
            };
            let error = match self.jump_guard {
                Some(jump) => jump_appends_error(key, jump, span),
                None => Diagnostic::new(Code::E0605, why, span, "condition known only at run time").with_help(help),
            };
            self.cond_growth.push(CondGrowth { name: key.clone(), item, constant, rows, error });
            grown.push(key.clone());
        }
        grown
    }

    /// Binds each grown list to what it was before the `if`, after the join
    /// bound the state to one side's.
    pub(super) fn restore_grown(&mut self, grown: &[String], before: &HashMap<String, (Option<Value>, Option<Value>)>, scope: &mut Scope) {
        for name in grown {
            let Some((local, global)) = before.get(name) else { continue };
            if let Some(v) = local {
                scope.names.insert(name.clone(), v.clone());
            }
            if let Some(v) = global {
                self.globals.insert(name.clone(), v.clone());
            }
        }
    }
}

/// The kind every item has, when they have one kind a tensor can keep.
pub(super) fn uniform_kind(body: &LoweredBody, items: &[(Value, Span)]) -> Option<ItemKind> {
    let kind_of = |v: &Value| match v {
        Value::Host { kind, .. } => Some(ItemKind::Host(*kind)),
        Value::Number(super::Num::Int(i)) if i64::try_from(*i).is_ok() => Some(ItemKind::Host(super::HostKind::Int)),
        Value::Number(super::Num::Float(_)) => Some(ItemKind::Host(super::HostKind::Float)),
        Value::Bool(_) => Some(ItemKind::Host(super::HostKind::Bool)),
        Value::Tensor(t) if !body.program.graph.meta(*t).requires_grad => {
            let node = body.program.graph.node(*t);
            Some(ItemKind::Tensor { dtype: node.dtype, shape: node.shape.clone() })
        }
        _ => None,
    };
    let first = kind_of(&items.first()?.0)?;
    items.iter().all(|(v, _)| kind_of(v).as_ref() == Some(&first)).then_some(first)
}

/// Whether an item is a compile-time number or bool.
pub(super) fn has_constants(items: &[(Value, Span)]) -> bool {
    items.iter().any(|(v, _)| matches!(v, Value::Number(_) | Value::Bool(_)))
}

/// E0605 for a list appended to after a `break` or `continue` decided at run
/// time: how many iterations append is known only when the loop runs.
fn jump_appends_error(name: &str, jump: crate::syntax::ast::Jump, span: Span) -> Diagnostic {
    let k = jump.keyword();
    let when = match jump {
        crate::syntax::ast::Jump::Break => "until this `break`",
        crate::syntax::ast::Jump::Continue => "in the iterations this `continue` does not skip",
    };
    Diagnostic::new(Code::E0605, format!("`{name}` is appended to only {when}, which is decided at run time"), span, format!("`{k}` known only at run time"))
        .with_help(format!("Python's list would have a length only the run knows: write into a preallocated tensor (`out = zeros(n)`, then `out[i] = ...`) and count the iterations that ran, or append before the `{k}`'s `if`"))
}
