//! A user op's backward block at autodiff time: its template, copied into the
//! backward being derived, with the gradient and saved values wired in.
//!
//! A backward block may call other ops. An op with a backward block of its own
//! leaves, inside the template, the forward nodes of that call and its output,
//! which lowering registered as a call with its own template. Copying the
//! template copies the call too: the copy of its output becomes the output of a
//! new call record, with the copied inputs and saved values and the same
//! template, so that a gradient of the gradient (`create_graph`) goes through
//! the inner op's backward block exactly as through any other op call.

use std::collections::HashMap;

use super::builder::RuleCtx;
use crate::ir::graph::{NodeId, Region};
use crate::ir::program::{CustomCall, Program, SavedValue};

/// Applies a user op's backward block: copies its template into the current
/// backward, with the gradient parameter bound to `g` and each saved parameter
/// to the forward node it stands for. Returns each op argument with its gradient.
/// The outputs of call `call`: its output, then its further outputs.
pub fn outputs(prog: &Program, call: usize) -> Vec<NodeId> {
    match prog.custom_calls.get(call) {
        Some(cc) => std::iter::once(cc.output).chain(cc.extra_outputs.iter().map(|(o, _)| *o)).collect(),
        None => vec![],
    }
}

/// `gs` holds one gradient per output, in the order of [`outputs`].
pub fn apply(
    c: &mut RuleCtx,
    prog: &mut Program,
    call: usize,
    gs: &[NodeId],
    templates: &HashMap<u32, Vec<NodeId>>,
) -> Vec<(NodeId, Option<NodeId>)> {
    // `call` comes from `custom_output`, whose values index `custom_calls`.
    let Some(cc) = prog.custom_calls.get(call).cloned() else { return vec![] };
    c.at(cc.span);
    let mut map: HashMap<NodeId, NodeId> = HashMap::new();
    let params = std::iter::once(cc.grad_param).chain(cc.extra_outputs.iter().map(|(_, p)| *p));
    for (p, g) in params.zip(gs) {
        map.insert(p, *g);
    }
    for s in &cc.saved {
        map.insert(s.param, c.fwd(s.forward));
    }
    // A call's template is the region its gradient parameter was lowered in; a
    // call copied out of another template shares the original call's template.
    let nodes = match prog.graph.meta(cc.grad_param).region {
        Region::Template(k) => templates.get(&k).cloned().unwrap_or_default(),
        Region::Forward | Region::Backward(_) => vec![],
    };
    // Inner calls are registered once the whole template is copied, so that
    // every output of a call with several is in `map` by then.
    let mut inner_calls = Vec::new();
    for t in nodes {
        if map.contains_key(&t) {
            continue;
        }
        let node = prog.graph.node(t).clone();
        // Template nodes are in creation order, so their operands inside the
        // template are mapped already; an operand outside it is a value computed
        // before the template and is read as it is.
        let args: Vec<NodeId> = prog.graph.operands(t).iter().map(|a| map.get(a).copied().unwrap_or(*a)).collect();
        let span = prog.graph.meta(t).span;
        let note = prog.graph.meta(t).note.clone();
        c.at(span);
        let copy = c.add_node(&mut prog.graph, node.op, node.dtype, node.shape, &args);
        prog.graph.meta_mut(copy).note = note;
        map.insert(t, copy);
        if let Some(&inner) = prog.custom_output.get(&t) {
            if prog.custom_calls.get(inner).is_some_and(|ic| ic.output == t) {
                inner_calls.push((inner, copy));
            }
        }
    }
    for (inner, copy) in inner_calls {
        copy_call(c, prog, inner, copy, &map);
    }
    cc.inputs.iter().zip(&cc.returns).map(|(i, r)| (*i, r.map(|t| map.get(&t).copied().unwrap_or(t)))).collect()
}

/// Registers `copy`, the copy of the output of call `inner` made inside a
/// template, as the output of a new call of the same op and template, with
/// its inputs and saved values renamed by `map`.
fn copy_call(c: &mut RuleCtx, prog: &mut Program, inner: usize, copy: NodeId, map: &HashMap<NodeId, NodeId>) {
    let Some(ic) = prog.custom_calls.get(inner).cloned() else { return };
    // PyTorch names the output of a Function applied in a backward as any other.
    c.grad_fns.push((copy, ic.grad_fn()));
    let rename = |n: NodeId| map.get(&n).copied().unwrap_or(n);
    let saved = ic.saved.iter().map(|s| SavedValue { name: s.name.clone(), forward: rename(s.forward), param: s.param }).collect();
    let index = prog.custom_calls.len();
    let extra_outputs: Vec<(NodeId, NodeId)> = ic.extra_outputs.iter().map(|(o, p)| (rename(*o), *p)).collect();
    for (o, _) in &extra_outputs {
        c.grad_fns.push((*o, ic.grad_fn()));
        prog.custom_output.insert(*o, index);
    }
    prog.custom_calls.push(CustomCall { inputs: ic.inputs.iter().map(|n| rename(*n)).collect(), output: copy, saved, extra_outputs, ..ic });
    prog.custom_output.insert(copy, index);
}
