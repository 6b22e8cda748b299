//! `graphc gradcheck`: checks every hand-written backward block against the
//! op's forward block.
//!
//! For each `op` with a backward block, at a few seeded random points of each
//! parameter's shape, in f64, the vector-Jacobian product `d/dx sum(op(x) * w)`
//! (for a seeded random weight `w` of the output's shape) is computed three ways:
//!
//! 1. by the op's backward block (a normal call),
//! 2. by the gradient graphc derives from the forward block alone (the same
//!    program with the backward block cut out, so the op is differentiated as
//!    an op without backward is), and
//! 3. by central finite differences of the forward, `(f(x+h) - f(x-h)) / 2h`.
//!
//! The tolerances are PyTorch's `torch.autograd.gradcheck` defaults: finite
//! difference step `h = 1e-6`, and a backward value `a` passes against a
//! reference `r` when `|a - r| <= atol + rtol * |r|` with `atol = 1e-5`,
//! `rtol = 1e-3`. Relative errors are printed as `|a - r| / max(|r|, atol)`, so
//! that a zero reference does not make them infinite.
//!
//! A point where the forward is not differentiable is left out rather than
//! failed: the finite differences with `h` and `h/2` disagree beyond the
//! tolerance (a kink or a jump), or a value is NaN or infinite. An op with no
//! point left is reported as not differentiable. Parameters whose backward
//! returns the literal `none` are treated as constants, as PyTorch's gradcheck
//! treats inputs that do not require grad. Tensors the ops create in f32 are
//! made f64 for the check (`promote.rs`), so that they meet the f64 points. An
//! op with several outputs is checked with a weight per output, the objective
//! being the sum of their weighted sums (`calls.rs`).

use std::path::Path;

use graphc_runtime::tensor::Tensor;

use super::calls::{self, arg_list, returned};
use super::{number, run_program, sci, tensor_literal, Definitions, Outcome, SplitMix, EXIT_FAIL};
use graphc_compiler::diag::{self, Code, Diagnostic};
use graphc_compiler::syntax::ast::{ExprKind, OpDef};

/// PyTorch's gradcheck defaults.
pub const EPS: f64 = 1e-6;
pub const ATOL: f64 = 1e-5;
pub const RTOL: f64 = 1e-3;

/// The command line's choices.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--shape`: `3,4` for every parameter, or `NAME=3,4` for one parameter.
    pub shapes: Vec<String>,
    /// `--range LO:HI`: where the random points are drawn (uniformly).
    pub range: Option<String>,
    /// `--seed`: the seed of the points and weights.
    pub seed: u64,
    /// `--samples`: how many random points per op.
    pub samples: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { shapes: Vec::new(), range: None, seed: 0, samples: 2 }
    }
}

/// The most elements `--shape` may ask for per parameter.
const MAX_ELEMENTS: usize = 1024;

/// Parsed shape options: a default for every parameter and per-name overrides.
struct Shapes {
    default: Vec<usize>,
    named: Vec<(String, Vec<usize>)>,
}

impl Shapes {
    fn parse(specs: &[String]) -> Result<Shapes, String> {
        let mut shapes = Shapes { default: vec![5], named: Vec::new() };
        for spec in specs {
            let (name, dims) = match spec.split_once('=') {
                Some((n, d)) => (Some(n.trim().to_string()), d),
                None => (None, spec.as_str()),
            };
            let bad = || format!("malformed shape `{spec}`: write sizes separated by commas, such as `3,4`, or `NAME=3,4` for one parameter");
            let dims: Vec<usize> = if dims.trim().is_empty() {
                Vec::new()
            } else {
                dims.split(',').map(|d| d.trim().parse::<usize>().map_err(|_| bad())).collect::<Result<_, _>>()?
            };
            // Each element is one literal in a generated program and two finite-difference
            // runs, so the total is capped where compiling the programs stays well within the stack.
            if dims.contains(&0) {
                return Err(format!("shape `{spec}` has a zero dimension: every dimension must be at least 1"));
            }
            if dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).is_none_or(|n| n > MAX_ELEMENTS) {
                return Err(format!("shape `{spec}` is too large for finite differences: at most {MAX_ELEMENTS} elements in all"));
            }
            match name {
                Some(n) => shapes.named.push((n, dims)),
                None => shapes.default = dims,
            }
        }
        Ok(shapes)
    }
    fn of(&self, param: &str) -> &[usize] {
        self.named.iter().rev().find(|(n, _)| n == param).map(|(_, d)| d.as_slice()).unwrap_or(&self.default)
    }
}

/// Errors of one parameter's backward against one reference.
#[derive(Clone, Copy, Debug, Default)]
struct Errors {
    max_abs: f64,
    max_rel: f64,
    /// Elements beyond the tolerance.
    violations: usize,
    /// The worst violating element: (sample, element, backward, reference).
    worst: Option<(usize, usize, f64, f64)>,
    worst_excess: f64,
}

impl Errors {
    fn add(&mut self, sample: usize, element: usize, a: f64, r: f64) {
        let abs = (a - r).abs();
        self.max_abs = self.max_abs.max(abs);
        self.max_rel = self.max_rel.max(abs / r.abs().max(ATOL));
        let excess = abs - (ATOL + RTOL * r.abs());
        if excess > 0.0 {
            self.violations += 1;
            if self.worst.is_none() || excess > self.worst_excess {
                self.worst = Some((sample, element, a, r));
                self.worst_excess = excess;
            }
        }
    }
    fn merge(&mut self, o: &Errors) {
        self.max_abs = self.max_abs.max(o.max_abs);
        self.max_rel = self.max_rel.max(o.max_rel);
        self.violations += o.violations;
    }
}

/// What the check found for one op.
enum Verdict {
    Pass,
    Fail(Vec<usize>),
    /// A difference from the derivative that the backward block declares with `surrogate(...)`.
    Surrogate(super::surrogate::Declared),
    Skipped(String),
    NotDifferentiable,
    NothingToCheck,
}

struct OpResult {
    name: String,
    vs_derived: Option<Errors>,
    vs_numeric: Errors,
    /// Elements left out because the forward is not differentiable there, and all elements.
    masked: usize,
    total: usize,
    derived_note: Option<String>,
    verdict: Verdict,
    per_param: Vec<(Errors, Option<Errors>)>,
    /// The sample points, per sample and parameter, for the diagnostic.
    points: Vec<Vec<Vec<f64>>>,
    params: Vec<String>,
    /// Output elements over all samples, and those that were NaN or infinite.
    outputs: usize,
    bad_outputs: usize,
    /// The parameters whose gradient the backward block returns as `none`.
    constant: Vec<bool>,
}

/// Runs `graphc gradcheck FILE`.
pub fn run(path: &Path, opts: &Options, color: bool) -> Outcome {
    let source = match crate::source::read(path) {
        Ok(s) => s,
        Err(crate::source::ReadError::TooLarge(message)) => return Outcome { stdout: String::new(), stderr: message, code: super::EXIT_FAIL },
        Err(crate::source::ReadError::Unreadable(message)) => return Outcome::usage(message),
    };
    let file_name = path.display().to_string();
    let (shapes, (lo, hi)) = match parse_options(opts) {
        Ok(parsed) => parsed,
        Err(e) => return Outcome::usage(e),
    };
    // The file must compile as a whole first, so that every definition is known
    // to be valid and the generated programs can only fail on shapes.
    if let Err(o) = super::compile_whole(&source, path, color) {
        return o;
    }
    let defs = match Definitions::parse(&source, &file_name, color) {
        Ok(d) => d,
        Err(o) => return o,
    };
    // The programs run the definitions with their f32 constants made f64
    // (`promote.rs`); diagnostics still point into the file as written.
    let (promoted_source, promoted_at) = super::promote::promote_f32_constants(&source, &defs.file.items);
    let promoted = match Definitions::parse(&promoted_source, &file_name, color) {
        Ok(d) => d,
        Err(o) => return o,
    };
    for (name, _) in &shapes.named {
        if !defs.ops().any(|op| op.params.iter().any(|p| &p.name == name)) {
            return Outcome::usage(format!("--shape names `{name}`, which is no parameter of an op in `{file_name}`"));
        }
    }

    let lines = diag::LineIndex::new(&source);
    let checked: Vec<(&OpDef, OpResult)> = defs
        .ops()
        .filter(|op| op.backward.is_some())
        .map(|op| {
            let mut r = check_op(&promoted, op, &shapes, (lo, hi), opts);
            if let (Verdict::Fail(_), Some(d)) = (&r.verdict, super::surrogate::declared(op, &lines)) {
                r.verdict = Verdict::Surrogate(d);
            }
            (op, r)
        })
        .collect();

    let mut out = String::new();
    let shape_text = describe_shapes(&shapes);
    out.push_str(&format!(
        "gradcheck {file_name}: {shape_text}, {} random point(s) per op in [{}, {}) (seed {}), f64\n",
        opts.samples,
        fmt_num(lo),
        fmt_num(hi),
        opts.seed
    ));
    out.push_str("backward block vs the gradient graphc derives from the forward block, and vs central finite differences (h = 1e-6)\n");
    out.push_str("pass: |backward - reference| <= 1e-5 + 1e-3 * |reference| for every element (PyTorch's gradcheck tolerances)\n\n");
    if checked.is_empty() {
        out.push_str("no op with a backward block: nothing to check\n");
        return Outcome { stdout: out, stderr: String::new(), code: 0 };
    }
    out.push_str(&results_table(&checked));
    // Notes below the table say what the one-word verdicts leave out.
    let mut notes: Vec<String> = checked.iter().flat_map(|(_, r)| notes(r)).collect();
    notes.extend(super::promote::note(&lines, &promoted_at));
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&format!("note: {n}\n"));
        }
    }

    let mut diags = Vec::new();
    for (op, r) in &checked {
        if let Verdict::Fail(params) = &r.verdict {
            for &i in params {
                diags.push(failure_diagnostic(op, i, r));
            }
        }
    }
    if diags.is_empty() {
        return Outcome { stdout: out, stderr: String::new(), code: 0 };
    }
    let n = diags.len();
    let mut stderr = diag::render(&diags, &file_name, &source, color);
    stderr.push_str(&format!("error: gradcheck of `{file_name}` failed: {n} wrong gradient{}\n", if n == 1 { "" } else { "s" }));
    Outcome { stdout: out, stderr, code: EXIT_FAIL }
}

/// The shapes and the range the command line asks for.
fn parse_options(opts: &Options) -> Result<(Shapes, (f64, f64)), String> {
    let shapes = Shapes::parse(&opts.shapes)?;
    let range = match &opts.range {
        Some(r) => super::parse_range(r)?,
        None => (-2.0, 2.0),
    };
    if opts.samples == 0 {
        return Err("--samples must be at least 1".to_string());
    }
    Ok((shapes, range))
}

/// One row per checked op: its errors against both references and its verdict.
fn results_table(checked: &[(&OpDef, OpResult)]) -> String {
    let header = ["op", "derived: max abs", "max rel", "finite diff: max abs", "max rel", "verdict"];
    let mut rows: Vec<[String; 6]> = Vec::new();
    for (op, r) in checked {
        let unchecked = matches!(r.verdict, Verdict::Skipped(_) | Verdict::NotDifferentiable | Verdict::NothingToCheck);
        let (da, dr) = match &r.vs_derived {
            Some(e) if !unchecked => (sci(e.max_abs), sci(e.max_rel)),
            _ => ("-".to_string(), "-".to_string()),
        };
        let (na, nr) = if unchecked { ("-".to_string(), "-".to_string()) } else { (sci(r.vs_numeric.max_abs), sci(r.vs_numeric.max_rel)) };
        let verdict = match &r.verdict {
            Verdict::Pass => "pass".to_string(),
            Verdict::Fail(params) => {
                let names: Vec<String> = params.iter().map(|&i| format!("`{}`", op.params[i].name)).collect();
                format!("FAIL: gradient of {}", names.join(", "))
            }
            Verdict::Surrogate(d) => format!("surrogate gradient, as declared at {}", d.at),
            Verdict::Skipped(why) => format!("skipped: {why}"),
            Verdict::NotDifferentiable => "not differentiable at the sampled points".to_string(),
            Verdict::NothingToCheck => "nothing to check: every gradient is `none`".to_string(),
        };
        rows.push([r.name.clone(), da, dr, na, nr, verdict]);
    }
    super::table(header, &rows, &[])
}

/// What one op's verdict leaves out: elements masked, outputs ignored, gradients not checked.
fn notes(r: &OpResult) -> Vec<String> {
    let mut notes = Vec::new();
    if r.masked > 0 && !matches!(r.verdict, Verdict::NotDifferentiable) {
        notes.push(format!("{}: {} of {} checked elements left out, where the forward is not differentiable", r.name, r.masked, r.total));
    }
    if r.bad_outputs > 0 && !matches!(r.verdict, Verdict::NotDifferentiable) {
        notes.push(format!(
            "{}: {} of {} output elements are NaN or infinite at the sampled points and are left out",
            r.name, r.bad_outputs, r.outputs
        ));
    }
    for (i, p) in r.constant.iter().enumerate() {
        if *p {
            notes.push(format!("{}: the gradient of `{}` is not checked, since the backward block returns `none` for it", r.name, r.params[i]));
        }
    }
    if let Verdict::Surrogate(d) = &r.verdict {
        notes.push(super::surrogate::note(&r.name, d));
    }
    if let Some(n) = &r.derived_note {
        notes.push(format!("{}: {n}", r.name));
    }
    notes
}

fn fmt_num(v: f64) -> String {
    format!("{v}")
}

fn describe_shapes(shapes: &Shapes) -> String {
    let dims = |d: &[usize]| format!("[{}]", d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "));
    let mut s = format!("shape {} for every parameter", dims(&shapes.default));
    for (n, d) in &shapes.named {
        s.push_str(&format!(", {} for `{n}`", dims(d)));
    }
    s
}

/// Checks one op's backward block at `opts.samples` random points.
fn check_op(defs: &Definitions, op: &OpDef, shapes: &Shapes, (lo, hi): (f64, f64), opts: &Options) -> OpResult {
    let name = op.name.name.clone();
    let nparams = op.params.len();
    // A parameter whose gradient is the literal `none` is a constant for the op.
    let constant: Vec<bool> = match returned(op) {
        Some(exprs) => (0..nparams).map(|i| exprs.get(i).is_some_and(|e| matches!(e.kind, ExprKind::None))).collect(),
        None => vec![false; nparams],
    };
    let diff: Vec<usize> = (0..nparams).filter(|&i| !constant[i]).collect();
    let shape_of: Vec<Vec<usize>> = op.params.iter().map(|p| shapes.of(&p.name).to_vec()).collect();
    let mut result = OpResult {
        name: name.clone(),
        vs_derived: Some(Errors::default()),
        vs_numeric: Errors::default(),
        masked: 0,
        total: 0,
        derived_note: None,
        verdict: Verdict::Pass,
        per_param: vec![(Errors::default(), Some(Errors::default())); nparams],
        points: Vec::new(),
        params: op.params.iter().map(|p| p.name.clone()).collect(),
        constant: constant.clone(),
        outputs: 0,
        bad_outputs: 0,
    };
    if diff.is_empty() {
        result.verdict = Verdict::NothingToCheck;
        return result;
    }
    let with_backward = defs.definitions_text(None);
    let derived_defs = defs.definitions_text(Some(&name));
    // Each op gets its own stream, so adding an op to a file does not move another op's points.
    let mut rng = SplitMix::new(opts.seed ^ name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3)));
    for sample in 0..opts.samples {
        let xs: Vec<Vec<f64>> = shape_of.iter().map(|s| (0..s.iter().product::<usize>()).map(|_| rng.uniform(lo, hi)).collect()).collect();
        result.points.push(xs.clone());
        let point = Point { sample, xs: &xs, shape_of: &shape_of, constant: &constant, diff: &diff };
        if let Err(verdict) = check_sample(&mut result, op, (&with_backward, &derived_defs), &point, &mut rng) {
            result.verdict = verdict;
            return result;
        }
    }
    result.verdict = verdict(&mut result);
    result
}

/// One random point of one op, and what the generated programs need to know about its parameters.
struct Point<'a> {
    sample: usize,
    /// The point's values, per parameter.
    xs: &'a [Vec<f64>],
    shape_of: &'a [Vec<usize>],
    /// The parameters whose gradient the backward block returns as `none`.
    constant: &'a [bool],
    /// The other parameters, whose gradients are checked.
    diff: &'a [usize],
}

impl Point<'_> {
    /// Parameter `i`'s value `v` as an f64 tensor literal.
    fn literal(&self, i: usize, v: &[f64], requires_grad: bool) -> String {
        tensor_literal(v, &self.shape_of[i], "f64", requires_grad)
    }
}

/// Checks the op at one point and adds the errors to `result`; an `Err` is the
/// verdict that ends the op's check (the programs do not compile at these shapes).
fn check_sample(
    result: &mut OpResult,
    op: &OpDef,
    (with_backward, derived_defs): (&str, &str),
    p: &Point,
    rng: &mut SplitMix,
) -> Result<(), Verdict> {
    let name = &op.name.name;
    let nparams = op.params.len();
    let plain: Vec<String> = (0..nparams).map(|i| p.literal(i, &p.xs[i], false)).collect();

    // The forward alone, to learn the outputs' shapes (and whether it compiles at these shapes).
    let k = calls::count(op);
    let probe = format!("{with_backward}{}", calls::print_all(&format!("{}({})", name, arg_list(op, &plain)), k, "gc_probe"));
    let base = match run_program(&probe) {
        Ok(t) if t.len() == k => t,
        Ok(t) => {
            return Err(Verdict::Skipped(format!("the forward returns {} tensors, not the {k} its backward block takes gradients for", t.len())))
        }
        Err(e) => return Err(Verdict::Skipped(format!("the forward does not compile at these shapes: {e}"))),
    };
    // Outputs that are NaN or infinite at the point get weight 0 and are left
    // out of the finite-difference sums, so that one bad output does not make
    // every element's difference NaN (PyTorch's gradcheck, which builds the
    // whole Jacobian, sees them one row at a time).
    let mut setup = String::new();
    let mut w = Vec::with_capacity(k);
    for (out, wname) in base.iter().zip(calls::weight_names(k)) {
        let base_values = out.to_f64_vec();
        let wo: Vec<f64> = base_values.iter().map(|v| rng.uniform(-1.0, 1.0) * if v.is_finite() { 1.0 } else { 0.0 }).collect();
        result.outputs += base_values.len();
        result.bad_outputs += base_values.iter().filter(|v| !v.is_finite()).count();
        setup.push_str(&format!("{wname} = {}\n", tensor_literal(&wo, out.shape(), "f64", false)));
        w.push(wo);
    }
    for i in 0..nparams {
        setup.push_str(&format!("x{i} = {}\n", p.literal(i, &p.xs[i], !p.constant[i])));
    }
    let names: Vec<String> = (0..nparams).map(|i| format!("x{i}")).collect();
    // `0 * sum(x)` makes every checked leaf reach the loss, so its .grad is a
    // tensor (zeros plus nothing) even where a backward block ignores it.
    let keep: Vec<String> = p.diff.iter().map(|i| format!("sum(x{i})")).collect();
    let (pre, objective) = calls::call(op, &names);
    let grads = format!(
        "{pre}y = {objective} + 0 * ({})\ny.backward()\n{}",
        keep.join(" + "),
        p.diff.iter().map(|i| format!("print(x{i}.grad)\n")).collect::<String>()
    );
    let (fd, steps) = finite_differences(op, p, &plain);
    let analytic = run_program(&format!("{with_backward}{setup}{grads}{fd}"))
        .map_err(|e| Verdict::Skipped(format!("the check program does not compile: {e}")))?;
    let derived = match run_program(&format!("{derived_defs}{setup}{grads}")) {
        Ok(t) => Some(t),
        Err(e) => {
            result.derived_note = Some(format!("graphc cannot derive a gradient from the forward block: {e}"));
            result.vs_derived = None;
            for pp in &mut result.per_param {
                pp.1 = None;
            }
            None
        }
    };
    accumulate(result, p, &w, &analytic, derived.as_deref(), steps);
    Ok(())
}

/// The statements printing `op` at `x +- h` and `x +- h/2` for every element of every
/// checked parameter, and the steps `(x + h) - (x - h)` as rounded, in that order.
fn finite_differences(op: &OpDef, p: &Point, plain: &[String]) -> (String, Vec<f64>) {
    let mut fd = String::new();
    let mut steps = Vec::new();
    for &i in p.diff {
        for j in 0..p.xs[i].len() {
            for h in [EPS, EPS / 2.0] {
                let mut plus = p.xs[i].clone();
                plus[j] += h;
                let mut minus = p.xs[i].clone();
                minus[j] -= h;
                steps.push(plus[j] - minus[j]);
                for v in [&plus, &minus] {
                    let mut args = plain.to_vec();
                    args[i] = p.literal(i, v, false);
                    fd.push_str(&calls::print_all(&format!("{}({})", op.name.name, arg_list(op, &args)), calls::count(op), "gc_fd"));
                }
            }
        }
    }
    (fd, steps)
}

/// Compares the backward block's gradients (the first tensors of `analytic`) with
/// the finite differences (the rest of `analytic`) and with the derived gradients.
fn accumulate(result: &mut OpResult, p: &Point, w: &[Vec<f64>], analytic: &[Tensor], derived: Option<&[Tensor]>, steps: Vec<f64>) {
    let values = |t: &Tensor| t.to_f64_vec();
    let weighted = |t: &Tensor, w: &[f64]| values(t).iter().zip(w).filter(|(_, w)| **w != 0.0).map(|(v, w)| v * w).sum::<f64>();
    // Each evaluation printed one tensor per output.
    let mut fd_iter = analytic[p.diff.len()..].chunks(w.len()).map(|outs| outs.iter().zip(w).map(|(t, w)| weighted(t, w)).sum::<f64>());
    let mut step_iter = steps.into_iter();
    for (k, &i) in p.diff.iter().enumerate() {
        let a = values(&analytic[k]);
        let d = derived.map(|d| values(&d[k]));
        for j in 0..p.xs[i].len() {
            let mut n = [0.0; 2];
            for slot in &mut n {
                let (fp, fm) = (fd_iter.next().unwrap_or(f64::NAN), fd_iter.next().unwrap_or(f64::NAN));
                *slot = (fp - fm) / step_iter.next().unwrap_or(f64::NAN);
            }
            result.total += 1;
            let dj = d.as_ref().map(|d| d[j]);
            let finite = n[0].is_finite() && n[1].is_finite() && a[j].is_finite() && dj.is_none_or(f64::is_finite);
            if !finite || (n[0] - n[1]).abs() > ATOL + RTOL * n[0].abs() {
                result.masked += 1;
                continue;
            }
            result.per_param[i].0.add(p.sample, j, a[j], n[0]);
            if let (Some(e), Some(dj)) = (&mut result.per_param[i].1, dj) {
                e.add(p.sample, j, a[j], dj);
            }
        }
    }
}

/// Merges the parameters' errors into the op's totals and decides the verdict.
fn verdict(result: &mut OpResult) -> Verdict {
    let mut failing = Vec::new();
    for (i, (num, der)) in result.per_param.iter().enumerate() {
        result.vs_numeric.merge(num);
        if let (Some(total), Some(d)) = (&mut result.vs_derived, der) {
            total.merge(d);
        }
        if num.violations > 0 || der.is_some_and(|d| d.violations > 0) {
            failing.push(i);
        }
    }
    if result.masked == result.total || result.bad_outputs == result.outputs {
        Verdict::NotDifferentiable
    } else if failing.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(failing)
    }
}

/// The error at the `return` of the op's backward, on the wrong gradient's expression.
fn failure_diagnostic(op: &OpDef, i: usize, r: &OpResult) -> Diagnostic {
    let param = &op.params[i];
    let exprs = returned(op).expect("only ops with a backward block are checked");
    let span = exprs.get(i).map(|e| e.span).unwrap_or(op.backward.as_ref().expect("checked").span);
    let (num, der) = &r.per_param[i];
    let worst = num.worst.or(der.and_then(|d| d.worst));
    let label = format!("wrong gradient for `{}`: max abs error {} against finite differences", param.name, sci(num.max_abs));
    let mut d =
        Diagnostic::new(Code::G0001, format!("the backward block of `{}` returns a wrong gradient for `{}`", op.name.name, param.name), span, label)
            .with_secondary(param.span, format!("the parameter `{}`", param.name));
    let mut help = String::from("make this expression the derivative of the forward block");
    if let Some((sample, j, a, reference)) = worst {
        let x = &r.points[sample][i];
        let at =
            if x.len() == 1 { format!("`{}` = {}", param.name, number(x[0])) } else { format!("element {j} of `{}` = {}", param.name, number(x[j])) };
        // With several outputs the objective weighs each one.
        let objective = match calls::count(op) {
            1 => format!("sum({}(...) * w)", op.name.name),
            k => format!("(sum(out_i * w_i) over the {k} outputs of {}(...))", op.name.name),
        };
        help = format!(
            "at {at} (point {} of {}), d {objective} / d{} is {} but the backward block gives {}; {help}",
            sample + 1,
            r.points.len(),
            param.name,
            sci(reference),
            sci(a),
        );
    }
    d = d.with_help(help);
    d
}
