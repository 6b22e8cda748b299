//! `graphc export --to onnx`: a compiled program, after autodiff and the
//! passes, as an ONNX model (opset [`OPSET`], standard operators only).
//!
//! The graph's inputs are the program's `input` declarations, by name, in
//! declaration order; its outputs are the requested exports (`NAME`,
//! `NAME.grad`), in the order asked. Only the nodes the outputs depend on are
//! written ([`graph`]), forward and backward alike, each ONNX value named after
//! the IR node it computes (`%12`, and `%12.0`, `%12.1`, ... for the steps of a
//! node that takes several operators), as `graphc ir --stage opt` prints them.
//! Sources that do not depend on inputs (`full`, `tensor([...])`, `arange`,
//! `randn` under a seed, `load`) become initializers holding the values a run
//! computes. A `for` loop is an ONNX `Loop` whose body is the loop body's own
//! compiled program ([`loops`]), its values named `loop3/%12` after the region;
//! a run-time `if` is an ONNX `If` whose subgraphs are its sides ([`branches`]).
//!
//! Printing, figures and `save` are left out, in loops too: they observe values,
//! and the model's outputs are the values a user wants from it. What cannot be
//! written is refused with a spanned error: a draw after a loop that draws
//! (E0720), a draw with no `manual_seed` before it (E0721), an op with no
//! mapping (E0722), an output that would take an input's name (E0723), a draw
//! inside a loop or a side of a run-time `if` (E0724).

mod branches;
mod constants;
mod conv;
mod emit;
mod graph;
mod layer_norm;
mod loops;
mod ops;
pub mod proto;
mod reduce;

use graphc_runtime::DType;
use prost::Message;

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::Program;
use emit::{data_type, Emitter};
use graph::Scope;
use proto::{Dimension, GraphProto, ModelProto, OperatorSetIdProto, TensorShapeProto, TensorTypeProto, TypeProto, ValueInfoProto};

/// The ONNX operator set the model declares: supported by ONNX Runtime (1.13 on)
/// and by tract, and the last before `ReduceMean` and its kind took their axes as an input.
pub const OPSET: i64 = 17;

/// The ONNX IR version of opset 17 (ONNX 1.12).
const IR_VERSION: i64 = 8;

/// The model of `prog` with outputs `names` (each a key of `prog.exports`), encoded.
pub fn export(prog: &Program, names: &[String]) -> Result<Vec<u8>, Vec<Diagnostic>> {
    Ok(model(prog, names)?.encode_to_vec())
}

/// The model of `prog` with outputs `names` (each a key of `prog.exports`).
pub fn model(prog: &Program, names: &[String]) -> Result<ModelProto, Vec<Diagnostic>> {
    let outputs: Vec<(&str, NodeId)> = names.iter().map(|n| (n.as_str(), prog.exports[n])).collect();
    check_names(prog, &outputs)?;

    let mut em = Emitter::default();
    let scope = Scope { prog, prefix: String::new(), inputs: prog.inputs.iter().map(|i| i.name.clone()).collect(), body: None };
    let roots: Vec<NodeId> = outputs.iter().map(|o| o.1).collect();
    let value = graph::emit(&mut em, &scope, &roots)?;

    let mut graph_outputs = Vec::new();
    for (name, id) in &outputs {
        let v = &value[id];
        if v != name {
            em.begin((*name).to_string());
            em.node_named("Identity", &[v], name);
        }
        let n = prog.graph.node(*id);
        graph_outputs.push(value_info(name, n.dtype, &n.shape));
    }
    let inputs = prog.inputs.iter().map(|i| value_info(&i.name, i.dtype, &i.shape)).collect();
    let graph = GraphProto {
        node: em.nodes,
        name: "graphc".to_string(),
        initializer: em.initializers,
        doc_string: String::new(),
        input: inputs,
        output: graph_outputs,
    };
    Ok(ModelProto {
        ir_version: IR_VERSION,
        producer_name: "graphc".to_string(),
        producer_version: env!("CARGO_PKG_VERSION").to_string(),
        doc_string: String::new(),
        graph: Some(graph),
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: OPSET }],
    })
}

/// E0723: an output that would take the name of an input holding another value
/// (ONNX names each value once).
fn check_names(prog: &Program, outputs: &[(&str, NodeId)]) -> Result<(), Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> = outputs
        .iter()
        .filter_map(|(name, id)| {
            let input = prog.inputs.iter().find(|i| i.name == *name)?;
            (input.node != Some(*id)).then(|| {
                Diagnostic::new(
                    Code::E0723,
                    format!("cannot export `{name}`: the model's input `{name}` has that name, and the name is bound to another value at the end"),
                    input.span,
                    "the input is declared here",
                )
                .with_help("bind the new value to another name and export that, or export only the other outputs (`--export NAME`)")
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A graph input's or output's declaration.
pub(crate) fn value_info(name: &str, dtype: DType, shape: &[usize]) -> ValueInfoProto {
    let dim = shape.iter().map(|&d| Dimension { dim_value: Some(d as i64) }).collect();
    let tensor_type = TensorTypeProto { elem_type: data_type(dtype) as i32, shape: Some(TensorShapeProto { dim }) };
    ValueInfoProto { name: name.to_string(), r#type: Some(TypeProto { tensor_type: Some(tensor_type) }), doc_string: String::new() }
}

/// Reads an encoded model back (for tests and tools that inspect a written file).
pub fn decode(bytes: &[u8]) -> Result<ModelProto, prost::DecodeError> {
    ModelProto::decode(bytes)
}
