//! The axes' numbers: matplotlib's autoscaled view limits, and its tick
//! positions and labels (`MaxNLocator` and `ScalarFormatter`), apart from the
//! drawing so that the arithmetic can be read (and checked) on its own.

/// matplotlib's autoscaled view: the finite data range plus a 5% margin each side;
/// no data gives (0, 1), and a single value is widened by 5% of itself (or by 0.05 at zero).
pub(super) fn data_limits(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(f64::MIN_POSITIVE) {
        return if hi == 0.0 { (-0.05, 0.05) } else { (lo - 0.05 * lo.abs(), hi + 0.05 * hi.abs()) };
    }
    let m = 0.05 * (hi - lo);
    (lo - m, hi + m)
}

/// Tick positions inside `lim` and their labels, following matplotlib's
/// `MaxNLocator(nbins=9, steps=[1, 2, 2.5, 5, 10])` and `ScalarFormatter`'s
/// choice of decimals (computed over all raw ticks, as matplotlib does).
pub(super) fn ticks(lim: (f64, f64)) -> (Vec<f64>, Vec<String>) {
    let (vmin, vmax) = lim;
    let nbins = 9.0;
    let dv = vmax - vmin;
    let scale = 10f64.powf((dv / nbins).log10().floor());
    let steps: Vec<f64> = [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0].iter().map(|s| s * scale).collect();
    let raw_step = dv / nbins;
    let istep = steps.iter().position(|&s| s >= raw_step).unwrap_or(steps.len() - 1);
    let mut raw = Vec::new();
    for &step in steps[..=istep].iter().rev() {
        let best_vmin = (vmin / step).floor() * step;
        // matplotlib's _Edge_integer: snap multiples that are within 1e-10 of a step.
        let close = |a: f64, b: f64| (a - b).abs() < 1e-10;
        let le = |x: f64| {
            let d = (x / step).floor();
            if close(x / step - d, 1.0) {
                d + 1.0
            } else {
                d
            }
        };
        let ge = |x: f64| {
            let d = (x / step).floor();
            if close(x / step - d, 0.0) {
                d
            } else {
                d + 1.0
            }
        };
        let (low, high) = (le(vmin - best_vmin), ge(vmax - best_vmin));
        raw = (low as i64..=high as i64).map(|k| k as f64 * step + best_vmin).collect();
        if raw.iter().filter(|&&t| t >= vmin && t <= vmax).count() >= 2 {
            break;
        }
    }
    let decimals = tick_decimals(&raw);
    let shown: Vec<f64> = raw.into_iter().filter(|&t| t >= vmin - 1e-9 * dv && t <= vmax + 1e-9 * dv).collect();
    let labels = shown
        .iter()
        .map(|&t| {
            let s = format!("{t:.decimals$}");
            // A tick at a rounding-error negative zero must not read "-0.00".
            if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        })
        .collect();
    (shown, labels)
}

/// `ScalarFormatter._set_format`: the fewest decimals that show every tick to within
/// a thousandth of the tick range.
fn tick_decimals(locs: &[f64]) -> usize {
    let (lo, hi) = locs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let mut range = hi - lo;
    // A NaN range (no finite ticks) counts as empty, like a zero one.
    if range.is_nan() || range <= 0.0 {
        range = locs.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    }
    if range.is_nan() || range <= 0.0 {
        range = 1.0;
    }
    let oom = range.log10().floor() as i32;
    let mut sigfigs = (3 - oom).max(0);
    let thresh = 1e-3 * 10f64.powi(oom);
    while sigfigs >= 0 {
        let p = 10f64.powi(sigfigs);
        let err = locs.iter().map(|&v| (v - (v * p).round() / p).abs()).fold(0.0, f64::max);
        if err < thresh {
            sigfigs -= 1;
        } else {
            break;
        }
    }
    (sigfigs + 1) as usize
}
