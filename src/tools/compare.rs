//! `graphc compare`: evaluates several implementations of one function of one
//! tensor argument, with their gradients, over evenly spaced points, and
//! measures each against a reference evaluated in f64.
//!
//! Every implementation runs as the program
//! `x = linspace(LO, HI, N, dtype=D, requires_grad=true); y = F(x);
//! y.backward(ones_like(y)); print(x); print(y); print(x.grad)`, through the
//! whole pipeline, so the numbers are those `graphc run` computes. The reference
//! runs in f64 at the same points (the f32 points widened exactly, written as an
//! f64 `tensor` literal). Errors are counted in ulps of the chosen dtype at the
//! reference value, so "1 ulp" means "one step of the dtype's grid where the
//! true value lies", whatever its magnitude.
//!
//! Where a result is NaN or infinite, the interval of such points is reported
//! with its bounds; each bound inside the range is refined by a second run of
//! N points between the last finite point and the first non-finite one, so that
//! the bound is known to about 1/N of the original spacing.

use std::path::{Path, PathBuf};

use graphc_runtime::plot::Figure;

use super::{number, run_program, tensor_literal, Definitions, Outcome, EXIT_USAGE};

/// The one-argument builtins `compare` accepts by name: those of the op table.
pub static UNARY_BUILTINS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| graphc_runtime::op::Unary::ALL.iter().filter_map(|u| u.builtin_name()).collect());

/// The command line's choices, as written; `run` validates them.
#[derive(Clone, Debug)]
pub struct Options {
    /// Comma-separated names.
    pub ops: String,
    /// `LO:HI`.
    pub range: String,
    pub points: usize,
    /// `f32` or `f64`.
    pub dtype: String,
    pub reference: Option<String>,
    pub plot: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options { ops: String::new(), range: "-10:10".to_string(), points: 1001, dtype: "f32".to_string(), reference: None, plot: None }
    }
}

/// One implementation's results at the points.
struct Evaluation {
    x: Vec<f64>,
    y: Vec<f64>,
    grad: Vec<f64>,
}

/// Errors of one quantity (output or gradient) of one implementation.
struct Stats {
    max_ulps: f64,
    median_ulps: f64,
    worst_x: Option<f64>,
    /// Where the implementation is NaN or infinite: (first x, last x, kind).
    non_finite: Vec<(f64, f64, &'static str)>,
    compared: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum DType {
    F32,
    F64,
}

impl DType {
    fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }
    /// One unit in the last place of this dtype at `r` (|r| rounded down to a power
    /// of two, times the dtype's epsilon; the smallest subnormal step below the
    /// normal range).
    fn ulp(self, r: f64) -> f64 {
        let (mantissa_bits, min_exp, max_exp) = match self {
            DType::F32 => (23, -126, 127),
            DType::F64 => (52, -1022, 1023),
        };
        let a = r.abs();
        let e = if a == 0.0 { min_exp } else { (((a.to_bits() >> 52) & 0x7ff) as i32 - 1023).clamp(min_exp, max_exp) };
        2f64.powi(e - mantissa_bits)
    }
    /// Formats an x of this dtype in its shortest round-tripping form.
    fn fmt(self, v: f64) -> String {
        let small = v != 0.0 && v.abs() < 1e-3;
        match (self, small) {
            (DType::F32, false) => format!("{}", v as f32),
            (DType::F32, true) => format!("{:e}", v as f32),
            (DType::F64, false) => format!("{v}"),
            (DType::F64, true) => format!("{v:e}"),
        }
    }
}

/// The command line, validated.
struct Setup {
    names: Vec<String>,
    /// The implementation evaluated in f64 as the reference.
    reference: String,
    lo: f64,
    hi: f64,
    dtype: DType,
}

/// Runs `graphc compare FILE --ops ...`.
pub fn run(path: &Path, opts: &Options, color: bool) -> Outcome {
    let source = match crate::source::read(path) {
        Ok(s) => s,
        Err(crate::source::ReadError::TooLarge(message)) => return Outcome { stdout: String::new(), stderr: message, code: super::EXIT_FAIL },
        Err(crate::source::ReadError::Unreadable(message)) => return Outcome::usage(message),
    };
    let file_name = path.display().to_string();
    if let Err(o) = super::compile_whole(&source, path, color) {
        return o;
    }
    let defs = match Definitions::parse(&source, &file_name, color) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let setup = match validate(&defs, &file_name, opts) {
        Ok(s) => s,
        Err(message) => return Outcome::usage(message),
    };
    let Setup { names, reference, lo, hi, dtype } = &setup;

    let defs_text = defs.definitions_text(None);
    let linspace = |a: f64, b: f64, n: usize| format!("linspace({}, {}, {n}, dtype={}, requires_grad=true)", number(a), number(b), dtype.name());
    let mut evals = Vec::new();
    for name in names {
        match evaluate(&defs_text, name, &linspace(*lo, *hi, opts.points)) {
            Ok(e) => evals.push(e),
            Err(e) => return Outcome { stdout: String::new(), stderr: format!("error: {e}\n"), code: EXIT_USAGE },
        }
    }
    let x = evals[0].x.clone();
    let reference_eval = match evaluate(&defs_text, reference, &tensor_literal(&x, &[x.len()], "f64", true)) {
        Ok(e) => e,
        Err(e) => return Outcome { stdout: String::new(), stderr: format!("error: {e}\n"), code: EXIT_USAGE },
    };

    let mut out = String::new();
    out.push_str(&format!(
        "compare {file_name}: {} points in [{}, {}] ({}), reference: {reference} in f64 at the same points\n",
        opts.points,
        number_short(*lo),
        number_short(*hi),
        dtype.name(),
    ));
    out.push_str(&format!(
        "errors in ulps of {} at the reference value (at least one f64 ulp of the largest reference value), over the points where both are finite;\nbounds of NaN or infinite intervals refined with {} more points\n\n",
        dtype.name(),
        opts.points
    ));
    let header = ["implementation", "value", "max ulps", "median ulps", "worst x", "NaN or infinite"];
    let (rows, plot_lines) = measure(&defs_text, &setup, &evals, &reference_eval, opts.points, &linspace);
    // Numbers (columns 2 to 4) are right-aligned so that their magnitudes line up.
    out.push_str(&super::table(header, &rows, &[2, 3, 4]));

    if let Some(p) = &opts.plot {
        if let Err(e) = plot(p, &plot_lines, *dtype, reference) {
            return Outcome { stdout: out, stderr: format!("error: cannot write `{}`: {e}\n", p.display()), code: 3 };
        }
        out.push_str(&format!("\nplot written to {}\n", p.display()));
    }
    Outcome { stdout: out, stderr: String::new(), code: 0 }
}

/// Checks the command line's names, range, point count, dtype and plot path
/// against the file's definitions; the message says what is wrong.
fn validate(defs: &Definitions, file_name: &str, opts: &Options) -> Result<Setup, String> {
    let validate = |name: &str| -> Result<(), String> {
        match defs.params_of(name) {
            Some(p) if p.len() == 1 => Ok(()),
            Some(p) => Err(format!("`{name}` takes {} arguments; compare needs an op or fn of one tensor argument", p.len())),
            None if UNARY_BUILTINS.contains(&name) => Ok(()),
            None => Err(format!(
                "unknown op `{name}`: `{file_name}` defines no op or fn of that name, and it is not a one-argument builtin ({})",
                UNARY_BUILTINS.join(", ")
            )),
        }
    };
    let names: Vec<String> = opts.ops.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if names.is_empty() {
        return Err("--ops needs at least one name, such as `--ops SelfDefinedTanh,tanh`".to_string());
    }
    for n in names.iter().chain(opts.reference.iter()) {
        validate(n)?;
    }
    let (lo, hi) = super::parse_range(&opts.range)?;
    if !(2..=1_000_000).contains(&opts.points) {
        return Err(format!("--points must be between 2 and 1000000, not {}", opts.points));
    }
    let dtype = match opts.dtype.as_str() {
        "f32" => DType::F32,
        "f64" => DType::F64,
        other => return Err(format!("unknown dtype `{other}`: write f32 or f64")),
    };
    // linspace steps by (HI - LO) / (N - 1) in the dtype, so the width must be finite there too.
    let (max, max_text) = match dtype {
        DType::F32 => (f64::from(f32::MAX), format!("{:e}", f32::MAX)),
        DType::F64 => (f64::MAX, format!("{:e}", f64::MAX)),
    };
    if lo.abs() > max || hi.abs() > max || hi - lo > max {
        return Err(format!(
            "range `{}` is too wide for {}: LO and HI must lie within ±{max_text} and HI - LO must be at most {max_text}, such as `-1e38:1e38`",
            opts.range,
            dtype.name()
        ));
    }
    if let Some(p) = &opts.plot {
        let ext = p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
        if !matches!(ext.as_deref(), Some("png") | Some("svg")) {
            return Err(format!("--plot `{}` must end in .png or .svg", p.display()));
        }
    }
    let reference =
        opts.reference.clone().or_else(|| names.iter().find(|n| UNARY_BUILTINS.contains(&n.as_str())).cloned()).unwrap_or_else(|| names[0].clone());
    Ok(Setup { names, reference, lo, hi, dtype })
}

/// One plotted line: its label and the points `(x, log10(1 + error in ulps))`.
type PlotLine = (String, Vec<f64>, Vec<f64>);

/// The table's rows (output and gradient of each implementation) and the lines to plot.
fn measure(
    defs_text: &str,
    setup: &Setup,
    evals: &[Evaluation],
    reference_eval: &Evaluation,
    points: usize,
    linspace: &dyn Fn(f64, f64, usize) -> String,
) -> (Vec<[String; 6]>, Vec<PlotLine>) {
    let dtype = setup.dtype;
    let mut rows: Vec<[String; 6]> = Vec::new();
    let mut plot_lines: Vec<PlotLine> = Vec::new();
    for (name, e) in setup.names.iter().zip(evals) {
        for (k, label) in [(0, "output"), (1, "gradient")] {
            let (vals, refs) = if k == 0 { (&e.y, &reference_eval.y) } else { (&e.grad, &reference_eval.grad) };
            let mut stats = stats(dtype, &e.x, vals, refs);
            refine(defs_text, name, k, &e.x, vals, &mut stats, points, linspace);
            let intervals = if stats.non_finite.is_empty() {
                "none".to_string()
            } else {
                stats.non_finite.iter().map(|(a, b, kind)| format!("{kind} on [{}, {}]", dtype.fmt(*a), dtype.fmt(*b))).collect::<Vec<_>>().join(", ")
            };
            let (max, median, worst) = if stats.compared == 0 {
                ("-".to_string(), "-".to_string(), "-".to_string())
            } else {
                (ulps(stats.max_ulps), ulps(stats.median_ulps), stats.worst_x.map(|v| dtype.fmt(v)).unwrap_or_else(|| "-".to_string()))
            };
            rows.push([if k == 0 { name.clone() } else { String::new() }, label.to_string(), max, median, worst, intervals]);
            let floor = reference_floor(refs);
            let (px, py): (Vec<f64>, Vec<f64>) =
                e.x.iter()
                    .zip(vals.iter().zip(refs))
                    .filter(|(_, (v, r))| v.is_finite() && r.is_finite())
                    .map(|(x, (v, r))| (*x, (1.0 + (v - r).abs() / unit(dtype, *r, floor)).log10()))
                    .unzip();
            plot_lines.push((format!("{name} {label}"), px, py));
        }
    }
    (rows, plot_lines)
}

/// Draws every line's error against `x` into `path` (PNG or SVG).
fn plot(path: &Path, lines: &[PlotLine], dtype: DType, reference: &str) -> Result<(), String> {
    let mut fig = Figure::new();
    for (label, px, py) in lines {
        fig.plot(px, py, Some(label), 0.7);
    }
    fig.grid();
    fig.legend();
    fig.xlabel("x");
    fig.ylabel(&format!("log10(1 + error in ulps of {})", dtype.name()));
    fig.title(&format!("error against {reference} in f64"));
    fig.savefig(path).map_err(|e| e.to_string())
}

/// A bound as the user wrote it: `-100` rather than `-100.0`.
fn number_short(v: f64) -> String {
    format!("{v}")
}

/// An error in ulps: two decimals when small, three significant digits otherwise.
fn ulps(v: f64) -> String {
    if v < 100.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3e}")
    }
}

/// Runs `name` (op, fn or builtin) on the tensor expression `x_expr` and returns
/// the points, the outputs and the gradients.
fn evaluate(defs_text: &str, name: &str, x_expr: &str) -> Result<Evaluation, String> {
    let program = format!(
        "{defs_text}cmp_x = {x_expr}\ncmp_y = {name}(cmp_x)\ncmp_y.backward(ones_like(cmp_y))\nprint(cmp_x)\nprint(cmp_y)\nprint(cmp_x.grad)\n"
    );
    let t = run_program(&program).map_err(|e| format!("cannot evaluate `{name}` on a 1-D tensor: {e}"))?;
    if t.len() != 3 {
        return Err(format!("`{name}` does not depend on its argument, so it has no gradient to compare"));
    }
    if t[1].shape() != t[0].shape() {
        return Err(format!(
            "`{name}` is not elementwise: its output has shape {} for an input of shape {}",
            crate::npy::shape_text(t[1].shape()),
            crate::npy::shape_text(t[0].shape())
        ));
    }
    Ok(Evaluation { x: t[0].to_f64_vec(), y: t[1].to_f64_vec(), grad: t[2].to_f64_vec() })
}

/// The unit of error at reference value `r`: one ulp of the dtype at `r`, but
/// never less than `floor`, the resolution of the f64 reference itself.
fn unit(dtype: DType, r: f64, floor: f64) -> f64 {
    dtype.ulp(r).max(floor)
}

/// The f64 reference is not exact either: where the true value is tiny but is
/// computed from values near 1 (tanh's gradient `1 - y*y` in its tails), the f64
/// result is off by about one f64 ulp of the larger values, and counting f32 ulps
/// of the tiny true value against it would report errors of 1e28 ulps that are
/// the reference's own. So no unit is smaller than one f64 ulp of the largest
/// |reference| over the range.
fn reference_floor(refs: &[f64]) -> f64 {
    let largest = refs.iter().filter(|r| r.is_finite()).fold(0.0f64, |m, r| m.max(r.abs()));
    DType::F64.ulp(largest)
}

fn stats(dtype: DType, x: &[f64], vals: &[f64], refs: &[f64]) -> Stats {
    let floor = reference_floor(refs);
    let mut errors: Vec<(f64, f64)> = Vec::new();
    for i in 0..x.len() {
        if vals[i].is_finite() && refs[i].is_finite() {
            errors.push(((vals[i] - refs[i]).abs() / unit(dtype, refs[i], floor), x[i]));
        }
    }
    let worst = errors.iter().copied().filter(|e| e.0 > 0.0).fold(None::<(f64, f64)>, |w, e| if w.is_none_or(|w| e.0 > w.0) { Some(e) } else { w });
    let mut sorted: Vec<f64> = errors.iter().map(|e| e.0).collect();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let median = if sorted.is_empty() { 0.0 } else { sorted[(sorted.len() - 1) / 2] };
    let mut non_finite = Vec::new();
    let mut i = 0;
    while i < x.len() {
        if vals[i].is_finite() {
            i += 1;
            continue;
        }
        let start = i;
        let (mut nan, mut inf) = (false, false);
        while i < x.len() && !vals[i].is_finite() {
            nan |= vals[i].is_nan();
            inf |= vals[i].is_infinite();
            i += 1;
        }
        let kind = match (nan, inf) {
            (true, true) => "NaN/inf",
            (true, false) => "NaN",
            _ => "inf",
        };
        non_finite.push((x[start], x[i - 1], kind));
    }
    Stats { max_ulps: worst.map_or(0.0, |w| w.0), median_ulps: median, worst_x: worst.map(|w| w.1), non_finite, compared: errors.len() }
}

/// Sharpens the bounds of the non-finite intervals: each bound strictly inside
/// the range is searched again with `points` points between the last finite and
/// the first non-finite sample. `k` is 0 for the output, 1 for the gradient.
#[allow(clippy::too_many_arguments)]
fn refine(
    defs_text: &str,
    name: &str,
    k: usize,
    x: &[f64],
    vals: &[f64],
    stats: &mut Stats,
    points: usize,
    linspace: &dyn Fn(f64, f64, usize) -> String,
) {
    let index_of = |v: f64| x.iter().position(|&p| p == v);
    for interval in &mut stats.non_finite {
        let (Some(first), Some(last)) = (index_of(interval.0), index_of(interval.1)) else { continue };
        let finite = |i: usize| vals[i].is_finite();
        if first > 0 && finite(first - 1) {
            if let Ok(e) = evaluate(defs_text, name, &linspace(x[first - 1], x[first], points)) {
                let v = if k == 0 { &e.y } else { &e.grad };
                if let Some(j) = v.iter().position(|v| !v.is_finite()) {
                    interval.0 = e.x[j];
                }
            }
        }
        if last + 1 < x.len() && finite(last + 1) {
            if let Ok(e) = evaluate(defs_text, name, &linspace(x[last], x[last + 1], points)) {
                let v = if k == 0 { &e.y } else { &e.grad };
                if let Some(j) = v.iter().rposition(|v| !v.is_finite()) {
                    interval.1 = e.x[j];
                }
            }
        }
    }
}
