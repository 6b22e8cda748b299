//! The compile-time peak (`schedule::peak`) against what the interpreter holds when
//! it runs the same plan: the machine's peak is the compile-time peak plus at most
//! the fused kernels' per-thread scratch, which the compile-time count leaves out.

use graphc_compiler::driver::compile;
use graphc_compiler::schedule::peak::peak;
use graphc_runtime::exec::Machine;
use graphc_runtime::plan::Step;

#[test]
fn the_compile_time_peak_is_what_the_interpreter_holds_without_scratch() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "act") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        // A figure would be written into the working directory, the repository.
        if source.contains("savefig") {
            continue;
        }
        let Ok(c) = compile(&source, false) else { continue };
        if !c.plan.inputs.is_empty() {
            continue;
        }
        let expected = peak(&c.plan).bytes;
        let mut machine = Machine::new(&c.plan).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let _ = pool.install(|| machine.run(&c.plan, &mut std::io::sink()));
        let scratch = max_scratch(&c.plan.steps);
        let held = machine.peak_bytes() as u128;
        assert!(
            expected <= held && held <= expected + scratch as u128,
            "{}: compile-time peak {expected}, machine {held}, scratch {scratch}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} examples checked");
}

/// The largest per-thread scratch of a fused kernel among `steps`, loop bodies included.
fn max_scratch(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            Step::Fused(k) => graphc_runtime::fused::scratch_bytes(k),
            Step::Loop(l) => max_scratch(&l.body.steps),
            Step::Branch(b) => max_scratch(&b.then.body.steps).max(max_scratch(&b.otherwise.body.steps)),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}
