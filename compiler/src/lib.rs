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
//! [`driver`] runs the pipeline (timing and verifying every stage and pass) and
//! keeps every stage for `graphc ir`, whose text it assembles from each stage's printer.
//!
//! Layers only look down: [`span`] and [`diag`] at the bottom, then [`ir`] (which
//! imports no stage), the stages in pipeline order, each importing only earlier
//! stages and analyses, and [`driver`] on top. (One exception: lowering derives
//! `grad(..., create_graph=true)` at once through [`autodiff`], since later
//! statements differentiate its result again.) The library compiles `.act` and
//! nothing else: the tools that run programs (`gradcheck`, `compare`) live in the CLI.

pub mod analysis;
pub mod autodiff;
pub mod check;
pub mod diag;
pub mod driver;
pub mod export_torch;
pub mod fuse;
pub mod ir;
pub mod lower;
pub mod onnx;
pub mod passes;
pub mod schedule;
pub mod span;
pub mod syntax;
