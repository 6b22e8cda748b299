//! The checker's rules, used by lowering as it builds the graph: argument
//! binding for builtins ([`builtins`]), suggestions for PyTorch names ([`aliases`]), shape and dtype rules ([`shapes`]) and
//! the op-definition rules that hold independently of any call ([`ops`]), with
//! the helpers on the shape of bodies they share with lowering ([`flow`]).
//!
//! Shapes in `.act` are static, but an `op` or `fn` is generic over the shapes
//! of its arguments, so shape checks run per call site as lowering inlines the
//! body; rules that do not depend on shapes run once per definition, before
//! lowering, so an op that is never called is still checked.

pub mod aliases;
pub mod builtins;
pub mod flow;
pub mod ops;
pub mod promotion;
pub mod shape_builtins;
pub mod shapes;
