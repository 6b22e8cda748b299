//! `graphc export --to onnx`: a compiled program, after autodiff and the
//! passes, as an ONNX model (opset [`OPSET`], standard operators only).
//!
//! The graph's inputs are the program's `input` declarations, by name, in
//! declaration order; its outputs are the requested exports (`NAME`,
//! `NAME.grad`), in the order asked. Only the nodes the outputs depend on are
//! written, forward and backward alike, each ONNX value named after the IR node
//! it computes (`%12`, and `%12.0`, `%12.1`, ... for the steps of a node that
//! takes several operators), as `graphc ir --stage opt` prints them. Sources
//! that do not depend on inputs (`full`, `tensor([...])`, `arange`, `randn`
//! under a seed, `load`) become initializers holding the values a run computes.
//!
//! Printing, figures and `save` are left out: they observe values, and the
//! model's outputs are the values a user wants from it. What cannot be written
//! is refused with a spanned error: a value computed by a loop or run-time `if`
//! (E0720), a draw with no `manual_seed` before it (E0721), an op with no
//! mapping (E0722), an output that would take an input's name (E0723).

mod constants;
mod emit;
mod ops;
pub mod proto;
mod reduce;

use std::collections::{HashMap, HashSet};

use graphc_runtime::{kernels, DType, Op};
use prost::Message;

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::Program;
use emit::{data_type, Emitter};
use ops::{Operand, Site};
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
    let needed = needed(prog, outputs.iter().map(|o| o.1));
    check_loops(prog, &needed)?;
    check_names(prog, &outputs)?;
    let drawn = constants::sources(prog, &needed)?;

    let mut em = Emitter::default();
    let mut value: HashMap<NodeId, String> = HashMap::new();
    let mut errors = Vec::new();
    for id in prog.graph.topo_order().into_iter().filter(|n| needed.contains(n)) {
        let node = prog.graph.node(id);
        let prefix = format!("%{}", id.0);
        em.begin(prefix.clone());
        let name = match &node.op {
            Op::Input(k) => prog.inputs[*k as usize].name.clone(),
            Op::Full(_) | Op::Literal(_) | Op::Arange { .. } | Op::Linspace { .. } => {
                em.tensor(&kernels::eval(&node.op, &[], node.dtype, &node.shape))
            }
            Op::Randn | Op::Rand | Op::Data(_) => em.tensor(&drawn[&id]),
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
                match ops::map(&mut em, op, &Site { dtype: node.dtype, shape: &node.shape, args: &args }) {
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
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut graph_outputs = Vec::new();
    for (name, id) in &outputs {
        let v = &value[id];
        if v != name {
            em.begin((*name).to_string());
            em.nodes.push(proto::NodeProto {
                input: vec![v.clone()],
                output: vec![(*name).to_string()],
                name: format!("{name}.out"),
                op_type: "Identity".to_string(),
                ..Default::default()
            });
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

/// The nodes the outputs depend on.
fn needed(prog: &Program, outputs: impl Iterator<Item = NodeId>) -> HashSet<NodeId> {
    let mut seen = HashSet::new();
    let mut stack: Vec<NodeId> = outputs.collect();
    while let Some(n) = stack.pop() {
        if seen.insert(n) {
            stack.extend(prog.graph.operand_slice(n).iter().copied());
        }
    }
    seen
}

/// E0720 for each loop or run-time `if` whose results the outputs read.
fn check_loops(prog: &Program, needed: &HashSet<NodeId>) -> Result<(), Vec<Diagnostic>> {
    let mut regions: Vec<u32> = needed
        .iter()
        .filter_map(|n| match prog.graph.node(*n).op {
            Op::RegionOutput { region, .. } => Some(region),
            _ => None,
        })
        .collect();
    regions.sort();
    regions.dedup();
    let errors: Vec<Diagnostic> = regions
        .into_iter()
        .map(|r| {
            Diagnostic::new(
                Code::E0720,
                "cannot export: an exported value is computed by this loop (or run-time `if`), which ONNX export does not write yet",
                prog.regions[r as usize].span,
                "its results are read by the model's outputs",
            )
            .with_help("export values that do not depend on the loop (`--export NAME`), or unroll it with a compile-time list")
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
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

/// A graph input's or output's declaration.
fn value_info(name: &str, dtype: DType, shape: &[usize]) -> ValueInfoProto {
    let dim = shape.iter().map(|&d| Dimension { dim_value: Some(d as i64) }).collect();
    let tensor_type = TensorTypeProto { elem_type: data_type(dtype) as i32, shape: Some(TensorShapeProto { dim }) };
    ValueInfoProto { name: name.to_string(), r#type: Some(TypeProto { tensor_type: Some(tensor_type) }), doc_string: String::new() }
}

/// Reads an encoded model back (for tests and tools that inspect a written file).
pub fn decode(bytes: &[u8]) -> Result<ModelProto, prost::DecodeError> {
    ModelProto::decode(bytes)
}
