//! The graph IR: a vector of [`graphc_runtime::Op`] nodes with ordered operands
//! ([`graph`]), the program around it (effects, backward calls, custom ops:
//! [`program`]), its verifier ([`verify`]), its printer ([`print`]) and the reader
//! of the printer's text ([`parse`]).

pub mod graph;
pub mod node_map;
pub mod parse;
pub mod print;
pub mod print_region;
pub mod program;
pub mod verify;

pub use graph::{Graph, Node, NodeId, NodeMeta, Region};
pub use program::Program;
