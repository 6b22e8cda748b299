//! Analyses that look at a compiled program without changing it.
//!
//! [`range`] propagates value intervals through the graph; [`stability`] turns
//! what it finds into warnings (W0101) for overflows that become NaN.

pub mod range;
pub mod stability;
