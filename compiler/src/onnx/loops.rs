//! A `for` loop region as an ONNX `Loop`: the body is a subgraph written by
//! [`super::graph`], run `trip` times.
//!
//! graphc's body takes the loop index (input 0) and the values it reads from
//! outside (inputs 1..), and exports `out0`, `out1`, ...; a carried pair `(j, k)`
//! feeds output `j` of one iteration to input `k` of the next. ONNX's `Loop`
//! carries a list of values from one iteration to the next and returns their
//! last ones, so each carried pair is one loop-carried value (its initial value
//! is what the effect feeds input `k`), and each output that is not carried is
//! one more whose initial value is zeros and is never read: a loop runs at
//! least once (the runtime relies on it too), so its last value is the body's.
//! Inputs that are not carried are read from the graph around the body by name,
//! as ONNX lets a subgraph do. A loop with a `break` ([`LoopRegion::exit`])
//! ends when its break flag is set, through the `Loop`'s condition.

use graphc_runtime::{DType, Tensor};

use super::emit::{self, Emitter};
use super::graph::{self, Scope};
use super::proto::GraphProto;
use super::value_info;
use crate::diag::Diagnostic;
use crate::ir::graph::NodeId;
use crate::ir::program::LoopRegion;

/// Writes region `region` of `scope`'s program as a `Loop` node in `em`, fed
/// `outer` (the ONNX values of the effect's inputs), and returns the value of
/// each of its `outputs` results.
pub fn emit(em: &mut Emitter, scope: &Scope, region: u32, outer: &[String], outputs: usize) -> Result<Vec<String>, Vec<Diagnostic>> {
    let r = &scope.prog.regions[region as usize];
    let body = &r.body;
    let prefix = format!("{}loop{region}/", scope.prefix);
    let results: Vec<NodeId> = (0..outputs).map(|j| body.exports[&LoopRegion::output_name(j)]).collect();

    // The loop-carried values: each carried pair, then each output not carried.
    let mut carried: Vec<(usize, Option<usize>)> = r.carried.iter().map(|&(j, k)| (j as usize, Some(k as usize))).collect();
    carried.extend((0..outputs).filter(|j| !r.carried.iter().any(|c| c.0 as usize == *j)).map(|j| (j, None)));
    let slot_name = |j: usize, k: Option<usize>| match k {
        Some(k) => format!("{prefix}in{k}"),
        None => format!("{prefix}unread{j}"),
    };

    let mut sub = Emitter::default();
    let (iter, cond) = (format!("{prefix}iter"), format!("{prefix}cond"));
    // The index of iteration `iter` is `start + iter * step`, as the runtime computes it.
    sub.begin(format!("{prefix}index"));
    let index = if r.start == 0 && r.step == 1 {
        iter.clone()
    } else {
        let step = sub.tensor(&Tensor::from_i64(vec![], vec![r.step]));
        let start = sub.tensor(&Tensor::from_i64(vec![], vec![r.start]));
        let scaled = sub.node("Mul", &[&iter, &step], vec![]);
        sub.node("Add", &[&scaled, &start], vec![])
    };
    let mut inputs = vec![index];
    for (k, name) in outer.iter().enumerate() {
        let k = k + 1;
        let carried_in = r.carried.iter().any(|c| c.1 as usize == k);
        inputs.push(if carried_in { format!("{prefix}in{k}") } else { name.clone() });
    }
    let body_scope = Scope { prog: body, prefix: prefix.clone(), inputs, body: Some("in every iteration of a loop") };
    let values = graph::emit(&mut sub, &body_scope, &results)?;

    // The body's outputs: the condition, then each carried value's next value.
    // The condition stays true (the trip count stops the loop), or, in a loop
    // with a `break`, it is the negated break flag, so that ONNX's `Loop`
    // stops where graphc's runtime stops.
    let mut graph_outputs = vec![value_info(&format!("{prefix}cond_out"), DType::Bool, &[])];
    sub.begin(format!("{prefix}out"));
    match r.exit {
        Some(j) => sub.node_named("Not", &[&values[&results[j as usize]]], &format!("{prefix}cond_out")),
        None => sub.node_named("Identity", &[&cond], &format!("{prefix}cond_out")),
    }
    let mut graph_inputs = vec![value_info(&iter, DType::I64, &[]), value_info(&cond, DType::Bool, &[])];
    let mut renamed = std::collections::HashMap::new();
    for (v, &(j, k)) in carried.iter().enumerate() {
        let n = body.graph.node(results[j]);
        graph_inputs.push(value_info(&slot_name(j, k), n.dtype, &n.shape));
        let out = format!("{prefix}out{v}");
        name_output(&mut sub, &values[&results[j]], &out, &mut renamed);
        graph_outputs.push(value_info(&out, n.dtype, &n.shape));
    }
    let graph = GraphProto {
        node: sub.nodes,
        name: format!("{prefix}body"),
        initializer: sub.initializers,
        doc_string: String::new(),
        input: graph_inputs,
        output: graph_outputs,
    };

    let trip = em.tensor(&Tensor::from_i64(vec![], vec![r.trip as i64]));
    let mut loop_inputs = vec![trip, String::new()];
    for &(j, k) in &carried {
        loop_inputs.push(match k {
            Some(k) => outer[k - 1].clone(),
            None => {
                let n = body.graph.node(results[j]);
                em.tensor(&Tensor::full(n.dtype, n.shape.clone(), 0.0))
            }
        });
    }
    let refs: Vec<&str> = loop_inputs.iter().map(String::as_str).collect();
    let names = em.node_multi("Loop", &refs, vec![emit::graph("body", graph)], carried.len());
    Ok((0..outputs).map(|j| names[carried.iter().position(|c| c.0 == j).expect("every output is carried")].clone()).collect())
}

/// Makes `value` of subgraph `sub` its output named `out`. A value a node of
/// the subgraph computes is given the output's name instead of being copied to
/// it: ONNX Runtime (1.32) removes such an `Identity` by renaming the value,
/// which its Gemm fusions (made before) still read by the old name ("Missing
/// Input" when the loop runs). A subgraph input, an outer value, or a value
/// that is two outputs keeps an `Identity`: `renamed` maps each value given an
/// output's name to that name, which a second output of it copies.
pub(super) fn name_output(sub: &mut Emitter, value: &str, out: &str, renamed: &mut std::collections::HashMap<String, String>) {
    if let Some(first) = renamed.get(value) {
        let first = first.clone();
        sub.node_named("Identity", &[&first], out);
        return;
    }
    let produced = sub.nodes.iter().any(|node| node.output.iter().any(|o| o == value));
    if produced {
        rename_value(&mut sub.nodes, value, out);
        renamed.insert(value.to_string(), out.to_string());
    } else {
        sub.node_named("Identity", &[value], out);
    }
}

/// Renames value `from` to `to` in `nodes`, the subgraphs of their attributes
/// included (which may read it from the graph around them).
fn rename_value(nodes: &mut [super::proto::NodeProto], from: &str, to: &str) {
    for node in nodes {
        for name in node.input.iter_mut().chain(node.output.iter_mut()) {
            if name == from {
                *name = to.to_string();
            }
        }
        for a in &mut node.attribute {
            if let Some(g) = a.g.as_mut() {
                rename_value(&mut g.node, from, to);
            }
        }
    }
}
