//! The nodes of one program as ONNX nodes: the top-level program, or a loop's
//! body (which [`super::loops`] wraps in a `Loop`). Only the nodes the roots
//! depend on are written, in an order where every value is defined before it is
//! read; a loop's results depend on the values its effect feeds it, which the
//! graph's edges do not show, so the order is computed here rather than taken
//! from the graph.

use std::collections::{HashMap, HashSet};

use graphc_runtime::{kernels, Op};

use super::emit::Emitter;
use super::ops::{self, Operand, Site};
use super::{branches, constants, loops};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::{Effect, Program};

/// The program being written and where its values come from.
pub struct Scope<'a> {
    pub prog: &'a Program,
    /// What every value name of this graph starts with: empty at the top level,
    /// `loop3/` in region 3's body, so that names are unique across the model
    /// (ONNX forbids a subgraph to reuse a name of the graph around it).
    pub prefix: String,
    /// The ONNX value of each `Op::Input(k)`: the graph's inputs at the top level;
    /// in a body, the loop index, the carried values and the outer values it reads.
    pub inputs: Vec<String>,
    /// In a loop body or a side of a run-time `if`, whose draws cannot be
    /// replayed (E0724): how the body runs, for the error.
    pub body: Option<&'static str>,
}

/// Writes the nodes `roots` depend on into `em` and returns each one's ONNX value.
pub fn emit(em: &mut Emitter, scope: &Scope, roots: &[NodeId]) -> Result<HashMap<NodeId, String>, Vec<Diagnostic>> {
    let prog = scope.prog;
    let effects = region_effects(prog);
    let order = order(prog, &effects, roots);
    let needed: HashSet<NodeId> = order.iter().copied().collect();
    let drawn = match scope.body {
        Some(how) => constants::body_sources(prog, &needed, how)?,
        None => constants::sources(prog, &needed)?,
    };

    let mut value: HashMap<NodeId, String> = HashMap::new();
    let mut region_values: HashMap<u32, Vec<String>> = HashMap::new();
    let mut errors = Vec::new();
    for id in order {
        let node = prog.graph.node(id);
        em.begin(format!("{}%{}", scope.prefix, id.0));
        let name = match &node.op {
            Op::Input(k) => scope.inputs[*k as usize].clone(),
            Op::Full(_) | Op::Literal(_) | Op::Arange { .. } | Op::Linspace { .. } => {
                em.tensor(&kernels::eval(&node.op, &[], node.dtype, &node.shape))
            }
            Op::Randn | Op::Rand | Op::Data(_) => em.tensor(&drawn[&id]),
            Op::RegionOutput { region, output } => {
                if !region_values.contains_key(region) {
                    match effects.get(region) {
                        Some(Effect::Loop { inputs, outputs, .. }) => {
                            let outer: Vec<String> = inputs.iter().map(|n| value[n].clone()).collect();
                            match loops::emit(em, scope, *region, &outer, outputs.len()) {
                                Ok(v) => {
                                    region_values.insert(*region, v);
                                }
                                Err(d) => {
                                    errors.extend(d);
                                    region_values.insert(*region, vec![String::new(); outputs.len()]);
                                }
                            }
                        }
                        Some(Effect::Branch { cond, then, otherwise, inputs, outputs }) => {
                            let outer: Vec<String> = inputs.iter().map(|n| value[n].clone()).collect();
                            match branches::emit(em, scope, &value[cond], (*then, *otherwise), &outer, outputs.len()) {
                                Ok(v) => {
                                    region_values.insert(*region, v);
                                }
                                Err(d) => {
                                    errors.extend(d);
                                    region_values.insert(*region, vec![String::new(); outputs.len()]);
                                }
                            }
                        }
                        _ => {
                            region_values.insert(*region, Vec::new());
                        }
                    }
                }
                region_values[region].get(*output as usize).cloned().unwrap_or_default()
            }
            op => {
                let args: Vec<Operand> = prog
                    .graph
                    .operand_slice(id)
                    .iter()
                    .map(|a| {
                        let n = prog.graph.node(*a);
                        Operand { name: value.get(a).cloned().unwrap_or_default(), dtype: n.dtype, shape: n.shape.clone() }
                    })
                    .collect();
                match ops::map(em, op, &Site { dtype: node.dtype, shape: &node.shape, args: &args }) {
                    Ok(name) => name,
                    Err(ops::Unmapped) => {
                        errors.push(unmapped(prog, id));
                        String::new()
                    }
                }
            }
        };
        value.insert(id, name);
    }
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

/// The effect that runs each region: a loop's, or a run-time `if`'s for both its sides.
fn region_effects(prog: &Program) -> HashMap<u32, &Effect> {
    let mut map = HashMap::new();
    for e in &prog.effects {
        match e {
            Effect::Loop { region, .. } => {
                map.insert(*region, e);
            }
            Effect::Branch { then, otherwise, .. } => {
                map.insert(*then, e);
                map.insert(*otherwise, e);
            }
            Effect::Seed(_)
            | Effect::Sample(_)
            | Effect::Print(_)
            | Effect::Write(_)
            | Effect::Assert { .. }
            | Effect::Figure(_)
            | Effect::Save { .. } => {}
        }
    }
    map
}

/// What node `n` reads: its operands, or for a region's output the values the
/// region's effect feeds it (and a run-time `if`'s condition).
fn reads(prog: &Program, effects: &HashMap<u32, &Effect>, n: NodeId) -> Vec<NodeId> {
    match prog.graph.node(n).op {
        Op::RegionOutput { region, .. } => match effects.get(&region) {
            Some(Effect::Loop { inputs, .. }) => inputs.clone(),
            Some(Effect::Branch { cond, inputs, .. }) => std::iter::once(*cond).chain(inputs.iter().copied()).collect(),
            _ => Vec::new(),
        },
        _ => prog.graph.operand_slice(n).to_vec(),
    }
}

/// The nodes `roots` depend on, each after everything it reads (a depth-first
/// post-order, iterative so that a long chain cannot overflow the stack).
fn order(prog: &Program, effects: &HashMap<u32, &Effect>, roots: &[NodeId]) -> Vec<NodeId> {
    let mut done: HashSet<NodeId> = HashSet::new();
    let mut entered: HashSet<NodeId> = HashSet::new();
    let mut out = Vec::new();
    for &root in roots {
        let mut stack = vec![(root, false)];
        while let Some((n, expanded)) = stack.pop() {
            if done.contains(&n) {
                continue;
            }
            if expanded {
                done.insert(n);
                out.push(n);
                continue;
            }
            if !entered.insert(n) {
                continue;
            }
            stack.push((n, true));
            // Reversed, so that operands are written in their order.
            for a in reads(prog, effects, n).into_iter().rev() {
                if !done.contains(&a) {
                    stack.push((a, false));
                }
            }
        }
    }
    out
}

/// E0722 for an op without an ONNX mapping.
fn unmapped(prog: &Program, id: NodeId) -> Diagnostic {
    let name = prog.graph.node(id).op.name();
    Diagnostic::new(
        Code::E0722,
        format!("cannot export: the op `{name}` has no ONNX mapping yet"),
        prog.graph.meta(id).span,
        format!("this computes `{name}`"),
    )
    .with_help("export values that do not depend on it (`--export NAME`); docs/EXPORT.md lists the ops that export")
}
