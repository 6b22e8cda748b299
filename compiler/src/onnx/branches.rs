//! A run-time `if` as an ONNX `If`: each side is a subgraph written by
//! [`super::graph`], with no inputs of its own.
//!
//! graphc's sides take the (unused) iteration index (input 0) and the values
//! they read from outside (inputs 1..), and export `out0`, `out1`, ...; ONNX's
//! `If` takes only the condition, and its subgraphs read the values around them
//! by name, as ONNX lets a subgraph do. The index is a constant 0 in each side,
//! as the runtime gives a branch's one iteration.

use std::collections::HashMap;

use graphc_runtime::Tensor;

use super::emit::{self, Emitter};
use super::graph::{self, Scope};
use super::loops::name_output;
use super::proto::GraphProto;
use super::value_info;
use crate::diag::Diagnostic;
use crate::ir::graph::NodeId;
use crate::ir::program::LoopRegion;

/// Writes the branch whose sides are regions `sides` of `scope`'s program as an
/// `If` node in `em` on `cond`, its sides reading `outer` (the ONNX values of the
/// effect's inputs), and returns the value of each of its `outputs` results.
pub fn emit(
    em: &mut Emitter,
    scope: &Scope,
    cond: &str,
    sides: (u32, u32),
    outer: &[String],
    outputs: usize,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut graphs = Vec::with_capacity(2);
    let mut errors = Vec::new();
    for (attribute, region) in [("then_branch", sides.0), ("else_branch", sides.1)] {
        match side(scope, region, outer, outputs) {
            Ok(g) => graphs.push(emit::graph(attribute, g)),
            Err(d) => errors.extend(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(em.node_multi("If", &[cond], graphs, outputs))
}

/// One side's subgraph.
fn side(scope: &Scope, region: u32, outer: &[String], outputs: usize) -> Result<GraphProto, Vec<Diagnostic>> {
    let body = &scope.prog.regions[region as usize].body;
    let prefix = format!("{}if{region}/", scope.prefix);
    let results: Vec<NodeId> = (0..outputs).map(|j| body.exports[&LoopRegion::output_name(j)]).collect();
    let mut sub = Emitter::default();
    sub.begin(format!("{prefix}index"));
    // A side rarely reads the index: its constant is written only when one does
    // (ONNX Runtime warns of an initializer nothing reads).
    let reads_index = body.inputs.first().and_then(|i| i.node).is_some_and(|n| body.graph.contains(n) && !body.graph.users(n).is_empty());
    let index = if reads_index { sub.tensor(&Tensor::from_i64(vec![], vec![0])) } else { String::new() };
    let inputs = std::iter::once(index).chain(outer.iter().cloned()).collect();
    let how = "on a side of an `if` decided at run time, which the model cannot replay";
    let side_scope = Scope { prog: body, prefix: prefix.clone(), inputs, body: Some(how) };
    let values = graph::emit(&mut sub, &side_scope, &results)?;
    sub.begin(format!("{prefix}out"));
    let mut renamed = HashMap::new();
    let mut graph_outputs = Vec::with_capacity(outputs);
    for (j, r) in results.iter().enumerate() {
        let n = body.graph.node(*r);
        let out = format!("{prefix}out{j}");
        name_output(&mut sub, &values[r], &out, &mut renamed);
        graph_outputs.push(value_info(&out, n.dtype, &n.shape));
    }
    Ok(GraphProto {
        node: sub.nodes,
        name: format!("{prefix}side"),
        initializer: sub.initializers,
        doc_string: String::new(),
        input: Vec::new(),
        output: graph_outputs,
    })
}
