//! What the compiler tests share: compiling a program and running it.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

/// What `source` prints when it is compiled and run; panics, with the first
/// diagnostic or the run error, when either fails.
pub fn run(source: &str) -> String {
    let c = compile(source, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0
}

/// The first diagnostic of `source`, which must not compile: its code, its
/// message and where its primary label starts. Not every test binary that
/// includes this module asks for errors, hence the `allow`.
#[allow(dead_code)]
pub fn first_error(source: &str) -> (Code, String, usize) {
    match compile(source, false) {
        Ok(_) => panic!("compiled: {source}"),
        Err(d) => (d[0].code, d[0].message.clone(), d[0].primary.span.start),
    }
}
