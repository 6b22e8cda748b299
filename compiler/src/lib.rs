//! graphc's compiler: `.act` text in, a runnable [`graphc_runtime::plan::Plan`] out.
//!
//! The pipeline, each arrow a function from one data structure to the next:
//! ```text
//! text --syntax::lex--> tokens --syntax::parse--> AST --lower (with check/)--> forward graph
//!      --autodiff--> forward + backward graphs --passes--> optimized graph
//!      --fuse--> elementwise kernels --schedule--> plan
//! ```
//! After autodiff, [`analysis`] propagates value ranges through the graph and warns
//! where an overflow can become NaN; warnings never stop the pipeline.
//! [`driver`] runs the pipeline and keeps every stage for `graphc ir`.

pub mod analysis;
pub mod autodiff;
pub mod check;
pub mod diag;
pub mod driver;
pub mod fuse;
pub mod ir;
pub mod lower;
pub mod passes;
pub mod schedule;
pub mod span;
pub mod syntax;
