//! What the compiler tests share: compiling a program and running it.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

/// What `source` prints when it is compiled and run; panics, with the first
/// diagnostic or the run error, when either fails.
pub fn run(source: &str) -> String {
    let c = compile(source, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0
}
