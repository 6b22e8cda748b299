//! Scheduling: the optimized program becomes a [`Plan`], a straight list of
//! steps for the runtime.
//!
//! Effects run in program order. Before each effect, the nodes it reads are
//! computed (operands first, each once); random draws are computed exactly at
//! their `Sample` effect, so the generator sees PyTorch's order. Each value is
//! freed right after its last read, which bounds memory to what is live.

use std::collections::HashMap;

use graphc_runtime::op::{Binary, DataOp, F64Bits, Op};
use graphc_runtime::plan::{BranchStep, Dst, FigureCmd, FusedKernel, InputInfo, Instr, LoopStep, Plan, PrintItem, Src, Step, ValueId, ValueInfo};

use crate::fuse::Fusion;
use crate::ir::graph::NodeId;
use crate::ir::node_map::NodeMap;
use crate::ir::program::{Effect, FigureEffect, PrintArg, Program};

pub mod peak;

pub fn schedule(prog: &Program, fusion: &Fusion) -> Plan {
    schedule_traced(prog, fusion).0
}

/// Schedules like [`schedule`], and also returns the node each plan value computes
/// (indexed by `ValueId`), so that a finding about a value can point at its source.
pub fn schedule_traced(prog: &Program, fusion: &Fusion) -> (Plan, Vec<NodeId>) {
    let value = NodeMap::with_bound(prog.graph.index_bound());
    let bound = prog.graph.index_bound();
    let mut s = Scheduler {
        prog,
        fusion,
        plan: Plan::default(),
        value,
        kernel_done: vec![false; fusion.kernels.len()],
        src_of: NodeMap::with_bound(bound),
        last_read: NodeMap::with_bound(bound),
        nodes: Vec::new(),
    };
    for effect in &prog.effects {
        match effect {
            Effect::Seed(seed) => s.plan.steps.push(Step::Seed(*seed)),
            Effect::Sample(n) => {
                // A draw whose value nothing reads still advances the generator, as in PyTorch.
                s.ensure(*n);
            }
            Effect::Print(args) => {
                let items = args.iter().map(|a| s.print_item(a)).collect();
                s.plan.steps.push(Step::Print(items));
            }
            Effect::Write(args) => {
                let items = args.iter().map(|a| s.print_item(a)).collect();
                s.plan.steps.push(Step::Write(items));
            }
            Effect::Assert { cond, message, exception, span } => {
                let cond = s.ensure(*cond);
                let message = message.iter().map(|a| s.print_item(a)).collect();
                s.plan.steps.push(Step::Assert { cond, message, exception: exception.clone(), source: (span.start, span.end) });
            }
            Effect::Figure(f) => {
                let cmd = match f {
                    FigureEffect::Plot { x, y, label, alpha } => {
                        FigureCmd::Plot { x: s.ensure(*x), y: s.ensure(*y), label: label.clone(), alpha: *alpha }
                    }
                    FigureEffect::Scatter { x, y, label, alpha } => {
                        FigureCmd::Scatter { x: s.ensure(*x), y: s.ensure(*y), label: label.clone(), alpha: *alpha }
                    }
                    FigureEffect::LogY => FigureCmd::LogY,
                    FigureEffect::XLim(a, b) => FigureCmd::XLim(*a, *b),
                    FigureEffect::YLim(a, b) => FigureCmd::YLim(*a, *b),
                    FigureEffect::Grid => FigureCmd::Grid,
                    FigureEffect::New => FigureCmd::New,
                    FigureEffect::Legend => FigureCmd::Legend,
                    FigureEffect::XLabel(t) => FigureCmd::XLabel(t.clone()),
                    FigureEffect::YLabel(t) => FigureCmd::YLabel(t.clone()),
                    FigureEffect::Title(t) => FigureCmd::Title(t.clone()),
                    FigureEffect::FigSize(w, h) => FigureCmd::FigSize(*w, *h),
                    FigureEffect::Dpi(d) => FigureCmd::Dpi(*d),
                    FigureEffect::UnicodeMinus(on) => FigureCmd::UnicodeMinus(*on),
                    FigureEffect::SaveFig { path, span } => FigureCmd::SaveFig { path: path.clone(), source: (span.start, span.end) },
                };
                s.plan.steps.push(Step::Figure(cmd));
            }
            Effect::Save { node, path, span } => {
                let value = s.ensure(*node);
                s.plan.steps.push(Step::Save { value, path: prog.resolve_path(path), source: (span.start, span.end) });
            }
            Effect::Loop { region, inputs, outputs } => {
                let step = s.loop_step(&prog.regions[*region as usize], inputs, outputs);
                s.plan.steps.push(Step::Loop(Box::new(step)));
            }
            Effect::Branch { cond, then, otherwise, inputs, outputs } => {
                let cond = s.ensure(*cond);
                let then = s.loop_step(&prog.regions[*then as usize], inputs, outputs);
                // The outputs got their values with the first side; the other side writes the same ones.
                let r = &prog.regions[*otherwise as usize];
                let body = r.plan.clone().expect("the driver compiles every branch body before the program around it");
                let body_outputs = exported_outputs(&body, outputs.len());
                let other = LoopStep { body, body_outputs, ..then.clone() };
                s.plan.steps.push(Step::Branch(Box::new(BranchStep { cond, then, otherwise: other })));
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
        .map(|i| InputInfo { name: i.name.clone(), dtype: i.dtype, shape: i.shape.clone(), value: i.node.and_then(|n| s.value.get(&n).copied()) })
        .collect();
    insert_frees(&mut s.plan);
    (s.plan, s.nodes)
}

struct Scheduler<'a> {
    prog: &'a Program,
    fusion: &'a Fusion,
    plan: Plan,
    value: NodeMap<ValueId>,
    kernel_done: Vec<bool>,
    /// Scratch for `emit_kernel`: where the kernel being emitted reads each node.
    src_of: NodeMap<Src>,
    /// Scratch for `emit_kernel`: the last instruction that reads each node.
    last_read: NodeMap<usize>,
    /// The node of each value, by `ValueId`.
    nodes: Vec<NodeId>,
}

/// What the scheduler emits as one step: a lone node or a whole kernel.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Node(NodeId),
    Kernel(usize),
}

impl Scheduler<'_> {
    fn unit(&self, n: NodeId) -> Unit {
        match self.fusion.kernel_of.get(&n) {
            Some(&k) => Unit::Kernel(k),
            None => Unit::Node(n),
        }
    }

    fn done(&self, u: Unit) -> bool {
        match u {
            Unit::Node(n) => self.value.contains_key(&n),
            Unit::Kernel(k) => self.kernel_done[k],
        }
    }

    /// The nodes a unit reads from outside itself.
    fn deps(&self, u: Unit) -> Vec<NodeId> {
        match u {
            Unit::Node(n) => self.prog.graph.operands(n),
            Unit::Kernel(k) => {
                let kernel = &self.fusion.kernels[k];
                kernel.inputs.iter().chain(&kernel.scalars).copied().collect()
            }
        }
    }

    /// Emits the steps for `n` and whatever it needs that is not computed yet;
    /// kernels are ordered like single nodes (fusion never makes a cycle).
    /// Iterative, so that long chains cannot overflow the stack.
    /// The plan's item for one `print` argument, computing the values it reads.
    fn print_item(&mut self, a: &PrintArg) -> PrintItem {
        match a {
            PrintArg::Text(t) => PrintItem::Text(t.clone()),
            PrintArg::None => PrintItem::None,
            PrintArg::Tensor { node, suffix } => PrintItem::Tensor { value: self.ensure(*node), suffix: suffix.clone() },
            PrintArg::Scalar { node, spec } => PrintItem::Scalar { value: self.ensure(*node), spec: spec.clone() },
            PrintArg::Concat(items) => PrintItem::Concat(items.iter().map(|i| self.print_item(i)).collect()),
            PrintArg::Choice { cond, then, otherwise } => {
                PrintItem::Choice { cond: self.ensure(*cond), then: Box::new(self.print_item(then)), otherwise: Box::new(self.print_item(otherwise)) }
            }
        }
    }

    fn ensure(&mut self, n: NodeId) -> ValueId {
        let mut stack: Vec<(Unit, bool)> = vec![(self.unit(n), false)];
        while let Some((u, expanded)) = stack.pop() {
            if self.done(u) {
                continue;
            }
            if !expanded {
                stack.push((u, true));
                for o in self.deps(u).into_iter().rev() {
                    let ou = self.unit(o);
                    if !self.done(ou) {
                        stack.push((ou, false));
                    }
                }
                continue;
            }
            match u {
                Unit::Node(m) => self.emit_node(m),
                Unit::Kernel(k) => self.emit_kernel(k),
            }
        }
        self.value[&n]
    }

    /// The step that runs a loop region: its inputs are computed first, and its
    /// outputs become values here. The driver compiled the body's plan already.
    fn loop_step(&mut self, r: &crate::ir::program::LoopRegion, inputs: &[NodeId], outputs: &[NodeId]) -> LoopStep {
        let body = r.plan.clone().expect("the driver compiles every loop body before the program around it");
        let inputs = inputs.iter().map(|n| self.ensure(*n)).collect();
        let outputs: Vec<ValueId> = outputs.iter().map(|n| self.new_value(*n)).collect();
        let body_outputs = exported_outputs(&body, outputs.len());
        LoopStep { body, trip: r.trip, start: r.start, step: r.step, inputs, body_outputs, carried: r.carried.clone(), exit: r.exit, outputs }
    }

    fn new_value(&mut self, n: NodeId) -> ValueId {
        let node = self.prog.graph.node(n);
        let v = ValueId(self.plan.values.len() as u32);
        self.plan.values.push(ValueInfo { dtype: node.dtype, shape: node.shape.clone() });
        self.value.insert(n, v);
        self.nodes.push(n);
        v
    }

    fn emit_node(&mut self, m: NodeId) {
        let g = &self.prog.graph;
        let args: Vec<ValueId> = g.operands(m).iter().map(|o| self.value[o]).collect();
        let op = match &g.node(m).op {
            // The plan reads the file the source names, wherever graphc runs.
            Op::Data(DataOp::Load(path)) => Op::Data(DataOp::Load(self.prog.resolve_path(path))),
            op => op.clone(),
        };
        let out = self.new_value(m);
        if matches!(op, Op::Index(_) | Op::Data(_)) {
            let span = self.prog.graph.meta(m).span;
            self.plan.sources.insert(out, (span.start, span.end));
        }
        self.plan.steps.push(Step::Compute { out, op, args });
    }

    /// Emits kernel `k` as one [`Step::Fused`]: its outputs get values, every other
    /// member a scratch register, reused as soon as its last reader has run.
    fn emit_kernel(&mut self, k: usize) {
        let g = &self.prog.graph;
        let kernel = &self.fusion.kernels[k];
        let inputs: Vec<ValueId> = kernel.inputs.iter().map(|n| self.value[n]).collect();
        let scalars: Vec<ValueId> = kernel.scalars.iter().map(|n| self.value[n]).collect();
        let outputs: Vec<ValueId> = kernel.outputs.iter().map(|&n| self.new_value(n)).collect();
        // Where each operand is read from. The map is the scheduler's, cleared after
        // each kernel, so that a kernel costs its own size, not the graph's.
        for (j, &n) in kernel.inputs.iter().enumerate() {
            self.src_of.insert(n, Src::In(j as u32));
        }
        for (j, &n) in kernel.scalars.iter().enumerate() {
            self.src_of.insert(n, Src::Scalar(j as u32));
        }
        for (j, &n) in kernel.outputs.iter().enumerate() {
            self.src_of.insert(n, Src::Out(j as u32));
        }
        // The last instruction that reads each member.
        for (i, &m) in kernel.members.iter().enumerate() {
            for o in kernel.operands(g, m) {
                self.last_read.insert(o, i);
            }
        }
        let mut free: Vec<u32> = Vec::new();
        let mut regs = 0u32;
        let mut instrs = Vec::with_capacity(kernel.members.len());
        for (i, &m) in kernel.members.iter().enumerate() {
            let operands = kernel.operands(g, m);
            let args: Vec<Src> = operands
                .iter()
                .map(|&o| match (self.src_of.get(&o), &g.node(o).op) {
                    (Some(src), _) => *src,
                    (None, Op::Full(v)) => Src::Const(F64Bits::new(v.get())),
                    (None, _) => panic!("kernel operand {} is not a member, constant, input or scalar", o.0),
                })
                .collect();
            // The destination is chosen before this instruction's operands are
            // released, so it never shares a register with one of them.
            let dst = match self.src_of.get(&m) {
                Some(Src::Out(j)) => Dst::Out(*j),
                _ => {
                    let r = free.pop().unwrap_or_else(|| {
                        regs += 1;
                        regs - 1
                    });
                    self.src_of.insert(m, Src::Reg(r));
                    Dst::Reg(r)
                }
            };
            let op = if kernel.reciprocal.contains_key(&m) { Op::Binary(Binary::Div) } else { g.node(m).op.clone() };
            let args = if kernel.reciprocal.contains_key(&m) { vec![Src::Const(F64Bits::new(1.0)), args[0]] } else { args };
            instrs.push(Instr { op, args, dst, fast: kernel.fast[i] });
            let mut released: Vec<NodeId> = operands.into_iter().filter(|o| self.last_read.get(o) == Some(&i)).collect();
            released.sort();
            released.dedup();
            for o in released {
                if let Some(Src::Reg(r)) = self.src_of.get(&o) {
                    free.push(*r);
                }
            }
        }
        for n in kernel.inputs.iter().chain(&kernel.scalars).chain(&kernel.members) {
            self.src_of.remove(n);
            self.last_read.remove(n);
        }
        let len = kernel.shape.iter().product();
        self.plan.steps.push(Step::Fused(Box::new(FusedKernel { dtype: kernel.dtype, len, inputs, scalars, outputs, instrs, regs })));
        self.kernel_done[k] = true;
    }
}

/// The values of a body's outputs `out0`, `out1`, ... among its exports.
fn exported_outputs(body: &Plan, n: usize) -> Vec<ValueId> {
    (0..n)
        .map(|j| {
            let name = crate::ir::program::LoopRegion::output_name(j);
            body.exports.iter().find(|(e, _)| *e == name).map(|(_, v)| *v).expect("the body exports each of its outputs")
        })
        .collect()
}

/// In debug builds (and so in every test) a plan the runtime would refuse
/// ([`Plan::verify`]) stops compilation loudly, at the stage that made it.
pub fn debug_verify(plan: &Plan) {
    if cfg!(debug_assertions) {
        if let Err(e) = plan.verify() {
            panic!("scheduling made a malformed plan: {e}");
        }
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
            Step::Print(items) | Step::Write(items) => {
                for value in items.iter().flat_map(PrintItem::values) {
                    last.insert(value, i);
                }
            }
            Step::Assert { cond, message, .. } => {
                for value in std::iter::once(*cond).chain(message.iter().flat_map(PrintItem::values)) {
                    last.insert(value, i);
                }
            }
            Step::Figure(FigureCmd::Plot { x, y, .. } | FigureCmd::Scatter { x, y, .. }) => {
                last.insert(*x, i);
                last.insert(*y, i);
            }
            Step::Fused(k) => {
                for v in k.inputs.iter().chain(&k.scalars).chain(&k.outputs) {
                    last.insert(*v, i);
                }
            }
            Step::Save { value, .. } => {
                last.insert(*value, i);
            }
            Step::Loop(l) => {
                for v in l.inputs.iter().chain(&l.outputs) {
                    last.insert(*v, i);
                }
            }
            Step::Branch(b) => {
                for v in std::iter::once(&b.cond).chain(&b.then.inputs).chain(&b.then.outputs) {
                    last.insert(*v, i);
                }
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
