//! Scheduling: the optimized program becomes a [`Plan`], a straight list of
//! steps for the runtime.
//!
//! Effects run in program order. Before each effect, the nodes it reads are
//! computed (operands first, each once); random draws are computed exactly at
//! their `Sample` effect, so the generator sees PyTorch's order. Each value is
//! freed right after its last read, which bounds memory to what is live.

use std::collections::HashMap;

use graphc_runtime::plan::{FigureCmd, InputInfo, Plan, PrintItem, Step, ValueId, ValueInfo};

use crate::ir::graph::NodeId;
use crate::ir::program::{Effect, FigureEffect, PrintArg, Program};

pub fn schedule(prog: &Program) -> Plan {
    let mut s = Scheduler { prog, plan: Plan::default(), value: HashMap::new() };
    for effect in &prog.effects {
        match effect {
            Effect::Seed(seed) => s.plan.steps.push(Step::Seed(*seed)),
            Effect::Sample(n) => {
                // A draw whose value nothing reads still advances the generator, as in PyTorch.
                s.ensure(*n);
            }
            Effect::Print(args) => {
                let items = args
                    .iter()
                    .map(|a| match a {
                        PrintArg::Text(t) => PrintItem::Text(t.clone()),
                        PrintArg::None => PrintItem::None,
                        PrintArg::Tensor { node, suffix } => PrintItem::Tensor { value: s.ensure(*node), suffix: suffix.clone() },
                    })
                    .collect();
                s.plan.steps.push(Step::Print(items));
            }
            Effect::Figure(f) => {
                let cmd = match f {
                    FigureEffect::Plot { x, y, label, alpha } => {
                        FigureCmd::Plot { x: s.ensure(*x), y: s.ensure(*y), label: label.clone(), alpha: *alpha }
                    }
                    FigureEffect::Grid => FigureCmd::Grid,
                    FigureEffect::Legend => FigureCmd::Legend,
                    FigureEffect::XLabel(t) => FigureCmd::XLabel(t.clone()),
                    FigureEffect::YLabel(t) => FigureCmd::YLabel(t.clone()),
                    FigureEffect::Title(t) => FigureCmd::Title(t.clone()),
                    FigureEffect::SaveFig { path, span } => FigureCmd::SaveFig { path: path.clone(), source: (span.start, span.end) },
                };
                s.plan.steps.push(Step::Figure(cmd));
            }
        }
    }
    // Exports are computed after every effect and never freed, so that the caller
    // can read them once the run is over. Sorted by name, for a deterministic plan.
    let mut exports: Vec<(&String, &NodeId)> = prog.exports.iter().collect();
    exports.sort();
    for (name, n) in exports {
        let v = s.ensure(*n);
        s.plan.exports.push((name.clone(), v));
    }
    s.plan.inputs = prog
        .inputs
        .iter()
        .map(|i| InputInfo {
            name: i.name.clone(),
            dtype: i.dtype,
            shape: i.shape.clone(),
            value: i.node.and_then(|n| s.value.get(&n).copied()),
        })
        .collect();
    insert_frees(&mut s.plan);
    s.plan
}

struct Scheduler<'a> {
    prog: &'a Program,
    plan: Plan,
    value: HashMap<NodeId, ValueId>,
}

impl Scheduler<'_> {
    /// Emits compute steps for `n` and whatever it needs that is not computed yet.
    /// Iterative, so that long chains cannot overflow the stack.
    fn ensure(&mut self, n: NodeId) -> ValueId {
        let g = &self.prog.graph;
        let mut stack: Vec<(NodeId, bool)> = vec![(n, false)];
        while let Some((m, expanded)) = stack.pop() {
            if self.value.contains_key(&m) {
                continue;
            }
            if !expanded {
                stack.push((m, true));
                for o in g.operands(m).into_iter().rev() {
                    if !self.value.contains_key(&o) {
                        stack.push((o, false));
                    }
                }
                continue;
            }
            let node = g.node(m);
            let args: Vec<ValueId> = g.operands(m).iter().map(|o| self.value[o]).collect();
            let out = ValueId(self.plan.values.len() as u32);
            self.plan.values.push(ValueInfo { dtype: node.dtype, shape: node.shape.clone() });
            self.plan.steps.push(Step::Compute { out, op: node.op.clone(), args });
            self.value.insert(m, out);
        }
        self.value[&n]
    }
}

/// Inserts `Free(v)` after the last step that reads `v` (or after its computation if
/// nothing does), except for exported values, which live until the end.
fn insert_frees(plan: &mut Plan) {
    let mut last: HashMap<ValueId, usize> = HashMap::new();
    for (i, step) in plan.steps.iter().enumerate() {
        match step {
            Step::Compute { out, args, .. } => {
                last.insert(*out, i);
                for a in args {
                    last.insert(*a, i);
                }
            }
            Step::Print(items) => {
                for it in items {
                    if let PrintItem::Tensor { value, .. } = it {
                        last.insert(*value, i);
                    }
                }
            }
            Step::Figure(FigureCmd::Plot { x, y, .. }) => {
                last.insert(*x, i);
                last.insert(*y, i);
            }
            Step::Figure(_) | Step::Seed(_) | Step::Free(_) => {}
        }
    }
    for (_, v) in &plan.exports {
        last.remove(v);
    }
    let mut frees_after: HashMap<usize, Vec<ValueId>> = HashMap::new();
    for (v, i) in last {
        frees_after.entry(i).or_default().push(v);
    }
    let old = std::mem::take(&mut plan.steps);
    for (i, step) in old.into_iter().enumerate() {
        plan.steps.push(step);
        if let Some(mut vs) = frees_after.remove(&i) {
            vs.sort();
            plan.steps.extend(vs.into_iter().map(Step::Free));
        }
    }
}
