//! The builder of an ONNX graph: fresh value names, nodes, attributes and
//! initializers, so that each op's mapping ([`super::ops`]) says only which
//! ONNX operators compute it.

use graphc_runtime::tensor::Data;
use graphc_runtime::{DType, Tensor};

use super::proto::{AttributeProto, AttributeType, DataType, GraphProto, NodeProto, TensorProto};

/// A graphc dtype as an ONNX element type.
pub fn data_type(dtype: DType) -> DataType {
    match dtype {
        DType::F32 => DataType::Float,
        DType::F64 => DataType::Double,
        DType::I64 => DataType::Int64,
        DType::Bool => DataType::Bool,
    }
}

/// The nodes and initializers of the graph being built.
#[derive(Default)]
pub struct Emitter {
    pub nodes: Vec<NodeProto>,
    pub initializers: Vec<TensorProto>,
    /// The prefix of the fresh names of the graph node being mapped (`%12`), so
    /// that every ONNX value says which IR node it comes from.
    prefix: String,
    fresh: usize,
}

impl Emitter {
    /// Starts the ONNX nodes of IR node `prefix` (its `graphc ir` name).
    pub fn begin(&mut self, prefix: String) {
        self.prefix = prefix;
        self.fresh = 0;
    }

    /// A name no other value has: `%12.3` for the fourth value made for `%12`.
    fn fresh_name(&mut self) -> String {
        let name = format!("{}.{}", self.prefix, self.fresh);
        self.fresh += 1;
        name
    }

    /// Appends node `op_type` of `inputs` (an empty string for an absent optional
    /// input) and returns the name of its one output.
    pub fn node(&mut self, op_type: &str, inputs: &[&str], attributes: Vec<AttributeProto>) -> String {
        let out = self.fresh_name();
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![out.clone()],
            name: out.clone(),
            op_type: op_type.to_string(),
            attribute: attributes,
            doc_string: String::new(),
        });
        out
    }

    /// Appends node `op_type` with `outputs` results and returns their names.
    pub fn node_multi(&mut self, op_type: &str, inputs: &[&str], attributes: Vec<AttributeProto>, outputs: usize) -> Vec<String> {
        let names: Vec<String> = (0..outputs).map(|_| self.fresh_name()).collect();
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: names.clone(),
            name: names.first().cloned().unwrap_or_else(|| self.prefix.clone()),
            op_type: op_type.to_string(),
            attribute: attributes,
            doc_string: String::new(),
        });
        names
    }

    /// Appends node `op_type` whose one output has the given name (a graph's output).
    pub fn node_named(&mut self, op_type: &str, inputs: &[&str], output: &str) {
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.to_string()],
            name: output.to_string(),
            op_type: op_type.to_string(),
            attribute: vec![],
            doc_string: String::new(),
        });
    }

    /// Adds `t` as an initializer and returns its name.
    pub fn tensor(&mut self, t: &Tensor) -> String {
        let name = self.fresh_name();
        self.initializers.push(tensor_proto(&name, t));
        name
    }

    /// A 0-d constant of `dtype` (the value rounded to it).
    pub fn scalar(&mut self, value: f64, dtype: DType) -> String {
        self.tensor(&Tensor::from_f64_values(dtype, vec![], vec![value]))
    }

    /// A 1-D i64 constant (shapes, axes, slice bounds).
    pub fn ints(&mut self, values: &[i64]) -> String {
        self.tensor(&Tensor::from_i64(vec![values.len()], values.to_vec()))
    }

    /// `x` converted to `to` (no node when it is `to` already).
    pub fn cast(&mut self, x: &str, from: DType, to: DType) -> String {
        if from == to {
            return x.to_string();
        }
        self.node("Cast", &[x], vec![int("to", data_type(to) as i64)])
    }

    /// `x` with shape `shape`.
    pub fn reshape(&mut self, x: &str, shape: &[usize]) -> String {
        let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let shape = self.ints(&dims);
        self.node("Reshape", &[x, &shape], vec![])
    }
}

/// An `int` attribute.
pub fn int(name: &str, value: i64) -> AttributeProto {
    AttributeProto { name: name.to_string(), i: value, r#type: AttributeType::Int as i32, ..Default::default() }
}

/// An `ints` attribute.
pub fn ints(name: &str, values: &[i64]) -> AttributeProto {
    AttributeProto { name: name.to_string(), ints: values.to_vec(), r#type: AttributeType::Ints as i32, ..Default::default() }
}

/// A `graph` attribute (a control-flow operator's body).
pub fn graph(name: &str, value: GraphProto) -> AttributeProto {
    AttributeProto { name: name.to_string(), g: Some(Box::new(value)), r#type: AttributeType::Graph as i32, ..Default::default() }
}

/// A `string` attribute.
pub fn string(name: &str, value: &str) -> AttributeProto {
    AttributeProto { name: name.to_string(), s: value.as_bytes().to_vec(), r#type: AttributeType::String as i32, ..Default::default() }
}

/// `t` as an ONNX tensor named `name`, its elements little-endian in `raw_data`.
pub fn tensor_proto(name: &str, t: &Tensor) -> TensorProto {
    let raw_data: Vec<u8> = match t.data() {
        Data::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Data::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Data::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Data::Bool(v) => v.iter().map(|&b| b as u8).collect(),
    };
    TensorProto { dims: t.shape().iter().map(|&d| d as i64).collect(), data_type: data_type(t.dtype()) as i32, name: name.to_string(), raw_data }
}
