//! Every plan the compiler makes for the repository's programs passes
//! `Plan::verify`, with and without exports and fast math: the runtime's checks
//! must accept what the scheduler emits, or no program could run. (Debug builds
//! also verify inside the driver; this test states the contract on its own.)

use std::path::{Path, PathBuf};

use graphc_compiler::driver::{compile_opts, Exports, Options};
use graphc_compiler::fuse::Numerics;
use graphc_runtime::exec::Machine;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// `examples/*.act` and `tests/programs/good/*.act`.
fn programs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["examples", "tests/programs/good"] {
        for e in std::fs::read_dir(Path::new(REPO).join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "act") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

#[test]
fn every_example_compiles_to_a_plan_that_verifies() {
    let programs = programs();
    assert!(programs.iter().any(|p| p.ends_with("examples/tanh_demo.act")), "the examples were not found");
    for path in programs {
        let source = std::fs::read_to_string(&path).unwrap();
        // `load` paths are relative to the program's directory, as `graphc` compiles it.
        let dir = path.parent();
        let opts = Options { keep_stages: false, exports: Exports::Names(&[]), numerics: Numerics::default(), source_dir: dir };
        let c = compile_opts(&source, &opts).unwrap_or_else(|d| panic!("{} does not compile: {d:?}", path.display()));
        if let Err(e) = c.plan.verify() {
            panic!("{}: the plan does not verify: {e}", path.display());
        }
        assert!(Machine::new(&c.plan).is_ok(), "{}: the machine refuses the plan", path.display());
        for numerics in [Numerics::PrintedExact, Numerics::Exact] {
            let c = compile_opts(&source, &Options { keep_stages: false, exports: Exports::All, numerics, source_dir: dir }).unwrap();
            if let Err(e) = c.plan.verify() {
                panic!("{} (every tensor exported, {numerics:?}): the plan does not verify: {e}", path.display());
            }
        }
    }
}
