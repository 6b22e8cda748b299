//! The axes' numbers: matplotlib's autoscaled view limits, and its tick
//! positions and labels (`MaxNLocator` and `ScalarFormatter`), apart from the
//! drawing so that the arithmetic can be read (and checked) on its own.

use super::draw::TickLabel;

/// The minus sign of tick labels (`axes.unicode_minus`, on by default).
pub(super) const MINUS: &str = "\u{2212}";

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
/// `MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10])` (`nbins` from the axis' tick
/// space: 9 on the default figure) and `ScalarFormatter`'s choice of decimals
/// (computed over all raw ticks, as matplotlib does), negative labels written
/// with `minus` (`axes.unicode_minus`).
pub(super) fn ticks(lim: (f64, f64), nbins: f64, minus: &str) -> (Vec<f64>, Vec<String>) {
    let (vmin, vmax) = lim;
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
                // `axes.unicode_minus`: matplotlib writes U+2212 unless it is off.
                s.replace('-', minus)
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

/// A log axis' ticks inside `lim` (both limits positive): `LogLocator`'s major
/// decades (matplotlib 3.11's stride choice for at most `numticks`), the minor ticks
/// at 2..9 times each decade when every decade is ticked, and each major tick's
/// label as `LogFormatterSciNotation` writes it, `10^{k}` (mathtext, whose minus is
/// always U+2212, whatever `axes.unicode_minus` says).
pub(super) fn log_ticks(lim: (f64, f64), numticks: i64) -> (Vec<f64>, Vec<f64>, Vec<TickLabel>) {
    let (efmin, efmax) = (lim.0.log10(), lim.1.log10());
    let (emin, emax) = (efmin.ceil() as i64, efmax.floor() as i64);
    let n_avail = emax - emin + 1;
    let decades = log_decades(efmin, efmax, emin, emax, n_avail, numticks);
    let stride = if decades.len() > 1 { decades[1] - decades[0] } else { 1 };
    let inside = |v: f64| v >= lim.0 * (1.0 - 1e-12) && v <= lim.1 * (1.0 + 1e-12);
    let major: Vec<f64> = decades.iter().map(|&e| 10f64.powi(e as i32)).filter(|&v| inside(v)).collect();
    let mut minor = Vec::new();
    if stride == 1 || n_avail <= 1 {
        for e in emin - 1..=emax {
            for m in 2..10 {
                let v = m as f64 * 10f64.powi(e as i32);
                if inside(v) {
                    minor.push(v);
                }
            }
        }
    }
    let labels = major
        .iter()
        .map(|&v| {
            let k = v.log10().round() as i64;
            let exponent = if k < 0 { format!("{MINUS}{}", -k) } else { k.to_string() };
            TickLabel::Power { base: "10".to_string(), exponent }
        })
        .collect();
    (major, minor, labels)
}

/// `LogLocator.tick_values`' decades (its non-classic branch, base 10, subs (1,)).
fn log_decades(efmin: f64, efmax: f64, emin: i64, emax: i64, n_avail: i64, n_request: i64) -> Vec<i64> {
    let stride = n_avail.max(0) / (n_request + 1) + 1;
    let nr = (n_avail as f64 / stride as f64).ceil() as i64;
    let n_request = if nr <= n_request { nr } else { n_request };
    if n_request <= 0 {
        return vec![emin - 1, emax + 1];
    }
    if n_request == 1 {
        let mid = ((efmin + efmax) / 2.0).round() as i64;
        let stride = (mid - (emin - 1)).max((emax + 1) - mid);
        return vec![mid - stride, mid, mid + stride];
    }
    let mut stride = (n_avail - 1) / (n_request - 1);
    if (stride as f64) < n_avail as f64 / n_request as f64 {
        stride = n_avail / n_request;
    }
    let olo = (n_avail - stride * n_request).max(0);
    let ohi = (n_avail - stride * (n_request - 1)).min(stride);
    let mut offset = (-emin).rem_euclid(stride);
    if !(olo <= offset && offset < ohi) {
        offset = olo;
    }
    (emin + offset - stride..=emax + stride).step_by(stride as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decades (as exponents) and the number of minor ticks that matplotlib 3.11
    /// shows on a log axis with these limits (read from `ax.get_yticks()` and
    /// `ax.yaxis.get_minorticklocs()` of a default axes).
    #[test]
    fn log_ticks_match_matplotlib() {
        let cases: [((f64, f64), &[i32], usize); 5] = [
            ((0.004, 163.0), &[-2, -1, 0, 1, 2], 38),
            ((1e-3, 1e3), &[-3, -2, -1, 0, 1, 2, 3], 48),
            ((2.0, 50.0), &[1], 12),
            ((1e-12, 1e12), &[-12, -9, -6, -3, 0, 3, 6, 9, 12], 0),
            ((0.5, 3.0), &[0], 7),
        ];
        for (lim, decades, minors) in cases {
            let (major, minor, labels) = log_ticks(lim, 9);
            let got: Vec<i32> = major.iter().map(|v| v.log10().round() as i32).collect();
            assert_eq!(got, decades, "major ticks for {lim:?}");
            assert_eq!(minor.len(), minors, "minor ticks for {lim:?}");
            assert_eq!(labels.len(), major.len());
        }
        // Negative exponents are written with the Unicode minus.
        let (_, _, labels) = log_ticks((1e-3, 1e-1), 9);
        assert_eq!(labels[0], TickLabel::Power { base: "10".to_string(), exponent: format!("{MINUS}3") });
    }

    /// Linear tick labels use U+2212 for negative numbers, never for zero, and the
    /// hyphen when `axes.unicode_minus` is off.
    #[test]
    fn linear_labels_use_the_unicode_minus() {
        let (locs, labels) = ticks((-8.795, 8.695), 9.0, MINUS);
        assert_eq!(locs.len(), 9);
        assert_eq!(labels[0], "\u{2212}8");
        assert_eq!(labels[4], "0");
        let (_, labels) = ticks((-8.795, 8.695), 9.0, "-");
        assert_eq!(labels[0], "-8");
    }

    /// Fewer bins give coarser steps: `MaxNLocator(4, steps=[1, 2, 2.5, 5, 10])`
    /// over (-8.795, 8.695) gives -10, -5, 0, 5, 10 (matplotlib's `tick_values`), of
    /// which -5, 0 and 5 are inside the view.
    #[test]
    fn fewer_bins_give_coarser_ticks() {
        let (locs, _) = ticks((-8.795, 8.695), 4.0, MINUS);
        assert_eq!(locs, vec![-5.0, 0.0, 5.0]);
    }
}
