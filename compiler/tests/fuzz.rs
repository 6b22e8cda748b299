//! A grammar-aware fuzzer that runs the whole pipeline in-process (issue 13, item 6).
//!
//! `cargo-fuzz` needs a nightly toolchain, so instead a seeded generator writes
//! well-formed `.act` programs over the whole language (`fuzz/gen.rs`, `fuzz/defs.rs`,
//! `fuzz/expr.rs`) and mutants of them for the error paths (`fuzz/mutate.rs`), and
//! `fuzz/check.rs` checks the invariants on each. Every case is reproducible from its seed.
//!
//! - `cargo test -p graphc-compiler --test fuzz`: a short run over a fixed seed list.
//! - `GRAPHC_FUZZ_SECONDS=3600 cargo test --release -p graphc-compiler --test fuzz -- --ignored --nocapture fuzz_long`:
//!   the long run (`GRAPHC_FUZZ_SEED` sets the first seed, `GRAPHC_FUZZ_BUDGET_MS` the time
//!   allowed per program). A failing case is written to `target/fuzz-failures/`.
//! - `GRAPHC_FUZZ_ONLY=1234` (or `1234m` for the mutant) `cargo test -p graphc-compiler --test fuzz -- --ignored --nocapture fuzz_one`:
//!   prints one case's program and what the checks say.

#[path = "fuzz/blocks.rs"]
mod blocks;
#[path = "fuzz/check.rs"]
mod check;
#[path = "fuzz/defs.rs"]
mod defs;
#[path = "fuzz/examples.rs"]
mod examples;
#[path = "fuzz/expr.rs"]
mod expr;
#[path = "fuzz/gen.rs"]
mod gen;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/rng.rs"]
mod rng;
#[path = "fuzz/shape_expr.rs"]
mod shape_expr;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use check::{Outcome, Pools};

/// One case: the program generated from `seed`, or a mutant of it.
#[derive(Clone, Copy, Debug)]
struct Case {
    seed: u64,
    mutant: bool,
}

impl Case {
    fn parse(s: &str) -> Option<Case> {
        let mutant = s.ends_with('m');
        s.trim_end_matches('m').parse().ok().map(|seed| Case { seed, mutant })
    }

    fn name(self) -> String {
        format!("{}{}", self.seed, if self.mutant { "m" } else { "" })
    }

    /// Whether the case mutates a repository program (see [`Case::source`]).
    fn of_example(self) -> bool {
        self.mutant && self.seed.is_multiple_of(8)
    }

    fn source(self) -> gen::Program {
        let p = gen::program(self.seed);
        if !self.mutant {
            return p;
        }
        // One mutant in eight is of a repository program, whose idioms the generator may lack.
        let p = if self.of_example() { examples::pick(self.seed).unwrap_or(p) } else { p };
        // A stream of its own, so that the mutation does not repeat the generator's choices.
        let mut rng = rng::Rng::new(self.seed ^ 0x6D75_7461_6E74);
        // A mutation can write a size that makes a run slow rather than wrong (`2100` and
        // `2100` become `21002100`, or `randn(2, 2100)` becomes `randn(2100, 2100)`):
        // such a mutant is drawn again, and after a few tries the case is the program.
        for _ in 0..8 {
            let m = mutate::mutate(&mut rng, &p.source);
            let (before, after) = (big_sizes(&p.source), big_sizes(&m));
            // A save moved onto a file that a load reads would change the data between
            // compiling (which reads its header) and running: not a bug, so drawn again.
            let overwrites = m.lines().any(|l| l.contains("save") && l.contains("graphc-fuzz-npy") && l.contains("/in-"));
            if after.0 <= before.0 && after.1 <= before.1 && !overwrites {
                return gen::Program { source: m, ..p };
            }
        }
        p
    }
}

/// Crashes the fuzzer found that are not fixed yet: the source file that panics, the
/// panic message, and the minimized program under `tests/fuzz/crashes/`. A failure that
/// matches one is counted and reported but does not fail a run, so that the runs keep
/// looking for new ones; delete the entry when the crash is fixed.
const KNOWN: &[(&str, &str, &str)] = &[];

/// The crash file of the known crash that `error` is, if it is one.
fn known(error: &str) -> Option<&'static str> {
    KNOWN.iter().find(|(file, message, _)| error.contains(file) && error.contains(message)).map(|k| k.2)
}

/// How many failing cases of one kind (the error's first line) are written out: the
/// first few are enough to reproduce it, and a common crash would fill the disk.
const SAVED_PER_KIND: usize = 3;

/// How many integers outside comments are large enough (1,000 to 9,999,999,999) to be a
/// size that passes the checker's 2^31-element limit yet makes a slow run, and the largest.
/// Both matter: duplicating `2100` gives one such integer, `21002100`, as before.
fn big_sizes(source: &str) -> (usize, u64) {
    let code = source.lines().map(|l| l.split('#').next().unwrap_or(""));
    let runs: Vec<u64> = code
        .flat_map(|l| l.split(|c: char| !c.is_ascii_digit()))
        .filter(|r| (4..=10).contains(&r.len()))
        .filter_map(|r| r.parse::<u64>().ok())
        .filter(|&v| v >= 1000)
        .collect();
    (runs.len(), runs.iter().copied().max().unwrap_or(0))
}

/// Counts over a run.
#[derive(Default)]
struct Stats {
    cases: usize,
    ran: usize,
    compiled_only: usize,
    rejected_mutants: usize,
    /// Mutants that compiled and then stopped with a run-time error (a class index
    /// a mutation made out of range): PyTorch stops there too, so no invariant is broken.
    mutants_stopped_at_run_time: usize,
    /// Well-formed programs that were rejected, by the first diagnostic's code: the
    /// generator's blind spots (or the checker's false rejections), to keep small.
    rejected_well_formed: BTreeMap<String, usize>,
    failures: Vec<(String, String, PathBuf)>,
    /// Failures by kind (the error's first line): how many, and the known crash file if any.
    kinds: BTreeMap<String, (usize, Option<&'static str>)>,
}

impl Stats {
    fn summary(&self, elapsed: Duration) -> String {
        let rate = self.cases as f64 / elapsed.as_secs_f64().max(1e-9);
        format!(
            "{} cases in {:.1} s ({rate:.1}/s): {} ran, {} compiled (with inputs, not run), {} IR texts read back, {} mutants rejected, \
             {} mutants stopped with a run-time error, well-formed rejected {:?}, {} new failures, {} known crashes",
            self.cases,
            elapsed.as_secs_f64(),
            self.ran,
            self.compiled_only,
            // Every program that compiled had its IR text read back at three stages.
            self.ran + self.compiled_only,
            self.rejected_mutants,
            self.mutants_stopped_at_run_time,
            self.rejected_well_formed,
            self.failures.len(),
            self.kinds.values().filter(|k| k.1.is_some()).map(|k| k.0).sum::<usize>()
        )
    }

    /// One line per kind of failure, with its count.
    fn kinds_report(&self) -> String {
        let line = |(kind, (n, file)): (&String, &(usize, Option<&str>))| match file {
            Some(f) => format!("  {n} x {kind} (known: tests/fuzz/crashes/{f})\n"),
            None => format!("  {n} x {kind} (NEW)\n"),
        };
        self.kinds.iter().map(line).collect()
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Writes a failing case where a person can rerun it, and returns the path.
fn save_failure(case: Case, source: &str, error: &str) -> PathBuf {
    let dir = target_dir().join("fuzz-failures");
    let path = dir.join(format!("seed-{}.act", case.name()));
    let comment: String = error.lines().map(|l| format!("# {l}\n")).collect();
    let text = format!(
        "# graphc fuzz failure, case {0}\n# reproduce: GRAPHC_FUZZ_ONLY={0} cargo test -p graphc-compiler --test fuzz -- --ignored --nocapture fuzz_one\n{comment}\n{source}",
        case.name()
    );
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, text)) {
        eprintln!("fuzz: cannot write {}: {e}", path.display());
    }
    path
}

/// Checks one case on a thread of its own, so that a program that takes longer than
/// `budget` is reported (and abandoned) rather than stopping the run.
fn run_case(case: Case, pools: &Arc<Pools>, budget: Duration) -> (String, Result<Outcome, String>) {
    let program = case.source();
    let source = program.source.clone();
    let (tx, rx) = mpsc::channel();
    let pools = Arc::clone(pools);
    // 8 MiB, a Linux main thread's stack, where the graphc command line runs.
    let spawned = std::thread::Builder::new().stack_size(8 << 20).spawn(move || {
        let p = program;
        let _ = tx.send(check::check_files(&p.source, p.has_inputs, &p.files, &p.saves, &pools));
    });
    let result = match spawned {
        Err(e) => Err(format!("cannot start a checker thread: {e}")),
        Ok(_) => match rx.recv_timeout(budget) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("took longer than the {} ms budget", budget.as_millis())),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err("the checker thread died without a result".into()),
        },
    };
    (source, result)
}

fn record(stats: &mut Stats, case: Case, source: &str, result: Result<Outcome, String>) {
    stats.cases += 1;
    match result {
        Ok(Outcome::Ran) => stats.ran += 1,
        Ok(Outcome::Compiled) => stats.compiled_only += 1,
        Ok(Outcome::Rejected(_)) if case.mutant => stats.rejected_mutants += 1,
        Err(e) if case.mutant && check::is_run_error(&e) => stats.mutants_stopped_at_run_time += 1,
        Ok(Outcome::Rejected(codes)) => {
            // `GRAPHC_FUZZ_VERBOSE` names the cases, to find what the generator gets wrong.
            if std::env::var_os("GRAPHC_FUZZ_VERBOSE").is_some() {
                eprintln!("fuzz: well-formed case {} rejected with {codes:?}", case.name());
            }
            *stats.rejected_well_formed.entry(codes[0].clone()).or_default() += 1
        }
        Err(e) => {
            let kind = e.lines().next().unwrap_or("").to_string();
            let known = known(&e);
            let entry = stats.kinds.entry(kind).or_insert((0, known));
            entry.0 += 1;
            if entry.0 <= SAVED_PER_KIND {
                let path = save_failure(case, source, &e);
                if known.is_none() {
                    eprintln!("fuzz: case {} FAILED ({}):\n{e}\n{source}", case.name(), path.display());
                    stats.failures.push((case.name(), e, path));
                }
            } else if known.is_none() {
                stats.failures.push((case.name(), e, PathBuf::from("(not saved: another of its kind was)")));
            }
        }
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn failure_list(stats: &Stats) -> String {
    stats.failures.iter().map(|(c, e, p)| format!("case {c} ({}): {}\n", p.display(), e.lines().next().unwrap_or(""))).collect()
}

/// The short run: a fixed list of seeds, each program and its mutant. Besides the
/// invariants, it checks that the generator still writes programs that compile and run,
/// so that a language change cannot quietly turn it into a rejection tester.
#[test]
fn fuzz_short() {
    check::install_panic_hook();
    let pools = Arc::new(Pools::new());
    let (mut stats, start) = (Stats::default(), Instant::now());
    let seeds = 0..env_or("GRAPHC_FUZZ_SHORT_SEEDS", 150u64);
    for seed in seeds.clone() {
        for mutant in [false, true] {
            let case = Case { seed, mutant };
            // The budget finds hangs, not slowness. A repository program is a whole
            // example, which in a debug build may train for a minute: conv_bn.act's
            // mutant (case 136m since examples/adam_by_hand.act shifted the picks)
            // took 60 to 170 seconds on two shared AMD cores.
            let budget = Duration::from_secs(if case.of_example() { 300 } else { 60 });
            let (source, result) = run_case(case, &pools, budget);
            record(&mut stats, case, &source, result);
        }
    }
    println!("fuzz_short: {}\n{}", stats.summary(start.elapsed()), stats.kinds_report());
    assert!(stats.failures.is_empty(), "fuzz failures:\n{}", failure_list(&stats));
    let programs = seeds.count();
    assert!(stats.ran * 2 >= programs, "only {} of {programs} well-formed programs ran: {}", stats.ran, stats.summary(start.elapsed()));
    assert!(stats.rejected_mutants * 5 >= programs, "mutants are rarely rejected: {}", stats.summary(start.elapsed()));
}

/// The long run, for as long as `GRAPHC_FUZZ_SECONDS` says (60 by default); see the module doc.
#[test]
#[ignore = "long: run with --ignored and GRAPHC_FUZZ_SECONDS"]
fn fuzz_long() {
    check::install_panic_hook();
    let pools = Arc::new(Pools::new());
    let seconds: u64 = env_or("GRAPHC_FUZZ_SECONDS", 60);
    let first: u64 = env_or("GRAPHC_FUZZ_SEED", 1_000_000);
    let budget = Duration::from_millis(env_or("GRAPHC_FUZZ_BUDGET_MS", 10_000));
    let (mut stats, start, mut last_report) = (Stats::default(), Instant::now(), Instant::now());
    let mut seed = first;
    while start.elapsed() < Duration::from_secs(seconds) {
        for mutant in [false, true] {
            let case = Case { seed, mutant };
            let (source, result) = run_case(case, &pools, budget);
            record(&mut stats, case, &source, result);
        }
        seed += 1;
        if last_report.elapsed() > Duration::from_secs(30) {
            println!("fuzz_long: seeds {first}..{seed}: {}", stats.summary(start.elapsed()));
            last_report = Instant::now();
        }
    }
    println!("fuzz_long: seeds {first}..{seed}: {}\n{}", stats.summary(start.elapsed()), stats.kinds_report());
    assert!(stats.failures.is_empty(), "fuzz failures:\n{}", failure_list(&stats));
}

/// Prints one case (`GRAPHC_FUZZ_ONLY=SEED`, or `SEEDm` for its mutant) and its outcome.
#[test]
#[ignore = "reproduces one case: set GRAPHC_FUZZ_ONLY"]
fn fuzz_one() {
    let Some(case) = std::env::var("GRAPHC_FUZZ_ONLY").ok().as_deref().and_then(Case::parse) else {
        panic!("set GRAPHC_FUZZ_ONLY to a seed, with an `m` suffix for its mutant");
    };
    check::install_panic_hook();
    let (source, result) = run_case(case, &Arc::new(Pools::new()), Duration::from_secs(600));
    // The files it loads are written again (the check removes them), so that
    // `graphc run` can reproduce the case from the printed program.
    for (path, bytes) in case.source().files {
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("fuzz: cannot write {}: {e}", path.display());
        }
    }
    println!("{source}\n---\n{result:?}");
    assert!(result.is_ok(), "case {} fails", case.name());
}

/// Every minimized crash under `tests/fuzz/crashes/` passes every check of the fuzzer
/// once fixed, so each stays a regression test; a crash not yet fixed is listed in
/// `KNOWN`, and this test reports it without failing.
#[test]
fn fuzz_crashes() {
    check::install_panic_hook();
    let pools = Pools::new();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/crashes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("tests/fuzz/crashes").map(|e| e.expect("a directory entry").path()).collect();
    files.sort();
    let mut failing = Vec::new();
    for path in files {
        let source = std::fs::read_to_string(&path).expect("a crash file");
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        match check::check(&source, false, &pools) {
            // A program the fuzzer found wrongly rejected must run, not merely be rejected cleanly.
            Ok(outcome) if MUST_RUN.contains(&name.as_str()) && outcome != Outcome::Ran => failing.push(format!("{name}: does not run: {outcome:?}")),
            Ok(outcome) => println!("{name}: fixed ({outcome:?})"),
            // A crash still listed in `KNOWN` may fail; any other must pass every check.
            Err(e) if KNOWN.iter().any(|k| k.2 == name) => println!("{name}: still fails (known): {}", e.lines().collect::<Vec<_>>().join(" ")),
            Err(e) => failing.push(format!("{name}: {e}")),
        }
    }
    assert!(failing.is_empty(), "saved crashes fail again:\n{}", failing.join("\n"));
}

/// The crash files of well-formed programs: each must compile and run.
const MUST_RUN: &[&str] =
    &["copy_then_update_is_no_view.act", "fast_math_value_printed_in_a_loop.act", "ir_reduce_of_0d_reads_back.act", "store_into_an_empty_slice.act"];

/// Every known crash names a file that exists, so that the list cannot rot.
#[test]
fn known_crashes_have_files() {
    for (_, _, file) in KNOWN {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/crashes").join(file);
        assert!(path.is_file(), "{} is missing", path.display());
    }
}

/// The generator is a pure function of the seed, or failures could not be reproduced.
#[test]
fn programs_are_deterministic_and_varied() {
    for seed in [0, 1, 7, 12345] {
        assert_eq!(gen::program(seed).source, gen::program(seed).source, "seed {seed}");
        let case = Case { seed, mutant: true };
        assert_eq!(case.source().source, case.source().source, "mutant of seed {seed}");
    }
    assert_ne!(gen::program(1).source, gen::program(2).source);
}

/// Mutants that would allocate huge tensors are redrawn, as in the long run's cases
/// 2224482m and 2345821m, where a duplicated `2100` became `21002100`.
#[test]
fn mutants_keep_sizes_small() {
    assert!(big_sizes("x = randn(21002100)") > big_sizes("x = randn(2100)"));
    assert_eq!(big_sizes("# seed 2224482\nx = randn(2)"), (0, 0));
    for seed in [2224482, 2345821] {
        let (p, m) = (gen::program(seed).source, Case { seed, mutant: true }.source().source);
        let (before, after) = (big_sizes(&p), big_sizes(&m));
        assert!(after.0 <= before.0 && after.1 <= before.1, "case {seed}m:\n{m}");
    }
}

/// A mutant differs from its program, so the error paths are really exercised.
#[test]
fn mutants_differ_from_their_programs() {
    let differing = (0..50).filter(|&seed| Case { seed, mutant: true }.source().source != gen::program(seed).source).count();
    assert!(differing >= 45, "only {differing} of 50 mutants differ from their program");
}

/// A mutant whose run stops with an error of its own is not a failure: in case
/// 1003125m of a long run, `randint(0, 2, ...)` became `randint(0, 22, ...)`, and
/// `cross_entropy` then met a class index out of range, as PyTorch would. The
/// program is that mutant's gist, written out: which mutant a seed makes
/// depends on the set of example programs, which grows.
#[test]
fn mutants_may_stop_with_a_run_time_error() {
    check::install_panic_hook();
    let case = Case { seed: 1003125, mutant: true };
    let source = "manual_seed(0)\nlogits = randn(3, 4, requires_grad=true)\ntarget = randint(0, 22, (3,))\nloss = cross_entropy(logits, target)\nprint(loss)\n";
    let error = check::check_files(source, false, &[], &[], &Pools::new()).expect_err("the class index is out of range");
    assert!(check::is_run_error(&error), "{error}");
    let mut stats = Stats::default();
    record(&mut stats, case, source, Err(error));
    assert_eq!((stats.mutants_stopped_at_run_time, stats.failures.len()), (1, 0));
    assert!(!check::is_run_error("run (fast math, 1 thread) panicked: at x.rs:1:1"));
}
