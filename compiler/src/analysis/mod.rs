//! Analyses that look at a compiled program without changing it.
//!
//! [`range`] propagates value intervals through the graph; [`stability`] turns
//! what it finds into warnings (W0101) for overflows that become NaN;
//! [`partition`] finds the kernels fusion makes, for fusion and the passes.

pub mod partition;
pub mod range;
pub mod stability;
